"""An auditor logs a phone contact with the stopwatch and an e-mail contact with evidence, in a real browser."""

import re
import struct
import zlib
from pathlib import Path

from playwright.sync_api import expect

from tests.e2e.conftest import choose_option, click_button, go_to, screenshot, sign_in, wait_for_app


def _png(path: Path) -> Path:
    """A small valid PNG (a red square) made here, so the test needs no binary fixture."""
    width = height = 16
    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
                     + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
    return path


def _start(page, channel_label: str, *, from_menu: bool = True) -> None:
    """Start a contact from the start form (open on My contacts), choosing "No wave" when it asks."""
    if from_menu:  # on a phone the menu is folded away; the caller is already on My contacts
        go_to(page, "My contacts")
    choose_option(page, "Channel", channel_label)
    wave = page.get_by_test_id("stSelectbox").filter(has=page.get_by_text("Wave", exact=True)).locator("input")
    if not wave.input_value():  # no wave covers today (the demo's waves have ended): the form asks
        expect(page.get_by_text(re.compile(r"^No wave covers .* choose one, or leave without a wave"))).to_be_visible()
        choose_option(page, "Wave", "No wave")
    button = page.get_by_role("button", name=re.compile(r"^(Start contact|Start waiting)"))
    button.click()
    wait_for_app(page)


def test_phone_with_stopwatch_and_email_with_evidence(page, tmp_path):
    """Phone: wait and handling from the stopwatch; e-mail: sent now, evidence uploaded; both in My contacts."""
    sign_in(page, "auditor2")
    _start(page, "Phone")
    expect(page.get_by_text("Waiting", exact=True)).to_be_visible()
    page.wait_for_timeout(2500)  # the auditor waits on hold for a moment
    click_button(page, "Answered / picked up now")
    page.wait_for_timeout(1500)
    click_button(page, "Conversation ended now")
    expect(page.get_by_text("Handling time stopped.")).to_be_visible()  # right under the stopwatch
    done = page.get_by_text(re.compile(r"^Waited \d+ s · handled \d+ s$"))  # the finished stopwatch: one line
    expect(done).to_be_visible()
    waited, handled = (int(n) for n in re.findall(r"\d+", done.inner_text()))
    # waited on hold ≥ 2.5 s, talked ≥ 1.5 s (plus the clicks)
    assert 2 <= waited <= 8 and 1 <= handled <= 8, done.inner_text()
    expect(page.get_by_role("button", name="Conversation ended now")).to_have_count(0)
    screenshot(page, "logging-phone")

    _start(page, "E-mail")
    expect(page.get_by_role("button", name="First response now")).to_be_visible()
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(_png(tmp_path / "reply.png")))
    wait_for_app(page)
    click_button(page, "Attach file")
    expect(page.get_by_text("Attached reply.png.")).to_be_visible()
    page.get_by_text("Show the saved contact: score, timings, evidence and history").click()  # on request
    wait_for_app(page)
    expect(page.get_by_test_id("stImage").first).to_be_visible()
    screenshot(page, "logging-email-evidence")

    go_to(page, "My contacts")
    newest_open = page.get_by_text(re.compile(r"^Started .* · waiting \d+ s · within target 4\.0 h")).first
    expect(newest_open).to_be_visible()  # the e-mail, seconds old, against its 4 h working-hours target
    completed = page.locator("[class*='st-key-done_']").first  # brand · channel · time · score, newest first
    expect(completed).to_contain_text(re.compile(r" · Phone · .* · not scored · Being logged$"))
    screenshot(page, "logging-my-contacts")


def test_my_contacts_on_a_phone_screen(chromium_browser, app_server):
    """My contacts is usable at phone size (390 × 844)."""
    context = chromium_browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.goto(app_server.base_url)
    wait_for_app(page)
    sign_in(page, "auditor1")
    page.goto(f"{app_server.base_url}/contacts_mine")
    wait_for_app(page)
    expect(page.get_by_role("heading", name="My contacts")).to_be_visible()
    screenshot(page, "logging-phone-size")
    _start(page, "Phone", from_menu=False)  # the stopwatch is what an auditor uses on the shop floor
    expect(page.get_by_role("button", name="Answered / picked up now")).to_be_visible()
    screenshot(page, "logging-phone-size-stopwatch")
    context.close()
