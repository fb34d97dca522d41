"""The plan file: a wave's fieldwork plan as CSV or XLSX, read and written (``docs/interchange.md``).

One row per plan line: ``wave``, ``brand``, ``location`` (empty: brand level), ``journey``,
``channel`` (its key name, as in the contact file), ``quantity``, and optionally ``time_slot``
(``any``, ``office_hours``, ``after_hours``, ``weekend``; empty: ``any``) and ``due_on``
(YYYY-MM-DD). The export adds ``assigned`` and ``done``, which the import ignores.

``import_plan`` is all or nothing, like the contact import: every bad row is listed (row,
column, value, rule) and nothing is written. A row sets its line's quantity and due date (a new
line is added); lines the file does not name stay as they are. The rules are the quick fill's
(``journeys.fieldwork.plan``): the wave open, the brand, journey and channel in its scope, the
journey running on the channel, the location the brand's and not archived, 1 to 1000 contacts.
"""

import csv
import io
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session

from journeys.accounts.access import STUDY_PLANNERS, ensure_role
from journeys.errors import Problem, ValidationError
from journeys.fieldwork.plan import TIME_SLOTS, Cell, FillResult, cell_problems, plan_frame, set_cells
from journeys.fieldwork.waves import closed_wave_message
from journeys.interchange.contact_file import FORMULA_MESSAGE, NUL_MESSAGE, _Bad, _number, _unquote
from journeys.interchange.exports import FORMATS, neutralise_formula
from journeys.language import _, ngettext, number
from journeys.limits import MAX_PLANNED_PER_LINE, shown
from journeys.models import Brand, Channel, Journey, Location, TimeSlot, Wave

COLUMNS = ("wave", "brand", "location", "journey", "channel", "quantity", "time_slot", "due_on")
EXPORT_ONLY_COLUMNS = ("assigned", "done")
REQUIRED = ("wave", "brand", "journey", "channel", "quantity")
_DAY = re.compile(r"(\d{4}-\d{2}-\d{2})(?:[T ]00:00(?::00)?)?")


@dataclass
class PlanImportResult:
    """What a plan import did (or, for a dry run, would do): rows read and the lines and planned
    contacts it added, changed or left as they were."""

    rows: int
    fill: FillResult
    dry_run: bool = False


def _header(header: list[str]) -> tuple[dict[str, int], list[Problem]]:
    columns, problems = {}, []
    for position, raw in enumerate(header):
        name = raw.strip().lower()
        if not name:
            problems.append(Problem("header", raw, _("column {position} has no name").format(position=position + 1), 1))
        elif name in columns or (name in EXPORT_ONLY_COLUMNS and name in header[:position]):
            problems.append(Problem("header", raw, _("appears twice"), 1))
        elif name in COLUMNS:
            columns[name] = position
        elif name not in EXPORT_ONLY_COLUMNS:
            problems.append(Problem("header", shown(raw), _(
                "unknown column; allowed are {columns} and the export's own {export_columns} (ignored)").format(
                columns=", ".join(COLUMNS), export_columns=", ".join(EXPORT_ONLY_COLUMNS)), 1))
    for name in REQUIRED:
        if name not in columns:
            problems.append(Problem("header", name, _("required column is missing"), 1))
    return columns, problems


def _quantity(text: str) -> int:
    value = _number(text)
    if not value.is_integer() or not 1 <= value <= MAX_PLANNED_PER_LINE:
        raise _Bad(_("must be a whole number from 1 to {maximum}").format(maximum=MAX_PLANNED_PER_LINE))
    return int(value)


def _day(text: str) -> date:
    match = _DAY.fullmatch(text)
    try:
        if match is None:
            raise ValueError(text)
        return date.fromisoformat(match.group(1))
    except ValueError:
        raise _Bad(_("must be a date written YYYY-MM-DD, e.g. 2026-03-31")) from None


