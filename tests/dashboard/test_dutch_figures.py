"""The manager's figures in Dutch (issue 16): the Dashboard, Consistency, Trends and Explore pages,
their charts, the printable brand report and ``klantreis report`` speak the user's language.

Each page runs in AppTest with `KLANTREIS_LANGUAGE=nl` (the installation's default, which a page
run without a stored or browser language follows). What is checked is the pages' own part (the
main area, not the sidebar's filter bar): Dutch headings, no common English word, numbers with a
decimal comma, and charts whose spec carries the Dutch number and time formats and Dutch titles.
"""

import io
import json
import re

import pandas as pd
import pyarrow as pa
import pytest
from typer.testing import CliRunner

from journeys.language import use_language
from tests.dashboard.test_dashboard_pages import AS_OF, _page, demo_app, demo_database  # noqa: F401 - fixtures
from tests.figures.collect import visible_text
from tests.shown import shown
from ui import charts
from ui.dashboard_view import p_value_text, sample_note

# Common English words of these pages that must not be left in Dutch (whole words, any case);
# "Score" is a Dutch word too, so only its capitalised English heading form counts.
# ("contact" is Dutch as well: only the plural is English)
ENGLISH = re.compile(r"\b(channels?|waves?|brands?|contacts|response|consistency|quality|median|answered|"
                     r"unanswered|share|points|too few|export|pick|group by|ranking|rank|journey|location|"
                     r"report|target|hour|time)\b", re.IGNORECASE)
ENGLISH_CASED = re.compile(r"\b(Score|Response time|Consistency|Contacts)\b")
DECIMAL_COMMA = re.compile(r"\d,\d")


@pytest.fixture
def dutch(demo_app, monkeypatch):  # noqa: F811
    monkeypatch.setenv("KLANTREIS_LANGUAGE", "nl")
    return demo_app


def _chart_titles(spec) -> list[str]:
    """Every axis, legend and tooltip title of a Vega-Lite spec."""
    found = []

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "title" and isinstance(value, str):
                    found.append(value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk({k: v for k, v in spec.items() if k not in ("datasets", "data")})
    return found


def _specs(at) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("vega_lite_chart")]


def _main_texts(at) -> list[str]:
    """What a person reads in the page's main area: headings, captions, texts, tiles, widget
    labels and options, tab labels, dataframe column headers, chart titles."""
    main = at.main
    texts = [shown(e.value) for kind in ("title", "subheader", "caption", "markdown", "info", "warning")
             for e in main.get(kind)]
    for metric in main.get("metric"):
        texts += [metric.label, metric.value, metric.proto.help]
    for kind in ("selectbox", "segmented_control", "toggle", "button", "download_button", "multiselect"):
        for widget in main.get(kind):
            texts += [widget.proto.label, widget.proto.help]
            texts += [getattr(o, "content", o) for o in getattr(widget.proto, "options", [])]
    texts += [tab.proto.label for tab in main.get("tab")]
    for frame in main.get("dataframe"):
        config = json.loads(frame.proto.columns or "{}")
        labels = {name: (c.get("label") or name) for name, c in config.items() if name != "_index"}
        texts += [labels.get(str(column), str(column)) for column in frame.value.columns]
    for spec in _specs(at):
        texts += _chart_titles(spec)
    return [str(t) for t in texts if t]


def _english_left(texts: list[str]) -> list[str]:
    return [t for t in texts if ENGLISH.search(t) or ENGLISH_CASED.search(t)]


def _assert_dutch_charts(at, titles: set[str]):
    specs = _specs(at)
    assert specs
    for spec in specs:
        assert spec["config"]["locale"]["number"]["decimal"] == ","
        assert spec["config"]["locale"]["number"]["thousands"] == "."
        assert spec["config"]["locale"]["time"]["shortDays"][1] == "ma"
    found = {t for spec in specs for t in _chart_titles(spec)}
    assert titles <= found, found


