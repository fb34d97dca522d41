"""Which language the app speaks, and the menu that changes it (``ui.language``).

The order: the signed-in account's stored language, this session's menu choice, the browser's
(``st.context.locale``), the installation's default (`KLANTREIS_LANGUAGE`). A menu choice made
while signed in is stored with the account, so it outlives a sign-out and comes back at sign-in.
"""

import threading

import pytest

from data import db
from journeys import language
from journeys.accounts.access import USER_ADMINS
from journeys.accounts.users import get_user, set_user_language
from journeys.demo import seed_demo
from journeys.errors import NotFoundError, ValidationError
from journeys.language import use_language
from journeys.wording import role_with_article, roles_in_words
from tests.apptest import app_test
from tests.shown import shown
from ui.language import MENU_KEY, pick_language, session_language
from ui.session import RETURN_TO_KEY

# --- the order, without Streamlit ------------------------------------------------------------------

@pytest.mark.parametrize(("stored", "chosen", "browser", "installation", "expected"), [
    ("en", "nl", "nl-NL", "nl", "en"),   # the account's stored language beats everything
    (None, "en", "nl-NL", "nl", "en"),   # then this session's menu choice
    (None, None, "nl-BE", "en", "nl"),   # then the browser's
    (None, None, "en-US", "nl", "en"),   # ... even over the installation's default
    (None, None, None, "nl", "nl"),      # then the installation's default
    (None, None, None, None, "en"),      # and without one, English
    ("fr", None, "de-DE", "nl", "nl"),   # an unsupported value skips to the next
    (None, "xx", "nl-NL", None, "nl"),
])
def test_the_language_is_chosen_in_order(monkeypatch, stored, chosen, browser, installation, expected):
    if installation:
        monkeypatch.setenv(language.LANGUAGE_ENV, installation)
    assert pick_language(stored=stored, chosen=chosen, browser=browser) == expected


def test_the_session_source_outside_a_run_is_none_and_does_not_crash():
    """Registered as journeys.language's source, ``session_language`` answers None outside a
    Streamlit run (a command, a thread of no session), so the installation's default speaks."""
    results = []
    language.set_language_source(session_language)
    try:
        thread = threading.Thread(target=lambda: results.append((session_language(), language.current_language())))
        thread.start()
        thread.join()
    finally:
        language.set_language_source(None)
    assert results == [(None, "en")]


# --- stored with the account -----------------------------------------------------------------------

@pytest.fixture
def demo(engine):
    seed_demo(engine, contacts=0, seed=2)
    return engine


def _stored(engine, username: str) -> str | None:
    with db.read_scope(engine) as session:
        return get_user(session=session, username=username).language


def test_a_users_language_is_stored_and_cleared(demo):
    with db.session_scope(demo) as session:
        user = get_user(session=session, username="manager")
        assert user.language is None  # a new account follows the browser
        set_user_language(session=session, user_id=user.id, language="nl-BE")
    assert _stored(demo, "manager") == "nl"  # a regional code is stored as its language
    with db.session_scope(demo) as session:
        set_user_language(session=session, user_id=get_user(session=session, username="manager").id, language=None)
    assert _stored(demo, "manager") is None


@pytest.mark.parametrize("code", ["fr", "klingon", "de-DE"])
def test_an_unsupported_language_is_refused_with_a_clear_error(demo, code):
    with db.session_scope(demo) as session:
        user = get_user(session=session, username="manager")
        with pytest.raises(ValidationError) as refused:
            set_user_language(session=session, user_id=user.id, language=code)
    assert str(refused.value) == f"language: must be one of en, nl (got {code!r})"
    assert refused.value.problems[0].field == "language"
    assert _stored(demo, "manager") is None


def test_the_refusal_speaks_dutch_in_dutch(demo):
    with db.session_scope(demo) as session, use_language("nl"):
        user = get_user(session=session, username="manager")
        with pytest.raises(ValidationError, match="moet een van deze zijn: en, nl"):
            set_user_language(session=session, user_id=user.id, language="fr")
        with pytest.raises(NotFoundError, match="Er is geen gebruiker met id 999999"):
            set_user_language(session=session, user_id=999999, language="nl")


# --- the app -----------------------------------------------------------------------------------------

def _frame(locale: str | None = None):
    """The frame, not yet run, in a browser that sends ``locale``."""
    at = app_test()
    if locale:
        at.context = {"locale": locale}
    return at


def _through_frame(at):
    """The next run starts at the entrypoint (see tests/auth/test_pages.py's helper of that name)."""
    at._page_hash = ""
    at._finished_page_script_hash = ""
    return at


def _sign_in(at, username: str):
    at.text_input(key="sign_in_username").input(username)
    at.text_input(key="sign_in_password").input(f"{username}-demo")
    at.button[0].click().run()
    assert not at.exception, at.exception
    return at


