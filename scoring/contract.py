"""The frame contract shared with the data layer, and the conversions every module needs.

The data layer (``journeys/fieldwork/frames.py``) produces three frames with fixed column names; they are
documented in ``docs/scoring.md``. This module holds those names in one place, checks that a
frame carries what a function needs (a clear error beats a KeyError deep in numpy), and turns
tz-aware timestamps into float epoch seconds, the unit all timing arithmetic here works in.

Public names:
    CONTACT_COLUMNS, ANSWER_COLUMNS, CRITERION_COLUMNS: the contract's column names.
    LIVE_CHANNEL_KINDS: channel kinds with a wait and a handling time (store, phone, chat).
    CRITICAL_POLICIES, CRITERION_KINDS: allowed values.
    require_columns(frame, columns, frame_name): raise ValueError naming what is missing.
    epoch_seconds(values): tz-aware timestamps -> float seconds since 1970 (NaN for NaT).
    from_epoch_seconds(seconds): the inverse, as a ``datetime64[us, UTC]`` Series.
    as_of_seconds(as_of): one instant (tz-aware) -> float epoch seconds.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

__all__ = [
    "ANSWER_COLUMNS",
    "CONTACT_COLUMNS",
    "CRITERION_COLUMNS",
    "CRITERION_KINDS",
    "CRITICAL_POLICIES",
    "LIVE_CHANNEL_KINDS",
    "TIMESTAMP_COLUMNS",
    "as_of_seconds",
    "epoch_seconds",
    "from_epoch_seconds",
    "require_columns",
]

CONTACT_COLUMNS = (
    "contact_id", "brand", "location", "journey", "version_id", "wave", "channel", "channel_kind",
    "auditor", "started_at", "acknowledged_at", "first_response_at", "resolved_at", "due_at",
    "wait_seconds", "transfers", "redirected_to", "answer_correct", "first_response_target_s",
    "resolution_target_s", "business_hours",
)
ANSWER_COLUMNS = ("contact_id", "criterion_id", "value", "is_na")
CRITERION_COLUMNS = (
    "criterion_id", "version_id", "code", "section", "weight", "kind", "scale_min", "scale_max",
    "na_allowed", "critical_policy", "bonus", "channels",
)
TIMESTAMP_COLUMNS = ("started_at", "acknowledged_at", "first_response_at", "resolved_at", "due_at")
LIVE_CHANNEL_KINDS = frozenset({"store", "phone", "chat"})
CRITICAL_POLICIES = ("none", "zero_section", "zero_contact", "flag_fail")
CRITERION_KINDS = ("yesno", "scale")

_UNIT_PER_SECOND = {"s": 1.0, "ms": 1e3, "us": 1e6, "ns": 1e9}


def require_columns(frame: pd.DataFrame, columns: Iterable[str], frame_name: str) -> None:
    """Raise ``ValueError`` listing the columns of ``columns`` that ``frame`` lacks.

    Args:
        frame: the frame handed in by a caller.
        columns: the names the calling function reads.
        frame_name: how the error message calls the frame (e.g. ``"contacts"``).
    """
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{frame_name} frame lacks column(s) {', '.join(missing)} (see docs/scoring.md)")


def epoch_seconds(values) -> np.ndarray:
    """Tz-aware timestamps as float seconds since 1970-01-01 UTC; NaT becomes NaN.

    Float seconds keep microsecond precision for centuries around today and let timing code
    use plain numpy arithmetic and ``np.interp``.

    Args:
        values: a Series, Index or array of tz-aware timestamps (any unit), or an all-missing
            column (e.g. an object column of ``None``).

    Returns:
        A float64 array of the same length.

    Raises:
        ValueError: for tz-naive timestamps (the contract says UTC; guessing hides bugs).
    """
    series = values if isinstance(values, pd.Series) else pd.Series(values)
    if not isinstance(series.dtype, pd.DatetimeTZDtype):
        if series.isna().all():
            return np.full(len(series), np.nan)
        raise ValueError(f"expected tz-aware timestamps (UTC), got dtype {series.dtype}")
    array = series.array
    seconds = array.asi8 / _UNIT_PER_SECOND[array.unit]
    seconds[np.asarray(series.isna())] = np.nan
    return seconds


def from_epoch_seconds(seconds) -> pd.Series:
    """Float epoch seconds back to ``datetime64[us, UTC]`` (NaN becomes NaT).

    Args:
        seconds: float array-like.

    Returns:
        A Series with a fresh RangeIndex.
    """
    x = np.asarray(seconds, dtype=float)
    micro = np.round(x * 1e6)
    ints = np.where(np.isnan(micro), np.iinfo(np.int64).min, micro).astype(np.int64)
    values = ints.view("datetime64[us]")  # int64 min is NaT for numpy
    return pd.Series(values).dt.tz_localize("UTC")


def as_of_seconds(as_of) -> float:
    """One tz-aware instant (Timestamp, datetime or ISO string with offset) as epoch seconds.

    Args:
        as_of: the reference instant of a report.

    Returns:
        Float seconds since 1970 UTC.

    Raises:
        ValueError: when ``as_of`` is missing or has no time zone.
    """
    if as_of is None:
        raise ValueError("as_of is required: censoring and lateness depend on it")
    ts = pd.Timestamp(as_of)
    if ts is pd.NaT or ts.tzinfo is None:
        raise ValueError(f"as_of must be a tz-aware instant, got {as_of!r}")
    return ts.value / 1e9
