"""From a finding to its follow-up, in a real browser and through a real SMTP server: a released
contact fails a knock-out item; the rules make one action for the client user of that brand and
the alert worker mails it (aiosmtpd on localhost). The client opens the mail's link (signing in on
the way), sets the action in progress, adds a comment and marks it done; the manager verifies it.
"""

import email
import email.policy
import re
from datetime import UTC, datetime, timedelta

import pytest
from aiosmtpd.controller import Controller
from playwright.sync_api import expect
from sqlmodel import Session, select

from data import db
from journeys.accounts.grants import GrantSpec, set_client_grants
from journeys.accounts.users import create_user
from journeys.actions.generate import apply_rules
from journeys.actions.rules import create_rule
from journeys.alerts.config import MailSettings
from journeys.alerts.worker import run_alerts
from journeys.catalogue.journeys import CriterionIn, JourneyChannelIn, JourneyIn, create_journey, current_version
from journeys.catalogue.reference import ensure_builtin_channels, get_or_create_brand, get_or_create_wave
from journeys.models import ActionItem, ActionStatus, Answer, Contact, Criterion, Location, ReviewStatus, RuleKind, User
from tests.e2e.conftest import AppServer, _free_port, click_button, screenshot, sign_in, wait_for_app

BRAND, PLACE = "Fietsplein", "Fietsplein Utrecht"
SLOW = 30_000  # ms: a page that scores and counts on a busy two-core machine
COMMENT = "New greeting script handed out to the shop team on Monday."


class _Inbox:
    """What the SMTP server received, as parsed messages."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((list(envelope.rcpt_tos), message))
        return "250 OK"


@pytest.fixture(scope="module")
def smtp():
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield controller, inbox
    controller.stop()


@pytest.fixture(scope="module")
def app_server(tmp_path_factory):
    """One brand with one location, a journey on e-mail whose greeting is a knock-out item, one
    released contact that failed it; a manager, an admin and the brand's client user (with an
    e-mail address) — and a rule: a failed knock-out item makes an urgent action."""
    server = AppServer(tmp_path_factory.mktemp("actions"), seed_contacts=None)
    engine = db.get_engine(server.url_db)
    now = datetime.now(UTC).replace(microsecond=0)
    with Session(engine) as session:
        channels = ensure_builtin_channels(session=session)
        users = {name: create_user(session=session, username=name, role=role, password=f"{name}-demo",
                                   display_name=name.title())
                 for name, role in (("admin", "admin"), ("manager", "manager"), ("sam", "auditor"),
                                    ("klant", "client"))}
        users["klant"].email = "klant@fietsplein.example"
        journey = create_journey(session=session, journey_in=JourneyIn(
            name="Ask about a repair", scenario="My bike's gears slip", question="Can you fix it this week?",
            reference_answer="Yes, drop it off; ready in two working days",
            channels=[JourneyChannelIn(channel="email")],
            criteria=[CriterionIn(code="GREET", text="Greets the customer", critical_policy="zero_contact"),
                      CriterionIn(code="ANSWER", text="Answers the question")]))
        version = current_version(session=session, journey_id=journey.id)
        criteria = list(session.exec(select(Criterion).where(Criterion.version_id == version.id)
                                     .order_by(Criterion.position)).all())
        wave = get_or_create_wave(session=session, name="Winter 2026")
        brand = get_or_create_brand(session=session, name=BRAND)
        location = Location(brand_id=brand.id, name=PLACE, city="Utrecht")
        session.add(location)
        session.flush()
        started = now - timedelta(days=3)
        contact = Contact(
            brand_id=brand.id, location_id=location.id, journey_id=journey.id, checklist_version_id=version.id,
            channel_id=channels["email"].id, auditor_id=users["sam"].id, wave_id=wave.id, started_at=started,
            first_response_at=started + timedelta(hours=2), answer_text="Bring it in", answer_correct=True,
            review_status=ReviewStatus.RELEASED.value, released_at=started + timedelta(days=1))
        session.add(contact)
        session.flush()
        session.add_all([Answer(contact_id=contact.id, criterion_id=criteria[0].id, value=0.0),
                         Answer(contact_id=contact.id, criterion_id=criteria[1].id, value=1.0)])
        set_client_grants(session=session, actor=users["admin"], user_id=users["klant"].id,
                          grants=[GrantSpec(brand=BRAND)])
        create_rule(session, users["manager"], kind=RuleKind.CRITICAL_FAIL.value, due_days=14, urgent=True)
        session.commit()
        server.contact_id = contact.id
    db.dispose_engines()
    server.start()
    yield server
    server.stop()


def _mail_link(message) -> str:
    text = message.get_body(preferencelist=("plain",)).get_content()
    match = re.search(r"http://\S+/action_plan\?action=\d+", text)
    assert match, text
    return match.group(0)


def _open(page, link: str, username: str, action_id: int) -> None:
    page.goto(link)
    wait_for_app(page)
    sign_in(page, username)
    expect(page.get_by_role("heading", name=f"Action {action_id}", exact=True)).to_be_visible(timeout=SLOW)


def test_client_follows_the_mail_link_works_the_action_and_the_manager_verifies(page, app_server, smtp):
    controller, inbox = smtp
    engine = db.get_engine(app_server.url_db)
    settings = MailSettings(host="127.0.0.1", port=controller.port, security="none", user="", password="",
                            sender="alerts@klantreis.example", app_url=app_server.base_url)

    created = apply_rules(engine)
    assert len(created.created) == 1
    run_alerts(engine, settings=settings)
    assert apply_rules(engine).created == ()  # a rerun finds the same finding: nothing new
    run_alerts(engine, settings=settings)
    assert len(inbox.messages) == 1
    recipients, message = inbox.messages[0]
    assert recipients == ["klant@fietsplein.example"]
    assert PLACE in message["Subject"]
    link = _mail_link(message)

    action_id = int(link.rpartition("=")[2])

    # The client opens the link signed out, signs in on the way, and lands on the action.
    _open(page, link, "klant", action_id)
    # the opened action's heading line (the list's grid may hold the same text in a cell)
    expect(page.locator("strong", has_text="Knock-out item 'Greets the customer' failed")).to_be_visible(timeout=SLOW)
    screenshot(page, "19-action-from-mail")
    click_button(page, "Start")
    page.get_by_label("Comment", exact=True).fill(COMMENT)
    click_button(page, "Add comment")
    expect(page.get_by_test_id("stText").get_by_text(COMMENT).first).to_be_visible(timeout=SLOW)
    click_button(page, "Mark done")
    expect(page.get_by_text(f"Action {action_id} is now done.")).to_be_visible(timeout=SLOW)
    expect(page.get_by_role("button", name="Verify", exact=True)).to_have_count(0)  # the agency verifies
    screenshot(page, "19-action-done")
    page.get_by_test_id("stSidebar").get_by_role("button", name="Sign out", exact=True).click()
    wait_for_app(page)

    # The manager opens the same link and verifies the action.
    _open(page, link, "manager", action_id)
    expect(page.get_by_test_id("stText").get_by_text(COMMENT).first).to_be_visible(timeout=SLOW)
    click_button(page, "Verify")
    expect(page.get_by_text(f"Action {action_id} is now verified.")).to_be_visible(timeout=SLOW)
    screenshot(page, "19-action-verified")

    with Session(engine) as session:
        action = session.exec(select(ActionItem)).one()
        assert action.status == ActionStatus.VERIFIED.value
        assert action.verified_by_id == session.exec(select(User.id).where(User.username == "manager")).one()
