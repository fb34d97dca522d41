"""The app's background alert worker: one daemon thread per process, sending alert mails.

Sending happens outside the page run: every ``KLANTREIS_ALERT_INTERVAL`` seconds (default 60)
the thread runs one pass of ``journeys.alerts.worker.run_alerts``. It starts only when mail is
set up (``KLANTREIS_SMTP_HOST``) and not switched off (``KLANTREIS_ALERT_WORKER=0``, e.g. when
cron runs ``klantreis alerts send`` instead, or in the tests' app servers). ``st.cache_resource``
makes it one thread per process however many sessions run the frame. An error of a pass is
logged and the next pass tries again: a mail server or database hiccup never stops the app.
Several app processes on one database are safe: the outbox's claims are race-safe.
"""

import logging
import os
import threading

import streamlit as st
from sqlalchemy.engine import Engine

from journeys.alerts.config import mail_settings
from journeys.alerts.worker import run_alerts

log = logging.getLogger(__name__)
INTERVAL_ENV = "KLANTREIS_ALERT_INTERVAL"
SWITCH_ENV = "KLANTREIS_ALERT_WORKER"
DEFAULT_INTERVAL = 60


def _interval() -> float:
    text = os.environ.get(INTERVAL_ENV, "").strip()
    try:
        return max(float(text), 5.0) if text else DEFAULT_INTERVAL
    except ValueError:
        log.error("%s=%r is not a number of seconds; using %s", INTERVAL_ENV, text, DEFAULT_INTERVAL)
        return DEFAULT_INTERVAL


def _loop(engine: Engine, stop: threading.Event, interval: float) -> None:
    while not stop.wait(interval):
        try:
            settings = mail_settings()
            if settings is not None:
                report = run_alerts(engine, settings=settings)
                if report.delivery and report.delivery.failed:
                    log.warning("alert mails: %d sent, %d failed (%s)", report.delivery.sent,
                                len(report.delivery.failed), report.delivery.failed[0][1])
        except Exception:  # noqa: BLE001 - never let the thread die: log, try again next time
            log.exception("alert worker pass failed")


@st.cache_resource(show_spinner=False)
def start_alert_worker(_engine: Engine) -> threading.Event | None:
    """Start the process's alert thread once (when mail is set up and not switched off); the
    returned event stops it. None: not started."""
    if os.environ.get(SWITCH_ENV, "1").strip() == "0":
        return None
    try:
        if mail_settings() is None:
            return None
    except Exception:  # noqa: BLE001 - a bad setting is said on the Alerts page; the app runs on
        log.exception("alert mail settings are not valid; the alert worker does not start")
        return None
    stop = threading.Event()
    threading.Thread(target=_loop, args=(_engine, stop, _interval()), name="klantreis-alerts", daemon=True).start()
    return stop
