"""Review: the contacts submitted for review, oldest submission first, filtered by wave, brand,
auditor and channel; the chosen contact with its checklist, timings and evidence; Approve,
Return with a comment, and corrections with a reason (``journeys.review.workflow``)."""

import streamlit as st

from data.db import read_scope
from journeys.errors import KlantreisError
from journeys.language import _, ngettext, number
from journeys.review.workflow import review_queue
from ui.actions import refuse_page, show_notice
from ui.contact_detail import show_contact
from ui.dashboard_data import channel_names
from ui.resources import get_engine
from ui.review import choose_contact, filtered, queue_filters, queue_table, review_actions
from ui.session import require_page

user = require_page(__file__)
engine = get_engine()
st.title(_("Review"), anchor=False)
show_notice()

try:
    with read_scope(engine) as session:
        queue = review_queue(session=session, actor=user)
except KlantreisError as refusal:
    refuse_page(refusal)
names = channel_names(engine)

if queue.empty:
    st.info(_("Nothing waiting for review: contacts auditors submit appear here, the oldest first."),
            icon=":material/inbox:")
    st.stop()

chosen = queue_filters(queue, names)
shown = filtered(queue, chosen)
st.subheader(_("Waiting for review ({n})").format(n=number(len(shown))), anchor=False)
if len(shown) < len(queue):
    st.caption(ngettext("{n} of {total} submitted contact match the filters.",
                        "{n} of {total} submitted contacts match the filters.", len(queue)).format(
        n=number(len(shown)), total=number(len(queue))))
if shown.empty:
    st.info(_("No submitted contact matches these filters."), icon=":material/filter_alt_off:")
    st.stop()
queue_table(shown, names)

contact_id = choose_contact(shown, names)
if contact_id is not None:
    with st.container(border=True, key="rq_actions"):
        review_actions(engine, user, contact_id)
    show_contact(engine, contact_id, actor=user)
