"""The dashboard filter bar: brand, wave, journey, channel, region, location and date range.

The widgets keep their values for the whole session (``persist_state="session"``), so a
manager's selection follows them from page to page. ``filter_bar`` draws the widgets and turns
their values into a ``ContactFilter`` (the one type data/ and the services understand);
``local_midnight`` is where a chosen local date starts, in UTC. Channels are chosen by their
display names (``ui.dashboard_data.channel_names``) while the selection keeps their keys.
The region filter shows only when some location has a region (brand → region → location);
choosing regions narrows the locations offered to theirs. A closed wave reads as final
("2026-Q1 (final)", ``ui.dashboard_data.wave_label``); the selection keeps the wave's name.

A client user's filter carries its scope (``journeys.accounts.scope.client_scope``, read on every
run, so a grant changed by an admin counts at the next click), and its options are only the names
of its own released contacts (``_scoped_options``): no other brand, nor a location, region, wave,
journey or channel known only from another brand's contacts.

The figures count released contacts only (``ContactFilter.include_unreleased`` False). The
agency's staff (``may_include_unreleased``: a signed-in user who is not a client) have one more
switch, "Include contacts not yet released" (``UNRELEASED_KEY``), kept for the session like the
filters; the pages then say how many of the contacts they count the client does not see yet
(``ui.dashboard_view.release_line``). A client never has it: its scope reads released contacts only.
"""

from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
import streamlit as st
from sqlalchemy.engine import Engine

from data.db import read_scope
from journeys.accounts.access import CLIENTS, has_role
from journeys.accounts.scope import ClientScope, client_scope
from journeys.fieldwork.contact_filter import contact_conditions
from journeys.fieldwork.frames import ContactFilter
from journeys.language import N_, _
from journeys.local_time import LOCAL_ZONE, LOCAL_ZONE_NAME
from journeys.models import Brand, Channel, Contact, Journey, Location, Wave
from ui.dashboard_data import channel_names, closed_waves, wave_label

KEY_PREFIX = "flt_"
UNRELEASED_KEY = f"{KEY_PREFIX}include_unreleased"
# The filters in the order shown: the option list's name (also the widget's key), its label and the
# placeholder of an empty selection (marked here, translated where drawn).
FILTERS = (
    ("brands", N_("Brand"), N_("All brands")),
    ("waves", N_("Wave"), N_("All waves")),
    ("journeys", N_("Journey"), N_("All journeys")),
    ("channels", N_("Channel"), N_("All channels")),
    ("regions", N_("Region"), N_("All regions")),
    ("locations", N_("Location"), N_("All locations")),
)


@st.cache_data(show_spinner=False, ttl=300)
def _options(_engine: Engine, url: str) -> dict:
    """Names to choose from (few rows; refreshed every few minutes), and under
    ``locations_by_region`` the location names of each region."""
    with _engine.connect() as connection:
        def names(column):
            return [r[0] for r in connection.execute(sa.select(column).distinct().order_by(column)).all()]

        by_region: dict[str, list[str]] = {}
        pairs = sa.select(Location.region, Location.name).distinct().order_by(Location.region, Location.name)
        for region, location in connection.execute(pairs).all():
            by_region.setdefault(region or "", []).append(location)
        return {
            "brands": names(Brand.name),
            "regions": [region for region in by_region if region],
            "locations": names(Location.name),
            "waves": names(Wave.name),
            "journeys": names(Journey.name),
            "channels": names(Channel.name),
            "locations_by_region": by_region,
        }


@st.cache_data(show_spinner=False, ttl=60)
def _scoped_options(_engine: Engine, url: str, scope: ClientScope) -> dict:
    """``_options`` within a client's ``scope``: the names its released contacts carry, nothing else."""
    within = contact_conditions(ContactFilter(scope=scope))
    with _engine.connect() as connection:
        def names(column, key):
            query = (sa.select(column).select_from(Contact).join(column.class_, column.class_.id == key)
                     .where(*within).distinct().order_by(column))
            return [r[0] for r in connection.execute(query).all()]

        by_region: dict[str, list[str]] = {}
        pairs = (sa.select(Location.region, Location.name).select_from(Contact)
                 .join(Location, Location.id == Contact.location_id).where(*within).distinct()
                 .order_by(Location.region, Location.name))
        for region, location in connection.execute(pairs).all():
            by_region.setdefault(region or "", []).append(location)
        return {
            "brands": names(Brand.name, Contact.brand_id),
            "regions": [region for region in by_region if region],
            "locations": sorted({name for names_ in by_region.values() for name in names_}),
            "waves": names(Wave.name, Contact.wave_id),
            "journeys": names(Journey.name, Contact.journey_id),
            "channels": names(Channel.name, Contact.channel_id),
            "locations_by_region": by_region,
        }


