"""Fuzzed input: contact files, command-line runs and form values never end in a traceback.

Hypothesis generates contact files (CSV in odd encodings, line endings and shapes; XLSX with typed
and with damaged bytes), command-line invocations and the values the contact and journey forms
hand to the services. Every input must end in one of two ways:

* accepted, and the database changed by exactly what the result reports; or
* refused with a ``KlantreisError`` whose problems name the field (and the row, for a file row),
  show the value and say what is allowed — and the database unchanged, table by table.

Anything else (an unexpected exception, a driver error, a half-written import) fails the test.
Examples are derandomized and not stored, so CI runs the same examples every time. Inputs that
once broke the product are pinned with ``@example`` or as plain tests at the bottom.
"""

import csv
import functools
import io
import itertools
import json
import math
import os
import re
import subprocess
import sys
import zipfile
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from typer.testing import CliRunner

from data import db
from journeys.accounts.users import create_user
from journeys.catalogue.journey_editing import journey_from_json, journey_in_from_db, new_journey, update_journey
from journeys.catalogue.journeys import CriterionIn, JourneyChannelIn, JourneyIn, create_journey
from journeys.errors import KlantreisError, Problem, ValidationError
from journeys.fieldwork.contacts import (
    TIMESTAMP_FIELDS,
    AnswerIn,
    ContactStart,
    answer_problems,
    applicable_criteria,
    save_contact,
    start_contact,
    timing_problems,
)
from journeys.interchange.contact_file import COLUMNS, parse_timestamp, parse_timezone, read_table
from journeys.interchange.imports import import_contacts
from journeys.limits import EARLIEST, LATEST, MAX_INTEGER
from journeys.models import Answer, Contact, Criterion
from tests.factories import make_world

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def fuzz(max_examples: int):
    """Bounded, reproducible hypothesis settings (the same examples in every run, none stored)."""
    return settings(
        max_examples=max_examples, deadline=None, derandomize=True, database=None, print_blob=False,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                               HealthCheck.data_too_large, HealthCheck.filter_too_much],
    )


# ------------------------------------------------------------------------------------- the world


@pytest.fixture
def world(engine):
    """Brand Koopklik, wave 2026-Q1, auditor1, an admin, journey "Ask about a delivery" (phone,
    email, twitter; C1..C3 yes/no) and "Return a coat" (store, email; SCALE 1–5, STRICT without N/A)."""
    with db.session_scope(engine) as session:
        made = make_world(session)
        made["admin"] = create_user(session=session, username="admin", role="admin", password="admin-pass1")
        made["coat"] = create_journey(session=session, journey_in=JourneyIn(
            name="Return a coat", channels=[JourneyChannelIn("store"), JourneyChannelIn("email")],
            criteria=[CriterionIn(code="SCALE", text="Friendliness", kind="scale", scale_min=1, scale_max=5),
                      CriterionIn(code="STRICT", text="Offers a refund", na_allowed=False)]))
    return made


def table_counts(engine) -> dict[str, int]:
    """Rows per table: the database's state as far as "nothing half-written" is concerned."""
    with engine.connect() as connection:
        names = sorted(sa.inspect(connection).get_table_names())
        return {name: connection.exec_driver_sql(f'SELECT count(*) FROM "{name}"').scalar_one() for name in names}


def check_report(exc: KlantreisError) -> None:
    """A refusal the user can act on: every problem names its field (and row), the value and the rule."""
    assert isinstance(exc, ValidationError), f"{type(exc).__name__}: {exc}"
    assert exc.problems
    for problem in exc.problems:
        assert isinstance(problem, Problem)
        assert problem.field and problem.message, problem
        assert (problem.label or problem.field) in str(problem)  # a form field by its name on screen
        # a value is shown unless the problem is that there is none (or the whole file is unreadable)
        assert problem.value is not None or problem.field == "file" or any(
            word in problem.message for word in ("required", "no answer", "choose", "add at least", "needs",
                                                 "not empty")), problem


def check_stored_contacts(engine) -> None:
    """What was accepted can be shown and scored: times in range, finite numbers, storable text."""
    with engine.connect() as connection:
        rows = connection.execute(sa.select(Contact.__table__)).mappings().all()
    for row in rows:
        for name in TIMESTAMP_FIELDS:
            assert row[name] is None or EARLIEST <= row[name] < LATEST, (name, row[name])
        for name in ("wait_seconds", "handling_seconds"):
            assert row[name] is None or math.isfinite(row[name]), (name, row[name])
        assert 0 <= row["transfers"] <= MAX_INTEGER
        for name in ("answer_text", "notes", "external_id"):
            assert "\x00" not in (row[name] or ""), name


def check_file_report(exc: KlantreisError) -> None:
    """File refusals also say where: file problems name the row when a row is at fault, cells always do."""
    check_report(exc)
    for problem in exc.problems:
        if problem.field == "file" and "not valid CSV" in problem.message:
            assert re.search(r"in row \d+", problem.message), problem
        if problem.field in ("file", "--timezone"):
            continue
        assert problem.row is not None and problem.row >= 1, problem
        if problem.field == "header":
            assert problem.row == 1, problem


# --------------------------------------------------------------------------- contact file strategies

# One valid cell per column for the world above (a row of these imports).
VALID = {
    "external_id": "", "brand": "Koopklik", "location": "", "journey": "Ask about a delivery", "channel": "email",
    "auditor": "auditor1", "wave": "2026-Q1", "started_at": "2026-03-02 10:00", "acknowledged_at": "",
    "first_response_at": "2026-03-02 12:00", "resolved_at": "2026-03-02 13:30", "due_at": "",
    "wait_seconds": "12.5", "transfers": "1", "redirected_to": "phone", "answer_correct": "yes",
    "answer_text": "Delayed at the depot", "notes": "Polite", "item:c1": "yes", "item:c2": "no", "item:c3": "na",
    "item:scale": "", "item:strict": "", "x:source": "field app",
}
HEADER_POOL = [*COLUMNS, "item:C1", "item:C2", "item:C3", "item:SCALE", "item:STRICT", "x:source"]
ODD_HEADERS = ["Colour", "", " ", "item:", "item: c1", "ITEM:C1", "x:", "item:" + "K" * 31, "brand\x00",
               "\ufeffbrand", "BRAND", " started_at ", "notes", "=cmd|' /C calc'!A0", "item:C\x00"]
