"""Issue 19's acceptance, end to end from a scored contact to a mail in a real SMTP server
(aiosmtpd on localhost), on SQLite and PostgreSQL: no hand-made actions, the findings come from
the action rules over the released contacts.

- a critical (knock-out) failure produces one action and one mail, with the right recipient,
  subject and link;
- a rerun of the rules sends nothing new;
- with the SMTP server stopped the alert stays queued, and is sent once the server is back;
- the digest groups the day's alerts in one mail.
"""

import re
from datetime import datetime, timedelta

from sqlmodel import Session, select

from data import db
from data.db import read_scope
from journeys.accounts.grants import GrantSpec, set_client_grants
from journeys.actions.rules import create_rule
from journeys.alerts.delivery import backoff
from journeys.alerts.worker import run_alerts
from journeys.catalogue.journeys import CriterionIn, JourneyChannelIn, JourneyIn, create_journey, current_version
from journeys.catalogue.reference import ensure_builtin_channels, get_or_create_brand, get_or_create_wave
from journeys.models import ActionItem, Answer, Contact, Criterion, Location, MailStatus, OutboxMail, ReviewStatus, Role
from tests.alerts.conftest import NOW, add_user

APP = "https://klantreis.example.org"


def _world(db_url) -> dict:
    """Brand Fietsplein, location Utrecht, a journey on e-mail whose greeting is a knock-out item;
    a client user of the brand with an address; a manager. No contact yet, no rule."""
    engine = db.get_engine(db_url)
    with Session(engine, expire_on_commit=False) as s:
        channels = ensure_builtin_channels(session=s)
        manager = add_user(s, "manager", role=Role.MANAGER)
        admin = add_user(s, "admin", role=Role.ADMIN)
        auditor = add_user(s, "sam", role=Role.AUDITOR)
        client = add_user(s, "klant", email_address="klant@fietsplein.example")
        journey = create_journey(session=s, journey_in=JourneyIn(
            name="Ask about a repair", scenario="Gears slip", question="Can you fix it this week?",
            reference_answer="Yes", channels=[JourneyChannelIn(channel="email")],
            criteria=[CriterionIn(code="GREET", text="Greets the customer", critical_policy="zero_contact"),
                      CriterionIn(code="ANSWER", text="Answers the question")]))
        version = current_version(session=s, journey_id=journey.id)
        criteria = list(s.exec(select(Criterion).where(Criterion.version_id == version.id)
                               .order_by(Criterion.position)).all())
        brand = get_or_create_brand(session=s, name="Fietsplein")
        wave = get_or_create_wave(session=s, name="2026-Q2")
        location = Location(brand_id=brand.id, name="Utrecht")
        s.add(location)
        s.flush()
        set_client_grants(session=s, actor=admin, user_id=client.id, grants=[GrantSpec(brand="Fietsplein")])
        s.commit()
    return dict(engine=engine, channels=channels, manager=manager, auditor=auditor, client=client,
                journey=journey, version=version, criteria=criteria, brand=brand, wave=wave, location=location)


def _released_contact(w, *, greeted: bool, answered: bool, started: datetime) -> int:
    with Session(w["engine"]) as s:
        contact = Contact(
            brand_id=w["brand"].id, location_id=w["location"].id, journey_id=w["journey"].id,
            checklist_version_id=w["version"].id, channel_id=w["channels"]["email"].id, auditor_id=w["auditor"].id,
            wave_id=w["wave"].id, started_at=started, first_response_at=started + timedelta(hours=2),
            answer_text="Bring it in", answer_correct=True, review_status=ReviewStatus.RELEASED.value,
            released_at=started + timedelta(hours=6))
        s.add(contact)
        s.flush()
        s.add_all([Answer(contact_id=contact.id, criterion_id=w["criteria"][0].id, value=float(greeted)),
                   Answer(contact_id=contact.id, criterion_id=w["criteria"][1].id, value=float(answered))])
        s.commit()
        return contact.id


def _rule(w, **kw) -> None:
    with Session(w["engine"]) as s:
        create_rule(s, w["manager"], **kw)
        s.commit()


def _actions(w) -> list[ActionItem]:
    with read_scope(w["engine"]) as s:
        return s.exec(select(ActionItem).order_by(ActionItem.id)).all()