def _sign_out(at):
    _through_frame(at).run()
    _through_frame(at).sidebar.button(key="sign_out").click().run()
    assert not at.exception, at.exception
    return _through_frame(at).run()


def _labels(at) -> list[str]:
    return [t.label for t in at.text_input]


@pytest.fixture
def demo_app(app_env):
    seed_demo(db.get_engine(app_env), contacts=0, seed=2)
    return db.get_engine(app_env)


def test_a_dutch_browser_gets_a_dutch_sign_in_page(app_env):
    at = _frame("nl-NL").run()
    assert not at.exception, at.exception
    assert _labels(at) == ["Gebruikersnaam", "Wachtwoord"]
    assert at.button[0].label == "Inloggen"
    menu = at.selectbox(key=MENU_KEY)
    assert menu.label == "Taal" and menu.value == "nl"
    assert menu.options == ["Nederlands", "English"]  # each language by its own name


def test_without_a_browser_language_the_installation_default_speaks(app_env, monkeypatch):
    monkeypatch.setenv(language.LANGUAGE_ENV, "nl")
    at = _frame().run()
    assert _labels(at) == ["Gebruikersnaam", "Wachtwoord"]
    at = _frame("en-GB").run()  # the browser's language beats the installation's
    assert _labels(at) == ["Username", "Password"]


def test_the_menu_on_the_sign_in_page_changes_the_language_at_once(app_env):
    at = _frame("nl-NL").run()
    at.selectbox(key=MENU_KEY).select("en").run()
    assert not at.exception, at.exception
    assert _labels(at) == ["Username", "Password"]
    assert at.selectbox(key=MENU_KEY).value == "en"


def test_the_stored_language_wins_at_sign_in_and_the_browsers_after_sign_out(demo_app):
    with db.session_scope(demo_app) as session:
        set_user_language(session=session, user_id=get_user(session=session, username="manager").id, language="en")
    at = _sign_in(_frame("nl-NL").run(), "manager")
    assert [t.value for t in at.title] == ["Overview"]
    assert at.sidebar.button(key="sign_out").label == "Sign out"
    assert at.selectbox(key=MENU_KEY).value == "en"
    _sign_out(at)
    assert _labels(at) == ["Gebruikersnaam", "Wachtwoord"]  # signed out: the browser's language again


def test_the_menu_stores_the_choice_with_the_account_across_sign_out_and_sign_in(demo_app):
    at = _sign_in(_frame("nl-NL").run(), "manager")
    assert at.sidebar.button(key="sign_out").label == "Uitloggen"  # nothing stored yet: the browser's Dutch
    assert _stored(demo_app, "manager") is None

    at.selectbox(key=MENU_KEY).select("en")
    _through_frame(at).run()
    assert not at.exception, at.exception
    assert at.sidebar.button(key="sign_out").label == "Sign out"  # in the same rerun
    assert _stored(demo_app, "manager") == "en"

    _sign_out(at)
    assert _labels(at) == ["Gebruikersnaam", "Wachtwoord"]
    at = _sign_in(_frame("nl-NL").run(), "manager")  # a new browser session, still Dutch
    assert [t.value for t in at.title] == ["Overview"]
    assert at.sidebar.button(key="sign_out").label == "Sign out"
    assert _stored(demo_app, "auditor1") is None  # only the one account changed


def test_the_refusal_of_another_roles_page_speaks_dutch(demo_app):
    at = _sign_in(_frame("nl-BE").run(), "manager")
    at.session_state[RETURN_TO_KEY] = "pages/admin_users.py"
    _through_frame(at).run()
    assert not at.exception, at.exception
    assert [t.value for t in at.title] == ["Pagina niet beschikbaar"]
    assert [shown(e.value) for e in at.error] == [
        "De pagina 'Gebruikers' is voor " + _dutch_roles() + "; je bent ingelogd als " + _dutch_manager() + "."]


def _dutch_roles() -> str:
    with use_language("nl"):
        return roles_in_words(USER_ADMINS)


def _dutch_manager() -> str:
    with use_language("nl"):
        return role_with_article("manager")


def _run_without_its_own_language():
    """A script that, like a fragment's rerun, runs code in a context where no language was set."""
    import contextvars

    import streamlit as st

    from journeys import language
    from ui.language import apply_language

    apply_language(None)  # the frame's run: the session's language, registered as the source
    st.text(contextvars.Context().run(language.current_language))  # a run that set none itself
    st.text(contextvars.Context().run(lambda: language.gettext("Sign out")))


def test_a_run_that_sets_no_language_speaks_the_sessions():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(_run_without_its_own_language, default_timeout=30)
    at.context = {"locale": "nl-BE"}
    at.run()
    assert not at.exception, at.exception
    assert [t.value for t in at.text] == ["nl", "Uitloggen"]
    language.set_language_source(None)
