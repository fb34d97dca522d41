"""The appeal figures: how often clients dispute results, and how often a dispute changes one.

Definitions (docs/scoring.md, "Appeals"), per group of released contacts (e.g. wave × brand):

    contacts            released contacts in the group (the denominator of both shares)
    appealed            contacts with at least one appeal (any status)
    appealed_share      appealed / contacts
    answers_changed     upheld appeals of a checklist answer (each changed one answer)
    timings_changed     upheld appeals of the timing
    changed             contacts with at least one upheld appeal
    changed_share       changed / contacts

A share whose denominator is zero is NaN, never 0 (a group only exists with a contact, so this
happens only for an empty frame, which gives an empty table). Appeals of contacts not in
``contacts`` (unreleased, filtered out, outside a client's scope) are not counted.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from scoring.contract import require_columns

__all__ = ["APPEAL_COUNT_COLUMNS", "APPEAL_RATE_COLUMNS", "appeal_rates"]

# One row per contact with an appeal (``journeys.review.appeals.changed_on_appeal``).
APPEAL_COUNT_COLUMNS = ("contact_id", "appeals", "answers_changed", "timings_changed")
APPEAL_RATE_COLUMNS = ("contacts", "appealed", "appealed_share", "answers_changed", "timings_changed", "changed",
                       "changed_share")


def appeal_rates(contacts: pd.DataFrame, appeals: pd.DataFrame,
                 by: Sequence[str] = ("wave", "brand")) -> pd.DataFrame:
    """The appeal figures per group of ``by``, with their n.

    Args:
        contacts: one row per contact with ``contact_id`` and the ``by`` columns; when it has a
            ``released`` column, only its True rows count (the frames of ``read_contacts``).
        appeals: per contact with an appeal, ``APPEAL_COUNT_COLUMNS``.
        by: the group columns; a missing value (a contact of no wave) is a group of its own.

    Returns:
        One row per group (the ``by`` columns, then ``APPEAL_RATE_COLUMNS``), sorted by the groups.
    """
    by = list(by)
    require_columns(contacts, ["contact_id", *by], "contacts")
    require_columns(appeals, APPEAL_COUNT_COLUMNS, "appeals")
    frame = contacts[["contact_id", *by]]
    if "released" in contacts.columns:
        frame = frame[contacts["released"].to_numpy(dtype=bool)]
    counts = appeals.groupby("contact_id")[["appeals", "answers_changed", "timings_changed"]].sum()
    joined = frame.join(counts, on="contact_id")
    for column in ("appeals", "answers_changed", "timings_changed"):
        joined[column] = joined[column].fillna(0).astype("int64")
    joined = joined.assign(
        appealed=(joined["appeals"] > 0).astype("int64"),
        changed=((joined["answers_changed"] + joined["timings_changed"]) > 0).astype("int64"))
    if not by:
        joined = joined.assign(_all=0)
        keys = ["_all"]
    else:
        keys = by
    # group keys as objects: a categorical key would add every unused category as an empty group
    joined = joined.astype({key: object for key in keys})
    table = (joined.groupby(keys, dropna=False, sort=True)
             .agg(contacts=("contact_id", "size"), appealed=("appealed", "sum"),
                  answers_changed=("answers_changed", "sum"), timings_changed=("timings_changed", "sum"),
                  changed=("changed", "sum"))
             .reset_index())
    if not by:
        table = table.drop(columns="_all")
    with np.errstate(divide="ignore", invalid="ignore"):
        denominator = table["contacts"].to_numpy(dtype=float)
        table["appealed_share"] = np.where(denominator > 0, table["appealed"] / np.where(denominator > 0, denominator, 1),
                                           np.nan)
        table["changed_share"] = np.where(denominator > 0, table["changed"] / np.where(denominator > 0, denominator, 1),
                                          np.nan)
    return table[[*by, *APPEAL_RATE_COLUMNS]]
