"""Fieldwork progress (managers, admins): a wave's planned contacts against those done, overdue and
not assigned, per brand, channel, region, location, journey and auditor, with a burn-up over its days."""

import streamlit as st

from data.db import read_scope
from journeys.catalogue.reference import channel_display_names
from journeys.fieldwork.planned import local_today
from journeys.fieldwork.progress import progress_waves, wave_progress
from journeys.language import _
from ui import progress as view
from ui.resources import get_engine
from ui.session import require_page

user = require_page(__file__)
engine = get_engine()
today = local_today()

st.title(_("Fieldwork progress"), anchor=False)
with read_scope(engine) as session:
    waves = progress_waves(session=session, actor=user)
if not waves:
    st.info(_("No waves yet."), icon=":material/event_busy:")
    view.show_empty_plan()
    st.stop()

wave = view.choose_wave(waves, today)
with read_scope(engine) as session:
    result = wave_progress(session=session, actor=user, wave_id=wave.id, today=today)
    names = channel_display_names(session=session)

if result.frame.empty:
    view.show_empty_plan()
    st.stop()

frame = result.frame.assign(channel=result.frame["channel"].map(lambda key: names.get(key, key)))
view.show_status(result)
view.show_group_tables(frame)
view.show_burn_up(result)
