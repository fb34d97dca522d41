"""The menu's role sets are ``journeys.accounts.access``'s own objects, so the menu and the services cannot drift apart."""

import pytest

from journeys.accounts import access
from ui.navigation import PAGES, PAGES_BY_PATH

# The service rule behind each page: the name of its role set in journeys.accounts.access.
SERVICE_RULE = {
    "pages/overview.py": "SIGNED_IN",
    "pages/contacts_mine.py": "CONTACT_WRITERS",
    "pages/contact_log.py": "CONTACT_WRITERS",
    "pages/assignments_mine.py": "ASSIGNMENT_HOLDERS",
    "pages/dashboard.py": "FIGURE_READERS",
    "pages/consistency.py": "FIGURE_READERS",
    "pages/trends.py": "FIGURE_READERS",
    "pages/progress.py": "ALL_CONTACT_READERS",
    "pages/explore.py": "EXPORTERS",
    "pages/appeals.py": "FIGURE_READERS",  # APPELLANTS | REVIEWERS
    "pages/action_rules.py": "RULE_SETTERS",  # journeys.actions.rules and .generate
    "pages/study_clients.py": "STUDY_PLANNERS",
    "pages/journey_admin.py": "JOURNEY_ADMINS",
    "pages/admin_users.py": "USER_ADMINS",
    "pages/admin_retention.py": "SETTINGS_ADMINS",
    "pages/study_waves.py": "STUDY_PLANNERS",
    "pages/study_assign.py": "STUDY_PLANNERS",
    "pages/review_queue.py": "REVIEWERS",
    "pages/action_plan.py": "ACTION_READERS",
    "pages/my_alerts.py": "SIGNED_IN",  # one's own alert settings; the queue inside is ALERT_ADMINS'
}

ACCESS_SETS = {name: value for name, value in vars(access).items() if isinstance(value, frozenset)}


def test_every_page_has_a_service_rule():
    """Each registered page is listed above, and nothing listed above is missing from the registry."""
    assert set(SERVICE_RULE) == set(PAGES_BY_PATH)


@pytest.mark.parametrize("spec", PAGES, ids=lambda spec: spec.path)
def test_page_roles_are_the_access_modules_set(spec):
    """A page's roles are the very object the service checks (identity, not an equal copy)."""
    assert spec.roles is getattr(access, SERVICE_RULE[spec.path])


@pytest.mark.parametrize("spec", PAGES, ids=lambda spec: spec.path)
def test_no_page_uses_a_role_set_of_its_own(spec):
    """Whatever a page's rule, it is one of the sets journeys.accounts.access defines."""
    assert any(spec.roles is value for value in ACCESS_SETS.values()), sorted(spec.roles)


# --- Landing pages and other roles' URLs (issue 15, items 5 and 13) ---------------------------------

from tests.apptest import sign_in  # noqa: E402
from tests.shown import shown  # noqa: E402
from ui.navigation import home_for, pages_for, refusal_text  # noqa: E402
from ui.session import RETURN_TO_KEY  # noqa: E402


def _titles(at) -> list[str]:
    return [t.value for t in at.title]


@pytest.mark.parametrize(("role", "home"), [("auditor", "pages/contacts_mine.py"), ("manager", "pages/overview.py"),
                                            ("admin", "pages/overview.py"), ("reviewer", "pages/overview.py"),
                                            ("client", "pages/dashboard.py")])
def test_each_role_has_its_home(role, home):
    """An auditor's home is their own work (My contacts); a client user's the Dashboard of its
    brands; a manager's, a reviewer's and an admin's the Overview."""
    assert home_for(role).path == home
    assert home_for(role) in pages_for(role)


def test_refusal_names_whom_the_page_is_for():
    """The refusal says whom the page is for and who is signed in, in words, not codes."""
    assert refusal_text(PAGES_BY_PATH["pages/admin_users.py"], "manager") == (
        "The page 'Users' is for administrators; you are signed in as a manager.")
    assert refusal_text(PAGES_BY_PATH["pages/explore.py"], "auditor") == (
        "The page 'Explore and export' is for managers, administrators and client users; you are signed in as an "
        "auditor.")


def test_client_pages_are_the_analysis_pages():
    """A client user opens the Overview, the dashboards, Explore, its Appeals, its Action plan, the Action
    rules (its brand's, as the client's admin; journeys.actions.rules.rule_brands) and its Alerts — no
    audit, study or admin page."""
    assert [spec.path for spec in pages_for("client")] == [
        "pages/overview.py", "pages/dashboard.py", "pages/consistency.py", "pages/trends.py", "pages/explore.py",
        "pages/appeals.py", "pages/action_plan.py", "pages/action_rules.py", "pages/my_alerts.py"]


def test_auditor_lands_on_my_contacts(app_env, people):
    """Signing in as an auditor opens My contacts, not the Overview."""
    at = sign_in("auditor1", "auditor1-pass")
    assert _titles(at) == ["My contacts"]


def test_manager_lands_on_the_overview(app_env, people):
    """Signing in as a manager still opens the Overview."""
    at = sign_in("manager", "manager-pass")
    assert _titles(at) == ["Overview"]


@pytest.mark.parametrize(("who", "path", "expected"), [
    ("manager", "pages/admin_users.py", "The page 'Users' is for administrators; you are signed in as a manager."),
    ("auditor", "pages/dashboard.py",
     "The page 'Dashboard' is for managers, administrators, reviewers and client users; you are signed in as "
     "an auditor."),
])
def test_other_roles_page_is_refused_on_its_face(app_env, people, who, path, expected):
    """A page URL of another role, typed before the frame ran, ends on a refusal saying so, not on the home page."""
    username = "auditor1" if who == "auditor" else who
    at = sign_in(username, f"{username}-pass")
    at.session_state[RETURN_TO_KEY] = path
    at._page_hash = ""
    at._finished_page_script_hash = ""
    at.run()
    assert not at.exception, at.exception
    assert [shown(e.value) for e in at.error] == [expected]
    assert _titles(at) == ["Page not available"]
    assert not at.dataframe and not at.metric
