"""Appeals on screen: the Appeals page's two sides, the contact's appeal panel and the dashboards' note.

- ``client_side``: a client user's appeals with their status and history; answering a reviewer's
  question; its own brands' appeal figures.
- ``reviewer_side``: the agency's queue (open and waiting appeals, oldest first, filters by status,
  wave and brand), asking the client, deciding (upheld with the new answer or timings, rejected with a reason); the appeal
  figures per wave and brand.
- ``appeal_panel``: under a contact's detail, its appeals and decisions ("Appeal upheld on 3 Dec:
  score 70.0 → 85.0") and, for a client while the window is open, "Appeal an answer".
- ``appeal_note``: one caption under a dashboard's title, "2 answers changed on appeal in this wave",
  from one aggregate query per data version (cached).

Every text a person typed (reasons, decisions, questions, names) is shown as text (``ui.text``).
"""

from datetime import datetime

import pandas as pd
import streamlit as st
from sqlalchemy.engine import Engine
from sqlmodel import select

from data.db import read_scope
from journeys.accounts.access import APPELLANTS, REVIEWERS, has_role
from journeys.errors import KlantreisError, PermissionDenied
from journeys.fieldwork.frames import data_version
from journeys.language import N_, _, ngettext, number
from journeys.local_time import LOCAL_ZONE, LOCAL_ZONE_NAME, MINUTE, local_text, to_utc
from journeys.models import Answer, AppealEvidence, AppealStatus, Criterion, CriterionKind, Evidence
from journeys.review.appeals import (
    TIMING_FIELDS,
    AppealRow,
    answer_query,
    appeal_history,
    appeal_rate_table,
    appeal_window,
    appeals_of,
    changed_on_appeal,
    decide_appeal,
    open_appeal,
    query_client,
)
from journeys.wording import answer_label, appeal_status_label, field_label, review_action_label
from ui.actions import run_action, show_blocked, show_problems
from ui.session import linked_id
from ui.text import as_plain_text

DAY = "d MMM"  # "3 Dec": a decision's day in a sentence
DAY_TIME = "d MMM y HH:mm"
OPEN_STATUSES = (AppealStatus.OPEN.value, AppealStatus.WAITING_CLIENT.value)


def _day(moment) -> str:
    return local_text(moment, DAY)


def outcome_text(appeal: AppealRow) -> str:
    """An appeal's outcome in one sentence: "Appeal upheld on 3 Dec: score 70.0 → 85.0",
    "Appeal rejected on 3 Dec", "Open since 1 Dec", "Waiting for the client since 1 Dec"."""
    if appeal.status == AppealStatus.UPHELD:
        if appeal.score_before is not None and appeal.score_after is not None:
            return _("Appeal upheld on {day}: score {before} → {after}").format(
                day=_day(appeal.decided_at), before=number(appeal.score_before, 1), after=number(appeal.score_after, 1))
        return _("Appeal upheld on {day}").format(day=_day(appeal.decided_at))
    if appeal.status == AppealStatus.REJECTED:
        return _("Appeal rejected on {day}").format(day=_day(appeal.decided_at))
    return _("{status} since {day}").format(status=appeal_status_label(appeal.status), day=_day(appeal.opened_at))


def _appeals_table(appeals: list[AppealRow]) -> pd.DataFrame:
    """The appeals as a table (shown with ``st.dataframe``, which renders no Markdown)."""
    return pd.DataFrame({
        _("Appeal"): [a.id for a in appeals],
        _("Contact"): [a.contact_id for a in appeals],
        _("Brand"): [a.brand for a in appeals],
        _("Wave"): [a.wave or "–" for a in appeals],
        _("Disputed"): [a.subject for a in appeals],
        _("Status"): [a.status_text for a in appeals],
        _("Opened"): [local_text(a.opened_at, MINUTE) for a in appeals],
        _("Outcome"): [outcome_text(a) for a in appeals],
    })


