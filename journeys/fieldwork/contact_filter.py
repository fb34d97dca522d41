"""Which contacts a view, report or export covers: the ``ContactFilter`` type and its two forms.

A filter has one meaning and two forms, both here and tested against each other
(``tests/filters/``):

- ``contact_conditions``: the SQL form, the WHERE conditions for any select from ``contact``
  (with or without joins), used by ``journeys.fieldwork.frames.read_contacts`` and the export;
- ``filter_frame``: the pandas form, the same selection of a contacts frame already in memory
  (the ``journeys.fieldwork.frames`` contract), used by the dashboards, which filter one cached frame of up
  to a million contacts on every click instead of asking the database again.

``join_names`` is the one set of joins that gives a selected contact its names (brand,
location, journey, channel, wave, auditor, redirected-to channel); the scoring frame and the
export both read contacts through it.
"""

from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlalchemy.sql import ColumnElement, Select

from journeys.accounts.scope import ClientScope
from journeys.models import Brand, Channel, Contact, Journey, Location, ReviewStatus, User, Wave


@dataclass(frozen=True)
class ContactFilter:
    """Which contacts to read. Empty tuples mean "all"; dates bound ``started_at`` (UTC).

    Draft assessments (``Contact.is_draft``) are left out unless ``include_drafts``: a draft is
    never scored or counted, so every dashboard, report and export reads without them; only an
    auditor's own list and the contact page ask for them.

    Only released contacts (``ReviewStatus.RELEASED``) are read unless ``include_unreleased``:
    the agency's staff may ask for the others (the figures then say so); a ``scope`` (a client
    user's grants, ``journeys.accounts.scope.ClientScope``) narrows to its grants and always to
    released contacts, whatever ``include_unreleased`` says.

    Frozen (hashable): the app's caches use a filter as part of their key.
    """

    brands: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()  # ``Location.region`` (brand → region → location)
    locations: tuple[str, ...] = ()
    waves: tuple[str, ...] = ()
    journeys: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    auditor_ids: tuple[int, ...] = ()
    started_from: datetime | None = None
    started_before: datetime | None = None
    contact_ids: tuple[int, ...] = field(default=())
    include_drafts: bool = False
    include_unreleased: bool = False
    scope: ClientScope | None = None

    @property
    def released_only(self) -> bool:
        """Whether only released contacts are selected (always for a client's scope)."""
        return self.scope is not None or not self.include_unreleased


# The filter's name lists: the field, the table column of the name it picks (a name, or a
# location's region), the contact's key into that table, and the frame column holding the name.
NAMED_FIELDS = (
    ("brands", Brand.name, Contact.brand_id, "brand"),
    ("regions", Location.region, Contact.location_id, "region"),
    ("locations", Location.name, Contact.location_id, "location"),
    ("waves", Wave.name, Contact.wave_id, "wave"),
    ("journeys", Journey.name, Contact.journey_id, "journey"),
    ("channels", Channel.name, Contact.channel_id, "channel"),
)
# Its id lists: the field, the contact's column, the frame column.
ID_FIELDS = (
    ("auditor_ids", Contact.auditor_id, "auditor_id"),
    ("contact_ids", Contact.id, "contact_id"),
)
# ``ignore`` names the dates bound together by this word (one "Started between" choice).
PERIOD = "period"


def contact_conditions(flt: ContactFilter) -> list[ColumnElement[bool]]:
    """The WHERE conditions of ``flt`` for a select from ``contact`` (an empty list: every contact).

    Names are matched through the contact's own keys (``brand_id IN (SELECT id FROM brand WHERE
    name IN …)``), so the conditions need no join and mean the same in every select; a
    contact without a location or wave never matches a location, region or wave list. A region
    list picks the contacts at the locations of those regions; ``("",)`` picks those at a
    location without a region (the frame holds "" for those and for no location, which
    ``filter_frame`` keeps out as here).
    """
    conditions: list[ColumnElement[bool]] = []
    for name, name_column, key, _ in NAMED_FIELDS:
        values = getattr(flt, name)
        if values:
            table = name_column.class_
            # correlate(None): a standalone list of ids, even where the outer select joins the table
            names = sa.select(table.id).where(name_column.in_(list(values))).correlate(None)
            conditions.append(key.in_(names))
    for name, column, _ in ID_FIELDS:
        values = getattr(flt, name)
        if values:
            conditions.append(column.in_([int(v) for v in values]))
    if flt.started_from is not None:
        conditions.append(Contact.started_at >= flt.started_from)
    if flt.started_before is not None:
        conditions.append(Contact.started_at < flt.started_before)
    if not flt.include_drafts:
        conditions.append(Contact.is_draft == sa.false())
    if flt.released_only:
        conditions.append(Contact.review_status == ReviewStatus.RELEASED.value)
    if flt.scope is not None:
        conditions.append(flt.scope.condition())
    return conditions