def parse_plan(session: Session, header: list[str], rows) -> tuple[dict[int, list[Cell]], int, list[Problem]]:
    """The cells of a plan file by wave id, the number of rows, and every problem of the file."""
    columns, problems = _header(header)
    if any(name not in columns for name in REQUIRED):
        return {}, 0, problems
    run = session.connection().execute
    waves = {name: (i, closed is not None) for i, name, closed in run(sa.select(Wave.id, Wave.name, Wave.closed_at))}
    brands = dict(run(sa.select(Brand.name, Brand.id)).all())
    locations = {(b, name): i for i, b, name in run(sa.select(Location.id, Location.brand_id, Location.name))}
    journeys = dict(run(sa.select(Journey.name, Journey.id)).all())
    channels = dict(run(sa.select(Channel.name, Channel.id)).all())
    column_at = {position: name for name, position in columns.items()}
    width = len(header)
    cells: dict[int, list[Cell]] = {}
    seen: dict[tuple, int] = {}
    count = 0
    for row_number, raw_cells in rows:
        count += 1
        if len(raw_cells) > width and any(c.strip() for c in raw_cells[width:]):
            problems.append(Problem("row", len(raw_cells), _("has more cells than the header's {n} columns").format(
                n=width), row_number))
            continue
        row_problems: list[Problem] = []
        formulas = getattr(raw_cells, "formulas", None) or {}
        values = list(raw_cells) + [""] * max(0, width - len(raw_cells))
        for position, formula in formulas.items():
            if position in column_at:
                row_problems.append(Problem(column_at[position], shown(formula), _(FORMULA_MESSAGE), row_number))
        uncomputed = {column_at[p] for p in formulas if p in column_at}

        def bad(column, value, message, row_problems=row_problems, row_number=row_number, uncomputed=uncomputed):
            if column not in uncomputed:
                row_problems.append(Problem(column, value, message, row_number))

        text = {name: _unquote(values[position].strip()) for name, position in columns.items()}
        for name in COLUMNS:
            text.setdefault(name, "")
            if "\x00" in text[name]:
                bad(name, shown(text[name]), _(NUL_MESSAGE))
                text[name] = ""
        for name in REQUIRED:
            if not text[name]:
                bad(name, None, _("is required"))
        wave = waves.get(text["wave"])
        if text["wave"] and wave is None:
            bad("wave", shown(text["wave"]), _("unknown wave"))
        elif wave is not None and wave[1]:
            bad("wave", text["wave"], closed_wave_message(text["wave"]))
        brand_id = brands.get(text["brand"])
        if text["brand"] and brand_id is None:
            bad("brand", shown(text["brand"]), _("unknown brand"))
        location_id = None
        if text["location"] and brand_id is not None:
            location_id = locations.get((brand_id, text["location"]))
            if location_id is None:
                bad("location", shown(text["location"]), _("unknown location of brand {brand}").format(
                    brand=text["brand"]))
        journey_id = journeys.get(text["journey"])
        if text["journey"] and journey_id is None:
            bad("journey", shown(text["journey"]), _("unknown journey"))
        channel_id = channels.get(text["channel"].lower())
        if text["channel"] and channel_id is None:
            bad("channel", shown(text["channel"]), _("unknown channel; known: {channels}").format(
                channels=", ".join(sorted(channels))))
        quantity = None
        if text["quantity"]:
            try:
                quantity = _quantity(text["quantity"])
            except _Bad as exc:
                bad("quantity", text["quantity"], str(exc))
        slot = text["time_slot"] or TimeSlot.ANY.value
        if slot not in TIME_SLOTS:
            bad("time_slot", shown(slot), _("must be one of {slots}").format(slots=", ".join(TIME_SLOTS)))
        due_on = None
        if text["due_on"]:
            try:
                due_on = _day(text["due_on"])
            except _Bad as exc:
                bad("due_on", shown(text["due_on"]), str(exc))
        if row_problems:
            problems += row_problems
            continue
        cell = Cell(brand_id, location_id, journey_id, channel_id, slot, quantity, due_on, row_number)
        key = (wave[0], *cell.key)
        if key in seen:
            problems.append(Problem("row", None, _("names the same plan line as row {row}").format(row=seen[key]),
                                    row_number, label=_("row")))
            continue
        seen[key] = row_number
        cells.setdefault(wave[0], []).append(cell)
    for wave_id, wave_cells in cells.items():
        problems += cell_problems(session, wave_id, wave_cells)
    return cells, count, sorted(problems, key=lambda p: (p.row or 0))


