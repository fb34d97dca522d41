"""The printable brand report in a real browser: chosen on its own, whatever the sidebar holds,
and saying on its face what it covers (issue 15, item 2)."""

from pathlib import Path

from playwright.sync_api import expect

from tests.e2e.conftest import choose_filter, go_to, screenshot, sign_in, wait_for_app


def test_brand_report_ignores_the_sidebar_filter_and_says_what_it_covers(page, chromium_browser):
    sign_in(page, "manager")
    go_to(page, "Dashboard")
    choose_filter(page, "Channel", "Phone")  # the channel filter offers display names
    go_to(page, "Explore and export")
    expect(page.get_by_text("channel: Phone").first).to_be_visible()  # the sidebar filter is still set
    page.get_by_role("tab", name="Export").click()
    wait_for_app(page)

    page.get_by_test_id("stSelectbox").filter(has_text="Brand").click()
    brands = page.get_by_role("option").all_inner_texts()
    assert len(brands) > 1  # every brand, not only those of the filtered contacts
    page.get_by_role("option").first.click()
    wait_for_app(page)
    expect(page.get_by_text("sidebar filters do not apply").first).to_be_visible()

    page.get_by_role("button", name="Build report").click()
    wait_for_app(page)
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download report (HTML)").click()
    report = Path(download_info.value.path()).read_text(encoding="utf-8")
    assert f"Covers every contact of brand {brands[0]}, all waves: all channels" in report
    rows = report.count("<tr>")  # the channel table: one row per channel (the header row has a style)
    assert rows > 1, "only the filtered channel's contacts"  # phone alone would be one row
    assert "<td>E-mail</td>" in report or "<td>Web chat</td>" in report  # channels by their display names
    assert "<td>email</td>" not in report and "<td>webchat</td>" not in report
    assert "UTC" not in report

    viewer = chromium_browser.new_page(viewport={"width": 1100, "height": 1400})
    try:
        viewer.set_content(report)
        expect(viewer.get_by_text("Covers every contact")).to_be_visible()
        screenshot(viewer, "brand-report")
    finally:
        viewer.close()
