"""The moves of a contact on its way to the client, as pure rules (no database).

::

    open ──submit──▶ submitted ──approve──▶ approved ──release──▶ released
                      │    ▲                  │
                return│    │submit            │return (before release)
                      ▼    │                  ▼
                     returned ◀───────────────┘

Approving a contact of a wave that releases continuously, of a wave already released, or of no
wave releases it at once (``status_after_approval``): nothing then waits for a release that
will never come. A released contact stays released; what changes it afterwards is an appeal.
"""

from dataclasses import dataclass
from datetime import datetime

from journeys.models import ReleaseMode, ReviewAction, ReviewStatus


class InvalidMove(ValueError):
    """A move the contact's status does not allow (the message says which and why)."""


@dataclass(frozen=True)
class Move:
    action: ReviewAction
    from_statuses: frozenset[ReviewStatus]
    to_status: ReviewStatus


MOVES: dict[ReviewAction, Move] = {
    ReviewAction.SUBMITTED: Move(ReviewAction.SUBMITTED,
                                 frozenset({ReviewStatus.OPEN, ReviewStatus.RETURNED}), ReviewStatus.SUBMITTED),
    ReviewAction.RETURNED: Move(ReviewAction.RETURNED,
                                frozenset({ReviewStatus.SUBMITTED, ReviewStatus.APPROVED}), ReviewStatus.RETURNED),
    ReviewAction.APPROVED: Move(ReviewAction.APPROVED, frozenset({ReviewStatus.SUBMITTED}), ReviewStatus.APPROVED),
    ReviewAction.RELEASED: Move(ReviewAction.RELEASED, frozenset({ReviewStatus.APPROVED}), ReviewStatus.RELEASED),
}


def next_status(current: str, action: ReviewAction) -> ReviewStatus:
    """The status after ``action`` on a contact in ``current``.

    Raises:
        InvalidMove: the action is not a status move, or ``current`` does not allow it.
    """
    move = MOVES.get(ReviewAction(action))
    if move is None:
        raise InvalidMove(f"{action} does not move a contact's review status")
    if ReviewStatus(current) not in move.from_statuses:
        raise InvalidMove(f"a contact that is {current} cannot be {action}")
    return move.to_status


def releases_on_approval(*, has_wave: bool, release_mode: str | None, wave_released_at: datetime | None) -> bool:
    """Whether approving a contact releases it at once: no wave, a continuous wave, or a wave
    already released (its later approvals follow it to the client)."""
    if not has_wave:
        return True
    return release_mode == ReleaseMode.CONTINUOUS or wave_released_at is not None


def status_after_approval(*, has_wave: bool, release_mode: str | None,
                          wave_released_at: datetime | None) -> ReviewStatus:
    """``RELEASED`` when approval releases at once (``releases_on_approval``), else ``APPROVED``."""
    if releases_on_approval(has_wave=has_wave, release_mode=release_mode, wave_released_at=wave_released_at):
        return ReviewStatus.RELEASED
    return ReviewStatus.APPROVED
