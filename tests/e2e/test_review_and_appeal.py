"""Results a client can trust, in a real browser: an auditor submits a finished contact, a reviewer
returns it with a comment, the auditor revises and resubmits, the reviewer approves, a manager
releases the wave; a client user of brand A sees the contact, appeals one answer, the reviewer
upholds the appeal, and the client reads the new score and the decision.

The database holds a second brand (``OTHER``) with released contacts of its own. The client's pages,
every option of its filters and every file it downloads are searched for that brand's names: none
may show. The manager's dashboard shows them (the search can find what it looks for).
"""

import io
import re
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlmodel import Session, select

from data import db
from journeys.accounts.grants import GrantSpec, set_client_grants
from journeys.accounts.users import create_user
from journeys.catalogue.journeys import CriterionIn, JourneyChannelIn, JourneyIn, create_journey, current_version
from journeys.catalogue.reference import ensure_builtin_channels, get_or_create_brand, get_or_create_wave
from journeys.fieldwork.planned import local_today
from journeys.models import Answer, Contact, Criterion, Location, ReviewStatus
from tests.e2e.conftest import (
    AppServer,
    choose_option,
    click_button,
    go_to,
    open_options,
    screenshot,
    sign_in,
    wait_for_app,
)

BRAND, OTHER = "Fietsplein", "Rijwielhuis Noordkaap"
OTHER_NAMES = (OTHER, "Noordkaap Zwolle")  # the second brand and its location: never on a client's screen
WAVE = "Winter 2026"
JOURNEY = "Ask about a repair"
SLOW = 30_000  # ms: a page that scores and counts on a busy two-core machine
COMMENT = "The greeting is scored No, but your notes say they greeted you: check it."


def _contact(session: Session, *, brand, location, channels, journey, version, criteria, auditor, wave, status,
             values, started) -> Contact:
    contact = Contact(
        brand_id=brand.id, location_id=location.id, journey_id=journey.id, checklist_version_id=version.id,
        channel_id=channels["email"].id, auditor_id=auditor.id, wave_id=wave.id, started_at=started,
        first_response_at=started + timedelta(hours=3), answer_text="Drop it off; ready in two days",
        answer_correct=True, notes="They greeted me by name.", review_status=status.value,
        released_at=started + timedelta(days=1) if status is ReviewStatus.RELEASED else None)
    session.add(contact)
    session.flush()
    session.add_all([Answer(contact_id=contact.id, criterion_id=c.id, value=v) for c, v in zip(criteria, values,
                                                                                              strict=True)])
    return contact


@pytest.fixture(scope="module")
def app_server(tmp_path_factory):
    """Two brands, one journey on e-mail, a wave in progress; an auditor, a reviewer, a manager and a
    client user of the first brand. The auditor's contact is finished and not yet submitted."""
    server = AppServer(tmp_path_factory.mktemp("review"), seed_contacts=None)
    engine = db.get_engine(server.url_db)
    now = datetime.now(UTC).replace(microsecond=0)
    with Session(engine) as session:
        channels = ensure_builtin_channels(session=session)
        users = {name: create_user(session=session, username=name, role=role, password=f"{name}-demo",
                                   display_name=name.title())
                 for name, role in (("admin", "admin"), ("manager", "manager"), ("sam", "auditor"),
                                    ("rita", "reviewer"), ("klant", "client"))}
        journey = create_journey(session=session, journey_in=JourneyIn(
            name=JOURNEY, scenario="My bike's gears slip", question="Can you fix it this week?",
            reference_answer="Yes, drop it off; ready in two working days",
            channels=[JourneyChannelIn(channel="email")],
            criteria=[CriterionIn(code="GREET", text="Greets the customer"),
                      CriterionIn(code="ANSWER", text="Answers the question")]))
        version = current_version(session=session, journey_id=journey.id)
        criteria = list(session.exec(select(Criterion).where(Criterion.version_id == version.id)
                                     .order_by(Criterion.position)).all())
        wave = get_or_create_wave(session=session, name=WAVE)
        wave.starts_on, wave.ends_on = local_today() - timedelta(days=10), local_today() + timedelta(days=20)
        brands = {}
        for name, place in ((BRAND, "Fietsplein Utrecht"), (OTHER, "Noordkaap Zwolle")):
            brands[name] = get_or_create_brand(session=session, name=name)
            location = Location(brand_id=brands[name].id, name=place, city=place.split()[-1])
            session.add(location)
            session.flush()
            brands[name] = (brands[name], location)
        world = dict(channels=channels, journey=journey, version=version, criteria=criteria, wave=wave)
        for day in (6, 5, 4):  # the other brand's released results: the agency sees them, the client never
            _contact(session, brand=brands[OTHER][0], location=brands[OTHER][1], auditor=users["sam"],
                     status=ReviewStatus.RELEASED, values=(1.0, 0.0), started=now - timedelta(days=day), **world)
        ours = _contact(session, brand=brands[BRAND][0], location=brands[BRAND][1], auditor=users["sam"],
                        status=ReviewStatus.OPEN, values=(0.0, 0.0), started=now - timedelta(days=2), **world)
        set_client_grants(session=session, actor=users["admin"], user_id=users["klant"].id,
                          grants=[GrantSpec(brand=BRAND)])
        session.commit()
        server.contact_id = ours.id
    db.dispose_engines()
    server.start()
    yield server
    server.stop()


