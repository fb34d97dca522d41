"""Appeals: a client's disputes of its released results and the agency's decisions.

A client user sees its appeals with status and history and answers a reviewer's question; the
agency's reviewers (managers, reviewers, admins) work the queue of open appeals, oldest first, and
decide, with the disputed contact in full beside it. Both see the appeal rate per wave and brand
(a client only its own brands')."""

import streamlit as st

from journeys.accounts.access import APPELLANTS, has_role
from journeys.language import _
from ui import appeals as view
from ui.actions import show_notice
from ui.contact_detail import show_contact
from ui.resources import get_engine
from ui.session import require_page

user = require_page(__file__)
engine = get_engine()

st.title(_("Appeals"), anchor=False)
show_notice()
if has_role(user, *APPELLANTS):
    view.client_side(engine, actor=user)
else:
    chosen = view.reviewer_side(engine, actor=user)
    if chosen is not None:
        with st.expander(_("Contact {id} in full").format(id=chosen.contact_id)):
            show_contact(engine, chosen.contact_id, actor=user)
    view.show_rates(engine, actor=user)
