"""Channel metrics for any grouping: response, speed (censoring-aware), timeliness, quality.

One definition, ``metrics_of_codes``, gives every figure the dashboards, the brand report and
``klantreis report`` show per brand, location, journey, wave, channel or any combination of
them: ``channel_metrics`` on contract frames, ``metrics_of_timed`` on an already-timed frame and
``metrics_table`` (the same with the group keys as columns) call it.
Definitions (docs/scoring.md, "Channel metrics"):

    contacts            contacts in the group
    responded           contacts with a first response or a resolution at or before as_of
    response_rate       responded / contacts, Wilson 95 % interval
    median_first_response_s      median wall-clock seconds to the first response, answered only
    km_median_first_response_s   Kaplan–Meier median, unanswered contacts censored at as_of
    km_share_within_target       Kaplan–Meier share answered within the contact's own target,
                                 on the target's clock (time / target, censored at as_of)
    with_deadline, late, pending, on_time_rate = 1 - late / with_deadline (Wilson interval)
    scored, mean_quality (t interval, clipped to 0..100), passed, pass_rate = passed / scored
    redirected, redirect_rate = redirected / contacts
    judged, correct, accuracy_rate = correct / judged (Wilson interval)
    insufficient        contacts < min_contacts (5 by default)

A figure whose denominator is zero is NaN, never 0. Every rate has its denominator column
next to it (contacts, with_deadline, scored, judged, with_response_target).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from scoring.calendar import BusinessCalendar
from scoring.contract import require_columns
from scoring.stats import km_median_by_code, km_share_by_code, km_table, mean_ci_from_moments, wilson_interval
from scoring.timeliness import timeliness

__all__ = ["METRIC_COLUMNS", "MIN_CONTACTS", "channel_metrics", "group_codes", "metrics_of_codes", "metrics_of_timed",
           "km_median_first_response", "metrics_table", "unique_codes"]

MIN_CONTACTS = 5
METRIC_COLUMNS = (
    "contacts", "responded", "response_rate", "response_rate_ci_low", "response_rate_ci_high",
    "median_first_response_s", "km_median_first_response_s", "with_response_target", "km_share_within_target",
    "with_deadline", "late", "pending", "on_time_rate", "on_time_rate_ci_low", "on_time_rate_ci_high",
    "scored", "mean_quality", "mean_quality_ci_low", "mean_quality_ci_high", "passed", "pass_rate",
    "redirected", "redirect_rate", "judged", "correct", "accuracy_rate", "accuracy_rate_ci_low",
    "accuracy_rate_ci_high", "insufficient",
)


DENSE_LIMIT = 1 << 22  # key spaces up to ~4M fit a lookup table of a few MB


def unique_codes(keys: np.ndarray, size: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(keys, return_inverse=True)`` for non-negative integer keys below ``size``.

    Group keys here are mixed-radix combinations of a few small category codes, so their range
    is small: a presence table and a lookup replace the sort that ``np.unique`` does (O(n)
    instead of O(n log n), several times faster at a million rows). Larger key spaces, or no
    ``size``, fall back to ``np.unique``.
    """
    keys = np.asarray(keys, dtype=np.int64)
    if size is None or size > DENSE_LIMIT or len(keys) < 1000:
        present, inverse = np.unique(keys, return_inverse=True)
        return present, inverse.reshape(-1).astype(np.int64)
    present = np.flatnonzero(np.bincount(keys, minlength=size))
    lookup = np.zeros(size, dtype=np.int64)
    lookup[present] = np.arange(len(present))
    return present, lookup[keys]


def group_codes(frame: pd.DataFrame, by: Sequence[str]) -> tuple[np.ndarray, pd.Index]:
    """Integer group code per row and the index of group keys (sorted, missing keys kept).

    Args:
        frame: any frame holding the ``by`` columns.
        by: grouping columns; empty means one group, labelled ``"all"``.

    Returns:
        ``(codes, index)`` with ``codes`` in 0..len(index)-1.
    """
    by = list(by)
    if not by:
        return np.zeros(len(frame), dtype=np.int64), pd.Index(["all"], name="scope")
    require_columns(frame, by, "contacts")
    # Factorize each column (sorted, missing values kept as their own key, last) and combine
    # the integer codes: several times faster than a groupby over object columns.
    codes = np.zeros(len(frame), dtype=np.int64)
    uniques = []
    size = 1
    for column in by:
        c, u = pd.factorize(frame[column], sort=True, use_na_sentinel=False)
        codes = codes * max(len(u), 1) + c
        size *= max(len(u), 1)
        uniques.append(u)
    present, codes = unique_codes(codes, size)
    levels = []
    for u in reversed(uniques):  # peel the mixed-radix digits off from the last column
        size = max(len(u), 1)
        levels.append(u.take(present % size) if len(u) else u)
        present = present // size
    levels.reverse()
    if len(by) == 1:
        return codes.astype(np.int64), pd.Index(levels[0], name=by[0])
    return codes.astype(np.int64), pd.MultiIndex.from_arrays(levels, names=by)


