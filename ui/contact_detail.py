"""One contact in full: timings, checklist answers, the answer received beside the reference,
evidence and its change history. Used by the drill-down; all user text is shown as text."""

import logging
from datetime import UTC, datetime

import pandas as pd
import sqlalchemy as sa
import streamlit as st
from sqlalchemy.engine import Engine
from sqlmodel import select

from data.db import DatabaseBusy, read_scope, session_scope
from journeys.accounts.access import EVIDENCE_REMOVERS, ensure_can_read_contact, has_role
from journeys.errors import PermissionDenied
from journeys.fieldwork.contacts import draft_text, remove_evidence
from journeys.fieldwork.evidence import Preview, ensure_preview, is_image, original_content
from journeys.fieldwork.frames import ContactFilter, read_answers, read_contacts, read_criteria
from journeys.local_time import DATED_SECOND, duration, local_text
from journeys.models import ChangeLog, Contact, Evidence, Journey, User
from scoring.pipeline import scored_contacts
from scoring.quality import answer_scores
from ui.actions import run_action, show_blocked
from ui.text import as_plain_text, plain_table

log = logging.getLogger(__name__)
# a preview made on view must not hold the page up behind a long write; it is retried on the next view
PREVIEW_BUSY_TIMEOUT_MS = 2_000


def score_text(score) -> str:
    """A contact's score in words: "Score 75.0 (raw 80.0)", or why there is none.

    ``score`` is one row of ``scoring.quality.score_contacts`` (or of ``scored_contacts``). NaN never reaches the user:
    a checklist answered N/A throughout has nothing to score, which is said as such.
    """
    final, raw = score["final_score"], score["raw_score"]
    if pd.isna(final):
        if score["applicable_items"] and score["na_items"] == score["applicable_items"]:
            return "Not scored: every item N/A"
        if not score["applicable_items"]:
            return "Not scored: no checklist item applies on this channel"
        return "Not scored: no item answered yet"
    text = f"Score {final:.1f}" + ("" if pd.isna(raw) else f" (raw {raw:.1f})")
    return text + (f" — knock-out: {score['knockout']}" if score["knockout"] and score["knockout"] != "none" else "")


def _local(ts) -> str:
    return local_text(ts, DATED_SECOND)


def show_contact(engine: Engine, contact_id: int, *, actor) -> None:
    """Render one contact; refuses when ``actor`` may not read it (auditors: only their own)."""
    with read_scope(engine) as session:
        contact = session.get(Contact, contact_id)
        if contact is None:
            st.error(f"Contact {contact_id} does not exist (any more).")
            return
        try:
            ensure_can_read_contact(actor, contact)
        except PermissionDenied as refusal:
            show_blocked(refusal)
            return
        journey = session.get(Journey, contact.journey_id)
        # never the originals: a page shows stored thumbnails and serves originals on request
        evidence = session.exec(select(Evidence.id, Evidence.file_name, Evidence.media_type, Evidence.size_bytes,
                                       Evidence.sha256, Evidence.thumbnail, Evidence.thumbnail_media_type,
                                       Evidence.preview_problem)
                                .where(Evidence.contact_id == contact_id).order_by(Evidence.id)).all()
        history = session.exec(select(ChangeLog, User.username).outerjoin(User, User.id == ChangeLog.user_id)
                               .where(ChangeLog.entity == "contact", ChangeLog.entity_id == contact_id)
                               .order_by(ChangeLog.changed_at)).all()
    # the auditor's own draft is shown too, marked as one and without a score
    frame = read_contacts(engine, ContactFilter(contact_ids=(contact_id,), include_drafts=True))
    answers = read_answers(engine, [contact_id])
    criteria = read_criteria(engine, frame["version_id"].tolist())
    # score and timing as every dashboard defines them, as of now (scoring.pipeline.scored_contacts)
    score = scored_contacts(frame, answers, criteria, datetime.now(UTC)).iloc[0]
    row = frame.iloc[0]

    plain = as_plain_text  # names are user input: shown literally, never as Markdown
    st.subheader(f"Contact {contact_id} · {plain(row['brand'])} · {plain(row['channel'])}", anchor=False)
    st.caption(f"{plain(row['journey'])} · wave {plain(row['wave'] or '–')} · location "
               f"{plain(row['location'] or '–')} · auditor {plain(row['auditor'] or '–')}")
    columns = st.columns(4)
    final = score["final_score"]
    if contact.is_draft:
        answered = int(score["applicable_items"] - score["missing_items"])
        columns[0].metric("Final score", "draft", help=draft_text(answered, int(score["applicable_items"]))
                          + ": not scored or counted until the assessment is saved complete")
    elif pd.isna(final):
        columns[0].metric("Final score", "not scored")
        columns[0].caption(score_text(score))
    else:
        columns[0].metric("Final score", f"{final:.1f}",
                          help=f"Raw score {score['raw_score']:.1f}" if not pd.isna(score["raw_score"]) else None)
    columns[1].metric("Knock-out", str(score["knockout"]) if score["knockout"] else "none")
    columns[2].metric("First response after", duration(score["first_response_s"]) if score["responded"]
                      else "unanswered")
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
            _show_evidence(engine, item, actor=actor)
    if history:
        st.markdown("**Change history**")
        st.dataframe(pd.DataFrame([{"when": _local(pd.Timestamp(h.changed_at)), "by": by or "–", "field": h.field,
                                    "old": h.old_value, "new": h.new_value, "action": h.action}
                                   for h, by in history]),
                     hide_index=True, width="stretch")


