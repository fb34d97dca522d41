"""Explore and export: drill down from a channel or brand to its contacts and to one contact;
download the filtered contacts, the metric tables and the one-page brand report."""

from datetime import UTC, datetime

import pandas as pd
import streamlit as st

from data.db import session_scope
from journeys.accounts.privacy import pseudonym_secret, pseudonymise_auditors
from journeys.actions.items import action_list
from journeys.fieldwork.contact_filter import ContactFilter
from journeys.fieldwork.contact_filter import filter_frame as apply_filter
from journeys.interchange.exports import export_rows
from journeys.language import N_, _, ngettext, number
from journeys.local_time import LOCAL_ZONE_NAME
from scoring.metrics import metrics_table
from ui.contact_detail import show_contact
from ui.dashboard_data import channel_names, closed_waves, figure, filtered_contacts, scored_data, wave_label
from ui.dashboard_view import (
    brand_report,
    brand_report_scope,
    contact_list,
    contact_list_shown,
    contacts_label,
    filter_summary,
    group_name,
    has_regions,
    localized_cells,
    plan_coverage_line,
    release_line,
)
from ui.downloads import XLSX_MAX_ROWS, csv_bytes, xlsx_bytes
from ui.filters import filter_bar
from ui.resources import get_engine
from ui.session import require_page
from ui.text import as_plain_text

user = require_page(__file__)
engine = get_engine()
flt = filter_bar(engine, actor=user)
data = scored_data(engine)
contacts = filtered_contacts(data, flt)
names = channel_names(engine)

# The drill-down's groups: the option (a column) → its label, and the selectbox's label for it.
LEVELS = {"channel": N_("Channel"), "brand": N_("Brand"), "region": N_("Region"), "location": N_("Location")}
PICK = {"channel": N_("Pick a channel"), "brand": N_("Pick a brand"), "region": N_("Pick a region"),
        "location": N_("Pick a location")}
if not has_regions(data):
    LEVELS.pop("region")  # no location has a region: brand → location
ALL_WAVES = N_("all waves")  # the report's wave option for every wave (its value; shown translated)

st.title(_("Explore and export"), anchor=False)
st.caption(_("Filters: {filters} · {contacts}").format(filters=filter_summary(flt, names),
                                                       contacts=contacts_label(len(contacts))))
release_line(data, flt)
plan_coverage_line(engine, data, flt)
if contacts.empty:
    st.info(_("No contacts match these filters."), icon=":material/filter_alt_off:")
    st.stop()

drill_tab, export_tab = st.tabs([_("Drill down"), _("Export")])

with drill_tab:
    level = st.segmented_control(_("Group by"), list(LEVELS), default="channel",
                                 format_func=lambda key: _(LEVELS[key]), key="explore_level") or "channel"
    level = level if level in LEVELS else "channel"
    table = figure(data, flt, metrics_table, (level,))

    def shown_name(value: str) -> str:
        return group_name(level, value, names)

    choice = st.selectbox(
        _(PICK[level]), table[level].astype(str).tolist(), key="explore_group",
        format_func=lambda v: f"{shown_name(v)} "
                              f"({contacts_label(int(table.loc[table[level].astype(str) == v, 'contacts'].iloc[0]))})",
    )
    subset = contacts[contacts[level].astype(str) == choice]
    listing = contact_list(subset, names, with_status=flt.include_unreleased)
    st.caption(_("{contacts}, newest first (at most {limit} listed; started in local time, {zone}). "
                 "Select a row to see the contact.").format(contacts=contacts_label(len(subset)), limit=number(500),
                                                             zone=LOCAL_ZONE_NAME))
    shown_listing, _as_text = localized_cells(listing.head(500), {"score": 1})
    picked = st.dataframe(contact_list_shown(shown_listing), hide_index=True, width="stretch", on_select="rerun",
                          selection_mode="single-row", key="explore_table")
    rows = picked.selection.rows if picked else []
    if rows:
        contact_id = int(listing.iloc[rows[0]]["contact"])
        st.divider()
        show_contact(engine, contact_id, actor=user)

