"""The position machines, without a database or a terminal."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tracker.domain.errors import AmbiguousMove, IllegalMove
from tracker.domain.machines import (
    IMPLIES,
    MOVE_TABLE,
    MOVES,
    IssueMachine,
    Move,
    Stance,
    choose_move,
    machine_description,
    machine_mermaid,
    reached,
)


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
        ("opposes", None, Move.FIRST_STATEMENT),
        ("opposes", None, Move.REAFFIRM),
        ("counter_proposal", None, Move.SOFTEN),
        ("open", None, Move.SOFTEN),
        ("supports", None, Move.HARDEN),
        ("agreed", None, Move.ACCEPT),
        ("demands", "reopen", Move.REOPEN),
        ("agreed", None, Move.ACCEPT),
        ("opposes", None, Move.RENEGE),  # the one move to opposes: nothing to name
    ]
    assert [machine.apply(position, stance, move) for stance, move, _ in steps] == [move for _, _, move in steps]
    assert position.state == "opposes"


def test_leaving_agreed_for_a_stance_two_moves_reach_needs_the_move_named() -> None:
    machine = IssueMachine("security_guarantees")
    position = machine.position("ukraine")
    machine.apply(position, "agreed")
    with pytest.raises(AmbiguousMove) as unnamed:
        machine.apply(position, "demands")
    message = str(unnamed.value)
    assert "security_guarantees/ukraine is 'agreed', and more than one move leads to 'demands'" in message
    assert "renege (the party walks back what it agreed)" in message
    assert "reopen (the agreement proves partial, or the party asks for more; no breach)" in message
    assert "name the one meant with `move:`" in message
    with pytest.raises(IllegalMove, match="'harden' does not lead to 'demands'"):
        machine.apply(position, "demands", "harden")
    assert position.state == "agreed"
    assert machine.apply(position, "demands", "renege") is Move.RENEGE


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


def _decision(decide: Callable[[], Move]) -> str:
    try:
        return decide().value
    except AmbiguousMove:
        return "ambiguous"
    except IllegalMove:
        return "illegal"


def test_the_compiled_table_agrees_with_the_machine_on_every_state_stance_and_move_name() -> None:
    """Ask the transitions Machine itself, through its conditions, which move each piece of evidence makes."""
    machine = IssueMachine("znpp")
    for source in Stance:
        for target in Stance:
            for named in (None, *(m.value for m in Move), "no_such_move"):
                position = machine.position("probe")
                machine.machine.set_state(source.value, model=position)
                by_machine = _decision(lambda: machine.apply(position, target.value, named))  # noqa: B023
                by_table = _decision(lambda: choose_move(source.value, target.value, named))  # noqa: B023
                assert by_machine == by_table, (source, target, named)
                if by_machine not in ("illegal", "ambiguous"):
                    assert position.state == reached(source.value, target.value, Move(by_machine))
                machine.release(position)
            leading = {m for m in Move if (source, target) in MOVE_TABLE[m]}
            if IMPLIES.get(source) is target:
                leading.add(Move.REAFFIRM)
            assert (
                set(MOVES.get((source.value, target.value), ()))
                == leading
                == set(machine.moves.get((source.value, target.value), ()))
            )


def test_two_moves_lead_to_one_stance_only_out_of_agreed_and_to_a_stance_the_held_one_implies() -> None:
    declared = [(pair, move) for move, pairs in MOVE_TABLE.items() for pair in pairs]
    assert len(declared) == len(set(declared)) == sum(len(leading) for leading in MOVES.values()) - len(IMPLIES)
    assert all(dest is not Stance.UNKNOWN for (_, dest), _ in declared), "no evidence returns a position to unknown"
    shared = {pair: leading for pair, leading in MOVES.items() if len(leading) > 1}
    S = Stance
    assert shared == {
        **{(S.AGREED.value, s.value): (Move.RENEGE, Move.REOPEN) for s in (S.DEMANDS, S.OPEN, S.COUNTER_PROPOSAL)},
        (S.AGREED.value, S.SUPPORTS.value): (Move.RENEGE, Move.REOPEN, Move.REAFFIRM),
        (S.COUNTER_PROPOSAL.value, S.OPPOSES.value): (Move.HARDEN, Move.REAFFIRM),
        (S.DEMANDS.value, S.SUPPORTS.value): (Move.SOFTEN, Move.REAFFIRM),
    }


@pytest.mark.parametrize(
    ("held", "coded", "change"),
    [("counter_proposal", "opposes", "harden"), ("demands", "supports", "soften"), ("agreed", "supports", "renege")],
)
def test_the_stance_a_held_one_implies_needs_its_move_named_reaffirm_keeps_the_held_one(
    held: str, coded: str, change: str
) -> None:
    machine = IssueMachine("znpp")
    with pytest.raises(AmbiguousMove) as asked:
        choose_move(held, coded, None)
    assert {"reaffirm", change} <= set(asked.value.choices), "both choices are listed, with what each means"
    assert all(asked.value.choices.values())
    for named, stays in (("reaffirm", held), (change, coded)):
        position = machine.position("probe")
        machine.machine.set_state(held, model=position)
        assert machine.apply(position, coded, named).value == named
        assert position.state == stays
        machine.release(position)


def test_descriptions() -> None:
    described = machine_description("znpp", "Zaporizhzhia")
    assert described["initial"] == "unknown"
    assert {
        "move": "renege",
        "from": "agreed",
        "to": "opposes",
        "means": "the party walks back what it agreed",
    } in described["transitions"]
    assert {"reopen", "renege"} <= {t["move"] for t in described["transitions"] if t["to"] == "demands"}
    mermaid = machine_mermaid("Zaporizhzhia (znpp)")
    assert "stateDiagram-v2" in mermaid
    assert "agreed --> opposes: renege" in mermaid
    assert "agreed --> demands: renege | reopen" in mermaid, "both moves out of agreed, on one arrow"
    assert mermaid.count("-->") == len(MOVES) + 1  # an arrow per pair of stances, and the initial one
    assert "s_active" not in mermaid.replace("classDef s_active", ""), "no state drawn as the active one"
    assert mermaid.count("classDef s_default") == 1
