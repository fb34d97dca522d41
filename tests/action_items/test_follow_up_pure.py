"""The follow-up check as pure functions: next wave, and each kind at its boundary."""

from datetime import date

import numpy as np
import pandas as pd

from scoring.follow_up import criterion_check, gap_check, late_check, next_waves, score_check


def test_next_wave_by_start_then_name():
    """Waves follow by start date, then name; undated waves come last; the last has none."""
    waves = pd.DataFrame({"wave_id": [1, 2, 3, 4], "name": ["2026-Q2", "2026-Q1", "B", "A"],
                          "starts_on": [date(2026, 4, 1), date(2026, 1, 1), None, date(2026, 4, 1)]})
    assert next_waves(waves) == {2: 1, 1: 4, 4: 3, 3: None}


def test_criterion_fixed_only_when_every_contact_passes():
    """One failure in the next wave means not fixed; N/A does not count; nothing scored is not measured."""
    assert criterion_check(pd.Series([100.0, 100.0, np.nan])).fixed is True
    assert criterion_check(pd.Series([100.0, 100.0, np.nan])).n == 2
    assert criterion_check(pd.Series([100.0, 0.0])).fixed is False
    assert criterion_check(pd.Series([np.nan])).fixed is None


def test_score_at_threshold_is_fixed():
    """A mean equal to the threshold is fixed; just below is not."""
    assert score_check(pd.Series([50.0, 70.0]), 60).fixed is True
    assert score_check(pd.Series([50.0, 69.9]), 60).fixed is False
    assert score_check(pd.Series([], dtype=float), 60).fixed is None


def test_late_within_margin_is_fixed():
    """Late by exactly the margin is fixed; beyond it, or no response, is not; share within target shown."""
    check = late_check(pd.Series([3000.0, 3600.0 + 600]), pd.Series([3600.0, 3600.0]), 600)
    assert (check.fixed, check.n, check.value) == (True, 2, 0.5)
    assert late_check(pd.Series([3600.0 + 601]), pd.Series([3600.0]), 600).fixed is False
    assert late_check(pd.Series([np.nan]), pd.Series([3600.0]), 600).fixed is False
    assert late_check(pd.Series([10.0]), pd.Series([np.nan]), 600).fixed is None


def test_gap_needs_two_channels():
    """The gap is best minus worst channel mean; at the threshold it is fixed; one channel measures nothing."""
    check = gap_check(pd.Series(["phone", "phone", "email"]), pd.Series([80.0, 60.0, 55.0]), 15)
    assert (check.fixed, round(check.value, 1), check.n) == (True, 15.0, 3)
    assert gap_check(pd.Series(["phone", "email"]), pd.Series([80.0, 64.0]), 15).fixed is False
    assert gap_check(pd.Series(["phone"]), pd.Series([80.0]), 15).fixed is None


def test_gap_check_counts_only_channels_with_enough_contacts():
    """As in the rule: a channel below min_n has no honest mean; the boundary n = min_n counts."""
    channels = pd.Series(["phone"] * 5 + ["email"] * 5 + ["sms"] * 4)
    scores = pd.Series([80.0] * 5 + [70.0] * 5 + [0.0] * 4)
    check = gap_check(channels, scores, 15, min_n=5)
    assert check.fixed is True and check.n == 10 and check.value == 10.0
    assert gap_check(channels, scores, 15, min_n=1).fixed is False  # sms counts: gap 80
    assert gap_check(channels[:9], scores[:9], 15, min_n=5).fixed is None  # e-mail has 4: one channel left
