"""My contacts: starting a new contact (open first, with the auditor's last choices), drafts to
complete, open contacts waiting for a response (against the channel's target, a page at a time),
and the recently completed ones as a compact list; each contact says whether it was made for the
plan ("Planned: 2026-Q1") or outside it ("Ad hoc (outside the plan)"), and a line links to My
assignments when planned contacts are waiting ("3 assignments to do, 1 overdue → My assignments").
Contacts a reviewer returned come first, with the reviewer's comment; finished contacts not yet
submitted are listed with "Submit for review"; each completed one says its review status in words.

The start form is a fragment: picking a brand, journey or channel reruns only the form (its
dropdowns depend on each other, which a ``st.form`` cannot do), not the whole page. Its choices
start from the auditor's last contact (``journeys.fieldwork.overview.last_start``); the wave is the
one covering the contact's day (``journeys.catalogue.reference.default_wave``), and when none does
the form says so and the auditor chooses one or "No wave".

Every word is in the user's language (``journeys.language``), the start form's fragment reruns
too; counts in the right number ("1 contact", "2 contacten"), durations and dates as the
language writes them. Choices are stored as codes or the English words, shown translated, so a
widget keeps its value when the language changes.
"""

from datetime import UTC, datetime

import pandas as pd
import streamlit as st
from sqlmodel import select

from data.db import read_scope, session_scope
from journeys.catalogue.clients import startable_brands, startable_locations
from journeys.catalogue.reference import channel_display_name, default_wave
from journeys.errors import KlantreisError
from journeys.fieldwork.contacts import ContactStart, draft_text, my_contacts, my_drafts, start_contact
from journeys.fieldwork.frames import read_answers, read_criteria
from journeys.fieldwork.overview import last_start
from journeys.fieldwork.planned import local_today
from journeys.fieldwork.worklist import my_assignments, plan_mark_text, plan_marks, work_list_summary
from journeys.language import _, day_text, ngettext, number, pgettext
from journeys.local_time import DAY_MINUTE, duration, local_text, to_local
from journeys.models import Channel, Journey, JourneyChannel, JourneyStatus, Wave
from journeys.review.workflow import ready_to_submit
from journeys.wording import review_status_label
from scoring.quality import score_contacts
from ui.actions import show_notice, show_refusal
from ui.contact_forms import LOG_PAGE, OPEN_KEY, datetime_input
from ui.navigation import ASSIGNMENTS_PAGE
from ui.resources import get_engine
from ui.review import returned_list, submit_button
from ui.session import require_page
from ui.text import as_plain_text

user = require_page(__file__)
PAGE_SIZE = 10  # cards per page of a long list (a phone shows two or three at a time)
RECENT = 10  # completed contacts in the compact list
NO_WAVE = 0  # the wave dropdown's "No wave" (wave ids start at 1)
engine = get_engine()
st.title(_("My contacts"), anchor=False)
show_notice()

with read_scope(engine) as session:
    journeys = session.exec(select(Journey).where(Journey.status == JourneyStatus.ACTIVE).order_by(Journey.name)).all()
    brands = startable_brands(session=session)  # archived brands and locations are offered no new contact
    # a closed wave takes no new contacts: the form offers open waves only
    waves = session.exec(select(Wave).where(Wave.closed_at.is_(None)).order_by(Wave.name.desc())).all()
    channels = {c.id: c for c in session.exec(select(Channel)).all()}
    journey_channels = session.exec(select(JourneyChannel)).all()
    locations = startable_locations(session=session)
    last = last_start(session=session, actor=user)
    assignments = work_list_summary(my_assignments(session=session, actor=user, today=local_today()))
channel_names = {c.name: channel_display_name(c.name, c.label) for c in channels.values()}


def assignments_link(summary: str) -> None:
    """"3 assignments to do, 1 overdue → My assignments", a link to the work list."""
    label = _("{summary} → My assignments").format(summary=summary)
    try:
        st.page_link(ASSIGNMENTS_PAGE, label=label, icon=":material/checklist:")
    except Exception:  # noqa: BLE001 - outside the navigation frame (a page run on its own) there is no link target
        st.markdown(label)


