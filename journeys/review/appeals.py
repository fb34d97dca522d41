"""Appeals: a client disputes one answer (or the timing) of a released contact; the agency decides.

::

    open_appeal ──▶ open ──query_client──▶ waiting ──answer_query──▶ open
                     │                                                │
                     └────────────── decide_appeal ◀──────────────────┘
                                        │
                             upheld (the answer or timing changes, the contact is rescored)
                             rejected (with the reviewer's reason)

- Who: a client user (``journeys.accounts.access.APPELLANTS``) opens an appeal of a contact it can
  see (released, within its grants) and answers a reviewer's question; the agency's reviewers
  (``journeys.accounts.access.REVIEWERS``) ask and decide. A decided appeal is final.
- When: within the wave's appeal window, ``released_at + Wave.appeal_days`` days; a contact of no
  wave has ``APPEAL_DAYS_WITHOUT_WAVE`` (7) days. An appeal opened in time may be decided later,
  also after its wave was closed: an upheld appeal is the one change a closed wave's contact
  still takes, and the change log says so.
- What: one appeal per answered checklist item, or one for the timing (``criterion_id`` None), open
  at a time; a rejected or upheld item may be appealed again while the window is open.
- Upheld: the answer (or the timings) changes, the score before and after is computed with the
  one scoring definition (``scoring.pipeline.scored_contacts`` on the contact's own frames, read
  inside the decision's transaction) and kept on the appeal; the change log has the old and new
  values and score.

Every service runs in the caller's one transaction and writes its step to the audit trail
(``journeys.review.trail``). A client is refused an appeal or contact outside its scope with the
same sentence as a contact that does not exist, so a refusal never tells it another brand's
contact is there.
"""

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pandas as pd
import sqlalchemy as sa
from sqlmodel import Session, select

from journeys.accounts.access import (
    APPELLANTS,
    FIGURE_READERS,
    REVIEWERS,
    contact_visible_to,
    ensure_role,
    has_role,
)
from journeys.errors import NotFoundError, PermissionDenied, Problem, ValidationError
from journeys.fieldwork.contacts import AnswerIn, answer_problems, applicable_criteria, timing_problems
from journeys.fieldwork.evidence import inspect_evidence
from journeys.fieldwork.frames import ContactFilter, OnConnection, read_answers, read_contacts, read_criteria
from journeys.fieldwork.scores import store_scores
from journeys.language import _, number
from journeys.limits import shown, text_problem
from journeys.models import (
    DECIDED_APPEALS,
    Answer,
    Appeal,
    AppealEvidence,
    AppealStatus,
    Brand,
    ChangeLog,
    Channel,
    Contact,
    Criterion,
    Evidence,
    ReviewAction,
    ReviewEvent,
    ReviewStatus,
    Role,
    User,
    Wave,
    utcnow,
)
from journeys.review import trail
from journeys.wording import appeal_status_label, field_label
from scoring.pipeline import scored_contacts

# Who reads appeals: the clients (their own) and the agency's staff (all) — ``FIGURE_READERS``.
APPEAL_READERS = FIGURE_READERS
# A contact of no wave has no wave's setting: the trade's usual week (the default of ``Wave.appeal_days``).
APPEAL_DAYS_WITHOUT_WAVE = 7
# The timings an upheld timing appeal may change (the start stays: it is when the contact was made).
TIMING_FIELDS = ("acknowledged_at", "first_response_at", "resolved_at", "wait_seconds", "handling_seconds")
MAX_APPEAL_FILES = 5


@dataclass(frozen=True)
class AppealRow:
    """One appeal as both sides read it: the contact's names and the item disputed."""

    id: int
    contact_id: int
    brand: str
    wave: str | None
    criterion_id: int | None
    criterion_code: str | None
    criterion_text: str | None
    reason: str
    status: str
    opened_at: datetime
    opened_by: str | None
    decided_at: datetime | None
    decided_by: str | None
    decision: str
    score_before: float | None
    score_after: float | None

    @property
    def subject(self) -> str:
        """What is disputed, in words: "Criterion C1 · Greets the customer", or "The timing"."""
        if self.criterion_id is None:
            return _("The timing")
        return f"{field_label('item:' + (self.criterion_code or ''))} · {self.criterion_text or ''}"

    @property
    def status_text(self) -> str:
        return appeal_status_label(self.status)


