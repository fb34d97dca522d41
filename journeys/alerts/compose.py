"""From notifications to mails: an urgent alert alone, everything else in the daily digest.

A notification of a user whose alert setting is ``all`` and that is urgent becomes a mail of its
own (``OutboxMail.key`` ``alert:<notification>``); every other one waits for the user's daily
digest (``digest:<user>:<local date>``), one mail listing the day's alerts grouped by kind. The
digest is composed once the local ``KLANTREIS_DIGEST_HOUR`` has passed, for what was collected
before that hour; ``digest=True`` composes it now (the command line's ``--digest``, a test),
``digest=False`` never. Each notification gets its mail's id in the same transaction, so it is
carried by exactly one mail.

Mails are written in the recipient's language (``User.language``, else the installation's),
as plain text and as HTML in which every text a user typed or named (names, locations, items,
decisions) is escaped. Each links into the app and ends with the way to the preferences page.
A user without an e-mail address gets no mail: the notifications wait, not lost, until an
address is set. On PostgreSQL the notifications are locked ``FOR UPDATE SKIP LOCKED``, so two
composers never take the same one; SQLite has one writer at a time anyway.
"""

import html
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, time

import sqlalchemy as sa
from sqlmodel import Session

from journeys.alerts import config
from journeys.language import N_, _, day_text, ngettext, number, use_language
from journeys.local_time import LOCAL_ZONE
from journeys.models import (
    ActionItem,
    AlertMode,
    Appeal,
    AppealStatus,
    Brand,
    Contact,
    Criterion,
    Journey,
    Location,
    MailStatus,
    Notification,
    NotificationKind,
    OutboxMail,
    RuleKind,
    User,
)

SUBJECT_PREFIX = "[Klantreis]"
PREFERENCES_PAGE = "my_alerts"

# What an action is about, for subjects and lines (``RuleKind``).
FINDINGS = {
    RuleKind.CRITICAL_FAIL: N_("knock-out item failed"),
    RuleKind.SCORE_BELOW: N_("score below the threshold"),
    RuleKind.RESPONSE_LATE: N_("response too late"),
    RuleKind.CHANNEL_GAP: N_("channel gap too wide"),
}
# The digest's groups, in this order.
GROUPS = {
    NotificationKind.ACTION_NEW: N_("New actions"),
    NotificationKind.DUE_SOON: N_("Due soon"),
    NotificationKind.OVERDUE: N_("Overdue"),
    NotificationKind.APPEAL_DECIDED: N_("Appeals decided"),
}


@dataclass(frozen=True)
class ComposeReport:
    """What one compose run did: mails queued, and notifications still waiting for an address."""

    alerts: int = 0
    digests: int = 0
    waiting_for_address: int = 0

    @property
    def mails(self) -> int:
        return self.alerts + self.digests


@dataclass(frozen=True)
class _Line:
    """One alert, in words: its text, its link, and whether the text holds user text (always)."""

    kind: str
    subject: str
    text: str
    link: str


def one_line(text: str) -> str:
    """``text`` with every run of whitespace (a newline in a location's name...) as one space: a
    mail header holds one line."""
    return " ".join(str(text).split())


def action_link(base: str, action_id: int) -> str:
    return f"{base}/action_plan?action={action_id}"


def appeal_link(base: str, appeal_id: int) -> str:
    return f"{base}/appeals?appeal={appeal_id}"


def _place(brand: str, location: str | None) -> str:
    return f"{brand} {location}" if location else brand