def session_scope_of(engine: Engine, actor) -> ClientScope | None:
    """The scope of the signed-in ``actor`` (None for the agency's roles, no narrowing)."""
    if actor is None:
        return None
    with read_scope(engine) as session:
        return client_scope(session=session, actor=actor)


def location_options(options: dict, regions) -> list[str]:
    """The location names offered: all, or only those of the chosen ``regions``."""
    if not regions:
        return options["locations"]
    chosen = {name for region in regions for name in options["locations_by_region"].get(region, ())}
    return [name for name in options["locations"] if name in chosen]


def may_include_unreleased(actor) -> bool:
    """Whether ``actor`` may count contacts not yet released: the agency's staff, never a client
    (``journeys.accounts.access.CLIENTS``) nor an unknown user."""
    return actor is not None and not has_role(actor, *CLIENTS)


def filter_bar(engine: Engine, *, actor=None, show_channel: bool = True) -> ContactFilter:
    """Render the filters in the sidebar and return the current selection; for a client user
    (``actor``) within its scope, which the returned filter carries. The agency's staff
    (``may_include_unreleased``) also get the switch that counts contacts not yet released."""
    scope = session_scope_of(engine, actor)
    options = _options(engine, str(engine.url)) if scope is None else _scoped_options(engine, str(engine.url), scope)
    names = channel_names(engine)
    closed = closed_waves(engine)
    formats = {"channels": lambda key: names.get(key, key), "waves": lambda wave: wave_label(wave, closed)}
    with st.sidebar:
        st.subheader(_("Filters"), anchor=False)
        picks = {}
        for name, label, everything in FILTERS:
            if name == "channels" and not show_channel:
                continue
            if name == "regions" and not options["regions"]:
                continue  # no location has a region: nothing to choose
            choices = options[name]
            if scope is not None:  # a kept choice from before (another account in this browser) is dropped
                _keep_only(f"{KEY_PREFIX}{name}", choices)
            if name == "locations":
                choices = location_options(options, picks.get("regions"))
                _keep_only(f"{KEY_PREFIX}{name}", choices)
            picks[name] = st.multiselect(
                _(label), choices, key=f"{KEY_PREFIX}{name}", persist_state="session",
                placeholder=_(everything), format_func=formats.get(name, str),
            )
        period = st.date_input(
            _("Started between"), value=(), key=f"{KEY_PREFIX}period", persist_state="session",
            help=_("Local dates ({zone}), both ends included. Empty = all dates.").format(zone=LOCAL_ZONE_NAME),
        )
        include_unreleased = False
        if may_include_unreleased(actor):
            include_unreleased = st.toggle(
                _("Include contacts not yet released"), key=UNRELEASED_KEY, persist_state="session",
                help=_("Also count contacts that are submitted, returned or approved but not yet released to the "
                       "client. The client never sees these; the pages say how many are included."))
    started_from = started_before = None
    if isinstance(period, (tuple, list)) and len(period) == 2:
        started_from = local_midnight(period[0])
        started_before = local_midnight(period[1] + timedelta(days=1))
    return ContactFilter(
        brands=tuple(picks.get("brands", ())),
        regions=tuple(picks.get("regions", ())),
        locations=tuple(picks.get("locations", ())),
        waves=tuple(picks.get("waves", ())),
        journeys=tuple(picks.get("journeys", ())),
        channels=tuple(picks.get("channels", ())),
        started_from=started_from,
        started_before=started_before,
        scope=scope,
        include_unreleased=bool(include_unreleased),
    )


def _keep_only(key: str, choices: list[str]) -> None:
    """Drop from a multiselect's kept selection what its options no longer hold (a location
    outside the regions just chosen), before the widget is drawn."""
    kept = st.session_state.get(key)
    if kept and any(value not in choices for value in kept):
        st.session_state[key] = [value for value in kept if value in choices]


def local_midnight(day: date) -> datetime:
    """The UTC instant of 00:00 local time (``LOCAL_ZONE``) on ``day``."""
    return datetime.combine(day, time.min, tzinfo=LOCAL_ZONE).astimezone(UTC)
