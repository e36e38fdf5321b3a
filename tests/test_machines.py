"""The position machines, without a database or a terminal."""

from __future__ import annotations

import pytest

from tracker.errors import IllegalMove
from tracker.machines import MOVE_TABLE, MOVES, IssueMachine, Move, Stance, machine_description, machine_mermaid


def test_one_machine_is_shared_by_every_party_of_an_issue() -> None:
    machine = IssueMachine("donetsk_withdrawal")
    positions = [machine.position(party) for party in ("russia", "ukraine", "united_states", "europe")]
    assert machine.machine.models == positions
    machine.apply(positions[0], "demands")
    machine.apply(positions[1], "opposes")
    assert [p.state for p in positions] == ["demands", "opposes", "unknown", "unknown"]


def test_named_moves() -> None:
    machine = IssueMachine("peacekeepers")
    position = machine.position("ukraine")
    steps = [
        ("opposes", Move.FIRST_STATEMENT),
        ("opposes", Move.REAFFIRM),
        ("counter_proposal", Move.SOFTEN),
        ("open", Move.SOFTEN),
        ("supports", Move.HARDEN),
        ("agreed", Move.ACCEPT),
        ("demands", Move.RENEGE),
    ]
    assert [machine.apply(position, stance) for stance, _ in steps] == [move for _, move in steps]
    assert position.state == "demands"


@pytest.mark.parametrize(
    ("start", "target"),
    [
        ("demands", "opposes"),
        ("opposes", "demands"),
        ("supports", "counter_proposal"),
        ("opposes", "agreed"),
        ("demands", "unknown"),
    ],
)
def test_crossing_the_middle_in_one_step_is_refused(start: str, target: str) -> None:
    machine = IssueMachine("nato_membership")
    position = machine.position("russia")
    machine.apply(position, start)
    with pytest.raises(IllegalMove) as caught:
        machine.apply(position, target)
    message = str(caught.value)
    assert f"nato_membership/russia is '{start}'" in message
    assert f"no move leads to '{target}'" in message
    assert "allowed: reaffirm -> " + start in message
    assert position.state == start


def test_the_compiled_table_agrees_with_the_machine_on_every_state_and_stance() -> None:
    """Ask the transitions Machine itself, trigger by trigger, which stance each move reaches."""
    machine = IssueMachine("znpp")
    for source in Stance:
        for target in Stance:
            reached = []
            for move in Move:
                position = machine.position("probe")
                machine.machine.set_state(source.value, model=position)
                if position.may_trigger(move.value, stance=target.value):  # type: ignore[attr-defined]
                    position.trigger(move.value, stance=target.value)
                    reached.append(move)
                    assert position.state == target.value
                machine.release(position)
            expected = MOVES.get((source.value, target.value))
            assert reached == ([expected] if expected else []), (source, target)
            assert machine.moves.get((source.value, target.value)) == expected


def test_the_table_is_declared_once_per_pair() -> None:
    pairs = [pair for pairs in MOVE_TABLE.values() for pair in pairs]
    assert len(pairs) == len(set(pairs)) == len(MOVES)
    assert all(dest is not Stance.UNKNOWN for _, dest in pairs), "no evidence returns a position to unknown"


def test_descriptions() -> None:
    described = machine_description("znpp", "Zaporizhzhia")
    assert described["initial"] == "unknown"
    assert {"move": "renege", "from": "agreed", "to": "opposes"} in described["transitions"]
    mermaid = machine_mermaid("Zaporizhzhia (znpp)")
    assert "stateDiagram-v2" in mermaid
    assert "agreed --> opposes: renege" in mermaid
    assert mermaid.count("-->") == len(MOVES) + 1  # and the initial arrow
    assert "s_active" not in mermaid.replace("classDef s_active", ""), "no state drawn as the active one"
    assert mermaid.count("classDef s_default") == 1
