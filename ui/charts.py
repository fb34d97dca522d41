"""Altair charts for the dashboards. Every function takes an already aggregated frame, the table
of a ``scoring/`` figure function (named in each docstring); nothing here computes a figure.

Streamlit serialises the whole frame handed to a chart and sends it to the browser, so these
functions are given a few rows per channel or cell, never raw contacts. Each chart's
tooltip carries the exact figure and the n it rests on.

Channel names: the pages hand these functions tables whose ``channel`` column already holds
the display names (``ui.dashboard_data.display_channels``), so axes, legends and tooltips read
"Web chat", never the key "webchat". Durations on a log axis get human ticks ("30 s", "5 min",
"1 h", "1 d", "1 wk") from ``duration_ticks`` and a domain cut to the data (``duration_axis``).

Language: titles, legends and tooltips are in the current language (``journeys.language``), and
``localized`` gives every chart the language's number and time formats (Vega-Lite's
`config.locale`: "54,9" and "1.234" in Dutch); ``show`` and the brand report's SVG apply it,
so no chart is drawn without it.
"""

import math

import altair as alt
import pandas as pd
import streamlit as st

from journeys.language import N_, _, current_language, current_locale, pgettext
from journeys.local_time import duration

WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]  # English; ``weekday_names`` for the language
INSUFFICIENT_COLOR = "#b8b8b8"
MAIN_COLOR = "#0f6e6e"
LABEL_LIMIT = 360  # px: long criterion and channel names in full (Vega-Lite cuts at 180 px by default)
# One distinct colour per line for every built-in channel and two more (Vega's tableau10 and the
# Streamlit theme's palette have ten; none of these is the grey of too few contacts).
SERIES_COLORS = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
                 "#9c755f", "#1f3b73", "#6b8e23", "#d37295"]
TREND_LEGEND_COLUMNS = 3  # half-width charts
SURVIVAL_LEGEND_COLUMNS = 5  # full width
LEGEND_ROW_HEIGHT = 30  # px per legend row in Streamlit's theme
LEGEND_TITLE_HEIGHT = 40
TARGET_COLOR = "#c2410c"
# A group column as a tooltip names it, and as a legend's title names its lines (translated where shown).
GROUP_TITLES = {"channel": N_("channel"), "brand": N_("brand"), "region": N_("region"), "location": N_("location"),
                "journey": N_("journey"), "wave": N_("wave")}
SERIES_TITLES = {"channel": N_("Channel"), "brand": N_("Brand"), "region": N_("Region"), "location": N_("Location")}


# Tick marks of a log-scaled duration axis: seconds and how they read.
# The texts are messages (``N_``), translated where the axis is drawn (``duration_axis``).
DURATION_TICKS: tuple[tuple[int, str], ...] = (
    (1, N_("1 s")), (10, N_("10 s")), (30, N_("30 s")), (60, N_("1 min")), (5 * 60, N_("5 min")),
    (15 * 60, N_("15 min")), (3600, N_("1 h")), (4 * 3600, N_("4 h")), (86400, N_("1 d")),
    (7 * 86400, N_("1 wk")), (28 * 86400, N_("4 wk")), (182 * 86400, N_("26 wk")), (365 * 86400, N_("1 yr")),
    (5 * 365 * 86400, N_("5 yr")),
)

# Vega-Lite's number and time formats per language (d3-format and d3-time-format locales, as
# d3 ships them for nl-NL and en-US): decimal comma and day and month names in Dutch.
VEGA_LOCALES: dict[str, dict] = {
    "nl": {
        "number": {"decimal": ",", "thousands": ".", "grouping": [3], "currency": ["€\u00a0", ""]},
        "time": {
            "dateTime": "%a %e %B %Y %X", "date": "%d-%m-%Y", "time": "%H:%M:%S", "periods": ["AM", "PM"],
            "days": ["zondag", "maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag"],
            "shortDays": ["zo", "ma", "di", "wo", "do", "vr", "za"],
            "months": ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
                       "oktober", "november", "december"],
            "shortMonths": ["jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"],
        },
    },
    "en": {
        "number": {"decimal": ".", "thousands": ",", "grouping": [3], "currency": ["$", ""]},
        "time": {
            "dateTime": "%x, %X %p", "date": "%-m/%-d/%Y", "time": "%-I:%M:%S %p", "periods": ["AM", "PM"],
            "days": ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"],
            "shortDays": ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"],
            "months": ["January", "February", "March", "April", "May", "June", "July", "August", "September",
                       "October", "November", "December"],
            "shortMonths": ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
        },
    },
}



