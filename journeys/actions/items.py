"""Action items: reading them (list, one in detail, a summary) and working on them (status,
comments, owner, due date), each for a signed-in ``actor``.

- Who: ``ACTION_READERS`` read action plans; ``ACTION_WORKERS`` (client users, the agency's
  managers and admins) start, finish, reject and comment; ``ACTION_VERIFIERS`` verify or send
  back a done action (``journeys.actions.states``); managers and admins set owner and due date.
- What a client sees: the actions of its grants only (``journeys.accounts.scope``: a brand, a
  region of one, a location of one). An action outside its scope is refused with the same sentence
  as one that does not exist ("Action 12 is not among your actions."), so no refusal tells it
  another brand has an action there, let alone which brand.
- Each change is one transaction of the caller (``data.db.write_scope``): the action row, its
  history step (``ActionEvent``) and the change log, or nothing.
"""

from dataclasses import dataclass
from datetime import date, datetime

import pandas as pd
import sqlalchemy as sa
from sqlmodel import Session, select

from journeys.accounts.access import (
    ACTION_READERS,
    ACTION_VERIFIERS,
    ACTION_WORKERS,
    can_read_contact,
    ensure_role,
    has_role,
)
from journeys.actions.states import InvalidMove, may_make, move_to
from journeys.errors import NotFoundError, PermissionDenied, Problem, ValidationError
from journeys.language import _, day_text, number, pgettext
from journeys.limits import shown, text_problem
from journeys.local_time import LOCAL_ZONE, duration
from journeys.models import (
    ActionEvent,
    ActionItem,
    ActionStatus,
    Brand,
    ChangeLog,
    Channel,
    ClientGrant,
    Contact,
    Criterion,
    Evidence,
    Journey,
    JourneyChannel,
    Location,
    Role,
    RuleKind,
    User,
    Wave,
    utcnow,
)

# Still to be acted on: these may be overdue.
WORKING = frozenset({ActionStatus.OPEN, ActionStatus.IN_PROGRESS})
# Who sets an action's owner and due date: the agency's managers and admins (``ACTION_VERIFIERS``).
ACTION_PLANNERS = ACTION_VERIFIERS

LIST_COLUMNS = ("id", "found", "brand", "location", "journey", "channel", "wave", "item", "owner", "due_on",
                "status", "status_text", "overdue", "days_overdue", "created", "done", "verified", "follow_up")


def status_label(status: str) -> str:
    """An action status in words, in the current language ("In progress"). With a context: an
    action's "Done" (afgerond) is not fieldwork's "Done" (gedaan), nor is its "Rejected"
    (afgewezen) an appeal's (ongegrond)."""
    try:
        status = ActionStatus(status)
    except ValueError:
        return status
    return {ActionStatus.OPEN: pgettext("action status", "Open"),
            ActionStatus.IN_PROGRESS: pgettext("action status", "In progress"),
            ActionStatus.DONE: pgettext("action status", "Done"),
            ActionStatus.VERIFIED: pgettext("action status", "Verified"),
            ActionStatus.REJECTED: pgettext("action status", "Rejected")}[status]


def today_local(now: datetime | None = None) -> date:
    """Today's date where the client works (the installation's zone): due dates are local days."""
    return (now or utcnow()).astimezone(LOCAL_ZONE).date()


def _not_yours(action_id: int) -> PermissionDenied:
    return PermissionDenied(_("Action {id} is not among your actions.").format(id=action_id))


def action_visible_to(actor) -> sa.ColumnElement[bool]:
    """A WHERE condition on ``action_item``: every action for the agency's readers, the actions
    within one of a client user's grants (whole brand; a region's locations; one location), and
    nothing for anyone else. An action of no location (a journey's channel gap) is a client's
    only through a grant of the whole brand."""
    role = getattr(actor, "role", None)
    if role in {Role.MANAGER, Role.REVIEWER, Role.ADMIN} and has_role(actor, *ACTION_READERS):
        return sa.true()
    if role != Role.CLIENT:
        return sa.false()
    location = sa.orm.aliased(Location)
    return sa.exists().where(
        ClientGrant.user_id == actor.id,
        ClientGrant.brand_id == ActionItem.brand_id,
        sa.or_(ClientGrant.location_id.is_(None), ClientGrant.location_id == ActionItem.location_id),
        sa.or_(ClientGrant.region == "",
               sa.exists().where(location.id == ActionItem.location_id, location.region == ClientGrant.region)
               .correlate(ActionItem, ClientGrant)),
    )


