"""The contact interchange format: read a CSV or XLSX contact file and validate every row.

The format is documented in ``docs/interchange.md``. This module only reads and checks: it
turns a file into a list of ``ContactRow`` (names, UTC timestamps, numbers, answers) plus a
list of every ``Problem`` found (row number, column, value, reason), so an import can refuse
the whole file and still tell the user about all bad rows at once. Writing is
``journeys.interchange.imports``.

Row numbers are spreadsheet rows: the header is row 1, the first contact row 2 (a quoted
multi-line note still counts as one row).

Nothing is read as something else without a word: a quote left open, a formula without a
computed value, a wall-clock time that daylight saving time makes ambiguous or void
(``journeys.local_time``) and a number with a comma are refused by line, cell, row and column.
"""

import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa
from sqlmodel import Session

from journeys.accounts.users import USERNAME_PATTERN
from journeys.errors import Problem, ValidationError
from journeys.fieldwork.waves import closed_wave_message
from journeys.language import N_, _, ngettext
from journeys.language import number as local_number
from journeys.limits import EARLIEST, LATEST, MAX_INTEGER, shown
from journeys.local_time import LOCAL_ZONE_NAME, LocalTimeError, to_utc
from journeys.models import (
    Brand,
    Channel,
    ChecklistVersion,
    Contact,
    Criterion,
    CriterionChannel,
    CriterionKind,
    Journey,
    JourneyChannel,
    Location,
    User,
    Wave,
)

# Naive times in a file or an option are read in the installation's zone unless ``--timezone`` says otherwise.
ITEM_PREFIX = "item:"
EXTRA_PREFIX = "x:"
TIMESTAMP_FIELDS = ("started_at", "acknowledged_at", "first_response_at", "resolved_at", "due_at")
COLUMNS = (
    "external_id", "brand", "location", "journey", "channel", "auditor", "wave",
    *TIMESTAMP_FIELDS, "wait_seconds", "transfers", "redirected_to", "answer_correct",
    "answer_text", "notes",
)
# Columns the export adds for the people reading it (``journeys.interchange.exports``): the contact's id
# in this installation, the channel's display name and the quality score of ``scoring.pipeline.scored_contacts``
# (raw, after knock-outs, pass or fail). An import accepts and ignores them, so an exported file reads back
# unchanged: ids differ between installations, and a score is computed from the answers, never stored.
EXPORT_ONLY_COLUMNS = ("contact_id", "channel_label", "raw_score", "final_score", "passed")
REQUIRED = ("brand", "journey", "channel", "started_at")
TEXT_FIELDS = ("external_id", "brand", "location", "journey", "channel", "auditor", "wave",
               "redirected_to", "answer_text", "notes")
MAX_LENGTHS = {"external_id": 120, "brand": 120, "location": 120, "journey": 120, "channel": 40,
               "wave": 40, "redirected_to": 40, "auditor": 60}
# Spreadsheet exports prefix these with a quote so they are not run as formulas (see
# journeys.interchange.exports.neutralise_formula); reading strips that quote again.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

TRUE_WORDS = {"yes": True, "true": True, "1": True, "no": False, "false": False, "0": False}
NA_WORDS = {"na", "n/a"}
MAX_CODE_LENGTH = 30  # Criterion.code
_TIMESTAMP_SHAPE = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


@dataclass
class ContactRow:
    """One valid row of a contact file: names as given, timestamps in UTC, answers by code."""

    row: int
    brand: str
    journey: str
    channel: str
    started_at: datetime
    external_id: str | None = None
    location: str | None = None
    auditor: str | None = None
    wave: str | None = None
    acknowledged_at: datetime | None = None
    first_response_at: datetime | None = None
    resolved_at: datetime | None = None
    due_at: datetime | None = None
    wait_seconds: float | None = None
    transfers: int = 0
    redirected_to: str | None = None
    answer_correct: bool | None = None
    answer_text: str = ""
    notes: str = ""
    # criterion code -> value (None = N/A); only items with a non-empty cell
    answers: dict[str, float | None] = field(default_factory=dict)


@dataclass
class CriterionInfo:
    id: int
    kind: str
    scale_min: float | None
    scale_max: float | None
    na_allowed: bool
    channel_ids: frozenset[int]


@dataclass
class JourneyInfo:
    id: int
    version_id: int
    criteria: dict[str, CriterionInfo]
    channel_ids: set[int]


