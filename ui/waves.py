"""Widgets of the Waves and plan page: the tables as a person reads them, and running a plan
action whose result (how many lines and planned contacts) is the success message."""

import tempfile
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pandas as pd
import streamlit as st
from sqlalchemy.engine import Engine
from sqlmodel import Session

from data.db import session_scope
from data.errors import explained_database_errors
from journeys.errors import KlantreisError
from journeys.fieldwork.plan import FillResult
from journeys.interchange.contact_file import read_table
from journeys.interchange.plan_file import import_plan
from journeys.language import _, day_text, ngettext, number
from journeys.wording import time_slot_label
from ui.actions import NOTICE_KEY, show_refusal
from ui.text import as_plain_text


def _day(value) -> str:
    return day_text(value) if isinstance(value, date) else ""


def waves_table(frame: pd.DataFrame) -> pd.DataFrame:
    """The waves as shown: dates in the user's language, the scope in words, open or closed."""
    return pd.DataFrame({
        _("Wave"): frame["name"],
        _("Start"): frame["starts_on"].map(_day),
        _("End"): frame["ends_on"].map(_day),
        _("Brands"): frame["brands"],
        _("Journeys"): frame["journeys"],
        _("Channels"): frame["channels"],
        _("State"): frame["closed"].map(lambda closed: _("closed (final)") if closed else _("open")),
        _("Planned contacts"): frame["planned"].astype(int),
    })


def plan_table(frame: pd.DataFrame) -> pd.DataFrame:
    """The plan lines as shown (names, slot and due date in words, the counts)."""
    return pd.DataFrame({
        _("Brand"): frame["brand"],
        _("Location"): frame["location"].map(lambda name: name or _("(brand level)")),
        _("Region"): frame["region"],
        _("Journey"): frame["journey"],
        _("Channel"): frame["channel"],
        _("Time slot"): frame["time_slot"].map(time_slot_label),
        _("Due date"): frame["due_on"].map(_day),
        _("Planned"): frame["quantity"].astype(int),
        _("Assigned"): frame["assigned"].astype(int),
        _("Done"): frame["done"].astype(int),
    })


def line_label(row) -> str:
    """One plan line in a dropdown: brand · location · journey · channel · slot."""
    return " · ".join([row.brand, row.location or _("(brand level)"), row.journey, row.channel,
                       time_slot_label(row.time_slot)])


def fill_text(result: FillResult) -> str:
    """What a quick fill or a plan file did, for the success message."""
    text = _("Plan lines: {added} added, {changed} changed, {unchanged} unchanged; planned contacts: "
             "{plus} added, {minus} removed.").format(
        added=number(result.added), changed=number(result.changed), unchanged=number(result.unchanged),
        plus=number(result.assignments_added), minus=number(result.assignments_removed))
    if result.skipped:
        pairs = "; ".join(f"{journey} – {channel}" for journey, channel in result.skipped)
        text += " " + ngettext("Skipped {n} pair (the journey does not run on the channel): {pairs}.",
                               "Skipped {n} pairs (the journey does not run on the channel): {pairs}.",
                               len(result.skipped)).format(n=number(len(result.skipped)), pairs=pairs)
    if result.without_locations:
        text += " " + _("Nothing planned for {brands}: no locations.").format(brands=", ".join(result.without_locations))
    return text


def run_plan_action(engine: Engine, action: Callable[[Session], FillResult]) -> None:
    """Run a plan action in one transaction; show its refusal, or rerun with what it did."""
    try:
        with explained_database_errors(engine.url), session_scope(engine) as session:
            result = action(session)
    except KlantreisError as error:
        show_refusal(error)
        return
    st.session_state[NOTICE_KEY] = as_plain_text(fill_text(result))
    st.rerun()


def import_upload(engine: Engine, user, upload) -> None:
    """Import an uploaded plan file (CSV or XLSX), all or nothing."""
    suffix = Path(upload.name).suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        st.error(_("Upload a .csv or .xlsx file."), icon=":material/error:")
        return
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"plan{suffix}"
        path.write_bytes(upload.getvalue())

        def action(session):
            header, rows, _count = read_table(path)
            return import_plan(session=session, actor=user, header=header, rows=rows).fill

        run_plan_action(engine, action)
