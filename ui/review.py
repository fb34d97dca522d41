"""The review workflow on screen: the reviewer's queue and its actions, the auditor's "Submit
for review" and the list of contacts returned for revision.

The rules are ``journeys.review.workflow``'s; these widgets only draw and call it, each action
in one transaction (``ui.actions.run_action``). Every comment, name and reason is the user's
text: shown with ``st.text`` or ``ui.text.as_plain_text``, never as Markdown. Counts come with
their n ("Waiting for review (3)").
"""

from collections.abc import Callable

import pandas as pd
import streamlit as st
from sqlalchemy.engine import Engine
from sqlmodel import select

from data.db import read_scope
from journeys.fieldwork.contacts import applicable_criteria
from journeys.language import _, ngettext, number
from journeys.local_time import DAY_MINUTE, local_text
from journeys.models import Answer, Contact, CriterionKind
from journeys.review.workflow import (
    MAX_COMMENT_CHARS,
    TIMING_FIELDS,
    approve_contact,
    correct_answer,
    correct_timing,
    return_contact,
    returned_contacts,
    submit_contact,
)
from journeys.wording import answer_label, field_label, review_status_label
from ui.actions import run_action
from ui.contact_forms import LOG_PAGE, OPEN_KEY, datetime_input
from ui.text import as_plain_text

QUEUE_KEY = "rq_contact"  # session key: the contact chosen in the queue
# The queue's filters: the widget key's suffix, the queue column with the id and the one with its name.
QUEUE_FILTERS = (("waves", "wave_id", "wave", "Wave"), ("brands", "brand_id", "brand", "Brand"),
                 ("auditors", "auditor_id", "auditor", "Auditor"), ("channels", "channel_id", "channel", "Channel"))
NA = "n/a"  # the correction's N/A choice (values are numbers)


def queue_filters(queue: pd.DataFrame, channel_names: dict[str, str]) -> dict[str, list[int]]:
    """Wave, brand, auditor and channel multiselects over what is in the queue; the chosen ids."""
    labels = {"waves": _("Wave"), "brands": _("Brand"), "auditors": _("Auditor"), "channels": _("Channel")}
    placeholders = {"waves": _("All waves"), "brands": _("All brands"), "auditors": _("All auditors"),
                    "channels": _("All channels")}
    chosen = {}
    columns = st.columns(len(QUEUE_FILTERS))
    for column, (name, id_column, name_column, _label) in zip(columns, QUEUE_FILTERS, strict=True):
        pairs = queue[[id_column, name_column]].dropna().drop_duplicates()
        names = {int(i): (channel_names.get(n, n) if name == "channels" else n)
                 for i, n in zip(pairs[id_column], pairs[name_column], strict=True)}
        # multiselect options are never Markdown: the names as typed
        chosen[name] = column.multiselect(labels[name], sorted(names, key=lambda i: str(names[i])),
                                          format_func=lambda i, names=names: str(names.get(i, i)),
                                          key=f"rq_{name}", placeholder=placeholders[name])
    return chosen


def filtered(queue: pd.DataFrame, chosen: dict[str, list[int]]) -> pd.DataFrame:
    """The queue rows matching every chosen filter."""
    mask = pd.Series(True, index=queue.index)
    for name, id_column, _n, _l in QUEUE_FILTERS:
        if chosen.get(name):
            mask &= queue[id_column].isin(chosen[name])
    return queue[mask]


def queue_table(queue: pd.DataFrame, channel_names: dict[str, str]) -> None:
    """The queue in words, oldest submission first (a dataframe: never Markdown)."""
    st.dataframe(pd.DataFrame({
        _("contact"): queue["contact_id"].astype(int).to_numpy(),
        _("submitted"): [local_text(t, DAY_MINUTE) for t in queue["submitted_at"]],
        _("wave"): queue["wave"].fillna("–").to_numpy(),
        _("brand"): queue["brand"].to_numpy(),
        _("location"): queue["location"].fillna("–").to_numpy(),
        _("journey"): queue["journey"].to_numpy(),
        _("channel"): [channel_names.get(c, c) for c in queue["channel"]],
        _("auditor"): queue["auditor"].fillna("–").to_numpy(),
        _("returned before"): queue["times_returned"].astype(int).to_numpy(),
    }), hide_index=True, width="stretch")


