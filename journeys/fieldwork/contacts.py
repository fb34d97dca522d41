"""Logging mystery contacts: start, time, assess, correct — with validation and a change log.

The auditor's day in service calls::

    contact = start_contact(session=s, actor=me, start=ContactStart(...))   # sent / walked in
    record_event(session=s, actor=me, contact_id=..., event="first_response")  # stopwatch "now"
    save_contact(session=s, actor=me, contact_id=..., changes={...}, answers=[...], complete=True)

An assessment can also be saved unfinished (``draft=True``): a draft keeps its answers and is
shown to its auditor as "Draft, 3 of 8 items answered", but ``journeys.fieldwork.frames`` leaves it out of
every score, count, report and export until it is saved complete. What the auditor types and has
not saved yet is kept too (``keep_pending_input``), per contact and user, so a reload, a page
switch or a save refused because the database is busy loses nothing.

Live channels (store, phone, chat) use the database row as the stopwatch: ``started_at`` when
the auditor starts waiting, ``first_response_at`` when someone picks up, ``resolved_at`` when
the conversation ends; wait and handling seconds follow from those server-side timestamps, so
the watch survives reruns, page switches and reloads. Asynchronous channels (e-mail, social,
messaging) record "sent" and come back later for the acknowledgement, first response and
resolution. A contact never answered stays open and counts as unanswered in every report.

Every call runs inside the caller's transaction (``data.db.session_scope``): the contact and its
answers are written together or not at all. Changes after the first save are written to the
change log field by field (old → new); a field given its stored value again is no change (its
exact value is compared, to the microsecond), so a save that changes nothing writes nothing.

A refusal names each field by its name on screen (``journeys.wording.field_label``) and shows a
time as the forms take it, in local time (``journeys.local_time``): "First response: is before
the start of the contact, 2026-12-01 19:45 (got '2026-12-01 19:40')".
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, select

from journeys.accounts.access import (
    ensure_can_edit_contact,
    ensure_can_log_contact_for,
    ensure_can_read_contact,
    ensure_can_remove_evidence,
)
from journeys.catalogue.journeys import current_version
from journeys.errors import NotFoundError, Problem, ValidationError
from journeys.fieldwork.evidence import (  # noqa: F401  - the limits and the sniffer are part of this module's API
    ALLOWED_EVIDENCE,
    MAX_EVIDENCE_BYTES,
    MAX_EVIDENCE_MB,
    MAX_EVIDENCE_PIXELS,
    inspect_evidence,
    sniff_media_type,
)
from journeys.fieldwork.frames import ContactFilter, read_contacts
from journeys.fieldwork.scores import store_scores
from journeys.fieldwork.waves import ensure_wave_open
from journeys.language import _, ngettext, number
from journeys.limits import MAX_INTEGER, is_finite, shown, text_problem, timestamp_problem
from journeys.local_time import MINUTE, local_text
from journeys.models import (
    Answer,
    ChangeLog,
    Channel,
    ChannelKind,
    Contact,
    Criterion,
    CriterionChannel,
    CriterionKind,
    Evidence,
    Journey,
    JourneyChannel,
    JourneyStatus,
    Location,
    PendingInput,
    utcnow,
)
from journeys.wording import field_label
from scoring.timeliness import timeliness

TIMESTAMP_FIELDS = ("started_at", "acknowledged_at", "first_response_at", "resolved_at", "due_at")
EDITABLE_FIELDS = TIMESTAMP_FIELDS + (
    "wait_seconds", "handling_seconds", "transfers", "redirected_to_channel_id", "answer_text", "answer_correct",
    "notes", "wave_id", "location_id",
)
EVENTS = ("acknowledged", "first_response", "resolved")
# Small clock differences between devices should not make "now" a time in the future.
FUTURE_TOLERANCE = timedelta(minutes=2)

# Typed-but-unsaved input is stored as it is; a bound keeps a misbehaving client from filling the database.
MAX_PENDING_INPUT_CHARS = 1_000_000

@dataclass
class ContactStart:
    """What an auditor chooses to start a contact."""

    journey_id: int
    brand_id: int
    channel_id: int
    location_id: int | None = None
    wave_id: int | None = None
    started_at: datetime | None = None  # None: now


@dataclass
class AnswerIn:
    """One checklist answer: a value (1/0 for yes/no, a number on a scale) or N/A."""

    criterion_id: int
    value: float | None = None
    is_na: bool = False
    comment: str = ""


# The queries every click runs, built once: building a statement and its cache key costs more
# Python time than SQLite takes to run it, and 16 auditors click in one server process.
_CONTACT_WITH_CHANNEL = (select(Contact, Channel).join(Channel, Channel.id == Contact.channel_id)
                         .where(Contact.id == sa.bindparam("contact_id")))
_CRITERIA_WITH_CHANNELS = (
    select(Criterion, CriterionChannel.channel_id)
    .outerjoin(CriterionChannel, CriterionChannel.criterion_id == Criterion.id)
    .where(Criterion.version_id == sa.bindparam("version_id"))
    .order_by(Criterion.position, Criterion.id))
_ANSWERS_OF_CONTACT = select(Answer).where(Answer.contact_id == sa.bindparam("contact_id"))
_UPDATE_CONTACT = sa.update(Contact.__table__).where(Contact.__table__.c.id == sa.bindparam("b_contact_id"))
_UPDATE_ANSWER = sa.update(Answer.__table__).where(
    Answer.__table__.c.contact_id == sa.bindparam("b_contact_id"),
    Answer.__table__.c.criterion_id == sa.bindparam("b_criterion_id"))
_CHANNEL_OF_JOURNEY = (select(Channel).join(JourneyChannel, JourneyChannel.channel_id == Channel.id)
                       .where(JourneyChannel.journey_id == sa.bindparam("journey_id"),
                              Channel.id == sa.bindparam("channel_id")))


def _load_with_channel(session: Session, contact_id: int) -> tuple[Contact, Channel]:
    # The contact and its channel in one query: every click on the logging page starts here.
    row = session.exec(_CONTACT_WITH_CHANNEL, params={"contact_id": contact_id}).first()
    if row is None:
        raise NotFoundError(_("Contact {id} does not exist.").format(id=contact_id))
    return row[0], row[1]


def _load(session: Session, contact_id: int) -> Contact:
    return _load_with_channel(session, contact_id)[0]


def channel_of(session: Session, contact: Contact) -> Channel:
    return session.get(Channel, contact.channel_id)


def applicable_criteria(session: Session, contact: Contact) -> list[Criterion]:
    """The criteria of the contact's checklist version that apply on its channel, in order."""
    # One query (criteria with their channel restrictions) instead of two: this runs on every save.
    rows = session.exec(_CRITERIA_WITH_CHANNELS, params={"version_id": contact.checklist_version_id}).all()
    criteria: dict[int, Criterion] = {}
    restricted: dict[int, set[int]] = {}
    for criterion, channel_id in rows:
        criteria.setdefault(criterion.id, criterion)
        if channel_id is not None:
            restricted.setdefault(criterion.id, set()).add(channel_id)
    return [c for c in criteria.values() if c.id not in restricted or contact.channel_id in restricted[c.id]]


