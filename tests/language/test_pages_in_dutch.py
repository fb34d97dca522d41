"""Every page of every role, rendered in Dutch, reads Dutch: no common English UI word outside user data.

A Dutch browser (``nl-NL``) signs in through the frame as each demo account and opens every page
of its menu (``ui.navigation.pages_for``). From each rendered page the test collects what a
person reads: titles, headers, Markdown and captions, alerts, button and widget labels, their
help texts, placeholders and options, metric labels and values, the column names of tables and
dataframes, tab and expander labels, chart titles. User data (brand, location, journey and
wave names, checklist texts, answers, notes, display names; the demo is partly English) and
Markdown code spans (a command such as `klantreis users add`) are cut out of those texts first,
so what remains is the app's own words. Every English word or phrase
of ``ENGLISH`` found there is reported, per page, in one assertion message.

Figures follow the language too: somewhere a metric shows a decimal comma ("54,9") and no
metric value shows a decimal point ("54.9").
"""

import json
import re

import pytest
from sqlmodel import select

from data import db
from journeys.demo import seed_demo
from journeys.models import Answer, Brand, ChecklistVersion, Contact, Criterion, Journey, Location, User, Wave
from tests.apptest import app_pointed_at, app_test
from tests.shown import shown
from ui.contact_forms import OPEN_KEY
from ui.navigation import pages_for
from ui.session import RETURN_TO_KEY

# Common English UI words and phrases that have another word in Dutch (docs/glossary.md), and a
# few English function words that no Dutch sentence has: an untranslated sentence shows at once.
# Matched as whole words, ignoring case. Words that are Dutch too (Dashboard, Score, Trends,
# Privacy, Contact, Filter, Start) are not in the list.
ENGLISH = (
    "Sign in", "Sign out", "Username", "Password", "Contacts", "My contacts", "Log contact",
    "Save", "Cancel", "Delete", "Download", "Channel", "Channels", "Wave", "Waves", "Brand",
    "Brands", "Location", "Locations", "Journey", "Journeys", "Users", "Overview", "Quality",
    "Response time", "First response", "Resolved", "Answer", "Evidence", "Draft", "Notes",
    "Settings", "Role", "Add", "Please", "Explore", "Consistency", "Weekday", "Acknowledged", "Date", "Time",
    "the", "your", "and", "with",
)
_ENGLISH = re.compile(r"(?<![\w-])(" + "|".join(re.escape(w) for w in sorted(ENGLISH, key=len, reverse=True))
                      + r")(?![\w-])", re.IGNORECASE)
CODE_SPAN = re.compile(r"`[^`]*`")  # a command or file name in Markdown code: never translated
DECIMAL_COMMA = re.compile(r"\d,\d")
DECIMAL_POINT = re.compile(r"\d\.\d(?!\d\d)")  # 54.9, 4.25; not the Dutch thousands of 1.234

ROLES = {"auditor": "auditor1", "manager": "manager", "admin": "admin"}
CASES = [(role, spec.path) for role in ROLES for spec in pages_for(role)]


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory):
    """One demo database for the module (read only here), and the user data it holds."""
    url = f"sqlite:///{tmp_path_factory.mktemp('dutch-pages') / 'demo.db'}"
    db.upgrade(url)
    seed_demo(db.get_engine(url), contacts=120, seed=5)
    yield url
    db.dispose_engines()


@pytest.fixture(scope="module")
def user_data(demo_url) -> list[str]:
    """Every text a person typed into the demo, longest first (cut out of the page texts)."""
    texts: set[str] = set()
    columns = [(Brand, "name", "sector"), (Location, "name", "city"), (Wave, "name"),
               (Journey, "name", "scenario", "question", "reference_answer"), (Criterion, "text", "section", "code"),
               (ChecklistVersion, "note"), (User, "username", "display_name"), (Contact, "answer_text", "notes"),
               (Answer, "comment")]
    with db.read_scope(db.get_engine(demo_url)) as session:
        for model, *fields in columns:
            for row in session.exec(select(model)).all():
                texts.update(str(getattr(row, f) or "") for f in fields)
    return sorted((t for t in texts if t.strip()), key=len, reverse=True)


