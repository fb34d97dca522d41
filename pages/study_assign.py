"""Assign fieldwork (planners): a wave's planned contacts to auditors, automatically after a
preview or by hand; the auditors' channels, regions and absences; the rotation lockout."""

import streamlit as st

from data.db import read_scope
from journeys.fieldwork import assignments as service
from journeys.fieldwork.planned import local_today
from journeys.language import _
from ui import assigning
from ui.actions import show_notice
from ui.resources import get_engine
from ui.session import require_page
from ui.text import as_plain_text

user = require_page(__file__)
engine = get_engine()

st.title(_("Assign fieldwork"), anchor=False)
show_notice()
assigning.show_warnings()

with read_scope(engine) as session:
    waves = service.assignable_waves(session=session, actor=user)
if not waves:
    st.info(_("There are no waves yet: create a wave and its fieldwork plan first."), icon=":material/info:")
    st.stop()

by_id = {w.id: w for w in waves}
wave = by_id[st.selectbox(_("Wave"), list(by_id), format_func=lambda i: as_plain_text(by_id[i].name),
                          key="assign_wave")]

with read_scope(engine) as session:
    planned = service.wave_planned(session=session, actor=user, wave_id=wave.id, today=local_today())
    profiles = service.auditor_profiles(session=session, actor=user)
    profile_frame = service.auditor_profiles_frame(session=session, actor=user, wave_id=wave.id)
    channel_names = service.channel_options(session=session, actor=user)
    regions = service.location_regions(session=session, actor=user)
    lockout = service.get_lockout(session=session)

assigning.show_counts(planned)
if wave.closed_at is not None:
    st.info(_("This wave is closed: its assignments can no longer change."), icon=":material/lock:")
elif planned.empty:
    st.info(_("This wave has no planned contacts yet: make its fieldwork plan first."), icon=":material/info:")

automatic_tab, hand_tab, auditors_tab, lockout_tab = st.tabs(
    [_("Automatic"), _("By hand"), _("Auditors"), _("Rotation lockout")])
with automatic_tab:
    if wave.closed_at is None and not planned.empty:
        assigning.automatic(engine, user, wave)
with hand_tab:
    if wave.closed_at is None and not planned.empty:
        assigning.by_hand(engine, user, wave, planned, profiles)
with auditors_tab:
    assigning.profiles_table(profile_frame)
    assigning.profile_editor(engine, user, profiles, channel_names, regions)
with lockout_tab:
    assigning.lockout_editor(engine, user, lockout)