def _problem(field: str, value: object, message: str) -> Problem:
    """A problem with a contact field, named on screen by its label (``field`` stays the code)."""
    return Problem(field, value, message, label=field_label(field))


def typed_time(value: datetime) -> str:
    """A time as a person types it into the contact forms: local, "2026-12-01 19:40", with its
    seconds when it has any ("2026-12-01 19:40:26"). A time outside the range the app stores (year
    1, year 9999: refused anyway) is shown in ISO form with its offset, as local time has no
    meaning there (or overflows)."""
    if timestamp_problem(value):
        return value.isoformat(timespec="seconds" if value.second else "minutes")
    return local_text(value, MINUTE + (":%S" if value.second else ""))


def timing_problems(values: dict, *, now: datetime) -> list[Problem]:
    """Order, future and sign problems in a contact's timings, each naming the field by its
    label and showing a time in local time, as it was typed."""
    problems = []
    started = values.get("started_at")
    if started is None:
        problems.append(_problem("started_at", None, _("is required")))
    for field in TIMESTAMP_FIELDS:
        value = values.get(field)
        if value is None:
            continue
        if issue := timestamp_problem(value):  # e.g. year 1: stored fine, but breaks every dashboard
            problems.append(_problem(field, typed_time(value), issue))
        elif field != "due_at" and value > now + FUTURE_TOLERANCE:
            problems.append(_problem(field, typed_time(value),
                                     _("lies in the future; it is now {now}").format(now=typed_time(now))))
    if started is not None:
        for field in ("acknowledged_at", "first_response_at", "resolved_at"):
            value = values.get(field)
            if value is not None and value < started:
                problems.append(_problem(field, typed_time(value),
                                         _("is before the start of the contact, {start}").format(
                                             start=typed_time(started))))
    first, resolved = values.get("first_response_at"), values.get("resolved_at")
    if first is not None and resolved is not None and resolved < first:
        problems.append(_problem("resolved_at", typed_time(resolved),
                                 _("is before the first response, {first}").format(first=typed_time(first))))
    for field in ("wait_seconds", "handling_seconds", "transfers"):
        value = values.get(field)
        if value is None:
            continue
        if not is_finite(value):  # NaN passes "< 0" and would be stored (SQLite: as NULL)
            problems.append(_problem(field, value, _("must be a finite number")))
        elif value < 0:
            problems.append(_problem(field, value, _("must not be negative")))
        elif field == "transfers" and value > MAX_INTEGER:  # an INTEGER column on PostgreSQL
            problems.append(_problem(field, value, _("must be at most {limit}").format(limit=number(MAX_INTEGER))))
    return problems


