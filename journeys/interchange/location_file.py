"""The locations file: load a brand's locations from CSV (UTF-8) or XLSX, all rows or none.

The format is in ``docs/interchange.md`` ("Locations file"): columns ``brand`` and ``location``
(the location's name), optional ``city``, ``address``, ``region`` and ``external_code``. The file
is read by the contact import's reader (``journeys.interchange.contact_file.read_table``: the
same encodings, separators, quotes and formula checks) and every row is checked with the rules of
the app's form (``journeys.catalogue.clients.location_problems``).

A row updates the location matched by (brand, ``external_code``) when it has a code, else by
(brand, name); otherwise it adds one. A column the file does not have leaves that field as it is;
an empty cell in a column it has clears it. An unknown brand is refused unless
``create_missing``. One bad row, or two rows naming the same location, and nothing is written:
the ``ValidationError`` lists every problem by row and column, as the contact import does.
"""

import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from sqlmodel import Session, select

from journeys.accounts.access import STUDY_PLANNERS, ensure_role
from journeys.catalogue.clients import (
    ACTION,
    BRAND_LENGTHS,
    LocationIn,
    apply_location,
    clean_location,
    create_brand,
    location_problems,
)
from journeys.errors import Problem, ValidationError
from journeys.interchange.contact_file import FORMULA_MESSAGE, _text_problem, _unquote, read_table
from journeys.language import _, ngettext, number
from journeys.limits import shown
from journeys.models import Brand, ChangeLog, Location

COLUMNS = ("brand", "location", "city", "address", "region", "external_code")
REQUIRED = ("brand", "location")
# a LocationIn field → the file's column
_COLUMN_OF = {"name": "location", "city": "city", "address": "address", "region": "region",
              "external_code": "external_code"}


@dataclass
class LocationImportResult:
    """What an import did (or, on a dry run, would do)."""

    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    brands_created: list[str] = field(default_factory=list)
    dry_run: bool = False


def _header(header: list[str]) -> tuple[dict[str, int], list[Problem]]:
    columns: dict[str, int] = {}
    problems: list[Problem] = []
    for position, raw in enumerate(header):
        name = raw.strip().lower()
        if not name:
            problems.append(Problem("header", raw, _("column {position} has no name").format(position=position + 1), 1))
        elif name in columns:
            problems.append(Problem("header", raw, _("appears twice"), 1))
        elif name not in COLUMNS:
            problems.append(Problem("header", raw, _("unknown column; allowed are {columns}").format(
                columns=", ".join(COLUMNS)), 1))
        else:
            columns[name] = position
    for name in REQUIRED:
        if name not in columns:
            problems.append(Problem("header", name, _("required column is missing"), 1))
    return columns, problems


@dataclass(frozen=True)
class _Row:
    row: int
    brand: str
    location: LocationIn


def _parse(header: list[str], rows: Iterable[tuple[int, list[str]]]) -> tuple[list[_Row], dict[str, int], list[Problem]]:
    columns, problems = _header(header)
    if problems:
        return [], columns, problems
    width = len(header)
    column_at = {position: name for name, position in columns.items()}
    good: list[_Row] = []
    for row_number, cells in rows:
        if len(cells) > width and any(c.strip() for c in cells[width:]):
            problems.append(Problem("row", len(cells), _("has more cells than the header's {n} columns").format(
                n=width), row_number))
            continue
        row_problems: list[Problem] = []
        for position, formula in (getattr(cells, "formulas", None) or {}).items():
            if position in column_at:
                row_problems.append(Problem(column_at[position], shown(formula), _(FORMULA_MESSAGE), row_number))
        cells = list(cells) + [""] * (width - len(cells))
        raw = {name: _unquote(cells[position].strip()) for name, position in columns.items()}
        brand = " ".join(raw["brand"].split())
        if not brand:
            row_problems.append(Problem("brand", None, _("is required"), row_number))
        elif message := _text_problem(brand, BRAND_LENGTHS["name"]):
            row_problems.append(Problem("brand", shown(brand), message, row_number))
        location = clean_location(LocationIn(**{f: raw.get(c, "") for f, c in _COLUMN_OF.items()}))
        for problem in location_problems(location):
            # the form's label ("Location name") becomes the file's column ("location"), with the row
            row_problems.append(replace(problem, field=_COLUMN_OF[problem.field], label=None, row=row_number))
        if row_problems:
            problems.extend(row_problems)
            continue
        good.append(_Row(row_number, brand, location))
    return good, columns, problems


