"""The app's background alert worker: one daemon thread per process, making actions and sending
alert mails.

It happens outside the page run: every ``KLANTREIS_ALERT_INTERVAL`` seconds (default 60) the
thread runs one pass of ``journeys.alerts.worker.run_alerts``: the action rules are applied when
the results changed since the last pass (``journeys.fieldwork.frames.data_version``: scoring every
released contact each minute for nothing would cost a large installation its cores) and at least
once an hour (``RULES_EVERY``: a contact still unanswered becomes late by the clock alone), the alerts
are queued, and they are sent when mail is set up (``KLANTREIS_SMTP_HOST``; without it, or with a
bad setting, they wait in the queue and the Alerts page says why). ``KLANTREIS_ALERT_WORKER=0``
switches the thread off (when cron runs ``klantreis alerts send`` instead, or in the tests' app
servers). ``st.cache_resource``
makes it one thread per process however many sessions run the frame. An error of a pass is
logged and the next pass tries again: a mail server or database hiccup never stops the app.
Several app processes on one database are safe: the outbox's claims are race-safe.
"""

import logging
import os
import threading
import time

import streamlit as st
from sqlalchemy.engine import Engine

from journeys.alerts.config import mail_settings
from journeys.alerts.worker import run_alerts
from journeys.fieldwork.frames import data_version

log = logging.getLogger(__name__)
INTERVAL_ENV = "KLANTREIS_ALERT_INTERVAL"
SWITCH_ENV = "KLANTREIS_ALERT_WORKER"
DEFAULT_INTERVAL = 60
RULES_EVERY = 3600.0  # seconds: the rules also run this often with no new results (late findings)


def _interval() -> float:
    text = os.environ.get(INTERVAL_ENV, "").strip()
    try:
        return max(float(text), 5.0) if text else DEFAULT_INTERVAL
    except ValueError:
        log.error("%s=%r is not a number of seconds; using %s", INTERVAL_ENV, text, DEFAULT_INTERVAL)
        return DEFAULT_INTERVAL


def _settings():
    """The mail settings, or None (not set up, or a bad value: logged; the Alerts page says which)."""
    try:
        return mail_settings()
    except Exception:  # noqa: BLE001 - a bad setting must not stop the actions being made
        log.exception("alert mail settings are not valid; alerts wait in the queue")
        return None


def _loop(engine: Engine, stop: threading.Event, interval: float, clock=time.monotonic) -> None:
    applied_version, applied_when = None, None  # the data version and clock the rules last ran at
    while not stop.wait(interval):
        try:
            version, now = data_version(engine), clock()
            due = applied_when is None or now - applied_when >= RULES_EVERY
            apply = due or version != applied_version
            report = run_alerts(engine, settings=_settings(), apply_rules_first=apply)
            if apply:
                applied_version, applied_when = version, now
            if report.delivery and report.delivery.failed:
                log.warning("alert mails: %d sent, %d failed (%s)", report.delivery.sent,
                            len(report.delivery.failed), report.delivery.failed[0][1])
        except Exception:  # noqa: BLE001 - never let the thread die: log, try again next time
            log.exception("alert worker pass failed")


@st.cache_resource(show_spinner=False)
def start_alert_worker(_engine: Engine) -> threading.Event | None:
    """Start the process's alert thread once (unless switched off); the returned event stops it.
    None: not started."""
    if os.environ.get(SWITCH_ENV, "1").strip() == "0":
        return None
    stop = threading.Event()
    threading.Thread(target=_loop, args=(_engine, stop, _interval()), name="klantreis-alerts", daemon=True).start()
    return stop