def text_problems(values: dict) -> list[Problem]:
    """Free text the database cannot store (a NUL character: PostgreSQL refuses it mid-write)."""
    return [_problem(field, shown(values[field]), issue) for field in ("answer_text", "notes")
            if isinstance(values.get(field), str) and (issue := text_problem(values[field]))]


def _differs(old: object, new: object) -> bool:
    """Whether ``new`` changes a stored ``old`` value: compared exactly (a time to the
    microsecond, as an instant; ``2`` and ``2.0`` seconds are the same number)."""
    if old is None or new is None:
        return old is not new
    return old != new


def answer_problems(criteria: list[Criterion], answers: list[AnswerIn], *, complete: bool) -> list[Problem]:
    """Checklist problems: unknown items, values off the scale, N/A where not allowed, and —
    when ``complete`` — items left unanswered."""
    by_id = {c.id: c for c in criteria}
    given = {}
    problems = []
    for answer in answers:
        criterion = by_id.get(answer.criterion_id)
        if criterion is None:
            problems.append(Problem("checklist", answer.criterion_id, _("is not an item of this contact's checklist"),
                                    label=_("checklist")))
            continue
        field = f"checklist item {criterion.code}"
        label = _("checklist item {code}").format(code=criterion.code)
        given[criterion.id] = answer
        if answer.comment and (issue := text_problem(answer.comment)):
            problems.append(Problem(field, shown(answer.comment), _("comment {problem}").format(problem=issue),
                                    label=label))
        if answer.is_na:
            if not criterion.na_allowed:
                problems.append(Problem(field, _("N/A"), _("does not allow N/A"), label=label))
            continue
        if answer.value is None:
            continue
        if criterion.kind == CriterionKind.YESNO and answer.value not in (0, 1):
            problems.append(Problem(field, answer.value, _("must be yes (1) or no (0)"), label=label))
        if criterion.kind == CriterionKind.SCALE and not (criterion.scale_min <= answer.value <= criterion.scale_max):
            problems.append(Problem(field, answer.value, _("must be between {low} and {high}").format(
                low=f"{criterion.scale_min:g}", high=f"{criterion.scale_max:g}"), label=label))
    if complete:
        for criterion in criteria:
            answer = given.get(criterion.id)
            if answer is None or (not answer.is_na and answer.value is None):
                problems.append(Problem(f"checklist item {criterion.code}", None,
                                        _("has no answer (choose a value or N/A)"),
                                        label=_("checklist item {code}").format(code=criterion.code)))
    return problems