def filter_frame(frame: pd.DataFrame, flt: ContactFilter, *, ignore: tuple[str, ...] = (),
                 columns: tuple[str, ...] | None = None, order_by: str | None = None) -> pd.DataFrame:
    """The rows of a contacts ``frame`` matching ``flt`` (in memory), with all or only ``columns``,
    in the frame's order or, with ``order_by``, in the order of that numeric column (stable:
    ties in the frame's order; missing values last).

    ``ignore`` names fields to leave out, e.g. ``("waves",)`` to compare with another wave, or
    ``("period",)`` for both dates. A frame without an ``is_draft`` column is taken to hold no
    drafts, one without ``released`` only released contacts (``read_contacts`` always adds both).
    """
    mask = np.ones(len(frame), dtype=bool)
    for name, _, _, column in NAMED_FIELDS:
        values = getattr(flt, name)
        if values and name not in ignore:
            mask &= frame[column].isin(values).to_numpy(dtype=bool)
            if name == "regions":  # "" is also the region of no location, which no region list picks
                mask &= frame["location"].notna().to_numpy(dtype=bool)
    for name, _, column in ID_FIELDS:
        values = getattr(flt, name)
        if values and name not in ignore:
            # auditor_id is a nullable integer: a contact without an auditor never matches
            mask &= frame[column].isin(values).to_numpy(dtype=bool, na_value=False)
    if PERIOD not in ignore:
        if flt.started_from is not None:
            mask &= (frame["started_at"] >= flt.started_from).to_numpy()
        if flt.started_before is not None:
            mask &= (frame["started_at"] < flt.started_before).to_numpy()
    if not flt.include_drafts and "include_drafts" not in ignore and "is_draft" in frame.columns:
        mask &= ~frame["is_draft"].to_numpy(dtype=bool)
    if flt.released_only and "released" in frame.columns:
        mask &= frame["released"].to_numpy(dtype=bool)
    if flt.scope is not None:  # never ignored: a client's pages compare within its scope only
        mask &= flt.scope.mask(frame)
    source = frame if columns is None else frame[list(columns)]
    rows = np.flatnonzero(mask)
    if order_by is not None:  # numpy sorts NaN last
        rows = rows[np.argsort(frame[order_by].to_numpy(dtype=float)[rows], kind="stable")]
    return source.take(rows)  # twice as fast as source[mask]


# The contact's auditor and the channel it was redirected to: second references to ``user`` and
# ``channel``, named so a select can label their columns (``AUDITOR.username``, ``REDIRECT.name``).
AUDITOR = aliased(User, name="auditor_user")
REDIRECT = aliased(Channel, name="redirect_channel")


def join_names(query: Select) -> Select:
    """``query``, a select of contact columns, joined to every table a contact's names come from.

    Brand, journey and channel are required; location, wave, auditor (``AUDITOR``) and
    redirect channel (``REDIRECT``) are outer joins, so a contact without one is kept.
    """
    return (
        query.select_from(Contact)
        .join(Brand, Brand.id == Contact.brand_id)
        .join(Journey, Journey.id == Contact.journey_id)
        .join(Channel, Channel.id == Contact.channel_id)
        .outerjoin(Location, Location.id == Contact.location_id)
        .outerjoin(Wave, Wave.id == Contact.wave_id)
        .outerjoin(AUDITOR, AUDITOR.id == Contact.auditor_id)
        .outerjoin(REDIRECT, REDIRECT.id == Contact.redirected_to_channel_id)
    )
