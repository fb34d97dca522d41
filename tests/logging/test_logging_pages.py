"""The logging pages in AppTest: validation messages name the field; an e-mail contact is
completed over two separate sessions."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select
from streamlit.testing.v1 import AppTest

from data import db
from data.db import session_scope
from journeys.fieldwork.contacts import ContactStart, start_contact
from journeys.models import Contact
from tests.apptest import open_page
from tests.factories import make_world
from tests.shown import shown
from ui.session import SignedInUser

LOCAL = ZoneInfo("Europe/Amsterdam")


@pytest.fixture
def logged(app_env):
    """A world with an e-mail contact sent two hours ago by auditor1; returns (url, auditor, contact id)."""
    engine = db.get_engine(app_env)
    with session_scope(engine) as session:
        world = make_world(session)
        auditor = SignedInUser(world["auditor"].id, "auditor1", "Auditor One", "auditor")
        contact = start_contact(session=session, actor=auditor, start=ContactStart(
            journey_id=world["journey"].id, brand_id=world["brand"].id, channel_id=world["channels"]["email"].id,
            started_at=datetime.now(UTC) - timedelta(hours=2)))
        return app_env, auditor, contact.id


def _contact(url: str, contact_id: int) -> Contact:
    with session_scope(db.get_engine(url)) as session:
        return session.get(Contact, contact_id)


def test_email_contact_completed_over_two_sessions(logged):
    """Sent in one session, first response recorded in a second, resolution in a third: all kept."""
    url, auditor, contact_id = logged
    first = open_page("contact_log", auditor, log_contact_id=contact_id)
    first.button(key="now_first_response").click().run()
    assert not first.exception
    assert _contact(url, contact_id).first_response_at is not None
    assert _contact(url, contact_id).resolved_at is None

    second = open_page("contact_log", auditor, log_contact_id=contact_id)  # a new browser session, same contact
    assert not [b for b in second.button if b.key == "now_first_response"]
    second.button(key="now_resolved").click().run()
    assert not second.exception
    contact = _contact(url, contact_id)
    assert contact.started_at < contact.first_response_at <= contact.resolved_at
    mine = open_page("contacts_mine", auditor)
    assert "Waiting for a response (0)" in [s.value for s in mine.subheader]


def _set_time(at: AppTest, key: str, when: datetime) -> None:
    local = when.astimezone(LOCAL)
    at.date_input(key=f"{key}_d").set_value(local.date())
    at.time_input(key=f"{key}_t").set_value(local.time().replace(second=0, microsecond=0))


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda at, c: _set_time(at, "t_first", c.started_at - timedelta(hours=1)),
         "First response: is before the start of the contact"),
        (lambda at, c: (_set_time(at, "t_first", c.started_at + timedelta(minutes=30)),
                        _set_time(at, "t_res", c.started_at + timedelta(minutes=10))),
         "Resolved: is before the first response"),
        (lambda at, c: _set_time(at, "t_first", datetime.now(UTC) + timedelta(days=1)),
         "First response: lies in the future"),
        (lambda at, c: at.number_input(key="t_wait").set_value(-5.0), "Waiting time: must not be negative"),
    ],
)
def test_time_corrections_show_the_field_and_reason(logged, edit, expected):
    """Each impossible time typed by hand is refused with a message naming the field; nothing is saved."""
    url, auditor, contact_id = logged
    at = open_page("contact_log", auditor, log_contact_id=contact_id)
    edit(at, _contact(url, contact_id))
    at.button(key="FormSubmitter:times-Save times").click().run()
    assert not at.exception
    assert any(expected in shown(e.value) for e in at.error), [e.value for e in at.error]
    assert _contact(url, contact_id).first_response_at is None


def test_missing_checklist_items_are_named(logged):
    """Saving the assessment with items unanswered names each missing item and saves nothing."""
    url, auditor, contact_id = logged
    at = open_page("contact_log", auditor, log_contact_id=contact_id)
    at.text_area(key="a_notes").set_value("tried to save early")
    at.button(key="a_save").click().run()
    errors = " ".join(shown(e.value) for e in at.error)
    assert "checklist item C1: has no answer" in errors and "checklist item C3: has no answer" in errors
    assert _contact(url, contact_id).notes == ""


def test_complete_assessment_shows_the_score(logged):
    """Answering every item and saving shows the contact's score from scoring/."""
    url, auditor, contact_id = logged
    at = open_page("contact_log", auditor, log_contact_id=contact_id)
    for control in at.get("button_group"):
        if control.key.startswith("a_c"):
            control.set_value("Yes" if control.key.endswith(("1", "3")) else "No")
    at.button(key="a_save").click().run()
    assert not at.exception
    assert any("Assessment saved. Score" in s.value for s in at.success), [e.value for e in at.error]


def test_another_auditor_cannot_open_the_contact(logged):
    """An auditor opening someone else's contact sees a refusal and no contact data."""
    url, _, contact_id = logged
    stranger = SignedInUser(999, "auditor9", "Stranger", "auditor")
    at = open_page("contact_log", stranger, log_contact_id=contact_id)
    assert "belongs to another auditor" in at.error[0].value
    assert not at.get("text_area")
    with session_scope(db.get_engine(url)) as session:
        assert session.exec(select(Contact)).one().notes == ""


def test_sent_time_in_the_future_is_refused_on_start(logged):
    """Starting an e-mail contact 'sent' tomorrow is refused with the field named; no contact is added."""
    url, auditor, _ = logged
    at = open_page("contacts_mine", auditor)
    at.selectbox(key="new_channel").select_index(
        next(i for i, c in enumerate(at.selectbox(key="new_channel").options) if "mail" in c.lower())).run()
    at.button_group(key="new_when").set_value("Another time").run()
    _set_time(at, "new_sent", datetime.now(UTC) + timedelta(days=1))
    at.selectbox(key="new_wave").set_value(0).run()  # "No wave": no wave of the test world covers tomorrow
    at.button(key="new_start").click().run()
    assert not at.exception
    assert any("Start: lies in the future" in shown(e.value) for e in at.error), [e.value for e in at.error]
    with session_scope(db.get_engine(url)) as session:
        assert len(session.exec(select(Contact)).all()) == 1


def test_a_correction_after_saving_is_in_the_shown_history(logged):
    """Correcting a recorded first response by hand shows old → new in the contact's change history."""
    url, auditor, contact_id = logged
    at = open_page("contact_log", auditor, log_contact_id=contact_id, log_show_saved=True)
    at.button(key="now_first_response").click().run()
    recorded = _contact(url, contact_id).first_response_at
    corrected = _contact(url, contact_id).started_at + timedelta(minutes=45)
    _set_time(at, "t_first", corrected)
    at.button(key="FormSubmitter:times-Save times").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    history = at.dataframe[-1].value
    row = history[history["Field"] == "First response"].iloc[-1]
    assert (row["Before"], row["After"]) == tuple(t.astimezone(LOCAL).strftime("%a %d %b %Y %H:%M:%S") for t in (
        recorded, _contact(url, contact_id).first_response_at))
    assert abs(_contact(url, contact_id).first_response_at - corrected) < timedelta(minutes=1)
