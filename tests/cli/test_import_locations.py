"""`klantreis import locations`: all rows or none, every bad row listed, updates by code or name."""

import openpyxl
import sqlalchemy as sa

from journeys.models import Brand, ChangeLog, Location
from tests.cli.conftest import csv_text


def _locations(engine) -> list[tuple]:
    with engine.connect() as connection:
        return [tuple(r) for r in connection.execute(
            sa.select(Brand.name, Location.name, Location.city, Location.region, Location.external_code)
            .join(Brand, Brand.id == Location.brand_id).order_by(Brand.name, Location.name)).all()]


def test_file_adds_locations_and_a_second_run_changes_nothing(cli, engine, world, tmp_path):
    """A valid file adds its locations; run again, each row is counted as unchanged."""
    path = tmp_path / "locations.csv"
    path.write_text(csv_text([
        {"brand": "Koopklik", "location": "Utrecht Centrum", "city": "Utrecht", "region": " Midden ",
         "external_code": "U1"},
        {"brand": "Koopklik", "location": "Zwolle", "city": "Zwolle", "region": "Oost", "external_code": ""},
    ]))
    result = cli("import", "locations", path)
    assert result.exit_code == 0, result.output
    assert "added 2 locations" in result.output
    assert _locations(engine) == [("Koopklik", "Utrecht Centrum", "Utrecht", "Midden", "U1"),
                                  ("Koopklik", "Zwolle", "Zwolle", "Oost", None)]
    again = cli("import", "locations", path)
    assert again.exit_code == 0, again.output
    assert "added 0 locations" in again.output and "2 locations unchanged" in again.output


def test_a_bad_row_writes_nothing_and_every_bad_row_is_listed(cli, engine, world, tmp_path):
    """One good row and three bad ones: exit 1, nothing written, each bad row named by row and column."""
    path = tmp_path / "locations.csv"
    path.write_text(csv_text([
        {"brand": "Koopklik", "location": "Good", "region": "Oost"},
        {"brand": "Koopklik", "location": "", "region": "Oost"},
        {"brand": "Koopklik", "location": "Long", "region": "r" * 81},
        {"brand": "Koopklik", "location": "Good", "region": "West"},
        {"brand": "Nobody", "location": "X"},
    ]))
    result = cli("import", "locations", path)
    assert result.exit_code == 1
    assert "4 problems, nothing was written" in result.stderr
    assert "row 3, location: must not be empty" in result.stderr
    assert "row 4, region: may have at most 80 characters (this has 81)" in result.stderr
    assert "row 5, location: appears twice for brand Koopklik (first in row 2) (got 'Good')" in result.stderr
    assert "row 6, brand: unknown brand (use --create-missing to add it) (got 'Nobody')" in result.stderr
    assert _locations(engine) == []


def test_update_by_external_code_renames_and_keeps_columns_the_file_lacks(cli, engine, world, tmp_path):
    """A row with a known code updates that location (even its name); a column the file lacks stays as stored."""
    first = tmp_path / "first.csv"
    first.write_text(csv_text([{"brand": "Koopklik", "location": "Zwolle", "city": "Zwolle", "region": "Oost",
                                "external_code": "Z1"}]))
    assert cli("import", "locations", first).exit_code == 0
    second = tmp_path / "second.csv"
    second.write_text(csv_text([{"brand": "Koopklik", "location": "Zwolle Centrum", "external_code": "Z1",
                                 "region": "Noord"}]))
    result = cli("import", "locations", second)
    assert result.exit_code == 0, result.output
    assert "updated 1 location" in result.output and "added 0 locations" in result.output
    assert _locations(engine) == [("Koopklik", "Zwolle Centrum", "Zwolle", "Noord", "Z1")]
    with engine.connect() as connection:
        changes = connection.execute(sa.select(ChangeLog.field, ChangeLog.old_value, ChangeLog.new_value)
                                     .where(ChangeLog.entity == "location", ChangeLog.action == "update")
                                     .order_by(ChangeLog.id)).all()
    assert [tuple(c) for c in changes] == [("name", "Zwolle", "Zwolle Centrum"), ("region", "Oost", "Noord")]


def test_create_missing_and_dry_run(cli, engine, world, tmp_path):
    """--dry-run counts and writes nothing; --create-missing adds the unknown brand."""
    path = tmp_path / "locations.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["brand", "location", "city"])
    book.active.append(["Fietsplein", "Arnhem", "Arnhem"])
    book.save(path)
    refused = cli("import", "locations", path)
    assert refused.exit_code == 1 and "unknown brand" in refused.stderr
    dry = cli("import", "locations", path, "--create-missing", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "would add 1 location" in dry.output and "dry run: nothing was written" in dry.output
    assert _locations(engine) == []
    done = cli("import", "locations", path, "--create-missing")
    assert done.exit_code == 0, done.output
    assert "added 1 brand: Fietsplein" in done.output
    assert _locations(engine) == [("Fietsplein", "Arnhem", "Arnhem", "", None)]


def test_unknown_column_and_missing_file_are_one_clear_error(cli, world, tmp_path):
    """A header with an unknown column, or no file at all: exit 1 with the reason, no traceback."""
    path = tmp_path / "locations.csv"
    path.write_text("brand,location,postcode\nKoopklik,Zwolle,8000\n")
    result = cli("import", "locations", path)
    assert result.exit_code == 1
    assert "unknown column; allowed are brand, location, city, address, region, external_code" in result.stderr
    missing = cli("import", "locations", tmp_path / "nothing.csv")
    assert missing.exit_code == 1 and "does not exist" in missing.stderr
    assert "Traceback" not in result.output + missing.output
