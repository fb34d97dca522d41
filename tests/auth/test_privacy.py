"""Evidence retention (service and command) and pseudonymous auditor names."""

import hashlib
from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest
from sqlmodel import func, select
from typer.testing import CliRunner

from data import db
from journeys.accounts.privacy import pseudonym_secret, pseudonymise_auditors
from journeys.errors import PermissionDenied, ValidationError
from journeys.fieldwork.retention import months_before, purge_evidence, retention_months, set_retention_months
from journeys.models import ChangeLog, Contact, Evidence

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def _add_evidence(engine, contact_id: int, uploaded_at: datetime, size: int = 1000) -> None:
    content = b"x" * size
    with db.session_scope(engine) as session:
        session.add(Evidence(
            contact_id=contact_id, file_name=f"shot-{uploaded_at:%Y%m%d}.png", media_type="image/png",
            size_bytes=size, sha256=hashlib.sha256(content).hexdigest(), content=content, uploaded_at=uploaded_at,
        ))


@pytest.fixture
def evidence(engine, people):
    """Three files on contact1: 13 months, 11 months and 1 day old."""
    for age in (timedelta(days=400), timedelta(days=335), timedelta(days=1)):
        _add_evidence(engine, people["contact1"].id, NOW - age)
    return people


def _files(engine) -> int:
    with db.session_scope(engine) as session:
        return session.exec(select(func.count()).select_from(Evidence)).one()


def test_dry_run_counts_without_deleting(engine, evidence):
    """A dry run reports what would go and deletes nothing."""
    with db.session_scope(engine) as session:
        report = purge_evidence(session=session, months=12, dry_run=True, now=NOW)
    assert (report.files, report.bytes, report.dry_run) == (1, 1000, True)
    assert _files(engine) == 3


def test_purge_deletes_only_older_files_and_logs_them(engine, evidence):
    """Evidence older than the period goes, younger stays, contacts stay, and each deletion is logged."""
    with db.session_scope(engine) as session:
        report = purge_evidence(session=session, months=6, dry_run=False, actor=evidence["admin"], now=NOW)
    assert report.files == 2 and _files(engine) == 1
    with db.session_scope(engine) as session:
        assert session.get(Contact, evidence["contact1"].id) is not None
        logged = session.exec(select(ChangeLog).where(ChangeLog.entity == "evidence")).all()
    assert len(logged) == 2 and all(entry.action == "delete" for entry in logged)


@pytest.mark.parametrize("who", ["auditor", "manager"])
def test_only_admins_purge_or_set_retention(engine, evidence, who):
    """Auditors and managers may neither delete evidence nor change the retention setting."""
    with pytest.raises(PermissionDenied), db.session_scope(engine) as session:
        purge_evidence(session=session, months=1, dry_run=False, actor=evidence[who], now=NOW)
    with pytest.raises(PermissionDenied), db.session_scope(engine) as session:
        set_retention_months(session=session, actor=evidence[who], months=3)
    assert _files(engine) == 3


@pytest.mark.parametrize("months", [0, -1, 121, 2.5, True])
def test_invalid_months_are_refused(engine, evidence, months):
    """A retention period outside 1..120 whole months names the field and the value."""
    with pytest.raises(ValidationError, match="months: must be a whole number"), db.session_scope(engine) as session:
        purge_evidence(session=session, months=months, dry_run=True, now=NOW)


def test_retention_setting_round_trips(engine, people):
    """The admin's retention setting is stored and read back; None clears it."""
    with db.session_scope(engine) as session:
        assert retention_months(session=session) is None
        set_retention_months(session=session, actor=people["admin"], months=18)
    with db.session_scope(engine) as session:
        assert retention_months(session=session) == 18


@pytest.mark.parametrize(
    ("moment", "months", "expected"),
    [(datetime(2026, 3, 31, tzinfo=UTC), 1, datetime(2026, 2, 28, tzinfo=UTC)),
     (datetime(2026, 1, 15, tzinfo=UTC), 13, datetime(2024, 12, 15, tzinfo=UTC)),
     (datetime(2024, 5, 31, tzinfo=UTC), 3, datetime(2024, 2, 29, tzinfo=UTC))],
)
def test_months_before_uses_calendar_months(moment, months, expected):
    """Month arithmetic clamps to the last day of a shorter month."""
    assert months_before(moment, months) == expected


def test_retention_command_dry_run_and_delete(app_env, engine, evidence):
    """`klantreis retention --months N --dry-run` counts; without --dry-run it deletes."""
    from cli.main import app

    runner = CliRunner()
    result = runner.invoke(app, ["retention", "--months", "12", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "would delete 1 evidence file" in result.output and _files(engine) == 3
    result = runner.invoke(app, ["retention", "--months", "12"])
    assert result.exit_code == 0, result.output
    assert "deleted 1 evidence file" in result.output and _files(engine) == 2


def test_pseudonyms_are_stable_per_installation_and_hide_names():
    """The same name gets the same pseudonym under one secret, another under a different secret."""
    frame = pd.DataFrame({"Auditor": ["Linn Govarts", "Bram Smit", "Linn Govarts", None], "Score": [1, 2, 3, 4]})
    first = pseudonymise_auditors(frame, "Auditor", secret="a" * 64)
    again = pseudonymise_auditors(frame, "Auditor", secret="a" * 64)
    other = pseudonymise_auditors(frame, "Auditor", secret="b" * 64)
    assert first.equals(again)
    assert first["Auditor"][0] == first["Auditor"][2] != first["Auditor"][1]
    assert first["Auditor"][0].startswith("Auditor ") and "Linn" not in " ".join(first["Auditor"].dropna())
    assert pd.isna(first["Auditor"][3]) and first["Score"].tolist() == [1, 2, 3, 4]
    assert other["Auditor"][0] != first["Auditor"][0]
    assert frame["Auditor"][0] == "Linn Govarts"  # the input frame is not changed


def test_pseudonym_secret_is_created_once(engine):
    """The installation's pseudonym secret is generated on first use and then kept."""
    with db.session_scope(engine) as session:
        first = pseudonym_secret(session=session)
    with db.session_scope(engine) as session:
        assert pseudonym_secret(session=session) == first and len(first) == 64