NASTY = [
    # formula-looking text (exports neutralise it; the import takes it as text, minus the export's quote)
    "=1+1", '=HYPERLINK("http://example.org","click")', "+31 6 1234 5678", "-2", "@SUM(A1:A9)", "'=1+1",
    "'-1 star", "\t=x", "\r",
    # numbers at and beyond every limit
    "1e308", "1e309", "-1e308", "NaN", "inf", "-0", "0", "3000000000", "2147483647", "2147483648",
    "99999999999999999999999", "1e30", "0x1F", "1_000", "١٢٣", "½", "5,5", "1.5", "-5",
    # timestamps at and beyond every limit
    "0001-01-01 00:00", "9999-12-31T23:59:59-01:00", "9999-12-31 23:59", "1969-12-31T23:59:59Z",
    "1970-01-01T00:00:00Z", "2100-12-31 23:59", "2101-01-01T00:00:00+00:00", "2026-02-30 10:00",
    "2026-03-02T24:00", "2026-03-02", "2026-03-02T10:00:00+25:00", "2026-03-29 02:30", "2026-10-25 02:30",
    "2026-03-02T10:00:00.1234567", "2026-03-02 09:00",
    # words and names
    "yes", "no", "na", "N/A", "maybe", "TRUE", "Phone", "store", "pigeon", "Return a coat", "2026-Q9", "nobody",
    # characters a database or a spreadsheet chokes on
    "a\x00b", "\x00", "Koopklik\x00", "\ufeffKoopklik", "Ko\u0301opklik", "\u202eevil", "\ud7ff\ue000",
    "x" * 121, "y" * 5000, '"quoted"', "comma, inside", "line\nbreak", "cr\ronly", "crlf\r\nin cell",
]


def _cell(draw, column: str) -> str:
    """Mostly the valid value: a file is interesting when it is almost right (one bad cell in a row)."""
    roll = draw(st.integers(0, 99))
    if roll < 94:
        return VALID.get(column.strip().lower().lstrip("\ufeff"), "")
    if roll < 98:
        return draw(st.sampled_from(NASTY))
    return draw(st.text(max_size=20))


@st.composite
def contact_tables(draw) -> tuple[list[str], list[list[str]]]:
    """A header and rows: mostly-valid cells with nasty ones mixed in, odd headers, ragged rows."""
    header = draw(st.lists(st.sampled_from(HEADER_POOL), unique=True, max_size=len(HEADER_POOL)))
    if draw(st.integers(0, 9)) < 9:  # usually the required columns are there, so rows get checked
        header += [c for c in ("brand", "journey", "channel", "started_at") if c not in header]
    if draw(st.integers(0, 9)) == 0:  # sometimes a header the format does not know, or knows twice
        header.append(draw(st.one_of(st.sampled_from(ODD_HEADERS), st.text(max_size=10))))
    header = draw(st.permutations(header))
    rows = []
    for _ in range(draw(st.integers(0, 4))):
        row = [_cell(draw, column) for column in header]
        shape = draw(st.integers(0, 19))
        if shape == 0:
            row = row[:draw(st.integers(0, len(row)))]  # a short row
        elif shape == 1:
            row += draw(st.lists(st.sampled_from(["", "extra"]), min_size=1, max_size=2))  # a long row
        rows.append(row)
    if rows and draw(st.integers(0, 14)) == 0:  # one very long cell: storable, or past the csv field limit
        row = draw(st.integers(0, len(rows) - 1))
        if rows[row]:
            rows[row][draw(st.integers(0, len(rows[row]) - 1))] = "z" * draw(st.sampled_from([5_000, 131_073]))
    return header, rows


def to_csv(header: list[str], rows: list[list[str]], line_ending: str) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=line_ending)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


@st.composite
def csv_files(draw) -> bytes:
    """Contact tables as bytes: UTF-8 (with or without a BOM), Latin-1, UTF-16, broken bytes, cut off."""
    header, rows = draw(contact_tables())
    text = to_csv(header, rows, draw(st.sampled_from(["\n", "\r\n", "\r"])))
    encoding = draw(st.sampled_from(["utf-8"] * 6 + ["utf-8-sig"] * 2 + ["latin-1", "cp1252", "utf-16",
                                                                       "utf-16-le"]))
    data = text.encode(encoding, errors="replace")
    damage = draw(st.integers(0, 14))
    if damage == 0 and data:  # a stray byte that is not UTF-8, or a NUL byte, somewhere
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.sampled_from([b"\xff", b"\xc3(", b"\x00", b"\xed\xa0\x80", b"\xef\xbb\xbf"])) \
            + data[at:]
    elif damage == 1 and data:  # cut off anywhere, even inside a quoted cell
        data = data[:draw(st.integers(0, len(data)))]
    return data


def import_file(engine, path: Path, **options):
    """Read and import a file the way the command does; check the outcome either way.

    Returns the ImportResult, or None when the file was refused.
    """
    before = table_counts(engine)
    try:
        header, rows, _ = read_table(path)
        with db.session_scope(engine) as session:
            result = import_contacts(session=session, actor=None, header=header, rows=rows, **options)
    except KlantreisError as exc:
        check_file_report(exc)
        assert table_counts(engine) == before, "a refused import changed the database"
        event(f"refused: {exc.problems[0].field}")  # --hypothesis-show-statistics: what the fuzzing reached
        return None
    event("imported" if result.rows else "imported: no rows")
    after = table_counts(engine)
    if options.get("dry_run"):
        assert after == before
        return result
    assert after["contact"] - before["contact"] == result.added
    assert after["change_log"] - before["change_log"] == result.changes  # one entry per changed field or answer
    for kind, table in (("brands", "brand"), ("locations", "location"), ("journeys", "journey"),
                        ("channels", "channel"), ("auditors", "app_user"), ("waves", "wave")):
        assert after[table] - before[table] == len(result.created[kind]), (kind, result.created[kind])
    check_stored_contacts(engine)
    return result


# ------------------------------------------------------------------------------- file tests


@fuzz(max_examples=100)
@given(data=csv_files(), create_missing=st.booleans(), timezone_name=st.sampled_from(
    ["Europe/Amsterdam", "UTC", "America/New_York", "Pacific/Kiritimati"]))
@example(data=b"", create_missing=False, timezone_name="UTC")  # empty file
@example(data=b"\xef\xbb\xbf", create_missing=False, timezone_name="UTC")  # only a BOM
@example(data=b"brand,journey,channel,started_at\r\n", create_missing=False, timezone_name="UTC")  # header only
@example(data=b"brand,journey,channel,started_at\rKoopklik,Ask about a delivery,email,2026-03-02 10:00\r",
         create_missing=False, timezone_name="UTC")  # old-Mac CR line endings
@example(data=b"brand,brand,journey,channel,started_at\n", create_missing=False, timezone_name="UTC")
@example(data="brand,journey\nCafé,x\n".encode("latin-1"), create_missing=False, timezone_name="UTC")
@example(data="brand,journey,channel,started_at\n".encode("utf-16"), create_missing=False, timezone_name="UTC")
@example(data="brand,journey,channel,started_at\n".encode("utf-16-le"), create_missing=False, timezone_name="UTC")
# a 131,073-character quoted cell: the row count for the progress bar raised csv.Error (a traceback)
@example(data=('brand,journey,channel,started_at,notes\nKoopklik,Ask about a delivery,email,2026-03-02 10:00,"'
               + "x" * 131_073 + '"\n').encode(), create_missing=False, timezone_name="UTC")
# a NUL character in a text cell: PostgreSQL refused it inside COPY (DataError, a traceback)
@example(data=b"brand,journey,channel,started_at,notes\nKoopklik,Ask about a delivery,email,2026-03-02 10:00,a\x00b\n",
         create_missing=False, timezone_name="UTC")
# ... and in a name that --create-missing would create
@example(data=b"brand,journey,channel,started_at\nNieuw\x00merk,Ask about a delivery,email,2026-03-02 10:00\n",
         create_missing=True, timezone_name="UTC")
