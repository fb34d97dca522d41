"""Widgets of the Clients and locations page: the brand and location tables, the location form's
fields, and a locations import (``run_import``) whose refusal is a table of the file's problems
(row, column, value, what is allowed).

Names, cities and codes are what people typed: the tables are ``st.dataframe`` (which renders no
Markdown), and a name in a dropdown or a notice passes ``ui.text.as_plain_text`` first.
"""

from collections.abc import Callable

import pandas as pd
import streamlit as st
from sqlalchemy.engine import Engine
from sqlmodel import Session

from data.db import session_scope
from data.errors import explained_database_errors
from journeys.catalogue.clients import LOCATION_LENGTHS, LocationIn
from journeys.errors import KlantreisError, ValidationError
from journeys.interchange.location_file import LocationImportResult, summary_lines
from journeys.language import _, ngettext, number
from ui.actions import NOTICE_KEY, show_refusal
from ui.text import as_plain_text


def brands_table(frame: pd.DataFrame) -> None:
    """The brands with how many locations each has (active and archived)."""
    st.dataframe(
        pd.DataFrame({
            _("Brand"): frame["name"], _("Sector"): frame["sector"],
            _("Locations"): frame["locations"], _("Archived locations"): frame["archived_locations"],
            _("Archived"): frame["archived"],
        }),
        hide_index=True, width="stretch",
    )


def locations_table(frame: pd.DataFrame) -> None:
    """One brand's locations: name, city, address, region, code, archived."""
    st.dataframe(
        pd.DataFrame({
            _("Location"): frame["name"], _("City"): frame["city"], _("Address"): frame["address"],
            _("Region"): frame["region"], _("Code"): frame["external_code"].fillna(""),
            _("Archived"): frame["archived"],
        }),
        hide_index=True, width="stretch",
    )


def location_fields(key: str, location: LocationIn | None = None) -> LocationIn:
    """The fields of a location form (inside an ``st.form``), filled from ``location`` if given."""
    location = location or LocationIn("")
    name = st.text_input(_("Location name"), value=location.name, key=f"{key}_name",
                         max_chars=LOCATION_LENGTHS["name"])
    left, right = st.columns(2)
    city = left.text_input(_("City"), value=location.city, key=f"{key}_city", max_chars=LOCATION_LENGTHS["city"])
    region = right.text_input(_("Region"), value=location.region, key=f"{key}_region",
                              max_chars=LOCATION_LENGTHS["region"],
                              help=_("The level between brand and location that reports group by (\"Noord\")."))
    address = st.text_input(_("Address"), value=location.address, key=f"{key}_address",
                            max_chars=LOCATION_LENGTHS["address"])
    code = st.text_input(_("Code"), value=location.external_code or "", key=f"{key}_code",
                         max_chars=LOCATION_LENGTHS["external_code"],
                         help=_("The client's own code for the location (a branch number); unique within the brand."))
    return LocationIn(name=name, city=city, address=address, region=region, external_code=code)


def problems_table(problems) -> None:
    """A refused file's problems as a table, one row per problem: row, column, value, message."""
    count = len(problems)
    st.error(ngettext("The file was not imported: {n} problem, nothing was written.",
                      "The file was not imported: {n} problems, nothing was written.", count).format(
        n=number(count)), icon=":material/error:")
    st.dataframe(
        pd.DataFrame({
            _("Row"): pd.array([p.row for p in problems], dtype="Int64"),
            _("Column"): [p.label or p.field for p in problems],
            _("Value"): ["" if p.value is None else str(p.value) for p in problems],
            _("Problem"): [p.message for p in problems],
        }),
        hide_index=True, width="stretch",
    )


def plain_name(name: str, archived: bool = False) -> str:
    """A brand or location name for a dropdown or a notice (literal), marked when archived."""
    return _("{name} (archived)").format(name=as_plain_text(name)) if archived else as_plain_text(name)


def run_import(engine: Engine, action: Callable[[Session], LocationImportResult], *, round_key: str) -> bool:
    """Run a locations import in one transaction. Refused: its problems as a table (nothing was
    written), False. Done: rerun with what it did as the notice and a fresh uploader (``round_key``)."""
    try:
        with explained_database_errors(engine.url), session_scope(engine) as session:
            result = action(session)
    except ValidationError as refusal:
        problems_table(refusal.problems)
        return False
    except KlantreisError as refusal:
        show_refusal(refusal)
        return False
    st.session_state[NOTICE_KEY] = _("Locations imported: {summary}.").format(
        summary=as_plain_text("; ".join(summary_lines(result))))
    st.session_state[round_key] = st.session_state.get(round_key, 0) + 1
    st.rerun()
    return True
