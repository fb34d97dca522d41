"""Markdown payloads in user data stay text in a real browser (issue 13, item 6).

The server runs on the poisoned world of tests/poison.py: every brand, location, journey text,
criterion, section, wave, channel, user name, note, answer, comment and evidence file name is a
payload with links and images to the host ``evil``. Each role opens each of its pages (expanders
opened, every tab shown); no ``a[href*=evil]`` or ``img[src*=evil]`` may reach the DOM and the
browser may never request anything from ``evil``.
"""

import re

import pytest
from playwright.sync_api import expect

from data import db
from tests import poison
from tests.e2e.conftest import AppServer, sign_in, wait_for_app

ROLE_PAGES = {
    "auditor1": ["", "contacts_mine", "contact_log", "journey_admin"],
    "manager": ["", "dashboard", "consistency", "trends", "explore"],
    "admin": ["", "contacts_mine", "contact_log", "journey_admin", "dashboard", "consistency", "trends", "explore",
              "admin_users", "admin_retention"],
}


@pytest.fixture(scope="module")
def app_server(tmp_path_factory):
    """A server on the poisoned world instead of demo data (overrides conftest's fixture)."""
    server = AppServer(tmp_path_factory.mktemp("e2e-injection"), seed_contacts=None)
    server.ids = poison.poisoned_world(db.get_engine(server.url_db))
    db.dispose_engines()
    server.start()
    yield server
    server.stop()


def _open_everything(page) -> None:
    """Open every expander, switch on every "Show …" toggle and click every tab, so all their content is painted."""
    for summary in page.locator("[data-testid='stExpander'] summary").all():
        summary.click()
        wait_for_app(page)
    for toggle in page.get_by_test_id("stCheckbox").filter(has_text=re.compile(r"^Show ")).all():
        toggle.locator("label").click()
        wait_for_app(page)
    for tab in page.get_by_role("tab").all():
        tab.click()
        wait_for_app(page)
    page.wait_for_timeout(600)  # images and tables paint after the script run


def _assert_inert(page, where: str) -> None:
    assert page.locator("[data-testid='stException']").count() == 0, f"{where}: exception shown"
    links = page.locator("a[href*='evil']")
    assert links.count() == 0, f"{where}: live links {[a.get_attribute('href') for a in links.all()]}"
    images = page.locator("img[src*='evil']")
    assert images.count() == 0, f"{where}: remote images {[i.get_attribute('src') for i in images.all()]}"


@pytest.mark.parametrize("username", list(ROLE_PAGES))
def test_payloads_stay_text_on_every_page(page, app_server, username):
    """Every page of each role shows the payloads as text: no evil link, image or request."""
    requested = []
    page.on("request", lambda request: requested.append(request.url) if "evil" in request.url else None)
    sign_in(page, username, poison.PASSWORDS[username])
    for path in ROLE_PAGES[username]:
        query = f"?contact={app_server.ids['contact']}" if path == "contact_log" else ""
        page.goto(f"{app_server.base_url}/{path}{query}")
        wait_for_app(page)
        _open_everything(page)
        _assert_inert(page, f"{username} on /{path}")
    assert requested == []


def test_payload_is_shown_literally(page, app_server):
    """The Overview's recent-contacts table shows a note's payload as the characters typed."""
    sign_in(page, "manager", poison.PASSWORDS["manager"])
    expect(page.get_by_text("[notes expired](http://evil/notes)").first).to_be_visible()
    _assert_inert(page, "manager on the Overview")
