"""Journeys: define the scenario asked on every channel, its targets and checklist; versions,
templates, copies, archive, delete and JSON sharing. Admins only (journeys.accounts.access.JOURNEY_ADMINS):
the menu offers it to no one else, the guard refuses a typed URL, and the services refuse too.

Every word is in the user's language (``journeys.language``); a journey started from a template
gets the template's texts in that language (``journeys.catalogue.templates.localized``), and
what is stored stays as typed. Widget keys and the start menu's options stay the same in every
language, so a choice survives a change of language."""

import pandas as pd
import streamlit as st
from sqlmodel import select

from data.db import read_scope, session_scope
from journeys.catalogue.journey_editing import (
    copy_journey,
    delete_journey,
    journey_from_json,
    journey_in_from_db,
    journey_overview,
    journey_to_json,
    new_journey,
    set_archived,
    update_journey,
    versions_in_use,
)
from journeys.catalogue.journeys import JourneyIn
from journeys.catalogue.templates import TEMPLATES, localized
from journeys.errors import KlantreisError
from journeys.language import _, ngettext, number
from journeys.local_time import MINUTE, local_text
from journeys.models import Channel, Journey
from ui.actions import run_action, show_notice, show_problems
from ui.journey_editor import journey_form
from ui.resources import get_engine
from ui.session import require_page
from ui.text import as_plain_text

user = require_page(__file__)
engine = get_engine()
st.title(_("Journeys"), anchor=False)

with read_scope(engine) as session:
    overview = journey_overview(session=session)
    journeys = session.exec(select(Journey).order_by(Journey.name)).all()
    channels = session.exec(select(Channel).order_by(Channel.name)).all()
channel_names = [c.name for c in channels]
channel_kinds = {c.name: c.kind for c in channels}


show_notice()

# The tables' columns are the services' keys; a person reads them (and a journey's status) in their language.
OVERVIEW_HEADERS = {"journey": _("journey"), "status": _("status"), "channels": _("channels"),
                    "checklist items": _("checklist items"), "version": _("version"), "contacts": _("contacts")}
VERSION_HEADERS = {"version": _("version"), "created": _("created"), "items": _("items"), "contacts": _("contacts")}


def status_text(status: str) -> str:
    """A journey's status in words: "active" / "archived" ("actief" / "gearchiveerd")."""
    return {"active": _("active"), "archived": _("archived")}.get(status, status)


st.dataframe(pd.DataFrame([{**r, "status": status_text(r["status"])} for r in overview],
                          columns=["id", *OVERVIEW_HEADERS]).rename(columns=OVERVIEW_HEADERS),
             hide_index=True, width="stretch", column_config={"id": None})

# Keyed and tracking their state, the tabs stay where the user is when a notice comes or goes
# above them (untracked tabs fall back to the first one whenever the page's layout shifts).
new_tab, edit_tab, share_tab = st.tabs([_("New journey"), _("Edit, version, archive"), _("Share as JSON")],
                                       key="journey_tab", on_change="rerun")

with new_tab:
    # The options stay the same in every language (the widget keeps its choice when the language
    # changes); format_func shows them in the user's words, a template by its translated name.
    sources = ["Blank"] + [f"Template: {t.name}" for t in TEMPLATES] + [f"Copy of: {j.name}" for j in journeys]

    def source_text(option: str) -> str:
        if option.startswith("Template: "):
            return _("Template: {name}").format(name=_(option.removeprefix("Template: ")))
        if option.startswith("Copy of: "):
            return _("Copy of: {name}").format(name=option.removeprefix("Copy of: "))
        return _("Blank")

    source = st.selectbox(_("Start from"), sources, key="new_source", format_func=source_text)
    if source.startswith("Template: "):
        # the template in the creating user's language: its questions are stored as they read them
        initial = localized(next(t for t in TEMPLATES if t.name == source.removeprefix("Template: ")))
        initial = JourneyIn(**{**initial.__dict__, "name": ""})
    elif source.startswith("Copy of: "):
        with read_scope(engine) as session:
            original = next(j for j in journeys if j.name == source.removeprefix("Copy of: "))
            initial = journey_in_from_db(session=session, journey_id=original.id)
        initial.name = _("{name} (copy)").format(name=initial.name)
    else:
        initial = JourneyIn(name="")
    entered = journey_form(initial, channel_names, channel_kinds, key=f"new_{sources.index(source)}")
    if st.button(_("Create journey"), type="primary", icon=":material/add:", key="new_create"):
        run_action(engine, lambda s: new_journey(session=s, actor=user, journey_in=entered),
                   _("Journey “{name}” created.").format(name=as_plain_text(entered.name)))

