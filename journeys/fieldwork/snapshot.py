"""The dashboards' raw frames kept on local disk, so that a restarted process need not read every contact.

A full read (``journeys.fieldwork.refresh.read_frames``) of a million contacts takes about
20 seconds, almost all of it the driver handing over rows. After each full read
``journeys.fieldwork.refresh.refresh_frames`` gives the frames to a ``SnapshotStore``, which writes them as Parquet on a
background thread. A new process loads them in a fraction of that time and then brings them
up to date like any warm frames: only the contacts changed since are read again.

A snapshot is used only when it is the same data the database still holds up to its data
version, read by the same code:

- the file names are a hash of the database URL: one snapshot per database;
- ``code``: a hash of the modules that shape the frames, so after an upgrade the frames are
  read in full and not loaded in an older shape;
- anchors: the newest contact, change-log entry and review step of the snapshot's data
  version must still be there with the same timestamps. A database restored from a backup,
  replaced or seeded again under the same URL fails this, and is read in full;
- the time of its full read keeps counting toward ``journeys.fieldwork.refresh.FULL_READ_EVERY``:
  a snapshot older than that is read in full like any frames of that age.

The files hold contact data: the directory is created private (``0700``) and every file is
``0600``. The directory is ``KLANTREIS_CACHE_DIR``, by default ``klantreis`` in
``$XDG_CACHE_HOME`` (``~/.cache``); ``KLANTREIS_CACHE_DIR=off`` switches snapshots off. A
snapshot is a cache and never the only copy of anything: each replica keeps its own
(``docs/deployment.md``), and deleting the directory only costs the next start a full read.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from data.memory import release_freed_memory
from journeys.fieldwork import contact_filter, frames, refresh, scores
from journeys.models import ChangeLog, Contact, ReviewEvent

LOG = logging.getLogger(__name__)
CACHE_DIR_ENV = "KLANTREIS_CACHE_DIR"
OFF = "off"
FORMAT = 2  # bump when the files' layout changes
_META = b"klantreis"
_SAVER = "klantreis-frames-snapshot"  # the name of save_later's threads
_ROWS_PER_GROUP = 100_000  # written in slices: a million rows are never all in Arrow at once
# The row each anchor reads, by the position of its mark in ``frames.data_version``'s tuple.
_ANCHORS = ((refresh.CONTACT_MARK, Contact.id, Contact.started_at), (refresh.CHANGE_MARK, ChangeLog.id, ChangeLog.changed_at),
            (refresh.REVIEW_MARK, ReviewEvent.id, ReviewEvent.occurred_at))


def _code_hash() -> str:
    """A hash of the modules whose code decides the frames' rows and columns."""
    digest = hashlib.sha256(str(FORMAT).encode())
    for module in (frames, refresh, scores, contact_filter):
        digest.update(Path(module.__file__).read_bytes())
    return digest.hexdigest()


CODE = _code_hash()


def default_directory() -> Path | None:
    """The snapshot directory of this environment (see the module), None when switched off."""
    value = os.environ.get(CACHE_DIR_ENV, "").strip()
    if value.lower() == OFF:
        return None
    if value:
        return Path(value)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "klantreis"


def _anchors(engine: Engine, version: tuple) -> list[str | None]:
    with engine.connect() as connection:
        found = []
        for position, key, stamp in _ANCHORS:
            mark = version[position]
            value = None if mark is None else connection.execute(sa.select(stamp).where(key == mark)).scalar()
            found.append(None if value is None else value.isoformat())
    return found


