"""The contact export's own columns (issue 15, item 15): the contact's id, the channel's display name and
the quality score as the dashboards have it; an exported file imports back unchanged (nothing new, no
error), on SQLite and PostgreSQL, as CSV and XLSX; and the summaries count in the right number."""

import csv
import math
from datetime import UTC, datetime

import openpyxl
import pandas as pd
import pytest
import sqlalchemy as sa

from cli.report import read_scored
from data import db
from journeys.demo import seed_demo
from journeys.fieldwork.contact_filter import ContactFilter
from journeys.interchange.contact_file import COLUMNS, EXPORT_ONLY_COLUMNS, check_header
from journeys.models import Answer, ChangeLog, Channel, Contact
from tests.cli.conftest import contact, csv_text

EXPORT_ONLY = ["contact_id", "channel_label", "raw_score", "final_score", "passed"]


def _rows(path) -> list[dict]:
    if path.suffix == ".xlsx":
        sheet = openpyxl.load_workbook(path, read_only=True).active
        header, *cells = [[("" if v is None else str(v)) for v in row] for row in sheet.iter_rows(values_only=True)]
        return [dict(zip(header, row, strict=False)) for row in cells]
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _score(text: str) -> float:
    return math.nan if text == "" else float(text)


def _counts(engine) -> dict:
    with engine.connect() as connection:
        return {table.__name__: connection.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
                for table in (Contact, Answer, ChangeLog)}


@pytest.fixture
def demo(app_env, engine):
    """Demo data (critical criteria that knock scores out, contacts with an external_id)."""
    seed_demo(engine, contacts=60, seed=5)
    return engine


def test_export_only_columns_are_the_documented_ones():
    """The export-only columns are named once, in the reader, and are none of the import's own."""
    assert list(EXPORT_ONLY_COLUMNS) == EXPORT_ONLY
    assert not set(EXPORT_ONLY_COLUMNS) & set(COLUMNS)
    _columns, _items, extras, problems = check_header(["brand", "journey", "channel", "started_at", *EXPORT_ONLY])
    assert problems == [] and extras == EXPORT_ONLY


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_export_has_the_contact_id_channel_label_and_the_scored_frames_scores(cli, demo, tmp_path, file_format):
    """Every row carries its contact's id, the channel's display name and raw_score, final_score and passed
    exactly as scoring.pipeline.scored_contacts (the dashboards' and the report's frame) has them."""
    out = tmp_path / f"export.{file_format}"
    result = cli("export", "contacts", "-o", out)
    assert result.exit_code == 0, result.stderr
    rows = _rows(out)
    assert [c for c in rows[0] if c in EXPORT_ONLY] == EXPORT_ONLY
    scored = read_scored(demo, ContactFilter(), datetime.now(UTC)).set_index("contact_id")
    with demo.connect() as connection:
        ids = dict(connection.execute(sa.select(Contact.external_id, Contact.id)).all())
        labels = dict(connection.execute(sa.select(Channel.name, Channel.label)).all())
    assert sorted(int(r["contact_id"]) for r in rows) == sorted(scored.index)
    knocked_out = 0
    for row in rows:
        contact_id = int(row["contact_id"])
        assert ids[row["external_id"]] == contact_id
        assert row["channel_label"] == (labels[row["channel"]] or row["channel"])
        expected = scored.loc[contact_id]
        for column in ("raw_score", "final_score"):
            exported, figure = _score(row[column]), float(expected[column])
            assert exported == figure or (math.isnan(exported) and math.isnan(figure)), (contact_id, column)
        passed = expected["passed"]
        assert row["passed"] == ("" if pd.isna(passed) else ("yes" if passed else "no"))
        knocked_out += row["raw_score"] != row["final_score"]
    assert knocked_out, "the demo data knocks some scores out: raw and final must differ somewhere"
    assert {r["passed"] for r in rows} >= {"yes", "no"}


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_export_then_import_is_a_no_op(cli, demo, tmp_path, file_format):
    """An exported file imports back unchanged: no error, nothing added, nothing changed, nothing logged;
    the export-only columns are ignored."""
    out = tmp_path / f"export.{file_format}"
    assert cli("export", "contacts", "-o", out).exit_code == 0
    before = _counts(demo)
    result = cli("import", "contacts", out)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    assert "added 0 contacts, updated 0 (by external_id)" in result.output
    assert f"0 changed (0 field and answer changes logged, old → new), {before['Contact']:,} unchanged" in result.output
    assert _counts(demo) == before


def test_an_edited_score_in_an_export_changes_nothing(cli, demo, tmp_path):
    """The score columns are for reading: a file whose scores were typed over imports as if they were not there."""
    out = tmp_path / "export.csv"
    assert cli("export", "contacts", "-o", out).exit_code == 0
    rows = _rows(out)
    for row in rows:
        row.update(contact_id="999999", channel_label="=1+1", raw_score="1", final_score="-5", passed="maybe")
    edited = tmp_path / "edited.csv"
    edited.write_text(csv_text(rows, header=list(rows[0])), encoding="utf-8")
    before = _counts(demo)
    result = cli("import", "contacts", edited)
    assert result.exit_code == 0, result.stderr
    assert "added 0 contacts" in result.output and _counts(demo) == before


def test_export_only_cells_are_formula_safe(cli, world, engine, tmp_path):
    """A channel display name starting with = is written with a leading quote, like every other cell."""
    with db.session_scope(engine) as session:
        session.exec(sa.update(Channel).where(Channel.name == "email").values(label="=E-mail"))
    path = tmp_path / "seed.csv"
    path.write_text(csv_text([contact(external_id="e1")]))
    assert cli("import", "contacts", path).exit_code == 0
    out = tmp_path / "out.csv"
    assert cli("export", "contacts", "-o", out).exit_code == 0
    assert _rows(out)[0]["channel_label"] == "'=E-mail"


def test_summaries_count_one_row_and_one_contact_in_the_singular(cli, world, tmp_path):
    """'1 row: added 1 contact', '1 contact written', not '1 rows', '1 contacts'."""
    path = tmp_path / "one.csv"
    path.write_text(csv_text([contact(external_id="e1", **{"item:C2": "", "item:C3": ""})]))
    result = cli("import", "contacts", path)
    assert result.exit_code == 0, result.stderr
    assert "1 row: added 1 contact, updated 0 (by external_id), 1 checklist answer\n" in result.output
    out = tmp_path / "out.csv"
    result = cli("export", "contacts", "-o", out)
    assert result.exit_code == 0 and result.output.startswith("1 contact written to ")
    result = cli("import", "contacts", out)
    assert "1 row: added 0 contacts, updated 0 (by external_id), 1 checklist answer\n" in result.output
    assert "0 changed (0 field and answer changes logged, old → new), 1 unchanged" in result.output
