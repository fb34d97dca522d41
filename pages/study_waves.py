"""Waves and plan (managers, admins): set up waves, close them, release their approved contacts to
the client, and fill a wave's fieldwork plan."""

from datetime import date, timedelta

import streamlit as st
from sqlmodel import select

from data.db import read_scope
from journeys.accounts.access import has_role
from journeys.catalogue.reference import channel_display_name
from journeys.fieldwork.plan import TIME_SLOTS, delete_line, fill_quota, plan_frame, set_line
from journeys.fieldwork.planned import local_today
from journeys.fieldwork.waves import (
    REOPENERS,
    close_wave,
    create_wave,
    reopen_wave,
    update_wave,
    wave_scope,
    waves_frame,
)
from journeys.interchange.plan_file import plan_csv
from journeys.language import _, ngettext, number
from journeys.limits import MAX_PLANNED_PER_LINE
from journeys.models import Brand, Channel, Journey, JourneyStatus, Location
from journeys.wording import time_slot_label
from ui.actions import run_action, show_notice
from ui.resources import get_engine
from ui.session import require_page
from ui.text import as_plain_text
from ui.waves import import_upload, line_label, plan_table, release_panel, run_plan_action, waves_table

user = require_page(__file__)

NEW_WAVE_DAYS = 28
engine = get_engine()

st.title(_("Waves and plan"), anchor=False)
st.caption(_("A wave is a period of fieldwork with the brands, journeys and channels it covers (none chosen: all). "
             "Its plan says how many contacts each brand, location, journey and channel needs."))
show_notice()

with read_scope(engine) as session:
    waves = waves_frame(session=session, actor=user)
    brands = {b.id: b.name for b in session.exec(select(Brand).where(Brand.archived.is_(False)).order_by(Brand.name))}
    journeys = {j.id: j.name for j in session.exec(
        select(Journey).where(Journey.status == JourneyStatus.ACTIVE).order_by(Journey.name))}
    channels = {c.id: channel_display_name(c.name, c.label) for c in session.exec(select(Channel).order_by(Channel.name))}
    locations = session.exec(select(Location).where(Location.archived.is_(False)).order_by(Location.name)).all()
    scopes = {int(i): wave_scope(session, int(i)) for i in waves["wave_id"]}

if waves.empty:
    st.info(_("No waves yet: create the first one below."), icon=":material/info:")
else:
    st.dataframe(waves_table(waves), hide_index=True, width="stretch")
    st.caption(ngettext("{n} wave", "{n} waves", len(waves)).format(n=number(len(waves))))

names = dict(zip(waves["wave_id"].astype(int), waves["name"], strict=True))
closed = dict(zip(waves["wave_id"].astype(int), waves["closed"].astype(bool), strict=True))


def as_day(value) -> date | None:
    """A date cell of a frame, None when empty (a wave made by an import may have no dates)."""
    return value if isinstance(value, date) else None


def scope_inputs(prefix: str, scope: dict | None = None) -> tuple[list, list, list]:
    """The three scope multiselects (empty: all)."""
    scope = scope or {"brands": set(), "journeys": set(), "channels": set()}
    hint = _("None chosen: all.")
    chosen_brands = st.multiselect(_("Brands"), list(brands), default=[i for i in scope["brands"] if i in brands],
                                   format_func=brands.get, key=f"{prefix}_brands", help=hint)
    chosen_journeys = st.multiselect(_("Journeys"), list(journeys),
                                     default=[i for i in scope["journeys"] if i in journeys],
                                     format_func=journeys.get, key=f"{prefix}_journeys", help=hint)
    chosen_channels = st.multiselect(_("Channels"), list(channels),
                                     default=[i for i in scope["channels"] if i in channels],
                                     format_func=channels.get, key=f"{prefix}_channels", help=hint)
    return chosen_brands, chosen_journeys, chosen_channels


create_tab, change_tab, release_tab = st.tabs([_("Create a wave"), _("Change or close a wave"),
                                               _("Release to the client")])

