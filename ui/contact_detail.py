"""One contact in full: timings, checklist answers, the answer received beside the reference,
evidence and its change history, its review status and audit trail (with a CSV download), and whether it was made for the fieldwork plan ("Planned: 2026-Q1")
or outside it ("Ad hoc (outside the plan)"). Used by the drill-down; all user text is shown as text.

Everything is in the users' words (``journeys.wording``), never a code: the knock-out as its
policy's label, the checklist's columns and answers, and the change history's fields
(``field_label``), actions and values, its times in local time and its ids as names. Every
label and column header is in the user's language (``journeys.language``), translated where it
is shown; the user's own text (names, notes, answers, file names) is shown as typed."""

import logging
from datetime import UTC, datetime

import pandas as pd
import sqlalchemy as sa
import streamlit as st
from sqlalchemy.engine import Engine
from sqlmodel import select

from data.db import DatabaseBusy, read_scope, session_scope
from journeys.accounts.access import CLIENTS, EVIDENCE_REMOVERS, ensure_can_read_contact, has_role
from journeys.accounts.scope import auditor_pseudonym
from journeys.catalogue.reference import channel_display_names
from journeys.errors import PermissionDenied
from journeys.fieldwork.contacts import draft_text, remove_evidence
from journeys.fieldwork.evidence import Preview, ensure_preview, is_image, original_content
from journeys.fieldwork.frames import ContactFilter, read_answers, read_contacts, read_criteria
from journeys.fieldwork.worklist import plan_mark_text, plan_marks
from journeys.language import _, ngettext, number
from journeys.local_time import DATED_SECOND, LOCAL_ZONE_NAME, duration, local_text
from journeys.models import ChangeLog, Channel, Contact, Evidence, Journey, Location, User, Wave
from journeys.review.workflow import trail_frame
from journeys.wording import (
    CHANGE_ACTION_LABELS,
    CHANGE_COLUMN_LABELS,
    CHECKLIST_COLUMN_LABELS,
    answer_label,
    change_value_text,
    critical_policy_label,
    field_label,
    knockout_label,
    review_status_label,
    yes_no,
)
from scoring.pipeline import scored_contacts
from scoring.quality import answer_scores
from ui.actions import run_action, show_blocked
from ui.appeals import appeal_panel
from ui.downloads import csv_bytes
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
            return _("Not scored: every item N/A")
        if not score["applicable_items"]:
            return _("Not scored: no checklist item applies on this channel")
        return _("Not scored: no item answered yet")
    if pd.isna(raw):
        text = _("Score {score}").format(score=number(final, 1))
    else:
        text = _("Score {score} (raw {raw})").format(score=number(final, 1), raw=number(raw, 1))
    knockout = knockout_label(score["knockout"])  # "" when none struck
    return text + (f" — {knockout}" if knockout else "")


def _local(ts) -> str:
    return local_text(ts, DATED_SECOND)


