"""`klantreis import contacts`: how a file is read, and the cells that must never be read wrong.

Issue 13 items 1, 4, 13 and 14: an unclosed quote, an XLSX formula without a computed value, a
local time that daylight saving time makes ambiguous or void, and a number with a comma were
all imported as something else without a word. Each is refused naming where it is; the import
says how many records it read from how many lines.
"""

import csv
import io
import zipfile
from datetime import UTC, datetime

import openpyxl
import pytest
import sqlalchemy as sa

from journeys.errors import ValidationError
from journeys.interchange.contact_file import parse_timestamp, read_table
from journeys.models import Answer, Contact
from tests.cli.conftest import contact, csv_text


def _contacts(engine) -> list:
    with engine.connect() as connection:
        return connection.execute(sa.select(Contact).order_by(Contact.id)).all()


def _count(engine, model) -> int:
    with engine.connect() as connection:
        return connection.execute(sa.select(sa.func.count()).select_from(model)).scalar_one()


ISSUE_FILE = ("external_id,brand,journey,channel,started_at,notes\n"
              't-1,Koopklik,Ask about a delivery,email,2026-03-02 10:15,"oops\n'
              "t-2,Koopklik,Ask about a delivery,email,2026-03-02 10:15,x\n")

# ------------------------------------------------------------------ item 1: quotes and record counts


def test_unclosed_quote_is_refused_naming_its_line(cli, engine, world, tmp_path):
    """The issue's file: a quote that never closes swallowed row 3 and imported "1 rows"; now exit 1 naming line 2."""
    path = tmp_path / "q.csv"
    path.write_text(ISSUE_FILE)
    result = cli("import", "contacts", path)
    assert result.exit_code == 1, result.output
    assert "row 2" in result.stderr and "opens on line 2 is never closed" in result.stderr, result.stderr
    assert "Traceback" not in result.output + result.stderr
    assert _count(engine, Contact) == 0


def test_unclosed_quote_after_a_multiline_note_names_the_line_it_opens_on(cli, engine, world, tmp_path):
    """Lines and rows differ once a note spans lines: the message names both, correctly, for CRLF files too."""
    rows = [contact(notes="first\r\nsecond\r\nthird"), contact(notes="fine"), contact(notes="OPEN")]
    text = csv_text(rows, line_ending="\r\n").replace("OPEN", '"never closed')
    path = tmp_path / "late.csv"
    path.write_bytes(text.encode())
    result = cli("import", "contacts", path)
    assert result.exit_code == 1
    # header line 1, row 2 on lines 2-4, row 3 on line 5, row 4 (the open quote) on line 6
    assert "in row 4: the quoted cell that opens on line 6 is never closed" in result.stderr, result.stderr
    assert _count(engine, Contact) == 0


def test_quote_closed_rows_later_is_refused(cli, engine, world, tmp_path):
    """A quote left open that a later quoted cell happens to close merges rows too: refused, both lines named."""
    text = ("brand,journey,channel,started_at,notes\n"
            'Koopklik,Ask about a delivery,email,2026-03-02 10:00,"oops\n'
            "Koopklik,Ask about a delivery,email,2026-03-02 11:00,plain\n"
            'Koopklik,Ask about a delivery,email,2026-03-02 12:00,"said ""hi"""\n')
    path = tmp_path / "closed-late.csv"
    path.write_text(text)
    result = cli("import", "contacts", path)
    assert result.exit_code == 1
    assert "opens on line 2 closes on line 4" in result.stderr, result.stderr
    assert _count(engine, Contact) == 0


def test_summary_says_how_many_records_came_from_how_many_lines(cli, engine, world, tmp_path):
    """Every import says "N records read from M lines", and points at line breaks held in quoted cells."""
    path = tmp_path / "plain.csv"
    path.write_text(csv_text([contact(), contact(external_id="b")]))
    result = cli("import", "contacts", path)
    assert result.exit_code == 0, result.output
    assert "2 records read from 3 lines\n" in result.stdout
    path.write_text(csv_text([contact(notes="two\nlines"), contact(external_id="c")]))
    result = cli("import", "contacts", path, "--dry-run")
    assert "2 records read from 4 lines (quoted cells hold 1 line break)" in result.stdout, result.stdout


# --------------------------------------------------------------------- item 4: formulas in a workbook


def _workbook(rows: list[dict]) -> openpyxl.Workbook:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    header = list(dict.fromkeys(k for row in rows for k in row))
    sheet.append(header)
    for row in rows:
        sheet.append([row.get(name, "") for name in header])
    return workbook


