"""AppTest of the frame's sign-in and sign-out and of the admin pages, including refusals."""

from datetime import timedelta

import pytest
from sqlmodel import select
from streamlit.testing.v1 import AppTest

from data import db
from journeys.accounts.users import source_key, username_key
from journeys.models import AuthSession, SignInThrottle, User, utcnow
from tests.apptest import app_test, as_user, sign_in
from tests.shown import shown
from ui.session import sign_in_source


def _through_frame(at: AppTest) -> AppTest:
    """Make the next run start at the entrypoint.

    AppTest builds a fresh PagesManager for every run, so with a ``pages/`` folder it runs the
    previous page's file directly (legacy routing) and skips the frame's sidebar; a real
    server does that only before any session has run the entrypoint. Clearing the page hashes
    sends the run through ``streamlit_app.py`` as a browser does.
    """
    at._page_hash = ""
    at._finished_page_script_hash = ""
    return at


def _titles(at: AppTest) -> list[str]:
    return [t.value for t in at.title]


def test_sign_in_and_sign_out(app_env, engine, people):
    """The manager signs in (a session token is recorded) and signing out revokes it and shows the form."""
    at = sign_in("manager", "manager-pass")
    assert "Overview" in _titles(at)
    assert any("Signed in as" in c.value for c in at.sidebar.caption)
    _through_frame(at).run()
    _through_frame(at).sidebar.button[0].click().run()
    assert not at.exception
    assert "Overview" not in _titles(at) and not at.metric
    assert [t.label for t in _through_frame(at).run().text_input] == ["Username", "Password"]
    with db.session_scope(engine) as session:
        sessions = session.exec(select(AuthSession)).all()
    assert len(sessions) == 1 and sessions[0].revoked_at is not None


def test_slow_down_and_lock_messages(app_env, engine, people):
    """A second failure asks to wait; a locked account says so and shows no page."""
    sign_in("manager", "wrong")
    at = sign_in("manager", "wrong")
    assert "Wait 2 s" in at.error[0].value
    with db.session_scope(engine) as session:  # locked from the address the form reports
        session.merge(SignInThrottle(username_sha256=username_key("manager"), source=source_key(sign_in_source()),
                                   locked_until=utcnow() + timedelta(minutes=15)))
    at = sign_in("manager", "manager-pass")
    assert "locked after too many failed attempts" in at.error[0].value
    assert "Overview" not in _titles(at)


def test_deactivated_account_is_signed_out_on_its_next_click(app_env, engine, people):
    """Deactivating an account ends its open session at the next rerun, not at the next sign-in."""
    at = sign_in("manager", "manager-pass")
    with db.session_scope(engine) as session:
        session.get(User, people["manager"].id).active = False
    _through_frame(at).run()
    assert not at.exception
    assert "Overview" not in _titles(at) and not at.metric
    assert at.text_input[0].label == "Username"


@pytest.mark.parametrize("page", ["pages/admin_users.py", "pages/admin_retention.py"])
@pytest.mark.parametrize("who", ["auditor", "manager"])
def test_admin_pages_refuse_other_roles(app_env, people, page, who):
    """An admin page opened by an auditor or manager shows a refusal and no data."""
    at = as_user(app_test(page), people[who]).run()
    assert not at.exception
    assert f"Your role ({who}) does not give access" in at.error[0].value
    assert not at.dataframe and not at.text_input and not at.metric


@pytest.mark.parametrize("page", ["pages/admin_users.py", "pages/admin_retention.py", "pages/overview.py"])
def test_pages_refuse_without_sign_in(app_env, people, page):
    """A page run without the frame or a user asks to sign in and shows nothing."""
    at = app_test(page).run()
    assert not at.exception
    assert "sign in" in at.warning[0].value.lower()
    assert not at.dataframe and not at.metric and not at.table


def test_admin_menu_lists_admin_pages_only_for_admins(app_env, people):
    """The sidebar menu of an admin holds Users and Privacy; a manager's does not."""
    admin = sign_in("admin", "admin-pass1")
    manager = sign_in("manager", "manager-pass")
    admin_pages = {p.title for p in admin.navigation.pages} if hasattr(admin, "navigation") else None
    assert admin_pages is None or {"Users", "Privacy"} <= admin_pages
    with pytest.raises(Exception):  # noqa: B017 - AppTest refuses a page the role's menu lacks
        manager.switch_page("pages/admin_users.py").run()


