"""The product in Dutch in a real browser, as a Dutch user meets it: a browser set to nl-NL.

A manager reads the Dashboard and builds the brand report on a desktop screen; an auditor logs a
phone contact on a phone-sized screen. Each step checks Dutch words and a decimal comma on the
screen, and leaves a screenshot named ``16-nl-*`` (kept in docs/screenshots/ when the tests run
with ``KLANTREIS_SCREENSHOTS=docs/screenshots``, see ``tests.e2e.conftest.screenshot``).
"""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import choose_option, click_button, screenshot, sign_in_in_dutch, wait_for_app

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True}
DESKTOP = {"viewport": {"width": 1440, "height": 900}}


@pytest.fixture
def dutch_browser(chromium_browser, app_server):
    """Opens a page of a Dutch browser (``locale="nl-NL"``) at a screen size on the app."""
    contexts = []

    def open_at(screen: dict):
        context = chromium_browser.new_context(**screen, locale="nl-NL", accept_downloads=True)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(30_000)
        page.goto(app_server.base_url)
        wait_for_app(page)
        return page

    yield open_at
    for context in contexts:
        context.close()


def _open(page, base_url: str, path: str) -> None:
    page.goto(f"{base_url}/{path}")
    wait_for_app(page)


def test_a_manager_reads_the_dashboard_and_the_brand_report_in_dutch(dutch_browser, app_server, tmp_path):
    page = dutch_browser(DESKTOP)
    sign_in_in_dutch(page, "manager")
    expect(page.get_by_role("heading", name="Overzicht")).to_be_visible()

    _open(page, app_server.base_url, "dashboard")
    metrics = page.get_by_test_id("stMetric")
    expect(metrics.first).to_be_visible()
    expect(page.get_by_text(re.compile(r"^n = \d")).first).to_be_visible()
    expect(metrics.filter(has_text=re.compile(r"\d,\d")).first).to_be_visible()  # 54,9 — a decimal comma
    expect(page.get_by_text("Sign out", exact=True)).to_have_count(0)
    screenshot(page, "16-nl-dashboard")

    _open(page, app_server.base_url, "explore")
    page.get_by_role("tab", name="Exporteren").click()
    wait_for_app(page)
    click_button(page, "Rapport maken")
    expect(page.get_by_text("De filters in de zijbalk van de dashboards gelden niet").first).to_be_visible()
    expect(page.get_by_role("button", name="Rapport downloaden (HTML)")).to_be_visible()
    screenshot(page, "16-nl-brand-report-built")

    # The report itself, as the manager downloads and prints it.
    with page.expect_download() as download:
        page.get_by_role("button", name="Rapport downloaden (HTML)").click()
    saved = tmp_path / "report.html"
    download.value.save_as(saved)
    html = saved.read_text(encoding="utf-8")
    assert "<html lang='nl'" in html or '<html lang="nl"' in html
    report = page.context.new_page()
    report.goto(saved.as_uri())
    expect(report.get_by_text("Kwaliteit").first).to_be_visible()
    expect(report.get_by_text(re.compile(r"\d,\d")).first).to_be_visible()  # figures with a decimal comma
    screenshot(report, "16-nl-brand-report")


def test_an_auditor_logs_a_phone_contact_in_dutch_on_a_phone(dutch_browser, app_server):
    page = dutch_browser(PHONE)
    sign_in_in_dutch(page, "auditor1")
    expect(page.get_by_role("heading", name="Mijn contacten")).to_be_visible()

    choose_option(page, "Kanaal", "Telefoon")
    wave = page.get_by_test_id("stSelectbox").filter(has=page.get_by_text("Meetronde", exact=True)).locator("input")
    if not wave.input_value():  # the demo's waves have ended: the form says so and asks
        expect(page.get_by_text(re.compile(r"^Geen meetronde omvat "))).to_be_visible()
        choose_option(page, "Meetronde", "Geen meetronde")
    click_button(page, "Wachten starten (stopwatch)")
    expect(page.get_by_role("heading", name=re.compile(r"^Telefoon · "))).to_be_visible()
    click_button(page, "Nu beantwoord / opgenomen")
    click_button(page, "Gesprek nu beëindigd")
    screenshot(page, "16-nl-log-contact-phone")

    click_button(page, "Ja op elk onbeantwoord criterium")
    # on a loaded machine the previous run's container can linger beside the new one for a moment
    expect(page.locator(".st-key-assessment")).to_have_count(1, timeout=30_000)
    checklist = page.locator(".st-key-assessment").get_by_test_id("stButtonGroup")
    for n in range(checklist.count()):  # a scale item is not a yes/no: pick its point by hand
        group = checklist.nth(n)
        if group.locator("[aria-checked='true']").count():
            continue
        group.get_by_role("radio").last.click()
        wait_for_app(page)
    click_button(page, "Beoordeling opslaan")
    expect(page.get_by_text(re.compile(r"Beoordeling opgeslagen")).first).to_be_visible()
    screenshot(page, "16-nl-log-contact-phone-saved")
