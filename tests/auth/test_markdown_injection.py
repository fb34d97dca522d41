"""No user-typed text becomes a link, an image or a directive on any page (issue 13, item 6).

Every page is rendered for every role that may open it, on a world where every user-editable
field holds a Markdown payload (tests/poison.py). Every string Streamlit renders as Markdown —
bodies, captions, alerts, titles, widget labels and tooltips, radio and segmented options,
expander and tab labels, metric texts, image captions, ``st.table`` cells — is parsed the way
Streamlit parses it (``markdown_leaks``); none may yield an ``evil`` link or image. Elements
that never render Markdown (``st.text``, ``st.dataframe``, selectbox and multiselect options,
input values) are left out: they show the raw text, as they should.
"""

import ast
from pathlib import Path

import pandas as pd
import pytest
from google.protobuf.descriptor import FieldDescriptor
from streamlit.testing.v1 import AppTest

from data import db
from journeys.models import Contact, ReviewStatus, User
from tests import poison
from tests.apptest import app_test, open_page
from ui import dashboard_data
from ui.contact_forms import OPEN_KEY
from ui.session import USER_KEY, SignedInUser
from ui.text import WORD_JOINER, as_plain_text, plain_table

ROOT = Path(__file__).resolve().parents[2]
# Proto fields Streamlit renders as Markdown (and the options of radios and segmented controls).
MARKDOWN_FIELDS = {"body", "label", "help", "caption", "delta", "content", "options", "description"}
PLAIN_ELEMENTS = {"text", "code", "json", "dataframe", "arrow_data_frame", "data_editor", "html"}
PLAIN_OPTIONS = {"selectbox", "multiselect"}  # their options show as plain text (checked in Chromium)

PAGES_BY_ROLE = {
    "auditor": ["overview", "contacts_mine", "contact_log"],  # journeys are defined by admins (issue 13, item 10)
    "manager": ["overview", "dashboard", "consistency", "trends", "explore", "review_queue"],
    "admin": ["overview", "contacts_mine", "contact_log", "journey_admin", "dashboard", "consistency", "trends",
              "explore", "admin_users", "admin_retention"],
}
NO_USER_TEXT = {"admin_retention"}  # the retention setting and file counts only
CASES = [(role, page) for role, pages in PAGES_BY_ROLE.items() for page in pages]


@pytest.fixture
def world(app_env, monkeypatch):
    """The poisoned world on the test database, with a fixed as-of time for the dashboards."""
    ids = poison.poisoned_world(db.get_engine(app_env))
    monkeypatch.setattr(dashboard_data, "current_as_of", lambda: poison.T0 + pd.Timedelta(days=2))
    return ids


def _signed_in(engine, user_id: int) -> SignedInUser:
    with db.session_scope(engine) as session:
        user = session.get(User, user_id)
        return SignedInUser(user.id, user.username, user.display_name, user.role)


def _walk(node):
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _walk(child)


def _proto_strings(message, kind: str):
    for field, value in message.ListFields():
        values = value if field.is_repeated else [value]
        if field.type == FieldDescriptor.TYPE_MESSAGE:
            for item in values:
                yield from _proto_strings(item, kind)
        elif field.type == FieldDescriptor.TYPE_STRING and field.name in MARKDOWN_FIELDS:
            if field.name == "options" and kind in PLAIN_OPTIONS:
                continue
            yield from ((f"{kind}.{field.name}", v) for v in values)


def markdown_strings(at: AppTest) -> list[tuple[str, str]]:
    """(where, source) of every string the page hands Streamlit to render as Markdown."""
    found = []
    for node in _walk(at._tree):
        kind = getattr(node, "type", "")
        if kind in PLAIN_ELEMENTS:
            continue
        if kind == "table":  # st.table: every cell, index label and column name is Markdown
            frame = node.value
            cells = [*map(str, frame.columns), *map(str, frame.index), *map(str, frame.to_numpy().ravel())]
            found += [("table.cell", c) for c in cells]
            continue
        proto = getattr(node, "proto", None)
        if proto is not None:
            found += list(_proto_strings(proto, kind))
    return found


