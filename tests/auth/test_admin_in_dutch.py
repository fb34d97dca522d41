"""The admin pages, the overview, the account refusals and the database-trouble sentences in Dutch.

Pages run with `KLANTREIS_LANGUAGE=nl` (the installation default a run without its own choice
speaks); domain messages under ``use_language("nl")``, as a page or command sets it.
"""

import sqlite3
from types import SimpleNamespace

import pytest
from streamlit.testing.v1 import AppTest

from data import db
from data.db import DatabaseBusy
from data.errors import explain_operational_error
from journeys.accounts import users
from journeys.accounts.access import ensure_role
from journeys.errors import PermissionDenied, ValidationError
from journeys.fieldwork.retention import set_retention_months
from journeys.language import use_language
from journeys.models import Role
from tests.apptest import open_page
from tests.shown import shown

ENGLISH = ("Users", "Username", "Add account", "Save", "Role", "Sign-in locked from", "Privacy",
           "Overview", "Contacts", "Channel", "Brand")


@pytest.fixture
def dutch(monkeypatch):
    """The app in Dutch, and the test's own thread too: AppTest formats a selectbox's value with
    the page's ``format_func`` in the test's thread when it sends the widgets back."""
    monkeypatch.setenv("KLANTREIS_LANGUAGE", "nl")
    with use_language("nl"):
        yield


def _words(at: AppTest) -> list[str]:
    """Every title, caption, label and button text of a run (not the users' data)."""
    found = [e.value for e in [*at.title, *at.caption, *at.subheader, *at.info, *at.success, *at.error]]
    found += [w.label for w in [*at.text_input, *at.selectbox, *at.button, *at.number_input, *at.checkbox, *at.metric]]
    found += [t.label for t in at.tabs]
    return found


def test_users_page_speaks_dutch(app_env, people, dutch):
    """Users: the headings, the table's columns, the form and a refusal are Dutch."""
    at = open_page("admin_users", people["admin"])
    assert [t.value for t in at.title] == ["Gebruikers"]
    columns = list(at.dataframe[0].value.columns)
    assert columns[:3] == ["Gebruikersnaam", "Naam", "Rol"] and "Inloggen geblokkeerd vanaf" in columns
    assert {"Een account toevoegen", "Een account wijzigen"} <= {t.label for t in at.tabs}
    labels = {b.label for b in at.button}
    assert {"Account toevoegen", "Rol wijzigen", "Wachtwoord opnieuw instellen", "E-mailadres opslaan"} <= labels
    words = " ".join(_words(at))
    assert not [word for word in ENGLISH if word in words.split(" ")], words

    at.text_input(key="admin_users_new_username").input("kees")
    at.text_input(key="admin_users_new_password").input("kort")
    next(b for b in at.button if b.label == "Account toevoegen").click().run()
    assert not at.exception
    assert "wachtwoord: moet minstens 8 tekens hebben" in shown(at.error[0].value)


def test_users_page_adds_an_account_with_a_dutch_notice(app_env, people, dutch):
    at = open_page("admin_users", people["admin"])
    at.text_input(key="admin_users_new_username").input("sanne")
    at.text_input(key="admin_users_new_password").input("sanne-password")
    next(b for b in at.button if b.label == "Account toevoegen").click().run()
    assert not at.exception
    assert "sanne toegevoegd als auditor." in shown(at.success[0].value)


def test_privacy_page_speaks_dutch_with_a_decimal_comma(app_env, engine, people, dutch):
    """Privacy: the setting, the preview (files counted, megabytes with a comma) and its notices."""
    at = open_page("admin_retention", people["admin"])
    assert "Er is nog geen bewaartermijn ingesteld" in at.info[0].value
    assert at.number_input(key="retention_months").label == "Bewijs bewaren gedurende (maanden)"
    at.number_input(key="retention_months").set_value(6)
    next(b for b in at.button if b.label == "Bewaartermijn opslaan").click().run()
    assert not at.exception
    assert "Bewijs wordt 6 maanden bewaard." in at.success[0].value
    assert at.metric[0].value == "0 bestanden"
    assert at.metric[0].label.startswith("Bewijs ouder dan 6 maanden (geüpload vóór ")
    assert at.metric[0].help == "0,0 MB"
    assert "Niets te verwijderen" in at.success[-1].value