def _visible_action(session: Session, actor, action_id) -> ActionItem:
    try:
        action_id = int(action_id)
    except (TypeError, ValueError):
        raise ValidationError(Problem("action", action_id, _("must be an action number"), label=_("action"))) from None
    action = session.exec(select(ActionItem).where(ActionItem.id == action_id, action_visible_to(actor))).first()
    if action is None:
        if has_role(actor, Role.CLIENT) or session.get(ActionItem, action_id) is not None:
            raise _not_yours(action_id)
        raise NotFoundError(_("Action {id} does not exist.").format(id=action_id))
    return action


# --- what was found, in words ----------------------------------------------------------------

def found_text(kind: str, *, measured: float | None, threshold: float | None, item: str | None = None,
               wave: str | None = None, channel: str | None = None, target_s: float | None = None) -> str:
    """What an action was found for, in words: "Knock-out item 'Greets within 10 s' failed",
    "Score 42.0 below 60", "First response 3.2 h late (target 1 h)", "Channel gap 18.5 points in
    2026-Q3 (lowest: E-mail)". ``measured`` is the figure found: the score, the seconds past the
    first-response target, the gap in points."""
    kind = RuleKind(kind)
    if kind is RuleKind.CRITICAL_FAIL:
        return _("Knock-out item '{item}' failed").format(item=item or "–")
    if kind is RuleKind.SCORE_BELOW:
        return _("Score {score} below {threshold}").format(
            score=number(measured, 1) if measured is not None else "–",
            threshold=number(threshold, 0 if threshold is None or float(threshold).is_integer() else 1)
            if threshold is not None else "–")
    if kind is RuleKind.RESPONSE_LATE:
        if target_s:
            return _("First response {late} late (target {target})").format(late=duration(measured),
                                                                            target=duration(target_s))
        return _("First response {late} late").format(late=duration(measured))
    text = _("Channel gap {gap} points in {wave}").format(gap=number(measured, 1) if measured is not None else "–",
                                                          wave=wave or "–")
    if channel:
        text += " " + _("(lowest: {channel})").format(channel=channel)
    return text


# --- reading ----------------------------------------------------------------------------------

def _query(actor):
    owner = sa.orm.aliased(User)
    return (select(ActionItem, Brand.name, Location.name, Journey.name, Channel.name, Channel.label, Wave.name,
                   Criterion.code, Criterion.text, owner.display_name, owner.username,
                   JourneyChannel.first_response_target_seconds)
            .join(Brand, Brand.id == ActionItem.brand_id)
            .join(Journey, Journey.id == ActionItem.journey_id)
            .outerjoin(Location, Location.id == ActionItem.location_id)
            .outerjoin(Channel, Channel.id == ActionItem.channel_id)
            .outerjoin(Wave, Wave.id == ActionItem.wave_id)
            .outerjoin(Criterion, Criterion.id == ActionItem.criterion_id)
            .outerjoin(owner, owner.id == ActionItem.owner_id)
            .outerjoin(JourneyChannel, (JourneyChannel.journey_id == ActionItem.journey_id)
                       & (JourneyChannel.channel_id == ActionItem.channel_id))
            .where(action_visible_to(actor)))


def _row(result, today: date) -> dict:
    (action, brand, location, journey, channel, channel_label, wave, code, text, owner_name, owner_user,
     target) = result
    item = f"{code} · {text}" if code else None
    channel_name = channel_label or channel
    status = ActionStatus(action.status)
    overdue = status in WORKING and action.due_on < today
    return dict(
        id=action.id, found=found_text(action.kind, measured=action.measured, threshold=action.threshold,
                                       item=text, wave=wave, channel=channel_name, target_s=target),
        kind=action.kind, brand=brand, location=location, journey=journey, channel=channel_name, wave=wave,
        item=item, owner=(owner_name or owner_user) if action.owner_id else _("No owner yet"),
        owner_id=action.owner_id, due_on=action.due_on, status=status.value, status_text=status_label(status),
        overdue=overdue, days_overdue=(today - action.due_on).days if overdue else 0,
        created=action.created_at, done=action.done_at, verified=action.verified_at,
        contact_id=action.contact_id, criterion_id=action.criterion_id, location_id=action.location_id,
        wave_id=action.wave_id, brand_id=action.brand_id, status_reason=action.status_reason)


