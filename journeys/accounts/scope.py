"""What a client user may see: its grants (``journeys.models.ClientGrant``) as one scope.

A grant is a whole brand, the locations of one region of a brand, or one location of a brand. A
client sees the *released* contacts within any of its grants, and nothing else: not a row, not
a count, not a name in a filter's options. The scope has the two forms every contact selection
has (``journeys.fieldwork.contact_filter``), tested against each other:

- ``granted_to(user_id)``: a self-contained SQL condition on ``contact`` (the grants are read in
  a subquery), used by ``journeys.accounts.access.contact_visible_to``;
- ``ClientScope`` (read by ``client_scope``): the grants with their names, put into a
  ``journeys.fieldwork.contact_filter.ContactFilter`` so that the SQL form (``ClientScope.condition``) and the in-memory form
  (``ClientScope.mask``, on the dashboards' cached frame) select the same contacts.

Auditors are pseudonymised for clients (``auditor_pseudonym``): a stable code per auditor, so a
client can see that two contacts were made by the same shopper without learning who.
"""

import hashlib
from dataclasses import dataclass

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlmodel import Session, select

from journeys.language import _
from journeys.models import Brand, ClientGrant, Contact, Location, ReviewStatus, Role


@dataclass(frozen=True)
class Grant:
    """One grant with the names the frames use: ``region`` "" and ``location`` None for a whole brand."""

    brand_id: int
    brand: str
    region: str = ""
    location_id: int | None = None
    location: str | None = None


@dataclass(frozen=True)
class ClientScope:
    """A client user's grants (possibly none: then it sees nothing). Frozen and hashable: part of
    a contact filter, which the app's caches use as a key."""

    grants: tuple[Grant, ...] = ()

    @property
    def brand_names(self) -> tuple[str, ...]:
        """The brands any grant touches, sorted (the only brands a client's pages may name)."""
        return tuple(sorted({g.brand for g in self.grants}))

    def condition(self) -> sa.ColumnElement[bool]:
        """The SQL form: contacts within a grant (released or not; ``contact_conditions`` adds that)."""
        if not self.grants:
            return sa.false()
        parts = []
        for grant in self.grants:
            part = Contact.brand_id == grant.brand_id
            if grant.location_id is not None:
                part = part & (Contact.location_id == grant.location_id)
            elif grant.region:
                locations = sa.select(Location.id).where(
                    Location.brand_id == grant.brand_id, Location.region == grant.region).correlate(None)
                part = part & Contact.location_id.in_(locations)
            parts.append(part)
        return sa.or_(*parts)

    def mask(self, frame: pd.DataFrame) -> np.ndarray:
        """The in-memory form: which rows of a contacts frame (``brand``, ``region``, ``location``
        columns by name) lie within a grant."""
        mask = np.zeros(len(frame), dtype=bool)
        brand = frame["brand"]
        for grant in self.grants:
            # new arrays, never in place: to_numpy may hand back a read-only view of the frame
            part = (brand == grant.brand).to_numpy(dtype=bool)
            if grant.location is not None:
                part = part & (frame["location"] == grant.location).to_numpy(dtype=bool)
            elif grant.region:
                part = part & ((frame["region"] == grant.region) & frame["location"].notna()).to_numpy(dtype=bool)
            mask |= part
        return mask


def client_scope(*, session: Session, actor) -> ClientScope | None:
    """The scope of ``actor``'s reading: None for the agency's roles (no narrowing), the grants
    of a client user (``ClientScope``; empty when it has none)."""
    if getattr(actor, "role", None) != Role.CLIENT:
        return None
    rows = session.exec(
        select(ClientGrant, Brand.name, Location.name)
        .join(Brand, Brand.id == ClientGrant.brand_id)
        .outerjoin(Location, Location.id == ClientGrant.location_id)
        .where(ClientGrant.user_id == actor.id)
        .order_by(Brand.name, ClientGrant.region, Location.name)
    ).all()
    return ClientScope(tuple(
        Grant(brand_id=g.brand_id, brand=brand, region=g.region or "", location_id=g.location_id, location=location)
        for g, brand, location in rows))


def granted_to(user_id: int) -> sa.ColumnElement[bool]:
    """A WHERE condition on ``contact``: released and within one of the grants of client ``user_id``.

    Self-contained (the grants are read in the subquery), so any select of contacts can take it
    without a session; equal to ``client_scope(...)`` in a ``ContactFilter`` (tested).
    """
    location = sa.orm.aliased(Location)
    within = sa.exists().where(
        ClientGrant.user_id == user_id,
        ClientGrant.brand_id == Contact.brand_id,
        sa.or_(ClientGrant.location_id.is_(None), ClientGrant.location_id == Contact.location_id),
        # correlated to the outer contact and grant: without it the subquery would range over every contact
        sa.or_(ClientGrant.region == "",
               sa.exists().where(location.id == Contact.location_id, location.region == ClientGrant.region)
               .correlate(Contact, ClientGrant)),
    )
    return sa.and_(Contact.review_status == ReviewStatus.RELEASED.value, within)


def auditor_pseudonym(auditor_id: int | None) -> str | None:
    """What a client reads for an auditor: "Shopper 3F2A", the same for every contact of that auditor."""
    if auditor_id is None:
        return None
    digest = hashlib.sha256(f"klantreis auditor {int(auditor_id)}".encode()).hexdigest()
    return _("Shopper {code}").format(code=digest[:4].upper())
