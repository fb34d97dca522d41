"""Two brands' data, a client user of one of them: what every client-scope test runs against.

Brand A ("Koopklik") is the client's; brand B ("Bestelbaas") is another client's, with a location
of the same region name as one of A's (a region grant must not cross brands), evidence, plan
lines and notes. ``FORBIDDEN`` lists what a client of A may never read anywhere: B's names and
texts, A's not-yet-released notes, and the auditors' real names.
"""

from datetime import timedelta

from sqlmodel import Session

from journeys.accounts.grants import GrantSpec, set_client_grants
from journeys.accounts.users import create_user
from journeys.catalogue.journeys import create_journey, current_version
from journeys.catalogue.reference import ensure_builtin_channels, get_or_create_brand, get_or_create_wave
from journeys.models import Evidence, Location, ReviewStatus
from tests.factories import T0, journey_in, make_contact, make_plan_line, make_png

BRAND_A, BRAND_B = "Koopklik", "Bestelbaas"
LOCATION_B = "Bloemhofplein"
FORBIDDEN = (BRAND_B, LOCATION_B, "secret-of-b", "not-yet-released-a", "jjansen", "Jan Jansen", "ppietersen",
             "Piet Pietersen", "bestelbaas-evidence.png")


def build_two_brands(session: Session) -> dict:
    """The world (flushed rows by name); the client ``client`` sees brand A only."""
    channels = ensure_builtin_channels(session=session)
    brand_a = get_or_create_brand(session=session, name=BRAND_A)
    brand_b = get_or_create_brand(session=session, name=BRAND_B)
    wave = get_or_create_wave(session=session, name="2026-Q1")
    journey = create_journey(session=session, journey_in=journey_in(channels=("phone", "email", "webchat")))
    version = current_version(session=session, journey_id=journey.id)
    location_a = Location(brand_id=brand_a.id, name="Amstelplein", region="Noord")
    location_a2 = Location(brand_id=brand_a.id, name="Achterdam", region="Zuid")
    location_b = Location(brand_id=brand_b.id, name=LOCATION_B, region="Noord")
    session.add_all([location_a, location_a2, location_b])
    auditor = create_user(session=session, username="jjansen", role="auditor", password="auditor-pass",
                          display_name="Jan Jansen")
    auditor_b = create_user(session=session, username="ppietersen", role="auditor", password="auditor-pass",
                            display_name="Piet Pietersen")
    admin = create_user(session=session, username="beheer", role="admin", password="admin-pass1")
    manager = create_user(session=session, username="leiding", role="manager", password="manager-pass")
    client = create_user(session=session, username="klant-a", role="client", password="client-pass",
                         display_name="Klant A")
    session.flush()
    world = dict(channels=channels, brand=brand_a, brand_a=brand_a, brand_b=brand_b, wave=wave, journey=journey,
                 version=version, auditor=auditor, auditor_b=auditor_b, admin=admin, manager=manager, client=client,
                 location_a=location_a, location_a2=location_a2, location_b=location_b)
    set_client_grants(session=session, actor=admin, user_id=client.id, grants=[GrantSpec(BRAND_A)])
    contacts_a, contacts_b = [], []
    for i in range(12):
        channel = ("phone", "email", "webchat")[i % 3]
        started = T0 + timedelta(days=i % 5, hours=i)
        contacts_a.append(make_contact(world, channel=channel, started_at=started,
                                       first_response_at=started + timedelta(minutes=30 + 7 * i),
                                       location_id=(location_a if i % 2 else location_a2).id, notes=f"a-note-{i}"))
        contacts_b.append(make_contact(world, channel=channel, brand_id=brand_b.id, location_id=location_b.id,
                                       auditor_id=auditor_b.id, started_at=started,
                                       first_response_at=started + timedelta(minutes=5 + i), notes="secret-of-b"))
    unreleased = [make_contact(world, channel="email", location_id=location_a.id,
                               notes="not-yet-released-a", review_status=status.value, released_at=None)
                  for status in (ReviewStatus.SUBMITTED, ReviewStatus.APPROVED, ReviewStatus.OPEN)]
    session.add_all(contacts_a + contacts_b + unreleased)
    session.flush()
    evidence_b = Evidence(contact_id=contacts_b[0].id, file_name="bestelbaas-evidence.png", media_type="image/png",
                          size_bytes=len(make_png()), sha256="0" * 64, content=make_png())
    session.add(evidence_b)
    world_b = {**world, "brand": brand_b}
    line_b = make_plan_line(session, world_b, location=location_b, auditor=auditor_b)
    session.flush()
    world.update(contacts_a=contacts_a, contacts_b=contacts_b, unreleased=unreleased, evidence_b=evidence_b,
                 line_b=line_b)
    return world