def start_contact(*, session: Session, actor, start: ContactStart, now: datetime | None = None) -> Contact:
    """Create a contact for the signed-in auditor, scored with the journey's current checklist.

    Raises:
        PermissionDenied: a manager, or an auditor logging for someone else.
        ValidationError: an archived journey, a channel the journey does not run on, a location
            of another brand, a start in the future, a closed wave.
    """
    ensure_can_log_contact_for(actor, actor.id)
    now = now or utcnow()
    journey = session.get(Journey, start.journey_id)
    problems = []
    if journey is None or journey.status != JourneyStatus.ACTIVE:
        problems.append(_problem("journey", start.journey_id, _("choose an active journey")))
    else:
        # the channel only if the journey runs on it (one query serves the check and the log text)
        channel = session.exec(_CHANNEL_OF_JOURNEY,
                               params={"journey_id": start.journey_id, "channel_id": start.channel_id}).first()
        if channel is None:
            problems.append(_problem("channel", start.channel_id, _("this journey does not run on this channel")))
    if start.location_id is not None:
        location = session.get(Location, start.location_id)
        if location is None or location.brand_id != start.brand_id:
            problems.append(_problem("location", start.location_id, _("is not a location of this brand")))
    started = start.started_at or now
    problems += timing_problems({"started_at": started}, now=now)
    try:
        ensure_wave_open(session, start.wave_id)
    except ValidationError as closed:
        problems += closed.problems
    if problems:
        raise ValidationError(problems)
    contact = Contact(
        journey_id=start.journey_id, brand_id=start.brand_id, channel_id=start.channel_id,
        location_id=start.location_id, wave_id=start.wave_id, auditor_id=actor.id,
        checklist_version_id=current_version(session=session, journey_id=start.journey_id).id,
        started_at=started, created_by_id=actor.id, updated_by_id=actor.id,
    )
    session.add(contact)
    session.flush()
    _log(session, actor, contact.id, [("create", "", None, f"{channel.name} contact started")])
    return contact


def record_event(*, session: Session, actor, contact_id: int, event: str, at: datetime | None = None) -> Contact:
    """Stamp an event (acknowledged / first_response / resolved) at ``at`` or now.

    On live channels the wait and handling seconds follow from the stamps.
    """
    if event not in EVENTS:
        raise ValidationError(Problem("event", event, _("must be one of {events}").format(events=", ".join(EVENTS))))
    field = {"acknowledged": "acknowledged_at", "first_response": "first_response_at", "resolved": "resolved_at"}[event]
    contact, channel = _load_with_channel(session, contact_id)
    changes = {field: at or utcnow()}
    if event == "resolved" and contact.first_response_at is None and channel.is_live:
        changes["first_response_at"] = changes[field]  # a conversation that ends has been answered
    return _save_loaded(session=session, actor=actor, contact=contact, channel=channel, changes=changes)


def save_contact(*, session: Session, actor, contact_id: int, changes: dict | None = None,
                 answers: list[AnswerIn] | None = None, complete: bool = False, draft: bool = False,
                 now: datetime | None = None) -> Contact:
    """Apply field changes and checklist answers to a contact in one go, or refuse all of them.

    Args:
        changes: field → new value for fields in ``EDITABLE_FIELDS``.
        answers: checklist answers to set (others stay as they are).
        complete: the auditor submits the assessment: every applicable item needs an answer, and
            a draft stops being one.
        draft: the auditor keeps an unfinished assessment: items may be unanswered, and the
            contact is a draft (not scored or counted) until it is saved ``complete``.
        Saving with either one discards the actor's pending input of this contact.

    Raises:
        PermissionDenied: not the contact's auditor (or an admin).
        ValidationError: every problem found, each naming its field.
    """
    contact, channel = _load_with_channel(session, contact_id)
    return _save_loaded(session=session, actor=actor, contact=contact, channel=channel, changes=changes,
                        answers=answers, complete=complete, draft=draft, now=now)