def show_contact(engine: Engine, contact_id: int, *, actor) -> None:
    """Render one contact; refuses when ``actor`` may not read it (auditors: only their own)."""
    with read_scope(engine) as session:
        contact = session.get(Contact, contact_id)
        if contact is None:
            st.error(_("Contact {id} does not exist (any more).").format(id=contact_id))
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
        names = _reference_names(session, {h.field for h, _by in history})
        channel_names = channel_display_names(session=session)
        planned_wave = plan_marks(session=session, contact_ids=[contact_id]).get(contact_id)
        trail = trail_frame(session=session, actor=actor, contact_ids=[contact_id])
    # the auditor's own draft is shown too, marked as one and without a score
    frame = read_contacts(engine, ContactFilter(contact_ids=(contact_id,), include_drafts=True, include_unreleased=True))
    answers = read_answers(engine, [contact_id])
    criteria = read_criteria(engine, frame["version_id"].tolist())
    # score and timing as every dashboard defines them, as of now (scoring.pipeline.scored_contacts)
    score = scored_contacts(frame, answers, criteria, datetime.now(UTC)).iloc[0]
    row = frame.iloc[0]

    plain = as_plain_text  # names are user input: shown literally, never as Markdown
    st.subheader(_("Contact {id} · {brand} · {channel}").format(
        id=contact_id, brand=plain(row["brand"]), channel=plain(channel_names.get(row["channel"], row["channel"]))),
        anchor=False)
    st.caption(_("{journey} · wave {wave} · location {location} · auditor {auditor}").format(
        journey=plain(row["journey"]), wave=plain(row["wave"] or "–"), location=plain(row["location"] or "–"),
        auditor=plain(_auditor_shown(row, actor) or "–")) + " · " + plain(plan_mark_text(planned_wave))
        + " · " + plain(review_status_label(contact.review_status)))
    columns = st.columns(4)
    final = score["final_score"]
    if contact.is_draft:
        answered = int(score["applicable_items"] - score["missing_items"])
        columns[0].metric(_("Final score"), _("draft"), help=_("{draft}: not scored or counted until the assessment "
                                                               "is saved complete").format(
            draft=draft_text(answered, int(score["applicable_items"]))))
    elif pd.isna(final):
        columns[0].metric(_("Final score"), _("not scored"))
        columns[0].caption(score_text(score))
    else:
        columns[0].metric(_("Final score"), number(final, 1),
                          help=_("Raw score {raw}").format(raw=number(score["raw_score"], 1))
                          if not pd.isna(score["raw_score"]) else None)
    columns[1].metric(_("Knock-out"), critical_policy_label(score["knockout"] or "none"),
                      help=knockout_label(score["knockout"]) or None)
    columns[2].metric(_("First response after"), duration(score["first_response_s"]) if score["responded"]
                      else _("unanswered"))
    correct = row["answer_correct"]
    columns[3].metric(_("Answer correct"), _("not judged") if pd.isna(correct) else yes_no(bool(correct)))

    st.markdown(_("**Timings** (local time, {zone})").format(zone=LOCAL_ZONE_NAME))
    st.table(plain_table(pd.DataFrame({
        _("event"): [_("started"), _("acknowledged"), _("first response"), _("resolved"), _("deadline")],
        _("time"): [_local(row[c]) for c in ("started_at", "acknowledged_at", "first_response_at", "resolved_at",
                                             "due_at")],
    })))
    left, right = st.columns(2)
    with left:
        st.markdown("**{}**".format(_("Answer received")))
        st.text(contact.answer_text or _("(none recorded)"))
        if contact.notes:
            st.markdown("**{}**".format(_("Notes")))
            st.text(contact.notes)
    with right:
        st.markdown("**{}**".format(_("Reference answer")))
        st.text(journey.reference_answer if journey else "")
    items = answer_scores(frame, answers, criteria).merge(
        criteria[["criterion_id", "text"]], on="criterion_id", how="left")
    items = items.merge(answers[["criterion_id", "value", "comment"]], on="criterion_id", how="left")
    if len(items):
        st.markdown("**{}**".format(_("Checklist")))
        st.dataframe(_checklist_table(items, criteria), hide_index=True, width="stretch",
                     column_config={
                         _(CHECKLIST_COLUMN_LABELS["item_score"]): st.column_config.NumberColumn(
                             help=_("Points earned on this criterion, as a percentage of its points"), format="%.0f%%"),
                         _(CHECKLIST_COLUMN_LABELS["is_na"]): st.column_config.CheckboxColumn()})
    if evidence:
        st.markdown("**{}**".format(_("Evidence")))
        for item in evidence:
            _show_evidence(engine, item, actor=actor)
    if history:
        st.markdown("**{}**".format(_("Change history")))
        if has_role(actor, *CLIENTS):  # a client reads the agency's people as pseudonyms, never by name
            history = [(h, auditor_pseudonym(h.user_id) or "–") for h, _by in history]
        st.dataframe(_history_table(history, names), hide_index=True, width="stretch")
    appeal_panel(engine, contact_id, actor=actor)  # its appeals; a client appeals here while the window is open
    show_trail(trail, key=f"trail_{contact_id}", file_name=f"contact-{contact_id}-audit-trail.csv")


