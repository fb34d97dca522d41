"""Action rules: when a finding becomes an action, in plain words; for the agency's managers and
admins and the client's admin (a client user granted on a whole brand: its brand's rules;
``journeys.accounts.access.RULE_SETTERS``). Switch a rule on or off, add one, or (the agency)
apply the rules now (the worker and ``klantreis actions apply`` run them too)."""

import streamlit as st

from journeys.language import _
from ui import action_rules as view
from ui.actions import show_notice
from ui.resources import get_engine
from ui.session import require_page

user = require_page(__file__)
engine = get_engine()

st.title(_("Action rules"), anchor=False)
show_notice()
st.caption(_("Each rule turns findings in released contacts into actions for the client; running the rules again "
             "never creates an action twice."))
brands = view.setter_brands(engine, actor=user)
view.show_rules(engine, actor=user, brands=brands)
view.apply_button(engine, actor=user)
st.divider()
view.add_rule_form(engine, actor=user, brands=brands)
