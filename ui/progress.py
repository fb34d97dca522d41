"""The widgets of the Fieldwork progress page (``pages/progress.py``): the wave to show, the
headline, the plain word on a short quota, the tables per group and the burn-up chart.

The figures are ``journeys.fieldwork.progress``'s; this module only words and draws them. The
chart is given one row per day and line (``progress.burn_up``), never the planned contacts.
"""

import altair as alt
import pandas as pd
import streamlit as st

from journeys.fieldwork import progress
from journeys.fieldwork.progress import ProgressCounts, WaveProgress
from journeys.language import N_, _, day_text, ngettext, number, percent
from journeys.models import Wave
from ui import charts
from ui.navigation import PAGES
from ui.text import as_plain_text

WAVE_KEY = "progress_wave"
# The page where a wave's fieldwork is planned (written beside this one); linked when it is registered.
PLAN_PAGE_TITLE = N_("Waves and plan")

# The tabs of tables, in order: the group column and its tab label.
GROUP_TABS: tuple[tuple[str, str], ...] = (
    ("brand", N_("Per brand")), ("channel", N_("Per channel")), ("region", N_("Per region")),
    ("location", N_("Per location")), ("journey", N_("Per journey")), ("auditor", N_("Per auditor")),
)
GROUP_HEADINGS = {"brand": N_("Brand"), "channel": N_("Channel"), "region": N_("Region"),
                  "location": N_("Location"), "journey": N_("Journey"), "auditor": N_("Auditor")}
COUNT_HEADINGS = {"planned": N_("Planned"), "done": N_("Done"), "started": N_("Started"),
                  "overdue": N_("Overdue"), "unassigned": N_("Not assigned"), "share_done": N_("Share done")}
SERIES = {"planned": N_("Planned (due by this day)"), "done": N_("Done")}
PLANNED_COLOR, DONE_COLOR = "#b8b8b8", charts.MAIN_COLOR


def wave_label(wave: Wave) -> str:
    """A wave as the select shows it: its name (literal), "final" when closed."""
    name = as_plain_text(wave.name)
    return _("{wave} (final)").format(wave=name) if wave.closed_at is not None else name


def choose_wave(waves: list[Wave], today) -> Wave:
    """The wave select; it opens on the running wave, else the latest."""
    by_id = {w.id: w for w in waves}
    default = progress.default_progress_wave(waves, today)
    ids = list(by_id)
    index = ids.index(default.id) if default is not None else 0
    chosen = st.selectbox(_("Wave"), ids, index=index, key=WAVE_KEY, format_func=lambda i: wave_label(by_id[i]))
    return by_id[chosen if chosen in by_id else ids[index]]


def headline_text(totals: ProgressCounts) -> str:
    """ "1 of 12 planned contacts done · 3 overdue · 2 not assigned"."""
    parts = [
        ngettext("{done} of {planned} planned contact done", "{done} of {planned} planned contacts done",
                 totals.planned).format(done=number(totals.done), planned=number(totals.planned)),
        ngettext("{n} overdue", "{n} overdue", totals.overdue).format(n=number(totals.overdue)),
        ngettext("{n} not assigned", "{n} not assigned", totals.unassigned).format(n=number(totals.unassigned)),
    ]
    return " · ".join(parts)


def completeness_text(totals: ProgressCounts) -> str:
    """Whether the wave's fieldwork is complete, plainly: never complete while the quota is short."""
    if totals.complete:
        return ngettext("Fieldwork is complete: the {planned} planned contact is done.",
                        "Fieldwork is complete: all {planned} planned contacts are done.",
                        totals.planned).format(planned=number(totals.planned))
    return ngettext("Fieldwork is not complete: {done} of {planned} planned contact done",
                    "Fieldwork is not complete: {done} of {planned} planned contacts done",
                    totals.planned).format(done=number(totals.done), planned=number(totals.planned))


def show_empty_plan() -> None:
    """No planned contacts: say so, and where a wave's fieldwork is planned."""
    st.info(_("No fieldwork planned for this wave yet. Plan it on the page '{page}' (Study).").format(
        page=_(PLAN_PAGE_TITLE)), icon=":material/event_busy:")
    plan_page = next((p for p in PAGES if p.title == PLAN_PAGE_TITLE), None)
    if plan_page is not None:
        try:
            st.page_link(plan_page.path, label=_(plan_page.title), icon=plan_page.icon)
        except Exception:  # noqa: BLE001 - outside the navigation frame (a page run on its own) there is no link target
            pass