def choose_contact(queue: pd.DataFrame, channel_names: dict[str, str]) -> int | None:
    """A selectbox of the queue's contacts (the oldest first, chosen by default)."""
    rows = {int(r["contact_id"]): r for r in queue.to_dict("records")}
    ids = list(rows)
    if st.session_state.get(QUEUE_KEY) not in ids:
        st.session_state.pop(QUEUE_KEY, None)
    # a selectbox shows its options as plain text: the names as typed
    return st.selectbox(_("Contact to review"), ids, key=QUEUE_KEY, format_func=lambda i: _(
        "Contact {id} · {brand} · {channel} · {auditor} · submitted {time}").format(
            id=i, brand=rows[i]["brand"], channel=channel_names.get(rows[i]["channel"], rows[i]["channel"]),
            auditor=rows[i]["auditor"] or "–", time=local_text(rows[i]["submitted_at"], DAY_MINUTE)))


def review_actions(engine: Engine, actor, contact_id: int) -> None:
    """Approve, return with a comment, correct an answer or a timing with a reason."""
    approve, give_back = st.columns(2)
    with approve, st.form(f"rq_approve_{contact_id}"):
        comment = st.text_input(_("Comment (optional)"), key=f"rq_approve_comment_{contact_id}",
                                max_chars=MAX_COMMENT_CHARS)
        if st.form_submit_button(_("Approve"), type="primary", icon=":material/verified:"):
            run_action(engine, lambda s: approve_contact(session=s, actor=actor, contact_id=contact_id,
                                                         comment=comment),
                       _("Contact {id} approved.").format(id=contact_id))
    with give_back, st.form(f"rq_return_{contact_id}"):
        comment = st.text_area(_("What needs to change (required)"), key=f"rq_return_comment_{contact_id}",
                               max_chars=MAX_COMMENT_CHARS, height=80)
        if st.form_submit_button(_("Return to the auditor"), icon=":material/undo:"):
            run_action(engine, lambda s: return_contact(session=s, actor=actor, contact_id=contact_id,
                                                        comment=comment),
                       _("Contact {id} returned to its auditor.").format(id=contact_id))
    correction_forms(engine, actor, contact_id)