def import_plan(*, session: Session, actor, header: list[str], rows, dry_run: bool = False) -> PlanImportResult:
    """Validate a plan file and set its lines, all or nothing, inside the caller's transaction.

    Args:
        header, rows: the file as ``journeys.interchange.contact_file.read_table`` returns it.
        dry_run: validate and count only; nothing is written.

    Raises:
        PermissionDenied: not a study planner.
        ValidationError: listing every bad row (row number, column, value, reason).
    """
    ensure_role(actor, *STUDY_PLANNERS, action="plan fieldwork")
    cells, count, problems = parse_plan(session, header, rows)
    if problems:
        raise ValidationError(problems)
    total = FillResult()
    savepoint = session.begin_nested() if dry_run else None
    try:
        for wave_id, wave_cells in cells.items():
            done = set_cells(session, session.get(Wave, wave_id), wave_cells, actor=actor)
            for name in ("added", "changed", "unchanged", "assignments_added", "assignments_removed"):
                setattr(total, name, getattr(total, name) + getattr(done, name))
    finally:
        if savepoint is not None:
            savepoint.rollback()
            session.expire_all()
    return PlanImportResult(rows=count, fill=total, dry_run=dry_run)


def plan_rows(*, session: Session, actor, wave_id: int | None = None) -> tuple[list[str], list[list]]:
    """The plan file's header and rows (export columns included), formula-safe."""
    frame = plan_frame(session=session, actor=actor, wave_id=wave_id)
    header = [*COLUMNS, *EXPORT_ONLY_COLUMNS]
    rows = [
        [neutralise_formula(v) for v in (
            r.wave, r.brand, r.location, r.journey, r.channel_name, int(r.quantity), r.time_slot,
            r.due_on.isoformat() if isinstance(r.due_on, date) else "", int(r.assigned), int(r.done))]
        for r in frame.itertuples(index=False)
    ]
    return header, rows


def plan_csv(*, session: Session, actor, wave_id: int | None = None) -> bytes:
    """The plan file as CSV bytes (UTF-8 with a byte-order mark, for Excel)."""
    return _csv_bytes(*plan_rows(session=session, actor=actor, wave_id=wave_id))


def _csv_bytes(header: list[str], rows: list[list]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


def export_plan(*, session: Session, actor, path: Path, file_format: str, wave_id: int | None = None) -> int:
    """Write the plan (one wave, or every wave) to ``path`` as CSV or XLSX; returns the lines written."""
    path = Path(path)
    if file_format not in FORMATS:
        raise ValueError(f"unknown format {file_format!r}; use one of {FORMATS}")
    header, rows = plan_rows(session=session, actor=actor, wave_id=wave_id)
    if file_format == "csv":
        path.write_bytes(_csv_bytes(header, rows))
        return len(rows)
    import openpyxl  # lazy: a heavy import only XLSX needs

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("plan")
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return len(rows)


def plan_summary_lines(result: PlanImportResult) -> list[str]:
    """What a plan import did, one line each (the command line and the page show them)."""
    fill = result.fill
    return [
        ngettext("{n} row read", "{n} rows read", result.rows).format(n=number(result.rows)),
        _("plan lines: {added} added, {changed} changed, {unchanged} unchanged").format(
            added=number(fill.added), changed=number(fill.changed), unchanged=number(fill.unchanged)),
        _("planned contacts: {added} added, {removed} removed").format(
            added=number(fill.assignments_added), removed=number(fill.assignments_removed)),
    ]
