"""Run the action rules: one action item per rule and finding, never twice.

``apply_rules`` reads the released contacts (the same frames the dashboards score, through
``journeys.fieldwork.frames``), evaluates the active rules with ``scoring.action_rules`` and
inserts an ``ActionItem`` for each (rule, finding key) that has none yet, in one transaction and
one bulk statement. A rerun creates nothing: the findings already acted on are skipped, and the
unique constraint on (rule, finding key) is the backstop for a second run at the same time,
whose insert skips the rows the first one wrote (``ON CONFLICT DO NOTHING``) instead of failing.

The owner of a new action is the rule's owner (while it is still an active client user with a
grant covering the finding's location: a location manager is not made owner of another
location's action), or else the active client user whose grant
covers the finding's location most narrowly (a grant on the location, then on its region, then
on the whole brand; ties: the lowest username); nobody such, and the action is left without an
owner for an agency manager to assign. It is due ``ActionRule.due_days`` after today (local time).

Run by the agency (``RULE_RUNNERS``) from the rules page or ``klantreis actions apply``, and by the
system (``actor`` None: the alert worker or cron).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from data.bulk import slices
from data.db import read_scope, write_scope
from journeys.accounts.access import RULE_RUNNERS, ensure_role
from journeys.fieldwork.contact_filter import ContactFilter
from journeys.fieldwork.frames import read_answers, read_contacts, read_criteria
from journeys.language import N_
from journeys.local_time import to_local
from journeys.models import (
    ActionItem,
    ActionRule,
    ActionStatus,
    Brand,
    Channel,
    ClientGrant,
    Contact,
    Journey,
    Location,
    Role,
    User,
    Wave,
    utcnow,
)
from scoring.action_rules import Finding, RuleSpec, findings
from scoring.metrics import MIN_CONTACTS
from scoring.pipeline import scored_contacts
from scoring.quality import answer_scores

_RUN = N_("apply the action rules now")
LOOKUP_CHUNK = 5_000  # contact ids per lookup query (``_rows``)


@dataclass(frozen=True)
class ApplyResult:
    """What a run did: the new actions' ids, how many findings the rules made, and how many of
    them already had their action (skipped; a concurrent run's rows count here too)."""

    created: tuple[int, ...]
    findings: int
    skipped_existing: int

    @property
    def created_count(self) -> int:
        return len(self.created)


@dataclass(frozen=True)
class _Grant:
    user_id: int
    username: str
    brand_id: int
    region: str
    location_id: int | None


def _grants(session: Session) -> list[_Grant]:
    rows = session.exec(
        select(ClientGrant, User.username)
        .join(User, User.id == ClientGrant.user_id)
        .where(User.role == Role.CLIENT.value, User.active.is_(True))
    ).all()
    return [_Grant(g.user_id, username, g.brand_id, g.region or "", g.location_id) for g, username in rows]


def _rank(grant: _Grant, region: str, brand_id: int, location_id: int | None) -> int | None:
    """How narrowly the grant covers the place: 0 its location, 1 its region, 2 the whole brand;
    None when it does not cover it."""
    if grant.brand_id != brand_id:
        return None
    if grant.location_id is not None:
        return 0 if grant.location_id == location_id else None
    if grant.region:
        return 1 if location_id is not None and region == grant.region else None
    return 2


def owner_for(grants: list[_Grant], regions: dict[int, str], brand_id: int, location_id: int | None,
              named: int | None = None) -> int | None:
    """The owner of an action on this place: ``named`` (the rule's owner) while one of its grants
    covers the place; else the client user granted most narrowly on it (location > region > brand;
    ties: lowest username); None when no active client user's grant covers it."""
    region = regions.get(location_id, "") if location_id is not None else ""
    covering = [(rank, grant.username, grant.user_id) for grant in grants
                if (rank := _rank(grant, region, brand_id, location_id)) is not None]
    if named is not None and any(user_id == named for _, _, user_id in covering):
        return named
    return min(covering)[2] if covering else None


def _frames(engine: Engine, as_of: datetime):
    contacts = read_contacts(engine, ContactFilter())  # released contacts only, no drafts
    answers = read_answers(engine, contacts["contact_id"].tolist(), comments=False)
    criteria = read_criteria(engine, sorted(set(contacts["version_id"].tolist())))
    return scored_contacts(contacts, answers, criteria, as_of), answer_scores(contacts, answers, criteria)


def _insert(session: Session, rows: list[dict]) -> list[int]:
    """Insert the rows, skipping any (rule, key) already there (a concurrent run); the new ids."""
    if not rows:
        return []
    dialect = session.get_bind().dialect.name
    table = ActionItem.__table__
    if dialect == "postgresql":
        statement = postgresql.insert(table).on_conflict_do_nothing(constraint="uq_action_item_finding")
    elif dialect == "sqlite":
        statement = sqlite.insert(table).on_conflict_do_nothing(index_elements=["rule_id", "finding_key"])
    else:  # pragma: no cover - the app runs on SQLite and PostgreSQL only
        statement = sa.insert(table)
    # one bulk statement (executemany with RETURNING); the rows skipped return no id
    return sorted(int(i) for i in session.execute(statement.returning(table.c.id), rows).scalars().all())


def apply_rules(engine: Engine, *, actor=None, as_of: datetime | None = None,
                rule_ids: list[int] | None = None) -> ApplyResult:
    """Create the action items the active rules call for, over the released contacts.

    Args:
        engine: the database.
        actor: the user who runs them (``RULE_RUNNERS``), or None for the system (worker, CLI).
        as_of: the moment of the run (default now): unanswered contacts are timed to it, and
            the actions are due ``due_days`` after its local date.
        rule_ids: only these rules (still only the active ones); default every active rule.

    Returns:
        ``ApplyResult``. Nothing is written when nothing is new; a rerun creates nothing.
    """
    if actor is not None:
        ensure_role(actor, *RULE_RUNNERS, action=_RUN)
    as_of = as_of or datetime.now(UTC)
    with read_scope(engine) as session:
        query = select(ActionRule).where(ActionRule.active.is_(True)).order_by(ActionRule.id)
        if rule_ids is not None:
            query = query.where(ActionRule.id.in_([int(i) for i in rule_ids]))
        rules = {r.id: r for r in session.exec(query).all()}
        brands = {b.id: b.name for b in session.exec(select(Brand)).all()}
        journeys = {j.id: j.name for j in session.exec(select(Journey)).all()}
    if not rules:
        return ApplyResult((), 0, 0)
    specs = [RuleSpec(rule_id=r.id, kind=r.kind, brand=brands.get(r.brand_id) if r.brand_id else None,
                      journey=journeys.get(r.journey_id) if r.journey_id else None, threshold=r.threshold)
             for r in rules.values()]
    # read before the write transaction: on SQLite the frames' own connections must not wait for it
    scored, items = _frames(engine, as_of)
    found = findings(specs, scored, items, min_n=MIN_CONTACTS)
    with write_scope(engine) as session:
        existing = set(session.exec(select(ActionItem.rule_id, ActionItem.finding_key)
                                    .where(ActionItem.rule_id.in_(list(rules)))).all())
        new = [f for f in found if (f.rule_id, f.key) not in existing]
        created = _insert(session, _rows(session, rules, new, as_of))
    return ApplyResult(tuple(created), len(found), len(found) - len(created))


def _rows(session: Session, rules: dict[int, ActionRule], new: list[Finding], as_of: datetime) -> list[dict]:
    """The action items' column values of the new findings, ids looked up once."""
    if not new:
        return []
    contact_ids = sorted({f.contact_id for f in new if f.contact_id is not None})
    # a slice of ids per query: a first run over a million contacts finds a hundred thousand
    contacts = {c.id: c for wanted in slices(contact_ids, LOOKUP_CHUNK)
                for c in session.exec(select(Contact).where(Contact.id.in_(wanted))).all()}
    ids = {model: {row.name: row.id for row in session.exec(select(model)).all()}
           for model in (Brand, Journey, Wave, Channel)}
    regions = {loc.id: loc.region or "" for loc in session.exec(select(Location)).all()}
    grants = _grants(session)
    today = to_local(as_of).date()
    now = utcnow()
    rows = []
    for finding in new:
        rule = rules[finding.rule_id]
        contact = contacts.get(finding.contact_id) if finding.contact_id is not None else None
        if contact is not None:
            place = dict(brand_id=contact.brand_id, location_id=contact.location_id, journey_id=contact.journey_id,
                         channel_id=contact.channel_id, wave_id=contact.wave_id)
        else:
            place = dict(brand_id=ids[Brand][finding.brand], location_id=None, journey_id=ids[Journey][finding.journey],
                         channel_id=ids[Channel].get(finding.channel), wave_id=ids[Wave].get(finding.wave))
        owner = owner_for(grants, regions, place["brand_id"], place["location_id"], named=rule.owner_id)
        rows.append(dict(rule_id=rule.id, finding_key=finding.key, kind=finding.kind, contact_id=finding.contact_id,
                         criterion_id=finding.criterion_id, measured=finding.measured, threshold=finding.threshold,
                         owner_id=owner, due_on=today + timedelta(days=int(rule.due_days)),
                         status=ActionStatus.OPEN.value, status_reason="", urgent=bool(rule.urgent),
                         created_at=now, updated_at=now, **place))
    return rows