def import_locations(*, session: Session, actor, header: list[str], rows: Iterable[tuple[int, list[str]]],
                     create_missing: bool = False, dry_run: bool = False,
                     unknown_brand: str | None = None) -> LocationImportResult:
    """Check every row of a locations file, then write them all in the caller's transaction, or none.

    ``unknown_brand`` is what a row naming an unknown brand is told (by default: use
    `--create-missing`; the app's upload names its own check box instead).

    Raises:
        ValidationError: every problem of the file (by row and column); nothing is written.
    """
    ensure_role(actor, *STUDY_PLANNERS, action=ACTION)
    good, columns, problems = _parse(header, rows)
    result = LocationImportResult(dry_run=dry_run)
    brands = {b.name: b for b in session.exec(select(Brand)).all()}
    lowered = {name.lower(): name for name in brands}
    locations: dict[int, list[Location]] = {}
    for location in session.exec(select(Location)).all():
        locations.setdefault(location.brand_id, []).append(location)
    # (brand, key) → the row that claimed it first, for duplicates within the file
    claimed_codes: dict[tuple[str, str], int] = {}
    claimed_names: dict[tuple[str, str], int] = {}
    plan: list[tuple[_Row, Location | None]] = []
    new_brands: list[str] = []
    for r in good:
        result.rows += 1
        bad_before = len(problems)
        brand = brands.get(r.brand)
        if brand is None:
            if not create_missing:
                problems.append(Problem("brand", r.brand, unknown_brand or _(
                    "unknown brand (use --create-missing to add it)"), r.row))
            elif r.brand.lower() in lowered:
                problems.append(Problem("brand", r.brand, _("differs only in case from brand {name}").format(
                    name=repr(lowered[r.brand.lower()])), r.row))
            elif r.brand not in new_brands:
                new_brands.append(r.brand)
        code, name = r.location.external_code, r.location.name
        if code:
            if (r.brand, code) in claimed_codes:
                problems.append(Problem("external_code", code, _(
                    "appears twice for brand {brand} (first in row {row})").format(
                    brand=r.brand, row=claimed_codes[(r.brand, code)]), r.row))
            claimed_codes.setdefault((r.brand, code), r.row)
        if (r.brand, name) in claimed_names:
            problems.append(Problem("location", name, _("appears twice for brand {brand} (first in row {row})").format(
                brand=r.brand, row=claimed_names[(r.brand, name)]), r.row))
        claimed_names.setdefault((r.brand, name), r.row)
        existing = locations.get(brand.id, []) if brand is not None else []
        match = None
        if code:
            match = next((loc for loc in existing if loc.external_code == code), None)
        if match is None:
            match = next((loc for loc in existing if loc.name == name), None)
            if match is not None and code and match.external_code and match.external_code != code:
                problems.append(Problem("external_code", code, _(
                    "location {name} of brand {brand} has code {code}; a location's code is changed in the app, "
                    "or leave the cell empty").format(name=name, brand=r.brand, code=match.external_code), r.row))
        if match is not None and match.name != name and any(loc.name == name for loc in existing):
            problems.append(Problem("location", name, _(
                "brand {brand} already has another location with this name").format(brand=r.brand), r.row))
        if len(problems) == bad_before:
            plan.append((r, match))
    if problems:
        raise ValidationError(sorted(problems, key=lambda p: p.row or 0))
    result.brands_created = list(new_brands)
    writes: list[tuple[_Row, Location | None, LocationIn]] = []
    for r, match in plan:
        wanted = r.location
        if match is not None:
            # a column the file lacks keeps the stored value
            wanted = LocationIn(**{f: getattr(wanted, f) if c in columns else getattr(match, f)
                                   for f, c in _COLUMN_OF.items()})
            if all(getattr(match, f) == getattr(wanted, f) for f in _COLUMN_OF):
                result.unchanged += 1
                continue
            result.updated += 1
        else:
            result.created += 1
        writes.append((r, match, wanted))
    if dry_run:
        return result
    for name in new_brands:
        brands[name] = create_brand(session=session, actor=actor, name=name)
    for r, match, wanted in writes:
        if match is not None:
            apply_location(session=session, actor=actor, location=match, location_in=wanted)
            continue
        location = Location(brand_id=brands[r.brand].id, name=wanted.name, city=wanted.city,
                            address=wanted.address, region=wanted.region, external_code=wanted.external_code)
        session.add(location)
        session.flush()
        session.add(ChangeLog(user_id=getattr(actor, "id", None), entity="location", entity_id=location.id,
                              action="create", field="name", new_value=location.name))
    session.flush()
    return result


