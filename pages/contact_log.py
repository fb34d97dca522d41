"""Log one contact: the stopwatch or the response times, the assessment, evidence and history."""

import streamlit as st
from sqlmodel import select

from data.db import session_scope
from data.frames import ContactFilter, read_answers, read_contacts, read_criteria
from journeys.contact_service import (
    ALLOWED_EVIDENCE,
    MAX_EVIDENCE_BYTES,
    add_evidence,
    applicable_criteria,
    channel_of,
    read_contact,
    record_event,
    save_contact,
)
from journeys.errors import KlantreisError
from journeys.models import Answer, Brand, Channel, Journey
from scoring.quality import score_contacts
from ui.actions import NOTICE_KEY, run_action, show_notice
from ui.contact_detail import show_contact
from ui.contact_forms import OPEN_KEY, checklist_inputs, datetime_input, elapsed_text, local_text
from ui.resources import get_engine
from ui.session import require_page
from ui.text import as_plain_text

user = require_page(__file__)
engine = get_engine()
contact_id = st.session_state.get(OPEN_KEY) or st.query_params.get("contact")
if not contact_id:
    st.info("Open a contact from **My contacts**, or start a new one there.", icon=":material/arrow_back:")
    st.page_link("pages/contacts_mine.py", label="My contacts", icon=":material/list:")
    st.stop()
contact_id = int(contact_id)
st.query_params["contact"] = str(contact_id)  # a reload keeps the contact open

try:
    with session_scope(engine) as session:
        contact = read_contact(session=session, actor=user, contact_id=contact_id)
        channel = channel_of(session, contact)
        journey = session.get(Journey, contact.journey_id)
        brand = session.get(Brand, contact.brand_id)
        criteria = applicable_criteria(session, contact)
        saved = {a.criterion_id: (a.value, a.is_na, a.comment)
                 for a in session.exec(select(Answer).where(Answer.contact_id == contact_id)).all()}
        other_channels = session.exec(select(Channel).where(Channel.id != contact.channel_id).order_by(Channel.name)).all()
except KlantreisError as refusal:
    st.error(str(refusal), icon=":material/block:")
    st.stop()


def run(action, success: str) -> None:
    """Run one service call in one transaction; show the problem (never a traceback) or rerun."""
    run_action(engine, action, success)


st.title(f"{as_plain_text(channel.label or channel.name)} · {as_plain_text(brand.name)}", anchor=False)
st.caption(f"Contact {contact.id} · {as_plain_text(journey.name)} · started {local_text(contact.started_at)} "
           "(Amsterdam time)")
show_notice()
with st.container(border=True):
    st.markdown("**Ask on this channel**")
    st.text(journey.question or journey.scenario)

st.subheader("Timing", anchor=False)
if channel.is_live:
    # a finished conversation's times no longer change: no need to redraw them every second
    @st.fragment(run_every=1 if contact.resolved_at is None else None)
    def stopwatch() -> None:
        """Elapsed times from the stored server-side stamps, refreshed every second."""
        if contact.first_response_at is None:
            st.metric("Waiting", elapsed_text(contact.started_at), help="since you started waiting")
        else:
            st.metric("Waited", elapsed_text(contact.started_at, contact.first_response_at))
            st.metric("Handling" if contact.resolved_at is None else "Handled",
                      elapsed_text(contact.first_response_at, contact.resolved_at))

    left, right = st.columns([2, 3])
    with left:
        stopwatch()
    with right:
        if contact.first_response_at is None:
            if st.button("Answered / picked up now", type="primary", icon=":material/call:", key="sw_answer"):
                run(lambda s: record_event(session=s, actor=user, contact_id=contact_id, event="first_response"),
                    "Wait time stopped.")
        if contact.resolved_at is None:
            if st.button("Conversation ended now", icon=":material/call_end:", key="sw_end"):
                run(lambda s: record_event(session=s, actor=user, contact_id=contact_id, event="resolved"),
                    "Handling time stopped.")
else:
    cols = st.columns(3)
    for column, event, field, label in (
        (cols[0], "acknowledged", "acknowledged_at", "Acknowledged"),
        (cols[1], "first_response", "first_response_at", "First response"),
        (cols[2], "resolved", "resolved_at", "Resolved"),
    ):
        stamp = getattr(contact, field)
        column.metric(label, local_text(stamp) if stamp else "not yet",
                      delta=f"after {elapsed_text(contact.started_at, stamp)}" if stamp else None, delta_color="off")
        if stamp is None and column.button(f"{label} now", key=f"now_{event}", icon=":material/schedule:"):
            run(lambda s, e=event: record_event(session=s, actor=user, contact_id=contact_id, event=e), f"{label} recorded.")
    if contact.first_response_at is None and contact.resolved_at is None:
        st.caption(f"Unanswered for {elapsed_text(contact.started_at)} so far: it stays open and counts as "
                   "unanswered until a response comes in.")

