"""``klantreis report``: channel metrics per group, and ``report consistency`` across channels.

Every figure comes from ``scoring/`` (the same functions the dashboards use); this module only
reads the frames, calls them and prints the result. ``scoring`` is imported inside the functions
that use it, not at the top: it loads scipy, which would slow every command (and ``--help``) by
seconds.
"""

import json
from datetime import datetime

import pandas as pd
import typer

from cli.app import console, ready_engine
from cli.options import AsOf, OutputFormat, Timezone, as_of_moment, with_contact_filter
from cli.output import frame_text, print_table
from journeys.errors import Problem, ValidationError
from journeys.fieldwork.frames import ContactFilter, read_answers, read_contacts, read_criteria
from journeys.local_time import LOCAL_ZONE_NAME

GROUPS = ("channel", "brand", "location", "journey", "wave")
REPORT_COLUMNS = (
    "contacts", "responded", "response_rate", "median_first_response_s", "km_median_first_response_s",
    "with_deadline", "late", "on_time_rate", "mean_quality", "mean_quality_ci_low", "mean_quality_ci_high",
    "redirect_rate", "accuracy_rate", "insufficient",
)

SUMMARY_TABLE_COLUMNS = ("channels", "best_channel", "worst_channel", "channel_gap", "consistency_index",
                         "answer_agreement", "consistent_all_channels", "kruskal_p")
CHANNEL_COLUMNS = ("contacts", "response_rate", "km_median_first_response_s", "on_time_rate", "mean_quality",
                   "gap_to_best", "accuracy_rate", "insufficient")

report_app = typer.Typer(help="Channel metrics per group (definitions: docs/scoring.md).")


def parse_groups(text: str, allowed=GROUPS) -> list[str]:
    """``--by`` as a list of grouping columns, or a ValidationError naming what is allowed."""
    groups = [g.strip().lower() for g in text.split(",") if g.strip()]
    unknown = [g for g in groups if g not in allowed]
    if unknown or not groups:
        raise ValidationError(Problem("--by", text, f"must be a comma-separated list of {', '.join(allowed)}"))
    if len(set(groups)) != len(groups):
        raise ValidationError(Problem("--by", text, "names a group twice"))
    return groups


def read_scored(engine, flt: ContactFilter, as_of: datetime) -> pd.DataFrame:
    """The filtered contacts, scored and timed as of ``as_of`` (``scoring.pipeline.scored_contacts``,
    the frame the dashboards and the brand report start from too)."""
    from scoring.pipeline import scored_contacts  # scipy: see the module docstring

    contacts = read_contacts(engine, flt)
    answers = read_answers(engine, contacts["contact_id"], comments=False)
    criteria = read_criteria(engine, contacts["version_id"].unique().tolist())
    return scored_contacts(contacts, answers, criteria, as_of)


def metrics_report(engine, *, by: list[str], as_of: datetime, flt: ContactFilter, all_columns: bool = False) -> pd.DataFrame:
    """One row per group: the group keys, then the report columns of ``scoring.metrics.metrics_table``."""
    from scoring.metrics import METRIC_COLUMNS, metrics_table  # scipy: see the module docstring

    columns = list(METRIC_COLUMNS) if all_columns else list(REPORT_COLUMNS)
    return metrics_table(read_scored(engine, flt, as_of), by)[[*by, *columns]]


def _emit(frame: pd.DataFrame, output_format: str, title: str) -> None:
    text = frame_text(frame, output_format)
    if text is None and frame.empty:
        console.print(f"{title}: no contacts match", highlight=False)
    elif text is None:
        print_table(console, frame, title)
    else:
        typer.echo(text, nl=not text.endswith("\n"))


@report_app.callback(invoke_without_command=True)
@with_contact_filter()
def report(
    ctx: typer.Context,
    *,
    by: str = typer.Option("channel", "--by", help="Group by channel, brand, location, journey, wave (comma-separated)."),
    as_of: AsOf = None,
    flt: ContactFilter,
    timezone: Timezone = LOCAL_ZONE_NAME,
    output_format: OutputFormat = "table",
    all_columns: bool = typer.Option(False, "--all-columns", help="Also intervals, denominators and pass rates."),
) -> None:
    """Contacts, response, speed, timeliness, quality, redirects and accuracy per group."""
    if ctx.invoked_subcommand is not None:
        return
    groups = parse_groups(by)
    moment = as_of_moment(as_of, timezone)
    engine = ready_engine()
    frame = metrics_report(engine, by=groups, as_of=moment, flt=flt, all_columns=all_columns)
    _emit(frame, output_format, f"Channel metrics by {', '.join(groups)} as of {moment.isoformat(timespec='seconds')}")


@report_app.command("consistency")
@with_contact_filter(channels=False)  # it compares the channels, so it always takes them all
def consistency(
    *,
    by: str = typer.Option("brand", "--by", help="Scope: brand, optionally with journey and wave (comma-separated)."),
    as_of: AsOf = None,
    flt: ContactFilter,
    timezone: Timezone = LOCAL_ZONE_NAME,
    output_format: OutputFormat = "table",
) -> None:
    """How alike each scope's channels are: channel gap, consistency index, answer agreement."""
    from scoring.consistency import consistency as consistency_of  # scipy: see the module docstring

    groups = parse_groups(by, allowed=("brand", "journey", "wave", "location"))
    moment = as_of_moment(as_of, timezone)
    engine = ready_engine()
    frame = read_scored(engine, flt, moment)
    result = consistency_of(frame, moment, by=groups, already_timed=True)
    summary = result.summary.reset_index()
    channels = result.channels[[*groups, "channel", *CHANNEL_COLUMNS]]
    if output_format == "table":
        summary = summary[[*groups, *SUMMARY_TABLE_COLUMNS]]
    if output_format == "json":
        combined = {"scopes": json.loads(frame_text(summary, "json")),
                    "channels": json.loads(frame_text(channels, "json"))}
        typer.echo(json.dumps(combined, indent=2, ensure_ascii=False))
        return
    if output_format == "csv":
        # one CSV: the scope rows first (channel empty), then the per-channel rows they rest on
        typer.echo(frame_text(pd.concat([summary.assign(channel=None), channels], ignore_index=True), "csv"), nl=False)
        return
    _emit(summary, output_format, f"Consistency by {', '.join(groups)} as of {moment.isoformat(timespec='seconds')}")
    _emit(channels, output_format, "The channels it rests on")
