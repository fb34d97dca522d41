"""The frames snapshot on disk (journeys.fieldwork.snapshot), on SQLite and PostgreSQL: loaded it
equals the full read it was taken from; a process that starts from it and refreshes equals a full
read of that moment; it is never used for another database, other code or rows that changed
behind the change log's back."""

import json
import os
import stat
from datetime import timedelta

import pandas as pd
import pyarrow.parquet as pq
import pytest
import sqlalchemy as sa

from data.db import write_scope
from journeys.fieldwork import refresh, snapshot
from journeys.fieldwork.contacts import AnswerIn, save_contact
from journeys.fieldwork.snapshot import SnapshotStore
from journeys.models import ChangeLog
from tests.fieldwork.test_refresh import NOW, _assert_equals_a_full_read, _logged, _world


@pytest.fixture
def store(tmp_path) -> SnapshotStore:
    return SnapshotStore(tmp_path / "cache")


def _saved(engine, store: SnapshotStore) -> refresh.Frames:
    """A full read, saved in ``store`` as ``refresh_frames`` saves one (waiting until it is written)."""
    frames = refresh.read_frames(engine)
    store.save_later(engine, frames).join()
    return frames


def test_a_loaded_snapshot_equals_the_full_read_it_was_taken_from(engine, store):
    w = _world(engine)
    _logged(engine, w)
    _logged(engine, w, values=(0, 0, 0), channel="phone")
    frames = _saved(engine, store)
    loaded = store.load(engine)
    assert loaded is not None and loaded.version == frames.version and loaded.read_at == frames.read_at
    pd.testing.assert_frame_equal(loaded.contacts, frames.contacts)  # values, dtypes (Int64, UTC times) and order
    pd.testing.assert_frame_equal(loaded.criteria, frames.criteria)
    # text columns come back as shared strings with None for missing, as a read puts them on
    assert loaded.contacts["redirected_to"].isna().all() and loaded.contacts["redirected_to"].iloc[0] is None
    assert loaded.contacts["brand"].iloc[0] is loaded.contacts["brand"].iloc[1]


def test_a_process_starting_from_the_snapshot_reads_only_what_changed_since(engine, store):
    w = _world(engine)
    first = _logged(engine, w)
    frames = _saved(engine, store)
    second = _logged(engine, w, channel="phone")  # saved after the snapshot
    with write_scope(engine) as session:  # and an answer of the first corrected
        save_contact(session=session, actor=w["auditor"], contact_id=first, now=NOW,
                     answers=[AnswerIn(criterion_id=w["criteria"][2].id, value=1.0)])
    started = refresh.refresh_frames(engine, None, snapshots=store)  # a new process: no frames yet
    assert started.read_at == frames.read_at and started.patched > 0  # from the snapshot, patched
    assert set(started.contacts["contact_id"]) == {first, second}
    _assert_equals_a_full_read(engine, started)


def test_a_full_read_writes_the_snapshot_a_new_process_starts_from(engine, store):
    w = _world(engine)
    _logged(engine, w)
    assert store.load(engine) is None  # none yet
    frames = refresh.refresh_frames(engine, None, snapshots=store)
    snapshot.wait_for_saves()
    loaded = store.load(engine)
    assert loaded is not None and loaded.read_at == frames.read_at
    # the file holds contact data: private to the app's user
    assert stat.S_IMODE(os.stat(store.path(engine)).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(store.directory).st_mode) == 0o700


def test_a_snapshot_is_not_used_when_the_rows_it_anchors_on_changed(engine, store):
    """The same URL holding other data (a restored backup, a database seeded again): the newest
    change-log entry of the snapshot's version is not the same row any more."""
    w = _world(engine)
    _logged(engine, w)
    frames = _saved(engine, store)
    with engine.begin() as connection:
        mark = frames.version[1]
        connection.execute(sa.update(ChangeLog).where(ChangeLog.id == mark).values(changed_at=NOW - timedelta(days=400)))
    assert store.load(engine) is None
    started = refresh.refresh_frames(engine, None, snapshots=store)
    assert started.patched == 0  # read in full
    _assert_equals_a_full_read(engine, started)


def test_a_snapshot_of_other_code_another_database_or_a_broken_file_is_not_used(engine, store, monkeypatch, tmp_path):
    w = _world(engine)
    _logged(engine, w)
    _saved(engine, store)
    assert store.load(engine) is not None
    monkeypatch.setattr(snapshot, "CODE", "the code after an upgrade")
    assert store.load(engine) is None
    monkeypatch.undo()
    other = sa.create_engine(f"sqlite:///{tmp_path / 'other.db'}")
    assert store.load(other) is None  # its own file name: no snapshot of it yet
    store.path(engine).write_bytes(b"not parquet")
    assert store.load(engine) is None


def test_the_snapshot_folder_comes_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv(snapshot.CACHE_DIR_ENV, "off")
    assert SnapshotStore.from_environment() is None
    monkeypatch.setenv(snapshot.CACHE_DIR_ENV, str(tmp_path))
    assert SnapshotStore.from_environment() == SnapshotStore(tmp_path)
    monkeypatch.delenv(snapshot.CACHE_DIR_ENV)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert SnapshotStore.from_environment() == SnapshotStore(tmp_path / "xdg" / "klantreis")


def test_text_of_about_one_value_per_row_is_read_back_plain(tmp_path):
    """The external ids are (nearly) one per row: not read as a dictionary (slow for a million
    distinct values), yet back as the same object column; shared names still come back shared."""
    frame = pd.DataFrame({
        "contact_id": range(6),
        "external_id": pd.Series(["a1", "a2", None, "a4", "a5", "a6"], dtype=object),
        "brand": pd.Series(["X", "X", "Y", None, "X", "Y"], dtype=object),
    })
    path = tmp_path / "frame.parquet"
    snapshot._write(path, frame, {})
    meta = json.loads(pq.read_schema(path).metadata[snapshot._META])
    assert meta["objects"] == ["external_id", "brand"] and meta["plain"] == ["external_id"]
    loaded = snapshot._read(path, meta["objects"], meta["plain"])
    pd.testing.assert_frame_equal(loaded, frame)
    assert loaded["external_id"].iloc[2] is None and loaded["brand"].iloc[3] is None
    assert loaded["brand"].iloc[0] is loaded["brand"].iloc[1]
