"""Building blocks of the dashboard pages: tiles, captions, the plan's coverage, what the figures
include (``release_line``), the contact list and the brand report.

Nothing here defines a figure: every number comes from a function of ``scoring/`` (through
``ui.dashboard_data.figure`` on the pages); this module formats and draws it. ``TILES`` says
which ``scoring.headline.HeadlineFigures`` figure each headline tile shows, for the Dashboard
and the brand report alike.

Every text here is in the current language (``journeys.language``): the tiles' labels and help
texts are messages marked with ``N_`` where ``TILES`` is defined and translated where shown;
numbers are written as the language writes them ("54,9", "1.234" in Dutch).
"""

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

import pandas as pd
import streamlit as st

from journeys.actions.items import WORKING as WORKING_ACTIONS
from journeys.fieldwork.coverage import coverage_words
from journeys.fieldwork.frames import ContactFilter
from journeys.language import N_, SOURCE_LANGUAGE, _, current_language, day_text, ngettext, number, percent, pgettext
from journeys.local_time import LOCAL_ZONE, LOCAL_ZONE_NAME, MINUTE, duration, local_column, local_text
from journeys.wording import review_status_label
from scoring.headline import HeadlineFigures, brand_mean_consistency, headline_figures
from scoring.metrics import MIN_CONTACTS, km_median_first_response, metrics_of_timed, metrics_table
from scoring.response_times import response_time_table
from ui import charts
from ui.dashboard_data import (
    AS_OF,
    apply_filter,
    display_channels,
    figure,
    filtered_contacts,
    plan_coverage_of,
    wave_label,
)
from ui.report import ActionsSection, brand_report_html
from ui.text import as_plain_text


def p_value_text(p) -> str:
    """A p-value as read in a table: "< 0.001" below a thousandth, else three decimals ("0.047",
    "0,047" in Dutch); "–" when there is none (too few channels or contacts for a test)."""
    if p is None or p != p:
        return "–"
    return f"< {number(0.001, 3)}" if p < 0.001 else number(p, 3)


def plan_coverage_line(engine, data: dict, flt: ContactFilter) -> str:
    """Under a dashboard page's title: how much of the fieldwork planned for the contacts in view
    is done ("34 of 40 planned contacts · fieldwork not complete", ``coverage_words``); nothing
    when no fieldwork is planned for them. Returns the words shown ("" for none)."""
    coverage = plan_coverage_of(engine, data, flt)
    words = coverage_words(coverage)
    if words:
        icon = ":material/pending_actions:" if coverage.short else ":material/assignment_turned_in:"
        st.caption(f"{icon} {words}")
    return words


def unreleased_count(contacts: pd.DataFrame) -> int:
    """How many of ``contacts`` (a filtered frame) are not yet released to the client."""
    if "released" not in contacts:
        return 0
    return int((~contacts["released"].to_numpy(dtype=bool)).sum())


def release_words(include_unreleased: bool, unreleased: int) -> str:
    """What the figures include, in words: released contacts only, or how many not yet released."""
    if not include_unreleased:
        return _("Released contacts only.")
    return ngettext("Including {n} contact not yet released: the client does not see it.",
                    "Including {n} contacts not yet released: the client does not see them.",
                    unreleased).format(n=number(unreleased))


def release_line(data: dict, flt: ContactFilter) -> str:
    """Under a dashboard page's title: what its figures include (``release_words``) — a caption
    for released contacts only, a warning with the count when the agency includes the others.
    Returns the words shown."""
    if not flt.include_unreleased:
        words = release_words(False, 0)
        st.caption(f":material/verified: {words}")
        return words
    words = release_words(True, unreleased_count(filtered_contacts(data, flt)))
    st.warning(words, icon=":material/pending:")
    return words


NO_REGION = N_("no region")  # the group of contacts at a location without a region (or none)


def has_regions(data: dict) -> bool:
    """Some contact of ``data`` (``ui.dashboard_data.scored_data``) is at a location with a region:
    the pages then offer the region level (brand → region → location)."""
    regions = data["contacts"]["region"]
    values = regions.cat.categories if hasattr(regions, "cat") else regions.unique()
    return any(isinstance(v, str) and v for v in values)


