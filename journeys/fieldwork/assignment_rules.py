"""The rules of automatic assignment, as pure functions: which auditor may make which planned
contact, and a balanced proposal for a whole wave. No database and no Streamlit: a service
reads the plan, the auditors and the earlier visits into the frozen records below, calls
``auto_assign`` and shows or stores the ``AssignmentProposal`` (docs/fieldwork.md, "Automatic
assignment").

The records:

- ``PlannedItem``: one planned contact waiting for an auditor (its location, the location's
  region, its channel and its window: from ``starts_on`` to ``due_on``, either end open);
- ``AuditorFit``: what the rules know of one auditor (the channels and regions they do, an
  empty set meaning all; their absences; their ``load`` of this wave so far);
- ``Visit``: an earlier assignment or contact of an auditor at a location, in a wave of a known
  order (``wave_index``) and on a known day or not;
- ``Lockout``: SASSIE's rotation lockout in waves and in days (0 = off).

An auditor may take an item when every rule holds, checked in this order (``eligible`` returns
the first one broken as a ``Reason``, or None):

1. channel: the auditor's ``channels`` are empty or hold the item's ``channel``;
2. region: the auditor's ``regions`` are empty, or the item's ``region`` is "" (it fits
   everyone), or it is one of them;
3. availability: at least one day of the item's window is outside every absence (periods are
   inclusive). A window with an open end is always available; a window whose ``due_on`` is
   before its ``starts_on`` has no day at all and is available to nobody. Absences are merged
   once per auditor and the window is walked against them: the cost grows with the number of
   absences, not of days;
4. lockout (items with a ``location_id`` only): the auditor has a visit at the same location in
   one of the ``Lockout.waves`` waves before the one being assigned
   (``0 < wave_index - visit.wave_index <= waves``), or ``Lockout.days`` is above 0 and a visit
   there fell fewer than ``days`` days from the item's day (its ``due_on``, else its
   ``starts_on``; both days must be known). Every assignment made inside one ``auto_assign``
   call counts as a visit of the wave being assigned on the item's day, so one auditor is not
   given the same location twice within the lockout days inside one wave.

The balance of ``auto_assign`` is greedy and deterministic. First each item's candidates are
the auditors it is eligible for against the history. Items nobody may take are left
unassigned at once; the others are assigned most constrained first (fewest candidates, then
earliest ``due_on``, an open one last, then lowest id), each to the candidate that is not
locked out by the call's own earlier assignments and has the lowest load (its ``load`` plus
what it was given in this call), ties going to a candidate not yet given this location in the
call, then to the lowest auditor id. When every auditor may take every item and their start
loads are equal, the loads end at most one apart.

An item left unassigned carries the most specific ``Reason``: the furthest rule any auditor got
past (``Reason.NO_AUDITORS`` when there are none): ``Reason.CHANNEL`` when nobody does the
channel, ``Reason.REGION`` when nobody doing it covers the region, ``Reason.AVAILABILITY``
when everyone who fits is away, ``Reason.LOCKOUT`` when everyone who fits and is available is
locked out. ``reason_text`` says it in the user's language. Every item of the input ends in
exactly one of the proposal's two: assigned (item id to auditor id) or unassigned (item id to its
reason).

``round_robin`` ignores every rule: it hands the items out in turn, the floor
bench/bench_assign.py measures ``auto_assign`` against.
"""

from __future__ import annotations

import bisect
import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from journeys.language import N_, _, day_text


@dataclass(frozen=True)
class PlannedItem:
    """One planned contact waiting for an auditor."""

    id: int
    location_id: int | None  # None: a brand-level contact (e.g. the central phone line)
    region: str  # the location's region, "" if none or unknown
    channel: str  # the channel's key name, e.g. "phone"
    due_on: date | None  # the last day it may be made
    starts_on: date | None = None  # the first day it may be made (the wave's start); None = any

    @property
    def day(self) -> date | None:
        """The day the lockout in days is measured from: the due date, else the start."""
        return self.due_on if self.due_on is not None else self.starts_on