def _action_line(session: Session, n: Notification, base: str) -> _Line:
    item = session.get(ActionItem, n.action_id)
    brand = session.get(Brand, item.brand_id).name
    location = session.get(Location, item.location_id).name if item.location_id else None
    place = _place(brand, location)
    finding = _(FINDINGS.get(item.kind, item.kind))
    journey = session.get(Journey, item.journey_id).name
    criterion = session.get(Criterion, item.criterion_id) if item.criterion_id else None
    what = f"{criterion.code} {criterion.text}" if criterion else journey
    due = day_text(item.due_on)
    if n.kind == NotificationKind.DUE_SOON:
        subject = _("Action for {place} due on {date}").format(place=place, date=due)
        text = _("Due on {date}: {finding} at {place} ({what})").format(date=due, finding=finding, place=place,
                                                                       what=what)
    elif n.kind == NotificationKind.OVERDUE:
        subject = _("Action for {place} is overdue").format(place=place)
        text = _("Overdue since {date}: {finding} at {place} ({what})").format(date=due, finding=finding,
                                                                              place=place, what=what)
    elif item.owner_id is None:  # to the agency's managers: nobody's grant covers the place
        subject = _("Action for {place} needs an owner: {finding}").format(place=place, finding=finding)
        text = _("{finding} at {place} ({what}); due on {date}; no client user's grant covers it: assign "
                 "an owner").format(finding=finding, place=place, what=what, date=due)
        text = text[:1].upper() + text[1:]
    else:
        subject = _("Action for {place}: {finding}").format(place=place, finding=finding)
        text = _("{finding} at {place} ({what}); due on {date}").format(finding=finding, place=place, what=what,
                                                                        date=due)
        text = text[:1].upper() + text[1:]
    return _Line(n.kind, subject, text, action_link(base, item.id))


def _appeal_line(session: Session, n: Notification, base: str) -> _Line:
    appeal = session.get(Appeal, n.appeal_id)
    contact = session.get(Contact, appeal.contact_id)
    brand = session.get(Brand, contact.brand_id).name
    location = session.get(Location, contact.location_id).name if contact.location_id else None
    criterion = session.get(Criterion, appeal.criterion_id) if appeal.criterion_id else None
    what = f"{criterion.code} {criterion.text}" if criterion else _("the timing")
    outcome = _("upheld") if appeal.status == AppealStatus.UPHELD else _("rejected")
    subject = _("Your appeal was {outcome}").format(outcome=outcome)
    text = _("Appeal {id} ({what}, {place}) {outcome}: {decision}").format(
        id=appeal.id, what=what, place=_place(brand, location), outcome=outcome, decision=appeal.decision or "–")
    return _Line(n.kind, subject, text, appeal_link(base, appeal.id))


def _line(session: Session, n: Notification, base: str) -> _Line:
    return _appeal_line(session, n, base) if n.appeal_id else _action_line(session, n, base)


def _footer(user: User, base: str) -> tuple[str, str]:
    link = f"{base}/{PREFERENCES_PAGE}"
    text = _("You get these mails because of your alert setting in Klantreis. To get only the daily digest, "
             "or no alert mails at all (unsubscribe), change it on the Alerts page: {link}")
    return text.format(link=link), text.format(link=f'<a href="{html.escape(link)}">{html.escape(link)}</a>')


def _greeting(user: User) -> str:
    return _("Hello {name},").format(name=user.display_name or user.username)


def _html_page(greeting: str, body: str, footer_html: str) -> str:
    return (f"<!DOCTYPE html><html><body style=\"font-family: sans-serif\"><p>{html.escape(greeting)}</p>"
            f"{body}<hr><p style=\"color: #666; font-size: small\">{footer_html}</p></body></html>")


def _alert_mail(user: User, line: _Line, base: str) -> tuple[str, str, str]:
    footer_text, footer_html = _footer(user, base)
    greeting = _greeting(user)
    open_text = _("Open it in Klantreis: {link}").format(link=line.link)
    text = f"{greeting}\n\n{line.text}\n\n{open_text}\n\n-- \n{footer_text}\n"
    open_label = _("Open it in Klantreis")
    body = (f"<p>{html.escape(line.text)}</p><p><a href=\"{html.escape(line.link)}\">"
            f"{html.escape(open_label)}</a></p>")
    return f"{SUBJECT_PREFIX} {line.subject}", text, _html_page(greeting, body, footer_html)


