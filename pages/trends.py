"""Trends and hours: how each channel changes per wave, and when (weekday × hour) service slips."""

import streamlit as st

from journeys.language import N_, _, ngettext, number
from journeys.local_time import LOCAL_ZONE_NAME
from scoring.metrics import MIN_CONTACTS, metrics_table
from ui import charts
from ui.appeals import appeal_note
from ui.dashboard_data import (
    channel_names,
    closed_waves,
    display_channels,
    figure,
    filtered_contacts,
    open_waves,
    scored_data,
)
from ui.dashboard_view import plan_coverage_line, release_line
from ui.filters import filter_bar
from ui.resources import get_engine
from ui.session import require_page
from ui.text import as_plain_text

user = require_page(__file__)
engine = get_engine()
flt = filter_bar(engine, actor=user)
data = scored_data(engine)
contacts = filtered_contacts(data, flt)

SERIES = {"channel": N_("Channel"), "brand": N_("Brand")}  # the option's key → its label

st.title(_("Trends and hours"), anchor=False)
release_line(data, flt)
plan_coverage_line(engine, data, flt)
appeal_note(engine, data, flt)
if contacts.empty:
    st.info(_("No contacts match these filters."), icon=":material/filter_alt_off:")
    st.stop()

series = st.segmented_control(_("Lines per"), list(SERIES), default="channel", key="trend_series",
                              format_func=lambda key: _(SERIES[key])) or "channel"
per_wave = figure(data, flt, metrics_table, ("wave", series)).dropna(subset=["wave"])
per_wave = per_wave[~per_wave["insufficient"]].assign(n=lambda t: t["contacts"],
                                                      response_pct=lambda t: 100 * t["response_rate"])
per_wave = display_channels(per_wave, channel_names(engine))
left, right = st.columns(2)
with left:
    st.subheader(_("Mean quality per wave"), anchor=False)
    charts.show(charts.trend_by_wave(per_wave, "mean_quality", _("Mean quality"), series))
with right:
    st.subheader(_("Response rate per wave (%)"), anchor=False)
    charts.show(charts.trend_by_wave(per_wave, "response_pct", _("Response rate %"), series))
total = int(per_wave["n"].sum())
st.caption(ngettext("n = {n} contact; points with fewer than {min} contacts are left out. Hover a point for its n.",
                    "n = {n} contacts; points with fewer than {min} contacts are left out. Hover a point for its n.",
                    total).format(n=number(total), min=number(MIN_CONTACTS)))
closed = closed_waves(engine)
still_open = open_waves(per_wave["wave"].unique(), closed)
if still_open:  # a closed wave's figures are final; an open one's can still change
    st.caption(ngettext("Provisional figures: wave {waves} is still open.",
                        "Provisional figures: waves {waves} are still open.", len(still_open)).format(
        waves=", ".join(as_plain_text(w) for w in still_open)))
elif len(per_wave):
    st.caption(_("Final: every wave shown is closed."))

st.subheader(_("When service slips: weekday × hour the contact was made"), anchor=False)
grid = figure(data, flt, metrics_table, ("weekday", "hour"))
grid = grid.assign(n=grid["contacts"], median_minutes=grid["km_median_first_response_s"] / 60)
shown = grid[~grid["insufficient"]]
total, blank = int(grid["n"].sum()), int(grid["insufficient"].sum())
st.caption(_("Local time ({zone}). n = {contacts}; {cells} with fewer than {min} contacts are left blank.").format(
    zone=LOCAL_ZONE_NAME, contacts=ngettext("{n} contact", "{n} contacts", total).format(n=number(total)),
    cells=ngettext("{n} cell", "{n} cells", blank).format(n=number(blank)), min=number(MIN_CONTACTS))
    + " " + _("Median first response: Kaplan–Meier, unanswered contacts count as still waiting."))
left, right = st.columns(2)
with left:
    charts.show(charts.weekday_hour_heatmap(shown, "response_rate", _("Response rate"), ".0%"))
with right:
    charts.show(charts.weekday_hour_heatmap(shown, "median_minutes", _("Median first response (min)"), ".0f",
                                            log=True))
