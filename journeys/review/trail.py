"""The audit trail of review, release and appeals: one ``ReviewEvent`` per step, with who,
when and what they wrote (a return's comment, an appeal's reason, a decision).

Every step is recorded in the same transaction as the change it describes, so the trail never
shows a step that did not happen nor misses one that did. A new event also moves
``journeys.fieldwork.frames.data_version``: figures refresh on the next rerun.
"""

from datetime import UTC, datetime

from sqlmodel import Session, select

from journeys.models import ReviewAction, ReviewEvent


def record(session: Session, *, contact_id: int, action: ReviewAction, actor=None, comment: str = "",
           appeal_id: int | None = None, at: datetime | None = None) -> ReviewEvent:
    """Add one step to contact ``contact_id``'s trail (flushed, not committed)."""
    event = ReviewEvent(contact_id=contact_id, action=ReviewAction(action).value, comment=comment or "",
                        user_id=getattr(actor, "id", None), appeal_id=appeal_id,
                        occurred_at=at or datetime.now(UTC))
    session.add(event)
    session.flush()
    return event


def events_of(session: Session, contact_id: int) -> list[ReviewEvent]:
    """The contact's trail, oldest first."""
    return list(session.exec(
        select(ReviewEvent).where(ReviewEvent.contact_id == contact_id).order_by(ReviewEvent.occurred_at,
                                                                                 ReviewEvent.id)).all())
