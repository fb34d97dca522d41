"""What a manager reads on the analysis pages and the brand report (issue 15, items 2, 9, 10, 11, 14).

- the brand report applies only the brand and wave chosen for it and says so on its face,
  whatever the sidebar filters hold;
- a channel reads by its display name ("E-mail", "Web chat") on every page, chart and filter;
- times read in local time with the zone named; response-time axes have human duration ticks
  and a domain cut to the data; p-values, percentages and counts read as a person writes them.
"""

import io
import json
import re

import pandas as pd
import pyarrow as pa
import pytest

from data import db
from data.db import read_scope
from journeys.catalogue.reference import channel_display_name, channel_display_names
from journeys.wording import counted
from scoring.metrics import metrics_table
from tests.dashboard.test_dashboard_pages import AS_OF, _page, demo_app, demo_database  # noqa: F401 - fixtures
from tests.figures.collect import visible_text
from tests.shown import shown
from ui import charts, dashboard_data
from ui.dashboard_view import as_of_text, p_value_text

KEYS = {"email", "webchat", "twitter"}  # channel keys whose display names differ from them
NAMES = {"E-mail", "Web chat", "Twitter/X"}


def _datasets(at) -> list[pd.DataFrame]:
    frames = []
    for chart in at.get("vega_lite_chart"):
        for named in chart.proto.datasets:
            frames.append(pa.ipc.open_stream(io.BytesIO(named.data.data)).read_all().to_pandas())
    return frames


def _chart_channels(at) -> set[str]:
    return {str(v) for frame in _datasets(at) if "channel" in frame for v in frame["channel"]}


def _report_table(page: str) -> pd.DataFrame:
    """The report's channel table as read (the visible text of its rows)."""
    rows = [line.split(" | ") for line in visible_text(page) if " | " in line]
    header, *body = rows
    table = pd.DataFrame(body, columns=header)
    for column in ("contacts", "response %", "on time %", "n scored", "quality"):
        if column in table:
            table[column] = pd.to_numeric(table[column].str.replace(",", ""), errors="coerce")
    return table


def _build_report(at, brand: str, wave: str) -> str:
    at.selectbox(key="report_brand").set_value(brand)
    at.selectbox(key="report_wave").set_value(wave)
    at.button(key="report_build").click().run()
    assert not at.exception, at.exception
    built_brand, built_wave, page = at.session_state["report_html"]
    assert (built_brand, built_wave) == (brand, wave)
    return page


# ---------------------------------------------------------------- item 2: the brand report


def test_brand_report_ignores_the_sidebar_and_states_what_it_covers(demo_app):  # noqa: F811
    """With Channel = phone and Brand = Koopklik in the sidebar, the report form still offers
    every brand, and the Koopklik report holds every channel and says what it covers."""
    at = _page("explore", flt_channels=["phone"], flt_brands=["Koopklik"])
    everything = dashboard_data.scored_data(db.get_engine(demo_app))["contacts"]
    all_brands = sorted(everything["brand"].dropna().astype(str).unique())
    assert list(at.selectbox(key="report_brand").options) == all_brands
    assert len(all_brands) > 1
    assert "2026-Q3" in at.selectbox(key="report_wave").options
    assert any("sidebar filters do not apply" in shown(c.value) for c in at.caption)

    page = _build_report(at, "Koopklik", "2026-Q3")
    assert "Covers every contact of brand Koopklik, wave 2026-Q3: all channels, journeys, locations and dates" in page
    assert "sidebar filters do not apply" in page
    expected = metrics_table(everything[(everything["brand"] == "Koopklik") & (everything["wave"] == "2026-Q3")],
                             ["channel"])
    assert len(expected) > 1
    names = dashboard_data.channel_names(db.get_engine(demo_app))
    table = _report_table(page)
    assert sorted(table["channel"]) == sorted(names[c] for c in expected["channel"].astype(str))
    assert table["contacts"].sum() == expected["contacts"].sum()  # phone alone would be far fewer


