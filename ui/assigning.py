"""The widgets of the planner's page "Assign fieldwork" (``pages/study_assign.py``): the wave's
counts, the automatic assignment's preview and its application, assigning by hand, the auditors'
profiles and the rotation lockout. Each calls ``journeys.fieldwork.assignments``; a refusal is
shown by ``ui.actions``.

The preview is kept in the session (``PREVIEW_KEY``) between the run that made it and the click
on "Apply assignment"; the service refuses it when the plan changed meanwhile, and the page then
drops it so a fresh one is made.
"""

from datetime import timedelta

import pandas as pd
import streamlit as st
from sqlalchemy.engine import Engine

from data.db import read_scope, session_scope
from journeys.errors import KlantreisError
from journeys.fieldwork import assignments as service
from journeys.fieldwork.planned import STATUSES, local_today
from journeys.language import _, day_text, ngettext, number
from journeys.models import Wave
from journeys.wording import assignment_status_label, time_slot_label
from ui.actions import NOTICE_KEY, run_action, show_refusal
from ui.text import as_plain_text

PREVIEW_KEY = "assign_preview"
WARNINGS_KEY = "assign_warnings"


def _day(value) -> str:
    return day_text(value) if value is not None and not pd.isna(value) else "–"


def show_counts(planned: pd.DataFrame) -> None:
    """Planned, assigned and not yet assigned contacts of the wave, as counts."""
    assigned = int(planned["auditor_id"].notna().sum())
    total = len(planned)
    planned_column, assigned_column, open_column = st.columns(3)
    planned_column.metric(_("Planned contacts"), number(total))
    assigned_column.metric(_("Assigned"), number(assigned))
    open_column.metric(_("Not assigned"), number(total - assigned))


def show_warnings() -> None:
    """The rules broken by the last assignment by hand, once, after its rerun."""
    for warning in st.session_state.pop(WARNINGS_KEY, []):
        st.warning(as_plain_text(warning), icon=":material/warning:")


def automatic(engine: Engine, user, wave: Wave) -> None:
    """"Preview automatic assignment", the preview, and "Apply assignment"."""
    st.caption(_("Balanced over the active auditors, honouring each one's channels, regions and absences and "
                 "the rotation lockout. The preview writes nothing."))
    if st.button(_("Preview automatic assignment"), icon=":material/preview:", key="assign_preview_button"):
        try:
            with read_scope(engine) as session:
                st.session_state[PREVIEW_KEY] = service.propose_assignment(
                    session=session, actor=user, wave_id=wave.id, today=local_today())
        except KlantreisError as error:
            show_refusal(error)
            return
    preview = st.session_state.get(PREVIEW_KEY)
    if preview is None or preview.wave_id != wave.id:
        return
    if preview.open_count == 0:
        st.info(_("Every planned contact of this wave has an auditor or was started."), icon=":material/info:")
        return
    st.write(ngettext("{assigned} of {n} planned contact waiting for an auditor can be assigned.",
                      "{assigned} of {n} planned contacts waiting for an auditor can be assigned.",
                      preview.open_count).format(assigned=number(preview.assigned_count),
                                                 n=number(preview.open_count)))
    st.caption(_("Rotation lockout: {waves} waves, {days} days (0 is off).").format(
        waves=number(preview.lockout.waves), days=number(preview.lockout.days)))
    st.dataframe(preview.loads.drop(columns="auditor_id").rename(columns={
        "auditor": _("Auditor"), "current": _("Now"), "new": _("New"), "total": _("Total")}),
        hide_index=True, width="stretch")
    if not preview.unassigned.empty:
        st.subheader(ngettext("{n} planned contact stays unassigned", "{n} planned contacts stay unassigned",
                              len(preview.unassigned)).format(n=number(len(preview.unassigned))), anchor=False)
        left = preview.unassigned.assign(due_on=preview.unassigned["due_on"].map(_day))
        st.dataframe(left.drop(columns=["assignment_id", "reason"]).rename(columns={
            "brand": _("Brand"), "location": _("Location"), "journey": _("Journey"), "channel": _("Channel"),
            "due_on": _("Due"), "why": _("Why")}), hide_index=True, width="stretch")
    if preview.assigned_count and st.button(_("Apply assignment"), type="primary", icon=":material/done_all:",
                                            key="assign_apply_button"):
        applied = run_action(
            engine,
            lambda s: service.apply_assignment(session=s, actor=user, wave_id=wave.id, proposal=preview.proposal),
            ngettext("Assigned {n} planned contact.", "Assigned {n} planned contacts.",
                     preview.assigned_count).format(n=number(preview.assigned_count)),
        )
        if not applied:  # refused (a stale preview): it is of no use any more
            st.session_state.pop(PREVIEW_KEY, None)