def _session(session_or_engine):
    from contextlib import nullcontext

    from data.db import read_scope

    if isinstance(session_or_engine, Session):
        return nullcontext(session_or_engine)
    return read_scope(session_or_engine)


def action_list(session_or_engine, actor, *, status=None, brand_id: int | None = None,
                location_id: int | None = None, wave_id: int | None = None, only_overdue: bool = False,
                today: date | None = None, follow_up: bool = True) -> pd.DataFrame:
    """The actions ``actor`` may read, one row each (``LIST_COLUMNS``, the ids behind them, and the
    follow-up as data: ``fixed_in`` the next wave's name, ``fixed`` True/False/None), overdue
    first, then by due date.

    Args:
        status: one status or several (``ActionStatus`` values); None: all.
        only_overdue: only actions past their due date (local day) and still open or in progress.
        today: the local day overdue is measured against (default: today in the installation's zone).
        follow_up: add the follow-up column ("Fixed in 2026-Q4: yes (n = 3)").

    Raises:
        PermissionDenied: the actor may not read action plans.
        ValidationError: an unknown status.
    """
    ensure_role(actor, *ACTION_READERS, action="read action plans")
    today = today or today_local()
    statuses = _statuses(status)
    with _session(session_or_engine) as session:
        query = _query(actor)
        if statuses:
            query = query.where(ActionItem.status.in_([s.value for s in statuses]))
        if brand_id is not None:
            query = query.where(ActionItem.brand_id == int(brand_id))
        if location_id is not None:
            query = query.where(ActionItem.location_id == int(location_id))
        if wave_id is not None:
            query = query.where(ActionItem.wave_id == int(wave_id))
        if only_overdue:
            query = query.where(ActionItem.status.in_([s.value for s in WORKING]), ActionItem.due_on < today)
        rows = [_row(r, today) for r in session.exec(query.order_by(ActionItem.due_on, ActionItem.id)).all()]
        checks = {}
        if follow_up and rows:
            from journeys.actions.follow_up import follow_up_checks

            checks = follow_up_checks(session, [r["id"] for r in rows])
    frame = pd.DataFrame(rows, columns=[*LIST_COLUMNS, "kind", "owner_id", "contact_id", "criterion_id",
                                        "location_id", "wave_id", "brand_id", "status_reason"])
    from journeys.actions.follow_up import check_text

    frame["follow_up"] = [check_text(*checks[i]) if i in checks else "" for i in frame["id"]]
    # the follow-up as data: the next wave's name and whether it found the finding fixed (None: not measured)
    frame["fixed_in"] = [checks[i][0] if i in checks else None for i in frame["id"]]
    frame["fixed"] = pd.Series([checks[i][1].fixed if i in checks else None for i in frame["id"]], dtype=object)
    if not frame.empty:
        frame = frame.sort_values(["overdue", "due_on", "id"], ascending=[False, True, True], kind="stable")
    return frame.reset_index(drop=True)


def _statuses(status) -> tuple[ActionStatus, ...]:
    if status is None or status == ():
        return ()
    values = [status] if isinstance(status, str) else list(status)
    try:
        return tuple(ActionStatus(v) for v in values)
    except ValueError:
        bad = next(v for v in values if v not in {s.value for s in ActionStatus})
        raise ValidationError(Problem("status", bad, _("is not an action status; allowed: {allowed}").format(
            allowed=", ".join(s.value for s in ActionStatus)), label=_("status"))) from None


@dataclass(frozen=True)
class HistoryStep:
    """One step of an action's history: when, who (None: a removed account), the status change
    (None, None for a comment) and the text (the reason or the comment), as plain text."""

    occurred_at: datetime
    by: str | None
    from_status: str | None
    to_status: str | None
    text: str
    field: str | None = None  # "owner_id" or "due_on": the owner or the due date was changed (text: the new one)

    @property
    def what(self) -> str:
        if self.field == "owner_id":
            return _("Owner")
        if self.field == "due_on":
            return pgettext("action", "Due date")
        if self.to_status is None:
            return _("Comment")
        return _("{old} → {new}").format(old=status_label(self.from_status), new=status_label(self.to_status))


