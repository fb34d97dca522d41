"""Time to first response per channel, as the Dashboard's two timing charts show it.

``response_time_table``: the spread of answered contacts' first-response times beside the
Kaplan–Meier median (unanswered contacts censored) and the target, per channel.
``survival_table``: the Kaplan–Meier share answered over time per channel, thinned for the
browser. The Kaplan–Meier median is the metric tables' (``scoring.metrics.km_median_first_response``);
docs/scoring.md, "Response-time tables".
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from scoring import stats
from scoring.metrics import MIN_CONTACTS, group_codes, km_median_first_response

__all__ = ["RESPONSE_TIME_COLUMNS", "SURVIVAL_COLUMNS", "SURVIVAL_POINTS", "response_time_table", "survival_table"]

SURVIVAL_POINTS = 60  # points per channel curve sent to the browser
RESPONSE_TIME_COLUMNS = ("channel", "p10", "p25", "p50", "p75", "p90", "km_median", "target", "n", "unanswered",
                         "insufficient")
SURVIVAL_COLUMNS = ("channel", "seconds", "share_answered", "n", "insufficient")


def response_time_table(timed: pd.DataFrame) -> pd.DataFrame:
    """Per channel: spread of answered first-response times, KM median, target, n, unanswered.

    Args:
        timed: contacts through ``timeliness`` (``responded``, ``first_response_s``,
            ``response_time_s``, ``first_response_target_s``) with a ``channel`` column.

    Returns:
        One row per channel with ``RESPONSE_TIME_COLUMNS``: ``p10``..``p90`` quantiles of the
        answered contacts' wall-clock seconds, ``km_median`` (Kaplan–Meier, unanswered
        censored), ``target`` (median first-response target), ``n`` contacts, ``unanswered``
        and ``insufficient`` (n < ``MIN_CONTACTS``). Seconds are clipped to at least 1: the
        chart's log axis cannot show zero.
    """
    if timed.empty:
        return pd.DataFrame(columns=list(RESPONSE_TIME_COLUMNS))
    codes, channels = group_codes(timed, ["channel"])  # integer codes: no string work per row
    g = len(channels)
    responded = timed["responded"].to_numpy(bool)
    answered = pd.Series(timed["first_response_s"].to_numpy(float)).where(responded)
    quantiles = answered.groupby(codes).quantile([0.1, 0.25, 0.5, 0.75, 0.9]).unstack()
    quantiles = quantiles.reindex(range(g)).to_numpy()
    km = km_median_first_response(timed, codes, g)  # the metric tables' KM median, clipped below
    target = pd.Series(timed["first_response_target_s"].to_numpy(float)).groupby(codes).median()
    table = pd.DataFrame({
        "channel": np.asarray(channels, dtype=object),
        "p10": quantiles[:, 0], "p25": quantiles[:, 1], "p50": quantiles[:, 2], "p75": quantiles[:, 3],
        "p90": quantiles[:, 4],
        "km_median": km,
        "target": target.reindex(range(g)).to_numpy(),
        "n": np.bincount(codes, minlength=g),
        "unanswered": np.bincount(codes, weights=~responded, minlength=g).astype(int),
    })
    table["insufficient"] = table["n"] < MIN_CONTACTS
    for column in ("p10", "p25", "p50", "p75", "p90", "km_median", "target"):
        table[column] = table[column].clip(lower=1)
    return table


def survival_table(timed: pd.DataFrame, points: int = SURVIVAL_POINTS) -> pd.DataFrame:
    """Kaplan–Meier share answered over time per channel, thinned to ``points`` per channel.

    Args:
        timed: contacts through ``timeliness`` with a ``channel`` column.
        points: at most this many points per curve, evenly spaced on a log time axis (the
            last point always kept).

    Returns:
        ``SURVIVAL_COLUMNS``: per channel and kept time ``seconds``, ``share_answered``
        (1 − Kaplan–Meier survival), the channel's ``n`` contacts and ``insufficient``.
    """
    codes, channels = group_codes(timed, ["channel"])
    wait = timed["response_time_s"].to_numpy(float)
    has_wait = ~np.isnan(wait)  # a contact without a start time has no duration to count
    table = stats.km_table(wait[has_wait], timed["responded"].to_numpy(bool)[has_wait], codes[has_wait])
    sizes = np.bincount(codes, minlength=len(channels))
    parts = []
    for code, curve in table.groupby("g", sort=True):
        curve = curve[curve["time"] > 0]
        if curve.empty:
            continue
        grid = np.unique(np.geomspace(curve["time"].iloc[0], curve["time"].iloc[-1], points))
        idx = np.searchsorted(curve["time"].to_numpy(), grid, side="right") - 1
        thinned = curve.iloc[np.unique(np.clip(idx, 0, len(curve) - 1))]
        parts.append(pd.DataFrame({
            "channel": str(channels[code]),
            "seconds": thinned["time"].to_numpy(),
            "share_answered": 1.0 - thinned["survival"].to_numpy(),
            "n": int(sizes[code]),
            "insufficient": bool(sizes[code] < MIN_CONTACTS),
        }))
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=list(SURVIVAL_COLUMNS))
