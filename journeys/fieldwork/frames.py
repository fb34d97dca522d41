"""Read the database into the plain frames ``scoring/`` works on (one query per frame).

The frame contract (column names and types) is documented in ``docs/scoring.md``; this module
is the only place that turns rows into it, so the app, the CLI and the benchmarks all score
the same data the same way. Which contacts a read covers is ``journeys.fieldwork.contact_filter``'s
``ContactFilter`` and its SQL form; the dashboards filter the frame in memory by its pandas form.
"""

import logging
from contextlib import contextmanager

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from data.columnar import ColumnarUnavailable, literal_sql, read_arrow
from data.fetch import frame_of_cursor
from journeys.fieldwork.contact_filter import ContactFilter, contact_conditions
from journeys.models import (
    Answer,
    Brand,
    Channel,
    ChecklistVersion,
    Contact,
    ContactScore,
    Criterion,
    CriterionChannel,
    Journey,
    JourneyChannel,
    Location,
    ReviewStatus,
    User,
    Wave,
)

# ContactFilter lives in journeys.fieldwork.contact_filter with its two forms; importing it from here
# keeps working for the modules that still do.

log = logging.getLogger(__name__)

# From how many contacts (the highest id) a read of them on SQLite goes through the columnar
# reader (``data.columnar``): below this, starting its process costs more than it saves.
COLUMNAR_FROM = 20_000

TIMESTAMP_COLUMNS = ("started_at", "acknowledged_at", "first_response_at", "resolved_at", "due_at", "released_at")


# The stored score columns (``journeys.fieldwork.scores``) a read with ``scores=True`` adds.
SCORE_FACTS = (
    ContactScore.raw_score, ContactScore.final_score, ContactScore.critical_fail, ContactScore.knockout,
    ContactScore.possible_points, ContactScore.earned_points, ContactScore.bonus_points,
    ContactScore.applicable_items, ContactScore.scored_items, ContactScore.na_items, ContactScore.missing_items,
)


class OnConnection:
    """A connection in the shape the readers here take (``connect()``, ``dialect``, ``url``), so a
    read inside a transaction sees its writes and takes no second connection (on SQLite a second
    writer's BEGIN would wait for this one's lock). ``_read`` reads through ``connect()`` only."""

    def __init__(self, connection: sa.Connection):
        self._connection = connection
        self.dialect = connection.dialect
        self.url = connection.engine.url

    @contextmanager
    def connect(self):
        yield self._connection

    def raw_connection(self):  # pragma: no cover - reached only if the frame readers change their path
        raise RuntimeError("frames read inside a transaction must go through connect()")


# The frame's name columns: the contact's key, then the names read from its table (each table
# once, a few hundred rows), put on the rows by key. Fetching names on every row through joins
# made a million rows cost a million Python strings per column; mapped by key they are shared.
_NAMES = (
    (Contact.brand_id, Brand.id, {"brand": Brand.name}),
    (Contact.location_id, Location.id, {"location": Location.name, "region": Location.region}),
    (Contact.journey_id, Journey.id, {"journey": Journey.name}),
    (Contact.wave_id, Wave.id, {"wave": Wave.name}),
    (Contact.channel_id, Channel.id, {"channel": Channel.name, "channel_kind": Channel.kind}),
    (Contact.auditor_id, User.id, {"auditor": User.username}),
    (Contact.redirected_to_channel_id, Channel.id, {"redirected_to": Channel.name}),
)
# The columns of ``read_contacts`` in order (the names are put where they stood in the joined select).
CONTACT_COLUMNS = (
    "contact_id", "brand", "location", "region", "journey", "version_id", "wave", "channel", "channel_kind", "auditor",
    "auditor_id", "started_at", "acknowledged_at", "first_response_at", "resolved_at", "due_at", "wait_seconds",
    "handling_seconds", "transfers", "redirected_to", "answer_correct", "external_id", "first_response_target_s",
    "resolution_target_s", "business_hours", "is_draft", "review_status", "released_at",
)


