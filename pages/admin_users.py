"""Users (admin): add accounts, change roles, reset passwords, deactivate — never delete; set
what a client user sees (``ui.client_grants``)."""

import streamlit as st

from data.db import read_scope
from journeys.accounts import grants as client_grants
from journeys.accounts import users as accounts
from journeys.language import _, ngettext, number
from journeys.models import Role
from journeys.wording import ROLE_LABELS
from ui.actions import run_action, show_notice
from ui.client_grants import client_access_form
from ui.resources import get_engine
from ui.session import require_page
from ui.text import as_plain_text

user = require_page(__file__)
engine = get_engine()
ROLES = [r.value for r in Role]


def role_name(role: str) -> str:
    """A role as the user reads it ("auditor", "beheerder"); the code stays the option's value."""
    return _(ROLE_LABELS.get(role, role))


st.title(_("Users"), anchor=False)
st.caption(_("Accounts are deactivated, never deleted, so every contact stays attributable to a person."))

show_notice()


with read_scope(engine) as session:
    people = accounts.list_users(session=session, actor=user)
    sso_emails = {p.username: accounts.sso_email_of(session=session, username=p.username) for p in people}
    locks = accounts.locked_sources(session=session, actor=user, usernames=[p.username for p in people])
    sees = {p.username: ", ".join(map(str, client_grants.grants_of(session=session, actor=user, user_id=p.id)))
            or _("nothing") for p in people if p.role == Role.CLIENT.value}


def locked_from(count: int) -> str:
    # Locks hold per source (address): a stranger's guessing locks only the stranger.
    return ngettext("{n} address", "{n} addresses", count).format(n=number(count)) if count else ""


st.dataframe(
    [
        {
            _("Username"): p.username,
            _("Name"): p.display_name,
            _("Role"): role_name(p.role),
            _("Active"): p.active,
            _("Sign-in locked from"): locked_from(locks[p.username]),
            _("Single sign-on e-mail"): sso_emails[p.username],
            _("Client sees"): sees.get(p.username, ""),
        }
        for p in people
    ],
    hide_index=True,
    width="stretch",
)

add_tab, change_tab = st.tabs([_("Add an account"), _("Change an account")])

with add_tab, st.form("admin_users_add"):
    new_username = st.text_input(_("New username"), key="admin_users_new_username",
                                 help=_("2–60 lowercase letters, digits, '.', '_' or '-'."))
    new_name = st.text_input(_("Display name"), key="admin_users_new_name")
    new_role = st.selectbox(_("Role"), ROLES, key="admin_users_new_role", format_func=role_name)
    new_password = st.text_input(_("Initial password"), type="password", key="admin_users_new_password",
                                 help=_("At least {n} characters.").format(n=number(accounts.MIN_PASSWORD_LENGTH)))
    if st.form_submit_button(_("Add account"), type="primary"):
        run_action(
            engine,
            lambda s: accounts.add_user(
                session=s, actor=user, username=new_username, role=new_role,
                password=new_password, display_name=new_name,
            ),
            _("Added {username} as {role}.").format(
                username=as_plain_text(new_username.strip().lower()), role=role_name(new_role)),
        )

with change_tab:
    by_name = {p.username: p for p in people}
    chosen = st.selectbox(_("Account"), list(by_name), key="admin_users_account")
    target = by_name[chosen]
    label = as_plain_text(target.username)

    role_column, password_column = st.columns(2)
    with role_column, st.form("admin_users_role"):
        role = st.selectbox(_("Role"), ROLES, index=ROLES.index(target.role), key=f"admin_users_role_{target.id}",
                            format_func=role_name)
        if st.form_submit_button(_("Change role")):
            run_action(
                engine,
                lambda s: accounts.set_role(session=s, actor=user, user_id=target.id, role=role),
                _("{username} is now {role}; their open sessions were signed out.").format(
                    username=label, role=role_name(role)),
            )
    with password_column, st.form("admin_users_password", clear_on_submit=True):
        password = st.text_input(_("New password"), type="password", key="admin_users_password_new",
                                 help=_("At least {n} characters.").format(n=number(accounts.MIN_PASSWORD_LENGTH)))
        if st.form_submit_button(_("Reset password")):
            run_action(
                engine,
                lambda s: accounts.reset_password(session=s, actor=user, user_id=target.id, password=password),
                _("Password of {username} reset; any lock lifted and their sessions signed out.").format(
                    username=label),
            )

    if target.role == Role.CLIENT.value:
        client_access_form(engine, user, target)

    sso_column, active_column = st.columns(2)
    with sso_column, st.form("admin_users_sso"):
        email = st.text_input(
            _("Single sign-on e-mail"), value=sso_emails[target.username], key=f"admin_users_sso_{target.id}",
            help=_("When single sign-on is configured, this identity signs in as the account. Empty: none."),
        )
        if st.form_submit_button(_("Save e-mail")):
            run_action(
                engine,
                lambda s: accounts.link_sso_email(session=s, actor=user, user_id=target.id, email=email),
                _("Single sign-on e-mail of {username} saved.").format(username=label),
            )
    with active_column:
        st.write("")
        if locks[target.username] and st.button(
                _("Lift sign-in locks"), icon=":material/lock_open:", key="admin_users_lift_locks",
                help=_("Failed attempts lock the username only from the address they came from; "
                       "this lifts every such lock now.")):
            run_action(
                engine,
                lambda s: accounts.lift_sign_in_locks(session=s, actor=user, user_id=target.id),
                _("Sign-in locks of {username} lifted.").format(username=label),
            )
        if target.active:
            if st.button(_("Deactivate account"), icon=":material/person_off:", key="admin_users_deactivate"):
                run_action(
                    engine,
                    lambda s: accounts.set_active(session=s, actor=user, user_id=target.id, active=False),
                    _("{username} is deactivated and signed out everywhere.").format(username=label),
                )
        elif st.button(_("Reactivate account"), icon=":material/person_check:", key="admin_users_reactivate"):
            run_action(
                engine,
                lambda s: accounts.set_active(session=s, actor=user, user_id=target.id, active=True),
                _("{username} can sign in again.").format(username=label),
            )