with st.expander("Correct the times by hand", icon=":material/edit_calendar:"):
    with st.form("times"):
        started = datetime_input("Started", contact.started_at, "t_start")
        acknowledged = datetime_input("Acknowledged", contact.acknowledged_at, "t_ack")
        first = datetime_input("First response", contact.first_response_at, "t_first")
        resolved = datetime_input("Resolved", contact.resolved_at, "t_res")
        left, right = st.columns(2)
        wait = left.number_input("Wait (seconds)", value=contact.wait_seconds, step=1.0, key="t_wait")
        handling = right.number_input("Handling (seconds)", value=contact.handling_seconds, step=1.0, key="t_hand")
        if st.form_submit_button("Save times"):
            changes = {"started_at": started, "acknowledged_at": acknowledged, "first_response_at": first,
                       "resolved_at": resolved}
            if wait != contact.wait_seconds:
                changes["wait_seconds"] = wait
            if handling != contact.handling_seconds:
                changes["handling_seconds"] = handling
            run(lambda s: save_contact(session=s, actor=user, contact_id=contact_id, changes=changes), "Times saved.")

st.subheader("Assessment", anchor=False)
with st.form("assessment"):
    answers = checklist_inputs(criteria, saved, "a")
    st.divider()
    left, right = st.columns(2)
    answer_text = left.text_area("Answer received", value=contact.answer_text, key="a_answer", height=140)
    with right:
        st.markdown("**Reference answer**")
        st.text(journey.reference_answer)
    correct = st.segmented_control("Answer correct?", ["Yes", "No", "Not judged"], key="a_correct",
                                   default={True: "Yes", False: "No"}.get(contact.answer_correct, "Not judged"))
    left, right = st.columns(2)
    redirect_options = [None, *other_channels]
    redirected = left.selectbox(
        "Redirected to another channel", redirect_options, key="a_redirect",
        index=next((i for i, c in enumerate(redirect_options) if c and c.id == contact.redirected_to_channel_id), 0),
        format_func=lambda c: "not redirected" if c is None else (c.label or c.name))
    transfers = right.number_input("Transfers", min_value=0, value=int(contact.transfers or 0), step=1, key="a_transfers")
    notes = st.text_area("Notes", value=contact.notes, key="a_notes")
    submitted = st.form_submit_button("Save assessment", type="primary", icon=":material/save:")
if submitted:
    changes = {"answer_text": answer_text, "answer_correct": {"Yes": True, "No": False}.get(correct),
               "redirected_to_channel_id": redirected.id if redirected else None, "transfers": int(transfers),
               "notes": notes}

    def save(session):
        save_contact(session=session, actor=user, contact_id=contact_id, changes=changes, answers=answers, complete=True)

    try:
        with session_scope(engine) as session:
            save(session)
    except KlantreisError as problem:
        st.error(as_plain_text(problem), icon=":material/error:")
    else:
        frame = read_contacts(engine, ContactFilter(contact_ids=(contact_id,)))
        score = score_contacts(frame, read_answers(engine, [contact_id]), read_criteria(engine, frame["version_id"]))
        final, raw = score["final_score"].iloc[0], score["raw_score"].iloc[0]
        st.session_state[NOTICE_KEY] = (f"Assessment saved. Score {final:.1f} (raw {raw:.1f})"
                                         + (" — knock-out: " + str(score["knockout"].iloc[0]) if score["knockout"].iloc[0] else ""))
        st.rerun()

st.subheader("Evidence", anchor=False)
upload = st.file_uploader(
    f"Screenshots, photos, audio or PDF — {ALLOWED_EVIDENCE}; at most {MAX_EVIDENCE_BYTES // 1_000_000} MB",
    type=["png", "jpg", "jpeg", "gif", "webp", "pdf", "mp3", "m4a", "ogg", "wav", "mp4"],
    # a fresh key after each attach empties the uploader, so a second click cannot attach the file twice
    key=f"evidence_upload_{st.session_state.get('evidence_round', 0)}")
if upload is not None and st.button("Attach file", icon=":material/attach_file:", key="evidence_attach"):
    data = upload.getvalue()
    st.session_state["evidence_round"] = st.session_state.get("evidence_round", 0) + 1
    run(lambda s: add_evidence(session=s, actor=user, contact_id=contact_id, file_name=upload.name, data=data),
        f"Attached {as_plain_text(upload.name)}.")

st.divider()
show_contact(engine, contact_id, actor=user)
