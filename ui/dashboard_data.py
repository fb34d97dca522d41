"""Data behind the dashboards: one cached, scored and timed frame of all contacts, and the
cache every figure of the pages goes through.

Why this shape: reading and scoring a million contacts takes seconds; filtering an in-memory
frame and grouping it takes milliseconds. The frame (the contacts with their stored scores,
``journeys.fieldwork.scores``, timed by ``scoring.pipeline.with_quality`` and laid out by
``scoring.pipeline.dashboard_frame``) is cached per database URL, *data
version* (``journeys.fieldwork.frames.data_version``: changes with every write) and period (the time
rounded down to ``AS_OF_STEP``, so open contacts age on screen), and shared read-only by all
sessions. The rows it scores are the process's live frames (``journeys.fieldwork.refresh``): a
new data version re-reads only the contacts that changed, a new period none; and the frame is
brought up to date by redoing only those contacts and the ones whose timing can still change
(``scoring.pipeline.retimed_dashboard_frame``). Its figures are *as of the moment it was computed* (``current_as_of``), never of
the rounded time: a contact answered a minute ago counts as answered. A filter change
therefore never touches the database. When a new frame replaces the old one, the memory the
old one held goes back to the system (``data.memory.release_freed_memory``), so the process does
not keep two frames' worth after each save.

Every figure is a function of ``scoring/`` called by name: a page asks
``figure(data, flt, metrics_table, ("channel",))`` and gets ``metrics_table`` of the filtered
contacts, cached per filter; ``figures_together`` computes several at once on two threads.
Nothing here defines a figure.

Channels are grouped and filtered by their key (``channel``: "webchat"); ``channel_names``
gives the name a person reads for each key ("Web chat", from
``journeys.catalogue.reference.channel_display_names``) and ``display_channels`` puts it in a
copy of a table about to be shown. The cached frames and figure tables keep the keys. The names
are in the user's language (built-in channels have a Dutch name), so they are cached per language;
the figures are the same in every language and are cached once.

Which contacts a figure counts is the filter's: released ones only, unless the agency's
``ContactFilter.include_unreleased`` (the frame itself holds every contact, with ``released``).

Beside the figures: the fieldwork plan's coverage of a filter (``plan_coverage_of``, one
aggregate query of ``journeys.fieldwork.coverage``, cached per data version, plan fingerprint,
day and filter) and the closed waves, whose figures are final (``closed_waves``, ``wave_label``).
"""

import gc
import threading
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from enum import Enum
from typing import Any, TypeVar

import numpy as np
import pandas as pd
import streamlit as st
from sqlalchemy.engine import Engine
from sqlmodel import select

from data.db import read_scope
from data.memory import release_freed_memory
from journeys.catalogue.reference import channel_display_names
from journeys.fieldwork.contact_filter import filter_frame as apply_filter  # the pandas form of a filter
from journeys.fieldwork.coverage import PlanCoverage, coverage_unmoved, plan_coverage, plan_version
from journeys.fieldwork.frames import ContactFilter, data_version, read_answers
from journeys.fieldwork.planned import local_today
from journeys.fieldwork.refresh import Frames, refresh_frames
from journeys.fieldwork.scores import stored_quality
from journeys.fieldwork.snapshot import SnapshotStore
from journeys.language import _, current_language
from journeys.models import Wave
from scoring.consistency import consistency_table
from scoring.criterion_channel import ItemScores, item_scores
from scoring.headline import headline_figures
from scoring.metrics import metrics_table
from scoring.pipeline import dashboard_frame, retimed_dashboard_frame, unsettled_ids, with_quality
from scoring.response_times import response_time_table, survival_table

AS_OF_STEP = timedelta(minutes=10)
T = TypeVar("T")


@st.cache_data(show_spinner=False, ttl=300)
def _channel_names(_engine: Engine, url: str, language: str) -> dict[str, str]:
    with read_scope(_engine) as session:
        return channel_display_names(session=session)


def channel_names(engine: Engine) -> dict[str, str]:
    """Channel key → the name a person reads in the current language (``channel_display_names``;
    refreshed every few minutes)."""
    return _channel_names(engine, str(engine.url), current_language())


def display_channels(frame: pd.DataFrame, names: dict[str, str], *columns: str) -> pd.DataFrame:
    """A copy of ``frame`` with the channel keys in ``columns`` (default ``channel``) replaced by
    their display names (``channel_names``); a key without a name shows as itself, missing stays missing."""
    frame = frame.copy()
    for column in columns or ("channel",):
        if column in frame:
            frame[column] = frame[column].map(lambda key: names.get(key, key) if isinstance(key, str) else key)
    return frame


