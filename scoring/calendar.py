"""The business-hours clock: elapsed business seconds between instants, and deadlines on it.

An e-mail sent on Friday evening to a team that works 9 to 5 on weekdays is not late on
Saturday morning when the target says "4 business hours". ``BusinessCalendar`` measures time
on that clock: office hours in a local time zone, chosen weekdays, and the public holidays of
one or more countries (the ``holidays`` package; NL and BE are the product's markets).

How it stays fast: for the days spanned by the data it builds the piecewise-linear function
``C(t)`` = business seconds from the first grid day up to instant ``t`` (flat outside office
hours, slope 1 inside). Elapsed business time is ``C(end) - C(start)`` with one ``np.interp``
per side, and adding business seconds inverts ``C(t)`` with one ``np.searchsorted``: no loop
over contacts, 100k contacts in milliseconds.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date

import holidays as _holidays
import numpy as np
import pandas as pd

from scoring.contract import epoch_seconds, from_epoch_seconds

__all__ = ["BUSINESS_TIMEZONE", "BusinessCalendar"]

# The zone of the teams the product measures (NL and BE). Defined here, where the business clock
# needs it, because scoring/ imports nothing of ours; the installation's local time
# (``journeys.local_time.LOCAL_ZONE``) is this zone.
BUSINESS_TIMEZONE = "Europe/Amsterdam"

_DAY = 86_400.0
_MAX_SPAN_DAYS = 200 * 366  # a typo such as year 2206 should fail loudly, not allocate forever


def _parse_clock(text: str) -> float:
    """'09:00' or '17:30' (or '24:00' for midnight at the end of the day) -> seconds of day."""
    try:
        hours, minutes = (int(part) for part in str(text).split(":"))
    except ValueError as exc:
        raise ValueError(f"office hours must look like '09:00', got {text!r}") from exc
    seconds = hours * 3600 + minutes * 60
    if not (0 <= minutes < 60 and 0 <= seconds <= _DAY):
        raise ValueError(f"not a time of day: {text!r}")
    return float(seconds)


@functools.lru_cache(maxsize=64)
def _holiday_dates(countries: tuple[str, ...], first_year: int, last_year: int) -> frozenset[date]:
    years = range(first_year, last_year + 1)
    found: set[date] = set()
    for country in countries:
        found.update(_holidays.country_holidays(country, years=years).keys())
    return frozenset(found)


@dataclass(frozen=True)
class BusinessCalendar:
    """Office hours, working weekdays and public holidays of a team, in its local time zone.

    Attributes:
        timezone: IANA zone the office hours are in (DST is handled per day).
        open: opening time, ``"HH:MM"`` local.
        close: closing time, ``"HH:MM"`` local, after ``open`` (``"24:00"`` allowed).
        weekdays: working days, Monday = 0 … Sunday = 6.
        holiday_countries: ISO codes whose public holidays are closed days (e.g. ``("NL", "BE")``).
        extra_closed_days: further closed dates (ISO strings or ``date``), e.g. a company day off.
    """

    timezone: str = BUSINESS_TIMEZONE
    open: str = "09:00"
    close: str = "17:00"
    weekdays: tuple[int, ...] = (0, 1, 2, 3, 4)
    holiday_countries: tuple[str, ...] = ("NL",)
    extra_closed_days: tuple = ()

    def __post_init__(self) -> None:
        if _parse_clock(self.open) >= _parse_clock(self.close):
            raise ValueError(f"open ({self.open}) must be before close ({self.close}); overnight hours are not supported")
        if any(d not in range(7) for d in self.weekdays):
            raise ValueError(f"weekdays are 0 (Monday) to 6 (Sunday), got {self.weekdays!r}")
        # fail at construction, not at the first report, on an unknown country code
        for country in self.holiday_countries:
            _holidays.country_holidays(country, years=2026)
        object.__setattr__(self, "holiday_countries", tuple(self.holiday_countries))
        object.__setattr__(self, "weekdays", tuple(self.weekdays))
        object.__setattr__(self, "extra_closed_days", tuple(self.extra_closed_days))

    # ------------------------------------------------------------------ the grid
    @property
    def day_seconds(self) -> float:
        """Business seconds in one full working day."""
        return _parse_clock(self.close) - _parse_clock(self.open)

    def closed_days(self, first: date, last: date) -> frozenset[date]:
        """Public holidays of ``holiday_countries`` plus ``extra_closed_days`` between two dates.

        Args:
            first: first local date (inclusive).
            last: last local date (inclusive).

        Returns:
            The closed dates (weekends are not included; they follow from ``weekdays``).
        """
        found = set(_holiday_dates(self.holiday_countries, first.year, last.year))
        found.update(pd.Timestamp(d).date() for d in self.extra_closed_days)
        return frozenset(d for d in found if first <= d <= last)

    def _grid(self, first: date, last: date) -> tuple[np.ndarray, np.ndarray]:
        """Knots of C(t): (epoch seconds, cumulative business seconds) at each open and close."""
        if (last - first).days > _MAX_SPAN_DAYS:
            raise ValueError(f"timestamps span {first} to {last}: more than 200 years, check the data")
        days = pd.date_range(first, last, freq="D")
        closed = self.closed_days(first, last)
        working = np.isin(days.day_of_week, self.weekdays) & ~np.isin(days.date, list(closed))
        days = days[working]
        n = len(days)
        if n == 0:
            return np.array([0.0]), np.array([0.0])
        flags = np.zeros(n, dtype=bool)  # ambiguous local times are read as standard time
        opens = (days + pd.Timedelta(seconds=_parse_clock(self.open))).tz_localize(
            self.timezone, ambiguous=flags, nonexistent="shift_forward")
        closes = (days + pd.Timedelta(seconds=_parse_clock(self.close))).tz_localize(
            self.timezone, ambiguous=flags, nonexistent="shift_forward")
        o = epoch_seconds(opens)
        c = epoch_seconds(closes)
        length = c - o
        cum_before = np.concatenate([[0.0], np.cumsum(length)[:-1]])
        xp = np.empty(2 * n)
        fp = np.empty(2 * n)
        xp[0::2], xp[1::2] = o, c
        fp[0::2], fp[1::2] = cum_before, cum_before + length
        return xp, fp

    def _local_dates(self, seconds: np.ndarray) -> tuple[date, date]:
        finite = seconds[~np.isnan(seconds)]
        lo = pd.Timestamp(finite.min(), unit="s", tz="UTC").tz_convert(self.timezone).date()
        hi = pd.Timestamp(finite.max(), unit="s", tz="UTC").tz_convert(self.timezone).date()
        return lo - pd.Timedelta(days=1).to_pytimedelta(), hi + pd.Timedelta(days=1).to_pytimedelta()

    # ------------------------------------------------------------------ public API
    def cumulative_seconds(self, *instants) -> list[np.ndarray]:
        """C(t) for each array of instants, on one grid covering all of them.

        ``C(end) - C(start)`` is the business time between two instants; computing C once per
        column lets a caller take several differences from one grid.

        Args:
            *instants: arrays (tz-aware timestamps or float epoch seconds), any lengths.

        Returns:
            One float array per argument (NaN where the instant is missing).
        """
        arrays = [_as_seconds(a) for a in instants]
        both = np.concatenate(arrays) if arrays else np.zeros(0)
        if np.isnan(both).all():
            return [np.full(len(a), np.nan) for a in arrays]
        xp, fp = self._grid(*self._local_dates(both))
        return [np.where(np.isnan(a), np.nan, np.interp(a, xp, fp)) for a in arrays]

    def elapsed_seconds(self, start, end) -> np.ndarray:
        """Business seconds from ``start`` to ``end``, element-wise.

        Args:
            start: tz-aware timestamps (Series/Index/array) or float epoch seconds (ndarray).
            end: same length as ``start``.

        Returns:
            Float array; NaN where either side is missing; negative when end precedes start.
        """
        c_start, c_end = self.cumulative_seconds(start, end)
        return c_end - c_start

    def add_seconds(self, start, business_seconds, *, as_epoch: bool = False):
        """The instant at which ``business_seconds`` of office time have passed since ``start``.

        A target of 4 business hours starting Friday 16:00 ends Monday 12:00; a start outside
        office hours begins counting at the next opening. A zero amount returns ``start``.

        Args:
            start: tz-aware timestamps or float epoch seconds.
            business_seconds: float array (or scalar) of business seconds to add; NaN gives NaT.
            as_epoch: return float epoch seconds instead of timestamps.

        Returns:
            ``datetime64[us, UTC]`` Series (or a float array with ``as_epoch``).
        """
        s = _as_seconds(start)
        x = np.broadcast_to(np.asarray(business_seconds, dtype=float), s.shape)
        ok = ~np.isnan(s) & ~np.isnan(x)
        out = np.full(s.shape, np.nan)
        if ok.any():
            lo, hi = self._local_dates(s[ok])
            per_week = max(len(self.weekdays), 1)
            # enough calendar days for the largest amount, plus slack for holidays
            extra = int(np.ceil(np.nanmax(x[ok]) / self.day_seconds * 7 / per_week)) + 21
            while True:
                xp, fp = self._grid(lo, hi + pd.Timedelta(days=extra).to_pytimedelta())
                start_cum = np.interp(s[ok], xp, fp)
                target = start_cum + np.maximum(x[ok], 0.0)
                if len(self.weekdays) == 0 or fp[-1] >= target.max() or extra > _MAX_SPAN_DAYS:
                    break
                extra *= 2
            idx = np.clip(np.searchsorted(fp, target, side="left"), 1, len(fp) - 1)
            x0, x1, f0, f1 = xp[idx - 1], xp[idx], fp[idx - 1], fp[idx]
            with np.errstate(invalid="ignore", divide="ignore"):
                t = np.where(f1 > f0, x0 + (target - f0) / (f1 - f0) * (x1 - x0), x1)
            t = np.where(target > fp[-1], np.nan, t)  # beyond the grid: no working time left
            out[ok] = np.where(x[ok] <= 0, s[ok], t)
        return out if as_epoch else from_epoch_seconds(out)


def _as_seconds(values) -> np.ndarray:
    if isinstance(values, np.ndarray) and values.dtype.kind == "f":
        return values
    if isinstance(values, pd.Timestamp):
        values = [values]
    return epoch_seconds(values)
