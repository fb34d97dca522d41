"""Overview: what this installation holds, and the demo-data notice (how to start empty: admins only)."""

import streamlit as st

from data.db import read_scope
from journeys.demo import demo_info
from journeys.fieldwork.overview import installation_summary, recent_contacts
from journeys.local_time import MINUTE, local_text
from ui.resources import get_engine
from ui.session import require_page
from ui.text import plain_table

user = require_page(__file__)
engine = get_engine()

st.title("Overview", anchor=False)
with read_scope(engine) as session:
    demo = demo_info(session)
    summary = installation_summary(session=session, actor=user)

if demo:
    # How to start empty is for whoever runs the installation: the admins, not the auditors or managers.
    start_empty = (" To start empty, stop the app, remove `data/klantreis.db` and run `make run` with "
                   "`KLANTREIS_NO_DEMO=1`, then create the first admin with `klantreis users add`."
                   if user.role == "admin" else "")
    st.info(
        f"You are looking at **demo data** (seed {demo['seed']}, {demo['contacts']:,} generated contacts) — "
        "invented brands and contacts to try Klantreis." + start_empty,
        icon=":material/science:",
    )

counts = summary["counts"]
columns = st.columns(len(counts))
for column, (label, value) in zip(columns, counts.items(), strict=True):
    column.metric(label, f"{value:,}")

if summary["by_brand_channel"].empty:
    st.info("No contacts logged yet.", icon=":material/inbox:")
else:
    st.subheader("Contacts per brand and channel", anchor=False)
    st.caption(
        ("Counts of the contacts you logged" if user.role == "auditor" else "Counts of logged contacts")
        + "; open means no first response yet."
    )
    st.dataframe(summary["by_brand_channel"], hide_index=True, width="stretch")

with read_scope(engine) as session:
    recent = recent_contacts(session=session, actor=user, limit=10)
if not recent.empty:
    st.subheader("Recent contacts", anchor=False)
    st.caption("The ten latest contacts you may see" + (" (your own)." if user.role == "auditor" else "."))
    recent["Started"] = recent["Started"].map(lambda t: local_text(t, MINUTE))
    # st.table renders every cell as Markdown: notes typed by auditors are made literal first.
    st.table(plain_table(recent.set_index("Started")))
