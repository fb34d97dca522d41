"""Fixtures for command-line tests: a runner on the test database and a small world to import into."""

import csv
import io

import pytest
from typer.testing import CliRunner

from data import db
from journeys.catalogue.journeys import CriterionIn, JourneyChannelIn, JourneyIn, create_journey
from tests.factories import make_world


@pytest.fixture
def cli(app_env):
    """Run `klantreis ...` in-process against the test database (SQLite and PostgreSQL)."""
    from cli.main import app

    runner = CliRunner()
    return lambda *args: runner.invoke(app, [str(a) for a in args])


@pytest.fixture
def world(engine):
    """Brand Koopklik, wave 2026-Q1, auditor1, journey "Ask about a delivery" (phone, email,
    twitter; C1..C3 yes/no) and journey "Return a coat" (store, email) with a 1–5 scale item
    SCALE and a yes/no item STRICT that does not allow N/A."""
    with db.session_scope(engine) as session:
        made = make_world(session)
        create_journey(session=session, journey_in=JourneyIn(
            name="Return a coat",
            channels=[JourneyChannelIn("store"), JourneyChannelIn("email")],
            criteria=[
                CriterionIn(code="SCALE", text="Friendliness", kind="scale", scale_min=1, scale_max=5),
                CriterionIn(code="STRICT", text="Offers a refund", na_allowed=False),
            ],
        ))
    return made


def csv_text(rows: list[dict], header: list[str] | None = None, line_ending: str = "\n") -> str:
    """A contact file as CSV text with the given rows (missing cells empty)."""
    header = header or list(dict.fromkeys(k for row in rows for k in row))
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header, lineterminator=line_ending, restval="")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def contact(**overrides) -> dict:
    """One valid row for the world above; keyword arguments replace or add cells."""
    row = {
        "external_id": "", "brand": "Koopklik", "journey": "Ask about a delivery", "channel": "email",
        "auditor": "auditor1", "wave": "2026-Q1", "started_at": "2026-03-02 10:00",
        "first_response_at": "2026-03-02 12:00", "item:C1": "yes", "item:C2": "no", "item:C3": "na",
    }
    row.update(overrides)
    return row
