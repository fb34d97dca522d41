"""Dashboard: channel consistency at a glance — tiles, quality per channel, response times."""

import streamlit as st

from journeys.language import _
from ui import charts
from ui.appeals import appeal_note
from ui.dashboard_data import (
    DASHBOARD_FIGURES,
    channel_names,
    display_channels,
    figures_together,
    filtered_contacts,
    scored_data,
)
from ui.dashboard_view import as_of_text, kpi_tiles, plan_coverage_line, release_line, sample_note
from ui.filters import filter_bar
from ui.resources import get_engine
from ui.session import require_page

user = require_page(__file__)
engine = get_engine()
flt = filter_bar(engine, actor=user)
data = scored_data(engine)
contacts = filtered_contacts(data, flt)

st.title(_("Dashboard"), anchor=False)
st.caption(_("Figures as of {moment} · open contacts count as unanswered until then.").format(
    moment=as_of_text(data["as_of"])))
release_line(data, flt)
plan_coverage_line(engine, data, flt)
appeal_note(engine, data, flt)
if contacts.empty:
    st.info(_("No contacts match these filters."), icon=":material/filter_alt_off:")
    st.stop()

headline, by_channel, response_times, survival = figures_together(data, flt, *DASHBOARD_FIGURES)
kpi_tiles(data, contacts, flt, headline)
names = channel_names(engine)
by_channel, response_times, survival = (display_channels(t, names) for t in (by_channel, response_times, survival))

left, right = st.columns(2)
with left:
    st.subheader(_("Quality per channel"), anchor=False)
    st.caption(sample_note(by_channel, "channel", "scored") + " " + _("Bars: {level} interval.").format(level=charts.interval_level()))
    charts.show(charts.quality_by_group(by_channel, "channel"))
with right:
    st.subheader(_("Time to first response"), anchor=False)
    st.caption(
        _("Box: middle half of answered contacts; tick: their median; black diamond: Kaplan–Meier median "
          "counting unanswered contacts; orange: the channel's target.") + " "
        + sample_note(by_channel, "channel", "contacts")
    )
    charts.show(charts.response_times(response_times))

st.subheader(_("Share answered over time since the contact"), anchor=False)
st.caption(_("Kaplan–Meier curves: contacts still waiting are censored at the as-of time, never dropped; "
             "channels with too few contacts are dashed.") + " "
           + sample_note(by_channel, "channel", "contacts"))
charts.show(charts.survival_curves(survival))
