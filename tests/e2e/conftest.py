"""Browser tests: a real Streamlit server on a free port, driven by Playwright in Debian's Chromium.

Each test module gets its own server on a fresh SQLite database with a little demo data
(seed 5, 120 contacts, the demo accounts). Helpers wait for Streamlit to finish its script
run (``data-test-script-state=notRunning``) after every interaction, never on sleeps alone.

Without Chromium at /usr/bin/chromium the tests are skipped with that reason, except in CI
(``CI=true``), where that is an error. Every test in this folder is marked ``e2e`` (so
``make test-fast`` leaves them out); screenshots go to a temporary folder unless
``KLANTREIS_SCREENSHOTS`` names one (see ``screenshot``).
"""

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

from data import db
from journeys.demo import seed_demo
from ui.auth_cookie import COOKIE_NAME

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("KLANTREIS_CHROMIUM", "/usr/bin/chromium"))
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
SCRIPT_DONE = "[data-testid='stApp'][data-test-script-state='notRunning']"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def pytest_collection_modifyitems(config, items):
    """Mark every browser test ``e2e``, including ones added later to this folder."""
    here = Path(__file__).parent
    for item in items:
        if item.path.is_relative_to(here):
            item.add_marker(pytest.mark.e2e)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class AppServer:
    """A running ``streamlit run streamlit_app.py`` with its own database and log file."""

    def __init__(self, tmp: Path, seed_contacts: int = 120):
        self.db_path = tmp / "e2e.db"
        self.url_db = f"sqlite:///{self.db_path}"
        self.log_path = tmp / "streamlit.log"
        self.port = _free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        db.upgrade(self.url_db)
        if seed_contacts is not None:
            seed_demo(db.get_engine(self.url_db), contacts=seed_contacts, seed=5)
        db.dispose_engines()

    def start(self) -> "AppServer":
        # the browser tests send no mail; the app keeps its frames snapshot (as it does for a user) beside the database
        env = dict(os.environ, KLANTREIS_DATABASE_URL=self.url_db, KLANTREIS_ALERT_WORKER="0",
                   KLANTREIS_CACHE_DIR=str(self.db_path.parent / "cache"))
        self._log = open(self.log_path, "w")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(ROOT / "streamlit_app.py"),
             "--server.port", str(self.port), "--server.address", "127.0.0.1",
             "--server.headless", "true", "--browser.gatherUsageStats", "false",
             "--server.fileWatcherType", "none"],
            cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.base_url}/_stcore/health", timeout=2) as response:
                    if response.read().decode().strip() == "ok":
                        return self
            except OSError:
                time.sleep(0.3)
            if self.process.poll() is not None:
                break
        raise RuntimeError(f"Streamlit did not start; log:\n{self.log_path.read_text()}")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self._log.close()


@pytest.fixture(scope="session")
def chromium_browser():
    """One headless Chromium for the whole run."""
    if not CHROMIUM.exists():
        message = f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
        if IN_CI:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def app_server(tmp_path_factory):
    """A fresh app server with demo data for this test module."""
    server = AppServer(tmp_path_factory.mktemp("e2e")).start()
    yield server
    server.stop()


@pytest.fixture
def viewport() -> dict:
    """The browser window of ``page``: a desktop size (a module may override this fixture)."""
    return {"width": 1280, "height": 900}


