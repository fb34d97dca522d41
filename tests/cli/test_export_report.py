"""`klantreis export contacts` and `klantreis report`: filters, formula safety, the round trip."""

import csv
import json

import openpyxl
import pytest
import sqlalchemy as sa

from data import db
from journeys.interchange.exports import neutralise_formula
from journeys.models import Channel, Contact, Journey, JourneyChannel
from tests.cli.conftest import contact, csv_text

AS_OF = "2026-03-10T00:00:00+00:00"


def _seed(cli, tmp_path, rows=None):
    rows = rows or [
        contact(external_id="e1", notes="=HYPERLINK(\"http://evil\")", answer_correct="yes"),
        contact(external_id="e2", channel="phone", first_response_at="2026-03-02 10:00:15", answer_correct="no",
                wait_seconds="12.5", transfers="1", redirected_to="email", **{"item:C2": "yes"}),
        contact(external_id="e3", channel="twitter", first_response_at="", notes="-1 star\nsecond line"),
        contact(external_id="e4", channel="email", started_at="2026-03-05 10:00",
                first_response_at="2026-03-05 11:00", resolved_at="2026-03-06 09:00", due_at="2026-03-06 10:00",
                wave=""),
        contact(external_id="e5", journey="Return a coat", channel="store", location="",
                **{"item:C1": "", "item:C2": "", "item:C3": "", "item:SCALE": "4", "item:STRICT": "yes"}),
    ]
    path = tmp_path / "seed.csv"
    path.write_text(csv_text(rows))
    result = cli("import", "contacts", path)
    assert result.exit_code == 0, result.stderr
    return rows


