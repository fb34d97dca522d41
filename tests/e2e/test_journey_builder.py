"""The journey editor in a real browser: creating a journey with three channels and five criteria
through "Add a criterion" (one of them critical, chosen by its label), and an edited journey that
stays in view after "Save changes"."""

from playwright.sync_api import expect
from sqlmodel import select

from data import db
from data.db import session_scope
from journeys.catalogue.journey_editing import journey_in_from_db
from journeys.models import Journey
from tests.e2e.conftest import choose_option, click_button, go_to, screenshot, sign_in, wait_for_app

CRITERIA = [("OPEN", "Gave the opening hours"), ("SUNDAY", "Mentioned Sunday hours"), ("NAME", "Introduced themselves"),
            ("TONE", "Friendly and personal"), ("NEXT", "Said where to check changes")]


def _choose_channel(panel, page, label: str) -> None:
    box = panel.get_by_test_id("stMultiSelect").filter(has_text="Channels").first
    box.locator("input").click()
    box.locator("input").fill(label)
    page.keyboard.press("Enter")
    wait_for_app(page)


def test_admin_creates_a_journey_and_finds_it_in_the_list(page, app_server):
    """An admin typing a journey with three channels and five criteria creates it, and the list shows it."""
    sign_in(page, "admin")
    go_to(page, "Journeys")
    panel = page.get_by_role("tabpanel").first  # the "New journey" tab
    for label, value in (("Name", "Opening hours on holidays"),
                         ("The question asked on every channel", "Are you open on Easter Monday?")):
        field = panel.get_by_label(label, exact=True)
        field.fill(value)
        field.press("Tab")
        wait_for_app(page)
    for channel in ("phone", "email", "whatsapp"):
        _choose_channel(panel, page, channel)
    page.keyboard.press("Escape")
    wait_for_app(page)
    add = panel.get_by_test_id("stForm").first
    for code, text in CRITERIA:
        for label, value in (("Code", code), ("Criterion", text)):
            add.get_by_label(label, exact=True).fill(value)
        if code == "OPEN":
            policy = add.get_by_test_id("stSelectbox").filter(has_text="Critical (knock-out)")
            policy.scroll_into_view_if_needed()
            policy.locator("input").click()
            page.get_by_role("option", name="Contact fails, score kept", exact=True).click()
            policy = policy.get_by_role("combobox")
            expect(policy).to_have_value("Contact fails, score kept")
        add.get_by_role("button", name="Add criterion").click()
        wait_for_app(page)
        expect(add.get_by_text(f"Added “{code}” as criterion")).to_be_visible()
    wait_for_app(page)
    screenshot(page, "journeys-builder")
    click_button(page, "Create journey")
    expect(page.get_by_text("Journey “Opening hours on holidays” created.")).to_be_visible()
    page.get_by_role("tab", name="Edit, version, archive").click()
    wait_for_app(page)
    page.get_by_test_id("stSelectbox").filter(has_text="Journey").first.click()
    expect(page.get_by_role("option", name="Opening hours on holidays (active)")).to_be_visible()  # in the list
    page.keyboard.press("Escape")
    engine = db.get_engine(app_server.url_db)
    with session_scope(engine) as session:
        journey = session.exec(select(Journey).where(Journey.name == "Opening hours on holidays")).one()
        spec = journey_in_from_db(session=session, journey_id=journey.id)
    assert sorted(c.channel for c in spec.channels) == ["email", "phone", "whatsapp"]
    assert [(c.code, c.text) for c in spec.criteria] == CRITERIA
    assert [c.critical_policy for c in spec.criteria] == ["flag_fail"] + ["none"] * 4
    assert not any(c.na_allowed for c in spec.criteria)  # N/A is off unless ticked
    screenshot(page, "journeys-list")


def test_the_edited_journey_stays_in_view_after_saving(page, app_server):
    """After "Save changes" and a notice, the edit tab still shows the journey being edited, and
    "Name of the copy" follows the journey picked."""
    sign_in(page, "admin")
    go_to(page, "Journeys")
    page.get_by_role("tab", name="Edit, version, archive").click()
    wait_for_app(page)
    choose_option(page, "Journey", "File a complaint (active)")
    panel = page.get_by_role("tabpanel", name="Edit, version, archive")
    expect(panel.get_by_label("Name of the copy")).to_have_value("File a complaint (copy)")
    click_button(page, "Save changes")
    expect(page.get_by_text("Journey saved.")).to_be_visible()
    expect(page.get_by_role("tab", selected=True)).to_have_text("Edit, version, archive")
    expect(panel.get_by_label("Name", exact=True)).to_have_value("File a complaint")
    field = panel.get_by_label("The question asked on every channel", exact=True)
    field.fill(field.input_value() + " Please answer soon.")
    field.press("Tab")
    wait_for_app(page)
    expect(page.get_by_text("Journey saved.")).to_have_count(0)  # the notice is gone, the page stays
    expect(page.get_by_role("tab", selected=True)).to_have_text("Edit, version, archive")
    expect(panel.get_by_label("Name", exact=True)).to_have_value("File a complaint")
