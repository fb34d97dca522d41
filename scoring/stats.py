"""Small-sample statistics: intervals for rates and means, Kaplan–Meier for censored waits, CV.

Mystery-shop samples are small, so every figure the product shows comes with its n and an
interval. Everything here is vectorised: the interval functions take scalars or arrays (one
entry per group), and the Kaplan–Meier functions take an optional ``groups`` array and then
answer for every group at once, without a Python loop over groups or contacts.

Public functions:
    wilson_interval(successes, n, confidence=0.95) -> (low, high)
    mean_ci(values, confidence=0.95) -> (mean, low, high, n)
    mean_ci_from_moments(mean, sd, n, confidence=0.95) -> (low, high)
    kaplan_meier(durations, observed, groups=None) -> DataFrame (the survival table)
    km_median(durations, observed, groups=None) -> float or Series
    km_share_within(durations, observed, t, groups=None) -> float or Series
    coefficient_of_variation(values, *, ddof) -> float
    km_table / km_median_by_code / km_share_by_code: the same on integer group codes, for
        callers (channel_metrics) that already hold codes.
    kruskal_wallis(values, groups, samples, n_groups) -> (h, p): the test per group code
    pearson_chi2(counts) -> (chi2, p): the test of independence per group's contingency table

The quantiles and tail probabilities come from ``scipy.special``, the functions scipy.stats
itself evaluates (its normal quantile is ndtri, Student's t quantile stdtrit, the chi-square
tail chdtrc): importing ``scipy.stats`` costs most of a second more, which every cold dashboard
and every ``klantreis report`` would pay, and the two tests are a few lines of numpy over all
groups at once.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def scipy_special():
    """scipy.special, imported on first use: most commands (and the auditor's pages) never need a
    quantile or a test."""
    from scipy import special

    return special


__all__ = [
    "coefficient_of_variation",
    "kaplan_meier",
    "km_median",
    "km_median_by_code",
    "km_share_by_code",
    "km_share_within",
    "km_table",
    "kruskal_wallis",
    "mean_ci",
    "mean_ci_from_moments",
    "pearson_chi2",
    "wilson_interval",
]


def _z(confidence: float) -> float:
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be between 0 and 1, got {confidence!r}")
    return float(scipy_special().ndtri(0.5 + confidence / 2.0))  # scipy.stats' norm.ppf


def wilson_interval(successes, n, confidence: float = 0.95):
    """Wilson score interval for a proportion ``successes / n``.

    Unlike the normal (Wald) interval it stays inside [0, 1] and behaves at 0 % and 100 %,
    which matter with the tiny samples of mystery shopping.

    Args:
        successes: number of successes (scalar or array).
        n: number of trials (scalar or array, same shape); n = 0 gives NaN bounds.
        confidence: two-sided confidence level, 0.95 by default.

    Returns:
        ``(low, high)`` as floats for scalar input, else float arrays.
    """
    z = _z(confidence)
    k = np.asarray(successes, dtype=float)
    m = np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = k / m
        denom = 1.0 + z * z / m
        centre = (p + z * z / (2.0 * m)) / denom
        half = z * np.sqrt(p * (1.0 - p) / m + z * z / (4.0 * m * m)) / denom
        low = np.where(m > 0, np.clip(centre - half, 0.0, 1.0), np.nan)
        high = np.where(m > 0, np.clip(centre + half, 0.0, 1.0), np.nan)
    if low.ndim == 0:
        return float(low), float(high)
    return low, high


def mean_ci_from_moments(mean, sd, n, confidence: float = 0.95):
    """Student-t interval ``mean ± t(n-1) · sd / sqrt(n)`` from per-group moments.

    Args:
        mean: group means (scalar or array).
        sd: sample standard deviations with ddof=1 (same shape).
        n: group sizes; groups with n < 2 get NaN bounds (no spread can be estimated).
        confidence: two-sided confidence level.

    Returns:
        ``(low, high)`` as floats for scalar input, else float arrays.
    """
    _z(confidence)  # validates the level
    mu = np.asarray(mean, dtype=float)
    s = np.asarray(sd, dtype=float)
    m = np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        df = np.where(m >= 2, m - 1.0, np.nan)
        t = scipy_special().stdtrit(df, 0.5 + confidence / 2.0)  # scipy.stats' t.ppf; NaN df gives NaN
        half = t * s / np.sqrt(m)
        low = np.where(m >= 2, mu - half, np.nan)
        high = np.where(m >= 2, mu + half, np.nan)
    if low.ndim == 0:
        return float(low), float(high)
    return low, high


def mean_ci(values, confidence: float = 0.95):
    """Mean with a Student-t confidence interval; NaN values are ignored.

    Args:
        values: numbers (array-like); NaN entries are left out.
        confidence: two-sided confidence level.

    Returns:
        ``(mean, low, high, n)``: mean is NaN when n = 0, the bounds are NaN when n < 2.
    """
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    n = x.size
    if n == 0:
        return float("nan"), float("nan"), float("nan"), 0
    sd = float(x.std(ddof=1)) if n > 1 else float("nan")
    low, high = mean_ci_from_moments(float(x.mean()), sd, n, confidence)
    return float(x.mean()), low, high, n


def coefficient_of_variation(values, *, ddof: int) -> float:
    """Coefficient of variation ``sd / mean`` with the degrees of freedom stated by the caller.

    There is no default on purpose: population (ddof=0) and sample (ddof=1) CV differ
    noticeably on small samples (10, 20, 30, 40 gives 0.447 against 0.516).

    Args:
        values: numbers; NaN entries are left out.
        ddof: 0 for the population standard deviation, 1 for the sample one.

    Returns:
        The CV as a float; NaN when there are not more than ``ddof`` values or the mean is 0.
    """
    if ddof not in (0, 1):
        raise ValueError("ddof must be 0 (population) or 1 (sample)")
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    if x.size <= ddof:
        return float("nan")
    mean = x.mean()
    if mean == 0:
        return float("nan")
    return float(x.std(ddof=ddof) / mean)


# --------------------------------------------------------------------------- tests of chance


def _sum_in_order(terms: np.ndarray) -> np.ndarray:
    """The sum of each row of ``terms``, added left to right as scipy adds a group's terms (numpy's
    pairwise sum of a row of eight or more can differ from it in the last digit)."""
    total = np.zeros(len(terms))
    for column in terms.T:  # a loop over channels, not contacts
        total = total + column
    return total


def kruskal_wallis(values, groups, samples, n_groups: int):
    """Kruskal–Wallis H test of whether the ``samples`` of each group differ, for every group at once.

    Per group: the values are ranked together (ties get their average rank), ``H = 12 /
    (N (N + 1)) · Σ R_j² / n_j − 3 (N + 1)`` over its samples j, divided by the tie correction
    ``1 − Σ (t³ − t) / (N³ − N)``; the p-value is the chi-square tail with (samples − 1) degrees
    of freedom. The same figures as ``scipy.stats.kruskal`` on each group's samples.

    Args:
        values: numbers without NaN.
        groups: int array, the group code (0..n_groups-1) of each value.
        samples: int array (>= 0), the sample of each value within its group (its channel).
        n_groups: number of group codes.

    Returns:
        ``(h, p)`` float arrays of length ``n_groups``: NaN for a group with fewer than two
        samples or with every value the same.
    """
    x = np.asarray(values, dtype=float)
    g = np.asarray(groups, dtype=np.int64)
    s = np.asarray(samples, dtype=np.int64)
    h = np.full(n_groups, np.nan)
    p = np.full(n_groups, np.nan)
    if not len(x):
        return h, p
    order = np.lexsort((x, g))
    x, g, s = x[order], g[order], s[order]
    tie_start = np.ones(len(x), dtype=bool)
    tie_start[1:] = (g[1:] != g[:-1]) | (x[1:] != x[:-1])
    starts = np.flatnonzero(tie_start)
    ties = np.diff(np.append(starts, len(x)))
    position = np.arange(len(x)) - np.searchsorted(g, g)  # 0-based place within the group
    ranks = np.repeat(position[starts] + (ties + 1) / 2.0, ties)  # a tie's average rank, 1-based
    width = int(s.max()) + 1
    cell = g * width + s
    rank_sums = np.bincount(cell, weights=ranks, minlength=n_groups * width).reshape(n_groups, width)
    sizes = np.bincount(cell, minlength=n_groups * width).reshape(n_groups, width)
    total = sizes.sum(axis=1).astype(float)
    tie_terms = np.bincount(g[starts], weights=ties.astype(float) ** 3 - ties, minlength=n_groups)
    present = (sizes > 0).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        between = _sum_in_order(np.where(sizes > 0, rank_sums ** 2 / np.maximum(sizes, 1), 0.0))
        statistic = 12.0 / (total * (total + 1)) * between - 3 * (total + 1)
        correction = 1 - tie_terms / (total ** 3 - total)
        valid = (present >= 2) & (correction > 0)
        h[valid] = statistic[valid] / correction[valid]
    p[valid] = scipy_special().chdtrc(present[valid] - 1, h[valid])
    return h, p


def pearson_chi2(counts):
    """Pearson's chi-square test of independence (no continuity correction) per group.

    Per group's table (rows: its samples, columns: outcomes): the rows with no count are left
    out, expected counts are row total × column total / total, ``chi2 = Σ (observed −
    expected)² / expected``, and the p-value is the chi-square tail with (rows − 1) ·
    (columns − 1) degrees of freedom. The same figures as ``scipy.stats.chi2_contingency(table,
    correction=False)``.

    Args:
        counts: array of shape (groups, rows, columns) of counts >= 0.

    Returns:
        ``(chi2, p)`` float arrays, one entry per group: NaN when fewer than two rows have
        counts or some column has none (everyone or no one responded).
    """
    table = np.asarray(counts, dtype=float)
    rows = table.sum(axis=2)
    used = rows > 0
    columns = table.sum(axis=1)
    total = rows.sum(axis=1)
    chi2 = np.full(len(table), np.nan)
    p = np.full(len(table), np.nan)
    valid = (used.sum(axis=1) >= 2) & (columns > 0).all(axis=1)
    if not valid.any():
        return chi2, p
    with np.errstate(invalid="ignore", divide="ignore"):
        expected = rows[:, :, None] * columns[:, None, :] / total[:, None, None]
        terms = np.where(used[:, :, None], (table - expected) ** 2 / expected, 0.0)
    chi2[valid] = _sum_in_order(terms[valid].reshape(int(valid.sum()), -1))
    freedom = (used.sum(axis=1) - 1) * (table.shape[2] - 1)
    p[valid] = scipy_special().chdtrc(freedom[valid], chi2[valid])
    return chi2, p


# --------------------------------------------------------------------------- Kaplan–Meier


def _km_inputs(durations, observed, groups):
    """Clean arrays for KM: rows without a duration are dropped; groups become codes 0..G-1."""
    t = np.asarray(durations, dtype=float)
    e = np.asarray(observed, dtype=bool)
    if t.shape != e.shape:
        raise ValueError("durations and observed must have the same length")
    if groups is None:
        codes, labels = np.zeros(t.shape, dtype=np.int64), None
    else:
        g = np.asarray(groups)
        if g.shape != t.shape:
            raise ValueError("groups must have the same length as durations")
        codes, labels = pd.factorize(g, sort=True)
    keep = ~np.isnan(t)  # a contact without a start time has no duration to count
    return t[keep], e[keep], codes[keep], labels


def km_table(durations, observed, codes) -> pd.DataFrame:
    """The survival table on integer group codes (the engine behind every KM function here).

    Args:
        durations: float array without NaN.
        observed: bool array, True when the event happened.
        codes: int array of group codes (0..G-1).

    Returns:
        DataFrame ``g, time, at_risk, events, censored, survival`` sorted by group and time.
    """
    t = np.asarray(durations, dtype=float)
    e = np.asarray(observed, dtype=bool)
    g = np.asarray(codes, dtype=np.int64)
    if len(t) == 0:
        return pd.DataFrame({"g": np.zeros(0, np.int64), "time": np.zeros(0), "at_risk": np.zeros(0, np.int64),
                             "events": np.zeros(0, np.int64), "censored": np.zeros(0, np.int64),
                             "survival": np.zeros(0)})
    # one sort, then run-length aggregation per (group, time): no hashing of a million keys.
    # The sort by time is skipped when the rows already come in time order (the dashboards'
    # filtered frames do, ``ui.dashboard_data.filtered_contacts``); the stable sort by
    # group then runs on 16-bit codes where they fit, which numpy does as an O(n) radix sort.
    order = None if bool(np.all(t[1:] >= t[:-1])) else np.argsort(t)
    small = g.astype(np.int16) if len(g) and 0 <= g.min() and g.max() < 2**15 else g
    by_group = np.argsort(small if order is None else small[order], kind="stable")
    order = by_group if order is None else order[by_group]
    t, e, g = t[order], e[order], g[order]
    first = np.ones(len(t), dtype=bool)
    first[1:] = (g[1:] != g[:-1]) | (t[1:] != t[:-1])
    starts = np.flatnonzero(first)
    total = np.diff(np.append(starts, len(t)))
    events = np.add.reduceat(e.astype(np.int64), starts)
    gk, tk = g[starts], t[starts]
    group_first = np.ones(len(starts), dtype=bool)
    group_first[1:] = gk[1:] != gk[:-1]
    group = np.cumsum(group_first) - 1
    firsts = np.flatnonzero(group_first)
    seen_before = np.cumsum(total) - total  # rows in earlier (group, time) runs
    before_in_group = seen_before - seen_before[firsts][group]
    at_risk = np.add.reduceat(total, firsts)[group] - before_in_group  # durations >= t in the group
    factor = 1.0 - events / at_risk
    survival = np.empty(len(factor))
    for lo, hi in zip(firsts, np.append(firsts[1:], len(factor)), strict=True):  # a loop over groups, not rows
        np.cumprod(factor[lo:hi], out=survival[lo:hi])
    return pd.DataFrame({"g": gk, "time": tk, "at_risk": at_risk, "events": events,
                         "censored": total - events, "survival": survival})


def km_median_by_code(table: pd.DataFrame, n_groups: int) -> np.ndarray:
    """First time with survival <= 0.5 per group code (NaN when not reached); see km_median."""
    out = np.full(n_groups, np.nan)
    # tolerance: the cumulative product may land a hair above an exact 0.5
    hit = table[table["survival"].to_numpy() <= 0.5 + 1e-12]
    g = hit["g"].to_numpy()
    keep = np.ones(len(g), dtype=bool)
    keep[1:] = g[1:] != g[:-1]  # the table is sorted: the first hit per group is its median
    out[g[keep]] = hit["time"].to_numpy()[keep]
    return out


def km_share_by_code(table: pd.DataFrame, limit: float, n_groups: int) -> np.ndarray:
    """``1 - S(limit)`` per group code; NaN for codes with no rows in the table."""
    out = np.full(n_groups, np.nan)
    g = table["g"].to_numpy()
    out[g] = 0.0  # present: nobody answered before the first time in the table
    upto = table[table["time"].to_numpy() <= limit]
    gu = upto["g"].to_numpy()
    last = np.ones(len(gu), dtype=bool)
    last[:-1] = gu[1:] != gu[:-1]  # sorted by time within group: the last row at or before limit
    out[gu[last]] = 1.0 - upto["survival"].to_numpy()[last]
    return out


def _by_label(values: np.ndarray, labels) -> pd.Series:
    return pd.Series(values, index=pd.Index(labels, name="group"), dtype=float)


def kaplan_meier(durations, observed, groups=None) -> pd.DataFrame:
    """Kaplan–Meier survival table for right-censored durations, optionally per group.

    ``S(t) = Π_{t_i <= t} (1 - d_i / n_i)`` where at each distinct time ``t_i`` there are
    ``d_i`` events among the ``n_i`` durations still at risk (duration >= t_i). A duration
    censored at ``t_i`` still counts as at risk at ``t_i`` (events come first on ties).

    Args:
        durations: elapsed times (seconds); NaN rows are left out.
        observed: True when the event happened (answered), False when censored.
        groups: optional group label per row.

    Returns:
        DataFrame with ``time, at_risk, events, censored, survival`` (plus a leading ``group``
        column when groups were given), one row per group and distinct time, sorted.
    """
    t, e, codes, labels = _km_inputs(durations, observed, groups)
    table = km_table(t, e, codes).reset_index(drop=True)
    if labels is None:
        return table.drop(columns="g")
    table.insert(0, "group", np.asarray(labels)[table.pop("g").to_numpy()])
    return table


def km_median(durations, observed, groups=None):
    """Kaplan–Meier median: the first time at which the survival curve drops to 0.5 or below.

    When fewer than half of the contacts were answered by the last observed time the
    median is not reached and the result is NaN (never a made-up number).

    Args:
        durations: elapsed times (seconds); NaN rows are left out.
        observed: True when answered, False when censored (still open at the as-of time).
        groups: optional group label per row.

    Returns:
        A float without groups; with groups a Series indexed by the sorted group labels.
    """
    t, e, codes, labels = _km_inputs(durations, observed, groups)
    n_groups = 1 if labels is None else len(labels)
    values = km_median_by_code(km_table(t, e, codes), n_groups)
    return float(values[0]) if labels is None else _by_label(values, labels)


def km_share_within(durations, observed, t, groups=None):
    """Share answered within ``t`` according to Kaplan–Meier: ``1 - S(t)``.

    Args:
        durations: elapsed times; NaN rows are left out.
        observed: True when answered, False when censored.
        t: the time limit (same unit as the durations); answered at exactly ``t`` counts as within.
        groups: optional group label per row.

    Returns:
        A float without groups; with groups a Series indexed by the sorted group labels
        (NaN for a group without durations).
    """
    d, e, codes, labels = _km_inputs(durations, observed, groups)
    n_groups = 1 if labels is None else len(labels)
    values = km_share_by_code(km_table(d, e, codes), float(t), n_groups)
    return float(values[0]) if labels is None else _by_label(values, labels)
