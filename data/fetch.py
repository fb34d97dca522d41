"""A large result from the database driver into typed columns, a slice of rows at a time.

A driver hands rows over as tuples of Python values, several times their size in a frame's
columns. Fetching every contact at once (the cursor's fetchall) held all those tuples just to copy them
into columns, and was the dashboard process's peak memory: at a million contacts the read
peaked at 2.2 GB, against 1.3 GB a slice at a time (``bench/bench_scale.py``'s demo database).
``frame_of_cursor`` fetches ``ROWS_PER_SLICE`` rows at a time and turns each slice into typed
columns before the next, so the tuples alive at any moment are one slice's.

The columns are typed by the query's SQL types, not guessed from the values (as
``pandas.DataFrame.from_records`` does: a slice whose values are all NULL would guess
differently from the next): ``column_of`` says how.

The garbage collector is paused while the rows come in (``collector_paused``): each row is a
new tuple, which the collector tracks, so a million rows set off thousands of collections, the
later ones walking every object the process holds (a million contacts: 1.5 s of a 12 s read on
this repository's benchmark machine). The rows hold scalars only, so they form no cycles for it to find.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Sequence

import numpy as np
import pandas as pd
import sqlalchemy as sa

ROWS_PER_SLICE = 50_000


class _CollectorPause:
    """The garbage collector off while any thread is inside, back on when the last one leaves
    (and only if it was on when the first came in: a collector someone else switched off stays off)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._inside = 0
        self._resume = False

    def __enter__(self) -> None:
        with self._lock:
            if self._inside == 0:
                self._resume = gc.isenabled()
                gc.disable()
            self._inside += 1

    def __exit__(self, *exc) -> None:
        with self._lock:
            self._inside -= 1
            if self._inside == 0 and self._resume:
                gc.enable()


collector_paused = _CollectorPause()


def column_of(values: Sequence, type_: sa.types.TypeEngine, texts: dict | None = None) -> np.ndarray:
    """Raw driver values of one column as the array its SQL type calls for: int64 for integers
    and booleans with no NULL among them (float64, NaN for NULL, when there is one), float64 for
    reals, datetime64[us] of UTC (naive) for timestamps (NaT for NULL; SQLite's text without an
    offset is UTC, as the app writes it), else object (the values, None for NULL, each distinct one a single
    object: ``texts`` keeps them across the slices of one column). A decorated type
    (``sa.TypeDecorator``, such as the models' UTC timestamps) is read as the type it stores:
    the driver's raw values are of that type."""
    while isinstance(type_, sa.TypeDecorator):
        type_ = type_.impl
    if isinstance(type_, sa.Integer | sa.Boolean):
        try:
            return np.array(values, dtype=np.int64)
        except TypeError:  # a NULL among them
            return np.array(values, dtype=np.float64)
    if isinstance(type_, sa.Float | sa.Numeric):
        return np.array(values, dtype=np.float64)
    if isinstance(type_, sa.DateTime):
        # parsed here, slice by slice: SQLite hands over text, a new string per row and column,
        # which would otherwise all be held until the reader converted them; only the values
        # there are parsed (pandas parses a column with many NULLs three times slower)
        raw = np.array(values, dtype=object)
        present = np.not_equal(raw, None)
        stamps = np.full(len(raw), np.datetime64("NaT", "us"))
        if present.any():
            parsed = pd.to_datetime(raw[present], utc=True, format="ISO8601")
            stamps[present] = parsed.tz_localize(None).as_unit("us").to_numpy()
        return stamps  # naive UTC: ``frames._as_utc`` marks it UTC
    # the driver makes a new string per row: a status column of a million rows held a million
    # copies of a few words
    texts = {} if texts is None else texts
    try:
        return np.array([texts.setdefault(value, value) for value in values], dtype=object)
    except TypeError:  # an unhashable value (a JSON document): kept as they are
        return np.array(values, dtype=object)


def frame_of_cursor(cursor, types: Sequence[sa.types.TypeEngine], rows_per_slice: int = ROWS_PER_SLICE
                    ) -> pd.DataFrame:
    """Every remaining row of the DB-API ``cursor`` as a frame: its columns named as in
    ``cursor.description`` and typed by ``types`` (the SQL types of the selected columns, in
    order; see ``column_of``), fetched ``rows_per_slice`` at a time."""
    names = [d[0] for d in cursor.description]
    if len(types) != len(names):
        raise ValueError(f"{len(types)} column types for {len(names)} columns")
    parts: list[list[np.ndarray]] = [[] for _ in names]
    texts: list[dict] = [{} for _ in names]
    with collector_paused:
        while rows := cursor.fetchmany(rows_per_slice):
            for part, values, type_, seen in zip(parts, zip(*rows, strict=True), types, texts, strict=True):
                part.append(column_of(values, type_, seen))
            del rows  # before the next slice is fetched: one slice's tuples alive at a time, not two
    # An integer column NULL in only some slices joins as float64, as it would convert at once; no
    # rows at all still give each column its type. Each column goes in as a Series of its own
    # dtype: from a bare object array pandas would make text its string type (None becoming NaN,
    # the shared strings copied out).
    joined = {name: np.concatenate(part) if part else column_of((), type_)
              for name, part, type_ in zip(names, parts, types, strict=True)}
    return pd.DataFrame({name: pd.Series(values, dtype=values.dtype, copy=False) for name, values in joined.items()},
                        copy=False)
