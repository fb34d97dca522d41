"""From an alert mail's link to a verified action, in a real browser: a client user opens
``/action_plan?action=ID`` signed out, signs in and lands on the action, starts it, comments and
marks it done; the manager opens the same link and verifies it."""

from datetime import UTC, date, datetime, timedelta

import pytest
from playwright.sync_api import expect
from sqlmodel import Session

from data import db
from journeys.accounts.grants import GrantSpec, set_client_grants
from journeys.accounts.users import create_user
from journeys.models import ActionItem, ActionRule, Location
from tests.e2e.conftest import AppServer, click_button, sign_in, wait_for_app
from tests.factories import make_contact, make_world

COMMENT = "New greeting script in the shop from Monday"


@pytest.fixture(scope="module")
def app_server(tmp_path_factory):
    """One brand with a released contact and one overdue action on it; a client user of the brand and a manager."""
    server = AppServer(tmp_path_factory.mktemp("actions"), seed_contacts=None)
    engine = db.get_engine(server.url_db)
    with Session(engine) as session:
        world = make_world(session)
        admin = create_user(session=session, username="admin", role="admin", password="admin-demo")
        create_user(session=session, username="manager", role="manager", password="manager-demo",
                    display_name="Manager")
        client = create_user(session=session, username="klant", role="client", password="klant-demo",
                             display_name="Klant")
        location = Location(brand_id=world["brand"].id, name="Centrum")
        session.add(location)
        session.flush()
        set_client_grants(session=session, actor=admin, user_id=client.id, grants=[GrantSpec(brand="Koopklik")])
        contact = make_contact(world, location_id=location.id,
                               released_at=datetime.now(UTC) - timedelta(days=1))
        rule = ActionRule(kind="score", threshold=60.0)
        session.add_all([contact, rule])
        session.flush()
        action = ActionItem(rule_id=rule.id, finding_key="e2e", kind="score", measured=42.0, threshold=60.0,
                            contact_id=contact.id, brand_id=world["brand"].id, location_id=location.id,
                            journey_id=world["journey"].id, wave_id=world["wave"].id, owner_id=client.id,
                            due_on=date.today() - timedelta(days=2))
        session.add(action)
        session.commit()
        server.action_id = action.id
    db.dispose_engines()
    server.start()
    yield server
    server.stop()


def _open_link(page, base_url: str, action_id: int, username: str) -> None:
    page.goto(f"{base_url}/action_plan?action={action_id}")
    wait_for_app(page)
    sign_in(page, username)
    expect(page.get_by_role("heading", name=f"Action {action_id}", exact=True)).to_be_visible(timeout=30_000)


def test_client_works_the_action_from_the_link_and_the_manager_verifies(page, app_server):
    """Signed out on the mail's link: after signing in the action is open; Start, a comment, Mark done;
    then the manager, by the same link, verifies it."""
    action_id = app_server.action_id
    _open_link(page, app_server.base_url, action_id, "klant")
    expect(page.get_by_test_id("stMarkdownContainer").get_by_text("Score 42.0 below 60").first).to_be_visible()
    click_button(page, "Start")
    page.get_by_label("Comment", exact=True).fill(COMMENT)
    click_button(page, "Add comment")
    expect(page.get_by_test_id("stText").get_by_text(COMMENT).first).to_be_visible()
    click_button(page, "Mark done")
    expect(page.get_by_text(f"Action {action_id} is now done.")).to_be_visible()
    expect(page.get_by_role("button", name="Verify", exact=True)).to_have_count(0)
    page.get_by_test_id("stSidebar").get_by_role("button", name="Sign out", exact=True).click()
    wait_for_app(page)

    _open_link(page, app_server.base_url, action_id, "manager")
    click_button(page, "Verify")
    expect(page.get_by_text(f"Action {action_id} is now verified.")).to_be_visible()
    with Session(db.get_engine(app_server.url_db)) as session:
        action = session.get(ActionItem, action_id)
        assert action.status == "verified" and action.done_at is not None and action.verified_by_id is not None
