"""The dashboard filter bar: brand, location, wave, journey, channel and date range.

The widgets keep their values for the whole session (``persist_state="session"``), so a
manager's selection follows them from page to page. ``filter_bar`` draws the widgets and turns
their values into a ``ContactFilter`` (the one type data/ and the services understand);
``local_midnight`` is where a chosen local date starts, in UTC. Channels are chosen by their
display names (``ui.dashboard_data.channel_names``) while the selection keeps their keys.
"""

from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
import streamlit as st
from sqlalchemy.engine import Engine

from journeys.fieldwork.frames import ContactFilter
from journeys.language import N_, _
from journeys.local_time import LOCAL_ZONE, LOCAL_ZONE_NAME
from journeys.models import Brand, Channel, Journey, Location, Wave
from ui.dashboard_data import channel_names

KEY_PREFIX = "flt_"
# The filters in the order shown: the option list's name (also the widget's key), its label and the
# placeholder of an empty selection (marked here, translated where drawn).
FILTERS = (
    ("brands", N_("Brand"), N_("All brands")),
    ("waves", N_("Wave"), N_("All waves")),
    ("journeys", N_("Journey"), N_("All journeys")),
    ("channels", N_("Channel"), N_("All channels")),
    ("locations", N_("Location"), N_("All locations")),
)


@st.cache_data(show_spinner=False, ttl=300)
def _options(_engine: Engine, url: str) -> dict[str, list[str]]:
    """Names to choose from (few rows; refreshed every few minutes)."""
    with _engine.connect() as connection:
        def names(column):
            return [r[0] for r in connection.execute(sa.select(column).distinct().order_by(column)).all()]

        return {
            "brands": names(Brand.name),
            "locations": names(Location.name),
            "waves": names(Wave.name),
            "journeys": names(Journey.name),
            "channels": names(Channel.name),
        }


def filter_bar(engine: Engine, *, show_channel: bool = True) -> ContactFilter:
    """Render the filters in the sidebar and return the current selection."""
    options = _options(engine, str(engine.url))
    names = channel_names(engine)
    with st.sidebar:
        st.subheader(_("Filters"), anchor=False)
        picks = {}
        for name, label, everything in FILTERS:
            if name == "channels" and not show_channel:
                continue
            picks[name] = st.multiselect(
                _(label), options[name], key=f"{KEY_PREFIX}{name}", persist_state="session",
                placeholder=_(everything),
                format_func=(lambda key: names.get(key, key)) if name == "channels" else str,
            )
        period = st.date_input(
            _("Started between"), value=(), key=f"{KEY_PREFIX}period", persist_state="session",
            help=_("Local dates ({zone}), both ends included. Empty = all dates.").format(zone=LOCAL_ZONE_NAME),
        )
    started_from = started_before = None
    if isinstance(period, (tuple, list)) and len(period) == 2:
        started_from = local_midnight(period[0])
        started_before = local_midnight(period[1] + timedelta(days=1))
    return ContactFilter(
        brands=tuple(picks.get("brands", ())),
        locations=tuple(picks.get("locations", ())),
        waves=tuple(picks.get("waves", ())),
        journeys=tuple(picks.get("journeys", ())),
        channels=tuple(picks.get("channels", ())),
        started_from=started_from,
        started_before=started_before,
    )


def local_midnight(day: date) -> datetime:
    """The UTC instant of 00:00 local time (``LOCAL_ZONE``) on ``day``."""
    return datetime.combine(day, time.min, tzinfo=LOCAL_ZONE).astimezone(UTC)