def _outbox(w) -> list[OutboxMail]:
    with read_scope(w["engine"]) as s:
        return s.exec(select(OutboxMail).order_by(OutboxMail.id)).all()


def _text(message) -> str:
    return message.get_body(("plain",)).get_content()


def test_a_critical_failure_is_one_action_and_one_mail_and_a_rerun_sends_nothing(db_url, smtp):
    w = _world(db_url)
    contact_id = _released_contact(w, greeted=False, answered=True, started=NOW - timedelta(days=2))
    _released_contact(w, greeted=True, answered=True, started=NOW - timedelta(days=2))  # no finding
    _rule(w, kind="critical", due_days=14, urgent=True)

    report = run_alerts(w["engine"], now=NOW, settings=smtp.settings)
    [action] = _actions(w)
    assert report.actions == 1 and action.contact_id == contact_id and action.owner_id == w["client"].id
    assert action.criterion_id == w["criteria"][0].id and action.urgent
    [message] = smtp.inbox.messages
    assert smtp.inbox.envelopes[0][1] == ["klant@fietsplein.example"] and message["To"] == "klant@fietsplein.example"
    assert message["Subject"] == "[Klantreis] Action for Fietsplein Utrecht: knock-out item failed"
    assert f"{APP}/action_plan?action={action.id}" in _text(message)

    again = run_alerts(w["engine"], now=NOW + timedelta(minutes=5), settings=smtp.settings)
    assert again.actions == 0 and again.collected == 0 and again.delivery.sent == 0
    assert len(_actions(w)) == 1 and len(smtp.inbox.messages) == 1 and len(_outbox(w)) == 1


def test_with_the_server_stopped_the_alert_stays_queued_and_is_sent_once_it_is_back(db_url, smtp):
    w = _world(db_url)
    _released_contact(w, greeted=False, answered=True, started=NOW - timedelta(days=2))
    _rule(w, kind="critical", due_days=14, urgent=True)
    smtp.stop()
    down = run_alerts(w["engine"], now=NOW, settings=smtp.settings)
    assert down.actions == 1 and down.delivery.sent == 0 and down.delivery.failed
    [mail] = _outbox(w)
    assert mail.status == MailStatus.PENDING and mail.attempts == 1 and mail.last_error

    smtp.start()
    back = run_alerts(w["engine"], now=NOW + backoff(1), settings=smtp.settings)
    assert back.actions == 0 and back.delivery.sent == 1
    [message] = smtp.inbox.messages
    assert message["Subject"] == "[Klantreis] Action for Fietsplein Utrecht: knock-out item failed"
    later = run_alerts(w["engine"], now=NOW + timedelta(hours=2), settings=smtp.settings)
    assert later.delivery.sent == 0 and len(smtp.inbox.messages) == 1
    [mail] = _outbox(w)
    assert mail.status == MailStatus.SENT and mail.attempts == 2


def test_the_digest_groups_the_days_alerts(db_url, smtp):
    """A score rule that is not urgent: three low-scoring contacts are three actions, mailed as one
    digest once the local digest hour has passed, not one mail each."""
    w = _world(db_url)
    for _ in range(3):
        _released_contact(w, greeted=True, answered=False, started=NOW - timedelta(days=1))  # score 50
    _released_contact(w, greeted=True, answered=True, started=NOW - timedelta(days=1))  # 100: no finding
    _rule(w, kind="score", threshold=60, due_days=21)
    night = NOW.replace(hour=3)  # 05:00 in Amsterdam: before the digest hour (07:00)
    early = run_alerts(w["engine"], now=night, settings=smtp.settings)
    assert early.actions == 3 and early.composed.mails == 0 and not smtp.inbox.messages

    report = run_alerts(w["engine"], now=NOW, settings=smtp.settings)  # 14:00 in Amsterdam
    assert report.actions == 0 and report.composed.digests == 1 and report.delivery.sent == 1
    [message] = smtp.inbox.messages
    assert message["To"] == "klant@fietsplein.example"
    assert message["Subject"] == "[Klantreis] Your alerts of 10 Jun 2026: 3 items"
    text = _text(message)
    assert sorted(int(i) for i in re.findall(r"action_plan\?action=(\d+)", text)) == \
        [a.id for a in _actions(w)]
    assert run_alerts(w["engine"], now=NOW + timedelta(hours=1), settings=smtp.settings).delivery.sent == 0
    assert len(smtp.inbox.messages) == 1
