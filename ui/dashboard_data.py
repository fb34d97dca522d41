"""Data behind the dashboards: one cached, scored and timed frame of all contacts.

Why this shape: reading and scoring a million contacts takes seconds; filtering an in-memory
frame and grouping it takes milliseconds. The frame is cached per database URL, *data
version* (``data.frames.data_version``: changes with every write) and period (the time
rounded down to ``AS_OF_STEP``, so open contacts age on screen), and shared read-only by all
sessions. Its figures are *as of the moment it was computed* (``current_as_of``), never of
the rounded time: a contact answered a minute ago counts as answered. A filter change
therefore never touches the database. Every figure comes from ``scoring/``.
"""

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import streamlit as st
from sqlalchemy.engine import Engine

from data.frames import ContactFilter, data_version, read_answers, read_contacts, read_criteria
from journeys.contact_filter import filter_frame as apply_filter  # the pandas form of a filter
from journeys.local_time import LOCAL_ZONE
from scoring.metrics import METRIC_COLUMNS, metrics_of_timed
from scoring.quality import score_contacts
from scoring.timeliness import timeliness

AS_OF_STEP = timedelta(minutes=10)


def current_as_of() -> datetime:
    """The moment the figures are computed for: now."""
    return datetime.now(UTC)


def current_period() -> datetime:
    """``current_as_of()`` rounded down to ``AS_OF_STEP``: the cache key, so figures are recomputed
    (and open contacts age) at least that often, and at once after any write."""
    step = AS_OF_STEP.total_seconds()
    return datetime.fromtimestamp(current_as_of().timestamp() // step * step, UTC)


def build_scored(contacts: pd.DataFrame, answers: pd.DataFrame, criteria: pd.DataFrame, as_of: datetime) -> pd.DataFrame:
    """Contacts joined with their quality scores and timeliness, plus local weekday and hour."""
    scores = score_contacts(contacts, answers, criteria)
    frame = timeliness(contacts.join(scores, on="contact_id"), as_of)
    local = frame["started_at"].dt.tz_convert(LOCAL_ZONE)
    frame["weekday"] = local.dt.day_of_week.astype("int8")
    frame["hour"] = local.dt.hour.astype("int8")
    for column in ("brand", "channel", "journey", "wave", "location"):
        frame[column] = frame[column].astype("category")  # fast isin/groupby at a million rows
    # Kept in order of waiting time: every filtered subset is then in that order too, so the
    # Kaplan–Meier tables (scoring.stats.km_table) skip their sort of up to a million times.
    frame = frame.sort_values("response_time_s", kind="stable", na_position="last", ignore_index=True)
    frame["row"] = np.arange(len(frame), dtype=np.int64)  # where each contact sits (criterion views)
    return frame


@st.cache_resource(max_entries=2, show_spinner="Reading and scoring contacts…")
def _scored(_engine: Engine, url: str, version: tuple, period: datetime) -> dict:
    contacts = read_contacts(_engine)
    answers = read_answers(_engine, comments=False)
    criteria = read_criteria(_engine)
    as_of = current_as_of()  # after reading: every event in these rows has happened by now
    return {"contacts": build_scored(contacts, answers, criteria, as_of), "answers": answers,
            "criteria": criteria, "as_of": as_of}


@st.cache_resource(max_entries=2, show_spinner="Scoring every checklist answer…")
def _item_scores(url: str, version: tuple, period: datetime):
    """Every checklist answer's item score, for the criterion views (built on first use)."""
    from data.db import get_engine
    from ui.dashboard_view import item_scores

    data = _scored(get_engine(url), url, version, period)
    return item_scores(data["contacts"], data["answers"], data["criteria"])


# The tables the Dashboard page shows, computed together for each filter.
DASHBOARD_TABLES = (("headline", ()), ("metrics", ("channel",)), ("response_times", ()), ("survival", ()))
# The unfiltered tables every analysis page opens with: computed during the first load, so
# afterwards every filter change, including back to "all", is a fresh filter or a cache hit.
DEFAULT_VIEWS = (("consistency", ("brand",)), ("metrics", ("brand",)), ("metrics", ("wave", "channel")),
                 ("metrics", ("weekday", "hour")))


def scored_data(engine: Engine) -> dict:
    """``{contacts, answers, criteria, as_of, key}`` for the current data version (shared, read-only).

    ``key`` (database URL, data version, period) is read once here and used by
    ``filtered_contacts`` and ``figures`` for the rest of the page run, so one page shows one
    snapshot even when an auditor saves while it runs.
    """
    key = (str(engine.url), data_version(engine), current_period())
    data = _scored(engine, *key)
    cached_tables(*key, ContactFilter(), DASHBOARD_TABLES)  # cache hits after the first load
    for request in DEFAULT_VIEWS:
        cached_tables(*key, ContactFilter(), (request,))
    return {**data, "key": key}


# The columns the figure tables and the contact list read. A filtered frame keeps only these:
# copying a million rows of two dozen columns instead of fifty halves a fresh filter's cost.
ANALYSIS_COLUMNS = (
    "contact_id", "row", "brand", "location", "journey", "wave", "channel", "started_at", "weekday", "hour",
    "responded", "first_response_s", "response_time_s", "response_clock_s", "first_response_target_s",
    "deadline", "late", "resolution_status", "final_score", "passed", "redirected_to", "answer_correct",
)


@st.cache_resource(max_entries=4, show_spinner=False)
def _filtered(url: str, version: tuple, period: datetime, flt: ContactFilter) -> pd.DataFrame:
    """The filtered rows (``ANALYSIS_COLUMNS``), shared read-only by the page and every table of
    one filter: a million rows are filtered once per filter, not once per table."""
    from data.db import get_engine

    return apply_filter(_scored(get_engine(url), url, version, period)["contacts"], flt, columns=ANALYSIS_COLUMNS)


def filtered_contacts(data: dict, flt: ContactFilter) -> pd.DataFrame:
    """The scored contacts of ``data`` (``scored_data``) matching ``flt`` (shared, read-only)."""
    return _filtered(*data["key"], flt)


# Tables a page needs together are computed on two threads: numpy's sorts and pandas' group
# operations release the GIL, so two cores finish a fresh filter about 1.4 times sooner.
TABLE_THREADS = 2


@st.cache_data(max_entries=64, show_spinner="Computing figures…")
def cached_tables(url: str, version: tuple, period: datetime, flt: ContactFilter,
                  requests: tuple[tuple[str, tuple[str, ...]], ...]) -> tuple:
    """Figure tables for one filter, cached per data version: revisiting a filter is instant.

    ``requests`` holds ``(name, by)`` pairs; ``name`` picks the table: ``metrics`` (per ``by``),
    ``headline``, ``response_times``, ``survival``, ``consistency`` (per ``by``) or
    ``criterion_channel`` (item × channel heatmap). Returns the tables in request order. The
    scored frame comes from the shared resource cache, so this never reads the database; its
    as-of time is the one the figures use.
    """
    from data.db import get_engine

    as_of = _scored(get_engine(url), url, version, period)["as_of"]
    contacts = _filtered(url, version, period, flt)
    # resolved here, in the page's thread: the workers below only compute (no Streamlit calls)
    items = _item_scores(url, version, period) if any(n == "criterion_channel" for n, _ in requests) else None

    def table(request):
        return _table(contacts, as_of, items, *request)

    if len(requests) == 1:
        return (table(requests[0]),)
    with ThreadPoolExecutor(max_workers=TABLE_THREADS) as pool:
        return tuple(pool.map(table, requests))


def _table(contacts: pd.DataFrame, as_of: datetime, items, name: str, by: tuple[str, ...]):
    """One figure table of ``cached_tables`` (pure: frames in, frame or dict out)."""
    from ui import dashboard_view

    if name == "metrics":
        return metrics(contacts, list(by))
    if name == "headline":
        return dashboard_view.headline_figures(contacts, as_of)
    if name == "response_times":
        return dashboard_view.response_time_table(contacts)
    if name == "survival":
        return dashboard_view.survival_table(contacts)
    if name == "criterion_channel":
        return dashboard_view.criterion_channel_table(contacts, items)
    if name == "consistency":
        return dashboard_view.consistency_table(contacts, as_of, list(by))
    raise ValueError(f"unknown table {name!r}")


def figures(data: dict, flt: ContactFilter, name: str, by: tuple[str, ...] = ()):
    """One table of ``cached_tables`` for the snapshot of ``data`` (``scored_data``)."""
    return cached_tables(*data["key"], flt, ((name, tuple(by)),))[0]


def figures_together(data: dict, flt: ContactFilter, *requests: tuple[str, tuple[str, ...]]) -> tuple:
    """Several tables of ``cached_tables`` computed together (in parallel), in request order."""
    return cached_tables(*data["key"], flt, tuple((name, tuple(by)) for name, by in requests))


def metrics(timed: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """``scoring.metrics`` per group on the already-timed frame, with the group keys as columns."""
    table = metrics_of_timed(timed, by)
    return table.reset_index() if by else table[list(METRIC_COLUMNS)].reset_index(drop=True)
