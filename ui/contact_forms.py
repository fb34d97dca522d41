"""Widgets for logging a contact: local date-time input, the stopwatch, the checklist form,
the form that corrects a contact's times, and the typed-input record that is autosaved so
nothing typed is lost.

Auditors type and read local time (``journeys.local_time.LOCAL_ZONE``); the services
get timezone-aware UTC. ``times_correction_form`` starts from the exact stored times, to the
second, each time they change (the stopwatch, another session, a save), hands the service only
what was changed, and says "Nothing changed" when nothing was.

Every label is in the user's language (``journeys.language``); the checklist's options are
stored as their English words (``YES``, ``NO``, ``NA``: a widget's value must stay the same when
the user switches language) and shown translated (``option_text``).
"""

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta

import streamlit as st

from journeys.fieldwork.contacts import AnswerIn
from journeys.language import N_, _
from journeys.local_time import LOCAL_ZONE, LocalTimeError, duration, to_local, to_utc
from journeys.models import Contact, Criterion, CriterionKind
from journeys.wording import ANSWER_LABELS, field_label
from ui.actions import show_problems
from ui.text import as_plain_text

LOG_PAGE = "pages/contact_log.py"
OPEN_KEY = "log_contact_id"  # session key: the contact the log page shows
YES, NO, NA = ANSWER_LABELS["yes"], ANSWER_LABELS["no"], ANSWER_LABELS["na"]  # the checklist's options
_OPTION_WORDS = (N_("Yes"), N_("No"), N_("N/A"))  # their words, for the catalog
# The contact fields of the assessment next to the checklist (autosaved with it).
ASSESSMENT_FIELDS = ("answer_text", "answer_correct", "redirected_to_channel_id", "transfers", "notes")
# An autosave waits at most this long for the write lock (milliseconds); the next change retries.
AUTOSAVE_BUSY_TIMEOUT_MS = 1_000


def datetime_input(label: str, value: datetime | None, key: str, *, optional: bool = True,
                   problems: list[str] | None = None) -> datetime | None:
    """A date and a time field (local time) that together give a UTC instant, or None when empty.

    Left as shown, the fields give ``value`` back exactly (its seconds, and which of the two
    02:30s of an autumn night it was), so saving untouched fields changes nothing. A changed
    time that the clock change makes ambiguous or skips is refused as an import refuses it
    (``journeys.local_time``): the reason goes to ``problems`` (or on screen) and ``value`` stays.
    """
    local = to_local(value)
    shown_time = local.time().replace(second=0, microsecond=0) if local else None
    left, right = st.columns([3, 2])
    day = left.date_input(_("{field} — date").format(field=label), value=local.date() if local else None,
                          key=f"{key}_d", format="YYYY-MM-DD")
    clock = right.time_input(_("{field} — time").format(field=label), value=shown_time, key=f"{key}_t",
                             step=timedelta(minutes=1))
    return _moment(label, value, (local.date(), shown_time) if local else None, day, clock, problems)


def _moment(label: str, value: datetime | None, shown: tuple[date, time] | None, day: date | None,
            clock: time | None, problems: list[str] | None) -> datetime | None:
    """The instant a date and a time field give: ``value`` itself while they still show
    ``shown`` (what they were filled with), None when the date is empty; a local time that the
    clock change makes ambiguous or skips is refused, its reason in ``problems`` (or on screen)."""
    if day is None:
        return None
    if shown is not None and (day, clock or time(0)) == shown:
        return value
    try:
        return to_utc(datetime.combine(day, clock or time(0)), LOCAL_ZONE)
    except LocalTimeError as problem:
        typed = clock or time(0)
        reason = f"{label}: {day} {typed:%H:%M:%S}" if typed.second else f"{label}: {day} {typed:%H:%M}"
        reason += f" {problem}"
        if problems is None:
            st.error(as_plain_text(reason), icon=":material/schedule:")
        else:
            problems.append(reason)
        return value


# The times form's fields and the keys of their widgets (a moment has "<key>_d" and "<key>_t").
TIMES_FORM_MOMENTS = {"started_at": "t_start", "acknowledged_at": "t_ack", "first_response_at": "t_first",
                      "resolved_at": "t_res"}