@dataclass(frozen=True)
class SnapshotStore:
    """Snapshots of ``refresh.Frames`` in ``directory``, one per database (see the module)."""

    directory: Path

    @classmethod
    def from_environment(cls) -> SnapshotStore | None:
        """The store of ``default_directory()``, None when snapshots are switched off."""
        directory = default_directory()
        return None if directory is None else cls(directory)

    def path(self, engine: Engine) -> Path:
        """The snapshot file of ``engine``'s database."""
        name = hashlib.sha256(engine.url.render_as_string(hide_password=False).encode()).hexdigest()[:24]
        return self.directory / f"contacts-{name}.parquet"

    def save(self, engine: Engine, snapshot: refresh.Frames) -> None:
        """Write the contacts of ``snapshot`` (frames from a full read) for ``engine``'s database,
        replacing the last. The criteria are not kept: reading them is cheap, and a snapshot
        whose criteria changed since is read in full anyway (``refresh.changed_contacts``)."""
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        meta = {"format": FORMAT, "code": CODE, "version": list(snapshot.version),
                "read_at": snapshot.read_at.isoformat(), "anchors": _anchors(engine, snapshot.version)}
        path = self.path(engine)
        temporary = path.with_name(f"{path.name}.{uuid.uuid4().hex}.tmp")
        try:
            _write(temporary, snapshot.contacts, meta)
            os.replace(temporary, path)  # a reader sees the old file or the new one, never half of one
        finally:
            temporary.unlink(missing_ok=True)

    def save_later(self, engine: Engine, snapshot: refresh.Frames) -> threading.Thread:
        """``save`` on a background thread (the full read's caller does not wait); a failure is logged."""
        def run() -> None:
            try:
                self.save(engine, snapshot)
            except Exception:  # noqa: BLE001 - a snapshot is a cache: failing to write one costs a full read later
                LOG.warning("could not write the frames snapshot to %s", self.directory, exc_info=True)
            finally:
                release_freed_memory()  # the Arrow slices it wrote, not kept for the process's life

        thread = threading.Thread(target=run, name=_SAVER)
        thread.start()
        return thread

    def load(self, engine: Engine) -> refresh.Frames | None:
        """The snapshot of ``engine``'s database if there is one still valid for it (see the module), else None."""
        path = self.path(engine)
        try:
            meta = json.loads(pq.read_schema(path).metadata[_META])
            if meta.get("format") != FORMAT or meta.get("code") != CODE:
                return None
            version = tuple(meta["version"])
            if _anchors(engine, version) != meta["anchors"]:
                return None
            contacts = _read(path, meta["objects"], meta["plain"])
        except (OSError, ValueError, KeyError, TypeError, pa.ArrowException):
            return None  # none yet, or unreadable: a full read
        return refresh.Frames(contacts, frames.read_criteria(engine), version, datetime.fromisoformat(meta["read_at"]))


def wait_for_saves() -> None:
    """Wait until the snapshots being written on background threads are written."""
    for thread in threading.enumerate():
        if thread.name == _SAVER:
            thread.join()


def _write(path: Path, frame: pd.DataFrame, meta: dict) -> None:
    schema = pa.Schema.from_pandas(frame, preserve_index=False)  # its metadata keeps pandas' dtypes (Int64...)
    # the text columns (an object column of str and None): read back as shared strings, see _read
    objects = [name for name in schema.names if pa.types.is_string(schema.field(name).type)
               or (pa.types.is_null(schema.field(name).type) and frame[name].dtype == np.dtype(object))]
    # a text column of (nearly) one value per row, such as the external ids, is read back plain:
    # as a dictionary it took 0.8 s of a million rows' 1.5 s read (judged on the first slice)
    sample = frame.iloc[:_ROWS_PER_GROUP]
    plain = [name for name in objects if sample[name].nunique() > len(sample) // 2]
    meta = {**meta, "objects": objects, "plain": plain}
    schema = schema.with_metadata({**schema.metadata, _META: json.dumps(meta).encode()})
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as file, pq.ParquetWriter(file, schema) as writer:
        for start in range(0, max(len(frame), 1), _ROWS_PER_GROUP):
            part = frame.iloc[start:start + _ROWS_PER_GROUP]
            writer.write_table(pa.Table.from_pandas(part, schema=schema, preserve_index=False))


def _read(path: Path, objects: list[str], plain: list[str]) -> pd.DataFrame:
    """The frame at ``path`` as it was written; ``objects``: its text columns, ``plain`` those of
    them not to read dictionary-encoded.

    Text columns are laid out as object columns again: every row of a dictionary-encoded one
    points at one string per distinct value (as ``frames.read_contacts`` shares them), and a
    missing value is None, not NaN.
    """
    shared = [name for name in objects if name not in plain]
    frame = pq.read_table(path, read_dictionary=shared).to_pandas(self_destruct=True, split_blocks=True)
    for column in objects:
        if isinstance(frame[column].dtype, pd.CategoricalDtype):
            categories = frame[column].cat
            values = np.append(np.asarray(categories.categories, dtype=object), None)  # code -1: missing
            values = values[categories.codes.to_numpy()]
        elif column in plain:
            values = frame[column].to_numpy(dtype=object, na_value=None)
        else:  # a column with no value at all was written as Arrow's null type
            values = np.full(len(frame), None, dtype=object)
        frame[column] = pd.Series(values, index=frame.index, dtype=object)
    return frame