def correction_forms(engine: Engine, actor, contact_id: int) -> None:
    """"Correct an answer" and "Correct a timing", each with a required reason."""
    with read_scope(engine) as session:
        contact = session.get(Contact, contact_id)
        criteria = applicable_criteria(session, contact)
        saved = {a.criterion_id: a for a in session.exec(select(Answer).where(Answer.contact_id == contact_id))}
    by_id = {c.id: c for c in criteria}
    if criteria:
        def item_text(criterion_id: int) -> str:
            criterion, answer = by_id[criterion_id], saved.get(criterion_id)
            now = answer_label(answer.value, answer.is_na, criterion.kind) if answer else _("no answer")
            return f"{criterion.code} · {criterion.text} ({now})"  # a selectbox option: shown as plain text

        with st.expander(_("Correct an answer"), icon=":material/edit:"):
            # outside the form: the answers offered follow the item chosen (yes/no or its scale)
            criterion_id = st.selectbox(_("Checklist item"), list(by_id), format_func=item_text,
                                        key=f"rq_answer_item_{contact_id}")
            criterion = by_id[criterion_id]
            form = st.form(f"rq_answer_{contact_id}")
        with form:
            if criterion.kind == CriterionKind.SCALE:
                choices = [*range(int(criterion.scale_min), int(criterion.scale_max) + 1), NA]
            else:
                choices = [1, 0, NA]
            value = st.segmented_control(
                _("New answer"), choices, key=f"rq_answer_value_{contact_id}_{criterion_id}",
                format_func=lambda v: _("N/A") if v == NA else answer_label(v, False, criterion.kind))
            reason = st.text_input(_("Reason (required)"), key=f"rq_answer_reason_{contact_id}",
                                   max_chars=MAX_COMMENT_CHARS)
            if st.form_submit_button(_("Correct the answer"), icon=":material/save:"):
                run_action(engine, lambda s: correct_answer(
                    session=s, actor=actor, contact_id=contact_id, criterion_id=criterion_id,
                    value=None if value in (None, NA) else float(value), is_na=value == NA, reason=reason),
                    _("Answer corrected; the reason is in the audit trail."))
    with st.expander(_("Correct a timing"), icon=":material/schedule:"), st.form(f"rq_timing_{contact_id}"):
        field = st.selectbox(_("Timing"), list(TIMING_FIELDS), format_func=field_label,
                             key=f"rq_timing_field_{contact_id}")
        stamp = datetime_input(_("New time (for a time)"), None, f"rq_timing_time_{contact_id}")
        seconds = st.number_input(_("New number (for seconds or transfers)"), value=None, min_value=0.0, step=1.0,
                                  key=f"rq_timing_number_{contact_id}")
        reason = st.text_input(_("Reason (required)"), key=f"rq_timing_reason_{contact_id}",
                               max_chars=MAX_COMMENT_CHARS)
        if st.form_submit_button(_("Correct the timing"), icon=":material/save:"):
            value = stamp if field.endswith("_at") else (
                None if seconds is None else (int(seconds) if field == "transfers" else float(seconds)))
            run_action(engine, lambda s: correct_timing(session=s, actor=actor, contact_id=contact_id, field=field,
                                                        value=value, reason=reason),
                       _("Timing corrected; the reason is in the audit trail."))


def submit_button(engine: Engine, actor, contact_id: int, *, key: str, done: Callable[[], None] | None = None) -> None:
    """"Submit for review" for one finished contact (the service checks it is finished)."""
    if st.button(_("Submit for review"), key=key, type="primary", icon=":material/send:"):
        run_action(engine, lambda s: submit_contact(session=s, actor=actor, contact_id=contact_id),
                   _("Contact {id} submitted for review.").format(id=contact_id))


def status_line(status: str) -> str:
    """"Review: Submitted for review" — the contact's review status in words."""
    return _("Review: {status}").format(status=review_status_label(status))


def returned_list(engine: Engine, actor, channel_names: dict[str, str], *, key: str) -> int:
    """The actor's contacts returned for revision, the reviewer's latest comment on each (as
    plain text) and a button that opens it to revise; returns how many there are."""
    with read_scope(engine) as session:
        returned = returned_contacts(session=session, actor=actor)
    if returned.empty:
        return 0
    st.subheader(_("Returned for revision ({n})").format(n=number(len(returned))), anchor=False)
    st.caption(ngettext("A reviewer sent this contact back: revise it and submit it again.",
                        "A reviewer sent these contacts back: revise them and submit them again.", len(returned)))
    for row in returned.to_dict("records"):
        contact_id = int(row["contact_id"])
        with st.container(border=True, key=f"{key}_returned_{contact_id}"):
            left, right = st.columns([4, 1], vertical_alignment="center")
            left.markdown(as_plain_text(" · ".join((
                channel_names.get(row["channel"], row["channel"]), row["brand"], row["journey"]))))
            left.caption(as_plain_text(_("Contact {id} · returned {time} by {reviewer}").format(
                id=contact_id, time=local_text(row["returned_at"], DAY_MINUTE), reviewer=row["reviewer"] or "–")))
            left.text(row["comment"] or "")
            if right.button(_("Revise"), key=f"{key}_revise_{contact_id}", icon=":material/edit:"):
                st.session_state[OPEN_KEY] = contact_id
                st.switch_page(LOG_PAGE)
    return len(returned)