def _save_loaded(*, session: Session, actor, contact: Contact, channel: Channel, changes: dict | None = None,
                 answers: list[AnswerIn] | None = None, complete: bool = False, draft: bool = False,
                 now: datetime | None = None) -> Contact:
    """``save_contact`` for a contact this action has already loaded (``record_event`` reads it first)."""
    if complete and draft:
        raise ValueError("an assessment is saved either complete or as a draft, not both")
    ensure_can_edit_contact(actor, contact)
    contact_id = contact.id
    now = now or utcnow()
    changes = dict(changes or {})
    # a contact of a closed wave is final; nor can one be moved into a closed wave
    ensure_wave_open(session, contact.wave_id)
    if changes.get("wave_id") is not None and changes["wave_id"] != contact.wave_id:
        ensure_wave_open(session, changes["wave_id"])
    unknown = sorted(set(changes) - set(EDITABLE_FIELDS))
    if unknown:
        raise ValidationError(Problem("field", ", ".join(unknown), _("cannot be changed here"), label=_("field")))
    merged = {field: getattr(contact, field) for field in EDITABLE_FIELDS}
    # a field given its stored value is no change: it neither recomputes the stopwatch nor is logged
    changes = {field: value for field, value in changes.items() if _differs(merged[field], value)}
    merged.update(changes)
    stamps_changed = bool({"started_at", "first_response_at", "resolved_at"} & set(changes))
    if channel.is_live and stamps_changed:
        # the stopwatch: wait and handling follow from the stamps unless typed in explicitly
        if "wait_seconds" not in changes and merged["first_response_at"] is not None:
            merged["wait_seconds"] = round((merged["first_response_at"] - merged["started_at"]).total_seconds())
        if "handling_seconds" not in changes and merged["resolved_at"] is not None and merged["first_response_at"]:
            merged["handling_seconds"] = round((merged["resolved_at"] - merged["first_response_at"]).total_seconds())
    merged["started_at"] = merged.get("started_at") or contact.started_at
    # the stopwatch and time corrections touch no checklist item: skip reading the checklist then
    checklist_touched = bool(answers) or complete or draft
    criteria = applicable_criteria(session, contact) if checklist_touched else []
    existing = {a.criterion_id: a for a in session.exec(_ANSWERS_OF_CONTACT, params={"contact_id": contact_id})
                } if checklist_touched else {}
    if complete:
        # answers already saved count towards completeness
        given = {a.criterion_id for a in answers or []}
        answers_for_check = list(answers or []) + [
            AnswerIn(a.criterion_id, a.value, a.is_na, a.comment) for cid, a in existing.items() if cid not in given]
    else:
        answers_for_check = list(answers or [])
    problems = (timing_problems(merged, now=now) + text_problems(merged)
                + answer_problems(criteria, answers_for_check, complete=complete))
    if merged["redirected_to_channel_id"] is not None and merged["redirected_to_channel_id"] == contact.channel_id:
        problems.append(_problem("redirected_to", channel.label or channel.name,
                                 _("a contact cannot be redirected to its own channel")))
    if problems:
        raise ValidationError(problems)

    # Written with plain statements (one UPDATE of the contact, one INSERT of new answers) rather
    # than through the ORM's unit of work, whose bookkeeping costs more Python time per click than
    # the writes themselves. The loaded objects are then set as if flushed, so callers see what
    # was saved without the session writing it a second time.
    log = []
    values = {}
    for field in EDITABLE_FIELDS:
        old, new = getattr(contact, field), merged[field]
        if _differs(old, new):
            values[field] = new
            log.append(("update", field, old, new))
    by_id = {c.id: c for c in criteria}
    new_answers, changed_answers = [], []
    for answer in answers or []:
        if not answer.is_na and answer.value is None:
            continue
        value = None if answer.is_na else float(answer.value)
        stored = dict(value=value, is_na=answer.is_na, comment=answer.comment or "")
        row = existing.get(answer.criterion_id)
        code = by_id[answer.criterion_id].code
        if row is None:
            new_answers.append(dict(stored, contact_id=contact_id, criterion_id=answer.criterion_id))
            log.append(("update", f"item:{code}", None, _answer_text(value, answer.is_na)))
        elif (row.value, row.is_na, row.comment) != (value, answer.is_na, stored["comment"]):
            log.append(("update", f"item:{code}", _answer_text(row.value, row.is_na), _answer_text(value, answer.is_na)))
            changed_answers.append(dict(stored, b_criterion_id=answer.criterion_id))
            _set_saved(row, stored)
    if (complete or draft) and contact.is_draft != draft:
        values["is_draft"] = draft
        log.append(("update", "draft", "yes" if contact.is_draft else "no", "yes" if draft else "no"))
    if values or new_answers or changed_answers:  # nothing changed: nothing written, not even updated_at
        values.update(updated_at=now, updated_by_id=actor.id)
        session.execute(_UPDATE_CONTACT, dict(values, b_contact_id=contact_id))  # SET the keys of the parameters
        _set_saved(contact, values)
    if new_answers:
        session.execute(sa.insert(Answer.__table__), new_answers)
    for params in changed_answers:
        session.execute(_UPDATE_ANSWER, dict(params, b_contact_id=contact_id))
    _log(session, actor, contact_id, log)
    if new_answers or changed_answers:
        store_scores(session, [contact_id])  # its score, in the same transaction (journeys.fieldwork.scores)
    if complete or draft:  # what was typed is saved now: nothing pending any more
        session.execute(sa.delete(PendingInput).where(PendingInput.contact_id == contact_id,
                                                      PendingInput.user_id == actor.id))
    return contact