def test_dashboard_in_dutch(dutch):
    at = _page("dashboard")
    assert at.title[0].value == "Dashboard"
    assert [s.value for s in at.main.subheader] == ["Kwaliteit per kanaal", "Tijd tot eerste reactie",
                                               "Aandeel beantwoord naar tijd sinds het contact"]
    tiles = {m.label: m.value for m in at.metric}
    assert set(tiles) == {"Kwaliteit", "Consistentie", "Bereikbaarheid", "Op tijd", "Eerste reactie"}
    assert re.fullmatch(r"\d+,\d", tiles["Kwaliteit"]), tiles  # 54,7, not 54.7
    assert any(c.value.startswith("Cijfers op 2026-10-01 14:00 (Europe/Amsterdam)") for c in at.caption)
    assert any("gescoorde contacten" in c.value for c in at.caption)
    assert _english_left(_main_texts(at)) == []
    _assert_dutch_charts(at, {"Gemiddelde kwaliteit (0–100) met 95%-betrouwbaarheidsinterval",
                              "Tijd tot eerste reactie (logaritmische schaal)", "Aandeel beantwoord", "Kanaal",
                              "kanaal", "onbeantwoord"})
    response_times = _specs(at)[1]
    assert any("'1 uur'" in layer["encoding"]["x"].get("axis", {}).get("labelExpr", "")
               for layer in response_times["layer"])


def test_dashboard_delta_and_small_samples_in_dutch(dutch):
    at = _page("dashboard", flt_brands=["Koopklik"], flt_waves=["2026-Q3"])
    quality = next(m for m in at.metric if m.label == "Kwaliteit")
    assert re.fullmatch(r"[+-]\d+,\d", quality.proto.delta), quality.proto.delta
    assert any("verandering t.o.v. 2026-Q2 (n = " in shown(c.value) for c in at.caption)
    response = next(m for m in at.metric if m.label == "Bereikbaarheid")
    assert response.proto.delta.endswith(" %-punt")


def test_consistency_in_dutch(dutch):
    at = _page("consistency")
    assert at.title[0].value == "Consistentie over de kanalen"
    assert _english_left(_main_texts(at)) == []
    summary = at.dataframe[0].value
    assert all(re.fullmatch(r"< 0,001|[01],\d{3}|–", str(v)) for v in summary["kruskal_p"])
    assert all(re.fullmatch(r"\d+,\d|–", str(v)) for v in summary["channel_gap"]), summary["channel_gap"]
    config = json.loads(at.dataframe[0].proto.columns)
    assert config["consistency_index"]["label"] == "Consistentie-index"
    assert config["best_channel"]["label"] == "Beste kanaal"
    assert any("p onder 0,05" in c.value for c in at.caption)
    _assert_dutch_charts(at, {"Behaalde punten", "criterium", "kanaal", "merk"})


def test_trends_in_dutch(dutch):
    at = _page("trends")
    assert at.title[0].value == "Trends en uren"
    assert _english_left(_main_texts(at)) == []
    assert list(at.segmented_control(key="trend_series").options) == ["Kanaal", "Merk"]
    assert at.segmented_control(key="trend_series").value == "channel"  # the value stays the key
    _assert_dutch_charts(at, {"Meetronde", "Kanaal", "Gemiddelde kwaliteit", "Startuur (lokale tijd)"})
    days = set()
    for chart in at.get("vega_lite_chart"):
        for named in chart.proto.datasets:
            frame = pa.ipc.open_stream(io.BytesIO(named.data.data)).read_all().to_pandas()
            if "day" in frame:
                days |= set(frame["day"])
    assert days and days <= {"ma", "di", "wo", "do", "vr", "za", "zo"}, days


def test_explore_and_the_brand_report_in_dutch(dutch):
    at = _page("explore")
    assert at.title[0].value == "Verkennen en exporteren"
    assert _english_left(_main_texts(at)) == []
    listing = at.dataframe[0].value
    assert {"contact", "eerste reactie", "antwoord juist"} <= set(listing.columns)
    assert at.selectbox(key="report_wave").options[0] == "alle meetrondes"
    assert at.selectbox(key="report_wave").value == "all waves"  # the value stays
    # AppTest formats the selectboxes' values again in the test's own thread: in its language
    with use_language("nl"):
        at.selectbox(key="report_brand").set_value("Koopklik")
        at.selectbox(key="report_wave").set_value("all waves")
        at.button(key="report_build").click().run()
    assert not at.exception, at.exception
    page = at.session_state["report_html"][2]
    assert "<html lang='nl'>" in page
    text = visible_text(page)
    assert any(line.startswith("Omvat elk contact van merk Koopklik, alle meetrondes") for line in text)
    assert "Kwaliteit" in text and "Bereikbaarheid" in text and "Mediaan eerste reactie" in text
    header = next(line for line in text if " | " in line)
    assert header == ("kanaal | contacten | bereikbaarheid % | mediaan eerste reactie (KM) | op tijd % | n gescoord"
                      " | kwaliteit | juist % | doorverwezen %")
    rows = [line for line in text if " | " in line][1:]
    assert rows and all(DECIMAL_COMMA.search(row) for row in rows)
    assert not [line for line in text if ENGLISH_CASED.search(line) or re.search(r"\b(Quality|Response|channel)\b", line)]
    svg = page.split("<svg", 1)[1]
    assert "Gemiddelde kwaliteit (0–100)" in svg  # the chart's axis title, drawn by vl-convert


