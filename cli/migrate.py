"""``klantreis migrate``: bring the database schema to the newest migration."""

from cli.app import console, ready_engine
from data import db


def migrate() -> None:
    """Upgrade the database schema to the newest migration."""
    url = db.database_url()
    before = None
    try:
        before = db.current_revision(url)
    except Exception:  # noqa: BLE001 - an unreachable database is reported by ready_engine
        pass
    ready_engine()
    after = db.current_revision(url)
    state = "already up to date" if before == after else f"upgraded {before or 'empty'} → {after}"
    console.print(f"{db.describe_url(url)}: schema {state}")