@pytest.fixture
def dutch_app(demo_url, monkeypatch):
    with app_pointed_at(demo_url, monkeypatch):
        yield


def _nodes(node):
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _nodes(child)


def _attr(node, name):
    try:
        return getattr(node, name)
    except Exception:  # noqa: BLE001 - an element whose proto has no such field
        return None


def _chart_titles(spec) -> list[str]:
    """The titles in a Vega-Lite spec (axes, legends, tooltips, the chart's own)."""
    found = []
    if isinstance(spec, dict):
        for key, value in spec.items():
            if key == "title" and isinstance(value, str):
                found.append(value)
            elif key == "title" and isinstance(value, list):
                found.extend(str(v) for v in value)
            elif key == "title" and isinstance(value, dict) and isinstance(value.get("text"), str):
                found.append(value["text"])
            else:
                found.extend(_chart_titles(value))
    elif isinstance(spec, list):
        for value in spec:
            found.extend(_chart_titles(value))
    return found


def _column_config(node) -> dict:
    """A table's column configuration (label, hidden) by column name, as Streamlit sends it."""
    raw = getattr(getattr(node, "proto", None), "columns", "")
    try:
        return json.loads(raw) if isinstance(raw, str) and raw else {}
    except ValueError:
        return {}


def page_texts(at) -> tuple[list[str], list[str]]:
    """What a person reads on the rendered page, and the metric values among it."""
    texts, metric_values = [], []
    for node in _nodes(at._tree):
        kind = getattr(node, "type", "")
        for name in ("label", "help", "placeholder"):
            value = _attr(node, name)
            if isinstance(value, str) and value:
                texts.append(value)
        if kind in {"markdown", "title", "header", "subheader", "caption", "error", "warning", "info", "success",
                    "text", "toast", "exception"}:
            value = _attr(node, "message") if kind == "exception" else _attr(node, "value")
            if isinstance(value, str):
                texts.append(value)
        options = _attr(node, "options")  # a list, or the proto's repeated field
        if options is not None and not isinstance(options, str) and hasattr(options, "__iter__"):
            texts.extend(str(o) for o in options)
        if kind == "metric":
            for name in ("value", "delta"):
                value = _attr(node, name)
                if value:
                    texts.append(str(value))
                    if name == "value":
                        metric_values.append(str(value))
        if kind in {"dataframe", "table", "arrow_table"}:
            frame = _attr(node, "value")
            columns = getattr(frame, "columns", None)
            if columns is not None:
                configured = _column_config(node)
                for column in columns:
                    config = configured.get(str(column), {})
                    if config.get("hidden"):
                        continue  # a key column the table hides
                    if config.get("label"):  # shown under its configured label, not its key
                        texts.append(str(config["label"]))
                        continue
                    texts.extend(str(c) for c in (column if isinstance(column, tuple) else (column,)))
                if getattr(frame.index, "name", None):
                    texts.append(str(frame.index.name))
        if "vega" in kind or "chart" in kind:
            spec = _attr(node, "spec")
            if isinstance(spec, str) and spec:
                try:
                    texts.extend(_chart_titles(json.loads(spec)))
                except ValueError:
                    pass
    return [shown(t) for t in texts], metric_values


def english_in(texts: list[str], user_data: list[str]) -> list[str]:
    """The texts that hold an English word of ``ENGLISH`` once user data and code spans are cut out of them."""
    offending = []
    for text in texts:
        own = CODE_SPAN.sub(" ", text)
        for datum in user_data:
            if datum in own:
                own = own.replace(datum, " ")
        words = sorted({m.group(0) for m in _ENGLISH.finditer(own)})
        if words:
            offending.append(f"{', '.join(words)}  ←  {text[:160]!r}")
    return sorted(set(offending))


def _through_frame(at):
    at._page_hash = ""
    at._finished_page_script_hash = ""
    return at


