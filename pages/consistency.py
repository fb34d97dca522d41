"""Consistency: does each brand give the same experience on every channel, and where does it differ?"""

import streamlit as st

from journeys.wording import counted
from scoring.consistency import consistency_table
from scoring.criterion_channel import criterion_channel_table
from scoring.metrics import metrics_table
from ui import charts
from ui.dashboard_data import (
    AS_OF,
    ITEM_SCORES,
    channel_names,
    display_channels,
    figure,
    filtered_contacts,
    scored_data,
)
from ui.dashboard_view import p_value_text, sample_note
from ui.filters import filter_bar
from ui.resources import get_engine
from ui.session import require_page

require_page(__file__)
engine = get_engine()
flt = filter_bar(engine)
data = scored_data(engine)
contacts = filtered_contacts(data, flt)

st.title("Consistency across channels", anchor=False)
st.caption(
    "The same question should get the same correct answer on every channel, at a speed that fits the channel. "
    "Index = mean of score parity, answer agreement and timing against each channel's own norm (docs/scoring.md)."
)
if contacts.empty:
    st.info("No contacts match these filters.", icon=":material/filter_alt_off:")
    st.stop()

level = st.segmented_control(
    "Compare channels within", ["Brand", "Brand × journey", "Brand × journey × wave"],
    default="Brand", key="cons_level",
)
by = {"Brand": ["brand"], "Brand × journey": ["brand", "journey"],
      "Brand × journey × wave": ["brand", "journey", "wave"]}[level or "Brand"]
names = channel_names(engine)
summary = display_channels(figure(data, flt, consistency_table, AS_OF, by), names,
                           "best_channel", "worst_channel", "slowest_channel")
for p_column in ("kruskal_p", "chi2_p"):
    if p_column in summary:
        summary[p_column] = summary[p_column].map(p_value_text)
st.dataframe(
    summary, hide_index=True, width="stretch",
    column_config={
        "brand": st.column_config.TextColumn("Brand", width="medium"),
        "journey": st.column_config.TextColumn("Journey", width="medium"), "wave": "Wave",
        "consistency_index": st.column_config.ProgressColumn("Consistency index", min_value=0, max_value=100, format="%.0f"),
        "best_channel": "Best channel", "worst_channel": "Worst channel", "slowest_channel": "Slowest channel",
        "channels": "Channels", "insufficient_channels": "Channels with too few contacts",
        "kruskal_n": "n scored", "chi2_n": "n contacts",
        "channel_gap": st.column_config.NumberColumn("Channel gap (points)", format="%.1f"),
        "answer_agreement": st.column_config.NumberColumn("Answer agreement", format="percent"),
        "consistent_all_channels": st.column_config.CheckboxColumn("Correct on all channels"),
        "timing_on_norm": st.column_config.NumberColumn("Weakest channel within its target", format="percent"),
        "kruskal_p": st.column_config.TextColumn("Quality differs by chance? p"),
        "chi2_p": st.column_config.TextColumn("Response differs by chance? p"),
    },
)
st.caption("p below 0.05: the channel differences are larger than chance alone would give, for the n shown. "
           "Rows with too few contacts on a channel say so in 'insufficient channels'.")

st.subheader("Where the experience differs: criterion × channel", anchor=False)
cells = display_channels(figure(data, flt, criterion_channel_table, ITEM_SCORES), names)
if cells.empty:
    st.info("No checklist answers for these contacts.")
else:
    st.caption(f"Share of points earned per checklist item and channel (N/A left out); items sorted by their "
               f"spread between channels. n = {counted(int(cells['n'].sum()), 'answer')}; hover a cell for its n.")
    charts.show(charts.criterion_channel_heatmap(cells))

st.subheader("Ranking", anchor=False)
rank_by = st.segmented_control("Rank", ["brand", "location"], default="brand", key="cons_rank",
                               format_func=str.title)
ranking = figure(data, flt, metrics_table, (rank_by or "brand",)).sort_values("mean_quality", ascending=False)
st.caption(sample_note(ranking, rank_by or "brand", "scored") + " Bars: 95 % interval.")
charts.show(charts.quality_by_group(ranking, rank_by or "brand"))
