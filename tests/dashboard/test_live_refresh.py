"""A contact saved in one session appears in another session's dashboard on its next rerun, on
SQLite and PostgreSQL, and the dashboard process re-reads only that contact
(journeys.fieldwork.refresh), not every contact."""

from datetime import UTC, datetime, timedelta

import pandas as pd
import streamlit as st
from sqlmodel import Session, select

from data import db
from data.db import write_scope
from journeys import models as journeys_models
from journeys.demo import seed_demo
from journeys.fieldwork import refresh, scores, snapshot
from journeys.fieldwork.contact_filter import ContactFilter
from journeys.fieldwork.contacts import AnswerIn, ContactStart, applicable_criteria, save_contact, start_contact
from journeys.models import Brand, Channel, Journey, User, Wave
from scoring import pipeline
from tests.apptest import open_page
from tests.dashboard.test_dashboard_pages import MANAGER
from ui import dashboard_data

AS_OF = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)


def _caption_n(at) -> list[str]:
    return [c.value for c in at.caption if c.value.startswith("n = ")]


def _save_contact_as_auditor(engine) -> int:
    """The demo auditor logs a complete e-mail contact in its own session (the services, as its page does)."""
    with Session(engine) as s:
        auditor = s.exec(select(User).where(User.username == "auditor1")).one()
        journey = s.exec(select(Journey).order_by(Journey.id)).first()
        brand = s.exec(select(Brand).order_by(Brand.id)).first()
        wave = s.exec(select(Wave).order_by(Wave.id)).first()
        email = s.exec(select(Channel).where(Channel.name == "email")).one()
    with write_scope(engine) as s:
        contact = start_contact(session=s, actor=auditor, now=AS_OF, start=ContactStart(
            journey_id=journey.id, brand_id=brand.id, channel_id=email.id, wave_id=wave.id,
            started_at=AS_OF - timedelta(hours=5)))
        answers = [AnswerIn(criterion_id=c.id, value=1.0 if c.kind != "scale" else c.scale_max)
                   for c in applicable_criteria(s, contact)]
        save_contact(session=s, actor=auditor, contact_id=contact.id, now=AS_OF, complete=True, answers=answers,
                     changes={"first_response_at": AS_OF - timedelta(hours=4)})
        return contact.id


def test_a_contact_saved_elsewhere_shows_on_the_next_rerun(app_env, monkeypatch):
    engine = db.get_engine(app_env)
    seed_demo(engine, contacts=300, seed=2)
    monkeypatch.setattr(dashboard_data, "current_as_of", lambda: AS_OF)
    at = open_page("dashboard", MANAGER, flt_include_unreleased=True)  # the manager's session
    before = _caption_n(at)
    live = dashboard_data._live_frames(app_env)
    read_at, rows = live.frames.read_at, len(live.frames.contacts)

    contact_id = _save_contact_as_auditor(engine)  # another session's save
    at.run()  # the manager's next rerun
    assert not at.exception, at.exception
    after = _caption_n(at)
    assert after != before
    frames = live.frames
    assert contact_id in set(frames.contacts["contact_id"]) and len(frames.contacts) == rows + 1
    assert frames.read_at == read_at and frames.patched > 0  # re-read what changed, not everything
    scored = dashboard_data.scored_data(engine)["contacts"].set_index("contact_id")
    assert scored.loc[contact_id, "final_score"] == 100.0


def test_a_page_run_keeps_its_snapshot_when_another_session_moves_on(app_env, monkeypatch):
    """The cache holds one scored frame: after a save, the next session's frame replaces it. A page
    run that began before goes on with its own (``data``): its figures count the contacts it
    began with, and finishing it reads and rebuilds nothing."""
    engine = db.get_engine(app_env)
    seed_demo(engine, contacts=300, seed=2)
    monkeypatch.setattr(dashboard_data, "current_as_of", lambda: AS_OF)
    everyone = ContactFilter(include_unreleased=True)
    began = dashboard_data.scored_data(engine)  # a page run begins
    _save_contact_as_auditor(engine)
    moved_on = dashboard_data.scored_data(engine)  # another session's run, after the save
    assert moved_on["key"] != began["key"]
    live = dashboard_data._live_frames(app_env)
    frames, timed = live.frames, live.timed

    # the first run's next figures, on a filter nobody has asked for yet
    assert dashboard_data.figure(began, everyone, len) == len(began["contacts"])
    assert dashboard_data.figure(moved_on, everyone, len) == len(began["contacts"]) + 1
    assert len(dashboard_data.filtered_contacts(began, everyone)) == len(began["contacts"])
    assert live.frames is frames and live.timed is timed  # nothing read again, no frame rebuilt


