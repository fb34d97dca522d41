"""The whole story in a real browser, from a fresh start: an auditor logs contacts on three
channels, a manager finds exactly those on the dashboard, drills down to one and exports them.

Fresh start = what ``make run`` does on a new machine: ``klantreis migrate`` and
``klantreis demo --if-empty`` on an empty database, then the server. A new user signs in with
the demo accounts the README and the sign-in page name (an empty database has no way to add
a brand in the app, so the demo data is the honest first step). The manager separates the new
contacts from the demo contacts the way a manager would: brand, wave and the day they started.
"""

import csv
import io
import os
import re
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from journeys.demo import WAVES as DEMO_WAVES
from tests.e2e.conftest import (
    ROOT,
    AppServer,
    choose_filter,
    choose_option,
    click_button,
    go_to,
    screenshot,
    sign_in,
    wait_for_app,
)

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
LOGGED = 3  # the demo contacts all started in 2026-Q2/Q3, so today's contacts are only ours
SLOW = 20_000  # ms: a dashboard rerun on a busy two-core machine can take longer than expect's default 5 s
JOURNEY, BRAND, WAVE = "Help with an order", "Koopklik", "2026-Q3"

# What the auditor records per channel: checklist choices (every other item "Yes"), the answer, its verdict.
PLAN = {
    "phone": dict(label="Phone", items={"TONE": "4", "EXTRA": "No"}, correct="Yes",
                  answer="Yes, until it is packed this evening; I changed it for you now."),
    "email": dict(label="E-mail", items={"TONE": "2", "HOW": "No", "CONFIRM": "No", "EXTRA": "N/A"}, correct="No",
                  answer="Changes are not possible once an order is placed."),
    "whatsapp": dict(label="WhatsApp", items={"TONE": "5", "RESUME": "No"}, correct="Yes",
                     answer="Yes, via My orders until it is packed tonight."),
}


def _klantreis(*args: str, db_url: str) -> str:
    """Run the ``klantreis`` command as a user would (the console script make run installs)."""
    script = Path(sys.executable).with_name("klantreis")
    command = [str(script)] if script.exists() else [sys.executable, "-c", "from cli.main import main; main()"]
    done = subprocess.run([*command, *args], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env=dict(os.environ, KLANTREIS_DATABASE_URL=db_url, COLUMNS="200"))
    assert done.returncode == 0, f"klantreis {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def app_server(tmp_path_factory):
    """A server on a database brought up the way ``make run`` does it (replaces conftest's seeded one)."""
    tmp = tmp_path_factory.mktemp("fresh")
    url = f"sqlite:///{tmp / 'e2e.db'}"  # the file AppServer serves
    migrated = _klantreis("migrate", db_url=url)
    assert "upgraded empty →" in migrated, migrated
    seeded = _klantreis("demo", "--if-empty", db_url=url)
    assert "3,000 contacts added" in seeded and "auditor1-demo" in seeded, seeded
    server = AppServer(tmp, seed_contacts=None).start()
    assert server.url_db == url
    yield server
    server.stop()


def _pick(page, item_label: str, option: str) -> None:
    """Click one option of a segmented control (checklist item, "Answer correct?")."""
    page.get_by_role("radiogroup", name=re.compile(f"^{re.escape(item_label)}")).get_by_role(
        "radio", name=option, exact=True).click()


def _start(page, channel: str) -> int:
    """Start a contact on ``channel`` from My contacts; returns its id from the log page."""
    go_to(page, "My contacts")  # the start form is open, with the last contact's choices
    choose_option(page, "Brand", BRAND)
    choose_option(page, "Journey", JOURNEY)
    choose_option(page, "Channel", PLAN[channel]["label"])
    if not any(start <= datetime.now(AMSTERDAM).date() <= end for _, start, end in DEMO_WAVES):
        expect(page.get_by_text(re.compile(r"^No wave covers .* choose one, or leave without a wave"))).to_be_visible()
    choose_option(page, "Wave", WAVE)  # the demo's waves have ended: the form asks instead of guessing
    page.get_by_role("button", name=re.compile(r"^(Start contact|Start waiting)")).click()
    wait_for_app(page)
    expect(page.get_by_role("heading", name=f"{PLAN[channel]['label']} · {BRAND}")).to_be_visible()
    caption = page.get_by_text(re.compile(rf"^Contact \d+ · {JOURNEY}")).inner_text()
    return int(re.match(r"Contact (\d+)", caption).group(1))