@dataclass(frozen=True)
class HistoryStep:
    """One step of an appeal's history: what, when, who (None for a removed account) and what they wrote."""

    action: str
    occurred_at: datetime
    by: str | None
    comment: str


# --- reading the contact -------------------------------------------------------------------

def _not_yours(contact_id: int) -> PermissionDenied:
    # the very sentence of journeys.accounts.access for a client: nothing says whether it exists
    return PermissionDenied(_("Contact {id} is not among your results.").format(id=contact_id))


def _visible_contact(session: Session, actor, contact_id: int) -> Contact:
    """The contact if ``actor`` may read it; a client is refused alike for missing and out of scope."""
    contact = session.exec(select(Contact).where(Contact.id == contact_id, contact_visible_to(actor))).first()
    if contact is None:
        if has_role(actor, Role.CLIENT):
            raise _not_yours(contact_id)
        if session.get(Contact, contact_id) is None:
            raise NotFoundError(_("Contact {id} does not exist.").format(id=contact_id))
        raise PermissionDenied(_("Contact {id} is not among the contacts you may read.").format(id=contact_id))
    return contact


def _visible_appeal(session: Session, actor, appeal_id: int) -> tuple[Appeal, Contact]:
    row = session.exec(select(Appeal, Contact).join(Contact, Contact.id == Appeal.contact_id)
                       .where(Appeal.id == appeal_id, contact_visible_to(actor))).first()
    if row is None:
        raise NotFoundError(_("Appeal {id} is not among your appeals.").format(id=appeal_id)
                            if has_role(actor, Role.CLIENT) else _("Appeal {id} does not exist.").format(id=appeal_id))
    return row[0], row[1]


def appeal_deadline(session: Session, contact: Contact) -> datetime | None:
    """Until when the contact may be appealed (``released_at`` + the wave's ``appeal_days``); None
    while it is not released."""
    if contact.released_at is None or contact.review_status != ReviewStatus.RELEASED:
        return None
    days = APPEAL_DAYS_WITHOUT_WAVE
    if contact.wave_id is not None:
        wave = session.get(Wave, contact.wave_id)
        days = wave.appeal_days if wave is not None else APPEAL_DAYS_WITHOUT_WAVE
    return contact.released_at + timedelta(days=days)


def answered_criteria(session: Session, contact: Contact) -> list[Criterion]:
    """The contact's checklist items that have an answer (a value or N/A), in checklist order:
    the items a client may appeal."""
    answered = {a.criterion_id for a in session.exec(select(Answer).where(Answer.contact_id == contact.id)).all()
                if a.is_na or a.value is not None}
    return [c for c in applicable_criteria(session, contact) if c.id in answered]


@dataclass(frozen=True)
class AppealWindow:
    """What the contact page offers a client: until when, and which items (empty when closed)."""

    deadline: datetime | None
    is_open: bool
    criteria: tuple[Criterion, ...]


def appeal_window(*, session: Session, actor, contact_id: int, now: datetime | None = None) -> AppealWindow:
    """Whether ``actor`` (a client) may appeal the contact now, until when, and which items."""
    ensure_role(actor, *APPELLANTS, action="appeal results")
    contact = _visible_contact(session, actor, contact_id)
    deadline = appeal_deadline(session, contact)
    now = now or utcnow()
    is_open = deadline is not None and now <= deadline
    return AppealWindow(deadline, is_open, tuple(answered_criteria(session, contact)) if is_open else ())