with create_tab, st.form("waves_create"):
    new_name = st.text_input(_("Wave name"), key="waves_new_name", max_chars=40, placeholder="2026-Q2")
    start_column, end_column = st.columns(2)
    # a new wave most often starts now: four weeks from today, changed in two taps otherwise
    new_start = start_column.date_input(_("Start"), value=local_today(), key="waves_new_start")
    new_end = end_column.date_input(_("End"), value=local_today() + timedelta(days=NEW_WAVE_DAYS - 1),
                                    key="waves_new_end")
    new_scope = scope_inputs("waves_new")
    if st.form_submit_button(_("Create wave"), type="primary"):
        run_action(engine, lambda s: create_wave(
            session=s, actor=user, name=new_name, starts_on=new_start, ends_on=new_end, brand_ids=new_scope[0],
            journey_ids=new_scope[1], channel_ids=new_scope[2]),
            _("Wave {name} created.").format(name=as_plain_text((new_name or "").strip())))

with change_tab:
    if not names:
        st.info(_("No waves yet."), icon=":material/info:")
    else:
        wave_id = st.selectbox(_("Wave"), list(names), format_func=names.get, key="waves_change_wave")
        row = waves.set_index("wave_id").loc[wave_id]
        if closed[wave_id]:
            st.info(_("This wave is closed: its figures are final and it cannot be changed."), icon=":material/lock:")
            if has_role(user, *REOPENERS) and st.button(_("Reopen wave"), key="waves_reopen"):
                run_action(engine, lambda s: reopen_wave(session=s, actor=user, wave_id=wave_id),
                           _("Wave {name} reopened.").format(name=as_plain_text(names[wave_id])))
        else:
            with st.form(f"waves_change_{wave_id}"):
                name = st.text_input(_("Wave name"), value=row["name"], key=f"waves_name_{wave_id}", max_chars=40)
                start_column, end_column = st.columns(2)
                starts_on = start_column.date_input(_("Start"), value=as_day(row["starts_on"]), key=f"waves_start_{wave_id}")
                ends_on = end_column.date_input(_("End"), value=as_day(row["ends_on"]), key=f"waves_end_{wave_id}")
                scope = scope_inputs(f"waves_{wave_id}", scopes[wave_id])
                if st.form_submit_button(_("Save wave")):
                    run_action(engine, lambda s: update_wave(
                        session=s, actor=user, wave_id=wave_id, name=name, starts_on=starts_on, ends_on=ends_on,
                        brand_ids=scope[0], journey_ids=scope[1], channel_ids=scope[2]),
                        _("Wave {name} saved.").format(name=as_plain_text((name or "").strip())))
            sure = st.checkbox(_("I understand: once closed, no contact of this wave can be added or changed and its "
                                 "figures are final."), key=f"waves_close_sure_{wave_id}")
            if st.button(_("Close wave"), key=f"waves_close_{wave_id}", disabled=not sure):
                run_action(engine, lambda s: close_wave(session=s, actor=user, wave_id=wave_id),
                           _("Wave {name} closed: its figures are final.").format(name=as_plain_text(names[wave_id])))

with release_tab:
    if not names:
        st.info(_("No waves yet."), icon=":material/info:")
    else:
        release_wave_id = st.selectbox(_("Wave"), list(names), format_func=names.get, key="waves_release_wave")
        release_panel(engine, user, release_wave_id, names[release_wave_id])

st.header(_("The fieldwork plan"), anchor=False)
if not names:
    st.stop()
plan_wave = st.selectbox(_("Plan of wave"), list(names), format_func=names.get, key="waves_plan_wave")
scope = scopes[plan_wave]
in_scope = {"brands": [i for i in brands if not scope["brands"] or i in scope["brands"]],
            "journeys": [i for i in journeys if not scope["journeys"] or i in scope["journeys"]],
            "channels": [i for i in channels if not scope["channels"] or i in scope["channels"]]}
slots = {code: time_slot_label(code) for code in TIME_SLOTS}

with read_scope(engine) as session:
    plan = plan_frame(session=session, actor=user, wave_id=plan_wave)
    plan_file = plan_csv(session=session, actor=user, wave_id=plan_wave)

if closed[plan_wave]:
    st.info(_("This wave is closed: its plan is final."), icon=":material/lock:")
