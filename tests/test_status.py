"""Issue status, derived from every party's stance (no database)."""

from __future__ import annotations

import pytest

from tracker.domain.machines import Stance
from tracker.domain.status import issue_status

U, D, S, OP, C, X, A = (
    Stance.UNKNOWN,
    Stance.DEMANDS,
    Stance.SUPPORTS,
    Stance.OPEN,
    Stance.COUNTER_PROPOSAL,
    Stance.OPPOSES,
    Stance.AGREED,
)


@pytest.mark.parametrize(
    ("stances", "named", "reopened", "status"),
    [
        ([U, U, U, U], False, False, "not_on_agenda"),
        ([U, U, U, U], True, False, "in_play"),
        ([D, U, U, U], False, False, "in_play"),
        ([D, X, U, U], False, False, "deadlocked"),
        ([D, C, A, U], False, False, "deadlocked"),
        ([S, C, U, U], False, False, "in_play"),
        ([D, OP, U, U], False, False, "converging"),
        ([A, A, U, U], False, False, "converging"),
        ([A, A, A, A], False, False, "agreed"),
        ([A, A, A, A], True, True, "in_play"),
        ([A, A, U, U], True, True, "in_play"),
        ([D, X, U, U], True, True, "deadlocked"),
    ],
)
def test_status(stances: list[Stance], named: bool, reopened: bool, status: str) -> None:
    assert issue_status(stances, named, reopened) == status
