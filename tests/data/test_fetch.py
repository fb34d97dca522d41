"""``data.fetch.frame_of_cursor``: rows fetched a slice at a time make the same frame as all at
once, typed by the query (not by what one slice happens to hold), on both databases, with the
garbage collector paused while the rows come in; and ``journeys.fieldwork.frames`` reads through it."""

import gc
import threading
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st

from data.fetch import collector_paused, frame_of_cursor

_metadata = sa.MetaData()
SAMPLE = sa.Table(
    "fetch_sample", _metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("count", sa.BigInteger, nullable=True),
    sa.Column("flag", sa.Boolean, nullable=True),
    sa.Column("share", sa.Float, nullable=True),
    sa.Column("amount", sa.Numeric(10, 2), nullable=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("status", sa.String, nullable=True),
)
START = datetime(2026, 3, 29, 0, 59, 58, 123456, tzinfo=UTC)  # microseconds and a DST night in Amsterdam

row_values = st.fixed_dictionaries({
    "count": st.none() | st.integers(-10**12, 10**12),
    "flag": st.none() | st.booleans(),
    "share": st.none() | st.floats(-1e6, 1e6, allow_nan=False),
    "amount": st.none() | st.integers(-10**6, 10**6),  # cents
    "at": st.none() | st.integers(0, 10**10),  # microseconds after START
    "status": st.none() | st.sampled_from(["submitted", "released", "", "in beoordeling <b>"]),
})


def _stored(rows: list[dict]) -> list[dict]:
    return [{"id": i, **row, "amount": None if row["amount"] is None else Decimal(row["amount"]) / 100,
             "at": None if row["at"] is None else START + timedelta(microseconds=row["at"])}
            for i, row in enumerate(rows, start=1)]


def _read(engine, rows_per_slice: int) -> pd.DataFrame:
    query = sa.select(SAMPLE).order_by(SAMPLE.c.id)
    with engine.connect() as connection:
        result = connection.execute(query)
        try:
            return frame_of_cursor(result.cursor, [column.type for column in query.selected_columns], rows_per_slice)
        finally:
            result.close()


def _expected(rows: list[dict]) -> dict[str, list]:
    stored = _stored(rows)
    return {
        "count": [r["count"] for r in stored],
        "flag": [None if r["flag"] is None else int(r["flag"]) for r in stored],
        "share": [r["share"] for r in stored],
        "amount": [None if r["amount"] is None else float(r["amount"]) for r in stored],
        "at": [None if r["at"] is None else np.datetime64(r["at"].replace(tzinfo=None), "us") for r in stored],
        "status": [r["status"] for r in stored],
    }


def _check(frame: pd.DataFrame, rows: list[dict]) -> None:
    expected = _expected(rows)
    assert list(frame.columns) == ["id", "count", "flag", "share", "amount", "at", "status"]
    assert frame["id"].tolist() == list(range(1, len(rows) + 1))
    for column in ("count", "flag"):  # integers: int64 unless a NULL is among them, then float64 with NaN
        values = expected[column]
        if None in values:
            assert frame[column].dtype == np.float64
            assert frame[column].isna().tolist() == [v is None for v in values]
            assert [v for v in frame[column] if not np.isnan(v)] == [float(v) for v in values if v is not None]
        else:
            assert frame[column].dtype == np.int64 and frame[column].tolist() == values
    for column in ("share", "amount"):
        assert frame[column].dtype == np.float64
        assert [None if np.isnan(v) else v for v in frame[column]] == expected[column]
    assert frame["at"].dtype == "datetime64[us]"
    assert [None if pd.isna(v) else v.to_datetime64() for v in frame["at"]] == expected["at"]
    assert frame["status"].dtype == object and frame["status"].tolist() == expected["status"]
    # each distinct text is one object, not one per row
    texts = [v for v in frame["status"] if v is not None]
    assert len({id(v) for v in texts}) == len(set(texts))


def test_slices_make_the_frame_all_rows_make(engine):
    """Integers NULL only in a later slice, a slice with no value at all, timestamps with
    microseconds: a slice of 2 rows, of 3, and all at once give the same frame, typed by the query."""
    rows = [
        {"count": 5, "flag": True, "share": 0.5, "amount": 1999, "at": 0, "status": "released"},
        {"count": 7, "flag": False, "share": 1.25, "amount": -5, "at": 86_400 * 10**6, "status": "released"},
        {"count": None, "flag": None, "share": None, "amount": None, "at": None, "status": None},
        {"count": None, "flag": None, "share": None, "amount": None, "at": None, "status": None},
        {"count": 2**40, "flag": True, "share": -3.0, "amount": 0, "at": 1, "status": "submitted"},
    ]
    _metadata.create_all(engine)
    with engine.begin() as connection:
        connection.execute(sa.insert(SAMPLE), _stored(rows))
    frames = [_read(engine, n) for n in (1, 2, 3, 100)]
    _check(frames[-1], rows)
    for frame in frames[:-1]:
        pd.testing.assert_frame_equal(frame, frames[-1])
    # and with only the first two rows (no NULL at all): integers stay int64
    with engine.begin() as connection:
        connection.execute(sa.delete(SAMPLE).where(SAMPLE.c.id > 2))
    _check(_read(engine, 1), rows[:2])


def test_no_rows_give_empty_columns(engine):
    _metadata.create_all(engine)
    frame = _read(engine, 10)
    assert list(frame.columns) == ["id", "count", "flag", "share", "amount", "at", "status"] and frame.empty


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(row_values, max_size=12), slice_rows=st.integers(1, 5))
def test_any_rows_any_slice_on_sqlite(rows, slice_rows):
    """Random rows, random slice size (SQLite in memory): the frame of slices is the frame of all."""
    engine = sa.create_engine("sqlite://")
    _metadata.create_all(engine)
    if rows:
        with engine.begin() as connection:
            connection.execute(sa.insert(SAMPLE), _stored(rows))
    whole = _read(engine, 10**6)
    if rows:
        _check(whole, rows)
    pd.testing.assert_frame_equal(_read(engine, slice_rows), whole)
    engine.dispose()


