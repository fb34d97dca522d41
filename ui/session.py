"""Who is signed in, how sign-in survives a reload, and the guard every page starts with.

Session-state keys live here and only here. Pages never read ``st.session_state`` for the
user directly; they call ``require_page(__file__)`` which returns the signed-in user or stops
the script with a refusal that shows no data.

A sign-in is remembered three ways, checked in this order on every run of the frame:
``st.session_state`` (moving between pages), the session cookie (a reload or typed URL; see
ui.auth_cookie) and, when ``[auth]`` is configured, Streamlit's OIDC login (``st.user``).
Every run re-reads the account from the database, so a deactivated account or a changed role
takes effect on the next click, not on the next sign-in.
"""

import os
from dataclasses import dataclass
from pathlib import Path

import streamlit as st
from streamlit.errors import StreamlitAPIException
from streamlit.runtime.context import StreamlitHeaders

from data.db import read_scope, session_scope
from journeys.accounts import sessions as auth_sessions
from journeys.accounts.users import get_user_by_sso_email
from journeys.language import _
from journeys.models import User
from ui.auth_cookie import clear_cookie, cookie_token, write_cookie
from ui.navigation import PAGES_BY_PATH

USER_KEY = "klantreis_user"
TOKEN_KEY = "klantreis_session_token"
FRAME_KEY = "klantreis_frame_ran"
RETURN_TO_KEY = "klantreis_return_to"
# A page URL with query parameters (``/action_plan?action=12``, an alert mail's link) opened while
# signed out: the page and its parameters, to land there after signing in.
DEEP_LINK_KEY = "klantreis_deep_link"
SIGNED_OUT_KEY = "klantreis_signed_out"
# The language chosen in this session's menu (a code), and the one this run speaks (ui.language).
LANGUAGE_KEY = "klantreis_language"
SPOKEN_LANGUAGE_KEY = "klantreis_language_spoken"
ENTRYPOINT = "streamlit_app.py"
PROJECT_ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class SignedInUser:
    id: int
    username: str
    display_name: str
    role: str
    language: str | None = None  # the account's stored language (None: the browser's)


def _as_signed_in(user: User) -> SignedInUser:
    return SignedInUser(user.id, user.username, user.display_name, user.role, user.language)


def current_user() -> SignedInUser | None:
    return st.session_state.get(USER_KEY)


def sso_configured() -> bool:
    """Whether secrets hold an ``[auth]`` block (Streamlit's OIDC sign-in)."""
    try:
        return "auth" in st.secrets
    except Exception:  # noqa: BLE001 - no secrets.toml at all raises
        return False


def sso_identity() -> str | None:
    """The e-mail of a user signed in through OIDC, else None."""
    if not sso_configured():
        return None
    try:
        if not st.user.is_logged_in:
            return None
        return st.user.get("email")
    except Exception:  # noqa: BLE001 - st.user outside a configured runtime
        return None


TRUST_PROXY_ENV = "KLANTREIS_TRUST_PROXY_HEADERS"
LOCAL_SOURCE = "local"


def sign_in_source() -> str:
    """Where this browser connects from, for the per-source sign-in lock (journeys.accounts.users.authenticate).

    The connection's address (``st.context.ip_address``). A connection from this machine itself
    (Streamlit reports no address) is either a local browser or a reverse proxy on the same host;
    then the proxy's ``X-Real-IP`` or the last ``X-Forwarded-For`` hop (the one the proxy added, not
    a client-supplied earlier one) names the browser. A proxy on another host must be declared with
    ``KLANTREIS_TRUST_PROXY_HEADERS=1``, else every user behind it counts as one source.
    Without any of these: ``local``, one shared source for the browsers on this machine.
    """
    try:
        address = st.context.ip_address
        headers = st.context.headers
    except Exception:  # noqa: BLE001 - no client context (e.g. outside a browser session)
        address, headers = None, None
    address = address if isinstance(address, str) else None  # AppTest's stand-in context holds mocks
    if address is None or os.environ.get(TRUST_PROXY_ENV, "").strip().lower() in {"1", "true", "yes"}:
        real_ip = headers.get("X-Real-Ip") if isinstance(headers, StreamlitHeaders) else None
        values = headers.get_all("X-Forwarded-For") if isinstance(headers, StreamlitHeaders) else []
        forwarded = [hop.strip() for value in values for hop in value.split(",") if hop.strip()]
        address = (real_ip or "").strip() or (forwarded[-1] if forwarded else None) or address
    return address or LOCAL_SOURCE


def sign_in(user: User, *, engine, method: str = "password") -> None:
    """Remember ``user`` for this browser session and in a new cookie-backed session token."""
    with session_scope(engine) as session:
        token = auth_sessions.start_session(session=session, user=user, method=method)
    st.session_state[USER_KEY] = _as_signed_in(user)
    st.session_state[TOKEN_KEY] = token
    st.session_state.pop(SIGNED_OUT_KEY, None)