def _show_history(engine: Engine, appeal: AppealRow, *, actor) -> None:
    with read_scope(engine) as session:
        steps = appeal_history(session=session, actor=actor, appeal_id=appeal.id)
    st.dataframe(pd.DataFrame({
        _("When"): [local_text(s.occurred_at, MINUTE) for s in steps],
        _("Step"): [review_action_label(s.action) for s in steps],
        _("By"): [s.by or "–" for s in steps],
        _("Text"): [s.comment for s in steps],
    }), hide_index=True, width="stretch")


def _show_appeal(engine: Engine, appeal: AppealRow, *, actor) -> None:
    """One appeal's head: what is disputed, its status and outcome, the reason and the decision."""
    st.markdown("**{}**".format(_("Appeal {id} · contact {contact} · {subject}").format(
        id=appeal.id, contact=appeal.contact_id, subject=as_plain_text(appeal.subject))))
    st.caption(as_plain_text(outcome_text(appeal)))
    st.markdown("**{}**".format(_("Reason")))
    st.text(appeal.reason)
    if appeal.decision:
        st.markdown("**{}**".format(_("Decision")))
        st.text(appeal.decision)
    _show_history(engine, appeal, actor=actor)


LINK_PARAM = "appeal"  # ?appeal=3: the appeal a mail links to (journeys.alerts.compose.appeal_link)


def _choose(appeals: list[AppealRow], key: str) -> AppealRow:
    """The appeal picked in the list; on a session's first view the one the address names (a
    decision mail's link), when it is in the list; the address then follows the pick."""
    by_id = {a.id: a for a in appeals}
    linked = linked_id(LINK_PARAM)
    if key not in st.session_state and linked in by_id:
        st.session_state[key] = linked
    chosen = st.selectbox(_("Appeal"), list(by_id), key=key,
                          format_func=lambda i: as_plain_text(f"{i} · {by_id[i].subject} · {by_id[i].status_text}"))
    if LINK_PARAM in st.query_params:  # opened by a link: the address follows the pick (a reload keeps it)
        st.query_params[LINK_PARAM] = str(chosen)
    return by_id[chosen]


# --- the figures ----------------------------------------------------------------------------

RATE_COLUMNS = {
    "wave": N_("Wave"), "brand": N_("Brand"), "contacts": N_("Released contacts (n)"),
    "appealed": N_("Contacts appealed"), "appealed_share": N_("Appealed (%)"),
    "answers_changed": N_("Answers changed"), "timings_changed": N_("Timings changed"),
    "changed": N_("Contacts changed"), "changed_share": N_("Changed (%)"),
}


def show_rates(engine: Engine, *, actor) -> None:
    """The appeal rate per wave and brand, each share beside its n (``scoring.appeals.appeal_rates``)."""
    st.subheader(_("Appeal rate per wave and brand"), anchor=False)
    table = appeal_rate_table(engine=engine, actor=actor)
    if table.empty:
        st.info(_("No released contacts yet."), icon=":material/info:")
        return
    table = table.assign(wave=table["wave"].fillna("–"),
                         appealed_share=100 * table["appealed_share"], changed_share=100 * table["changed_share"])
    st.dataframe(table.rename(columns={k: _(v) for k, v in RATE_COLUMNS.items()}), hide_index=True, width="stretch",
                 column_config={_(RATE_COLUMNS[c]): st.column_config.NumberColumn(format="%.1f%%")
                                for c in ("appealed_share", "changed_share")})
    st.caption(_("Appealed: contacts with at least one appeal ÷ released contacts; changed: contacts with an "
                 "upheld appeal ÷ released contacts (docs/appeals.md)."))


# --- the client's side ----------------------------------------------------------------------

