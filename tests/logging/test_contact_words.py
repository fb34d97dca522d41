"""A contact's drill-down, change history and time errors speak the users' words (issue 15, item 8):
no critical policy code (``flag_fail``), no column name (``critical_failed``, ``is_na``), no field
name (``first_response_at``, ``item:GREET``) and no ISO time reach the screen, and a time typed in
the wrong order is quoted back in local time as it was typed."""

import re
from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest
from sqlmodel import select

from data import db
from data.db import session_scope
from journeys.accounts.users import create_user
from journeys.catalogue.journeys import CriterionIn, JourneyChannelIn, JourneyIn, create_journey
from journeys.catalogue.reference import ensure_builtin_channels, get_or_create_brand, get_or_create_wave
from journeys.fieldwork.contacts import AnswerIn, ContactStart, applicable_criteria, save_contact, start_contact
from journeys.local_time import LOCAL_ZONE
from journeys.models import Contact
from tests.apptest import open_page
from tests.logging.test_logging_pages import logged as logged  # the fixture, shared
from tests.shown import shown
from ui.contact_detail import score_text
from ui.session import SignedInUser

SAVE_TIMES = "FormSubmitter:times-Save times"
# What must never be read on screen: codes of policies, columns and fields, and ISO times.
CODES = ("flag_fail", "zero_section", "zero_contact", "critical_failed", "is_na", "item_score",
         "first_response_at", "resolved_at", "started_at", "wait_seconds", "redirected_to", "item:")
ISO_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}|[+-]\d{2}:\d{2}\b")


@pytest.fixture
def assessed(app_env):
    """An e-mail contact whose critical (fail, score kept) criterion GREET was answered No, then
    corrected by hand (first response, notes, an answer, a redirect): (url, auditor, contact id)."""
    engine = db.get_engine(app_env)
    now = datetime.now(UTC)
    with session_scope(engine) as session:
        channels = ensure_builtin_channels(session=session)
        brand = get_or_create_brand(session=session, name="Koopklik")
        get_or_create_wave(session=session, name="2026-Q4")
        user = create_user(session=session, username="auditor1", role="auditor", password="auditor1-pass")
        journey = create_journey(session=session, journey_in=JourneyIn(
            name="Ask about a delivery", scenario="Parcel stuck", question="Where is my parcel?",
            reference_answer="At the depot", channels=[JourneyChannelIn(channel="email"), JourneyChannelIn(channel="phone")],
            criteria=[CriterionIn(code="GREET", text="Greets by name", critical_policy="flag_fail"),
                      CriterionIn(code="TONE", text="Friendly tone", section="Tone", kind="scale", scale_min=1,
                                  scale_max=5)]))
        auditor = SignedInUser(user.id, "auditor1", "Auditor One", "auditor")
        contact = start_contact(session=session, actor=auditor, start=ContactStart(
            journey_id=journey.id, brand_id=brand.id, channel_id=channels["email"].id,
            started_at=now - timedelta(hours=3)))
        greet, tone = applicable_criteria(session, contact)
        save_contact(session=session, actor=auditor, contact_id=contact.id, complete=True,
                     changes={"first_response_at": now - timedelta(hours=2), "notes": "first"},
                     answers=[AnswerIn(greet.id, 0.0), AnswerIn(tone.id, 4.0)])
        save_contact(session=session, actor=auditor, contact_id=contact.id,
                     changes={"first_response_at": now - timedelta(hours=1, seconds=13), "notes": "second",
                              "answer_correct": True, "redirected_to_channel_id": channels["phone"].id,
                              "wait_seconds": 26},
                     answers=[AnswerIn(tone.id, 3.0)])
        return app_env, auditor, contact.id


def _screen_text(at) -> str:
    """Everything the page shows as text: headings, metrics (with help), captions, notices, and
    every table's and dataframe's column names and cells."""
    parts = [e.value for kind in ("title", "subheader", "markdown", "caption", "success", "info", "warning", "error")
             for e in getattr(at, kind)]
    for metric in at.metric:
        parts += [metric.label, str(metric.value), metric.proto.help]
    for frame in [d.value for d in at.dataframe] + [t.value for t in at.table]:
        parts += [str(c) for c in frame.columns] + [str(v) for v in frame.to_numpy().ravel()]
    return shown("\n".join(parts))


