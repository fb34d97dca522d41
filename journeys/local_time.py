"""The installation's local time: its zone, how times and durations read on screen, and DST-safe parsing.

What lives here:

- ``LOCAL_ZONE_NAME`` / ``LOCAL_ZONE``: the zone every local time of the app is read and shown in.
  It is the business calendar's zone (``scoring.calendar.BUSINESS_TIMEZONE``), taken from there
  rather than defined twice: ``scoring`` is pure and imports nothing of ours, so the name is
  defined on that side and this module, which may import ``scoring``, follows it. A contact's
  office hours and the times an auditor types are then always in the same zone.
- Human formats: ``local_text`` (one time, ``"–"`` when missing), ``local_column`` (a column of
  times), the format strings they take (``WEEKDAY_SECOND``, ``DATED_SECOND``, ``DAY_MINUTE``,
  ``MINUTE``) and ``duration`` (seconds as ``"45 s"``, ``"12 min"``, ``"3.5 h"``, ``"2.1 d"``).
- ``to_utc``: a naive wall-clock time read in a zone, refused (``LocalTimeError``) when daylight
  saving time makes it ambiguous or void.

A naive time such as ``2025-10-26 02:30`` in Europe/Amsterdam happened twice (the clocks went
back from 03:00 to 02:00 that night), and ``2025-03-30 02:30`` never happened at all (the
clocks jumped from 02:00 to 03:00). ``datetime.replace(tzinfo=zone)`` silently picks one
reading (PEP 495's ``fold=0``), so an import would store a time an hour off without a word.
``to_utc`` refuses both, naming the readings a user can choose from; a time written with an
offset is never ambiguous and does not come here. Used by every local-time parse of the import,
of the command-line options (``journeys.interchange``) and of the contact forms.
"""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
from babel.dates import format_datetime

from journeys.language import _, current_locale, ngettext, number
from scoring.calendar import BUSINESS_TIMEZONE

LOCAL_ZONE_NAME = BUSINESS_TIMEZONE
LOCAL_ZONE = ZoneInfo(LOCAL_ZONE_NAME)

# How a local time reads on screen. The forms with day or month names are CLDR patterns,
# written by Babel in the current language ("Wed 02 Dec" / "wo 02 dec."); the numeric ones are
# strftime forms, the same in every language.
WEEKDAY_SECOND = "EEE dd MMM HH:mm:ss"  # a contact's own timings, while it is being logged
DATED_SECOND = "EEE dd MMM y HH:mm:ss"  # a contact's timings read back later, with the year
DAY_MINUTE = "dd MMM HH:mm"  # a compact list of recent contacts
MINUTE = "%Y-%m-%d %H:%M"  # table columns: sorts as text


def to_local(ts: datetime | None) -> datetime | None:
    """An aware time in the local zone (None stays None)."""
    return None if ts is None else ts.astimezone(LOCAL_ZONE)


def local_text(ts: datetime | None, form: str = WEEKDAY_SECOND) -> str:
    """An aware time as local text in ``form``; ``"–"`` when missing (None or NaT)."""
    if ts is None or pd.isna(ts):
        return "–"
    local = to_local(ts)
    return local.strftime(form) if "%" in form else format_datetime(
        local, form, tzinfo=LOCAL_ZONE, locale=current_locale())


def local_column(times: pd.Series, form: str = MINUTE) -> pd.Series:
    """A column of aware times as local text in ``form`` (NaT stays missing)."""
    local = times.dt.tz_convert(LOCAL_ZONE)
    if "%" in form:
        return local.dt.strftime(form)
    return local.map(lambda t: None if pd.isna(t) else local_text(t, form))


def duration(seconds) -> str:
    """Seconds as a short human duration in the current language: "45 s", "12 min",
    "3.5 h" / "3,5 uur", "2.1 d" / "2,1 dagen"; "–" when missing."""
    if seconds is None:
        return "–"
    seconds = float(seconds)
    if seconds != seconds:  # NaN
        return "–"
    if seconds < 120:
        return ngettext("{n} s", "{n} s", round(seconds)).format(n=number(seconds))
    if seconds < 2 * 3600:
        return ngettext("{n} min", "{n} min", round(seconds / 60)).format(n=number(seconds / 60))
    if seconds < 2 * 86400:
        return ngettext("{n} h", "{n} h", 2).format(n=number(seconds / 3600, 1))
    return ngettext("{n} d", "{n} d", 2).format(n=number(seconds / 86400, 1))


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
        raise LocalTimeError(_(
            "is ambiguous in {zone}: the clocks went back on {day}, so {clock} happened twice, "
            "{first} or {second}; write the one you mean with its offset").format(
                zone=zone.key, day=naive.date(), clock=_clock(naive),
                first=_reading(naive, before), second=_reading(naive, after)))
    # neither reading gives this wall time back: it lies in the hour the clocks skipped
    jump = _transition(naive, zone, before, after)
    if earliest:
        return jump
    old = (jump + before).replace(tzinfo=None)
    new = (jump + after).replace(tzinfo=None)
    raise LocalTimeError(_(
        "does not exist in {zone}: the clocks went forward from {old} to {new} on {day} "
        "({old_offset} to {new_offset}); correct the time, or write it with its offset").format(
            zone=zone.key, old=_clock(old), new=_clock(new), day=naive.date(),
            old_offset=_offset(before), new_offset=_offset(after)))
