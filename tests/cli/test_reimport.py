"""Re-importing an external_id (issue 13 item 3): absent columns stay, empty cells clear, every change logged."""

from datetime import UTC, datetime

import sqlalchemy as sa

from journeys.models import Answer, ChangeLog, Contact, Criterion
from tests.cli.conftest import contact, csv_text

FULL = dict(external_id="K-1", notes="first", resolved_at="2026-03-02 15:00", wait_seconds="12",
            transfers="2", answer_text="Delayed", answer_correct="yes", **{"item:C1": "yes", "item:C2": "no",
                                                                         "item:C3": "na"})
KEY = ("external_id", "brand", "journey", "channel", "started_at")


def _import(cli, tmp_path, rows, header=None, *options):
    path = tmp_path / "contacts.csv"
    if header is not None:  # only these columns: the file lacks the others
        rows = [{k: v for k, v in row.items() if k in header} for row in rows]
    path.write_text(csv_text(rows, header=header))
    return cli("import", "contacts", path, *options)


def _contact(engine) -> sa.Row:
    with engine.connect() as connection:
        return connection.execute(sa.select(Contact).where(Contact.external_id == "K-1")).one()


def _answers(engine, contact_id) -> dict[str, tuple]:
    with engine.connect() as connection:
        rows = connection.execute(
            sa.select(Criterion.code, Answer.value, Answer.is_na).join(Criterion, Criterion.id == Answer.criterion_id)
            .where(Answer.contact_id == contact_id)).all()
    return {code: (value, is_na) for code, value, is_na in rows}


def _log(engine, contact_id) -> dict[str, tuple]:
    with engine.connect() as connection:
        rows = connection.execute(
            sa.select(ChangeLog.field, ChangeLog.old_value, ChangeLog.new_value, ChangeLog.action)
            .where(ChangeLog.entity == "contact", ChangeLog.entity_id == contact_id)).all()
    return {f: (old, new) for f, old, new, action in rows if action == "update"}


def test_absent_columns_leave_fields_and_answers_as_they_are(cli, engine, world, tmp_path):
    """A re-import with only the key columns and notes changes the notes and nothing else."""
    assert _import(cli, tmp_path, [contact(**FULL)]).exit_code == 0
    before = _contact(engine)
    result = _import(cli, tmp_path, [contact(external_id="K-1", notes="second")], [*KEY, "notes"])
    assert result.exit_code == 0 and "updated 1" in result.output, result.output
    after = _contact(engine)
    assert after.id == before.id and after.notes == "second"
    for name in ("auditor_id", "wave_id", "first_response_at", "resolved_at", "wait_seconds", "transfers",
                 "answer_text", "answer_correct", "checklist_version_id"):
        assert getattr(after, name) == getattr(before, name), name
    assert after.resolved_at == datetime(2026, 3, 2, 14, 0, tzinfo=UTC)
    assert _answers(engine, after.id) == {"C1": (1.0, False), "C2": (0.0, False), "C3": (None, True)}


def test_an_empty_cell_in_a_present_column_clears_the_field(cli, engine, world, tmp_path):
    """Present and empty clears (resolved_at, wait_seconds, item:C1); absent columns (item:C2) stay."""
    assert _import(cli, tmp_path, [contact(**FULL)]).exit_code == 0
    rows = [contact(external_id="K-1", resolved_at="", wait_seconds="", transfers="", notes="",
                    **{"item:C1": "", "item:C3": "yes"})]
    result = _import(cli, tmp_path, rows, [*KEY, "resolved_at", "wait_seconds", "transfers", "notes",
                                           "item:C1", "item:C3"])
    assert result.exit_code == 0, result.output
    after = _contact(engine)
    assert after.resolved_at is None and after.wait_seconds is None and after.transfers == 0 and after.notes == ""
    assert after.auditor_id is not None and after.first_response_at is not None  # absent: kept
    assert _answers(engine, after.id) == {"C2": (0.0, False), "C3": (1.0, False)}


