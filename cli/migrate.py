"""``klantreis migrate``: bring the database schema to the newest migration, then store the score of
every contact that has none (a database from before the stored scores); ``klantreis rescore``:
recompute every stored score (``journeys.fieldwork.scores``)."""

from cli.app import console, ready_engine
from data import db
from journeys.language import _, ngettext, number


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
    _store_scores(db.get_engine(url), missing_only=True)


def rescore() -> None:
    """Recompute the stored score of every contact (after a change to the scoring rules)."""
    _store_scores(ready_engine(), missing_only=False)


def _store_scores(engine, *, missing_only: bool) -> None:
    from journeys.fieldwork.scores import store_all_scores  # pandas and the scoring: only when needed

    with db.write_scope(engine) as session:  # one transaction: every score or none
        stored = store_all_scores(session.connection(), missing_only=missing_only)
    if stored or not missing_only:
        console.print(ngettext("{n} contact scored", "{n} contacts scored", stored).format(n=number(stored)))
