"""Each manager view renders in a real browser, with its charts and honest-n captions.

Also takes the screenshots of the four analysis views (kept in docs/screenshots/ when asked for, see conftest.screenshot).
"""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import AppServer, go_to, screenshot, sign_in

VIEWS = [
    ("Dashboard", "dashboard", 3, "Share answered over time since the contact"),
    ("Consistency", "consistency", 2, "Where the experience differs: criterion × channel"),
    ("Trends and hours", "trends", 4, "When service slips: weekday × hour the contact was made"),
    ("Explore and export", "explore", 0, "Select a row to see the contact."),
]


@pytest.fixture(scope="module")
def app_server(tmp_path_factory):
    """Enough demo contacts (800) that most channels have a real sample to show."""
    server = AppServer(tmp_path_factory.mktemp("views"), seed_contacts=800).start()
    yield server
    server.stop()


@pytest.fixture
def viewport() -> dict:
    """Tall enough that each view's screenshot holds all of its charts."""
    return {"width": 1400, "height": 2000}


def test_every_manager_view_renders_its_charts(page):
    page.set_default_timeout(30_000)  # 800 contacts: the first load takes longer
    sign_in(page, "manager")
    for title, name, charts, marker in VIEWS:
        go_to(page, title)
        expect(page.get_by_text(marker).first).to_be_visible()
        expect(page.get_by_test_id("stException")).to_have_count(0)
        if charts:
            expect(page.locator("[data-testid='stVegaLiteChart'] canvas, [data-testid='stVegaLiteChart'] svg")
                   .first).to_be_visible()
            assert page.get_by_test_id("stVegaLiteChart").count() == charts
        captions = " ".join(page.get_by_test_id("stCaptionContainer").all_inner_texts())
        assert re.search(r"n = [\d,]+|[\d,]+ contacts", captions)  # every view states the n it rests on
        screenshot(page, name)