def _assess(page, channel: str) -> list[str]:
    """Score every checklist item, type the answer received, judge it and save; returns the item codes."""
    form = page.locator(".st-key-assessment")  # the assessment autosaves: a container, not a form
    wait_for_app(page)
    # on a loaded machine the previous run's container can linger beside the new one for a moment
    expect(form).to_have_count(1, timeout=SLOW)
    codes = re.findall(r"^([A-Z]+) · ", form.inner_text(), flags=re.MULTILINE)
    assert codes, form.inner_text()
    for code in codes:
        _pick(page, f"{code} · ", PLAN[channel]["items"].get(code, "Yes"))
    answer = form.get_by_label("Answer received", exact=True)
    answer.fill(PLAN[channel]["answer"])
    answer.press("Tab")
    _pick(page, "Answer correct?", PLAN[channel]["correct"])
    click_button(page, "Save assessment")
    saved = page.get_by_text(re.compile(r"^Assessment saved\. Score \d"))
    expect(saved).to_be_visible(timeout=SLOW)
    saved.scroll_into_view_if_needed()  # the notice and the timings, for the screenshot
    return codes


def _set_period(page, first: str, last: str) -> None:
    """Type both ends of the "Started between" range (YYYYMMDD) and close the calendar."""
    for end, day in (("start", first), ("end", last)):
        page.get_by_role("spinbutton", name=f"year, Started between {end} date").click()
        page.keyboard.type(day.replace("-", ""))
    page.keyboard.press("Escape")  # closing the calendar commits the range
    wait_for_app(page)


