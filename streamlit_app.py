"""Klantreis web app: the frame and router.

Signs the user in (password, session cookie or optional single sign-on), then builds the menu
for their role from ``ui.navigation.PAGES`` and runs the chosen page. Pages live in ``pages/``
and re-check the user themselves (see ui.session).

The app's root URL opens the role's home (``ui.navigation.home_for``: My contacts for an
auditor, the Overview for the others) through a hidden start page, so every page keeps its own
address (``/overview``, ``/contacts_mine``). The pages of other roles are registered too, hidden,
as a refusal naming whom the page is for (``ui.navigation.refusal_text``): a typed URL of another
role is refused on its face instead of falling back to the home page without a word.

Every run speaks the session's language (``ui.language``: the account's stored choice, this
session's menu choice, the browser's, the installation's default); the language menu sits in the
sidebar and on the sign-in page.
"""

import streamlit as st
from sqlmodel import select

from data.db import read_scope, session_scope
from data.errors import DatabaseUnavailable
from journeys.accounts.users import SignInRefused, authenticate
from journeys.demo import demo_info
from journeys.errors import PermissionDenied
from journeys.language import _
from journeys.models import User
from journeys.wording import ROLE_LABELS
from ui.actions import database_trouble_stops_page, show_blocked
from ui.alert_worker import start_alert_worker
from ui.language import apply_language, language_menu, store_choice
from ui.navigation import PAGES, PAGES_BY_PATH, home_for, pages_for, refusal_text, url_path
from ui.resources import get_engine
from ui.session import (
    current_user,
    mark_frame_ran,
    pop_deep_link,
    pop_return_to,
    remember_deep_link,
    restore_user,
    sign_in,
    sign_in_source,
    sign_out,
    sso_configured,
    sso_identity,
    sync_cookie,
)
from ui.text import as_plain_text

apply_language(current_user())  # the last run's account until it is read again below: for the first messages
st.set_page_config(page_title="Klantreis", page_icon=":material/route:", layout="wide")

engine = get_engine()
mark_frame_ran()
with database_trouble_stops_page(engine):  # e.g. a held lock while a single sign-on token is stored
    user = store_choice(engine, restore_user(engine))
apply_language(user)
sync_cookie()
start_alert_worker(engine)  # once per process (cached); sends alert mails when mail is set up


def _sign_in_page() -> None:
    """The start page while signed out; the form below is its content."""


if user is None:
    # A hidden menu: without an st.navigation call Streamlit lists the files in pages/ ("admin users",
    # "contact log", ...) beside the form. The pages are in it only so that a typed page URL opens
    # after signing in; nothing runs them here.
    asked = st.navigation([st.Page(_sign_in_page, title=_("Sign in"), default=True),
                           *(st.Page(spec.path, title=_(spec.title)) for spec in PAGES)], position="hidden")
    # A mail's link (``/action_plan?action=12``) opened signed out: land on it after signing in.
    remember_deep_link(asked.url_path)
    st.title("Klantreis", anchor=False)
    st.caption(_("Cross-channel mystery shopping: the same question on every channel, timed and scored."))
    language_menu(width=220)
    with st.form("sign_in"):
        username = st.text_input(_("Username"), autocomplete="username", key="sign_in_username")
        password = st.text_input(_("Password"), type="password", autocomplete="current-password",
                                 key="sign_in_password")
        submitted = st.form_submit_button(_("Sign in"), type="primary")
    if submitted:
        try:
            with session_scope(engine) as session:
                account = authenticate(session=session, username=username, password=password,
                                       source=sign_in_source())
            sign_in(account, engine=engine)
            st.rerun()
        except SignInRefused as refusal:
            st.error(str(refusal), icon=":material/lock:")
        except DatabaseUnavailable as trouble:  # every attempt is counted, so it writes: a held lock
            st.error(_("Not signed in: {reason}.").format(reason=as_plain_text(trouble)), icon=":material/database:")
    st.caption(_("You stay signed in on this browser for 7 days, or until you sign out."))
    if sso_configured():
        identity = sso_identity()
        if identity:
            st.error(
                _("Your single sign-on identity ({identity}) is not linked to an active Klantreis account. "
                  "Ask an admin to link it on the Users page.").format(identity=as_plain_text(identity)),
                icon=":material/person_off:",
            )
            st.button(_("Sign out of single sign-on"), on_click=st.logout)
        else:
            st.button(_("Sign in with single sign-on"), icon=":material/key:", on_click=st.login)
    with read_scope(engine) as session:
        demo = demo_info(session)
        reviewed = demo and session.exec(select(User.id).where(User.username == "reviewer")).first() is not None
    if demo and reviewed:  # the demo with review, release and appeals (``seed_demo(review=True)``)
        st.info(
            _("This installation holds **demo data**. Sign in as `auditor1`, `manager`, `reviewer`, `admin`, "
              "or as a client user: `client1` (all of Vliegwel) or `client2` (Belnet, region Zuid); the password "
              "is the username followed by `-demo` (e.g. `manager-demo`)."),
            icon=":material/science:",
        )
    elif demo:
        st.info(
            _("This installation holds **demo data**. Sign in as `auditor1`, `manager` or `admin`; "
              "the password is the username followed by `-demo` (e.g. `manager-demo`)."),
            icon=":material/science:",
        )
    st.stop()

pages = pages_for(user.role)
home = home_for(user.role)
menu = {spec.path: st.Page(spec.path, title=_(spec.title), icon=spec.icon, help=_(spec.help)) for spec in pages}


def _home() -> None:
    """The root URL: the role's home page, under its own address."""
    st.switch_page(menu[home.path])


def _refusal(spec):
    """A hidden page at ``spec``'s address for a role that may not open it: it says so, and links home."""
    def refused() -> None:
        st.title(_("Page not available"), anchor=False)
        show_blocked(PermissionDenied(refusal_text(spec, user.role)))
        st.page_link(menu[home.path], label=_("Go to {page}").format(page=_(home.title)), icon=home.icon)
        st.stop()  # nothing of the page itself
    return st.Page(refused, title=_(spec.title), url_path=url_path(spec), visibility="hidden")


sections: dict[str, list] = {"": [st.Page(_home, title=_(home.title), icon=home.icon, url_path="home",
                                          default=True, visibility="hidden")]}
for spec in pages:
    sections.setdefault(_(spec.section) if spec.section else "", []).append(menu[spec.path])
refusals = {spec.path: _refusal(spec) for spec in PAGES if spec.path not in menu}
sections[""].extend(refusals.values())
page = st.navigation(sections, position="sidebar")

# A page URL typed before this session had run the frame, or a link opened before signing in
# (with its query parameters): go there now that the menu exists.
deep_link = pop_deep_link()
return_to = pop_return_to()
if deep_link is not None:
    linked = next((path for path in menu if url_path(PAGES_BY_PATH[path]) == deep_link[0]), None)
    if linked is not None:
        st.switch_page(menu[linked], query_params=deep_link[1])
if return_to in menu:
    st.switch_page(menu[return_to])
elif return_to in refusals:
    st.switch_page(refusals[return_to])

with st.sidebar:
    st.caption(_("Signed in as **{name}** ({role})").format(
        name=as_plain_text(user.display_name), role=_(ROLE_LABELS.get(user.role, user.role))))
    if st.button(_("Sign out"), icon=":material/logout:", key="sign_out"):
        with database_trouble_stops_page(engine):
            sign_out(engine=engine)
        if sso_identity():
            st.logout()
        st.rerun()
    language_menu()

with database_trouble_stops_page(engine):  # a full disk or read-only file: a sentence, not a traceback
    page.run()