@st.cache_data(show_spinner=False, ttl=60)
def _closed_waves(_engine: Engine, url: str) -> frozenset[str]:
    with read_scope(_engine) as session:
        return frozenset(session.exec(select(Wave.name).where(Wave.closed_at.is_not(None))).all())


def closed_waves(engine: Engine) -> frozenset[str]:
    """The names of the closed waves, whose figures are final (refreshed every minute)."""
    return _closed_waves(engine, str(engine.url))


def wave_label(wave: str, closed: frozenset[str]) -> str:
    """A wave as the dashboards name it: "2026-Q1 (final)" when it is closed (``closed``), else its name."""
    return _("{wave} (final)").format(wave=wave) if wave in closed else wave


def open_waves(waves, closed: frozenset[str]) -> list[str]:
    """The waves of ``waves`` still open (their figures provisional), sorted, each once."""
    return sorted({str(w) for w in waves if isinstance(w, str) and w and w not in closed})


@st.cache_data(max_entries=64, ttl=60, show_spinner=False)
def _plan_coverage(_engine: Engine, url: str, version: tuple, plan: tuple, today: date,
                   flt: ContactFilter) -> PlanCoverage | None:
    with read_scope(_engine) as session:
        return plan_coverage(session=session, flt=flt, today=today)


def plan_coverage_of(engine: Engine, data: dict, flt: ContactFilter) -> PlanCoverage | None:
    """The plan's coverage (``journeys.fieldwork.coverage.plan_coverage``) of the contacts ``flt``
    picks, as of today; cached per coverage version of ``data`` (``scored_data``: the data version
    of the last write that could move it, ``coverage_unmoved``, so a saved contact that is no
    planned one costs no new count of the whole plan), plan fingerprint
    (``plan_version``: a planned contact added or linked shows at once), day and the filter's
    name lists (the only fields the plan reads). None for a client user's filter (``flt.scope``):
    the plan is the agency's fieldwork, and its counts span brands outside the scope."""
    if flt.scope is not None:
        return None
    with read_scope(engine) as session:
        plan = plan_version(session=session)
    names_only = replace(flt, started_from=None, started_before=None, auditor_ids=(), contact_ids=(),
                         include_drafts=False, include_unreleased=False)  # fieldwork done, released or not
    return _plan_coverage(engine, str(engine.url), data["coverage_version"], plan, local_today(), names_only)


def current_as_of() -> datetime:
    """The moment the figures are computed for: now."""
    return datetime.now(UTC)


