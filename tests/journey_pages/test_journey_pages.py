"""The journeys page in AppTest: create, validation by row, versioning keeps scores, archive, JSON."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select
from streamlit.testing.v1 import AppTest

from data import db
from data.db import session_scope
from journeys.accounts.users import get_user
from journeys.catalogue.journey_editing import journey_from_json, journey_in_from_db, journey_to_json
from journeys.errors import ValidationError
from journeys.fieldwork.contacts import AnswerIn, ContactStart, applicable_criteria, save_contact, start_contact
from journeys.fieldwork.frames import ContactFilter, read_answers, read_contacts, read_criteria
from journeys.models import ChecklistVersion, Contact, Criterion, Journey, JourneyChannel
from scoring.quality import score_contacts
from tests.apptest import open_page
from tests.shown import shown
from ui.session import SignedInUser


def _row(code, text="Did something", **extra):
    row = {"code": code, "text": text, "section": "Answer", "kind": "yesno", "weight": 1.0, "na_allowed": True,
           "critical_policy": "none", "bonus": False, "channels": ""}
    row.update(extra)
    return row


def _admin(app_env) -> SignedInUser:
    """The admin ``world_env`` adds: only admins define journeys (journeys.accounts.access.JOURNEY_ADMINS)."""
    with session_scope(db.get_engine(app_env)) as session:
        admin = get_user(session=session, username="admin")
        return SignedInUser(admin.id, admin.username, admin.display_name, admin.role)


def _page(app_env, **state) -> AppTest:
    return open_page("journey_admin", _admin(app_env), **state)


def _create(app_env, rows, name="Ask about opening hours", channels=("phone", "email", "twitter")) -> AppTest:
    at = _page(app_env)
    at.text_input(key="new_0_name").set_value(name)
    at.multiselect(key="new_0_channels").set_value(list(channels))
    at.run()
    at.session_state["new_0_checklist_0"] = {"edited_rows": {}, "added_rows": rows, "deleted_rows": []}
    at.button(key="new_create").click().run()
    assert not at.exception
    return at


def test_create_journey_on_three_channels_with_five_criteria(world_env):
    """A journey typed into the page is stored with its channels, default targets and checklist."""
    at = _create(world_env, [_row(f"Q{i}") for i in range(1, 6)])
    assert "created" in at.success[0].value
    with session_scope(db.get_engine(world_env)) as session:
        journey = session.exec(select(Journey).where(Journey.name == "Ask about opening hours")).one()
        links = session.exec(select(JourneyChannel).where(JourneyChannel.journey_id == journey.id)).all()
        assert len(links) == 3 and {link.first_response_target_seconds for link in links} == {20, 4 * 3600, 3600}
        assert len(journey_in_from_db(session=session, journey_id=journey.id).criteria) == 5


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ([_row("Q1"), _row("Q1")], "row 2, code: duplicates the code of row 1"),
        ([_row("Q1"), _row("Q2", text="")], "row 2, text: must not be empty"),
        ([_row("Q1", weight=-1.0)], "row 1, weight: must be a number of at least 0"),
        ([_row("Q1", kind="scale", scale_min=5.0, scale_max=1.0)], "row 1, scale_max: must be greater than scale_min"),
        ([_row("Q1", bonus=True, critical_policy="zero_contact")], "row 1, critical_policy: a bonus item cannot be critical"),
        ([_row("Q1", channels="fax")], "row 1, channels: not a channel of this journey"),
    ],
)
def test_checklist_errors_name_the_row(world_env, rows, expected):
    """Each checklist problem is shown with its row and field, and nothing is created."""
    at = _create(world_env, rows)
    assert any(expected in shown(e.value) for e in at.error), [e.value for e in at.error]
    with session_scope(db.get_engine(world_env)) as session:
        assert session.exec(select(Journey).where(Journey.name == "Ask about opening hours")).first() is None


def _score(url: str, contact_id: int) -> float:
    engine = db.get_engine(url)
    # the contact is still being logged (open): read as the agency reads unreleased contacts
    contacts = read_contacts(engine, ContactFilter(contact_ids=(contact_id,), include_unreleased=True))
    return float(score_contacts(contacts, read_answers(engine, [contact_id]),
                                read_criteria(engine, contacts["version_id"]))["final_score"].iloc[0])


def test_editing_a_used_checklist_creates_a_version_and_keeps_scores(world_env):
    """A contact scores 50.0 before and after its journey's checklist is re-weighted: it keeps version 1."""
    engine = db.get_engine(world_env)
    with session_scope(engine) as session:
        journey = session.exec(select(Journey)).one()
        auditor = SignedInUser(1, "auditor1", "A", "auditor")
        contact = start_contact(session=session, actor=auditor, start=ContactStart(
            journey_id=journey.id, brand_id=1, channel_id=session.exec(select(JourneyChannel.channel_id)).first(),
            started_at=datetime.now(UTC) - timedelta(hours=1)))
        criteria = applicable_criteria(session, contact)
        values = [1.0, 0.0] + [None] * (len(criteria) - 2)
        save_contact(session=session, actor=auditor, contact_id=contact.id, answers=[
            AnswerIn(c.id, v, v is None) for c, v in zip(criteria, values, strict=True)])
        contact_id, journey_id = contact.id, journey.id
    before = _score(world_env, contact_id)
    assert before == 50.0
    at = _page(world_env)
    at.session_state[f"edit_{journey_id}_checklist_0"] = {
        "edited_rows": {0: {"weight": 3.0}}, "added_rows": [], "deleted_rows": []}
    at.run()
    at.button(key="edit_save").click().run()
    assert not at.exception and "Journey saved" in at.success[0].value
    with session_scope(engine) as session:
        versions = session.exec(select(ChecklistVersion).where(ChecklistVersion.journey_id == journey_id)).all()
        assert [v.number for v in versions] == [1, 2]
        assert session.get(Contact, contact_id).checklist_version_id == versions[0].id
        new_weights = session.exec(select(Criterion.weight).where(Criterion.version_id == versions[1].id)
                                   .order_by(Criterion.position)).all()
        assert new_weights[0] == 3.0
    assert _score(world_env, contact_id) == before == 50.0
    versions_table = next(d.value for d in at.dataframe if list(d.value.columns)[:2] == ["version", "created"])
    assert versions_table["contacts"].tolist() == [1, 0]