def test_report_command_prints_dutch_in_a_table_and_english_in_csv(dutch):
    runner = CliRunner()
    from cli.main import app

    table = runner.invoke(app, ["--language", "nl", "report", "--by", "channel", "--as-of", AS_OF.isoformat()])
    assert table.exit_code == 0, table.output
    assert "Kanaalcijfers per kanaal op" in table.output
    assert "bereikbaarheid" in table.output and "response rate" not in table.output
    assert re.search(r"\d,\d%", table.output)  # a rate: "87,5%"
    csv = runner.invoke(app, ["--language", "nl", "report", "--by", "channel", "--as-of", AS_OF.isoformat(),
                              "--format", "csv"])
    assert csv.output.splitlines()[0].startswith("channel,contacts,responded,response_rate")
    assert re.match(r"\w+,\d+,\d+,\d\.\d+,", csv.output.splitlines()[1])  # plain numbers, a decimal point
    consistency = runner.invoke(app, ["--language", "nl", "report", "consistency", "--as-of", AS_OF.isoformat()])
    assert consistency.exit_code == 0, consistency.output
    assert "Consistentie per merk op" in consistency.output and "De kanalen waarop het berust" in consistency.output


def test_texts_built_from_figures_follow_the_language():
    table = pd.DataFrame({"channel": ["Telefoon", "E-mail"], "contacts": [1234, 3], "insufficient": [False, True]})
    with use_language("nl"):
        assert p_value_text(0.04736) == "0,047" and p_value_text(0.0001) == "< 0,001"
        assert shown(sample_note(table, "channel", "contacts")) == (
            "n = 1.237 contacten. Te weinig contacten (< 5) voor E-mail: grijs getoond, niet om te vergelijken.")
    assert p_value_text(0.04736) == "0.047"
    assert sample_note(table, "channel", "contacts").startswith("n = 1,237 contacts. Too few contacts (< 5)")


def test_every_chart_gets_the_locale_of_the_language_and_stays_valid():
    frame = pd.DataFrame({"wave": ["2026-Q3"], "channel": ["Telefoon"], "mean_quality": [54.9], "n": [10]})
    with use_language("nl"):
        spec = charts.localized(charts.trend_by_wave(frame, "mean_quality", "Gemiddelde kwaliteit")).to_dict(
            validate=True)
        assert spec["config"]["locale"] == charts.VEGA_LOCALES["nl"]
        assert spec["encoding"]["x"]["title"] == "Meetronde" and spec["encoding"]["color"]["title"] == "Kanaal"
    english = charts.localized(charts.trend_by_wave(frame, "mean_quality", "Mean quality")).to_dict(validate=True)
    assert english["config"]["locale"]["number"]["decimal"] == "."
    assert english["encoding"]["x"]["title"] == "Wave"


def test_too_few_contacts_says_so_in_dutch(app_env, monkeypatch):
    """With three contacts the tiles say "te weinig" and the caption why, with the threshold."""
    from data import db
    from journeys.demo import seed_demo
    from ui import dashboard_data

    seed_demo(db.get_engine(app_env), contacts=3, seed=2)
    monkeypatch.setattr(dashboard_data, "current_as_of", lambda: AS_OF)
    monkeypatch.setenv("KLANTREIS_LANGUAGE", "nl")
    at = _page("dashboard")
    tiles = {m.label: m.value for m in at.metric}
    assert tiles["Kwaliteit"] == "te weinig" and tiles["Bereikbaarheid"] == "te weinig"
    assert "n = 3 · te weinig contacten (minder dan 5) voor een cijfer" in [c.value for c in at.caption]