def test_brand_report_percentages_have_one_decimal_and_local_time(demo_app):  # noqa: F811
    """'response %' reads 89.8 for 89.77 % (not 90.0); the as-of time is local, the zone named."""
    at = _page("explore")
    page = _build_report(at, "Koopklik", "all waves")
    everything = dashboard_data.scored_data(db.get_engine(demo_app))["contacts"]
    expected = metrics_table(everything[everything["brand"] == "Koopklik"], ["channel"])
    table = _report_table(page)
    shown_rates = sorted(table["response %"].round(1))
    assert shown_rates == sorted((100 * expected["response_rate"]).round(1))
    assert any(rate != round(rate) for rate in shown_rates)  # a rate that whole numbers would round off
    assert "n scored" in table.columns
    assert as_of_text(AS_OF) in page and "UTC" not in page


# ---------------------------------------------------------------- item 9: channel names


def test_channel_display_names_come_from_the_labels(demo_app):  # noqa: F811
    with read_scope(db.get_engine(demo_app)) as session:
        names = channel_display_names(session=session)
    assert names["email"] == "E-mail" and names["webchat"] == "Web chat" and names["twitter"] == "Twitter/X"
    assert channel_display_name("fax", "") == "fax" and channel_display_name("fax", " Fax ") == "Fax"


def test_dashboard_reads_channels_by_their_names(demo_app):  # noqa: F811
    at = _page("dashboard")
    channels = _chart_channels(at)
    assert NAMES <= channels and not channels & KEYS
    flt = at.multiselect(key="flt_channels")
    assert {"E-mail", "Web chat"} <= set(flt.options) and not set(flt.options) & KEYS


def test_the_channel_filter_keeps_keys_as_values(demo_app):  # noqa: F811
    """Choosing "Web chat" in the filter filters on the key: the page shows only web chat."""
    at = _page("explore", flt_channels=["webchat"])
    assert at.multiselect(key="flt_channels").value == ["webchat"]
    assert any("channel: Web chat" in shown(c.value) for c in at.caption)
    assert set(at.dataframe[0].value["channel"]) == {"Web chat"}


def test_consistency_and_trends_read_channels_by_their_names(demo_app):  # noqa: F811
    at = _page("consistency")
    summary = at.dataframe[0].value
    shown_channels = set(summary[["best_channel", "worst_channel", "slowest_channel"]].stack().astype(str))
    assert shown_channels and not shown_channels & KEYS
    assert shown_channels <= set(dashboard_data.channel_names(db.get_engine(demo_app)).values())
    heatmap = _chart_channels(at)
    assert NAMES <= heatmap and not heatmap & KEYS
    trends = _chart_channels(_page("trends"))
    assert NAMES <= trends and not trends & KEYS


# ---------------------------------------------------------------- item 10: times


def test_dashboard_states_its_as_of_time_in_local_time(demo_app):  # noqa: F811
    at = _page("dashboard")
    caption = next(c.value for c in at.caption if c.value.startswith("Figures as of"))
    assert caption.startswith("Figures as of 2026-10-01 14:00 (Europe/Amsterdam)")
    assert "UTC" not in caption


# ---------------------------------------------------------------- item 11: duration axes


def test_duration_ticks_cover_the_data_and_no_more():
    assert charts.duration_ticks(12, 190_892) == [
        (10, "10 s"), (30, "30 s"), (60, "1 min"), (300, "5 min"), (900, "15 min"), (3600, "1 h"),
        (14400, "4 h"), (86400, "1 d"), (604800, "1 wk")]
    assert charts.duration_ticks(0, 0.5) == [(1, "1 s")]
    assert charts.duration_ticks(30, 30) == [(30, "30 s")]
    assert charts.duration_ticks(5, 10**12)[-1] == charts.DURATION_TICKS[-1]


def test_duration_label_expr_names_each_tick():
    expr = charts.duration_label_expr([(30, "30 s"), (300, "5 min")])
    assert expr == "datum.value == 30 ? '30 s' : datum.value == 300 ? '5 min' : ''"


def _layers(spec: dict) -> list[dict]:
    return spec.get("layer", [spec])


def test_response_time_chart_has_human_ticks_and_a_domain_cut_to_the_data():
    frame = pd.DataFrame({"channel": ["Phone", "E-mail"], "p10": [12.0, 3000.0], "p25": [20.0, 9000.0],
                          "p50": [40.0, 15000.0], "p75": [60.0, 30000.0], "p90": [90.0, 190_000.0],
                          "km_median": [45.0, 16000.0], "target": [20.0, 14400.0], "n": [30, 30],
                          "unanswered": [0, 2], "insufficient": [False, False]})
    spec = charts.response_times(frame).to_dict()
    x = next(layer["encoding"]["x"] for layer in _layers(spec) if "axis" in layer["encoding"]["x"])
    assert x["scale"]["type"] == "log" and x["scale"]["domain"] == [10, 604800]
    assert x["axis"]["values"] == [10, 30, 60, 300, 900, 3600, 14400, 86400, 604800]
    assert "'1 wk'" in x["axis"]["labelExpr"] and "seconds" not in x["axis"]["title"]