@dataclass(frozen=True)
class AuditorFit:
    """What the rules know of one auditor."""

    id: int
    channels: frozenset[str] = frozenset()  # empty = every channel
    regions: frozenset[str] = frozenset()  # empty = every region
    absences: tuple[tuple[date, date], ...] = ()  # inclusive periods the auditor is away
    load: int = 0  # planned contacts of this wave already assigned to them (counts toward balance)


@dataclass(frozen=True)
class Visit:
    """An earlier assignment or contact of an auditor at a location."""

    auditor_id: int
    location_id: int
    wave_index: int  # the order of its wave (higher = later)
    day: date | None  # the day it was (or is due to be) made


@dataclass(frozen=True)
class Lockout:
    """SASSIE's rotation lockout; 0 = off."""

    waves: int = 0  # not the same location again within this many earlier waves
    days: int = 0  # not the same location again within this many days

    def __post_init__(self) -> None:
        for name in ("waves", "days"):
            if getattr(self, name) < 0:
                raise ValueError(f"Lockout.{name} must be 0 (off) or more (got {getattr(self, name)})")


class Reason(enum.StrEnum):
    """Why a planned contact stays unassigned (the most specific one); in rule order."""

    NO_AUDITORS = "no_auditors"  # nobody to assign to at all
    CHANNEL = "channel"  # no auditor does this channel
    REGION = "region"  # no auditor who does the channel covers the region
    AVAILABILITY = "availability"  # every fitting auditor is away for the whole window
    LOCKOUT = "lockout"  # every fitting, available auditor is locked out of the location


# How far an auditor got through the rules: the later the reason, the more specific.
_RULE_ORDER = (Reason.NO_AUDITORS, Reason.CHANNEL, Reason.REGION, Reason.AVAILABILITY, Reason.LOCKOUT)
_RANK = {reason: rank for rank, reason in enumerate(_RULE_ORDER)}

_TEXTS = {
    Reason.NO_AUDITORS: N_("There is no auditor to assign this contact to."),
    Reason.CHANNEL: N_("No auditor does the channel {channel}."),
    Reason.REGION: N_("No auditor who does the channel {channel} covers the region {region}."),
    Reason.LOCKOUT: N_("Every auditor who fits and is available has been to this location too recently "
                       "(rotation lockout)."),
}
_AWAY_ON = N_("Every auditor who fits is away on {day}.")
_AWAY_FROM = N_("Every auditor who fits is away from {start} to {due}.")
_EMPTY_WINDOW = N_("Its due date ({due}) is before its start ({start}): there is no day to make it.")


def most_specific(reasons: Iterable[Reason]) -> Reason:
    """The most specific of ``reasons`` (``Reason.NO_AUDITORS`` when there are none)."""
    return max(reasons, key=_RANK.__getitem__, default=Reason.NO_AUDITORS)


def reason_text(reason: Reason, item: PlannedItem) -> str:
    """Why ``item`` stays unassigned, as a sentence in the current language."""
    if reason is Reason.AVAILABILITY and item.starts_on is not None and item.due_on is not None:
        if item.due_on < item.starts_on:
            return _(_EMPTY_WINDOW).format(due=day_text(item.due_on), start=day_text(item.starts_on))
        if item.due_on == item.starts_on:
            return _(_AWAY_ON).format(day=day_text(item.due_on))
        return _(_AWAY_FROM).format(start=day_text(item.starts_on), due=day_text(item.due_on))
    if reason is Reason.AVAILABILITY:  # an open window is always available; said for completeness
        return _(_AWAY_FROM).format(start=day_text(item.starts_on) if item.starts_on else "…",
                                    due=day_text(item.due_on) if item.due_on else "…")
    return _(_TEXTS[reason]).format(channel=item.channel, region=item.region or "–")


@dataclass(frozen=True)
class AssignmentProposal:
    """A proposal: every input item is in exactly one of the two, nothing silently dropped."""

    assigned: dict[int, int]  # item id -> auditor id
    unassigned: dict[int, Reason]  # item id -> why


