"""The Action plan page (AppTest): a client sees and works its own actions, never brand B's; a
manager verifies; the address ``?action=ID`` opens one, also through signing in."""

import pytest
from sqlmodel import Session

from data import db
from data.db import read_scope, write_scope
from journeys.accounts.users import create_user
from journeys.actions import items
from journeys.models import ActionItem, ClientGrant
from tests.action_items.conftest import build
from tests.apptest import app_test, as_user, open_page
from tests.shown import shown

MARKDOWN_COMMENT = "[click](http://evil.example) **bold**"


@pytest.fixture
def seeded(app_env):
    engine = db.get_engine(app_env)
    with Session(engine, expire_on_commit=False) as session:
        w = build(session)
        session.commit()
    w["engine"] = engine
    return w


def _texts(at) -> str:
    parts = [e.value for e in (*at.markdown, *at.caption, *at.text, *at.info, *at.success, *at.error, *at.warning, *at.subheader)]
    parts += [str(df.value.to_dict()) for df in at.dataframe]
    parts += [str(o) for box in at.selectbox for o in box.options]
    parts += [str(m.label) + str(m.value) for m in at.metric]
    return shown("\n".join(str(p) for p in parts))


def test_client_sees_its_actions_not_brand_b(seeded):
    """The client's page lists A's two actions with headline counts; nothing names brand B."""
    at = open_page("action_plan", seeded["client"])
    texts = _texts(at)
    assert "Brand B" not in texts and "Secret store" not in texts
    listing = at.dataframe[1].value
    assert set(listing["Action"]) == {seeded["action"].id, seeded["score_action"].id}
    assert {m.label: m.value for m in at.metric} == {"Open": "1", "Overdue": "1", "Done": "1", "Verified": "0"}
    assert "Knock-out item 'Criterion 2' failed" in texts


def test_client_opens_by_link_starts_comments_and_finishes(seeded):
    """?action=ID opens the action; Start, a comment (shown as text) and Mark done are saved."""
    action_id = seeded["action"].id
    at = as_user(app_test("pages/action_plan.py"), seeded["client"])
    at.query_params["action"] = str(action_id)
    at.run()
    assert not at.exception, at.exception
    assert f"Action {action_id}" in _texts(at)
    at.button(key=f"action_move_{action_id}_start").click().run()
    assert not at.exception, at.exception
    at.text_area(key=f"action_comment_{action_id}_text").input(MARKDOWN_COMMENT)
    at.button(key=f"action_comment_{action_id}_submit").click().run()
    assert any(MARKDOWN_COMMENT == t.value for t in at.text)
    assert not [b for b in at.button if b.key == f"action_move_{action_id}_verify"]  # not the client's move
    at.button(key=f"action_move_{action_id}_done").click().run()
    with read_scope(seeded["engine"]) as s:
        assert s.get(ActionItem, action_id).status == "done"


def test_client_link_to_brand_b_is_refused_without_name(seeded):
    """A link to brand B's action is refused in a sentence that names no brand."""
    at = as_user(app_test("pages/action_plan.py"), seeded["client"])
    at.query_params["action"] = str(seeded["action_b"].id)
    at.run()
    texts = _texts(at)
    assert f"Action {seeded['action_b'].id} is not among your actions." in texts
    assert "Brand B" not in texts and "Secret" not in texts


def test_manager_verifies(seeded):
    """The manager opens the done action from the list and verifies it."""
    at = open_page("action_plan", seeded["manager"])
    assert "Brand B" in _texts(at)
    at.query_params["action"] = str(seeded["score_action"].id)
    at.run()
    at.button(key=f"action_move_{seeded['score_action'].id}_verify").click().run()
    assert not at.exception, at.exception
    with read_scope(seeded["engine"]) as s:
        action = s.get(ActionItem, seeded["score_action"].id)
    assert (action.status, action.verified_by_id) == ("verified", seeded["manager"].id)


def test_send_back_needs_a_reason_on_the_page(seeded):
    """Send back without a reason shows the field's problem; nothing changes."""
    at = as_user(app_test("pages/action_plan.py"), seeded["manager"])
    at.query_params["action"] = str(seeded["score_action"].id)
    at.run()
    at.button(key=f"action_move_{seeded['score_action'].id}_send_back").click().run()
    assert "reason: is required" in shown(" ".join(e.value for e in at.error))
    with read_scope(seeded["engine"]) as s:
        assert s.get(ActionItem, seeded["score_action"].id).status == "done"


def test_filters_and_downloads(seeded):
    """Overdue only narrows the list; the downloads are offered."""
    at = open_page("action_plan", seeded["manager"])
    at.checkbox(key="action_plan_overdue").check().run()
    assert len(at.dataframe[1].value) == len(items.action_list(seeded["engine"], seeded["manager"],
                                                                only_overdue=True))
    assert at.get("download_button")


def test_link_survives_signing_in(seeded):
    """A link remembered while signed out (the frame keeps /action_plan?action=ID) lands on the action
    after signing in, its query parameter passed on."""
    with write_scope(seeded["engine"]) as s:
        person = create_user(session=s, username="client_link", role="client", password="client-link-pass")
        s.add(ClientGrant(user_id=person.id, brand_id=seeded["brand"].id))
    at = app_test()
    at.query_params["action"] = str(seeded["action"].id)
    at.run()
    assert not at.exception, at.exception
    from ui.session import DEEP_LINK_KEY

    at.session_state[DEEP_LINK_KEY] = ("action_plan", {"action": str(seeded["action"].id)})
    at.text_input[0].input("client_link")
    at.text_input[1].input("client-link-pass")
    at.button[0].click().run()
    assert not at.exception, at.exception
    assert f"Action {seeded['action'].id}" in _texts(at)


def test_manager_sets_owner_and_due_date(seeded):
    """The manager gives the action to A's client and moves its due date, in one save."""
    from datetime import date

    action_id = seeded["score_action"].id
    at = as_user(app_test("pages/action_plan.py"), seeded["manager"])
    at.query_params["action"] = str(action_id)
    at.run()
    at.selectbox(key=f"action_plan_{action_id}_owner").set_value(seeded["client"].id)
    at.date_input(key=f"action_plan_{action_id}_due").set_value(date(2026, 6, 1))
    at.button(key=f"action_plan_{action_id}_save").click().run()
    assert not at.exception, at.exception
    with read_scope(seeded["engine"]) as s:
        action = s.get(ActionItem, action_id)
    assert (action.owner_id, action.due_on) == (seeded["client"].id, date(2026, 6, 1))


def test_a_link_opened_before_the_frame_is_remembered(seeded):
    """A page opened straight from a mail's link, before the frame ran, keeps the link's parameters
    for after signing in."""
    from ui.session import DEEP_LINK_KEY, RETURN_TO_KEY

    at = app_test("pages/action_plan.py")
    at.query_params["action"] = "7"
    at.run()
    assert at.session_state[RETURN_TO_KEY] == "pages/action_plan.py"
    assert at.session_state[DEEP_LINK_KEY] == ("action_plan", {"action": "7"})
