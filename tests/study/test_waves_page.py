"""AppTest of the Waves and plan page: creating and closing a wave, the quick fill and one line's change."""

from datetime import date

import pytest
from sqlmodel import select

from data import db
from journeys.catalogue.reference import get_or_create_location
from journeys.models import Assignment, PlanLine, Role, User, Wave
from tests.apptest import open_page
from tests.factories import make_world


@pytest.fixture
def study(app_env, engine):
    """The factory world, two locations of its brand, and a manager and an auditor account."""
    with db.session_scope(engine) as session:
        world = make_world(session)
        for name in ("Utrecht", "Breda"):
            get_or_create_location(session=session, brand=world["brand"], name=name)
        manager = User(username="planner", role=Role.MANAGER.value)
        session.add(manager)
        session.flush()
        session.expunge_all()
    return dict(world=world, manager=manager)


def _by_label(widgets, label):
    return next(w for w in widgets if w.label == label)


def _count(engine, model):
    with db.session_scope(engine) as session:
        return len(session.exec(select(model)).all())


def test_create_a_wave(study, engine):
    """The form's Wave name, dates and Create wave add a wave; an empty name is refused on the page."""
    at = open_page("study_waves", study["manager"])
    _by_label(at.button, "Create wave").click().run()
    assert not at.exception
    assert any("must not be empty" in e.value for e in at.error)
    _by_label(at.text_input, "Wave name").input("2026-Q2")
    _by_label(at.date_input, "Start").set_value(date(2026, 4, 1))
    _by_label(at.date_input, "End").set_value(date(2026, 6, 30))
    _by_label(at.button, "Create wave").click().run()
    assert not at.exception
    assert any("created" in s.value for s in at.success), [e.value for e in at.error]
    with db.session_scope(engine) as session:
        assert session.exec(select(Wave).where(Wave.name == "2026-Q2")).one().ends_on == date(2026, 6, 30)


def test_quick_fill_then_change_and_close(study, engine):
    """Add to plan with Contacts per cell 3 on phone fills every location; a line changes; closing freezes."""
    at = open_page("study_waves", study["manager"])
    quota_channels = [m for m in at.multiselect if m.label == "Channels"][-1]
    quota_channels.set_value([study["world"]["channels"]["phone"].id])
    _by_label(at.number_input, "Contacts per cell").set_value(3)
    _by_label(at.button, "Add to plan").click().run()
    assert not at.exception, at.exception
    assert any("2 added" in s.value for s in at.success), [s.value for s in at.success]
    assert _count(engine, PlanLine) == 2 and _count(engine, Assignment) == 6
    assert at.dataframe[-1].value.shape[0] == 2
    planned = [n for n in at.number_input if n.label == "Planned contacts"][0]
    planned.set_value(1)
    _by_label(at.button, "Save line").click().run()
    assert not at.exception
    assert _count(engine, Assignment) == 4
    [c for c in at.checkbox if c.label.startswith("I understand")][0].check().run()
    _by_label(at.button, "Close wave").click().run()
    assert not at.exception
    with db.session_scope(engine) as session:
        assert session.exec(select(Wave)).one().closed_at is not None
    assert any("closed" in i.value for i in at.info)


def test_an_auditor_cannot_open_it(study, engine):
    """The page refuses an auditor (the services would refuse too)."""
    at = open_page("study_waves", study["world"]["auditor"])
    assert not at.dataframe and not [b for b in at.button if b.label == "Create wave"]


def test_start_form_offers_open_waves_only(study, engine):
    """After closing 2026-Q1 the auditor's start form no longer offers it; an open wave stays."""
    from journeys.fieldwork.waves import close_wave, create_wave

    with db.session_scope(engine) as session:
        manager = session.get(User, study["manager"].id)
        create_wave(session=session, actor=manager, name="2026-Q2", starts_on=date(2026, 4, 1),
                    ends_on=date(2026, 6, 30))
        close_wave(session=session, actor=manager, wave_id=study["world"]["wave"].id)
    at = open_page("contacts_mine", study["world"]["auditor"])
    options = at.selectbox(key="new_wave").options
    assert "2026-Q2" in options and "2026-Q1" not in options