def assert_no_leaks(at: AppTest) -> int:
    """Fail naming each Markdown string that would become an ``evil`` link, image or directive;
    returns how many Markdown strings carried a payload (so a test cannot pass on an empty page)."""
    assert not at.exception, at.exception
    leaks = [(where, source, poison.markdown_leaks(source)) for where, source in markdown_strings(at)]
    assert [leak for leak in leaks if leak[2]] == []
    return sum(1 for _, source, _ in leaks if poison.EVIL in source)


def _page(url: str, role_id: int, page: str, **state) -> AppTest:
    return open_page(page, _signed_in(db.get_engine(url), role_id), **state)


@pytest.mark.parametrize(("role", "page"), CASES, ids=[f"{r}-{p}" for r, p in CASES])
def test_every_page_shows_payloads_literally(app_env, world, role, page):
    """Each page, for each role that may open it, renders no payload as a link, image or directive."""
    state = {OPEN_KEY: world["contact"]} if page == "contact_log" else {}
    if page == "review_queue":  # a contact waiting for review: the queue and the chosen contact show its names
        with db.session_scope(db.get_engine(app_env)) as session:
            contact = session.get(Contact, world["contacts"][1])
            contact.review_status, contact.released_at = ReviewStatus.SUBMITTED.value, None
            session.add(contact)
    at = _page(app_env, world[role], page, **state)
    assert_no_leaks(at)
    on_page = [str(getattr(node, "proto", "")) for node in _walk(at._tree)]
    assert page in NO_USER_TEXT or any(poison.EVIL in text for text in on_page), (
        f"{page} showed no payload: the test would prove nothing")


def test_filter_captions_and_wave_deltas_show_names_literally(app_env, world):
    """The Explore filter caption and the Dashboard's "change vs <previous wave>" notes escape names."""
    at = _page(app_env, world["manager"], "explore", flt_brands=[poison.BRAND], flt_channels=[poison.CHANNEL_NAME])
    assert any("Filters: brand:" in c.value for c in at.caption)
    assert assert_no_leaks(at)
    at = _page(app_env, world["manager"], "dashboard", flt_waves=["2026-Q1"])
    assert any("http\\:\\/\\/evil\\/w" in c.value for c in at.caption), [c.value for c in at.caption]
    assert assert_no_leaks(at)


def test_sidebar_shows_the_display_name_literally(app_env, world):
    """The frame's "Signed in as" caption escapes the display name."""
    at = app_test()
    at.session_state[USER_KEY] = _signed_in(db.get_engine(app_env), world["auditor"])
    at.run()
    assert any("Signed in as" in c.value for c in at.sidebar.caption)
    assert assert_no_leaks(at)


def test_attached_notice_shows_the_file_name_literally(app_env, world):
    """Attaching evidence named by a payload shows "Attached …" with the name made literal."""
    with db.session_scope(db.get_engine(app_env)) as session:  # evidence is attached while it is being logged
        contact = session.get(Contact, world["contact"])
        contact.review_status, contact.released_at = ReviewStatus.OPEN.value, None
        session.add(contact)
    at = _page(app_env, world["auditor"], "contact_log", **{OPEN_KEY: world["contact"]})
    at.get("file_uploader")[0].upload(poison.poison("up") + ".png", poison.png(7), "image/png")
    at.run()
    at.button(key="evidence_attach").click().run()
    assert any("Attached" in s.value for s in at.success), [s.value for s in at.success]
    assert assert_no_leaks(at)


def test_journey_notices_and_refusals_show_names_literally(app_env, world):
    """A journey created under a payload name, and a copy refused for a taken name, quote it literally."""
    at = _page(app_env, world["admin"], "journey_admin")
    at.selectbox(key="new_source").select(f"Copy of: {poison.JOURNEY}").run()
    name = next(t for t in at.text_input if t.key.startswith("new_") and t.key.endswith("_name"))
    name.input(poison.poison("new"))
    at.button(key="new_create").click().run()
    assert [m.value for m in at.success if "created" in m.value], [m.value for m in [*at.success, *at.error]]
    assert assert_no_leaks(at)
    at = _page(app_env, world["admin"], "journey_admin")
    next(t for t in at.text_input if t.label == "Name of the copy").input(poison.JOURNEY)  # keyed per journey
    at.button(key="edit_copy").click().run()
    assert at.error, "copying under a taken name must be refused"
    assert poison.EVIL in at.error[0].value
    assert assert_no_leaks(at)


