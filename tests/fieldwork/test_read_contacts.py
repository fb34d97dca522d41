"""``read_contacts`` puts every name on its contact by key (``journeys.fieldwork.frames._put_names``):
the names of the contact's own brand, location, region, journey, wave, channel, auditor and
redirect; None where the contact has none (no location, no wave, no auditor, not redirected) and
region "" for no location or a location without one. Both databases."""

from sqlmodel import Session

from journeys.fieldwork.frames import CONTACT_COLUMNS, ContactFilter, read_contacts
from journeys.models import Location
from tests.factories import make_contact, make_world

ALL = ContactFilter(include_unreleased=True, include_drafts=True)


def test_names_come_from_each_contacts_own_keys(engine):
    with Session(engine) as session:
        world = make_world(session)
        north = Location(brand_id=world["brand"].id, name="Utrecht Centraal", region="Midden")
        bare = Location(brand_id=world["brand"].id, name="Webshop")
        session.add_all([north, bare])
        session.flush()
        rows = [
            make_contact(world, "phone", location_id=north.id, redirected_to_channel_id=world["channels"]["email"].id),
            make_contact(world, "email", location_id=bare.id, wave_id=None),
            make_contact(world, "twitter", auditor_id=None),
        ]
        session.add_all(rows)
        session.commit()
        ids = [row.id for row in rows]

    frame = read_contacts(engine, ALL).set_index("contact_id")
    assert list(read_contacts(engine, ALL).columns) == [*CONTACT_COLUMNS, "released"]
    first, second, third = (frame.loc[i] for i in ids)
    assert (first["brand"], first["location"], first["region"], first["journey"], first["wave"]) == (
        "Koopklik", "Utrecht Centraal", "Midden", "Ask about a delivery", "2026-Q1")
    assert (first["channel"], first["channel_kind"], first["auditor"], first["redirected_to"]) == (
        "phone", "phone", "auditor1", "email")
    assert (second["location"], second["region"], second["wave"], second["redirected_to"]) == (
        "Webshop", "", None, None)
    assert (third["location"], third["region"], third["auditor"], third["channel"]) == (None, "", None, "twitter")
    assert frame.loc[ids, "brand"].map(type).eq(str).all()

    # one contact read on its own gets the same names as in the full read
    alone = read_contacts(engine, ContactFilter(contact_ids=(ids[0],), include_unreleased=True, include_drafts=True))
    assert alone.set_index("contact_id").loc[ids[0]].equals(first)