# transfers beyond a 32-bit INTEGER: PostgreSQL NumericValueOutOfRange, SQLite OverflowError for 1e30
@example(data=b"brand,journey,channel,started_at,transfers\nKoopklik,Ask about a delivery,email,2026-03-02 10:00,"
              b"3000000000\n", create_missing=False, timezone_name="UTC")
@example(data=b"brand,journey,channel,started_at,transfers\nKoopklik,Ask about a delivery,email,2026-03-02 10:00,"
              b"1e30\n", create_missing=False, timezone_name="UTC")
# years at the ends of the calendar: OverflowError converting to UTC
@example(data=b"brand,journey,channel,started_at\nKoopklik,Ask about a delivery,email,9999-12-31T23:59:59-01:00\n",
         create_missing=False, timezone_name="UTC")
@example(data=b"brand,journey,channel,started_at\nKoopklik,Ask about a delivery,email,0001-01-01 00:10\n",
         create_missing=False, timezone_name="Europe/Amsterdam")
# a criterion code longer than Criterion.code holds, for a journey --create-missing creates
@example(data=("brand,journey,channel,started_at,item:" + "K" * 31 + "\nKoopklik,New journey,email,2026-03-02 10:00,yes\n"
               ).encode(), create_missing=True, timezone_name="UTC")
# "item:C1" and "item: c1" name one criterion: the first column was silently dropped
@example(data=b"brand,journey,channel,started_at,item:C1,item: c1\nKoopklik,Ask about a delivery,email,2026-03-02 10:00,"
              b"yes,no\n", create_missing=False, timezone_name="UTC")
def test_fuzzed_csv_files_import_or_are_refused_cleanly(engine, world, tmp_path, data, create_missing, timezone_name):
    """Any CSV bytes: imported with counts matching the result, or refused naming row and field, nothing written."""
    path = tmp_path / "fuzz.csv"
    path.write_bytes(data)
    import_file(engine, path, create_missing=create_missing, timezone=timezone_name)


def _xlsx_cell(value: str):
    return ILLEGAL_CHARACTERS_RE.sub("", value)  # what a spreadsheet can hold at all