def test_a_restarted_app_starts_from_its_snapshot_and_shows_what_was_saved_since(app_env, monkeypatch, tmp_path):
    """With a snapshot folder (as ``make run`` has) the first load writes the frames to disk; a
    restarted process (empty caches) starts from them, reads only the contact saved meanwhile,
    and its dashboard shows that contact."""
    monkeypatch.setenv(snapshot.CACHE_DIR_ENV, str(tmp_path / "cache"))
    engine = db.get_engine(app_env)
    seed_demo(engine, contacts=300, seed=2)
    monkeypatch.setattr(dashboard_data, "current_as_of", lambda: AS_OF)
    at = open_page("dashboard", MANAGER, flt_include_unreleased=True)
    before = _caption_n(at)
    read_at = dashboard_data._live_frames(app_env).frames.read_at
    snapshot.wait_for_saves()

    contact_id = _save_contact_as_auditor(engine)
    st.cache_resource.clear()  # the app restarted: no frames in memory
    st.cache_data.clear()
    at = open_page("dashboard", MANAGER, flt_include_unreleased=True)
    assert not at.exception, at.exception
    frames = dashboard_data._live_frames(app_env).frames
    assert frames.read_at == read_at and frames.patched > 0  # the snapshot, patched: not a full read
    assert contact_id in set(frames.contacts["contact_id"])
    assert _caption_n(at) != before
    full = refresh.read_frames(engine)
    pd.testing.assert_frame_equal(frames.contacts, full.contacts)


def test_after_a_save_and_a_new_period_the_frame_is_brought_up_to_date_not_rebuilt(app_env, monkeypatch):
    """The manager's next rerun, after another session's save and once the period rolled over,
    redoes only the saved contact and those whose timing could still change
    (``scoring.pipeline.retimed_dashboard_frame``); the frame equals one built anew at that instant."""
    engine = db.get_engine(app_env)
    seed_demo(engine, contacts=300, seed=2)
    clock = [AS_OF]
    monkeypatch.setattr(dashboard_data, "current_as_of", lambda: clock[0])
    retimed = []
    monkeypatch.setattr(dashboard_data, "retimed_dashboard_frame",
                        lambda *args: retimed.append(args[3]) or pipeline.retimed_dashboard_frame(*args))
    at = open_page("dashboard", MANAGER, flt_include_unreleased=True)
    assert not retimed  # the first load builds the frame from every row

    contact_id = _save_contact_as_auditor(engine)
    clock[0] = AS_OF + 2 * dashboard_data.AS_OF_STEP
    at.run()
    assert not at.exception, at.exception
    assert len(retimed) == 1 and contact_id in retimed[0] and len(retimed[0]) < 300
    data = dashboard_data.scored_data(engine)
    assert data["as_of"] == clock[0]
    frames = dashboard_data._live_frames(app_env).frames
    built_anew = pipeline.dashboard_frame(pipeline.with_quality(
        frames.contacts, scores.stored_quality(frames.contacts, engine), clock[0]))
    pd.testing.assert_frame_equal(data["contacts"], built_anew)