def test_archive_hides_the_journey_from_logging(world_env):
    """An archived journey cannot be used for a new contact but stays listed."""
    at = _page(world_env)
    at.button(key="edit_archive").click().run()
    assert "archived" in at.success[0].value
    engine = db.get_engine(world_env)
    with session_scope(engine) as session:
        journey = session.exec(select(Journey)).one()
        assert journey.status == "archived"
        with pytest.raises(ValidationError, match="choose an active journey"):
            start_contact(session=session, actor=SignedInUser(1, "auditor1", "A", "auditor"), start=ContactStart(
                journey_id=journey.id, brand_id=1, channel_id=1))


def test_json_round_trip_and_bad_documents(world_env):
    """Export → import gives the same journey; a broken document names the place of each problem."""
    with session_scope(db.get_engine(world_env)) as session:
        original = journey_in_from_db(session=session, journey_id=session.exec(select(Journey.id)).first())
    assert journey_from_json(journey_to_json(original)) == original
    with pytest.raises(ValidationError) as caught:
        journey_from_json('{"format": "klantreis-journey/1", "name": "X", "channels": [{"channel": "phone"}],'
                          ' "criteria": [{"code": "A", "text": "t", "weight": "heavy"}, {"code": "A", "text": ""}]}')
    text = str(caught.value)
    assert "criteria[0].weight: must be a number" in text and "criteria[1].text: must be text and not empty" in text
    with pytest.raises(ValidationError, match="file: is not valid JSON"):
        journey_from_json("{not json")
    at = _page(world_env)
    assert [b for b in at.get("download_button") if b.proto.label == "Download JSON"]


def test_managers_cannot_change_journeys(world_env):
    """Journey services refuse a manager (read-only role) for every change."""
    from journeys.catalogue.journey_editing import delete_journey, new_journey, set_archived, update_journey
    from journeys.errors import PermissionDenied

    manager = SignedInUser(9, "boss", "Boss", "manager")
    with session_scope(db.get_engine(world_env)) as session:
        journey_id = session.exec(select(Journey.id)).first()
        spec = journey_in_from_db(session=session, journey_id=journey_id)
        for attempt in (lambda: new_journey(session=session, actor=manager, journey_in=spec),
                        lambda: update_journey(session=session, actor=manager, journey_id=journey_id, journey_in=spec),
                        lambda: set_archived(session=session, actor=manager, journey_id=journey_id, archived=True),
                        lambda: delete_journey(session=session, actor=manager, journey_id=journey_id)):
            with pytest.raises(PermissionDenied):
                attempt()