def current_period() -> datetime:
    """``current_as_of()`` rounded down to ``AS_OF_STEP``: the cache key, so figures are recomputed
    (and open contacts age) at least that often, and at once after any write."""
    step = AS_OF_STEP.total_seconds()
    return datetime.fromtimestamp(current_as_of().timestamp() // step * step, UTC)


@dataclass(frozen=True)
class _Timed:
    """A dashboard frame and what it was built from: the frames' version and full read, its as-of."""

    version: tuple
    read_at: datetime
    as_of: datetime
    frame: pd.DataFrame


def _dashboard_rows(contacts: pd.DataFrame, engine: Engine, as_of: datetime) -> pd.DataFrame:
    # the stored scores (journeys.fieldwork.scores): only the timing is computed here
    return dashboard_frame(with_quality(contacts, stored_quality(contacts, engine), as_of))


# The cached functions show no spinner of their own (its text would be fixed in English when the
# module is imported); their callers wrap them in ``st.spinner``, which shows only after half a
# second, so a cache hit shows nothing.
class _LiveFrames:
    """The process's raw frames (``journeys.fieldwork.refresh.Frames``) of one database, refreshed
    under a lock: one session reads what changed, the others wait for it and share it. A new
    process starts from the database's snapshot on disk when it is still valid, and every full
    read renews it (``journeys.fieldwork.snapshot``; ``KLANTREIS_CACHE_DIR=off``: none).

    It also keeps the last dashboard frame it built (``dashboard``): the next one, after a save
    or when the period rolls over, redoes only the contacts re-read and those whose timing can
    still change (``scoring.pipeline.retimed_dashboard_frame``), not a million rows."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.frames: Frames | None = None
        self.snapshots = SnapshotStore.from_environment()
        self.timing_lock = threading.Lock()
        self.timed: _Timed | None = None
        # the data version of the last write that could move the plan's coverage (plan_coverage_of)
        self.coverage_version: tuple | None = None
        self.released_key: tuple | None = None

    def at(self, engine: Engine, version: tuple) -> Frames:
        """Frames at ``version`` or newer: re-reading only the contacts that changed since the last
        read (``refresh_frames``), or nothing when they are current."""
        with self.lock:
            if self.frames is None or self.frames.version != version:
                last = self.frames
                self.frames = refresh_frames(engine, last, snapshots=self.snapshots)
                if not self._coverage_unmoved(engine, last, self.frames):
                    self.coverage_version = self.frames.version
            return self.frames

    def release_after(self, key: tuple) -> None:
        """Once per ``scored_data`` key: the frames of the key before are out of the cache, so
        their memory goes back to the system (``data.memory``), not kept for the next save."""
        with self.timing_lock:
            if self.released_key == key:
                return
            self.released_key = key
        release_freed_memory()

    def _coverage_unmoved(self, engine: Engine, last: Frames | None, frames: Frames) -> bool:
        """Whether ``frames``, refreshed from ``last``, hold the same plan coverage
        (``coverage_unmoved``): only after a refresh of a few contacts, never after a full read."""
        if last is None or self.coverage_version is None or frames.base_version != last.version:
            return False
        with engine.connect() as connection:
            return coverage_unmoved(connection, last.version, frames.version, frames.changed)

    def dashboard(self, engine: Engine, frames: Frames, as_of: datetime) -> pd.DataFrame:
        """The dashboard frame (``scoring.pipeline.dashboard_frame``) of ``frames`` timed at
        ``as_of``: the last one brought up to date when it was built from the same full read, at
        these frames' version or the one they were refreshed from, and at an earlier instant;
        else built from every row."""
        with self.timing_lock:
            last = self.timed
            follows = last is not None and last.read_at == frames.read_at and last.as_of <= as_of and (
                last.version == frames.version or last.version == frames.base_version)
            if follows:
                changed = frames.changed if last.version != frames.version else frozenset()
                replaced = np.union1d(unsettled_ids(last.frame, last.as_of), np.fromiter(changed, dtype=np.int64))
                rows = frames.contacts[np.isin(frames.contacts["contact_id"].to_numpy(), replaced)]
                frame = retimed_dashboard_frame(last.frame, frames.contacts, _dashboard_rows(rows, engine, as_of), replaced)
            else:
                frame = _dashboard_rows(frames.contacts, engine, as_of)
            self.timed = _Timed(frames.version, frames.read_at, as_of, frame)
            return frame


@st.cache_resource(show_spinner=False)
def _live_frames(url: str) -> _LiveFrames:
    return _LiveFrames()


# One entry: after a save the next frame replaces the last (a million rows: hundreds of megabytes),
# rather than both staying cached. A page run still on the last snapshot holds its ``data`` and
# hands it to the functions below, which never look the frame up again by its key.
@st.cache_resource(max_entries=1, show_spinner=False)
def _scored(_engine: Engine, url: str, version: tuple, period: datetime) -> dict:
    # each filter picks its own contacts (released or not); the rows come from the live frames, so
    # a save re-reads one contact and a new period re-reads nothing, and only the saved contact and
    # the open ones are timed again
    live = _live_frames(url)
    # What the snapshots before held goes before this one is built, not beside it: their filtered
    # rows, and the frames of earlier page runs, which Streamlit's script runs keep in reference
    # cycles (a run's module globals hold its ``data``) until a full collection (0.1 s at a
    # million contacts); without one the process held one more frame with each save.
    _filtered_frames(url).advance((url, version, period))
    gc.collect()
    frames = live.at(_engine, version)
    as_of = current_as_of()  # after reading: every event in these rows has happened by now
    frame = live.dashboard(_engine, frames, as_of)
    # (read after the frames: a session that refreshed since can only have made it newer)
    return {"contacts": frame, "criteria": frames.criteria, "as_of": as_of, "read_in_full": frames.patched == 0,
            "coverage_version": live.coverage_version}


@st.cache_resource(max_entries=1, show_spinner=False)
def _item_scores(url: str, version: tuple, period: datetime, _data: dict) -> ItemScores:
    """Every checklist answer's item score of ``_data`` (``scored_data`` at that key), for the
    criterion views (built on first use: only they read the answers)."""
    from data.db import get_engine

    return item_scores(_data["contacts"], read_answers(get_engine(url), comments=False), _data["criteria"])


class Snapshot(Enum):
    """Arguments of a figure function that the cache fills in from the page's snapshot."""

    AS_OF = "the instant the frame was timed for"
    ITEM_SCORES = "the item scores of the frame (scoring.criterion_channel.item_scores)"


AS_OF = Snapshot.AS_OF
ITEM_SCORES = Snapshot.ITEM_SCORES

# A figure request: a scoring function of the filtered contacts, then its further arguments.
FigureRequest = tuple  # (Callable[[pd.DataFrame, ...], T], *args)

# The figures the Dashboard page shows, computed together for each filter.
DASHBOARD_FIGURES: tuple[FigureRequest, ...] = (
    (headline_figures, AS_OF), (metrics_table, ("channel",)), (response_time_table,), (survival_table,))
# The unfiltered tables every analysis page opens with: computed with a frame read in full (the
# first load), so afterwards every filter change, including back to "all", is a fresh filter or a
# cache hit. After a save patched the frame they wait until a page asks: the Dashboard's next rerun
# then pays for its own figures only, not for pages nobody has open.
DEFAULT_VIEWS: tuple[FigureRequest, ...] = (
    (consistency_table, AS_OF, ("brand",)), (metrics_table, ("brand",)), (metrics_table, ("wave", "channel")),
    (metrics_table, ("weekday", "hour")))


def scored_data(engine: Engine) -> dict:
    """``{contacts, criteria, as_of, read_in_full, coverage_version, key}`` for the current data version (shared, read-only).

    ``key`` (database URL, data version, period) is read once here and used by
    ``filtered_contacts`` and ``figure`` for the rest of the page run, so one page shows one
    snapshot even when an auditor saves while it runs.
    """
    key = (str(engine.url), data_version(engine), current_period())
    with st.spinner(_("Reading and scoring contacts…")):
        data = {**_scored(engine, *key), "key": key}
    _live_frames(key[0]).release_after(key)
    _figures(data, ContactFilter(), DASHBOARD_FIGURES)  # cache hits after the first load
    if data["read_in_full"]:
        for request in DEFAULT_VIEWS:
            _figures(data, ContactFilter(), (request,))
    return data


# The columns the figure tables and the contact list read. A filtered frame keeps only these:
# copying a million rows of two dozen columns instead of fifty halves a fresh filter's cost.
ANALYSIS_COLUMNS = (
    "contact_id", "row", "brand", "region", "location", "journey", "wave", "channel", "started_at", "weekday", "hour",
    "responded", "first_response_s", "response_time_s", "response_clock_s", "first_response_target_s",
    "deadline", "late", "resolution_status", "final_score", "passed", "redirected_to", "answer_correct",
    "released", "review_status",  # what the figures include (``ui.dashboard_view.release_line``), the list's status
)


# The filters kept per snapshot: a filtered frame of a million rows takes a couple of hundred megabytes.
FILTERS_KEPT = 4
# The snapshot keys remembered as replaced, so that a page run still on one cannot take the cache back.
_RETIRED_KEPT = 16


class _FilteredFrames:
    """The filtered frames (``_filtered``) of one database's newest snapshot, at most
    ``FILTERS_KEPT`` filters, the least recently used going first.

    Why not a cache keyed by snapshot: after a save the frames of the snapshot before stay
    there until evicted, and with each save the process held one more filtered frame of every
    row (at a million contacts the peak rose by 300 MB a save). Here a newer snapshot drops the
    older one's frames as soon as it is built (``advance``) or first asked for. A page run still
    on a replaced snapshot gets its frames computed and not kept."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.key: tuple | None = None
        self.frames: OrderedDict[ContactFilter, pd.DataFrame] = OrderedDict()
        self.retired: OrderedDict[tuple, None] = OrderedDict()

    def advance(self, key: tuple) -> None:
        """The snapshot ``key`` is the newest: the frames of the one before go (called as its
        frame is built, so they are not held beside the new one while it is)."""
        with self.lock:
            self._advance(key)

    def _advance(self, key: tuple) -> None:
        if key == self.key or key in self.retired:
            return
        if self.key is not None:
            self.retired[self.key] = None
            while len(self.retired) > _RETIRED_KEPT:
                self.retired.popitem(last=False)
        self.key, self.frames = key, OrderedDict()

    def get(self, key: tuple, flt: ContactFilter, contacts: pd.DataFrame) -> pd.DataFrame:
        with self.lock:
            if key == self.key and flt in self.frames:
                self.frames.move_to_end(flt)
                return self.frames[flt]
            self._advance(key)
            keep = key == self.key
        # outside the lock: two sessions filtering at once each use a core
        frame = apply_filter(contacts, flt, columns=ANALYSIS_COLUMNS, order_by="response_time_s")
        with self.lock:
            if keep and key == self.key:
                frame = self.frames.setdefault(flt, frame)  # another session's, if it was first
                self.frames.move_to_end(flt)
                while len(self.frames) > FILTERS_KEPT:
                    self.frames.popitem(last=False)
        return frame


@st.cache_resource(show_spinner=False)
def _filtered_frames(url: str) -> _FilteredFrames:
    return _FilteredFrames()


def _filtered(url: str, version: tuple, period: datetime, flt: ContactFilter, contacts: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``contacts`` (the frame of that snapshot) ``flt`` picks, ``ANALYSIS_COLUMNS``
    only, shared read-only by the page and every table of one filter: a million rows are
    filtered once per filter, not once per table (``_FilteredFrames``). They come ordered by waiting time
    (``response_time_s``, unknown last), so the Kaplan–Meier tables of every figure
    (``scoring.stats.km_table``) skip their sort: one sort per filter, not one per table."""
    return _filtered_frames(url).get((url, version, period), flt, contacts)


def filtered_contacts(data: dict, flt: ContactFilter) -> pd.DataFrame:
    """The scored contacts of ``data`` (``scored_data``) matching ``flt`` (shared, read-only)."""
    return _filtered(*data["key"], flt, data["contacts"])


# Tables a page needs together are computed on two threads: numpy's sorts and pandas' group
# operations release the GIL, so two cores finish a fresh filter about 1.4 times sooner.
TABLE_THREADS = 2


def _request(function: Callable, args: tuple) -> FigureRequest:
    """A request with lists as tuples, so ``by=["brand"]`` and ``by=("brand",)`` share one cache entry."""
    return (function, *(tuple(a) if isinstance(a, list) else a for a in args))


def _cache_key(request: FigureRequest) -> tuple:
    """What the cache hashes for a request: Streamlit cannot hash a function, so its full name
    stands for it (one name, one function)."""
    function, *args = request
    return (f"{function.__module__}.{function.__qualname__}", *args)


def _figures(data: dict, flt: ContactFilter, requests: tuple[FigureRequest, ...]) -> tuple:
    """The ``requests`` for the snapshot ``data`` (``scored_data``) and ``flt``, through the cache."""
    needs_items = any(arg is ITEM_SCORES for request in requests for arg in request[1:])
    with st.spinner(_("Scoring every checklist answer…") if needs_items else _("Computing figures…")):
        return _cached_figures(*data["key"], flt, tuple(map(_cache_key, requests)), requests, data)


@st.cache_data(max_entries=64, show_spinner=False)
def _cached_figures(url: str, version: tuple, period: datetime, flt: ContactFilter, request_keys: tuple,
                    _requests: tuple[FigureRequest, ...], _data: dict) -> tuple:
    """The requested figures of one filter, in request order, cached per data version (and
    ``request_keys``): revisiting a filter is instant. ``_data`` is the snapshot of that key
    (``scored_data``), so this never reads the database; its as-of time is the one the figures use."""
    contacts = _filtered(url, version, period, flt, _data["contacts"])
    # resolved here, in the page's thread: the workers below only compute (no Streamlit calls)
    needs_items = any(arg is ITEM_SCORES for request in _requests for arg in request[1:])
    items = _item_scores(url, version, period, _data) if needs_items else None
    filled = {AS_OF: _data["as_of"], ITEM_SCORES: items}

    def compute(request: FigureRequest):
        function, *args = request
        return function(contacts, *(filled[a] if isinstance(a, Snapshot) else a for a in args))

    if len(_requests) == 1:
        return (compute(_requests[0]),)
    with ThreadPoolExecutor(max_workers=TABLE_THREADS) as pool:
        return tuple(pool.map(compute, _requests))


def figure(data: dict, flt: ContactFilter, function: Callable[..., T], *args: Any) -> T:
    """``function(contacts, *args)`` for the contacts of ``data`` (``scored_data``) matching ``flt``.

    ``function`` is a figure function of ``scoring/`` whose first argument is the filtered,
    timed contacts; ``AS_OF`` and ``ITEM_SCORES`` among ``args`` are filled in from the
    snapshot. Cached per snapshot and filter.
    """
    return _figures(data, flt, (_request(function, args),))[0]


def figures_together(data: dict, flt: ContactFilter, *requests: FigureRequest) -> tuple:
    """Several ``figure`` requests ``(function, *args)`` computed together (in parallel), in order."""
    return _figures(data, flt, tuple(_request(function, tuple(args)) for function, *args in requests))