@st.composite
def xlsx_files(draw) -> bytes:
    """Contact tables as workbooks: text cells plus real numbers, dates, times, booleans and blanks."""
    header, rows = draw(contact_tables())
    typed = st.one_of(
        st.integers(min_value=-(10**20), max_value=10**20),
        st.floats(allow_nan=True, allow_infinity=False),
        st.datetimes(min_value=datetime(1900, 3, 1), max_value=datetime(9999, 12, 31)),
        st.dates(min_value=date(1900, 3, 1)),
        st.times(),
        st.booleans(),
        st.none(),
    )
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append([_xlsx_cell(h) for h in header])
    for row in rows:
        sheet.append([_xlsx_cell(c) if draw(st.integers(0, 9)) else draw(typed) for c in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@fuzz(max_examples=30)
@given(data=xlsx_files(), create_missing=st.booleans())
def test_fuzzed_xlsx_files_import_or_are_refused_cleanly(engine, world, tmp_path, data, create_missing):
    """Workbooks with typed cells (huge numbers, any date, booleans) import or are refused cleanly."""
    path = tmp_path / "fuzz.xlsx"
    path.write_bytes(data)
    import_file(engine, path, create_missing=create_missing)


def _valid_workbook(rows: int) -> tuple[bytes, int, int]:
    """A valid workbook and where its sheet's compressed XML starts and ends in the file."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["brand", "journey", "channel", "started_at", "notes", "item:C1"])
    for n in range(rows):
        sheet.append(["Koopklik", "Ask about a delivery", "email", datetime(2026, 3, 2, 10, n % 60), f"n{n}", "yes"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    # the same bytes in every run (openpyxl stamps the time into the zip and the properties), so the
    # derandomized byte positions below damage the same places in CI as here
    fixed = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as source, \
            zipfile.ZipFile(fixed, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            content = source.read(member)
            if member.filename == "docProps/core.xml":
                content = re.sub(rb"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", b"2026-01-01T00:00:00Z", content)
            target.writestr(zipfile.ZipInfo(member.filename, date_time=(2026, 1, 1, 0, 0, 0)), content,
                            compress_type=zipfile.ZIP_DEFLATED)
    data = fixed.getvalue()
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)  # after the local header
    return data, start, start + info.compress_size


# Large enough that openpyxl reads the sheet lazily: damage deep in it surfaces only while rows are
# read (BadZipFile "Bad CRC-32", XML ParseError), after the workbook opened fine.
VALID_WORKBOOK, SHEET_START, SHEET_END = _valid_workbook(200)


@fuzz(max_examples=40)
@given(flips=st.lists(st.tuples(st.one_of(st.integers(0, len(VALID_WORKBOOK) - 1),
                                          st.integers(SHEET_START, SHEET_END - 1),
                                          st.integers(SHEET_END - 1000, SHEET_END - 1)),
                                st.integers(0, 255)), min_size=1, max_size=3),
       cut=st.one_of(st.none(), st.none(), st.integers(0, len(VALID_WORKBOOK))))
@example(flips=[(SHEET_END - 300, 0x41)], cut=None)  # row 193: an XML ParseError traceback before the fix
def test_damaged_xlsx_files_are_refused_cleanly(engine, world, tmp_path, flips, cut):
    """A workbook with flipped bytes or cut short: refused as unreadable (or imported if it survived)."""
    data = bytearray(VALID_WORKBOOK)
    for position, value in flips:
        data[position] = value
    path = tmp_path / "damaged.xlsx"
    path.write_bytes(bytes(data[:cut] if cut is not None else data))
    import_file(engine, path)


# -------------------------------------------- inputs once read wrong without a word (issue 13)
#
# Each of these imported as something else, exit 0: a quote left open swallowed every later row
# into one cell, a script-written formula read as an empty cell, a wall-clock time in a DST gap or
# overlap became one arbitrary instant, and "1,234" seconds became 1.234. They must be refused by
# line, cell, row and column (or, for a quote closed much later, the summary must show the merge).

SENTINEL = "QUOTESENTINEL"  # plain letters: csv.writer leaves it unquoted, so it starts a cell


def _line_of(text: str, position: int) -> int:
    return len(re.findall(r"\r\n|\r|\n", text[:position])) + 1


def _closing_quote(text: str, start: int) -> int | None:
    """Where the quoted cell opened just before ``start`` closes (a doubled quote is a quote), or None."""
    position = start
    while (position := text.find('"', position)) != -1:
        if text.startswith('"', position + 1):
            position += 2
            continue
        return position
    return None


@st.composite
def files_with_an_open_quote(draw) -> tuple[bytes, int, int | None]:
    """A contact file (as the fuzzed ones above) where one cell starts with a quote that it never closes.

    Returns the bytes, the line the stray quote is on and where a later quote closes it (or None).
    """
    header, rows = draw(contact_tables())
    header = header or ["brand", "journey", "channel", "started_at"]
    if not rows:
        rows = [[VALID.get(c.strip().lower().lstrip("\ufeff"), "") for c in header]]
    row = draw(st.integers(0, len(rows) - 1))
    rows[row] = rows[row] or [""]
    rows[row][draw(st.integers(0, len(rows[row]) - 1))] = SENTINEL
    text = to_csv(header, rows, draw(st.sampled_from(["\n", "\r\n", "\r"])))
    at = text.index(SENTINEL)
    text = text[:at] + '"' + draw(st.sampled_from(["oops", "", "note, with a comma", "two\nlines"])) \
        + text[at + len(SENTINEL):]
    return text.encode(), _line_of(text, at), _closing_quote(text, at + 1)


ISSUE_13_FILE = (b"external_id,brand,journey,channel,started_at,notes\n"
                 b't-1,Koopklik,Ask about a delivery,email,2026-03-02 10:15,"oops\n'
                 b"t-2,Koopklik,Ask about a delivery,email,2026-03-02 10:15,x\n")


@fuzz(max_examples=60)
@given(case=files_with_an_open_quote(), create_missing=st.booleans())
@example(case=(ISSUE_13_FILE, 2, None), create_missing=False)  # exit 0, "1 rows added", before the fix
@example(case=(b'brand,journey,channel,started_at\nKoopklik,"x\n' + b"a,b,c,d\n" * 30_000, 2, None),
         create_missing=False)  # the open cell outgrows the csv field limit before the end of the file
def test_an_open_quote_never_imports_silently(engine, world, tmp_path, case, create_missing):
    """A quote that opens a cell and never closes is refused naming its line; one a later quote closes
    is refused, or the records-from-lines count shows the lines it merged."""
    data, line, closes_at = case
    path = tmp_path / "open-quote.csv"
    path.write_bytes(data)
    before = table_counts(engine)
    try:
        header, rows, _ = read_table(path)
        with db.session_scope(engine) as session:
            import_contacts(session=session, actor=None, header=header, rows=rows, create_missing=create_missing)
    except KlantreisError as exc:
        check_file_report(exc)
        assert table_counts(engine) == before
        if closes_at is None:
            messages = [p.message for p in exc.problems if p.field == "file"]
            assert messages and (f"opens on line {line} is never closed" in messages[0]
                                 or "longer than" in messages[0]), exc.problems  # (an earlier 131,073-char cell)
        event(f"refused: {exc.problems[0].field}")
        return
    assert closes_at is not None, "a quote that never closes was imported"
    text = data.decode()
    if _line_of(text, closes_at) > line:  # the quoted cell took in line breaks: the summary must show them
        assert rows.lines > 1 + rows.records + rows.blank, rows.describe()
        assert "quoted cells hold" in rows.describe()
    event("imported: the quote closed later")


FORMULAS = ["=5*2", "=A1", "=SUM(1,2)", '="x"&"y"', "=NOW()", "=1/0"]


@st.composite
def workbooks_with_formulas(draw) -> tuple[bytes, set[tuple[int, str]], int]:
    """Valid rows written by a script with some cells as formulas (openpyxl stores no computed value).

    Returns the workbook, the (row, column) of every formula outside x: columns, and the row count.
    """
    header = draw(st.lists(st.sampled_from(HEADER_POOL), unique=True, max_size=len(HEADER_POOL)))
    header = draw(st.permutations(header + [c for c in ("brand", "journey", "channel", "started_at")
                                            if c not in header]))
    rows = [[VALID[c.lower()] for c in header] for _ in range(draw(st.integers(1, 4)))]
    expected = set()
    for number, row in enumerate(rows, start=2):
        for position, column in enumerate(header):
            if draw(st.integers(0, 9)) == 0:
                row[position] = draw(st.sampled_from(FORMULAS))
                if not column.startswith("x:"):
                    expected.add((number, column))
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue(), expected, len(rows)


@fuzz(max_examples=30)
@given(case=workbooks_with_formulas())
def test_formula_cells_without_a_value_are_refused_by_cell(engine, world, tmp_path, case):
    """Every formula without a computed value is refused by its row and column (never an empty cell);
    the rest of the rows are valid, so nothing else is reported; in x: columns formulas stay ignored."""
    data, expected, count = case
    path = tmp_path / "formulas.xlsx"
    path.write_bytes(data)
    result = import_file(engine, path)
    if not expected:
        assert result is not None and result.rows == count
        return
    assert result is None, "a formula without a value was imported"
    with pytest.raises(ValidationError) as refused:
        header, rows, _ = read_table(path)
        with db.session_scope(engine) as session:
            import_contacts(session=session, actor=None, header=header, rows=rows)
    problems = refused.value.problems
    assert {(p.row, p.field) for p in problems} == expected, problems
    assert all(p.message.startswith("is a formula with no computed value") and str(p.value).startswith("=")
               for p in problems), problems


# a comma as the decimal separator (1,5), as thousands separators (1,234,567) and both (1.234,56)
COMMA_NUMBERS = st.one_of(
    st.tuples(st.integers(0, 10**6), st.integers(0, 999)).map(lambda t: f"{t[0]},{t[1]}"),
    st.integers(1000, 10**9).map(lambda n: f"{n:,}"),
    st.tuples(st.integers(1000, 10**6), st.integers(0, 99)).map(lambda t: f"{t[0]:,}".replace(",", ".")
                                                                + f",{t[1]:02d}"),
    st.sampled_from(["5,5", "-1,5", "1,", ",5", "1,5e3"]),
)


@fuzz(max_examples=40)
@given(column=st.sampled_from(["wait_seconds", "transfers", "item:SCALE"]), value=COMMA_NUMBERS,
       delimiter=st.sampled_from([",", ";"]))
@example(column="wait_seconds", value="1,234", delimiter=",")  # stored as 1.234 seconds before the fix
@example(column="transfers", value="1,000", delimiter=";")  # stored as 1 transfer
def test_decimal_comma_is_refused_naming_the_column(engine, world, tmp_path, column, value, delimiter):
    """A number with a comma, in a comma- or a semicolon-separated file, is refused by row and column."""
    journey = "Return a coat" if column == "item:SCALE" else "Ask about a delivery"
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(["brand", "journey", "channel", "started_at", column])
    writer.writerow(["Koopklik", journey, "email", "2026-03-02 10:00", value])
    path = tmp_path / "comma.csv"
    path.write_text(buffer.getvalue(), newline="")
    assert import_file(engine, path) is None, f"{column} {value!r} was imported"
    with pytest.raises(ValidationError) as refused:
        header, rows, _ = read_table(path)
        with db.session_scope(engine) as session:
            import_contacts(session=session, actor=None, header=header, rows=rows)
    [problem] = refused.value.problems
    assert (problem.row, problem.field, problem.value) == (2, column, value)
    assert problem.message.startswith("has a comma"), problem


def _no_separator_in_names(table) -> bool:
    header, _rows = table
    return len(header) >= 2 and not any(c in name for name in header for c in ",;\t")


@fuzz(max_examples=30)
@given(table=contact_tables().filter(_no_separator_in_names), line_ending=st.sampled_from(["\n", "\r\n"]),
       create_missing=st.booleans())
def test_a_semicolon_file_reads_like_its_comma_twin(engine, world, tmp_path, table, line_ending, create_missing):
    """The same table saved with semicolons (Excel in a Dutch locale) gives the same outcome as with commas."""
    header, rows = table
    outcomes = []
    path = tmp_path / "twin.csv"
    for delimiter in (",", ";"):
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=delimiter, lineterminator=line_ending)
        writer.writerow(header)
        writer.writerows(rows)
        path.write_text(buffer.getvalue(), newline="")
        try:
            read_header, read_rows, _ = read_table(path)
            with db.session_scope(engine) as session:
                result = import_contacts(session=session, actor=None, header=read_header, rows=read_rows,
                                         create_missing=create_missing, dry_run=True)
            outcomes.append(("imported", result, read_rows.records))
        except KlantreisError as exc:
            check_file_report(exc)
            outcomes.append(("refused", [str(p) for p in exc.problems]))
    assert outcomes[0] == outcomes[1]
    event(outcomes[0][0])


# -------------------------------------------------------------------------------- the command


@pytest.fixture
def cli(app_env):
    """`klantreis ...` in-process against the test database."""
    from cli.main import app

    runner = CliRunner()
    return lambda *args: runner.invoke(app, [str(a) for a in args])


@fuzz(max_examples=25)
@given(data=st.one_of(csv_files(), xlsx_files()), create_missing=st.booleans(), dry_run=st.booleans(),
       timezone_name=st.sampled_from(["Europe/Amsterdam", "UTC", "Mars/Olympus", "", "../../etc/passwd"]))
def test_fuzzed_files_through_the_command(cli, engine, world, tmp_path, data, create_missing, dry_run,
                                          timezone_name):
    """`klantreis import contacts`: exit 0 or 1, never an exception; exit 1 says what and writes nothing."""
    path = tmp_path / ("fuzz.xlsx" if data[:2] == b"PK" else "fuzz.csv")
    path.write_bytes(data)
    before = table_counts(engine)
    args = ["import", "contacts", path, "--timezone", timezone_name]
    args += ["--create-missing"] if create_missing else []
    args += ["--dry-run"] if dry_run else []
    result = cli(*args)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code in (0, 1), (result.exit_code, result.output)
    assert "Traceback" not in result.output + result.stderr
    if result.exit_code == 1:
        assert result.stderr.startswith("error:"), result.stderr
        lines = [line.strip() for line in result.stderr.splitlines()[1:] if line.strip()] or [result.stderr]
        for line in lines:  # every listed problem says where: a row, the header, the file or the option
            assert any(word in line for word in ("row ", "file:", "header:", "--timezone")), line
        assert table_counts(engine) == before
    else:
        assert " rows: " in result.stdout
        if dry_run:
            assert table_counts(engine) == before


def test_nasty_file_through_the_installed_command(app_env, world, tmp_path):
    """The real `klantreis` process: a file full of values that once crashed the import exits 1 with
    every problem on stderr, no traceback, nothing written."""
    engine = db.get_engine(app_env)
    lines = ["brand,journey,channel,started_at,transfers,notes,item:C1",
             "Koopklik,Ask about a delivery,email,2026-03-02 10:00,3000000000,fine,yes",
             "Koopklik,Ask about a delivery,email,9999-12-31T23:59:59-01:00,1,fine,yes",
             "Koopklik,Ask about a delivery,email,2026-03-02 10:00,1,a\x00b,yes",
             "Koopklik,Ask about a delivery,email,2026-03-02 10:00,1e30,=cmd|' /C calc'!A0,maybe"]
    path = tmp_path / "nasty.csv"
    path.write_bytes("\r\n".join(lines).encode())
    before = table_counts(engine)
    script = Path(sys.executable).with_name("klantreis")
    command = [str(script)] if script.exists() else [sys.executable, "-c", "from cli.main import main; main()"]
    result = subprocess.run([*command, "import", "contacts", str(path)], cwd=ROOT, capture_output=True, text=True,
                            env={**os.environ, db.DATABASE_URL_ENV: app_env}, timeout=120)
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    for expected in ("row 2, transfers: must be a whole number from 0 to 2,147,483,647 (got '3000000000')",
                     "row 3, started_at: must lie between 1970-01-01 and 2100-12-31",
                     "row 4, notes: contains a NUL character",
                     "row 5, transfers:", "row 5, item:C1: must be yes, no or na (got 'maybe')"):
        assert expected in result.stderr, result.stderr
    assert table_counts(engine) == before


# ------------------------------------------------------------------------------- timestamps


@fuzz(max_examples=300)
@given(text=st.one_of(st.sampled_from(NASTY), st.text(max_size=40),
                      st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30),
                                   timezones=st.one_of(st.none(), st.timezones())).map(lambda d: d.isoformat()),
                      st.dates().map(date.isoformat)),
       zone=st.sampled_from(["Europe/Amsterdam", "UTC", "Pacific/Kiritimati", "America/St_Johns", "Mars/Olympus"]))
@example(text="9999-12-31T23:59:59-01:00", zone="UTC")  # OverflowError converting to UTC
@example(text="0001-01-01", zone="Europe/Amsterdam")  # a bare date means local midnight: before year 1 in UTC
def test_parse_timestamp_returns_utc_in_range_or_names_the_option(text, zone):
    """--from/--to/--as-of: an aware UTC time in the stored range, or a refusal naming the option."""
    try:
        parse_timezone(zone)
    except ValidationError as exc:
        assert exc.problems[0].field == "--timezone"
        return
    try:
        value = parse_timestamp(text, zone, "--as-of")
    except ValidationError as exc:
        check_report(exc)
        assert exc.problems[0].field == "--as-of"
        return
    assert value.tzinfo is not None and value.utcoffset() == timedelta(0)
    assert EARLIEST <= value < LATEST


# Zones whose clocks change by an hour, by 30 minutes (Lord Howe), at midnight (Santiago) or at
# 02:45 (Chatham), and in the other hemisphere.
DST_ZONES = ["Europe/Amsterdam", "America/New_York", "America/St_Johns", "Australia/Lord_Howe",
             "America/Santiago", "Pacific/Chatham"]


@functools.cache
def clock_changes(zone_name: str) -> list[tuple[datetime, timedelta]]:
    """Every change of the zone's UTC offset from 2000 to 2040: the UTC instant and the offset before it."""
    zone = ZoneInfo(zone_name)
    changes = []
    day, end = datetime(2000, 1, 1, tzinfo=UTC), datetime(2040, 1, 1, tzinfo=UTC)
    offset = day.astimezone(zone).utcoffset()
    while day < end:
        following = day + timedelta(days=1)
        if following.astimezone(zone).utcoffset() != offset:
            low, high = day, following
            while high - low > timedelta(seconds=1):
                middle = low + (high - low) / 2
                low, high = (middle, high) if middle.astimezone(zone).utcoffset() == offset else (low, middle)
            changes.append((high.replace(second=0, microsecond=0), offset))  # clocks change on the minute
            offset = following.astimezone(zone).utcoffset()
        day = following
    return changes


def wall_clock_readings(naive: datetime, zone: ZoneInfo) -> list[datetime]:
    """Every UTC instant at which a clock in ``zone`` showed ``naive``: none (a gap), one, or two (an overlap).

    Found by trying every offset the zone used within a day of it, not by PEP 495's fold, so it
    checks the import's reading independently.
    """
    probe = naive.replace(tzinfo=UTC)
    offsets = {(probe + timedelta(hours=h)).astimezone(zone).utcoffset() for h in range(-26, 27, 2)}
    return sorted(instant for offset in offsets
                  if (instant := (naive - offset).replace(tzinfo=UTC)).astimezone(zone).replace(tzinfo=None) == naive)


@st.composite
def wall_times_near_a_clock_change(draw) -> tuple[str, datetime]:
    """A zone and a wall-clock time up to two hours either side of one of its clock changes."""
    zone_name = draw(st.sampled_from(DST_ZONES))
    instant, before = draw(st.sampled_from(clock_changes(zone_name)))
    wall = (instant + before).replace(tzinfo=None)
    return zone_name, wall + timedelta(minutes=draw(st.integers(-120, 120)))


def _offset_text(offset: timedelta) -> str:
    minutes = int(offset.total_seconds()) // 60
    return f"{'-' if minutes < 0 else '+'}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def check_wall_clock_reading(text: str, naive: datetime, zone: ZoneInfo, value: datetime | None,
                             problem: Problem | None) -> None:
    """The one reading of a wall-clock time, or a refusal: "does not exist" in a gap, both readings in an overlap."""
    readings = wall_clock_readings(naive, zone)
    if len(readings) == 1:
        assert problem is None and value == readings[0], (text, problem, value)
        return
    assert value is None and problem is not None, (text, value, readings)
    if not readings:
        assert problem.message.startswith(f"does not exist in {zone.key}"), problem
        return
    assert problem.message.startswith(f"is ambiguous in {zone.key}"), problem
    for reading in readings:  # both readings, each with its offset
        offset = naive.replace(tzinfo=UTC) - reading
        assert f"{naive.isoformat(timespec='minutes')}{_offset_text(offset)}" in problem.message, (problem, reading)


@fuzz(max_examples=300)
@given(case=wall_times_near_a_clock_change(), with_offset=st.booleans())
@example(case=("Europe/Amsterdam", datetime(2025, 10, 26, 2, 30)), with_offset=False)  # happened twice
@example(case=("Europe/Amsterdam", datetime(2025, 3, 30, 2, 30)), with_offset=False)  # never happened
def test_parse_timestamp_near_a_clock_change(case, with_offset):
    """--as-of in a DST gap or overlap is refused with the readings; with an offset it is that instant."""
    zone_name, naive = case
    zone = ZoneInfo(zone_name)
    text = naive.isoformat(sep=" ", timespec="minutes")
    if with_offset:  # any offset the zone used nearby: the written offset settles it
        offset = (naive.replace(tzinfo=UTC) + timedelta(hours=3)).astimezone(zone).utcoffset()
        value = parse_timestamp(text + _offset_text(offset), zone_name, "--as-of")
        assert value == (naive - offset).replace(tzinfo=UTC)
        return
    try:
        value, problem = parse_timestamp(text, zone_name, "--as-of"), None
    except ValidationError as exc:
        check_report(exc)
        value, [problem] = None, exc.problems
        assert problem.field == "--as-of"
    check_wall_clock_reading(text, naive, zone, value, problem)
    event("refused" if problem else "read")


@fuzz(max_examples=30)
@given(case=wall_times_near_a_clock_change(), xlsx=st.booleans())
@example(case=("Europe/Amsterdam", datetime(2025, 3, 30, 2, 30)), xlsx=True)
def test_imported_wall_clock_times_near_a_clock_change(engine, world, tmp_path, case, xlsx):
    """The import reads a time without an offset (a CSV cell or a spreadsheet date-time) the same way, by row."""
    zone_name, naive = case
    header = ["brand", "journey", "channel", "started_at"]
    row = ["Koopklik", "Ask about a delivery", "email", naive]
    if xlsx:
        workbook = openpyxl.Workbook()
        workbook.active.append(header)
        workbook.active.append(row)
        path = tmp_path / "dst.xlsx"
        workbook.save(path)
    else:
        path = tmp_path / "dst.csv"
        path.write_text(to_csv(header, [row[:3] + [naive.isoformat(sep=" ", timespec="minutes")]], "\n"))
    result = import_file(engine, path, timezone=zone_name)
    stored, problem = None, None
    if result is None:
        with pytest.raises(ValidationError) as refused:
            read_header, rows, _ = read_table(path)
            with db.session_scope(engine) as session:
                import_contacts(session=session, actor=None, header=read_header, rows=rows, timezone=zone_name)
        [problem] = refused.value.problems
        assert (problem.row, problem.field) == (2, "started_at"), problem
    else:
        with engine.connect() as connection:
            stored = connection.execute(sa.select(Contact.started_at)).scalar_one()
        with db.session_scope(engine) as session:
            session.execute(sa.delete(Contact))
    check_wall_clock_reading(str(naive), naive, ZoneInfo(zone_name), stored, problem)


# ----------------------------------------------------------------------- contact form values

AWARE = st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30),
                     timezones=st.sampled_from([UTC, timezone(timedelta(hours=-12)), timezone(timedelta(hours=14))]))
