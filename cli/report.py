"""``klantreis report``: channel metrics per group, and ``report consistency`` across channels.

Every figure comes from ``scoring/`` (the same functions the dashboards use); this module only
reads the frames, calls them and prints the result. ``scoring`` is imported inside the functions
that use it, not at the top: it loads scipy, which would slow every command (and ``--help``) by
seconds.

Language: the table printed for a person (`--format table`) is in the current language
(``journeys.language``, chosen by `--language` or the environment): its title, its column
headers (``COLUMN_LABELS``) and its numbers ("54,9", "1.234" in Dutch). The machine-readable
formats (`csv`, `json`) keep the English column names, the codes and plain numbers in every
language; so does the table's cells' data (brand names, channel keys).

Which contacts: released ones only, unless `--include-unreleased` (docs/release.md) counts the
contacts not yet released too; the table format ends with a line saying which
(``cli.options.release_note``); `csv` and `json` stay pure data for programs.
"""

import json
import math
from datetime import datetime

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from cli.app import console, ready_engine
from cli.options import AsOf, OutputFormat, Timezone, as_of_moment, release_note, with_contact_filter
from cli.output import frame_text
from journeys.errors import Problem, ValidationError
from journeys.fieldwork.frames import ContactFilter, read_contacts
from journeys.language import N_, _, number
from journeys.local_time import LOCAL_ZONE_NAME, duration

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

# The table's column headers, as a person reads them (translated where printed); a column not
# listed reads as its name without the "_s" of seconds and with spaces for underscores.
COLUMN_LABELS: dict[str, str] = {
    "channel": N_("channel"), "brand": N_("brand"), "location": N_("location"), "journey": N_("journey"),
    "wave": N_("wave"),
    "contacts": N_("contacts"), "responded": N_("responded"), "response_rate": N_("response rate"),
    "response_rate_ci_low": N_("response rate ci low"), "response_rate_ci_high": N_("response rate ci high"),
    "median_first_response_s": N_("median first response"),
    "km_median_first_response_s": N_("km median first response"),
    "with_response_target": N_("with response target"), "km_share_within_target": N_("km share within target"),
    "with_deadline": N_("with deadline"), "late": N_("late"), "pending": N_("pending"),
    "on_time_rate": N_("on time rate"), "on_time_rate_ci_low": N_("on time rate ci low"),
    "on_time_rate_ci_high": N_("on time rate ci high"), "scored": N_("scored"), "mean_quality": N_("mean quality"),
    "mean_quality_ci_low": N_("mean quality ci low"), "mean_quality_ci_high": N_("mean quality ci high"),
    "passed": N_("passed"), "pass_rate": N_("pass rate"), "redirected": N_("redirected"),
    "redirect_rate": N_("redirect rate"), "judged": N_("judged"), "correct": N_("correct"),
    "accuracy_rate": N_("accuracy rate"), "accuracy_rate_ci_low": N_("accuracy rate ci low"),
    "accuracy_rate_ci_high": N_("accuracy rate ci high"), "insufficient": N_("insufficient"),
    "channels": N_("channels"), "best_channel": N_("best channel"), "worst_channel": N_("worst channel"),
    "channel_gap": N_("channel gap"), "consistency_index": N_("consistency index"),
    "answer_agreement": N_("answer agreement"), "consistent_all_channels": N_("consistent all channels"),
    "kruskal_p": N_("kruskal p"), "gap_to_best": N_("gap to best"),
    "region": N_("region"), "auditor": N_("auditor"), "planned": N_("planned"), "done": N_("done"),
    "started": N_("started"), "overdue": N_("overdue"), "unassigned": N_("not assigned"),
}
PERCENT_COLUMNS = ("score_parity", "answer_agreement", "timing_on_norm")  # shares printed as percentages

report_app = typer.Typer(help="Channel metrics per group (definitions: docs/scoring.md).")


