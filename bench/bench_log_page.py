"""Benchmark: taps and rerun times of a routine phone contact on a phone screen (390 × 844).

Run: PYTHONPATH=$PWD .venv/bin/python bench/bench_log_page.py [--rounds 5] [--picks 3]

Starts a real ``streamlit run`` (``tests.e2e.conftest.AppServer``: a temporary SQLite database with
the demo data) and drives it in /usr/bin/chromium with Playwright, signed in as ``auditor1``. A
warm-up contact logs the auditor's usual phone contact (a brand, one of its locations, a journey
on the phone); each round then logs the same contact again, starting on My contacts, and counts
the taps: opening the start form if it is folded, each dropdown that does not already show the
wanted value (two taps: open, choose), start, the two stopwatch buttons, one tap per checklist
item and "Save assessment". Tapping to reach My contacts after sign-in is not counted here.

Times are from the tap until the app is idle again and shows the tap's effect (Streamlit's
``data-test-script-state`` back at ``notRunning`` after a run began), measured from Python: picking
a value in the start form's Channel dropdown (``--picks`` per round, phone ↔ e-mail) and each stopwatch button.
Each round is a fresh browser session (signed in anew, as on the next day), so only what the app
itself remembers carries over from one contact to the next. Medians over all rounds. Wall-clock figures depend on the machine (two shared
cores here): a figure to look at, not a test. Prints one JSON object.
"""

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

from playwright.sync_api import TimeoutError as PlaywrightTimeout
from sqlmodel import select

from data import db
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, AppServer, sign_in, wait_for_app
from ui.auth_cookie import COOKIE_NAME

RUNS_OBSERVER = """() => {
  window.__runs = 0;
  const app = document.querySelector("[data-testid='stApp']");
  new MutationObserver(() => {
    if (app.getAttribute('data-test-script-state') === 'running') window.__runs += 1;
  }).observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
}"""
IDLE = "document.querySelector(\"[data-testid='stApp']\").getAttribute('data-test-script-state') === 'notRunning'"

# The page scrolls inside Streamlit's main area, not the document: the tallest scroll height.
PAGE_HEIGHT = "Math.max(...[...document.querySelectorAll('*')].map(e => e.scrollHeight))"


def routine_choice(url: str) -> dict:
    """The auditor's usual phone contact: the second brand, its first location, the last phone journey."""
    from journeys.models import Brand, Channel, Journey, JourneyChannel, JourneyStatus, Location

    engine = db.get_engine(url)
    with db.session_scope(engine) as session:
        brand = session.exec(select(Brand).order_by(Brand.name)).all()[1]
        location = session.exec(select(Location).where(Location.brand_id == brand.id).order_by(Location.name)).first()
        phone = session.exec(select(Channel).where(Channel.name == "phone")).one()
        journeys = session.exec(
            select(Journey).join(JourneyChannel, JourneyChannel.journey_id == Journey.id)
            .where(JourneyChannel.channel_id == phone.id, Journey.status == JourneyStatus.ACTIVE)
            .order_by(Journey.name)).all()
        choice = {"Brand": brand.name, "Location": location.name, "Journey": journeys[-1].name,
                  "Channel": phone.label}
    db.dispose_engines()
    return choice