@pytest.fixture
def page(chromium_browser, app_server, viewport):
    """A new browser page on the app's start URL."""
    context = chromium_browser.new_context(viewport=viewport, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.goto(app_server.base_url)
    wait_for_app(page)
    yield page
    context.close()


def wait_for_app(page) -> None:
    """Wait until Streamlit has finished running the script for the last interaction."""
    page.wait_for_selector(SCRIPT_DONE, timeout=30_000)
    page.wait_for_timeout(150)  # let the last delta render after the state flag flips
    page.wait_for_selector(SCRIPT_DONE, timeout=30_000)


def click_button(page, label: str) -> None:
    page.get_by_role("button", name=label, exact=True).click()
    wait_for_app(page)


def fill(page, label: str, value: str) -> None:
    """Type into the text input or area with this label and commit it (Tab), then wait."""
    field = page.get_by_label(label, exact=True)
    field.fill(value)
    field.press("Tab")
    wait_for_app(page)


def sign_in(page, username: str, password: str | None = None) -> None:
    """Sign in through the form; the demo password is the username + '-demo'.

    Returns once the browser holds the session cookie, so that a typed URL or a reload right
    after it stays signed in (see :func:`wait_for_session_cookie`).
    """
    _sign_in_with(page, ("Username", "Password", "Sign in"), username, password)


def sign_in_in_dutch(page, username: str, password: str | None = None) -> None:
    """:func:`sign_in` on the form as a Dutch browser shows it."""
    _sign_in_with(page, ("Gebruikersnaam", "Wachtwoord", "Inloggen"), username, password)


def _sign_in_with(page, labels: tuple[str, str, str], username: str, password: str | None) -> None:
    user_label, password_label, button = labels
    fill(page, user_label, username)
    page.get_by_label(password_label, exact=True).fill(password or f"{username}-demo")
    click_button(page, button)
    wait_for_session_cookie(page)


def wait_for_session_cookie(page) -> None:
    """Wait until the browser has written the session cookie.

    The cookie is written by a component in the browser just after the sign-in's script run has
    drawn the page, so the landing page can be visible a moment before the cookie exists; a page
    opened by URL in that moment arrives signed out.
    """
    page.wait_for_function(f"document.cookie.includes('{COOKIE_NAME}=')", timeout=30_000)


def choose_option(page, label: str, option) -> None:
    """Pick ``option`` (text or pattern) in the select box labelled ``label``, then wait.

    A box that already shows ``option`` is left alone. On a loaded machine a rerun that was
    still drawing (a fragment, a page switch) can close the list right after it opened: the
    box is then opened again, a few times, before the option is given up on.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    wait_for_app(page)
    box = page.get_by_test_id("stSelectbox").filter(has_text=label).first
    if isinstance(option, str) and box.locator("input").input_value().strip() == option:
        return
    choice = page.get_by_role("option", name=option, exact=True)
    for attempt in range(4):
        box.click()
        try:
            choice.wait_for(state="visible", timeout=5_000)
            break
        except PlaywrightTimeout:
            if attempt == 3:
                raise
            page.keyboard.press("Escape")
            wait_for_app(page)
    choice.click()
    wait_for_app(page)


def open_options(page, box):
    """Open the option list of the multiselect ``box`` and return it (or its "No results").

    A rerun still drawing the sidebar can close the list as it opens: it is opened again, a few
    times, before it is given up on."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    dropdown = page.get_by_role("listbox").or_(page.get_by_text("No results", exact=True)).first
    for attempt in range(4):
        wait_for_app(page)
        box.scroll_into_view_if_needed()
        box.locator("input").click()
        try:
            dropdown.wait_for(state="visible", timeout=5_000)
            return dropdown
        except PlaywrightTimeout:
            if attempt == 3:
                raise AssertionError(f"the options of filter {box.inner_text()!r} did not open") from None
            page.keyboard.press("Escape")
    raise AssertionError("unreachable")


def choose_filter(page, label: str, option: str) -> None:
    """Add ``option`` to the multiselect labelled ``label`` (e.g. a sidebar filter) and close it."""
    box = page.get_by_test_id("stMultiSelect").filter(has_text=label)
    box.locator("input").click()
    box.locator("input").fill(option)
    page.keyboard.press("Enter")
    wait_for_app(page)
    page.keyboard.press("Escape")
    wait_for_app(page)


def go_to(page, title: str) -> None:
    """Open a page from the sidebar menu by its title (unfolding the menu when Streamlit has folded
    its tail away behind "View N more")."""
    import re

    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    wait_for_app(page)
    nav = page.get_by_test_id("stSidebarNav")
    more = nav.get_by_text(re.compile(r"^View \d+ more$"))
    if more.count():
        more.click()
    link = nav.get_by_role("link", name=title, exact=True)
    target = link.get_attribute("href")
    for attempt in range(3):  # a click that lands while a rerun redraws the menu can be lost: click again
        link.click()
        try:
            # the page may add its own query (?appeal=3, ?action=12) as soon as it runs
            page.wait_for_url(lambda url, target=target: url.split("?")[0] == target, timeout=10_000)
            break
        except PlaywrightTimeout:
            if attempt == 2:
                raise
    wait_for_app(page)


SCREENSHOTS_ENV = "KLANTREIS_SCREENSHOTS"


def screenshot(page, name: str) -> Path:
    """Save a screenshot in a temporary folder, or in ``KLANTREIS_SCREENSHOTS`` when asked for.

    A test run never writes into tracked files; to refresh the pictures kept in the repo, run the
    browser tests with ``KLANTREIS_SCREENSHOTS=docs/screenshots`` (a relative folder is taken
    from the repository root).
    """
    folder = os.environ.get(SCREENSHOTS_ENV, "").strip()
    base = Path(folder) if folder else Path(tempfile.gettempdir()) / "klantreis-screenshots"
    target = (base if base.is_absolute() else ROOT / base) / f"{name}.png"
    target.parent.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(800)  # dataframes and charts paint after the script has finished
    page.screenshot(path=str(target), full_page=True)
    return target