def test_account_refusal_quotes_the_typed_username_literally(app_env, world):
    """An invalid username typed on the Users page is quoted in the refusal, as text."""
    at = _page(app_env, world["admin"], "admin_users")
    inputs = {t.label: t for t in at.text_input}
    inputs["New username"].input("[u](http://evil/x)")
    inputs["Display name"].input(poison.DISPLAY_NAME)
    inputs["Initial password"].input("a-long-password")
    at.button(key="FormSubmitter:admin_users_add-Add account").click().run()
    assert at.error and poison.EVIL in at.error[0].value
    assert assert_no_leaks(at)


def test_every_st_table_gets_a_plain_table():
    """``st.table`` renders cells as Markdown, so every call in the app passes ``plain_table(...)``."""
    offenders = []
    app_files = [ROOT / "streamlit_app.py", *sorted((ROOT / "pages").glob("*.py")), *sorted((ROOT / "ui").glob("*.py"))]
    for path in app_files:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "table":
                argument = node.args[0] if node.args else None
                if not (isinstance(argument, ast.Call) and getattr(argument.func, "id", None) == "plain_table"):
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []


def _probe():
    """Every Markdown-rendering element fed a raw payload, and every plain one too."""
    import pandas as pd
    import streamlit as st

    from tests import poison

    raw = "[p](http://evil/p) ![x](http://evil/p.png)"
    st.markdown(raw)
    st.caption(raw)
    st.info(raw)
    st.subheader(raw, anchor=False)
    st.table(pd.DataFrame({"a": [raw]}))
    st.metric(raw, raw, help=raw)
    with st.expander(raw):
        st.text(raw)
    st.tabs([raw])
    st.radio("r", [raw])
    st.segmented_control(raw, ["x"])
    st.button(raw)
    st.selectbox(raw, [raw])
    st.multiselect("m", [raw], default=[raw])
    st.dataframe(pd.DataFrame({"a": [raw]}))
    st.code(raw)
    st.image(poison.png(), caption=raw)
    st.download_button(raw, b"x", "x.txt")


def test_the_detector_sees_every_markdown_element():
    """The leak detector flags a raw payload in each Markdown element and none in plain ones."""
    at = AppTest.from_function(_probe).run()
    places = {where for where, source in markdown_strings(at) if poison.markdown_leaks(source)}
    assert places == {"markdown.body", "caption.body", "info.body", "subheader.body", "table.cell", "metric.label",
                      "metric.body", "metric.help", "expander.label", "tab.label", "radio.options",
                      "button_group.label", "button.label", "selectbox.label", "image.caption",
                      "download_button.label"}
    assert not [w for w, _ in markdown_strings(at) if w.startswith(("text.", "code.", "dataframe."))
                or w in ("selectbox.options", "multiselect.options")]


@pytest.mark.parametrize("text", [
    "[a](http://evil/a)", "![x](http://evil/x.png)", "<http://evil/angle>", "www.evil.com", "WWW.evil.com/x",
    "me@evil.org", ":material/home:", ":red[alarm]", "**bold** _it_ `code` ~~gone~~ $x^2$ # heading",
    "<img src='http://evil/i.png'>", "a\\](http://evil) [b\\", "| a | b |\n|---|---|\n| [c](http://evil) | d |",
])
def test_plain_text_is_literal(text):
    """``as_plain_text`` output yields no link, image or directive, and reads back as the input."""
    escaped = as_plain_text(text)
    assert poison.markdown_leaks(escaped) == []
    rendered = poison._MARKDOWN.parseInline(escaped)[0].children
    assert "".join(t.content for t in rendered if t.type in ("text", "softbreak")).replace(WORD_JOINER, "") \
        .replace("\n", "") == text.replace("\n", "")


def test_plain_table_escapes_cells_index_and_columns():
    """``plain_table`` escapes text cells, index labels and column names, and leaves numbers as they are."""
    frame = pd.DataFrame({"[c](http://evil)": ["![x](http://evil/x.png)"], "n": [3]}, index=["www.evil.com"])
    safe = plain_table(frame)
    assert safe["n"].tolist() == [3]
    assert all(poison.markdown_leaks(str(v)) == [] for v in [*safe.columns, *safe.index, *safe.iloc[:, 0]])