def group_name(level: str, value, names: dict[str, str] | None = None) -> str:
    """A group's value as a page names it: a channel by its display name (``names``), a missing
    region as "no region", anything else as itself."""
    if level == "channel":
        return (names or {}).get(value, value)
    if level == "region" and not value:
        return _(NO_REGION)
    return value


def as_of_text(as_of: datetime) -> str:
    """The moment figures are as of, in local time with the zone named: "2026-11-15 13:00 (Europe/Amsterdam)"."""
    return f"{local_text(as_of, MINUTE)} ({LOCAL_ZONE_NAME})"


def sample_note(table: pd.DataFrame, group: str, n_column: str) -> str:
    """A caption stating the n a chart rests on and which groups have too few contacts (the
    table's ``group`` column as shown: channel display names on the pages)."""
    total = int(table[n_column].sum()) if n_column in table else 0
    thin = table.loc[table["insufficient"].astype(bool)] if "insufficient" in table else table.iloc[0:0]
    if n_column == "scored":
        note = ngettext("n = {n} scored contact.", "n = {n} scored contacts.", total).format(n=number(total))
    else:
        note = ngettext("n = {n} contact.", "n = {n} contacts.", total).format(n=number(total))
    if len(thin):
        names = ", ".join(as_plain_text(v) for v in thin[group].tolist()[:8])
        note += " " + _("Too few contacts (< {min}) for {names}: shown in grey, not to be compared.").format(
            min=number(MIN_CONTACTS), names=names)
    return note


def localized_cells(frame: pd.DataFrame, formats: dict[str, int | str]) -> tuple[pd.DataFrame, set[str]]:
    """``frame`` with the decimal columns of ``formats`` (column → digits, or "%" for a share as a
    whole percentage) written as the current language writes them, and the set of columns so written.

    A dataframe's printf formats ("%.1f") always write a decimal point, so in a language with a
    decimal comma these cells become text ("0,8", "85%"); in English they stay numbers (sortable,
    formatted by the dataframe) and nothing is written."""
    if current_language() == SOURCE_LANGUAGE:
        return frame, set()
    frame = frame.copy()
    written = set()
    for column, digits in formats.items():
        if column in frame:
            frame[column] = frame[column].map(lambda v, d=digits: percent(v, 0) if d == "%" else number(v, d))
            written.add(column)
    return frame, written


def _too_few(n) -> bool:
    return n is None or n < MIN_CONTACTS


def _pct(value) -> str:
    return "–" if value is None or value != value else percent(value, 0)


@dataclass(frozen=True)
class Tile:
    """One headline tile: which figure of ``HeadlineFigures`` it shows, with which n, and how.

    ``defined_by`` is the ``scoring`` function that defines the figure (docs/scoring.md §7), so
    a reader goes from a tile to its definition in one step, past ``headline_figures``, which
    only gathers the five figures. The Dashboard (``kpi_tiles``) and the brand report (``brand_report``) draw the same tiles
    from ``TILES``; only the label differs where the report has room for a longer one.

    ``label``, ``report_label``, ``help`` and ``delta_format`` are messages in English (marked
    with ``N_``), translated where shown (``_(tile.label)``).
    """

    label: str  # on the Dashboard
    report_label: str  # in the printed brand report
    value: Callable[[HeadlineFigures], float]
    n: Callable[[HeadlineFigures], int]  # the n the figure rests on
    text: Callable[[float], str]  # the figure as shown
    help: str
    defined_by: Callable  # the scoring function that defines the figure
    delta_scale: float = 1.0  # change against the previous wave, in the tile's unit
    delta_format: str = "{change}"  # the change with its unit: "{change} pt"
    delta_color: str = "normal"  # "inverse" where lower is better


