"""Log one contact: the stopwatch or the response times, the assessment, evidence and history.

The contact's review status is shown in words; a returned contact shows the reviewer's comment
at the top, and "Submit for review" hands a finished contact to a reviewer. A contact in review
(submitted, approved, released) is shown read-only: score, timings, evidence, history and trail.

Short on a phone: a stopwatch step that is done is one line, not a metric and a button; the saved
contact (score, timings, evidence, history) is shown on request; and the confirmation of an action is
shown where it was tapped (``_notice_here``), not at the top of the page, off-screen.

Every word is in the user's language (``journeys.language``), the stopwatch fragment's reruns
too (the app registers the session's language as the source of a run that sets none); widget
keys stay the same in every language.
"""

import streamlit as st
from sqlmodel import select

from data.db import DatabaseBusy, busy_timeout_ms, read_scope, write_scope
from data.errors import DatabaseUnavailable, explained_database_errors
from journeys.accounts.access import in_review
from journeys.catalogue.reference import channel_display_name
from journeys.errors import KlantreisError
from journeys.fieldwork.contacts import (
    ALLOWED_EVIDENCE,
    MAX_EVIDENCE_MB,
    MAX_EVIDENCE_PIXELS,
    add_evidence,
    applicable_criteria,
    assessment_progress,
    channel_of,
    draft_text,
    keep_pending_input,
    pending_input,
    read_contact,
    record_event,
    save_contact,
)
from journeys.fieldwork.frames import ContactFilter, read_answers, read_contacts, read_criteria
from journeys.language import _, number
from journeys.local_time import LOCAL_ZONE_NAME, local_text
from journeys.models import Answer, Brand, Channel, CriterionKind, Journey, ReviewStatus
from journeys.review.workflow import returned_contacts, submit_contact
from scoring.quality import score_contacts
from ui.actions import NOTICE_KEY, refuse_page, run_action, show_notice, show_refusal
from ui.contact_detail import score_text, show_contact
from ui.contact_forms import (
    AUTOSAVE_BUSY_TIMEOUT_MS,
    MAX_CONTACT_ID,
    OPEN_KEY,
    YES,
    assessment_input,
    checklist_inputs,
    elapsed_text,
    parse_contact_id,
    saved_input,
    times_correction_form,
    typed_input,
)
from ui.resources import get_engine
from ui.review import status_line
from ui.session import require_page
from ui.text import as_plain_text

user = require_page(__file__)
engine = get_engine()
NOTICE_PLACE_KEY = "log_notice_place"  # session key: where the notice of the last action goes


def _act(place: str, action, success: str) -> None:
    """``run_action``, its notice shown next to ``place`` after the rerun."""
    st.session_state[NOTICE_PLACE_KEY] = place
    if not run_action(engine, action, success):
        st.session_state.pop(NOTICE_PLACE_KEY, None)


def _notice_here(place: str) -> None:
    """The last action's notice, if it belongs here (else it stays for its own place)."""
    if st.session_state.get(NOTICE_PLACE_KEY) == place:
        st.session_state.pop(NOTICE_PLACE_KEY)
        show_notice()


requested = st.session_state.get(OPEN_KEY) or st.query_params.get("contact")
contact_id = parse_contact_id(requested) if requested else None
if contact_id is None:
    if requested:  # a hand-edited or cut-off link: say so instead of a traceback
        shown = str(requested)[:40] + ("…" if len(str(requested)) > 40 else "")
        st.error(_("This link's contact number “{number}” is not a contact number (a whole number from 1 to "
                   "{limit}). Open the contact from My contacts.").format(number=as_plain_text(shown),
                                                                          limit=number(MAX_CONTACT_ID)),
                 icon=":material/link_off:")
    else:
        st.info(_("Open a contact from **My contacts**, or start a new one there."), icon=":material/arrow_back:")
    st.page_link("pages/contacts_mine.py", label=_("My contacts"), icon=":material/list:")
    st.stop()
st.query_params["contact"] = str(contact_id)  # a reload keeps the contact open