# --- the rules, on prepared data -------------------------------------------------------------


def _merge(absences: Iterable[tuple[date, date]]) -> tuple[tuple[date, date], ...]:
    """The absences sorted, with overlapping and adjacent periods joined (empty ones dropped)."""
    merged: list[tuple[date, date]] = []
    for start, end in sorted((s, e) for s, e in absences if s <= e):
        if merged and (start - merged[-1][1]).days <= 1:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return tuple(merged)


def _available(merged: tuple[tuple[date, date], ...], starts_on: date | None, due_on: date | None) -> bool:
    """Whether a day of the window [starts_on, due_on] lies outside the merged absences."""
    if starts_on is None or due_on is None:
        return True
    if due_on < starts_on:
        return False
    free_from = starts_on  # the first day not yet known to be covered
    for start, end in merged:
        if end < free_from:
            continue
        if start > free_from:
            return True
        if end >= due_on:
            return False
        free_from = end + timedelta(days=1)
    return True


class _Fit:
    """An auditor prepared for the rules: its absences merged once."""

    __slots__ = ("id", "channels", "regions", "absences")

    def __init__(self, auditor: AuditorFit) -> None:
        self.id = auditor.id
        self.channels = auditor.channels
        self.regions = auditor.regions
        self.absences = _merge(auditor.absences)

    def breaks(self, item: PlannedItem) -> Reason | None:
        """The first of the channel, region and availability rules ``item`` breaks for this auditor."""
        if self.channels and item.channel not in self.channels:
            return Reason.CHANNEL
        if self.regions and item.region and item.region not in self.regions:
            return Reason.REGION
        if not _available(self.absences, item.starts_on, item.due_on):
            return Reason.AVAILABILITY
        return None


class _Visits:
    """The visits that can lock an auditor out, indexed by (auditor, location)."""

    def __init__(self, history: Iterable[Visit], lockout: Lockout, wave_index: int) -> None:
        self.lockout = lockout
        self.wave_index = wave_index
        self.by_wave: set[tuple[int, int]] = set()  # (auditor, location) visited in a locked earlier wave
        self.days: dict[tuple[int, int], list[date]] = {}  # (auditor, location) -> sorted visit days
        for visit in history:
            if 0 < wave_index - visit.wave_index <= lockout.waves:
                self.by_wave.add((visit.auditor_id, visit.location_id))
            self.add(visit.auditor_id, visit.location_id, visit.day)

    @property
    def active(self) -> bool:
        return bool(self.by_wave) or bool(self.days)

    def add(self, auditor_id: int, location_id: int, day: date | None) -> None:
        """Count a visit for the rule in days (only a known day can lock)."""
        if self.lockout.days > 0 and day is not None:
            bisect.insort(self.days.setdefault((auditor_id, location_id), []), day)

    def locked_by_days(self, auditor_id: int, location_id: int, day: date | None) -> bool:
        if day is None or self.lockout.days <= 0:
            return False
        days = self.days.get((auditor_id, location_id))
        if not days:
            return False
        at = bisect.bisect_left(days, day)  # the nearest visit days sit on either side of `at`
        return any(abs((days[i] - day).days) < self.lockout.days for i in (at - 1, at) if 0 <= i < len(days))

    def locked(self, auditor_id: int, location_id: int | None, day: date | None) -> bool:
        if location_id is None:
            return False
        return (auditor_id, location_id) in self.by_wave or self.locked_by_days(auditor_id, location_id, day)


# --- the public functions ---------------------------------------------------------------------


def eligible(item: PlannedItem, auditor: AuditorFit, *, history: Iterable[Visit] = (),
             lockout: Lockout = Lockout(), wave_index: int = 0) -> Reason | None:
    """None when ``auditor`` may take ``item``; else the first rule it breaks (channel, region,
    availability, lockout, in that order), given the visits in ``history`` and the ``lockout``
    for the wave ``wave_index``."""
    broken = _Fit(auditor).breaks(item)
    if broken is not None:
        return broken
    if item.location_id is not None and (lockout.waves or lockout.days):
        mine = (v for v in history if v.auditor_id == auditor.id and v.location_id == item.location_id)
        if _Visits(mine, lockout, wave_index).locked(auditor.id, item.location_id, item.day):
            return Reason.LOCKOUT
    return None