def interval_level() -> str:
    """The confidence level of the figures' intervals as the current language writes it beside
    the word ("95 % interval", "95%-betrouwbaarheidsinterval"). A message of its own, so that no
    catalog message holds a bare "%", which gettext's tools would take for a printf placeholder."""
    return pgettext("confidence level", "95 %")

def vega_locale(language: str | None = None) -> dict:
    """The Vega-Lite `config.locale` of ``language`` (default: the current one)."""
    return VEGA_LOCALES.get(language or current_language(), VEGA_LOCALES["en"])


def localized(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    """``chart`` with the current language's number and time formats (`config.locale`): every
    ``format`` of an axis, legend or tooltip then writes "54,9" in Dutch and "54.9" in English."""
    return chart.configure(locale=vega_locale())


def weekday_names() -> list[str]:
    """Monday to Sunday, abbreviated in the current language ("Mon" / "ma")."""
    names = current_locale().days["format"]["abbreviated"]
    return [str(names[i]).rstrip(".") for i in range(7)]


def duration_ticks(low: float, high: float) -> list[tuple[int, str]]:
    """The ``DURATION_TICKS`` an axis from ``low`` to ``high`` seconds shows: from the last tick at
    or below ``low`` to the first at or above ``high`` (so the data sits inside them)."""
    low, high = max(float(low), 1.0), max(float(high), 1.0)
    seconds = [t for t, _text in DURATION_TICKS]
    first = max((i for i, t in enumerate(seconds) if t <= low), default=0)
    last = min((i for i, t in enumerate(seconds) if t >= high), default=len(seconds) - 1)
    return list(DURATION_TICKS[first:last + 1])


def duration_label_expr(ticks: list[tuple[int, str]]) -> str:
    """A Vega ``labelExpr`` that shows each tick's text ("5 min") for its value in seconds."""
    expr = "''"
    for value, text in reversed(ticks):
        text = text.replace("\\", "\\\\").replace("'", "\\'")
        expr = f"datum.value == {value} ? '{text}' : {expr}"
    return expr


def duration_axis(values, title: str) -> tuple[alt.Scale, alt.Axis]:
    """A log scale cut to the positive, finite ``values`` (seconds) and an axis with human
    duration ticks (``duration_ticks``); zeros are drawn at the left edge (clamped)."""
    shown = [float(v) for v in values if v is not None and math.isfinite(float(v)) and float(v) > 0]
    ticks = duration_ticks(min(shown), max(shown)) if shown else duration_ticks(1, 3600)
    ticks = [(seconds, _(text)) for seconds, text in ticks]
    scale = alt.Scale(type="log", domain=[ticks[0][0], ticks[-1][0]], clamp=True)
    axis = alt.Axis(values=[t for t, _text in ticks], labelExpr=duration_label_expr(ticks), title=title,
                    labelOverlap=True)
    return scale, axis


def show(chart: alt.TopLevelMixin) -> None:
    """Render a chart full width in the current language's formats (``localized``), without
    Altair's JSON-schema validation of the spec.

    Validation (``to_dict(validate=True)``, which Streamlit calls) costs about 0.1 s per page
    for our layered charts: a large share of a filter-change rerun. The chart builders here are
    fixed code whose specs the test suite validates (tests/dashboard/test_charts.py), so the
    pages skip it.
    """
    chart = localized(chart)
    to_dict = chart.to_dict
    # Altair schema objects route attribute writes into the spec; set the method on the object itself.
    object.__setattr__(chart, "to_dict", lambda *args, **kwargs: to_dict(*args, **{**kwargs, "validate": False}))
    st.altair_chart(chart, width="stretch")


def with_duration_labels(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    """Copy of ``frame`` with a human-readable ``<column>_label`` beside each seconds column."""
    frame = frame.copy()
    for column in columns:
        frame[f"{column}_label"] = frame[column].map(duration)
    return frame


def quality_by_group(frame: pd.DataFrame, group: str = "channel") -> alt.Chart:
    """Mean quality per group with its 95 % interval; groups with too few contacts in grey.

    Expects: ``group, mean_quality, mean_quality_ci_low, mean_quality_ci_high, scored, insufficient``
    (a ``scoring.metrics.metrics_table``).
    """
    frame = frame[[group, "mean_quality", "mean_quality_ci_low", "mean_quality_ci_high", "scored", "insufficient"]].copy()
    frame[group] = frame[group].astype(str)
    frame["insufficient"] = frame["insufficient"].astype(bool)
    frame["n_label"] = "n=" + frame["scored"].astype(int).astype(str)
    base = alt.Chart(frame).encode(
        y=alt.Y(f"{group}:N", sort="-x", title=None),
        tooltip=[
            alt.Tooltip(f"{group}:N", title=_(GROUP_TITLES.get(group, group))),
            alt.Tooltip("mean_quality:Q", format=".1f", title=_("mean quality")),
            alt.Tooltip("mean_quality_ci_low:Q", format=".1f", title=_("95% CI low")),
            alt.Tooltip("mean_quality_ci_high:Q", format=".1f", title=_("95% CI high")),
            alt.Tooltip("scored:Q", title=_("n scored")),
        ],
    )
    color = alt.condition(alt.datum.insufficient, alt.value(INSUFFICIENT_COLOR), alt.value(MAIN_COLOR))
    points = base.mark_point(filled=True, size=90).encode(
        x=alt.X("mean_quality:Q", title=_("Mean quality (0–100) with {level} interval").format(level=interval_level()), scale=alt.Scale(domain=[0, 100])),
        color=color,
    )
    bars = base.mark_rule(strokeWidth=2).encode(x="mean_quality_ci_low:Q", x2="mean_quality_ci_high:Q", color=color)
    labels = base.mark_text(align="left", dx=8, dy=-8, fontSize=11, color="#555").encode(
        x="mean_quality:Q", text=alt.Text("n_label:N")
    )
    return (bars + points + labels).properties(height=alt.Step(28))


def response_times(frame: pd.DataFrame) -> alt.Chart:
    """First-response spread per channel on a log scale, with each channel's target marked.

    Expects per channel: ``p10, p25, p50, p75, p90`` (seconds, answered contacts),
    ``km_median`` (Kaplan–Meier median incl. unanswered), ``target`` (seconds), ``n``,
    ``unanswered``, ``insufficient`` (too few contacts: drawn in grey): a
    ``scoring.response_times.response_time_table``.
    """
    frame = with_duration_labels(frame, "p50", "km_median", "target")
    frame["insufficient"] = frame["insufficient"].astype(bool)
    log_x, axis = duration_axis(pd.concat([frame[c] for c in ("p10", "p90", "km_median", "target")]).tolist(),
                                _("Time to first response (log scale)"))
    base = alt.Chart(frame).encode(
        y=alt.Y("channel:N", title=None, sort=alt.EncodingSortField("p50", order="ascending")),
        tooltip=[
            alt.Tooltip("channel:N", title=_("channel")),
            alt.Tooltip("p50_label:N", title=_("median (answered)")),
            alt.Tooltip("km_median_label:N", title=_("Kaplan–Meier median (all)")),
            alt.Tooltip("target_label:N", title=_("target")),
            alt.Tooltip("n:Q", title=_("contacts")),
            alt.Tooltip("unanswered:Q", title=_("unanswered")),
        ],
    )
    def unless_thin(colour: str):
        return alt.condition(alt.datum.insufficient, alt.value(INSUFFICIENT_COLOR), alt.value(colour))

    whisker = base.mark_rule().encode(
        x=alt.X("p10:Q", scale=log_x, axis=axis), x2="p90:Q",
        color=unless_thin("#7a9e9e"),
    )
    box = base.mark_bar(size=14).encode(x=alt.X("p25:Q", scale=log_x), x2="p75:Q", color=unless_thin("#9cc9c9"))
    median = base.mark_tick(thickness=3, size=18).encode(x=alt.X("p50:Q", scale=log_x), color=unless_thin(MAIN_COLOR))
    km = base.mark_point(shape="diamond", color="#1f2937", filled=True, size=60).encode(
        x=alt.X("km_median:Q", scale=log_x)
    )
    target = base.mark_tick(color=TARGET_COLOR, thickness=2, size=26).encode(x=alt.X("target:Q", scale=log_x))
    return (whisker + box + median + km + target).properties(height=alt.Step(30))


def survival_curves(frame: pd.DataFrame) -> alt.Chart:
    """Share answered by time since the contact (Kaplan–Meier), one line per channel.

    Expects: ``channel, seconds, share_answered, n, insufficient`` with a few dozen points per
    channel (``scoring.response_times.survival_table``); channels with too few contacts are drawn
    dashed and faint.
    """
    frame = with_duration_labels(frame, "seconds")
    frame["insufficient"] = frame["insufficient"].astype(bool)
    scale, axis = duration_axis(_until_last_change(frame), _("Time since contact (log scale)"))
    return (
        alt.Chart(frame)
        .mark_line(interpolate="step-after", clip=True)
        .encode(
            x=alt.X("seconds:Q", scale=scale, axis=axis),
            y=alt.Y("share_answered:Q", axis=alt.Axis(format="%"), title=_("Share answered"), scale=alt.Scale(domain=[0, 1])),
            color=alt.Color("channel:N", title=_("Channel"), scale=alt.Scale(range=SERIES_COLORS),
                            legend=_all_series_legend(SURVIVAL_LEGEND_COLUMNS)),
            opacity=alt.condition(alt.datum.insufficient, alt.value(0.4), alt.value(1.0)),
            strokeDash=alt.condition(alt.datum.insufficient, alt.value([4, 3]), alt.value([1, 0])),
            tooltip=[
                alt.Tooltip("channel:N", title=_("channel")),
                alt.Tooltip("seconds_label:N", title=_("after")),
                alt.Tooltip("share_answered:Q", format=".0%", title=_("answered")),
                alt.Tooltip("n:Q", title=_("contacts")),
            ],
        )
        .properties(height=_with_legend_room(320, frame["channel"].nunique(), SURVIVAL_LEGEND_COLUMNS))
    )


def _until_last_change(frame: pd.DataFrame) -> list[float]:
    """The seconds of the survival points up to the last change of any curve: after it every
    line is flat to the as-of time (open contacts censored), which need not stretch the axis."""
    if frame.empty:
        return []
    ordered = frame.sort_values(["channel", "seconds"])
    changed = ordered.groupby("channel", observed=True)["share_answered"].diff().fillna(1).ne(0)
    last = ordered.loc[changed, "seconds"].max()
    return ordered.loc[ordered["seconds"] <= last, "seconds"].tolist()


def weekday_hour_heatmap(frame: pd.DataFrame, value: str, title: str, fmt: str, log: bool = False) -> alt.Chart:
    """A weekday × hour grid of one measure; cells with too few contacts are left blank.

    Expects: ``weekday`` (0=Mon), ``hour``, ``n`` and the ``value`` column (from a
    ``scoring.metrics.metrics_table`` by weekday and hour).
    """
    frame = frame.copy()
    days = weekday_names()
    frame["day"] = frame["weekday"].map(dict(enumerate(days)))
    return (
        alt.Chart(frame)
        .mark_rect()
        .encode(
            x=alt.X("hour:O", title=_("Hour started (local time)")),
            y=alt.Y("day:N", sort=days, title=None),
            color=alt.Color(f"{value}:Q", title=title, legend=alt.Legend(format=fmt),
                            scale=alt.Scale(scheme="tealblues", type="log" if log else "linear")),
            tooltip=[alt.Tooltip("day:N", title=_("day")), alt.Tooltip("hour:O", title=_("hour")),
                     alt.Tooltip(f"{value}:Q", format=fmt, title=title), alt.Tooltip("n:Q", title=_("contacts"))],
        )
        .properties(height=220)
    )


def criterion_channel_heatmap(frame: pd.DataFrame) -> alt.Chart:
    """Share of points earned per criterion and channel: where the experience differs.

    Expects: ``criterion`` (label), ``channel``, ``score`` (0–1), ``n``, ``spread`` (for sorting):
    a ``scoring.criterion_channel.criterion_channel_table``.
    """
    return (
        alt.Chart(frame)
        .mark_rect()
        .encode(
            x=alt.X("channel:N", title=None, axis=alt.Axis(labelLimit=LABEL_LIMIT, labelAngle=-45,
                                                            labelOverlap=False)),
            y=alt.Y("criterion:N", title=None, sort=alt.EncodingSortField("spread", order="descending"),
                    axis=alt.Axis(labelLimit=LABEL_LIMIT)),
            color=alt.Color("score:Q", title=_("Points earned"), scale=alt.Scale(domain=[0, 1], scheme="redyellowgreen"),
                            legend=alt.Legend(format="%")),
            tooltip=[alt.Tooltip("criterion:N", title=_("criterion")), alt.Tooltip("channel:N", title=_("channel")),
                     alt.Tooltip("score:Q", format=".0%", title=_("points earned")),
                     alt.Tooltip("n:Q", title=_("answers"))],
        )
        .properties(height=alt.Step(22))
    )


def _all_series_legend(columns: int) -> alt.Legend:
    """A legend that lists every series: below the chart in ``columns`` columns, never shortened
    (``symbolLimit`` 0) and with names in full.

    Beside a 300 px chart, Streamlit's theme spaces legend rows so widely that only nine of ten
    channels fit and the tenth is cut off without a sign (issue 15); below the chart the legend
    grows with the series (``_with_legend_room``)."""
    return alt.Legend(orient="bottom", columns=columns, symbolLimit=0, labelLimit=LABEL_LIMIT)


def _with_legend_room(plot_height: int, series: int, columns: int) -> int:
    """The chart height that leaves ``plot_height`` for the plot above a bottom legend of
    ``series`` entries in ``columns`` columns (Streamlit fits the whole chart, legend included,
    into the height)."""
    return plot_height + LEGEND_TITLE_HEIGHT + LEGEND_ROW_HEIGHT * math.ceil(max(series, 1) / columns)


def trend_by_wave(frame: pd.DataFrame, value: str, title: str, series: str = "channel") -> alt.Chart:
    """One line per channel (or brand) across waves. Expects: ``wave``, ``series``, ``value``, ``n``."""
    return (
        alt.Chart(frame)
        .mark_line(point=True)
        .encode(
            x=alt.X("wave:O", title=_("Wave")),
            y=alt.Y(f"{value}:Q", title=title),
            color=alt.Color(f"{series}:N", title=_(SERIES_TITLES.get(series, series)), scale=alt.Scale(range=SERIES_COLORS),
                            legend=_all_series_legend(TREND_LEGEND_COLUMNS)),
            tooltip=[alt.Tooltip("wave:O", title=_("wave")),
                     alt.Tooltip(f"{series}:N", title=_(GROUP_TITLES.get(series, series))),
                     alt.Tooltip(f"{value}:Q", format=".1f", title=title), alt.Tooltip("n:Q", title=_("contacts"))],
        )
        .properties(height=_with_legend_room(300, frame[series].nunique(), TREND_LEGEND_COLUMNS))
    )
