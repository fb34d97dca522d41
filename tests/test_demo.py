"""Demo data: deterministic, idempotent, and shaped like real audits."""

import pandas as pd
from sqlmodel import func, select

from data.db import session_scope
from journeys.accounts.users import authenticate
from journeys.demo import BRANDS, DEMO_ACCOUNTS, demo_password, seed_demo
from journeys.fieldwork.frames import read_answers, read_contacts, read_criteria
from journeys.models import Contact, Criterion, User


def _snapshot(engine) -> pd.DataFrame:
    frame = read_contacts(engine).drop(columns=["contact_id", "version_id", "auditor_id"])
    return frame.sort_values("external_id").reset_index(drop=True)


def test_same_seed_gives_same_data_and_second_run_adds_nothing(engine, tmp_path):
    """Seeding twice with one seed adds nothing; another database with the same seed is identical."""
    first = seed_demo(engine, contacts=300, seed=3)
    assert first["added"] == 300 and len(first["accounts"]) == len(DEMO_ACCOUNTS)
    again = seed_demo(engine, contacts=300, seed=3)
    assert again == {"added": 0, "skipped": 300, "accounts": []}
    with session_scope(engine) as session:
        assert session.exec(select(func.count()).select_from(Contact)).one() == 300

    from data import db

    other_url = f"sqlite:///{tmp_path / 'other.db'}"
    db.upgrade(other_url)
    seed_demo(db.get_engine(other_url), contacts=300, seed=3)
    pd.testing.assert_frame_equal(_snapshot(engine), _snapshot(db.get_engine(other_url)))


def test_demo_shapes(engine):
    """Every brand appears; checklists have 8–15 items; e-mail has unanswered contacts; live channels answer fast."""
    seed_demo(engine, contacts=1500, seed=1)
    contacts = read_contacts(engine)
    assert set(contacts["brand"]) == {b.name for b in BRANDS}
    criteria = read_criteria(engine)
    sizes = criteria.groupby("version_id").size()
    assert len(sizes) == 5 and sizes.between(8, 15).all()
    email = contacts[contacts["channel"] == "email"]
    assert email["first_response_at"].isna().mean() > 0.05
    phone = contacts[contacts["channel"] == "phone"]
    waits = (phone["first_response_at"] - phone["started_at"]).dt.total_seconds().dropna()
    assert 20 < waits.median() < 600
    social = contacts[contacts["channel_kind"] == "social"]
    assert social["redirected_to"].notna().sum() > 0
    answers = read_answers(engine)
    assert set(answers["contact_id"]) <= set(contacts["contact_id"])
    assert answers["is_na"].any() and not answers["is_na"].all()


def test_demo_accounts_sign_in(engine):
    """Every demo account signs in with its documented password."""
    seed_demo(engine, contacts=10, seed=1)
    with session_scope(engine) as session:
        for username, role in DEMO_ACCOUNTS:
            user = authenticate(session=session, username=username, password=demo_password(username))
            assert user.role == role.value
        assert session.exec(select(func.count()).select_from(User)).one() == len(DEMO_ACCOUNTS)
        assert session.exec(select(func.count()).select_from(Criterion)).one() > 0


def test_demo_has_a_fieldwork_plan_with_a_gap(engine):
    """Wave 2026-Q3 is planned: each of its logged contacts is a done planned contact of its own auditor,
    some planned contacts were never made (overdue, some never assigned), stores have regions;
    seeding again plans nothing twice."""
    from datetime import date

    from journeys.fieldwork.planned import contact_logged, planned_contacts
    from journeys.models import Assignment, Channel, Location, Wave

    seed_demo(engine, contacts=600, seed=4)
    with session_scope(engine) as session:
        wave = session.exec(select(Wave).where(Wave.name == "2026-Q3")).one()
        q3 = session.exec(select(func.count()).select_from(Contact).join(Channel, Channel.id == Contact.channel_id)
                          .where(Contact.wave_id == wave.id, contact_logged())).one()
        frame = planned_contacts(session=session, today=date(2026, 12, 2), wave_id=wave.id)
        done = frame[frame["status"] == "done"]
        assert len(done) == q3
        made_by = dict(session.exec(select(Contact.id, Contact.auditor_id)).all())
        assert all(made_by[int(c)] == a for c, a in zip(done["contact_id"], done["auditor_id"], strict=True))
        gap = frame[frame["status"] != "done"]
        assert set(gap["status"]) == {"overdue"} and len(gap) > 0
        assert gap["auditor_id"].isna().any() and gap["auditor_id"].notna().any()
        regions = set(session.exec(select(Location.region)).all())
        assert {"Noord", "Midden", "Zuid"} <= regions
        before = session.exec(select(func.count()).select_from(Assignment)).one()
    seed_demo(engine, contacts=600, seed=4)
    with session_scope(engine) as session:
        assert session.exec(select(func.count()).select_from(Assignment)).one() == before