def trail_table(trail: pd.DataFrame) -> pd.DataFrame:
    """The audit trail in words: when (local time), who, the step and its comment (as typed)."""
    return pd.DataFrame({
        _("when"): [_local(pd.Timestamp(t)) for t in trail["occurred_at"]],
        _("who"): trail["user"].to_numpy(),
        _("step"): trail["action_label"].to_numpy(),
        _("comment"): trail["comment"].fillna("").to_numpy(),
    }, columns=[_("when"), _("who"), _("step"), _("comment")])


def show_trail(trail: pd.DataFrame, *, key: str, file_name: str) -> None:
    """The audit trail (``journeys.review.workflow.trail_frame``) as a table, and a CSV of it
    whose cells cannot run as spreadsheet formulas (``ui.downloads.csv_bytes``)."""
    st.markdown("**{}**".format(ngettext("Audit trail ({n} step)", "Audit trail ({n} steps)", len(trail)).format(
        n=number(len(trail)))))
    if trail.empty:
        st.caption(_("No review step recorded for this contact."))
        return
    table = trail_table(trail)
    st.dataframe(table, hide_index=True, width="stretch")  # a dataframe shows comments as text, never Markdown
    st.download_button(_("Download the audit trail (CSV)"), csv_bytes(table), file_name, "text/csv", key=key,
                       on_click="ignore", icon=":material/download:")


def _checklist_table(items: pd.DataFrame, criteria: pd.DataFrame) -> pd.DataFrame:
    """The drill-down's checklist in words: the criterion, its answer ("Yes", "4", "N/A"),
    its points and whether it failed as a critical criterion (yes/no)."""
    kinds = criteria.set_index("criterion_id")["kind"]
    words = {column: _(label) for column, label in CHECKLIST_COLUMN_LABELS.items()}
    return pd.DataFrame({
        words["criterion"]: [f"{code} · {text}" for code, text in zip(items["code"], items["text"], strict=True)],
        words["section"]: items["section"].to_numpy(),
        words["value"]: [answer_label(value, bool(is_na), kinds.get(criterion_id, ""))
                         for value, is_na, criterion_id in zip(items["value"], items["is_na"], items["criterion_id"],
                                                               strict=True)],
        words["is_na"]: items["is_na"].astype(bool).to_numpy(),
        words["item_score"]: items["item_score"].to_numpy(),
        words["critical_failed"]: [yes_no(bool(failed)) for failed in items["critical_failed"]],
        words["comment"]: items["comment"].fillna("").to_numpy(),
    })


# The change log's fields that hold an id, and the table the id names a row of.
_REFERENCE_FIELDS = {"redirected_to_channel_id": Channel, "wave_id": Wave, "location_id": Location}


def _reference_names(session, fields: set[str]) -> dict[str, dict[str, str]]:
    """For each id field among ``fields``: stored id (as the log keeps it, text) → its name."""
    names = {}
    for field in fields & set(_REFERENCE_FIELDS):
        rows = session.exec(select(_REFERENCE_FIELDS[field])).all()
        names[field] = {str(row.id): getattr(row, "label", "") or row.name for row in rows}
    return names


def _auditor_shown(row, actor) -> str | None:
    """The auditor as ``actor`` reads it: a client user its pseudonym (``journeys.accounts.scope.auditor_pseudonym``)."""
    if has_role(actor, *CLIENTS):
        return auditor_pseudonym(None if pd.isna(row["auditor_id"]) else int(row["auditor_id"]))
    return row["auditor"]


