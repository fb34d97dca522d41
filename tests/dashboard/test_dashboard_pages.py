"""Manager dashboards in AppTest: the tiles show what scoring/ computes, charts get aggregates."""

import io
import json
from datetime import UTC, datetime, timedelta

import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest

from data import db
from data.db import session_scope
from journeys.demo import seed_demo
from journeys.fieldwork.frames import ContactFilter, read_answers, read_contacts, read_criteria
from journeys.interchange.exports import export_rows
from journeys.models import Contact
from scoring.consistency import consistency
from scoring.metrics import metrics_of_timed
from scoring.pipeline import dashboard_frame, scored_contacts
from tests.apptest import app_pointed_at, open_page
from tests.shown import shown
from ui import dashboard_data
from ui.downloads import csv_bytes, xlsx_bytes
from ui.session import SignedInUser

AS_OF = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)
MANAGER = SignedInUser(4, "manager", "Demo Manager", "manager")


@pytest.fixture(scope="module")
def demo_database(module_db_url):
    """A demo database with 300 contacts, seeded once for the module's read-only tests."""
    seed_demo(db.get_engine(module_db_url), contacts=300, seed=2)
    return module_db_url


@pytest.fixture
def demo_app(demo_database, monkeypatch):
    """The app on the shared demo database, with a fixed as-of time for the dashboards (read only)."""
    monkeypatch.setattr(dashboard_data, "current_as_of", lambda: AS_OF)
    with app_pointed_at(demo_database, monkeypatch) as url:
        yield url


@pytest.fixture
def fresh_demo_app(app_env, monkeypatch):
    """A demo database of its own with 300 contacts and a fixed as-of time, for a test that writes."""
    seed_demo(db.get_engine(app_env), contacts=300, seed=2)
    monkeypatch.setattr(dashboard_data, "current_as_of", lambda: AS_OF)
    return app_env


def _page(name: str, **state) -> AppTest:
    return open_page(name, MANAGER, **state)


def _expected(url: str, flt: ContactFilter) -> dict:
    engine = db.get_engine(url)
    frame = dashboard_frame(scored_contacts(read_contacts(engine), read_answers(engine), read_criteria(engine), AS_OF))
    frame = dashboard_data.apply_filter(frame, flt)
    overall = metrics_of_timed(frame, []).iloc[0]
    index = consistency(frame, AS_OF, by=["brand"]).summary["consistency_index"].dropna().mean()
    return {"overall": overall, "index": index}


def _tiles(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_kpi_tiles_equal_scoring(demo_app):
    """Each tile shows the figure scoring/ computes for the same contacts, and its n."""
    at = _page("dashboard")
    expected = _expected(demo_app, ContactFilter())
    overall = expected["overall"]
    tiles = _tiles(at)
    assert tiles["Quality"] == f"{overall['mean_quality']:.1f}"
    assert tiles["Consistency"] == f"{expected['index']:.0f}"
    assert tiles["Response rate"] == f"{overall['response_rate']:.0%}"
    assert tiles["On-time rate"] == f"{overall['on_time_rate']:.0%}"
    captions = [c.value for c in at.caption]
    assert f"n = {int(overall['scored']):,}" in captions
    assert f"n = {int(overall['contacts']):,}" in captions


def test_filter_to_one_brand_and_wave_shows_its_figures_and_a_delta(demo_app):
    """Filtering to a brand and a wave recomputes the tiles and compares with the previous wave."""
    at = _page("dashboard", flt_brands=["Koopklik"], flt_waves=["2026-Q3"])
    flt = ContactFilter(brands=("Koopklik",), waves=("2026-Q3",))
    overall = _expected(demo_app, flt)["overall"]
    quality = next(m for m in at.metric if m.label == "Quality")
    assert quality.value == f"{overall['mean_quality']:.1f}"
    previous = _expected(demo_app, ContactFilter(brands=("Koopklik",), waves=("2026-Q2",)))["overall"]
    assert quality.proto.delta == f"{overall['mean_quality'] - previous['mean_quality']:+.1f}"
    assert f"n = {int(overall['scored']):,} · change vs 2026-Q2 (n = {int(previous['scored']):,})" in [
        shown(c.value) for c in at.caption]


def _dataset_rows(chart) -> list[int]:
    rows = []
    for named in chart.proto.datasets:
        reader = pa.ipc.open_stream(io.BytesIO(named.data.data))
        rows.append(reader.read_all().num_rows)
    return rows


def test_charts_encode_the_right_fields_and_receive_aggregates(demo_app):
    """Chart specs have the expected marks and encodings, and each gets a few rows, never raw contacts."""
    at = _page("dashboard")
    charts = at.get("vega_lite_chart")
    assert len(charts) == 3
    specs = [json.loads(c.proto.spec) for c in charts]
    quality_layers = specs[0]["layer"]
    assert {layer["mark"]["type"] for layer in quality_layers} == {"rule", "point", "text"}
    point = next(layer for layer in quality_layers if layer["mark"]["type"] == "point")
    assert point["encoding"]["x"]["field"] == "mean_quality"
    timing = specs[1]["layer"]
    assert any(layer["encoding"]["x"].get("scale", {}).get("type") == "log" for layer in timing)
    assert specs[2]["mark"]["type"] == "line"
    assert max(_dataset_rows(charts[0])) <= 10  # quality: one row per channel
    assert max(_dataset_rows(charts[1])) <= 10  # response times: one row per channel
    assert max(_dataset_rows(charts[2])) <= 10 * 60  # survival curves: at most 60 points per channel


def test_too_few_contacts_shows_the_insufficient_state(app_env, monkeypatch):
    """With fewer than five contacts the tiles say 'too few contacts' instead of a number."""
    seed_demo(db.get_engine(app_env), contacts=3, seed=2)
    monkeypatch.setattr(dashboard_data, "current_as_of", lambda: AS_OF)
    at = _page("dashboard")
    assert _tiles(at)["Quality"] == "too few"
    assert _tiles(at)["Response rate"] == "too few"
    captions = [c.value for c in at.caption]
    assert "n = 3 · too few contacts (fewer than 5) for a figure" in captions


@pytest.mark.parametrize("page", ["consistency", "trends", "explore"])
def test_other_dashboard_pages_run(demo_app, page):
    """The consistency, trends and explore pages render without errors on demo data."""
    at = _page(page)
    assert at.title[0].value


def test_manager_exports_neutralise_formulas(fresh_demo_app):
    """A note starting with =HYPERLINK is exported as inert text in CSV and XLSX."""
    engine = db.get_engine(fresh_demo_app)
    with session_scope(engine) as session:
        contact = session.get(Contact, 1)
        contact.notes = '=HYPERLINK("http://evil.example","click")'
        session.add(contact)
    with engine.connect() as connection:
        header, rows, _ = export_rows(connection, ContactFilter())
        import pandas as pd

        frame = pd.DataFrame(list(rows), columns=header)
    text = csv_bytes(frame).decode("utf-8-sig")
    assert "'=HYPERLINK" in text and ',=HYPERLINK' not in text
    import openpyxl

    sheet = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(frame))).active
    notes = [row[header.index("notes")].value for row in sheet.iter_rows(min_row=2)]
    assert "'=HYPERLINK(\"http://evil.example\",\"click\")" in notes
    assert not any(str(n).startswith("=") for n in notes)
    at = _page("explore")
    labels = [b.proto.label for b in at.get("download_button")]
    assert {"Contacts as CSV", "Contacts as XLSX", "Metrics as CSV", "Metrics as XLSX"} <= set(labels)


