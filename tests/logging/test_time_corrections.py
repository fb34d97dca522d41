"""The "Correct the times by hand" form: untouched fields change nothing, and a local time that a
clock change makes ambiguous or skips is refused as an import refuses it (issue 13, item 13); the
form keeps seconds and saving it unchanged after the stopwatch changes nothing (issue 15, item 1)."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlmodel import select

from data import db
from data.db import session_scope
from journeys.fieldwork.contacts import ContactStart, start_contact
from journeys.local_time import LOCAL_ZONE
from journeys.models import ChangeLog, Channel, Contact
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
    assert any("Start: 2026-03-29 02:30 does not exist" in shown(e.value) for e in at.error), [e.value for e in at.error]
    assert _contact(url, contact_id).started_at > datetime(2026, 4, 1, tzinfo=UTC)


@pytest.fixture
def phone_call(logged):
    """A phone contact of the same auditor, started 40 s ago and not answered yet: (url, auditor, id)."""
    url, auditor, email_id = logged
    with session_scope(db.get_engine(url)) as session:
        email = session.get(Contact, email_id)
        phone = session.exec(select(Channel).where(Channel.name == "phone")).one()
        contact = start_contact(session=session, actor=auditor, start=ContactStart(
            journey_id=email.journey_id, brand_id=email.brand_id, channel_id=phone.id,
            started_at=datetime.now(UTC).replace(microsecond=0) - timedelta(seconds=40)))
        return url, auditor, contact.id


def test_save_times_after_the_stopwatch_changes_nothing(phone_call):
    """Answered and ended on the stopwatch, then "Save times" untouched in the same session (issue 15,
    item 1): every stored time stays identical to the microsecond, "Nothing changed" is said and no
    change-history row is added. Before, the form saved the times it showed before the stopwatch
    stamps (or rounded to the minute) back over them."""
    url, auditor, contact_id = phone_call
    at = open_page("contact_log", auditor, log_contact_id=contact_id)
    at.button(key="sw_answer").click().run()
    at.button(key="sw_end").click().run()
    before, history = _contact(url, contact_id), _history(url, contact_id)
    assert before.first_response_at is not None and before.resolved_at is not None
    at.button(key=SAVE_TIMES).click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert any("Nothing changed" in i.value for i in at.info), [i.value for i in at.info]
    after = _contact(url, contact_id)
    fields = ("started_at", "acknowledged_at", "first_response_at", "resolved_at", "wait_seconds",
              "handling_seconds", "updated_at")
    assert [getattr(after, f) for f in fields] == [getattr(before, f) for f in fields]
    assert len(_history(url, contact_id)) == len(history)


def test_the_times_form_shows_and_keeps_seconds(phone_call):
    """The form shows a stored time to the second; a first response typed as 14:03:26 is stored
    as 14:03:26 and the waiting time follows to the second (before: whole minutes only)."""
    url, auditor, contact_id = phone_call
    started = _contact(url, contact_id).started_at
    at = open_page("contact_log", auditor, log_contact_id=contact_id)
    local_start = started.astimezone(LOCAL_ZONE)
    assert at.time_input(key="t_start_t").value == local_start.time()  # with its seconds
    answered = local_start + timedelta(seconds=26)
    at.date_input(key="t_first_d").set_value(answered.date())
    at.time_input(key="t_first_t").set_value(answered.time())
    at.button(key=SAVE_TIMES).click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    after = _contact(url, contact_id)
    assert after.first_response_at == started + timedelta(seconds=26)
    assert after.wait_seconds == 26
    assert after.started_at == started
    changed = [h.field for h in _history(url, contact_id) if h.action == "update"]
    assert sorted(changed) == ["first_response_at", "wait_seconds"]
