"""Which events someone is to be told about: ``Notification`` rows, once per event and user.

Run by the worker before composing (``journeys.alerts.worker.run_alerts``), never by a page.
Each kind has a key naming its event and user, and the table's unique key holds it, so running
this again, or two workers at once, adds nothing twice (``INSERT ... ON CONFLICT DO NOTHING``:
a concurrent run's row wins without an error):

- ``action:<action>:<user>`` (ACTION_NEW): an open or in-progress action, for its owner (also
  when the owner was assigned later: "new" counts from the action's last change); urgent when
  the action is (its rule is marked urgent). An action nobody owns yet (no client user's grant
  covers its place) goes to the agency's managers instead, who assign it.
- ``due_soon:<action>:<user>`` (DUE_SOON): due within ``DUE_SOON_DAYS`` days, still open or
  in progress.
- ``overdue:<action>:<user>`` (OVERDUE): the due date has passed, still open or in progress;
  and once more, ``overdue2:…``, ``SECOND_REMINDER_DAYS`` days after that first one: one reminder
  is easy to miss, a daily one would teach people to ignore the mails.
- ``appeal:<appeal>:<user>`` (APPEAL_DECIDED): an appeal was upheld or rejected, for the
  client user who opened it (in the daily digest: it is news, not an emergency).

Only active users whose alert setting is not off get notifications; new actions and
decisions older than ``RECENT_DAYS`` are left out, so switching alerts on for an installation
with history does not flood anyone. Dates are the installation's local dates.
"""

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from journeys.local_time import LOCAL_ZONE
from journeys.models import (
    DECIDED_APPEALS,
    ActionItem,
    ActionStatus,
    AlertMode,
    Appeal,
    Notification,
    NotificationKind,
    Role,
    User,
)

DUE_SOON_DAYS = 3
SECOND_REMINDER_DAYS = 7
RECENT_DAYS = 14
OPEN_ACTIONS = (ActionStatus.OPEN.value, ActionStatus.IN_PROGRESS.value)
_CHUNK = 500


def _alerted(user_column) -> list:
    """The conditions on the recipient: active and not unsubscribed."""
    return [User.id == user_column, User.active.is_(True), User.alerts != AlertMode.OFF.value]


def _candidates(session: Session, today, now: datetime) -> list[dict]:
    rows: list[dict] = []
    recent = now - timedelta(days=RECENT_DAYS)
    # "new" since its last change: an owner assigned a month later is still told
    changed = sa.func.coalesce(ActionItem.updated_at, ActionItem.created_at)
    actions = session.execute(
        sa.select(ActionItem.id, ActionItem.owner_id, ActionItem.urgent, ActionItem.due_on, changed)
        .join(User, sa.and_(*_alerted(ActionItem.owner_id)))
        .where(ActionItem.status.in_(OPEN_ACTIONS))).all()
    managers = session.execute(sa.select(User.id).where(
        User.role == Role.MANAGER.value, User.active.is_(True), User.alerts != AlertMode.OFF.value)).scalars().all()
    unowned = session.execute(
        sa.select(ActionItem.id, ActionItem.urgent)
        .where(ActionItem.status.in_(OPEN_ACTIONS), ActionItem.owner_id.is_(None),
               ActionItem.created_at >= recent)).all()
    for action_id, urgent in unowned:
        for manager_id in managers:
            rows.append(dict(key=f"action:{action_id}:{manager_id}", user_id=manager_id,
                             kind=NotificationKind.ACTION_NEW.value, action_id=action_id, urgent=bool(urgent),
                             created_at=now))
    first_overdue = dict(session.execute(
        sa.select(Notification.key, Notification.created_at).where(
            Notification.kind == NotificationKind.OVERDUE.value, Notification.key.like("overdue:%"))).all())
    for action_id, user_id, urgent, due_on, created_at in actions:
        def add(prefix, kind, is_urgent=False, _a=action_id, _u=user_id):
            rows.append(dict(key=f"{prefix}:{_a}:{_u}", user_id=_u, kind=kind.value, action_id=_a,
                             urgent=bool(is_urgent), created_at=now))
        if created_at >= recent:
            add("action", NotificationKind.ACTION_NEW, urgent)
        if today <= due_on <= today + timedelta(days=DUE_SOON_DAYS):
            add("due_soon", NotificationKind.DUE_SOON)
        if due_on < today:
            add("overdue", NotificationKind.OVERDUE)
        first = first_overdue.get(f"overdue:{action_id}:{user_id}")
        if due_on < today and first is not None and first + timedelta(days=SECOND_REMINDER_DAYS) <= now:
            add("overdue2", NotificationKind.OVERDUE)
    appeals = session.execute(
        sa.select(Appeal.id, Appeal.opened_by_id)
        .join(User, sa.and_(*_alerted(Appeal.opened_by_id), User.role == Role.CLIENT.value))
        .where(Appeal.status.in_([s.value for s in DECIDED_APPEALS]), Appeal.decided_at >= recent)).all()
    for appeal_id, user_id in appeals:
        rows.append(dict(key=f"appeal:{appeal_id}:{user_id}", user_id=user_id,
                         kind=NotificationKind.APPEAL_DECIDED.value, appeal_id=appeal_id, urgent=False,
                         created_at=now))
    return rows


def collect_notifications(session: Session, *, now: datetime) -> int:
    """Add the notifications due at ``now`` (aware) that are not there yet, in the caller's one
    transaction; returns how many were added (0 on a rerun)."""
    today = now.astimezone(LOCAL_ZONE).date()
    rows = _candidates(session, today, now)
    if not rows:
        return 0
    existing = set()
    keys = [r["key"] for r in rows]
    for start in range(0, len(keys), _CHUNK):
        existing |= set(session.execute(sa.select(Notification.key).where(
            Notification.key.in_(keys[start:start + _CHUNK]))).scalars())
    fresh = [r for r in rows if r["key"] not in existing]
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    added = 0
    columns = ("key", "user_id", "kind", "action_id", "appeal_id", "urgent", "created_at")
    for start in range(0, len(fresh), _CHUNK):
        chunk = [{c: r.get(c) for c in columns} for r in fresh[start:start + _CHUNK]]
        # RETURNING counts what was added on both databases (a driver's rowcount may not)
        added += len(session.execute(insert(Notification).values(chunk).on_conflict_do_nothing(
            index_elements=["key"]).returning(Notification.id)).all())
    return added
