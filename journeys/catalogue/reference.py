"""Reference data: the built-in channels with their default response targets, and get-or-create
helpers for brands, locations, waves and channels.

A channel has a key and a display name: ``Channel.name`` ("webchat") is the key that filters,
caches, imports and exports use; ``Channel.label`` ("Web chat") is what a person reads.
``channel_display_name`` (the label, falling back to the name) and ``channel_display_names``
(key → display name for every channel) are the one source of that name: dashboards, charts,
filters, reports, exports' display columns and contact cards all map keys through them.

The defaults (``BUILTIN_CHANNELS``) follow the common service-level targets of the trade: a
phone call answered within 20 s, web chat within 40 s, e-mail within 4 working hours, social
within an hour, messaging within 20 minutes. Users change them per journey; an import adds them
only when asked (``--default-targets``, docs/interchange.md).
"""

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, select

from journeys.errors import Problem, ValidationError
from journeys.language import N_, _
from journeys.models import Brand, Channel, ChannelKind, Location, Wave

MINUTE = 60
HOUR = 60 * MINUTE


@dataclass(frozen=True)
class ChannelDefaults:
    """A built-in channel and the response targets a new journey starts from."""

    name: str
    label: str
    kind: ChannelKind
    first_response_target_seconds: int
    resolution_target_seconds: int
    business_hours: bool


BUILTIN_CHANNELS: tuple[ChannelDefaults, ...] = (
    ChannelDefaults("store", N_("Store"), ChannelKind.STORE, 5 * MINUTE, 30 * MINUTE, False),
    ChannelDefaults("phone", N_("Phone"), ChannelKind.PHONE, 20, 15 * MINUTE, False),
    ChannelDefaults("email", N_("E-mail"), ChannelKind.EMAIL, 4 * HOUR, 8 * HOUR, True),
    ChannelDefaults("webchat", N_("Web chat"), ChannelKind.CHAT, 40, 20 * MINUTE, False),
    ChannelDefaults("whatsapp", N_("WhatsApp"), ChannelKind.MESSAGING, 20 * MINUTE, 4 * HOUR, False),
    ChannelDefaults("twitter", N_("Twitter/X"), ChannelKind.SOCIAL, 1 * HOUR, 24 * HOUR, False),
    ChannelDefaults("facebook", N_("Facebook"), ChannelKind.SOCIAL, 1 * HOUR, 24 * HOUR, False),
    ChannelDefaults("instagram", N_("Instagram"), ChannelKind.SOCIAL, 1 * HOUR, 24 * HOUR, False),
    ChannelDefaults("messenger", N_("Messenger"), ChannelKind.MESSAGING, 20 * MINUTE, 4 * HOUR, False),
    ChannelDefaults("sms", N_("SMS"), ChannelKind.MESSAGING, 1 * HOUR, 24 * HOUR, False),
)
BUILTIN_BY_NAME = {c.name: c for c in BUILTIN_CHANNELS}

# Kind-level fallbacks for channels a user adds (same norms as the built-ins of that kind).
DEFAULTS_BY_KIND: dict[ChannelKind, ChannelDefaults] = {}
for _c in BUILTIN_CHANNELS:
    DEFAULTS_BY_KIND.setdefault(_c.kind, _c)

_KIND_HINTS = (
    ("store", ChannelKind.STORE), ("shop", ChannelKind.STORE), ("winkel", ChannelKind.STORE),
    ("branch", ChannelKind.STORE), ("phone", ChannelKind.PHONE), ("call", ChannelKind.PHONE),
    ("telefoon", ChannelKind.PHONE), ("mail", ChannelKind.EMAIL), ("chat", ChannelKind.CHAT),
    ("twitter", ChannelKind.SOCIAL), ("facebook", ChannelKind.SOCIAL), ("insta", ChannelKind.SOCIAL),
    ("linkedin", ChannelKind.SOCIAL), ("tiktok", ChannelKind.SOCIAL), ("social", ChannelKind.SOCIAL),
    ("whatsapp", ChannelKind.MESSAGING), ("messenger", ChannelKind.MESSAGING),
    ("sms", ChannelKind.MESSAGING), ("telegram", ChannelKind.MESSAGING),
    ("app", ChannelKind.WEBAPP), ("web", ChannelKind.WEBAPP), ("online", ChannelKind.WEBAPP),
    ("mobile", ChannelKind.WEBAPP),
)


def guess_channel_kind(name: str) -> ChannelKind:
    """The kind a channel name suggests ("Twitter DM" → social), else ``other``."""
    lowered = name.strip().lower()
    if lowered in BUILTIN_BY_NAME:
        return BUILTIN_BY_NAME[lowered].kind
    for hint, kind in _KIND_HINTS:
        if hint in lowered:
            return kind
    return ChannelKind.OTHER