def _required_text(field: str, label: str, value: str) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationError(Problem(field, None, _("is required: say why"), label=label))
    if issue := text_problem(text):
        raise ValidationError(Problem(field, shown(text), issue, label=label))
    return text


# --- opening an appeal ---------------------------------------------------------------------

def open_appeal(*, session: Session, actor, contact_id: int, criterion_id: int | None, reason: str,
                files: list[tuple[str, bytes]] | tuple = (), now: datetime | None = None) -> Appeal:
    """A client's appeal of one answered item (``criterion_id``) or of the timing (None).

    Args:
        files: optional evidence ``(file name, content)``, checked as every evidence upload
            (``journeys.fieldwork.evidence.inspect_evidence``) and stored as the contact's evidence.

    Raises:
        PermissionDenied: not a client user; the contact is not among its results (also when it
            does not exist, is not released or is another brand's).
        ValidationError: the window has closed, an empty reason, an item that is not one of the
            contact's answered items, an appeal of the same item already open, a refused file.
    """
    ensure_role(actor, *APPELLANTS, action="appeal results")
    now = now or utcnow()
    contact = _visible_contact(session, actor, contact_id)
    deadline = appeal_deadline(session, contact)
    if deadline is None or now > deadline:
        raise ValidationError(Problem(
            "appeal window", _local_day(deadline) if deadline else None,
            _("has closed: contact {id} could be appealed until then").format(id=contact_id),
            label=_("appeal window")))
    reason = _required_text("reason", _("reason"), reason)
    if criterion_id is not None:
        allowed = answered_criteria(session, contact)
        if criterion_id not in {c.id for c in allowed}:
            raise ValidationError(Problem(
                "criterion", criterion_id,
                _("is not an answered item of contact {id}; choose one of {codes} or the timing").format(
                    id=contact_id, codes=", ".join(c.code for c in allowed) or "–"), label=_("checklist item")))
    pending = session.exec(select(Appeal.id).where(
        Appeal.contact_id == contact_id,
        Appeal.criterion_id.is_(None) if criterion_id is None else Appeal.criterion_id == criterion_id,
        Appeal.status.not_in([s.value for s in DECIDED_APPEALS]))).first()
    if pending is not None:
        raise ValidationError(Problem(
            "criterion", _("the timing") if criterion_id is None else criterion_id,
            _("already has an open appeal ({id}); wait for its decision").format(id=pending),
            label=_("checklist item")))
    files = list(files or [])
    if len(files) > MAX_APPEAL_FILES:
        raise ValidationError(Problem("evidence", len(files), _("at most {n} files per appeal").format(
            n=number(MAX_APPEAL_FILES)), label=_("evidence")))
    checked = [(_safe_name(name), data, inspect_evidence(_safe_name(name), data)) for name, data in files]
    appeal = Appeal(contact_id=contact_id, criterion_id=criterion_id, opened_by_id=actor.id, opened_at=now,
                    reason=reason, status=AppealStatus.OPEN.value)
    session.add(appeal)
    session.flush()
    log = []
    seen = set()
    for name, data, check in checked:
        digest = hashlib.sha256(data).hexdigest()
        existing = session.exec(select(Evidence.id).where(Evidence.contact_id == contact_id,
                                                         Evidence.sha256 == digest)).first()
        if existing is None:
            evidence = Evidence(contact_id=contact_id, file_name=name, media_type=check.media_type,
                                size_bytes=len(data), sha256=digest, content=data, uploaded_by_id=actor.id,
                                uploaded_at=now, thumbnail=check.thumbnail,
                                thumbnail_media_type=check.thumbnail_media_type)
            session.add(evidence)
            session.flush()
            existing = evidence.id
            log.append(("update", "evidence", None, f"{name} ({check.media_type}, sha256 {digest[:12]}…)"))
        if existing not in seen:  # the same file twice, or one the contact holds already: linked once
            session.add(AppealEvidence(appeal_id=appeal.id, evidence_id=existing))
            seen.add(existing)
    session.flush()
    _log(session, actor, contact_id, log, now)
    trail.record(session, contact_id=contact_id, action=ReviewAction.APPEALED, actor=actor, comment=reason,
                 appeal_id=appeal.id, at=now)
    return appeal


