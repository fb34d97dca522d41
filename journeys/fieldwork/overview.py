"""Counts that describe an installation (for the overview page and the CLI), and the start form's
remembered choices (``last_start``).

The counts' names and the frames' column headers are English words marked for the catalog
(``N_``): they are keys a caller reads, and a page translates them where it shows them, ``_(label)``."""

import pandas as pd
import sqlalchemy as sa
from sqlmodel import Session, func, select

from journeys.accounts.access import CLIENTS, contact_visible_to, has_role
from journeys.accounts.scope import auditor_pseudonym
from journeys.fieldwork.contacts import ContactStart
from journeys.language import N_
from journeys.models import Brand, Channel, Contact, Journey, JourneyStatus, User, Wave


def installation_summary(*, session: Session, actor=None) -> dict:
    """Entity counts, and contacts (total and still open) per brand × channel.

    With an ``actor`` the contact figures cover only the contacts that actor may read
    (an auditor: their own); without one (the command line) they cover all. A client user's
    counts of brands, channels, journeys and waves are those of its own released contacts, and it
    has no count of users: nothing counts what lies outside its scope.
    """
    # a draft assessment is not counted anywhere until it is saved complete
    visible = (contact_visible_to(actor) if actor is not None else sa.true()) & (Contact.is_draft == sa.false())

    def count(model, *where):
        return session.exec(select(func.count()).select_from(model).where(*where)).one()

    if has_role(actor, *CLIENTS):
        def used(key) -> int:
            return session.exec(select(func.count(sa.distinct(key))).where(visible)).one()

        counts = {
            N_("Contacts"): count(Contact, visible),
            N_("Brands"): used(Contact.brand_id),
            N_("Channels"): used(Contact.channel_id),
            N_("Active journeys"): session.exec(
                select(func.count(sa.distinct(Contact.journey_id))).join(Journey, Journey.id == Contact.journey_id)
                .where(visible, Journey.status == JourneyStatus.ACTIVE)).one(),
            N_("Waves"): used(Contact.wave_id),
        }
    else:
        counts = None
    counts = counts or {
        N_("Contacts"): count(Contact, visible),
        N_("Brands"): count(Brand),
        N_("Channels"): count(Channel),
        N_("Active journeys"): count(Journey, Journey.status == JourneyStatus.ACTIVE),
        N_("Waves"): count(Wave),
        N_("Users"): count(User, User.active),
    }
    rows = session.exec(
        select(
            Brand.name,
            Channel.label,
            func.count(Contact.id),
            func.sum(sa.case((Contact.first_response_at.is_(None) & Contact.resolved_at.is_(None), 1), else_=0)),
        )
        .join(Brand, Brand.id == Contact.brand_id)
        .join(Channel, Channel.id == Contact.channel_id)
        .where(visible)
        .group_by(Brand.name, Channel.label)
        .order_by(Brand.name, Channel.label)
    ).all()
    frame = pd.DataFrame(rows, columns=[N_("Brand"), N_("Channel"), N_("Contacts"), N_("Open")])
    return {"counts": counts, "by_brand_channel": frame}


def recent_contacts(*, session: Session, actor, limit: int = 10) -> pd.DataFrame:
    """The latest contacts this actor may read (auditors: their own), with their notes.

    Notes are untrusted text typed by auditors; callers must render them as text. A client user
    reads each auditor as a pseudonym (``journeys.accounts.scope.auditor_pseudonym``).
    """
    pseudonymous = has_role(actor, *CLIENTS)
    rows = session.exec(
        select(Contact.started_at, Brand.name, Channel.label, Journey.name, User.display_name, Contact.notes,
               Contact.auditor_id)
        .join(Brand, Brand.id == Contact.brand_id)
        .join(Channel, Channel.id == Contact.channel_id)
        .join(Journey, Journey.id == Contact.journey_id)
        .outerjoin(User, User.id == Contact.auditor_id)
        .where(contact_visible_to(actor))
        .order_by(Contact.started_at.desc(), Contact.id.desc())
        .limit(limit)
    ).all()
    rows = [(*row[:4], auditor_pseudonym(row[6]) if pseudonymous else row[4], row[5]) for row in rows]
    return pd.DataFrame(rows, columns=[N_("Started"), N_("Brand"), N_("Channel"), N_("Journey"),
                                       N_("Auditor"), N_("Notes")])


def last_start(*, session: Session, actor) -> ContactStart | None:
    """What the actor chose for the contact they logged last (brand, location, journey, channel,
    wave), or None before their first: the start form offers it again. Read from the contacts
    themselves, so it survives signing out and needs nothing stored besides them."""
    contact = session.exec(
        select(Contact).where(Contact.auditor_id == actor.id).order_by(Contact.id.desc()).limit(1)
    ).first()
    if contact is None:
        return None
    return ContactStart(journey_id=contact.journey_id, brand_id=contact.brand_id, channel_id=contact.channel_id,
                        location_id=contact.location_id, wave_id=contact.wave_id)