TILES = (
    Tile(N_("Quality"), N_("Quality"), lambda f: f.quality, lambda f: f.scored, lambda v: number(v, 1),
         N_("Mean final quality score (0–100) of scored contacts, with N/A left out of the denominator."),
         metrics_of_timed),
    Tile(N_("Consistency"), N_("Consistency index"), lambda f: f.consistency, lambda f: f.contacts,
         lambda v: number(v, 0),
         N_("Consistency index, 0–100: score parity between channels, answer agreement and timing against each "
            "channel's own norm (docs/scoring.md). Mean over the brands in view."), brand_mean_consistency),
    Tile(N_("Response rate"), N_("Response rate"), lambda f: f.response_rate, lambda f: f.contacts, _pct,
         N_("Contacts with a first response or a resolution, of all contacts (unanswered ones included)."),
         metrics_of_timed, 100, N_("{change} pt")),
    Tile(N_("On-time rate"), N_("On-time rate"), lambda f: f.on_time_rate, lambda f: f.with_deadline, _pct,
         N_("Of contacts with a resolution deadline, the share not late as of now."), metrics_of_timed, 100,
         N_("{change} pt")),
    Tile(N_("1st response"), N_("Median first response"), lambda f: f.km_median, lambda f: f.contacts, duration,
         N_("Median time to the first response, Kaplan–Meier: unanswered contacts count as still waiting, so the "
            "median is not flattered."), km_median_first_response, 1 / 60, N_("{change} min"), "inverse"),
)


def signed(value: float, digits: int = 1) -> str:
    """A change with its sign, in the current language: "+1.5" / "-0.3" ("+1,5" in Dutch)."""
    sign = "-" if math.copysign(1.0, value) < 0 else "+"
    return sign + number(abs(value), digits)


def _missing(value) -> bool:
    return value is None or value != value


def kpi_tiles(data: dict, contacts: pd.DataFrame, flt: ContactFilter, shown_figures: HeadlineFigures) -> HeadlineFigures:
    """The ``TILES`` of ``shown_figures`` (``headline_figures`` of ``contacts``), each with its n
    and, for a single wave, the change since the previous one.

    Returns the figures shown (for tests and the printable report).
    """
    all_contacts = data["contacts"]
    current, previous = previous_wave(
        [w for w in all_contacts["wave"].cat.categories], flt.waves, contacts["wave"].dropna().unique().tolist())
    single_wave = contacts["wave"].nunique() == 1
    before = None
    if single_wave and previous:
        earlier_filter = replace(flt, waves=(previous,), started_from=None, started_before=None)
        if len(filtered_contacts(data, earlier_filter)):
            before = figure(data, earlier_filter, headline_figures, AS_OF)
    figures = shown_figures

    def delta(tile: Tile) -> str | None:
        # no change against a previous wave too small to compare (the tile's note says so)
        if before is None or _too_few(tile.n(before)):
            return None
        if _missing(tile.value(before)) or _missing(tile.value(figures)):
            return None
        change = signed((tile.value(figures) - tile.value(before)) * tile.delta_scale)
        return _(tile.delta_format).format(change=change)

    def compared(tile: Tile) -> str:
        """What the tile's change compares with, and the n of that wave."""
        if before is None:
            return ""
        if _too_few(tile.n(before)):
            return " · " + _("{wave}: too few to compare (n = {n})").format(
                wave=as_plain_text(previous), n=number(tile.n(before)))
        return " · " + _("change vs {wave} (n = {n})").format(wave=as_plain_text(previous), n=number(tile.n(before)))

    columns = st.columns(len(TILES))
    for column, tile in zip(columns, TILES, strict=True):
        n = tile.n(figures)
        value = tile.value(figures)
        change, note = delta(tile), compared(tile)
        if _too_few(n):
            # the tile is narrow: the short word in large type, the whole reason in the caption
            shown, change = _("too few"), None
            note = " · " + _("too few contacts (fewer than {min}) for a figure").format(min=number(MIN_CONTACTS))
        elif _missing(value):
            shown = "–"
        else:
            shown = tile.text(value)
        metric_tile(column, _(tile.label), shown, n, change, _(tile.help), tile.delta_color, note=note)
    if not single_wave:
        st.caption(_("Select one wave to see the change against the previous wave."))
    return figures


