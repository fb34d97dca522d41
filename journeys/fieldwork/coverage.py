"""The fieldwork plan's coverage of what a dashboard shows: "34 of 40 planned contacts".

``plan_coverage`` counts, in one aggregate query, the planned contacts (``Assignment`` rows) of
the waves, brands, regions, locations, journeys and channels a ``ContactFilter`` picks, how many
of them are done and how many are overdue, by the rule of ``journeys.fieldwork.planned.status_of``
(done: its contact is logged, ``journeys.fieldwork.planned.contact_logged``; overdue: not done
and its due date has passed).
``coverage_words`` turns the count into the line the dashboards print beside their figures, and
says when the quota is short; nothing planned, nothing said.

The filter's period, auditors and contact ids are not applied: a planned contact has no start
time until it is made, and the plan is the agency's, not one auditor's.

``coverage_unmoved`` says when a write cannot have moved the coverage (a contact saved that is
no planned one), so a dashboard keeps the count it has instead of counting the whole plan again.
"""

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlmodel import Session

from journeys.fieldwork.contact_filter import NAMED_FIELDS, ContactFilter
from journeys.fieldwork.planned import contact_logged
from journeys.fieldwork.refresh import CHANGE_MARK, CONTACT_MARK, REVIEW_MARK
from journeys.language import _, ngettext, number
from journeys.models import Assignment, ChangeLog, Channel, Contact, PlanLine

# Change-log entities whose changes move no planned contact's count by themselves (a contact's
# change counts only when it is a planned one: see ``coverage_unmoved``).
_NOT_PLAN_ENTITIES = ("contact", "evidence", "contact_score")


@dataclass(frozen=True)
class PlanCoverage:
    """Planned contacts in view, how many are done and how many are overdue (``status_of``)."""

    planned: int
    done: int
    overdue: int

    @property
    def short(self) -> bool:
        """The quota is not met: some planned contact is not done."""
        return self.done < self.planned


# The planned contact's key for each name list of the filter (see ``NAMED_FIELDS``).
PLAN_KEYS = {
    "brands": PlanLine.brand_id,
    "regions": PlanLine.location_id,
    "locations": PlanLine.location_id,
    "waves": Assignment.wave_id,
    "journeys": PlanLine.journey_id,
    "channels": PlanLine.channel_id,
}


def plan_conditions(flt: ContactFilter) -> list:
    """The WHERE conditions of ``flt``'s name lists for a select of assignments joined to their
    plan lines; a brand-level line (no location) never matches a location or region list."""
    conditions = []
    for name, name_column, _key, _column in NAMED_FIELDS:
        values = getattr(flt, name)
        if values:
            table = name_column.class_
            ids = sa.select(table.id).where(name_column.in_(list(values))).correlate(None)
            conditions.append(PLAN_KEYS[name].in_(ids))
    return conditions


def plan_coverage(*, session: Session, flt: ContactFilter, today: date) -> PlanCoverage | None:
    """The coverage of the plan for the contacts ``flt`` picks, on local day ``today``; None when
    nothing is planned for them.

    Access is the caller's to check: the dashboards that print it are read by the contact readers.
    """
    done = contact_logged()
    query = (
        sa.select(
            sa.func.count(Assignment.id),
            sa.func.coalesce(sa.func.sum(sa.case((done, 1), else_=0)), 0),
            sa.func.coalesce(sa.func.sum(sa.case((sa.and_(sa.not_(done), Assignment.due_on < today), 1),
                                                 else_=0)), 0),
        )
        .select_from(Assignment)
        .join(PlanLine, PlanLine.id == Assignment.plan_line_id)
        .join(Channel, Channel.id == PlanLine.channel_id)  # contact_logged reads the channel's kind
        .outerjoin(Contact, Contact.id == Assignment.contact_id)
        .where(*plan_conditions(flt))
    )
    planned, done_count, overdue = session.exec(query).one()
    if not planned:
        return None
    return PlanCoverage(planned=int(planned), done=int(done_count), overdue=int(overdue))


def plan_version(*, session: Session) -> tuple:
    """A cheap fingerprint of the plan that changes when planned contacts are added, removed or
    linked to a contact: part of the cache key of a cached coverage."""
    return tuple(session.exec(sa.select(sa.func.count(Assignment.id), sa.func.max(Assignment.id),
                                        sa.func.count(Assignment.contact_id))).one())


def coverage_unmoved(connection: sa.Connection, since: tuple, now: tuple, contact_ids) -> bool:
    """Whether the coverage at data version ``now`` (``journeys.fieldwork.frames.data_version``)
    is the one at ``since``, given ``contact_ids``: every contact whose row may have changed in
    between (``journeys.fieldwork.refresh.changed_contacts``). It is when the change log in
    between holds only changes of contacts, their evidence and stored scores, and none of those
    contacts is a planned one (linked to an assignment): a planned contact is counted by its
    assignment and its own contact only. Any other write (an assignment, a plan line, a wave, a
    channel...) or a mark other than the contacts', change log's and review steps' that moved, and
    the coverage is counted again. ``plan_version`` beside it in a cache key still catches planned
    contacts added, removed or linked without a change-log entry."""
    marks = (CONTACT_MARK, CHANGE_MARK, REVIEW_MARK)
    if any(a != b for position, (a, b) in enumerate(zip(since, now, strict=True)) if position not in marks):
        return False
    if any((b or 0) < (a or 0) for a, b in zip(since, now, strict=True)):
        return False  # rows removed behind the change log's back (a restore): count again
    other = connection.execute(sa.select(sa.func.count()).select_from(ChangeLog).where(
        ChangeLog.id > (since[CHANGE_MARK] or 0), ChangeLog.id <= (now[CHANGE_MARK] or 0),
        ChangeLog.entity.not_in(_NOT_PLAN_ENTITIES))).scalar_one()
    if other:
        return False
    ids = sorted({int(i) for i in contact_ids})
    return not any(connection.execute(sa.select(sa.func.count()).select_from(Assignment).where(
        Assignment.contact_id.in_(ids[start:start + 500]))).scalar_one() for start in range(0, len(ids), 500))


def coverage_words(coverage: PlanCoverage | None) -> str:
    """The plan's coverage as the dashboards print it: "34 of 40 planned contacts", and when the
    quota is short "· fieldwork not complete" (with the overdue count); "" when nothing is planned."""
    if coverage is None or coverage.planned == 0:
        return ""
    words = ngettext("{done} of {planned} planned contact", "{done} of {planned} planned contacts",
                     coverage.planned).format(done=number(coverage.done), planned=number(coverage.planned))
    if coverage.short:
        if coverage.overdue:
            words += " · " + ngettext("fieldwork not complete ({n} overdue)", "fieldwork not complete ({n} overdue)",
                                      coverage.overdue).format(n=number(coverage.overdue))
        else:
            words += " · " + _("fieldwork not complete")
    return words
