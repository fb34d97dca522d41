"""Small factories that build valid records for tests (each test makes the data it needs)."""

import io
from datetime import UTC, datetime, timedelta

from sqlmodel import Session

from journeys.accounts.users import create_user
from journeys.catalogue.journeys import CriterionIn, JourneyChannelIn, JourneyIn, create_journey, current_version
from journeys.catalogue.reference import ensure_builtin_channels, get_or_create_brand, get_or_create_wave
from journeys.models import Assignment, Contact, PlanLine, ReviewStatus

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def journey_in(name="Ask about a delivery", channels=("phone", "email", "twitter"), n_criteria=3) -> JourneyIn:
    return JourneyIn(
        name=name,
        scenario="Parcel stuck for four days",
        question="Where is my parcel?",
        reference_answer="Delayed at the depot, arrives within 2 working days",
        channels=[JourneyChannelIn(channel=c) for c in channels],
        criteria=[CriterionIn(code=f"C{i}", text=f"Criterion {i}") for i in range(1, n_criteria + 1)],
    )


def make_world(session: Session) -> dict:
    """A brand, a wave, an auditor and a three-channel journey, flushed."""
    channels = ensure_builtin_channels(session=session)
    brand = get_or_create_brand(session=session, name="Koopklik")
    wave = get_or_create_wave(session=session, name="2026-Q1")
    auditor = create_user(session=session, username="auditor1", role="auditor", password="auditor1-pass")
    journey = create_journey(session=session, journey_in=journey_in())
    version = current_version(session=session, journey_id=journey.id)
    return dict(channels=channels, brand=brand, wave=wave, auditor=auditor, journey=journey, version=version)


def make_contact(world: dict, channel="email", **overrides) -> Contact:
    values = dict(
        brand_id=world["brand"].id,
        journey_id=world["journey"].id,
        checklist_version_id=world["version"].id,
        channel_id=world["channels"][channel].id,
        wave_id=world["wave"].id,
        auditor_id=world["auditor"].id,
        started_at=T0,
        first_response_at=T0 + timedelta(hours=2),
        # counted as most tests' figures expect; review tests start from "open" or "submitted"
        review_status=ReviewStatus.RELEASED.value,
        released_at=T0 + timedelta(days=1),
    )
    values.update(overrides)
    return Contact(**values)


def make_png(width: int = 8, height: int = 8, color: str = "red") -> bytes:
    """A small valid PNG (evidence images must decode completely to be accepted)."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, "PNG")
    return out.getvalue()


def make_plan_line(session: Session, world: dict, *, channel="phone", quantity=2, location=None,
                   due_on=None, time_slot="any", auditor=None) -> PlanLine:
    """A plan line of the world's wave with its ``quantity`` planned contacts (assigned to
    ``auditor`` if given), flushed."""
    line = PlanLine(wave_id=world["wave"].id, brand_id=world["brand"].id,
                    location_id=location.id if location is not None else None,
                    journey_id=world["journey"].id, channel_id=world["channels"][channel].id,
                    quantity=quantity, time_slot=time_slot, due_on=due_on)
    session.add(line)
    session.flush()
    session.add_all([Assignment(plan_line_id=line.id, wave_id=line.wave_id, due_on=due_on,
                                auditor_id=auditor.id if auditor is not None else None,
                                assigned_at=T0 if auditor is not None else None)
                     for _ in range(quantity)])
    session.flush()
    return line


def demo_sqlite(path, *, contacts: int, seed: int, review: bool = False):
    """A new SQLite file at ``path``, migrated and filled by ``journeys.demo.seed_demo``; its engine."""
    from data import db
    from journeys.demo import seed_demo

    url = f"sqlite:///{path}"
    db.upgrade(url)
    engine = db.get_engine(url)
    seed_demo(engine, contacts=contacts, seed=seed, review=review)
    return engine
