"""Auditor calibration: Krippendorff's alpha on the published example, an independent oracle, bias."""

import itertools
import math

import numpy as np
import pandas as pd
import pytest

from scoring.agreement import auditor_bias, calibration_alpha, krippendorff_alpha

n = np.nan
# Krippendorff (2011): 4 observers x 12 units, NaN = missing
PUBLISHED = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, n, n, n],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, n, 3],
    [n, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, n],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, n],
]


@pytest.mark.parametrize("level, expected", [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849),
                                             ("ratio", 0.797)])
def test_published_example(level, expected):
    """Alpha on Krippendorff's published 4 x 12 example matches the published value to 3 decimals."""
    assert round(krippendorff_alpha(PUBLISHED, level), 3) == expected


def _pairwise_alpha(data, level):
    """Alpha from its definition as pairwise disagreement (no coincidence matrix): the oracle."""
    units = [[v for v in column if not np.isnan(v)] for column in np.asarray(data, dtype=float).T]
    units = [u for u in units if len(u) >= 2]
    values = [v for u in units for v in u]
    metric = {
        "nominal": lambda a, b: float(a != b),
        "interval": lambda a, b: (a - b) ** 2,
        "ratio": lambda a, b: 0.0 if a + b == 0 else ((a - b) / (a + b)) ** 2,
    }[level]
    total = len(values)
    observed = sum(sum(metric(a, b) for a, b in itertools.permutations(u, 2)) / (len(u) - 1) for u in units) / total
    expected = sum(metric(a, b) for a, b in itertools.permutations(values, 2)) / (total * (total - 1))
    return 1.0 - observed / expected


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("level", ["nominal", "interval", "ratio"])
def test_matches_pairwise_definition(seed, level):
    """On random ratings with gaps, alpha equals the pairwise-disagreement definition."""
    rng = np.random.default_rng(seed)
    data = rng.integers(1, 6, size=(4, 15)).astype(float)
    data[rng.random(data.shape) < 0.25] = np.nan
    assert krippendorff_alpha(data, level) == pytest.approx(_pairwise_alpha(data, level), abs=1e-12)


def test_perfect_agreement_is_one():
    """Identical ratings by every auditor give alpha 1."""
    assert krippendorff_alpha([[1, 2, 3, 4], [1, 2, 3, 4]], "interval") == pytest.approx(1.0)


@pytest.mark.parametrize("data", [[[1, n, 3], [n, 2, n]], [[2, 2, 2], [2, 2, 2]], [[n, n], [n, n]]])
def test_undefined_alpha_is_nan(data):
    """No pairable values, or no variation at all, leave alpha undefined: NaN."""
    assert math.isnan(krippendorff_alpha(data, "nominal"))


def test_unknown_level_is_refused():
    """Only the four measurement levels are accepted."""
    with pytest.raises(ValueError):
        krippendorff_alpha(PUBLISHED, "cardinal")


def test_calibration_alpha_from_long_ratings():
    """A long (contact, auditor, score) frame gives the same alpha as the coders x units table."""
    rows = [(unit, coder, value) for coder, ratings in enumerate(PUBLISHED) for unit, value in enumerate(ratings)
            if not np.isnan(value)]
    long = pd.DataFrame(rows, columns=["contact_id", "auditor", "final_score"])
    assert calibration_alpha(long, "interval") == pytest.approx(krippendorff_alpha(PUBLISHED, "interval"))


def test_auditor_bias_hand_example():
    """Bias = mean of (own score - mean of the other auditors on the same journey x channel)."""
    contacts = pd.DataFrame({
        "auditor": ["a", "a", "b", "a", None],
        "journey": ["J", "J", "J", "J", "J"],
        "channel": ["email", "email", "email", "chat", "email"],
        "final_score": [80.0, 90.0, 70.0, 60.0, 10.0],
    })
    out = auditor_bias(contacts)
    assert out.loc["a", "bias"] == 15.0  # (80 - 70) and (90 - 70)
    assert out.loc["b", "bias"] == -15.0  # 70 - mean(80, 90)
    assert (out.loc["a", "contacts"], out.loc["a", "compared"], out.loc["a", "cells"]) == (3, 2, 1)
    assert out.loc["a", "mean_score"] == pytest.approx(230 / 3)
    assert math.isnan(out.loc["b", "bias_ci_low"])  # one comparison: no interval
