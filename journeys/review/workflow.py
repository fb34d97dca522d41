"""The review workflow: an auditor submits a finished contact, a reviewer approves it or returns
it with a comment, the auditor revises and resubmits; a reviewer corrects an answer or a timing
only with a reason. Each service is one step of one transaction: the status
(``journeys.review.states.next_status``) and its trail event (``journeys.review.trail.record``)
are written together or not at all.

Who may do what (``journeys.accounts.access``)::

    submit_contact     the contact's auditor, or an admin (CONTACT_WRITERS)   open, returned → submitted
    return_contact     REVIEWERS, a comment required                         submitted, approved → returned
    approve_contact    REVIEWERS, not on a contact they logged themselves    submitted → approved (or released)
    correct_answer     REVIEWERS, a reason required, not on their own contact  in review: the answer changes
    correct_timing     the same, for a timing field                            in review: the timing changes

Four eyes: a reviewer (an admin who logged contacts too) may not approve nor correct a contact
they logged; another reviewer does. Returning one's own contact is allowed: it gives it back to
its auditor's hands, which changes no result.

Approving releases at once when ``journeys.review.states.releases_on_approval`` says so (no wave,
a continuous wave, a wave already released): then both the APPROVED and the RELEASED step are in
the trail and ``Contact.released_at`` is set.

Corrections write the change into the change log (old → new, as ``journeys.fieldwork.contacts``
does for an auditor's changes) and a CORRECTED step with the reason into the trail. They are
validated as the contact service validates (``journeys.fieldwork.contacts.answer_problems``,
``journeys.fieldwork.contacts.timing_problems``), so a wrong value is a refusal naming the field.

The lists a person works from: ``review_queue`` (submitted contacts, oldest submission first),
``returned_contacts`` (an auditor's contacts sent back, with the reviewer's latest comment) and
``trail_frame`` (the audit trail for display and export, narrowed by
``journeys.accounts.access.contact_visible_to``; a client reads only ``CLIENT_VISIBLE_ACTIONS``).
"""

from datetime import datetime

import pandas as pd
import sqlalchemy as sa
from sqlmodel import Session, select

from journeys.accounts.access import (
    CONTACT_WRITERS,
    REVIEWERS,
    SIGNED_IN,
    contact_visible_to,
    ensure_role,
    has_role,
    in_review,
)
from journeys.accounts.scope import auditor_pseudonym
from journeys.errors import NotFoundError, PermissionDenied, Problem, ValidationError
from journeys.fieldwork.contacts import (
    AnswerIn,
    _answer_text,
    _differs,
    _log,
    _set_saved,
    answer_problems,
    applicable_criteria,
    timing_problems,
)
from journeys.fieldwork.planned import contact_logged
from journeys.fieldwork.scores import store_scores
from journeys.fieldwork.waves import ensure_wave_open
from journeys.language import _
from journeys.limits import text_problem
from journeys.models import (
    Answer,
    Brand,
    Channel,
    Contact,
    Journey,
    Location,
    ReviewAction,
    ReviewEvent,
    ReviewStatus,
    Role,
    User,
    Wave,
    utcnow,
)
from journeys.review.states import InvalidMove, next_status, releases_on_approval
from journeys.review.trail import record
from journeys.wording import field_label, review_action_label, review_status_label

# The timings a reviewer may correct (the contact's fields, as the change log names them).
TIMING_FIELDS = ("started_at", "acknowledged_at", "first_response_at", "resolved_at", "due_at",
                 "wait_seconds", "handling_seconds", "transfers")
MAX_COMMENT_CHARS = 2_000

QUEUE_COLUMNS = ("contact_id", "submitted_at", "started_at", "wave_id", "wave", "brand_id", "brand", "location",
                 "journey", "channel_id", "channel", "channel_label", "auditor_id", "auditor", "times_returned")
RETURNED_COLUMNS = ("contact_id", "returned_at", "reviewer", "comment", "started_at", "brand", "journey", "channel",
                    "channel_label", "wave")
