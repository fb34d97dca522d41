"""Timeliness of each contact against its journey-channel targets, as of a given instant.

Every contact has (from the frame contract) a start, maybe a first response and a
resolution, maybe an explicit deadline ``due_at``, and the targets of its journey on its
channel: ``first_response_target_s`` and ``resolution_target_s``, measured on the business
clock when ``business_hours`` is true, else on the 24/7 clock.

Definitions (docs/scoring.md, "Timeliness"):
    effective first response = first_response_at, else resolved_at (a resolution answers too).
    Events after ``as_of`` have not happened yet as far as the report is concerned.
    first_response_status: 'within' (answered, elapsed <= target), 'late' (answered after the
        target, or unanswered and the target already passed at as_of), 'pending' (unanswered,
        target not yet passed), 'no_target' (no target or no start).
    deadline = due_at, else started_at + resolution_target_s on the contact's clock.
    resolution_status: 'within' (resolved <= deadline), 'late' (resolved after the deadline, or
        unresolved while the deadline < as_of), 'pending' (unresolved, deadline >= as_of),
        'no_target' (no deadline). ``late`` is resolution_status == 'late'.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from scoring.calendar import BusinessCalendar
from scoring.contract import as_of_seconds, epoch_seconds, from_epoch_seconds, require_columns

__all__ = ["STATUSES", "TIMELINESS_COLUMNS", "settled", "timeliness"]

STATUSES = ("within", "late", "pending", "no_target")
TIMELINESS_COLUMNS = (
    "responded", "acknowledged_s", "first_response_s", "first_response_business_s", "response_time_s",
    "response_clock_s", "first_response_status", "resolution_s", "resolution_business_s", "deadline",
    "resolution_status", "late",
)
_NEEDED = ("started_at", "acknowledged_at", "first_response_at", "resolved_at", "due_at",
           "first_response_target_s", "resolution_target_s", "business_hours")


def _status(has_target: np.ndarray, done: np.ndarray, done_in_time: np.ndarray, overdue_now: np.ndarray):
    codes = np.select(
        [~has_target, done & done_in_time, done, overdue_now],
        [3, 0, 1, 1],
        default=2,  # not done, target not passed yet
    )
    return pd.Categorical.from_codes(codes, categories=list(STATUSES))


def timeliness(contacts: pd.DataFrame, as_of, calendar: BusinessCalendar | None = None) -> pd.DataFrame:
    """Add first-response and resolution timing, statuses and deadlines to each contact.

    Args:
        contacts: the contacts frame (needs the timestamp, target and business_hours columns).
        as_of: tz-aware instant of the report; later events are ignored, open contacts are
            censored (response) or pending (resolution) at it.
        calendar: the business-hours clock for contacts whose targets say ``business_hours``;
            defaults to ``BusinessCalendar()`` (09:00–17:00 Mon–Fri, Europe/Amsterdam, NL holidays).

    Returns:
        A copy of ``contacts`` with these columns added (seconds are floats, NaN = not applicable):
        ``responded`` (bool), ``acknowledged_s``, ``first_response_s`` (wall clock),
        ``first_response_business_s``, ``response_time_s`` (wall seconds to the first response,
        or to as_of when unanswered: the Kaplan–Meier duration), ``response_clock_s`` (the same
        on the contact's own clock, compared with its target), ``first_response_status``,
        ``resolution_s``, ``resolution_business_s``, ``deadline`` (UTC timestamp),
        ``resolution_status`` and ``late`` (bool).
    """
    require_columns(contacts, _NEEDED, "contacts")
    calendar = calendar or BusinessCalendar()
    now = as_of_seconds(as_of)
    start = epoch_seconds(contacts["started_at"])

    def happened(column: str) -> np.ndarray:
        t = epoch_seconds(contacts[column])
        return np.where(t <= now, t, np.nan)  # after as_of: not yet happened for this report

    ack = happened("acknowledged_at")
    first = happened("first_response_at")
    resolved = happened("resolved_at")
    due = epoch_seconds(contacts["due_at"])
    business = contacts["business_hours"].fillna(False).to_numpy(dtype=bool)
    fr_target = contacts["first_response_target_s"].to_numpy(dtype=float)
    res_target = contacts["resolution_target_s"].to_numpy(dtype=float)

    response = np.where(np.isnan(first), resolved, first)
    responded = ~np.isnan(response)
    started = ~np.isnan(start) & (start <= now)
    # one business-clock grid for every instant we need (start, response, resolution, as_of)
    c_start, c_response, c_resolved, c_now = calendar.cumulative_seconds(start, response, resolved, np.array([now]))
    bus_response = c_response - c_start
    bus_resolution = c_resolved - c_start
    bus_now = np.where(started, c_now[0] - c_start, np.nan)

    # a shallow copy: pandas copies a column on write (copy-on-write), and only new columns are
    # added here, so the contacts' own columns are shared, not copied (a million rows: 270 MB)
    out = contacts.copy(deep=False)
    out["responded"] = responded
    out["acknowledged_s"] = ack - start
    out["first_response_s"] = response - start
    out["first_response_business_s"] = bus_response
    censor_wall = np.where(started, now - start, np.nan)
    out["response_time_s"] = np.where(responded, response - start, censor_wall)
    clock_now = np.where(business, bus_now, censor_wall)
    clock_response = np.where(business, bus_response, response - start)
    out["response_clock_s"] = np.where(responded, clock_response, clock_now)

    has_fr_target = ~np.isnan(fr_target) & ~np.isnan(start)
    with np.errstate(invalid="ignore"):
        out["first_response_status"] = _status(
            has_fr_target, responded, clock_response <= fr_target, clock_now > fr_target)

    out["resolution_s"] = resolved - start
    out["resolution_business_s"] = bus_resolution
    deadline = due.copy()
    by_target = np.isnan(deadline) & ~np.isnan(res_target) & ~np.isnan(start)
    wall_rows = by_target & ~business
    deadline[wall_rows] = start[wall_rows] + res_target[wall_rows]
    bus_rows = by_target & business
    if bus_rows.any():
        deadline[bus_rows] = calendar.add_seconds(start[bus_rows], res_target[bus_rows], as_epoch=True)
    out["deadline"] = from_epoch_seconds(deadline).array
    is_resolved = ~np.isnan(resolved)
    with np.errstate(invalid="ignore"):
        status = _status(~np.isnan(deadline), is_resolved, resolved <= deadline, deadline < now)
    out["resolution_status"] = status
    out["late"] = np.asarray(status == "late")
    return out


def settled(timed: pd.DataFrame, as_of) -> np.ndarray:
    """Which rows of ``timeliness(contacts, as_of)`` keep every timing column at any later as-of.

    A row is settled when nothing about it can still happen: it started, every event it records
    (acknowledgement, first response, resolution) happened by ``as_of``, it was answered (an open
    contact's waiting time grows) and it was resolved or has no deadline still ahead (an unresolved
    contact turns 'late' when its deadline passes; once passed, it stays late). A frame timed at
    ``as_of`` is brought to a later instant by re-timing only its unsettled rows
    (``scoring.pipeline.retimed_dashboard_frame``)."""
    now = as_of_seconds(as_of)

    def done(column: str) -> np.ndarray:  # no such event, or it happened by as_of
        t = epoch_seconds(timed[column])
        return np.isnan(t) | (t <= now)

    start = epoch_seconds(timed["started_at"])
    resolved = ~np.isnan(epoch_seconds(timed["resolved_at"]))
    deadline = epoch_seconds(timed["deadline"])
    with np.errstate(invalid="ignore"):
        fixed_resolution = resolved | np.isnan(deadline) | (deadline < now)
        return ((start <= now) & done("acknowledged_at") & done("first_response_at") & done("resolved_at")
                & timed["responded"].to_numpy(dtype=bool) & fixed_resolution)