def sign_out(*, engine) -> None:
    """Forget the user here, revoke the token in the database and clear the cookie."""
    token = st.session_state.pop(TOKEN_KEY, None)
    with session_scope(engine) as session:
        auth_sessions.revoke_token(session=session, token=token)
        # The cookie this page was opened with may be an older token of the same browser.
        auth_sessions.revoke_token(session=session, token=cookie_token())
    st.session_state.pop(USER_KEY, None)
    st.session_state.pop(LANGUAGE_KEY, None)  # signed out, the browser's language speaks again
    st.session_state[SIGNED_OUT_KEY] = True


def restore_user(engine) -> SignedInUser | None:
    """The signed-in user for this run, re-read from the database (see the module docstring)."""
    signed_out = st.session_state.get(SIGNED_OUT_KEY, False)
    sso_user = None
    # Every page run passes here: a read, so no page waits for a writer just to know who is signed in.
    with read_scope(engine) as session:
        user = None
        known = current_user()
        if known is not None:
            user = session.get(User, known.id)
            if user is not None and not user.active:
                user = None
            token = st.session_state.get(TOKEN_KEY)
            if user is not None and token and auth_sessions.user_for_token(session=session, token=token) is None:
                user = None  # revoked elsewhere (password reset, role change, deactivation)
        elif not signed_out:
            user = auth_sessions.user_for_token(session=session, token=cookie_token())
            if user is not None:
                st.session_state[TOKEN_KEY] = cookie_token()
            else:
                identity = sso_identity()
                if identity:
                    user = sso_user = get_user_by_sso_email(session=session, email=identity)
    if sso_user is not None:  # the one write here: a browser signed in by single sign-on gets a token
        with session_scope(engine) as session:
            st.session_state[TOKEN_KEY] = auth_sessions.start_session(session=session, user=sso_user, method="sso")
    if user is None:
        st.session_state.pop(USER_KEY, None)
        st.session_state.pop(TOKEN_KEY, None)
        return None
    st.session_state[USER_KEY] = _as_signed_in(user)
    return st.session_state[USER_KEY]


def sync_cookie() -> None:
    """Make the browser's cookie match this session: the token when signed in, none when not."""
    token = st.session_state.get(TOKEN_KEY)
    if token and current_user() is not None:
        write_cookie(token, int(auth_sessions.SESSION_LIFETIME.total_seconds()))
    elif cookie_token() or st.session_state.get(SIGNED_OUT_KEY):
        clear_cookie()


def mark_frame_ran() -> None:
    """Called by the frame on every run: this browser session has been through the entrypoint."""
    st.session_state[FRAME_KEY] = True


def remember_deep_link(url_path: str) -> None:
    """Signed out on ``url_path`` with query parameters (a mail's link): keep both for after
    signing in (the sign-in rerun and a page switch drop the parameters)."""
    params = {key: st.query_params[key] for key in st.query_params}
    if params and url_path:
        st.session_state[DEEP_LINK_KEY] = (url_path, params)


def linked_id(param: str) -> int | None:
    """The record id the address asks for (``?action=12``, ``?appeal=3``: a mail's link), or None
    when it is absent or not a number."""
    value = st.query_params.get(param)
    try:
        return int(value) if value else None
    except ValueError:
        return None


def pop_deep_link() -> tuple[str, dict[str, str]] | None:
    """The page (its URL path) and query parameters of a link opened before signing in, once."""
    return st.session_state.pop(DEEP_LINK_KEY, None)


def pop_return_to() -> str | None:
    """The page a typed URL asked for before the frame had run (see ``require_page``)."""
    return st.session_state.pop(RETURN_TO_KEY, None)


def require_page(page_file: str) -> SignedInUser:
    """Stop unless a signed-in user whose role may open this page is present.

    Streamlit's legacy ``pages/`` discovery can serve a page file without the entrypoint having
    run (right after a server start), so the check cannot rely on the menu alone: without the
    frame the page sends the browser to the entrypoint (which signs in from the cookie and comes
    back) or, where that is impossible, shows a refusal and nothing else.
    """
    relative = Path(page_file).resolve().relative_to(PROJECT_ROOT).as_posix()
    spec = PAGES_BY_PATH.get(relative)
    if spec is None:  # a page file nobody registered in ui.navigation is open to no one
        st.error(_("{page} is not a registered page.").format(page=relative), icon=":material/block:")
        st.stop()
    user = current_user()
    if not st.session_state.get(FRAME_KEY):
        st.session_state[RETURN_TO_KEY] = relative
        remember_deep_link(Path(relative).stem)
        try:
            st.switch_page(ENTRYPOINT)
        except StreamlitAPIException:
            pass  # no entrypoint reachable from here (e.g. the page run on its own in a test)
        user = None
    if user is None:
        st.warning(_("Please sign in to see this page."), icon=":material/lock:")
        try:
            st.page_link(ENTRYPOINT, label=_("Go to sign-in"), icon=":material/login:")
        except Exception:  # noqa: BLE001 - outside the navigation frame there may be no link target
            pass
        st.stop()
    if user.role not in {r.value for r in spec.roles}:
        st.error(_("Your role ({role}) does not give access to {page}.").format(role=user.role, page=_(spec.title)),
                 icon=":material/block:")
        st.stop()
    return user
