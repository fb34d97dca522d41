"""My contacts on a phone: the start form asks for a wave when none covers the day, remembers the
auditor's last choices, long lists come a page at a time, and completed contacts are a compact list."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import select

from data import db
from data.db import session_scope
from journeys.catalogue.journeys import create_journey
from journeys.catalogue.reference import get_or_create_brand, get_or_create_location, get_or_create_wave
from journeys.fieldwork.contacts import ContactStart, record_event, start_contact
from journeys.local_time import DAY_MINUTE, LOCAL_ZONE, local_text
from journeys.models import Contact
from tests.apptest import app_test, as_user, open_page
from tests.factories import journey_in, make_world
from tests.shown import shown
from ui.session import SignedInUser


@pytest.fixture
def world(app_env):
    """The test world plus dated waves that end before today, a second brand with a location and a
    second journey; returns (url, auditor, world)."""
    engine = db.get_engine(app_env)
    with session_scope(engine) as session:
        world = make_world(session)
        today = datetime.now(LOCAL_ZONE).date()
        get_or_create_wave(session=session, name="past", starts_on=date(2020, 1, 1), ends_on=today - timedelta(days=30))
        world["brand2"] = get_or_create_brand(session=session, name="Zeezicht")
        world["location2"] = get_or_create_location(session=session, brand=world["brand2"], name="Utrecht")
        world["journey2"] = create_journey(session=session, journey_in=journey_in(name="Zzz return a parcel"))
        auditor = SignedInUser(world["auditor"].id, "auditor1", "Auditor One", "auditor")
        ids = {k: v.id for k, v in world.items() if hasattr(v, "id")} | {"email": world["channels"]["email"].id,
                                                                          "phone": world["channels"]["phone"].id}
    return app_env, auditor, ids


def _start(url, auditor, ids, **choice):
    with session_scope(db.get_engine(url)) as session:
        return start_contact(session=session, actor=auditor, start=ContactStart(
            journey_id=choice.get("journey", ids["journey"]), brand_id=choice.get("brand", ids["brand"]),
            channel_id=choice.get("channel", ids["email"]), location_id=choice.get("location"),
            started_at=choice.get("started_at"))).id


def _contacts(url) -> list[Contact]:
    with session_scope(db.get_engine(url)) as session:
        return session.exec(select(Contact)).all()


def test_no_wave_covers_today_the_form_says_so_and_preselects_none(world):
    """Old code preselected the newest wave by name for a day no wave covers."""
    url, auditor, _ = world
    at = as_user(app_test(), auditor).switch_page("pages/contacts_mine.py").run()  # in the frame: it opens the log page
    assert not at.exception
    today = datetime.now(LOCAL_ZONE).date()
    assert any(f"No wave covers {today.day} {today:%b %Y} — choose one, or leave without a wave" in shown(w.value)
               for w in at.warning), [w.value for w in at.warning]
    assert at.selectbox(key="new_wave").value is None
    at.button(key="new_start").click().run()  # not chosen: refused, nothing started
    assert any("Wave: choose the wave" in shown(e.value) for e in at.error), [e.value for e in at.error]
    assert _contacts(url) == []
    at.selectbox(key="new_wave").set_value(0).run()  # "No wave"
    assert at.selectbox(key="new_wave").value == 0
    at.button(key="new_start").click().run()
    assert not at.exception
    [contact] = _contacts(url)
    assert contact.wave_id is None


def test_the_wave_covering_today_is_preselected(world):
    url, auditor, _ = world
    with session_scope(db.get_engine(url)) as session:
        today = datetime.now(LOCAL_ZONE).date()
        current = get_or_create_wave(session=session, name="current", starts_on=today - timedelta(days=3),
                                     ends_on=today + timedelta(days=3)).id
    at = open_page("contacts_mine", auditor)
    assert at.selectbox(key="new_wave").value == current
    assert not any("No wave covers" in shown(w.value) for w in at.warning)


def test_the_start_form_offers_the_last_choices_again(world):
    """Old code started from the first brand, journey and channel and no location every time."""
    url, auditor, ids = world
    _start(url, auditor, ids)  # an older contact with the first choices
    _start(url, auditor, ids, brand=ids["brand2"], location=ids["location2"], journey=ids["journey2"],
           channel=ids["phone"])
    at = open_page("contacts_mine", auditor)
    assert not at.exception
    assert at.selectbox(key="new_brand").value == ids["brand2"]
    assert at.selectbox(key="new_location").value == ids["location2"]
    assert at.selectbox(key="new_journey").value == ids["journey2"]
    assert at.selectbox(key="new_channel").value == ids["phone"]
    assert at.button(key="new_start").label == "Start waiting (stopwatch)"


def _open_cards(at) -> list[str]:
    return [b.key for b in at.button if b.key and b.key.startswith("open_")]


def test_open_contacts_come_ten_at_a_time(world):
    """Old code listed up to 50 open cards on one page."""
    url, auditor, ids = world
    now = datetime.now(UTC)
    for n in range(23):
        _start(url, auditor, ids, started_at=now - timedelta(minutes=n + 1))
    at = open_page("contacts_mine", auditor)
    first = _open_cards(at)
    assert len(first) == 10
    assert any("1–10 of 23 open contacts" in shown(c.value) for c in at.caption)
    at.button(key="mine_open_page_next").click().run()
    second = _open_cards(at)
    assert len(second) == 10 and not set(first) & set(second)
    at.button(key="mine_open_page_next").click().run()
    assert len(_open_cards(at)) == 3
    assert at.button(key="mine_open_page_next").disabled
    at.button(key="mine_open_page_prev").click().run()
    assert _open_cards(at) == second


def test_recently_completed_is_a_compact_list(world):
    """Old code showed a nine-column table (5 columns visible on a phone, behind a hidden scroll)."""
    url, auditor, ids = world
    contact_id = _start(url, auditor, ids, brand=ids["brand2"])
    with session_scope(db.get_engine(url)) as session:
        record_event(session=session, actor=auditor, contact_id=contact_id, event="first_response")
        started = session.get(Contact, contact_id).started_at
    at = open_page("contacts_mine", auditor)
    assert not at.table
    line = at.button(key=f"done_{contact_id}").label
    assert shown(line) == (
        f"Zeezicht · E-mail · {local_text(started, DAY_MINUTE)} · Ad hoc (outside the plan) · not scored · Being logged"), line  # its review status in words


def test_yes_to_every_unanswered_item_in_one_tap(world):
    """A routine contact: one tap answers every item still open Yes; an item answered No stays No."""
    url, auditor, ids = world
    contact_id = _start(url, auditor, ids)
    at = open_page("contact_log", auditor, log_contact_id=contact_id)
    items = [g for g in at.button_group if g.key and g.key.startswith("a_c") and g.key != "a_correct"]
    assert len(items) == 3 and all(g.value is None for g in items)
    items[0].set_value("No").run()
    at.button(key="a_all_yes").click().run()
    assert not at.exception
    assert [at.button_group(key=g.key).value for g in items] == ["No", "Yes", "Yes"]
