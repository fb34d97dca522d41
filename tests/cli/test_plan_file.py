"""`klantreis import plan` and `export plan`: the fieldwork plan as a file, on both databases."""

import csv

import sqlalchemy as sa

from data import db
from journeys.catalogue.reference import get_or_create_location
from journeys.fieldwork.waves import close_wave
from journeys.models import Assignment, PlanLine, Role, User
from tests.cli.conftest import csv_text


def _counts(engine):
    with engine.connect() as connection:
        return tuple(connection.execute(sa.select(sa.func.count()).select_from(m)).scalar_one()
                     for m in (PlanLine, Assignment))


def _with_stores(engine):
    with db.session_scope(engine) as session:
        from tests.factories import make_world

        world = make_world(session)
        for name in ("Utrecht", "=HYPERLINK(\"x\")"):
            get_or_create_location(session=session, brand=world["brand"], name=name)
        return world["wave"].id


def _row(**overrides):
    row = {"wave": "2026-Q1", "brand": "Koopklik", "location": "Utrecht", "journey": "Ask about a delivery",
           "channel": "phone", "quantity": "2", "time_slot": "after_hours", "due_on": "2026-03-20"}
    row.update(overrides)
    return row


def test_import_then_export_round_trip_is_a_no_op(cli, engine, tmp_path):
    """Rows add lines with their planned contacts; exporting and importing that file changes nothing."""
    _with_stores(engine)
    plan = tmp_path / "plan.csv"
    plan.write_text(csv_text([_row(), _row(location="", channel="email", time_slot="", due_on=""),
                              _row(location='=HYPERLINK("x")', channel="email", quantity="3")]), encoding="utf-8")
    result = cli("import", "plan", plan)
    assert result.exit_code == 0, result.output
    assert "3 added" in result.output and _counts(engine) == (3, 7)
    for suffix in ("csv", "xlsx"):
        out = tmp_path / f"export.{suffix}"
        result = cli("export", "plan", "--wave", "2026-Q1", "-o", out)
        assert result.exit_code == 0, result.output
        assert "3 plan lines written" in result.output
        again = cli("import", "plan", out)
        assert again.exit_code == 0, again.output
        assert "0 added, 0 changed, 3 unchanged" in again.output, again.output
        assert _counts(engine) == (3, 7)
    with (tmp_path / "export.csv").open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert rows[0].keys() >= {"wave", "quantity", "assigned", "done"}
    assert "'=HYPERLINK(\"x\")" in {r["location"] for r in rows}  # formula-safe


def test_a_row_sets_its_lines_quantity(cli, engine, tmp_path):
    """A second file with a new quantity changes the line and its planned contacts; --dry-run writes nothing."""
    _with_stores(engine)
    plan = tmp_path / "plan.csv"
    plan.write_text(csv_text([_row()]), encoding="utf-8")
    assert cli("import", "plan", plan).exit_code == 0
    plan.write_text(csv_text([_row(quantity="5")]), encoding="utf-8")
    dry = cli("import", "plan", plan, "--dry-run")
    assert dry.exit_code == 0 and "1 changed" in dry.output and "dry run" in dry.output
    assert _counts(engine) == (1, 2)
    assert cli("import", "plan", plan).exit_code == 0
    assert _counts(engine) == (1, 5)


def test_bad_rows_are_listed_and_nothing_is_written(cli, engine, tmp_path):
    """Every bad row is named with its column; the good rows of the file are not written either."""
    _with_stores(engine)
    plan = tmp_path / "plan.csv"
    plan.write_text(csv_text([
        _row(),
        _row(location="Nowhere"),
        _row(channel="store", location=""),
        _row(quantity="1001", location="", channel="email"),
        _row(due_on="20-03-2026", channel="twitter"),
    ]), encoding="utf-8")
    result = cli("import", "plan", plan)
    assert result.exit_code == 1
    text = result.output + result.stderr
    for expected in ("row 3, location", "row 4, channel", "row 5, quantity", "row 6, due_on"):
        assert expected in text, text
    assert "Traceback" not in text
    assert _counts(engine) == (0, 0)


def test_a_closed_wave_is_a_row_error(cli, engine, tmp_path):
    """A row of a closed wave is refused, naming the wave."""
    wave_id = _with_stores(engine)
    with db.session_scope(engine) as session:
        admin = User(username="boss", role=Role.ADMIN.value)
        session.add(admin)
        session.flush()
        close_wave(session=session, actor=admin, wave_id=wave_id)
    plan = tmp_path / "plan.csv"
    plan.write_text(csv_text([_row()]), encoding="utf-8")
    result = cli("import", "plan", plan)
    assert result.exit_code == 1
    assert "row 2, wave: wave 2026-Q1 is closed" in result.output + result.stderr
    assert _counts(engine) == (0, 0)
