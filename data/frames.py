"""Read the database into the plain frames ``scoring/`` works on (one query per frame).

The frame contract (column names and types) is documented in ``docs/scoring.md``; this module
is the only place that turns rows into it, so the app, the CLI and the benchmarks all score
the same data the same way.
"""

from dataclasses import dataclass, field
from datetime import datetime

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import aliased

from journeys.models import (
    Answer,
    Brand,
    Channel,
    ChecklistVersion,
    Contact,
    Criterion,
    CriterionChannel,
    Journey,
    JourneyChannel,
    Location,
    User,
    Wave,
)

TIMESTAMP_COLUMNS = ("started_at", "acknowledged_at", "first_response_at", "resolved_at", "due_at")


@dataclass(frozen=True)
class ContactFilter:
    """Which contacts to read. Empty tuples mean "all"; dates bound ``started_at`` (UTC)."""

    brands: tuple[str, ...] = ()
    locations: tuple[str, ...] = ()
    waves: tuple[str, ...] = ()
    journeys: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    auditor_ids: tuple[int, ...] = ()
    started_from: datetime | None = None
    started_before: datetime | None = None
    contact_ids: tuple[int, ...] = field(default=())


def _contacts_select(flt: ContactFilter):
    redirect = aliased(Channel)
    auditor = aliased(User)
    query = (
        sa.select(
            Contact.id.label("contact_id"),
            Brand.name.label("brand"),
            Location.name.label("location"),
            Journey.name.label("journey"),
            Contact.checklist_version_id.label("version_id"),
            Wave.name.label("wave"),
            Channel.name.label("channel"),
            Channel.kind.label("channel_kind"),
            auditor.username.label("auditor"),
            Contact.auditor_id,
            Contact.started_at,
            Contact.acknowledged_at,
            Contact.first_response_at,
            Contact.resolved_at,
            Contact.due_at,
            Contact.wait_seconds,
            Contact.handling_seconds,
            Contact.transfers,
            redirect.name.label("redirected_to"),
            Contact.answer_correct,
            Contact.external_id,
            JourneyChannel.first_response_target_seconds.label("first_response_target_s"),
            JourneyChannel.resolution_target_seconds.label("resolution_target_s"),
            JourneyChannel.business_hours,
        )
        .join(Brand, Brand.id == Contact.brand_id)
        .join(Journey, Journey.id == Contact.journey_id)
        .join(Channel, Channel.id == Contact.channel_id)
        .outerjoin(Location, Location.id == Contact.location_id)
        .outerjoin(Wave, Wave.id == Contact.wave_id)
        .outerjoin(auditor, auditor.id == Contact.auditor_id)
        .outerjoin(redirect, redirect.id == Contact.redirected_to_channel_id)
        .outerjoin(
            JourneyChannel,
            (JourneyChannel.journey_id == Contact.journey_id) & (JourneyChannel.channel_id == Contact.channel_id),
        )
    )
    conditions = []
    for values, column in (
        (flt.brands, Brand.name), (flt.locations, Location.name), (flt.waves, Wave.name),
        (flt.journeys, Journey.name), (flt.channels, Channel.name), (flt.auditor_ids, Contact.auditor_id),
        (flt.contact_ids, Contact.id),
    ):
        if values:
            conditions.append(column.in_(list(values)))
    if flt.started_from is not None:
        conditions.append(Contact.started_at >= flt.started_from)
    if flt.started_before is not None:
        conditions.append(Contact.started_at < flt.started_before)
    return query.where(*conditions).order_by(Contact.id)


def _as_utc(series: pd.Series) -> pd.Series:
    return pd.to_datetime(series, utc=True).dt.as_unit("us")


def read_contacts(engine: Engine, flt: ContactFilter = ContactFilter()) -> pd.DataFrame:
    """One row per contact with names, timings, targets and judgement (the scoring contract)."""
    with engine.connect() as connection:
        frame = pd.read_sql(_contacts_select(flt), connection)
    for column in TIMESTAMP_COLUMNS:
        frame[column] = _as_utc(frame[column])
    for column in ("wait_seconds", "handling_seconds", "transfers", "first_response_target_s", "resolution_target_s"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype(float)
    frame["answer_correct"] = frame["answer_correct"].astype("boolean")
    frame["business_hours"] = frame["business_hours"].fillna(False).astype(bool)
    frame["auditor_id"] = frame["auditor_id"].astype("Int64")
    return frame


def read_answers(engine: Engine, contact_ids=None) -> pd.DataFrame:
    """Checklist answers (``value`` NaN when N/A) of the given contacts, or of all contacts."""
    query = sa.select(Answer.contact_id, Answer.criterion_id, Answer.value, Answer.is_na, Answer.comment)
    if contact_ids is not None:
        ids = [int(i) for i in contact_ids]
        if len(ids) < 5000:
            query = query.where(Answer.contact_id.in_(ids))
    with engine.connect() as connection:
        frame = pd.read_sql(query, connection)
    if contact_ids is not None and len(frame):
        frame = frame[frame["contact_id"].isin(set(int(i) for i in contact_ids))]
    frame["value"] = frame["value"].astype(float)
    frame["is_na"] = frame["is_na"].astype(bool)
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
    if version_ids is not None:
        query = query.where(Criterion.version_id.in_([int(v) for v in version_ids]))
    channels_query = sa.select(CriterionChannel.criterion_id, Channel.name).join(
        Channel, Channel.id == CriterionChannel.channel_id
    )
    with engine.connect() as connection:
        frame = pd.read_sql(query.order_by(Criterion.version_id, Criterion.position), connection)
        restrictions = pd.read_sql(channels_query, connection)
    by_criterion = restrictions.groupby("criterion_id")["name"].agg(lambda s: tuple(sorted(s))).to_dict()
    frame["channels"] = [by_criterion.get(i, ()) for i in frame["criterion_id"]]
    for column in ("weight", "scale_min", "scale_max"):
        frame[column] = frame[column].astype(float)
    for column in ("na_allowed", "bonus"):
        frame[column] = frame[column].astype(bool)
    return frame