@dataclass
class Catalogue:
    """Everything a contact file can name, read once (one query per table) before validating."""

    brands: dict[str, int]
    locations: dict[tuple[int, str], int]
    channels: dict[str, int]
    journeys: dict[str, JourneyInfo]
    users: dict[str, int]
    waves: dict[str, int]
    external_ids: dict[tuple[int, str], int]
    closed_waves: frozenset[str] = frozenset()  # a row in one of these is refused: its figures are final

    @classmethod
    def load(cls, session: Session) -> "Catalogue":
        run = session.connection().execute
        versions: dict[int, int] = {}
        for journey_id, version_id, _number in run(
            sa.select(ChecklistVersion.journey_id, ChecklistVersion.id, ChecklistVersion.number)
            .order_by(ChecklistVersion.journey_id, ChecklistVersion.number)
        ):
            versions[journey_id] = version_id  # ordered by number: the newest wins
        restrictions: dict[int, set[int]] = {}
        for criterion_id, channel_id in run(sa.select(CriterionChannel.criterion_id, CriterionChannel.channel_id)):
            restrictions.setdefault(criterion_id, set()).add(channel_id)
        by_version: dict[int, dict[str, CriterionInfo]] = {}
        for c in run(sa.select(Criterion.id, Criterion.version_id, Criterion.code, Criterion.kind,
                               Criterion.scale_min, Criterion.scale_max, Criterion.na_allowed)):
            by_version.setdefault(c.version_id, {})[c.code.lower()] = CriterionInfo(
                c.id, c.kind, c.scale_min, c.scale_max, bool(c.na_allowed), frozenset(restrictions.get(c.id, ())))
        journey_channels: dict[int, set[int]] = {}
        for journey_id, channel_id in run(sa.select(JourneyChannel.journey_id, JourneyChannel.channel_id)):
            journey_channels.setdefault(journey_id, set()).add(channel_id)
        journeys = {}
        for journey_id, name in run(sa.select(Journey.id, Journey.name)):
            if journey_id in versions:
                version_id = versions[journey_id]
                journeys[name] = JourneyInfo(journey_id, version_id, by_version.get(version_id, {}),
                                             journey_channels.get(journey_id, set()))
        return cls(
            brands={name: i for i, name in run(sa.select(Brand.id, Brand.name))},
            locations={(b, name): i for i, b, name in run(sa.select(Location.id, Location.brand_id, Location.name))},
            channels={name: i for i, name in run(sa.select(Channel.id, Channel.name))},
            journeys=journeys,
            users={name: i for i, name in run(sa.select(User.id, User.username))},
            waves={name: i for i, name in run(sa.select(Wave.id, Wave.name))},
            closed_waves=frozenset(run(sa.select(Wave.name).where(Wave.closed_at.is_not(None))).scalars()),
            external_ids={
                (b, e): i for i, b, e in run(
                    sa.select(Contact.id, Contact.brand_id, Contact.external_id).where(Contact.external_id.is_not(None))
                )
            },
        )


@dataclass
class ParsedFile:
    """The outcome of validating a file: the good rows, and every problem of the bad ones."""

    rows: list[ContactRow]
    problems: list[Problem]
    item_codes: list[str]
    extra_columns: list[str]  # the x: and export-only columns the header has, which the import ignores
    total_rows: int
    # criteria a journey created by this import gets: journey name -> item codes in column order
    new_journey_codes: dict[str, list[str]] = field(default_factory=dict)
    # the COLUMNS the header has: a re-import leaves the fields of the others as they are
    columns: frozenset[str] = frozenset()


# ---------------------------------------------------------------------------- reading the file

# A CSV file may be separated by commas (the format), or by semicolons or tabs (Excel in a Dutch,
# German or French locale saves "CSV" with semicolons): the header line decides.
DELIMITERS = {",": N_("commas"), ";": N_("semicolons"), "\t": N_("tabs")}


class TableRows:
    """The contact rows of a file as ``(row number, cells)`` pairs, counting what was read.

    Iterate once. Afterwards ``records`` is the number of non-blank rows read and ``lines``
    the number of lines (CSV, header included) or sheet rows (XLSX) they came from; a quote
    that is opened by mistake and closed much later merges many lines into one record, and
    ``describe`` shows that to the user.
    """

    def __init__(self, *, lines: int | None = None, unit: str = "line", delimiter: str = ","):
        self._rows: Iterator[tuple[int, list[str]]] = iter(())
        self.records = 0
        self.blank = 0
        self.lines = lines
        self.unit = unit
        self.delimiter = delimiter

    def __iter__(self) -> "TableRows":
        return self

    def __next__(self) -> tuple[int, list[str]]:
        return next(self._rows)

    def describe(self) -> str:
        """``2 records read from 3 lines``, with what a user should notice about how they were read."""
        lines = self.lines or 0
        if self.unit == "line":
            source = ngettext("{n} line", "{n} lines", lines).format(n=local_number(lines))
        else:
            source = ngettext("{n} sheet row", "{n} sheet rows", lines).format(n=local_number(lines))
        text = ngettext("{n} record read from {source}", "{n} records read from {source}", self.records).format(
            n=local_number(self.records), source=source)
        notes = []
        if self.delimiter != ",":
            notes.append(_("separated by {separator}").format(separator=_(DELIMITERS[self.delimiter])))
        if self.unit == "line":
            spanned = lines - 1 - self.records - self.blank  # header line, one line per row
            if spanned > 0:
                notes.append(ngettext("quoted cells hold {n} line break", "quoted cells hold {n} line breaks",
                                      spanned).format(n=local_number(spanned)))
        return _("{text} ({notes})").format(text=text, notes="; ".join(notes)) if notes else text


