"""Release to the client: a wave's approved contacts become released, all at once or one by one.

A wave's ``release_mode`` (``journeys.models.ReleaseMode``) says how its approved contacts reach
the client: all at once when a manager releases the wave (``release_wave``; ``ReleaseMode.AT_ONCE``),
or continuously, each as it is approved (``ReleaseMode.CONTINUOUS``;
``journeys.review.states.releases_on_approval``). Switching a wave to
continuous releases what it has approved so far, at once: nothing then waits for a release that
will never come. ``appeal_days`` is the wave's appeal window, days after release.

Every release is one transaction: each contact's status and ``released_at``, one RELEASED step
per contact in the audit trail (``journeys.models.ReviewEvent``, inserted in bulk), the wave's
``released_at`` and a change-log entry for the wave. Closing a wave is about fieldwork; a closed
wave can still be released. ``release_counts`` gives the release panel its counts per status.
"""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session

from journeys.accounts.access import RELEASERS, ensure_role
from journeys.errors import Problem, ValidationError
from journeys.fieldwork.waves import get_wave
from journeys.language import _
from journeys.models import ChangeLog, Contact, ReleaseMode, ReviewAction, ReviewEvent, ReviewStatus, Wave, utcnow

MAX_APPEAL_DAYS = 90
# The statuses the release panel counts, in the order a contact passes them.
COUNTED_STATUSES = (ReviewStatus.OPEN, ReviewStatus.SUBMITTED, ReviewStatus.RETURNED, ReviewStatus.APPROVED,
                    ReviewStatus.RELEASED)


@dataclass(frozen=True)
class ReleaseCounts:
    """A wave's contacts per review status (drafts included: they are being logged), and its release."""

    wave_id: int
    by_status: dict[str, int]
    release_mode: str
    appeal_days: int
    released_at: datetime | None

    @property
    def total(self) -> int:
        return sum(self.by_status.values())

    @property
    def approved(self) -> int:
        """The contacts a release would release now."""
        return self.by_status.get(ReviewStatus.APPROVED, 0)

    @property
    def unreleased(self) -> int:
        return self.total - self.by_status.get(ReviewStatus.RELEASED, 0)


def _log(session: Session, actor, wave_id: int, field: str, old, new) -> None:
    session.add(ChangeLog(user_id=getattr(actor, "id", None), entity="wave", entity_id=wave_id, action="update",
                          field=field, old_value=None if old is None else str(old),
                          new_value=None if new is None else str(new)))


def _release_approved(session: Session, actor, wave_id: int, now: datetime) -> int:
    """Release every approved contact of the wave: statuses, ``released_at`` and the trail (bulk)."""
    connection = session.connection()
    contact = Contact.__table__
    ids = connection.execute(
        sa.select(contact.c.id).where(contact.c.wave_id == wave_id,
                                      contact.c.review_status == ReviewStatus.APPROVED.value)
        .order_by(contact.c.id)).scalars().all()
    if not ids:
        return 0
    connection.execute(
        sa.update(contact).where(contact.c.wave_id == wave_id, contact.c.review_status == ReviewStatus.APPROVED.value)
        .values(review_status=ReviewStatus.RELEASED.value, released_at=now))
    user_id = getattr(actor, "id", None)
    connection.execute(sa.insert(ReviewEvent.__table__), [
        {"contact_id": i, "action": ReviewAction.RELEASED.value, "comment": "", "user_id": user_id,
         "appeal_id": None, "occurred_at": now} for i in ids])
    return len(ids)


def set_release_settings(*, session: Session, actor, wave_id: int, release_mode: str, appeal_days: int) -> int:
    """Set a wave's release mode and appeal window. Switching to continuous releases the wave's
    approved contacts at once.

    Returns:
        How many contacts the change released (0 unless it switched to continuous).

    Raises:
        PermissionDenied: not a releaser (``journeys.accounts.access.RELEASERS``).
        NotFoundError: no such wave.
        ValidationError: a mode not in ``ReleaseMode``, appeal days not a whole number 0 to 90.
    """
    ensure_role(actor, *RELEASERS, action="change a wave's release settings")
    wave = get_wave(session, wave_id)
    problems = []
    modes = [m.value for m in ReleaseMode]
    if release_mode not in modes:
        problems.append(Problem("release_mode", release_mode, _("must be one of {allowed}").format(
            allowed=", ".join(modes)), label=_("Release mode")))
    days = appeal_days
    if isinstance(days, bool) or not isinstance(days, int):
        try:
            days = int(str(days).strip()) if float(str(days).strip()).is_integer() else None
        except ValueError:
            days = None
    if days is None or not 0 <= days <= MAX_APPEAL_DAYS:
        problems.append(Problem("appeal_days", appeal_days, _("must be a whole number of days from 0 to {most}").format(
            most=MAX_APPEAL_DAYS), label=_("Appeal window (days)")))
    if problems:
        raise ValidationError(problems)
    now = utcnow()
    released = 0
    if wave.release_mode != release_mode:
        _log(session, actor, wave_id, "release_mode", wave.release_mode, release_mode)
        wave.release_mode = release_mode
        if release_mode == ReleaseMode.CONTINUOUS:
            released = _release_approved(session, actor, wave_id, now)
    if wave.appeal_days != days:
        _log(session, actor, wave_id, "appeal_days", wave.appeal_days, days)
        wave.appeal_days = days
    session.add(wave)
    session.flush()
    return released


def release_wave(*, session: Session, actor, wave_id: int) -> int:
    """Release every approved contact of the wave to the client, in one transaction, and mark the
    wave released (its later approvals then follow at once).

    Returns:
        How many contacts were released.

    Raises:
        PermissionDenied: not a releaser.
        NotFoundError: no such wave.
        ValidationError: the wave has no approved contact to release (says how many wait for review).
    """
    ensure_role(actor, *RELEASERS, action="release results")
    wave = get_wave(session, wave_id)
    now = utcnow()
    released = _release_approved(session, actor, wave_id, now)
    if not released:
        waiting = release_counts(session, actor, wave_id).unreleased
        raise ValidationError(Problem("wave", wave.name, _(
            "has no approved contacts to release ({waiting} not yet approved: approve them in review first)").format(
            waiting=waiting), label=_("wave")))
    _log(session, actor, wave_id, "released_at", wave.released_at.isoformat() if wave.released_at else None,
         now.isoformat())
    wave.released_at = now
    session.add(wave)
    session.flush()
    return released


def release_counts(session: Session, actor, wave_id: int) -> ReleaseCounts:
    """The wave's contacts per review status (``COUNTED_STATUSES``, zeros included) and its settings.

    Raises:
        PermissionDenied: not a releaser.
        NotFoundError: no such wave.
    """
    ensure_role(actor, *RELEASERS, action="release results")
    wave: Wave = get_wave(session, wave_id)
    rows = session.connection().execute(
        sa.select(Contact.review_status, sa.func.count()).where(Contact.wave_id == wave_id)
        .group_by(Contact.review_status)).all()
    found = {str(status): int(n) for status, n in rows}
    return ReleaseCounts(wave_id=wave_id, by_status={s.value: found.get(s.value, 0) for s in COUNTED_STATUSES},
                         release_mode=wave.release_mode, appeal_days=wave.appeal_days, released_at=wave.released_at)
