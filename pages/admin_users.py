"""Users (admin): add accounts, change roles, reset passwords, deactivate — never delete."""

import streamlit as st

from data.db import read_scope
from journeys.accounts import users as accounts
from journeys.models import Role
from ui.actions import run_action, show_notice
from ui.resources import get_engine
from ui.session import require_page
from ui.text import as_plain_text

user = require_page(__file__)
engine = get_engine()
ROLES = [r.value for r in Role]

st.title("Users", anchor=False)
st.caption("Accounts are deactivated, never deleted, so every contact stays attributable to a person.")

show_notice()


with read_scope(engine) as session:
    people = accounts.list_users(session=session, actor=user)
    sso_emails = {p.username: accounts.sso_email_of(session=session, username=p.username) for p in people}
    locks = accounts.locked_sources(session=session, actor=user, usernames=[p.username for p in people])

st.dataframe(
    [
        {
            "Username": p.username,
            "Name": p.display_name,
            "Role": p.role,
            "Active": p.active,
            # Locks hold per source (address): a stranger's guessing locks only the stranger.
            "Sign-in locked from": f"{locks[p.username]} address{'es' if locks[p.username] != 1 else ''}"
            if locks[p.username] else "",
            "Single sign-on e-mail": sso_emails[p.username],
        }
        for p in people
    ],
    hide_index=True,
    width="stretch",
)

add_tab, change_tab = st.tabs(["Add an account", "Change an account"])

with add_tab, st.form("admin_users_add"):
    new_username = st.text_input("New username", help="2–60 lowercase letters, digits, '.', '_' or '-'.")
    new_name = st.text_input("Display name")
    new_role = st.selectbox("Role", ROLES, key="admin_users_new_role")
    new_password = st.text_input("Initial password", type="password", help="At least 8 characters.")
    if st.form_submit_button("Add account", type="primary"):
        run_action(
            engine,
            lambda s: accounts.add_user(
                session=s, actor=user, username=new_username, role=new_role,
                password=new_password, display_name=new_name,
            ),
            f"Added {as_plain_text(new_username.strip().lower())} as {new_role}.",
        )

with change_tab:
    by_name = {p.username: p for p in people}
    chosen = st.selectbox("Account", list(by_name), key="admin_users_account")
    target = by_name[chosen]
    label = as_plain_text(target.username)

    role_column, password_column = st.columns(2)
    with role_column, st.form("admin_users_role"):
        role = st.selectbox("Role", ROLES, index=ROLES.index(target.role), key=f"admin_users_role_{target.id}")
        if st.form_submit_button("Change role"):
            run_action(
                engine,
                lambda s: accounts.set_role(session=s, actor=user, user_id=target.id, role=role),
                f"{label} is now {role}; their open sessions were signed out.",
            )
    with password_column, st.form("admin_users_password", clear_on_submit=True):
        password = st.text_input("New password", type="password", help="At least 8 characters.")
        if st.form_submit_button("Reset password"):
            run_action(
                engine,
                lambda s: accounts.reset_password(session=s, actor=user, user_id=target.id, password=password),
                f"Password of {label} reset; any lock lifted and their sessions signed out.",
            )

    sso_column, active_column = st.columns(2)
    with sso_column, st.form("admin_users_sso"):
        email = st.text_input(
            "Single sign-on e-mail", value=sso_emails[target.username], key=f"admin_users_sso_{target.id}",
            help="When single sign-on is configured, this identity signs in as the account. Empty: none.",
        )
        if st.form_submit_button("Save e-mail"):
            run_action(
                engine,
                lambda s: accounts.link_sso_email(session=s, actor=user, user_id=target.id, email=email),
                f"Single sign-on e-mail of {label} saved.",
            )
    with active_column:
        st.write("")
        if locks[target.username] and st.button("Lift sign-in locks", icon=":material/lock_open:",
                                                 help="Failed attempts lock the username only from the address "
                                                      "they came from; this lifts every such lock now."):
            run_action(
                engine,
                lambda s: accounts.lift_sign_in_locks(session=s, actor=user, user_id=target.id),
                f"Sign-in locks of {label} lifted.",
            )
        if target.active:
            if st.button("Deactivate account", icon=":material/person_off:"):
                run_action(
                    engine,
                    lambda s: accounts.set_active(session=s, actor=user, user_id=target.id, active=False),
                    f"{label} is deactivated and signed out everywhere.",
                )
        elif st.button("Reactivate account", icon=":material/person_check:"):
            run_action(
                engine,
                lambda s: accounts.set_active(session=s, actor=user, user_id=target.id, active=True),
                f"{label} can sign in again.",
            )
