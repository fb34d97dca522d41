"""The action plan on screen: headline counts, filters, the summary per location and item, the
list with its downloads, and one action opened with its history, comment box and moves.

An action opens from the list (a selected row) or from the address, ``/action_plan?action=12``:
the link of every alert mail. The address keeps the open action, so a reload keeps it open and a
link opened before signing in lands on it afterwards (``ui.session.remember_deep_link``).
Every text a person typed (comments, reasons, names) is shown as text (``ui.text``); files are
formula-safe (``ui.downloads``).
"""

from datetime import date

import pandas as pd
import streamlit as st
from sqlalchemy.engine import Engine

from data.db import read_scope
from journeys.actions import items
from journeys.actions.states import moves_for
from journeys.errors import KlantreisError
from journeys.language import _, day_text, number, pgettext
from journeys.local_time import DAY_MINUTE, local_column, local_text
from journeys.models import ActionStatus
from ui.actions import run_action, show_blocked
from ui.downloads import csv_bytes, xlsx_bytes
from ui.session import linked_id
from ui.text import as_plain_text

LINK_PARAM = "action"
SELECT_KEY = "action_plan_list"


def column_labels() -> dict[str, str]:
    """The list's columns as the page and the files name them."""
    return {"id": _("Action"), "found": _("What was found"), "brand": _("Brand"), "location": _("Location"),
            "journey": _("Journey"), "channel": _("Channel"), "wave": _("Wave"), "item": _("Item"),
            "owner": _("Owner"), "due_on": pgettext("action", "Due date"), "status_text": _("Status"), "overdue": _("Overdue"),
            "days_overdue": _("Days overdue"), "created": _("Created"),
            "done": items.status_label(ActionStatus.DONE), "verified": items.status_label(ActionStatus.VERIFIED),
            "follow_up": _("Follow-up")}


def shown_list(actions: pd.DataFrame) -> pd.DataFrame:
    """The list as the page and its files show it: labelled columns, times in local time, dates
    and yes/no as people write them."""
    frame = actions[list(column_labels())].copy()
    for column in ("created", "done", "verified"):
        frame[column] = local_column(pd.to_datetime(frame[column], utc=True)) if not frame.empty else frame[column]
    frame["due_on"] = frame["due_on"].map(lambda day: day_text(day) if pd.notna(day) else "")
    frame["overdue"] = frame["overdue"].map(lambda late: _("yes") if late else _("no"))
    return frame.rename(columns=column_labels())


def _options(actions: pd.DataFrame, column: str, id_column: str) -> dict:
    pairs = actions[[id_column, column]].dropna().drop_duplicates().sort_values(column)
    return {int(i): str(name) for i, name in zip(pairs[id_column], pairs[column], strict=True)}


def filters(actions: pd.DataFrame) -> pd.DataFrame:
    """The filter bar over the actor's actions (its options name only what the actor may read)."""
    status_col, brand_col, location_col, wave_col, overdue_col = st.columns([2, 2, 2, 2, 1])
    statuses = status_col.multiselect(_("Status"), [s.value for s in ActionStatus], format_func=items.status_label,
                                      key="action_plan_status")
    brands = _options(actions, "brand", "brand_id")
    brand = brand_col.selectbox(_("Brand"), [None, *brands], format_func=lambda i: brands.get(i, _("All")),
                                key="action_plan_brand")
    scoped = actions if brand is None else actions[actions["brand_id"] == brand]
    locations = _options(scoped, "location", "location_id")
    location = location_col.selectbox(_("Location"), [None, *locations],
                                      format_func=lambda i: locations.get(i, _("All")), key="action_plan_location")
    waves = _options(actions, "wave", "wave_id")
    wave = wave_col.selectbox(_("Wave"), [None, *waves], format_func=lambda i: waves.get(i, _("All")),
                              key="action_plan_wave")
    overdue = overdue_col.checkbox(_("Overdue only"), key="action_plan_overdue")
    chosen = actions
    if statuses:
        chosen = chosen[chosen["status"].isin(statuses)]
    if brand is not None:
        chosen = chosen[chosen["brand_id"] == brand]
    if location is not None:
        chosen = chosen[chosen["location_id"] == location]
    if wave is not None:
        chosen = chosen[chosen["wave_id"] == wave]
    if overdue:
        chosen = chosen[chosen["overdue"]]
    return chosen


def headline(actions: pd.DataFrame) -> None:
    counts = items.headline(actions)
    cols = st.columns(4)
    for col, key, label in zip(cols, ("open", "overdue", "done", "verified"),
                               (items.status_label(ActionStatus.OPEN), _("Overdue"),
                                items.status_label(ActionStatus.DONE), items.status_label(ActionStatus.VERIFIED)),
                               strict=True):
        col.metric(label, number(counts[key]))
    st.caption(_("Open counts open and in progress actions; n = {n} actions.").format(n=number(counts["n"])))


def summary(actions: pd.DataFrame) -> None:
    st.subheader(_("Per location and item"), anchor=False)
    table = items.summarise(actions)
    if table.empty:
        st.info(_("No actions match these filters."), icon=":material/filter_alt_off:")
        return
    table = table.rename(columns={"location": _("Location"), "item": _("Item"), "n": "n",
                                  "open": items.status_label(ActionStatus.OPEN), "overdue": _("Overdue"),
                                  "done": items.status_label(ActionStatus.DONE),
                                  "verified": items.status_label(ActionStatus.VERIFIED)})
    st.dataframe(table, hide_index=True, width="stretch")


def action_list(actions: pd.DataFrame) -> int | None:
    """The list (overdue first); returns the selected action's id."""
    st.subheader(_("Actions"), anchor=False)
    if actions.empty:
        return None
    st.caption(_("Select a row to open the action."))
    picked = st.dataframe(shown_list(actions), hide_index=True, width="stretch", on_select="rerun",
                          selection_mode="single-row", key=SELECT_KEY)
    rows = picked.selection.rows if picked is not None else []
    return int(actions.iloc[rows[0]]["id"]) if rows else None