def import_location_file(*, session: Session, actor, path, create_missing: bool = False,
                         dry_run: bool = False) -> LocationImportResult:
    """``import_locations`` of a CSV or XLSX file on disk (read by ``read_table``)."""
    header, rows, _approximate = read_table(path)
    return import_locations(session=session, actor=actor, header=header, rows=rows,
                            create_missing=create_missing, dry_run=dry_run)


def summary_lines(result: LocationImportResult) -> list[str]:
    """What the import did (or would do), one line each: "added 2 locations", "updated 1 location", "1 location unchanged"."""
    n_new, n_updated, n_same, n_brands = result.created, result.updated, result.unchanged, len(result.brands_created)
    if result.dry_run:
        lines = [ngettext("would add {n} location", "would add {n} locations", n_new).format(n=number(n_new)),
                 ngettext("would update {n} location", "would update {n} locations", n_updated).format(
                     n=number(n_updated))]
    else:
        lines = [ngettext("added {n} location", "added {n} locations", n_new).format(n=number(n_new)),
                 ngettext("updated {n} location", "updated {n} locations", n_updated).format(n=number(n_updated))]
    lines.append(ngettext("{n} location unchanged", "{n} locations unchanged", n_same).format(n=number(n_same)))
    if n_brands:
        names = ", ".join(result.brands_created)
        lines.append((ngettext("would add {n} brand: {names}", "would add {n} brands: {names}", n_brands)
                      if result.dry_run else ngettext("added {n} brand: {names}", "added {n} brands: {names}",
                                                      n_brands)).format(n=number(n_brands), names=names))
    return lines


def import_location_upload(*, session: Session, actor, file_name: str, data: bytes, create_missing: bool = False,
                           dry_run: bool = False, unknown_brand: str | None = None) -> LocationImportResult:
    """``import_locations`` of an uploaded file's bytes: CSV, or XLSX when ``file_name`` ends in .xlsx."""
    suffix = ".xlsx" if file_name.lower().endswith((".xlsx", ".xlsm")) else ".csv"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"locations{suffix}"
        path.write_bytes(data)
        try:
            header, rows, _approximate = read_table(path)
            return import_locations(session=session, actor=actor, header=header, rows=rows,
                                    create_missing=create_missing, dry_run=dry_run, unknown_brand=unknown_brand)
        except ValidationError as error:
            # the reader names its temporary file; the user knows the file by the name they chose
            raise ValidationError([replace(p, value=file_name) if p.field == "file" else p
                                   for p in error.problems]) from None
