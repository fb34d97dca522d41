"""The "Correct the times by hand" form: untouched fields change nothing, and a local time that a
clock change makes ambiguous or skips is refused as an import refuses it (issue 13, item 13)."""

from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import select

from data import db
from data.db import session_scope
from journeys.models import ChangeLog, Contact
from tests.apptest import open_page
from tests.logging.test_logging_pages import _contact
from tests.logging.test_logging_pages import logged as logged  # the fixture, shared
from tests.shown import shown

SAVE_TIMES = "FormSubmitter:times-Save times"


def _history(url: str, contact_id: int) -> list[ChangeLog]:
    with session_scope(db.get_engine(url)) as session:
        return list(session.exec(select(ChangeLog).where(ChangeLog.entity == "contact",
                                                         ChangeLog.entity_id == contact_id)).all())


def test_saving_untouched_times_changes_nothing(logged):
    """Seconds survive and the change history stays as it was when nothing was edited."""
    url, auditor, contact_id = logged
    with session_scope(db.get_engine(url)) as session:
        contact = session.get(Contact, contact_id)
        contact.started_at = contact.started_at.replace(second=17, microsecond=0)
        contact.first_response_at = contact.started_at + timedelta(seconds=26)
        session.add(contact)
    before, history = _contact(url, contact_id), _history(url, contact_id)
    at = open_page("contact_log", auditor, log_contact_id=contact_id)
    at.button(key=SAVE_TIMES).click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    after = _contact(url, contact_id)
    assert (after.started_at, after.first_response_at) == (before.started_at, before.first_response_at)
    assert len(_history(url, contact_id)) == len(history)


def test_a_time_in_the_autumn_repeat_is_refused_naming_both_readings(logged):
    """02:30 on 25 October 2026 happened twice in Amsterdam: the form says so and saves nothing."""
    url, auditor, contact_id = logged
    before = _contact(url, contact_id)
    at = open_page("contact_log", auditor, log_contact_id=contact_id)
    at.date_input(key="t_first_d").set_value(date(2026, 10, 25))
    at.time_input(key="t_first_t").set_value(time(2, 30))
    at.button(key=SAVE_TIMES).click().run()
    assert not at.exception
    errors = " ".join(shown(e.value) for e in at.error)
    assert "First response" in errors and "ambiguous" in errors and "+02:00" in errors and "+01:00" in errors
    assert _contact(url, contact_id).first_response_at == before.first_response_at


def test_a_time_in_the_spring_gap_is_refused(logged):
    """02:30 on 29 March 2026 never happened in Amsterdam (02:00 → 03:00): refused, nothing saved."""
    url, auditor, contact_id = logged
    at = open_page("contact_log", auditor, log_contact_id=contact_id)
    at.date_input(key="t_start_d").set_value(date(2026, 3, 29))
    at.time_input(key="t_start_t").set_value(time(2, 30))
    at.button(key=SAVE_TIMES).click().run()
    assert not at.exception
    assert any("Started" in shown(e.value) for e in at.error), [e.value for e in at.error]
    assert _contact(url, contact_id).started_at > datetime(2026, 4, 1, tzinfo=UTC)
