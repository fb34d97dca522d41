"""My assignments: the planned contacts given to the signed-in auditor, one card each, in the
order they need doing (overdue, due soon, to do, started, done), each section in due-date order.

Phone-first: a card is two lines (brand · location; journey, channel, time slot, due date and
status) and one button. "Start" starts the contact pre-filled from the plan and opens it on Log
contact (the stopwatch runs from that tap); a started one says "Continue" and opens the same
contact. "Hand back" (with a reason) gives a planned contact that was not started back to the
planners. The rules are ``journeys.fieldwork.worklist``'s. Contacts a reviewer returned for
revision are listed first, with the reviewer's comment (``ui.review.returned_list``).
"""

import pandas as pd
import streamlit as st

from data.db import read_scope, session_scope
from data.errors import explained_database_errors
from journeys.errors import KlantreisError
from journeys.fieldwork.planned import local_today
from journeys.fieldwork.worklist import (
    MAX_REASON_CHARS,
    RECENT_DONE_DAYS,
    SECTIONS,
    due_text,
    hand_back,
    my_assignments,
    start_assignment,
)
from journeys.language import _, number
from journeys.wording import assignment_status_label, time_slot_label
from ui.actions import run_action, show_notice, show_refusal
from ui.contact_forms import LOG_PAGE, OPEN_KEY
from ui.dashboard_data import channel_names
from ui.resources import get_engine
from ui.review import returned_list
from ui.session import require_page
from ui.text import as_plain_text

user = require_page(__file__)
engine = get_engine()
DONE_SHOWN = 10  # done cards on the page; older ones are counted, not drawn
st.title(_("My assignments"), anchor=False)
show_notice()

today = local_today()
with read_scope(engine) as session:
    frame = my_assignments(session=session, actor=user, today=today)
# contacts a reviewer sent back: revised and resubmitted before new fieldwork
returned = returned_list(engine, user, channel_names(engine), key="assignments")

if frame.empty and returned:
    st.stop()
if frame.empty:
    st.info(_("No assignments: contacts you are given appear here."), icon=":material/inbox:")
    st.stop()


def _start(assignment_id: int) -> None:
    """Start (or continue) the planned contact and open it on the log page: one tap to the stopwatch."""
    try:
        with explained_database_errors(engine.url), session_scope(engine) as session:
            contact = start_assignment(session=session, actor=user, assignment_id=assignment_id)
            contact_id = contact.id
    except KlantreisError as refusal:
        show_refusal(refusal)
        return
    st.session_state[OPEN_KEY] = contact_id
    st.switch_page(LOG_PAGE)


def _card(row: dict) -> None:
    """One planned contact: what and where, when, its state; Start/Continue and Hand back when open."""
    assignment_id = int(row["assignment_id"])
    place = as_plain_text(row["brand"]) + (f" · {as_plain_text(row['location'])}" if pd.notna(row["location"]) else "")
    started = not pd.isna(row["contact_id"])
    with st.container(border=True, key=f"assignment_{assignment_id}"):
        st.markdown(f"**{place}**")
        st.caption(" · ".join((
            as_plain_text(row["journey"]), as_plain_text(row["channel_name"]), time_slot_label(row["time_slot"]),
            due_text(row["due_on"], today), assignment_status_label(row["status"]))))
        if row["section"] == "done":
            if st.button(_("Open"), key=f"open_{assignment_id}", icon=":material/visibility:", type="tertiary"):
                st.session_state[OPEN_KEY] = int(row["contact_id"])
                st.switch_page(LOG_PAGE)
            return
        if st.button(_("Continue") if started else _("Start"), key=f"start_{assignment_id}", type="primary",
                     icon=":material/play_arrow:", width="stretch"):
            _start(assignment_id)
        if not started:
            with st.expander(_("Hand back")), st.form(key=f"hand_back_{assignment_id}", border=False):
                reason = st.text_area(_("Why you hand it back"), max_chars=MAX_REASON_CHARS,
                                      key=f"reason_{assignment_id}",
                                      placeholder=_("e.g. I cannot get to this location before the due date"))
                if st.form_submit_button(_("Hand back"), key=f"hand_back_go_{assignment_id}",
                                         icon=":material/undo:"):
                    run_action(engine, lambda session: hand_back(
                        session=session, actor=user, assignment_id=assignment_id, reason=reason),
                        _("Handed back: a planner will give it to someone else."))


for section in SECTIONS:
    rows = frame[frame["section"] == section]
    if rows.empty:
        continue
    st.subheader(_("{section} ({n})").format(section=assignment_status_label(section), n=number(len(rows))),
                 anchor=False)
    if section == "done" and len(rows) > DONE_SHOWN:
        st.caption(_("The {shown} earliest due of {n}; a done one leaves this list {days} days after it was "
                     "saved.").format(shown=number(DONE_SHOWN), n=number(len(rows)), days=number(RECENT_DONE_DAYS)))
        rows = rows.head(DONE_SHOWN)
    for row in rows.to_dict("records"):
        _card(row)
