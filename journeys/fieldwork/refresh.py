"""The raw frames the dashboards time, kept up to date by reading only what changed.

Reading every contact with its stored score (``journeys.fieldwork.scores``) is what a dashboard
load costs (a million contacts: seconds, almost all of it fetching rows). After one saved
contact nothing else has changed, so ``refresh_frames`` re-reads only the contacts that may
have: it compares the data version the frames were read at
(``journeys.fieldwork.frames.data_version``) with the database's and

- re-reads the contacts created since (an id above the old maximum), those whose
  change log moved (entity ``contact``: an edit, an answer, an appeal's correction, a deletion,
  evidence) and those with new review steps (``review_event``: submitted, approved, released...),
  replacing their rows in the contact frame (a deleted or now-draft contact drops out);
- reads everything again (``read_frames``) when anything else that the frames show changed: a
  checklist (new criteria), a mark that went down (rows removed without a trace: a restore), or a
  change-log entry of another entity (a renamed brand, location,
  wave or journey, a user's name, a channel target, a rescore of every contact...), except the
  entities the frames never show (``UNSHOWN_ENTITIES``).

The contacts are looked for ``LOOKBACK`` ids back from each mark: on PostgreSQL a transaction
that took its id before another's can commit after it, so the highest id seen is not proof that
every lower one was visible. Each refresh, and each full read (looking just before it reads),
remembers which change-log entries, review steps and contacts of that window it saw (``Window``),
so the next refresh re-reads only the contacts of the ones it has not: after a save that is the
saved contact, not the two hundred around it. As a
backstop the frames are read in full at least every ``FULL_READ_EVERY``.

The result equals a full read of the same moment (``tests/fieldwork/test_refresh.py``, on both
databases): the same contact rows in contact-id order, with the same stored scores.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Protocol

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from journeys.fieldwork.contact_filter import ContactFilter
from journeys.fieldwork.frames import data_version, read_contacts, read_criteria
from journeys.models import ChangeLog, Contact, ReviewEvent

# The rows the dashboards read: every contact but drafts, released or not (each filter picks).
FRAME_FILTER = ContactFilter(include_unreleased=True)
LOOKBACK = 200  # ids: more than the writes in flight at once on any installation
FULL_READ_EVERY = timedelta(hours=1)
# Change-log entities nothing in the contact frame shows: their changes need no re-read.
UNSHOWN_ENTITIES = frozenset({"action_item", "action_rule", "assignment", "client_grant", "evidence"})
# The positions of the marks in ``data_version``'s tuple.
CONTACT_MARK, CHANGE_MARK, CRITERION_MARK, EVIDENCE_MARK, REVIEW_MARK = range(5)


@dataclass(frozen=True)
class Window:
    """What a refresh saw within the look-back window: the ids of the change-log entries, the
    contacts and the review steps there. Whatever it saw, it re-read (or had no need to)."""

    changes: frozenset[int] = frozenset()
    contacts: frozenset[int] = frozenset()
    reviews: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Frames:
    """Contacts with their stored scores (``read_contacts`` of ``FRAME_FILTER``, ``scores=True``)
    and every criterion, as of ``version``; ``read_at``: when they were last read in full."""

    contacts: pd.DataFrame
    criteria: pd.DataFrame
    version: tuple
    read_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    patched: int = 0  # contacts re-read by the refreshes since the full read
    # The refresh that made these frames from the frames at ``base_version`` re-read ``changed``
    # (None after a full read): what is derived from those frames needs only these contacts redone.
    base_version: tuple | None = None
    changed: frozenset[int] = frozenset()
    window: Window | None = None  # what the last read or refresh saw (None: nothing yet)


class Snapshots(Protocol):
    """Where frames read in full are kept for a later process (``journeys.fieldwork.snapshot.SnapshotStore``)."""

    def load(self, engine: Engine) -> Frames | None: ...

    def save_later(self, engine: Engine, snapshot: Frames) -> object: ...


def read_frames(engine: Engine, version: tuple | None = None) -> Frames:
    """Every contact (with its stored score) and criterion: a full read. ``version``: the data version read just
    before (default: read now), so a write during the read shows on the next refresh."""
    version = data_version(engine) if version is None else version
    # the look-back window as it is before the read: all it holds then is in the rows read after,
    # so the next refresh re-reads only what it did not see (a write since, a late commit)
    with engine.connect() as connection:
        window = _window(*_in_window(connection, version))
    return Frames(read_contacts(engine, FRAME_FILTER, scores=True), read_criteria(engine), version, window=window)


def _none(value) -> int:
    return int(value) if value is not None else 0


def _in_window(connection, since: tuple) -> tuple[list, set[int], list]:
    """The change-log entries (id, entity, entity id), contact ids and review steps (id, contact
    id) within ``LOOKBACK`` ids of the marks of data version ``since``."""
    entries = connection.execute(sa.select(ChangeLog.id, ChangeLog.entity, ChangeLog.entity_id)
                                 .where(ChangeLog.id > _none(since[CHANGE_MARK]) - LOOKBACK)).all()
    contacts = set(connection.execute(
        sa.select(Contact.id).where(Contact.id > _none(since[CONTACT_MARK]) - LOOKBACK)).scalars())
    reviews = connection.execute(sa.select(ReviewEvent.id, ReviewEvent.contact_id)
                                 .where(ReviewEvent.id > _none(since[REVIEW_MARK]) - LOOKBACK)).all()
    return entries, contacts, reviews


def _window(entries: list, contacts: set[int], reviews: list) -> Window:
    return Window(frozenset(i for i, _, _ in entries), frozenset(contacts), frozenset(i for i, _ in reviews))


def changed_contacts(engine: Engine, since: tuple, now: tuple, seen: Window | None = None
                     ) -> tuple[set[int], Window] | None:
    """The contacts whose rows may differ between data versions ``since`` and ``now``, and the
    window this looked at; None when only a full read is safe (see the module). ``seen``: the
    window of the read or refresh that brought the frames to ``since``; what it saw is not looked at again."""
    if _none(now[CRITERION_MARK]) != _none(since[CRITERION_MARK]):
        return None
    if any(_none(b) < _none(a) for a, b in zip(since, now, strict=True)):
        return None  # rows removed behind the change log's back (a restore, a reset): read everything
    seen = seen or Window()
    change_mark = _none(since[CHANGE_MARK])
    with engine.connect() as connection:
        entries, contacts, reviews = _in_window(connection, since)
    # the new entries decide on a full read (the look-back only finds contacts: a rename that
    # committed out of order is left to the hourly full read, rather than every refresh after
    # it reading everything while it stays in the window)
    if any(i > change_mark and entity != "contact" and entity not in UNSHOWN_ENTITIES for i, entity, _ in entries):
        return None
    ids = {int(entity_id) for i, entity, entity_id in entries if entity == "contact" and i not in seen.changes}
    ids |= contacts - seen.contacts
    ids |= {int(contact_id) for i, contact_id in reviews if i not in seen.reviews}
    return ids, _window(entries, contacts, reviews)


def refresh_frames(engine: Engine, frames: Frames | None, *, now: datetime | None = None,
                   snapshots: Snapshots | None = None) -> Frames:
    """``frames`` brought up to the database's data version: the same object when nothing changed,
    the changed contacts re-read when that is safe, else (or with no frames yet, or after
    ``FULL_READ_EVERY``) a full read.

    With ``snapshots`` (``journeys.fieldwork.snapshot``), a process with no frames yet starts
    from the database's snapshot when it is still valid, and every full read is saved there.
    """
    version = data_version(engine)
    now = now or datetime.now(UTC)
    if frames is None and snapshots is not None:
        frames = snapshots.load(engine)
    if frames is None or now - frames.read_at >= FULL_READ_EVERY:
        return _read_in_full(engine, version, snapshots)
    if version == frames.version:
        return frames
    changes = changed_contacts(engine, frames.version, version, frames.window)
    if changes is None:
        return _read_in_full(engine, version, snapshots)
    ids, window = changes
    wanted = tuple(sorted(ids))
    if not wanted:
        return Frames(frames.contacts, frames.criteria, version, frames.read_at, frames.patched, frames.version,
                      window=window)
    fresh = read_contacts(engine, ContactFilter(include_unreleased=True, contact_ids=wanted), scores=True)
    return Frames(_patched(frames.contacts, fresh, ids), frames.criteria, version, frames.read_at,
                  frames.patched + len(wanted), frames.version, frozenset(wanted), window)


def _read_in_full(engine: Engine, version: tuple, snapshots: Snapshots | None) -> Frames:
    frames = read_frames(engine, version)
    if snapshots is not None:
        snapshots.save_later(engine, frames)
    return frames


# Up to this many rows after the lowest changed contact, those rows are merged and sorted and the
# ones before copied as they are; beyond it every row is put in place by one gather (``_patched``).
_TAIL_MERGED = 10_000


def _patched(contacts: pd.DataFrame, fresh: pd.DataFrame, ids: set[int]) -> pd.DataFrame:
    """``contacts`` (in contact-id order) with the rows of ``ids`` replaced by ``fresh`` (a deleted
    one has none), still in contact-id order.

    Usually the changes are the newest contacts: then only the rows from the lowest of ``ids`` on
    are merged and sorted, and the ones before are copied once. When an old contact changed (a
    reviewer released a wave, an auditor corrected last month's contact), merging and sorting
    from there copied a million rows four times (1.6 s); instead one gather takes every kept row
    to its place and the fresh rows are written into the gaps (0.2 s)."""
    current = contacts["contact_id"].to_numpy()
    start = int(np.searchsorted(current, min(ids)))
    if len(contacts) - start <= _TAIL_MERGED:
        tail = contacts.iloc[start:]
        tail = tail[~tail["contact_id"].isin(ids).to_numpy()]
        merged = pd.concat([tail, fresh], ignore_index=True).sort_values("contact_id", kind="stable", ignore_index=True)
        return _same_types(pd.concat([contacts.iloc[:start], merged], ignore_index=True), contacts)
    fresh = _same_types(fresh.sort_values("contact_id", kind="stable", ignore_index=True), contacts)
    kept = np.flatnonzero(~np.isin(current, np.fromiter(ids, dtype=np.int64, count=len(ids))))
    gaps = np.searchsorted(current[kept], fresh["contact_id"].to_numpy()) + np.arange(len(fresh))
    from_contacts = np.ones(len(kept) + len(fresh), dtype=bool)
    from_contacts[gaps] = False
    source = np.zeros(len(from_contacts), dtype=np.int64)  # the gaps take row 0 until written below
    source[from_contacts] = kept
    patched = contacts.take(source).reset_index(drop=True)
    for position, column in enumerate(patched.columns):
        patched.iloc[gaps, position] = fresh[column].array
    return patched


def _same_types(frame: pd.DataFrame, like: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with the dtypes of ``like`` (a concat with an empty or all-missing part can widen them)."""
    for column, dtype in like.dtypes.items():
        if column in frame and frame[column].dtype != dtype:
            frame[column] = frame[column].astype(dtype)
    return frame
