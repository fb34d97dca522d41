"""The journeys in Dutch: templates create Dutch journeys when the language is Dutch (and the
stored texts then stay as stored), validation speaks Dutch, and the journeys page renders Dutch."""

import pytest
from sqlmodel import select

from data import db
from data.db import session_scope
from journeys.catalogue.journey_editing import journey_in_from_db
from journeys.catalogue.journeys import CriterionIn, JourneyChannelIn, JourneyIn, create_journey
from journeys.catalogue.templates import TEMPLATES, localized, templates
from journeys.errors import ValidationError
from journeys.language import set_language, use_language
from journeys.models import Journey
from tests.journey_pages.test_journey_pages import _page
from tests.shown import shown

COMPLAINT = next(t for t in TEMPLATES if t.name == "File a complaint")


def test_templates_stay_english_outside_a_dutch_run():
    assert templates() == TEMPLATES
    assert localized(COMPLAINT) == COMPLAINT and localized(COMPLAINT) is not COMPLAINT


def test_every_template_text_has_its_dutch():
    """Every name, scenario, question, reference answer, criterion text and section is translated."""
    with use_language("nl"):
        for english, dutch in zip(TEMPLATES, templates(), strict=True):
            for attribute in ("name", "scenario", "question", "reference_answer"):
                assert getattr(dutch, attribute) != getattr(english, attribute), (english.name, attribute)
            for e, d in zip(english.criteria, dutch.criteria, strict=True):
                assert d.text != e.text, e.code
                assert (d.code, d.weight, d.kind, d.critical_policy, d.channels) == (
                    e.code, e.weight, e.kind, e.critical_policy, e.channels)
            assert [c.channel for c in dutch.channels] == [c.channel for c in english.channels]


def test_a_journey_created_from_a_template_in_dutch_is_stored_in_dutch(engine):
    with use_language("nl"), session_scope(engine) as session:
        journey = create_journey(session=session, journey_in=localized(COMPLAINT))
        journey_id = journey.id
    with session_scope(engine) as session:  # read back in English: stored data stays as stored
        stored = journey_in_from_db(session=session, journey_id=journey_id)
    assert stored.name == "Een klacht indienen"
    assert "klacht" in stored.question
    texts = {c.code: c.text for c in stored.criteria}
    assert texts["SORRY"] == "Bood oprecht excuses aan"
    assert {c.section for c in stored.criteria} == {"Contact", "Gesprek", "Antwoord", "Afsluiting"}


def test_journey_validation_in_dutch():
    broken = JourneyIn(name="X", channels=[JourneyChannelIn("phone")],
                       criteria=[CriterionIn("A", "Een"), CriterionIn("A", "", weight=-1.0)])
    with use_language("nl"), pytest.raises(ValidationError) as caught:
        create_journey(session=None, journey_in=JourneyIn(name="", channels=[], criteria=broken.criteria))
    text = str(caught.value)
    assert "mag niet leeg zijn" in text and "kies minstens één kanaal" in text
    assert "is dezelfde code als in rij 1" in text and "moet een getal van minstens 0 zijn" in text


def test_journeys_page_in_dutch(world_env, monkeypatch):
    """With the installation in Dutch the page, its editor and its notices are Dutch, and a journey
    started from a template gets the template's Dutch questions."""
    monkeypatch.setenv("KLANTREIS_LANGUAGE", "nl")
    set_language("nl")  # the test's own thread too: AppTest calls a selectbox's format_func here
    at = _page(world_env)
    assert at.title[0].value == "Klantreizen"
    assert [t.label for t in at.tabs][:3] == ["Nieuwe klantreis", "Bewerken, versies, archiveren", "Delen als JSON"]
    source = at.selectbox(key="new_source")
    assert source.label == "Beginnen vanuit"
    assert source.options[0] == "Leeg" and "Sjabloon: Een klacht indienen" in source.options
    assert at.button(key="new_create").label == "Klantreis aanmaken"
    assert at.button(key="edit_save").label == "Wijzigingen opslaan"
    captions = shown(" ".join(c.value for c in at.caption))
    assert "Geen knock-out" in captions and "Een fout antwoord" in captions
    overview = at.dataframe[0].value
    assert {"klantreis", "status", "kanalen", "contacten"} <= set(overview.columns)
    assert set(overview["status"]) == {"actief"}
    assert "Telefoon" in overview["kanalen"].iloc[0]

    # an add refused, in Dutch
    add = next(b for b in at.button if b.label == "Criterium toevoegen" and "FormSubmitter:new_0_add" in b.proto.id)
    add.click().run()
    assert not at.exception
    assert any("Niet toegevoegd" in e.value and "Code: mag niet leeg zijn" in shown(e.value) for e in at.error), \
        [e.value for e in at.error]

    source = at.selectbox(key="new_source")
    index = source.options.index("Sjabloon: Een klacht indienen")
    source.select(f"Template: {COMPLAINT.name}").run()
    assert not at.exception
    key = f"new_{index}"
    assert "Wat gebeurt er nu?" in at.text_area(key=f"{key}_question").value
    at.text_input(key=f"{key}_name").set_value("Klacht over de monteur")
    at.button(key="new_create").click().run()
    assert not at.exception
    assert [s.value for s in at.success] == ["Klantreis “Klacht over de monteur” aangemaakt."]
    with session_scope(db.get_engine(world_env)) as session:
        journey = session.exec(select(Journey).where(Journey.name == "Klacht over de monteur")).one()
        stored = journey_in_from_db(session=session, journey_id=journey.id)
    assert "Bood oprecht excuses aan" in [c.text for c in stored.criteria]