def test_every_change_is_logged_with_old_and_new_values(cli, engine, world, tmp_path):
    """Each changed field and answer gets a change-log entry old -> new; unchanged fields get none."""
    assert _import(cli, tmp_path, [contact(**FULL)]).exit_code == 0
    contact_id = _contact(engine).id
    rows = [contact(external_id="K-1", notes="second", resolved_at="", wave="2026-Q1", channel="phone",
                    **{"item:C1": "no", "item:C2": ""})]
    assert _import(cli, tmp_path, rows, [*KEY, "notes", "resolved_at", "wave", "item:C1", "item:C2"]).exit_code == 0
    log = _log(engine, contact_id)
    assert log["notes"] == ("first", "second")
    assert log["resolved_at"] == ("2026-03-02T14:00:00+00:00", None)
    assert log["channel"] == ("email", "phone")
    assert log["item:C1"] == ("1", "0")
    assert log["item:C2"] == ("0", None)
    assert "wave" not in log and "started_at" not in log and "item:C3" not in log  # unchanged or absent


def test_an_identical_reimport_changes_and_logs_nothing(cli, engine, world, tmp_path):
    """Importing the same file twice writes no change-log entry and leaves updated_at alone."""
    assert _import(cli, tmp_path, [contact(**FULL)]).exit_code == 0
    before = _contact(engine)
    result = _import(cli, tmp_path, [contact(**FULL)])
    assert result.exit_code == 0 and "updated 0" in result.output and "1 unchanged" in result.output, result.output
    assert _log(engine, before.id) == {}
    assert _contact(engine).updated_at == before.updated_at


def test_a_kept_value_that_breaks_the_new_order_is_refused_by_row(cli, engine, world, tmp_path):
    """A later started_at without a resolved_at column would put the kept resolution first: refused, row named."""
    assert _import(cli, tmp_path, [contact(**FULL)]).exit_code == 0
    rows = [contact(external_id="K-1", started_at="2026-03-02 18:00")]
    result = _import(cli, tmp_path, rows, list(KEY))
    assert result.exit_code == 1
    assert "row 2, resolved_at" in result.stderr and "kept" in result.stderr, result.stderr
    assert _contact(engine).started_at == datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_reimport_in_bulk_keeps_answers_of_other_contacts(cli, engine, world, tmp_path):
    """Many contacts re-imported at once: each keeps its own absent answers and gets its own log entries."""
    rows = [contact(external_id=f"K-{n}", notes=f"n{n}") for n in range(1, 1201)]
    assert _import(cli, tmp_path, rows).exit_code == 0
    again = [contact(external_id=f"K-{n}", notes=f"n{n}" if n % 2 else "changed") for n in range(1, 1201)]
    result = _import(cli, tmp_path, again, [*KEY, "notes"])
    assert result.exit_code == 0 and "updated 600" in result.output and "600 unchanged" in result.output, result.output
    with engine.connect() as connection:
        answers = connection.execute(sa.select(sa.func.count()).select_from(Answer)).scalar_one()
        logged = connection.execute(sa.select(sa.func.count()).select_from(ChangeLog)
                                    .where(ChangeLog.field == "notes")).scalar_one()
    assert answers == 3 * 1200 and logged == 600


def test_moving_a_contact_to_a_created_journey_replaces_its_checklist(cli, engine, world, tmp_path):
    """A re-import into a journey --create-missing creates: the dry run and the import both move the contact
    to the new checklist, the old answers go and every one of them is logged."""
    assert _import(cli, tmp_path, [contact(**FULL)]).exit_code == 0
    contact_id = _contact(engine).id
    rows = [contact(external_id="K-1", journey="Brand new journey", **{"item:NEW": "yes"})]
    header = [*KEY, "item:NEW"]
    dry = _import(cli, tmp_path, rows, header, "--create-missing", "--dry-run")
    assert dry.exit_code == 0 and "would update 1" in dry.output, dry.output
    result = _import(cli, tmp_path, rows, header, "--create-missing")
    assert result.exit_code == 0 and "updated 1" in result.output, result.output
    assert _answers(engine, contact_id) == {"NEW": (1.0, False)}
    log = _log(engine, contact_id)
    assert log["journey"] == ("Ask about a delivery", "Brand new journey")
    assert log["item:C1"] == ("1", None) and log["item:C3"] == ("N/A", None) and log["item:NEW"] == (None, "1")