@dataclass(frozen=True)
class ActionDetail:
    """One action as the action plan page opens it."""

    row: dict                     # the action's list row (``action_list``'s columns)
    contact_id: int | None        # the contact it was found on, if ``actor`` may read that contact
    criterion: str | None         # "C2 · Greets within 10 s"
    evidence_count: int           # the contact's evidence files (0 when the contact is not readable)
    history: tuple[HistoryStep, ...]
    follow_up: str

    @property
    def id(self) -> int:
        return self.row["id"]

    @property
    def status(self) -> str:
        return self.row["status"]


def get_action(session: Session, actor, action_id: int, *, today: date | None = None) -> ActionDetail:
    """One action in detail: what was found, the contact (only if ``actor`` may read it), the item,
    the evidence count, the history oldest first and the follow-up.

    Raises:
        PermissionDenied: the actor may not read action plans; a client, for an action outside
            its scope or one that does not exist.
        NotFoundError: (agency) no such action.
    """
    ensure_role(actor, *ACTION_READERS, action="read action plans")
    action = _visible_action(session, actor, action_id)
    result = session.exec(_query(actor).where(ActionItem.id == action.id)).first()
    row = _row(result, today or today_local())
    contact_id = None
    evidence = 0
    if action.contact_id is not None:
        contact = session.get(Contact, action.contact_id)
        if contact is not None and can_read_contact(actor, contact):
            contact_id = contact.id
            evidence = session.exec(select(sa.func.count()).select_from(Evidence)
                                    .where(Evidence.contact_id == contact.id)).one()
    from journeys.actions.follow_up import follow_up_texts

    return ActionDetail(row=row, contact_id=contact_id, criterion=row["item"], evidence_count=int(evidence),
                        history=tuple(action_history(session, actor, action.id)),
                        follow_up=follow_up_texts(session, [action.id]).get(action.id, ""))


def action_history(session: Session, actor, action_id: int) -> list[HistoryStep]:
    """The action's steps, oldest first (status changes with their reasons, and comments); a
    client reads the agency's steps as "the agency"."""
    ensure_role(actor, *ACTION_READERS, action="read action plans")
    action = _visible_action(session, actor, action_id)
    rows = session.exec(select(ActionEvent, User.display_name, User.username, User.role)
                        .outerjoin(User, User.id == ActionEvent.user_id)
                        .where(ActionEvent.action_id == action.id)
                        .order_by(ActionEvent.occurred_at, ActionEvent.id)).all()
    client = has_role(actor, Role.CLIENT)

    def by(event, name, user, role):
        if event.user_id is None:
            return None
        # as in an appeal's history: a client reads what the agency did, not which of its staff did it
        return _("the agency") if client and role != Role.CLIENT else (name or user)

    steps = [HistoryStep(e.occurred_at, by(e, name, user, role), e.from_status, e.to_status, e.text)
             for e, name, user, role in rows]
    # owner and due-date changes are read from the change log, worded in the reader's language now
    changes = session.exec(select(ChangeLog, User.display_name, User.username, User.role)
                           .outerjoin(User, User.id == ChangeLog.user_id)
                           .where(ChangeLog.entity == "action_item", ChangeLog.entity_id == action.id,
                                  ChangeLog.field.in_(["owner_id", "due_on"]))).all()
    owner_ids = {int(c.new_value) for c, *_rest in changes if c.field == "owner_id" and c.new_value}
    owners = {u.id: u.display_name or u.username
              for u in session.exec(select(User).where(User.id.in_(owner_ids))).all()} if owner_ids else {}
    for change, name, user, role in changes:
        if change.field == "owner_id":
            text = owners.get(int(change.new_value), "–") if change.new_value else _("No owner yet")
        else:
            text = day_text(date.fromisoformat(change.new_value))
        steps.append(HistoryStep(change.changed_at, by(change, name, user, role), None, None, text, change.field))
    return sorted(steps, key=lambda step: step.occurred_at)


# --- working on an action ---------------------------------------------------------------------

def _text(field: str, label: str, value: str, *, required: bool) -> str:
    text = (value or "").strip()
    if not text:
        if required:
            raise ValidationError(Problem(field, None, _("is required: say why"), label=label))
        return ""
    if issue := text_problem(text):
        raise ValidationError(Problem(field, shown(text), issue, label=label))
    return text


