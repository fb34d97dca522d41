"""`klantreis backup` and `restore` never harm the data they protect.

A backup cannot overwrite the live database (however its path is spelled), appears only when
complete, and never takes the write lock; a damaged or cut-off backup is refused in one line
with the target database untouched.
"""

import errno
import gzip
import json
import os
import sqlite3
import threading

import pytest
import sqlalchemy as sa

from cli import backup as backup_command
from data import db
from journeys.models import Contact
from tests.cli.test_agreement_backup import _drop, _fresh_url
from tests.factories import make_contact, make_world


def _seed(url: str, count: int = 5) -> None:
    with db.session_scope(db.get_engine(url)) as session:
        world = make_world(session)
        session.add_all(make_contact(world, external_id=f"b{i}", notes=f"note {i}") for i in range(count))


def _notes(url: str) -> list[str]:
    with db.get_engine(url).connect() as connection:
        return list(connection.execute(sa.select(Contact.notes).order_by(Contact.id)).scalars())


def _one_error_line(result) -> str:
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    return lines[0]


SPELLINGS = {
    "same path": lambda live, tmp: live,
    "relative path": lambda live, tmp: live.relative_to(tmp),
    "with ..": lambda live, tmp: live.parent / ".." / live.parent.name / live.name,
    "symlink": lambda live, tmp: _linked(tmp / "link.db", live, os.symlink),
    "hard link": lambda live, tmp: _linked(tmp / "hard.db", live, os.link),
    "its WAL file": lambda live, tmp: live.with_name(live.name + "-wal"),
}


def _linked(link, target, make):
    make(target, link)
    return link


# Only a SQLite database is a file that a backup could be written over.
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("portable", [True, False], ids=["portable", "native"])
@pytest.mark.parametrize("spelling", SPELLINGS)
def test_backup_refuses_to_overwrite_the_live_database(cli, db_url, tmp_path, monkeypatch, spelling, portable):
    """`backup FILE --force` where FILE is the live database, in any spelling, is refused and changes nothing."""
    _seed(db_url)
    monkeypatch.chdir(tmp_path)
    live = sa.make_url(db_url).database
    target = SPELLINGS[spelling](tmp_path / os.path.basename(live), tmp_path)
    before = _notes(db_url)
    line = _one_error_line(cli("backup", target, "--force", *(["--portable"] if portable else [])))
    assert "is the live database" in line
    db.dispose_engines()
    assert open(live, "rb").read(16) == backup_command.SQLITE_MAGIC
    assert _notes(db_url) == before


@pytest.fixture
def empty_target(db_url, tmp_path, monkeypatch):
    """A second, empty database of the same kind, configured for the CLI; dropped afterwards."""
    url = _fresh_url(db_url, tmp_path, "target")
    db.upgrade(url)
    monkeypatch.setenv(db.DATABASE_URL_ENV, url)
    yield url
    _drop(url)


def _untouched(url: str) -> None:
    """The target is still an empty, sound, migrated database."""
    db.dispose_engines()
    assert _notes(url) == []
    assert db.current_revision(url) == db.head_revision()
    if db.is_sqlite(url):
        with sqlite3.connect(sa.make_url(url).database) as connection:
            assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]


def _cut(data: bytes, keep: int) -> bytes:
    return data[:keep]


def _scribble(data: bytes, page: int = 4096) -> bytes:
    return data[: 2 * page] + b"\xa5" * page + data[3 * page:]


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize(
    "damage",
    [lambda d: _cut(d, 20_000), lambda d: _cut(d, len(d) - 4096), _scribble],
    ids=["first 20 kB", "last page missing", "a page overwritten"],
)
def test_restore_refuses_a_damaged_sqlite_backup(cli, db_url, tmp_path, damage, monkeypatch):
    """A cut-off or scribbled SQLite backup is refused in one line; the empty target stays as it was."""
    _seed(db_url)
    good = tmp_path / "good.db"
    assert cli("backup", good).exit_code == 0
    damaged = tmp_path / "damaged.db"
    damaged.write_bytes(damage(good.read_bytes()))
    target = f"sqlite:///{tmp_path / 'target.db'}"
    db.upgrade(target)
    monkeypatch.setenv(db.DATABASE_URL_ENV, target)
    line = _one_error_line(cli("restore", damaged))
    assert f"{damaged} is damaged or incomplete" in line and "nothing was restored" in line
    _untouched(target)
    assert cli("restore", good).exit_code == 0  # the sound backup still restores
    assert _notes(target) == [f"note {i}" for i in range(5)]


