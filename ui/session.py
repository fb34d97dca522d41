"""Who is signed in, and the guard every page starts with.

Session-state keys live here and only here. Pages never read ``st.session_state`` for the
user directly; they call ``require_page(__file__)`` which returns the signed-in user or stops
the script with a refusal that shows no data.
"""

from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from ui.navigation import PAGES_BY_PATH

USER_KEY = "klantreis_user"
FRAME_KEY = "klantreis_frame_ran"
ENTRYPOINT = "streamlit_app.py"
PROJECT_ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class SignedInUser:
    id: int
    username: str
    display_name: str
    role: str


def current_user() -> SignedInUser | None:
    return st.session_state.get(USER_KEY)


def sign_in(user) -> None:
    st.session_state[USER_KEY] = SignedInUser(user.id, user.username, user.display_name, user.role)


def sign_out() -> None:
    st.session_state.pop(USER_KEY, None)


def mark_frame_ran() -> None:
    st.session_state[FRAME_KEY] = True


def require_page(page_file: str) -> SignedInUser:
    """Stop unless a signed-in user whose role may open this page is present.

    Streamlit's legacy ``pages/`` discovery can serve a page file without the entrypoint having
    run (right after a server start), so the check cannot rely on the menu alone.
    """
    relative = Path(page_file).resolve().relative_to(PROJECT_ROOT).as_posix()
    spec = PAGES_BY_PATH[relative]
    user = current_user()
    if user is None or not st.session_state.get(FRAME_KEY):
        st.warning("Please sign in to see this page.", icon=":material/lock:")
        try:
            st.page_link(ENTRYPOINT, label="Go to sign-in", icon=":material/login:")
        except Exception:  # noqa: BLE001 - outside the navigation frame there may be no link target
            pass
        st.stop()
    if user.role not in {r.value for r in spec.roles}:
        st.error(f"Your role ({user.role}) does not give access to {spec.title}.", icon=":material/block:")
        st.stop()
    return user
