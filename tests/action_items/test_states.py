"""The moves of an action item: every move allowed and refused, and who may make it."""

from types import SimpleNamespace

import pytest

from journeys.actions.states import MOVES, ActionMove, InvalidMove, is_final, move_to, moves_for, next_statuses
from journeys.models import ActionStatus as S
from journeys.models import Role

ALLOWED = [
    (S.OPEN, S.IN_PROGRESS, ActionMove.START, False),
    (S.OPEN, S.DONE, ActionMove.DONE, False),
    (S.IN_PROGRESS, S.DONE, ActionMove.DONE, False),
    (S.OPEN, S.REJECTED, ActionMove.REJECT, True),
    (S.IN_PROGRESS, S.REJECTED, ActionMove.REJECT, True),
    (S.DONE, S.VERIFIED, ActionMove.VERIFY, False),
    (S.DONE, S.IN_PROGRESS, ActionMove.SEND_BACK, True),
]


@pytest.mark.parametrize(("current", "target", "move", "reason"), ALLOWED)
def test_allowed_moves(current, target, move, reason):
    """Each allowed status change is one named move, with a reason where the rules ask for one."""
    found = move_to(current, target)
    assert (found.move, found.needs_reason) == (move, reason)


REFUSED = [(c, t) for c in S for t in S if (c, t) not in {(a, b) for a, b, _m, _r in ALLOWED}]


@pytest.mark.parametrize(("current", "target"), REFUSED)
def test_refused_moves(current, target):
    """Every other change is refused: the final statuses, the same status, skipping verification."""
    with pytest.raises(InvalidMove):
        move_to(current, target)


def test_final_statuses_go_nowhere():
    """Verified and rejected are final; open may go three ways."""
    assert next_statuses(S.VERIFIED) == next_statuses(S.REJECTED) == ()
    assert is_final(S.VERIFIED) and is_final(S.REJECTED) and not is_final(S.DONE)
    assert set(next_statuses(S.OPEN)) == {S.IN_PROGRESS, S.DONE, S.REJECTED}


def _actor(role):
    return SimpleNamespace(id=1, role=role.value)


@pytest.mark.parametrize("role", [Role.CLIENT, Role.MANAGER, Role.ADMIN])
def test_workers_start_finish_and_reject(role):
    """Clients, managers and admins start, finish and reject an open action."""
    assert {m.move for m in moves_for(_actor(role), S.OPEN)} == {ActionMove.START, ActionMove.DONE, ActionMove.REJECT}


def test_only_the_agency_verifies_or_sends_back():
    """A client cannot verify or send back its own done action; a manager and an admin can."""
    assert moves_for(_actor(Role.CLIENT), S.DONE) == ()
    for role in (Role.MANAGER, Role.ADMIN):
        assert {m.move for m in moves_for(_actor(role), S.DONE)} == {ActionMove.VERIFY, ActionMove.SEND_BACK}


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.REVIEWER])
def test_others_make_no_move(role):
    """Auditors and reviewers make no move at all."""
    assert all(moves_for(_actor(role), s) == () for s in S)


def test_every_move_reaches_a_status():
    """The table is complete: one entry per move."""
    assert set(MOVES) == set(ActionMove)
