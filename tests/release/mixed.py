"""A small database with contacts in every review status, to compare figures with and without
the contacts not yet released."""

from collections import Counter
from datetime import timedelta

from data import db
from journeys.models import ReviewStatus
from tests.factories import T0, make_contact, make_world

# (channel, review status, answered) per contact: 7 released, 5 not yet released
CONTACTS = (
    ("email", "released", True), ("email", "released", True), ("email", "released", False),
    ("phone", "released", True), ("phone", "released", True), ("twitter", "released", True),
    ("twitter", "released", False),
    ("email", "approved", True), ("phone", "approved", False),
    ("email", "submitted", False), ("twitter", "submitted", True),
    ("phone", "returned", True),
)


def build_mixed(engine) -> dict:
    """The contacts of ``CONTACTS`` in wave 2026-Q1 of brand Koopklik; returns the ids of the
    released and of the unreleased ones and how many unreleased contacts each channel has."""
    released, unreleased = [], []
    with db.session_scope(engine) as session:
        world = make_world(session)
        for position, (channel, status, answered) in enumerate(CONTACTS):
            started = T0 + timedelta(hours=position)
            contact = make_contact(
                world, channel, started_at=started, review_status=status,
                first_response_at=started + timedelta(minutes=30 + position) if answered else None,
                released_at=started + timedelta(days=1) if status == ReviewStatus.RELEASED else None)
            session.add(contact)
            session.flush()
            (released if status == ReviewStatus.RELEASED else unreleased).append(contact.id)
    by_channel = Counter(channel for channel, status, _answered in CONTACTS if status != ReviewStatus.RELEASED)
    return {"released": released, "unreleased": unreleased, "unreleased_by_channel": dict(by_channel)}