try:
    with read_scope(engine) as session:
        contact = read_contact(session=session, actor=user, contact_id=contact_id)
        channel = channel_of(session, contact)
        journey = session.get(Journey, contact.journey_id)
        brand = session.get(Brand, contact.brand_id)
        criteria = applicable_criteria(session, contact)
        saved = {a.criterion_id: (a.value, a.is_na, a.comment)
                 for a in session.exec(select(Answer).where(Answer.contact_id == contact_id)).all()}
        other_channels = session.exec(select(Channel).where(Channel.id != contact.channel_id).order_by(Channel.name)).all()
        pending = pending_input(session=session, actor=user, contact_id=contact_id)
        progress = assessment_progress(session, contact) if contact.is_draft else None
        returned = (returned_contacts(session=session, actor=user)
                    if contact.review_status == ReviewStatus.RETURNED and contact.auditor_id == user.id else None)
except KlantreisError as refusal:
    refuse_page(refusal)


# What the assessment shows: the saved values, overlaid by what this user typed and did not save yet.
saved_typed = saved_input(criteria, saved, contact)
typed_answers, typed_fields = assessment_input(saved, contact, pending[0] if pending else None)


st.title(f"{as_plain_text(channel_display_name(channel.name, channel.label))} · {as_plain_text(brand.name)}",
         anchor=False)
st.caption(_("Contact {id} · {journey} · started {start} (local time, {zone})").format(
    id=contact.id, journey=as_plain_text(journey.name), start=local_text(contact.started_at), zone=LOCAL_ZONE_NAME))
st.caption(status_line(contact.review_status))
if NOTICE_PLACE_KEY not in st.session_state:
    show_notice()  # a notice that belongs to no part of this page
if returned is not None and not returned.empty:
    latest = returned.set_index("contact_id").loc[contact_id] if contact_id in set(returned["contact_id"]) else None
    if latest is not None:
        st.warning(_("Returned for revision by {reviewer}: revise the contact, then submit it again.").format(
            reviewer=as_plain_text(latest["reviewer"] or "–")), icon=":material/undo:")
        st.text(latest["comment"])
with st.container(border=True):
    st.markdown("**{}**".format(_("Ask on this channel")))
    st.text(journey.question or journey.scenario)

if in_review(contact):  # read-only from here on: it changes only through review (journeys.review.workflow)
    st.info(_("{status}: this contact can no longer be changed here; a reviewer corrects it with a reason.").format(
        status=as_plain_text(status_line(contact.review_status))), icon=":material/lock:")
    show_contact(engine, contact_id, actor=user)
    st.stop()

st.subheader(_("Timing"), anchor=False)
if channel.is_live:
    # a finished conversation's times no longer change: no need to redraw them every second
    @st.fragment(run_every=1 if contact.resolved_at is None else None)
    def stopwatch() -> None:
        """Elapsed times from the stored server-side stamps, refreshed every second."""
        if contact.first_response_at is None:
            st.metric(_("Waiting"), elapsed_text(contact.started_at), help=_("since you started waiting"))
        else:
            st.metric(_("Waited"), elapsed_text(contact.started_at, contact.first_response_at))
            st.metric(_("Handling") if contact.resolved_at is None else _("Handled"),
                      elapsed_text(contact.first_response_at, contact.resolved_at))

    if contact.resolved_at is not None:  # done: one line
        st.markdown(_("Waited **{waited}** · handled **{handled}**").format(
            waited=elapsed_text(contact.started_at, contact.first_response_at),
            handled=elapsed_text(contact.first_response_at or contact.started_at, contact.resolved_at)))
    else:
        left, right = st.columns([2, 3])
        with left:
            stopwatch()
        with right:
            if contact.first_response_at is None:
                if st.button(_("Answered / picked up now"), type="primary", icon=":material/call:", key="sw_answer",
                             width="stretch"):
                    _act("timing", lambda s: record_event(session=s, actor=user, contact_id=contact_id,
                                                          event="first_response"), _("Wait time stopped."))
            if st.button(_("Conversation ended now"), icon=":material/call_end:", key="sw_end", width="stretch",
                         type="primary" if contact.first_response_at is not None else "secondary"):
                _act("timing", lambda s: record_event(session=s, actor=user, contact_id=contact_id, event="resolved"),
                     _("Handling time stopped."))
    _notice_here("timing")