NEAR = st.datetimes(min_value=datetime(2026, 2, 20), max_value=datetime(2026, 3, 10), timezones=st.just(UTC))
MOMENTS = st.one_of(st.none(), NEAR, NEAR, AWARE)
# number inputs hand the service floats (and whole numbers); NaN and infinity must not get through
SECONDS = st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True), st.integers(-(10**6), 10**6))
FORM_TEXT = st.one_of(st.text(max_size=30), st.sampled_from(NASTY))


@fuzz(max_examples=300)
@given(values=st.fixed_dictionaries({}, optional={
    **{name: MOMENTS for name in TIMESTAMP_FIELDS},
    "wait_seconds": SECONDS, "handling_seconds": SECONDS, "transfers": st.integers(-(2**70), 2**70)}))
@example(values={"started_at": datetime(1, 1, 1, tzinfo=UTC)})  # accepted before: broke every dashboard
@example(values={"started_at": NOW - timedelta(hours=1), "wait_seconds": math.nan})  # NaN slipped past "< 0"
@example(values={"started_at": NOW - timedelta(hours=1), "transfers": 2**31})  # PostgreSQL INTEGER overflow
def test_timing_problems_never_raise_and_name_the_field(values):
    """The timing checks of the logging forms: a list of problems, each naming a field — never an exception."""
    problems = timing_problems(values, now=NOW)
    known = {*TIMESTAMP_FIELDS, "wait_seconds", "handling_seconds", "transfers"}
    for problem in problems:
        assert problem.field in known, problem
    if "started_at" not in values or values["started_at"] is None:
        assert any(p.field == "started_at" for p in problems)
    for name in ("wait_seconds", "handling_seconds"):
        value = values.get(name)
        if value is not None and not math.isfinite(value):
            assert any(p.field == name for p in problems), (name, value)
    if values.get("transfers") is not None and values["transfers"] > MAX_INTEGER:
        assert any(p.field == "transfers" for p in problems)


