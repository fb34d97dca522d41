"""A world for action rules: brand A (Koopklik) with two locations in region Noord, a released
contact at Centrum whose first checklist item, a knock-out, failed, an unreleased contact with
the same failure, brand B's released contact with it too; client users granted on a location,
a region and the whole brand; a manager."""

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from data import db
from journeys.catalogue.reference import get_or_create_brand
from journeys.models import Answer, ClientGrant, Criterion, Location, Role, User
from tests.factories import T0, make_contact, make_world

AS_OF = T0 + timedelta(days=5)


def add_user(session, name, role, active=True):
    user = User(username=name, display_name=name.title(), role=role.value, password_hash="x", active=active)
    session.add(user)
    session.flush()
    return user


def contact_with_answers(session, world, values=(0, 1, 1), **overrides):
    contact = make_contact(world, **overrides)
    session.add(contact)
    session.flush()
    for criterion, value in zip(world["criteria"], values, strict=False):
        session.add(Answer(contact_id=contact.id, criterion_id=criterion.id, value=float(value), is_na=False))
    session.flush()
    return contact


@pytest.fixture
def world(db_url):
    """Committed: ids and objects for the tests."""
    engine = db.get_engine(db_url)
    with Session(engine, expire_on_commit=False) as session:
        w = make_world(session)
        criteria = session.exec(select(Criterion).where(Criterion.version_id == w["version"].id).order_by(
            Criterion.position, Criterion.id)).all()
        criteria[0].critical_policy = "flag_fail"
        session.add(criteria[0])
        w["criteria"] = criteria
        brand_b = get_or_create_brand(session=session, name="Brand B")
        centrum = Location(brand_id=w["brand"].id, name="Centrum", region="Noord")
        haven = Location(brand_id=w["brand"].id, name="Haven", region="Noord")
        session.add_all([centrum, haven])
        session.flush()
        contact = contact_with_answers(session, w, location_id=centrum.id)
        unreleased = contact_with_answers(session, w, location_id=centrum.id, review_status="approved",
                                          released_at=None)
        other = contact_with_answers(session, w, brand_id=brand_b.id)
        users = {}
        for name, role in (("manager1", Role.MANAGER), ("client_brand", Role.CLIENT), ("client_region", Role.CLIENT),
                           ("client_centrum", Role.CLIENT), ("client_haven", Role.CLIENT), ("client_b", Role.CLIENT)):
            users[name] = add_user(session, name, role)
        session.add_all([
            ClientGrant(user_id=users["client_brand"].id, brand_id=w["brand"].id),
            ClientGrant(user_id=users["client_region"].id, brand_id=w["brand"].id, region="Noord"),
            ClientGrant(user_id=users["client_centrum"].id, brand_id=w["brand"].id, location_id=centrum.id),
            ClientGrant(user_id=users["client_haven"].id, brand_id=w["brand"].id, location_id=haven.id),
            ClientGrant(user_id=users["client_b"].id, brand_id=brand_b.id),
        ])
        session.commit()
    w.update(engine=engine, contact=contact, unreleased=unreleased, other=other, brand_b=brand_b, centrum=centrum,
             haven=haven, users=users, manager=users["manager1"])
    return w
