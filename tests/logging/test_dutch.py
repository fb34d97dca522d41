"""The auditor's flow in Dutch: Log contact and My contacts render Dutch words (no common English
UI words), the domain's refusals speak Dutch when raised in a Dutch run, and numbers, durations and
counts are written as Dutch writes them (decimal comma, "1 criterium" / "3 criteria")."""

import math
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from data import db
from data.db import session_scope
from journeys.errors import ValidationError
from journeys.fieldwork.contacts import ContactStart, draft_text, record_event, save_contact, start_contact
from journeys.fieldwork.evidence import MAX_EVIDENCE_BYTES, inspect_evidence
from journeys.language import LANGUAGE_ENV, use_language
from journeys.limits import MEGABYTE
from journeys.models import Contact
from journeys.wording import field_label
from tests.apptest import open_page
from tests.factories import make_world
from tests.shown import shown
from ui.contact_detail import score_text
from ui.session import SignedInUser

# Words a Dutch page of the auditor's flow must not show (its own words: the field names it takes
# from journeys.wording are checked too once that module speaks Dutch, see _forbidden).
ENGLISH = ("Save", "Contacts", "Channel", "Wave", "Evidence", "Assessment", "Timing", "Transfers", "Attach",
           "Waiting for", "Recently completed", "Previous", "Next", "Start contact", "Start a new contact",
           "Answer received", "Reference answer", "Ask on this channel", "Change history", "Notes")


def _forbidden() -> tuple[str, ...]:
    with use_language("nl"):
        translated_fields = field_label("first_response_at") != "First response"
    return ENGLISH + (("First response", "Resolved") if translated_fields else ())


def _texts(at) -> list[str]:
    """Every text of a page run a person reads: headings, captions, Markdown, notices, widget
    labels and options, metrics, and the column headers of its tables."""
    texts = []
    for kind in ("title", "subheader", "header", "caption", "markdown", "info", "warning", "error", "success"):
        texts += [shown(str(e.value)) for e in at.get(kind)]
    for kind in ("button", "selectbox", "text_area", "text_input", "number_input", "date_input", "time_input",
                 "toggle", "button_group", "expander", "metric", "download_button", "file_uploader"):
        for element in at.get(kind):
            texts += [str(getattr(element, attribute)) for attribute in ("label", "help", "placeholder")
                      if getattr(element, attribute, None)]
            texts += [str(o) for o in getattr(element, "options", []) or []]
    for element in at.get("metric"):
        texts.append(str(element.value))
    for frame in (*at.get("dataframe"), *at.get("table")):
        texts += [str(c) for c in frame.value.columns]
    return texts


def _english_in(texts: list[str]) -> list[str]:
    pattern = re.compile(r"\b(" + "|".join(re.escape(w) for w in _forbidden()) + r")\b")
    return [t for t in texts if pattern.search(t)]


@pytest.fixture
def dutch_world(app_env, monkeypatch):
    """The test world in a Dutch installation: an e-mail contact sent 3.5 hours ago with a first
    response after half an hour, and one still waiting; returns (auditor, answered id, waiting id)."""
    monkeypatch.setenv(LANGUAGE_ENV, "nl")
    engine = db.get_engine(app_env)
    now = datetime.now(UTC)
    with session_scope(engine) as session:
        world = make_world(session)
        auditor = SignedInUser(world["auditor"].id, "auditor1", "Auditor One", "auditor")
        ids = []
        for hours in (5, 3.5):
            ids.append(start_contact(session=session, actor=auditor, start=ContactStart(
                journey_id=world["journey"].id, brand_id=world["brand"].id,
                channel_id=world["channels"]["email"].id, wave_id=world["wave"].id,
                started_at=now - timedelta(hours=hours))).id)
        record_event(session=session, actor=auditor, contact_id=ids[0], event="first_response",
                     at=now - timedelta(hours=4, minutes=30))
    return auditor, ids[0], ids[1]


