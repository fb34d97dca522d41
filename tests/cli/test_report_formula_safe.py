"""Every CSV and XLSX the product writes is safe to open in a spreadsheet (issue 13, item 7).

A brand, journey and wave named like a formula (``=HYPERLINK(...)``) must reach each file with
the leading quote of ``journeys.interchange.exports.neutralise_formula``, never as a live formula.
"""

import csv
import io

import openpyxl
import pandas as pd
from sqlmodel import select

from data import db
from journeys.fieldwork.frames import read_answers, read_contacts, read_criteria
from journeys.models import Brand, Journey, Wave
from scoring.metrics import metrics_table
from scoring.pipeline import dashboard_frame, scored_contacts
from tests.cli.conftest import contact, csv_text
from ui.downloads import csv_bytes, xlsx_bytes

AS_OF = "2026-03-10T00:00:00+00:00"
BRAND = '=HYPERLINK("http://x","b")'
JOURNEY = "+SUM(A1:A9)"
WAVE = "@evil"
POISON = (BRAND, JOURNEY, WAVE)


def _poisoned_world(cli, engine, tmp_path) -> None:
    """Three contacts imported, then the brand, journey and wave renamed to formulas."""
    path = tmp_path / "seed.csv"
    path.write_text(csv_text([contact(external_id=f"f{i}", channel=c) for i, c in
                              enumerate(("email", "phone", "twitter"))]))
    assert cli("import", "contacts", path).exit_code == 0
    with db.session_scope(engine) as session:
        session.exec(select(Brand)).one().name = BRAND
        session.exec(select(Journey).where(Journey.name == "Ask about a delivery")).one().name = JOURNEY
        session.exec(select(Wave)).one().name = WAVE


def _assert_neutralised(cells: list[str]) -> None:
    """Each poisoned name appears, and only behind the neutralising quote."""
    for name in POISON:
        holding = [c for c in cells if name in c]
        assert holding, f"{name!r} is not in the file at all"
        assert all(c == "'" + name for c in holding), holding


def _csv_cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def test_report_csv_neutralises_formula_names(cli, world, engine, tmp_path):
    """`klantreis report --format csv` writes a formula-named brand, journey and wave quoted."""
    _poisoned_world(cli, engine, tmp_path)
    result = cli("report", "--as-of", AS_OF, "--format", "csv", "--by", "brand,journey,wave,channel")
    assert result.exit_code == 0, result.output
    _assert_neutralised(_csv_cells(result.stdout))


def test_consistency_csv_neutralises_formula_names(cli, world, engine, tmp_path):
    """`klantreis report consistency --format csv` writes them quoted too, scopes and channel rows."""
    _poisoned_world(cli, engine, tmp_path)
    result = cli("report", "consistency", "--as-of", AS_OF, "--format", "csv", "--by", "brand,journey,wave")
    assert result.exit_code == 0, result.output
    _assert_neutralised(_csv_cells(result.stdout))


def test_contact_export_neutralises_formula_names(cli, world, engine, tmp_path):
    """`klantreis export contacts` (CSV and XLSX) writes them quoted."""
    _poisoned_world(cli, engine, tmp_path)
    out = tmp_path / "out.csv"
    assert cli("export", "contacts", "-o", out).exit_code == 0
    _assert_neutralised(_csv_cells(out.read_text(encoding="utf-8-sig")))
    out = tmp_path / "out.xlsx"
    assert cli("export", "contacts", "-o", out).exit_code == 0
    sheet = openpyxl.load_workbook(out).active
    _assert_neutralised([str(c.value) for row in sheet.iter_rows() for c in row if isinstance(c.value, str)])


def test_app_downloads_neutralise_formula_names(cli, world, engine, tmp_path):
    """The app's metric and contact downloads (``ui.downloads``) write them quoted, CSV and XLSX."""
    _poisoned_world(cli, engine, tmp_path)
    frame = dashboard_frame(scored_contacts(read_contacts(engine), read_answers(engine), read_criteria(engine),
                                            pd.Timestamp(AS_OF).to_pydatetime()))
    metrics = metrics_table(frame, ["brand", "journey", "wave", "channel"])
    _assert_neutralised(_csv_cells(csv_bytes(metrics).decode("utf-8-sig")))
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(metrics, "metrics"))).active
    _assert_neutralised([c.value for row in sheet.iter_rows() for c in row if isinstance(c.value, str)])


def test_report_table_shows_markup_in_names_literally(cli, world, engine, tmp_path):
    """The terminal table prints a brand named like rich markup as typed, not as a link or style."""
    _poisoned_world(cli, engine, tmp_path)
    with db.session_scope(engine) as session:
        session.exec(select(Brand)).one().name = "[link=http://evil]Koop[/link]"
    result = cli("report", "--as-of", AS_OF, "--by", "brand")
    assert result.exit_code == 0, result.output
    assert "[link=http://evil]Koop[/link]" in result.stdout.replace("\n", "").replace("│", "").replace(" ", "")
