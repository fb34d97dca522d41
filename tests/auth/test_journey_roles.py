"""Who defines journeys: admins only (journeys.accounts.access.JOURNEY_ADMINS), in the services, the menu and
the page guard; auditors log against journeys and still see them where they log."""


import pytest
from sqlmodel import select

from data import db
from journeys.catalogue.journey_editing import (
    copy_journey,
    delete_journey,
    journey_in_from_db,
    new_journey,
    set_archived,
    update_journey,
)
from journeys.errors import PermissionDenied
from journeys.models import ChangeLog, Journey, JourneyStatus
from tests.apptest import open_page, sign_in
from tests.factories import journey_in

CHANGES = {
    "create": lambda s, actor, journey_id: new_journey(session=s, actor=actor, journey_in=journey_in(name="Brand new")),
    "edit": lambda s, actor, journey_id: update_journey(
        session=s, actor=actor, journey_id=journey_id,
        journey_in=journey_in_from_db(session=s, journey_id=journey_id)),
    "copy": lambda s, actor, journey_id: copy_journey(session=s, actor=actor, journey_id=journey_id, name="A copy"),
    "archive": lambda s, actor, journey_id: set_archived(session=s, actor=actor, journey_id=journey_id, archived=True),
    "delete": lambda s, actor, journey_id: delete_journey(session=s, actor=actor, journey_id=journey_id),
}


@pytest.mark.parametrize("who", ["auditor", "auditor2", "manager"])
@pytest.mark.parametrize("change", list(CHANGES))
def test_only_admins_change_journeys(engine, people, who, change):
    """An auditor (or a manager) is refused creating, editing, copying, archiving and deleting a
    journey, and nothing is written."""
    with db.session_scope(engine) as session:
        spare = new_journey(session=session, actor=people["admin"], journey_in=journey_in(name="No contacts yet"))
    with db.session_scope(engine) as session, pytest.raises(PermissionDenied, match=f"Your role \\({people[who].role}\\)"):
        CHANGES[change](session, people[who], spare.id)
    with db.session_scope(engine) as session:
        journeys = {j.name: j.status for j in session.exec(select(Journey)).all()}
        logged = session.exec(select(ChangeLog).where(ChangeLog.entity == "journey")).all()
    assert journeys == {people["journey"].name: JourneyStatus.ACTIVE, "No contacts yet": JourneyStatus.ACTIVE}
    assert [entry.user_id for entry in logged] == [people["admin"].id]  # only the admin's creation


@pytest.mark.parametrize("change", list(CHANGES))
def test_admins_change_journeys(engine, people, change):
    """The admin may create, edit, copy, archive and delete journeys (each logged in their name)."""
    with db.session_scope(engine) as session:
        spare = new_journey(session=session, actor=people["admin"], journey_in=journey_in(name="No contacts yet"))
    with db.session_scope(engine) as session:
        CHANGES[change](session, people["admin"], spare.id)
    with db.session_scope(engine) as session:
        logged = session.exec(select(ChangeLog).where(ChangeLog.entity == "journey")).all()
    assert len(logged) == 2 and {entry.user_id for entry in logged} == {people["admin"].id}


@pytest.mark.parametrize(("username", "password", "has_journeys"), [
    ("auditor1", "auditor1-pass", False), ("manager", "manager-pass", False), ("admin", "admin-pass1", True),
])
def test_the_journeys_menu_entry_follows_the_role(app_env, people, username, password, has_journeys):
    """Only an admin's menu holds Journeys; for anyone else AppTest cannot even switch to it."""
    at = sign_in(username, password)
    if has_journeys:
        at.switch_page("pages/journey_admin.py").run()
        assert not at.exception and [t.value for t in at.title] == ["Journeys"]
    else:
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page("pages/journey_admin.py")


def test_a_typed_journeys_url_refuses_an_auditor(app_env, people):
    """An auditor who types /journey_admin gets a refusal and none of the journeys page."""
    at = open_page("journey_admin", people["auditor"])
    assert at.error[0].value == "Your role (auditor) does not give access to Journeys."
    assert not at.dataframe and not at.button and not at.tabs


def test_auditors_still_see_the_journeys_they_log_against(app_env, people):
    """My contacts offers an auditor every active journey with the question to ask."""
    at = sign_in("auditor1", "auditor1-pass")
    at.switch_page("pages/contacts_mine.py").run()
    assert not at.exception
    assert at.selectbox(key="new_journey").options == [people["journey"].name]
    assert f"Ask: {people['journey'].question}" in [c.value for c in at.caption]