def _portable_damages(good: bytes) -> dict[str, bytes]:
    snapshot = json.loads(gzip.decompress(good))
    text = json.dumps(snapshot)
    unknown = json.loads(text)
    unknown["tables"]["contact"]["columns"][1] = "no_such_column"
    doubled = json.loads(text)
    doubled["tables"]["contact"]["rows"] *= 2  # the same ids twice: the database refuses the second copy
    return {
        "cut in half": good[: len(good) // 2],
        "JSON cut off": gzip.compress(text[: len(text) // 2].encode()),
        "unknown column": gzip.compress(json.dumps(unknown).encode()),
        "duplicate rows": gzip.compress(json.dumps(doubled).encode()),
    }


@pytest.mark.parametrize("damage", ["cut in half", "JSON cut off", "unknown column", "duplicate rows"])
def test_restore_refuses_a_damaged_portable_backup(cli, db_url, tmp_path, damage, monkeypatch):
    """A cut-off or inconsistent portable backup ends in one line (not "Aborted."); nothing is restored."""
    _seed(db_url)
    good = tmp_path / "good.json.gz"
    assert cli("backup", good, "--portable").exit_code == 0
    damaged = tmp_path / "damaged.json.gz"
    damaged.write_bytes(_portable_damages(good.read_bytes())[damage])
    target = _fresh_url(db_url, tmp_path, "target")
    try:
        db.upgrade(target)
        monkeypatch.setenv(db.DATABASE_URL_ENV, target)
        line = _one_error_line(cli("restore", damaged))
        assert ("is damaged or incomplete" in line) if damage != "duplicate rows" else ("the same key twice" in line)
        _untouched(target)
    finally:
        _drop(target)


@pytest.mark.parametrize("portable", [True, False], ids=["portable", "native"])
def test_a_failed_backup_leaves_no_file(cli, db_url, tmp_path, monkeypatch, portable):
    """A disk that fills up mid-backup leaves no half-written file and an older backup as it was."""
    _seed(db_url)
    target = tmp_path / "snapshot.bak"
    target.write_bytes(b"the previous backup")

    def disk_full(*_args, **_kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    if portable or not db.is_sqlite(db_url):
        monkeypatch.setattr(backup_command.json, "dump", disk_full)
        line = _one_error_line(cli("backup", target, "--force", "--portable"))
    else:
        monkeypatch.setattr(backup_command, "_sqlite_copy",
                            lambda *_a, **_k: (_ for _ in ()).throw(sqlite3.OperationalError("database or disk is full")))
        line = _one_error_line(cli("backup", target, "--force"))
    assert "was not written (the disk is full)" in line
    assert target.read_bytes() == b"the previous backup"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []  # no partial file left


def test_backup_never_holds_the_write_lock(db_url, tmp_path, monkeypatch):
    """While a portable backup is exporting, another connection saves and reads at once; the backup
    holds the state from before that save."""
    _seed(db_url)
    exporting, release = threading.Event(), threading.Event()
    encode = backup_command._encode

    def paused_encode(value):
        exporting.set()
        release.wait(30)
        return encode(value)

    monkeypatch.setattr(backup_command, "_encode", paused_encode)
    path = tmp_path / "snapshot.json.gz"
    engine = db.get_engine(db_url)
    worker = threading.Thread(target=backup_command.portable_backup, args=(engine, path))
    worker.start()
    try:
        assert exporting.wait(30)
        if db.is_sqlite(db_url):
            other = sqlite3.connect(sa.make_url(db_url).database, timeout=0, isolation_level=None)
            other.execute("BEGIN IMMEDIATE")  # "database is locked" at once if the backup held the lock
            other.execute("UPDATE contact SET notes = 'saved during the backup' WHERE external_id = 'b0'")
            other.execute("COMMIT")
            assert other.execute("SELECT count(*) FROM contact").fetchone() == (5,)
            other.close()
        else:
            with sa.create_engine(db_url).connect() as other:
                other.exec_driver_sql("SET lock_timeout = '2s'")
                other.execute(sa.update(Contact).where(Contact.external_id == "b0").values(notes="saved during the backup"))
                other.commit()
                assert other.execute(sa.select(sa.func.count()).select_from(Contact)).scalar_one() == 5
    finally:
        release.set()
        worker.join(60)
    snapshot = json.loads(gzip.decompress(path.read_bytes()))
    contacts = snapshot["tables"]["contact"]
    notes = {row[contacts["columns"].index("notes")] for row in contacts["rows"]}
    assert notes == {f"note {i}" for i in range(5)}
    assert "saved during the backup" in _notes(db_url)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_native_backup_runs_beside_an_open_write(cli, db_url, tmp_path):
    """A SQLite backup taken while another connection holds the write lock finishes, without that write."""
    _seed(db_url)
    other = sqlite3.connect(sa.make_url(db_url).database, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    other.execute("UPDATE contact SET notes = 'not committed' WHERE external_id = 'b0'")
    try:
        result = cli("backup", tmp_path / "snapshot.db")
        assert result.exit_code == 0, result.output
    finally:
        other.execute("ROLLBACK")
        other.close()
    with sqlite3.connect(tmp_path / "snapshot.db") as copy:
        assert copy.execute("SELECT notes FROM contact ORDER BY id").fetchall() == [(f"note {i}",) for i in range(5)]