@fuzz(max_examples=300)
@given(answers=st.lists(st.builds(
    AnswerIn, criterion_id=st.integers(-3, 12), value=st.one_of(st.none(), st.floats(), st.integers(-5, 10)),
    is_na=st.booleans(), comment=FORM_TEXT), max_size=6), complete=st.booleans())
def test_answer_problems_never_raise_and_name_the_item(answers, complete):
    """The checklist checks of the assessment form: problems name the item, never an exception."""
    criteria = [Criterion(id=1, version_id=1, position=0, code="C1", text="Greets", kind="yesno", na_allowed=True),
                Criterion(id=2, version_id=1, position=1, code="SCALE", text="Tone", kind="scale", scale_min=1,
                          scale_max=5, na_allowed=False)]
    problems = answer_problems(criteria, answers, complete=complete)
    for problem in problems:
        assert problem.field in ("checklist", "checklist item C1", "checklist item SCALE"), problem
    for answer in answers:
        if answer.criterion_id in (1, 2) and not answer.is_na and answer.value is not None \
                and not math.isfinite(answer.value):
            assert problems  # an infinite or NaN score is never accepted


def _snapshot(engine, contact_id: int) -> tuple:
    """The contact row and its answers, to prove a refused save left them alone."""
    answer = Answer.__table__
    with engine.connect() as connection:
        contact = connection.execute(sa.select(Contact.__table__).where(Contact.id == contact_id)).one()
        answers = connection.execute(sa.select(answer).where(answer.c.contact_id == contact_id)
                                     .order_by(answer.c.criterion_id)).all()
    return tuple(contact), tuple(map(tuple, answers))