def test_fresh_start_auditor_logs_three_channels_manager_sees_drills_down_and_exports(page, app_server):
    """From make run's fresh database: three contacts logged in the UI are the ones the manager counts, opens and exports."""
    expect(page.get_by_text("demo data")).to_be_visible()  # the sign-in page names the demo accounts
    expect(page.get_by_test_id("stSidebarNav")).to_have_count(0)  # and lists no page files beside the form
    screenshot(page, "e2e-0-fresh-sign-in")
    sign_in(page, "auditor1")
    expect(page.get_by_text("Signed in as")).to_be_visible()
    first_day = datetime.now(AMSTERDAM).date()
    ids: dict[str, int] = {}
    items: dict[str, list[str]] = {}

    # phone: the stopwatch runs while on hold and while talking
    ids["phone"] = _start(page, "phone")
    expect(page.get_by_text("Waiting", exact=True)).to_be_visible()
    page.wait_for_timeout(2000)  # on hold
    click_button(page, "Answered / picked up now")
    expect(page.get_by_text("Wait time stopped.")).to_be_visible()
    page.wait_for_timeout(1000)  # talking
    click_button(page, "Conversation ended now")
    expect(page.get_by_text("Handling time stopped.")).to_be_visible()
    items["phone"] = _assess(page, "phone")
    screenshot(page, "e2e-1-phone-logged")

    # e-mail: sent now, then the automatic acknowledgement and the first real answer come in
    ids["email"] = _start(page, "email")
    click_button(page, "Acknowledged now")
    expect(page.get_by_text("Acknowledged recorded.")).to_be_visible()
    click_button(page, "First response now")
    expect(page.get_by_text("First response recorded.")).to_be_visible()
    items["email"] = _assess(page, "email")
    screenshot(page, "e2e-2-email-logged")

    # WhatsApp: sent now, answered, resolved
    ids["whatsapp"] = _start(page, "whatsapp")
    click_button(page, "First response now")
    expect(page.get_by_text("First response recorded.")).to_be_visible()
    click_button(page, "Resolved now")
    expect(page.get_by_text("Resolved recorded.")).to_be_visible()
    items["whatsapp"] = _assess(page, "whatsapp")
    last_day = datetime.now(AMSTERDAM).date()

    go_to(page, "My contacts")
    page.get_by_role("heading", name="Recently completed").scroll_into_view_if_needed()
    completed = page.locator("[class*='st-key-done_']")  # one line per contact: brand · channel · time · score
    for row, channel in zip(range(3), ("whatsapp", "email", "phone"), strict=True):  # newest first
        expect(completed.nth(row)).to_have_class(re.compile(rf"\bst-key-done_{ids[channel]}\b"))
        expect(completed.nth(row)).to_contain_text(re.compile(rf"{BRAND} · {PLAN[channel]['label']} · .* · score \d"))
    screenshot(page, "e2e-3-auditor-my-contacts")
    click_button(page, "Sign out")
    expect(page.get_by_label("Username", exact=True)).to_be_visible()

    sign_in(page, "manager")
    go_to(page, "Dashboard")
    expect(page.get_by_test_id("stMetric").first).to_be_visible()
    # the contacts just logged are not yet reviewed nor released: the agency's switch counts them (and says so)
    page.get_by_text("Include contacts not yet released", exact=True).click()
    wait_for_app(page)
    expect(page.get_by_text(re.compile(r"^Including [\d,.]+ contacts? not yet released"))).to_be_visible(timeout=SLOW)
    choose_filter(page, "Brand", BRAND)
    choose_filter(page, "Wave", WAVE)
    _set_period(page, first_day.isoformat(), last_day.isoformat())
    tiles = page.get_by_test_id("stMetric")
    expect(tiles.filter(has_text="Response rate")).to_be_visible()
    quality_n = page.get_by_test_id("stColumn").filter(has=tiles.filter(has_text="Quality")).get_by_text(
        re.compile(r"^n = "))
    expect(quality_n.first).to_have_text(re.compile(rf"^n = {LOGGED}\b"), timeout=SLOW)
    rate_n = page.get_by_test_id("stColumn").filter(has=tiles.filter(has_text="Response rate")).get_by_text(
        re.compile(r"^n = "))
    expect(rate_n.first).to_have_text(re.compile(rf"^n = {LOGGED}\b"))
    screenshot(page, "e2e-4-manager-dashboard")

    go_to(page, "Explore and export")
    summary = f"Filters: brand: {BRAND}; wave: {WAVE}; started {first_day} to {last_day} · {LOGGED} contacts"
    expect(page.get_by_text(summary, exact=True)).to_be_visible(timeout=SLOW)  # the filters followed the manager
    # drill down: channel phone → its contact list → our phone contact
    choose_option(page, "Pick a channel", re.compile(r"^Phone \("))
    grid = page.get_by_test_id("stDataFrame").first
    expect(grid).to_be_visible()
    grid.click(position={"x": 18, "y": 54})  # the first (newest) row's selection box
    wait_for_app(page)
    expect(page.get_by_role("heading", name=f"Contact {ids['phone']} · {BRAND} · Phone")).to_be_visible(timeout=SLOW)
    expect(page.get_by_test_id("stText").filter(has_text=PLAN["phone"]["answer"])).to_be_visible()  # answer received
    screenshot(page, "e2e-5-manager-drill-down")

    page.get_by_role("tab", name="Export").click()
    wait_for_app(page)
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Contacts as CSV").click()
    download = download_info.value
    screenshot(page, "e2e-6-manager-export")
    text = Path(download.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == LOGGED
    ours = {r["channel"]: r for r in rows if r["answer_text"] in {p["answer"] for p in PLAN.values()}}
    assert set(ours) == set(PLAN), rows
    for channel, row in ours.items():
        plan = PLAN[channel]
        assert (row["brand"], row["journey"], row["wave"]) == (BRAND, JOURNEY, WAVE)
        assert row["answer_text"] == plan["answer"]
        assert row["answer_correct"] == plan["correct"].lower()
        assert row["auditor"].startswith("Auditor ") and row["auditor"] != "auditor1"  # pseudonymised
        assert row["first_response_at"], row
        # the export-only columns: the contact on screen, its channel's name and the score the dashboards show
        assert row["contact_id"] == str(ids[channel]), row
        assert row["channel_label"], row
        assert 0 <= float(row["final_score"]) <= float(row["raw_score"]) <= 100, row
        assert row["passed"] in {"yes", "no"}, row
        answered = {k.removeprefix("item:"): v for k, v in row.items() if k.startswith("item:") and v}
        assert set(answered) == set(items[channel]), (channel, answered)  # every item scored, no other
        for code, value in answered.items():
            choice = plan["items"].get(code, "Yes")
            assert value == {"Yes": "yes", "No": "no", "N/A": "na"}.get(choice, choice), (channel, code, row)
    assert len({r["auditor"] for r in ours.values()}) == 1  # one auditor, one stable pseudonym
    assert 1 <= float(ours["phone"]["wait_seconds"]) <= 15  # the on-hold time from the stopwatch
    assert ours["email"]["acknowledged_at"] and not ours["email"]["resolved_at"]
    assert ours["whatsapp"]["resolved_at"]
