"""The Users page's client access: which brands, regions or locations a client user sees.

One multiselect of every grant an admin can give, in the command line's words ("BRAND",
"BRAND:REGION", "BRAND@LOCATION", ``journeys.accounts.grants.parse_grant``), preset to the
account's grants; saving replaces them (``journeys.accounts.grants.set_client_grants``, logged).
"""

import streamlit as st
from sqlalchemy.engine import Engine
from sqlmodel import select

from data.db import read_scope
from journeys.accounts import grants as client_grants
from journeys.language import _
from journeys.models import Brand, Location
from ui.actions import run_action
from ui.text import as_plain_text


def grant_choices(session) -> list[str]:
    """Every grant that can be given: each brand, each region of a brand, each location of a brand."""
    choices: list[str] = []
    for brand in session.exec(select(Brand).order_by(Brand.name)).all():
        choices.append(str(client_grants.GrantSpec(brand.name)))
        locations = session.exec(select(Location).where(Location.brand_id == brand.id)
                                 .order_by(Location.region, Location.name)).all()
        regions = sorted({location.region for location in locations if location.region})
        choices += [str(client_grants.GrantSpec(brand.name, region=region)) for region in regions]
        choices += [str(client_grants.GrantSpec(brand.name, location=location.name)) for location in locations]
    return choices


def client_access_form(engine: Engine, actor, target) -> None:
    """The form setting what client user ``target`` sees (shown for client accounts only)."""
    with read_scope(engine) as session:
        current = [str(g) for g in client_grants.grants_of(session=session, actor=actor, user_id=target.id)]
        choices = grant_choices(session)
    warning = client_grants.grants_warning(target.role, current)
    if warning:
        st.warning(warning, icon=":material/visibility_off:")
    with st.form("admin_users_grants"):
        picked = st.multiselect(
            _("Sees the released results of"), choices, default=[c for c in current if c in choices],
            key=f"admin_users_grants_{target.id}",
            help=_("A brand, one region of a brand (BRAND:REGION) or one location of a brand (BRAND@LOCATION). "
                   "Auditors are always shown to client users as pseudonyms."))
        if st.form_submit_button(_("Save client access")):
            run_action(
                engine,
                lambda s: client_grants.set_client_grants(session=s, actor=actor, user_id=target.id, grants=picked),
                _("{username} now sees: {grants}.").format(
                    username=as_plain_text(target.username),
                    grants=as_plain_text(", ".join(picked)) if picked else _("nothing")),
            )