def parse_groups(text: str, allowed=GROUPS) -> list[str]:
    """``--by`` as a list of grouping columns, or a ValidationError naming what is allowed."""
    groups = [g.strip().lower() for g in text.split(",") if g.strip()]
    unknown = [g for g in groups if g not in allowed]
    if unknown or not groups:
        raise ValidationError(Problem("--by", text, _("must be a comma-separated list of {groups}").format(
            groups=", ".join(allowed))))
    if len(set(groups)) != len(groups):
        raise ValidationError(Problem("--by", text, _("names a group twice")))
    return groups


def read_scored(engine, flt: ContactFilter, as_of: datetime) -> pd.DataFrame:
    """The filtered contacts with their stored scores (``journeys.fieldwork.scores``), timed as of
    ``as_of``: the frame of ``scoring.pipeline.scored_contacts`` the dashboards start from too."""
    from journeys.fieldwork.scores import stored_quality
    from scoring.pipeline import with_quality  # scipy: see the module docstring

    contacts = read_contacts(engine, flt, scores=True)
    return with_quality(contacts, stored_quality(contacts, engine), as_of)


def metrics_report(engine, *, by: list[str], as_of: datetime, flt: ContactFilter, all_columns: bool = False,
                   scored: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per group: the group keys, then the report columns of ``scoring.metrics.metrics_table``
    (of ``scored`` when given, else of the contacts ``flt`` reads)."""
    from scoring.metrics import METRIC_COLUMNS, metrics_table  # scipy: see the module docstring

    columns = list(METRIC_COLUMNS) if all_columns else list(REPORT_COLUMNS)
    frame = read_scored(engine, flt, as_of) if scored is None else scored
    return metrics_table(frame, by)[[*by, *columns]]


def unreleased_in(scored: pd.DataFrame) -> int:
    """How many of the contacts read are not yet released to the client."""
    return int((~scored["released"].astype(bool)).sum()) if "released" in scored else 0


def _print_release_note(flt: ContactFilter, scored: pd.DataFrame, output_format: str) -> None:
    if output_format == "table":  # csv and json stay pure data
        console.print(release_note(flt, unreleased_in(scored)), highlight=False, soft_wrap=True)


def column_label(column: str) -> str:
    """A column's header in the printed table, in the current language."""
    return _(COLUMN_LABELS.get(column, str(column).removesuffix("_s").replace("_", " ")))


def cell_text(column: str, value) -> str:
    """A cell of the printed table as the current language writes it: durations in words,
    rates in percent ("89,8 %"), counts with grouping ("1.234"); "–" where no figure exists
    (no denominator), which is not zero."""
    if hasattr(value, "item"):  # numpy scalars
        value = value.item()
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, float):
        if column.endswith("_s"):
            return duration(value)
        if column.endswith("_rate") or column in PERCENT_COLUMNS:
            return _("{percent} %").format(percent=number(100 * value, 1))
        if column.endswith("_p"):
            return f"{value:.3g}".replace(".", number(0.5, 1)[1])  # three significant digits, the language's decimal mark
        return number(value, 1)
    if isinstance(value, int):
        return number(value)
    return str(value)


def print_report_table(frame: pd.DataFrame, title: str = "") -> None:
    """``frame`` as a table for a person, in the current language (``column_label``, ``cell_text``)."""
    out = console
    if not out.is_terminal:
        # piped output has no width; do not fold numbers into unreadable columns
        out = Console(width=max(200, 18 * len(frame.columns)), file=out.file, markup=False, emoji=False)
    table = Table(title=title or None)
    for column in frame.columns:
        numeric = pd.api.types.is_numeric_dtype(frame[column]) and not pd.api.types.is_bool_dtype(frame[column])
        widest = max([len(cell_text(str(column), v)) for v in frame[column]] or [1])
        table.add_column(column_label(str(column)), justify="right" if numeric else "left",
                         min_width=min(widest, 24), overflow="fold")
    for row in frame.itertuples(index=False):
        # Text, not str: rich would read "[link=...]" in a brand name as markup (on any console)
        table.add_row(*(Text(cell_text(str(c), v)) for c, v in zip(frame.columns, row, strict=True)))
    out.print(table)