def _index(ids: list, wanted) -> int:
    """Where ``wanted`` (the last contact's choice) is among ``ids``, else the first."""
    return ids.index(wanted) if wanted in ids else 0


@st.fragment
def start_form() -> None:
    """Brand, location, journey, channel and wave of a new contact; only this part reruns on a pick."""
    if not journeys or not brands:
        st.info(_("An admin first needs to add a journey and a brand."))
        return
    by_id = {"brand": {b.id: b for b in brands}, "journey": {j.id: j for j in journeys},
             "location": {loc.id: loc for loc in locations}, "wave": {w.id: w for w in waves}}
    brand_ids = list(by_id["brand"])
    brand_id = st.selectbox(_("Brand"), brand_ids, index=_index(brand_ids, last and last.brand_id), key="new_brand",
                            format_func=lambda i: by_id["brand"][i].name)
    location_ids = [None, *(loc.id for loc in locations if loc.brand_id == brand_id)]
    location_id = st.selectbox(_("Location"), location_ids, key="new_location",
                               index=_index(location_ids, last and last.location_id),
                               format_func=lambda i: "—" if i is None else by_id["location"][i].name)
    journey_ids = list(by_id["journey"])
    journey_id = st.selectbox(_("Journey"), journey_ids, index=_index(journey_ids, last and last.journey_id),
                              key="new_journey", format_func=lambda i: by_id["journey"][i].name)
    journey = by_id["journey"][journey_id]
    st.caption(_("Ask: {question}").format(question=as_plain_text(journey.question)))
    options = sorted((channels[jc.channel_id] for jc in journey_channels if jc.journey_id == journey_id),
                     key=lambda c: c.label or c.name)
    channel_ids = [c.id for c in options]
    channel_id = st.selectbox(_("Channel"), channel_ids, key="new_channel",
                              index=_index(channel_ids, last and last.channel_id) if channel_ids else None,
                              format_func=lambda i: channel_names[channels[i].name])
    channel = channels.get(channel_id)
    live = channel is not None and channel.is_live
    when = None
    if not live:
        # the options are the English words (the value stays the same in every language), shown translated
        mode = st.segmented_control(_("Sent at"), ["Now", "Another time"], default="Now", key="new_when",
                                    format_func=lambda option: {"Now": _("Now"), "Another time": _("Another time")}[
                                        option])
        if mode == "Another time":
            when = datetime_input(_("Sent"), datetime.now(UTC), "new_sent")
    day = to_local(when or datetime.now(UTC)).date()
    covering = default_wave(list(waves), day)
    wave_ids = [NO_WAVE, *by_id["wave"]]
    if covering is None and waves:
        st.warning(_("No wave covers {day} — choose one, or leave without a wave.").format(day=day_text(day)),
                   icon=":material/event_busy:")
    wave_id = st.selectbox(_("Wave"), wave_ids, key="new_wave", placeholder=_("Choose a wave"),
                           index=wave_ids.index(covering.id) if covering else (0 if not waves else None),
                           format_func=lambda i: _("No wave") if i == NO_WAVE else by_id["wave"][i].name)
    if st.button(_("Start contact") if not live else _("Start waiting (stopwatch)"), type="primary",
                 icon=":material/play_arrow:", key="new_start", width="stretch"):
        if channel is None:
            st.error(_("This journey has no channel yet: an admin adds one in the journey builder."),
                     icon=":material/error:")
            return
        if wave_id is None:
            st.error(_("Wave: choose the wave this contact belongs to, or “No wave” (none covers {day}).").format(
                day=day_text(day)),
                     icon=":material/event_busy:")
            return
        try:
            with session_scope(engine) as session:
                contact = start_contact(session=session, actor=user, start=ContactStart(
                    journey_id=journey_id, brand_id=brand_id, channel_id=channel_id, location_id=location_id,
                    wave_id=None if wave_id == NO_WAVE else wave_id, started_at=when))
        except KlantreisError as problem:
            show_refusal(problem)
            return
        st.session_state[OPEN_KEY] = contact.id
        st.switch_page(LOG_PAGE)


