"""AppTest of the release panel on the Waves and plan page: counts per status, the settings, and
releasing a wave's approved contacts behind a confirmation (SQLite and PostgreSQL)."""

import pytest
from sqlmodel import select

from data import db
from journeys.fieldwork.waves import close_wave
from journeys.models import Contact, ReviewEvent, Role, User, Wave
from tests.apptest import open_page
from tests.release.mixed import build_mixed
from tests.shown import shown


@pytest.fixture
def waves(app_env, engine):
    """The mixed database (7 released, 2 approved, 2 submitted, 1 returned) and a manager."""
    made = build_mixed(engine)
    with db.session_scope(engine) as session:
        manager = User(username="planner", role=Role.MANAGER.value)
        session.add(manager)
        session.flush()
        session.expunge_all()
    made["manager"] = manager
    return made


def _release_button(at):
    return next(b for b in at.button if b.label.startswith("Release "))


def _statuses(engine) -> dict[str, int]:
    with db.session_scope(engine) as session:
        found: dict[str, int] = {}
        for contact in session.exec(select(Contact)).all():
            found[contact.review_status] = found.get(contact.review_status, 0) + 1
        return found


def test_the_panel_counts_and_releases_the_approved_contacts_after_confirmation(waves, engine):
    """Counts per status with n; 'Release 2 approved contacts' needs the confirmation, then releases them."""
    at = open_page("study_waves", waves["manager"])
    counts = at.dataframe[1].value
    assert dict(zip(counts["Status"], counts["Contacts"], strict=True)) == {
        "Being logged": 0, "Submitted for review": 2, "Returned for revision": 1,
        "Approved, not yet released": 2, "Released": 7}
    assert "n = 12 contacts in this wave (drafts included)." in [c.value for c in at.caption]
    assert any(i.value.startswith("Not released yet") for i in at.info)
    button = _release_button(at)
    assert button.label == "Release 2 approved contacts" and button.disabled
    at.checkbox(key=f"waves_release_sure_{_wave_id(engine)}").check().run()
    _release_button(at).click().run()
    assert not at.exception, at.exception
    assert "2 contacts of 2026-Q1 released to the client." in [shown(s.value) for s in at.success]
    assert _statuses(engine) == {"released": 9, "submitted": 2, "returned": 1}
    assert any(i.value.startswith("Released to the client on ") for i in at.info)
    assert "No approved contacts wait for release." in [c.value for c in at.caption]


def _wave_id(engine) -> int:
    with db.session_scope(engine) as session:
        return session.exec(select(Wave.id).where(Wave.name == "2026-Q1")).one()


def test_the_panel_saves_the_settings_and_continuous_releases_at_once(waves, engine):
    """Choosing continuous and 14 days saves both and releases the two approved contacts."""
    wave_id = _wave_id(engine)
    at = open_page("study_waves", waves["manager"])
    at.radio(key=f"waves_release_mode_{wave_id}").set_value("continuous")
    at.number_input(key=f"waves_appeal_days_{wave_id}").set_value(14)
    next(b for b in at.button if b.label == "Save release settings").click().run()
    assert not at.exception, at.exception
    assert "Release settings of 2026-Q1 saved. 2 approved contacts released." in [shown(s.value) for s in at.success]
    with db.session_scope(engine) as session:
        wave = session.get(Wave, wave_id)
        assert (wave.release_mode, wave.appeal_days) == ("continuous", 14)
        assert len(session.exec(select(ReviewEvent)).all()) == 2
    assert _statuses(engine)["released"] == 9


def test_a_closed_wave_can_still_be_released_on_the_page(waves, engine):
    """Closing is about fieldwork: the release panel of a closed wave still releases."""
    wave_id = _wave_id(engine)
    with db.session_scope(engine) as session:
        close_wave(session=session, actor=waves["manager"], wave_id=wave_id)
    at = open_page("study_waves", waves["manager"])
    at.checkbox(key=f"waves_release_sure_{wave_id}").check().run()
    _release_button(at).click().run()
    assert not at.exception, at.exception
    assert _statuses(engine)["released"] == 9