def _groups_text(groups: list[str]) -> str:
    return ", ".join(column_label(g) for g in groups)


def _emit(frame: pd.DataFrame, output_format: str, title: str) -> None:
    text = frame_text(frame, output_format)
    if text is None and frame.empty:
        console.print(_("{title}: no contacts match").format(title=title), highlight=False)
    elif text is None:
        print_report_table(frame, title)
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
    """Contacts, response, speed, timeliness, quality, redirects and accuracy per group (released contacts
    only unless --include-unreleased)."""
    if ctx.invoked_subcommand is not None:
        return
    groups = parse_groups(by)
    moment = as_of_moment(as_of, timezone)
    engine = ready_engine()
    scored = read_scored(engine, flt, moment)
    frame = metrics_report(engine, by=groups, as_of=moment, flt=flt, all_columns=all_columns, scored=scored)
    _emit(frame, output_format, _("Channel metrics by {groups} as of {moment}").format(
        groups=_groups_text(groups), moment=moment.isoformat(timespec="seconds")))
    _print_release_note(flt, scored, output_format)


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
    _emit(summary, output_format, _("Consistency by {groups} as of {moment}").format(
        groups=_groups_text(groups), moment=moment.isoformat(timespec="seconds")))
    _emit(channels, output_format, _("The channels it rests on"))
    _print_release_note(flt, frame, output_format)


PROGRESS_OUTPUT_COLUMNS = ("planned", "done", "started", "overdue", "unassigned")


@report_app.command("progress", help=N_(
    "A wave's fieldwork: planned, done, started, overdue and not assigned contacts per group."))
def progress_report(
    *,
    wave: str = typer.Option(..., "--wave", help=N_("The wave, by name.")),
    by: str = typer.Option("brand", "--by", help=N_("Group by brand, region, location, channel, journey or auditor.")),
    output_format: OutputFormat = "table",
) -> None:
    """A wave's fieldwork: planned, done, started, overdue and not assigned contacts per group.

    The counts are ``journeys.fieldwork.progress.progress_by``'s (the Fieldwork progress page's),
    on today's local date; the columns stay English in every format and language."""
    from cli.users import OPERATOR
    from data import db
    from journeys.fieldwork import progress
    from journeys.fieldwork.planned import local_today

    groups = parse_groups(by, allowed=progress.GROUPS)
    if len(groups) > 1:
        raise ValidationError(Problem("--by", by, _("takes one group: {groups}").format(
            groups=", ".join(progress.GROUPS))))
    group = groups[0]
    with db.read_scope(ready_engine()) as session:
        chosen = progress.wave_named(session=session, name=wave)
        result = progress.wave_progress(session=session, actor=OPERATOR, wave_id=chosen.id, today=local_today())
    # the rows without a value read in the run's language for a person, in English for a program
    missing = progress.missing_labels() if output_format == "table" else None
    table = progress.progress_by(result.frame, group, missing=missing)[[group, *PROGRESS_OUTPUT_COLUMNS]]
    if output_format != "table":
        typer.echo(frame_text(table, output_format), nl=False if output_format == "csv" else True)
        return
    totals = result.totals
    if table.empty:
        console.print(_("{wave}: no fieldwork planned yet").format(wave=chosen.name), highlight=False)
        return
    title = _("Fieldwork of {wave} by {group} on {day}").format(
        wave=chosen.name, group=column_label(group), day=result.today.isoformat())
    print_report_table(progress.with_totals_row(table, group, label=_("Total"))
                       [[group, *PROGRESS_OUTPUT_COLUMNS]], title)
    state = _("final") if result.final else _("running")
    if totals.complete:
        console.print(_("Fieldwork is complete ({state}): {coverage} done.").format(
            state=state, coverage=progress.coverage_text(totals.done, totals.planned)), highlight=False)
    else:
        console.print(_("Fieldwork is not complete ({state}): {coverage} done.").format(
            state=state, coverage=progress.coverage_text(totals.done, totals.planned)), highlight=False)