def test_log_contact_speaks_dutch(dutch_world):
    auditor, answered, _waiting = dutch_world
    at = open_page("contact_log", auditor, log_contact_id=answered, log_show_saved=True)
    texts = _texts(at)
    for dutch in ("Tijden", "Beoordeling", "Beoordeling opslaan", "Concept opslaan", "Ontvangen antwoord",
                  "Antwoord juist?", "Doorverbindingen", "Notities", "Bewijs", "**Vraag op dit kanaal**",
                  "**Referentieantwoord**", "**Wijzigingsgeschiedenis**", "De tijden met de hand corrigeren",
                  "Eindscore", "Ja op elk onbeantwoord criterium"):
        assert dutch in texts, dutch
    assert at.button(key="now_resolved").label == "Nu opgelost"
    assert at.button(key="a_save").label == "Beoordeling opslaan"
    assert any(t.startswith("Eerste reactie ") and "(na 30 min)" in t for t in texts), texts
    # the checklist's options read Ja / Nee and keep their stored value
    options = [g for g in at.button_group if g.key and g.key.startswith("a_c") and g.key != "a_correct"]
    assert options and all(o.options[:2] == ["Ja", "Nee"] for o in options)
    assert at.button_group(key="a_correct").options == ["Ja", "Nee", "Niet beoordeeld"]
    assert _english_in(texts) == []


def test_a_checklist_saved_in_dutch_stores_the_same_answers(dutch_world, app_env):
    auditor, answered, _waiting = dutch_world
    at = open_page("contact_log", auditor, log_contact_id=answered)
    at.button(key="a_all_yes").click().run()
    at.button(key="a_save").click().run()
    assert not at.exception
    assert [shown(s.value) for s in at.success] == ["Beoordeling opgeslagen. Score 100,0 (ruw 100,0)"]
    with session_scope(db.get_engine(app_env)) as session:
        assert not session.get(Contact, answered).is_draft


def test_my_contacts_speaks_dutch(dutch_world, app_env):
    auditor, answered, waiting = dutch_world
    at = open_page("contacts_mine", auditor)
    texts = _texts(at)
    for dutch in ("Mijn contacten", "Merk", "Locatie", "Klantreis", "Kanaal", "Meetronde", "Contact starten",
                  "Wacht op een reactie (1)", "Onlangs voltooid", "Openen"):
        assert dutch in texts, dutch
    # a duration with a decimal comma, and a count in the singular
    assert any("wacht 3,5 uur" in t for t in texts), texts
    assert "1 voltooid contact: tik erop om het te openen." in texts
    assert _english_in(texts) == []


def test_my_contacts_pages_in_dutch(dutch_world, app_env):
    auditor, _answered, _waiting = dutch_world
    with session_scope(db.get_engine(app_env)) as session:
        first = session.exec(select(Contact)).first()
        for n in range(11):
            start_contact(session=session, actor=auditor, start=ContactStart(
                journey_id=first.journey_id, brand_id=first.brand_id, channel_id=first.channel_id,
                started_at=datetime.now(UTC) - timedelta(minutes=n + 1)))
    at = open_page("contacts_mine", auditor)
    assert "1–10 van 12 open contacten, nieuwste eerst (pagina 1 van 2)" in _texts(at)
    assert at.button(key="mine_open_page_next").label == "Volgende"


def test_a_time_refused_in_dutch(engine):
    """A refusal made in a Dutch run is Dutch, with the time as typed; the same refusal in English is English."""
    with session_scope(engine) as session:
        world = make_world(session)
        auditor = SignedInUser(world["auditor"].id, "auditor1", "Auditor One", "auditor")
        contact = start_contact(session=session, actor=auditor, start=ContactStart(
            journey_id=world["journey"].id, brand_id=world["brand"].id, channel_id=world["channels"]["email"].id,
            started_at=datetime.now(UTC) - timedelta(hours=2)))
        early = contact.started_at - timedelta(hours=1)
        with use_language("nl"), pytest.raises(ValidationError) as dutch:
            save_contact(session=session, actor=auditor, contact_id=contact.id,
                         changes={"first_response_at": early, "transfers": -1})
        with pytest.raises(ValidationError) as english:
            save_contact(session=session, actor=auditor, contact_id=contact.id, changes={"first_response_at": early})
    assert "ligt vóór de start van het contact" in str(dutch.value)
    assert "mag niet negatief zijn" in str(dutch.value)
    assert "is before the start of the contact" in str(english.value)


def test_a_checklist_refusal_in_dutch(engine):
    with session_scope(engine) as session:
        world = make_world(session)
        auditor = SignedInUser(world["auditor"].id, "auditor1", "Auditor One", "auditor")
        contact = start_contact(session=session, actor=auditor, start=ContactStart(
            journey_id=world["journey"].id, brand_id=world["brand"].id, channel_id=world["channels"]["email"].id))
        with use_language("nl"), pytest.raises(ValidationError) as caught:
            save_contact(session=session, actor=auditor, contact_id=contact.id, answers=[], complete=True)
    assert "criterium C1: heeft geen antwoord (kies een waarde of n.v.t.)" in str(caught.value)