if assignments:  # planned contacts waiting: one line to the work list
    assignments_link(assignments)
# contacts a reviewer sent back come first: the auditor revises and resubmits them
returned_list(engine, user, channel_names, key="mine")

with st.container(border=True, key="start_form"):
    st.markdown("**{}**".format(_("Start a new contact")))
    start_form()

frame = my_contacts(engine=engine, actor=user)
drafts = frame[frame["draft"]]
frame = frame[~frame["draft"]]  # a draft is listed once, as a draft: it is not counted as open or completed
open_ones = frame[frame["open"]]
done = frame[~frame["open"]].head(RECENT)
with read_scope(engine) as session:  # planned or ad hoc, for every contact listed here: one query
    marks = plan_marks(session=session, contact_ids=[*drafts["contact_id"], *open_ones["contact_id"],
                                                      *done["contact_id"]])


def _mark(contact_id) -> str:
    """"Planned: 2026-Q1" or "Ad hoc (outside the plan)", shown literally (a wave's name is typed text)."""
    return as_plain_text(plan_mark_text(marks.get(int(contact_id))))


def _target_state(row) -> str:
    status = row["first_response_status"]
    target = row["first_response_target_s"]
    if status == "no_target" or target != target:
        return _("no target")
    clock = _("working hours") if row["business_hours"] else _("24/7")
    if status == "late":
        return _("over target {target} ({clock})").format(target=duration(target), clock=clock)
    return _("within target {target} ({clock})").format(target=duration(target), clock=clock)


def _contact_card(row: dict, caption: str, action: str, *, key: str, icon: str) -> None:
    """One contact as a card: channel, brand and journey (as typed, never Markdown), a caption, and
    a button that opens it on the log page."""
    with st.container(border=True):
        left, right = st.columns([4, 1], vertical_alignment="center")
        left.markdown(f"**{as_plain_text(channel_names.get(row['channel'], row['channel']))}** · {as_plain_text(row['brand'])} · "
                      f"{as_plain_text(row['journey'])}")
        left.caption(f"{caption} · {_mark(row['contact_id'])}")
        if right.button(action, key=f"{key}_{row['contact_id']}", icon=icon):
            st.session_state[OPEN_KEY] = int(row["contact_id"])
            st.switch_page(LOG_PAGE)


