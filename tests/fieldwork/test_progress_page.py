"""The Fieldwork progress page and the wave_progress service behind it, on both databases."""

import io
import json
from datetime import UTC, datetime, timedelta

import pandas as pd
import pyarrow as pa
import pytest
from sqlmodel import select

from data import db
from journeys.accounts.users import create_user
from journeys.catalogue.reference import get_or_create_location, get_or_create_wave
from journeys.errors import PermissionDenied
from journeys.fieldwork.planned import local_today
from journeys.fieldwork.progress import wave_progress
from journeys.language import use_language
from journeys.models import Assignment
from tests.apptest import open_page
from tests.factories import T0, make_contact, make_plan_line, make_world


def chart_rows(chart) -> pd.DataFrame:
    """The rows a chart element sends to the browser (its Arrow dataset)."""
    (named,) = chart.proto.datasets
    return pa.ipc.open_stream(io.BytesIO(named.data.data)).read_all().to_pandas()


def build_plan(engine, *, done: int, planned: int, overdue: int = 0, unassigned: int = 0, closed: bool = False):
    """A wave running around today with ``planned`` planned contacts at two locations on phone and
    e-mail: ``done`` of them done, ``overdue`` past their due date, ``unassigned`` with nobody on them.
    Returns the people (manager, auditor) and the wave's id."""
    today = local_today()
    with db.session_scope(engine) as session:
        world = make_world(session)
        manager = create_user(session=session, username="manager", role="manager", password="manager-pass")
        wave = world["wave"]
        wave.starts_on, wave.ends_on = today - timedelta(days=5), today + timedelta(days=5)
        wave.closed_at = datetime.now(UTC) if closed else None
        north = get_or_create_location(session=session, brand=world["brand"], name="Groningen")
        north.region = "Noord"
        south = get_or_create_location(session=session, brand=world["brand"], name="Maastricht")
        south.region = "Zuid"
        rest = planned - overdue - unassigned
        if rest:
            make_plan_line(session, world, channel="phone", quantity=rest, location=north,
                           due_on=today + timedelta(days=4), auditor=world["auditor"])
        if overdue:
            make_plan_line(session, world, channel="email", quantity=overdue, location=south,
                           due_on=today - timedelta(days=1), auditor=world["auditor"])
        if unassigned:
            make_plan_line(session, world, channel="email", quantity=unassigned, location=north,
                           due_on=today + timedelta(days=4))
        open_ones = session.exec(select(Assignment).where(Assignment.auditor_id.is_not(None),
                                                          Assignment.due_on >= today)
                                 .order_by(Assignment.id)).all()
        assert len(open_ones) >= done
        for assignment in open_ones[:done]:
            contact = make_contact(world, channel="phone", location_id=north.id,  # a call that ended: logged
                                   resolved_at=T0 + timedelta(hours=3), updated_at=datetime.now(UTC) - timedelta(days=1))
            session.add(contact)
            session.flush()
            assignment.contact_id = contact.id
        wave_id = wave.id
    return dict(manager=manager, auditor=world["auditor"], wave_id=wave_id)


def test_wave_progress_counts_the_wave_and_is_for_managers_only(engine):
    """The service counts done, overdue and not assigned; an auditor may not read it."""
    made = build_plan(engine, done=1, planned=12, overdue=3, unassigned=2)
    with db.read_scope(engine) as session:
        result = wave_progress(session=session, actor=made["manager"], wave_id=made["wave_id"], today=local_today())
        assert (result.totals.planned, result.totals.done, result.totals.overdue, result.totals.unassigned) == \
            (12, 1, 3, 2)
        assert result.quota_short and not result.final
        with pytest.raises(PermissionDenied):
            wave_progress(session=session, actor=made["auditor"], wave_id=made["wave_id"], today=local_today())


def test_the_page_shows_the_headline_numbers_and_the_tables(app_env, engine):
    """1 of 12 done · 3 overdue · 2 not assigned, a table per group with n, and one chart point per day."""
    made = build_plan(engine, done=1, planned=12, overdue=3, unassigned=2)
    at = open_page("progress", made["manager"])
    headline = [s.value for s in at.subheader]
    assert "1 of 12 planned contacts done · 3 overdue · 2 not assigned" in headline
    assert [w.value for w in at.warning] == ["Fieldwork is not complete: 1 of 12 planned contacts done"]
    assert not at.success
    assert [t.label for t in at.tabs][:3] == ["Per brand", "Per channel", "Per region"]
    channels = at.dataframe[1].value.set_index("Channel")
    assert channels.loc["Phone", "Planned"] == 7 and channels.loc["Phone", "Done"] == 1
    assert channels.loc["E-mail", "Overdue"] == 3 and channels.loc["E-mail", "Not assigned"] == 2
    assert channels.loc["Total", "Planned"] == 12
    auditors = at.dataframe[5].value.set_index("Auditor")
    assert auditors.loc["Not assigned", "Planned"] == 2 and auditors.loc["auditor1", "Planned"] == 10
    charts = at.get("vega_lite_chart")
    assert len(charts) == 1

    spec = json.loads(charts[0].proto.spec)
    rows = chart_rows(charts[0])
    assert len(rows[rows["series"] == "planned"]) == 11  # one point per day of the wave, not per contact
    assert rows[rows["series"] == "planned"]["contacts"].max() == 12
    assert len(rows[rows["series"] == "done"]) == 6  # the days up to today
    assert spec["config"]["locale"]["number"]["decimal"] == "."


