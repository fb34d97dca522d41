"""An admin sets what a client user sees on the Users page."""

from sqlmodel import select

from data import db
from journeys.accounts.grants import grants_of
from journeys.models import User
from tests.apptest import open_page
from tests.client_scope.world import BRAND_A, BRAND_B, build_two_brands
from ui.session import SignedInUser


def test_admin_gives_a_client_a_region_of_another_brand(app_env):
    """The client's grants are preset; the admin adds a region and saves; the table shows it."""
    engine = db.get_engine(app_env)
    with db.session_scope(engine) as session:
        world = build_two_brands(session)
        admin = SignedInUser(world["admin"].id, "beheer", "Beheer", "admin")
    at = open_page("admin_users", admin, admin_users_account="klant-a")
    grants = at.multiselect(key=f"admin_users_grants_{world['client'].id}")
    assert grants.value == [BRAND_A]
    assert f"{BRAND_B}:Noord" in grants.options and f"{BRAND_B}@Bloemhofplein" in grants.options
    grants.set_value([BRAND_A, f"{BRAND_B}:Noord"])
    at.button(key="FormSubmitter:admin_users_grants-Save client access").click().run()
    assert not at.exception, at.exception
    with db.read_scope(engine) as session:
        client = session.exec(select(User).where(User.username == "klant-a")).one()
        assert [str(g) for g in grants_of(session=session, actor=admin, user_id=client.id)] == [
            f"{BRAND_B}:Noord", BRAND_A]
    table = at.dataframe[0].value
    assert f"{BRAND_B}:Noord, {BRAND_A}" in set(table["Client sees"])


def test_a_client_without_brands_is_flagged(app_env):
    engine = db.get_engine(app_env)
    with db.session_scope(engine) as session:
        world = build_two_brands(session)
        admin = SignedInUser(world["admin"].id, "beheer", "Beheer", "admin")
        session.add(User(username="klant-leeg", display_name="Leeg", role="client", password_hash="x"))
    at = open_page("admin_users", admin, admin_users_account="klant-leeg")
    assert any("sees nothing" in w.value for w in at.warning)