def client_side(engine: Engine, *, actor) -> None:
    """A client's appeals, the selected one's history, and its answer to a reviewer's question."""
    with read_scope(engine) as session:
        appeals = appeals_of(session=session, actor=actor)
    if not appeals:
        st.info(_("You have not appealed any result. Open a contact of your results to appeal an answer or its "
                  "timing."), icon=":material/gavel:")
    else:
        st.dataframe(_appeals_table(appeals), hide_index=True, width="stretch")
        appeal = _choose(appeals, "appeal_client_choice")
        with st.container(border=True):
            _show_appeal(engine, appeal, actor=actor)
            if appeal.status == AppealStatus.WAITING_CLIENT:
                with st.form(f"appeal_answer_{appeal.id}"):
                    answer = st.text_area(_("Your answer to the reviewer's question"), key=f"appeal_answer_text_{appeal.id}")
                    if st.form_submit_button(_("Send answer"), type="primary"):
                        run_action(engine, lambda s: answer_query(session=s, actor=actor, appeal_id=appeal.id,
                                                                  answer=answer),
                                   _("Answer sent: appeal {id} is open for a decision again.").format(id=appeal.id))
    show_rates(engine, actor=actor)


# --- the reviewer's side --------------------------------------------------------------------

def reviewer_side(engine: Engine, *, actor) -> AppealRow | None:
    """The queue (oldest first), the chosen appeal and the decision; returns the chosen appeal
    (the page shows its contact in full), None for an empty queue."""
    with read_scope(engine) as session:
        everything = appeals_of(session=session, actor=actor, oldest_first=True)
    left, middle, right = st.columns(3)
    statuses = left.multiselect(_("Status"), [s.value for s in AppealStatus], default=list(OPEN_STATUSES),
                                format_func=appeal_status_label, key="appeal_status_filter")
    waves = middle.multiselect(_("Wave"), sorted({a.wave for a in everything if a.wave}), key="appeal_wave_filter")
    brands = right.multiselect(_("Brand"), sorted({a.brand for a in everything}), key="appeal_brand_filter")
    with read_scope(engine) as session:
        queue = appeals_of(session=session, actor=actor, statuses=statuses, waves=waves, brands=brands,
                           oldest_first=True)
    if not queue:
        st.info(_("No appeals match these filters."), icon=":material/gavel:")
        return None
    st.caption(ngettext("{n} appeal, oldest first.", "{n} appeals, oldest first.", len(queue)).format(
        n=number(len(queue))))
    st.dataframe(_appeals_table(queue), hide_index=True, width="stretch")
    appeal = _choose(queue, "appeal_reviewer_choice")
    with st.container(border=True):
        _show_appeal(engine, appeal, actor=actor)
        _attached_files(engine, appeal)
        if appeal.status in OPEN_STATUSES:
            _decide_form(engine, appeal, actor=actor)
            if appeal.status == AppealStatus.OPEN:
                _query_form(engine, appeal, actor=actor)
    return appeal


def _attached_files(engine: Engine, appeal: AppealRow) -> None:
    with read_scope(engine) as session:
        names = session.exec(select(Evidence.file_name).join(AppealEvidence, AppealEvidence.evidence_id == Evidence.id)
                             .where(AppealEvidence.appeal_id == appeal.id).order_by(Evidence.id)).all()
    if names:
        st.markdown("**{}**".format(_("Files the client attached (in the contact's evidence)")))
        st.text("\n".join(names))


def _current_answer(engine: Engine, appeal: AppealRow) -> tuple[Criterion, Answer | None]:
    with read_scope(engine) as session:
        criterion = session.get(Criterion, appeal.criterion_id)
        answer = session.get(Answer, (appeal.contact_id, appeal.criterion_id))
    return criterion, answer


def _decide_form(engine: Engine, appeal: AppealRow, *, actor) -> None:
    st.markdown("**{}**".format(_("Decide")))
    key = f"appeal_decide_{appeal.id}"
    outcome = st.radio(_("Decision"), ["upheld", "rejected"], horizontal=True, key=f"{key}_outcome",
                       format_func=lambda o: _("Uphold: change the result") if o == "upheld"
                       else _("Reject: the result stands"))
    change: dict = {}
    problems: list[str] = []
    if outcome == "upheld":
        if appeal.criterion_id is not None:
            criterion, answer = _current_answer(engine, appeal)
            st.caption(_("Current answer: {answer}").format(
                answer=answer_label(answer.value if answer else None, bool(answer and answer.is_na), criterion.kind)))
            change = _new_answer_input(criterion, key)
        else:
            change, problems = _new_timing_input(engine, appeal, key)
    reason = st.text_area(_("Reason for the decision (shown to the client)"), key=f"{key}_reason")
    if st.button(_("Record the decision"), type="primary", key=f"{key}_submit"):
        if problems:
            show_problems(_("Not saved:"), problems)
            return
        run_action(engine, lambda s: decide_appeal(session=s, actor=actor, appeal_id=appeal.id,
                                                   upheld=outcome == "upheld", decision=reason, **change),
                   (_("Appeal {id} upheld.") if outcome == "upheld" else _("Appeal {id} rejected.")).format(
                       id=appeal.id))


