"""Opening one page in AppTest as a signed-in user, the way the logging tests need it."""

from pathlib import Path

from streamlit.testing.v1 import AppTest

from ui.session import FRAME_KEY, USER_KEY, SignedInUser

ROOT = Path(__file__).resolve().parents[2]


def open_page(name: str, user: SignedInUser, contact_id: int | None = None) -> AppTest:
    """``pages/<name>.py`` run once for ``user`` (the frame counted as run), optionally on one contact."""
    at = AppTest.from_file(str(ROOT / "pages" / f"{name}.py"), default_timeout=60)
    at.session_state[USER_KEY] = user
    at.session_state[FRAME_KEY] = True
    if contact_id is not None:
        at.session_state["log_contact_id"] = contact_id
    at.run()
    assert not at.exception
    return at
