"""Widgets of the Waves and plan page: the tables as a person reads them, running a plan action
whose result (how many lines and planned contacts) is the success message, and a wave's release
panel (``release_panel``: its contacts per review status, release mode and appeal window, and
releasing its approved contacts to the client, ``journeys.review.release``)."""

import tempfile
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pandas as pd
import streamlit as st
from sqlalchemy.engine import Engine
from sqlmodel import Session

from data.db import read_scope, session_scope
from data.errors import explained_database_errors
from journeys.errors import KlantreisError
from journeys.fieldwork.plan import FillResult
from journeys.interchange.contact_file import read_table
from journeys.interchange.plan_file import import_plan
from journeys.language import N_, _, day_text, ngettext, number
from journeys.local_time import LOCAL_ZONE_NAME, MINUTE, local_text
from journeys.models import ReleaseMode
from journeys.review.release import MAX_APPEAL_DAYS, ReleaseCounts, release_counts, release_wave, set_release_settings
from journeys.wording import review_status_label, time_slot_label
from ui.actions import NOTICE_KEY, run_action, show_refusal
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


# A wave's release modes as a manager reads them (translated where shown).
RELEASE_MODE_LABELS = {
    ReleaseMode.AT_ONCE.value: N_("All at once, when I release the wave"),
    ReleaseMode.CONTINUOUS.value: N_("Continuously: each contact as soon as it is approved"),
}


def release_counts_table(counts: ReleaseCounts) -> pd.DataFrame:
    """A wave's contacts per review status, in words, with n."""
    return pd.DataFrame({
        _("Status"): [review_status_label(status) for status in counts.by_status],
        _("Contacts"): [int(n) for n in counts.by_status.values()],
    })


def release_words(counts: ReleaseCounts) -> str:
    """Where the wave's release stands: released when (local time), or not yet."""
    if counts.released_at is not None:
        return _("Released to the client on {moment} ({zone}); contacts approved later follow at once.").format(
            moment=local_text(counts.released_at, MINUTE), zone=LOCAL_ZONE_NAME)
    if counts.release_mode == ReleaseMode.CONTINUOUS:
        return _("Releases continuously: each contact reaches the client as soon as it is approved.")
    return _("Not released yet: the client sees none of this wave's contacts that wait for its release.")


def release_panel(engine: Engine, user, wave_id: int, wave_name: str) -> None:
    """The release panel of one wave: counts per status, the settings, and the release button
    (behind a confirmation). A closed wave can still be released: closing is about fieldwork."""
    with read_scope(engine) as session:
        try:
            counts = release_counts(session, user, wave_id)
        except KlantreisError as error:
            show_refusal(error)
            return
    st.dataframe(release_counts_table(counts), hide_index=True, width="content")
    st.caption(ngettext("n = {n} contact in this wave (drafts included).",
                        "n = {n} contacts in this wave (drafts included).", counts.total).format(
        n=number(counts.total)))
    st.info(as_plain_text(release_words(counts)), icon=":material/publish:")
    with st.form(f"waves_release_settings_{wave_id}"):
        modes = list(RELEASE_MODE_LABELS)
        mode = st.radio(_("Release mode"), modes, index=modes.index(counts.release_mode)
                        if counts.release_mode in modes else 0,
                        format_func=lambda code: _(RELEASE_MODE_LABELS[code]), key=f"waves_release_mode_{wave_id}")
        days = st.number_input(_("Appeal window (days)"), min_value=0, max_value=MAX_APPEAL_DAYS,
                               value=int(counts.appeal_days), step=1, key=f"waves_appeal_days_{wave_id}",
                               help=_("Days after release in which a client user may appeal an answer or the timing."))
        if st.form_submit_button(_("Save release settings")):
            success = _("Release settings of {name} saved.").format(name=as_plain_text(wave_name))
            if mode == ReleaseMode.CONTINUOUS and counts.release_mode != mode and counts.approved:
                success += " " + ngettext("{n} approved contact released.", "{n} approved contacts released.",
                                          counts.approved).format(n=number(counts.approved))
            run_action(engine, lambda s: set_release_settings(session=s, actor=user, wave_id=wave_id,
                                                              release_mode=mode, appeal_days=int(days)), success)
    if not counts.approved:
        st.caption(_("No approved contacts wait for release."))
        return
    label = ngettext("Release {n} approved contact", "Release {n} approved contacts", counts.approved).format(
        n=number(counts.approved))
    sure = st.checkbox(_("I understand: the client sees these contacts from now on; a release cannot be undone."),
                       key=f"waves_release_sure_{wave_id}")
    if st.button(label, key=f"waves_release_{wave_id}", type="primary", disabled=not sure,
                 icon=":material/publish:"):
        run_action(engine, lambda s: release_wave(session=s, actor=user, wave_id=wave_id),
                   ngettext("{n} contact of {name} released to the client.",
                            "{n} contacts of {name} released to the client.", counts.approved).format(
                       n=number(counts.approved), name=as_plain_text(wave_name)))
