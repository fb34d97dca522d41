"""Running a study in a real browser: an admin sets up a client with three locations (one of them by
CSV upload), a wave and its fieldwork plan, and auto-assigns it to two auditors; an auditor starts
one planned contact with one tap and logs it; the manager's progress page counts it.

The database starts without demo data, so every count on the progress page is this test's own:
two auditors, one journey on phone and e-mail, nothing else.
"""

import re

import pytest
from playwright.sync_api import expect
from sqlmodel import Session

from data import db
from journeys.accounts.users import create_user
from journeys.catalogue.journeys import CriterionIn, JourneyChannelIn, JourneyIn, create_journey
from journeys.catalogue.reference import ensure_builtin_channels
from tests.e2e.conftest import AppServer, click_button, fill, go_to, screenshot, sign_in, wait_for_app

BRAND, WAVE = "Fietsplein", "Winter 2026"
SLOW = 30_000  # ms: a page that counts a wave on a busy two-core machine


@pytest.fixture(scope="module")
def app_server(tmp_path_factory):
    """A server on a database with accounts and one journey only (replaces conftest's seeded one)."""
    server = AppServer(tmp_path_factory.mktemp("study"), seed_contacts=None)
    engine = db.get_engine(server.url_db)
    with Session(engine) as session:
        ensure_builtin_channels(session=session)
        for username, role in (("admin", "admin"), ("manager", "manager"), ("sam", "auditor"), ("lotte", "auditor")):
            create_user(session=session, username=username, role=role, password=f"{username}-demo",
                        display_name=username.title())
        create_journey(session=session, journey_in=JourneyIn(
            name="Ask about a repair", scenario="My bike's gears slip", question="Can you fix it this week?",
            reference_answer="Yes, drop it off; ready in two working days",
            channels=[JourneyChannelIn(channel="phone"), JourneyChannelIn(channel="email")],
            criteria=[CriterionIn(code="GREET", text="Greets the customer")]))
        session.commit()
    db.dispose_engines()
    server.start()
    yield server
    server.stop()


def _cell(page, text: str):
    """A cell of a table (st.dataframe draws on a canvas; its cells are hidden DOM for the readers)."""
    return page.locator("[data-testid^='glide-cell']", has_text=re.compile(f"^{re.escape(text)}$")).first


def _sign_out(page) -> None:
    page.get_by_test_id("stSidebar").get_by_role("button", name="Sign out", exact=True).click()
    wait_for_app(page)


def test_admin_plans_and_assigns_a_wave_auditor_logs_one_manager_sees_progress(page, app_server, tmp_path):
    sign_in(page, "admin")

    # A client with three locations: one typed in, two from a CSV file.
    go_to(page, "Clients and locations")
    fill(page, "Brand name", BRAND)
    click_button(page, "Add brand")
    expect(page.get_by_text(BRAND).first).to_be_visible()
    fill(page, "Location name", "Fietsplein Utrecht")
    click_button(page, "Add location")
    csv_file = tmp_path / "locations.csv"
    csv_file.write_text("brand,location,city,region,external_code\n"
                        f"{BRAND},Fietsplein Zwolle,Zwolle,Noord,FP-002\n"
                        f"{BRAND},Fietsplein Breda,Breda,Zuid,FP-003\n", encoding="utf-8")
    uploader = page.get_by_test_id("stFileUploader").filter(has_text="Upload locations (CSV or XLSX)")
    uploader.locator("input[type='file']").set_input_files(str(csv_file))
    wait_for_app(page)
    click_button(page, "Import locations")
    expect(page.get_by_text("3 locations", exact=True)).to_be_visible(timeout=SLOW)
    for name in ("Fietsplein Utrecht", "Fietsplein Zwolle", "Fietsplein Breda"):
        expect(_cell(page, name)).to_be_attached()
    screenshot(page, "17-clients-and-locations")

    # A wave and its plan: every location × phone and e-mail, 2 each = 12 planned contacts.
    go_to(page, "Waves and plan")
    fill(page, "Wave name", WAVE)
    click_button(page, "Create wave")
    expect(_cell(page, WAVE)).to_be_attached(timeout=SLOW)
    quota = page.locator("[class*='st-key-waves_quota_channels_']")  # the quick fill's, not the wave form's
    for channel in ("Phone", "E-mail"):
        quota.locator("input").click()
        quota.locator("input").fill(channel)
        page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    expect(page.get_by_label("Contacts per cell", exact=True)).to_have_value("2")  # the default: 2 each
    click_button(page, "Add to plan")
    expect(page.get_by_text(re.compile(r"\b12 planned contacts\b")).first).to_be_visible(timeout=SLOW)
    screenshot(page, "17-waves-and-plan")

    # Automatic assignment over the two auditors, previewed first.
    go_to(page, "Assign fieldwork")
    click_button(page, "Preview automatic assignment")
    expect(_cell(page, "Sam")).to_be_attached(timeout=SLOW)
    expect(_cell(page, "Lotte")).to_be_attached()
    screenshot(page, "17-assignment-preview")
    click_button(page, "Apply assignment")
    expect(page.get_by_text(re.compile(r"^Assigned 12 planned contacts\.$")).first).to_be_visible(timeout=SLOW)
    _sign_out(page)

    # The auditor: one tap from the work list to the stopwatch, then the call.
    sign_in(page, "sam")
    go_to(page, "My assignments")
    expect(page.get_by_text(BRAND).first).to_be_visible()
    screenshot(page, "17-my-assignments")
    page.get_by_role("button", name="Start", exact=True).first.click()
    wait_for_app(page)
    answered = page.get_by_role("button", name=re.compile(r"^(Answered \/ picked up now|First response now)$"))
    expect(answered).to_be_visible(timeout=SLOW)
    answered.click()
    wait_for_app(page)
    ended = page.get_by_role("button", name="Conversation ended now", exact=True)
    if ended.count():  # a phone call: its end stops the handling time
        ended.click()
        wait_for_app(page)
    click_button(page, "Yes to every unanswered item")
    click_button(page, "Save assessment")
    expect(page.get_by_text(re.compile(r"^Assessment saved\. Score \d"))).to_be_visible(timeout=SLOW)
    screenshot(page, "17-started-from-assignment")
    _sign_out(page)

    # The manager: 1 of 12 done.
    sign_in(page, "manager")
    go_to(page, "Fieldwork progress")
    expect(page.get_by_text(re.compile(r"\b1 of 12\b")).first).to_be_visible(timeout=SLOW)
    screenshot(page, "17-fieldwork-progress")
