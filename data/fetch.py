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
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import sqlalchemy as sa

ROWS_PER_SLICE = 50_000


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
        # which would otherwise all be held until the reader converted them
        stamps = pd.to_datetime(np.array(values, dtype=object), utc=True, format="ISO8601")
        return stamps.tz_localize(None).as_unit("us").to_numpy()  # naive UTC: ``frames._as_utc`` marks it UTC
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
    while rows := cursor.fetchmany(rows_per_slice):
        for part, values, type_, seen in zip(parts, zip(*rows), types, texts, strict=True):
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
