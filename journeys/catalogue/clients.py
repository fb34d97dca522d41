"""Clients and their locations: create, edit and archive brands and locations, and read them as tables.

A brand is the audited client ("opdrachtgever"); a location is one of its stores, branches or teams,
with a city, an address, a region (the level between brand and location that reports group by:
brand → region → location) and the client's own code for it (``external_code``, unique within
the brand). Names are unique: a brand's name among brands, a location's name within its brand.

Archiving keeps a brand or location with its contacts and figures but offers it nowhere a new
contact is started (``startable_brands``, ``startable_locations``); contacts already made keep
showing it. Nothing is ever deleted here.

Managers and admins do this (``journeys.accounts.access.STUDY_PLANNERS``). Every write is logged
in the change log (entity ``brand`` or ``location``, old → new per field) and happens in the
caller's transaction (one ``data.db.session_scope`` per user action): a refused input raises
``ValidationError`` naming every problem before anything is written.

``location_problems`` is the one statement of what a location's fields may hold; the bulk
load (``journeys.interchange.location_file``) checks each row of a file with it.
"""

from dataclasses import dataclass, fields

import pandas as pd
import sqlalchemy as sa
from sqlmodel import Session, select

from journeys.accounts.access import STUDY_PLANNERS, ensure_role
from journeys.errors import NotFoundError, Problem, ValidationError
from journeys.language import N_, _
from journeys.limits import NUL_MESSAGE, shown
from journeys.models import Brand, ChangeLog, Location

ACTION = N_("manage clients and locations")

# The fields' longest values: the models' VARCHAR lengths (one source: the model's columns).
BRAND_LENGTHS = {"name": Brand.__table__.c.name.type.length, "sector": Brand.__table__.c.sector.type.length}
LOCATION_LENGTHS = {name: Location.__table__.c[name].type.length
                    for name in ("name", "city", "address", "region", "external_code")}

# Field → its name on screen (translated where shown).
FIELD_LABELS = {
    "brand": N_("Brand name"), "sector": N_("Sector"), "name": N_("Location name"), "city": N_("City"),
    "address": N_("Address"), "region": N_("Region"), "external_code": N_("Code"),
}


@dataclass(frozen=True)
class LocationIn:
    """What a person types for a location; ``clean_location`` trims it."""

    name: str
    city: str = ""
    address: str = ""
    region: str = ""
    external_code: str | None = None


def _label(field: str) -> str:
    return _(FIELD_LABELS[field])


def _squeezed(text: str | None) -> str:
    """``text`` trimmed, every run of white space inside it one space ("  Noord  Holland " → "Noord Holland")."""
    return " ".join((text or "").split())


def _text_problems(field: str, text: str, limit: int, *, required: bool) -> list[Problem]:
    if required and not text:
        return [Problem(field, None, _("must not be empty"), label=_label(field))]
    if "\x00" in text:
        return [Problem(field, shown(text), _(NUL_MESSAGE), label=_label(field))]
    if len(text) > limit:
        return [Problem(field, shown(text), _("may have at most {limit} characters (this has {length})").format(
            limit=limit, length=len(text)), label=_label(field))]
    return []


def clean_location(location_in: LocationIn) -> LocationIn:
    """The location as stored: every field trimmed (inner white space squeezed), an empty code None."""
    code = _squeezed(location_in.external_code)
    return LocationIn(name=_squeezed(location_in.name), city=_squeezed(location_in.city),
                      address=_squeezed(location_in.address), region=_squeezed(location_in.region),
                      external_code=code or None)


def location_problems(location_in: LocationIn) -> list[Problem]:
    """What is wrong with a (cleaned) location's fields on their own: empty name, too long, NUL."""
    problems: list[Problem] = []
    for field in ("name", "city", "address", "region", "external_code"):
        value = getattr(location_in, field) or ""
        problems += _text_problems(field, value, LOCATION_LENGTHS[field], required=field == "name")
    return problems


def _brand(session: Session, brand_id: int) -> Brand:
    brand = session.get(Brand, brand_id)
    if brand is None:
        raise NotFoundError(_("There is no brand with id {id}.").format(id=brand_id))
    return brand


def _location(session: Session, location_id: int) -> Location:
    location = session.get(Location, location_id)
    if location is None:
        raise NotFoundError(_("There is no location with id {id}.").format(id=location_id))
    return location