def _contacts_select(flt: ContactFilter, scores: bool = False):
    """The contacts' own columns with their keys (no names: ``_put_names``), targets and scores."""
    keys = {key.key for key, _, _ in _NAMES} - {"auditor_id"}
    query = sa.select(
        Contact.id.label("contact_id"),
        Contact.checklist_version_id.label("version_id"),
        Contact.auditor_id,
        *(getattr(Contact, key) for key in sorted(keys)),
        Contact.started_at,
        Contact.acknowledged_at,
        Contact.first_response_at,
        Contact.resolved_at,
        Contact.due_at,
        Contact.wait_seconds,
        Contact.handling_seconds,
        Contact.transfers,
        Contact.answer_correct,
        Contact.external_id,
        JourneyChannel.first_response_target_seconds.label("first_response_target_s"),
        JourneyChannel.resolution_target_seconds.label("resolution_target_s"),
        JourneyChannel.business_hours,
        Contact.is_draft,
        Contact.review_status,
        Contact.released_at,
        *(SCORE_FACTS if scores else ()),
    ).select_from(Contact).outerjoin(
        JourneyChannel,
        (JourneyChannel.journey_id == Contact.journey_id) & (JourneyChannel.channel_id == Contact.channel_id),
    )
    if scores:
        query = query.outerjoin(ContactScore, ContactScore.contact_id == Contact.id)
    return query.where(*contact_conditions(flt)).order_by(Contact.id)


