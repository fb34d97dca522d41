"""The moves of an action item, as pure rules (no database): which status follows which, which
move needs a reason, and who may make it.

::

    open ──start──▶ in progress ──done──▶ done ──verify──▶ verified (final)
      │                 │  ▲                │
      │                 │  └───send back────┘  (the agency finds it not fixed; reason required)
      └──reject─────────┴──▶ rejected (final; reason required)

The client's users (within their scope) and the agency's managers and admins work on an action
(``ACTION_WORKERS``: start, mark done, reject, comment); only the agency verifies that a done
action is done, or sends it back (``ACTION_VERIFIERS``): the people measured do not sign off
their own fix. Kept apart from the services (``journeys.actions.items``) so every move, allowed
and refused, is tested without a database.
"""

import enum
from dataclasses import dataclass

from journeys.accounts.access import ACTION_VERIFIERS, ACTION_WORKERS, has_role
from journeys.language import N_
from journeys.models import CLOSED_ACTIONS, ActionStatus


class ActionMove(enum.StrEnum):
    """One step a user takes on an action (the buttons of the action plan page)."""

    START = "start"
    DONE = "done"
    REJECT = "reject"
    VERIFY = "verify"
    SEND_BACK = "send_back"


class InvalidMove(ValueError):
    """A move the action's status does not allow (the message says which and why)."""


@dataclass(frozen=True)
class Move:
    move: ActionMove
    label: str                               # the button, an English message (``N_``)
    from_statuses: frozenset[ActionStatus]
    to_status: ActionStatus
    needs_reason: bool
    roles: frozenset


MOVES: dict[ActionMove, Move] = {
    ActionMove.START: Move(ActionMove.START, N_("Start"), frozenset({ActionStatus.OPEN}),
                           ActionStatus.IN_PROGRESS, False, ACTION_WORKERS),
    ActionMove.DONE: Move(ActionMove.DONE, N_("Mark done"), frozenset({ActionStatus.OPEN, ActionStatus.IN_PROGRESS}),
                          ActionStatus.DONE, False, ACTION_WORKERS),
    ActionMove.REJECT: Move(ActionMove.REJECT, N_("Reject"), frozenset({ActionStatus.OPEN, ActionStatus.IN_PROGRESS}),
                            ActionStatus.REJECTED, True, ACTION_WORKERS),
    ActionMove.VERIFY: Move(ActionMove.VERIFY, N_("Verify"), frozenset({ActionStatus.DONE}),
                            ActionStatus.VERIFIED, False, ACTION_VERIFIERS),
    ActionMove.SEND_BACK: Move(ActionMove.SEND_BACK, N_("Send back"), frozenset({ActionStatus.DONE}),
                               ActionStatus.IN_PROGRESS, True, ACTION_VERIFIERS),
}


def move_to(current: str, to_status: str) -> Move:
    """The move that takes an action in ``current`` to ``to_status``.

    Raises:
        InvalidMove: no move goes there from ``current`` (a final status, or the same status).
    """
    current, to_status = ActionStatus(current), ActionStatus(to_status)
    for move in MOVES.values():
        if current in move.from_statuses and move.to_status is to_status:
            return move
    raise InvalidMove(f"an action that is {current.value} cannot become {to_status.value}")


def next_statuses(current: str) -> tuple[ActionStatus, ...]:
    """Where an action in ``current`` may go next, whoever asks (none from a final status)."""
    current = ActionStatus(current)
    return tuple(m.to_status for m in MOVES.values() if current in m.from_statuses)


def may_make(actor, move: Move) -> bool:
    """Whether ``actor``'s role may make ``move`` (the scope is the services' check)."""
    return has_role(actor, *move.roles)


def moves_for(actor, current: str) -> tuple[Move, ...]:
    """The moves ``actor`` may make on an action in ``current``: the page's buttons."""
    current = ActionStatus(current)
    return tuple(m for m in MOVES.values() if current in m.from_statuses and may_make(actor, m))


def is_final(status: str) -> bool:
    """Verified and rejected actions take no further move."""
    return ActionStatus(status) in CLOSED_ACTIONS
