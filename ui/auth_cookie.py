"""The session cookie: how a signed-in browser survives a reload or a typed URL.

Streamlit scripts can read cookies (``st.context.cookies``, as sent when the page was opened)
but ``streamlit run`` offers no server hook to set one. A tiny inline component (Streamlit
Custom Components v2, no iframe, no third-party package) writes the cookie in the browser.
The cookie carries only a random token; the database keeps its SHA-256 (journeys.accounts.sessions),
so signing out revokes it server-side even if the browser kept a copy.

The cookie is ``SameSite=Lax`` (never sent by other sites' requests to this app) and
``Secure`` when the app is served over HTTPS. Because a script writes it, it cannot be
``HttpOnly``; nothing in the app renders user text as HTML, which is what would expose it.
"""

import streamlit as st

COOKIE_NAME = "klantreis_session"

_JS = """
export default function (component) {
  const { data } = component
  if (!data || !data.name) return
  const secure = window.location.protocol === "https:" ? "; Secure" : ""
  const value = data.value ? encodeURIComponent(data.value) : ""
  document.cookie = `${data.name}=${value}; Path=/; Max-Age=${data.max_age}; SameSite=Lax${secure}`
}
"""

_COOKIE_WRITER = st.components.v2.component("klantreis_session_cookie", js=_JS)


def cookie_token() -> str | None:
    """The session token the browser sent when this page was opened, if any."""
    try:
        value = st.context.cookies.get(COOKIE_NAME)
    except Exception:  # noqa: BLE001 - no browser context (bare script run): no cookie
        return None
    return value if isinstance(value, str) and value else None


def write_cookie(token: str, max_age_seconds: int) -> None:
    """Store ``token`` in the browser for ``max_age_seconds``."""
    _COOKIE_WRITER(
        data={"name": COOKIE_NAME, "value": token, "max_age": int(max_age_seconds)},
        key="klantreis_session_cookie", width="stretch", height=0,
    )


def clear_cookie() -> None:
    """Remove the session cookie from the browser."""
    _COOKIE_WRITER(
        data={"name": COOKIE_NAME, "value": "", "max_age": 0},
        key="klantreis_session_cookie", width="stretch", height=0,
    )