def _safe_name(name: str) -> str:
    return (name or "evidence").replace("/", "_").replace("\\", "_")[:255]


def _local_day(moment: datetime) -> str:
    from journeys.local_time import local_text

    return local_text(moment, "dd MMM y HH:mm")


# --- the conversation ----------------------------------------------------------------------

def _undecided(appeal: Appeal, *, expected: AppealStatus | None = None) -> None:
    if appeal.status in DECIDED_APPEALS:
        raise ValidationError(Problem("appeal", appeal.id, _("is decided ({status}) and final").format(
            status=appeal_status_label(appeal.status).lower()), label=_("appeal")))
    if expected is not None and appeal.status != expected:
        raise ValidationError(Problem("appeal", appeal.id, _("is {status}, not {expected}").format(
            status=appeal_status_label(appeal.status).lower(), expected=appeal_status_label(expected).lower()),
            label=_("appeal")))


def query_client(*, session: Session, actor, appeal_id: int, question: str, now: datetime | None = None) -> Appeal:
    """A reviewer asks the client for more; the appeal waits for the client.

    Raises:
        PermissionDenied: not a reviewer.
        ValidationError: an empty question; the appeal is decided or already waiting.
    """
    ensure_role(actor, *REVIEWERS, action="decide appeals")
    appeal, contact = _visible_appeal(session, actor, appeal_id)
    _undecided(appeal, expected=AppealStatus.OPEN)
    question = _required_text("question", _("question"), question)
    appeal.status = AppealStatus.WAITING_CLIENT.value
    session.add(appeal)
    session.flush()
    trail.record(session, contact_id=contact.id, action=ReviewAction.APPEAL_QUERIED, actor=actor, comment=question,
                 appeal_id=appeal.id, at=now)
    return appeal


def answer_query(*, session: Session, actor, appeal_id: int, answer: str, now: datetime | None = None) -> Appeal:
    """The client answers the reviewer's question; the appeal is open for a decision again.

    Raises:
        PermissionDenied: not a client user.
        NotFoundError: not an appeal of the client's results.
        ValidationError: an empty answer; the appeal is not waiting for the client.
    """
    ensure_role(actor, *APPELLANTS, action="appeal results")
    appeal, contact = _visible_appeal(session, actor, appeal_id)
    _undecided(appeal, expected=AppealStatus.WAITING_CLIENT)
    answer = _required_text("answer", _("answer"), answer)
    appeal.status = AppealStatus.OPEN.value
    session.add(appeal)
    session.flush()
    trail.record(session, contact_id=contact.id, action=ReviewAction.APPEAL_ANSWERED, actor=actor, comment=answer,
                 appeal_id=appeal.id, at=now)
    return appeal


# --- deciding -----------------------------------------------------------------------------

def _InTransaction(session: Session) -> OnConnection:
    """The session's own connection, for the frame readers (``journeys.fieldwork.frames.OnConnection``)."""
    return OnConnection(session.connection())


def contact_score(session: Session, contact_id: int, *, as_of: datetime | None = None) -> float | None:
    """The contact's final score as every figure computes it (``scoring.pipeline.scored_contacts``
    of its contact, answer and criteria frames), read within the session's transaction; None
    when it has nothing to score."""
    source = _InTransaction(session)
    flt = ContactFilter(contact_ids=(contact_id,), include_drafts=True, include_unreleased=True)
    contacts = read_contacts(source, flt)
    if contacts.empty:
        return None
    answers = read_answers(source, [contact_id], comments=False)
    criteria = read_criteria(source, contacts["version_id"].tolist())
    scored = scored_contacts(contacts, answers, criteria, as_of or datetime.now(UTC))
    final = scored["final_score"].iloc[0]
    return None if pd.isna(final) else float(final)