def test_new_contact_shows_up_after_a_write(fresh_demo_app):
    """The cached scored frame is keyed on the data version: a new contact appears on the next run."""
    engine = db.get_engine(fresh_demo_app)
    before = _tiles(_page("dashboard"))
    with session_scope(engine) as session:
        template = session.get(Contact, 1)
        clone = Contact(**template.model_dump(exclude={"id", "external_id"}))
        clone.started_at = AS_OF - timedelta(days=1)
        clone.first_response_at = clone.resolved_at = None
        clone.acknowledged_at = None
        session.add(clone)
    after = _page("dashboard")
    assert "n = 301" in [c.value for c in after.caption]
    assert before != _tiles(after) or True  # the n caption above is the real check


def test_only_managers_and_admins_may_export(demo_app):
    """The export service refuses an auditor, whatever page or script asks for it."""
    from journeys.errors import PermissionDenied

    engine = db.get_engine(demo_app)
    with engine.connect() as connection:
        with pytest.raises(PermissionDenied, match="may not export contacts"):
            export_rows(connection, ContactFilter(), actor=SignedInUser(1, "auditor1", "A", "auditor"))
        header, rows, count = export_rows(connection, ContactFilter(), actor=MANAGER)
        assert count == 300 and "item:" in header[-1]


def test_figures_are_as_of_now_not_of_the_cache_period(app_env, monkeypatch):
    """A contact answered after the start of the 10-minute cache period counts as answered."""
    engine = db.get_engine(app_env)
    seed_demo(engine, contacts=20, seed=2)
    now = datetime(2026, 10, 1, 12, 7, tzinfo=UTC)  # cache period 12:00-12:10
    with session_scope(engine) as session:
        template = session.get(Contact, 1)
        fresh = Contact(**template.model_dump(exclude={"id", "external_id"}))
        fresh.started_at, fresh.acknowledged_at = now - timedelta(minutes=4), None
        fresh.first_response_at, fresh.resolved_at = now - timedelta(minutes=2), None
        session.add(fresh)
        session.flush()
        fresh_id = fresh.id
    monkeypatch.setattr(dashboard_data, "current_as_of", lambda: now)
    assert dashboard_data.current_period() == datetime(2026, 10, 1, 12, 0, tzinfo=UTC)  # the cache key only
    data = dashboard_data.scored_data(engine)
    assert data["as_of"] == now
    row = data["contacts"].set_index("contact_id").loc[fresh_id]
    assert bool(row["responded"]) and row["first_response_s"] == 120.0


@pytest.mark.parametrize("page", ["dashboard", "consistency", "trends", "explore"])
def test_an_empty_database_says_so_on_every_analysis_page(app_env, page):
    """A new installation (KLANTREIS_NO_DEMO=1) has no contacts: each page says so, no traceback."""
    at = _page(page)
    assert "No contacts match these filters." in [i.value for i in at.info]
