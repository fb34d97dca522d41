"""Brands and locations as services: create, edit, archive, the change log and the start form's choices."""

import pytest
import sqlalchemy as sa

from data import db
from journeys.catalogue import clients
from journeys.errors import PermissionDenied, ValidationError
from journeys.models import ChangeLog


def _log(engine, entity: str) -> list[tuple]:
    with engine.connect() as connection:
        return [tuple(r) for r in connection.execute(
            sa.select(ChangeLog.action, ChangeLog.field, ChangeLog.old_value, ChangeLog.new_value)
            .where(ChangeLog.entity == entity).order_by(ChangeLog.id)).all()]


def test_create_brand_and_location_trimmed_and_logged(engine, study):
    """A new brand and location are stored trimmed (region's inner spaces squeezed) and logged as created."""
    with db.session_scope(engine) as session:
        brand = clients.create_brand(session=session, actor=study["manager"], name="  Fietsplein ", sector="Retail")
        location = clients.create_location(session=session, actor=study["manager"], brand_id=brand.id,
                                           name=" Utrecht Centrum", city="Utrecht", region="  Midden   Nederland ",
                                           external_code=" U-01 ")
        brand_id, location_id = brand.id, location.id
    with db.read_scope(engine) as session:
        frame = clients.locations_frame(session=session, actor=study["manager"], brand_id=brand_id)
        brands = clients.brands_frame(session=session, actor=study["manager"])
    assert frame.to_dict("records")[0] == {
        "id": location_id, "brand_id": brand_id, "brand": "Fietsplein", "name": "Utrecht Centrum", "city": "Utrecht",
        "address": "", "region": "Midden Nederland", "external_code": "U-01", "archived": False}
    assert brands.set_index("name").loc["Fietsplein", "locations"] == 1
    assert brands.set_index("name").loc["Koopklik", "locations"] == 0
    assert ("create", "name", None, "Fietsplein") in _log(engine, "brand")
    assert _log(engine, "location") == [("create", "name", None, "Utrecht Centrum")]


def test_duplicate_names_and_codes_are_refused_with_a_clear_message(engine, study):
    """A brand name taken (in any case), a location name or code taken within the brand: refused, naming it."""
    actor = study["manager"]
    with db.session_scope(engine) as session:
        clients.create_location(session=session, actor=actor, brand_id=study["brand"].id, name="Zwolle",
                                external_code="Z1")
    with pytest.raises(ValidationError) as refused, db.session_scope(engine) as session:
        clients.create_brand(session=session, actor=actor, name="koopklik")
    assert "a brand named 'Koopklik' already exists" in str(refused.value)
    with pytest.raises(ValidationError) as refused, db.session_scope(engine) as session:
        clients.create_location(session=session, actor=actor, brand_id=study["brand"].id, name="Zwolle",
                                external_code="Z1")
    text = str(refused.value)
    assert "this brand already has a location with this name" in text
    assert "this brand already has a location with this code (Zwolle)" in text
    assert len(refused.value.problems) == 2
    # another brand may use the same name and code
    with db.session_scope(engine) as session:
        other = clients.create_brand(session=session, actor=actor, name="Fietsplein")
        clients.create_location(session=session, actor=actor, brand_id=other.id, name="Zwolle", external_code="Z1")


def test_empty_and_too_long_fields_are_refused_and_nothing_written(engine, study):
    """An empty name and an over-long region are both named; nothing is written."""
    with pytest.raises(ValidationError) as refused, db.session_scope(engine) as session:
        clients.create_location(session=session, actor=study["manager"], brand_id=study["brand"].id, name="  ",
                                region="x" * 81)
    fields = {p.field for p in refused.value.problems}
    assert fields == {"name", "region"}
    assert "may have at most 80 characters (this has 81)" in str(refused.value)
    assert _log(engine, "location") == []


def test_update_logs_each_changed_field(engine, study):
    """Editing a location changes and logs only the fields that differ."""
    actor = study["manager"]
    with db.session_scope(engine) as session:
        location = clients.create_location(session=session, actor=actor, brand_id=study["brand"].id, name="Zwolle",
                                           city="Zwolle")
        clients.update_location(session=session, actor=actor, location_id=location.id, name="Zwolle Noord",
                                city="Zwolle", region="Oost")
        clients.update_brand(session=session, actor=actor, brand_id=study["brand"].id, name="Koopklik",
                             sector="Webshops")
    assert _log(engine, "location")[1:] == [("update", "name", "Zwolle", "Zwolle Noord"),
                                           ("update", "region", "", "Oost")]
    assert _log(engine, "brand")[-1] == ("update", "sector", "", "Webshops")


def test_archived_brands_and_locations_are_not_offered_for_a_new_contact(engine, study):
    """Archiving hides a brand (with its locations) and a location from the start form's choices."""
    actor = study["manager"]
    with db.session_scope(engine) as session:
        other = clients.create_brand(session=session, actor=actor, name="Fietsplein")
        kept = clients.create_location(session=session, actor=actor, brand_id=study["brand"].id, name="Kept")
        gone = clients.create_location(session=session, actor=actor, brand_id=study["brand"].id, name="Gone")
        clients.create_location(session=session, actor=actor, brand_id=other.id, name="Of archived brand")
        clients.set_location_archived(session=session, actor=actor, location_id=gone.id, archived=True)
        clients.set_brand_archived(session=session, actor=actor, brand_id=other.id, archived=True)
    with db.read_scope(engine) as session:
        assert [b.name for b in clients.startable_brands(session=session)] == ["Koopklik"]
        assert [loc.name for loc in clients.startable_locations(session=session)] == ["Kept"]
        everything = clients.brands_frame(session=session, actor=actor).set_index("name")
        active = clients.brands_frame(session=session, actor=actor, include_archived=False)
        assert list(clients.locations_frame(session=session, actor=actor, include_archived=False)["id"]) == [kept.id]
    assert everything.loc["Fietsplein", "archived"]
    assert (everything.loc["Koopklik", "locations"], everything.loc["Koopklik", "archived_locations"]) == (1, 1)
    assert list(active["name"]) == ["Koopklik"]
    with db.session_scope(engine) as session:
        clients.set_brand_archived(session=session, actor=actor, brand_id=other.id, archived=False)
        assert [b.name for b in clients.startable_brands(session=session)] == ["Fietsplein", "Koopklik"]


def test_auditors_may_not_manage_clients(engine, study):
    """An auditor is refused by the service itself, naming the action."""
    with pytest.raises(PermissionDenied) as refused, db.session_scope(engine) as session:
        clients.create_brand(session=session, actor=study["auditor"], name="Fietsplein")
    assert "manage clients and locations" in str(refused.value)