def _digest_mail(user: User, lines: list[_Line], day, base: str) -> tuple[str, str, str]:
    footer_text, footer_html = _footer(user, base)
    greeting = _greeting(user)
    subject = ngettext("Your alerts of {date}: {n} item", "Your alerts of {date}: {n} items", len(lines)).format(
        date=day_text(day), n=number(len(lines)))
    text_parts, html_parts = [greeting, ""], []
    open_label = _("open")
    for kind, heading in GROUPS.items():
        group = [line for line in lines if line.kind == kind]
        if not group:
            continue
        text_parts += [_(heading), *(f"- {line.text}\n  {line.link}" for line in group), ""]
        items = "".join(f"<li>{html.escape(line.text)} (<a href=\"{html.escape(line.link)}\">"
                        f"{html.escape(open_label)}</a>)</li>" for line in group)
        html_parts.append(f"<h3>{html.escape(_(heading))}</h3><ul>{items}</ul>")
    text = "\n".join(text_parts) + f"\n-- \n{footer_text}\n"
    return f"{SUBJECT_PREFIX} {subject}", text, _html_page(greeting, "".join(html_parts), footer_html)


def _queue(session: Session, user: User, key: str, mail: tuple[str, str, str], now: datetime,
           notifications: list[Notification]) -> None:
    subject, text, body_html = mail
    row = OutboxMail(key=key, user_id=user.id, to_address=user.email, subject=one_line(subject)[:300], body_text=text,
                     body_html=body_html, created_at=now, next_attempt_at=now, status=MailStatus.PENDING.value)
    session.add(row)
    session.flush()
    for n in notifications:
        n.mail_id = row.id
        session.add(n)


def _digest_key(session: Session, user_id: int, day, first_id: int) -> str:
    key = f"digest:{user_id}:{day.isoformat()}"
    taken = session.execute(sa.select(OutboxMail.id).where(OutboxMail.key == key)).first()
    return f"{key}:{first_id}" if taken else key  # a second digest the same day (forced): its own key


def compose_mails(session: Session, *, now: datetime, digest: bool | None = None, app_url: str | None = None,
                  digest_hour: int | None = None) -> ComposeReport:
    """Queue the mails due at ``now`` in the caller's one transaction.

    ``digest``: None composes the digest once the local digest hour has passed (for
    notifications collected before it), True now for everything waiting, False not at all.
    ``app_url`` and ``digest_hour`` default to the environment (``journeys.alerts.config``).
    """
    base = app_url or config.app_url()
    hour = config.digest_hour() if digest_hour is None else digest_hour
    local_now = now.astimezone(LOCAL_ZONE)
    day = local_now.date()
    digest_moment = datetime.combine(day, time(hour), tzinfo=LOCAL_ZONE)
    query = (sa.select(Notification, User).join(User, User.id == Notification.user_id)
             .where(Notification.mail_id.is_(None), User.active.is_(True), User.alerts != AlertMode.OFF.value)
             .order_by(Notification.user_id, Notification.id))
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(of=Notification.__table__, skip_locked=True)
    rows = session.execute(query).all()
    alerts = digests = waiting = 0
    for_digest: dict[int, list[Notification]] = defaultdict(list)
    users: dict[int, User] = {}
    for n, user in rows:
        users[user.id] = user
        if not user.email:
            waiting += 1
            continue
        if n.urgent and user.alerts == AlertMode.ALL.value:
            with use_language(user.language):
                mail = _alert_mail(user, _line(session, n, base), base)
            _queue(session, user, f"alert:{n.id}", mail, now, [n])
            alerts += 1
        elif digest or (digest is None and local_now >= digest_moment and n.created_at < digest_moment):
            for_digest[user.id].append(n)
    for user_id, notifications in for_digest.items():
        user = users[user_id]
        with use_language(user.language):
            lines = [_line(session, n, base) for n in notifications]
            mail = _digest_mail(user, lines, day, base)
        _queue(session, user, _digest_key(session, user_id, day, notifications[0].id), mail, now, notifications)
        digests += 1
    return ComposeReport(alerts=alerts, digests=digests, waiting_for_address=waiting)