def _history_table(history, names: dict[str, dict[str, str]]) -> pd.DataFrame:
    """The change history in words: when (local time), by whom, the field's label, before and
    after as a person reads them (``journeys.wording.change_value_text``; ids as names)."""
    def value(field: str, stored: str | None) -> str:
        if stored is not None and field in names:
            return names[field].get(stored, stored)
        return change_value_text(field, stored)

    words = {column: _(label) for column, label in CHANGE_COLUMN_LABELS.items()}
    return pd.DataFrame([{
        words["changed_at"]: _local(pd.Timestamp(h.changed_at)),
        words["user"]: by or "–",
        words["field"]: field_label(h.field or "contact"),
        words["old_value"]: value(h.field, h.old_value),
        words["new_value"]: value(h.field, h.new_value),
        words["action"]: _(CHANGE_ACTION_LABELS[h.action]) if h.action in CHANGE_ACTION_LABELS else h.action,
    } for h, by in history], columns=list(words.values()))


def _preview(engine: Engine, item, *, actor=None) -> Preview:
    """The stored thumbnail; for an image stored before thumbnails existed, made once now."""
    if item.thumbnail is not None or item.preview_problem is not None:
        return Preview(item.thumbnail, item.thumbnail_media_type, item.preview_problem)
    try:
        with session_scope(engine, busy_timeout_ms=PREVIEW_BUSY_TIMEOUT_MS) as session:
            return ensure_preview(session=session, evidence_id=item.id, actor=actor) or Preview(None, None, _("it no longer exists"))
    except (sa.exc.SQLAlchemyError, DatabaseBusy):  # e.g. the database is busy: show the page now, try again next view
        log.exception("could not store the thumbnail of evidence %s", item.id)
        return Preview(None, None, _("its preview could not be made just now; reload the page to try again"))


def _download_original(engine: Engine, item, label: str, *, actor=None) -> None:
    """A download of the stored original, read only when clicked (never decoded here)."""
    def content() -> bytes:
        with read_scope(engine) as session:
            return original_content(session=session, evidence_id=item.id, actor=actor)

    st.download_button(_("{file} ({size} bytes)").format(file=label, size=number(item.size_bytes)), content, item.file_name, item.media_type,
                       key=f"evidence_{item.id}", on_click="ignore", icon=":material/download:")


def _show_evidence(engine: Engine, item, *, actor) -> None:
    """One evidence file: a thumbnail (images), a player (audio, video) or a download, and its hash.

    A file that cannot be shown says so and never stops the rest of the page from rendering.
    """
    name = as_plain_text(item.file_name)
    may_remove = has_role(actor, *EVIDENCE_REMOVERS)  # the service checks again
    with st.container(border=True):
        if is_image(item.media_type):
            preview = _preview(engine, item, actor=actor)
            if preview.thumbnail is not None:
                st.image(preview.thumbnail, caption=name, width=320)
            else:
                st.warning(_("This file could not be shown: {name} {problem}.").format(
                    name=name, problem=as_plain_text(preview.problem))
                    + ("" if may_remove else " " + _("An admin can remove it.")), icon=":material/broken_image:")
            _download_original(engine, item, _("Download the original {name}").format(name=name), actor=actor)
        elif item.media_type.startswith(("audio/", "video/")):
            # played by the browser from the stored bytes; the server does not decode them
            with read_scope(engine) as session:
                content = original_content(session=session, evidence_id=item.id, actor=actor)
            player = st.audio if item.media_type.startswith("audio/") else st.video
            player(content, format=item.media_type)
            st.caption(name)
        else:
            _download_original(engine, item, name, actor=actor)
        st.caption(f"sha256 {item.sha256}")
        if may_remove:
            with st.popover(_("Remove file"), icon=":material/delete:"):
                st.markdown(_("Remove **{name}** from this contact for good? The change history keeps its name, "
                              "its hash, who removed it and when.").format(name=name))
                if st.button(_("Remove for good"), key=f"evidence_remove_{item.id}", type="primary"):
                    run_action(engine, lambda s: remove_evidence(session=s, actor=actor, evidence_id=item.id),
                               _("Removed {name}.").format(name=name))
