"""Mail settings from the environment: where alert mails go out, and the app's address for links.

Read from the process environment, never stored in the database: the SMTP password is a secret of
whoever runs the server, like the database URL. No ``KLANTREIS_SMTP_HOST``: mail is not set up,
``mail_settings`` returns None and nothing is sent; alerts are still collected and composed into
the queue and go out once a host is set (``not_configured_text`` says so to the user). A value
that cannot be right (a port that is no number, an unknown security mode) stops with an error
naming the variable, the value and what is allowed, rather than failing later at the first send.

========================== ==================================================================
``KLANTREIS_SMTP_HOST``     the SMTP server; empty: no mail is sent
``KLANTREIS_SMTP_PORT``     its port (default: 25 for none, 587 for starttls, 465 for ssl)
``KLANTREIS_SMTP_SECURITY`` ``none``, ``starttls`` (default) or ``ssl``
``KLANTREIS_SMTP_USER``     the login (none: no login); needs ``KLANTREIS_SMTP_PASSWORD``
``KLANTREIS_SMTP_PASSWORD`` the login's password
``KLANTREIS_SMTP_FROM``     the sender address (default: the user when it is an address)
``KLANTREIS_APP_URL``       the app's address for links in mails (default http://localhost:8501)
``KLANTREIS_DIGEST_HOUR``   the local hour (0–23) after which the daily digest goes out (default 7)
========================== ==================================================================
"""

import os
import re
from dataclasses import dataclass

from journeys.errors import Problem, ValidationError
from journeys.language import _

HOST_ENV = "KLANTREIS_SMTP_HOST"
PORT_ENV = "KLANTREIS_SMTP_PORT"
SECURITY_ENV = "KLANTREIS_SMTP_SECURITY"
USER_ENV = "KLANTREIS_SMTP_USER"
PASSWORD_ENV = "KLANTREIS_SMTP_PASSWORD"
FROM_ENV = "KLANTREIS_SMTP_FROM"
APP_URL_ENV = "KLANTREIS_APP_URL"
DIGEST_HOUR_ENV = "KLANTREIS_DIGEST_HOUR"

SECURITY_MODES = ("none", "starttls", "ssl")
DEFAULT_PORTS = {"none": 25, "starttls": 587, "ssl": 465}
DEFAULT_APP_URL = "http://localhost:8501"
DEFAULT_DIGEST_HOUR = 7
# Seconds an SMTP connection or command may take before the send counts as failed (and is retried).
SMTP_TIMEOUT_SECONDS = 30

_ADDRESS = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")


@dataclass(frozen=True)
class MailSettings:
    """How to reach the SMTP server, who mails come from, and what links and the digest use."""

    host: str
    port: int
    security: str = "starttls"
    user: str = ""
    password: str = ""
    sender: str = ""
    app_url: str = DEFAULT_APP_URL
    digest_hour: int = DEFAULT_DIGEST_HOUR
    timeout: float = SMTP_TIMEOUT_SECONDS

    def __repr__(self) -> str:  # never the password in a log line
        return (f"MailSettings(host={self.host!r}, port={self.port}, security={self.security!r}, "
                f"user={self.user!r}, sender={self.sender!r}, app_url={self.app_url!r})")


def _env(environ, name: str) -> str:
    return (environ.get(name) or "").strip()


def _bad(variable: str, value: str, allowed: str) -> ValidationError:
    return ValidationError(Problem(field=variable, value=value, message=allowed))


def app_url(environ=None) -> str:
    """The app's address for links in mails (no trailing slash), ``KLANTREIS_APP_URL``.

    Raises:
        ValidationError: the value is not an http(s) address.
    """
    env = os.environ if environ is None else environ
    url = _env(env, APP_URL_ENV) or DEFAULT_APP_URL
    if not re.match(r"^https?://[^\s/]+", url):
        raise _bad(APP_URL_ENV, url, _("must be the app's address starting with http:// or https://"))
    return url.rstrip("/")


def digest_hour(environ=None) -> int:
    """The local hour after which the day's digest is composed, ``KLANTREIS_DIGEST_HOUR``.

    Raises:
        ValidationError: not a whole number from 0 to 23.
    """
    env = os.environ if environ is None else environ
    text = _env(env, DIGEST_HOUR_ENV)
    if not text:
        return DEFAULT_DIGEST_HOUR
    if not text.isdigit() or not 0 <= int(text) <= 23:
        raise _bad(DIGEST_HOUR_ENV, text, _("must be a whole hour from 0 to 23"))
    return int(text)


def mail_settings(environ=None) -> MailSettings | None:
    """The SMTP settings of the environment (``os.environ`` when not given), or None when no
    ``KLANTREIS_SMTP_HOST`` is set: mail is not set up and nothing is sent.

    Raises:
        ValidationError: a variable holds a value that cannot work; the problem names the
            variable, the value and what is allowed.
    """
    env = os.environ if environ is None else environ
    host = _env(env, HOST_ENV)
    if not host:
        return None
    security = (_env(env, SECURITY_ENV) or "starttls").lower()
    if security not in SECURITY_MODES:
        raise _bad(SECURITY_ENV, _env(env, SECURITY_ENV), _("must be one of: {allowed}").format(
            allowed=", ".join(SECURITY_MODES)))
    port_text = _env(env, PORT_ENV)
    if port_text:
        if not port_text.isdigit() or not 1 <= int(port_text) <= 65535:
            raise _bad(PORT_ENV, port_text, _("must be a port number from 1 to 65535"))
        port = int(port_text)
    else:
        port = DEFAULT_PORTS[security]
    user, password = _env(env, USER_ENV), env.get(PASSWORD_ENV) or ""
    if user and not password:
        raise _bad(PASSWORD_ENV, "", _("must be set when {variable} is set").format(variable=USER_ENV))
    if password and not user:
        raise _bad(USER_ENV, "", _("must be set when {variable} is set").format(variable=PASSWORD_ENV))
    sender = _env(env, FROM_ENV) or (user if _ADDRESS.match(user) else "")
    if not sender:
        raise _bad(FROM_ENV, "", _("must be the sender's e-mail address (e.g. klantreis@example.org)"))
    if not _ADDRESS.match(sender.rpartition("<")[2].rstrip(">").strip()):
        raise _bad(FROM_ENV, sender, _("must be an e-mail address such as klantreis@example.org"))
    return MailSettings(host=host, port=port, security=security, user=user, password=password, sender=sender,
                        app_url=app_url(env), digest_hour=digest_hour(env))


def not_configured_text() -> str:
    """The sentence a user or operator reads while mail is not set up."""
    return _("E-mail is not set up: alerts are kept in the queue and sent once {variable} is set.").format(
        variable=HOST_ENV)


def configured_text(settings: MailSettings) -> str:
    """Where mails go out, for the admin's queue view and the command line."""
    return _("Alert mails are sent through {host}:{port} ({security}) from {sender}.").format(
        host=settings.host, port=settings.port, security=settings.security, sender=settings.sender)


def is_address(text: str) -> bool:
    """Whether ``text`` looks like one e-mail address (name@domain.tld)."""
    return bool(_ADDRESS.match(text)) and len(text) <= 254
