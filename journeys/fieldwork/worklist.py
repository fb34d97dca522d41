"""The auditor's work list ("My assignments"): the planned contacts given to the signed-in
auditor, starting one (pre-filled from its plan line, linked to the contact in the same
transaction), handing one back, and telling a planned contact from an ad-hoc one.

The calls, each in one transaction (``data.db.session_scope``)::

    frame = my_assignments(session=s, actor=me, today=local_today())   # sections, due-date order
    contact = start_assignment(session=s, actor=me, assignment_id=7)    # a second tap: the same contact
    hand_back(session=s, actor=me, assignment_id=8, reason="On holiday that week")
    plan_marks(session=s, contact_ids=[...])                            # contact id → its wave's name

A planned contact's status is ``journeys.fieldwork.planned``'s one rule: "started" from the tap
on Start until its contact is logged (answered or assessed, see ``journeys.fieldwork.planned.contact_logged``), then
"done". A contact no assignment points at is ad hoc (outside the plan).
"""

from datetime import date, datetime, timedelta

import pandas as pd
from babel.dates import format_date
from sqlmodel import Session, select

from journeys.accounts.access import ASSIGNMENT_HOLDERS, ensure_role, has_role
from journeys.catalogue.reference import channel_display_names
from journeys.errors import NotFoundError, PermissionDenied, Problem, ValidationError
from journeys.fieldwork.contacts import ContactStart, start_contact
from journeys.fieldwork.planned import local_today, planned_contacts
from journeys.language import _, current_locale, ngettext, number
from journeys.local_time import to_local
from journeys.models import Assignment, ChangeLog, Contact, PlanLine, Role, Wave, utcnow

# The work list's sections, in the order the page shows them.
SECTIONS = ("overdue", "due_soon", "to_do", "started", "done")
# Done planned contacts stay on the list this many days after their contact was saved.
RECENT_DONE_DAYS = 30
MAX_REASON_CHARS = 500


def my_assignments(*, session: Session, actor, today: date) -> pd.DataFrame:
    """The actor's planned contacts on ``today``, by section (``SECTIONS``), each in due-date order.

    Columns: ``journeys.fieldwork.planned.PLANNED_COLUMNS`` plus ``channel_name`` (the channel's
    display name) and ``section``. Done ones are listed for ``RECENT_DONE_DAYS`` days after their
    contact was saved.
    """
    ensure_role(actor, *ASSIGNMENT_HOLDERS, action="see your assignments")
    frame = planned_contacts(session=session, today=today, auditor_id=actor.id)
    names = channel_display_names(session=session)
    frame["channel_name"] = [names.get(key, key) for key in frame["channel"]]
    frame["section"] = frame["status"]
    done = frame["section"] == "done"
    recent = [to_local(saved).date() >= today - timedelta(days=RECENT_DONE_DAYS) if not pd.isna(saved) else False
              for saved in frame["contact_logged_at"]]
    frame = frame[~done | pd.Series(recent, index=frame.index, dtype=bool)]
    frame = frame[frame["section"].isin(SECTIONS)].copy()
    order = {section: position for position, section in enumerate(SECTIONS)}
    frame["_section"] = frame["section"].map(order)
    frame["_position"] = range(len(frame))  # planned_contacts' due-date order within a section
    return frame.sort_values(["_section", "_position"]).drop(columns=["_section", "_position"]).reset_index(
        drop=True)


def _own_assignment(session: Session, actor, assignment_id: int, *, lock: bool = False) -> Assignment:
    query = select(Assignment).where(Assignment.id == assignment_id)
    if lock:  # two taps at once: the second waits for the first and then finds its contact
        query = query.with_for_update()
    assignment = session.exec(query).first()
    if assignment is None:
        raise NotFoundError(_("Planned contact {id} does not exist (any more).").format(id=assignment_id))
    return assignment


def start_assignment(*, session: Session, actor, assignment_id: int, now: datetime | None = None) -> Contact:
    """Start the contact of a planned contact, pre-filled from its plan line (brand, location,
    journey, channel, wave), and link it; if it was started already, its contact (a second tap
    continues it, never a second contact).

    Auditors start their own planned contacts only; an admin may start any.

    Raises:
        PermissionDenied: a manager, or another auditor's planned contact.
        ValidationError: the planned contact is done, or ``start_contact`` refuses the plan's
            choices (an archived journey, a channel the journey no longer runs on).
    """
    ensure_role(actor, *ASSIGNMENT_HOLDERS, action="start assignments")
    assignment = _own_assignment(session, actor, assignment_id, lock=True)
    if not has_role(actor, Role.ADMIN) and assignment.auditor_id != actor.id:
        raise PermissionDenied(_("Planned contact {id} is not assigned to you; you may not start it.").format(
            id=assignment_id))
    if assignment.contact_id is not None:
        contact = session.get(Contact, assignment.contact_id)
        status = planned_contacts(session=session, today=local_today(), assignment_ids=[assignment.id])["status"]
        if contact is not None and (status == "done").any():
            raise ValidationError(Problem("assignment", assignment_id, _(
                "is done already: its contact {contact} was saved complete").format(contact=contact.id),
                label=_("planned contact")))
        if contact is not None:
            return contact
    line = session.get(PlanLine, assignment.plan_line_id)
    contact = start_contact(session=session, actor=actor, now=now, start=ContactStart(
        journey_id=line.journey_id, brand_id=line.brand_id, channel_id=line.channel_id,
        location_id=line.location_id, wave_id=line.wave_id))
    assignment.contact_id = contact.id
    session.add(assignment)
    session.flush()
    return contact