def previous_wave(all_waves: list[str], selected: tuple[str, ...], present: list[str]) -> tuple[str | None, str | None]:
    """(current, previous) wave for deltas: the newest wave in view and the wave before it."""
    ordered = sorted(w for w in all_waves if w)
    in_view = sorted(w for w in (selected or present) if w)
    if not in_view:
        return None, None
    current = in_view[-1]
    index = ordered.index(current) if current in ordered else -1
    return current, (ordered[index - 1] if index > 0 else None)


def metric_tile(column, label: str, value: str, n: int | None, delta: str | None = None, help: str = "",
                delta_color: str = "normal", note: str = "") -> None:
    """One KPI tile with its n (and ``note``) underneath; ``value`` already formatted (or "too few")."""
    column.metric(label, value, delta=delta, help=help, delta_color=delta_color, border=True)
    if n is not None:
        column.caption(f"n = {number(n)}{note}")


def contacts_label(n: int) -> str:
    """"1 contact", "1,234 contacts" ("1.234 contacten" in Dutch)."""
    return ngettext("{n} contact", "{n} contacts", n).format(n=number(n))


# The filters as a caption names them (translated where shown).
FILTER_LABELS = {"brand": N_("brand"), "wave": N_("wave"), "journey": N_("journey"), "channel": N_("channel"),
                 "region": N_("region"), "location": N_("location")}


def filter_summary(flt: ContactFilter, names: dict[str, str] | None = None) -> str:
    """The filters in force as one line for a caption (names made literal: captions render
    Markdown); channels by their display names (``names``, ``ui.dashboard_data.channel_names``)."""
    names = names or {}
    parts = []
    for label, values in (("brand", flt.brands), ("wave", flt.waves), ("journey", flt.journeys),
                          ("channel", tuple(names.get(v, v) for v in flt.channels)), ("region", flt.regions),
                          ("location", flt.locations)):
        if values:
            parts.append(f"{_(FILTER_LABELS[label])}: {', '.join(as_plain_text(v) for v in values)}")
    if flt.started_from or flt.started_before:  # the local dates the manager picked, both ends included
        first = f"{flt.started_from.astimezone(LOCAL_ZONE).date()}" if flt.started_from else "…"
        last = f"{flt.started_before.astimezone(LOCAL_ZONE).date() - timedelta(days=1)}" if flt.started_before else "…"
        parts.append(_("started {first} to {last}").format(first=first, last=last))
    return "; ".join(parts) or _("all contacts")




# The contact list's columns as a manager reads them (``contact_list_shown``; translated where shown).
CONTACT_LIST_COLUMNS = {
    "contact": N_("contact"), "started (local time)": N_("started (local time)"), "brand": N_("brand"),
    "channel": N_("channel"), "journey": N_("journey"), "wave": N_("wave"), "score": N_("score"),
    "first response": N_("first response"), "answer correct": N_("answer correct"),
    "redirected to": N_("redirected to"), "status": N_("status"),
}


def contact_list_shown(listing: pd.DataFrame) -> pd.DataFrame:
    """``listing`` (``contact_list``) with its column headers in the current language."""
    return listing.rename(columns=lambda column: _(CONTACT_LIST_COLUMNS.get(column, column)))


