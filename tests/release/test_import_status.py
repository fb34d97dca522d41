"""`klantreis import contacts` brings records in released, or submitted for review with
`--status submitted` (SQLite and PostgreSQL)."""

import json

from sqlmodel import Session, select

from journeys.models import Contact, ReviewAction, ReviewEvent
from tests.cli.conftest import contact, csv_text, world  # noqa: F401 - the world fixture

ROWS = [contact(external_id="s1"), contact(external_id="s2", channel="phone", first_response_at="2026-03-02 10:01")]


def _contacts(engine):
    with Session(engine) as session:
        return session.exec(select(Contact).order_by(Contact.external_id)).all(), session.exec(select(ReviewEvent)).all()


def test_import_brings_contacts_in_released_by_default(cli, world, engine, tmp_path):  # noqa: F811
    """Records from another system come finished: released, counted at once, no review step."""
    path = tmp_path / "in.csv"
    path.write_text(csv_text(ROWS))
    result = cli("import", "contacts", path)
    assert result.exit_code == 0, result.output
    assert "the added contacts are released: counted at once" in result.output
    contacts, events = _contacts(engine)
    assert [(c.review_status, c.released_at is not None) for c in contacts] == [("released", True)] * 2
    assert events == []


def test_import_with_status_submitted_waits_for_review(cli, world, engine, tmp_path):  # noqa: F811
    """--status submitted: submitted, not released, one SUBMITTED step each; figures do not count them yet."""
    path = tmp_path / "in.csv"
    path.write_text(csv_text(ROWS))
    dry = cli("import", "contacts", path, "--status", "submitted", "--dry-run")
    assert dry.exit_code == 0 and "would be submitted for review" in dry.output
    assert _contacts(engine) == ([], [])
    result = cli("import", "contacts", path, "--status", "submitted")
    assert result.exit_code == 0, result.output
    assert "the added contacts are submitted for review: not counted until they are released" in result.output
    contacts, events = _contacts(engine)
    assert [(c.review_status, c.released_at) for c in contacts] == [("submitted", None)] * 2
    assert sorted(e.contact_id for e in events) == sorted(c.id for c in contacts)
    assert {e.action for e in events} == {ReviewAction.SUBMITTED.value}
    report = cli("report", "--format", "json")
    assert report.exit_code == 0 and report.output.strip() == "[]"
    agency = json.loads(cli("report", "--format", "json", "--include-unreleased").output)
    assert {row["channel"]: row["contacts"] for row in agency} == {"email": 1, "phone": 1}


def test_import_refuses_another_status(cli, world, engine, tmp_path):  # noqa: F811
    """Only released or submitted: anything else is a usage error naming --status and the choices."""
    path = tmp_path / "in.csv"
    path.write_text(csv_text(ROWS))
    result = cli("import", "contacts", path, "--status", "approved")
    assert result.exit_code == 2
    assert "--status" in result.output and "released, submitted" in result.output
    assert _contacts(engine) == ([], [])
