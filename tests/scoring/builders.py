"""Tiny builders for the three contract frames, so each test states only what it is about."""

from __future__ import annotations

import numpy as np
import pandas as pd

UTC_DTYPE = "datetime64[us, UTC]"
TIMESTAMPS = ("started_at", "acknowledged_at", "first_response_at", "resolved_at", "due_at")


def ts(text: str | None) -> pd.Timestamp:
    """A UTC timestamp from ``"2026-03-02 10:00"`` (None gives NaT)."""
    return pd.NaT if text is None else pd.Timestamp(text, tz="UTC")


def criteria_frame(*rows: dict) -> pd.DataFrame:
    """Criteria with defaults: yes/no, weight 1, section S, no policy, all channels, version 1."""
    defaults = dict(version_id=1, section="S", weight=1.0, kind="yesno", scale_min=np.nan, scale_max=np.nan,
                    na_allowed=True, critical_policy="none", bonus=False, channels=())
    records = []
    for i, row in enumerate(rows, start=1):
        record = {"criterion_id": i, "code": f"C{i}", **defaults, **row}
        records.append(record)
    frame = pd.DataFrame(records)
    frame["weight"] = frame["weight"].astype(float)
    frame["scale_min"] = frame["scale_min"].astype(float)
    frame["scale_max"] = frame["scale_max"].astype(float)
    frame["bonus"] = frame["bonus"].astype(bool)
    frame["na_allowed"] = frame["na_allowed"].astype(bool)
    return frame


def answers_frame(contact_values: dict[int, dict[int, float | None]]) -> pd.DataFrame:
    """Answers from ``{contact_id: {criterion_id: value}}``; a value of None is an N/A answer."""
    rows = [(c, k, np.nan if v is None else float(v), v is None)
            for c, given in contact_values.items() for k, v in given.items()]
    frame = pd.DataFrame(rows, columns=["contact_id", "criterion_id", "value", "is_na"])
    return frame.astype({"contact_id": "int64", "criterion_id": "int64", "value": float, "is_na": bool})


def contacts_frame(*rows: dict) -> pd.DataFrame:
    """Contacts with contract columns; timestamps given as strings, defaults for the rest."""
    defaults = dict(brand="Koopklik", location=None, journey="Parcel", version_id=1, wave="2026-Q1",
                    channel="email", channel_kind="email", auditor=None, started_at="2026-03-02 09:00",
                    acknowledged_at=None, first_response_at=None, resolved_at=None, due_at=None,
                    wait_seconds=np.nan, transfers=np.nan, redirected_to=None, answer_correct=None,
                    first_response_target_s=np.nan, resolution_target_s=np.nan, business_hours=False)
    records = [{"contact_id": i, **defaults, **row} for i, row in enumerate(rows, start=1)]
    frame = pd.DataFrame(records)
    for column in TIMESTAMPS:
        frame[column] = pd.Series([ts(v) if isinstance(v, str) or v is None else v for v in frame[column]],
                                  dtype=UTC_DTYPE)
    frame["answer_correct"] = frame["answer_correct"].astype("boolean")
    for column in ("wait_seconds", "transfers", "first_response_target_s", "resolution_target_s"):
        frame[column] = frame[column].astype(float)
    frame["business_hours"] = frame["business_hours"].astype(bool)
    frame["contact_id"] = frame["contact_id"].astype("int64")
    frame["version_id"] = frame["version_id"].astype("int64")
    for column in ("location", "wave", "auditor", "redirected_to"):
        frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
    return frame