else:
    with st.form(f"waves_quota_{plan_wave}"):
        st.subheader(_("Quick fill"), anchor=False)
        quota_brands = st.multiselect(_("Brands"), in_scope["brands"], default=in_scope["brands"],
                                      format_func=brands.get, key=f"waves_quota_brands_{plan_wave}")
        where = st.radio(_("Where"), ["all", "chosen", "brand"], horizontal=True, key=f"waves_quota_where_{plan_wave}",
                         format_func=lambda o: {"all": _("Every location of these brands"),
                                                "chosen": _("The locations chosen below"),
                                                "brand": _("Brand level (no location)")}[o])
        location_names = {loc.id: f"{brands.get(loc.brand_id, '?')} · {loc.name}" for loc in locations
                          if loc.brand_id in in_scope["brands"]}
        quota_locations = st.multiselect(_("Locations"), list(location_names), format_func=location_names.get,
                                         key=f"waves_quota_locations_{plan_wave}")
        quota_journeys = st.multiselect(_("Journeys"), in_scope["journeys"], default=in_scope["journeys"],
                                        format_func=journeys.get, key=f"waves_quota_journeys_{plan_wave}")
        quota_channels = st.multiselect(_("Channels"), in_scope["channels"], format_func=channels.get,
                                        key=f"waves_quota_channels_{plan_wave}")
        count_column, slot_column, due_column = st.columns(3)
        per_cell = count_column.number_input(_("Contacts per cell"), min_value=1, max_value=MAX_PLANNED_PER_LINE,
                                             value=2, step=1, key=f"waves_quota_count_{plan_wave}")
        slot = slot_column.selectbox(_("Time slot"), list(slots), format_func=slots.get,
                                     key=f"waves_quota_slot_{plan_wave}")
        due_on: date | None = due_column.date_input(_("Due date"), value=None, key=f"waves_quota_due_{plan_wave}")
        if st.form_submit_button(_("Add to plan"), type="primary"):
            chosen = {"all": None, "chosen": quota_locations, "brand": []}[where]
            run_plan_action(engine, lambda s: fill_quota(
                session=s, actor=user, wave_id=plan_wave, brand_ids=quota_brands, location_ids=chosen,
                journey_ids=quota_journeys, channel_ids=quota_channels, per_cell=int(per_cell), time_slot=slot,
                due_on=due_on))

if plan.empty:
    st.info(_("This wave has no plan yet."), icon=":material/info:")
else:
    st.dataframe(plan_table(plan), hide_index=True, width="stretch")
    st.caption(_("{lines}, {planned} planned contacts, {assigned} assigned, {done} done").format(
        lines=ngettext("{n} plan line", "{n} plan lines", len(plan)).format(n=number(len(plan))),
        planned=number(int(plan["quantity"].sum())), assigned=number(int(plan["assigned"].sum())),
        done=number(int(plan["done"].sum()))))
    if not closed[plan_wave]:
        lines = {int(r.line_id): r for r in plan.itertuples(index=False)}
        line_id = st.selectbox(_("Plan line"), list(lines), format_func=lambda i: line_label(lines[i]),
                               key=f"waves_line_{plan_wave}")
        line = lines[line_id]
        with st.form(f"waves_line_form_{line_id}"):
            count_column, slot_column, due_column = st.columns(3)
            quantity = count_column.number_input(_("Planned contacts"), min_value=1, max_value=MAX_PLANNED_PER_LINE,
                                                 value=int(line.quantity), step=1, key=f"waves_line_count_{line_id}")
            line_slot = slot_column.selectbox(_("Time slot"), list(slots), index=list(slots).index(line.time_slot),
                                              format_func=slots.get, key=f"waves_line_slot_{line_id}")
            line_due = due_column.date_input(_("Due date"), value=as_day(line.due_on),
                                             key=f"waves_line_due_{line_id}")
            if st.form_submit_button(_("Save line")):
                run_action(engine, lambda s: set_line(session=s, actor=user, line_id=line_id, quantity=int(quantity),
                                                      time_slot=line_slot, due_on=line_due),
                           _("Plan line saved."))
        if st.button(_("Delete line"), key=f"waves_line_delete_{line_id}"):
            run_action(engine, lambda s: delete_line(session=s, actor=user, line_id=line_id), _("Plan line deleted."))

st.download_button(_("Download the plan (CSV)"), plan_file, file_name=f"plan-{plan_wave}.csv", mime="text/csv",
                   key="waves_plan_download", icon=":material/download:")
if not closed[plan_wave]:
    upload = st.file_uploader(_("Upload a plan file (CSV or XLSX)"), type=["csv", "xlsx"], key="waves_plan_upload",
                              help=_("Columns `wave`, `brand`, `location`, `journey`, `channel`, `quantity`, `time_slot`, "
                                     "`due_on`: each row sets one plan line; all rows or none (`docs/interchange.md`)."))
    if upload is not None and st.button(_("Import plan file"), key="waves_plan_import"):
        import_upload(engine, user, upload)
