"""``klantreis migrate``: bring the database schema to the newest migration."""

from cli.app import console, ready_engine
from data import db
from journeys.language import _


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
    if before == after:
        message = _("{database}: schema already up to date")
    else:
        message = _("{database}: schema upgraded {before} → {after}")
    console.print(message.format(database=db.describe_url(url), before=before or _("empty"), after=after))
