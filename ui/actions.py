"""The pages' one error renderer: running one user action, refusals, problem lists and notices.

``run_action`` runs a service call in one transaction and either shows what went wrong or reruns
with a notice (``show_notice``). A page that runs a call itself (it needs the result) shows a
caught ``KlantreisError`` with ``show_refusal``; a part of a page that may not be shown is
``show_blocked``, a whole page ends with ``refuse_page``; a list of problems found before any call (a typed time, an uploaded file) is
``show_problems``. Every problem text is shown literally (``ui.text.as_plain_text``).

A database that cannot take the write (full disk, read-only file, busy, damaged, unreachable)
is a refusal too (``data.errors``): the page says so in one sentence and, because the script
does not rerun, every typed value stays in its widget for the next try.
"""

import sqlite3
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import NoReturn

import sqlalchemy as sa
import streamlit as st
from sqlalchemy.engine import Engine
from sqlmodel import Session

from data.db import session_scope
from data.errors import DatabaseUnavailable, explain_operational_error, explained_database_errors
from journeys.errors import KlantreisError
from journeys.language import _
from ui.text import as_plain_text

NOTICE_KEY = "action_notice"


def show_refusal(error: KlantreisError) -> None:
    """``error`` as one ``st.error``: each named problem on its own line, database trouble as a sentence.

    Problems quote the values a user typed, so they are shown literally (``as_plain_text``)."""
    if isinstance(error, DatabaseUnavailable):
        st.error(_("Not saved, your input is kept: {reason}.").format(reason=as_plain_text(error)),
                 icon=":material/database:")
        return
    problems = getattr(error, "problems", None)
    if problems and len(problems) > 1:
        show_problems(_("Not saved:"), problems)
    else:
        st.error(as_plain_text(error), icon=":material/error:")


def show_problems(heading: str, problems: Iterable[object], icon: str = ":material/error:") -> None:
    """``heading`` (Markdown the page wrote) and each problem, shown literally, on its own line."""
    st.error(f"{heading}\n\n" + "\n".join(f"- {as_plain_text(p)}" for p in problems), icon=icon)


def show_blocked(refusal: KlantreisError) -> None:
    """``refusal`` to show something (a contact that is not there or not the user's to open)."""
    st.error(as_plain_text(refusal), icon=":material/block:")


def refuse_page(refusal: KlantreisError) -> NoReturn:
    """End the page with ``refusal``: nothing of what was asked for can be shown."""
    show_blocked(refusal)
    st.stop()


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