def show_status(result: WaveProgress) -> None:
    """The headline, the final label of a closed wave and the word on completeness."""
    totals = result.totals
    st.subheader(headline_text(totals), anchor=False)
    if result.final:
        st.caption(_("Final figures: this wave was closed on {day}.").format(day=day_text(result.wave.closed_at)))
    else:
        st.caption(_("As of {day}. A planned contact is done once its contact is logged; overdue: not done and "
                     "its due date has passed.").format(day=day_text(result.today)))
    if totals.complete:
        st.success(completeness_text(totals), icon=":material/task_alt:")
    else:
        st.warning(completeness_text(totals), icon=":material/pending_actions:")


def group_table(frame: pd.DataFrame, by: str) -> pd.DataFrame:
    """The table of one group as a person reads it: translated headings, share done in percent."""
    table = progress.progress_by(frame, by, missing=progress.missing_labels())
    table = progress.with_totals_row(table, by, label=_("Total"))
    table["share_done"] = table["share_done"].map(lambda share: percent(share))
    return table.rename(columns={by: _(GROUP_HEADINGS[by]), **{c: _(t) for c, t in COUNT_HEADINGS.items()}})


def show_group_tables(frame: pd.DataFrame) -> None:
    """One tab per group (brand, channel, region, location, journey, auditor), each a table with n."""
    tabs = st.tabs([_(label) for _by, label in GROUP_TABS])
    for tab, (by, _label) in zip(tabs, GROUP_TABS, strict=True):
        with tab:
            # st.dataframe shows names as typed (no Markdown), so the data needs no escaping here.
            st.dataframe(group_table(frame, by), hide_index=True, width="stretch")
    st.caption(_("Planned is each row's n; share done = done / planned. Each planned contact counts as done, "
                 "started, overdue or not assigned (or none of these: still to do), never twice."))


def burn_up_chart(days: pd.DataFrame) -> alt.Chart:
    """Cumulative done against the planned line, one point per day and line (``progress.burn_up``)."""
    long = days.melt(id_vars="day", value_vars=["planned", "done"], var_name="series", value_name="contacts")
    long = long.dropna(subset=["contacts"])
    long["day"] = pd.to_datetime(long["day"])
    long["line"] = long["series"].map(lambda s: _(SERIES[s]))
    order = [_(SERIES["planned"]), _(SERIES["done"])]
    return alt.Chart(long).mark_line(point=True, interpolate="step-after").encode(
        x=alt.X("day:T", title=_("Day"), axis=alt.Axis(format="%d %b")),
        y=alt.Y("contacts:Q", title=_("Planned contacts (cumulative)"), axis=alt.Axis(format=",d")),
        color=alt.Color("line:N", title=None, scale=alt.Scale(domain=order, range=[PLANNED_COLOR, DONE_COLOR]),
                        legend=alt.Legend(orient="bottom")),
        tooltip=[alt.Tooltip("day:T", title=_("Day"), format="%a %d %b"),
                 alt.Tooltip("line:N", title=_("Line")),
                 alt.Tooltip("contacts:Q", title=_("Contacts"), format=",d")],
    ).properties(height=320)


def show_burn_up(result: WaveProgress) -> None:
    """The burn-up over the wave's days, or why there is none."""
    st.subheader(_("Burn-up"), anchor=False)
    span = progress.burn_up_span(result.wave.starts_on, result.wave.ends_on, result.frame)
    if span is None:
        st.info(_("This wave has no start and end date, and no planned contact has a due date: no days to draw."),
                icon=":material/calendar_today:")
        return
    days = progress.burn_up(result.frame, span[0], span[1], result.today)
    charts.show(burn_up_chart(days))
    st.caption(_("Per day from {start} to {end}: the contacts done by then (the local day each was completed) "
                 "against those due by then (without a due date: on the last day). n = {n}.").format(
        start=day_text(days["day"].iloc[0]), end=day_text(days["day"].iloc[-1]),
        n=ngettext("{n} planned contact", "{n} planned contacts", result.totals.planned).format(
            n=number(result.totals.planned))))
