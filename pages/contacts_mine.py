"""My contacts: drafts to complete, open contacts waiting for a response (against the channel's target), recent
completed ones, and starting a new contact."""

from datetime import UTC, datetime

import streamlit as st
from sqlmodel import select

from data.db import read_scope, session_scope
from journeys.catalogue.reference import default_wave
from journeys.errors import KlantreisError
from journeys.fieldwork.contacts import ContactStart, draft_text, my_contacts, my_drafts, start_contact
from journeys.local_time import DAY_MINUTE, LOCAL_ZONE, duration, local_column, local_text
from journeys.models import Brand, Channel, Journey, JourneyChannel, JourneyStatus, Location, Wave
from ui.actions import show_refusal
from ui.contact_forms import LOG_PAGE, OPEN_KEY, datetime_input
from ui.resources import get_engine
from ui.session import require_page
from ui.text import as_plain_text, plain_table

user = require_page(__file__)
engine = get_engine()
st.title("My contacts", anchor=False)

with read_scope(engine) as session:
    journeys = session.exec(select(Journey).where(Journey.status == JourneyStatus.ACTIVE).order_by(Journey.name)).all()
    brands = session.exec(select(Brand).order_by(Brand.name)).all()
    waves = session.exec(select(Wave).order_by(Wave.name.desc())).all()
    channels = {c.id: c for c in session.exec(select(Channel)).all()}
    journey_channels = session.exec(select(JourneyChannel)).all()
    locations = session.exec(select(Location).order_by(Location.name)).all()

with st.expander("Start a new contact", icon=":material/add_circle:", expanded=False):
    if not journeys or not brands:
        st.info("An admin first needs to add a journey and a brand.")
    else:
        journey = st.selectbox("Journey", journeys, format_func=lambda j: j.name, key="new_journey")
        st.caption(f"Ask: {as_plain_text(journey.question)}")
        brand = st.selectbox("Brand", brands, format_func=lambda b: b.name, key="new_brand")
        options = sorted((channels[jc.channel_id] for jc in journey_channels if jc.journey_id == journey.id),
                         key=lambda c: c.label or c.name)
        channel = st.selectbox("Channel", options, format_func=lambda c: c.label or c.name, key="new_channel")
        own_locations = [loc for loc in locations if loc.brand_id == brand.id]
        location = st.selectbox("Location", [None, *own_locations], key="new_location",
                                format_func=lambda loc: "—" if loc is None else loc.name)
        suggested = default_wave(list(waves), datetime.now(LOCAL_ZONE).date())
        wave = st.selectbox("Wave", [None, *waves], index=1 + list(waves).index(suggested) if suggested else 0,
                            key="new_wave", format_func=lambda w: "—" if w is None else w.name)
        live = channel is not None and channel.is_live
        when = None
        if not live:
            mode = st.segmented_control("Sent at", ["Now", "Another time"], default="Now", key="new_when")
            if mode == "Another time":
                when = datetime_input("Sent", datetime.now(UTC), "new_sent")
        if st.button("Start contact" if not live else "Start waiting (stopwatch)", type="primary",
                     icon=":material/play_arrow:", key="new_start"):
            try:
                with session_scope(engine) as session:
                    contact = start_contact(session=session, actor=user, start=ContactStart(
                        journey_id=journey.id, brand_id=brand.id, channel_id=channel.id,
                        location_id=location.id if location else None, wave_id=wave.id if wave else None,
                        started_at=when))
                st.session_state[OPEN_KEY] = contact.id
                st.switch_page(LOG_PAGE)
            except KlantreisError as problem:
                show_refusal(problem)

frame = my_contacts(engine=engine, actor=user)
drafts = frame[frame["draft"]]
frame = frame[~frame["draft"]]  # a draft is listed once, as a draft: it is not counted as open or completed
open_ones = frame[frame["open"]]
done = frame[~frame["open"]].head(30)


def _target_state(row) -> str:
    status = row["first_response_status"]
    target = row["first_response_target_s"]
    if status == "no_target" or target != target:
        return "no target"
    clock = "working hours" if row["business_hours"] else "24/7"
    label = {"within": "within", "late": "over", "pending": "within"}.get(status, status)
    return f"{label} target {duration(target)} ({clock})"


def _contact_card(row: dict, caption: str, action: str, *, key: str, icon: str) -> None:
    """One contact as a card: channel, brand and journey (as typed, never Markdown), a caption, and
    a button that opens it on the log page."""
    with st.container(border=True):
        left, right = st.columns([4, 1], vertical_alignment="center")
        left.markdown(f"**{as_plain_text(row['channel'])}** · {as_plain_text(row['brand'])} · "
                      f"{as_plain_text(row['journey'])}")
        left.caption(caption)
        if right.button(action, key=f"{key}_{row['contact_id']}", icon=icon):
            st.session_state[OPEN_KEY] = int(row["contact_id"])
            st.switch_page(LOG_PAGE)


if not drafts.empty:
    with read_scope(engine) as session:
        progress = my_drafts(session=session, actor=user)
    st.subheader(f"Drafts ({len(drafts)})", anchor=False)
    st.caption("Assessments saved unfinished: not scored or counted anywhere until you complete them.")
    for row in drafts.itertuples():
        row = row._asdict()
        _contact_card(row, f"{draft_text(*progress.get(int(row['contact_id']), (0, 0)))} · "
                           f"started {local_text(row['started_at'])}",
                      "Complete", key="draft", icon=":material/edit_note:")

st.subheader(f"Waiting for a response ({len(open_ones)})", anchor=False)
if open_ones.empty:
    st.caption("No open contacts.")
elif len(open_ones) > 50:
    st.caption(f"The 50 newest of {len(open_ones)} open contacts; older ones stay open and count as unanswered.")
for row in open_ones.head(50).itertuples():
    row = row._asdict()
    _contact_card(row, f"Started {local_text(row['started_at'])} · waiting {duration(row['response_time_s'])} · "
                       f"{_target_state(row)}",
                  "Open", key="open", icon=":material/edit:")

st.subheader("Recently completed", anchor=False)
if done.empty:
    st.caption("Nothing completed yet.")
else:
    table = done.assign(
        started=local_column(done["started_at"], DAY_MINUTE),
        first_response=done["first_response_s"].map(duration),
        resolution=done["resolution_s"].map(duration),
        wait=done["wait_seconds"].map(duration),
        handling=done["handling_seconds"].map(duration),
    )[["contact_id", "started", "channel", "brand", "journey", "first_response", "resolution", "wait", "handling"]]
    st.table(plain_table(table.set_index("contact_id").rename_axis("contact")))
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    reopen = left.selectbox("Open a completed contact", table["contact_id"].tolist(), key="mine_reopen",
                            format_func=lambda cid: f"{cid} · " + " · ".join(
                                table.loc[table["contact_id"] == cid, ["channel", "brand", "started"]].iloc[0]))
    if right.button("Open", key="mine_reopen_go", icon=":material/edit:"):
        st.session_state[OPEN_KEY] = int(reopen)
        st.switch_page(LOG_PAGE)