def _new_answer_input(criterion: Criterion, key: str) -> dict:
    if criterion.kind == CriterionKind.YESNO:
        options = [1.0, 0.0] + (["na"] if criterion.na_allowed else [])
        chosen = st.radio(_("New answer"), options, horizontal=True, key=f"{key}_value",
                          format_func=lambda o: answer_label(None, True, criterion.kind) if o == "na"
                          else answer_label(o, False, criterion.kind))
        return dict(new_value=None, is_na=True) if chosen == "na" else dict(new_value=chosen, is_na=False)
    na = criterion.na_allowed and st.checkbox(_("N/A"), key=f"{key}_na")
    value = st.number_input(_("New answer"), min_value=float(criterion.scale_min), max_value=float(criterion.scale_max),
                            step=1.0, key=f"{key}_value", disabled=bool(na))
    return dict(new_value=None, is_na=True) if na else dict(new_value=value, is_na=False)


_STAMPS = tuple(f for f in TIMING_FIELDS if f.endswith("_at"))


def _new_timing_input(engine: Engine, appeal: AppealRow, key: str) -> tuple[dict, list[str]]:
    """The corrected timings, typed in local time ("2026-12-01 19:40"); empty keeps a time as it is."""
    from journeys.models import Contact

    with read_scope(engine) as session:
        contact = session.get(Contact, appeal.contact_id)
    st.caption(_("Times in local time ({zone}), as YYYY-MM-DD HH:MM; leave a time as it is to keep it.").format(
        zone=LOCAL_ZONE_NAME))
    timing, problems = {}, []
    for field in _STAMPS:
        stored = getattr(contact, field)
        shown_value = local_text(stored, MINUTE) if stored else ""
        typed = st.text_input(field_label(field), value=shown_value, key=f"{key}_{field}").strip()
        if typed == shown_value:
            continue
        if not typed:
            timing[field] = None
            continue
        try:
            timing[field] = to_utc(datetime.strptime(typed, MINUTE), LOCAL_ZONE)
        except (ValueError, KlantreisError) as problem:
            problems.append(f"{field_label(field)}: {_('write it as YYYY-MM-DD HH:MM')} ({typed!r}; {problem})")
    return dict(timing=timing), problems


def _query_form(engine: Engine, appeal: AppealRow, *, actor) -> None:
    with st.expander(_("Ask the client a question instead")):
        key = f"appeal_query_{appeal.id}"
        question = st.text_area(_("Question to the client"), key=f"{key}_text")
        if st.button(_("Send the question"), key=f"{key}_submit"):
            run_action(engine, lambda s: query_client(session=s, actor=actor, appeal_id=appeal.id, question=question),
                       _("Question sent: appeal {id} waits for the client.").format(id=appeal.id))


# --- the contact's panel --------------------------------------------------------------------

def appeal_panel(engine: Engine, contact_id: int, *, actor) -> None:
    """Under a contact's detail: its appeals and decisions; for a client, "Appeal an answer" while
    the window is open (until when, local time). Nothing for roles that read no appeals."""
    if not has_role(actor, *(APPELLANTS | REVIEWERS)):
        return
    with read_scope(engine) as session:
        appeals = appeals_of(session=session, actor=actor, contact_id=contact_id)
    if appeals:
        st.markdown("**{}**".format(_("Appeals")))
        for appeal in appeals:
            st.markdown(f"- {as_plain_text(appeal.subject)}: {as_plain_text(outcome_text(appeal))}")
            if appeal.decision:
                st.caption(as_plain_text(_("Decision: {text}").format(text=appeal.decision)))
    if has_role(actor, *APPELLANTS):
        _appeal_form(engine, contact_id, actor=actor)


