"""`klantreis report progress --wave W`: a wave's planned, done, started, overdue and not assigned
contacts per group, in CSV, JSON and a table, on SQLite and PostgreSQL."""

import csv
import io
import json
from datetime import UTC, datetime, timedelta

from sqlmodel import select

from data import db
from journeys.catalogue.reference import get_or_create_location, get_or_create_wave
from journeys.fieldwork.planned import local_today
from journeys.models import Assignment
from tests.factories import T0, make_contact, make_plan_line

COLUMNS = ["planned", "done", "started", "overdue", "unassigned"]


def plan(engine, world):
    """Phone at Groningen (Noord): 3 for auditor1, one done; e-mail at brand level: 2 assigned to
    nobody and due yesterday, so both overdue (overdue wins over not assigned)."""
    today = local_today()
    with db.session_scope(engine) as session:
        brand = world["brand"]
        store = get_or_create_location(session=session, brand=session.merge(brand), name="Groningen")
        store.region = "Noord"
        merged = {**world, "wave": session.merge(world["wave"]), "brand": session.merge(brand),
                  "journey": session.merge(world["journey"]),
                  "channels": {k: session.merge(v) for k, v in world["channels"].items()}}
        auditor = session.merge(world["auditor"])
        make_plan_line(session, merged, channel="phone", quantity=3, location=store,
                       due_on=today + timedelta(days=5), auditor=auditor)
        make_plan_line(session, merged, channel="email", quantity=2, due_on=today - timedelta(days=1))
        contact = make_contact(merged, channel="phone", location_id=store.id, resolved_at=T0 + timedelta(hours=3),
                               updated_at=datetime.now(UTC))  # a phone call ended: logged
        session.add(contact)
        session.flush()
        first = session.exec(select(Assignment).order_by(Assignment.id)).first()
        first.contact_id = contact.id


def rows_of(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def test_csv_by_channel_counts_planned_done_and_overdue(cli, engine, world):
    plan(engine, world)
    result = cli("report", "progress", "--wave", "2026-Q1", "--by", "channel", "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = rows_of(result.output)
    assert list(rows[0]) == ["channel", *COLUMNS]
    by_channel = {r["channel"]: r for r in rows}
    assert by_channel["phone"] == dict(channel="phone", planned="3", done="1", started="0", overdue="0", unassigned="0")
    assert by_channel["email"] == dict(channel="email", planned="2", done="0", started="0", overdue="2", unassigned="0")


def test_json_by_auditor_and_location_name_the_rows_without_one(cli, engine, world):
    plan(engine, world)
    by_auditor = json.loads(cli("report", "progress", "--wave", "2026-Q1", "--by", "auditor", "--format",
                                "json").output)
    assert {r["auditor"]: r["planned"] for r in by_auditor} == {"auditor1": 3, "Not assigned": 2}
    by_location = json.loads(cli("report", "progress", "--wave", "2026-Q1", "--by", "location", "--format",
                                 "json").output)
    assert {r["location"]: r["done"] for r in by_location} == {"Brand level": 0, "Groningen": 1}


def test_machine_readable_columns_stay_english_in_dutch(cli, engine, world):
    plan(engine, world)
    result = cli("--language", "nl", "report", "progress", "--wave", "2026-Q1", "--by", "region", "--format", "csv")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == "region,planned,done,started,overdue,unassigned"


def test_the_table_says_the_wave_is_not_complete(cli, engine, world):
    plan(engine, world)
    result = cli("report", "progress", "--wave", "2026-Q1")
    assert result.exit_code == 0, result.output
    assert "Koopklik" in result.output and "Total" in result.output
    assert "Fieldwork is not complete (running): 1 of 5 planned contacts done." in result.output
    dutch = cli("--language", "nl", "report", "progress", "--wave", "2026-Q1")
    assert "Veldwerk is niet compleet (loopt): 1 van 5 geplande contacten gedaan." in dutch.output
    by_auditor = cli("--language", "nl", "report", "progress", "--wave", "2026-Q1", "--by", "auditor").output
    assert "Niet toegewezen" in by_auditor and "Not assigned" not in by_auditor


def test_an_unknown_wave_is_named_with_the_known_ones(cli, engine, world):
    with db.session_scope(engine) as session:
        get_or_create_wave(session=session, name="2026-Q2")
    result = cli("report", "progress", "--wave", "2025-Q9", "--format", "csv")
    assert result.exit_code == 1
    assert "2025-Q9" in result.output and "2026-Q1, 2026-Q2" in result.output


def test_an_unknown_group_names_the_allowed_ones(cli, world):
    result = cli("report", "progress", "--wave", "2026-Q1", "--by", "wave")
    assert result.exit_code == 1
    assert "brand, region, location, journey, channel, auditor" in result.output


def test_a_wave_without_a_plan_prints_only_the_header(cli, world):
    result = cli("report", "progress", "--wave", "2026-Q1", "--format", "csv")
    assert result.exit_code == 0, result.output
    assert result.output == "brand,planned,done,started,overdue,unassigned\n"
