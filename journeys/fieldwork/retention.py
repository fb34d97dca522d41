"""Evidence retention: delete evidence files older than N months, with a dry run first.

The retention period is an installation setting (``evidence_retention_months``); the admin
page and ``klantreis retention --months N [--dry-run]`` both call ``purge_evidence``. Only the
files go: contacts, scores and notes stay, and each deletion is written to the change log so
it is clear later why evidence is missing.
"""

import json
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, func, select

from journeys.accounts.access import SETTINGS_ADMINS, ensure_role
from journeys.errors import Problem, ValidationError
from journeys.language import N_, _, number
from journeys.models import ChangeLog, Evidence, Setting, utcnow

RETENTION_SETTING = "evidence_retention_months"
MAX_MONTHS = 120


@dataclass(frozen=True)
class RetentionReport:
    """What a purge removed (or, in a dry run, would remove)."""

    months: int
    cutoff: datetime
    files: int
    bytes: int
    dry_run: bool


def months_before(moment: datetime, months: int) -> datetime:
    """``moment`` minus whole calendar months, clamped to the month's last day (31 Mar − 1 → 28/29 Feb)."""
    index = moment.year * 12 + (moment.month - 1) - months
    year, month = divmod(index, 12)
    month += 1
    next_index = year * 12 + month  # first day of the following month, as a month index
    last_day = (datetime(next_index // 12, next_index % 12 + 1, 1) - datetime(year, month, 1)).days
    return moment.replace(year=year, month=month, day=min(moment.day, last_day))


def _check_months(months) -> int:
    if isinstance(months, bool) or not isinstance(months, int) or not 1 <= months <= MAX_MONTHS:
        raise ValidationError(Problem(
            "months", months, _("must be a whole number of months from 1 to {max}").format(max=number(MAX_MONTHS)),
            label=_("months")))
    return months


def retention_months(*, session: Session) -> int | None:
    """The configured retention period in months, or None (keep evidence forever)."""
    row = session.get(Setting, RETENTION_SETTING)
    return json.loads(row.value_json) if row else None


def set_retention_months(*, session: Session, actor, months: int | None) -> None:
    """Set (or with None clear) the retention period. Admins only."""
    ensure_role(actor, *SETTINGS_ADMINS, action=N_("change settings"))
    if months is not None:
        _check_months(months)
    row = session.get(Setting, RETENTION_SETTING) or Setting(key=RETENTION_SETTING)
    row.value_json = json.dumps(months)
    row.updated_at = utcnow()
    session.add(row)


def purge_evidence(
    *, session: Session, months: int, dry_run: bool, actor=None, now: datetime | None = None
) -> RetentionReport:
    """Delete evidence uploaded before ``now`` minus ``months`` (count only when ``dry_run``).

    ``actor`` is the signed-in admin in the app; the command line runs as the operator (None).

    Raises:
        ValidationError: months outside 1..MAX_MONTHS.
        PermissionDenied: an actor who is not an admin.
    """
    if actor is not None:
        ensure_role(actor, *SETTINGS_ADMINS, action=N_("delete evidence"))
    months = _check_months(months)
    cutoff = months_before(now or utcnow(), months)
    old = Evidence.uploaded_at < cutoff
    files, size = session.exec(
        select(func.count(), func.coalesce(func.sum(Evidence.size_bytes), 0)).select_from(Evidence).where(old)
    ).one()
    if not dry_run and files:
        doomed = session.exec(select(Evidence.id, Evidence.contact_id, Evidence.file_name).where(old)).all()
        session.add_all(
            ChangeLog(
                user_id=getattr(actor, "id", None), entity="evidence", entity_id=evidence_id, action="delete",
                field="retention", old_value=f"contact {contact_id}: {file_name}", new_value=None,
            )
            for evidence_id, contact_id, file_name in doomed
        )
        session.execute(sa.delete(Evidence).where(old))
    return RetentionReport(months=months, cutoff=cutoff, files=int(files), bytes=int(size), dry_run=dry_run)
