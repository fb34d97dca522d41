"""Each contact's quality score, stored when its answers are written (table ``contact_score``).

Scoring a contact needs its checklist answers: a million contacts have ten million of them, and
reading those was most of what a dashboard load or a report cost. The score of a contact changes
only when its answers (or its checklist) do, so it is computed once, when they are written, in
the same transaction: ``store_scores`` after every save of answers (the logging page, a review
correction, an import, the demo data). The figures then read one row per contact
(``read_contacts(..., scores=True)``) and ``stored_quality`` turns it into exactly the columns
``scoring.quality.score_contacts`` returns.

There is one definition of a score: ``store_scores`` calls ``score_contacts`` on the contact's
own frames. What is stored does not depend on the moment or the pass mark (``passed`` and
``band`` follow from ``final_score`` and ``knockout`` when read). ``store_all_scores`` (``klantreis
rescore``) recomputes every row, after a change to the scoring rules. A contact without a stored
row (one written by a path that does not store, or before the table existed) is scored from its
answers when read, so a missing row costs time, never a wrong figure.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session

from data.bulk import insert_tuples, slices
from journeys.fieldwork.frames import OnConnection, read_answers, read_criteria
from journeys.models import Answer, ChangeLog, Channel, Contact, ContactScore, utcnow
from scoring.quality import KNOCKOUTS, QUALITY_COLUMNS, PassBand, score_contacts

# What is stored: the columns of ``score_contacts`` but the two that follow from the pass mark.
FACT_COLUMNS = tuple(column for column in QUALITY_COLUMNS if column not in ("passed", "band"))
_FLOAT_FACTS = ("raw_score", "final_score", "possible_points", "earned_points", "bonus_points")
_COUNT_FACTS = ("applicable_items", "scored_items", "na_items", "missing_items")
# Contacts scored per query when many are written at once (an import, the demo, a rescore).
CHUNK = 20_000


def _connection(target: Session | Connection) -> Connection:
    if isinstance(target, Session):
        target.flush()  # what the session holds is part of what is scored
        return target.connection()
    return target


def _id_condition(column, ids: list[int]):
    """Rows of the sorted ``ids`` (callers filter the rows again by the set): a range for a dense run
    (the new ids of an import, the demo, a rescore: one index range scan instead of 20,000
    parameters), else the list (scattered contacts: a range would read everything between)."""
    if len(ids) > 500 and ids[-1] - ids[0] < 2 * len(ids):
        return column.between(ids[0], ids[-1])
    return column.in_(ids)


def _frame(connection: Connection, query, columns: list[str]) -> pd.DataFrame:
    # plain tuples: handed SQLAlchemy rows, pandas probes every one for named-tuple fields (10x slower)
    return pd.DataFrame.from_records([tuple(row) for row in connection.execute(query).fetchall()], columns=columns)


def compute_scores(connection: Connection, contact_ids) -> pd.DataFrame:
    """``score_contacts`` of the given contacts as the database holds them now (within the
    connection's transaction): one row per existing contact, ``contact_id`` and ``FACT_COLUMNS``."""
    ids = sorted({int(i) for i in contact_ids})
    parts = []
    for chunk in slices(ids, CHUNK):
        wanted = set(chunk)
        contacts = _frame(connection, sa.select(Contact.id, Contact.checklist_version_id, Channel.name)
                          .join(Channel, Channel.id == Contact.channel_id).where(_id_condition(Contact.id, chunk)),
                          ["contact_id", "version_id", "channel"])
        contacts = contacts[contacts["contact_id"].isin(wanted)]
        if contacts.empty:
            continue
        answers = _frame(connection, sa.select(Answer.contact_id, Answer.criterion_id, Answer.value, Answer.is_na)
                         .where(_id_condition(Answer.contact_id, chunk)),
                         ["contact_id", "criterion_id", "value", "is_na"])
        answers = answers[answers["contact_id"].isin(wanted)].astype(
            {"contact_id": "int64", "criterion_id": "int64", "value": float, "is_na": bool})
        criteria = read_criteria(OnConnection(connection), contacts["version_id"].unique().tolist())
        quality = score_contacts(contacts.astype({"contact_id": "int64", "version_id": "int64"}), answers, criteria)
        parts.append(quality[list(FACT_COLUMNS)].reset_index())
    if not parts:
        return pd.DataFrame(columns=["contact_id", *FACT_COLUMNS])
    return pd.concat(parts, ignore_index=True)


_STORED = ("contact_id", *FACT_COLUMNS)


def _rows(scores: pd.DataFrame) -> list[tuple]:
    columns = [scores["contact_id"].astype(int).tolist()]
    for column in FACT_COLUMNS:
        if column == "critical_fail":
            columns.append(scores[column].astype(bool).tolist())
        elif column == "knockout":
            columns.append(scores[column].astype(str).tolist())
        elif column in _FLOAT_FACTS:
            columns.append([None if np.isnan(v) else v for v in scores[column].astype(float).tolist()])
        else:
            columns.append(scores[column].astype(int).tolist())
    return list(zip(*columns, strict=True))


def _insert(connection: Connection, scores: pd.DataFrame) -> int:
    """The rows by the driver's bulk path (``data.bulk``: COPY on PostgreSQL): SQLAlchemy's
    per-value binds cost more than the database at a hundred thousand rows."""
    rows = _rows(scores)
    for start in range(0, len(rows), 5_000):
        insert_tuples(connection, ContactScore.__table__, _STORED, rows[start:start + 5_000])
    return len(rows)


def store_scores(target: Session | Connection, contact_ids) -> int:
    """Compute and store the score of the given contacts, replacing what was stored, in the
    caller's transaction; returns how many were stored (a deleted contact has none)."""
    connection = _connection(target)
    ids = sorted({int(i) for i in contact_ids})
    if not ids:
        return 0
    scores = compute_scores(connection, ids)
    table = ContactScore.__table__
    for start in range(0, len(ids), 5_000):
        connection.execute(sa.delete(table).where(table.c.contact_id.in_(ids[start:start + 5_000])))
    return _insert(connection, scores)


def store_all_scores(connection: Connection, *, missing_only: bool = False, user_id: int | None = None) -> int:
    """Recompute the stored score of every contact (or only of those without one), in the caller's
    transaction; returns how many were stored. A full rescore writes one change-log entry, so every
    dashboard reads the new scores on its next rerun (``journeys.fieldwork.refresh``)."""
    query = sa.select(Contact.id).order_by(Contact.id)
    if missing_only:
        query = query.where(~sa.exists().where(ContactScore.contact_id == Contact.id))
    ids = list(connection.execute(query).scalars())
    if not ids:
        return 0
    stored = 0
    if not missing_only:
        connection.execute(sa.delete(ContactScore.__table__))
    for chunk in slices(ids, CHUNK):
        stored += _insert(connection, compute_scores(connection, chunk))
    connection.execute(sa.insert(ChangeLog.__table__).values(
        changed_at=utcnow(), user_id=user_id, entity="contact_score", entity_id=0,
        action="update", field="rescore", old_value=None, new_value=str(stored)))
    return stored


def stored_quality(contacts: pd.DataFrame, source: Engine | OnConnection, pass_band: PassBand = PassBand()
                   ) -> pd.DataFrame:
    """The ``score_contacts`` frame (index ``contact_id``, ``QUALITY_COLUMNS``, contacts' order) of
    contacts read with their stored scores (``read_contacts(..., scores=True)``). Contacts without
    a stored row are scored from their answers, read from ``source``."""
    facts = contacts[list(FACT_COLUMNS)].astype({"knockout": object, "critical_fail": object})
    missing = facts["knockout"].isna().to_numpy()
    if missing.any():
        unscored = contacts.loc[missing, ["contact_id", "version_id", "channel"]]
        computed = score_contacts(unscored, read_answers(source, unscored["contact_id"].tolist(), comments=False),
                                  read_criteria(source, unscored["version_id"].unique().tolist()))
        for column in FACT_COLUMNS:
            values = computed[column]
            facts.loc[missing, column] = (values.astype(object) if facts[column].dtype == object else
                                          values.astype(float)).to_numpy()
    knockout = pd.Categorical(facts["knockout"].to_numpy(dtype=object), categories=list(KNOCKOUTS))
    final = facts["final_score"].to_numpy(dtype=float)
    knocked_out = np.isin(knockout.codes, [KNOCKOUTS.index("flag_fail"), KNOCKOUTS.index("zero_contact")])
    passed, band = pass_band.classify(final, knocked_out)
    out = {
        "raw_score": facts["raw_score"].to_numpy(dtype=float),
        "final_score": final,
        "passed": passed,
        "critical_fail": facts["critical_fail"].to_numpy(dtype=bool),
        "knockout": knockout,
        "band": band,
        **{column: facts[column].to_numpy(dtype=float) for column in ("possible_points", "earned_points",
                                                                       "bonus_points")},
        **{column: facts[column].to_numpy(dtype=np.int64) for column in _COUNT_FACTS},
    }
    return pd.DataFrame(out, index=pd.Index(contacts["contact_id"].to_numpy(dtype=np.int64), name="contact_id"))[
        list(QUALITY_COLUMNS)]