def decide_appeal(*, session: Session, actor, appeal_id: int, upheld: bool, decision: str,
                  new_value: float | None = None, is_na: bool = False, timing: dict | None = None,
                  now: datetime | None = None) -> Appeal:
    """Decide an appeal, for good.

    Upheld: the disputed answer becomes ``new_value`` (or N/A with ``is_na``), or — for a timing
    appeal — the fields of ``timing`` (``TIMING_FIELDS``) take their new values; the contact is
    rescored and the scores before and after kept on the appeal. Rejected: nothing changes but
    the appeal, which keeps the reviewer's ``decision`` as its reason.

    Raises:
        PermissionDenied: not a reviewer.
        ValidationError: an empty decision reason; the appeal is already decided; an upheld
            appeal without a change, or with a value the item (or the timing rules) does not allow.
    """
    ensure_role(actor, *REVIEWERS, action="decide appeals")
    now = now or utcnow()
    appeal, contact = _visible_appeal(session, actor, appeal_id)
    _undecided(appeal)
    decision = _required_text("decision", _("decision"), decision)
    if not upheld:
        appeal.status = AppealStatus.REJECTED.value
        _decided(session, appeal, actor, decision, now)
        trail.record(session, contact_id=contact.id, action=ReviewAction.APPEAL_REJECTED, actor=actor,
                     comment=decision, appeal_id=appeal.id, at=now)
        return appeal

    before = contact_score(session, contact.id, as_of=now)
    if appeal.criterion_id is not None:
        log = _change_answer(session, contact, appeal.criterion_id, new_value, is_na)
    else:
        log = _change_timing(session, contact, timing or {}, now)
    session.execute(sa.update(Contact).where(Contact.id == contact.id).values(updated_at=now,
                                                                             updated_by_id=actor.id))
    session.flush()
    session.expire(contact)
    after = contact_score(session, contact.id, as_of=now)
    if before != after:
        log.append(("update", "final_score", _score_text(before), _score_text(after)))
    _log(session, actor, contact.id, log, now)
    appeal.status = AppealStatus.UPHELD.value
    appeal.score_before, appeal.score_after = before, after
    _decided(session, appeal, actor, decision, now)
    trail.record(session, contact_id=contact.id, action=ReviewAction.APPEAL_UPHELD, actor=actor,
                 comment=decision, appeal_id=appeal.id, at=now)
    return appeal


def _decided(session: Session, appeal: Appeal, actor, decision: str, now: datetime) -> None:
    appeal.decision, appeal.decided_by_id, appeal.decided_at = decision, actor.id, now
    session.add(appeal)
    session.flush()


def _score_text(score: float | None) -> str | None:
    return None if score is None else f"{score:.1f}"


def _answer_text(value: float | None, is_na: bool) -> str:
    # as journeys.fieldwork.contacts writes an item's change: "1", "0", "4", "N/A"
    return "N/A" if is_na else f"{value:g}"


def _change_answer(session: Session, contact: Contact, criterion_id: int, new_value, is_na: bool) -> list:
    criteria = applicable_criteria(session, contact)
    criterion = next((c for c in criteria if c.id == criterion_id), None)
    label = _("new answer")
    if new_value is None and not is_na:
        raise ValidationError(Problem("new answer", None, _("is required to uphold the appeal (a value or N/A)"),
                                      label=label))
    problems = answer_problems(criteria, [AnswerIn(criterion_id, None if is_na else new_value, is_na)],
                               complete=False)
    if problems:
        raise ValidationError(problems)
    answer = session.get(Answer, (contact.id, criterion_id))
    value = None if is_na else float(new_value)
    if answer is None:  # pragma: no cover - an appeal is opened only on an answered item
        raise ValidationError(Problem("new answer", None, _("the item has no answer to change"), label=label))
    if (answer.value, bool(answer.is_na)) == (value, is_na):
        raise ValidationError(Problem("new answer", _answer_text(value, is_na),
                                      _("is the answer already given; to keep it, reject the appeal"), label=label))
    old = _answer_text(answer.value, answer.is_na)
    answer.value, answer.is_na = value, is_na
    session.add(answer)
    session.flush()
    store_scores(session, [contact.id])  # the upheld score, in the same transaction
    return [("update", f"item:{criterion.code}", old, _answer_text(value, is_na))]