with edit_tab:
    if not journeys:
        st.info(_("No journeys yet."))
    else:
        by_id = {j.id: j for j in journeys}
        # picked by id, so a renamed or archived journey stays the one selected after its save
        journey = by_id[st.selectbox(_("Journey"), list(by_id), key="edit_pick",
                                     format_func=lambda i: _("{name} ({status})").format(
                                         name=by_id[i].name, status=status_text(by_id[i].status)))]
        with read_scope(engine) as session:
            current = journey_in_from_db(session=session, journey_id=journey.id)
            versions = versions_in_use(session=session, journey_id=journey.id)
        entered = journey_form(current, channel_names, channel_kinds, key=f"edit_{journey.id}")
        if st.button(_("Save changes"), type="primary", icon=":material/save:", key="edit_save"):
            run_action(engine, lambda s: update_journey(session=s, actor=user, journey_id=journey.id, journey_in=entered),
                       _("Journey saved. Contacts already logged keep the checklist version they were scored with."))
        st.markdown("**{}**".format(_("Checklist versions")))
        st.dataframe(pd.DataFrame([{**v, "created": local_text(v["created"], MINUTE)} for v in versions],
                                  columns=list(VERSION_HEADERS)).rename(columns=VERSION_HEADERS),
                     hide_index=True, width="stretch")
        left, right = st.columns(2)
        with left:
            archived = journey.status == "archived"
            if st.button(_("Bring back") if archived else _("Archive"), icon=":material/archive:", key="edit_archive",
                         help=_("Archived journeys disappear from logging and stay in the reports.")):
                run_action(engine, lambda s: set_archived(session=s, actor=user, journey_id=journey.id, archived=not archived),
                           _("Journey brought back.") if archived else _("Journey archived."))
        with right:
            contacts = next(r["contacts"] for r in overview if r["id"] == journey.id)
            if contacts:
                st.caption(ngettext("{n} contact uses this journey: archive it instead of deleting.",
                                    "{n} contacts use this journey: archive it instead of deleting.",
                                    contacts).format(n=number(contacts)))
            else:
                sure = st.checkbox(_("Yes, delete this journey for good"), key="edit_confirm")
                if st.button(_("Delete"), icon=":material/delete:", disabled=not sure, key="edit_delete"):
                    run_action(engine, lambda s: delete_journey(session=s, actor=user, journey_id=journey.id),
                               _("Journey deleted."))
        # one field per journey: it starts from the name of the journey shown, never the previous one
        copy_name = st.text_input(_("Name of the copy"), value=_("{name} (copy)").format(name=journey.name),
                                  key=f"edit_{journey.id}_copy_name")
        if st.button(_("Copy journey"), icon=":material/content_copy:", key="edit_copy"):
            run_action(engine, lambda s: copy_journey(session=s, actor=user, journey_id=journey.id, name=copy_name),
                       _("Copied as “{name}”.").format(name=as_plain_text(copy_name)))

with share_tab:
    if journeys:
        shared = st.selectbox(_("Export"), journeys, format_func=lambda j: j.name, key="share_pick")
        with session_scope(engine) as session:
            document = journey_to_json(journey_in_from_db(session=session, journey_id=shared.id))
        st.download_button(_("Download JSON"), document.encode("utf-8"), f"journey-{shared.id}.json", "application/json",
                           icon=":material/download:", on_click="ignore", key="share_download")
    upload = st.file_uploader(_("Import a journey (JSON)"), type=["json"], key="share_upload")
    if upload is not None and st.button(_("Import"), icon=":material/upload:", key="share_import"):
        try:
            imported = journey_from_json(upload.getvalue())
        except KlantreisError as problem:
            show_problems(_("Not imported:"), getattr(problem, "problems", None) or [problem])
        else:
            run_action(engine, lambda s: new_journey(session=s, actor=user, journey_in=imported),
                       _("Imported “{name}”.").format(name=as_plain_text(imported.name)))
