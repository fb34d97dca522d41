"""Trends and hours: how each channel changes per wave, and when (weekday × hour) service slips."""

import streamlit as st

from journeys.local_time import LOCAL_ZONE_NAME
from journeys.wording import counted
from scoring.metrics import MIN_CONTACTS, metrics_table
from ui import charts
from ui.dashboard_data import channel_names, display_channels, figure, filtered_contacts, scored_data
from ui.filters import filter_bar
from ui.resources import get_engine
from ui.session import require_page

require_page(__file__)
engine = get_engine()
flt = filter_bar(engine)
data = scored_data(engine)
contacts = filtered_contacts(data, flt)

st.title("Trends and hours", anchor=False)
if contacts.empty:
    st.info("No contacts match these filters.", icon=":material/filter_alt_off:")
    st.stop()

series = st.segmented_control("Lines per", ["channel", "brand"], default="channel", key="trend_series",
                              format_func=str.title) or "channel"
per_wave = figure(data, flt, metrics_table, ("wave", series)).dropna(subset=["wave"])
per_wave = per_wave[~per_wave["insufficient"]].assign(n=lambda t: t["contacts"],
                                                      response_pct=lambda t: 100 * t["response_rate"])
per_wave = display_channels(per_wave, channel_names(engine))
left, right = st.columns(2)
with left:
    st.subheader("Mean quality per wave", anchor=False)
    charts.show(charts.trend_by_wave(per_wave, "mean_quality", "Mean quality", series))
with right:
    st.subheader("Response rate per wave (%)", anchor=False)
    charts.show(charts.trend_by_wave(per_wave, "response_pct", "Response rate %", series))
st.caption(f"n = {counted(int(per_wave['n'].sum()), 'contact')}; points with fewer than {MIN_CONTACTS} contacts are left out. "
           "Hover a point for its n.")

st.subheader("When service slips: weekday × hour the contact was made", anchor=False)
grid = figure(data, flt, metrics_table, ("weekday", "hour"))
grid = grid.assign(n=grid["contacts"], median_minutes=grid["km_median_first_response_s"] / 60)
shown = grid[~grid["insufficient"]]
st.caption(f"Local time ({LOCAL_ZONE_NAME}). n = {counted(int(grid['n'].sum()), 'contact')}; "
           f"{counted(int(grid['insufficient'].sum()), 'cell')} with fewer than {MIN_CONTACTS} contacts are left blank. "
           "Median first response: Kaplan–Meier, unanswered contacts count as still waiting.")
left, right = st.columns(2)
with left:
    charts.show(charts.weekday_hour_heatmap(shown, "response_rate", "Response rate", ".0%"))
with right:
    charts.show(charts.weekday_hour_heatmap(shown, "median_minutes", "Median first response (min)", ".0f",
                                            log=True))
