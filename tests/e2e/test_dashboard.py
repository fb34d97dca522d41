"""The manager's dashboard in a real browser: filter, read the tiles, download the contacts."""

import csv
import io
import re

from playwright.sync_api import expect

from tests.e2e.conftest import choose_filter, go_to, screenshot, sign_in, wait_for_app


def test_manager_filters_to_one_brand_and_wave_and_downloads_csv(page):
    """Filtering to Koopklik in 2026-Q3 updates the tiles (with n and a delta) and the CSV holds only those contacts."""
    sign_in(page, "manager")
    go_to(page, "Dashboard")
    tiles = page.get_by_test_id("stMetric")
    expect(tiles.first).to_be_visible()
    choose_filter(page, "Brand", "Koopklik")
    choose_filter(page, "Wave", "2026-Q3")
    expect(tiles.filter(has_text="Quality")).to_be_visible()
    expect(page.get_by_text("vs 2026-Q2").first).to_be_visible()
    captions = page.get_by_test_id("stCaptionContainer").all_inner_texts()
    # each tile's caption starts with its n ("n = 16 · change vs 2026-Q2 (n = 12)")
    counts = [int(m.group(1).replace(",", "")) for c in captions if (m := re.match(r"n = ([\d,]+)", c.strip()))]
    assert counts and 0 < max(counts) < 120  # a subset of the 120 demo contacts
    screenshot(page, "dashboard-filtered")

    go_to(page, "Explore and export")
    expect(page.get_by_text("brand: Koopklik; wave: 2026-Q3")).to_be_visible()  # filters kept across pages
    page.get_by_role("tab", name="Export").click()
    wait_for_app(page)
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Contacts as CSV").click()
    path = download_info.value.path()
    rows = list(csv.DictReader(io.StringIO(open(path, encoding="utf-8-sig").read())))
    assert rows and {r["brand"] for r in rows} == {"Koopklik"} and {r["wave"] for r in rows} == {"2026-Q3"}
    assert len(rows) == max(counts)
    assert all(r["auditor"].startswith("Auditor ") for r in rows if r["auditor"])  # pseudonymised by default


def test_drill_down_to_one_contact(page):
    """From a channel to its contacts to one contact with its timings and checklist."""
    sign_in(page, "manager")
    go_to(page, "Explore and export")
    grid = page.get_by_test_id("stDataFrame")
    expect(grid).to_be_visible()
    grid.click(position={"x": 18, "y": 54})  # the first row's selection box
    wait_for_app(page)
    expect(page.get_by_text("Reference answer")).to_be_visible()
    expect(page.get_by_text("Timings (local time, Europe/Amsterdam)")).to_be_visible()
    screenshot(page, "explore-contact")
