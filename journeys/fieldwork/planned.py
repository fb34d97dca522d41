"""Planned contacts as the work list, the assignment page and the progress figures read them: one
query and one rule for a planned contact's status, so the auditor's work list and the manager's
progress page never count the same contact two ways.

A planned contact is an ``Assignment`` row (one per contact a ``PlanLine`` asks for). Its status on
day ``today`` (local):

- ``done``: its contact is logged (``contact_logged``): not a draft, and either answered — a live
  conversation ended (resolved), or a reply received on an asynchronous channel — or assessed
  (its checklist saved). A contact nobody ever answers is done once its auditor saves the
  checklist: unanswered is a result, not missing fieldwork;
- ``started``: a contact was started for it and is not logged yet;
- ``unassigned``: nobody is to make it yet;
- ``overdue``: assigned, not done, and its due date has passed;
- ``due_soon``: assigned, not done, due within ``DUE_SOON_DAYS`` days (today included);
- ``to_do``: assigned and not started, due later or without a due date.

``started`` and ``unassigned`` give way to ``overdue``: a contact past its date is late whether or
not someone began it, and the progress page counts it as overdue until it is done.
"""

from datetime import date, datetime, timedelta

import pandas as pd
import sqlalchemy as sa
from sqlmodel import Session, select

from journeys.local_time import LOCAL_ZONE
from journeys.models import (
    LIVE_KINDS,
    Answer,
    Assignment,
    Brand,
    Channel,
    Contact,
    Journey,
    Location,
    PlanLine,
    User,
    Wave,
)

DUE_SOON_DAYS = 3

STATUSES = ("unassigned", "to_do", "due_soon", "overdue", "started", "done")


def local_today(now: datetime | None = None) -> date:
    """Today in the app's zone (``journeys.local_time.LOCAL_ZONE``): due dates are local days."""
    return (now or datetime.now(LOCAL_ZONE)).astimezone(LOCAL_ZONE).date()


def contact_logged() -> sa.ColumnElement[bool]:
    """SQL: the ``Contact`` (joined in the query) is logged, so its planned contact is done (see the
    module's docstring). The one statement of "done" for every count of planned contacts."""
    assessed = sa.exists().where(Answer.contact_id == Contact.id)
    live = Channel.kind.in_([kind.value for kind in LIVE_KINDS])
    answered = sa.or_(sa.and_(live, Contact.resolved_at.is_not(None)),
                      sa.and_(sa.not_(live), Contact.first_response_at.is_not(None)))
    return sa.and_(Contact.id.is_not(None), sa.not_(Contact.is_draft), sa.or_(answered, assessed))


def status_of(*, auditor_id: int | None, due_on: date | None, contact_id: int | None,
              contact_logged: bool, today: date) -> str:
    """The status of one planned contact (see the module's docstring)."""
    if contact_id is not None and contact_logged:
        return "done"
    if due_on is not None and due_on < today:
        return "overdue"
    if contact_id is not None:
        return "started"
    if auditor_id is None:
        return "unassigned"
    if due_on is not None and due_on < today + timedelta(days=DUE_SOON_DAYS):
        return "due_soon"
    return "to_do"


PLANNED_COLUMNS = (
    "assignment_id", "plan_line_id", "wave_id", "wave", "brand_id", "brand", "location_id", "location",
    "region", "journey_id", "journey", "channel_id", "channel", "time_slot", "due_on", "auditor_id",
    "auditor", "contact_id", "contact_logged", "contact_started_at", "contact_logged_at", "status",
)


def planned_contacts(*, session: Session, today: date, wave_id: int | None = None,
                     auditor_id: int | None = None, assignment_ids=None) -> pd.DataFrame:
    """Every planned contact (of one wave, one auditor, or given ids) with the names a person reads
    and its ``status`` on ``today``; columns ``PLANNED_COLUMNS``, one row per planned contact,
    ordered by due date (none last), then brand, location and id.

    Access is the caller's to check: a service reads this after ``ensure_role``.
    ``channel`` is the channel's key name (map it through
    ``journeys.catalogue.reference.channel_display_names`` to show it). ``contact_logged``: whether
    its contact is logged (``contact_logged``); ``contact_logged_at`` is when its
    contact was logged: the live conversation's end, the first reply on an asynchronous channel,
    else (assessed without an answer) its last save.
    """
    query = (
        select(
            Assignment.id.label("assignment_id"), Assignment.plan_line_id, Assignment.wave_id,
            Wave.name.label("wave"), PlanLine.brand_id, Brand.name.label("brand"), PlanLine.location_id,
            Location.name.label("location"), Location.region, PlanLine.journey_id,
            Journey.name.label("journey"), PlanLine.channel_id, Channel.name.label("channel"),
            PlanLine.time_slot, Assignment.due_on, Assignment.auditor_id,
            sa.func.coalesce(sa.func.nullif(User.display_name, ""), User.username).label("auditor"),
            Assignment.contact_id, contact_logged().label("contact_logged"),
            Contact.started_at.label("contact_started_at"), sa.case((Channel.kind.in_([kind.value for kind in LIVE_KINDS]), Contact.resolved_at),
                    else_=Contact.first_response_at).label("_answered_at"), Contact.updated_at.label("_saved_at"),
        )
        .join(PlanLine, PlanLine.id == Assignment.plan_line_id)
        .join(Wave, Wave.id == Assignment.wave_id)
        .join(Brand, Brand.id == PlanLine.brand_id)
        .outerjoin(Location, Location.id == PlanLine.location_id)
        .join(Journey, Journey.id == PlanLine.journey_id)
        # the plan line's channel: a contact started from its planned contact is on that channel
        .join(Channel, Channel.id == PlanLine.channel_id)
        .outerjoin(User, User.id == Assignment.auditor_id)
        .outerjoin(Contact, Contact.id == Assignment.contact_id)
    )
    if wave_id is not None:
        query = query.where(Assignment.wave_id == wave_id)
    if auditor_id is not None:
        query = query.where(Assignment.auditor_id == auditor_id)
    if assignment_ids is not None:
        query = query.where(Assignment.id.in_(list(assignment_ids)))
    rows = session.exec(query).all()
    frame = pd.DataFrame([tuple(row) for row in rows],
                         columns=[*PLANNED_COLUMNS[:-2], "_answered_at", "_saved_at"])
    frame["region"] = frame["region"].fillna("")
    frame["contact_logged"] = frame["contact_logged"].fillna(False).astype(bool)
    frame["contact_logged_at"] = frame.pop("_answered_at").fillna(frame.pop("_saved_at"))
    frame["status"] = [
        status_of(auditor_id=None if pd.isna(a) else a, due_on=d if isinstance(d, date) else None,
                  contact_id=None if pd.isna(c) else c, contact_logged=logged, today=today)
        for a, d, c, logged in zip(frame["auditor_id"], frame["due_on"], frame["contact_id"],
                                   frame["contact_logged"], strict=True)
    ]
    frame["_no_due"] = frame["due_on"].isna()
    frame = frame.sort_values(["_no_due", "due_on", "brand", "location", "assignment_id"],
                              na_position="last", kind="stable").drop(columns="_no_due")
    return frame.reset_index(drop=True)


def assignment_of_contact(*, session: Session, contact_id: int) -> Assignment | None:
    """The planned contact a contact was made for; None: the contact is ad hoc (outside the plan)."""
    return session.exec(select(Assignment).where(Assignment.contact_id == contact_id)).first()