def _sign_out(page, base_url: str) -> None:
    """Sign out and open the app's start address, where the next person signs in."""
    page.get_by_test_id("stSidebar").get_by_role("button", name="Sign out", exact=True).click()
    wait_for_app(page)
    page.goto(base_url)
    wait_for_app(page)
    expect(page.get_by_label("Username", exact=True)).to_be_visible()


def _pick(page, item_label: str, option: str) -> None:
    """Click one option of a segmented control (a checklist item)."""
    page.get_by_role("radiogroup", name=re.compile(f"^{re.escape(item_label)}")).get_by_role(
        "radio", name=option, exact=True).click()
    wait_for_app(page)


def _open_contact_in_explore(page, contact_id: int) -> None:
    """Explore → drill down by channel → E-mail → the newest contact (the grid's first row)."""
    go_to(page, "Explore and export")
    choose_option(page, "Pick a channel", re.compile(r"^E-mail \("))
    grid = page.get_by_test_id("stDataFrame").first
    expect(grid).to_be_visible(timeout=SLOW)
    grid.click(position={"x": 18, "y": 54})  # the first row's selection box
    wait_for_app(page)
    expect(page.get_by_role("heading", name=re.compile(rf"^Contact {contact_id} · {BRAND}"))).to_be_visible(
        timeout=SLOW)


def _assert_nothing_of_the_other_brand(page, where: str) -> None:
    """No name of the other brand in the page's DOM, nor among the options of any of its filters."""
    html = page.content()
    for name in OTHER_NAMES:
        assert name not in html, f"{name!r} on {where}"
    boxes = page.get_by_test_id("stMultiSelect")
    for index in range(boxes.count()):
        box = boxes.nth(index)
        try:
            dropdown = open_options(page, box)
        except AssertionError as error:
            raise AssertionError(f"{where}: {error}") from None
        options = dropdown.inner_text()
        for name in OTHER_NAMES:
            assert name not in options, f"{name!r} offered in a filter on {where}: {options}"
        page.keyboard.press("Escape")
        wait_for_app(page)


def _downloaded_text(download) -> str:
    """A downloaded file's text: CSV as it is, an XLSX's sheets and shared strings unzipped, HTML as it is."""
    data = Path(download.path()).read_bytes()
    if data[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "\n".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist()
                             if name.endswith(".xml"))
    return data.decode("utf-8-sig", "replace")


