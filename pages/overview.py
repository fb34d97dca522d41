"""Overview: what this installation holds, and the demo-data notice (how to start empty: admins only)."""

import streamlit as st

from data.db import read_scope
from journeys.catalogue.reference import BUILTIN_CHANNELS
from journeys.demo import demo_info
from journeys.fieldwork.overview import installation_summary, recent_contacts
from journeys.language import _, ngettext, number, pgettext
from journeys.local_time import MINUTE, local_text
from ui.resources import get_engine
from ui.session import require_page
from ui.text import plain_table

user = require_page(__file__)
engine = get_engine()

# The summary's counts and the frames' columns (English names from journeys.fieldwork.overview,
# also the command line's) by their headings in the user's language.
COUNT_LABELS = {
    "Contacts": _("Contacts"), "Brands": _("Brands"), "Channels": _("Channels"),
    "Active journeys": _("Active journeys"), "Waves": _("Waves"), "Users": _("Users"),
}
COLUMN_LABELS = {
    "Brand": _("Brand"), "Channel": _("Channel"), "Contacts": _("Contacts"),
    "Open": pgettext("contacts without a first response", "Open"),
    "Started": _("Started"), "Journey": _("Journey"), "Auditor": _("Auditor"), "Notes": _("Notes"),
}
# A built-in channel still under its built-in label reads in the user's language ("Telefoon").
BUILTIN_LABELS = {channel.label: _(channel.label) for channel in BUILTIN_CHANNELS}

st.title(_("Overview"), anchor=False)
with read_scope(engine) as session:
    demo = demo_info(session)
    summary = installation_summary(session=session, actor=user)

if demo:
    contacts = demo["contacts"]
    if user.role == "admin":
        # How to start empty is for whoever runs the installation: the admins, not the auditors or managers.
        text = ngettext(
            "You are looking at **demo data** (seed {seed}, {n} generated contact) — invented brands and "
            "contacts to try Klantreis. To start empty, stop the app, remove `data/klantreis.db` and run "
            "`make run` with `KLANTREIS_NO_DEMO=1`, then create the first admin with `klantreis users add`.",
            "You are looking at **demo data** (seed {seed}, {n} generated contacts) — invented brands and "
            "contacts to try Klantreis. To start empty, stop the app, remove `data/klantreis.db` and run "
            "`make run` with `KLANTREIS_NO_DEMO=1`, then create the first admin with `klantreis users add`.",
            contacts)
    elif user.role == "client":  # no count: the demo's contacts span brands outside the client's
        text = _("You are looking at **demo data**: invented brands and contacts to try Klantreis.")
    else:
        text = ngettext(
            "You are looking at **demo data** (seed {seed}, {n} generated contact) — invented brands and "
            "contacts to try Klantreis.",
            "You are looking at **demo data** (seed {seed}, {n} generated contacts) — invented brands and "
            "contacts to try Klantreis.",
            contacts)
    st.info(text.format(seed=demo["seed"], n=number(contacts)), icon=":material/science:")

counts = summary["counts"]
columns = st.columns(len(counts))
for column, (label, value) in zip(columns, counts.items(), strict=True):
    column.metric(COUNT_LABELS.get(label, label), number(value))

if summary["by_brand_channel"].empty:
    st.info(_("No contacts logged yet."), icon=":material/inbox:")
else:
    st.subheader(_("Contacts per brand and channel"), anchor=False)
    st.caption(_("Counts of the contacts you logged; open means no first response yet.") if user.role == "auditor"
               else _("Counts of logged contacts; open means no first response yet."))
    table = summary["by_brand_channel"].copy()
    table["Channel"] = table["Channel"].map(lambda label: BUILTIN_LABELS.get(label, label))
    st.dataframe(table.rename(columns=COLUMN_LABELS), hide_index=True, width="stretch")

with read_scope(engine) as session:
    recent = recent_contacts(session=session, actor=user, limit=10)
if not recent.empty:
    st.subheader(_("Recent contacts"), anchor=False)
    st.caption(_("The ten latest contacts you may see (your own).") if user.role == "auditor"
               else _("The ten latest contacts you may see."))
    recent["Started"] = recent["Started"].map(lambda t: local_text(t, MINUTE))
    recent["Channel"] = recent["Channel"].map(lambda label: BUILTIN_LABELS.get(label, label))
    # st.table renders every cell as Markdown: notes typed by auditors are made literal first.
    st.table(plain_table(recent.rename(columns=COLUMN_LABELS).set_index(COLUMN_LABELS["Started"])))
