"""Alerts end to end through a real SMTP server (aiosmtpd on localhost), on SQLite and PostgreSQL."""

import threading
from datetime import date, timedelta

import sqlalchemy as sa
from sqlmodel import Session, select

from data.db import read_scope, write_scope
from journeys.alerts.collect import collect_notifications
from journeys.alerts.compose import compose_mails
from journeys.alerts.delivery import backoff, deliver_due
from journeys.alerts.worker import run_alerts
from journeys.models import ActionItem, Appeal, Location, MailStatus, Notification, OutboxMail, Role
from tests.alerts.conftest import NOW, add_action, add_user
from tests.factories import make_contact


def _mails(engine):
    with read_scope(engine) as s:
        return s.exec(select(OutboxMail).order_by(OutboxMail.id)).all()


def _parts(message):
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    return text, html


def test_an_urgent_action_is_one_mail_and_a_rerun_sends_nothing(world, smtp):
    """One urgent action → exactly one mail to its owner with the subject and the deep link."""
    item = add_action(world["engine"], world, rule=world["urgent_rule"], owner=world["owner"])
    report = run_alerts(world["engine"], now=NOW, settings=smtp.settings)
    assert report.collected == 1 and report.composed.alerts == 1 and report.delivery.sent == 1
    assert len(smtp.inbox.messages) == 1
    message = smtp.inbox.messages[0]
    assert message["To"] == "owner@example.org"
    assert smtp.inbox.envelopes[0][1] == ["owner@example.org"]
    assert message["Subject"] == "[Klantreis] Action for Vliegwel Utrecht: knock-out item failed"
    assert message["Message-ID"] == f"<alert.{_mails(world['engine'])[0].key.split(':')[1]}@klantreis>"
    assert message.get_content_type() == "multipart/alternative"
    text, html = _parts(message)
    link = f"https://klantreis.example.org/action_plan?action={item.id}"
    assert link in text and f'href="{link}"' in html
    assert "https://klantreis.example.org/my_alerts" in text and "unsubscribe" in text
    again = run_alerts(world["engine"], now=NOW + timedelta(minutes=5), settings=smtp.settings)
    assert again.collected == 0 and again.composed.mails == 0 and again.delivery.sent == 0
    assert len(smtp.inbox.messages) == 1
    [mail] = _mails(world["engine"])
    assert mail.status == MailStatus.SENT and mail.attempts == 1 and mail.sent_at == NOW


def test_a_stopped_server_keeps_the_mail_queued_until_it_is_back(world, smtp):
    """Server down: queued with the error, attempt 1, retried after the back-off; then sent once."""
    add_action(world["engine"], world, rule=world["urgent_rule"], owner=world["owner"])
    smtp.stop()
    report = run_alerts(world["engine"], now=NOW, settings=smtp.settings)
    assert report.delivery.sent == 0 and report.delivery.failed
    [mail] = _mails(world["engine"])
    assert mail.status == MailStatus.PENDING and mail.attempts == 1
    assert "refused" in mail.last_error
    assert mail.next_attempt_at == NOW + backoff(1) > NOW
    smtp.start()
    early = deliver_due(world["engine"], smtp.settings, now=NOW + timedelta(seconds=30))
    assert early.sent == 0 and not smtp.inbox.messages  # not before the back-off
    later = deliver_due(world["engine"], smtp.settings, now=NOW + timedelta(minutes=2))
    assert later.sent == 1 and len(smtp.inbox.messages) == 1
    assert deliver_due(world["engine"], smtp.settings, now=NOW + timedelta(hours=1)).sent == 0
    [mail] = _mails(world["engine"])
    assert mail.status == MailStatus.SENT and mail.attempts == 2 and mail.last_error == ""


def test_backoff_doubles_and_is_capped():
    assert [backoff(n) for n in (1, 2, 3)] == [timedelta(minutes=1), timedelta(minutes=2), timedelta(minutes=4)]
    assert backoff(30) == timedelta(hours=6)