def _planned_label(row) -> str:
    return f"#{row.assignment_id} · {row.brand} · {row.location or '–'} · {row.journey} · {row.channel_name} · " \
           f"{_day(row.due_on)}"


def by_hand(engine: Engine, user, wave: Wave, planned: pd.DataFrame, profiles) -> None:
    """Filters, the table of planned contacts, the choice of contacts and auditor, and "Assign"."""
    status_column, brand_column, channel_column = st.columns(3)
    statuses = status_column.multiselect(_("Status"), [s for s in STATUSES if s in set(planned["status"])],
                                         format_func=assignment_status_label, key="assign_filter_status")
    brands = brand_column.multiselect(_("Brand"), sorted(set(planned["brand"])), key="assign_filter_brand")
    channels = channel_column.multiselect(_("Channel"), sorted(set(planned["channel_name"])),
                                          key="assign_filter_channel")
    shown = planned
    if statuses:
        shown = shown[shown["status"].isin(statuses)]
    if brands:
        shown = shown[shown["brand"].isin(brands)]
    if channels:
        shown = shown[shown["channel_name"].isin(channels)]
    st.caption(ngettext("{n} planned contact shown", "{n} planned contacts shown", len(shown)).format(
        n=number(len(shown))))
    st.dataframe(pd.DataFrame({
        _("Brand"): shown["brand"], _("Location"): shown["location"].fillna("–"), _("Region"): shown["region"],
        _("Journey"): shown["journey"], _("Channel"): shown["channel_name"],
        _("Time slot"): shown["time_slot"].map(time_slot_label), _("Due"): shown["due_on"].map(_day),
        _("Auditor"): shown["auditor"].fillna("–"), _("Status"): shown["status"].map(assignment_status_label),
    }), hide_index=True, width="stretch")
    open_rows = shown[shown["contact_id"].isna()]
    labels = {int(row.assignment_id): _planned_label(row) for row in open_rows.itertuples(index=False)}
    every = st.checkbox(ngettext("All {n} shown that nobody started", "All {n} shown that nobody started",
                                 len(labels)).format(n=number(len(labels))), key="assign_pick_all")
    picked = list(labels) if every else st.multiselect(
        _("Planned contacts"), list(labels), format_func=labels.__getitem__, key="assign_pick")
    names = {p.user_id: p.name for p in profiles}
    auditor_id = st.selectbox(_("Assign to"), [None, *names],
                              format_func=lambda i: _("nobody") if i is None else as_plain_text(names[i]),
                              key="assign_to")
    if st.button(_("Assign"), icon=":material/person_add:", key="assign_by_hand_button", disabled=not picked):
        try:
            with session_scope(engine) as session:
                warnings = service.assign_by_hand(session=session, actor=user, assignment_ids=picked,
                                                  auditor_id=auditor_id, today=local_today())
        except KlantreisError as error:
            show_refusal(error)
            return
        st.session_state.pop(PREVIEW_KEY, None)
        st.session_state[WARNINGS_KEY] = warnings
        st.session_state[NOTICE_KEY] = (
            ngettext("Assigned {n} planned contact to {auditor}.", "Assigned {n} planned contacts to {auditor}.",
                     len(picked)).format(n=number(len(picked)), auditor=as_plain_text(names[auditor_id]))
            if auditor_id is not None else
            ngettext("{n} planned contact no longer assigned.", "{n} planned contacts no longer assigned.",
                     len(picked)).format(n=number(len(picked))))
        st.rerun()


