"""`klantreis export trail`: every step with who, when and the comment, one wave or all, formula-safe."""

import csv
from datetime import timedelta

import openpyxl
from sqlmodel import select

from data import db
from journeys.accounts.users import create_user
from journeys.catalogue.reference import get_or_create_wave
from journeys.models import Answer, Criterion
from journeys.review.workflow import return_contact, submit_contact
from tests.cli.conftest import cli  # noqa: F401  - the fixture
from tests.factories import T0, make_contact, make_world


def _trail(engine):
    """Contact 1 of wave 2026-Q1 submitted and returned with a formula-like comment; contact 2 of
    wave 2026-Q2 submitted."""
    with db.session_scope(engine) as session:
        world = make_world(session)
        reviewer = create_user(session=session, username="rev", role="reviewer", password="reviewer-pass")
        other_wave = get_or_create_wave(session=session, name="2026-Q2")
        criterion_id = session.exec(select(Criterion.id).where(Criterion.version_id == world["version"].id)).first()
        ids = []
        for wave in (world["wave"], other_wave):
            contact = make_contact(world, review_status="open", released_at=None, wave_id=wave.id)
            session.add(contact)
            session.flush()
            session.add(Answer(contact_id=contact.id, criterion_id=criterion_id, value=1.0))
            ids.append(contact.id)
        for contact_id in ids:
            submit_contact(session=session, actor=world["auditor"], contact_id=contact_id, now=T0 + timedelta(days=1))
        return_contact(session=session, actor=reviewer, contact_id=ids[0], comment="=HYPERLINK(\"http://evil\")",
                       now=T0 + timedelta(days=2))
    return ids


def test_export_trail_csv_of_one_wave_is_formula_safe(cli, engine, tmp_path):  # noqa: F811
    first, _second = _trail(engine)
    out = tmp_path / "trail.csv"
    result = cli("export", "trail", "--wave", "2026-Q1", "-o", out)
    assert result.exit_code == 0, result.output
    assert "2 trail steps written" in result.output
    with out.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [(int(r["contact_id"]), r["user"], r["action"], r["step"], r["comment"]) for r in rows] == [
        (first, "auditor1", "submitted", "Submitted for review", ""),
        (first, "rev", "returned", "Returned for revision", "'=HYPERLINK(\"http://evil\")")]
    assert rows[0]["occurred_at"].startswith("2026-03-03T10:00:00")
    assert cli("export", "trail", "-o", out).exit_code == 0
    with out.open(encoding="utf-8-sig", newline="") as handle:
        assert len(list(csv.DictReader(handle))) == 3


def test_export_trail_xlsx_has_no_formulas_and_unknown_wave_is_refused(cli, engine, tmp_path):  # noqa: F811
    _trail(engine)
    out = tmp_path / "trail.xlsx"
    assert cli("export", "trail", "-o", out).exit_code == 0
    cells = [c for row in openpyxl.load_workbook(out).active.iter_rows() for c in row if c.value]
    assert not any(c.data_type == "f" for c in cells)
    assert "'=HYPERLINK(\"http://evil\")" in [c.value for c in cells]
    result = cli("export", "trail", "--wave", "nope", "-o", out)
    assert result.exit_code != 0 and "unknown wave" in result.output
