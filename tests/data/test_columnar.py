"""``data.columnar``: the columnar reader (DuckDB's SQLite scanner in a process of its own) makes
the same contact frame as the in-process read; a write is visible on its next read, an open write
keeps its lock while it reads, a parameter is written into its SQL only when that is safe, and
without the scanner (or when its process fails) the read goes on in-process."""

import logging
import sqlite3
import threading

import pandas as pd
import pytest
import sqlalchemy as sa

from data import columnar
from journeys.fieldwork import frames
from journeys.fieldwork.contact_filter import ContactFilter
from journeys.fieldwork.refresh import FRAME_FILTER
from journeys.models import Contact
from tests.factories import demo_sqlite


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """A SQLite database of 800 demo contacts in review (drafts, unanswered, redirects, knock-outs)."""
    return demo_sqlite(tmp_path_factory.mktemp("columnar") / "demo.db", contacts=800, seed=11, review=True)


def _both(engine, monkeypatch, flt: ContactFilter) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The contacts of ``flt`` read by the columnar reader, then in-process."""
    calls = []
    real = columnar.read_arrow
    monkeypatch.setattr(frames, "read_arrow", lambda *a: calls.append(a) or real(*a))
    monkeypatch.setattr(frames, "COLUMNAR_FROM", 1)
    through = frames.read_contacts(engine, flt, scores=True)
    assert calls, "the columnar reader was not used"
    monkeypatch.setattr(frames, "COLUMNAR_FROM", 10**12)
    return through, frames.read_contacts(engine, flt, scores=True)


def test_the_scanner_is_installed():
    """What CI installs (requirements.txt) carries the scanner for its DuckDB: the read is not skipped."""
    assert columnar.scanner_extension() is not None


@pytest.mark.parametrize("flt", [FRAME_FILTER, ContactFilter(), ContactFilter(include_drafts=True, include_unreleased=True)],
                         ids=["dashboards", "released", "with drafts"])
def test_the_columnar_read_equals_the_in_process_read(demo, monkeypatch, flt):
    through, in_process = _both(demo, monkeypatch, flt)
    assert len(through) > 100
    pd.testing.assert_frame_equal(through, in_process)


def test_a_text_parameter_is_written_in_safely(demo, monkeypatch):
    """A quote in a text parameter cannot end the literal: the rows are those of the bound query."""
    flt = ContactFilter(include_unreleased=True)
    query = frames._contacts_select(flt, True).where(Contact.external_id != "x' OR '1'='1")
    sql = columnar.literal_sql(query, demo.dialect)
    assert "'x'' OR ''1''=''1'" in sql
    rows = columnar.read_arrow(demo.url.database, sql).num_rows
    assert rows == len(frames.read_contacts(demo, flt)) > 0


def test_a_timestamp_parameter_is_not_written_in(demo):
    from datetime import UTC, datetime

    query = sa.select(Contact.id).where(Contact.started_at >= datetime(2026, 1, 1, tzinfo=UTC))
    assert columnar.literal_sql(query, demo.dialect) is None
    flt = ContactFilter(started_from=datetime(2026, 1, 1, tzinfo=UTC))
    assert columnar.literal_sql(frames._contacts_select(flt), demo.dialect) is None


def test_a_write_shows_on_the_next_read_and_an_open_write_keeps_its_lock(tmp_path):
    """An app connection's open write transaction: the reader neither waits for it nor sees it,
    and afterwards the write still holds its lock (a second writer is refused) and commits; the
    next read sees it. (Two copies of SQLite in one process would have released that lock.)"""
    engine = demo_sqlite(tmp_path / "wal.db", contacts=50, seed=2)
    sql = "SELECT id, external_id FROM contact ORDER BY id"
    before = columnar.read_arrow(engine.url.database, sql).to_pandas()
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        connection.commit()
        transaction = connection.begin()
        connection.execute(sa.update(Contact).where(Contact.id == int(before["id"].iloc[0])).values(external_id="changed"))
        during = columnar.read_arrow(engine.url.database, sql).to_pandas()
        pd.testing.assert_frame_equal(during, before)  # not the uncommitted write
        other = sqlite3.connect(engine.url.database, timeout=0)
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
        other.close()
        transaction.commit()
    after = columnar.read_arrow(engine.url.database, sql).to_pandas()
    assert after["external_id"].iloc[0] == "changed"
    assert after["external_id"].iloc[1:].tolist() == before["external_id"].iloc[1:].tolist()
    with engine.begin() as connection:  # and the app writes on as before
        connection.execute(sa.update(Contact).values(external_id=None))


def test_reads_while_the_app_writes_see_whole_commits(tmp_path):
    """Writes committing beside repeated reads: every read sees each commit whole or not at all."""
    folder = tmp_path / "o'brien's"  # a quote in the path: written into the ATTACH as text
    folder.mkdir()
    engine = demo_sqlite(folder / "busy.db", contacts=40, seed=5)
    ids = [int(i) for i in pd.read_sql("SELECT id FROM contact ORDER BY id", engine.connect())["id"]]
    done = threading.Event()
    errors = []

    def write():
        try:
            for n in range(1, 40):
                with engine.begin() as connection:  # one commit gives every contact the same mark
                    connection.execute(sa.update(Contact).values(
                        external_id=sa.literal(f"mark-{n}-") + sa.cast(Contact.id, sa.String)))
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            done.set()

    writer = threading.Thread(target=write)
    writer.start()
    seen = []
    while not done.is_set() or not seen:
        frame = columnar.read_arrow(engine.url.database, "SELECT id, external_id FROM contact ORDER BY id").to_pandas()
        assert frame["id"].tolist() == ids
        seen.append({_mark(value) for value in frame["external_id"]})
    writer.join()
    assert not errors
    assert all(len(marks) == 1 for marks in seen)  # never half of one commit and half of another
    last = columnar.read_arrow(engine.url.database, "SELECT external_id FROM contact").to_pandas()
    assert {_mark(value) for value in last["external_id"]} == {"mark-39"}


def _mark(external_id: str | None) -> str | None:
    return None if external_id is None else external_id.rsplit("-", 1)[0]


def test_without_the_scanner_the_read_goes_on_in_process(demo, monkeypatch, caplog):
    monkeypatch.setattr(frames, "COLUMNAR_FROM", 1)
    monkeypatch.setattr(columnar, "scanner_extension", lambda: None)
    with caplog.at_level(logging.WARNING, logger="journeys.fieldwork.frames"):
        frame = frames.read_contacts(demo, FRAME_FILTER, scores=True)
    assert "duckdb-ext-sqlite" in caplog.text
    monkeypatch.setattr(frames, "COLUMNAR_FROM", 10**12)
    pd.testing.assert_frame_equal(frame, frames.read_contacts(demo, FRAME_FILTER, scores=True))


def test_a_failing_read_says_why(demo):
    with pytest.raises(columnar.ColumnarUnavailable, match="no_such_table"):
        columnar.read_arrow(demo.url.database, "SELECT * FROM no_such_table")


def test_small_databases_read_in_process(demo, monkeypatch):
    """Below ``COLUMNAR_FROM`` contacts the process start would cost more than it saves."""
    monkeypatch.setattr(frames, "read_arrow", lambda *a: pytest.fail("the columnar reader was used"))
    assert frames.COLUMNAR_FROM > 800
    assert len(frames.read_contacts(demo, FRAME_FILTER, scores=True)) > 0


def test_reads_of_a_few_contacts_stay_in_process(demo, monkeypatch):
    """A refresh's re-read of the saved contacts and an auditor's own list never start a process."""
    some = frames.read_contacts(demo, FRAME_FILTER, scores=False).head(3)
    monkeypatch.setattr(frames, "COLUMNAR_FROM", 1)
    monkeypatch.setattr(frames, "read_arrow", lambda *a: pytest.fail("the columnar reader was used"))
    assert len(frames.read_contacts(demo, ContactFilter(contact_ids=tuple(some["contact_id"]), include_unreleased=True),
                                    scores=True)) == 3
    auditor = int(some["auditor_id"].iloc[0])
    assert len(frames.read_contacts(demo, ContactFilter(auditor_ids=(auditor,), include_drafts=True,
                                                        include_unreleased=True))) > 0
