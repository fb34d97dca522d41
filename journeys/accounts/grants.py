"""Which brands, regions or locations a client user may see: its grants (``journeys.models.ClientGrant``).

An admin (``USER_ADMINS``) sets a client's grants as a whole (``set_client_grants``): each a
brand by name, optionally narrowed to one region of that brand or one location of it. What a
client then reads is ``journeys.accounts.scope.client_scope``; every change is in the change log
(entity ``client_grant``, the user's id, old → new as text).

A client without grants may exist (it is added first and given its brands next) but sees
nothing; ``grants_warning`` says so where an admin reads the account.
"""

from dataclasses import dataclass

from sqlmodel import Session, select

from journeys.accounts.access import USER_ADMINS, ensure_role
from journeys.errors import NotFoundError, Problem, ValidationError
from journeys.language import N_, _
from journeys.models import Brand, ChangeLog, ClientGrant, Location, Role, User


@dataclass(frozen=True)
class GrantSpec:
    """One grant by names: a brand, and optionally a region of it or a location of it (not both)."""

    brand: str
    region: str = ""
    location: str = ""

    def __str__(self) -> str:
        """"Koopklik", "Koopklik:Noord" (a region) or "Koopklik@Utrecht Centrum" (a location)."""
        if self.location:
            return f"{self.brand}@{self.location}"
        if self.region:
            return f"{self.brand}:{self.region}"
        return self.brand


def parse_grant(text: str) -> GrantSpec:
    """A grant as the command line writes it: "BRAND", "BRAND:REGION" or "BRAND@LOCATION".

    Raises:
        ValidationError: an empty brand, region or location.
    """
    text = (text or "").strip()
    brand, region, location = text, "", ""
    if "@" in text:
        brand, location = (part.strip() for part in text.split("@", 1))
        if not location:
            raise ValidationError(Problem("brand", text, _("names no location after '@'"), label=_("brand")))
    elif ":" in text:
        brand, region = (part.strip() for part in text.split(":", 1))
        if not region:
            raise ValidationError(Problem("brand", text, _("names no region after ':'"), label=_("brand")))
    if not brand:
        raise ValidationError(Problem("brand", text, _("names no brand"), label=_("brand")))
    return GrantSpec(brand=brand, region=region, location=location)


def _client(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFoundError(_("No user with id {id}.").format(id=user_id))
    if user.role != Role.CLIENT.value:
        raise ValidationError(Problem("role", user.role, _("only client users have brands to see; {username} is not one")
                                      .format(username=user.username), label=_("role")))
    return user


def _resolve(session: Session, spec: GrantSpec) -> ClientGrant:
    """The grant row ``spec`` names (not yet stored); a name that does not exist is an error naming it."""
    if spec.region and spec.location:
        raise ValidationError(Problem("region", spec.region, _("give a region or a location, not both"),
                                      label=_("region")))
    brand = session.exec(select(Brand).where(Brand.name == spec.brand)).first()
    if brand is None:
        known = session.exec(select(Brand.name).order_by(Brand.name)).all()
        raise ValidationError(Problem("brand", spec.brand, _("no such brand; known: {names}").format(
            names=", ".join(known) or "-"), label=_("brand")))
    if spec.location:
        location = session.exec(select(Location).where(Location.brand_id == brand.id,
                                                       Location.name == spec.location)).first()
        if location is None:
            raise ValidationError(Problem("location", spec.location, _("brand {brand} has no such location").format(
                brand=brand.name), label=_("location")))
        return ClientGrant(brand_id=brand.id, location_id=location.id)
    if spec.region:
        exists = session.exec(select(Location.id).where(Location.brand_id == brand.id,
                                                        Location.region == spec.region)).first()
        if exists is None:
            regions = session.exec(select(Location.region).where(Location.brand_id == brand.id, Location.region != "")
                                   .distinct().order_by(Location.region)).all()
            raise ValidationError(Problem("region", spec.region, _("brand {brand} has no such region; known: {names}")
                                          .format(brand=brand.name, names=", ".join(regions) or "-"),
                                          label=_("region")))
        return ClientGrant(brand_id=brand.id, region=spec.region)
    return ClientGrant(brand_id=brand.id)


def _specs_of(session: Session, user_id: int) -> list[GrantSpec]:
    rows = session.exec(
        select(ClientGrant, Brand.name, Location.name)
        .join(Brand, Brand.id == ClientGrant.brand_id)
        .outerjoin(Location, Location.id == ClientGrant.location_id)
        .where(ClientGrant.user_id == user_id)
        .order_by(Brand.name, ClientGrant.region, Location.name)
    ).all()
    return [GrantSpec(brand=brand, region=grant.region or "", location=location or "")
            for grant, brand, location in rows]


def grants_of(*, session: Session, actor, user_id: int) -> list[GrantSpec]:
    """The grants of client ``user_id`` by name, sorted (admins only; a client reads its own scope
    through ``journeys.accounts.scope.client_scope``)."""
    ensure_role(actor, *USER_ADMINS, action=N_("manage client access"))
    return _specs_of(session, user_id)


def set_client_grants(*, session: Session, actor, user_id: int, grants) -> list[GrantSpec]:
    """Replace the grants of client ``user_id`` by ``grants`` (``GrantSpec`` or the text of
    ``parse_grant``); logged old → new. Returns the new grants, sorted.

    Raises:
        PermissionDenied: the actor is no admin.
        NotFoundError: no such user.
        ValidationError: the user is no client, or a brand, region or location does not exist (named).
    """
    ensure_role(actor, *USER_ADMINS, action=N_("manage client access"))
    user = _client(session, user_id)
    specs = [g if isinstance(g, GrantSpec) else parse_grant(str(g)) for g in grants]
    wanted: dict[tuple, ClientGrant] = {}
    for spec in specs:
        row = _resolve(session, spec)
        wanted.setdefault((row.brand_id, row.region, row.location_id), row)
    before = _specs_of(session, user.id)
    for row in session.exec(select(ClientGrant).where(ClientGrant.user_id == user.id)).all():
        session.delete(row)
    session.flush()
    for row in wanted.values():
        row.user_id = user.id
        session.add(row)
    session.flush()
    after = _specs_of(session, user.id)
    if after != before:
        session.add(ChangeLog(
            user_id=getattr(actor, "id", None), entity="client_grant", entity_id=user.id, action="update",
            field="grants", old_value="; ".join(map(str, before)), new_value="; ".join(map(str, after))))
    return after


def grants_warning(role: str, grants) -> str | None:
    """What to tell an admin about a client's grants: None, or that a client without any sees nothing."""
    if role == Role.CLIENT.value and not grants:
        return _("This client user has no brands yet: it sees nothing until you give it one.")
    return None
