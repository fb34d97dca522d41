"""Migrations build exactly the schema the models describe."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

import journeys.models  # noqa: F401
from data import db


def test_empty_database_upgrades_to_head_and_matches_models(db_url):
    """After upgrading an empty database to head, Alembic finds no difference with the models."""
    assert db.current_revision(db_url) == db.head_revision()
    with db.get_engine(db_url).connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, SQLModel.metadata)
    assert differences == []


def test_upgrade_is_idempotent(db_url):
    """Upgrading an up-to-date database changes nothing and does not fail."""
    db.upgrade(db_url)
    assert db.current_revision(db_url) == db.head_revision()