def test_submit_return_resubmit_approve_release_appeal_uphold(page, app_server):
    contact_id = app_server.contact_id

    # The auditor submits the finished contact.
    sign_in(page, "sam")
    expect(page.get_by_text(re.compile(r"^Ready to submit for review"))).to_be_visible(timeout=SLOW)
    click_button(page, "Submit for review")
    expect(page.get_by_text(f"Contact {contact_id} submitted for review.")).to_be_visible()
    _sign_out(page, app_server.base_url)

    # The reviewer returns it with a comment.
    sign_in(page, "rita")
    go_to(page, "Review")
    expect(page.get_by_role("heading", name="Waiting for review (1)")).to_be_visible(timeout=SLOW)
    comment = page.get_by_label("What needs to change (required)", exact=True)
    comment.fill(COMMENT)
    click_button(page, "Return to the auditor")
    expect(page.get_by_text(f"Contact {contact_id} returned to its auditor.")).to_be_visible()
    screenshot(page, "18-review-returned")
    _sign_out(page, app_server.base_url)

    # The auditor reads the comment, revises the greeting and submits again.
    sign_in(page, "sam")
    expect(page.get_by_text(COMMENT)).to_be_visible(timeout=SLOW)
    screenshot(page, "18-auditor-returned")
    click_button(page, "Revise")
    expect(page.get_by_role("heading", name=re.compile(rf"E-mail · {BRAND}"))).to_be_visible(timeout=SLOW)
    _pick(page, "GREET · ", "Yes")
    click_button(page, "Save assessment")
    expect(page.get_by_text(re.compile(r"^Assessment saved\. Score \d"))).to_be_visible(timeout=SLOW)
    click_button(page, "Submit for review")
    expect(page.get_by_text("Submitted for review.", exact=True)).to_be_visible()
    _sign_out(page, app_server.base_url)

    # The reviewer approves; the wave waits for its release.
    sign_in(page, "rita")
    go_to(page, "Review")
    expect(page.get_by_role("heading", name="Waiting for review (1)")).to_be_visible(timeout=SLOW)
    click_button(page, "Approve")
    expect(page.get_by_text(f"Contact {contact_id} approved.")).to_be_visible()
    _sign_out(page, app_server.base_url)

    # The manager sees the other brand (the search below can find it) and releases the wave.
    sign_in(page, "manager")
    go_to(page, "Dashboard")
    expect(page.get_by_text("Released contacts only.")).to_be_visible(timeout=SLOW)
    box = page.get_by_test_id("stMultiSelect").filter(has_text="Brand")
    expect(open_options(page, box)).to_contain_text(OTHER)
    page.keyboard.press("Escape")
    wait_for_app(page)
    go_to(page, "Waves and plan")
    page.get_by_role("tab", name="Release to the client").click()
    wait_for_app(page)
    expect(page.locator(".st-key-waves_release_wave input")).to_have_value(re.compile(rf"^{re.escape(WAVE)}"))
    page.get_by_text(re.compile(r"^I understand: the client sees these contacts")).click()
    wait_for_app(page)
    click_button(page, "Release 1 approved contact")
    expect(page.get_by_text(f"1 contact of {WAVE} released to the client.")).to_be_visible(timeout=SLOW)
    page.get_by_role("tab", name="Release to the client").click()
    wait_for_app(page)
    expect(page.get_by_text(re.compile(r"^Released to the client on "))).to_be_visible(timeout=SLOW)
    screenshot(page, "18-manager-release")
    _sign_out(page, app_server.base_url)

    # The client sees its contact (greeting yes, answer no: 50) and appeals the answer.
    sign_in(page, "klant")
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible(timeout=SLOW)
    _open_contact_in_explore(page, contact_id)
    page.get_by_text("Appeal an answer").click()
    wait_for_app(page)
    choose_option(page, "What do you dispute?", "ANSWER · Answers the question")
    page.get_by_label("Reason", exact=True).fill("We answered within the day and the answer was right.")
    click_button(page, "Send the appeal")
    expect(page.get_by_text(re.compile(r"^Criterion ANSWER · Answers the question: Open since "))).to_be_visible(
        timeout=SLOW)
    screenshot(page, "18-client-appeal")
    _sign_out(page, app_server.base_url)

    # The reviewer upholds it.
    sign_in(page, "rita")
    go_to(page, "Appeals")
    expect(page.get_by_text("We answered within the day and the answer was right.").first).to_be_visible(
        timeout=SLOW)
    page.get_by_role("radiogroup", name="Decision").get_by_text("Uphold: change the result").click()
    wait_for_app(page)
    page.get_by_role("radiogroup", name="New answer").get_by_text("Yes", exact=True).click()
    wait_for_app(page)
    page.get_by_label("Reason for the decision (shown to the client)", exact=True).fill(
        "The e-mail in the evidence answers the question correctly.")
    click_button(page, "Record the decision")
    expect(page.get_by_text(re.compile(r"^Appeal \d+ upheld\.$"))).to_be_visible(timeout=SLOW)
    screenshot(page, "18-reviewer-upholds")
    _sign_out(page, app_server.base_url)

    # The client reads the new score and the decision.
    sign_in(page, "klant")
    _open_contact_in_explore(page, contact_id)
    expect(page.get_by_text(re.compile(r"Appeal upheld on .*: score 50[.,]0 → 100[.,]0$"))).to_be_visible(
        timeout=SLOW)
    expect(page.get_by_text("The e-mail in the evidence answers the question correctly.").first).to_be_visible()
    screenshot(page, "18-client-decision")

    # Nothing of the other brand on any page of the client, in any filter option or file.
    for title in ("Overview", "Dashboard", "Consistency", "Trends and hours", "Explore and export", "Appeals"):
        go_to(page, title)
        expect(page.get_by_role("heading", name=re.compile(r"\w")).first).to_be_visible(timeout=SLOW)
        _assert_nothing_of_the_other_brand(page, title)
    go_to(page, "Explore and export")
    page.get_by_role("tab", name="Export").click()
    wait_for_app(page)
    _assert_nothing_of_the_other_brand(page, "Explore, Export tab")
    buttons = page.get_by_test_id("stDownloadButton")
    expect(buttons.first).to_be_visible(timeout=SLOW)
    files = 0
    for index in range(buttons.count()):
        button = buttons.nth(index)
        if not button.is_visible():
            continue
        with page.expect_download() as info:
            button.get_by_role("button").click()
        text = _downloaded_text(info.value)
        files += 1
        assert BRAND in text or "contact" in text.lower(), info.value.suggested_filename
        for name in OTHER_NAMES:
            assert name not in text, f"{name!r} in {info.value.suggested_filename}"
        wait_for_app(page)
    assert files >= 3  # contacts, metrics and the brand report at least
