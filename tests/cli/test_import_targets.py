"""`import --create-missing` sets no response targets nobody asked for (issue 13 item 15)."""

import json

import sqlalchemy as sa

from journeys.models import Channel, Journey, JourneyChannel
from tests.cli.conftest import csv_text
from tests.cli.test_nyc_example import _mapper, _request


def _row(**overrides) -> dict:
    row = {"brand": "Gemeente", "journey": "Report a pothole", "channel": "phone", "started_at": "2026-03-02 10:00",
           "resolved_at": "2026-03-02 11:00"}
    row.update(overrides)
    return row


def _targets(engine) -> dict[tuple[str, str], tuple]:
    with engine.connect() as connection:
        rows = connection.execute(
            sa.select(Journey.name, Channel.name, JourneyChannel.first_response_target_seconds,
                      JourneyChannel.resolution_target_seconds, JourneyChannel.business_hours)
            .join(Journey, Journey.id == JourneyChannel.journey_id)
            .join(Channel, Channel.id == JourneyChannel.channel_id)).all()
    return {(j, c): (first, resolution, bool(business)) for j, c, first, resolution, business in rows}


def test_created_journey_channels_get_no_targets(cli, engine, world, tmp_path):
    """A journey and channels created by an import get no targets; the summary says so and names them."""
    path = tmp_path / "log.csv"
    path.write_text(csv_text([_row(), _row(channel="email"), _row(journey="Ask about a delivery", channel="sms")]))
    result = cli("import", "contacts", path, "--create-missing")
    assert result.exit_code == 0, result.output
    targets = _targets(engine)
    assert targets[("Report a pothole", "phone")] == (None, None, False)
    assert targets[("Report a pothole", "email")] == (None, None, False)
    assert targets[("Ask about a delivery", "sms")] == (None, None, False)  # a new channel of an existing journey
    assert targets[("Ask about a delivery", "phone")][0] == 20  # what a person set stays
    assert "created 3 journey channels without response targets" in result.output
    assert "Report a pothole / email" in result.output and "--default-targets" in result.output


def test_default_targets_opt_in_to_the_norms(cli, engine, world, tmp_path):
    """--default-targets gives created pairs the built-in norms and lists them in the summary."""
    path = tmp_path / "log.csv"
    path.write_text(csv_text([_row(), _row(channel="email")]))
    result = cli("import", "contacts", path, "--create-missing", "--default-targets")
    assert result.exit_code == 0, result.output
    targets = _targets(engine)
    assert targets[("Report a pothole", "phone")] == (20, 15 * 60, False)
    assert targets[("Report a pothole", "email")] == (4 * 3600, 8 * 3600, True)
    assert "with the default targets (first response in 20 s, resolve in 15 min): Report a pothole / phone" \
        in result.output


def test_a_due_at_column_is_the_only_deadline(cli, engine, world, tmp_path):
    """With a due_at column even --default-targets sets no resolution target: the file's deadline rules."""
    path = tmp_path / "log.csv"
    path.write_text(csv_text([_row(due_at="2026-03-05 10:00"), _row(due_at="")]))
    result = cli("import", "contacts", path, "--create-missing", "--default-targets")
    assert result.exit_code == 0, result.output
    assert _targets(engine)[("Report a pothole", "phone")] == (20, None, False)
    assert "resolution: the file's due_at" in result.output
    report = json.loads(cli("report", "--by", "channel", "--as-of", "2026-03-03T00:00+01:00",
                            "--format", "json").output)
    assert report[0]["with_deadline"] == 1  # only the row with a due_at has a deadline


def test_dry_run_lists_the_targets_it_would_set(cli, engine, world, tmp_path):
    """A dry run names the journey channels it would create and their targets, and writes nothing."""
    path = tmp_path / "log.csv"
    path.write_text(csv_text([_row()]))
    result = cli("import", "contacts", path, "--create-missing", "--dry-run")
    assert result.exit_code == 0 and "would create 1 journey channel without response targets" in result.output
    assert _targets(engine).get(("Report a pothole", "phone")) is None


def test_default_targets_needs_create_missing(cli, world, tmp_path):
    """--default-targets alone is a usage error: there is nothing it could apply to."""
    path = tmp_path / "log.csv"
    path.write_text(csv_text([_row()]))
    assert cli("import", "contacts", path, "--default-targets").exit_code == 2


def test_nyc311_phone_is_not_judged_against_a_call_centre_norm(cli, tmp_path, app_env):
    """The NYC example imports with no deadline on any channel: nothing is late, on_time_rate empty."""
    source = tmp_path / "311.csv"
    source.write_text(csv_text([
        _request("1", "05/01/2022 12:00:03 AM", "05/01/2022 12:57:46 AM"),
        _request("2", "05/01/2022 12:30:00 AM", channel="ONLINE"),
    ]))
    target = tmp_path / "contacts.csv"
    stats = _mapper().convert(str(source), str(target))
    assert cli("import", "contacts", target, "--create-missing").exit_code == 0
    report = cli("report", "--by", "channel", "--as-of", stats["last"].isoformat(), "--format", "json")
    phone = {r["channel"]: r for r in json.loads(report.output)}["phone"]
    assert phone["with_deadline"] == 0 and phone["late"] == 0 and phone["on_time_rate"] is None