def profiles_table(frame: pd.DataFrame) -> None:
    """The active auditors' profiles in words, with their load in the wave."""
    st.dataframe(frame.drop(columns="user_id").rename(columns={
        "auditor": _("Auditor"), "channels": _("Channels"), "regions": _("Regions"), "absences": _("Absences"),
        "load": _("Planned contacts in this wave")}), hide_index=True, width="stretch")


def profile_editor(engine: Engine, user, profiles, channel_names: dict[int, str], regions: list[str]) -> None:
    """One auditor's channels, regions and absences."""
    if not profiles:
        st.info(_("There are no active auditors yet: add accounts with the role auditor on the Users page."),
                icon=":material/info:")
        return
    by_id = {p.user_id: p for p in profiles}
    chosen = st.selectbox(_("Auditor"), list(by_id), format_func=lambda i: as_plain_text(by_id[i].name),
                          key="assign_profile_auditor")
    profile = by_id[chosen]
    with st.form(f"assign_profile_{profile.user_id}"):
        channel_ids = st.multiselect(_("Channels"), list(channel_names), default=list(profile.channel_ids),
                                     format_func=channel_names.__getitem__,
                                     help=_("None chosen: every channel."), key=f"assign_channels_{profile.user_id}")
        options = sorted(set(regions) | set(profile.regions))
        chosen_regions = st.multiselect(_("Regions"), options, default=list(profile.regions),
                                        help=_("None chosen: every region."), key=f"assign_regions_{profile.user_id}")
        if st.form_submit_button(_("Save profile")):
            def save(session):
                service.set_auditor_channels(session=session, actor=user, user_id=profile.user_id,
                                             channel_ids=channel_ids)
                service.set_auditor_regions(session=session, actor=user, user_id=profile.user_id,
                                            regions=chosen_regions)
            run_action(engine, save, _("Profile of {auditor} saved.").format(auditor=as_plain_text(profile.name)))
    st.markdown(f"**{_('Absences')}**")
    if not profile.absences:
        st.caption(_("No absences."))
    for absence in profile.absences:
        words, remove = st.columns([4, 1])
        words.text(absence.in_words())
        if remove.button(_("Remove"), key=f"assign_absence_remove_{absence.id}", icon=":material/delete:"):
            run_action(engine, lambda s, a=absence.id: service.remove_absence(session=s, actor=user, absence_id=a),
                       _("Absence removed."))
    with st.form(f"assign_absence_add_{profile.user_id}", clear_on_submit=True):
        today = local_today()
        start_column, end_column = st.columns(2)
        starts_on = start_column.date_input(_("From"), value=today, key=f"assign_absence_from_{profile.user_id}")
        ends_on = end_column.date_input(_("Until"), value=today + timedelta(days=6),
                                        key=f"assign_absence_until_{profile.user_id}")
        note = st.text_input(_("Note"), key=f"assign_absence_note_{profile.user_id}")
        if st.form_submit_button(_("Add absence")):
            run_action(engine, lambda s: service.add_absence(session=s, actor=user, user_id=profile.user_id,
                                                             starts_on=starts_on, ends_on=ends_on, note=note),
                       _("Absence of {auditor} added.").format(auditor=as_plain_text(profile.name)))


def lockout_editor(engine: Engine, user, lockout) -> None:
    """The rotation lockout in waves and days."""
    st.caption(_("An auditor is not given a location they were assigned to or made a contact at within the "
                 "last waves or days set here; 0 turns either off."))
    with st.form("assign_lockout"):
        waves_column, days_column = st.columns(2)
        waves = waves_column.number_input(_("Waves"), min_value=0, max_value=service.MAX_LOCKOUT_WAVES, step=1,
                                          value=lockout.waves, key="assign_lockout_waves")
        days = days_column.number_input(_("Days"), min_value=0, max_value=service.MAX_LOCKOUT_DAYS, step=1,
                                        value=lockout.days, key="assign_lockout_days")
        if st.form_submit_button(_("Save rotation lockout")):
            run_action(engine, lambda s: service.set_lockout(session=s, actor=user, waves=int(waves), days=int(days)),
                       _("Rotation lockout saved: {waves} waves, {days} days.").format(
                           waves=number(int(waves)), days=number(int(days))))