TIMES_FORM_SECONDS = {"wait_seconds": "t_wait", "handling_seconds": "t_hand"}
_TIMES_SEED_KEY = "t_seed"  # session key: what the times form's widgets were last filled with
TIMES_OPEN_KEY = "t_open"  # session key: the times form's expander is open


def _local_fields(value: datetime | None) -> tuple[date, time] | None:
    """A stored time as the form's date and time fields show it: local, to the whole second."""
    local = to_local(value)
    return None if local is None else (local.date(), local.time().replace(microsecond=0))


def _fill_times_form(contact: Contact) -> None:
    """Fill the times form's widgets with the contact's stored times, whenever those differ from
    what they were filled with (a keyed widget keeps its value when the stored time changes
    under it, and would otherwise save that stale value back)."""
    stored = (contact.id, *(getattr(contact, f) for f in (*TIMES_FORM_MOMENTS, *TIMES_FORM_SECONDS)))
    keys = [f"{k}_{part}" for k in TIMES_FORM_MOMENTS.values() for part in "dt"] + list(TIMES_FORM_SECONDS.values())
    if st.session_state.get(_TIMES_SEED_KEY) == stored and all(k in st.session_state for k in keys):
        return  # what the user typed stays
    for field, key in TIMES_FORM_MOMENTS.items():
        day, clock = _local_fields(getattr(contact, field)) or (None, None)
        st.session_state[f"{key}_d"], st.session_state[f"{key}_t"] = day, clock
    for field, key in TIMES_FORM_SECONDS.items():
        seconds = getattr(contact, field)
        st.session_state[key] = None if seconds is None else float(seconds)
    st.session_state[_TIMES_SEED_KEY] = stored


def times_correction_form(contact: Contact, *, save: Callable[[dict], object]) -> None:
    """"Correct the times by hand": the contact's times in local time, to the second, and its
    wait and handling seconds, each starting from the exact stored value.

    "Save times" calls ``save`` with only the fields changed (field → new value, UTC); a field
    left as shown is not among them, so nothing changed reads "Nothing changed" and writes
    nothing. A local time that a clock change makes ambiguous or skips is refused before
    ``save`` is called, naming the field."""
    _fill_times_form(contact)
    # open or closed kept server-side: a rerun that drops an element above it (a notice shown once)
    # would otherwise fold it shut and hide "Nothing changed" or a refusal under its title
    with (st.expander(_("Correct the times by hand"), icon=":material/edit_calendar:", key=TIMES_OPEN_KEY,
                      on_change="rerun"),
          st.form("times")):
        problems: list[str] = []
        typed: dict[str, object] = {}
        for field, key in TIMES_FORM_MOMENTS.items():
            label = field_label(field)
            left, right = st.columns([3, 2])
            # value=None: the widgets start from the session state filled above
            day = left.date_input(_("{field} — date").format(field=label), value=None, key=f"{key}_d",
                                  format="YYYY-MM-DD")
            clock = right.time_input(_("{field} — time").format(field=label), value=None, key=f"{key}_t", step=1,
                                     help=_("Local time, to the second (HH:MM:SS)"))
            stored = getattr(contact, field)
            typed[field] = _moment(label, stored, _local_fields(stored), day, clock, problems)
        columns = st.columns(len(TIMES_FORM_SECONDS))
        for column, (field, key) in zip(columns, TIMES_FORM_SECONDS.items(), strict=True):
            typed[field] = column.number_input(_("{field} (seconds)").format(field=field_label(field)), value=None,
                                               step=1.0, key=key)
        if not st.form_submit_button(_("Save times")):
            return
        changes = {field: value for field, value in typed.items() if value != getattr(contact, field)}
        if problems:
            show_problems(_("Not saved:"), problems, icon=":material/schedule:")
        elif not changes:
            st.info(_("Nothing changed: the times are as saved."), icon=":material/check:")
        else:
            save(changes)