def _page_of(rows: pd.DataFrame, key: str, caption) -> pd.DataFrame:
    """The rows of the current page of a long list (``PAGE_SIZE`` each), with Previous/Next under it;
    ``caption(total)`` is the caption's message for ``total`` rows ("… of {total} drafts …")."""
    pages = max(1, -(-len(rows) // PAGE_SIZE))
    page = min(st.session_state.get(key, 0), pages - 1)
    if pages > 1:
        shown = rows.iloc[page * PAGE_SIZE:(page + 1) * PAGE_SIZE]
        st.caption(caption(len(rows)).format(first=number(page * PAGE_SIZE + 1),
                                                     last=number(page * PAGE_SIZE + len(shown)),
                                                     total=number(len(rows)), page=number(page + 1),
                                                     pages=number(pages)))
        return shown
    return rows


def _pager(rows: pd.DataFrame, key: str) -> None:
    pages = max(1, -(-len(rows) // PAGE_SIZE))
    if pages <= 1:
        return
    page = min(st.session_state.get(key, 0), pages - 1)
    left, right = st.columns(2)
    if left.button(_("Previous"), key=f"{key}_prev", icon=":material/chevron_left:", disabled=page == 0,
                   width="stretch"):
        st.session_state[key] = page - 1
        st.rerun()
    if right.button(_("Next"), key=f"{key}_next", icon=":material/chevron_right:", disabled=page >= pages - 1,
                    width="stretch"):
        st.session_state[key] = page + 1
        st.rerun()


if not drafts.empty:
    with read_scope(engine) as session:
        progress = my_drafts(session=session, actor=user)
    st.subheader(_("Drafts ({n})").format(n=number(len(drafts))), anchor=False)
    st.caption(_("Assessments saved unfinished: not scored or counted anywhere until you complete them."))
    for row in _page_of(drafts, "mine_drafts_page", lambda total: ngettext(
            "{first}–{last} of {total} draft, newest first (page {page} of {pages})",
            "{first}–{last} of {total} drafts, newest first (page {page} of {pages})", total)).itertuples():
        row = row._asdict()
        _contact_card(row, _("{draft} · started {time}").format(
                          draft=draft_text(*progress.get(int(row["contact_id"]), (0, 0))),
                          time=local_text(row["started_at"])),
                      _("Complete"), key="draft", icon=":material/edit_note:")
    _pager(drafts, "mine_drafts_page")

st.subheader(_("Waiting for a response ({n})").format(n=number(len(open_ones))), anchor=False)
if open_ones.empty:
    st.caption(_("No open contacts."))
for row in _page_of(open_ones, "mine_open_page", lambda total: ngettext(
        "{first}–{last} of {total} open contact, newest first (page {page} of {pages})",
        "{first}–{last} of {total} open contacts, newest first (page {page} of {pages})", total)).itertuples():
    row = row._asdict()
    _contact_card(row, _("Started {time} · waiting {waited} · {target}").format(
                      time=local_text(row["started_at"]), waited=duration(row["response_time_s"]),
                      target=_target_state(row)),
                  pgettext("button", "Open"), key="open", icon=":material/edit:")
_pager(open_ones, "mine_open_page")


def _short_score(score) -> str:
    """A completed contact's score for the compact list: "score 75.0", or "not scored"."""
    if pd.isna(score["final_score"]):
        return _("not scored")
    return _("score {score}").format(score=number(score["final_score"], 1))


with read_scope(engine) as session:
    ready = ready_to_submit(session=session, actor=user)
to_submit = frame[frame["contact_id"].isin(ready) & (frame["review_status"] == "open")]
if not to_submit.empty:
    st.subheader(_("Ready to submit for review ({n})").format(n=number(len(to_submit))), anchor=False)
    st.caption(_("Finished contacts count for the client only after a reviewer approved them."))
    for row in to_submit.to_dict("records"):
        contact_id = int(row["contact_id"])
        with st.container(border=True, key=f"ready_{contact_id}"):
            left, right = st.columns([4, 1], vertical_alignment="center")
            left.markdown(" · ".join((as_plain_text(channel_names.get(row["channel"], row["channel"])),
                                      as_plain_text(row["brand"]), as_plain_text(row["journey"]))))
            left.caption(_("Contact {id} · started {time}").format(id=contact_id, time=local_text(row["started_at"])))
            with right:
                submit_button(engine, user, contact_id, key=f"submit_{contact_id}")

st.subheader(_("Recently completed"), anchor=False)
if done.empty:
    st.caption(_("Nothing completed yet."))
else:
    ids = [int(i) for i in done["contact_id"]]
    scores = score_contacts(done, read_answers(engine, ids), read_criteria(engine, done["version_id"]))
    st.caption(ngettext("The {n} newest: tap it to open it.", "The {n} newest: tap one to open it.",
                        len(done)).format(n=number(len(done))))
    for row in done.itertuples():
        row = row._asdict()
        contact_id = int(row["contact_id"])
        line = " · ".join((as_plain_text(row["brand"]), as_plain_text(channel_names.get(row["channel"], row["channel"])),
                           local_text(row["started_at"], DAY_MINUTE), _mark(contact_id),
                           _short_score(scores.loc[contact_id]), review_status_label(row["review_status"])))
        if st.button(line, key=f"done_{contact_id}", type="tertiary", icon=":material/check_circle:"):
            st.session_state[OPEN_KEY] = contact_id
            st.switch_page(LOG_PAGE)
