"""The Clients and locations page (AppTest): add a brand and a location, refusals shown, archive."""

import pytest

from data import db
from journeys.catalogue import clients
from journeys.language import use_language
from tests.apptest import open_page
from ui.text import as_plain_text


@pytest.fixture
def page_env(app_env, study):
    return app_env


def _button(at, label):
    return next(b for b in at.button if b.label == label)


def _text(at, label, index=0):
    return [t for t in at.text_input if t.label == label][index]


def test_add_brand_then_location_by_form(page_env, study, engine):
    """A manager adds a brand (it becomes the chosen one) and then a location of it; both notices shown."""
    at = open_page("study_clients", study["manager"])
    assert at.title[0].value == "Clients and locations"
    _text(at, "Brand name").input("Fietsplein")
    _button(at, "Add brand").click().run()
    assert not at.exception, at.exception
    assert any("Added brand Fietsplein" in s.value for s in at.success)
    assert at.selectbox(key="clients_brand").value is not None
    with db.read_scope(engine) as session:
        brand_id = int(clients.brands_frame(session=session, actor=study["manager"])
                       .set_index("name").loc["Fietsplein", "id"])
    assert at.selectbox(key="clients_brand").value == brand_id
    at.text_input(key=f"clients_add_location_{brand_id}_name").input("Arnhem")
    at.text_input(key=f"clients_add_location_{brand_id}_region").input("Oost")
    _button(at, "Add location").click().run()
    assert not at.exception, at.exception
    assert any("Added location Arnhem to Fietsplein" in s.value for s in at.success)
    shown = at.dataframe[-1].value
    assert list(shown["Location"]) == ["Arnhem"] and list(shown["Region"]) == ["Oost"]


def test_a_taken_location_name_is_refused_on_the_page(page_env, study, engine):
    """Adding a location whose name the brand already has shows the refusal and writes nothing."""
    with db.session_scope(engine) as session:
        clients.create_location(session=session, actor=study["manager"], brand_id=study["brand"].id, name="Zwolle")
    at = open_page("study_clients", study["manager"])
    at.text_input(key=f"clients_add_location_{study['brand'].id}_name").input("Zwolle")
    _button(at, "Add location").click().run()
    assert not at.exception, at.exception
    assert any("already has a location with this name" in e.value for e in at.error)
    with db.read_scope(engine) as session:
        assert len(clients.locations_frame(session=session, actor=study["manager"])) == 1


def test_archive_a_brand_on_the_page(page_env, study, engine):
    """"Archive brand" archives the chosen brand; the start form then no longer offers it."""
    at = open_page("study_clients", study["manager"])
    _button(at, "Archive brand").click().run()
    assert not at.exception, at.exception
    assert any("is archived" in s.value for s in at.success)
    with db.read_scope(engine) as session:
        assert clients.startable_brands(session=session) == []
    assert _button(at, "Unarchive brand")


def test_the_import_button_waits_for_a_file(page_env, study):
    """The upload's labels are there, and "Import locations" is disabled until a file is chosen."""
    at = open_page("study_clients", study["manager"])
    assert _button(at, "Import locations").disabled


def test_the_page_in_dutch(page_env, study, monkeypatch):
    """In Dutch the page and its buttons read Dutch."""
    monkeypatch.setenv("KLANTREIS_LANGUAGE", "nl")
    with use_language("nl"):
        at = open_page("study_clients", study["manager"])
    assert at.title[0].value == "Opdrachtgevers en locaties"
    labels = {b.label for b in at.button}
    assert {"Merk toevoegen", "Locatie toevoegen", "Locaties importeren"} <= labels


def test_an_auditor_is_refused_the_page(page_env, study):
    """An auditor who reaches the page by its address sees a refusal and no brands."""
    at = open_page("study_clients", study["auditor"])
    assert not at.dataframe and not at.text_input
    assert any("Clients and locations" in e.value for e in at.error)


def test_the_start_form_leaves_out_archived_brands_and_locations(page_env, study, engine):
    """An auditor's start form offers neither an archived brand nor an archived location."""
    actor = study["manager"]
    with db.session_scope(engine) as session:
        clients.create_location(session=session, actor=actor, brand_id=study["brand"].id, name="Kept")
        gone = clients.create_location(session=session, actor=actor, brand_id=study["brand"].id, name="Gone")
        clients.set_location_archived(session=session, actor=actor, location_id=gone.id, archived=True)
        other = clients.create_brand(session=session, actor=actor, name="Archived brand")
        clients.set_brand_archived(session=session, actor=actor, brand_id=other.id, archived=True)
    at = open_page("contacts_mine", study["auditor"])
    assert at.selectbox(key="new_brand").options == ["Koopklik"]
    assert at.selectbox(key="new_location").options == ["—", "Kept"]


def test_upload_imports_locations_and_shows_what_it_did(page_env, study, engine):
    """A CSV uploaded and "Import locations" clicked: both rows added, the counts shown."""
    at = open_page("study_clients", study["manager"])
    assert at.file_uploader[0].label == "Upload locations (CSV or XLSX)"
    at.file_uploader[0].set_value(("more.csv", b"brand,location,region\nKoopklik,Ede,Oost\nKoopklik,Arnhem,Oost\n",
                                   "text/csv")).run()
    _button(at, "Import locations").click().run()
    assert not at.exception, at.exception
    assert any("added 2 locations" in s.value for s in at.success)
    with db.read_scope(engine) as session:
        assert sorted(clients.locations_frame(session=session, actor=study["manager"])["name"]) == ["Arnhem", "Ede"]


def test_upload_with_a_bad_row_shows_the_rows_and_writes_nothing(page_env, study, engine):
    """A CSV with a bad row: the problems as a table (row, column), nothing imported."""
    at = open_page("study_clients", study["manager"])
    at.file_uploader[0].set_value(("bad.csv", b"brand,location\nKoopklik,Ede\nNobody,Arnhem\n", "text/csv")).run()
    _button(at, "Import locations").click().run()
    assert not at.exception, at.exception
    assert any("nothing was written" in e.value for e in at.error)
    table = at.dataframe[-1].value
    assert list(table["Row"]) == [3] and list(table["Column"]) == ["brand"]
    assert table["Problem"][0] == "unknown brand (tick 'Add the brands the file names that do not exist yet' to add it)"
    with db.read_scope(engine) as session:
        assert clients.locations_frame(session=session, actor=study["manager"]).empty


def test_names_are_shown_as_typed_never_as_markup(page_env, study, engine):
    """A brand named like a Markdown link shows literally in the heading and the dropdown."""
    with db.session_scope(engine) as session:
        brand = clients.create_brand(session=session, actor=study["manager"], name="[A](http://evil.example) **b**")
    at = open_page("study_clients", study["manager"])
    at.selectbox(key="clients_brand").set_value(brand.id).run()
    assert not at.exception, at.exception
    heading = next(h.value for h in at.subheader if h.value.startswith("Locations of"))
    assert heading == "Locations of " + as_plain_text("[A](http://evil.example) **b**")
