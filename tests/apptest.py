"""Opening the app in Streamlit's AppTest, shared by every page test.

Two ways in:

- ``open_page("dashboard", user, flt_brands=[...])`` runs ``pages/<name>.py`` once as an already
  signed-in user (the frame counted as run), with any extra session state set first;
- ``sign_in("manager", "manager-demo")`` runs the frame (``streamlit_app.py``) and submits its
  sign-in form, as a person at the keyboard does.

Both assert that the run raised nothing, so a test only states what the page should show.
``app_pointed_at`` points the app at a test database (the ``app_env`` fixture uses it).
"""

import contextlib
from pathlib import Path

import streamlit as st
from streamlit.testing.v1 import AppTest

from data import db
from ui.session import FRAME_KEY, USER_KEY, SignedInUser

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "streamlit_app.py"
# Generous: a first run imports pandas, Altair and the app, on a machine shared with other runs.
TIMEOUT_SECONDS = 60


def app_test(script: str | Path = APP) -> AppTest:
    """An AppTest of ``script`` (a path, or relative to the repository root), not yet run."""
    return AppTest.from_file(str(ROOT / script), default_timeout=TIMEOUT_SECONDS)


def as_user(at: AppTest, user) -> AppTest:
    """Put ``user`` (a ``SignedInUser`` or a ``User`` row) in the session, as the frame does."""
    if not isinstance(user, SignedInUser):
        user = SignedInUser(user.id, user.username, user.display_name, user.role)
    at.session_state[USER_KEY] = user
    at.session_state[FRAME_KEY] = True
    return at


def open_page(name: str, user, **state) -> AppTest:
    """``pages/<name>.py`` run once for ``user`` with ``state`` in the session."""
    at = as_user(app_test(f"pages/{name}.py"), user)
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def sign_in(username: str, password: str) -> AppTest:
    """The frame run, its sign-in form filled in with ``username`` and ``password`` and submitted."""
    at = app_test().run()
    assert not at.exception, at.exception
    at.text_input[0].input(username)
    at.text_input[1].input(password)
    at.button[0].click().run()
    assert not at.exception, at.exception
    return at


@contextlib.contextmanager
def app_pointed_at(url: str, monkeypatch):
    """The app (and the CLI) reading ``url``, with empty Streamlit caches before and after."""
    monkeypatch.setenv(db.DATABASE_URL_ENV, url)
    st.cache_resource.clear()
    st.cache_data.clear()
    try:
        yield url
    finally:
        st.cache_resource.clear()
        st.cache_data.clear()