def read_table(path: str | Path) -> tuple[list[str], TableRows, int | None]:
    """The header, the rows (a ``TableRows``) and (if cheap to know) the row count.

    CSV is read as UTF-8 with or without a byte-order mark, any line ending, quoted fields
    holding newlines, separated by commas (or semicolons or tabs, see ``_delimiter``); a quote
    that never closes is an error. XLSX (first sheet) through openpyxl with cells turned into
    text; a formula cell without a computed value is marked (see ``FormulaRow``).

    Raises:
        ValidationError: for a missing, unreadable, empty, undecodable or malformed file.
    """
    path = Path(path)
    if not path.is_file():
        raise ValidationError(Problem("file", str(path), _("does not exist or is not a file")))
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return _read_xlsx(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ValidationError(Problem("file", str(path), _("cannot be read: {reason}").format(
            reason=exc.strerror))) from exc
    if _looks_like_utf16(data):
        raise ValidationError(Problem("file", str(path), _("looks like UTF-16 text, not UTF-8; {advice}").format(
            advice=_(SAVE_AS_UTF8))))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ValidationError(Problem("file", str(path), _(
            "is not UTF-8 text: byte {byte} on line {line} (byte {position}) is not UTF-8; {advice}").format(
            byte=f"{data[exc.start]:#04x}", line=line, position=exc.start, advice=_(SAVE_AS_UTF8)))) from exc
    delimiter = _delimiter(text)
    records = _records(path, text, delimiter)
    try:
        _line, header = next(records)
    except StopIteration:
        raise ValidationError(Problem("file", str(path), _("is empty: a header row is required"))) from None
    approximate = _count_rows(path, text, delimiter)
    table = TableRows(lines=_count_lines(text), delimiter=delimiter)

    def rows():
        number = 1
        for _line, cells in records:
            number += 1
            if any(cell.strip() for cell in cells):
                table.records += 1
                yield number, cells
            else:
                table.blank += 1

    table._rows = rows()
    return header, table, approximate


SAVE_AS_UTF8 = N_("save the file as UTF-8 (in Excel: CSV UTF-8)")


def _looks_like_utf16(data: bytes) -> bool:
    """A UTF-16 byte-order mark, or text whose every other byte is NUL (UTF-16 without a mark).

    Without this check UTF-16 without a mark decodes as "valid UTF-8" full of NUL characters
    and every header name would be reported as unknown.
    """
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return True
    head = data[:200]
    half = len(head) // 2
    return half >= 2 and max(head[0::2].count(0), head[1::2].count(0)) >= 0.9 * half


def _delimiter(text: str) -> str:
    """The separator of a CSV file: the one of comma, semicolon and tab its header line holds most.

    Header names never contain these characters (an ``x:`` name might, quoted, and quoted text
    is not counted), so the header line tells reliably. Ties go to the comma, the format's own
    separator. Reading a semicolon file as commas would report its whole header as one unknown
    column; reading it correctly lets every cell be checked (decimal commas in such a file are
    then refused by cell, see ``_number``).
    """
    end = _LINE_BREAK.search(text)
    first = text[:end.start()] if end else text
    unquoted = re.sub(r'"[^"]*"?', "", first)
    counts = {d: unquoted.count(d) for d in DELIMITERS}
    best = max(counts, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","


_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def _count_lines(text: str) -> int:
    """Lines as a text editor shows them (CRLF, LF or CR each end one)."""
    breaks = text.count("\n") + text.count("\r") - text.count("\r\n")
    return breaks + (1 if text and not text.endswith(("\n", "\r")) else 0)


def _records(path: Path, text: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """``(first line, cells)`` of every CSV record, the header included.

    The reader is strict: without it a quote that opens a cell and never closes silently
    swallows every later line into that cell (one "row" imported, the rest lost), and one that
    closes lines later is followed by stray text that the lenient reader glues on.
    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    end = 0
    row = 0
    try:
        for cells in reader:
            row += 1
            start, end = end + 1, reader.line_num
            yield start, cells
    except csv.Error as exc:
        raise ValidationError(_csv_problem(path, exc, row + 1, text, end + 1, delimiter)) from exc


def _csv_problem(path: Path, exc: csv.Error, row: int, text: str, line: int, delimiter: str) -> Problem:
    """A csv module error as a problem naming the spreadsheet row (and the line of a bad quote)."""
    reason = str(exc)
    if "field larger than field limit" in reason:
        # in a large file an unclosed quote runs past the cell limit before the end of the file
        reason = _quote_reason(text, line, delimiter) or _("a cell is longer than {n} characters").format(
            n=local_number(csv.field_size_limit()))
    elif "unexpected end of data" in reason or "expected after" in reason:
        reason = _quote_reason(text, line, delimiter) or reason
    return Problem("file", str(path), _("is not valid CSV in row {row}: {reason}").format(row=row, reason=reason))


def _quote_reason(text: str, line: int, delimiter: str) -> str | None:
    """Where the quoted cell of the record starting on ``line`` went wrong, for the user.

    Walks the record the way the csv module does: a quote at the start of a cell opens it,
    a doubled quote inside stands for one quote, and a single quote closes it.
    """
    breaks = [0] + [m.end() for m in _LINE_BREAK.finditer(text)]
    if line > len(breaks):
        return None
    position, current = breaks[line - 1], line
    cell_start, quoted, opened = True, False, line
    length = len(text)
    while position < length:
        char = text[position]
        if quoted:
            if char == '"':
                if text.startswith('"', position + 1):
                    position += 2
                    continue
                quoted = False
                position += 1
                following = text[position] if position < length else ""
                if following and following not in (delimiter, "\r", "\n"):
                    if opened == current:
                        message = _(
                            "the quoted cell on line {line} is followed by {character} after its closing quote "
                            'instead of a separator or a line break; write a quote inside a cell as two ("") or '
                            "check that the opening quote is closed where it should be")
                    else:
                        message = _(
                            "the quoted cell that opens on line {opened} closes on line {line} and is followed by "
                            "{character} after its closing quote instead of a separator or a line break; write a "
                            'quote inside a cell as two ("") or check that the opening quote is closed where it '
                            "should be")
                    return message.format(line=current, opened=opened, character=repr(shown(following)))
                continue
            if char == "\r" and text.startswith("\n", position + 1):
                position += 1
            if char in "\r\n":
                current += 1
        elif char == '"' and cell_start:
            quoted, opened = True, current
        elif char in "\r\n":
            return None
        cell_start = not quoted and char == delimiter
        position += 1
    if quoted:
        return _("the quoted cell that opens on line {line} is never closed, so every line after it would be "
                 'read into that one cell; add the closing quote (") or remove the opening one').format(line=opened)
    return None


def _count_rows(path: Path, text: str, delimiter: str) -> int:
    """Contact rows for the progress bar (blank rows included; exact when no quoted cell spans lines)."""
    if '"' in text:
        # quoted cells may hold line breaks: only the csv module can count rows then (and a
        # quote left open is reported here, before any row is checked)
        return sum(1 for _ in _records(path, text, delimiter)) - 1
    # a file may end its lines with LF, CRLF or (old Mac) CR alone
    breaks = text.count("\n") or text.count("\r")
    return breaks - (1 if text.endswith(("\n", "\r")) else 0)


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.isoformat()
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class FormulaRow(list):
    """The cells of a sheet row holding formulas without a computed value.

    A workbook written by a script (openpyxl, pandas) stores a formula such as ``=5*2`` but no
    result; only a spreadsheet program computes and saves one. Read for its values, such a
    cell is empty, and an import would store nothing without a word, so the reader keeps the
    formula text by position (``formulas``) and ``parse_contacts`` refuses the cell.
    """

    formulas: dict[int, str]


FORMULA_MESSAGE = N_("is a formula with no computed value: type the value, or open and save the workbook in a "
                     "spreadsheet program so it computes the formula")
# a formula element (<f>, <f t="shared" .../>, with or without a namespace prefix) in sheet XML
_FORMULA_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s/>]")


def _sheet_has_formulas(sheet) -> bool:
    """Whether the sheet's XML holds any formula (one streaming scan; most files have none).

    Only then is the workbook read a second time for its formulas: values and formulas are
    read apart by openpyxl (``data_only``), and doing both for every file would double the
    time of a large import.
    """
    tail = b""
    try:
        with sheet._get_source() as source:  # openpyxl has no public way to the sheet's XML
            while chunk := source.read(1 << 20):
                if _FORMULA_TAG.search(tail + chunk):
                    return True
                tail = chunk[-32:]
    except Exception:  # a damaged part: read both ways, so the failure is reported with its row
        return True
    return False


def _formula_text(value) -> str | None:
    """The text of a formula as openpyxl gives it without ``data_only``, or None for a plain value."""
    if isinstance(value, str):
        return value if value.startswith("=") else None
    if value is None or isinstance(value, (int, float, bool, datetime, date, time)):
        return None
    return getattr(value, "text", None) or "=TABLE(...)"  # ArrayFormula, DataTableFormula


def _read_xlsx(path: Path):
    import openpyxl  # lazy: a heavy import that only XLSX files need

    def unreadable(exc: Exception, row: int | None = None) -> ValidationError:
        if row:
            message = _("is not a readable XLSX workbook (row {row}): {reason}").format(row=row, reason=exc)
        else:
            message = _("is not a readable XLSX workbook: {reason}").format(reason=exc)
        return ValidationError(Problem("file", str(path), message))

    books = []
    try:
        books.append(openpyxl.load_workbook(path, read_only=True, data_only=True))
    except Exception as exc:  # zipfile/openpyxl raise many kinds for a damaged file
        raise unreadable(exc) from exc

    def close() -> None:
        for book in books:
            book.close()

    try:
        sheet = books[0].worksheets[0]
        iterator = sheet.iter_rows(values_only=True)
        header = [_cell_text(v) for v in next(iterator)]
        approximate = sheet.max_row
        formula_rows = iter(())
        if _sheet_has_formulas(sheet):
            books.append(openpyxl.load_workbook(path, read_only=True, data_only=False))
            formula_rows = books[1].worksheets[0].iter_rows(values_only=True)
            next(formula_rows, None)  # the header
    except StopIteration:
        close()
        raise ValidationError(Problem("file", str(path), _("is empty: a header row is required"))) from None
    except Exception as exc:  # the sheet itself is read lazily: a damaged part fails only here
        close()
        raise unreadable(exc, 1) from exc
    while header and header[-1] == "":
        header.pop()
    table = TableRows(lines=1, unit="sheet row")

    def rows():
        number = 1
        try:
            for values in iterator:
                number += 1
                table.lines = number
                cells = [_cell_text(v) for v in values]
                formulas = next(formula_rows, ())
                uncomputed = {position: text for position, value in enumerate(formulas)
                              if position < len(values) and values[position] is None
                              and (text := _formula_text(value)) is not None}
                if uncomputed:
                    cells = FormulaRow(cells)
                    cells.formulas = uncomputed
                    table.records += 1
                    yield number, cells
                elif any(cell.strip() for cell in cells):
                    table.records += 1
                    yield number, cells
                else:
                    table.blank += 1
        except Exception as exc:  # a damaged sheet part (bad CRC, broken XML) fails while reading
            raise unreadable(exc, number + 1) from exc
        finally:
            close()

    table._rows = rows()
    return header, table, approximate


# ------------------------------------------------------------------------------ cell parsers


class _Bad(Exception):
    """A cell that cannot be read; the message says what is allowed."""


def _timestamp(text: str, zone: ZoneInfo, *, day_start: bool = False) -> datetime:
    """An ISO 8601 timestamp as aware UTC; without an offset it is a wall-clock time in ``zone``.

    A wall-clock time that daylight saving time makes ambiguous or void is refused
    (``journeys.local_time``), unless ``day_start``: then it means the first moment of that day.
    """
    if not _TIMESTAMP_SHAPE.match(text):
        raise _Bad(_("must be an ISO 8601 timestamp such as 2026-03-02T10:15:00+01:00 or 2026-03-02 10:15"))
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise _Bad(_("is not a valid date and time (ISO 8601 or YYYY-MM-DD HH:MM[:SS])")) from None
    try:
        if value.tzinfo is None:
            value = to_utc(value, zone, earliest=day_start)
        else:
            value = value.astimezone(UTC)
    except LocalTimeError as exc:
        raise _Bad(str(exc)) from None
    except OverflowError:  # e.g. 9999-12-31T23:00-05:00 lies past the end of the calendar in UTC
        raise _Bad(_timestamp_range()) from None
    if not EARLIEST <= value < LATEST:
        raise _Bad(_("{rule} (UTC)").format(rule=_timestamp_range()))
    return value


def _timestamp_range() -> str:
    """``must lie between 1970-01-01 and 2100-12-31`` (``journeys.limits``), in the current language."""
    return _("must lie between {earliest} and {latest}").format(
        earliest=EARLIEST.date().isoformat(), latest=(LATEST - timedelta(days=1)).date().isoformat())


def _text_problem(text: str, max_length: int | None = None) -> str | None:
    """Why ``text`` cannot be stored (``journeys.limits.text_problem``), in the current language."""
    if "\x00" in text:
        return _(NUL_MESSAGE)
    if max_length is not None and len(text) > max_length:
        return _("is longer than {limit} characters ({length})").format(limit=max_length, length=local_number(len(text)))
    return None


NUL_MESSAGE = N_("contains a NUL character (\\x00), which cannot be stored; remove it")  # as journeys.limits'


def _figure(value: float) -> str:
    """A bound of a scale as people write it: ``5``, ``2.5`` (``2,5`` in Dutch)."""
    written = f"{value:g}"
    digits = len(written.partition(".")[2]) if "e" not in written else 6
    return local_number(value, digits)


# What a number cell may hold: digits 0-9, a sign, a decimal point, an exponent. Python's float()
# takes more ("1_000", Arabic-Indic digits, " 5 "), and a comma is a decimal separator to some and a
# thousands separator to others: "1,234" was stored as 1.234 seconds (or would be 1234).
_NUMBER_SHAPE = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
NUMBER_RULE = N_("write digits with a point for decimals (12.5) and no thousands separator")


class _Comma(_Bad):
    """A number written with a comma: refused with the rule, whatever else the column allows."""


def _number(text: str) -> float:
    """A number cell as a float; refused unless written as ``NUMBER_RULE`` says."""
    if not _NUMBER_SHAPE.fullmatch(text):
        if "," in text:
            raise _Comma(_("has a comma; {rule}").format(rule=_(NUMBER_RULE)))
        lowered = text.lower().lstrip("+-")
        if lowered in ("nan", "inf", "infinity"):
            raise _Bad(_("must be a finite number"))
        raise _Bad(_("must be a number ({rule})").format(rule=_(NUMBER_RULE)))
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise _Bad(_("must be a finite number"))
    return value


def _unquote(text: str) -> str:
    if len(text) > 1 and text[0] == "'" and text[1] in FORMULA_TRIGGERS:
        return text[1:]
    return text


def parse_timezone(name: str) -> ZoneInfo:
    """A time zone by IANA name, or a ValidationError naming the option."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError(Problem("--timezone", name, _("is not a known IANA time zone (e.g. Europe/Amsterdam)"))) from None


def parse_timestamp(text: str, timezone: str = LOCAL_ZONE_NAME, field_name: str = "timestamp") -> datetime:
    """One timestamp read like the import reads them (used by ``--as-of``, ``--from``, ``--to``).

    A bare date ``YYYY-MM-DD`` means midnight at its start in ``timezone`` (the day's first
    moment where the clocks change at midnight); a time of day that daylight saving time makes
    ambiguous or void is refused, as in the import.
    """
    zone = parse_timezone(timezone)
    text = text.strip()
    day = re.fullmatch(r"\d{4}-\d{2}-\d{2}", text) is not None
    if day:
        text += " 00:00"
    try:
        # where a day starts with a clock change (America/Santiago: 00:00 does not exist), the
        # day's first moment is meant, not a refusal
        return _timestamp(text, zone, day_start=day)
    except _Bad as exc:
        raise ValidationError(Problem(field_name, text, str(exc))) from None


# ------------------------------------------------------------------------------- validation


def _unknown_channel(catalogue: Catalogue) -> str:
    known = ", ".join(sorted(catalogue.channels))
    return _("unknown channel; known: {channels}").format(channels=known) if known else _(
        "unknown channel; known: none yet")


def check_header(header: list[str]) -> tuple[dict[str, int], dict[str, int], list[str], list[Problem]]:
    """Map the header to column positions; unknown, duplicate and missing columns are problems."""
    problems: list[Problem] = []
    columns: dict[str, int] = {}
    items: dict[str, int] = {}
    extras: list[str] = []
    seen: set[str] = set()
    known = set(COLUMNS)
    for position, raw in enumerate(header):
        name = raw.strip().lower()
        if not name:
            problems.append(Problem("header", raw, _("column {position} has no name").format(position=position + 1), 1))
            continue
        if "\x00" in name:
            problems.append(Problem("header", raw, _(NUL_MESSAGE), 1))
            continue
        code = raw.strip()[len(ITEM_PREFIX):].strip() if name.startswith(ITEM_PREFIX) else ""
        if code:
            # "item:C1" and "item: c1" name the same criterion: one would silently win
            name = ITEM_PREFIX + code.lower()
        if name in seen:
            problems.append(Problem("header", raw, _("appears twice"), 1))
            continue
        seen.add(name)
        if name.startswith(EXTRA_PREFIX) or name in EXPORT_ONLY_COLUMNS:
            extras.append(raw.strip())
        elif name.startswith(ITEM_PREFIX):
            if not code:
                problems.append(Problem("header", raw, _("item: needs a criterion code, e.g. item:GREET"), 1))
            elif len(code) > MAX_CODE_LENGTH:
                problems.append(Problem("header", shown(raw),
                                        _("a criterion code has at most {n} characters").format(n=MAX_CODE_LENGTH), 1))
            else:
                items[code] = position
        elif name in known:
            columns[name] = position
        else:
            problems.append(Problem("header", raw, _(
                "unknown column; allowed are {columns}, item:CODE, the export's own {export_columns} (ignored), "
                "or any name starting with x: (ignored)").format(
                columns=", ".join(COLUMNS), export_columns=", ".join(EXPORT_ONLY_COLUMNS)), 1))
    for name in REQUIRED:
        if name not in columns:
            problems.append(Problem("header", name, _("required column is missing"), 1))
    return columns, items, extras, problems


def parse_contacts(
    header: list[str],
    rows: Iterable[tuple[int, list[str]]],
    catalogue: Catalogue,
    *,
    timezone: str = LOCAL_ZONE_NAME,
    create_missing: bool = False,
    on_progress: Callable[[int], None] | None = None,
) -> ParsedFile:
    """Validate every row of a contact file against the format and the catalogue.

    Args:
        header: the header cells.
        rows: ``(row number, cells)`` pairs.
        catalogue: the names the database knows (``Catalogue.load``).
        timezone: zone of timestamps written without an offset.
        create_missing: unknown brands, locations, journeys, channels, auditors and waves are
            accepted (they are created on import) instead of being errors.
        on_progress: called with the number of rows read so far, every 1,000 rows.

    Returns:
        A ``ParsedFile``; it has problems when the file must not be imported.
    """
    zone = parse_timezone(timezone)
    columns, items, extras, problems = check_header(header)
    if any(name not in columns for name in REQUIRED):  # reported by check_header
        return ParsedFile([], problems, list(items), extras, 0, columns=frozenset(columns))
    good: list[ContactRow] = []
    seen_external: dict[tuple[str, str], int] = {}
    new_journey_codes: dict[str, list[str]] = {}
    present = [(name, columns[name]) for name in COLUMNS if name in columns]
    for name in COLUMNS:
        if name not in columns:
            present.append((name, None))
    width = len(header)
    # a formula without a computed value is reported by the column it is in (x: columns are ignored)
    column_at = {position: name for name, position in columns.items()}
    column_at.update({position: f"{ITEM_PREFIX}{code}" for code, position in items.items()})
    count = 0
    for number, cells in rows:
        count += 1
        if on_progress is not None and count % 1000 == 0:
            on_progress(count)
        if len(cells) > width and any(c.strip() for c in cells[width:]):
            problems.append(Problem("row", len(cells), _("has more cells than the header's {n} columns").format(
                n=width), number))
            continue
        row_problems: list[Problem] = []
        formulas = getattr(cells, "formulas", None)  # before padding makes a plain list of a FormulaRow
        if len(cells) < width:
            cells = cells + [""] * (width - len(cells))
        raw = {name: cells[position].strip() if position is not None else "" for name, position in present}
        cell = raw.__getitem__  # stripped text of a column; "" for a column the file lacks
        uncomputed: set[str] = set()
        for position, formula in (formulas or {}).items():
            if position in column_at:
                uncomputed.add(column_at[position])
                row_problems.append(Problem(column_at[position], shown(formula), _(FORMULA_MESSAGE), number))

        def bad(column: str, value, message: str, row_problems=row_problems, number=number,
                uncomputed=uncomputed) -> None:
            if column not in uncomputed:  # the formula is the problem, not the empty cell it reads as
                row_problems.append(Problem(column, value, message, number))

        values: dict = {}
        for name in TEXT_FIELDS:
            text = _unquote(cell(name))
            limit = MAX_LENGTHS.get(name)
            if "\x00" in text or (limit is not None and len(text) > limit):
                bad(name, shown(text), _text_problem(text, limit))
            values[name] = text
        for name in REQUIRED:
            if name != "started_at" and not values[name]:
                bad(name, None, _("is required"))
        for name in TIMESTAMP_FIELDS:
            text = cell(name)
            if not text:
                if name == "started_at":
                    bad(name, None, _("is required"))
                values[name] = None
                continue
            try:
                values[name] = _timestamp(text, zone)
            except _Bad as exc:
                bad(name, text, str(exc))
                values[name] = None
        start = values["started_at"]
        if start is not None:
            for name in ("acknowledged_at", "first_response_at", "resolved_at", "due_at"):
                if values[name] is not None and values[name] < start:
                    bad(name, cell(name), _("is before started_at {start}").format(start=cell("started_at")))
        if (values["resolved_at"] is not None and values["first_response_at"] is not None
                and values["resolved_at"] < values["first_response_at"]):
            bad("resolved_at", cell("resolved_at"), _("is before first_response_at {first_response}").format(
                first_response=cell("first_response_at")))
        text = cell("wait_seconds")
        values["wait_seconds"] = None
        if text:
            try:
                wait = _number(text)
                if wait < 0:
                    raise _Bad(_("must not be negative"))
                values["wait_seconds"] = wait
            except _Bad as exc:
                bad("wait_seconds", text, _("{problem} (seconds, 0 or more)").format(problem=exc))
        text = cell("transfers")
        values["transfers"] = 0
        if text:
            try:
                transfers = _number(text)
                if transfers < 0 or not transfers.is_integer() or transfers > MAX_INTEGER:
                    raise _Bad(_("must be a whole number from 0 to {maximum}").format(maximum=local_number(MAX_INTEGER)))
                values["transfers"] = int(transfers)
            except _Bad as exc:
                bad("transfers", text, _("{problem} (a whole number from 0 to {maximum})").format(
                    problem=exc, maximum=local_number(MAX_INTEGER)) if isinstance(exc, _Comma) else str(exc))
        text = cell("answer_correct")
        values["answer_correct"] = None
        if text:
            verdict = TRUE_WORDS.get(text.lower())
            if verdict is None:
                bad("answer_correct", text, _("must be yes, no, true, false, 1, 0 or empty (not judged)"))
            values["answer_correct"] = verdict

        # names: each must exist unless --create-missing
        brand, journey_name = values["brand"], values["journey"]
        channel = values["channel"].lower()
        redirect = values["redirected_to"].lower()
        brand_id = catalogue.brands.get(brand)
        if brand and brand_id is None and not create_missing:
            bad("brand", brand, _("unknown brand (use --create-missing to add it)"))
        channel_id = catalogue.channels.get(channel)
        if channel and channel_id is None and not create_missing:
            bad("channel", values["channel"], _unknown_channel(catalogue))
        if redirect and catalogue.channels.get(redirect) is None and not create_missing:
            bad("redirected_to", values["redirected_to"], _unknown_channel(catalogue))
        if values["location"] and brand_id is not None and not create_missing \
                and (brand_id, values["location"]) not in catalogue.locations:
            bad("location", values["location"], _("unknown location of brand {brand} (use --create-missing to add it)").format(
                brand=brand))
        auditor = values["auditor"]
        if auditor:
            if auditor not in catalogue.users:
                if not create_missing:
                    bad("auditor", auditor, _("unknown username (use --create-missing to add a deactivated account)"))
                elif not USERNAME_PATTERN.match(auditor):
                    bad("auditor", auditor, _("is not a valid username (lowercase letters, digits, '.', '_' or '-')"))
        if values["wave"] and values["wave"] not in catalogue.waves and not create_missing:
            bad("wave", values["wave"], _("unknown wave (use --create-missing to add it)"))
        elif values["wave"] in catalogue.closed_waves:
            bad("wave", values["wave"], closed_wave_message(values["wave"]))
        journey = catalogue.journeys.get(journey_name)
        if journey_name and journey is None and not create_missing:
            bad("journey", journey_name, _("unknown journey (use --create-missing to add it)"))
        if journey is not None and channel_id is not None and channel_id not in journey.channel_ids \
                and not create_missing:
            bad("channel", values["channel"], _("is not a channel of journey {journey} (use --create-missing to add it)").format(
                journey=journey_name))
        external = values["external_id"]
        if external and brand:
            key = (brand, external)
            if key in seen_external:
                bad("external_id", external, _("appears twice for brand {brand} (first in row {row})").format(
                    brand=brand, row=seen_external[key]))
            else:
                seen_external[key] = number

        answers: dict[str, float | None] = {}
        for code, position in items.items():
            text = cells[position].strip()
            if not text:
                continue
            column = f"{ITEM_PREFIX}{code}"
            lowered = text.lower()
            if journey is None:
                if not create_missing:
                    continue  # the unknown journey is already reported
                # a journey created by this import gets plain yes/no criteria from its item columns
                if lowered in NA_WORDS:
                    answers[code] = None
                elif lowered in TRUE_WORDS:
                    answers[code] = 1.0 if TRUE_WORDS[lowered] else 0.0
                else:
                    bad(column, text, _("must be yes, no or na for a journey created by this import"))
                new_journey_codes.setdefault(journey_name, [])
                if code not in new_journey_codes[journey_name]:
                    new_journey_codes[journey_name].append(code)
                continue
            criterion = journey.criteria.get(code.lower())
            if criterion is None:
                bad(column, text, _("journey {journey} has no criterion {code} in its current checklist").format(
                    journey=journey_name, code=code))
                continue
            if criterion.channel_ids and channel_id is not None and channel_id not in criterion.channel_ids:
                bad(column, text, _("criterion {code} does not apply on channel {channel}").format(
                    code=code, channel=channel))
                continue
            if lowered in NA_WORDS:
                if criterion.na_allowed:
                    answers[code] = None
                else:
                    bad(column, text, _("N/A is not allowed for criterion {code}").format(code=code))
            elif criterion.kind == CriterionKind.YESNO:
                if lowered in TRUE_WORDS:
                    answers[code] = 1.0 if TRUE_WORDS[lowered] else 0.0
                else:
                    bad(column, text, _("must be yes, no or na") if criterion.na_allowed else _("must be yes or no"))
            else:
                low, high = criterion.scale_min, criterion.scale_max
                try:
                    value = _number(text)
                    if not low <= value <= high:
                        raise _Bad("out of range")  # replaced by the range below
                    answers[code] = value
                except _Bad as exc:
                    if criterion.na_allowed:
                        allowed = _("a number from {low} to {high} or na").format(low=_figure(low), high=_figure(high))
                    else:
                        allowed = _("a number from {low} to {high}").format(low=_figure(low), high=_figure(high))
                    bad(column, text, _("{problem} ({allowed})").format(problem=exc, allowed=allowed)
                        if isinstance(exc, _Comma) else _("must be {allowed}").format(allowed=allowed))

        if row_problems:
            problems.extend(row_problems)
            continue
        good.append(ContactRow(
            row=number, brand=brand, journey=journey_name, channel=channel, started_at=start,
            external_id=external or None, location=values["location"] or None, auditor=auditor or None,
            wave=values["wave"] or None, acknowledged_at=values["acknowledged_at"],
            first_response_at=values["first_response_at"], resolved_at=values["resolved_at"],
            due_at=values["due_at"], wait_seconds=values["wait_seconds"], transfers=values["transfers"],
            redirected_to=redirect or None, answer_correct=values["answer_correct"],
            answer_text=values["answer_text"], notes=values["notes"], answers=answers,
        ))
    if on_progress is not None:
        on_progress(count)
    return ParsedFile(good, problems, list(items), extras, count, new_journey_codes, frozenset(columns))