else:
    # each step: its event, its field, its name, the "... now" button and the notice after it
    steps = (("acknowledged", "acknowledged_at", _("Acknowledged"), _("Acknowledged now"), _("Acknowledged recorded.")),
             ("first_response", "first_response_at", _("First response"), _("First response now"),
              _("First response recorded.")),
             ("resolved", "resolved_at", _("Resolved"), _("Resolved now"), _("Resolved recorded.")))
    done = [_("{step} {time} (after {elapsed})").format(
                step=label, time=local_text(getattr(contact, field)),
                elapsed=elapsed_text(contact.started_at, getattr(contact, field)))
            for _event, field, label, *_words in steps if getattr(contact, field)]
    if done:  # the steps that are done: one line each, no metric and no button
        st.markdown("  \n".join(done))
    waiting = [(event, button, notice) for event, field, _label, button, notice in steps
               if getattr(contact, field) is None]
    for column, (event, button, notice) in zip(st.columns(len(waiting)) if waiting else [], waiting, strict=True):
        if column.button(button, key=f"now_{event}", icon=":material/schedule:", width="stretch"):
            _act("timing", lambda s, e=event: record_event(session=s, actor=user, contact_id=contact_id, event=e),
                 notice)
    _notice_here("timing")
    if contact.first_response_at is None and contact.resolved_at is None:
        st.caption(_("Unanswered for {elapsed} so far: it stays open and counts as unanswered until a response "
                     "comes in.").format(elapsed=elapsed_text(contact.started_at)))

times_correction_form(contact, save=lambda changes: run_action(
    engine, lambda s: save_contact(session=s, actor=user, contact_id=contact_id, changes=changes), _("Times saved.")))

st.subheader(_("Assessment"), anchor=False)
if contact.is_draft:
    st.info(_("{draft}. A draft is kept but not scored or counted until you save the assessment.").format(
        draft=draft_text(*progress)), icon=":material/edit_note:")
if pending is not None:
    st.caption(_("Restored what you typed on {time} (not saved yet).").format(time=local_text(pending[1])))


@st.fragment
def assessment() -> None:
    """The checklist and the judgement. No form: every change is autosaved as pending input
    (server-side, per contact and user), so a reload, a page switch or a refused save keeps it;
    only this fragment reruns on a change."""
    with st.container(border=True, key="assessment"):
        yes_no = [c for c in criteria if c.kind != CriterionKind.SCALE]
        if yes_no and st.button(_("Yes to every unanswered item"), key="a_all_yes", icon=":material/done_all:",
                                help=_("A routine contact in one tap; then change the items that were not a yes.")):
            for criterion in yes_no:  # set before the items are drawn below, so they show it at once
                if st.session_state.get(f"a_c{criterion.id}") is None:
                    st.session_state[f"a_c{criterion.id}"] = YES
        answers = checklist_inputs(criteria, typed_answers, "a")
        st.divider()
        left, right = st.columns(2)
        answer_text = left.text_area(_("Answer received"), value=typed_fields["answer_text"], key="a_answer",
                                     height=140)
        with right:
            st.markdown("**{}**".format(_("Reference answer")))
            st.text(journey.reference_answer)
        # the options are the English words (the widget's value stays the same in every language), shown translated
        correct = st.segmented_control(_("Answer correct?"), ["Yes", "No", "Not judged"], key="a_correct",
                                       format_func=lambda option: {"Yes": _("Yes"), "No": _("No"),
                                                                   "Not judged": _("Not judged")}[option],
                                       default={True: "Yes", False: "No"}.get(typed_fields["answer_correct"], "Not judged"))
        left, right = st.columns(2)
        redirect_options = [None, *other_channels]
        redirected = left.selectbox(
            _("Redirected to another channel"), redirect_options, key="a_redirect",
            index=next((i for i, c in enumerate(redirect_options)
                        if c and c.id == typed_fields["redirected_to_channel_id"]), 0),
            format_func=lambda c: _("not redirected") if c is None else channel_display_name(c.name, c.label))
        transfers = right.number_input(_("Transfers"), min_value=0, value=int(typed_fields["transfers"] or 0), step=1,
                                       key="a_transfers")
        notes = st.text_area(_("Notes"), value=typed_fields["notes"], key="a_notes")
        changes = {"answer_text": answer_text, "answer_correct": {"Yes": True, "No": False}.get(correct),
                   "redirected_to_channel_id": redirected.id if redirected else None, "transfers": int(transfers),
                   "notes": notes}
        typed = typed_input(answers, changes)
        autosaved_key = f"a_autosaved_{contact_id}"
        if typed != st.session_state.setdefault(autosaved_key, pending[0] if pending else saved_typed):
            try:  # a short wait: an autosave must not hold up typing while a backup holds the lock
                with (explained_database_errors(engine.url),
                      write_scope(engine, busy_timeout_ms=min(AUTOSAVE_BUSY_TIMEOUT_MS, busy_timeout_ms())) as session):
                    keep_pending_input(session=session, actor=user, contact_id=contact_id, values=typed)
            except (DatabaseBusy, DatabaseUnavailable) as trouble:
                st.caption(_("Not autosaved ({reason}): what you typed stays on this page and is autosaved on your "
                             "next change.").format(reason=as_plain_text(trouble)))
            except KlantreisError as problem:
                st.warning(as_plain_text(problem), icon=":material/warning:")
            else:
                st.session_state[autosaved_key] = typed
        left, right = st.columns(2)
        _notice_here("assessment")
        save_draft = left.button(_("Save draft"), icon=":material/edit_note:", key="a_save_draft", width="stretch",
                                 help=_("Keep an unfinished assessment: not scored or counted until you save it "
                                        "complete."))
        submitted = right.button(_("Save assessment"), type="primary", icon=":material/save:", key="a_save", width="stretch")
    if not (submitted or save_draft):
        return
    try:
        with explained_database_errors(engine.url), write_scope(engine) as session:
            save_contact(session=session, actor=user, contact_id=contact_id, changes=changes, answers=answers,
                         complete=submitted, draft=save_draft)
            progress_now = assessment_progress(session, contact) if save_draft else None
    except KlantreisError as problem:  # busy, a full disk or a read-only file too: the typed values stay
        show_refusal(problem)
        return
    st.session_state.pop(autosaved_key, None)
    st.session_state[NOTICE_PLACE_KEY] = "assessment"
    if save_draft:
        st.session_state[NOTICE_KEY] = _("Draft saved ({draft}): not scored or counted yet.").format(
            draft=draft_text(*progress_now))
    else:
        frame = read_contacts(engine, ContactFilter(contact_ids=(contact_id,), include_unreleased=True))
        score = score_contacts(frame, read_answers(engine, [contact_id]), read_criteria(engine, frame["version_id"]))
        st.session_state[NOTICE_KEY] = _("Assessment saved. {score}").format(score=score_text(score.iloc[0]))
    st.rerun()