TIMING_CHOICE = "timing"


def _appeal_form(engine: Engine, contact_id: int, *, actor) -> None:
    try:
        with read_scope(engine) as session:
            window = appeal_window(session=session, actor=actor, contact_id=contact_id)
    except PermissionDenied as refusal:
        show_blocked(refusal)
        return
    if window.deadline is None:
        return
    if not window.is_open:
        st.caption(_("The appeal window closed on {moment} (local time).").format(
            moment=local_text(window.deadline, DAY_TIME)))
        return
    with st.expander(_("Appeal an answer"), icon=":material/gavel:"):
        st.caption(_("You can appeal this contact until {moment} (local time, {zone}).").format(
            moment=local_text(window.deadline, DAY_TIME), zone=LOCAL_ZONE_NAME))
        by_id = {c.id: c for c in window.criteria}
        with st.form(f"appeal_open_{contact_id}", clear_on_submit=False):
            choice = st.selectbox(_("What do you dispute?"), [*by_id, TIMING_CHOICE], key=f"appeal_open_{contact_id}_item",
                                  format_func=lambda i: _("The timing") if i == TIMING_CHOICE
                                  else as_plain_text(f"{by_id[i].code} · {by_id[i].text}"))
            reason = st.text_area(_("Reason"), key=f"appeal_open_{contact_id}_reason")
            files = st.file_uploader(_("Evidence (optional)"), accept_multiple_files=True,
                                     key=f"appeal_open_{contact_id}_files")
            if st.form_submit_button(_("Send the appeal"), type="primary"):
                payload = [(f.name, f.getvalue()) for f in files or []]
                criterion_id = None if choice == TIMING_CHOICE else choice
                run_action(engine, lambda s: open_appeal(session=s, actor=actor, contact_id=contact_id,
                                                         criterion_id=criterion_id, reason=reason, files=payload),
                           _("Appeal sent: a reviewer of the agency decides it."))


# --- the dashboards' note -------------------------------------------------------------------

@st.cache_data(max_entries=32, ttl=600, show_spinner=False)
def _counts(_engine: Engine, url: str, version: tuple, user_id: int, role: str) -> pd.DataFrame:
    from ui.session import SignedInUser

    with read_scope(_engine) as session:
        return changed_on_appeal(session=session, actor=SignedInUser(user_id, "", "", role))


def appeal_note(engine: Engine, data: dict, flt, *, actor=None) -> str:
    """Under a dashboard's title: "2 answers changed on appeal in this wave" for the contacts of
    ``flt`` (``data`` is ``ui.dashboard_data.scored_data``); nothing when none changed. The counts
    are one aggregate query per data version and user (cached). Returns the words shown."""
    from ui.dashboard_data import filtered_contacts
    from ui.session import current_user

    actor = actor or current_user()
    if actor is None or not has_role(actor, *(APPELLANTS | REVIEWERS)):
        return ""
    version = data["key"][1] if "key" in data else data_version(engine)
    counts = _counts(engine, str(engine.url), version, actor.id, actor.role)
    if counts.empty:
        return ""
    shown_ids = filtered_contacts(data, flt)["contact_id"]
    within = counts[counts["contact_id"].isin(set(shown_ids))]
    answers, timings = int(within["answers_changed"].sum()), int(within["timings_changed"].sum())
    if not answers and not timings:
        return ""
    where = _("in this wave") if len(flt.waves) == 1 else _("in the contacts shown")
    parts = []
    if answers:
        parts.append(ngettext("{n} answer changed on appeal", "{n} answers changed on appeal", answers).format(
            n=number(answers)))
    if timings:
        parts.append(ngettext("{n} timing changed on appeal", "{n} timings changed on appeal", timings).format(
            n=number(timings)))
    changes = parts[0] if len(parts) == 1 else _("{first} and {second}").format(first=parts[0], second=parts[1])
    words = _("{changes} {where}").format(changes=changes, where=where)
    st.caption(f":material/gavel: {words}")
    return words

