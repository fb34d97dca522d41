"""The language of a browser session: decided at the top of every run, changed in the menu.

Which language a run speaks (``pick_language``), the first that applies:

1. the signed-in account's stored language (``journeys.models.User.language``): what the person chose in the
   menu, on this or any other browser, so it wins over the browser's as soon as they sign in;
2. the language chosen in this session's menu (on the sign-in page, or by an account that has
   none stored);
3. the browser's (``st.context.locale``, e.g. ``nl-NL`` or ``nl-BE`` → Dutch);
4. the installation's default (`KLANTREIS_LANGUAGE`, else English).

Signing out forgets the session's choice (``ui.session.sign_out``), so the sign-in page speaks
the browser's language again. The menu (``language_menu``) shows each language by its own name
(Nederlands, English); a change takes effect in the same rerun and, when signed in, is stored
with the account (``store_choice``, called by the frame after the user is known).

``apply_language`` also registers the session's language as ``journeys.language``'s source, so a
fragment's rerun, which does not run the frame from the top, speaks it too.
"""

from dataclasses import replace

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from data.db import session_scope
from journeys import language as lang
from journeys.accounts.users import set_user_language
from journeys.language import _
from ui.session import LANGUAGE_KEY, SPOKEN_LANGUAGE_KEY, USER_KEY

MENU_KEY = "klantreis_language_menu"
PENDING_KEY = "klantreis_language_to_store"  # a menu choice not yet stored with the account


def pick_language(*, stored: str | None, chosen: str | None, browser: str | None) -> str:
    """The language of a run: the account's stored one, else this session's choice, else the
    browser's, else the installation's default (an unsupported value skips to the next)."""
    return lang.negotiate(stored, chosen, browser)


def browser_locale() -> str | None:
    """The browser's language tag (``navigator.language``, e.g. ``nl-NL``), if it sent one."""
    try:
        value = st.context.locale
    except Exception:  # noqa: BLE001 - no browser context (a bare script run)
        return None
    return value if isinstance(value, str) and value else None


def session_language() -> str | None:
    """The language the running session speaks, for ``journeys.language.set_language_source``:
    None outside a Streamlit script run (a thread of no session, a command)."""
    if get_script_run_ctx(suppress_warning=True) is None:
        return None
    try:
        return st.session_state.get(SPOKEN_LANGUAGE_KEY)
    except Exception:  # noqa: BLE001 - a context without a session state
        return None


def apply_language(user=None) -> str:
    """Decide this run's language for ``user`` (a ``SignedInUser`` or None) and speak it."""
    language = lang.set_language(pick_language(
        stored=getattr(user, "language", None), chosen=st.session_state.get(LANGUAGE_KEY),
        browser=browser_locale()))
    st.session_state[SPOKEN_LANGUAGE_KEY] = language
    lang.set_language_source(session_language)
    return language


def _menu_changed() -> None:
    """The menu's callback (before the rerun): the session's choice, to be stored if signed in."""
    code = lang.supported(st.session_state.get(MENU_KEY))
    if code:
        st.session_state[LANGUAGE_KEY] = code
        st.session_state[PENDING_KEY] = code


def store_choice(engine, user):
    """Store a menu choice made since the last run with ``user``'s account; returns the user as
    stored now (signed out: the choice stays this session's only)."""
    code = st.session_state.pop(PENDING_KEY, None)
    if user is None or code is None or code == user.language:
        return user
    with session_scope(engine) as session:
        set_user_language(session=session, user_id=user.id, language=code)
    user = replace(user, language=code)
    st.session_state[USER_KEY] = user
    return user


def language_menu(*, width: int | str = "stretch") -> None:
    """The language menu: each language by its own name; a change speaks at once (see module)."""
    codes = list(lang.LANGUAGES)
    st.session_state[MENU_KEY] = lang.current_language()  # follows a sign-in's stored language
    st.selectbox(_("Language"), codes, format_func=lang.LANGUAGES.__getitem__, key=MENU_KEY,
                 on_change=_menu_changed, width=width)
