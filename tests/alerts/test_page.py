"""The Alerts page (AppTest): one's own address and mode, the not-set-up note, the admins' queue."""

import pytest
from sqlmodel import Session, select

from data import db
from journeys.alerts import preferences
from journeys.errors import PermissionDenied, ValidationError
from journeys.models import MailStatus, OutboxMail, Role, User
from tests.apptest import open_page
from tests.shown import shown


@pytest.fixture
def people(app_env, monkeypatch):
    monkeypatch.delenv("KLANTREIS_SMTP_HOST", raising=False)
    engine = db.get_engine(app_env)
    with Session(engine, expire_on_commit=False) as s:
        client = User(username="client_a", display_name="Client A", role=Role.CLIENT.value, password_hash="x")
        admin = User(username="admin1", display_name="Admin", role=Role.ADMIN.value, password_hash="x",
                     email="admin@example.org")
        s.add_all([client, admin])
        s.flush()
        s.add(OutboxMail(key="alert:1", user_id=client.id, to_address="c@example.org", subject="S", body_text="t",
                         body_html="h", attempts=2, last_error="421 <b>busy</b>", status=MailStatus.PENDING.value))
        s.commit()
    return dict(engine=engine, client=client, admin=admin)


def test_a_client_sets_its_address_and_unsubscribes(people):
    at = open_page("my_alerts", people["client"])
    assert any("E-mail is not set up" in i.value for i in at.info)
    assert any("no e-mail address" in w.value for w in at.warning)
    assert not at.metric  # the queue is the admins'
    at.text_input(key="alerts_email").input("klant@example.org")
    at.radio(key="alerts_mode").set_value("off")
    at.button[0].click().run()
    assert not at.exception, at.exception
    with Session(people["engine"]) as s:
        saved = s.get(User, people["client"].id)
        assert (saved.email, saved.alerts) == ("klant@example.org", "off")


def test_an_invalid_address_is_refused_naming_it(people):
    at = open_page("my_alerts", people["client"])
    at.text_input(key="alerts_email").input("not an address")
    at.button[0].click().run()
    assert any("E-mail address: must be one address" in shown(e.value) and "not an address" in shown(e.value)
               for e in at.error), [e.value for e in at.error]
    with Session(people["engine"]) as s:
        assert s.get(User, people["client"].id).email == ""


def test_the_admin_sees_the_queue_and_the_last_error(people):
    at = open_page("my_alerts", people["admin"])
    assert [m.value for m in at.metric] == ["1", "0", "0"]
    table = at.dataframe[0].value
    assert list(table["Last error"]) == ["421 <b>busy</b>"]
    at.button(key="alerts_send_now").click().run()
    assert not at.exception, at.exception
    assert any("E-mail is not set up" in i.value for i in at.info)


def test_only_ones_own_preferences_unless_admin(people):
    with Session(people["engine"]) as s:
        with pytest.raises(PermissionDenied):
            preferences.set_alert_preferences(s, actor=people["client"], user_id=people["admin"].id,
                                              email="x@example.org", alerts="all")
        changed = preferences.set_alert_preferences(s, actor=people["admin"], user_id=people["client"].id,
                                                    email=" c@example.org ", alerts="digest")
        assert (changed.email, changed.alerts) == ("c@example.org", "digest")
        with pytest.raises(ValidationError, match="Alert mails: must be one of: all, digest, off"):
            preferences.set_alert_preferences(s, actor=people["client"], user_id=None, email="", alerts="loud")
        with pytest.raises(PermissionDenied):
            preferences.queue_summary(s, actor=people["client"])
        assert s.exec(select(OutboxMail.id)).all()
