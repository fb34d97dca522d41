"""Appeals: a client's disputes of its released results and the agency's decisions.

A client user sees its appeals with status and history and answers a reviewer's question; the
agency's reviewers (managers, reviewers, admins) work the queue of open appeals, oldest first, and
decide. Both see the appeal rate per wave and brand (a client only its own brands')."""

import streamlit as st

from journeys.accounts.access import APPELLANTS, has_role
from journeys.language import _
from ui import appeals as view
from ui.actions import show_notice
from ui.resources import get_engine
from ui.session import require_page

user = require_page(__file__)
engine = get_engine()

st.title(_("Appeals"), anchor=False)
show_notice()
if has_role(user, *APPELLANTS):
    view.client_side(engine, actor=user)
else:
    view.reviewer_side(engine, actor=user)