def test_xlsx_formula_without_a_computed_value_is_refused_by_cell(cli, engine, world, tmp_path):
    """A script-written =5*2 has no cached value and read as empty; now `row 4, wait_seconds: is a formula ...`."""
    workbook = _workbook([contact(), contact(), contact(wait_seconds="=5*2", **{"item:C1": "=1"}),
                          contact(**{"x:calc": "=A1"})])  # a formula in an ignored column stays ignored
    path = tmp_path / "formulas.xlsx"
    workbook.save(path)
    result = cli("import", "contacts", path)
    assert result.exit_code == 1, result.output
    assert "row 4, wait_seconds: is a formula with no computed value" in result.stderr, result.stderr
    assert "(got '=5*2')" in result.stderr
    assert "row 4, item:C1: is a formula with no computed value" in result.stderr
    assert "row 5" not in result.stderr and "row 2" not in result.stderr
    assert _count(engine, Contact) == 0


def _with_cached_value(path, formula: bytes, value: bytes) -> None:
    """What a spreadsheet program does on save: store the formula's result next to it."""
    with zipfile.ZipFile(path) as source:
        members = {info.filename: source.read(info) for info in source.infolist()}
    sheet = members["xl/worksheets/sheet1.xml"]
    assert b"<f>" + formula + b"</f><v />" in sheet
    members["xl/worksheets/sheet1.xml"] = sheet.replace(b"<f>" + formula + b"</f><v />",
                                                        b"<f>" + formula + b"</f><v>" + value + b"</v>")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for name, content in members.items():
            target.writestr(name, content)
    path.write_bytes(buffer.getvalue())


def test_xlsx_formula_with_a_computed_value_imports_the_value(cli, engine, world, tmp_path):
    """A formula a spreadsheet program computed and saved imports as its value, as before."""
    path = tmp_path / "computed.xlsx"
    _workbook([contact(wait_seconds="=5*2")]).save(path)
    _with_cached_value(path, b"5*2", b"10")
    result = cli("import", "contacts", path)
    assert result.exit_code == 0, result.output
    assert "1 record read from 2 sheet rows" in result.stdout
    assert _contacts(engine)[0].wait_seconds == 10.0


# ----------------------------------------------------------------- item 13: daylight saving time


def test_ambiguous_and_nonexistent_local_times_are_refused_by_row(cli, engine, world, tmp_path):
    """02:30 on 26 Oct 2025 happened twice in Amsterdam and 02:30 on 30 Mar 2025 never: both refused by row."""
    rows = [contact(started_at="2025-10-26 02:30", first_response_at=""),
            contact(started_at="2025-03-30 02:30", first_response_at=""),
            contact(started_at="2025-03-30 01:00", first_response_at="2025-03-30 02:59:59")]
    path = tmp_path / "dst.csv"
    path.write_text(csv_text(rows))
    result = cli("import", "contacts", path)
    assert result.exit_code == 1
    errors = result.stderr
    assert "row 2, started_at: is ambiguous in Europe/Amsterdam" in errors, errors
    assert "2025-10-26T02:30+02:00 (00:30 UTC) or 2025-10-26T02:30+01:00 (01:30 UTC)" in errors
    assert "row 3, started_at: does not exist in Europe/Amsterdam" in errors
    assert "from 02:00 to 03:00 on 2025-03-30" in errors
    assert "row 4, first_response_at: does not exist" in errors
    assert _count(engine, Contact) == 0


def test_a_written_offset_settles_a_dst_time(cli, engine, world, tmp_path):
    """With an offset (or in a zone without DST) the same wall-clock times import."""
    rows = [contact(started_at="2025-10-26T02:30+01:00", first_response_at=""),
            contact(started_at="2025-10-26T02:30+02:00", first_response_at="")]
    path = tmp_path / "offsets.csv"
    path.write_text(csv_text(rows))
    assert cli("import", "contacts", path).exit_code == 0
    assert [r.started_at for r in _contacts(engine)] == [datetime(2025, 10, 26, 1, 30, tzinfo=UTC),
                                                        datetime(2025, 10, 26, 0, 30, tzinfo=UTC)]
    path.write_text(csv_text([contact(started_at="2025-03-30 02:30", first_response_at="")]))
    assert cli("import", "contacts", path, "--timezone", "UTC").exit_code == 0


def test_xlsx_date_time_cell_in_the_gap_is_refused(cli, engine, world, tmp_path):
    """A real spreadsheet date-time cell is a wall-clock time too: the same rule applies."""
    row = contact(first_response_at="")
    workbook = _workbook([row])
    workbook.active.cell(row=2, column=list(row).index("started_at") + 1, value=datetime(2025, 3, 30, 2, 30))
    path = tmp_path / "gap.xlsx"
    workbook.save(path)
    result = cli("import", "contacts", path)
    assert result.exit_code == 1 and "row 2, started_at: does not exist in Europe/Amsterdam" in result.stderr