def contact_list(contacts: pd.DataFrame, names: dict[str, str] | None = None, *,
                 with_status: bool = False) -> pd.DataFrame:
    """The contacts of a drill-down, newest first, with the columns a manager scans (channels
    by their display names ``names``; times in local time, the page names the zone). The column
    names are the English keys of ``CONTACT_LIST_COLUMNS``; the cells' words ("unanswered",
    "yes") are in the current language, and ``contact_list_shown`` names the columns for a page.

    ``with_status`` (the agency counts contacts not yet released) adds ``status``: each
    contact's review status in words (``review_status_label``), so an unreleased one stands out."""
    names = names or {}
    ordered = contacts.sort_values(["started_at", "contact_id"], ascending=False, kind="stable")
    listing = pd.DataFrame({
        "contact": ordered["contact_id"].to_numpy(),
        "started (local time)": local_column(ordered["started_at"], MINUTE),
        "brand": ordered["brand"].astype(str).to_numpy(),
        "channel": ordered["channel"].astype(str).map(lambda key: names.get(key, key)).to_numpy(),
        "journey": ordered["journey"].astype(str).to_numpy(),
        "wave": ordered["wave"].astype(str).to_numpy(),
        "score": ordered["final_score"].round(1).to_numpy(),
        "first response": ordered["first_response_s"].map(duration).where(ordered["responded"],
                                                                           _("unanswered")).to_numpy(),
        "answer correct": ordered["answer_correct"].map({True: _("yes"), False: _("no")}).fillna("–").to_numpy(),
        "redirected to": ordered["redirected_to"].fillna("").to_numpy(),
    })
    if with_status:
        statuses = ordered["review_status"] if "review_status" in ordered else pd.Series("released", index=ordered.index)
        listing.insert(1, "status", statuses.astype(str).map(review_status_label).to_numpy())
    return listing


def report_scope(brand: str, wave: str | None, closed: frozenset[str] = frozenset(), *,
                 include_unreleased: bool = False, unreleased: int = 0) -> str:
    """What a brand report covers, as printed on its face: every filter it applies, that the
    dashboards' sidebar filters do not apply, for one wave whether its figures are final
    (the wave is in ``closed``) or provisional, and which contacts it counts: released ones
    only, or ``unreleased`` contacts not yet released too (``include_unreleased``, the agency's view)."""
    state = ""
    if wave:
        state = " " + (_("Figures final: the wave is closed.") if wave in closed
                       else _("Figures provisional: the wave is still open."))
    if wave:
        covers = _("Covers every contact of brand {brand}, wave {wave}: all channels, journeys, locations "
                   "and dates.").format(brand=brand, wave=wave)
    else:
        covers = _("Covers every contact of brand {brand}, all waves: all channels, journeys, locations "
                   "and dates.").format(brand=brand)
    return (covers + " " + release_words(include_unreleased, unreleased) + state + " "
            + _("The dashboards' sidebar filters do not apply to this report."))


def brand_report_scope(all_contacts: pd.DataFrame, brand: str, wave: str | None, closed: frozenset[str] = frozenset(),
                       *, include_unreleased: bool = False) -> str:
    """``report_scope`` of the brand report ``brand_report`` builds from ``all_contacts`` (the
    dashboards' whole frame), with the count of contacts not yet released it would include."""
    contacts = apply_filter(all_contacts, ContactFilter(brands=(brand,), waves=(wave,) if wave else (),
                                                        include_unreleased=include_unreleased), columns=("released",))
    return report_scope(brand, wave, closed, include_unreleased=include_unreleased, unreleased=unreleased_count(contacts))


# The brand report's channel table, its columns as printed (translated where printed).
REPORT_COLUMNS = {
    "channel": N_("channel"), "contacts": N_("contacts"), "km_median_first_response_s": N_("median first response (KM)"),
    "response_rate": N_("response %"), "on_time_rate": N_("on time %"), "accuracy_rate": N_("correct %"),
    "redirect_rate": N_("redirected %"), "scored": N_("n scored"), "mean_quality": N_("quality"),
}


REPORT_ACTION_ROWS = 10  # the open actions the report lists (overdue first); the count covers them all