def _unique(records: list, what: str) -> None:
    seen: set[int] = set()
    for record in records:
        if record.id in seen:
            raise ValueError(f"{what} ids must be unique (got {record.id} twice)")
        seen.add(record.id)


def auto_assign(items: Iterable[PlannedItem], auditors: Iterable[AuditorFit], *, history: Iterable[Visit] = (),
                lockout: Lockout = Lockout(), wave_index: int = 0) -> AssignmentProposal:
    """A balanced proposal for ``items`` over ``auditors`` that honours every rule (module docstring)."""
    items = list(items)
    auditors = sorted(auditors, key=lambda a: a.id)
    _unique(items, "item")
    _unique(auditors, "auditor")
    unassigned: dict[int, Reason] = {}
    assigned: dict[int, int] = {}
    if not auditors:
        return AssignmentProposal(assigned={}, unassigned={item.id: Reason.NO_AUDITORS for item in items})

    fits = [_Fit(a) for a in auditors]
    visits = _Visits(history, lockout, wave_index)
    # Channel, region and window are all the first three rules look at: items sharing them share
    # their fitting auditors, found once.
    fitting: dict[tuple, tuple[tuple[int, ...], Reason]] = {}
    pending: list[tuple[int, int, date, int, PlannedItem, tuple[int, ...]]] = []
    for item in items:
        key = (item.channel, item.region, item.starts_on, item.due_on)
        found = fitting.get(key)
        if found is None:
            ids, reasons = [], []
            for fit in fits:
                broken = fit.breaks(item)
                if broken is None:
                    ids.append(fit.id)
                else:
                    reasons.append(broken)
            found = fitting[key] = (tuple(ids), most_specific(reasons))
        candidates, reason = found
        if candidates and item.location_id is not None and visits.active:
            candidates = tuple(a for a in candidates if not visits.locked(a, item.location_id, item.day))
            reason = Reason.LOCKOUT
        if not candidates:
            unassigned[item.id] = reason
            continue
        due = item.due_on
        pending.append((len(candidates), due is None, due or date.min, item.id, item, candidates))
    pending.sort(key=lambda entry: entry[:4])

    load = {a.id: a.load for a in auditors}
    given_here: set[tuple[int, int]] = set()  # (auditor, location) given in this call
    check_days = lockout.days > 0
    for _count, _open, _due, item_id, item, candidates in pending:
        location, day = item.location_id, item.day
        best, best_key = None, None
        for auditor_id in candidates:
            if location is not None and check_days and visits.locked_by_days(auditor_id, location, day):
                continue
            rank = (load[auditor_id], (auditor_id, location) in given_here, auditor_id)
            if best_key is None or rank < best_key:
                best, best_key = auditor_id, rank
        if best is None:
            unassigned[item_id] = Reason.LOCKOUT
            continue
        assigned[item_id] = best
        load[best] += 1
        if location is not None:
            given_here.add((best, location))
            visits.add(best, location, day)
    return AssignmentProposal(assigned=assigned, unassigned=unassigned)


def round_robin(items: Iterable[PlannedItem], auditors: Iterable[AuditorFit]) -> AssignmentProposal:
    """The naive floor: the items in id order, handed to the auditors in id order in turn,
    ignoring every rule."""
    ids = sorted(a.id for a in auditors)
    ordered = sorted(items, key=lambda item: item.id)
    if not ids:
        return AssignmentProposal(assigned={}, unassigned={item.id: Reason.NO_AUDITORS for item in ordered})
    return AssignmentProposal(assigned={item.id: ids[i % len(ids)] for i, item in enumerate(ordered)}, unassigned={})