def test_a_closed_wave_whose_quota_is_short_is_final_but_not_complete(app_env, engine):
    made = build_plan(engine, done=2, planned=4, closed=True)
    at = open_page("progress", made["manager"])
    assert any("Final figures" in c.value for c in at.caption)
    assert [w.value for w in at.warning] == ["Fieldwork is not complete: 2 of 4 planned contacts done"]
    assert at.selectbox[0].format_func(at.selectbox[0].value).endswith("(final)")


def test_a_complete_wave_says_so(app_env, engine):
    made = build_plan(engine, done=3, planned=3)
    at = open_page("progress", made["manager"])
    assert not at.warning
    assert [s.value for s in at.success] == ["Fieldwork is complete: all 3 planned contacts are done."]


def test_a_wave_without_a_plan_says_where_to_plan_it(app_env, engine):
    with db.session_scope(engine) as session:
        make_world(session)
        manager = create_user(session=session, username="manager", role="manager", password="manager-pass")
    at = open_page("progress", manager)
    assert [i.value for i in at.info] == [
        "No fieldwork planned for this wave yet. Plan it on the page 'Waves and plan' (Study)."]
    assert not at.dataframe and not at.get("vega_lite_chart")


def test_the_page_opens_on_the_running_wave(app_env, engine):
    """Of two waves, the one whose dates hold today is chosen first; the other can be picked."""
    made = build_plan(engine, done=1, planned=2)
    with db.session_scope(engine) as session:
        later = get_or_create_wave(session=session, name="2027-Q1")
        later.starts_on = local_today() + timedelta(days=60)
    at = open_page("progress", made["manager"])
    assert at.selectbox[0].value == made["wave_id"]
    at.selectbox[0].select(next(o for o in at.selectbox[0].options if "2027" in o)).run()
    assert not at.exception
    assert [i.value for i in at.info][0].startswith("No fieldwork planned for this wave yet")


@pytest.fixture
def dutch(monkeypatch):
    """The app in Dutch, and the test's thread too (AppTest formats a select's value there)."""
    monkeypatch.setenv("KLANTREIS_LANGUAGE", "nl")
    with use_language("nl"):
        yield


def test_the_page_speaks_dutch(app_env, engine, dutch):
    made = build_plan(engine, done=1, planned=12, overdue=3, unassigned=2)
    at = open_page("progress", made["manager"])
    assert [t.value for t in at.title] == ["Voortgang veldwerk"]
    assert "1 van 12 geplande contacten gedaan · 3 te laat · 2 niet toegewezen" in [s.value for s in at.subheader]
    assert [w.value for w in at.warning] == ["Veldwerk is niet compleet: 1 van 12 geplande contacten gedaan"]
    assert [t.label for t in at.tabs][:2] == ["Per merk", "Per kanaal"]
    columns = list(at.dataframe[1].value.columns)
    assert columns == ["Kanaal", "Gepland", "Gedaan", "Gestart", "Te laat", "Niet toegewezen", "Aandeel gedaan"]
    assert "Telefoon" in set(at.dataframe[1].value["Kanaal"])

    spec = json.loads(at.get("vega_lite_chart")[0].proto.spec)
    assert spec["config"]["locale"]["number"]["decimal"] == ","


def test_no_english_is_left_on_the_dutch_page(app_env, engine, dutch):
    """The Dutch pages' check (tests/language/test_pages_in_dutch.py) on a wave with a plan: the
    headline, notices, tabs, tables and chart titles hold no English UI word."""
    from tests.language.test_pages_in_dutch import english_in, page_texts

    made = build_plan(engine, done=1, planned=12, overdue=3, unassigned=2)
    at = open_page("progress", made["manager"])
    texts, _values = page_texts(at)
    user_data = ["Koopklik", "Groningen", "Maastricht", "Noord", "Zuid", "auditor1", "2026-Q1", "Ask about a delivery"]
    assert english_in(texts, user_data) == []
    assert len(texts) > 20