def downloads(actions: pd.DataFrame) -> None:
    frame = shown_list(actions)
    stamp = date.today().isoformat()
    left, right = st.columns(2)
    left.download_button(_("Actions as CSV"), csv_bytes(frame), f"klantreis-actions-{stamp}.csv", "text/csv",
                         icon=":material/download:", key="action_plan_csv")
    right.download_button(_("Actions as XLSX"), xlsx_bytes(frame, "actions"), f"klantreis-actions-{stamp}.xlsx",
                          "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                          icon=":material/download:", key="action_plan_xlsx")


def linked_action() -> int | None:
    """The action the address asks for (``?action=12``), or None."""
    return linked_id(LINK_PARAM)


def show_action(engine: Engine, action_id: int, *, actor) -> int | None:
    """One action opened; returns its contact id if the actor may read it (the page shows it)."""
    try:
        with read_scope(engine) as session:
            detail = items.get_action(session, actor, action_id)
    except KlantreisError as refusal:
        show_blocked(refusal)
        return None
    st.query_params[LINK_PARAM] = str(detail.id)  # a reload or a shared address keeps it open
    row = detail.row
    st.subheader(_("Action {id}").format(id=detail.id), anchor=False)
    st.markdown("**" + as_plain_text(row["found"]) + "**")
    place = " · ".join(as_plain_text(v) for v in (row["brand"], row["location"], row["journey"], row["channel"],
                                                   row["wave"]) if v)
    st.caption(place)
    facts = [_("Status: {status}").format(status=row["status_text"]),
             _("Owner: {name}").format(name=row["owner"]),
             _("Due: {day}").format(day=day_text(row["due_on"]))]
    if row["overdue"]:
        facts.append(_("{n} days overdue").format(n=number(row["days_overdue"])))
    st.markdown(as_plain_text(" · ".join(facts)))
    lines = [_("Item: {item}").format(item=detail.criterion) if detail.criterion else "",
             _("Reason: {reason}").format(reason=row["status_reason"]) if row["status_reason"] else "",
             _("Follow-up: {check}").format(check=detail.follow_up)]
    for line in filter(None, lines):  # typed text among them: shown as text, never as Markdown
        st.text(line)
    if detail.contact_id is not None:
        st.caption(_("Found on contact {id} ({files} evidence files): see it below.").format(
            id=detail.contact_id, files=number(detail.evidence_count)))
    _history(detail)
    _moves(engine, detail, actor=actor)
    _comment(engine, detail, actor=actor)
    _plan(engine, detail, actor=actor)
    return detail.contact_id


def _plan(engine: Engine, detail: items.ActionDetail, *, actor) -> None:
    """The agency's managers and admins: owner and due date."""
    from journeys.accounts.access import has_role

    if not has_role(actor, *items.ACTION_PLANNERS):
        return
    with read_scope(engine) as session:
        from journeys.models import ActionItem

        owners = {u.id: u.display_name or u.username
                  for u in items.eligible_owners(session, session.get(ActionItem, detail.id))}
    key = f"action_plan_{detail.id}"
    with st.expander(_("Owner and due date")):
        current = detail.row["owner_id"]
        choices = [None, *owners]
        owner = st.selectbox(_("Owner"), choices, index=choices.index(current) if current in choices else 0,
                             format_func=lambda i: owners.get(i, _("No owner yet")), key=f"{key}_owner")
        due = st.date_input(pgettext("action", "Due date"), value=detail.row["due_on"], key=f"{key}_due")
        if st.button(_("Save owner and due date"), key=f"{key}_save"):
            def save(session):
                items.assign_owner(session, actor, detail.id, owner)
                items.set_due_date(session, actor, detail.id, due)

            run_action(engine, save, _("Action {id} saved.").format(id=detail.id))


def _history(detail: items.ActionDetail) -> None:
    st.markdown("**" + _("History") + "**")
    if not detail.history:
        st.caption(_("No steps yet."))
    for step in detail.history:
        st.caption(as_plain_text(f"{local_text(step.occurred_at, DAY_MINUTE)} · {step.by or _('a removed account')}"
                                 f" · {step.what}"))
        if step.text:
            st.text(step.text)


def _moves(engine: Engine, detail: items.ActionDetail, *, actor) -> None:
    moves = moves_for(actor, detail.status)
    if not moves:
        return
    key = f"action_move_{detail.id}"
    if any(m.needs_reason for m in moves):
        reason = st.text_input(_("Reason (to reject or send back)"), key=f"{key}_reason")
    else:
        reason = ""
    cols = st.columns(len(moves))
    for col, move in zip(cols, moves, strict=True):
        if col.button(_(move.label), key=f"{key}_{move.move.value}"):
            text = reason if move.needs_reason else ""
            run_action(engine, lambda s, m=move, t=text: items.set_status(s, actor, detail.id, m.to_status.value, t),
                       _("Action {id} is now {status}.").format(id=detail.id,
                                                                  status=items.status_label(move.to_status).lower()))


def _comment(engine: Engine, detail: items.ActionDetail, *, actor) -> None:
    from journeys.accounts.access import ACTION_WORKERS, has_role

    if not has_role(actor, *ACTION_WORKERS):
        return
    key = f"action_comment_{detail.id}"
    text = st.text_area(_("Comment"), key=f"{key}_text")
    if st.button(_("Add comment"), key=f"{key}_submit"):
        run_action(engine, lambda s: items.add_comment(s, actor, detail.id, text),
                   _("Comment added to action {id}.").format(id=detail.id))
