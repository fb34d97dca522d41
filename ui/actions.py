"""Running one user action: one transaction, a readable refusal or a notice after the rerun.

A database that cannot take the write (full disk, read-only file, busy, damaged, unreachable)
is a refusal too (``data.errors``): the page says so in one sentence and, because the script
does not rerun, every typed value stays in its widget for the next try.
"""

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import sqlalchemy as sa
import streamlit as st
from sqlalchemy.engine import Engine
from sqlmodel import Session

from data.db import session_scope
from data.errors import DatabaseUnavailable, explain_operational_error, explained_database_errors
from journeys.errors import KlantreisError
from ui.text import as_plain_text

NOTICE_KEY = "action_notice"


def show_refusal(error: KlantreisError) -> None:
    """``error`` as one ``st.error``: each named problem on its own line, database trouble as a sentence.

    Problems quote the values a user typed, so they are shown literally (``as_plain_text``)."""
    if isinstance(error, DatabaseUnavailable):
        st.error(f"Not saved, your input is kept: {as_plain_text(error)}.", icon=":material/database:")
        return
    problems = getattr(error, "problems", None)
    if problems and len(problems) > 1:
        st.error("Not saved:\n\n" + "\n".join(f"- {as_plain_text(p)}" for p in problems), icon=":material/error:")
    else:
        st.error(as_plain_text(error), icon=":material/error:")


def run_action(engine: Engine, action: Callable[[Session], object], success: str) -> bool:
    """Run ``action`` in one transaction. On a problem show it (each named field on its own
    line) and return False — nothing was written; on success rerun and show ``success`` once.

    Problems quote the values a user typed, so they are shown literally; ``success`` is Markdown
    the page composed (user text in it already passed through ``ui.text.as_plain_text``)."""
    try:
        with explained_database_errors(engine.url), session_scope(engine) as session:
            action(session)
    except KlantreisError as error:
        show_refusal(error)
        return False
    st.session_state[NOTICE_KEY] = success
    st.rerun()
    return True


@contextmanager
def database_trouble_stops_page(engine: Engine) -> Iterator[None]:
    """Around a whole page run: a database error a user can act on ends the page with its
    sentence instead of a traceback (the actions above catch their own first). Others pass."""
    try:
        yield
    except DatabaseUnavailable as trouble:  # raised as such (a held lock) or explained below
        message = str(trouble)
    except (sa.exc.DBAPIError, sqlite3.Error) as exc:
        message = explain_operational_error(exc, engine.url)
        if message is None:
            raise
    else:
        return
    st.error(as_plain_text(f"{message[0].upper()}{message[1:]}."), icon=":material/database:")
    st.stop()


def show_notice() -> None:
    """The success message of the action that caused this rerun, if any."""
    if notice := st.session_state.pop(NOTICE_KEY, None):
        st.success(notice, icon=":material/check_circle:")
