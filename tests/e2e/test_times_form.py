"""In a real browser: "Correct the times by hand" after the stopwatch, saved untouched, changes nothing
(issue 15, item 1: it rewrote the stopwatch times rounded to the minute and logged every one)."""

from datetime import UTC, datetime, timedelta

from playwright.sync_api import expect
from sqlmodel import select

from data import db
from data.db import session_scope
from journeys.fieldwork.contacts import ContactStart, start_contact
from journeys.local_time import LOCAL_ZONE
from journeys.models import ChangeLog, Channel, Contact, Journey, JourneyChannel, User
from tests.e2e.conftest import click_button, screenshot, sign_in, wait_for_app
from ui.session import SignedInUser

TIMES = ("started_at", "acknowledged_at", "first_response_at", "resolved_at", "wait_seconds", "handling_seconds",
         "updated_at")


def _phone_contact(url: str) -> int:
    """A phone contact of auditor1, started 40 s ago (on a whole second) and not answered yet."""
    with session_scope(db.get_engine(url)) as session:
        user = session.exec(select(User).where(User.username == "auditor1")).one()
        phone = session.exec(select(Channel).where(Channel.name == "phone")).one()
        journey = session.exec(select(Journey).join(JourneyChannel, JourneyChannel.journey_id == Journey.id)
                               .where(JourneyChannel.channel_id == phone.id, Journey.status == "active")).first()
        brand_id = session.exec(select(Contact.brand_id).where(Contact.journey_id == journey.id)).first()
        contact = start_contact(session=session, actor=SignedInUser(user.id, user.username, "", user.role),
                                start=ContactStart(journey_id=journey.id, brand_id=brand_id, channel_id=phone.id,
                                                   started_at=datetime.now(UTC).replace(microsecond=0)
                                                   - timedelta(seconds=40, minutes=1)))
        return contact.id


def _stored(url: str, contact_id: int) -> tuple[list, int]:
    with session_scope(db.get_engine(url)) as session:
        contact = session.get(Contact, contact_id)
        rows = session.exec(select(ChangeLog).where(ChangeLog.entity == "contact",
                                                    ChangeLog.entity_id == contact_id)).all()
        return [getattr(contact, name) for name in TIMES], len(rows)


def test_save_times_untouched_after_the_stopwatch_changes_nothing(page, app_server):
    """Stopwatch answered and ended, then "Save times" untouched: "Nothing changed", the stored
    times stay identical to the microsecond, no change-history row is added; the form shows seconds."""
    contact_id = _phone_contact(app_server.url_db)
    sign_in(page, "auditor1")
    page.goto(f"{app_server.base_url}/contact_log?contact={contact_id}")
    wait_for_app(page)
    click_button(page, "Answered / picked up now")
    expect(page.get_by_text("Wait time stopped.")).to_be_visible()
    click_button(page, "Conversation ended now")
    expect(page.get_by_text("Handling time stopped.")).to_be_visible()
    before, rows = _stored(app_server.url_db, contact_id)

    page.get_by_test_id("stExpander").get_by_text("Correct the times by hand").click()
    wait_for_app(page)
    started = before[0].astimezone(LOCAL_ZONE)
    form = page.get_by_test_id("stForm")
    expect(form.get_by_text(f"{started:%H:%M:%S}", exact=False).or_(
        form.locator(f"input[value='{started:%H:%M:%S}']")).first).to_be_visible()  # with its seconds
    screenshot(page, "times-form-after-stopwatch")
    click_button(page, "Save times")
    expect(page.get_by_text("Nothing changed")).to_be_visible()
    assert _stored(app_server.url_db, contact_id) == (before, rows)
