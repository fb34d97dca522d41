"""A world for action items: brand A's location with a failed item in wave 2026-Q1 and a client
user of brand A; brand B's location with an action of its own; a manager; wave 2026-Q2 after it.
Actions and rules are written directly (the rules that make them are another module's)."""

from datetime import date, timedelta

import pytest
from sqlmodel import Session, select

from data import db
from journeys.catalogue.reference import get_or_create_brand, get_or_create_wave
from journeys.models import ActionItem, ActionRule, Answer, ClientGrant, Criterion, Location, Role, User
from tests.factories import T0, make_contact, make_world


def user(session, name, role, **kw):
    account = User(username=name, display_name=name.replace("_", " ").title(), role=role.value, password_hash="x",
                   **kw)
    session.add(account)
    session.flush()
    return account


def answered_contact(session, world, values, **overrides):
    contact = make_contact(world, **overrides)
    session.add(contact)
    session.flush()
    for criterion, value in zip(world["criteria"], values, strict=False):
        session.add(Answer(contact_id=contact.id, criterion_id=criterion.id, value=float(value), is_na=False))
    session.flush()
    return contact


def build(session) -> dict:
    w = make_world(session)
    w["wave"].starts_on = date(2026, 1, 1)
    w["next_wave"] = get_or_create_wave(session=session, name="2026-Q2")
    w["next_wave"].starts_on = date(2026, 4, 1)
    w["brand_b"] = get_or_create_brand(session=session, name="Brand B")
    w["loc_a"] = Location(brand_id=w["brand"].id, name="Centrum", region="Noord")
    w["loc_a2"] = Location(brand_id=w["brand"].id, name="Station", region="Zuid")
    w["loc_b"] = Location(brand_id=w["brand_b"].id, name="Secret store")
    session.add_all([w["wave"], w["next_wave"], w["loc_a"], w["loc_a2"], w["loc_b"]])
    session.flush()
    w["criteria"] = session.exec(select(Criterion).where(Criterion.version_id == w["version"].id)
                                 .order_by(Criterion.position, Criterion.id)).all()
    w["contact"] = answered_contact(session, w, (1, 0, 1), location_id=w["loc_a"].id)
    w["contact_b"] = answered_contact(session, w, (1, 0, 1), brand_id=w["brand_b"].id, location_id=w["loc_b"].id)
    w["client"] = user(session, "client_a", Role.CLIENT)
    w["client_b"] = user(session, "client_b", Role.CLIENT)
    w["client_zuid"] = user(session, "client_zuid", Role.CLIENT)
    w["manager"] = user(session, "manager1", Role.MANAGER)
    w["admin"] = user(session, "admin1", Role.ADMIN)
    session.add_all([ClientGrant(user_id=w["client"].id, brand_id=w["brand"].id),
                     ClientGrant(user_id=w["client_b"].id, brand_id=w["brand_b"].id),
                     ClientGrant(user_id=w["client_zuid"].id, brand_id=w["brand"].id, region="Zuid")])
    w["rule"] = ActionRule(kind="critical", due_days=14)
    w["score_rule"] = ActionRule(kind="score", threshold=60.0)
    session.add_all([w["rule"], w["score_rule"]])
    session.flush()
    common = dict(rule_id=w["rule"].id, kind="critical", journey_id=w["journey"].id, wave_id=w["wave"].id,
                  channel_id=w["channels"]["email"].id, criterion_id=w["criteria"][1].id)
    w["action"] = ActionItem(finding_key=f"c:{w['contact'].id}", contact_id=w["contact"].id, brand_id=w["brand"].id,
                             location_id=w["loc_a"].id, due_on=date(2026, 3, 20), owner_id=w["client"].id, **common)
    w["action_b"] = ActionItem(finding_key=f"c:{w['contact_b'].id}", contact_id=w["contact_b"].id,
                               brand_id=w["brand_b"].id, location_id=w["loc_b"].id, due_on=date(2026, 3, 20),
                               **common)
    w["score_action"] = ActionItem(rule_id=w["score_rule"].id, finding_key=f"s:{w['contact'].id}", kind="score",
                                   contact_id=w["contact"].id, brand_id=w["brand"].id, location_id=w["loc_a"].id,
                                   journey_id=w["journey"].id, wave_id=w["wave"].id, measured=42.0, threshold=60.0,
                                   due_on=date(2026, 4, 30), status="done", created_at=T0 + timedelta(days=2))
    session.add_all([w["action"], w["action_b"], w["score_action"]])
    session.flush()
    return w


@pytest.fixture
def world(db_url):
    """Committed: ids and objects for the tests (each test writes in its own transactions)."""
    engine = db.get_engine(db_url)
    with Session(engine, expire_on_commit=False) as session:
        w = build(session)
        session.commit()
    w["engine"] = engine
    return w
