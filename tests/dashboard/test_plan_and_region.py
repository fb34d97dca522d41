"""What the study setup changes on the manager's dashboards, in AppTest on both databases: the
plan's coverage under each page's title, the Region filter (brand → region → location) and its
level in the ranking and drill-down, and closed waves read as final."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import Session, select

from data import db
from journeys.accounts.users import create_user
from journeys.catalogue.reference import get_or_create_location
from journeys.models import Assignment, Wave
from tests.apptest import open_page
from tests.factories import T0, make_contact, make_plan_line, make_world
from ui.session import SignedInUser

LONG_AGO = date(2026, 3, 1)  # a due date in the past: a planned contact not done by then is overdue
PAGES = ("dashboard", "consistency", "trends", "explore")


@pytest.fixture
def small_plan(app_env):
    """One wave, two locations in two regions and a plan of 4 contacts, 3 of them done:
    Utrecht (region Midden) 2 phone, both done; Groningen (Noord) 2 e-mail due long ago, 1 done.
    Groningen has 5 more e-mail contacts outside the plan (ad hoc)."""
    engine = db.get_engine(app_env)
    with Session(engine) as session:
        world = make_world(session)
        manager = create_user(session=session, username="manager", role="manager", password="manager-pass")
        utrecht = get_or_create_location(session=session, brand=world["brand"], name="Utrecht")
        groningen = get_or_create_location(session=session, brand=world["brand"], name="Groningen")
        utrecht.region, groningen.region = "Midden", "Noord"
        make_plan_line(session, world, channel="phone", quantity=2, location=utrecht, auditor=world["auditor"])
        make_plan_line(session, world, channel="email", quantity=2, location=groningen, due_on=LONG_AGO,
                       auditor=world["auditor"])
        planned = [make_contact(world, channel="phone", location_id=utrecht.id, resolved_at=T0 + timedelta(hours=3)),
                   make_contact(world, channel="phone", location_id=utrecht.id, resolved_at=T0 + timedelta(hours=3)),
                   make_contact(world, channel="email", location_id=groningen.id)]
        ad_hoc = [make_contact(world, channel="email", location_id=groningen.id) for _ in range(5)]
        session.add_all(planned + ad_hoc)
        session.flush()
        assignments = session.exec(select(Assignment).order_by(Assignment.id)).all()
        for assignment, contact in zip(assignments[:3], planned, strict=True):
            assignment.contact_id = contact.id
        session.commit()
        user = SignedInUser(manager.id, manager.username, manager.display_name, manager.role)
        wave = world["wave"].name
    return {"url": app_env, "manager": user, "wave": wave}


def _captions(at) -> list[str]:
    return [c.value for c in at.caption]


def _coverage(at) -> list[str]:
    return [c for c in _captions(at) if "planned contact" in c or "geplande contact" in c or "gepland contact" in c]


def test_every_dashboard_page_shows_the_plans_coverage(small_plan):
    """Dashboard, Consistency, Trends and Explore each say "3 of 4 planned contacts" and that
    fieldwork is not complete (1 overdue), once, under the title."""
    for page in PAGES:
        at = open_page(page, small_plan["manager"])
        assert _coverage(at) == [":material/pending_actions: 3 of 4 planned contacts · fieldwork not complete "
                                 "(1 overdue)"], page


def test_the_region_filter_narrows_contacts_locations_and_coverage(small_plan):
    """The Region filter shows (some location has a region) before Location; choosing Midden
    leaves only Utrecht to choose, counts its 2 contacts and its plan, complete: "2 of 2"."""
    at = open_page("dashboard", small_plan["manager"])
    labels = [m.label for m in at.multiselect]
    assert labels.index("Region") == labels.index("Location") - 1
    assert at.multiselect(key="flt_regions").options == ["Midden", "Noord"]
    assert at.multiselect(key="flt_locations").options == ["Groningen", "Utrecht"]
    at.multiselect(key="flt_locations").select("Groningen").run()
    at.multiselect(key="flt_regions").select("Midden").run()
    assert not at.exception, at.exception
    assert at.multiselect(key="flt_locations").options == ["Utrecht"]
    assert at.multiselect(key="flt_locations").value == []  # Groningen is not in Midden: dropped
    assert _coverage(at) == [":material/assignment_turned_in: 2 of 2 planned contacts"]
    assert any(c.startswith("n = 2") for c in _captions(at))
    at.multiselect(key="flt_regions").unselect("Midden").select("Noord").run()
    assert _coverage(at) == [":material/pending_actions: 1 of 2 planned contacts · fieldwork not complete "
                             "(1 overdue)"]


def test_no_plan_for_the_contacts_in_view_says_nothing(small_plan):
    """A filter the plan has nothing for (the journey's third channel) shows no coverage line."""
    at = open_page("dashboard", small_plan["manager"], flt_channels=["twitter"])
    assert _coverage(at) == []


def test_region_ranking_and_drill_down(small_plan):
    """Consistency ranks by region and Explore drills down by region, each region with its n."""
    at = open_page("consistency", small_plan["manager"], cons_rank="region")
    chart_groups = {row["region"] for chart in at.get("vega_lite_chart") for rows in
                    _datasets(chart) for row in rows if "region" in row}
    assert chart_groups == {"Midden", "Noord"}
    explore = open_page("explore", small_plan["manager"], explore_level="region")
    assert explore.selectbox(key="explore_group").options == ["Midden (2 contacts)", "Noord (6 contacts)"]


def test_a_closed_wave_reads_as_final(small_plan):
    """Once closed, the wave reads "2026-Q1 (final)" in the filter and the report's choice, the
    trend says every wave shown is final, and the filter still selects it by its name."""
    open_before = open_page("trends", small_plan["manager"])
    assert "Provisional figures: wave 2026\\-Q1 is still open." in _captions(open_before)
    engine = db.get_engine(small_plan["url"])
    with Session(engine) as session:
        wave = session.exec(select(Wave).where(Wave.name == small_plan["wave"])).one()
        wave.closed_at = datetime(2026, 4, 1, tzinfo=UTC)
        session.commit()
    import streamlit as st
    st.cache_data.clear()
    at = open_page("trends", small_plan["manager"])
    assert at.multiselect(key="flt_waves").options == ["2026-Q1 (final)"]
    assert "Final: every wave shown is closed." in _captions(at)
    at.multiselect(key="flt_waves").select("2026-Q1").run()
    assert not at.exception and at.multiselect(key="flt_waves").value == ["2026-Q1"]
    explore = open_page("explore", small_plan["manager"], report_wave="2026-Q1")
    assert "2026-Q1 (final)" in explore.selectbox(key="report_wave").options
    assert any("Figures final\\: the wave is closed" in c for c in _captions(explore)), _captions(explore)


def test_the_coverage_words_in_dutch(small_plan, monkeypatch):
    """In Dutch the line reads "3 van 4 geplande contacten · veldwerk niet compleet (1 te laat)"."""
    monkeypatch.setenv("KLANTREIS_LANGUAGE", "nl")
    at = open_page("dashboard", small_plan["manager"])
    assert _coverage(at) == [":material/pending_actions: 3 van 4 geplande contacten · veldwerk niet compleet "
                             "(1 te laat)"]
    assert [m.label for m in at.multiselect if m.key == "flt_regions"] == ["Regio"]


def _datasets(chart) -> list[list[dict]]:
    """The rows of every dataset a chart sends (Arrow-encoded in the proto)."""
    import io

    import pyarrow as pa

    found = []
    for dataset in chart.proto.datasets:
        table = pa.ipc.open_stream(io.BytesIO(dataset.data.data)).read_all()
        found.append(table.to_pylist())
    return found