def defaults_for(channel: Channel) -> ChannelDefaults | None:
    """The default targets for a channel: its built-in entry, else its kind's, else none."""
    return BUILTIN_BY_NAME.get(channel.name) or DEFAULTS_BY_KIND.get(ChannelKind(channel.kind))


def ensure_builtin_channels(*, session: Session) -> dict[str, Channel]:
    """Create the built-in channels that are missing; returns every channel by name."""
    existing = {c.name: c for c in session.exec(select(Channel)).all()}
    for spec in BUILTIN_CHANNELS:
        if spec.name not in existing:
            channel = Channel(name=spec.name, label=spec.label, kind=spec.kind.value, builtin=True)
            session.add(channel)
            existing[spec.name] = channel
    session.flush()
    return existing


def _clean_name(field: str, name: str) -> str:
    cleaned = (name or "").strip()
    if not cleaned:
        raise ValidationError(Problem(field, name, _("must not be empty")))
    return cleaned


def get_or_create_brand(*, session: Session, name: str, sector: str = "") -> Brand:
    name = _clean_name("brand", name)
    brand = session.exec(select(Brand).where(Brand.name == name)).first()
    if brand is None:
        brand = Brand(name=name, sector=sector)
        session.add(brand)
        session.flush()
    return brand


def get_or_create_location(*, session: Session, brand: Brand, name: str, city: str = "") -> Location:
    name = _clean_name("location", name)
    location = session.exec(
        select(Location).where(Location.brand_id == brand.id, Location.name == name)
    ).first()
    if location is None:
        location = Location(brand_id=brand.id, name=name, city=city)
        session.add(location)
        session.flush()
    return location


def get_or_create_wave(*, session: Session, name: str, starts_on=None, ends_on=None) -> Wave:
    name = _clean_name("wave", name)
    if starts_on and ends_on and ends_on < starts_on:
        raise ValidationError(Problem("ends_on", ends_on.isoformat(), _("must not be before starts_on {start}").format(
            start=starts_on)))
    wave = session.exec(select(Wave).where(Wave.name == name)).first()
    if wave is None:
        wave = Wave(name=name, starts_on=starts_on, ends_on=ends_on)
        session.add(wave)
        session.flush()
    return wave


def get_or_create_channel(*, session: Session, name: str, kind: ChannelKind | None = None) -> Channel:
    """A channel by name; a new one gets ``kind`` or the kind its name suggests."""
    name = _clean_name("channel", name).lower()
    channel = session.exec(select(Channel).where(Channel.name == name)).first()
    if channel is None:
        builtin = BUILTIN_BY_NAME.get(name)
        channel = Channel(
            name=name,
            label=builtin.label if builtin else name.title(),
            kind=(kind or guess_channel_kind(name)).value,
            builtin=builtin is not None,
        )
        session.add(channel)
        session.flush()
    return channel


def channel_display_name(name: str, label: str | None) -> str:
    """What a person reads for a channel: its label ("Web chat"), else its key name ("webchat").
    A built-in channel still under its built-in label reads in the user's language
    ("Webchat", "Telefoon"); a label someone chose is theirs and shown as written."""
    label = (label or "").strip()
    builtin = BUILTIN_BY_NAME.get(name)
    if builtin is not None and label in ("", builtin.label):
        return _(builtin.label)
    return label or name


def channel_display_names(*, session: Session) -> dict[str, str]:
    """Every channel's key name → display name (``channel_display_name``), e.g.
    ``{"email": "E-mail", "webchat": "Web chat", "twitter": "Twitter/X", ...}``.

    The one mapping from a channel key to the name shown to a person. Keep the key for
    filtering, caching and files read back in; map it through this at display time only (a key
    missing here, e.g. a channel added since, should show as itself: ``names.get(key, key)``).
    """
    return {name: channel_display_name(name, label)
            for name, label in session.exec(select(Channel.name, Channel.label)).all()}


def default_wave(waves: list[Wave], day: date) -> Wave | None:
    """The wave a contact on ``day`` belongs to: the one whose dates hold ``day`` (the
    latest-starting if several do), else None — no wave is guessed for a day no wave covers
    (the start form then asks the auditor to choose one, or none)."""
    running = [w for w in waves if (w.starts_on is None or w.starts_on <= day)
               and (w.ends_on is None or day <= w.ends_on) and (w.starts_on or w.ends_on)]
    if running:
        return max(running, key=lambda w: (w.starts_on or date.min, w.name))
    return None
