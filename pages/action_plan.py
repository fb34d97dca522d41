"""Action plan: the actions found in the results, from open to verified, per location and item.

Client users see the actions of their own brands, regions or locations and work on them (start,
mark done, reject with a reason, comment); the agency's managers and admins see every brand's
and also verify a done action or send it back. An alert mail's link opens one action here
(``?action=12``)."""

import streamlit as st

from journeys.actions.items import action_list
from journeys.language import _
from ui import action_plan as view
from ui.actions import show_notice
from ui.contact_detail import show_contact
from ui.resources import get_engine
from ui.session import require_page

user = require_page(__file__)
engine = get_engine()

st.title(_("Action plan"), anchor=False)
show_notice()
actions = action_list(engine, user)
selected = None
if actions.empty:
    st.info(_("No actions yet: the action rules create them from the released results."), icon=":material/task:")
else:
    chosen = view.filters(actions)
    view.headline(chosen)
    view.summary(chosen)
    selected = view.action_list(chosen)
    if not chosen.empty:
        view.downloads(chosen)
opened = selected or view.linked_action()
if opened is not None:
    st.divider()
    contact_id = view.show_action(engine, opened, actor=user)
    if contact_id is not None:
        with st.expander(_("Contact {id} in full").format(id=contact_id)):
            show_contact(engine, contact_id, actor=user)