with export_tab:
    if flt.scope is None:
        pseudonymise = st.toggle(_("Pseudonymise auditor names"), value=True, key="export_pseudo",
                                 help=_("Replace auditor usernames by stable codes (e.g. 'Auditor 3fa2c1d0')."))
    else:  # a client user's file always has them pseudonymised (journeys.interchange.exports)
        pseudonymise = False
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M")

    def contacts_file(kind: str):
        """The filtered contacts as CSV or XLSX, built only when the button is clicked: reading and
        writing a million contacts takes minutes and must not run on every rerun of the page."""
        def build() -> bytes:
            with engine.connect() as connection:
                header, rows_iter, _count = export_rows(connection, flt, actor=user)
                interchange = pd.DataFrame(list(rows_iter), columns=header)
            if pseudonymise:
                with session_scope(engine) as session:
                    secret = pseudonym_secret(session=session)
                interchange = pseudonymise_auditors(interchange, "auditor", secret=secret)
            return csv_bytes(interchange) if kind == "csv" else xlsx_bytes(interchange, "contacts")
        return build

    metric_table = figure(data, flt, metrics_table, ("brand", "channel"))
    # the channel key stays (files are read back by it); its display name rides beside it, as in the contact export
    metric_table = metric_table.copy()
    metric_table.insert(metric_table.columns.get_loc("channel") + 1, "channel_label",
                        metric_table["channel"].astype(str).map(lambda key: names.get(key, key)))
    st.markdown("**" + _("Contacts") + "** (" + _("{contacts}, the interchange format of {doc}").format(
        contacts=contacts_label(len(contacts)), doc="`docs/interchange.md`") + ")")
    left, right = st.columns(2)
    left.download_button(_("Contacts as CSV"), contacts_file("csv"), f"klantreis-contacts-{stamp}.csv",
                         "text/csv", icon=":material/download:", on_click="ignore", key="download_contacts_csv")
    too_many = len(contacts) > XLSX_MAX_ROWS
    right.download_button(_("Contacts as XLSX"), contacts_file("xlsx"), f"klantreis-contacts-{stamp}.xlsx",
                          "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                          icon=":material/download:", on_click="ignore", disabled=too_many,
                          help=_("A worksheet holds at most {rows} rows: filter further or use CSV.").format(
                              rows=number(XLSX_MAX_ROWS)) if too_many else None, key="download_contacts_xlsx")
    # The files keep the interchange's English column names and codes (programs read them back);
    # ``channel_label`` beside the key is the channel as a person reads it, in the current language.
    rows_text = ngettext("{n} row", "{n} rows", len(metric_table)).format(n=number(len(metric_table)))
    st.markdown("**" + _("Metrics per brand and channel") + "** (" + _("{rows}, definitions in {doc}").format(
        rows=rows_text, doc="`docs/scoring.md`") + ")")
    left, right = st.columns(2)
    left.download_button(_("Metrics as CSV"), csv_bytes(metric_table), f"klantreis-metrics-{stamp}.csv", "text/csv",
                         icon=":material/download:", on_click="ignore", key="download_metrics_csv")
    right.download_button(_("Metrics as XLSX"), xlsx_bytes(metric_table, "metrics"), f"klantreis-metrics-{stamp}.xlsx",
                          "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                          icon=":material/download:", on_click="ignore", key="download_metrics_xlsx")

    st.markdown("**" + _("One-page report per brand and wave") + "** ("
                + _("print-ready HTML with charts; print to PDF from the browser") + ")")
    # The report has its own brand and wave choice over every contact, independent of the
    # sidebar: it applies only what is chosen here, and says so on the page and in the report.
    # a client user's report covers its scope only: its own brands, its own released contacts
    everything = data["contacts"] if flt.scope is None else apply_filter(data["contacts"], ContactFilter(scope=flt.scope))
    brands = sorted(everything["brand"].dropna().astype(str).unique())
    waves = sorted(everything["wave"].dropna().astype(str).unique())
    closed = closed_waves(engine)
    left, right = st.columns(2)
    report_brand = left.selectbox(_("Brand"), brands, key="report_brand")
    report_wave = right.selectbox(_("Wave"), [ALL_WAVES, *waves], key="report_wave",
                                  format_func=lambda wave: _(ALL_WAVES) if wave == ALL_WAVES else wave_label(wave, closed))
    chosen_wave = None if report_wave == ALL_WAVES else report_wave
    st.caption(as_plain_text(brand_report_scope(everything, report_brand, chosen_wave, closed,
                                                include_unreleased=flt.include_unreleased)))
    if st.button(_("Build report"), icon=":material/description:", key="report_build"):
        page = brand_report(everything, report_brand, chosen_wave, data["as_of"], names, closed,
                            include_unreleased=flt.include_unreleased,
                            actions=action_list(engine, user))
        st.session_state["report_html"] = (report_brand, report_wave, page)
        st.session_state["report_unreleased"] = flt.include_unreleased  # what it counted: shown only for that
    built = st.session_state.get("report_html")
    if built and built[:2] == (report_brand, report_wave) \
            and st.session_state.get("report_unreleased", False) == flt.include_unreleased:
        st.download_button(_("Download report (HTML)"), built[2].encode("utf-8"),
                           f"klantreis-{report_brand}-{report_wave}.html".replace(" ", "_"), "text/html",
                           icon=":material/download:", on_click="ignore")