def _preview(engine: Engine, item) -> Preview:
    """The stored thumbnail; for an image stored before thumbnails existed, made once now."""
    if item.thumbnail is not None or item.preview_problem is not None:
        return Preview(item.thumbnail, item.thumbnail_media_type, item.preview_problem)
    try:
        with session_scope(engine, busy_timeout_ms=PREVIEW_BUSY_TIMEOUT_MS) as session:
            return ensure_preview(session=session, evidence_id=item.id) or Preview(None, None, "it no longer exists")
    except (sa.exc.SQLAlchemyError, DatabaseBusy):  # e.g. the database is busy: show the page now, try again next view
        log.exception("could not store the thumbnail of evidence %s", item.id)
        return Preview(None, None, "its preview could not be made just now; reload the page to try again")


def _download_original(engine: Engine, item, label: str) -> None:
    """A download of the stored original, read only when clicked (never decoded here)."""
    def content() -> bytes:
        with read_scope(engine) as session:
            return original_content(session=session, evidence_id=item.id)

    st.download_button(f"{label} ({item.size_bytes:,} bytes)", content, item.file_name, item.media_type,
                       key=f"evidence_{item.id}", on_click="ignore", icon=":material/download:")


def _show_evidence(engine: Engine, item, *, actor) -> None:
    """One evidence file: a thumbnail (images), a player (audio, video) or a download, and its hash.

    A file that cannot be shown says so and never stops the rest of the page from rendering.
    """
    name = as_plain_text(item.file_name)
    may_remove = has_role(actor, *EVIDENCE_REMOVERS)  # the service checks again
    with st.container(border=True):
        if is_image(item.media_type):
            preview = _preview(engine, item)
            if preview.thumbnail is not None:
                st.image(preview.thumbnail, caption=name, width=320)
            else:
                st.warning(f"This file could not be shown: {name} {as_plain_text(preview.problem)}."
                           + ("" if may_remove else " An admin can remove it."), icon=":material/broken_image:")
            _download_original(engine, item, f"Download the original {name}")
        elif item.media_type.startswith(("audio/", "video/")):
            # played by the browser from the stored bytes; the server does not decode them
            with read_scope(engine) as session:
                content = original_content(session=session, evidence_id=item.id)
            player = st.audio if item.media_type.startswith("audio/") else st.video
            player(content, format=item.media_type)
            st.caption(name)
        else:
            _download_original(engine, item, name)
        st.caption(f"sha256 {item.sha256}")
        if may_remove:
            with st.popover("Remove file", icon=":material/delete:"):
                st.markdown(f"Remove **{name}** from this contact for good? The change history keeps its name, "
                            "its hash, who removed it and when.")
                if st.button("Remove for good", key=f"evidence_remove_{item.id}", type="primary"):
                    run_action(engine, lambda s: remove_evidence(session=s, actor=actor, evidence_id=item.id),
                               f"Removed {name}.")
