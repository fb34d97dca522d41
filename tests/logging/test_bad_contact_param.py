"""A hand-edited ``/contact_log?contact=...`` link says what is wrong instead of a traceback."""


import pytest

from data import db
from data.db import session_scope
from tests.apptest import app_test, as_user
from tests.factories import make_world
from ui.contact_forms import parse_contact_id
from ui.session import SignedInUser


@pytest.fixture
def auditor(app_env) -> SignedInUser:
    with session_scope(db.get_engine(app_env)) as session:
        account = make_world(session)["auditor"]
        return SignedInUser(account.id, account.username, account.display_name, account.role)


@pytest.mark.parametrize("value", ["abc", "1e3", "9" * 20, "-1", "0", "4.0", "2147483648", "[x](http://evil)"])
def test_a_contact_link_that_is_no_number_says_so(auditor, value):
    """``?contact=abc`` (or 1e3, a 20-digit number, ...) shows one clear message and a way back, no traceback."""
    at = as_user(app_test(), auditor)  # the app, so that the page's links resolve
    at.query_params["contact"] = value
    at.switch_page("pages/contact_log.py").run()
    assert not at.exception, at.exception
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and "is not a contact number (a whole number from 1 to 2,147,483,647)" in errors[0]
    assert "Open the contact from My contacts" in errors[0]
    assert "](http" not in errors[0]  # the value is shown as text, not as a link
    assert not at.get("form") and not at.subheader  # nothing of a contact page is drawn


@pytest.mark.parametrize(("value", "expected"), [
    ("42", 42), (" 7 ", 7), (42, 42), ("2147483647", 2147483647),
    ("abc", None), ("1e3", None), ("4.0", None), ("-1", None), ("0", None), ("٣", None), ("9" * 20, None),
])
def test_parse_contact_id(value, expected):
    """Only plain ASCII digits within the id column's range are contact ids."""
    assert parse_contact_id(value) == expected
