"""A save that the database cannot take (full disk, read-only file) keeps every typed value.

The page says what happened in one sentence, nothing is written, and the same click saves
once the trouble is gone.
"""

from datetime import UTC, datetime, timedelta

import pytest
from streamlit.testing.v1 import AppTest

from data import db
from data.db import session_scope
from journeys.fieldwork.contacts import ContactStart, start_contact
from journeys.models import Contact
from tests.apptest import app_test, open_page
from tests.db_trouble import disk_full, read_only
from tests.factories import make_world
from ui.session import USER_KEY, SignedInUser

SAVE = "a_save"


@pytest.fixture
def logged(app_env):
    """auditor1's e-mail contact sent two hours ago: (url, auditor, contact id)."""
    with session_scope(db.get_engine(app_env)) as session:
        world = make_world(session)
        auditor = SignedInUser(world["auditor"].id, "auditor1", "Auditor One", "auditor")
        contact = start_contact(session=session, actor=auditor, start=ContactStart(
            journey_id=world["journey"].id, brand_id=world["brand"].id, channel_id=world["channels"]["email"].id,
            started_at=datetime.now(UTC) - timedelta(hours=2)))
        return app_env, auditor, contact.id


def _typed_assessment(auditor, contact_id, notes: str) -> AppTest:
    at = open_page("contact_log", auditor, log_contact_id=contact_id)
    for control in at.get("button_group"):
        if control.key.startswith("a_c"):
            control.set_value("Yes")
    at.text_area(key="a_notes").set_value(notes)
    return at


def _saved_notes(url, contact_id) -> str:
    with session_scope(db.get_engine(url)) as session:
        return session.get(Contact, contact_id).notes


def _assert_kept(at: AppTest, notes: str, sentence: str) -> None:
    assert not at.exception, at.exception
    errors = [e.value.replace("\\", "") for e in at.error]  # the sentence is shown Markdown-escaped
    assert len(errors) == 1 and errors[0].startswith("Not saved, your input is kept: ") and sentence in errors[0], errors
    assert at.text_area(key="a_notes").value == notes
    assert all(c.value == "Yes" for c in at.get("button_group") if c.key.startswith("a_c"))


def _retry_saves(at: AppTest, url, contact_id, notes: str) -> None:
    at.button(key=SAVE).click().run()
    assert not at.exception
    assert any("Assessment saved" in s.value for s in at.success), [e.value for e in at.error]
    assert _saved_notes(url, contact_id) == notes


# PostgreSQL cannot be filled on demand; the read-only test below runs on both.
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_disk_full_during_a_save_keeps_the_input(logged):
    """A full disk at "Save assessment" says so, keeps notes and answers, writes nothing; a retry saves."""
    url, auditor, contact_id = logged
    notes = "Friendly, but the parcel number was wrong. " * 2000  # needs new pages in the file
    at = _typed_assessment(auditor, contact_id, notes)
    with disk_full(url):
        at.button(key=SAVE).click().run()
        _assert_kept(at, notes, "the disk holding the database is full")
    assert _saved_notes(url, contact_id) == ""
    _retry_saves(at, url, contact_id, notes)


def test_read_only_database_during_a_save_keeps_the_input(logged):
    """A database that refuses writes is named as read-only; notes and answers stay; a retry saves."""
    url, auditor, contact_id = logged
    notes = "Answered within the hour."
    at = _typed_assessment(auditor, contact_id, notes)
    with read_only(url):
        at.button(key=SAVE).click().run()
        _assert_kept(at, notes, "the database file is read-only: " if db.is_sqlite(url) else "the database is read-only: ")
    assert _saved_notes(url, contact_id) == ""
    _retry_saves(at, url, contact_id, notes)


def test_a_damaged_database_while_a_page_loads_is_one_sentence(logged, monkeypatch):
    """Database trouble that no action caught (here: a damaged file while the auditor's home, My
    contacts, reads) ends the page with the frame's sentence, never a traceback."""
    import sqlite3

    import sqlalchemy as sa

    url, auditor, _contact_id = logged

    def damaged(**_kwargs):
        raise sa.exc.OperationalError("SELECT ...", {}, sqlite3.DatabaseError("database disk image is malformed"))

    monkeypatch.setattr("journeys.fieldwork.overview.last_start", damaged)
    at = app_test()
    at.session_state[USER_KEY] = auditor
    at.run()
    assert not at.exception, at.exception
    errors = [e.value.replace("\\", "") for e in at.error]
    assert len(errors) == 1 and errors[0].startswith("The database") and " is damaged (" in errors[0], errors
    assert "restore it from a backup" in errors[0]