@fuzz(max_examples=60)
@given(started=st.one_of(st.none(), NEAR, AWARE), channel=st.sampled_from(["email", "phone", "store"]),
       foreign_location=st.booleans())
@example(started=datetime(1, 1, 1, tzinfo=UTC), channel="email", foreign_location=False)
def test_start_contact_with_fuzzed_values(engine, world, started, channel, foreign_location):
    """Starting a contact: stored as given (to the microsecond), or refused naming the field, nothing written."""
    before = table_counts(engine)
    try:
        with db.session_scope(engine) as session:
            contact = start_contact(session=session, actor=world["auditor"], now=NOW, start=ContactStart(
                journey_id=world["journey"].id, brand_id=world["brand"].id,
                channel_id=world["channels"][channel].id, wave_id=world["wave"].id,
                location_id=-1 if foreign_location else None, started_at=started))
            contact_id = contact.id
    except KlantreisError as exc:
        check_report(exc)
        assert table_counts(engine) == before
        return
    with db.session_scope(engine) as session:
        stored = session.get(Contact, contact_id).started_at
    assert stored == (started or NOW)
    check_stored_contacts(engine)


@pytest.fixture
def logged(engine, world):
    """An e-mail contact started three hours before NOW, and its applicable criteria."""
    with db.session_scope(engine) as session:
        contact = start_contact(session=session, actor=world["auditor"], now=NOW, start=ContactStart(
            journey_id=world["journey"].id, brand_id=world["brand"].id, channel_id=world["channels"]["email"].id,
            wave_id=world["wave"].id, started_at=NOW - timedelta(hours=3)))
        criteria = applicable_criteria(session, contact)
    return contact.id, [c.id for c in criteria]


@fuzz(max_examples=60)
@given(changes=st.fixed_dictionaries({}, optional={
    **{name: MOMENTS for name in TIMESTAMP_FIELDS if name != "started_at"},
    "started_at": st.one_of(NEAR, AWARE),
    "wait_seconds": SECONDS, "handling_seconds": SECONDS, "transfers": st.integers(-(2**40), 2**40),
    "answer_text": FORM_TEXT, "notes": FORM_TEXT, "answer_correct": st.one_of(st.none(), st.booleans())}),
    answer_values=st.lists(st.tuples(st.one_of(st.none(), st.floats(), st.sampled_from([0.0, 1.0])), st.booleans(),
                                     FORM_TEXT), max_size=3),
    complete=st.booleans())
@example(changes={"notes": "a\x00b"}, answer_values=[], complete=False)  # PostgreSQL DataError on NUL
@example(changes={"transfers": 2**31}, answer_values=[], complete=False)  # PostgreSQL INTEGER overflow
@example(changes={"wait_seconds": math.inf}, answer_values=[], complete=False)
@example(changes={"started_at": datetime(1, 1, 1, tzinfo=UTC)}, answer_values=[], complete=False)
@example(changes={}, answer_values=[(1.0, False, "x\x00y")], complete=False)  # NUL in an item comment
def test_save_contact_with_fuzzed_form_values(engine, world, logged, changes, answer_values, complete):
    """Saving times and the assessment: all of it stored, or refused naming each field and nothing changed."""
    contact_id, criterion_ids = logged
    answers = [AnswerIn(criterion_id, value, is_na, comment)
               for criterion_id, (value, is_na, comment) in zip(criterion_ids, answer_values, strict=False)]
    before, state = table_counts(engine), _snapshot(engine, contact_id)
    try:
        with db.session_scope(engine) as session:
            save_contact(session=session, actor=world["auditor"], contact_id=contact_id, changes=changes,
                         answers=answers, complete=complete, now=NOW)
    except KlantreisError as exc:
        check_report(exc)
        assert table_counts(engine) == before
        assert _snapshot(engine, contact_id) == state, "a refused save changed the contact"
        event(f"refused: {exc.problems[0].field}")
        return
    event("saved")
    with db.session_scope(engine) as session:
        contact = session.get(Contact, contact_id)
        for name, value in changes.items():
            assert getattr(contact, name) == value, (name, value, getattr(contact, name))
    check_stored_contacts(engine)


# ------------------------------------------------------------------------------ journey forms

def mostly(valid: st.SearchStrategy, odd: st.SearchStrategy) -> st.SearchStrategy:
    """Nine draws in ten valid: a journey has some 25 fields, and the fuzzing must reach the save
    as well as the refusals (one_of would pick the odd branch far more often than its share)."""
    return st.integers(0, 9).flatmap(lambda roll: valid if roll < 9 else odd)


PLAIN_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=30)
_FRESH = itertools.count(1)
NAMES = mostly(st.builds(lambda: f"Journey {next(_FRESH)}"),  # a fresh name each time: a saved one is taken
               st.one_of(st.sampled_from(["Ask about a delivery", "Return a coat", "", "  ", "x" * 121,
                                          "New\x00journey", "=cmd"]), st.text(max_size=20)))
CHANNEL_NAMES = mostly(st.sampled_from(["phone", "email", "store", "twitter", "webchat"]),
                       st.one_of(st.sampled_from(["Phone", " twitter ", "", "c" * 41, "tele\x00gram", "telegram"]),
                                 st.text(max_size=12)))
