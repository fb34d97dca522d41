"""The locations import behind the page's upload: all rows or none, the file's problems by row."""

import pytest

from data import db
from journeys.catalogue import clients
from journeys.errors import ValidationError
from journeys.interchange.location_file import import_location_upload


def test_a_bad_row_in_an_upload_writes_nothing(engine, study):
    """An uploaded CSV with one bad row: refused with that row's problem, the good row not written."""
    data = b"brand,location,region\nKoopklik,Arnhem,Oost\nKoopklik,Ede,\x00\n"
    with pytest.raises(ValidationError) as refused, db.session_scope(engine) as session:
        import_location_upload(session=session, actor=study["manager"], file_name="mine.csv", data=data)
    [problem] = refused.value.problems
    assert (problem.row, problem.field) == (3, "region")
    assert str(problem).startswith("row 3, region: contains a NUL character")
    with db.read_scope(engine) as session:
        assert clients.locations_frame(session=session, actor=study["manager"]).empty


def test_an_upload_matches_by_name_and_adds_its_code(engine, study):
    """A row naming a location that has no code yet updates it (setting its code) instead of adding one."""
    with db.session_scope(engine) as session:
        clients.create_location(session=session, actor=study["manager"], brand_id=study["brand"].id, name="Arnhem")
    data = b"brand,location,external_code\nKoopklik,Arnhem,A1\nKoopklik,Ede,E1\n"
    with db.session_scope(engine) as session:
        result = import_location_upload(session=session, actor=study["manager"], file_name="x.csv", data=data)
    assert (result.created, result.updated, result.unchanged) == (1, 1, 0)
    with db.read_scope(engine) as session:
        frame = clients.locations_frame(session=session, actor=study["manager"])
    assert list(zip(frame["name"], frame["external_code"], strict=True)) == [("Arnhem", "A1"), ("Ede", "E1")]


def test_a_file_that_is_not_utf8_names_the_uploaded_file(engine, study):
    """An unreadable upload is refused naming the file the user chose, not a temporary one."""
    with pytest.raises(ValidationError) as refused, db.session_scope(engine) as session:
        import_location_upload(session=session, actor=study["manager"], file_name="mine.csv",
                               data="brand,location\nK\xf6ln,x\n".encode("latin-1"))
    assert refused.value.problems[0].value == "mine.csv"