def assessment_progress(session: Session, contact: Contact) -> tuple[int, int]:
    """``(answered, applicable)`` checklist items of a contact (N/A counts as answered)."""
    criteria = {c.id for c in applicable_criteria(session, contact)}
    answers = session.exec(_ANSWERS_OF_CONTACT, params={"contact_id": contact.id}).all()
    answered = sum(1 for a in answers if a.criterion_id in criteria and (a.is_na or a.value is not None))
    return answered, len(criteria)


def draft_text(answered: int, applicable: int) -> str:
    """How a draft is shown everywhere: "Draft, 3 of 8 items answered"."""
    return ngettext("Draft, {answered} of {applicable} item answered",
                    "Draft, {answered} of {applicable} items answered", applicable).format(
        answered=number(answered), applicable=number(applicable))


def my_drafts(*, session: Session, actor) -> dict[int, tuple[int, int]]:
    """The actor's draft contacts: contact id → ``(answered, applicable)`` items."""
    drafts = session.exec(select(Contact).where(Contact.auditor_id == actor.id, Contact.is_draft)).all()
    return {contact.id: assessment_progress(session, contact) for contact in drafts}


def keep_pending_input(*, session: Session, actor, contact_id: int, values: dict) -> None:
    """Remember what ``actor`` typed into the contact's assessment (not validated, not scored).

    Raises:
        PermissionDenied: not a contact the actor may edit.
        ValidationError: the typed values are too large to keep.
    """
    contact = _load(session, contact_id)
    ensure_can_edit_contact(actor, contact)
    text = json.dumps(values, sort_keys=True)
    if len(text) > MAX_PENDING_INPUT_CHARS:
        raise ValidationError(Problem(
            "assessment", ngettext("{n} character", "{n} characters", len(text)).format(n=number(len(text))),
            _("is too much typed text to keep (at most {limit})").format(limit=number(MAX_PENDING_INPUT_CHARS)),
            label=_("assessment")))
    row = session.get(PendingInput, (contact_id, actor.id))
    if row is None:
        session.add(PendingInput(contact_id=contact_id, user_id=actor.id, values_json=text))
    elif row.values_json != text:
        row.values_json, row.updated_at = text, utcnow()
        session.add(row)
    session.flush()


def pending_input(*, session: Session, actor, contact_id: int) -> tuple[dict, datetime] | None:
    """What ``actor`` typed into the contact's assessment and has not saved, with when; or None."""
    row = session.get(PendingInput, (contact_id, actor.id))
    return None if row is None else (json.loads(row.values_json), row.updated_at)


def _set_saved(row, values: dict) -> None:
    """Give a loaded object the values just written to its row, without marking it changed."""
    for name, value in values.items():
        set_committed_value(row, name, value)


def _answer_text(value, is_na) -> str:
    return "N/A" if is_na else f"{value:g}"


def _log(session: Session, actor, contact_id: int, entries: list[tuple[str, str, object, object]]) -> None:
    """Write the change-log entries ``(action, field, old, new)`` of one action.

    One multi-row INSERT rather than one ORM object and statement per entry: an assessment
    changes about ten fields and items, and this runs on every click of every auditor.
    """
    def text(value):
        if value is None:
            return None
        return value.isoformat() if isinstance(value, datetime) else str(value)

    if not entries:
        return
    now = utcnow()
    session.execute(sa.insert(ChangeLog.__table__), [
        dict(changed_at=now, user_id=actor.id, entity="contact", entity_id=contact_id, action=action, field=field,
             old_value=text(old), new_value=text(new))
        for action, field, old, new in entries])