def test_two_workers_at_once_send_each_mail_once(world, smtp):
    """Ten urgent actions, two workers delivering at the same moment: ten mails, none twice."""
    for i in range(10):
        add_action(world["engine"], world, rule=world["urgent_rule"], owner=world["owner"], key=f"k{i}")
    run_alerts(world["engine"], now=NOW, settings=None)  # collected and composed, nothing sent
    assert not smtp.inbox.messages and len(_mails(world["engine"])) == 10
    reports = []
    workers = [threading.Thread(target=lambda: reports.append(deliver_due(world["engine"], smtp.settings, now=NOW)))
               for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert sum(r.sent for r in reports) == 10
    ids = [m["Message-ID"] for m in smtp.inbox.messages]
    assert len(ids) == 10 == len(set(ids))


def test_the_digest_groups_the_days_alerts_and_escapes_html(world, smtp):
    """Two non-urgent actions (one at a location named <b>x</b>) and one due soon: one digest mail."""
    engine = world["engine"]
    with Session(engine, expire_on_commit=False) as s:
        odd = Location(brand_id=world["brand"].id, name="<b>x</b>")
        s.add(odd)
        s.commit()
    add_action(engine, world, rule=world["score_rule"], owner=world["owner"], key="a")
    add_action(engine, world, rule=world["score_rule"], owner=world["owner"], key="b", location=odd,
               due_on=date(2026, 6, 12))
    report = run_alerts(engine, now=NOW, settings=smtp.settings, digest=False)
    assert report.composed.mails == 0 and not smtp.inbox.messages  # non-urgent: waits for the digest
    report = run_alerts(engine, now=NOW, settings=smtp.settings, digest=True)
    assert report.composed.digests == 1 and report.delivery.sent == 1
    [message] = smtp.inbox.messages
    assert message["Subject"] == "[Klantreis] Your alerts of 10 Jun 2026: 3 items"
    text, html = _parts(message)
    assert text.index("New actions") < text.index("Due soon")
    assert text.count("action_plan?action=") == 3
    assert "<b>x</b>" in text and "&lt;b&gt;x&lt;/b&gt;" in html and "<b>x</b>" not in html
    with read_scope(engine) as s:
        assert set(s.exec(select(Notification.mail_id)).all()) == {_mails(engine)[0].id}
    assert _mails(engine)[0].key == f"digest:{world['owner'].id}:2026-06-10"


def test_the_digest_waits_for_the_digest_hour(world, smtp):
    """Unforced, the digest goes out once the local digest hour has passed, with what came before it."""
    engine = world["engine"]
    add_action(engine, world, rule=world["score_rule"], owner=world["owner"])
    night = NOW.replace(hour=3)  # 05:00 in Amsterdam
    run_alerts(engine, now=night, settings=smtp.settings)
    assert not smtp.inbox.messages
    run_alerts(engine, now=NOW, settings=smtp.settings)  # 14:00: past 07:00
    assert len(smtp.inbox.messages) == 1


def test_dutch_mail_for_a_dutch_user(world, smtp):
    engine = world["engine"]
    with Session(engine, expire_on_commit=False) as s:
        dutch = add_user(s, "henk", email_address="henk@example.nl", language="nl")
        s.commit()
    add_action(engine, world, rule=world["urgent_rule"], owner=dutch)
    run_alerts(engine, now=NOW, settings=smtp.settings)
    [message] = smtp.inbox.messages
    assert message["Subject"] == "[Klantreis] Actie voor Vliegwel Utrecht: knock-outcriterium niet gehaald"
    text, html = _parts(message)
    assert "Hallo Henk," in text and "afmelden" in text
    assert "Open het in Klantreis</a>" in html and "Open it" not in html


def test_alerts_off_and_inactive_users_get_nothing(world, smtp):
    engine = world["engine"]
    with Session(engine, expire_on_commit=False) as s:
        off = add_user(s, "quiet", email_address="quiet@example.org", alerts="off")
        gone = add_user(s, "gone", email_address="gone@example.org", active=False)
        s.commit()
    add_action(engine, world, rule=world["urgent_rule"], owner=off, key="x")
    add_action(engine, world, rule=world["urgent_rule"], owner=gone, key="y")
    report = run_alerts(engine, now=NOW, settings=smtp.settings, digest=True)
    assert report.collected == 0 and not smtp.inbox.messages


def test_digest_only_users_get_urgent_alerts_in_the_digest(world, smtp):
    engine = world["engine"]
    with write_scope(engine) as s:
        s.execute(sa.text("UPDATE app_user SET alerts = 'digest' WHERE id = :id"), {"id": world["owner"].id})
    add_action(engine, world, rule=world["urgent_rule"], owner=world["owner"])
    assert run_alerts(engine, now=NOW, settings=smtp.settings, digest=False).composed.mails == 0
    assert run_alerts(engine, now=NOW, settings=smtp.settings, digest=True).composed.digests == 1


def test_without_an_address_the_notification_waits(world, smtp):
    engine = world["engine"]
    with Session(engine, expire_on_commit=False) as s:
        nomail = add_user(s, "nomail")
        s.commit()
    add_action(engine, world, rule=world["urgent_rule"], owner=nomail)
    report = run_alerts(engine, now=NOW, settings=smtp.settings)
    assert report.composed.waiting_for_address == 1 and not smtp.inbox.messages
    with write_scope(engine) as s:
        s.execute(sa.text("UPDATE app_user SET email = 'late@example.org' WHERE id = :id"), {"id": nomail.id})
    run_alerts(engine, now=NOW + timedelta(minutes=1), settings=smtp.settings)
    assert [m["To"] for m in smtp.inbox.messages] == ["late@example.org"]


def test_due_soon_and_overdue_reminders_once_each(world, smtp):
    """Due in 3 days: one reminder; overdue: one, and a second a week after the first."""
    engine = world["engine"]
    item = add_action(engine, world, rule=world["score_rule"], owner=world["owner"], due_on=date(2026, 6, 13))
    with write_scope(engine) as s:
        kinds = lambda: sorted(k for k in s.exec(select(Notification.key)).all())  # noqa: E731
        collect_notifications(s, now=NOW)
        assert kinds() == sorted([f"action:{item.id}:{world['owner'].id}", f"due_soon:{item.id}:{world['owner'].id}"])
        assert collect_notifications(s, now=NOW + timedelta(days=4)) == 1  # 14 June: overdue
        assert collect_notifications(s, now=NOW + timedelta(days=5)) == 0
        assert collect_notifications(s, now=NOW + timedelta(days=10)) == 0
        assert collect_notifications(s, now=NOW + timedelta(days=11)) == 1  # a week after the first: the second
        assert collect_notifications(s, now=NOW + timedelta(days=30)) == 0


def test_a_decided_appeal_mails_the_client_who_opened_it(world, smtp):
    engine = world["engine"]
    with Session(engine, expire_on_commit=False) as s:
        contact = make_contact(world, brand_id=world["brand"].id, location_id=world["utrecht"].id)
        s.add(contact)
        s.flush()
        appeal = Appeal(contact_id=contact.id, opened_by_id=world["owner"].id, reason="Not fair",
                        status="upheld", decided_at=NOW - timedelta(hours=1), decision="The <greeting> was there")
        s.add(appeal)
        s.commit()
    run_alerts(engine, now=NOW, settings=smtp.settings, digest=True)
    [message] = smtp.inbox.messages
    assert message["To"] == "owner@example.org"
    text, html = _parts(message)
    assert f"https://klantreis.example.org/appeals?appeal={appeal.id}" in text
    assert "upheld" in text and "The &lt;greeting&gt; was there" in html


def test_compose_is_idempotent(world):
    engine = world["engine"]
    add_action(engine, world, rule=world["score_rule"], owner=world["owner"])
    with write_scope(engine) as s:
        collect_notifications(s, now=NOW)
        assert compose_mails(s, now=NOW, digest=True, app_url="http://x").digests == 1
        assert compose_mails(s, now=NOW, digest=True, app_url="http://x").mails == 0


def test_two_collectors_at_once_add_each_notification_once(world):
    """Concurrent collect runs: no unique-key error, and each notification once."""
    engine = world["engine"]
    for i in range(5):
        add_action(engine, world, rule=world["score_rule"], owner=world["owner"], key=f"c{i}")
    added, errors = [], []

    def collect():
        try:
            with write_scope(engine) as s:
                added.append(collect_notifications(s, now=NOW))
        except Exception as exc:  # noqa: BLE001 - the test reports it
            errors.append(exc)

    threads = [threading.Thread(target=collect) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors and sum(added) == 5  # five new actions (due in two weeks: no reminder yet)
    with read_scope(engine) as s:
        assert len(s.exec(select(Notification.id)).all()) == 5


def test_a_claim_taken_over_as_stale_is_sent_once(world, smtp):
    """Worker A claims a mail and stalls past STALE_CLAIM; worker B takes it over and sends it; A,
    resuming, finds its claim gone and sends nothing."""
    from journeys.alerts import delivery

    add_action(world["engine"], world, rule=world["urgent_rule"], owner=world["owner"])
    run_alerts(world["engine"], now=NOW, settings=None)
    [stalled] = delivery.claim_due(world["engine"], now=NOW)
    later = NOW + delivery.STALE_CLAIM + timedelta(minutes=1)
    assert deliver_due(world["engine"], smtp.settings, now=later).sent == 1  # worker B
    assert not delivery._renew(world["engine"], stalled, later)  # worker A's claim is gone
    delivery._mark_failed(world["engine"], stalled, later, "late")  # A's stale outcome changes nothing
    [mail] = _mails(world["engine"])
    assert mail.status == MailStatus.SENT and mail.last_error == "" and len(smtp.inbox.messages) == 1


def test_a_mail_that_cannot_be_built_fails_alone(world, smtp, monkeypatch):
    """One mail whose message cannot be built is put back with its error; the others are sent. A
    subject holding a newline (a location's name) goes out as one header line."""
    from journeys.alerts import delivery

    with Session(world["engine"], expire_on_commit=False) as s:
        odd = Location(brand_id=world["brand"].id, name="Utrecht\nCentraal")
        s.add(odd)
        s.commit()
    add_action(world["engine"], world, rule=world["urgent_rule"], owner=world["owner"], key="a", location=odd)
    add_action(world["engine"], world, rule=world["urgent_rule"], owner=world["owner"], key="b")
    run_alerts(world["engine"], now=NOW, settings=None)
    [first] = [m for m in _mails(world["engine"]) if "Centraal" in m.subject]
    [second] = [m for m in _mails(world["engine"]) if m.id != first.id]
    assert first.subject == "[Klantreis] Action for Vliegwel Utrecht Centraal: knock-out item failed"
    real = delivery.build_message

    def broken_for_the_second(mail, settings):
        if mail.id == second.id:
            raise ValueError("cannot encode")
        return real(mail, settings)

    monkeypatch.setattr(delivery, "build_message", broken_for_the_second)
    report = deliver_due(world["engine"], smtp.settings, now=NOW)
    assert report.sent == 1 and report.failed == [(second.key, "ValueError: cannot encode")]
    assert [m["Subject"] for m in smtp.inbox.messages] == [first.subject]
    status = {m.id: (m.status, m.attempts) for m in _mails(world["engine"])}
    assert status == {first.id: (MailStatus.SENT, 1), second.id: (MailStatus.PENDING, 1)}


def test_an_action_without_owner_goes_to_the_managers_and_a_later_owner_is_told(world, smtp):
    """Nobody's grant covers the place: the agency's managers are told it needs an owner. Assigned
    a month after it was made, the owner still gets the new action."""
    engine = world["engine"]
    with Session(engine, expire_on_commit=False) as s:
        manager = add_user(s, "boss", role=Role.MANAGER, email_address="boss@agency.example")
        add_user(s, "quiet", role=Role.MANAGER, email_address="quiet@agency.example", alerts="off")
        s.commit()
    item = add_action(engine, world, rule=world["urgent_rule"], owner=world["owner"])
    with Session(engine) as s:
        row = s.get(ActionItem, item.id)
        row.owner_id = None
        row.updated_at = NOW.replace(hour=5)
        s.commit()
    run_alerts(engine, now=NOW, settings=smtp.settings)
    [message] = smtp.inbox.messages
    assert message["To"] == "boss@agency.example"
    assert message["Subject"] == "[Klantreis] Action for Vliegwel Utrecht needs an owner: knock-out item failed"
    assert "assign an owner" in _parts(message)[0]
    later = NOW + timedelta(days=30)
    with Session(engine) as s:  # a manager assigns it a month later
        row = s.get(ActionItem, item.id)
        row.owner_id, row.updated_at = world["owner"].id, later
        s.commit()
    run_alerts(engine, now=later + timedelta(minutes=1), settings=smtp.settings)
    assert [m["To"] for m in smtp.inbox.messages] == ["boss@agency.example", "owner@example.org"]
    assert smtp.inbox.messages[1]["Subject"] == "[Klantreis] Action for Vliegwel Utrecht: knock-out item failed"
    assert manager.id != world["owner"].id
