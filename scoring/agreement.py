"""Auditor calibration: Krippendorff's alpha and per-auditor bias.

Krippendorff's alpha (Krippendorff 2011, "Computing Krippendorff's alpha-reliability") is
implemented here from the coincidence matrix, for nominal, ordinal, interval and ratio data,
with missing values allowed. (The GPL ``krippendorff`` package is not a dependency.)

    o_ck = Σ_units (number of c–k pairs of values in the unit) / (m_u − 1), units with m_u ≥ 2
    n_c  = Σ_k o_ck,  n = Σ_c n_c
    alpha = 1 − (n − 1) · Σ_ck o_ck δ²_ck / Σ_ck n_c n_k δ²_ck

    δ² nominal: 0 if c = k else 1;  interval: (c − k)²;  ratio: ((c − k) / (c + k))²;
    ordinal: (Σ_{g from c to k} n_g − (n_c + n_k) / 2)² over the ranks of the values.

Auditor bias: per contact, the score minus the mean score of the *other* auditors' contacts
on the same journey × channel; an auditor's bias is the mean of those deviations (t interval).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from scoring.contract import require_columns
from scoring.stats import mean_ci_from_moments

__all__ = ["LEVELS", "auditor_bias", "calibration_alpha", "krippendorff_alpha"]

LEVELS = ("nominal", "ordinal", "interval", "ratio")


def _delta_squared(values: np.ndarray, totals: np.ndarray, level: str) -> np.ndarray:
    c = values[:, None]
    k = values[None, :]
    if level == "nominal":
        return (c != k).astype(float)
    if level == "interval":
        return (c - k) ** 2
    if level == "ratio":
        with np.errstate(invalid="ignore", divide="ignore"):
            d = np.where(c + k == 0, 0.0, ((c - k) / (c + k)) ** 2)
        return d
    if level == "ordinal":
        cum = np.cumsum(totals)
        i = np.arange(len(values))
        lo = np.minimum(i[:, None], i[None, :])
        hi = np.maximum(i[:, None], i[None, :])
        between = cum[hi] - cum[lo] + totals[lo]  # Σ n_g for g from the lower to the higher rank
        return (between - (totals[:, None] + totals[None, :]) / 2.0) ** 2
    raise ValueError(f"level must be one of {LEVELS}, got {level!r}")


def krippendorff_alpha(reliability_data, level: str = "nominal") -> float:
    """Krippendorff's alpha for a coders × units table with missing values.

    Args:
        reliability_data: 2-D array-like (or DataFrame), one row per coder (auditor), one
            column per unit (contact); NaN/None where a coder did not rate a unit. Values
            are numbers (codes for nominal data).
        level: ``"nominal"``, ``"ordinal"``, ``"interval"`` or ``"ratio"``.

    Returns:
        Alpha as a float: 1 is perfect agreement, 0 agreement at chance level; NaN when there
        are no pairable values or no variation at all (alpha undefined).
    """
    if level not in LEVELS:
        raise ValueError(f"level must be one of {LEVELS}, got {level!r}")
    data = np.asarray(pd.DataFrame(reliability_data).apply(pd.to_numeric, errors="coerce"), dtype=float)
    if data.ndim != 2:
        raise ValueError("reliability_data must be 2-D: coders × units")
    present = ~np.isnan(data)
    values, inverse = np.unique(data[present], return_inverse=True)
    if len(values) == 0:
        return float("nan")
    # counts[u, v]: how many coders gave value v to unit u
    unit_index = np.broadcast_to(np.arange(data.shape[1]), data.shape)[present]
    counts = np.zeros((data.shape[1], len(values)))
    np.add.at(counts, (unit_index, inverse), 1.0)
    m = counts.sum(axis=1)
    pairable = m >= 2
    counts, m = counts[pairable], m[pairable]
    if len(m) == 0:
        return float("nan")
    scaled = counts / (m - 1.0)[:, None]
    coincidence = counts.T @ scaled - np.diag(scaled.sum(axis=0))  # no value pairs with itself
    totals = coincidence.sum(axis=1)
    n = totals.sum()
    delta = _delta_squared(values, totals, level)
    observed = (coincidence * delta).sum()
    expected = (np.outer(totals, totals) * delta).sum()
    if expected == 0:
        return float("nan")
    return float(1.0 - (n - 1.0) * observed / expected)


def calibration_alpha(
    ratings: pd.DataFrame,
    level: str = "interval",
    unit: str = "contact_id",
    coder: str = "auditor",
    value: str = "final_score",
) -> float:
    """Krippendorff's alpha from a long frame: one row per (unit, coder) rating.

    Args:
        ratings: e.g. calibration scores, one row per contact per auditor who scored it.
        level: measurement level (see ``krippendorff_alpha``).
        unit, coder, value: column names.

    Returns:
        Alpha as a float (NaN when undefined). Duplicate (unit, coder) rows are averaged.
    """
    require_columns(ratings, [unit, coder, value], "ratings")
    table = ratings.pivot_table(index=coder, columns=unit, values=value, aggfunc="mean", dropna=False)
    return krippendorff_alpha(table.to_numpy(dtype=float), level)


def auditor_bias(
    contacts: pd.DataFrame,
    score: str = "final_score",
    cell: Sequence[str] = ("journey", "channel"),
    auditor: str = "auditor",
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Mean deviation of each auditor's scores from the other auditors on the same cell.

    For a contact scored by auditor a in cell (journey × channel by default):
    ``deviation = score − mean(score of the other auditors' contacts in that cell)``;
    contacts in a cell no other auditor worked are left out. A positive bias means the
    auditor scores more generously than colleagues facing the same journey and channel.

    Args:
        contacts: contacts joined with their scores.
        score: the score column.
        cell: columns that define comparable contacts.
        auditor: the auditor column (rows without an auditor are ignored).
        confidence: level of the t interval of the mean deviation.

    Returns:
        DataFrame indexed by auditor: ``contacts`` (scored contacts), ``compared`` (contacts
        with colleagues in the cell), ``cells``, ``mean_score``, ``bias``, ``bias_ci_low``,
        ``bias_ci_high``.
    """
    cell = list(cell)
    require_columns(contacts, [score, auditor, *cell], "contacts")
    frame = contacts[[auditor, *cell, score]].copy()
    frame = frame[frame[auditor].notna() & frame[score].notna()]
    frame["_cell"] = frame.groupby(cell, dropna=False, sort=False, observed=True).ngroup()
    cell_sum = frame.groupby("_cell")[score].transform("sum")
    cell_n = frame.groupby("_cell")[score].transform("size")
    own = frame.groupby(["_cell", auditor], sort=False, observed=True)[score]
    own_sum = own.transform("sum")
    own_n = own.transform("size")
    others = cell_n - own_n
    with np.errstate(invalid="ignore", divide="ignore"):
        frame["deviation"] = np.where(others > 0, frame[score] - (cell_sum - own_sum) / others, np.nan)
    grouped = frame.groupby(auditor, sort=True, observed=True)
    out = pd.DataFrame({
        "contacts": grouped.size(),
        "compared": grouped["deviation"].count(),
        "cells": frame.dropna(subset=["deviation"]).groupby(auditor, observed=True)["_cell"].nunique(),
        "mean_score": grouped[score].mean(),
        "bias": grouped["deviation"].mean(),
        "sd": grouped["deviation"].std(ddof=1),
    })
    out["cells"] = out["cells"].fillna(0).astype(np.int64)
    out["bias_ci_low"], out["bias_ci_high"] = mean_ci_from_moments(out["bias"], out["sd"], out["compared"], confidence)
    out.index.name = auditor
    return out.drop(columns="sd")
