"""Mail settings from the environment: none without a host, defaults, and errors naming the variable."""

import threading
from types import SimpleNamespace

import pytest

from journeys.alerts import config
from journeys.errors import ValidationError
from journeys.language import use_language


def test_no_host_means_no_mail_and_the_app_says_so():
    assert config.mail_settings({}) is None
    assert "KLANTREIS_SMTP_HOST" in config.not_configured_text()
    with use_language("nl"):
        assert config.not_configured_text().startswith("E-mail is niet ingesteld")


def test_defaults_follow_the_security_mode():
    base = {"KLANTREIS_SMTP_HOST": "mail.example.org", "KLANTREIS_SMTP_FROM": "klantreis@example.org"}
    settings = config.mail_settings(base)
    assert (settings.port, settings.security, settings.app_url, settings.digest_hour) == (
        587, "starttls", "http://localhost:8501", 7)
    assert config.mail_settings({**base, "KLANTREIS_SMTP_SECURITY": "SSL"}).port == 465
    login = config.mail_settings({"KLANTREIS_SMTP_HOST": "h", "KLANTREIS_SMTP_USER": "me@example.org",
                                  "KLANTREIS_SMTP_PASSWORD": "secret", "KLANTREIS_APP_URL": "https://k.example/"})
    assert login.sender == "me@example.org" and login.app_url == "https://k.example"
    assert "secret" not in repr(login)


@pytest.mark.parametrize(("variable", "value", "words"), [
    ("KLANTREIS_SMTP_PORT", "abc", "port number from 1 to 65535"),
    ("KLANTREIS_SMTP_PORT", "70000", "port number from 1 to 65535"),
    ("KLANTREIS_SMTP_SECURITY", "tls", "none, starttls, ssl"),
    ("KLANTREIS_DIGEST_HOUR", "24", "0 to 23"),
    ("KLANTREIS_APP_URL", "klantreis.example", "http://"),
    ("KLANTREIS_SMTP_FROM", "nobody", "e-mail address"),
])
def test_a_bad_value_names_the_variable_the_value_and_what_is_allowed(variable, value, words):
    env = {"KLANTREIS_SMTP_HOST": "mail.example.org", "KLANTREIS_SMTP_FROM": "k@example.org", variable: value}
    with pytest.raises(ValidationError) as error:
        config.mail_settings(env)
    assert variable in str(error.value) and repr(value) in str(error.value) and words in str(error.value)


def test_a_user_needs_a_password():
    with pytest.raises(ValidationError, match="KLANTREIS_SMTP_PASSWORD"):
        config.mail_settings({"KLANTREIS_SMTP_HOST": "h", "KLANTREIS_SMTP_USER": "me@example.org"})


def test_the_app_worker_starts_unless_switched_off(monkeypatch):
    """Without mail it still runs (the rules make actions, alerts are queued); KLANTREIS_ALERT_WORKER=0
    switches it off."""
    from ui import alert_worker

    monkeypatch.delenv("KLANTREIS_SMTP_HOST", raising=False)
    monkeypatch.setattr(alert_worker, "_interval", lambda: 3600.0)
    monkeypatch.setenv("KLANTREIS_ALERT_WORKER", "1")
    alert_worker.start_alert_worker.clear()
    stop = alert_worker.start_alert_worker(None)
    assert isinstance(stop, threading.Event)
    stop.set()
    monkeypatch.setenv("KLANTREIS_ALERT_WORKER", "0")
    alert_worker.start_alert_worker.clear()
    assert alert_worker.start_alert_worker(None) is None
    alert_worker.start_alert_worker.clear()


def test_the_thread_applies_the_rules_when_the_results_changed_or_an_hour_passed(monkeypatch):
    """Each pass queues and sends; the rules (scoring every released contact) run on the first pass,
    again after the data version moved, and after an hour without change (a contact still
    unanswered becomes late by the clock alone). Without mail nothing is delivered."""
    from ui import alert_worker

    monkeypatch.delenv("KLANTREIS_SMTP_HOST", raising=False)
    versions = iter([(1, 1), (1, 1), (2, 1), (2, 1), (2, 1), (2, 1)])
    ticks = iter([0, 60, 120, 180, 3000, 3720])  # the clock at each pass, in seconds
    monkeypatch.setattr(alert_worker, "data_version", lambda engine: next(versions))
    calls = []
    stop = threading.Event()

    def run(engine, *, settings, apply_rules_first):
        calls.append((settings, apply_rules_first))
        if len(calls) == 6:
            stop.set()
        return SimpleNamespace(delivery=None)

    monkeypatch.setattr(alert_worker, "run_alerts", run)
    thread = threading.Thread(target=alert_worker._loop, args=(None, stop, 0.01, lambda: next(ticks)))
    thread.start()
    thread.join(5)
    assert calls == [(None, True), (None, False), (None, True), (None, False), (None, False), (None, True)]


def test_a_failing_pass_is_logged_and_the_thread_goes_on(monkeypatch, caplog):
    from ui import alert_worker

    monkeypatch.setenv("KLANTREIS_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("KLANTREIS_SMTP_FROM", "k@example.org")
    calls = []

    def broken(engine, **kw):
        calls.append(1)
        if len(calls) >= 2:
            stop.set()
        raise RuntimeError("database gone")

    monkeypatch.setattr(alert_worker, "run_alerts", broken)
    monkeypatch.setattr(alert_worker, "data_version", lambda engine: (1,))
    stop = threading.Event()
    thread = threading.Thread(target=alert_worker._loop, args=(None, stop, 0.01))
    thread.start()
    thread.join(5)
    assert not thread.is_alive() and len(calls) == 2
    assert "alert worker pass failed" in caplog.text