def test_admin_adds_changes_and_deactivates_an_account(app_env, engine, people):
    """Through the Users page an admin adds an account, changes its role and deactivates it."""
    at = sign_in("admin", "admin-pass1")
    at.switch_page("pages/admin_users.py").run()
    assert not at.exception and "Users" in _titles(at)
    inputs = {t.label: t for t in at.text_input}
    inputs["New username"].input("sanne")
    inputs["Display name"].input("Sanne <b>Smit</b>")
    inputs["Initial password"].input("sanne-password")
    at.button(key="FormSubmitter:admin_users_add-Add account").click().run()
    assert not at.exception and "Added sanne as auditor" in at.success[0].value

    at.selectbox(key="admin_users_account").select("sanne").run()
    sanne_id = next(u.id for u in _users(engine) if u.username == "sanne")
    at.selectbox(key=f"admin_users_role_{sanne_id}").select("manager")
    at.button(key="FormSubmitter:admin_users_role-Change role").click().run()
    assert not at.exception and "sanne is now manager" in at.success[0].value
    next(b for b in at.button if b.label == "Deactivate account").click().run()
    assert not at.exception
    sanne = next(u for u in _users(engine) if u.username == "sanne")
    assert (sanne.role, sanne.active, sanne.display_name) == ("manager", False, "Sanne <b>Smit</b>")


def test_admin_page_shows_refusals_as_messages(app_env, people):
    """A too-short password on the Users page is refused with the field named, not a traceback."""
    at = sign_in("admin", "admin-pass1")
    at.switch_page("pages/admin_users.py").run()
    inputs = {t.label: t for t in at.text_input}
    inputs["New username"].input("kees")
    inputs["Initial password"].input("short")
    at.button(key="FormSubmitter:admin_users_add-Add account").click().run()
    assert not at.exception
    assert "password: must have at least 8 characters" in shown(at.error[0].value)


def test_privacy_page_saves_the_period_and_previews(app_env, people):
    """An admin saves a retention period and sees the dry-run count before any deletion."""
    at = sign_in("admin", "admin-pass1")
    at.switch_page("pages/admin_retention.py").run()
    assert not at.exception and "No retention period" in at.info[0].value
    at.number_input[0].set_value(6)
    at.button(key="FormSubmitter:retention_setting-Save retention period").click().run()
    assert not at.exception
    assert "kept for 6 months" in at.success[0].value
    assert at.metric[0].value == "0 files"


def _users(engine) -> list[User]:
    with db.session_scope(engine) as session:
        return list(session.exec(select(User)).all())


SSO_SECRETS = {
    "auth": {
        "redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x" * 32,
        "client_id": "klantreis", "client_secret": "s", "server_metadata_url": "https://idp.example.org/.well-known",
    }
}


def _sso_app(email: str) -> AppTest:
    at = app_test()
    at.secrets.update(SSO_SECRETS)
    at.user = {"is_logged_in": True, "email": email}
    return at.run()


def test_single_sign_on_signs_in_a_linked_account(app_env, engine, people):
    """An OIDC identity whose e-mail an admin linked signs in as that account, with its role."""
    from journeys.accounts.users import link_sso_email

    with db.session_scope(engine) as session:
        link_sso_email(session=session, actor=people["admin"], user_id=people["manager"].id, email="m@example.org")
    at = _sso_app("m@example.org")
    assert not at.exception
    assert "Overview" in _titles(at)
    assert any("(manager)" in c.value for c in at.sidebar.caption)


def test_single_sign_on_refuses_an_unlinked_identity(app_env, people):
    """An OIDC identity nobody linked sees a refusal naming it, and no page."""
    at = _sso_app("stranger@example.org")
    assert not at.exception
    assert "stranger@example.org" in shown(at.error[0].value)
    assert "Overview" not in _titles(at)


def test_sign_in_page_offers_single_sign_on_only_when_configured(app_env, people):
    """The single sign-on button appears with an [auth] block and not without one."""
    plain = app_test().run()
    assert not [b for b in plain.button if "single sign-on" in b.label]
    at = app_test()
    at.secrets.update(SSO_SECRETS)
    at.user = {"is_logged_in": False}
    at.run()
    assert not at.exception
    assert [b.label for b in at.button if "single sign-on" in b.label] == ["Sign in with single sign-on"]


def test_privacy_page_deletes_old_evidence_after_confirmation(app_env, engine, people):
    """With a period set, the page previews the old files and deletes them only once confirmed."""
    import hashlib

    from journeys.fieldwork.retention import set_retention_months
    from journeys.models import Evidence

    with db.session_scope(engine) as session:
        set_retention_months(session=session, actor=people["admin"], months=3)
        session.add(Evidence(
            contact_id=people["contact1"].id, file_name="old.png", media_type="image/png", size_bytes=3,
            sha256=hashlib.sha256(b"old").hexdigest(), content=b"old", uploaded_at=utcnow() - timedelta(days=200),
        ))
    at = sign_in("admin", "admin-pass1")
    at.switch_page("pages/admin_retention.py").run()
    assert at.metric[0].value == "1 file"
    delete = next(b for b in at.button if b.label == "Delete old evidence")
    assert delete.disabled
    at.checkbox[0].check().run()
    next(b for b in at.button if b.label == "Delete old evidence").click().run()
    assert not at.exception
    assert "Deleted 1 evidence file (" in at.success[0].value
    with db.session_scope(engine) as session:
        assert session.exec(select(Evidence)).all() == []