def hand_back(*, session: Session, actor, assignment_id: int, reason: str) -> Assignment:
    """Give a planned contact back to the planners: nobody holds it any more; the change log
    keeps who handed it back, when and why.

    Raises:
        PermissionDenied: a manager, or a planned contact the actor does not hold.
        ValidationError: no reason, a reason over ``MAX_REASON_CHARS`` characters, or the
            planned contact was started or is done (its contact is linked).
    """
    ensure_role(actor, *ASSIGNMENT_HOLDERS, action="hand back assignments")
    reason = (reason or "").strip()
    problems = []
    if not reason:
        problems.append(Problem("reason", None, _("is required: say why you hand it back"), label=_("reason")))
    elif len(reason) > MAX_REASON_CHARS:
        problems.append(Problem("reason", ngettext("{n} character", "{n} characters", len(reason)).format(
            n=number(len(reason))), _("is too long (at most {limit} characters)").format(
            limit=number(MAX_REASON_CHARS)), label=_("reason")))
    elif "\x00" in reason:
        problems.append(Problem("reason", None, _("contains a NUL character (\\x00), which cannot be stored; "
                                                  "remove it"), label=_("reason")))
    assignment = _own_assignment(session, actor, assignment_id, lock=True)
    if assignment.auditor_id != actor.id:
        raise PermissionDenied(_("Planned contact {id} is not assigned to you; you cannot hand it back.").format(
            id=assignment_id))
    if assignment.contact_id is not None:
        problems.append(Problem("assignment", assignment_id, _(
            "was started already (contact {contact}): finish it, or ask a manager").format(
            contact=assignment.contact_id), label=_("planned contact")))
    if problems:
        raise ValidationError(problems)
    assignment.auditor_id = None
    assignment.assigned_at = None
    session.add(assignment)
    session.add(ChangeLog(changed_at=utcnow(), user_id=actor.id, entity="assignment", entity_id=assignment.id,
                          action="update", field="handed_back", old_value=str(actor.id), new_value=reason))
    session.flush()
    return assignment


def plan_marks(*, session: Session, contact_ids) -> dict[int, str]:
    """Contact id → the name of the wave whose plan it was made for, for the planned ones among
    ``contact_ids`` (one query); a contact not in the answer is ad hoc (outside the plan).

    Reads no contact itself: the caller shows marks only beside contacts it may already read.
    """
    ids = sorted({int(i) for i in contact_ids})
    if not ids:
        return {}
    rows = session.exec(select(Assignment.contact_id, Wave.name).join(Wave, Wave.id == Assignment.wave_id)
                        .where(Assignment.contact_id.in_(ids))).all()
    return {int(contact_id): name for contact_id, name in rows}


def is_planned(*, session: Session, contact_id: int) -> bool:
    """Whether the contact was made for a planned contact (else it is ad hoc)."""
    return bool(plan_marks(session=session, contact_ids=[contact_id]))


def plan_mark_text(wave: str | None) -> str:
    """How a contact says where it comes from: "Planned: 2026-Q1" or "Ad hoc (outside the plan)".
    ``wave`` is user text: a page shows the result through ``ui.text.as_plain_text``."""
    if wave is None:
        return _("Ad hoc (outside the plan)")
    return _("Planned: {wave}").format(wave=wave)


def due_text(due_on: date | None, today: date) -> str:
    """A planned contact's due date as its auditor reads it: "due Thu 3 Dec", "due today",
    "due tomorrow", "2 days overdue", or "no due date"."""
    if due_on is None or pd.isna(due_on):
        return _("no due date")
    days = (due_on - today).days
    if days < 0:
        return ngettext("{n} day overdue", "{n} days overdue", -days).format(n=number(-days))
    if days == 0:
        return _("due today")
    if days == 1:
        return _("due tomorrow")
    form = "EEE d MMM" if due_on.year == today.year else "EEE d MMM y"
    return _("due {day}").format(day=format_date(due_on, form, locale=current_locale()))


def open_counts(frame: pd.DataFrame) -> tuple[int, int]:
    """``(open, overdue)`` planned contacts of a work list (``my_assignments``): open is every one
    not done, overdue ones included."""
    return int((frame["section"] != "done").sum()), int((frame["section"] == "overdue").sum())


def work_list_summary(frame: pd.DataFrame) -> str | None:
    """One line for My contacts: "3 assignments to do, 1 overdue"; None when nothing is open."""
    to_do, overdue = open_counts(frame)
    if not to_do:
        return None
    text = ngettext("{n} assignment to do", "{n} assignments to do", to_do).format(n=number(to_do))
    if overdue:
        text = _("{to_do}, {overdue}").format(to_do=text, overdue=ngettext(
            "{n} overdue", "{n} overdue", overdue).format(n=number(overdue)))
    return text