# What a client reads of a trail: the release and its own appeals, not the agency's quality control.
CLIENT_VISIBLE_ACTIONS = frozenset({ReviewAction.RELEASED, ReviewAction.APPEALED, ReviewAction.APPEAL_QUERIED,
                                    ReviewAction.APPEAL_ANSWERED, ReviewAction.APPEAL_UPHELD,
                                    ReviewAction.APPEAL_REJECTED})
TRAIL_COLUMNS = ("event_id", "contact_id", "occurred_at", "user", "action", "action_label", "comment", "wave",
                 "brand")


def _load(session: Session, contact_id: int) -> Contact:
    contact = session.get(Contact, contact_id)
    if contact is None:
        raise NotFoundError(_("Contact {id} does not exist.").format(id=contact_id))
    return contact


def _move(contact: Contact, action: ReviewAction, allowed: str) -> ReviewStatus:
    """The status after ``action``, or a refusal naming the contact's status and what is allowed."""
    try:
        return next_status(contact.review_status, action)
    except InvalidMove:
        raise ValidationError(Problem(
            "review_status", None,
            _("contact {id} is {status}; only a contact that is {allowed} can be {action}").format(
                id=contact.id, status=review_status_label(contact.review_status).lower(), allowed=allowed,
                action=review_action_label(action).lower()),
            label=_("review status"))) from None


def _required_text(value: str | None, field: str, label: str) -> str:
    """The comment or reason stripped; a refusal when it is empty, too long or not storable."""
    text = (value or "").strip()
    if not text:
        raise ValidationError(Problem(field, None, _("is required: say what needs to change and why"), label=label))
    if len(text) > MAX_COMMENT_CHARS:
        raise ValidationError(Problem(field, None, _("is too long ({n} characters; at most {limit})").format(
            n=len(text), limit=MAX_COMMENT_CHARS), label=label))
    if issue := text_problem(text):
        raise ValidationError(Problem(field, None, issue, label=label))
    return text


def _optional_text(value: str | None, field: str, label: str) -> str:
    return _required_text(value, field, label) if (value or "").strip() else ""


def _set_status(session: Session, contact: Contact, status: ReviewStatus, *, released_at: datetime | None = None):
    contact.review_status = status.value
    if released_at is not None:
        contact.released_at = released_at
    session.add(contact)
    session.flush()


def _ensure_not_own(actor, contact: Contact, *, correcting: bool) -> None:
    if contact.auditor_id is not None and contact.auditor_id == getattr(actor, "id", None):
        if correcting:
            message = _("Contact {id} is one you logged yourself: another reviewer corrects it (four eyes).")
        else:
            message = _("Contact {id} is one you logged yourself: another reviewer approves it (four eyes).")
        raise PermissionDenied(message.format(id=contact.id))


def finished_problems(session: Session, contact: Contact) -> list[Problem]:
    """Why ``contact`` is not finished enough to submit (empty when it is): not a draft, and
    answered or assessed — the rule of ``journeys.fieldwork.planned.contact_logged``."""
    if contact.is_draft:
        return [Problem("assessment", None, _("is a draft: save the assessment complete first"),
                        label=_("assessment"))]
    logged = session.exec(select(Contact.id).join(Channel, Channel.id == Contact.channel_id)
                          .where(Contact.id == contact.id, contact_logged())).first()
    if logged is None:
        channel = session.get(Channel, contact.channel_id)
        missing = (_("the end of the conversation (resolved)") if channel is not None and channel.is_live
                   else _("a first response"))
        return [Problem("assessment", None, _("is not finished: record {missing} or save the checklist "
                                               "first").format(missing=missing), label=_("assessment"))]
    return []