def test_an_upload_over_the_limit_in_dutch():
    """The size of a refused upload is written with a decimal comma."""
    data = b"x" * (MAX_EVIDENCE_BYTES + MEGABYTE // 2)
    size = math.ceil(len(data) * 10 / MEGABYTE) / 10
    with use_language("nl"), pytest.raises(ValidationError) as caught:
        inspect_evidence("video.mp4", data)
    assert f"bewijs: is {size:.1f} MB; de limiet is 10 MB".replace(".", ",") in str(caught.value)
    with pytest.raises(ValidationError) as english:
        inspect_evidence("video.mp4", data)
    assert f"evidence: is {size:.1f} MB; the limit is 10 MB" in str(english.value)


def test_drafts_and_scores_in_dutch_words_and_numbers():
    score = {"final_score": 80.0, "raw_score": 75.5, "knockout": "none", "applicable_items": 3, "na_items": 0}
    with use_language("nl"):
        assert draft_text(1, 1) == "Concept, 1 van 1 criterium beantwoord"
        assert draft_text(3, 8) == "Concept, 3 van 8 criteria beantwoord"
        assert score_text(score) == "Score 80,0 (ruw 75,5)"
    assert draft_text(1, 1) == "Draft, 1 of 1 item answered"
    assert score_text(score) == "Score 80.0 (raw 75.5)"


@pytest.fixture
def dutch_call(app_env, monkeypatch):
    """A phone call waited on for 40 seconds in a Dutch installation; returns (auditor, contact id)."""
    monkeypatch.setenv(LANGUAGE_ENV, "nl")
    with session_scope(db.get_engine(app_env)) as session:
        world = make_world(session)
        auditor = SignedInUser(world["auditor"].id, "auditor1", "Auditor One", "auditor")
        contact = start_contact(session=session, actor=auditor, start=ContactStart(
            journey_id=world["journey"].id, brand_id=world["brand"].id, channel_id=world["channels"]["phone"].id,
            started_at=datetime.now(UTC) - timedelta(seconds=40)))
    return auditor, contact.id


def test_the_stopwatch_in_dutch(dutch_call):
    auditor, contact_id = dutch_call
    at = open_page("contact_log", auditor, log_contact_id=contact_id)
    assert [m.label for m in at.metric] == ["Wachten"]
    assert at.metric[0].value.endswith(" s")
    assert at.button(key="sw_answer").label == "Nu beantwoord / opgenomen"
    assert at.button(key="sw_end").label == "Gesprek nu beëindigd"
    at.button(key="sw_answer").click().run()
    assert not at.exception
    assert [shown(s.value) for s in at.success] == ["Wachttijd gestopt."]
    assert [m.label for m in at.metric] == ["Gewacht", "Afhandeling"]
    assert _english_in(_texts(at)) == []


def test_a_time_correction_refused_in_dutch(dutch_call):
    auditor, contact_id = dutch_call
    at = open_page("contact_log", auditor, log_contact_id=contact_id)
    at.button(key="FormSubmitter:times-Tijden opslaan").click().run()
    assert [shown(i.value) for i in at.info] == ["Niets gewijzigd: de tijden zijn zoals opgeslagen."]
    at.number_input(key="t_wait").set_value(-5.0)
    at.button(key="FormSubmitter:times-Tijden opslaan").click().run()
    assert not at.exception
    assert any("mag niet negatief zijn" in shown(e.value) for e in at.error), [e.value for e in at.error]


def test_a_draft_in_my_contacts_in_dutch(dutch_world, app_env):
    auditor, _answered, waiting = dutch_world
    with session_scope(db.get_engine(app_env)) as session:
        save_contact(session=session, actor=auditor, contact_id=waiting, draft=True)
    at = open_page("contacts_mine", auditor)
    texts = _texts(at)
    assert "Concepten (1)" in texts and "Voltooien" in texts
    assert any(t.startswith("Concept, 0 van 3 criteria beantwoord · gestart ") for t in texts), texts
    assert "Wacht op een reactie (0)" in texts and "Geen open contacten." in texts
    assert _english_in(texts) == []