def _ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(denominator > 0, numerator / denominator, np.nan)


def _group_median(values: np.ndarray, codes: np.ndarray, n_groups: int) -> np.ndarray:
    keep = ~np.isnan(values)
    out = np.full(n_groups, np.nan)
    if keep.any():
        medians = pd.Series(values[keep]).groupby(codes[keep]).median()
        out[medians.index.to_numpy()] = medians.to_numpy()
    return out


def km_median_first_response(timed: pd.DataFrame, codes: np.ndarray, n_groups: int) -> np.ndarray:
    """Kaplan–Meier median seconds to the first response per group code (NaN when not reached).

    The duration is ``response_time_s`` (to the response, or to as_of for a contact still
    waiting, which is censored); a contact without a start has no duration and is left out.
    The metric tables and ``response_times.response_time_table`` both use it.
    """
    wait = timed["response_time_s"].to_numpy(dtype=float)
    has_wait = ~np.isnan(wait)
    responded = timed["responded"].to_numpy(dtype=bool)
    return km_median_by_code(km_table(wait[has_wait], responded[has_wait], codes[has_wait]), n_groups)


def channel_metrics(
    contacts: pd.DataFrame,
    by: Sequence[str] = ("channel",),
    as_of=None,
    calendar: BusinessCalendar | None = None,
    min_contacts: int = MIN_CONTACTS,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Contacts, response, speed, timeliness, quality, redirects and accuracy per group.

    Args:
        contacts: the contacts frame, ideally joined with ``score_contacts`` output (its
            ``final_score`` and ``passed`` columns); without ``final_score`` the quality
            figures are NaN with ``scored`` = 0.
        by: grouping columns, e.g. ``["brand", "channel"]``; empty for one overall row.
        as_of: tz-aware instant: later events are ignored, open contacts censored at it.
        calendar: business-hours clock for targets measured in business hours.
        min_contacts: groups with fewer contacts are marked ``insufficient``.
        confidence: level of every interval.

    Returns:
        DataFrame indexed by the group keys with ``METRIC_COLUMNS`` (see the module docstring).
    """
    return metrics_of_timed(timeliness(contacts, as_of, calendar), by, min_contacts, confidence)


def metrics_of_timed(
    timed: pd.DataFrame,
    by: Sequence[str],
    min_contacts: int = MIN_CONTACTS,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """``channel_metrics`` on a frame that already went through ``timeliness`` (same as_of).

    Lets a caller that needs the per-contact timing too (the consistency view) compute it
    once. Args and Returns as for ``channel_metrics``.
    """
    codes, index = group_codes(timed, by)
    return metrics_of_codes(timed, codes, index, min_contacts, confidence)


def metrics_table(timed: pd.DataFrame, by: Sequence[str]) -> pd.DataFrame:
    """``metrics_of_timed`` with the group keys as columns: the metric tables of the pages,
    the brand report and ``klantreis report``.

    Args:
        timed: contacts through ``timeliness`` (and ``score_contacts`` for the quality figures).
        by: grouping columns; empty for one overall row (then without a key column).

    Returns:
        The ``by`` columns, then ``METRIC_COLUMNS``, one row per group, with a 0..n-1 index.
    """
    table = metrics_of_timed(timed, by)
    return table.reset_index() if len(by) else table[list(METRIC_COLUMNS)].reset_index(drop=True)


def metrics_of_codes(
    timed: pd.DataFrame,
    codes: np.ndarray,
    index: pd.Index,
    min_contacts: int = MIN_CONTACTS,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """The metrics for precomputed group codes (row i of the result is code i of ``index``).

    Args:
        timed: contacts passed through ``timeliness``.
        codes: group code per contact, 0..len(index)-1, every code present.
        index: the group labels.
        min_contacts, confidence: as for ``channel_metrics``.

    Returns:
        DataFrame indexed by ``index`` with ``METRIC_COLUMNS``.
    """
    g = len(index)

    def count(mask) -> np.ndarray:
        return np.bincount(codes, weights=np.asarray(mask, dtype=float), minlength=g)

    n = np.bincount(codes, minlength=g).astype(np.int64)
    out = pd.DataFrame(index=index)
    out["contacts"] = n

    responded = timed["responded"].to_numpy(dtype=bool)
    out["responded"] = count(responded).astype(np.int64)
    out["response_rate"] = _ratio(out["responded"].to_numpy(), n)
    out["response_rate_ci_low"], out["response_rate_ci_high"] = wilson_interval(out["responded"].to_numpy(), n, confidence)

    first = timed["first_response_s"].to_numpy(dtype=float)
    out["median_first_response_s"] = _group_median(first, codes, g)
    out["km_median_first_response_s"] = km_median_first_response(timed, codes, g)

    # Time as a fraction of the contact's own target, so channels (and journeys) with
    # different targets and clocks share one curve: within target <=> ratio <= 1.
    clock = timed["response_clock_s"].to_numpy(dtype=float)
    target = timed["first_response_target_s"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(target > 0, clock / target, np.where(clock <= 0, 0.0, np.inf))
    timed_rows = ~np.isnan(target) & ~np.isnan(clock)
    out["with_response_target"] = count(timed_rows).astype(np.int64)
    out["km_share_within_target"] = km_share_by_code(
        km_table(ratio[timed_rows], responded[timed_rows], codes[timed_rows]), 1.0, g)

    has_deadline = timed["deadline"].notna().to_numpy()
    late = timed["late"].to_numpy(dtype=bool)
    with_deadline = count(has_deadline)
    late_n = count(late & has_deadline)
    out["with_deadline"] = with_deadline.astype(np.int64)
    out["late"] = late_n.astype(np.int64)
    out["pending"] = count(np.asarray(timed["resolution_status"] == "pending")).astype(np.int64)
    out["on_time_rate"] = 1.0 - _ratio(late_n, with_deadline)
    out["on_time_rate_ci_low"], out["on_time_rate_ci_high"] = wilson_interval(with_deadline - late_n, with_deadline, confidence)

    if "final_score" in timed:
        score = timed["final_score"].to_numpy(dtype=float)
    else:
        score = np.full(len(timed), np.nan)
    has_score = ~np.isnan(score)
    moments = pd.Series(score[has_score]).groupby(codes[has_score]).agg(["mean", "std", "size"])
    moments = moments.reindex(range(g))
    scored = moments["size"].fillna(0).to_numpy(dtype=np.int64)
    out["scored"] = scored
    out["mean_quality"] = moments["mean"].to_numpy(dtype=float)
    low, high = mean_ci_from_moments(
        moments["mean"].to_numpy(dtype=float), moments["std"].to_numpy(dtype=float), scored, confidence)
    # scores live on 0..100: bounds beyond the scale carry no information
    out["mean_quality_ci_low"], out["mean_quality_ci_high"] = np.clip(low, 0.0, 100.0), np.clip(high, 0.0, 100.0)
    if "passed" in timed:
        passed = timed["passed"].astype("boolean")
        passed_n = count(passed.fillna(False).to_numpy(dtype=bool))
        out["passed"] = passed_n.astype(np.int64)
        out["pass_rate"] = _ratio(passed_n, count(passed.notna().to_numpy()))
    else:
        out["passed"] = np.zeros(g, dtype=np.int64)
        out["pass_rate"] = np.nan

    redirected = timed["redirected_to"].notna().to_numpy() if "redirected_to" in timed else np.zeros(len(timed), bool)
    out["redirected"] = count(redirected).astype(np.int64)
    out["redirect_rate"] = _ratio(out["redirected"].to_numpy(), n)

    if "answer_correct" in timed:
        verdict = timed["answer_correct"].astype("boolean")
        judged = count(verdict.notna().to_numpy())
        correct = count(verdict.fillna(False).to_numpy(dtype=bool))
    else:
        judged = correct = np.zeros(g)
    out["judged"] = judged.astype(np.int64)
    out["correct"] = correct.astype(np.int64)
    out["accuracy_rate"] = _ratio(correct, judged)
    out["accuracy_rate_ci_low"], out["accuracy_rate_ci_high"] = wilson_interval(correct, judged, confidence)
    out["insufficient"] = n < min_contacts
    return out[list(METRIC_COLUMNS)]