def submit_contact(*, session: Session, actor, contact_id: int, now: datetime | None = None) -> Contact:
    """Hand a finished contact to review (first time, or again after it was returned).

    Raises:
        PermissionDenied: not an auditor or admin, or an auditor submitting another's contact.
        NotFoundError: no such contact.
        ValidationError: a draft or unfinished contact, or one already in review.
    """
    ensure_role(actor, *CONTACT_WRITERS, action="submit contacts for review")
    contact = _load(session, contact_id)
    if has_role(actor, Role.AUDITOR) and contact.auditor_id != actor.id:
        raise PermissionDenied(_("Contact {id} belongs to another auditor; you may not submit it.").format(
            id=contact_id))
    status = _move(contact, ReviewAction.SUBMITTED, _("being logged or returned for revision"))
    problems = finished_problems(session, contact)
    if problems:
        raise ValidationError(problems)
    now = now or utcnow()
    _set_status(session, contact, status)
    record(session, contact_id=contact.id, action=ReviewAction.SUBMITTED, actor=actor, at=now)
    return contact


def return_contact(*, session: Session, actor, contact_id: int, comment: str, now: datetime | None = None) -> Contact:
    """Send a submitted (or approved, not yet released) contact back to its auditor, saying why.

    Raises:
        PermissionDenied: not a reviewer.
        ValidationError: no comment, or a contact that is not submitted or approved.
    """
    ensure_role(actor, *REVIEWERS, action="review contacts")
    contact = _load(session, contact_id)
    status = _move(contact, ReviewAction.RETURNED, _("submitted or approved (not yet released)"))
    text = _required_text(comment, "comment", _("comment"))
    _set_status(session, contact, status)
    record(session, contact_id=contact.id, action=ReviewAction.RETURNED, actor=actor, comment=text,
           at=now or utcnow())
    return contact


def approve_contact(*, session: Session, actor, contact_id: int, comment: str = "",
                    now: datetime | None = None) -> Contact:
    """Approve a submitted contact; it is released at once when its wave does not wait
    (``journeys.review.states.releases_on_approval``).

    Raises:
        PermissionDenied: not a reviewer, or the reviewer logged this contact.
        ValidationError: a contact that is not submitted.
    """
    ensure_role(actor, *REVIEWERS, action="review contacts")
    contact = _load(session, contact_id)
    _ensure_not_own(actor, contact, correcting=False)
    status = _move(contact, ReviewAction.APPROVED, review_status_label(ReviewStatus.SUBMITTED).lower())
    text = _optional_text(comment, "comment", _("comment"))
    now = now or utcnow()
    wave = session.get(Wave, contact.wave_id) if contact.wave_id is not None else None
    record(session, contact_id=contact.id, action=ReviewAction.APPROVED, actor=actor, comment=text, at=now)
    if releases_on_approval(has_wave=wave is not None, release_mode=wave.release_mode if wave else None,
                            wave_released_at=wave.released_at if wave else None):
        _set_status(session, contact, next_status(status, ReviewAction.RELEASED), released_at=now)
        record(session, contact_id=contact.id, action=ReviewAction.RELEASED, actor=actor, at=now)
    else:
        _set_status(session, contact, status)
    return contact


def _correctable(session: Session, actor, contact_id: int, reason: str) -> tuple[Contact, str]:
    ensure_role(actor, *REVIEWERS, action="correct answers")
    contact = _load(session, contact_id)
    if not in_review(contact):
        raise ValidationError(Problem(
            "review_status", None, _("contact {id} is {status}: its auditor still changes it; a reviewer corrects "
                                     "only a submitted, approved or released contact").format(
                id=contact.id, status=review_status_label(contact.review_status).lower()), label=_("review status")))
    _ensure_not_own(actor, contact, correcting=True)
    text = _required_text(reason, "reason", _("reason"))
    ensure_wave_open(session, contact.wave_id)  # a closed wave's figures are final
    return contact, text


