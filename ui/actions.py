"""Running one user action: one transaction, a readable refusal or a notice after the rerun."""

from collections.abc import Callable

import streamlit as st
from sqlalchemy.engine import Engine
from sqlmodel import Session

from data.db import session_scope
from journeys.errors import KlantreisError
from ui.text import as_plain_text

NOTICE_KEY = "action_notice"


def run_action(engine: Engine, action: Callable[[Session], object], success: str) -> bool:
    """Run ``action`` in one transaction. On a problem show it (each named field on its own
    line) and return False — nothing was written; on success rerun and show ``success`` once.

    Problems quote the values a user typed, so they are shown literally; ``success`` is Markdown
    the page composed (user text in it already passed through ``ui.text.as_plain_text``)."""
    try:
        with session_scope(engine) as session:
            action(session)
    except KlantreisError as error:
        problems = getattr(error, "problems", None)
        if problems and len(problems) > 1:
            st.error("Not saved:\n\n" + "\n".join(f"- {as_plain_text(p)}" for p in problems),
                     icon=":material/error:")
        else:
            st.error(as_plain_text(error), icon=":material/error:")
        return False
    st.session_state[NOTICE_KEY] = success
    st.rerun()
    return True


def show_notice() -> None:
    """The success message of the action that caused this rerun, if any."""
    if notice := st.session_state.pop(NOTICE_KEY, None):
        st.success(notice, icon=":material/check_circle:")
