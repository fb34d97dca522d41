"""The language in a real browser: a Dutch browser gets Dutch, and a choice in the menu stays with the account."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import choose_option, click_button, screenshot, sign_in_in_dutch, wait_for_app


@pytest.fixture
def dutch_page(chromium_browser, app_server, viewport):
    """A browser whose language is Dutch (``navigator.language`` = nl-NL) on the app's start URL."""
    context = chromium_browser.new_context(viewport=viewport, locale="nl-NL")
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.goto(app_server.base_url)
    wait_for_app(page)
    yield page
    context.close()


def _menu(page):
    return page.get_by_test_id("stSidebarNav")


def test_a_dutch_browser_signs_in_to_dutch_and_english_chosen_in_the_menu_persists(dutch_page):
    page = dutch_page
    expect(page.get_by_label("Gebruikersnaam", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Inloggen", exact=True)).to_be_visible()
    screenshot(page, "16-sign-in-nl")
    sign_in_in_dutch(page, "manager")

    # The Dutch menu: page names, sections and the sign-out button.
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar.get_by_role("button", name="Uitloggen", exact=True)).to_be_visible()
    expect(_menu(page).get_by_role("link", name="Overzicht")).to_be_visible()
    expect(_menu(page).get_by_role("link", name="Verkennen en exporteren")).to_be_visible()
    expect(sidebar.get_by_text("Ingelogd als")).to_be_visible()
    screenshot(page, "16-menu-nl")

    # English, chosen in the menu, speaks at once.
    choose_option(page, "Taal", "English")
    expect(sidebar.get_by_role("button", name="Sign out", exact=True)).to_be_visible()
    expect(_menu(page).get_by_role("link", name="Overview")).to_be_visible()
    expect(_menu(page).get_by_role("link", name="Overzicht")).to_have_count(0)

    # Signed out, the sign-in page speaks the browser's Dutch again ...
    click_button(page, "Sign out")
    expect(page.get_by_label("Gebruikersnaam", exact=True)).to_be_visible()

    # ... and signing in brings back the account's English.
    sign_in_in_dutch(page, "manager")
    expect(sidebar.get_by_role("button", name="Sign out", exact=True)).to_be_visible()
    expect(_menu(page).get_by_role("link", name="Explore and export")).to_be_visible()
    expect(sidebar.get_by_text("Signed in as")).to_be_visible()

    # A reload keeps it too (the session cookie signs in again; the account's language follows).
    page.reload()
    wait_for_app(page)
    expect(_menu(page).get_by_role("link", name="Overview")).to_be_visible()