def correct_answer(*, session: Session, actor, contact_id: int, criterion_id: int, value: float | None = None,
                   is_na: bool = False, reason: str, now: datetime | None = None) -> Contact:
    """Change one checklist answer of a contact in review, with a reason (change log + trail).

    Raises:
        PermissionDenied: not a reviewer, or the reviewer's own contact.
        ValidationError: not in review, no reason, an item not on the contact's checklist, a value
            off its scale, N/A where not allowed, or no value at all.
    """
    contact, text = _correctable(session, actor, contact_id, reason)
    criteria = applicable_criteria(session, contact)
    answer = AnswerIn(criterion_id=criterion_id, value=None if is_na else value, is_na=is_na)
    problems = answer_problems(criteria, [answer], complete=False)
    criterion = next((c for c in criteria if c.id == criterion_id), None)
    if not problems and not is_na and value is None:
        problems.append(Problem(f"checklist item {criterion.code}", None, _("has no answer (choose a value or N/A)"),
                                label=_("checklist item {code}").format(code=criterion.code)))
    if problems:
        raise ValidationError(problems)
    new_value = None if is_na else float(value)
    row = session.get(Answer, (contact.id, criterion_id))
    old_text = None if row is None else _answer_text(row.value, row.is_na)
    new_text = _answer_text(new_value, is_na)
    if old_text == new_text:
        raise ValidationError(Problem(f"checklist item {criterion.code}", new_text,
                                      _("is the answer already saved; nothing to correct"),
                                      label=_("checklist item {code}").format(code=criterion.code)))
    now = now or utcnow()
    if row is None:
        session.add(Answer(contact_id=contact.id, criterion_id=criterion_id, value=new_value, is_na=is_na))
    else:
        row.value, row.is_na = new_value, is_na
        session.add(row)
    contact.updated_at, contact.updated_by_id = now, actor.id
    session.add(contact)
    session.flush()
    _log(session, actor, contact.id, [("update", f"item:{criterion.code}", old_text, new_text)])
    store_scores(session, [contact.id])  # the corrected score, in the same transaction
    record(session, contact_id=contact.id, action=ReviewAction.CORRECTED, actor=actor, comment=text, at=now)
    return contact


def correct_timing(*, session: Session, actor, contact_id: int, field: str, value, reason: str,
                   now: datetime | None = None) -> Contact:
    """Change one timing (``TIMING_FIELDS``) of a contact in review, with a reason. On a live
    channel a corrected stamp recomputes the wait and handling seconds, as the stopwatch does.

    Raises:
        PermissionDenied: not a reviewer, or the reviewer's own contact.
        ValidationError: not in review, no reason, a field that is not a timing, or a value the
            contact service refuses (order, future, negative).
    """
    if field not in TIMING_FIELDS:
        raise ValidationError(Problem("field", field, _("is not a timing; correct one of {fields}").format(
            fields=", ".join(TIMING_FIELDS)), label=_("field")))
    contact, text = _correctable(session, actor, contact_id, reason)
    now = now or utcnow()
    old = {name: getattr(contact, name) for name in TIMING_FIELDS}
    if field == "transfers" and value is None:
        value = 0
    if not _differs(old[field], value):
        raise ValidationError(Problem(field, None, _("is the value already saved; nothing to correct"),
                                      label=field_label(field)))
    merged = dict(old, **{field: value})
    channel = session.get(Channel, contact.channel_id)
    if channel.is_live and field in ("started_at", "first_response_at", "resolved_at"):
        first, resolved = merged["first_response_at"], merged["resolved_at"]
        if first is not None and merged["started_at"] is not None and first >= merged["started_at"]:
            merged["wait_seconds"] = round((first - merged["started_at"]).total_seconds())
        if resolved is not None and first is not None and resolved >= first:
            merged["handling_seconds"] = round((resolved - first).total_seconds())
    problems = timing_problems(merged, now=now)
    if problems:
        raise ValidationError(problems)
    log = [("update", name, old[name], merged[name]) for name in TIMING_FIELDS if _differs(old[name], merged[name])]
    values = {name: merged[name] for _action, name, _old, _new in log}
    values.update(updated_at=now, updated_by_id=actor.id)
    session.execute(sa.update(Contact.__table__).where(Contact.__table__.c.id == contact.id).values(**values))
    _set_saved(contact, values)
    _log(session, actor, contact.id, log)
    record(session, contact_id=contact.id, action=ReviewAction.CORRECTED, actor=actor, comment=text, at=now)
    return contact