def test_the_models_timestamps_are_parsed_as_they_are_fetched(engine):
    """The models' timestamps are a decorated type (``journeys.models.UTCDateTime``): read as the
    DateTime they store, so the contact read hands over datetime64 columns, not a string per row."""
    from sqlmodel import Session

    from journeys.fieldwork.frames import TIMESTAMP_COLUMNS, _contacts_select, _read
    from journeys.fieldwork.refresh import FRAME_FILTER
    from tests.factories import make_contact, make_world

    with Session(engine) as session:
        world = make_world(session)
        session.add_all([make_contact(world, "phone"), make_contact(world, "email")])
        session.commit()
    raw = _read(engine, _contacts_select(FRAME_FILTER, scores=True))
    assert len(raw) == 2
    for column in TIMESTAMP_COLUMNS:
        assert raw[column].dtype == "datetime64[us]", column
    assert raw["started_at"].notna().all()


class _Cursor:
    """A DB-API cursor of ``rows`` (one integer column) that notes whether the collector was on at
    each fetch, and can wait at its first fetch for ``gate`` or fail at its last."""

    description = (("n", None, None, None, None, None, None),)

    def __init__(self, rows: int, *, gate: threading.Event | None = None, fails: bool = False):
        self.rows, self.gate, self.fails, self.collecting = [(i,) for i in range(rows)], gate, fails, []

    def fetchmany(self, size: int):
        self.collecting.append(gc.isenabled())
        if self.gate is not None:
            self.gate.wait(timeout=30)
            self.gate = None
        part, self.rows = self.rows[:size], self.rows[size:]
        if not part and self.fails:
            raise RuntimeError("the driver lost its connection")
        return part


@pytest.fixture
def collecting():
    """The collector on at the start and again at the end, whatever a test did to it."""
    gc.enable()
    yield
    gc.enable()


def test_the_collector_is_paused_while_the_rows_come_in(collecting):
    cursor = _Cursor(5)
    frame = frame_of_cursor(cursor, [sa.Integer()], rows_per_slice=2)
    assert frame["n"].tolist() == [0, 1, 2, 3, 4]
    assert cursor.collecting == [False, False, False, False]
    assert gc.isenabled()


def test_a_collector_switched_off_before_stays_off(collecting):
    gc.disable()
    frame_of_cursor(_Cursor(3), [sa.Integer()], rows_per_slice=2)
    assert not gc.isenabled()


def test_the_collector_is_back_on_when_the_driver_fails(collecting):
    with pytest.raises(RuntimeError, match="lost its connection"):
        frame_of_cursor(_Cursor(3, fails=True), [sa.Integer()], rows_per_slice=2)
    assert gc.isenabled()


def test_the_collector_comes_back_on_when_the_last_of_two_readers_is_done(collecting):
    """Two sessions reading at once: the first to finish must not switch it on under the other."""
    gate = threading.Event()
    slow = _Cursor(4, gate=gate)
    reader = threading.Thread(target=frame_of_cursor, args=(slow, [sa.Integer()]), kwargs={"rows_per_slice": 2})
    reader.start()
    while not slow.collecting:  # the slow reader is inside, waiting at its first fetch
        threading.Event().wait(0.01)
    frame_of_cursor(_Cursor(3), [sa.Integer()], rows_per_slice=2)
    assert not gc.isenabled()  # the slow one still reads
    gate.set()
    reader.join(timeout=30)
    assert slow.collecting == [False, False, False]
    assert gc.isenabled()
    with collector_paused:
        assert not gc.isenabled()
    assert gc.isenabled()
