"""The menu's role sets are ``journeys.accounts.access``'s own objects, so the menu and the services cannot drift apart."""

import pytest

from journeys.accounts import access
from ui.navigation import PAGES, PAGES_BY_PATH

# The service rule behind each page: the name of its role set in journeys.accounts.access.
SERVICE_RULE = {
    "pages/overview.py": "SIGNED_IN",
    "pages/contacts_mine.py": "CONTACT_WRITERS",
    "pages/contact_log.py": "CONTACT_WRITERS",
    "pages/dashboard.py": "ALL_CONTACT_READERS",
    "pages/consistency.py": "ALL_CONTACT_READERS",
    "pages/trends.py": "ALL_CONTACT_READERS",
    "pages/explore.py": "EXPORTERS",
    "pages/journey_admin.py": "JOURNEY_ADMINS",
    "pages/admin_users.py": "USER_ADMINS",
    "pages/admin_retention.py": "SETTINGS_ADMINS",
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
