"""Wall-clock times read in a time zone: refused when daylight saving time makes them ambiguous or void.

A naive time such as ``2025-10-26 02:30`` in Europe/Amsterdam happened twice (the clocks went
back from 03:00 to 02:00 that night), and ``2025-03-30 02:30`` never happened at all (the
clocks jumped from 02:00 to 03:00). ``datetime.replace(tzinfo=zone)`` silently picks one
reading (PEP 495's ``fold=0``), so an import would store a time an hour off without a word.
``to_utc`` refuses both, naming the readings a user can choose from; a time written with an
offset is never ambiguous and does not come here.

Used by every local-time parse of the import and of the command-line options
(``journeys.interchange``).
"""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo


class LocalTimeError(ValueError):
    """A wall-clock time that is ambiguous or does not exist in its zone; the message says which."""


def _offset(delta: timedelta) -> str:
    sign = "-" if delta < timedelta(0) else "+"
    minutes = abs(int(delta.total_seconds())) // 60
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def _clock(value: datetime) -> str:
    return value.strftime("%H:%M:%S" if value.second else "%H:%M")


def _reading(naive: datetime, offset: timedelta) -> str:
    """``2025-10-26T02:30+02:00 (00:30 UTC)``: one way to read a wall-clock time."""
    utc = (naive - offset).replace(tzinfo=UTC)
    return f"{naive.isoformat(timespec='minutes' if not naive.second else 'seconds')}{_offset(offset)} " \
           f"({_clock(utc)} UTC)"


def _transition(naive: datetime, zone: ZoneInfo, before: timedelta, after: timedelta) -> datetime:
    """The UTC instant the clocks jumped forward, around the wall time ``naive`` that fell in the gap."""
    low = (naive - after).replace(tzinfo=UTC)  # still on the old offset (the jump comes later)
    high = (naive - before).replace(tzinfo=UTC)  # already on the new offset
    while high - low > timedelta(seconds=1):
        middle = low + (high - low) / 2
        if middle.astimezone(zone).utcoffset() == before:
            low = middle
        else:
            high = middle
    return high.replace(microsecond=0)


def to_utc(naive: datetime, zone: ZoneInfo, *, earliest: bool = False) -> datetime:
    """A naive wall-clock time in ``zone`` as an aware UTC time.

    Args:
        naive: the time as written, without an offset.
        zone: the zone it was written in.
        earliest: resolve instead of refusing (for "the start of this day"): an ambiguous time
            gives its first occurrence, a time in a gap the moment the clocks jumped.

    Raises:
        LocalTimeError: the time is ambiguous (both readings, with their offsets, are named)
            or falls in a gap (the jump is named); ``OverflowError`` at the ends of the calendar.
    """
    first = naive.replace(tzinfo=zone)
    second = naive.replace(tzinfo=zone, fold=1)
    before, after = first.utcoffset(), second.utcoffset()
    if before == after:  # the usual case: one reading
        return first.astimezone(UTC)
    if first.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == naive:
        # both readings exist: the clocks went back and this wall time happened twice
        if earliest:
            return first.astimezone(UTC)
        raise LocalTimeError(
            f"is ambiguous in {zone.key}: the clocks went back on {naive.date()}, so {_clock(naive)} happened twice, "
            f"{_reading(naive, before)} or {_reading(naive, after)}; write the one you mean with its offset")
    # neither reading gives this wall time back: it lies in the hour the clocks skipped
    jump = _transition(naive, zone, before, after)
    if earliest:
        return jump
    old = (jump + before).replace(tzinfo=None)
    new = (jump + after).replace(tzinfo=None)
    raise LocalTimeError(
        f"does not exist in {zone.key}: the clocks went forward from {_clock(old)} to {_clock(new)} on {naive.date()} "
        f"({_offset(before)} to {_offset(after)}); correct the time, or write it with its offset")
