"""A real SMTP server on localhost (aiosmtpd) and a small world of actions, appeals and users."""

import email
import email.policy
import socket
from datetime import UTC, date, datetime

import pytest
from aiosmtpd.controller import Controller
from sqlmodel import Session

from data import db
from journeys.alerts.config import MailSettings
from journeys.catalogue.reference import get_or_create_brand
from journeys.models import ActionItem, ActionRule, Location, Role, User
from tests.factories import make_world

NOW = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)  # 14:00 in Amsterdam: past the digest hour


class Inbox:
    """The messages the server accepted, parsed with the email package."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        self.messages.append(email.message_from_bytes(envelope.original_content or envelope.content,
                                                      policy=email.policy.default))
        return "250 Message accepted for delivery"


class SmtpServer:
    """An aiosmtpd server on 127.0.0.1 and a free port that can be stopped and started again."""

    def __init__(self):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.inbox = Inbox()
        self.controller = None
        self.start()

    def start(self):
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def settings(self) -> MailSettings:
        return MailSettings(host="127.0.0.1", port=self.port, security="none", sender="klantreis@example.org",
                            app_url="https://klantreis.example.org", digest_hour=7, timeout=5)


@pytest.fixture
def smtp():
    server = SmtpServer()
    try:
        yield server
    finally:
        server.stop()


def add_user(session, username, role=Role.CLIENT, email_address="", **kw) -> User:
    user = User(username=username, display_name=username.title(), role=role.value, password_hash="x",
                email=email_address, **kw)
    session.add(user)
    session.flush()
    return user


@pytest.fixture
def world(db_url):
    """Brand Vliegwel with location Utrecht, a critical rule (urgent) and a score rule (not), a
    client owner with an address, committed."""
    engine = db.get_engine(db_url)
    with Session(engine, expire_on_commit=False) as s:
        w = make_world(s)
        brand = get_or_create_brand(session=s, name="Vliegwel")
        utrecht = Location(brand_id=brand.id, name="Utrecht")
        s.add(utrecht)
        owner = add_user(s, "owner", email_address="owner@example.org")
        s.flush()
        urgent_rule = ActionRule(kind="critical", brand_id=brand.id, urgent=True, owner_id=owner.id)
        score_rule = ActionRule(kind="score", brand_id=brand.id, threshold=70, owner_id=owner.id)
        s.add_all([urgent_rule, score_rule])
        s.commit()
    w.update(engine=engine, brand=brand, utrecht=utrecht, owner=owner, urgent_rule=urgent_rule,
             score_rule=score_rule)
    return w


def add_action(engine, w, *, rule, owner, key="f1", location=None, due_on=date(2026, 6, 24), **kw) -> ActionItem:
    with Session(engine, expire_on_commit=False) as s:
        item = ActionItem(rule_id=rule.id, finding_key=key, kind=rule.kind, brand_id=w["brand"].id,
                          location_id=(location or w["utrecht"]).id, journey_id=w["journey"].id,
                          owner_id=owner.id, due_on=due_on, urgent=rule.urgent,
                          created_at=NOW.replace(hour=5), **kw)
        s.add(item)
        s.commit()
    return item