def _report(cli, *args) -> list[dict]:
    result = cli("report", "--as-of", AS_OF, "--format", "json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_neutralise_formula():
    """Cells a spreadsheet would run as formulas get a leading quote; others are unchanged."""
    assert [neutralise_formula(v) for v in ("=1+1", "+31", "-5", "@SUM", "\tx", "\rx", "ok", "", 3)] == [
        "'=1+1", "'+31", "'-5", "'@SUM", "'\tx", "'\rx", "ok", "", 3]


def test_export_csv_is_formula_safe_and_filters(cli, world, tmp_path):
    """The CSV export neutralises formula cells and honours --channel and --from/--to."""
    _seed(cli, tmp_path)
    out = tmp_path / "out.csv"
    result = cli("export", "contacts", "-o", out)
    assert result.exit_code == 0 and "5 contacts" in result.output
    with out.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    notes = {r["external_id"]: r["notes"] for r in rows}
    assert notes["e1"] == "'=HYPERLINK(\"http://evil\")" and notes["e3"] == "'-1 star\nsecond line"
    assert {r["external_id"]: r["item:SCALE"] for r in rows}["e5"] == "4"
    assert cli("export", "contacts", "-o", out, "--channel", "phone,twitter").exit_code == 0
    with out.open(encoding="utf-8-sig", newline="") as handle:
        assert sorted(r["external_id"] for r in csv.DictReader(handle)) == ["e2", "e3"]
    assert cli("export", "contacts", "-o", out, "--from", "2026-03-04", "--to", "2026-03-06").exit_code == 0
    with out.open(encoding="utf-8-sig", newline="") as handle:
        assert [r["external_id"] for r in csv.DictReader(handle)] == ["e4"]


def test_export_xlsx_has_no_formulas(cli, world, tmp_path):
    """The XLSX export stores the formula-like note as text, not as a formula."""
    _seed(cli, tmp_path)
    out = tmp_path / "out.xlsx"
    assert cli("export", "contacts", "--format", "xlsx", "-o", out).exit_code == 0
    sheet = openpyxl.load_workbook(out).active
    cells = [c for row in sheet.iter_rows() for c in row if c.value]
    assert not any(c.data_type == "f" for c in cells)
    assert "'=HYPERLINK(\"http://evil\")" in [c.value for c in cells]


def test_export_errors(cli, world, tmp_path):
    """A bad format is a usage error; a missing folder or a bad date is invalid input."""
    assert cli("export", "contacts", "-o", tmp_path / "x.csv", "--format", "pdf").exit_code == 2
    assert cli("export", "contacts", "-o", tmp_path / "no" / "x.csv").exit_code == 1
    result = cli("export", "contacts", "-o", tmp_path / "x.csv", "--from", "yesterday")
    assert result.exit_code == 1 and "--from" in result.stderr


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_round_trip_export_import_gives_the_same_report(cli, world, engine, tmp_path, monkeypatch, file_format):
    """Export → import into an empty database (--create-missing) → the same report, group by group."""
    _seed(cli, tmp_path, [
        contact(external_id=f"r{i}", channel=("email", "phone", "twitter")[i % 3],
                started_at=f"2026-03-0{1 + i % 5} 1{i % 10}:00",
                first_response_at="" if i % 4 == 0 else f"2026-03-0{1 + i % 5} 1{i % 10}:{10 + i:02d}",
                resolved_at="" if i % 3 == 0 else f"2026-03-0{2 + i % 5} 09:00",
                answer_correct=("yes", "no", "")[i % 3], notes=("=note", "-note", "note")[i % 3] + f" {i}\nline 2",
                wait_seconds=str(i),
                **{"item:C1": ("yes", "no")[i % 2], "item:C2": ("na", "yes", "no")[i % 3], "item:C3": "yes"})
        for i in range(24)
    ])
    before = _report(cli, "--by", "channel,wave")
    out = tmp_path / f"export.{file_format}"
    assert cli("export", "contacts", "-o", out).exit_code == 0
    empty_url = f"sqlite:///{tmp_path / 'empty.db'}"
    monkeypatch.setenv(db.DATABASE_URL_ENV, empty_url)
    result = cli("import", "contacts", out, "--create-missing")
    assert result.exit_code == 0, result.stderr
    _copy_targets(engine, db.get_engine(empty_url))  # targets are configuration, not in the file (issue 13)
    after = _report(cli, "--by", "channel,wave")
    assert after == before
    notes_query = sa.select(Contact.external_id, Contact.notes).order_by(Contact.external_id)
    with db.get_engine(empty_url).connect() as connection:
        imported = connection.execute(notes_query).all()
    with engine.connect() as connection:
        original = connection.execute(notes_query).all()
    assert imported == original and ("r0", "=note 0\nline 2") in imported  # quotes added on export are removed


def _copy_targets(source, target) -> None:
    """Give the target's journey channels the source's response targets, matched by names."""
    query = (sa.select(Journey.name, Channel.name, JourneyChannel.first_response_target_seconds,
                       JourneyChannel.resolution_target_seconds, JourneyChannel.business_hours)
             .join(Journey, Journey.id == JourneyChannel.journey_id)
             .join(Channel, Channel.id == JourneyChannel.channel_id))
    with source.connect() as connection:
        targets = connection.execute(query).all()
    with target.begin() as connection:
        for journey, channel, first, resolution, business in targets:
            connection.execute(
                sa.update(JourneyChannel)
                .where(JourneyChannel.journey_id == sa.select(Journey.id).where(Journey.name == journey).scalar_subquery(),
                       JourneyChannel.channel_id == sa.select(Channel.id).where(Channel.name == channel).scalar_subquery())
                .values(first_response_target_seconds=first, resolution_target_seconds=resolution,
                        business_hours=business))


def test_report_columns_and_empty_figures(cli, world, tmp_path):
    """The report has the documented columns, one row per group, and null where no figure exists."""
    _seed(cli, tmp_path)
    rows = _report(cli, "--by", "channel")
    assert [r["channel"] for r in rows] == ["email", "phone", "store", "twitter"]
    for column in ("contacts", "responded", "response_rate", "median_first_response_s",
                   "km_median_first_response_s", "with_deadline", "late", "on_time_rate", "mean_quality",
                   "mean_quality_ci_low", "mean_quality_ci_high", "redirect_rate", "accuracy_rate", "insufficient"):
        assert column in rows[0]
    twitter = rows[3]
    assert twitter["responded"] == 0 and twitter["median_first_response_s"] is None  # not a made-up zero
    store = rows[2]
    assert store["accuracy_rate"] is None  # nothing judged
    phone = rows[1]
    assert phone["median_first_response_s"] == pytest.approx(15.0) and phone["redirect_rate"] == 1.0


def test_report_grouping_filters_and_formats(cli, world, tmp_path):
    """--by takes several groups, filters narrow the contacts, csv and table print, bad --by exits 1."""
    _seed(cli, tmp_path)
    rows = _report(cli, "--by", "journey,channel", "--journey", "Return a coat")
    assert [(r["journey"], r["channel"], r["contacts"]) for r in rows] == [("Return a coat", "store", 1)]
    result = cli("report", "--by", "brand", "--format", "csv", "--as-of", AS_OF)
    assert result.exit_code == 0 and result.output.splitlines()[0].startswith("brand,contacts,responded")
    result = cli("report", "--as-of", AS_OF)
    assert result.exit_code == 0 and "email" in result.output and "Traceback" not in result.output
    bad = cli("report", "--by", "colour")
    assert bad.exit_code == 1 and "--by" in bad.stderr
    assert cli("report", "--as-of", "soon").exit_code == 1
    assert cli("report", "--format", "pdf").exit_code == 2


def test_report_as_of_ignores_later_events(cli, world, tmp_path):
    """As of a moment before the first responses, nobody has responded yet."""
    _seed(cli, tmp_path)
    early = cli("report", "--by", "channel", "--as-of", "2026-03-02 10:05", "--format", "json")
    rows = json.loads(early.output)
    email = next(r for r in rows if r["channel"] == "email")
    assert email["responded"] == 0


def test_report_consistency(cli, world, tmp_path):
    """`report consistency` prints the scope figures and the per-channel rows they rest on."""
    _seed(cli, tmp_path)
    result = cli("report", "consistency", "--by", "brand", "--as-of", AS_OF, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    scope = data["scopes"][0]
    for column in ("channel_gap", "consistency_index", "answer_agreement", "consistent_all_channels", "kruskal_p"):
        assert column in scope
    assert scope["brand"] == "Koopklik" and scope["channels"] == 4
    assert sorted(r["channel"] for r in data["channels"]) == ["email", "phone", "store", "twitter"]
    table = cli("report", "consistency", "--by", "brand,journey", "--as-of", AS_OF)
    assert table.exit_code == 0 and "Return a coat" in table.output
    assert cli("report", "consistency", "--by", "channel").exit_code == 1


def test_now_is_the_default_as_of(cli, world, tmp_path):
    """Without --as-of the report runs as of now (every past response counts)."""
    _seed(cli, tmp_path)
    rows = json.loads(cli("report", "--format", "json").output)
    assert sum(r["responded"] for r in rows) == 4