def add_evidence(*, session: Session, actor, contact_id: int, file_name: str, data: bytes) -> Evidence:
    """Attach a file to a contact after checking its real type, its size and (images) its
    pixels, decoded in full once; stores its sha256 and, for an image, a bounded thumbnail.

    Raises:
        ValidationError: empty, too large, not an allowed type (whatever its extension says), an
            image over the pixel limit or damaged, a cut-off PDF, or the same content already
            attached to this contact — each naming the file (``journeys.fieldwork.evidence``).
    """
    contact = _load(session, contact_id)
    ensure_can_edit_contact(actor, contact)
    ensure_wave_open(session, contact.wave_id)
    name = (file_name or "evidence").replace("/", "_").replace("\\", "_")[:255]
    checked = inspect_evidence(name, data)
    media_type = checked.media_type
    digest = hashlib.sha256(data).hexdigest()
    duplicate = session.exec(select(Evidence.file_name).where(Evidence.contact_id == contact.id,
                                                              Evidence.sha256 == digest)).first()
    if duplicate is not None:
        raise ValidationError(Problem("evidence", name, _("is already attached to this contact as {name}").format(
            name=duplicate), label=_("evidence")))
    evidence = Evidence(contact_id=contact.id, file_name=name, media_type=media_type, size_bytes=len(data),
                        sha256=digest, content=data, uploaded_by_id=actor.id, thumbnail=checked.thumbnail,
                        thumbnail_media_type=checked.thumbnail_media_type)
    session.add(evidence)
    contact.updated_at = utcnow()
    session.add(contact)
    session.flush()
    _log(session, actor, contact.id,
         [("update", "evidence", None, f"{name} ({media_type}, sha256 {evidence.sha256[:12]}…)")])
    return evidence


def remove_evidence(*, session: Session, actor, evidence_id: int) -> str:
    """Delete one evidence file (a damaged or wrong upload); admins only. The contact's change
    log keeps who removed which file and when.

    Returns:
        The removed file's name.

    Raises:
        PermissionDenied: anyone but an admin (auditors and managers included).
        NotFoundError: the file does not exist (any more).
    """
    ensure_can_remove_evidence(actor)
    row = session.exec(select(Evidence.contact_id, Evidence.file_name, Evidence.media_type, Evidence.sha256)
                       .where(Evidence.id == evidence_id)).first()
    if row is None:
        raise NotFoundError(_("Evidence file {id} does not exist (any more).").format(id=evidence_id))
    contact_id, name, media_type, digest = row
    session.execute(sa.delete(Evidence.__table__).where(Evidence.__table__.c.id == evidence_id))
    session.execute(sa.update(Contact.__table__).where(Contact.__table__.c.id == contact_id)
                    .values(updated_at=utcnow(), updated_by_id=actor.id))
    _log(session, actor, contact_id, [("delete", "evidence", f"{name} ({media_type}, sha256 {digest[:12]}…)", None)])
    return name


def read_contact(*, session: Session, actor, contact_id: int) -> Contact:
    contact = _load(session, contact_id)
    ensure_can_read_contact(actor, contact)
    return contact


def my_contacts(*, engine, actor, now: datetime | None = None):
    """The contacts the actor logged, with timing against target, newest first.

    Returns the scoring frame (``journeys.fieldwork.frames`` contract) with ``scoring.timeliness`` columns
    plus ``open``: no first response yet (asynchronous) or conversation not ended (live), and
    ``draft``: the assessment was saved unfinished (the auditor's drafts are listed here).
    """
    now = now or utcnow()
    # "my" contacts are the ones I logged, whatever my role
    frame = timeliness(read_contacts(engine, ContactFilter(auditor_ids=(actor.id,), include_drafts=True, include_unreleased=True)), now)
    with engine.connect() as connection:
        drafts = set(connection.execute(sa.select(Contact.id).where(Contact.auditor_id == actor.id,
                                                                    Contact.is_draft)).scalars())
    frame["draft"] = frame["contact_id"].isin(drafts)
    live = frame["channel_kind"].isin([k.value for k in ChannelKind if k.is_live])
    frame["open"] = (~frame["responded"]) | (live & frame["resolved_at"].isna())
    return frame.sort_values("started_at", ascending=False)