def test_command_line_times_follow_the_same_rule():
    """--as-of/--from/--to: an ambiguous time is refused naming the option; a date means its first moment."""
    with pytest.raises(ValidationError, match=r"--as-of: is ambiguous in Europe/Amsterdam"):
        parse_timestamp("2025-10-26 02:30", "Europe/Amsterdam", "--as-of")
    with pytest.raises(ValidationError, match=r"--from: does not exist"):
        parse_timestamp("2025-03-30T02:30", "Europe/Amsterdam", "--from")
    # in Santiago the clocks jumped from 00:00 to 01:00 on 7 Sep 2025: that day began at 01:00 (04:00 UTC)
    assert parse_timestamp("2025-09-07", "America/Santiago", "--from") == datetime(2025, 9, 7, 4, 0, tzinfo=UTC)


# ----------------------------------------------------------- item 14: decimal commas and separators


def test_decimal_comma_is_refused_in_every_numeric_column(cli, engine, world, tmp_path):
    """"1,234" was stored as 1.234 s and transfers "1,000" as 1: refused naming the column, value and rule."""
    rows = [contact(wait_seconds="1,234"), contact(transfers="1,000"),
            contact(journey="Return a coat", channel="store", **{"item:C1": "", "item:C2": "", "item:C3": "",
                    "item:SCALE": "4,5", "item:STRICT": "yes"}),
            contact(wait_seconds="1_000"), contact(wait_seconds="12.5")]
    path = tmp_path / "commas.csv"
    path.write_text(csv_text(rows))
    result = cli("import", "contacts", path)
    assert result.exit_code == 1
    errors = result.stderr
    rule = "has a comma; write digits with a point for decimals (12.5) and no thousands separator"
    assert f"row 2, wait_seconds: {rule} (seconds, 0 or more) (got '1,234')" in errors, errors
    assert f"row 3, transfers: {rule} (a whole number from 0 to 2,147,483,647) (got '1,000')" in errors
    assert f"row 4, item:SCALE: {rule} (a number from 1 to 5 or na) (got '4,5')" in errors
    assert "row 5, wait_seconds: must be a number" in errors  # float() takes "1_000"; the format does not
    assert "row 6" not in errors
    assert _count(engine, Contact) == 0


def _semicolons(rows: list[dict]) -> str:
    """Rows as Excel saves "CSV" in a Dutch locale: separated by semicolons."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), delimiter=";", lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def test_semicolon_separated_file_is_read_by_its_header(cli, engine, world, tmp_path):
    """A file Excel saved with semicolons was one unknown column; now it is read, and the summary says how."""
    path = tmp_path / "semicolons.csv"
    path.write_text(_semicolons([contact(notes="a, b"), contact(external_id="s2")]))
    result = cli("import", "contacts", path)
    assert result.exit_code == 0, result.output
    assert "2 records read from 3 lines (separated by semicolons)" in result.stdout
    assert [r.notes for r in _contacts(engine)] == ["a, b", ""]
    assert _count(engine, Answer) == 6
    # such files come with decimal commas: refused by cell, like any other
    path.write_text(_semicolons([contact(wait_seconds="2,5")]))
    result = cli("import", "contacts", path)
    assert result.exit_code == 1 and "row 2, wait_seconds: has a comma" in result.stderr, result.stderr


def test_tab_separated_file_is_read(tmp_path):
    """Tabs (a table pasted from a spreadsheet) are recognised the same way; commas still win a tie."""
    path = tmp_path / "tabs.csv"
    path.write_text("brand\tjourney\tchannel\tstarted_at\nKoopklik\tAsk\temail\t2026-03-02 10:00\n")
    header, rows, _ = read_table(path)
    assert header == ["brand", "journey", "channel", "started_at"]
    assert [cells for _, cells in rows] == [["Koopklik", "Ask", "email", "2026-03-02 10:00"]]
    assert rows.describe() == "1 record read from 2 lines (separated by tabs)"
    path.write_text('brand,"x:a;b;c"\n')  # quoted text is not counted
    assert read_table(path)[0] == ["brand", "x:a;b;c"]
    path.write_text("brand;journey,x:c\n")
    header, rows, _ = read_table(path)
    assert header == ["brand;journey", "x:c"] and rows.describe() == "0 records read from 1 line"
