"""The business-hours clock: office hours, weekends, NL/BE holidays, DST, and deadlines on it."""

import time

import numpy as np
import pandas as pd
import pytest

from scoring.calendar import BusinessCalendar

from .builders import ts

H = 3600.0
NL = BusinessCalendar()
BE = BusinessCalendar(holiday_countries=("BE",))


def _elapsed(calendar, start, end):
    return calendar.elapsed_seconds(pd.Series([ts(start)]), pd.Series([ts(end)]))[0]


# start and end in UTC; Amsterdam is UTC+1 until 2026-03-29, UTC+2 after.
@pytest.mark.parametrize(
    "calendar, start, end, hours",
    [
        (NL, "2026-03-02 09:00", "2026-03-02 11:00", 2.0),  # Mon 10:00 -> 12:00 local
        (NL, "2026-03-02 06:00", "2026-03-02 09:30", 1.5),  # 07:00 -> 10:30 local counts from 09:00
        (NL, "2026-03-02 15:00", "2026-03-02 20:00", 1.0),  # after closing stops at 17:00
        (NL, "2026-03-06 15:00", "2026-03-09 09:00", 2.0),  # Fri 16:00 -> Mon 10:00: weekend skipped
        (NL, "2026-03-06 19:00", "2026-03-09 09:00", 1.0),  # Fri 20:00 -> Mon 10:00
        (NL, "2026-03-07 10:00", "2026-03-08 10:00", 0.0),  # all weekend
        (NL, "2026-03-01 23:00", "2026-03-08 23:00", 40.0),  # a whole working week
        (NL, "2026-03-27 15:00", "2026-03-30 08:00", 2.0),  # across the DST change (Sun 29 March)
        (NL, "2026-04-24 15:00", "2026-04-28 08:00", 1.0),  # Fri 17:00 -> Tue 10:00, Koningsdag Mon 27 April
        (NL, "2026-07-20 14:00", "2026-07-22 08:00", 10.0),  # Belgian national day is a working day in NL
        (BE, "2026-07-20 14:00", "2026-07-22 08:00", 2.0),  # ... and closed in BE
        (BE, "2026-04-24 15:00", "2026-04-28 08:00", 9.0),  # Koningsdag is open in BE
        (NL, "2026-12-24 15:00", "2026-12-28 09:00", 1.0 + 1.0),  # Christmas and Boxing Day closed
        (NL, "2026-03-02 11:00", "2026-03-02 09:00", -2.0),  # end before start is negative, not hidden
    ],
)
def test_elapsed_business_seconds(calendar, start, end, hours):
    """Elapsed business time counts only office hours on working, non-holiday days."""
    assert _elapsed(calendar, start, end) == pytest.approx(hours * H)


def test_custom_hours_and_weekdays():
    """Office hours and working weekdays are configurable (here 08:30–17:30, Monday to Saturday)."""
    calendar = BusinessCalendar(open="08:30", close="17:30", weekdays=(0, 1, 2, 3, 4, 5), holiday_countries=())
    # Fri 16:00 local -> Mon 10:00 local: 1.5 h Friday, 9 h Saturday, 1.5 h Monday
    assert _elapsed(calendar, "2026-03-06 15:00", "2026-03-09 09:00") == pytest.approx(12.0 * H)


def test_extra_closed_days():
    """A company day off is closed like a public holiday."""
    calendar = BusinessCalendar(extra_closed_days=("2026-03-03",))
    assert _elapsed(calendar, "2026-03-02 15:00", "2026-03-04 09:00") == pytest.approx(2.0 * H)


def test_missing_instants_give_nan():
    """A missing start or end gives NaN, never zero."""
    out = NL.elapsed_seconds(pd.Series([ts("2026-03-02 09:00"), pd.NaT]), pd.Series([pd.NaT, ts("2026-03-02 09:00")]))
    assert np.isnan(out).all()


@pytest.mark.parametrize(
    "start, hours, deadline",
    [
        ("2026-03-02 09:00", 2.0, "2026-03-02 11:00"),
        ("2026-03-06 15:00", 4.0, "2026-03-09 11:00"),  # Fri 16:00 + 4 h = Mon 12:00 local
        ("2026-03-07 12:00", 1.0, "2026-03-09 09:00"),  # Saturday: counting starts Monday 09:00
        ("2026-03-02 09:00", 7.0, "2026-03-02 16:00"),  # ends exactly at closing time
        ("2026-04-24 14:00", 8.0, "2026-04-28 14:00"),  # Fri 16:00 + 8 h skips Koningsdag
        ("2026-03-07 12:00", 0.0, "2026-03-07 12:00"),  # nothing to add: the start itself
    ],
)
def test_add_business_seconds(start, hours, deadline):
    """Adding business time gives the instant the office clock reaches the amount."""
    got = NL.add_seconds(pd.Series([ts(start)]), hours * H)
    assert got.iloc[0] == ts(deadline)


def test_add_is_the_inverse_of_elapsed():
    """For random instants, elapsed(start, add(start, x)) == x."""
    rng = np.random.default_rng(7)
    start = pd.Series(pd.to_datetime(rng.integers(1.77e9, 1.80e9, 2000), unit="s", utc=True))
    amount = rng.uniform(0, 30 * H, 2000)
    end = NL.add_seconds(start, amount)
    np.testing.assert_allclose(NL.elapsed_seconds(start, end), amount, atol=1e-3)


def test_large_amounts_extend_the_grid():
    """Amounts far beyond the data's date range (100 working days) are still placed correctly."""
    end = NL.add_seconds(pd.Series([ts("2026-03-02 08:00")]), 100 * 8 * H)
    assert NL.elapsed_seconds(pd.Series([ts("2026-03-02 08:00")]), end)[0] == pytest.approx(800 * H)


def test_hundred_thousand_contacts_are_fast():
    """100k elapsed computations plus 100k deadlines take well under a second."""
    rng = np.random.default_rng(1)
    start = pd.Series(pd.to_datetime(rng.integers(1.75e9, 1.80e9, 100_000), unit="s", utc=True))
    end = start + pd.to_timedelta(rng.integers(0, 10**6, 100_000), unit="s")
    began = time.perf_counter()
    NL.elapsed_seconds(start, end)
    NL.add_seconds(start, 4 * H)
    assert time.perf_counter() - began < 1.0


@pytest.mark.parametrize(
    "kwargs",
    [dict(open="17:00", close="09:00"), dict(open="9h"), dict(weekdays=(7,)), dict(holiday_countries=("XX",))],
)
def test_invalid_calendars_are_refused(kwargs):
    """Overnight hours, malformed times, impossible weekdays and unknown countries are refused."""
    with pytest.raises(Exception):  # noqa: B017 - holidays raises its own NotImplementedError for XX
        BusinessCalendar(**kwargs)


def test_naive_timestamps_are_refused():
    """Tz-naive timestamps break the UTC contract and are refused rather than guessed."""
    with pytest.raises(ValueError, match="tz-aware"):
        NL.elapsed_seconds(pd.Series([pd.Timestamp("2026-03-02 09:00")]), pd.Series([pd.Timestamp("2026-03-02 10:00")]))