def elapsed_text(since: datetime, until: datetime | None = None) -> str:
    end = until or datetime.now(UTC)
    return duration((end - since).total_seconds())


def option_text(option: str) -> str:
    """A checklist option as the user reads it: Yes, No and N/A in their language, a scale's point as it is."""
    return _(option) if option in (YES, NO, NA) else option


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
            flags.append(_("bonus"))
        if criterion.critical_policy != "none":
            flags.append(_("critical"))
        label = f"{as_plain_text(criterion.code)} · {as_plain_text(criterion.text)}" + (
            f" ({', '.join(flags)})" if flags else "")
        if criterion.kind == CriterionKind.SCALE:
            lo, hi = int(criterion.scale_min), int(criterion.scale_max)
            options = [str(v) for v in range(lo, hi + 1)] + ([NA] if criterion.na_allowed else [])
            current = NA if is_na else (str(int(value)) if value is not None else None)
        else:
            options = [YES, NO] + ([NA] if criterion.na_allowed else [])
            current = NA if is_na else ({1.0: YES, 0.0: NO}.get(value) if value is not None else None)
        choice = st.segmented_control(label, options, default=current, key=f"{key}_c{criterion.id}",
                                      format_func=option_text)
        note = st.text_input(_("Comment"), value=comment, key=f"{key}_n{criterion.id}", label_visibility="collapsed",
                             placeholder=_("Comment on {code} (optional)").format(code=criterion.code))
        if choice is None:
            answers.append(AnswerIn(criterion.id, None, False, note))
        elif choice == NA:
            answers.append(AnswerIn(criterion.id, None, True, note))
        elif choice in (YES, NO):
            answers.append(AnswerIn(criterion.id, 1.0 if choice == YES else 0.0, False, note))
        else:
            answers.append(AnswerIn(criterion.id, float(choice), False, note))
    return answers


def typed_input(answers: list[AnswerIn], fields: dict) -> dict:
    """The assessment as typed, as plain JSON values: what the autosave keeps and compares."""
    return {"answers": {str(a.criterion_id): [a.value, bool(a.is_na), a.comment or ""] for a in answers},
            "fields": {name: fields.get(name) for name in ASSESSMENT_FIELDS}}


def saved_input(criteria: list[Criterion], saved: dict[int, tuple], contact) -> dict:
    """``typed_input`` of what is saved: the widgets show exactly this when nothing was typed."""
    return typed_input([AnswerIn(c.id, *saved.get(c.id, (None, False, ""))) for c in criteria],
                       {name: getattr(contact, name) for name in ASSESSMENT_FIELDS})


def assessment_input(saved: dict[int, tuple], contact, pending: dict | None = None) -> tuple[dict[int, tuple], dict]:
    """The values the assessment widgets start from: the saved answers and fields, overlaid by
    the ``pending`` typed input (from ``typed_input``) of this user, if any."""
    answers = dict(saved)
    fields = {name: getattr(contact, name) for name in ASSESSMENT_FIELDS}
    if pending:
        for criterion_id, (value, is_na, comment) in (pending.get("answers") or {}).items():
            answers[int(criterion_id)] = (value, bool(is_na), comment or "")
        fields.update({k: v for k, v in (pending.get("fields") or {}).items() if k in ASSESSMENT_FIELDS})
    return answers, fields


# Every id column is an INTEGER: PostgreSQL's holds at most 2**31 - 1, and a larger number would
# overflow the query (SQLite: "Python int too large to convert") instead of finding nothing.
MAX_CONTACT_ID = 2**31 - 1
_CONTACT_ID = re.compile(r"[0-9]{1,10}")


def parse_contact_id(value: object) -> int | None:
    """The contact id in ``?contact=...`` (or the session), or None when it is not one.

    Only plain ASCII digits from 1 to ``MAX_CONTACT_ID`` are: ``abc``, ``1e3``, ``4.0``, ``-1``
    and a 20-digit number are not contact numbers.
    """
    text = str(value).strip()
    if not _CONTACT_ID.fullmatch(text):
        return None
    number = int(text)
    return number if 1 <= number <= MAX_CONTACT_ID else None
