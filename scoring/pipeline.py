"""One call from the three contract frames to the per-contact frame every view starts from.

``scored_contacts`` = the contacts frame + ``score_contacts`` columns + ``timeliness`` columns.
Dashboards, CLI reports and the contact page call it, then ``scoring.metrics.channel_metrics``
/ ``scoring.consistency.consistency`` / ``scoring.agreement.auditor_bias`` on the result, so
each number has one definition.
"""

from __future__ import annotations

import pandas as pd

from scoring.calendar import BusinessCalendar
from scoring.quality import PassBand, score_contacts
from scoring.timeliness import timeliness

__all__ = ["scored_contacts"]


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
    quality = score_contacts(contacts, answers, criteria, pass_band)
    out = timeliness(contacts, as_of, calendar)
    for column in quality.columns:  # same order as contacts: assign by position, not by label
        out[column] = quality[column].array
    return out
