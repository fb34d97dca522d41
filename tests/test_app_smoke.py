"""The app starts cleanly on an empty database and on the demo database."""


import pytest

from data import db
from journeys.demo import seed_demo
from tests.apptest import app_test, sign_in
from tests.shown import shown


def test_empty_database_shows_sign_in_without_errors(app_env):
    """On an empty database the app migrates itself and shows the sign-in form."""
    at = app_test().run()
    assert not at.exception
    assert [t.label for t in at.text_input] == ["Username", "Password"]
    assert not at.info  # no demo notice without demo data
    assert db.current_revision(app_env) == db.head_revision()


def test_demo_database_signs_in_and_shows_overview(app_env):
    """With demo data, the manager signs in and the overview says it is demo data and counts contacts."""
    seed_demo(db.get_engine(app_env), contacts=200, seed=2)
    at = sign_in("manager", "manager-demo")
    assert any("demo data" in i.value for i in at.info)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Contacts"] == "200"
    assert metrics["Brands"] == "4"


@pytest.mark.parametrize(("username", "told_how_to_start_empty"),
                         [("auditor1", False), ("manager", False), ("admin", True)])
def test_only_admins_are_told_how_to_remove_the_demo_database(app_env, username, told_how_to_start_empty):
    """The Overview's demo notice names ``data/klantreis.db`` and how to start empty to admins only."""
    from journeys.accounts.users import get_user
    from tests.apptest import open_page

    seed_demo(db.get_engine(app_env), contacts=20, seed=2)
    with db.read_scope(db.get_engine(app_env)) as session:
        user = get_user(session=session, username=username)
        session.expunge(user)
    at = open_page("overview", user)
    notices = [i.value for i in at.info if "demo data" in i.value]
    assert len(notices) == 1
    assert ("klantreis.db" in notices[0]) is told_how_to_start_empty
    assert ("KLANTREIS_NO_DEMO" in notices[0]) is told_how_to_start_empty


def test_wrong_password_is_refused_with_a_message(app_env):
    """A wrong password shows a refusal, no page, and counts down to a lock."""
    seed_demo(db.get_engine(app_env), contacts=0, seed=2)
    at = sign_in("manager", "wrong-password")
    assert "wrong password" in at.error[0].value
    assert "4 attempts left" in at.error[0].value
    assert not at.metric


@pytest.mark.parametrize("page", ["pages/overview.py"])
def test_page_without_sign_in_shows_no_data(app_env, page):
    """A page run without the frame (legacy pages/ routing) refuses and shows nothing."""
    seed_demo(db.get_engine(app_env), contacts=20, seed=2)
    at = app_test(page).run()
    assert not at.exception
    assert "sign in" in at.warning[0].value.lower()
    assert not at.metric and not at.dataframe


def test_a_bad_pool_setting_is_a_clear_message_not_a_traceback(tmp_path, monkeypatch):
    """KLANTREIS_DB_POOL_SIZE=lots: the app says what is wrong with which setting."""
    import streamlit as st

    monkeypatch.setenv(db.DATABASE_URL_ENV, f"sqlite:///{tmp_path / 'fresh.db'}")
    monkeypatch.setenv(db.POOL_SIZE_ENV, "lots")
    st.cache_resource.clear()
    db.dispose_engines()
    at = app_test().run()
    st.cache_resource.clear()
    db.dispose_engines()
    assert not at.exception
    assert any("KLANTREIS_DB_POOL_SIZE must be a whole number" in shown(e.value) for e in at.error)
