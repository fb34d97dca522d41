"""Both users' flows on a phone (390 × 844) and a desktop (1440 × 900) screen, as issue 15 asks.

An auditor signs in, lands on their own work (My contacts), starts a routine phone contact from
the form that remembers their last choices, runs the stopwatch, answers the checklist and saves.
A manager signs in, reads the Dashboard and Consistency pages and builds the brand report. Each
step leaves a screenshot named ``15-<user>-<screen>-<step>`` (in docs/screenshots/ when the tests
run with ``KLANTREIS_SCREENSHOTS=docs/screenshots``, see ``tests.e2e.conftest.screenshot``).
"""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import choose_option, click_button, screenshot, sign_in, wait_for_app

SCREENS = {
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True},
    "desktop": {"viewport": {"width": 1440, "height": 900}},
}


@pytest.fixture(params=sorted(SCREENS))
def screen(request, chromium_browser, app_server):
    """(name, page) of a new browser on the app's start page at one screen size."""
    context = chromium_browser.new_context(**SCREENS[request.param], accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(app_server.base_url)
    wait_for_app(page)
    yield request.param, page
    context.close()


def _open(page, base_url: str, path: str) -> None:
    """Open a page by its address, as a phone user does when the menu is folded away."""
    page.goto(f"{base_url}/{path}")
    wait_for_app(page)


def test_auditor_logs_a_routine_phone_contact_from_their_home(screen, app_server):
    name, page = screen
    sign_in(page, "auditor1")
    expect(page.get_by_role("heading", name="My contacts")).to_be_visible()  # home: their own work
    start = page.locator(".st-key-start_form")
    expect(start).to_be_visible()  # open, not folded away
    screenshot(page, f"15-auditor-{name}-1-home")

    choose_option(page, "Channel", "Phone")
    wave = page.get_by_test_id("stSelectbox").filter(has=page.get_by_text("Wave", exact=True)).locator("input")
    if not wave.input_value():  # the demo's waves have ended: the form says so and asks
        expect(page.get_by_text(re.compile(r"^No wave covers "))).to_be_visible()
        choose_option(page, "Wave", "No wave")
    click_button(page, "Start waiting (stopwatch)")
    expect(page.get_by_role("heading", name=re.compile(r"^Phone · "))).to_be_visible()
    click_button(page, "Answered / picked up now")
    click_button(page, "Conversation ended now")
    expect(page.get_by_text(re.compile(r"^Waited \d+ s · handled \d+ s$"))).to_be_visible()
    screenshot(page, f"15-auditor-{name}-2-stopwatch")

    click_button(page, "Yes to every unanswered item")
    # on a loaded machine the previous run's container can linger beside the new one for a moment
    expect(page.locator(".st-key-assessment")).to_have_count(1, timeout=30_000)
    checklist = page.locator(".st-key-assessment").get_by_test_id("stButtonGroup")
    for n in range(checklist.count()):  # a scale item is not a yes/no: pick its point by hand
        group = checklist.nth(n)
        if "Answer correct" in group.inner_text() or group.locator("[aria-checked='true']").count():
            continue
        group.get_by_role("radio").last.click()
        wait_for_app(page)
    click_button(page, "Save assessment")
    expect(page.get_by_text(re.compile(r"Assessment saved")).first).to_be_visible()
    screenshot(page, f"15-auditor-{name}-3-saved")

    _open(page, app_server.base_url, "contacts_mine")
    completed = page.locator("[class*='st-key-done_']").first  # the compact list, newest first
    expect(completed).to_contain_text(re.compile(r" · Phone · .* · score \d"))
    completed.scroll_into_view_if_needed()
    screenshot(page, f"15-auditor-{name}-4-completed")


def test_manager_reads_dashboard_consistency_and_the_brand_report(screen, app_server):
    name, page = screen
    sign_in(page, "manager")
    expect(page.get_by_role("heading", name="Overview")).to_be_visible()

    _open(page, app_server.base_url, "dashboard")
    expect(page.get_by_test_id("stMetric").first).to_be_visible()
    expect(page.get_by_text(re.compile(r"^n = \d")).first).to_be_visible()  # every figure with its n
    screenshot(page, f"15-manager-{name}-1-dashboard")

    _open(page, app_server.base_url, "consistency")
    expect(page.get_by_test_id("stDataFrame").first).to_be_visible()
    screenshot(page, f"15-manager-{name}-2-consistency")

    _open(page, app_server.base_url, "explore")
    page.get_by_role("tab", name="Export").click()
    wait_for_app(page)
    page.get_by_role("button", name="Build report").click()
    wait_for_app(page)
    expect(page.get_by_text("sidebar filters do not apply").first).to_be_visible()
    expect(page.get_by_role("button", name="Download report (HTML)")).to_be_visible()
    screenshot(page, f"15-manager-{name}-3-report")
