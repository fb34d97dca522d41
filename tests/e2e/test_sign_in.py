"""Signing in through a real browser."""

from playwright.sync_api import expect

from tests.e2e.conftest import screenshot, sign_in


def test_manager_signs_in_and_sees_the_overview(page):
    """The demo manager signs in and the overview shows the demo notice and the contact count."""
    expect(page.get_by_text("demo data")).to_be_visible()
    screenshot(page, "sign-in")
    sign_in(page, "manager")
    expect(page.get_by_role("heading", name="Overview")).to_be_visible()
    expect(page.get_by_test_id("stMetric").filter(has_text="Contacts")).to_contain_text("120")
    screenshot(page, "overview")