def _log(session: Session, actor, action_id: int, entries: list, now: datetime) -> None:
    def text(value):
        if value is None:
            return None
        return value.isoformat() if isinstance(value, datetime | date) else str(value)

    if entries:
        session.execute(sa.insert(ChangeLog.__table__), [
            dict(changed_at=now, user_id=actor.id, entity="action_item", entity_id=action_id, action="update",
                 field=field, old_value=text(old), new_value=text(new)) for field, old, new in entries])


def set_status(session: Session, actor, action_id: int, to_status: str, reason: str = "", *,
               now: datetime | None = None) -> ActionItem:
    """Move an action to ``to_status`` (``journeys.actions.states``), with ``reason`` where the
    move needs one (reject, send back): done sets ``done_at``, verified ``verified_at`` and
    ``verified_by_id``; the history and the change log get the step.

    Raises:
        PermissionDenied: the actor may not work on (or verify) actions, or the action is not theirs.
        ValidationError: an unknown status, a move the status does not allow, a missing reason.
    """
    ensure_role(actor, *ACTION_WORKERS, action="work on actions")
    now = now or utcnow()
    try:
        target = ActionStatus(to_status)
    except ValueError:
        raise ValidationError(Problem("status", to_status, _("is not an action status; allowed: {allowed}").format(
            allowed=", ".join(s.value for s in ActionStatus)), label=_("status"))) from None
    action = _visible_action(session, actor, action_id)
    current = ActionStatus(action.status)
    try:
        move = move_to(current, target)
    except InvalidMove:
        from journeys.actions.states import next_statuses

        allowed = ", ".join(status_label(s).lower() for s in next_statuses(current)) or _("none: it is final")
        raise ValidationError(Problem("status", status_label(target).lower(), _(
            "cannot follow {current}; allowed: {allowed}").format(current=status_label(current).lower(),
                                                                  allowed=allowed), label=_("status"))) from None
    if not may_make(actor, move):
        ensure_role(actor, *move.roles, action="verify actions")
    reason = _text("reason", _("reason"), reason, required=move.needs_reason)
    log = [("status", current.value, target.value)]
    action.status = target.value
    if move.needs_reason:
        log.append(("status_reason", action.status_reason, reason))
        action.status_reason = reason
    if target is ActionStatus.DONE:
        action.done_at = now
    if target is ActionStatus.VERIFIED:
        action.verified_at, action.verified_by_id = now, actor.id
    action.updated_at = now
    session.add(action)
    session.add(ActionEvent(action_id=action.id, occurred_at=now, user_id=actor.id, from_status=current.value,
                            to_status=target.value, text=reason))
    session.flush()
    _log(session, actor, action.id, log, now)
    return action


def add_comment(session: Session, actor, action_id: int, text: str, *, now: datetime | None = None) -> ActionEvent:
    """A comment on the action's history (also on a final one: the conversation may go on).

    Raises:
        PermissionDenied: the actor may not work on actions, or the action is not theirs.
        ValidationError: an empty or over-long comment.
    """
    ensure_role(actor, *ACTION_WORKERS, action="work on actions")
    now = now or utcnow()
    action = _visible_action(session, actor, action_id)
    text = (text or "").strip()
    if not text:
        raise ValidationError(Problem("comment", None, _("is required: write something"), label=_("comment")))
    if issue := text_problem(text):
        raise ValidationError(Problem("comment", shown(text), issue, label=_("comment")))
    event = ActionEvent(action_id=action.id, occurred_at=now, user_id=actor.id, text=text)
    action.updated_at = now
    session.add_all([event, action])
    session.flush()
    return event


def eligible_owners(session: Session, action: ActionItem) -> list[User]:
    """The active client users granted on the action's brand (whole brand), its location's region
    or its location: who may own it."""
    location = session.get(Location, action.location_id) if action.location_id else None
    within = sa.or_(
        sa.and_(ClientGrant.region == "", ClientGrant.location_id.is_(None)),
        *([ClientGrant.location_id == location.id] if location else []),
        *([sa.and_(ClientGrant.region == location.region, ClientGrant.location_id.is_(None))]
          if location and location.region else []))
    return list(session.exec(select(User).join(ClientGrant, ClientGrant.user_id == User.id)
                             .where(ClientGrant.brand_id == action.brand_id, within, User.active,
                                    User.role == Role.CLIENT.value)
                             .distinct().order_by(User.display_name, User.username)).all())