def test_the_drill_down_and_history_show_no_codes(assessed):
    """The checklist table, the knock-out and the change history use the users' words, times in
    local time: "Critical failed", "Contact fails, score kept", "First response", "Criterion TONE"."""
    url, auditor, contact_id = assessed
    at = open_page("contact_log", auditor, log_contact_id=contact_id, log_show_saved=True)
    text = _screen_text(at)
    for code in CODES:
        assert code not in text, code
    assert not ISO_TIME.search(text), ISO_TIME.search(text)
    checklist = next(d.value for d in at.dataframe if "Criterion" in d.value.columns)
    assert list(checklist.columns) == ["Criterion", "Section", "Answer", "N/A", "Points", "Critical failed", "Comment"]
    assert checklist[["Answer", "Critical failed"]].values.tolist() == [["No", "yes"], ["3", "no"]]
    assert {m.label: m.value for m in at.metric}["Knock-out"] == "Contact fails, score kept"

    history = next(d.value for d in at.dataframe if "Field" in d.value.columns)
    assert list(history.columns) == ["When", "By", "Field", "Before", "After", "Change"]
    with session_scope(db.get_engine(url)) as session:
        stored = session.get(Contact, contact_id).first_response_at
    row = history[history["Field"] == "First response"].iloc[-1]
    assert row["After"] == stored.astimezone(LOCAL_ZONE).strftime("%a %d %b %Y %H:%M:%S")
    fields = set(history["Field"])
    assert {"Criterion TONE", "Criterion GREET", "Notes", "Answer correct", "Redirected to", "Waiting time"} <= fields
    assert history[history["Field"] == "Redirected to"]["After"].tolist() == ["Phone"]
    assert history[history["Field"] == "Answer correct"]["After"].tolist() == ["yes"]
    assert history[history["Field"] == "Waiting time"]["After"].tolist() == ["26 s"]
    assert set(history["Change"]) <= {"Created", "Changed", "Removed"}


def _score(**values) -> pd.Series:
    row = dict(final_score=80.0, raw_score=80.0, knockout="none", applicable_items=3, na_items=0)
    return pd.Series({**row, **values})


def test_the_score_text_names_the_knock_out_in_words():
    """A score with no knock-out ends with the score; a knock-out is its words, never its code;
    a checklist answered N/A throughout is "Not scored: every item N/A"."""
    assert score_text(_score()) == "Score 80.0 (raw 80.0)"
    failed = score_text(_score(knockout="flag_fail"))
    assert "flag_fail" not in failed and failed.startswith("Score 80.0 (raw 80.0) — ") and "critical" in failed
    assert "zero_section" not in score_text(_score(knockout="zero_section", final_score=50.0))
    assert score_text(_score(final_score=float("nan"), raw_score=float("nan"), na_items=3)) == \
        "Not scored: every item N/A"


def test_a_time_before_the_start_is_quoted_in_local_time_as_typed(logged):
    """A first response typed at 19:40 local before a start at 20:xx says "First response" and
    "19:40" as typed, with the start in local time too, never the UTC ISO form of either."""
    url, auditor, contact_id = logged
    with session_scope(db.get_engine(url)) as session:
        contact = session.get(Contact, contact_id)
        start = datetime.now(LOCAL_ZONE).replace(hour=20, minute=5, second=12, microsecond=0) - timedelta(days=1)
        contact.started_at = start.astimezone(UTC)
        session.add(contact)
    at = open_page("contact_log", auditor, log_contact_id=contact_id, log_show_saved=True)
    at.date_input(key="t_first_d").set_value(start.date())
    at.time_input(key="t_first_t").set_value(start.time().replace(hour=19, minute=40, second=0))
    at.button(key=SAVE_TIMES).click().run()
    assert not at.exception
    errors = " ".join(shown(e.value) for e in at.error)
    day = start.date().isoformat()
    assert (f"First response: is before the start of the contact, {day} 20:05:12 (got '{day} 19:40')"
            in errors), errors
    assert "first_response_at" not in errors and not ISO_TIME.search(errors), errors
    with session_scope(db.get_engine(url)) as session:
        assert session.get(Contact, contact_id).first_response_at is None
        assert session.exec(select(Contact)).one().started_at == start.astimezone(UTC)