def render_in_dutch(role: str, path: str | None, **state):
    """The frame in a Dutch browser, signed in as ``role``'s demo account, on ``path`` (None: the
    sign-in page), with ``state`` in the session first."""
    at = app_test()
    at.context = {"locale": "nl-NL"}
    at.run()
    assert not at.exception, at.exception
    if role is None:
        return at
    username = ROLES[role]
    at.text_input(key="sign_in_username").input(username)
    at.text_input(key="sign_in_password").input(f"{username}-demo")
    at.button[0].click().run()
    assert not at.exception, at.exception
    at.session_state[RETURN_TO_KEY] = path
    for key, value in state.items():
        at.session_state[key] = value
    _through_frame(at).run()
    assert not at.exception, at.exception
    return at


def test_the_sign_in_page_reads_dutch(dutch_app, user_data):
    at = render_in_dutch(None, None)
    texts, _values = page_texts(at)
    assert "Inloggen" in texts
    offending = english_in(texts, user_data)
    assert offending == [], "English on the sign-in page:\n" + "\n".join(offending)


@pytest.mark.parametrize(("role", "path"), CASES, ids=[f"{r}-{p.split('/')[-1][:-3]}" for r, p in CASES])
def test_every_page_reads_dutch(dutch_app, user_data, role, path):
    at = render_in_dutch(role, path)
    assert [t.value for t in at.title] != ["Pagina niet beschikbaar"], f"{role} cannot open {path}"
    texts, metric_values = page_texts(at)
    assert texts, f"{path} rendered nothing"
    offending = english_in(texts, user_data)
    offending += [f"decimal point  ←  {v!r}" for v in metric_values if DECIMAL_POINT.search(v)]
    assert offending == [], f"English on {path} ({role}):\n" + "\n".join(offending)


@pytest.mark.parametrize("which", ["open", "completed"])
def test_a_contact_being_logged_reads_dutch(dutch_app, demo_url, user_data, which):
    """Log contact with one of auditor1's contacts open: the timing, checklist and evidence forms."""
    with db.read_scope(db.get_engine(demo_url)) as session:
        auditor = session.exec(select(User).where(User.username == ROLES["auditor"])).one()
        contacts = session.exec(select(Contact).where(Contact.auditor_id == auditor.id).order_by(Contact.id)).all()
        chosen = next(c for c in contacts if (c.first_response_at is None) == (which == "open"))
        contact_id = chosen.id
    at = render_in_dutch("auditor", "pages/contact_log.py", **{OPEN_KEY: contact_id})
    texts, metric_values = page_texts(at)
    assert len(texts) > 10, texts  # the contact's forms, not the "open a contact" notice
    offending = english_in(texts, user_data)
    offending += [f"decimal point  ←  {v!r}" for v in metric_values if DECIMAL_POINT.search(v)]
    assert offending == [], f"English on pages/contact_log.py ({which} contact):\n" + "\n".join(offending)


def test_figures_show_a_decimal_comma(dutch_app):
    """The manager's Dashboard and Overview write their figures the Dutch way (54,9)."""
    values = []
    for path in ("pages/dashboard.py", "pages/overview.py", "pages/trends.py"):
        values += page_texts(render_in_dutch("manager", path))[1]
    assert any(DECIMAL_COMMA.search(v) for v in values), values
    assert not [v for v in values if DECIMAL_POINT.search(v)], values


def test_english_words_would_be_found():
    """The check itself: an English label is found, the same words inside user data are not."""
    assert english_in(["Opslaan", "Kanaal: Winkel", "Mijn contacten"], []) == []
    assert english_in(["Save changes", "Kanaal"], []) == ["Save  ←  'Save changes'"]
    assert english_in(["Klantreis: Cancel the order"], ["Cancel the order"]) == []
    assert english_in(["Maak een beheerder aan met `klantreis users add`."], []) == []
    assert english_in(["Waves of the sea"], []) == ["Waves, the  ←  'Waves of the sea'"]
    assert english_in(["Contacten per channel"], []) == ["channel  ←  'Contacten per channel'"]
    assert not DECIMAL_POINT.search("1.234") and DECIMAL_POINT.search("54.9") and DECIMAL_COMMA.search("54,9")
