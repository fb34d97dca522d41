"""Consistency: does each brand give the same experience on every channel, and where does it differ?"""

import streamlit as st

from journeys.language import N_, _, ngettext, number
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
from ui.dashboard_view import (
    group_name,
    has_regions,
    localized_cells,
    p_value_text,
    plan_coverage_line,
    release_line,
    sample_note,
)
from ui.filters import filter_bar
from ui.resources import get_engine
from ui.session import require_page

user = require_page(__file__)
engine = get_engine()
flt = filter_bar(engine, actor=user)
data = scored_data(engine)
contacts = filtered_contacts(data, flt)

# The scopes to compare channels within: the option (its English label, also its value) → the grouping.
LEVELS = {N_("Brand"): ["brand"], N_("Brand × journey"): ["brand", "journey"],
          N_("Brand × journey × wave"): ["brand", "journey", "wave"]}
RANKS = {"brand": N_("Brand"), "region": N_("Region"), "location": N_("Location")}  # the ranking's option → its label
if not has_regions(data):
    RANKS.pop("region")  # no location has a region: brand → location
# The table's columns named by a word, named in the language (the others are codes, shown by their
# column_config label); in English each reads as its key.
WORD_COLUMNS = {"brand": N_("brand"), "journey": N_("journey"), "wave": N_("wave"), "channels": N_("channels")}

st.title(_("Consistency across channels"), anchor=False)
st.caption(
    _("The same question should get the same correct answer on every channel, at a speed that fits the channel. "
      "Index = mean of score parity, answer agreement and timing against each channel's own norm (docs/scoring.md).")
)
release_line(data, flt)
plan_coverage_line(engine, data, flt)
if contacts.empty:
    st.info(_("No contacts match these filters."), icon=":material/filter_alt_off:")
    st.stop()

level = st.segmented_control(
    _("Compare channels within"), list(LEVELS), default="Brand", key="cons_level", format_func=_,
)
by = LEVELS[level or "Brand"]
names = channel_names(engine)
summary = display_channels(figure(data, flt, consistency_table, AS_OF, by), names,
                           "best_channel", "worst_channel", "slowest_channel")
for p_column in ("kruskal_p", "chi2_p"):
    if p_column in summary:
        summary[p_column] = summary[p_column].map(p_value_text)
# Numbers with decimals as the language writes them ("0,8" in Dutch; English keeps numeric cells).
summary, as_text = localized_cells(summary, {"channel_gap": 1, "answer_agreement": "%", "timing_on_norm": "%"})
column = {key: _(WORD_COLUMNS.get(key, key)) for key in summary.columns}
summary = summary.rename(columns=column)


def _number_column(label: str, column: str, fmt: str):
    if column in as_text:
        return st.column_config.TextColumn(label)
    return st.column_config.NumberColumn(label, format=fmt)


st.dataframe(
    summary, hide_index=True, width="stretch",
    column_config={
        column.get("brand", "brand"): st.column_config.TextColumn(_("Brand"), width="medium"),
        column.get("journey", "journey"): st.column_config.TextColumn(_("Journey"), width="medium"),
        column.get("wave", "wave"): _("Wave"),
        "consistency_index": st.column_config.ProgressColumn(_("Consistency index"), min_value=0, max_value=100,
                                                             format="%.0f"),
        "best_channel": _("Best channel"), "worst_channel": _("Worst channel"),
        "slowest_channel": _("Slowest channel"),
        column.get("channels", "channels"): _("Channels"), "insufficient_channels": _("Channels with too few contacts"),
        "kruskal_n": _("n scored"), "chi2_n": _("n contacts"),
        "channel_gap": _number_column(_("Channel gap (points)"), "channel_gap", "%.1f"),
        "answer_agreement": _number_column(_("Answer agreement"), "answer_agreement", "percent"),
        "consistent_all_channels": st.column_config.CheckboxColumn(_("Correct on all channels")),
        "timing_on_norm": _number_column(_("Weakest channel within its target"), "timing_on_norm", "percent"),
        "kruskal_p": st.column_config.TextColumn(_("Quality differs by chance? p")),
        "chi2_p": st.column_config.TextColumn(_("Response differs by chance? p")),
    },
)
st.caption(_("p below {p}: the channel differences are larger than chance alone would give, for the n shown. "
             "Rows with too few contacts on a channel say so in 'insufficient channels'.").format(p=number(0.05, 2)))

st.subheader(_("Where the experience differs: criterion × channel"), anchor=False)
cells = display_channels(figure(data, flt, criterion_channel_table, ITEM_SCORES), names)
if cells.empty:
    st.info(_("No checklist answers for these contacts."))
else:
    answers = int(cells["n"].sum())
    st.caption(ngettext("Share of points earned per checklist item and channel (N/A left out); items sorted by "
                        "their spread between channels. n = {n} answer; hover a cell for its n.",
                        "Share of points earned per checklist item and channel (N/A left out); items sorted by "
                        "their spread between channels. n = {n} answers; hover a cell for its n.",
                        answers).format(n=number(answers)))
    charts.show(charts.criterion_channel_heatmap(cells))

st.subheader(_("Ranking"), anchor=False)
rank_by = st.segmented_control(_("Rank"), list(RANKS), default="brand", key="cons_rank",
                               format_func=lambda key: _(RANKS[key]))
rank_by = rank_by if rank_by in RANKS else "brand"
ranking = figure(data, flt, metrics_table, (rank_by,)).sort_values("mean_quality", ascending=False)
if rank_by == "region":
    ranking = ranking.assign(region=ranking["region"].map(lambda v: group_name("region", v)))
st.caption(sample_note(ranking, rank_by, "scored") + " " + _("Bars: {level} interval.").format(level=charts.interval_level()))
charts.show(charts.quality_by_group(ranking, rank_by))