def report_actions(actions: pd.DataFrame, brand: str, wave: str | None) -> ActionsSection:
    """The report's "Actions" section from the reader's action list (``journeys.actions.items
    .action_list``, already narrowed to what the reader may see): the brand's (and wave's) open and
    overdue actions, and the actions whose follow-up in ``wave`` (any wave, without one) says fixed."""
    of_brand = actions[actions["brand"] == brand]
    found = of_brand if wave is None else of_brand[of_brand["wave"] == wave]
    working = found[found["status"].isin([s.value for s in WORKING_ACTIONS])]
    labels = {"location": _("Location"), "found": _("What was found"), "owner": _("Owner"), "due_on": pgettext("action", "Due date"),
              "status_text": _("Status")}
    open_table = working[list(labels)].head(REPORT_ACTION_ROWS).assign(
        due_on=lambda f: f["due_on"].map(lambda day: day_text(day) if pd.notna(day) else "")).rename(columns=labels)
    fixed = of_brand[of_brand["fixed"].eq(True)] if wave is None else \
        of_brand[of_brand["fixed"].eq(True) & (of_brand["fixed_in"] == wave)]
    fixed_labels = {"location": _("Location"), "found": _("What was found"), "wave": _("Found in"),
                    "follow_up": _("Follow-up")}
    fixed_table = fixed[list(fixed_labels)].rename(columns=fixed_labels)
    return ActionsSection(n=len(found), open=len(working), overdue=int(working["overdue"].sum()),
                          open_table=open_table, fixed_table=fixed_table)


def brand_report(all_contacts: pd.DataFrame, brand: str, wave: str | None, as_of, names: dict[str, str],
                 closed: frozenset[str] = frozenset(), *, include_unreleased: bool = False,
                 actions: pd.DataFrame | None = None) -> str:
    """The printable one-page report for one brand (and wave): the ``TILES``, the main charts and
    the channel table, from the same ``scoring/`` functions as the pages.

    It applies exactly the brand and wave chosen for it (``report_scope``, printed on its face),
    never the sidebar filters of the pages; channels read by their display names (``names``). A
    wave in ``closed`` is titled final ("2026-Q1 (final)"); the scope says final or provisional.
    It counts released contacts only unless ``include_unreleased`` (the agency's view), and says which.
    With ``actions`` (the reader's action list) it ends with the "Actions" section (``report_actions``).
    """
    scope = ContactFilter(brands=(brand,), waves=(wave,) if wave else (), include_unreleased=include_unreleased)
    contacts = apply_filter(all_contacts, scope)
    figures = headline_figures(contacts, as_of) if len(contacts) else None
    by_channel = metrics_table(contacts, ["channel"]) if len(contacts) else pd.DataFrame()

    def shown(tile: Tile) -> tuple[str, str, int]:
        if figures is None or _too_few(tile.n(figures)):
            return (_(tile.report_label), _("too few contacts"), tile.n(figures) if figures else 0)
        value = tile.value(figures)
        return (_(tile.report_label), "–" if value != value else tile.text(value), tile.n(figures))

    sections = []
    if len(contacts):
        sections = [(_("Quality per channel ({level} interval)").format(level=charts.interval_level()),
                     charts.quality_by_group(display_channels(by_channel, names), "channel")),
                    (_("Time to first response (log scale, target in orange)"),
                     charts.response_times(display_channels(response_time_table(contacts), names)))]
    table = by_channel[["channel", "contacts", "response_rate", "km_median_first_response_s", "on_time_rate",
                        "scored", "mean_quality", "accuracy_rate", "redirect_rate"]].copy() if len(by_channel) else pd.DataFrame()
    if len(table):
        table = display_channels(table, names)
        for column in ("response_rate", "on_time_rate", "accuracy_rate", "redirect_rate"):
            table[column] = (100 * table[column]).round(1)  # printed with one decimal: 89.77 % is 89.8
        table["km_median_first_response_s"] = table["km_median_first_response_s"].map(duration)
        table = table.rename(columns=lambda column: _(REPORT_COLUMNS.get(column, column)))
    return brand_report_html(brand=brand, wave=wave_label(wave, closed) if wave else None, as_of=as_of,
                             scope=report_scope(brand, wave, closed, include_unreleased=include_unreleased,
                                                unreleased=unreleased_count(contacts)),
                             tiles=[shown(tile) for tile in TILES], chart_sections=sections, table=table,
                             actions=report_actions(actions, brand, wave) if actions is not None else None)