def _user_name():
    return sa.func.coalesce(sa.func.nullif(User.display_name, ""), User.username)


def _latest_event(action: ReviewAction):
    """A subquery: per contact, the id of its latest event of ``action``."""
    return (select(ReviewEvent.contact_id, sa.func.max(ReviewEvent.id).label("event_id"))
            .where(ReviewEvent.action == action.value).group_by(ReviewEvent.contact_id).subquery())


def review_queue(*, session: Session, actor, waves=(), brands=(), auditor_ids=(), channels=()) -> pd.DataFrame:
    """The submitted contacts waiting for a reviewer, oldest submission first (``QUEUE_COLUMNS``).

    ``waves``, ``brands``, ``auditor_ids`` and ``channels`` are ids; empty means all.
    ``times_returned``: how often the contact came back before (a resubmission is more than 0).

    Raises:
        PermissionDenied: not a reviewer.
    """
    ensure_role(actor, *REVIEWERS, action="review contacts")
    latest = _latest_event(ReviewAction.SUBMITTED)
    submitted = sa.orm.aliased(ReviewEvent)
    returns = (select(sa.func.count(ReviewEvent.id)).where(ReviewEvent.contact_id == Contact.id,
                                                           ReviewEvent.action == ReviewAction.RETURNED.value)
               .scalar_subquery())
    query = (select(Contact.id.label("contact_id"), submitted.occurred_at.label("submitted_at"), Contact.started_at,
                    Contact.wave_id, Wave.name.label("wave"), Contact.brand_id, Brand.name.label("brand"),
                    Location.name.label("location"), Journey.name.label("journey"), Contact.channel_id,
                    Channel.name.label("channel"), Channel.label.label("channel_label"), Contact.auditor_id,
                    _user_name().label("auditor"), returns.label("times_returned"))
             .join(Brand, Brand.id == Contact.brand_id).join(Journey, Journey.id == Contact.journey_id)
             .join(Channel, Channel.id == Contact.channel_id)
             .outerjoin(Wave, Wave.id == Contact.wave_id).outerjoin(Location, Location.id == Contact.location_id)
             .outerjoin(User, User.id == Contact.auditor_id)
             .outerjoin(latest, latest.c.contact_id == Contact.id)
             .outerjoin(submitted, submitted.id == latest.c.event_id)
             .where(Contact.review_status == ReviewStatus.SUBMITTED.value))
    for column, wanted in ((Contact.wave_id, waves), (Contact.brand_id, brands), (Contact.auditor_id, auditor_ids),
                           (Contact.channel_id, channels)):
        if wanted:
            query = query.where(column.in_([int(i) for i in wanted]))
    query = query.order_by(sa.func.coalesce(submitted.occurred_at, Contact.started_at), Contact.id)
    rows = session.execute(query).mappings().all()
    return pd.DataFrame([dict(r) for r in rows], columns=list(QUEUE_COLUMNS))


