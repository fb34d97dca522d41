"""A write lock held longer than the busy timeout (issue 13, item 2).

Another process (a backup, a large import, a stuck script) holds SQLite's write lock with
``BEGIN IMMEDIATE`` for longer than ``KLANTREIS_SQLITE_BUSY_TIMEOUT_MS``. Reads never wait
for it; a save says "Not saved, your input is kept: the database is busy ... try again", keeps every typed
value, and a retry after the lock is released saves it. SQLite only: the lock is SQLite's.
"""

import sqlite3
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
import streamlit as st
from sqlmodel import select

from data import db
from data.db import BUSY_MESSAGE, DatabaseBusy, read_scope, write_scope
from journeys.accounts.users import create_user
from journeys.fieldwork.contacts import AnswerIn, ContactStart, my_contacts, save_contact, start_contact
from journeys.fieldwork.frames import ContactFilter, read_contacts
from journeys.models import Answer, Contact, Criterion, User
from tests.apptest import open_page
from tests.factories import make_world
from tests.shown import shown
from ui.session import SignedInUser

TIMEOUT_MS = 300


@pytest.fixture
def busy_db(tmp_path, monkeypatch):
    """A migrated SQLite file whose engine waits only ``TIMEOUT_MS`` for the write lock, with
    auditor1's e-mail contact; returns (url, path, auditor, contact id, criterion ids)."""
    monkeypatch.setenv(db.BUSY_TIMEOUT_ENV, str(TIMEOUT_MS))
    path = tmp_path / "busy.db"
    url = f"sqlite:///{path}"
    monkeypatch.setenv(db.DATABASE_URL_ENV, url)
    db.dispose_engines()
    db.upgrade(url)
    st.cache_resource.clear()
    st.cache_data.clear()
    with write_scope(db.get_engine(url)) as session:
        world = make_world(session)
        auditor = SignedInUser(world["auditor"].id, "auditor1", "Auditor One", "auditor")
        contact = start_contact(session=session, actor=auditor, start=ContactStart(
            journey_id=world["journey"].id, brand_id=world["brand"].id, channel_id=world["channels"]["email"].id,
            started_at=datetime.now(UTC) - timedelta(hours=2)))
        criteria = session.exec(select(Criterion.id).where(Criterion.version_id == world["version"].id)
                                .order_by(Criterion.position)).all()
        create_user(session=session, username="manager1", role="manager", password="manager1-pass")
    yield url, path, auditor, contact.id, list(criteria)
    db.dispose_engines()
    st.cache_resource.clear()
    st.cache_data.clear()


@contextmanager
def write_lock_held(path: Path):
    """Another connection (another process, as far as SQLite cares) holds the write lock."""
    other = sqlite3.connect(path, isolation_level=None, timeout=0)
    other.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        other.execute("ROLLBACK")
        other.close()


def test_busy_timeout_is_configurable(monkeypatch):
    """The busy timeout comes from KLANTREIS_SQLITE_BUSY_TIMEOUT_MS (default 30 s); nonsense is refused by name."""
    monkeypatch.delenv(db.BUSY_TIMEOUT_ENV, raising=False)
    assert db.busy_timeout_ms() == 30_000
    monkeypatch.setenv(db.BUSY_TIMEOUT_ENV, "250")
    assert db.busy_timeout_ms() == 250
    monkeypatch.setenv(db.BUSY_TIMEOUT_ENV, "soon")
    with pytest.raises(ValueError, match=db.BUSY_TIMEOUT_ENV):
        db.busy_timeout_ms()


def test_service_save_is_refused_as_busy_and_reads_go_on(busy_db):
    """While another connection holds the write lock past the timeout, reads (a session read,
    the dashboard frame, My contacts) still work, a save raises DatabaseBusy and writes
    nothing, and the same save succeeds once the lock is released."""
    url, path, auditor, contact_id, criteria = busy_db
    engine = db.get_engine(url)

    def save():
        with write_scope(engine) as session:
            save_contact(session=session, actor=auditor, contact_id=contact_id, changes={"notes": "kept"},
                         answers=[AnswerIn(c, 1.0) for c in criteria], complete=True)

    with write_lock_held(path):
        with read_scope(engine) as session:
            assert session.get(Contact, contact_id).notes == ""
        # the contact is still being logged: read as the agency reads unreleased contacts
        assert contact_id in set(read_contacts(engine, ContactFilter(include_unreleased=True))["contact_id"])
        assert contact_id in set(my_contacts(engine=engine, actor=auditor)["contact_id"])
        with pytest.raises(DatabaseBusy) as refused:
            save()
        assert str(refused.value) == BUSY_MESSAGE
    with read_scope(engine) as session:
        assert session.get(Contact, contact_id).notes == ""
    save()  # the retry
    with read_scope(engine) as session:
        assert session.get(Contact, contact_id).notes == "kept"
        assert len(session.exec(select(Answer).where(Answer.contact_id == contact_id)).all()) == 3


def test_a_read_scope_cannot_write(busy_db):
    """A write slipped into a read scope fails at once instead of queueing for the lock."""
    url, _, _, contact_id, _ = busy_db
    engine = db.get_engine(url)
    with pytest.raises(sa.exc.OperationalError, match="readonly"):
        with read_scope(engine) as session:
            session.execute(sa.update(Contact).where(Contact.id == contact_id).values(notes="sneaky"))
    with write_scope(engine) as session:  # the same pooled connection writes again afterwards
        session.execute(sa.update(Contact).where(Contact.id == contact_id).values(notes="fine"))
    with read_scope(engine) as session:
        assert session.get(Contact, contact_id).notes == "fine"


def test_contact_log_keeps_the_input_when_the_database_is_busy(busy_db):
    """On the contact log page a save during a long-held write lock shows the busy message and
    keeps every typed value; My contacts and the dashboard still render meanwhile; after the
    lock is released, clicking Save again saves what was typed."""
    url, path, auditor, contact_id, criteria = busy_db
    at = open_page("contact_log", auditor, log_contact_id=contact_id)
    for control in at.get("button_group"):
        if control.key.startswith("a_c"):
            control.set_value("Yes")
    at.text_area(key="a_notes").set_value("typed during the backup")
    at.text_area(key="a_answer").set_value("It is at the depot")

    with write_lock_held(path):
        at.button(key="a_save").click().run()
        assert not at.exception, at.exception
        errors = [shown(e.value) for e in at.error]
        assert any("your input is kept" in e and BUSY_MESSAGE in e for e in errors), errors
        assert at.text_area(key="a_notes").value == "typed during the backup"
        assert at.text_area(key="a_answer").value == "It is at the depot"
        assert all(g.value == "Yes" for g in at.get("button_group") if g.key.startswith("a_c"))

        mine = open_page("contacts_mine", auditor)  # a read-only page renders while the lock is held
        assert "My contacts" in [t.value for t in mine.title]
        with read_scope(db.get_engine(url)) as session:
            manager_id = session.exec(select(User.id).where(User.username == "manager1")).one()
        dashboard = open_page("dashboard", SignedInUser(manager_id, "manager1", "Manager", "manager"))
        assert "Dashboard" in [t.value for t in dashboard.title]
        assert not dashboard.exception
    with read_scope(db.get_engine(url)) as session:
        assert session.get(Contact, contact_id).notes == ""

    at.button(key="a_save").click().run()  # the retry
    assert not at.exception
    assert any("Assessment saved" in s.value for s in at.success), [e.value for e in at.error]
    with read_scope(db.get_engine(url)) as session:
        contact = session.get(Contact, contact_id)
        assert (contact.notes, contact.answer_text) == ("typed during the backup", "It is at the depot")