TARGETS = mostly(st.one_of(st.none(), st.integers(1, 10**5)), st.integers(-(2**40), 2**40))
CRITERIA = st.builds(
    CriterionIn,
    code=mostly(st.sampled_from(["C1", "C2", "C3", "GREET", "TONE"]),
                st.one_of(st.sampled_from(["c1", "", "K" * 31, "C\x00"]), st.text(max_size=8))),
    text=mostly(st.sampled_from(["Greets", "Names the refund", "Tone"]),
                st.one_of(st.sampled_from(["", "t\x00", "x" * 3000]), st.text(max_size=20))),
    section=mostly(st.sampled_from(["General", "Answer"]),
                   st.one_of(st.sampled_from(["", "s" * 81, "Se\x00ction"]), st.text(max_size=10))),
    weight=mostly(st.floats(0, 10), st.one_of(st.floats(), st.integers(-3, 10))),
    kind=mostly(st.sampled_from(["yesno", "scale"]), st.sampled_from(["stars", ""])),
    scale_min=mostly(st.just(1.0), st.one_of(st.none(), st.floats())),
    scale_max=mostly(st.just(5.0), st.one_of(st.none(), st.floats())),
    na_allowed=st.booleans(),
    critical_policy=mostly(st.just("none"), st.sampled_from(["zero_total", "zero_section", "fatal", ""])),
    bonus=mostly(st.just(False), st.booleans()),
    channels=mostly(st.just(()), st.lists(CHANNEL_NAMES, max_size=2).map(tuple)),
)
JOURNEYS = st.builds(
    JourneyIn, name=NAMES, scenario=mostly(PLAIN_TEXT, FORM_TEXT), question=mostly(PLAIN_TEXT, FORM_TEXT),
    reference_answer=mostly(PLAIN_TEXT, FORM_TEXT),
    channels=mostly(
        st.lists(st.builds(JourneyChannelIn, channel=CHANNEL_NAMES, first_response_target_seconds=TARGETS,
                           resolution_target_seconds=TARGETS, business_hours=st.one_of(st.none(), st.booleans())),
                 min_size=1, max_size=3, unique_by=lambda c: c.channel),
        st.lists(st.builds(JourneyChannelIn, channel=CHANNEL_NAMES), max_size=3)),
    criteria=mostly(st.lists(CRITERIA, min_size=1, max_size=4, unique_by=lambda c: c.code),
                    st.lists(CRITERIA, max_size=4)),
)
REGRESSION_JOURNEY = JourneyIn(name="Fine", channels=[JourneyChannelIn("phone")],
                               criteria=[CriterionIn(code="C1", text="Greets")])


def _with(**changes) -> JourneyIn:
    spec = JourneyIn(**{**REGRESSION_JOURNEY.__dict__, "channels": list(REGRESSION_JOURNEY.channels),
                        "criteria": list(REGRESSION_JOURNEY.criteria)})
    for key, value in changes.items():
        setattr(spec, key, value)
    return spec


@fuzz(max_examples=60)
@given(journey_in=JOURNEYS, existing=st.booleans())
@example(journey_in=_with(name="x" * 121), existing=False)  # PostgreSQL: value too long for varchar(120)
@example(journey_in=_with(criteria=[CriterionIn(code="K" * 31, text="Greets")]), existing=True)  # varchar(30)
@example(journey_in=_with(criteria=[CriterionIn(code="C1", text="Greets", section="s" * 81)]), existing=False)
@example(journey_in=_with(channels=[JourneyChannelIn("c" * 41)]), existing=False)  # varchar(40)
@example(journey_in=_with(channels=[JourneyChannelIn("phone", 2**31)]), existing=True)  # INTEGER overflow
@example(journey_in=_with(scenario="a\x00b"), existing=False)  # PostgreSQL DataError on NUL
@example(journey_in=_with(criteria=[CriterionIn(code="C1", text="Greets", weight=math.inf)]), existing=False)
@example(journey_in=_with(criteria=[CriterionIn(code="S", text="Tone", kind="scale", scale_min=-math.inf,
                                                scale_max=5)]), existing=False)
def test_journey_forms_with_fuzzed_values(engine, world, journey_in, existing):
    """Creating or editing a journey: saved, or refused naming each field — nothing half-written."""
    before = table_counts(engine)
    try:
        with db.session_scope(engine) as session:
            if existing:
                journey_id = update_journey(session=session, actor=world["admin"], journey_id=world["coat"].id,
                                            journey_in=journey_in).id
            else:
                journey_id = new_journey(session=session, actor=world["admin"], journey_in=journey_in).id
    except KlantreisError as exc:
        check_report(exc)
        assert table_counts(engine) == before
        event(f"refused: {exc.problems[0].field}")
        return
    event("saved")
    # what was saved reads back as what was entered (names and codes trimmed)
    with db.session_scope(engine) as session:
        saved = journey_in_from_db(session=session, journey_id=journey_id)
    assert saved.name == journey_in.name.strip()
    assert [c.code for c in saved.criteria] == [c.code.strip() for c in journey_in.criteria]


JSON_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-(2**64), 2**64), st.floats(), st.text(max_size=10)),
    lambda children: st.one_of(st.lists(children, max_size=3), st.dictionaries(st.text(max_size=8), children,
                                                                                 max_size=3)),
    max_leaves=8,
)


@st.composite
def journey_documents(draw) -> str | bytes:
    """Shared-journey JSON: garbage, any JSON, and near-valid documents with any value in any field."""
    kind = draw(st.integers(0, 3))
    if kind == 0:
        return draw(st.one_of(st.binary(max_size=40), st.text(max_size=40)))
    if kind == 1:
        return json.dumps(draw(JSON_VALUES))
    document = {"format": "klantreis-journey/1", "name": "Shared", "channels": [{"channel": "phone"}],
                "criteria": [{"code": "C1", "text": "Greets"}]}
    target = draw(st.sampled_from([document, document["channels"][0], document["criteria"][0]]))
    key = draw(st.sampled_from(["format", "name", "channels", "criteria", "channel", "code", "text", "weight",
                                "scale_min", "kind", "first_response_target_seconds", "business_hours"]))
    target[key] = draw(JSON_VALUES)
    return json.dumps(document)


@fuzz(max_examples=300)
@given(text=journey_documents())
@example(text='{"format": "klantreis-journey/1", "name": "X", "channels": 5, "criteria": []}')  # TypeError
@example(text='{"format": "klantreis-journey/1", "name": "X", "channels": [], "criteria": true}')  # TypeError
@example(text=b"\xff\xfe{}")  # not UTF-8
@example(text='{"format": "klantreis-journey/1", "name": "X", "channels": [{"channel": "phone"}], '
              '"criteria": [{"code": "C1", "text": "T", "weight": Infinity}]}')
def test_journey_json_never_raises_unexpectedly(text):
    """A shared journey file: a JourneyIn, or a refusal naming the place in the document."""
    try:
        journey_in = journey_from_json(text)
    except KlantreisError as exc:
        check_report(exc)
        return
    assert isinstance(journey_in, JourneyIn)


# --------------------------------------------------------------------------- plain regressions


def test_progress_count_is_exact_for_every_line_ending(tmp_path):
    """The row count for the progress bar: the header is not a row; CR-only files were counted as 0 rows."""
    rows = [["Koopklik", "Ask about a delivery", "email", "2026-03-02 10:00"]] * 3
    for ending in ("\n", "\r\n", "\r"):
        for final in (True, False):
            text = to_csv(["brand", "journey", "channel", "started_at"], rows, ending)
            path = tmp_path / "count.csv"
            path.write_text(text if final else text[:-len(ending)], newline="")
            _header, read, count = read_table(path)
            assert count == 3 == len(list(read)), (repr(ending), final)
