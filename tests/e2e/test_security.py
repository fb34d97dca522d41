"""Security in a real browser: sessions across reloads, direct page URLs, untrusted text."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import AppServer, click_button, go_to, screenshot, sign_in, wait_for_app
from ui.navigation import PAGES


def test_sign_in_survives_a_reload_and_sign_out_ends_it(page, app_server):
    """After signing in a reload keeps the user signed in; after signing out a reload does not."""
    sign_in(page, "manager")
    expect(page.get_by_role("heading", name="Overview")).to_be_visible()
    page.reload()
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Overview")).to_be_visible()
    expect(page.get_by_text("Signed in as")).to_be_visible()
    click_button(page, "Sign out")
    expect(page.get_by_label("Username", exact=True)).to_be_visible()
    page.reload()
    wait_for_app(page)
    expect(page.get_by_label("Username", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="Overview")).to_have_count(0)


# Every registered page (dashboards included once registered): Streamlit derives the URL from the file name.
PAGE_FILES = sorted(Path(spec.path).stem for spec in PAGES)


@pytest.fixture
def fresh_server(tmp_path):
    """A server nobody has opened yet (the legacy pages/ routing is live until someone does)."""
    server = AppServer(tmp_path).start()
    yield server
    server.stop()


@pytest.mark.parametrize("url_path", PAGE_FILES)
def test_direct_page_url_right_after_start_shows_no_data(chromium_browser, fresh_server, url_path):
    """Typing a page URL as the first request after a server start shows sign-in and no data."""
    context = chromium_browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.set_default_timeout(20_000)
        page.goto(f"{fresh_server.base_url}/{url_path}")
        wait_for_app(page)
        page.wait_for_timeout(1000)  # a page that leaked would have painted by now
        wait_for_app(page)
        app = page.get_by_test_id("stApp")
        expect(app.get_by_text("sign in", exact=False).first).to_be_visible()
        for element in ("stMetric", "stDataFrame", "stVegaLiteChart", "stTable"):
            expect(page.get_by_test_id(element)).to_have_count(0)
        screenshot(page, f"8-direct-url-{url_path}")
    finally:
        context.close()


XSS_NOTE = "<img src=x onerror=alert(1)>"


def _add_contact_with_note(db_url: str, username: str, note: str) -> None:
    """Log a contact for ``username`` with ``note``, newest of all, straight into the server's database."""
    from datetime import timedelta

    from sqlmodel import func, select

    from data import db
    from journeys.accounts.users import get_user
    from journeys.models import Contact

    with db.session_scope(db.get_engine(db_url)) as session:
        auditor = get_user(session=session, username=username)
        template = session.exec(select(Contact).where(Contact.auditor_id == auditor.id)).first()
        newest = session.exec(select(func.max(Contact.started_at))).one()
        session.add(Contact(
            brand_id=template.brand_id, journey_id=template.journey_id, wave_id=template.wave_id,
            checklist_version_id=template.checklist_version_id, channel_id=template.channel_id,
            auditor_id=auditor.id, started_at=newest + timedelta(minutes=1), notes=note,
        ))
    db.dispose_engines()


def test_auditor_note_with_html_is_shown_as_text(page, app_server):
    """A note holding an <img onerror> tag appears as literal text; no image and no script run."""
    _add_contact_with_note(app_server.url_db, "auditor1", XSS_NOTE)
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    sign_in(page, "auditor1")
    go_to(page, "Overview")
    expect(page.get_by_role("heading", name="Recent contacts")).to_be_visible()
    expect(page.get_by_text(XSS_NOTE, exact=True)).to_be_visible()
    expect(page.locator("img[src='x']")).to_have_count(0)
    page.get_by_text(XSS_NOTE, exact=True).scroll_into_view_if_needed()
    screenshot(page, "8-note-as-text")
    assert dialogs == []


def test_manager_typing_an_admin_url_sees_no_accounts(page, app_server):
    """A manager who types the Users page URL stays signed in (cookie), gets no account list and is told
    why: the page is for administrators (not a silent fall-back to the Overview)."""
    sign_in(page, "manager")
    page.goto(f"{app_server.base_url}/admin_users")
    wait_for_app(page)
    page.wait_for_timeout(1000)
    wait_for_app(page)
    screenshot(page, "8-manager-admin-url")
    expect(page.get_by_text("The page 'Users' is for administrators; you are signed in as a manager.")).to_be_visible()
    expect(page.get_by_role("heading", name="Page not available")).to_be_visible()
    expect(page.get_by_role("heading", name="Overview")).to_have_count(0)
    expect(page.get_by_role("heading", name="Users")).to_have_count(0)
    expect(page.get_by_text("Add an account")).to_have_count(0)
    expect(page.get_by_test_id("stSidebar").get_by_text("Signed in as")).to_be_visible()


def test_auditor_lands_on_my_contacts_and_is_told_a_dashboard_is_not_theirs(page, app_server):
    """Signing in as an auditor opens My contacts; a typed /dashboard says whom it is for."""
    sign_in(page, "auditor1")
    expect(page.get_by_role("heading", name="My contacts")).to_be_visible()
    page.goto(f"{app_server.base_url}/dashboard")
    wait_for_app(page)
    expect(page.get_by_text(
        "The page 'Dashboard' is for managers, administrators, reviewers and client users; you are signed in as an "
        "auditor.")).to_be_visible()
    expect(page.get_by_test_id("stVegaLiteChart")).to_have_count(0)
    page.get_by_role("link", name="Go to My contacts").click()
    wait_for_app(page)
    expect(page.get_by_role("heading", name="My contacts")).to_be_visible()


def test_admin_opens_users_and_privacy_pages(page):
    """The admin's menu holds Users and Privacy, and both pages render in the browser."""
    sign_in(page, "admin")
    go_to(page, "Users")
    expect(page.get_by_role("heading", name="Users")).to_be_visible()
    expect(page.get_by_test_id("stDataFrame")).to_be_visible()
    screenshot(page, "8-admin-users")
    go_to(page, "Privacy")
    expect(page.get_by_role("heading", name="Privacy")).to_be_visible()
    screenshot(page, "8-admin-privacy")


def test_bookmarked_page_opens_after_a_server_start_with_a_valid_session(chromium_browser, fresh_server):
    """A browser holding a valid session cookie that opens /dashboard first thing lands on the dashboard."""
    from data import db
    from journeys.accounts.sessions import start_session
    from journeys.accounts.users import get_user

    with db.session_scope(db.get_engine(fresh_server.url_db)) as session:
        token = start_session(session=session, user=get_user(session=session, username="manager"))
    db.dispose_engines()
    context = chromium_browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        context.add_cookies([{"name": "klantreis_session", "value": token, "url": fresh_server.base_url}])
        page = context.new_page()
        page.set_default_timeout(20_000)
        page.goto(f"{fresh_server.base_url}/dashboard")
        wait_for_app(page)
        page.wait_for_timeout(1000)
        wait_for_app(page)
        expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
        expect(page.get_by_text("Signed in as")).to_be_visible()
        screenshot(page, "8-bookmark-after-start")
    finally:
        context.close()
