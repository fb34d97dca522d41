"""A world for appeals: brand A's released contact (three answers, score 66.7) seen by a client
user of brand A, brand B's released contact beside it, a reviewer and an auditor."""

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from data import db
from journeys.catalogue.reference import get_or_create_brand
from journeys.models import Answer, ClientGrant, Criterion, Role, User
from tests.factories import T0, make_contact, make_world

RELEASED = T0 + timedelta(days=1)
IN_WINDOW = RELEASED + timedelta(days=3)


def _user(session, name, role):
    user = User(username=name, display_name=name.title(), role=role.value, password_hash="x")
    session.add(user)
    session.flush()
    return user


def contact_with_answers(session, world, values=(1, 0, 1), **overrides):
    contact = make_contact(world, **overrides)
    session.add(contact)
    session.flush()
    criteria = session.exec(select(Criterion).where(Criterion.version_id == world["version"].id).order_by(
        Criterion.position, Criterion.id)).all()
    for criterion, value in zip(criteria, values, strict=False):
        session.add(Answer(contact_id=contact.id, criterion_id=criterion.id, value=float(value), is_na=False))
    session.flush()
    return contact


@pytest.fixture
def world(db_url):
    """Committed: ids and objects for the tests (each test writes in its own transactions)."""
    engine = db.get_engine(db_url)
    with Session(engine, expire_on_commit=False) as session:
        w = make_world(session)
        brand_b = get_or_create_brand(session=session, name="Brand B")
        contact = contact_with_answers(session, w)
        other = contact_with_answers(session, w, brand_id=brand_b.id)
        unreleased = contact_with_answers(session, w, review_status="approved", released_at=None)
        client = _user(session, "client_a", Role.CLIENT)
        session.add(ClientGrant(user_id=client.id, brand_id=w["brand"].id))
        reviewer = _user(session, "reviewer1", Role.REVIEWER)
        manager = _user(session, "manager1", Role.MANAGER)
        criteria = session.exec(select(Criterion).where(Criterion.version_id == w["version"].id).order_by(
            Criterion.position, Criterion.id)).all()
        session.commit()
    w.update(engine=engine, contact=contact, other=other, unreleased=unreleased, client=client, reviewer=reviewer,
             manager=manager, brand_b=brand_b, criteria=criteria)
    return w