class Flow:
    """One browser page on the app, counting taps and timing reruns."""

    def __init__(self, page, base_url: str):
        self.page, self.base_url, self.taps, self.tapped, self.missed = page, base_url, 0, [], 0

    def selectbox(self, label: str):
        return self.page.get_by_test_id("stSelectbox").filter(
            has=self.page.get_by_test_id("stWidgetLabel").get_by_text(label, exact=True)).first

    def shown(self, label: str) -> str:
        """The value the dropdown shows ("" when none is chosen)."""
        return self.selectbox(label).locator("input").input_value().strip()

    def timed(self, tap, done: str = "true") -> float | None:
        """Seconds from ``tap()`` until a script run began and ended and ``done`` (JS) holds."""
        before = self.page.evaluate("window.__runs")
        started = time.perf_counter()
        tap()
        try:
            self.page.wait_for_function(f"window.__runs > {before} && {IDLE} && ({done})", polling="raf",
                                        timeout=15_000)
        except PlaywrightTimeout:  # a run too quick to see flip the flag: no sample (counted as missed)
            wait_for_app(self.page)
            self.missed += 1
            return None
        elapsed = time.perf_counter() - started
        wait_for_app(self.page)
        return elapsed

    def count(self, what: str) -> None:
        self.taps += 1
        self.tapped.append(what)

    def tap(self, locator, done: str = "true", what: str = "") -> float | None:
        self.count(what or "tap")
        return self.timed(locator.click, done)

    def choose(self, label: str, option: str | None, *, count: bool = True) -> float | None:
        """Pick ``option`` (None: any other than shown) in the dropdown ``label``: two taps; the time
        is the rerun of the pick."""
        current = self.shown(label)
        self.selectbox(label).click()
        if count:
            self.count(f"open {label}")
        if option is None:
            option = next(o for o in self.page.get_by_role("option").all_inner_texts() if o.strip() != current).strip()
        chosen = self.page.get_by_role("option", name=option, exact=True)
        shows = f"[...document.querySelectorAll(\"[data-testid='stSelectbox'] input\")].some(e => e.value === {json.dumps(option)})"
        return self.tap(chosen, shows, f"choose {label}") if count else self.timed(chosen.click, shows)

    def open_my_contacts(self) -> None:
        self.page.goto(f"{self.base_url}/contacts_mine")
        wait_for_app(self.page)
        self.page.evaluate(RUNS_OBSERVER)

    def unfold(self) -> None:
        """Open the start form if it is folded away (a tap that runs no script)."""
        expander = self.page.get_by_test_id("stExpander").filter(has_text="Start a new contact")
        if expander.count() and expander.locator("details").get_attribute("open") is None:
            self.count("unfold the start form")
            expander.get_by_text("Start a new contact").click()
            wait_for_app(self.page)

    def start_form(self, choice: dict) -> None:
        self.unfold()
        for label in ("Journey", "Brand", "Location", "Channel"):  # a location belongs to a brand
            if self.selectbox(label).count() and self.shown(label) != choice[label]:
                self.choose(label, choice[label])
        if self.selectbox("Wave").count() and not self.shown("Wave"):  # no wave covers today: choose
            self.choose("Wave", "No wave")

    def log_contact(self, choice: dict, stopwatch: list[float]) -> None:
        page = self.page
        self.start_form(choice)
        self.tap(page.get_by_role("button", name="Start waiting (stopwatch)"),
                 "document.body.innerText.includes('Answered / picked up now')", "start")
        for name in ("Answered / picked up now", "Conversation ended now"):
            stopwatch.append(self.tap(page.get_by_role("button", name=name, exact=True),
                                      f"!document.body.innerText.includes({json.dumps(name)})", name))
        all_yes = page.get_by_role("button", name="Yes to every unanswered item")
        if all_yes.count():
            self.count("Yes to every unanswered item")
            all_yes.click()
            wait_for_app(page)
        checklist = page.locator(".st-key-assessment").get_by_test_id("stButtonGroup")
        for n in range(checklist.count()):
            group = checklist.nth(n)
            if "Answer correct" in group.inner_text() or group.locator("[aria-checked='true']").count():
                continue  # not a checklist item, or answered already
            self.count("checklist item")  # "Yes", or the lowest point of a scale; untimed
            group.get_by_role("radio").first.click()
            wait_for_app(page)
        self.tap(page.get_by_role("button", name="Save assessment", exact=True),
                 "document.body.innerText.includes('Assessment saved')", "Save assessment")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--picks", type=int, default=3)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    server = AppServer(Path(tempfile.mkdtemp(prefix="bench-log-"))).start()
    try:
        choice = routine_choice(server.url_db)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)

            def signed_in() -> Flow:
                """A fresh session (the next day, say): signed in and on My contacts."""
                context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
                page = context.new_page()
                page.set_default_timeout(30_000)
                page.goto(server.base_url)
                wait_for_app(page)
                sign_in(page, "auditor1")
                page.wait_for_function(f"document.cookie.includes('{COOKIE_NAME}=')")
                flow = Flow(page, server.base_url)
                flow.open_my_contacts()
                return flow

            warm_up = signed_in()
            warm_up.log_contact(choice, [])  # the auditor's last contact, so the next one is routine
            warm_up.page.context.close()
            taps, picks, stopwatch, screens, missed = [], [], [], {}, 0
            for _ in range(args.rounds):
                flow = signed_in()
                page = flow.page
                screens["my_contacts"] = page.evaluate(PAGE_HEIGHT) / 844
                flow.log_contact(choice, stopwatch)
                taps.append(flow.taps)
                tapped = list(flow.tapped)
                screens["log_page"] = page.evaluate(PAGE_HEIGHT) / 844
                flow.open_my_contacts()  # then the rerun of picking a value, there and back
                flow.unfold()
                for _ in range(args.picks):
                    picks.append(flow.choose("Channel", "E-mail" if flow.shown("Channel") == "Phone" else "Phone",
                                             count=False))
                missed += flow.missed
                page.context.close()
            browser.close()
    finally:
        server.stop()
    picks, stopwatch = [t for t in picks if t is not None], [t for t in stopwatch if t is not None]
    print(json.dumps({
        "routine_phone_contact_taps": taps,
        "pick_a_value_rerun_s_median": round(statistics.median(picks), 3),
        "pick_a_value_rerun_s": [round(t, 3) for t in picks],
        "stopwatch_button_rerun_s_median": round(statistics.median(stopwatch), 3),
        "stopwatch_button_rerun_s": [round(t, 3) for t in stopwatch],
        "timings_missed": missed,
        "screens_long_at_844px": {k: round(v, 1) for k, v in screens.items()},
        "taps_of_the_last_round": tapped,
        "routine_choice": choice,
    }, indent=1))


if __name__ == "__main__":
    main()
