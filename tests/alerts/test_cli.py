"""``klantreis alerts send`` and ``klantreis alerts queue`` through the CLI test runner."""

from datetime import UTC, date, datetime, timedelta

from sqlmodel import Session
from typer.testing import CliRunner

from data import db
from journeys.catalogue.reference import get_or_create_brand
from journeys.models import ActionItem, ActionRule, Location, Role, User
from tests.factories import make_world


def _world(engine):
    with Session(engine, expire_on_commit=False) as s:
        w = make_world(s)
        brand = get_or_create_brand(session=s, name="Vliegwel")
        place = Location(brand_id=brand.id, name="Utrecht")
        owner = User(username="owner", role=Role.CLIENT.value, password_hash="x", email="owner@example.org")
        s.add_all([place, owner])
        s.flush()
        rule = ActionRule(kind="critical", brand_id=brand.id, urgent=True, owner_id=owner.id)
        s.add(rule)
        s.flush()
        s.add(ActionItem(rule_id=rule.id, finding_key="f", kind="critical", brand_id=brand.id, location_id=place.id,
                         journey_id=w["journey"].id, owner_id=owner.id, urgent=True,
                         due_on=date.today() + timedelta(days=14), created_at=datetime.now(UTC)))
        s.commit()


def _point_at(monkeypatch, smtp):
    for name, value in dict(KLANTREIS_SMTP_HOST="127.0.0.1", KLANTREIS_SMTP_PORT=str(smtp.port),
                            KLANTREIS_SMTP_SECURITY="none", KLANTREIS_SMTP_FROM="klantreis@example.org").items():
        monkeypatch.setenv(name, value)


def test_send_mails_and_says_so(app_env, monkeypatch, smtp):
    from cli.main import app

    _world(db.get_engine(app_env))
    _point_at(monkeypatch, smtp)
    result = CliRunner().invoke(app, ["alerts", "send", "--no-digest"])
    assert result.exit_code == 0, result.output
    assert "1 mail sent, 0 waiting to retry, 1 mail composed" in result.output
    assert len(smtp.inbox.messages) == 1
    again = CliRunner().invoke(app, ["alerts", "send"])
    assert "0 mails sent, 0 waiting to retry, 0 mails composed" in again.output
    queue = CliRunner().invoke(app, ["alerts", "queue"])
    assert queue.exit_code == 0 and "pending: 0, sending: 0, sent: 1" in queue.output


def test_a_failing_rule_run_still_sends_the_queued_mail_and_exits_1(app_env, monkeypatch, smtp):
    """The rules raise (a scoring error): the action already made is still mailed; the command
    names the failure and exits 1 for cron to see."""
    from cli.main import app
    from journeys.alerts import worker

    def broken(engine, **kw):
        raise RuntimeError("scoring blew up")

    _world(db.get_engine(app_env))
    _point_at(monkeypatch, smtp)
    monkeypatch.setattr(worker, "apply_rules", broken)
    result = CliRunner().invoke(app, ["alerts", "send", "--no-digest"])
    assert result.exit_code == 1, result.output
    assert "1 mail sent, 0 waiting to retry, 1 mail composed" in result.output
    assert "the action rules could not be applied: RuntimeError: scoring blew up" in result.output
    assert "Traceback" not in result.output
    assert len(smtp.inbox.messages) == 1


def test_a_stopped_server_is_reported_and_the_mail_waits(app_env, monkeypatch, smtp):
    from cli.main import app

    _world(db.get_engine(app_env))
    _point_at(monkeypatch, smtp)
    smtp.stop()
    result = CliRunner().invoke(app, ["alerts", "send"])
    assert result.exit_code == 0, result.output
    assert "0 mails sent, 1 waiting to retry (connection refused), 1 mail composed" in result.output
    queue = CliRunner().invoke(app, ["alerts", "queue"])
    assert "pending: 1" in queue.output and "connection refused" in queue.output


def test_without_mail_settings_it_queues_and_exits_1(app_env, monkeypatch):
    from cli.main import app

    monkeypatch.delenv("KLANTREIS_SMTP_HOST", raising=False)
    _world(db.get_engine(app_env))
    result = CliRunner().invoke(app, ["alerts", "send"])
    assert result.exit_code == 1
    assert "E-mail is not set up" in result.output and "1 mail waiting in the queue" in result.output


def test_a_bad_port_names_the_variable(app_env, monkeypatch):
    from cli.main import app

    monkeypatch.setenv("KLANTREIS_SMTP_HOST", "mail.example.org")
    monkeypatch.setenv("KLANTREIS_SMTP_PORT", "abc")
    result = CliRunner().invoke(app, ["alerts", "send"])
    assert result.exit_code == 1
    assert "KLANTREIS_SMTP_PORT" in result.output and "'abc'" in result.output