assessment()

if not in_review(contact) and not contact.is_draft:
    with st.container(border=True, key="log_submit"):
        st.markdown("**{}**".format(_("Finished?")))
        st.caption(_("Submit the contact for review once its timing, checklist and evidence are complete; after "
                     "that it changes only through a reviewer."))
        if st.button(_("Submit for review"), key="log_submit_go", type="primary", icon=":material/send:"):
            # its notice goes to the top: once submitted, this part of the page is gone
            run_action(engine, lambda s: submit_contact(session=s, actor=user, contact_id=contact_id),
                       _("Submitted for review."))

st.subheader(_("Evidence"), anchor=False)
upload = st.file_uploader(
    _("Screenshots, photos, audio or PDF — {types}; at most {size} MB, images at most {pixels} megapixels").format(
        types=_(ALLOWED_EVIDENCE), size=number(MAX_EVIDENCE_MB), pixels=number(MAX_EVIDENCE_PIXELS // 1_000_000)),
    type=["png", "jpg", "jpeg", "gif", "webp", "pdf", "mp3", "m4a", "ogg", "wav", "mp4"],
    max_upload_size=MAX_EVIDENCE_MB,  # the limit stated, whatever server.maxUploadSize this server runs with
    # a fresh key after each attach empties the uploader, so a second click cannot attach the file twice
    key=f"evidence_upload_{st.session_state.get('evidence_round', 0)}")
if upload is not None and st.button(_("Attach file"), icon=":material/attach_file:", key="evidence_attach"):
    data = upload.getvalue()
    st.session_state["evidence_round"] = st.session_state.get("evidence_round", 0) + 1
    _act("evidence", lambda s: add_evidence(session=s, actor=user, contact_id=contact_id, file_name=upload.name,
                                            data=data), _("Attached {name}.").format(name=as_plain_text(upload.name)))
_notice_here("evidence")

st.divider()
# drawn only when asked for: scoring it for the page's every rerun made each stopwatch tap slower
if st.toggle(_("Show the saved contact: score, timings, evidence and history"), key="log_show_saved"):
    show_contact(engine, contact_id, actor=user)
