"""One contact in full: timings, checklist answers, the answer received beside the reference,
evidence and its change history. Used by the drill-down; all user text is shown as text."""

import pandas as pd
import sqlalchemy as sa
import streamlit as st
from sqlalchemy.engine import Engine
from sqlmodel import select

from data.db import session_scope
from data.frames import ContactFilter, read_answers, read_contacts, read_criteria
from journeys.access import ensure_can_read_contact
from journeys.errors import PermissionDenied
from journeys.models import ChangeLog, Contact, Evidence, Journey
from scoring.quality import answer_scores, score_contacts
from ui.dashboard_view import duration
from ui.text import as_plain_text, plain_table

LOCAL_TZ = "Europe/Amsterdam"


def _local(ts) -> str:
    return "–" if ts is None or pd.isna(ts) else pd.Timestamp(ts).tz_convert(LOCAL_TZ).strftime("%a %d %b %Y %H:%M:%S")


def show_contact(engine: Engine, contact_id: int, *, actor) -> None:
    """Render one contact; refuses when ``actor`` may not read it (auditors: only their own)."""
    with session_scope(engine) as session:
        contact = session.get(Contact, contact_id)
        if contact is None:
            st.error(f"Contact {contact_id} does not exist (any more).")
            return
        try:
            ensure_can_read_contact(actor, contact)
        except PermissionDenied as refusal:
            st.error(as_plain_text(refusal), icon=":material/block:")
            return
        journey = session.get(Journey, contact.journey_id)
        evidence = session.exec(select(Evidence.id, Evidence.file_name, Evidence.media_type, Evidence.size_bytes,
                                       Evidence.sha256).where(Evidence.contact_id == contact_id)).all()
        history = session.exec(select(ChangeLog).where(ChangeLog.entity == "contact", ChangeLog.entity_id == contact_id)
                               .order_by(ChangeLog.changed_at)).all()
    frame = read_contacts(engine, ContactFilter(contact_ids=(contact_id,)))
    answers = read_answers(engine, [contact_id])
    criteria = read_criteria(engine, frame["version_id"].tolist())
    score = score_contacts(frame, answers, criteria).iloc[0]
    row = frame.iloc[0]

    plain = as_plain_text  # names are user input: shown literally, never as Markdown
    st.subheader(f"Contact {contact_id} · {plain(row['brand'])} · {plain(row['channel'])}", anchor=False)
    st.caption(f"{plain(row['journey'])} · wave {plain(row['wave'] or '–')} · location "
               f"{plain(row['location'] or '–')} · auditor {plain(row['auditor'] or '–')}")
    columns = st.columns(4)
    final = score["final_score"]
    columns[0].metric("Final score", "not scored" if pd.isna(final) else f"{final:.1f}",
                      help=f"Raw score {score['raw_score']:.1f}" if not pd.isna(score["raw_score"]) else None)
    columns[1].metric("Knock-out", str(score["knockout"]) if score["knockout"] else "none")
    answered = row["first_response_at"] if not pd.isna(row["first_response_at"]) else row["resolved_at"]
    wait = (answered - row["started_at"]).total_seconds() if not pd.isna(answered) else None
    columns[2].metric("First response after", duration(wait) if wait is not None else "unanswered")
    columns[3].metric("Answer correct", {True: "yes", False: "no"}.get(row["answer_correct"], "not judged"))

    st.markdown("**Timings** (Amsterdam time)")
    st.table(plain_table(pd.DataFrame({
        "event": ["started", "acknowledged", "first response", "resolved", "deadline"],
        "time": [_local(row[c]) for c in ("started_at", "acknowledged_at", "first_response_at", "resolved_at", "due_at")],
    })))
    left, right = st.columns(2)
    with left:
        st.markdown("**Answer received**")
        st.text(contact.answer_text or "(none recorded)")
        if contact.notes:
            st.markdown("**Notes**")
            st.text(contact.notes)
    with right:
        st.markdown("**Reference answer**")
        st.text(journey.reference_answer if journey else "")
    items = answer_scores(frame, answers, criteria).merge(
        criteria[["criterion_id", "text"]], on="criterion_id", how="left")
    items = items.merge(answers[["criterion_id", "value", "comment"]], on="criterion_id", how="left")
    if len(items):
        st.markdown("**Checklist**")
        st.dataframe(items[["code", "section", "text", "value", "is_na", "item_score", "critical_failed", "comment"]],
                     hide_index=True, width="stretch",
                     column_config={"item_score": st.column_config.NumberColumn("points %", format="%.0f"),
                                    "is_na": st.column_config.CheckboxColumn("N/A")})
    if evidence:
        st.markdown("**Evidence**")
        for item in evidence:
            with session_scope(engine) as session:
                content = session.exec(sa.select(Evidence.content).where(Evidence.id == item.id)).one()[0]
            if item.media_type.startswith("image/"):
                st.image(content, caption=plain(item.file_name), width=320)
            elif item.media_type.startswith("audio/"):
                st.audio(content, format=item.media_type)
            elif item.media_type.startswith("video/"):
                st.video(content, format=item.media_type)
            else:
                st.download_button(f"{plain(item.file_name)} ({item.size_bytes:,} bytes)", content, item.file_name,
                                   item.media_type, key=f"evidence_{item.id}", on_click="ignore")
            st.caption(f"sha256 {item.sha256}")
    if history:
        st.markdown("**Change history**")
        st.dataframe(pd.DataFrame([{"when": _local(pd.Timestamp(h.changed_at)), "field": h.field, "old": h.old_value,
                                    "new": h.new_value, "action": h.action} for h in history]),
                     hide_index=True, width="stretch")