def _change_timing(session: Session, contact: Contact, timing: dict, now: datetime) -> list:
    unknown = sorted(set(timing) - set(TIMING_FIELDS))
    if unknown:
        raise ValidationError(Problem("timing", ", ".join(unknown), _("cannot be changed on appeal; allowed: {fields}")
                                      .format(fields=", ".join(field_label(f) for f in TIMING_FIELDS)),
                                      label=_("timing")))
    changes = {f: v for f, v in timing.items() if getattr(contact, f) != v}
    if not changes:
        raise ValidationError(Problem("timing", None, _("no timing changes: give the corrected times, or reject the "
                                                        "appeal"), label=_("timing")))
    merged = {f: getattr(contact, f) for f in ("started_at", "due_at", *TIMING_FIELDS)}
    merged.update(changes)
    channel = session.get(Channel, contact.channel_id)
    if channel.is_live:  # the stopwatch rule of the logging forms: wait and handling follow from the stamps
        if "wait_seconds" not in changes and "first_response_at" in changes and merged["first_response_at"]:
            merged["wait_seconds"] = round((merged["first_response_at"] - merged["started_at"]).total_seconds())
        if ("handling_seconds" not in changes and {"first_response_at", "resolved_at"} & set(changes)
                and merged["resolved_at"] and merged["first_response_at"]):
            merged["handling_seconds"] = round((merged["resolved_at"] - merged["first_response_at"]).total_seconds())
    problems = timing_problems(merged, now=now)
    if problems:
        raise ValidationError(problems)
    log = []
    for field in TIMING_FIELDS:
        old, new = getattr(contact, field), merged[field]
        if old != new:
            setattr(contact, field, new)
            log.append(("update", field, old, new))
    session.add(contact)
    session.flush()
    return log


def _log(session: Session, actor, contact_id: int, entries: list, now: datetime) -> None:
    def text(value):
        if value is None:
            return None
        return value.isoformat() if isinstance(value, datetime) else str(value)

    if entries:
        session.execute(sa.insert(ChangeLog.__table__), [
            dict(changed_at=now, user_id=actor.id, entity="contact", entity_id=contact_id, action=action,
                 field=field, old_value=text(old), new_value=text(new)) for action, field, old, new in entries])


# --- reading -------------------------------------------------------------------------------

def appeals_of(*, session: Session, actor, statuses=(), waves=(), brands=(), contact_id: int | None = None,
               oldest_first: bool = False) -> list[AppealRow]:
    """The appeals ``actor`` may read: a client those of its own results (released, within its
    grants), the agency's staff all, filtered by status, wave and brand names, or one contact's.
    Newest first, or ``oldest_first`` (a reviewer's queue).

    Raises:
        PermissionDenied: neither a client user nor agency staff (an auditor).
    """
    ensure_role(actor, *APPEAL_READERS, action="read appeals")
    opener, decider = sa.orm.aliased(User), sa.orm.aliased(User)
    query = (select(Appeal, Brand.name, Wave.name, Criterion.code, Criterion.text, opener.username,
                    decider.username)
             .join(Contact, Contact.id == Appeal.contact_id)
             .join(Brand, Brand.id == Contact.brand_id)
             .outerjoin(Wave, Wave.id == Contact.wave_id)
             .outerjoin(Criterion, Criterion.id == Appeal.criterion_id)
             .outerjoin(opener, opener.id == Appeal.opened_by_id)
             .outerjoin(decider, decider.id == Appeal.decided_by_id)
             .where(contact_visible_to(actor)))
    if statuses:
        query = query.where(Appeal.status.in_([AppealStatus(s).value for s in statuses]))
    if waves:
        query = query.where(Wave.name.in_(list(waves)))
    if brands:
        query = query.where(Brand.name.in_(list(brands)))
    if contact_id is not None:
        query = query.where(Appeal.contact_id == contact_id)
    order = (Appeal.opened_at, Appeal.id) if oldest_first else (Appeal.opened_at.desc(), Appeal.id.desc())
    rows = session.exec(query.order_by(*order)).all()
    return [AppealRow(
        id=a.id, contact_id=a.contact_id, brand=brand, wave=wave, criterion_id=a.criterion_id, criterion_code=code,
        criterion_text=text, reason=a.reason, status=a.status, opened_at=a.opened_at, opened_by=by,
        decided_at=a.decided_at, decided_by=decided_by, decision=a.decision, score_before=a.score_before,
        score_after=a.score_after) for a, brand, wave, code, text, by, decided_by in rows]


