"""One call from the three contract frames to the per-contact frame every view starts from.

``scored_contacts`` = the contacts frame + ``score_contacts`` columns + ``timeliness`` columns;
``with_quality`` the same from score columns already computed (the stored ones).
The dashboards, the brand report and ``klantreis report`` all build their frame with it, then
call the figure functions (``scoring.metrics.metrics_table``, ``scoring.headline.headline_figures``,
``scoring.consistency.consistency_table``, ...) on the result, so each number has one definition.

``dashboard_frame`` lays the same rows out for the dashboards' in-memory filtering (local
weekday and hour, categorical keys, the contacts' own columns shared, not copied); it changes no figure.
``retimed_dashboard_frame`` brings such a frame to a later instant and a few changed contacts by
redoing only their rows and the unsettled ones (``scoring.timeliness.settled``): equal to a
``dashboard_frame`` of every contact built anew.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from scoring.calendar import BUSINESS_TIMEZONE, BusinessCalendar
from scoring.quality import QUALITY_COLUMNS, PassBand, score_contacts
from scoring.timeliness import TIMELINESS_COLUMNS, settled, timeliness

__all__ = ["dashboard_frame", "retimed_dashboard_frame", "scored_contacts", "unsettled_ids", "with_quality"]

_CATEGORY_COLUMNS = ("brand", "channel", "journey", "wave", "region", "location")
# The columns a dashboard frame makes (every other one is the contacts' own column, as given).
_MADE_COLUMNS = frozenset({*TIMELINESS_COLUMNS, *QUALITY_COLUMNS, *_CATEGORY_COLUMNS, "weekday", "hour", "row"})


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
    row's position, which ``criterion_channel.item_scores`` refers to) and makes the group keys
    categorical (fast ``isin``/``groupby`` at a million rows; ``region`` too where the frame has it).
    The rows stay in the order given and every other column is the very column of ``scored``:
    pandas copies a column only when it is written (copy-on-write), so the dashboards' frame
    shares the contacts' columns with the raw frame it was built from instead of holding a second
    copy of them (a million contacts: a quarter of a gigabyte), and ``retimed_dashboard_frame``
    redoes only the columns made here.
    """
    local = scored["started_at"].dt.tz_convert(timezone)
    frame = scored.assign(weekday=local.dt.day_of_week.astype("int8"), hour=local.dt.hour.astype("int8"),
                          **{column: _categorical(scored[column]) for column in _CATEGORY_COLUMNS if column in scored})
    if not frame.index.equals(pd.RangeIndex(len(frame))):
        frame = frame.reset_index(drop=True)
    frame["row"] = np.arange(len(frame), dtype=np.int64)
    return frame


def _categorical(values: pd.Series) -> pd.Series:
    """``values.astype("category")``, made by factorizing the objects themselves: astype first
    copies a text column into pandas' string type to find the categories (the six group keys of a
    million contacts: 0.38–0.44 s that way, 0.19–0.22 s factorized)."""
    if values.dtype != object:
        return values.astype("category")
    codes, uniques = pd.factorize(values.to_numpy(), sort=True)  # missing: code -1, as astype gives
    return pd.Series(pd.Categorical.from_codes(codes, categories=pd.Index(uniques)), index=values.index,
                     name=values.name)


def unsettled_ids(frame: pd.DataFrame, as_of) -> np.ndarray:
    """The contact ids of a frame timed at ``as_of`` whose timing can still change
    (``scoring.timeliness.settled``), in the frame's order."""
    return frame["contact_id"].to_numpy()[~settled(frame, as_of)]


def retimed_dashboard_frame(previous: pd.DataFrame, contacts: pd.DataFrame, redone: pd.DataFrame,
                            replaced: np.ndarray) -> pd.DataFrame:
    """``previous`` (a ``dashboard_frame`` of earlier rows) brought to ``contacts`` (the contact
    rows now, in contact-id order, as ``previous`` was built from the rows then) and a later
    instant: the same frame, row for row, as ``dashboard_frame`` of every row of ``contacts``
    timed at that instant, provided ``replaced`` holds every changed, added or deleted contact and
    every row of ``previous`` that was not settled (``unsettled_ids``) at its own instant, and
    ``redone`` is the ``dashboard_frame`` of the rows of ``contacts`` in ``replaced``, timed at the
    new instant.

    The contacts' own columns are those of ``contacts`` (shared, not copied); only the columns
    ``dashboard_frame`` and the scoring make (``_MADE_COLUMNS``) are gathered from ``previous`` for
    the contacts kept and from ``redone`` for the others. The categories are those of the rows
    present, sorted, as ``astype("category")`` makes them."""
    ids = contacts["contact_id"].to_numpy()
    is_new = np.isin(ids, replaced)
    new_at, kept_at = np.flatnonzero(is_new), np.flatnonzero(~is_new)
    previous_ids = previous["contact_id"].to_numpy()
    # a kept contact was not changed, so it is in previous, at its place in contact-id order
    source = np.minimum(np.searchsorted(previous_ids, ids[kept_at]), max(len(previous) - 1, 0))
    if not (np.array_equal(previous_ids[source], ids[kept_at]) if len(previous) else not len(kept_at)):
        raise ValueError("contacts: every contact not in replaced must be a row of previous, in contact-id order")
    if not np.array_equal(redone["contact_id"].to_numpy(), ids[new_at]):
        raise ValueError("redone: the rows of contacts in replaced, in their order")
    made = [column for column in previous.columns if column in _MADE_COLUMNS or column not in contacts]
    categories = {column: previous[column].cat.categories.union(redone[column].cat.categories)  # sorted, as astype sorts
                  for column in _CATEGORY_COLUMNS if column in previous}

    def recoded(part: pd.DataFrame) -> pd.DataFrame:
        wider = {column: part[column].cat.set_categories(values) for column, values in categories.items()
                 if not part[column].cat.categories.equals(values)}
        return part.assign(**wider) if wider else part

    no_values = {column: redone[column].cat.categories[:0] for column in categories}  # of the column's own type
    redone = recoded(redone[made])
    # where each row's made columns come from: its row of previous, or (past its end) of redone.
    # Gathered in one take, the redone rows then written over their places.
    if len(kept_at) == 0:
        columns = redone.reset_index(drop=True)
    else:
        whence = np.zeros(len(ids), dtype=np.int64)
        whence[kept_at] = source
        columns = recoded(previous[made]).take(whence).reset_index(drop=True)
        for position, column in enumerate(made):
            if len(new_at):
                columns.iloc[new_at, position] = redone[column].array
    for column in categories:  # a value no row has any more (a contact moved elsewhere) goes
        values = columns[column]
        codes = values.cat.codes.to_numpy()
        if np.bincount(codes[codes >= 0], minlength=len(categories[column])).all():
            continue  # every value still in use (counting codes is far cheaper than a unique)
        values = values.cat.remove_unused_categories()
        if values.cat.categories.empty:  # no value left: what astype gives a column without values
            values = values.cat.set_categories(no_values[column])
        columns[column] = values
    columns["row"] = np.arange(len(columns), dtype=np.int64)
    frame = contacts.reset_index(drop=True).assign(**{column: columns[column] for column in made})
    return frame[list(previous.columns)]