def _log(session: Session, actor, entity: str, entity_id: int, action: str, changes: dict) -> None:
    """One change-log row per changed field (old → new), or one row for a creation."""
    if action == "create":
        session.add(ChangeLog(user_id=getattr(actor, "id", None), entity=entity, entity_id=entity_id,
                              action="create", field="name", new_value=changes.get("name")))
        return
    for field, (old, new) in changes.items():
        session.add(ChangeLog(user_id=getattr(actor, "id", None), entity=entity, entity_id=entity_id,
                              action=action, field=field, old_value=None if old is None else str(old),
                              new_value=None if new is None else str(new)))


def _brand_problems(session: Session, name: str, sector: str, brand_id: int | None = None) -> list[Problem]:
    problems = _text_problems("brand", name, BRAND_LENGTHS["name"], required=True)
    problems += _text_problems("sector", sector, BRAND_LENGTHS["sector"], required=False)
    if name and not problems:
        taken = session.exec(select(Brand).where(sa.func.lower(Brand.name) == name.lower())).first()
        if taken is not None and taken.id != brand_id:
            problems.append(Problem("brand", name, _("a brand named {name} already exists").format(
                name=repr(taken.name)), label=_label("brand")))
    return problems


def create_brand(*, session: Session, actor, name: str, sector: str = "") -> Brand:
    """A new brand (client); refused when the name is empty, too long or taken (whatever its case)."""
    ensure_role(actor, *STUDY_PLANNERS, action=ACTION)
    name, sector = _squeezed(name), _squeezed(sector)
    if problems := _brand_problems(session, name, sector):
        raise ValidationError(problems)
    brand = Brand(name=name, sector=sector)
    session.add(brand)
    session.flush()
    _log(session, actor, "brand", brand.id, "create", {"name": name})
    return brand


def update_brand(*, session: Session, actor, brand_id: int, name: str, sector: str = "") -> Brand:
    """Rename a brand or change its sector; the same rules as ``create_brand``."""
    ensure_role(actor, *STUDY_PLANNERS, action=ACTION)
    brand = _brand(session, brand_id)
    name, sector = _squeezed(name), _squeezed(sector)
    if problems := _brand_problems(session, name, sector, brand_id):
        raise ValidationError(problems)
    changes = {f: (getattr(brand, f), v) for f, v in (("name", name), ("sector", sector)) if getattr(brand, f) != v}
    for field, (_old, new) in changes.items():
        setattr(brand, field, new)
    session.add(brand)
    _log(session, actor, "brand", brand.id, "update", changes)
    session.flush()
    return brand


def set_brand_archived(*, session: Session, actor, brand_id: int, archived: bool) -> Brand:
    """Archive a brand (kept with its contacts, offered in no new contact) or bring it back."""
    ensure_role(actor, *STUDY_PLANNERS, action=ACTION)
    brand = _brand(session, brand_id)
    if brand.archived != archived:
        _log(session, actor, "brand", brand.id, "update", {"archived": (brand.archived, archived)})
        brand.archived = archived
        session.add(brand)
        session.flush()
    return brand


def _location_problems(session: Session, brand_id: int, location_in: LocationIn,
                       location_id: int | None = None) -> list[Problem]:
    """``location_problems`` plus the brand's uniqueness rules (name, external code)."""
    problems = location_problems(location_in)
    others = session.exec(select(Location).where(Location.brand_id == brand_id)).all()
    for other in others:
        if other.id == location_id:
            continue
        if location_in.name and other.name == location_in.name:
            problems.append(Problem("name", location_in.name, _("this brand already has a location with this name"),
                                    label=_label("name")))
        if location_in.external_code and other.external_code == location_in.external_code:
            problems.append(Problem("external_code", location_in.external_code, _(
                "this brand already has a location with this code ({name})").format(name=other.name),
                label=_label("external_code")))
    return problems


def create_location(*, session: Session, actor, brand_id: int, name: str, city: str = "", address: str = "",
                    region: str = "", external_code: str | None = None) -> Location:
    """A new location of a brand; its name and (if given) its code must be new within the brand."""
    ensure_role(actor, *STUDY_PLANNERS, action=ACTION)
    _brand(session, brand_id)
    location_in = clean_location(LocationIn(name, city, address, region, external_code))
    if problems := _location_problems(session, brand_id, location_in):
        raise ValidationError(problems)
    location = Location(brand_id=brand_id, **{f.name: getattr(location_in, f.name) for f in fields(LocationIn)})
    session.add(location)
    session.flush()
    _log(session, actor, "location", location.id, "create", {"name": location.name})
    return location