def appeal_history(*, session: Session, actor, appeal_id: int) -> list[HistoryStep]:
    """The appeal's steps, oldest first: opened, questions and answers, the decision.

    A client reads the agency's steps without the reviewer's account name ("the agency"): it sees
    what was decided and why, not who at the agency did it.
    """
    ensure_role(actor, *APPEAL_READERS, action="read appeals")
    appeal, _contact = _visible_appeal(session, actor, appeal_id)
    rows = session.exec(select(ReviewEvent, User.username, User.role).outerjoin(User, User.id == ReviewEvent.user_id)
                        .where(ReviewEvent.appeal_id == appeal.id)
                        .order_by(ReviewEvent.occurred_at, ReviewEvent.id)).all()
    client = has_role(actor, Role.CLIENT)
    return [HistoryStep(event.action, event.occurred_at,
                        _("the agency") if client and role != Role.CLIENT else name, event.comment)
            for event, name, role in rows]


def changed_on_appeal(*, session: Session, actor) -> pd.DataFrame:
    """Per contact ``actor`` may read with an appeal: ``appeals`` (opened), ``answers_changed``
    and ``timings_changed`` (upheld appeals of an item, of the timing) — one aggregate query.

    The input of ``scoring.appeals.appeal_rates`` and of the dashboards' note "2 answers changed on
    appeal in this wave"."""
    ensure_role(actor, *APPEAL_READERS, action="read appeals")
    upheld = Appeal.status == AppealStatus.UPHELD.value
    query = (sa.select(Appeal.contact_id,
                       sa.func.count().label("appeals"),
                       sa.func.sum(sa.case((upheld & Appeal.criterion_id.is_not(None), 1), else_=0)).label(
                           "answers_changed"),
                       sa.func.sum(sa.case((upheld & Appeal.criterion_id.is_(None), 1), else_=0)).label(
                           "timings_changed"))
             .join(Contact, Contact.id == Appeal.contact_id)
             .where(contact_visible_to(actor))
             .group_by(Appeal.contact_id))
    rows = session.execute(query).all()
    frame = pd.DataFrame(rows, columns=["contact_id", "appeals", "answers_changed", "timings_changed"])
    return frame.astype({c: "int64" for c in frame.columns})


def appeal_rate_table(*, engine, actor, by=("wave", "brand")) -> pd.DataFrame:
    """The appeal figures (``scoring.appeals.appeal_rates``) per ``by`` over the released contacts
    ``actor`` may read: a client's own scope only, the agency's staff every brand."""
    from data.db import read_scope
    from journeys.accounts.scope import client_scope
    from scoring.appeals import appeal_rates

    ensure_role(actor, *APPEAL_READERS, action="read appeals")
    with read_scope(engine) as session:
        scope = client_scope(session=session, actor=actor)
        counts = changed_on_appeal(session=session, actor=actor)
    contacts = read_contacts(engine, ContactFilter(scope=scope))
    return appeal_rates(contacts, counts, by=by)