def test_overview_speaks_dutch(app_env, people, dutch):
    at = open_page("overview", people["manager"])
    assert [t.value for t in at.title] == ["Overzicht"]
    assert {m.label for m in at.metric} >= {"Contacten", "Merken", "Kanalen", "Meetrondes", "Gebruikers"}
    assert list(at.dataframe[0].value.columns) == ["Merk", "Kanaal", "Contacten", "Open"]
    assert "Recente contacten" in [s.value for s in at.subheader]


def test_account_refusals_in_dutch(engine, people):
    """A domain refusal of journeys.accounts.users is made in the language of the run that raised it."""
    with use_language("nl"), db.session_scope(engine) as session:
        with pytest.raises(ValidationError) as taken:
            users.add_user(session=session, actor=people["admin"], username="manager", role="auditor",
                           password="long-enough")
        with pytest.raises(ValidationError) as yourself:
            users.set_active(session=session, actor=people["admin"], user_id=people["admin"].id, active=False)
    assert str(taken.value) == "gebruikersnaam: is al in gebruik (waarde: 'manager')"
    assert str(yourself.value) == "actief: je kunt je eigen account niet deactiveren (waarde: 'admin')"
    with db.session_scope(engine) as session, pytest.raises(ValidationError) as english:
        users.set_active(session=session, actor=people["admin"], user_id=people["admin"].id, active=False)
    assert str(english.value) == "active: you cannot deactivate your own account (got 'admin')"


def test_sign_in_refusal_counts_attempts_in_dutch(engine, people):
    with use_language("nl"), db.session_scope(engine) as session, pytest.raises(users.SignInRefused) as refused:
        users.authenticate(session=session, username="manager", password="wrong-password", source="192.0.2.9")
    assert str(refused.value) == "Onbekende gebruikersnaam of verkeerd wachtwoord (nog 4 pogingen voor een blokkade)."


def test_role_and_retention_refusals_in_dutch(engine, people):
    manager = SimpleNamespace(id=1, role=Role.MANAGER.value)
    with use_language("nl"):
        with pytest.raises(PermissionDenied) as denied:
            ensure_role(manager, Role.ADMIN, action="manage accounts")
        with db.session_scope(engine) as session, pytest.raises(ValidationError) as months:
            set_retention_months(session=session, actor=people["admin"], months=1000)
    assert str(denied.value).startswith("Je rol (manager) geeft je geen toestemming om accounts te beheren;")
    assert str(months.value) == "maanden: moet een heel aantal maanden zijn van 1 tot en met 120 (waarde: 1000)"


def test_database_trouble_in_dutch():
    """The sentences a user reads for a full disk or a held lock follow the run's language."""
    full = sqlite3.OperationalError("database or disk is full")
    with use_language("nl"):
        assert explain_operational_error(full, "sqlite:////srv/klantreis.db") == (
            "de schijf met de database is vol (/srv/klantreis.db): maak wat ruimte vrij en probeer het opnieuw")
        assert str(DatabaseBusy()).startswith("de database is bezet")
        assert explain_operational_error(sqlite3.OperationalError("attempt to write a readonly database"),
                                         "sqlite:////srv/k.db").startswith("het databasebestand is alleen-lezen")
    assert explain_operational_error(full, "sqlite:////srv/klantreis.db").startswith("the disk holding the database")
    assert str(DatabaseBusy()).startswith("the database is busy")


def test_dashboard_filters_in_dutch(app_env, people, dutch):
    """The sidebar filters of the dashboards: their labels, the empty choice and the dates' help."""
    at = open_page("dashboard", people["manager"])
    boxes = at.sidebar.multiselect
    assert [m.label for m in boxes] == ["Merk", "Meetronde", "Klantreis", "Kanaal", "Locatie"]
    assert [m.placeholder for m in boxes] == ["Alle merken", "Alle meetrondes", "Alle klantreizen", "Alle kanalen",
                                              "Alle locaties"]
    period = at.sidebar.date_input(key="flt_period")
    assert period.label == "Gestart tussen" and period.help.startswith("Lokale datums (")
    assert [s.value for s in at.sidebar.subheader][:1] == ["Filters"]