def update_location(*, session: Session, actor, location_id: int, name: str, city: str = "", address: str = "",
                    region: str = "", external_code: str | None = None) -> Location:
    """Change a location's fields (all of them, as the edit form shows them); the rules of ``create_location``."""
    ensure_role(actor, *STUDY_PLANNERS, action=ACTION)
    location = _location(session, location_id)
    location_in = clean_location(LocationIn(name, city, address, region, external_code))
    if problems := _location_problems(session, location.brand_id, location_in, location_id):
        raise ValidationError(problems)
    return apply_location(session=session, actor=actor, location=location, location_in=location_in)


def apply_location(*, session: Session, actor, location: Location, location_in: LocationIn) -> Location:
    """Write a checked, cleaned ``location_in`` over ``location``, logging each field that changes.

    For the services here and the bulk load, which check first; call nothing else with unchecked input."""
    changes = {f.name: (getattr(location, f.name), getattr(location_in, f.name)) for f in fields(LocationIn)
               if getattr(location, f.name) != getattr(location_in, f.name)}
    for field, (_old, new) in changes.items():
        setattr(location, field, new)
    session.add(location)
    _log(session, actor, "location", location.id, "update", changes)
    session.flush()
    return location


def set_location_archived(*, session: Session, actor, location_id: int, archived: bool) -> Location:
    """Archive a location (kept with its contacts, offered in no new contact) or bring it back."""
    ensure_role(actor, *STUDY_PLANNERS, action=ACTION)
    location = _location(session, location_id)
    if location.archived != archived:
        _log(session, actor, "location", location.id, "update", {"archived": (location.archived, archived)})
        location.archived = archived
        session.add(location)
        session.flush()
    return location


# ------------------------------------------------------------------------------------- reading

BRAND_COLUMNS = ("id", "name", "sector", "archived", "locations", "archived_locations")
LOCATION_COLUMNS = ("id", "brand_id", "brand", "name", "city", "address", "region", "external_code", "archived")


def brands_frame(*, session: Session, actor, include_archived: bool = True) -> pd.DataFrame:
    """One row per brand by name: id, name, sector, archived, its active locations and archived ones."""
    ensure_role(actor, *STUDY_PLANNERS, action=ACTION)
    active = sa.func.sum(sa.case((Location.archived == sa.false(), 1), else_=0))
    archived = sa.func.sum(sa.case((Location.archived == sa.true(), 1), else_=0))
    query = (sa.select(Brand.id, Brand.name, Brand.sector, Brand.archived, active, archived)
             .select_from(Brand).outerjoin(Location, Location.brand_id == Brand.id)
             .group_by(Brand.id, Brand.name, Brand.sector, Brand.archived).order_by(Brand.name))
    if not include_archived:
        query = query.where(Brand.archived == sa.false())
    rows = session.execute(query).all()
    frame = pd.DataFrame([tuple(r) for r in rows], columns=list(BRAND_COLUMNS))
    for column in ("locations", "archived_locations"):
        frame[column] = frame[column].fillna(0).astype(int)
    frame["archived"] = frame["archived"].astype(bool)
    return frame


def locations_frame(*, session: Session, actor, brand_id: int | None = None,
                    include_archived: bool = True) -> pd.DataFrame:
    """One row per location (of ``brand_id``, or of every brand), by brand and name; without
    ``include_archived`` neither archived locations nor those of an archived brand."""
    ensure_role(actor, *STUDY_PLANNERS, action=ACTION)
    query = (sa.select(Location.id, Location.brand_id, Brand.name, Location.name, Location.city, Location.address,
                       Location.region, Location.external_code, Location.archived)
             .join(Brand, Brand.id == Location.brand_id).order_by(Brand.name, Location.name))
    if brand_id is not None:
        query = query.where(Location.brand_id == brand_id)
    if not include_archived:
        query = query.where(Location.archived == sa.false(), Brand.archived == sa.false())
    frame = pd.DataFrame([tuple(r) for r in session.execute(query).all()], columns=list(LOCATION_COLUMNS))
    frame["archived"] = frame["archived"].astype(bool)
    return frame


def startable_brands(*, session: Session) -> list[Brand]:
    """The brands a new contact may be started for: every brand not archived, by name."""
    return list(session.exec(select(Brand).where(Brand.archived == sa.false()).order_by(Brand.name)).all())


def startable_locations(*, session: Session) -> list[Location]:
    """The locations a new contact may name: not archived, of a brand not archived, by name."""
    return list(session.exec(
        select(Location).join(Brand, Brand.id == Location.brand_id)
        .where(Location.archived == sa.false(), Brand.archived == sa.false()).order_by(Location.name)).all())