def assign_owner(session: Session, actor, action_id: int, owner_id: int | None, *,
                 now: datetime | None = None) -> ActionItem:
    """Give the action to ``owner_id`` (None: nobody): an active client user granted on its brand
    or location (``eligible_owners``).

    Raises:
        PermissionDenied: not a manager or admin.
        ValidationError: the user is not one who may own it.
    """
    ensure_role(actor, *ACTION_PLANNERS, action="work on actions")
    now = now or utcnow()
    action = _visible_action(session, actor, action_id)
    if owner_id is not None:
        allowed = eligible_owners(session, action)
        if int(owner_id) not in {u.id for u in allowed}:
            raise ValidationError(Problem("owner", owner_id, _(
                "must be an active client user granted on the action's brand or location; allowed: {allowed}").format(
                allowed=", ".join(u.username for u in allowed) or "–"), label=_("owner")))
        owner_id = int(owner_id)
    if owner_id == action.owner_id:
        return action
    _log(session, actor, action.id, [("owner_id", action.owner_id, owner_id)], now)
    action.owner_id, action.updated_at = owner_id, now
    session.add(action)
    session.flush()
    return action


def set_due_date(session: Session, actor, action_id: int, due_on: date, *, now: datetime | None = None) -> ActionItem:
    """Move the action's due date.

    Raises:
        PermissionDenied: not a manager or admin.
        ValidationError: not a date, or a date before the action was created.
    """
    ensure_role(actor, *ACTION_PLANNERS, action="work on actions")
    now = now or utcnow()
    action = _visible_action(session, actor, action_id)
    if isinstance(due_on, datetime) or not isinstance(due_on, date):
        raise ValidationError(Problem("due_on", due_on, _("must be a date"), label=_("due date")))
    created = action.created_at.astimezone(LOCAL_ZONE).date()
    if due_on < created:
        raise ValidationError(Problem("due_on", due_on.isoformat(), _(
            "must be on or after the day the action was created ({day})").format(day=created.isoformat()),
            label=_("due date")))
    if due_on == action.due_on:
        return action
    _log(session, actor, action.id, [("due_on", action.due_on, due_on)], now)
    action.due_on, action.updated_at = due_on, now
    session.add(action)
    session.flush()
    return action


# --- the summary ------------------------------------------------------------------------------

def summarise(actions: pd.DataFrame, by=("location", "item")) -> pd.DataFrame:
    """Per ``by``: ``n`` actions, ``open`` (open or in progress), ``overdue``, ``done`` and
    ``verified`` (rejected count only in ``n``); a location-less action reads "–"."""
    columns = [*by, "n", "open", "overdue", "done", "verified"]
    if actions.empty:
        return pd.DataFrame(columns=columns)
    frame = actions.assign(**{c: actions[c].fillna("–") for c in by})
    frame = frame.assign(_open=frame["status"].isin([s.value for s in WORKING]),
                         _done=frame["status"] == ActionStatus.DONE.value,
                         _verified=frame["status"] == ActionStatus.VERIFIED.value)
    grouped = frame.groupby(list(by), sort=True, dropna=False).agg(
        n=("id", "size"), open=("_open", "sum"), overdue=("overdue", "sum"), done=("_done", "sum"),
        verified=("_verified", "sum")).reset_index()
    return grouped[columns].astype({c: "int64" for c in ("n", "open", "overdue", "done", "verified")})


def action_summary(session_or_engine, actor, *, by=("location", "item"), **filters) -> pd.DataFrame:
    """Counts per location and item (or any ``by`` of ``location``, ``item``, ``kind``, ``brand``,
    ``wave``) over the actions ``actor`` may read (``action_list``'s filters)."""
    actions = action_list(session_or_engine, actor, follow_up=False, **filters)
    return summarise(actions, by=by)


def headline(actions: pd.DataFrame) -> dict[str, int]:
    """The page's headline counts: ``n``, ``open`` (open or in progress), ``overdue``, ``done``, ``verified``."""
    status = actions["status"] if not actions.empty else pd.Series([], dtype=object)
    return dict(n=len(actions), open=int(status.isin([s.value for s in WORKING]).sum()),
                overdue=int(actions["overdue"].sum()) if not actions.empty else 0,
                done=int((status == ActionStatus.DONE.value).sum()),
                verified=int((status == ActionStatus.VERIFIED.value).sum()))