def _put_names(engine: Engine, frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` (``_contacts_select``'s rows) with the name columns in place of the keys: None
    where a contact has no such key (no location, no wave...)."""
    names = {}
    with engine.connect() as connection:
        for key, table_id, columns in _NAMES:
            query = sa.select(table_id, *columns.values())
            rows = connection.exec_driver_sql(str(query.compile(dialect=engine.dialect))).fetchall()
            ids = pd.Index([row[0] for row in rows], dtype="int64")
            wanted = pd.to_numeric(frame[key.key], errors="coerce").fillna(-1).to_numpy(dtype="int64")
            position = ids.get_indexer(wanted)  # -1 (no key, or none such): the None after the last name
            for i, column in enumerate(columns, start=1):
                values = np.empty(len(rows) + 1, dtype=object)
                values[:len(rows)] = [row[i] for row in rows]
                names[column] = values[position]
    frame = frame.drop(columns=[key.key for key, _, _ in _NAMES if key.key != "auditor_id"])
    for column, values in names.items():
        frame[column] = pd.Series(values, index=frame.index, dtype=object)
    return frame[[*CONTACT_COLUMNS, *(c for c in frame.columns if c not in CONTACT_COLUMNS)]]


def _as_utc(series: pd.Series) -> pd.Series:
    # naive from ``data.fetch`` (UTC, SQLite's text parsed as it fetches), aware from ADBC
    converted = series.dt.tz_localize("UTC") if series.dt.tz is None else series.dt.tz_convert("UTC")
    return converted.dt.as_unit("us")


def _read(engine: Engine, query, *, columnar: bool = False) -> pd.DataFrame:
    """Run a SELECT into a frame by the fastest safe path for the database.

    Reading a million rows through SQLAlchemy row objects (``pandas.read_sql``) costs tens of
    seconds. So SQLAlchemy only binds the parameters (through the columns' types) and the
    driver's own cursor hands its rows straight to ``data.fetch.frame_of_cursor``, a slice at a
    time into columns typed by the query (timestamps parsed there); the readers below give them
    the contract's types (SQLite's 0/1 booleans, nullable integers, UTC). No second SQLite library in the process: two
    copies of SQLite on one WAL file break each other's locks. PostgreSQL without parameters (the
    dashboards' full read), outside a transaction: the ADBC driver hands the rows over as Arrow columns.
    SQLite with ``columnar``, outside a transaction: DuckDB's scanner in a process of its own
    does (``data.columnar``), or, when it cannot, the driver's cursor as above.
    """
    compiled = query.compile(dialect=engine.dialect)
    # (a connection of its own: not for a read inside a transaction, ``OnConnection``, which must see its writes)
    if engine.url.get_backend_name() == "postgresql" and not compiled.params and isinstance(engine, Engine):
        try:
            import adbc_driver_postgresql.dbapi as adbc
        except ImportError:
            adbc = None
        if adbc is not None:
            uri = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
            with adbc.connect(uri) as connection, connection.cursor() as cursor:
                cursor.execute(str(compiled))
                return cursor.fetch_arrow_table().to_pandas()
    if columnar and engine.url.get_backend_name() == "sqlite" and isinstance(engine, Engine) and engine.url.database:
        sql = literal_sql(query, engine.dialect)
        if sql is not None:
            try:
                return read_arrow(engine.url.database, sql).to_pandas(split_blocks=True, self_destruct=True)
            except ColumnarUnavailable as error:
                log.warning("reading in-process: %s", error)
    with engine.connect() as connection:
        result = connection.execute(query)  # the parameters bound through SQLAlchemy's types
        try:
            cursor = result.cursor  # the rows straight from the driver, as the converters below expect
            return frame_of_cursor(cursor, [column.type for column in query.selected_columns])
        finally:
            result.close()


def _many_contacts(engine: Engine) -> bool:
    """Whether the database holds ``COLUMNAR_FROM`` contacts or more (by the highest id: no count of the table)."""
    if not isinstance(engine, Engine) or engine.url.get_backend_name() != "sqlite":
        return False
    with engine.connect() as connection:
        return (connection.execute(sa.select(sa.func.max(Contact.id))).scalar() or 0) >= COLUMNAR_FROM


def read_contacts(engine: Engine, flt: ContactFilter = ContactFilter(), *, scores: bool = False) -> pd.DataFrame:
    """One row per contact with names, timings, targets and judgement (the scoring contract).

    Besides the contract's columns: ``region`` (the location's region; "" when it has none or
    there is no location), ``auditor_id`` and ``is_draft`` (always False unless
    ``flt.include_drafts``), ``review_status``, ``released`` (True unless ``flt.include_unreleased``)
    and ``released_at``, which ``journeys.fieldwork.contact_filter.filter_frame`` reads.
    ``scores=True`` adds the stored score (``journeys.fieldwork.scores.FACT_COLUMNS``; missing,
    ``knockout`` None, where none is stored), which ``journeys.fieldwork.scores.stored_quality`` reads.
    """
    # a read of a few contacts (a refresh, an auditor's own list) stays in-process: a process start is dearer
    columnar = not (flt.contact_ids or flt.auditor_ids) and _many_contacts(engine)
    frame = _put_names(engine, _read(engine, _contacts_select(flt, scores), columnar=columnar))
    for column in TIMESTAMP_COLUMNS:
        frame[column] = _as_utc(frame[column])
    for column in ("wait_seconds", "handling_seconds", "transfers", "first_response_target_s", "resolution_target_s"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype(float)
    frame["answer_correct"] = frame["answer_correct"].astype("boolean")
    frame["business_hours"] = frame["business_hours"].fillna(False).astype(bool)
    frame["is_draft"] = frame["is_draft"].astype(bool)
    frame["released"] = (frame["review_status"] == ReviewStatus.RELEASED.value).to_numpy(dtype=bool)
    frame["review_status"] = frame["review_status"].astype(object)
    frame["region"] = frame["region"].fillna("").astype(object)
    frame["auditor_id"] = frame["auditor_id"].astype("Int64")
    for column in ("contact_id", "version_id"):
        frame[column] = frame[column].astype("int64")
    frame["external_id"] = frame["external_id"].astype(object).where(frame["external_id"].notna(), None)
    if scores:
        for fact in SCORE_FACTS:
            column = fact.key
            if column == "knockout":
                frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
            elif column == "critical_fail":
                frame[column] = frame[column].astype("boolean")
            else:
                frame[column] = pd.to_numeric(frame[column], errors="coerce").astype(float)
    return frame


def read_answers(engine: Engine, contact_ids=None, *, comments: bool = True) -> pd.DataFrame:
    """Checklist answers (``value`` NaN when N/A) of the given contacts, or of all contacts.

    ``comments=False`` leaves out the auditors' comments: scoring does not read them, and a
    text column is a tenth of the cost of reading millions of answers.
    """
    columns = [Answer.contact_id, Answer.criterion_id, Answer.value, Answer.is_na]
    query = sa.select(*columns, *([Answer.comment] if comments else []))
    if contact_ids is not None:
        ids = [int(i) for i in contact_ids]
        if len(ids) < 5000:
            query = query.where(Answer.contact_id.in_(ids))
    frame = _read(engine, query)
    if contact_ids is not None and len(frame):
        frame = frame[frame["contact_id"].isin(set(int(i) for i in contact_ids))]
    frame["value"] = frame["value"].astype(float)
    frame["is_na"] = frame["is_na"].astype(bool)
    frame["contact_id"] = frame["contact_id"].astype("int64")
    frame["criterion_id"] = frame["criterion_id"].astype("int64")
    return frame.reset_index(drop=True)


def read_criteria(engine: Engine, version_ids=None) -> pd.DataFrame:
    """Criteria of the given checklist versions, with the channels each applies to (a tuple)."""
    query = sa.select(
        Criterion.id.label("criterion_id"),
        Criterion.version_id,
        ChecklistVersion.journey_id,
        ChecklistVersion.number.label("version_number"),
        Criterion.position,
        Criterion.code,
        Criterion.text,
        Criterion.section,
        Criterion.weight,
        Criterion.kind,
        Criterion.scale_min,
        Criterion.scale_max,
        Criterion.na_allowed,
        Criterion.critical_policy,
        Criterion.bonus,
    ).join(ChecklistVersion, ChecklistVersion.id == Criterion.version_id)
    channels_query = sa.select(CriterionChannel.criterion_id, Channel.name).join(
        Channel, Channel.id == CriterionChannel.channel_id
    )
    if version_ids is not None:
        versions = [int(v) for v in version_ids]
        query = query.where(Criterion.version_id.in_(versions))
        channels_query = channels_query.join(Criterion, Criterion.id == CriterionChannel.criterion_id).where(
            Criterion.version_id.in_(versions))
    with engine.connect() as connection:  # plain rows: pandas.read_sql's machinery was most of a save's scoring time
        result = connection.execute(query.order_by(Criterion.version_id, Criterion.position))
        frame = pd.DataFrame.from_records([tuple(row) for row in result.fetchall()], columns=list(result.keys()))
        restrictions: dict[int, list[str]] = {}
        for criterion_id, name in connection.execute(channels_query).fetchall():
            restrictions.setdefault(criterion_id, []).append(name)
    by_criterion = {criterion_id: tuple(sorted(names)) for criterion_id, names in restrictions.items()}
    frame["channels"] = [by_criterion.get(i, ()) for i in frame["criterion_id"]]
    for column in ("weight", "scale_min", "scale_max"):
        frame[column] = frame[column].astype(float)
    for column in ("na_allowed", "bonus"):
        frame[column] = frame[column].astype(bool)
    return frame


def data_version(engine: Engine) -> tuple:
    """A cheap fingerprint that changes whenever contacts, answers or checklists change.

    Cached frames are keyed on it, so a write anywhere (app, import, another user) shows up on
    the next rerun without clearing caches by hand. It reads only primary-key maxima (index
    lookups, constant time at any size): new contacts raise ``max(contact.id)``; every edit
    of a saved contact, every import update and every deletion writes the change log, which
    raises ``max(change_log.id)``; a new checklist version adds criteria; every step of review,
    release and appeal adds a ``review_event``.
    """
    from journeys.models import ChangeLog, Evidence, ReviewEvent

    query = sa.select(*(
        sa.select(sa.func.max(column)).scalar_subquery()
        for column in (Contact.id, ChangeLog.id, Criterion.id, Evidence.id, ReviewEvent.id)
    ))
    with engine.connect() as connection:
        return tuple(connection.execute(query).one())