def test_survival_axis_stops_where_the_curves_stop_changing():
    """Open contacts censored months later keep the curves flat to 10⁷ s: the axis ends at the last change."""
    frame = pd.DataFrame({"channel": ["Phone"] * 3 + ["E-mail"] * 3,
                          "seconds": [5.0, 60.0, 19_687_465.0, 600.0, 20_000.0, 19_687_465.0],
                          "share_answered": [0.5, 0.9, 0.9, 0.2, 0.8, 0.8], "n": [10] * 6,
                          "insufficient": [False] * 6})
    spec = charts.survival_curves(frame).to_dict()
    x = spec["encoding"]["x"]
    assert x["scale"]["domain"] == [1, 86400]
    assert x["axis"]["values"][-1] == 86400 and x["scale"]["clamp"] is True


# ---------------------------------------------------------------- item 14: smaller display fixes


def test_trend_legend_lists_every_series_with_its_own_colour():
    frame = pd.DataFrame({"wave": ["2026-Q3"] * 11, "channel": [f"channel {i}" for i in range(11)],
                          "mean_quality": range(11), "n": [10] * 11})
    spec = charts.trend_by_wave(frame, "mean_quality", "Mean quality").to_dict()
    color = spec["encoding"]["color"]
    assert color["legend"]["symbolLimit"] == 0 and color["legend"]["orient"] == "bottom"
    assert len(set(color["scale"]["range"])) >= 11  # a colour of its own for each of the eleven
    assert spec["height"] >= 300 + 4 * charts.LEGEND_ROW_HEIGHT  # room for the plot and four legend rows


def test_heatmap_labels_are_not_cut_short():
    frame = pd.DataFrame({"criterion": ["A very long criterion name that goes on and on"], "channel": ["Web chat"],
                          "score": [0.5], "n": [10], "spread": [0.1]})
    encoding = charts.criterion_channel_heatmap(frame).to_dict()["encoding"]
    assert encoding["y"]["axis"]["labelLimit"] >= 300 and encoding["x"]["axis"]["labelLimit"] >= 300
    assert encoding["x"]["axis"]["labelOverlap"] is False  # every channel named, none dropped for room


def test_heatmap_criterion_labels_hold_the_whole_text(demo_app):  # noqa: F811
    """The criterion labels are not cut at 50 characters: the chart shortens them visibly (…)."""
    at = _page("consistency")
    labels = [str(v) for frame in _datasets(at) if "criterion" in frame for v in frame["criterion"]]
    assert any(len(label.split(" · ", 1)[1]) > 50 for label in labels)


@pytest.mark.parametrize("p, text", [(4.51e-8, "< 0.001"), (0.0009, "< 0.001"), (0.001, "0.001"),
                                     (0.04736, "0.047"), (0.72734767, "0.727"), (float("nan"), "–"), (None, "–")])
def test_p_value_text(p, text):
    assert p_value_text(p) == text


def test_consistency_table_shows_p_values_as_text_and_names_in_full(demo_app):  # noqa: F811
    at = _page("consistency")
    summary = at.dataframe[0].value
    for column in ("kruskal_p", "chi2_p"):
        assert all(re.fullmatch(r"< 0\.001|[01]\.\d{3}|–", str(v)) for v in summary[column]), summary[column]
    config = json.loads(at.dataframe[0].proto.columns)
    assert config["brand"]["width"] == "medium"


def test_counts_agree_with_their_number():
    assert counted(1, "row") == "1 row" and counted(2, "row") == "2 rows"
    assert counted(1, "scored contact") == "1 scored contact"
    assert counted(1234, "contact") == "1,234 contacts"


def test_explore_says_one_row_not_one_rows(demo_app):  # noqa: F811
    at = _page("explore", flt_brands=["Koopklik"], flt_channels=["phone"])
    metrics = next(m.value for m in at.markdown if m.value.startswith("**Metrics per brand and channel**"))
    assert "(1 row," in metrics