def test_the_plan_coverage_is_counted_again_only_after_a_write_that_can_move_it(app_env, monkeypatch):
    """A saved contact that is no planned one leaves the coverage line as it was without counting
    the whole plan again (``journeys.fieldwork.coverage.coverage_unmoved``); completing a planned
    contact moves it on the next rerun, though its assignment row does not change."""
    from journeys.fieldwork import coverage
    from journeys.fieldwork.planned import local_today
    from journeys.fieldwork.worklist import start_assignment
    from journeys.models import Assignment

    engine = db.get_engine(app_env)
    seed_demo(engine, contacts=300, seed=2)
    monkeypatch.setattr(dashboard_data, "current_as_of", lambda: AS_OF)
    counted = []
    monkeypatch.setattr(dashboard_data, "plan_coverage",
                        lambda **kwargs: counted.append(1) or coverage.plan_coverage(**kwargs))

    def shown() -> list[str]:
        return [c.value for c in at.caption if "planned contact" in c.value]

    def counted_now() -> str:
        with Session(engine) as s:
            return coverage.coverage_words(coverage.plan_coverage(session=s, flt=ContactFilter(), today=local_today()))

    at = open_page("dashboard", MANAGER, flt_include_unreleased=True)
    assert len(counted) == 1 and shown() and counted_now() in shown()[0]
    with Session(engine) as s:
        admin = s.exec(select(User).where(User.username == "admin")).one()
        open_id = s.exec(select(Assignment.id).where(Assignment.contact_id.is_(None)).order_by(Assignment.id)).first()

    _save_contact_as_auditor(engine)  # no planned contact
    at.run()
    assert not at.exception, at.exception
    assert len(counted) == 1 and counted_now() in shown()[0]

    with write_scope(engine) as s:  # a planned contact started: linked, not done yet
        contact_id = start_assignment(session=s, actor=admin, assignment_id=open_id, now=AS_OF).id
    at.run()
    before = shown()[0]
    assert len(counted) == 2 and counted_now() in before

    with write_scope(engine) as s:  # ... and completed: only the contact changes
        contact = s.get(journeys_models.Contact, contact_id)
        answers = [AnswerIn(criterion_id=c.id, value=1.0 if c.kind != "scale" else c.scale_max)
                   for c in applicable_criteria(s, contact)]
        save_contact(session=s, actor=admin, contact_id=contact_id, now=AS_OF + timedelta(hours=1), complete=True,
                     answers=answers, changes={"first_response_at": AS_OF + timedelta(minutes=10),
                                               "resolved_at": AS_OF + timedelta(minutes=20)})
    at.run()
    assert not at.exception, at.exception
    assert len(counted) == 3 and counted_now() in shown()[0] and shown()[0] != before


def test_freed_memory_goes_back_once_per_new_frame(app_env, monkeypatch):
    """After a save the old scored frame leaves the cache; its memory is handed back
    (``data.memory``) once on the run that replaced it, not on every rerun."""
    engine = db.get_engine(app_env)
    seed_demo(engine, contacts=300, seed=2)
    monkeypatch.setattr(dashboard_data, "current_as_of", lambda: AS_OF)
    released = []
    monkeypatch.setattr(dashboard_data, "release_freed_memory", lambda: released.append(1) or True)
    dashboard_data.scored_data(engine)
    first = len(released)
    assert first >= 1
    dashboard_data.scored_data(engine)  # a rerun with nothing changed
    assert len(released) == first
    _save_contact_as_auditor(engine)
    dashboard_data.scored_data(engine)
    assert len(released) > first


def test_the_filtered_frames_of_a_replaced_snapshot_are_dropped(monkeypatch):
    """A filtered frame of every row is large: the first filter asked of a newer snapshot drops
    the older snapshot's, at most ``FILTERS_KEPT`` are kept, and a page run still on the older
    snapshot gets its frame without taking the cache back."""
    made = []

    def fake_filter(contacts, flt, **_):
        made.append((contacts, flt))
        return pd.DataFrame({"made": [len(made)]})

    monkeypatch.setattr(dashboard_data, "apply_filter", fake_filter)
    held = dashboard_data._FilteredFrames()
    old, new = ("db", (1,), AS_OF), ("db", (2,), AS_OF)
    everyone, email = ContactFilter(), ContactFilter(channels=("email",))
    first = held.get(old, everyone, "old rows")
    assert held.get(old, everyone, "old rows") is first and len(made) == 1  # kept
    held.get(old, email, "old rows")
    assert len(held.frames) == 2

    newer = held.get(new, everyone, "new rows")
    assert newer is not first and made[-1] == ("new rows", everyone)
    assert held.key == new and list(held.frames) == [everyone]  # the older snapshot's are gone

    late = held.get(old, email, "old rows")  # a page run that began before the save
    assert made[-1] == ("old rows", email) and late is not None
    assert held.key == new and list(held.frames) == [everyone]
    assert held.get(new, everyone, "new rows") is newer

    for channel in ("a", "b", "c", "d", "e"):
        held.get(new, ContactFilter(channels=(channel,)), "new rows")
    assert len(held.frames) == dashboard_data.FILTERS_KEPT
    assert everyone not in held.frames  # the least recently used went first