def returned_contacts(*, session: Session, actor) -> pd.DataFrame:
    """The actor's own contacts returned for revision, latest return first, each with the
    reviewer's latest comment (``RETURNED_COLUMNS``).

    Raises:
        PermissionDenied: not an auditor or admin.
    """
    ensure_role(actor, *CONTACT_WRITERS, action="submit contacts for review")
    latest = _latest_event(ReviewAction.RETURNED)
    event = sa.orm.aliased(ReviewEvent)
    reviewer = sa.orm.aliased(User)
    query = (select(Contact.id.label("contact_id"), event.occurred_at.label("returned_at"),
                    sa.func.coalesce(sa.func.nullif(reviewer.display_name, ""), reviewer.username).label("reviewer"),
                    event.comment, Contact.started_at, Brand.name.label("brand"), Journey.name.label("journey"),
                    Channel.name.label("channel"), Channel.label.label("channel_label"), Wave.name.label("wave"))
             .join(Brand, Brand.id == Contact.brand_id).join(Journey, Journey.id == Contact.journey_id)
             .join(Channel, Channel.id == Contact.channel_id).outerjoin(Wave, Wave.id == Contact.wave_id)
             .outerjoin(latest, latest.c.contact_id == Contact.id)
             .outerjoin(event, event.id == latest.c.event_id)
             .outerjoin(reviewer, reviewer.id == event.user_id)
             .where(Contact.auditor_id == actor.id, Contact.review_status == ReviewStatus.RETURNED.value)
             .order_by(event.occurred_at.desc(), Contact.id.desc()))
    rows = session.execute(query).mappings().all()
    return pd.DataFrame([dict(r) for r in rows], columns=list(RETURNED_COLUMNS))


def trail_frame(*, session: Session, actor, contact_ids=None, wave_id: int | None = None) -> pd.DataFrame:
    """The audit trail of the contacts the actor may read (``contact_visible_to``), oldest first:
    who, when, the step in words and its comment (``TRAIL_COLUMNS``). ``contact_ids`` or
    ``wave_id`` narrow it; a client reads an auditor as a pseudonym and agency staff as their role.

    Raises:
        PermissionDenied: not signed in.
    """
    ensure_role(actor, *SIGNED_IN, action="read the audit trail")
    query = (select(ReviewEvent.id.label("event_id"), ReviewEvent.contact_id, ReviewEvent.occurred_at,
                    ReviewEvent.user_id, User.role.label("user_role"), _user_name().label("user"),
                    ReviewEvent.action, ReviewEvent.comment, Wave.name.label("wave"), Brand.name.label("brand"))
             .join(Contact, Contact.id == ReviewEvent.contact_id)
             .join(Brand, Brand.id == Contact.brand_id)
             .outerjoin(Wave, Wave.id == Contact.wave_id)
             .outerjoin(User, User.id == ReviewEvent.user_id)
             .where(contact_visible_to(actor))
             .order_by(ReviewEvent.contact_id, ReviewEvent.occurred_at, ReviewEvent.id))
    if contact_ids is not None:
        query = query.where(ReviewEvent.contact_id.in_([int(i) for i in contact_ids]))
    if wave_id is not None:
        query = query.where(Contact.wave_id == wave_id)
    client = has_role(actor, Role.CLIENT)
    if client:  # the agency's own quality control (submissions, returns, corrections before release) stays inside
        query = query.where(ReviewEvent.action.in_([a.value for a in CLIENT_VISIBLE_ACTIONS]))
    rows = [dict(r) for r in session.execute(query).mappings().all()]
    for row in rows:
        if client and row["user_id"] != actor.id:
            row["user"] = (auditor_pseudonym(row["user_id"]) if row["user_role"] == Role.AUDITOR
                           else _("the agency"))
        row["user"] = row["user"] or "–"
        row["action_label"] = review_action_label(row["action"])
    return pd.DataFrame(rows, columns=list(TRAIL_COLUMNS))


def ready_to_submit(*, session: Session, actor) -> set[int]:
    """The ids of the actor's own contacts that can be submitted now: being logged or returned,
    and finished (``finished_problems`` finds nothing).

    Raises:
        PermissionDenied: not an auditor or admin.
    """
    ensure_role(actor, *CONTACT_WRITERS, action="submit contacts for review")
    query = (select(Contact.id).join(Channel, Channel.id == Contact.channel_id)
             .where(Contact.auditor_id == actor.id, contact_logged(),
                    Contact.review_status.in_([ReviewStatus.OPEN.value, ReviewStatus.RETURNED.value])))
    return set(session.exec(query).all())
