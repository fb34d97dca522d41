"""One call from the three contract frames to the per-contact frame every view starts from.

``scored_contacts`` = the contacts frame + ``score_contacts`` columns + ``timeliness`` columns;
``with_quality`` the same from score columns already computed (the stored ones).
The dashboards, the brand report and ``klantreis report`` all build their frame with it, then
call the figure functions (``scoring.metrics.metrics_table``, ``scoring.headline.headline_figures``,
``scoring.consistency.consistency_table``, ...) on the result, so each number has one definition.

``dashboard_frame`` lays the same rows out for the dashboards' in-memory filtering (local
weekday and hour, categorical keys, ordered by waiting time); it changes no figure.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from scoring.calendar import BUSINESS_TIMEZONE, BusinessCalendar
from scoring.quality import PassBand, score_contacts
from scoring.timeliness import timeliness

__all__ = ["dashboard_frame", "scored_contacts", "with_quality"]

_CATEGORY_COLUMNS = ("brand", "channel", "journey", "wave", "region", "location")


def scored_contacts(
    contacts: pd.DataFrame,
    answers: pd.DataFrame,
    criteria: pd.DataFrame,
    as_of,
    pass_band: PassBand = PassBand(),
    calendar: BusinessCalendar | None = None,
) -> pd.DataFrame:
    """Contacts with their quality score and timing, row for row.

    Args:
        contacts, answers, criteria: the contract frames (docs/scoring.md).
        as_of: tz-aware instant of the report.
        pass_band: pass and good marks for the quality score.
        calendar: business-hours clock for business-hours targets.

    Returns:
        A copy of ``contacts`` (same index and order) with the ``QUALITY_COLUMNS`` of
        ``score_contacts`` and the ``TIMELINESS_COLUMNS`` of ``timeliness`` added.
    """
    return with_quality(contacts, score_contacts(contacts, answers, criteria, pass_band), as_of, calendar)


def with_quality(contacts: pd.DataFrame, quality: pd.DataFrame, as_of,
                 calendar: BusinessCalendar | None = None) -> pd.DataFrame:
    """``scored_contacts`` from a quality frame already computed (``score_contacts``' columns, row
    for row with ``contacts``; e.g. the stored scores, ``journeys.fieldwork.scores.stored_quality``).

    Returns a copy of ``contacts`` with the ``TIMELINESS_COLUMNS`` of ``timeliness`` and the
    columns of ``quality`` (replacing any of the same name), in that order.
    """
    if len(quality) != len(contacts):
        raise ValueError("quality: one row per contact, in the contacts' order")
    out = timeliness(contacts.drop(columns=[c for c in quality.columns if c in contacts]), as_of, calendar)
    for column in quality.columns:  # same order as contacts: assign by position, not by label
        out[column] = quality[column].array
    return out


def dashboard_frame(scored: pd.DataFrame, timezone: str = BUSINESS_TIMEZONE) -> pd.DataFrame:
    """The rows of ``scored_contacts`` laid out for filtering in memory; every figure stays the same.

    Adds ``weekday`` (0 = Monday) and ``hour`` of the start in ``timezone`` and ``row`` (the
    row's position, which ``criterion_channel.item_scores`` refers to); makes the group keys
    categorical (fast ``isin``/``groupby`` at a million rows; ``region`` too where the frame has it) and orders the rows by
    ``response_time_s`` (unknown last): every subset is then in that order too, so the
    Kaplan–Meier tables (``stats.km_table``) skip their sort.
    """
    local = scored["started_at"].dt.tz_convert(timezone)
    # categories before the sort: reordering integer codes is far cheaper than reordering strings
    frame = scored.assign(weekday=local.dt.day_of_week.astype("int8"), hour=local.dt.hour.astype("int8"),
                          **{column: scored[column].astype("category") for column in _CATEGORY_COLUMNS
                             if column in scored})
    frame = frame.sort_values("response_time_s", kind="stable", na_position="last", ignore_index=True)
    frame["row"] = np.arange(len(frame), dtype=np.int64)
    return frame
