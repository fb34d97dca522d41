"""Widgets for logging a contact: local date-time input, the stopwatch, the checklist form.

Auditors type and read Amsterdam time; the services get timezone-aware UTC.
"""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import streamlit as st

from journeys.contact_service import AnswerIn
from journeys.models import Criterion, CriterionKind
from ui.dashboard_view import duration
from ui.text import as_plain_text

LOCAL = ZoneInfo("Europe/Amsterdam")
LOG_PAGE = "pages/contact_log.py"
OPEN_KEY = "log_contact_id"  # session key: the contact the log page shows
YES, NO, NA = "Yes", "No", "N/A"


def to_local(ts: datetime | None) -> datetime | None:
    return None if ts is None else ts.astimezone(LOCAL)


def local_text(ts: datetime | None) -> str:
    return "–" if ts is None else to_local(ts).strftime("%a %d %b %H:%M:%S")


def datetime_input(label: str, value: datetime | None, key: str, *, optional: bool = True) -> datetime | None:
    """A date and a time field (Amsterdam time) that together give a UTC instant, or None when empty."""
    local = to_local(value)
    left, right = st.columns([3, 2])
    day = left.date_input(f"{label} — date", value=local.date() if local else None, key=f"{key}_d",
                          format="YYYY-MM-DD")
    clock = right.time_input(f"{label} — time", value=local.time().replace(microsecond=0) if local else None,
                             key=f"{key}_t", step=timedelta(minutes=1))
    if day is None:
        return None
    return datetime.combine(day, clock or time(0), tzinfo=LOCAL).astimezone(UTC)


def elapsed_text(since: datetime, until: datetime | None = None) -> str:
    end = until or datetime.now(UTC)
    return duration((end - since).total_seconds())


def checklist_inputs(criteria: list[Criterion], saved: dict[int, tuple], key: str) -> list[AnswerIn]:
    """One input per applicable criterion (yes/no/N-A or a scale), grouped by section."""
    answers: list[AnswerIn] = []
    section = None
    for criterion in criteria:
        if criterion.section != section:
            section = criterion.section
            st.markdown(f"**{as_plain_text(section)}**")
        value, is_na, comment = saved.get(criterion.id, (None, False, ""))
        flags = []
        if criterion.bonus:
            flags.append("bonus")
        if criterion.critical_policy != "none":
            flags.append("critical")
        label = f"{as_plain_text(criterion.code)} · {as_plain_text(criterion.text)}" + (
            f" ({', '.join(flags)})" if flags else "")
        if criterion.kind == CriterionKind.SCALE:
            lo, hi = int(criterion.scale_min), int(criterion.scale_max)
            options = [str(v) for v in range(lo, hi + 1)] + ([NA] if criterion.na_allowed else [])
            current = NA if is_na else (str(int(value)) if value is not None else None)
        else:
            options = [YES, NO] + ([NA] if criterion.na_allowed else [])
            current = NA if is_na else ({1.0: YES, 0.0: NO}.get(value) if value is not None else None)
        choice = st.segmented_control(label, options, default=current, key=f"{key}_c{criterion.id}")
        note = st.text_input("Comment", value=comment, key=f"{key}_n{criterion.id}", label_visibility="collapsed",
                             placeholder=f"Comment on {criterion.code} (optional)")
        if choice is None:
            answers.append(AnswerIn(criterion.id, None, False, note))
        elif choice == NA:
            answers.append(AnswerIn(criterion.id, None, True, note))
        elif choice in (YES, NO):
            answers.append(AnswerIn(criterion.id, 1.0 if choice == YES else 0.0, False, note))
        else:
            answers.append(AnswerIn(criterion.id, float(choice), False, note))
    return answers
