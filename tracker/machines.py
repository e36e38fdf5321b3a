"""Position state machines: which stances exist and which moves between them are legal.

Every issue has one `transitions` Machine, declared from the table below and
shared by all the parties' position models (one Machine with many models, not
a Machine per position). A move is named for what it means in a negotiation:
a first statement, a reaffirmation, softening towards the middle, hardening
towards a pole, accepting a deal, reneging on one. A stance that no move
reaches from the current one is refused with `IllegalMove`.

Stances sit on one axis about the issue's proposition: demands > supports >
open < counter_proposal < opposes, `open` in the middle. Softening moves
towards `open`, hardening away from it; crossing the middle in one step
(supports -> opposes) is not a move: the evidence in between is missing.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Any

from transitions import EventData, Machine

from tracker.errors import IllegalMove


class Stance(StrEnum):
    UNKNOWN = "unknown"
    DEMANDS = "demands"
    SUPPORTS = "supports"
    OPEN = "open"
    COUNTER_PROPOSAL = "counter_proposal"
    OPPOSES = "opposes"
    AGREED = "agreed"


class Move(StrEnum):
    FIRST_STATEMENT = "first_statement"
    REAFFIRM = "reaffirm"
    SOFTEN = "soften"
    HARDEN = "harden"
    ACCEPT = "accept"
    RENEGE = "renege"


S = Stance
KNOWN_STANCES: tuple[Stance, ...] = tuple(s for s in Stance if s is not S.UNKNOWN)

# The declaration: every legal (from, to) pair, grouped by the move it is.
MOVE_TABLE: dict[Move, tuple[tuple[Stance, Stance], ...]] = {
    Move.FIRST_STATEMENT: tuple((S.UNKNOWN, s) for s in KNOWN_STANCES),
    Move.REAFFIRM: tuple((s, s) for s in KNOWN_STANCES),
    Move.SOFTEN: (
        (S.DEMANDS, S.SUPPORTS),
        (S.DEMANDS, S.OPEN),
        (S.SUPPORTS, S.OPEN),
        (S.OPPOSES, S.COUNTER_PROPOSAL),
        (S.OPPOSES, S.OPEN),
        (S.COUNTER_PROPOSAL, S.OPEN),
    ),
    Move.HARDEN: (
        (S.OPEN, S.SUPPORTS),
        (S.OPEN, S.DEMANDS),
        (S.SUPPORTS, S.DEMANDS),
        (S.OPEN, S.COUNTER_PROPOSAL),
        (S.OPEN, S.OPPOSES),
        (S.COUNTER_PROPOSAL, S.OPPOSES),
    ),
    Move.ACCEPT: tuple((s, S.AGREED) for s in (S.DEMANDS, S.SUPPORTS, S.OPEN, S.COUNTER_PROPOSAL)),
    Move.RENEGE: tuple((S.AGREED, s) for s in KNOWN_STANCES if s is not S.AGREED),
}


def _aims_at(stance: Stance) -> Any:
    """A transition condition: the evidence being applied names this stance."""

    def condition(event: EventData) -> bool:
        return bool(event.kwargs.get("stance") == stance.value)

    condition.__name__ = f"stance_is_{stance.value}"
    return condition


def declared_transitions(with_conditions: bool = True) -> list[dict[str, Any]]:
    """The move table as `transitions` transition dicts."""
    declared: list[dict[str, Any]] = []
    for move, pairs in MOVE_TABLE.items():
        for source, dest in pairs:
            transition: dict[str, Any] = {
                "trigger": move.value,
                "source": source.value,
                "dest": dest.value,
            }
            if with_conditions:
                transition["conditions"] = [_aims_at(dest)]
            declared.append(transition)
    return declared


class Position:
    """One party's position on one issue: a model driven by its issue's machine."""

    state: str
    trigger: Callable[..., bool]  # set by `Machine.add_model`
    may_trigger: Callable[..., bool]

    def __init__(self, issue: str, party: str) -> None:
        self.issue = issue
        self.party = party


class IssueMachine:
    """The machine of one issue, shared by every party's `Position` on it."""

    def __init__(self, issue: str) -> None:
        self.issue = issue
        self.machine = Machine(
            model=None,
            states=[s.value for s in Stance],
            initial=S.UNKNOWN.value,
            transitions=declared_transitions(),
            auto_transitions=False,
            send_event=True,
            name=issue,
        )
        self.moves = compile_moves(self.machine)

    def position(self, party: str) -> Position:
        position = Position(self.issue, party)
        self.machine.add_model(position)
        return position

    def release(self, position: Position) -> None:
        self.machine.remove_model(position)

    def allowed(self, stance: str) -> dict[str, list[str]]:
        return allowed_moves(self.moves, stance)

    def apply(self, position: Position, stance: str) -> Move:
        """Move `position` to `stance` by whichever move the machine allows; raise `IllegalMove` if none does."""
        for move in self.machine.get_triggers(position.state):
            if position.may_trigger(move, stance=stance):
                position.trigger(move, stance=stance)
                return Move(move)
        raise IllegalMove(self.issue, position.party, position.state, stance, self.allowed(position.state))


def compile_moves(machine: Machine) -> dict[tuple[str, str], Move]:
    """The machine's transitions as a lookup (from stance, to stance) -> move."""
    table: dict[tuple[str, str], Move] = {}
    for transition in machine.get_transitions():
        key = (str(transition.source), str(transition.dest))
        if key in table:
            raise AssertionError(f"two moves lead from {key[0]} to {key[1]}")
        table[key] = Move(transition_trigger(machine, transition))
    return table


def transition_trigger(machine: Machine, transition: Any) -> str:
    for name, event in machine.events.items():
        if any(transition in ts for ts in event.transitions.values()):
            return str(name)
    raise AssertionError("transition without an event")


def allowed_moves(moves: dict[tuple[str, str], Move], stance: str) -> dict[str, list[str]]:
    allowed: dict[str, list[str]] = {}
    for (source, dest), move in moves.items():
        if source == stance:
            allowed.setdefault(move.value, []).append(dest)
    return allowed


# The table every position of every issue obeys, compiled once from a Machine.
MOVES: dict[tuple[str, str], Move] = compile_moves(
    Machine(
        model=None,
        states=[s.value for s in Stance],
        initial=S.UNKNOWN.value,
        transitions=declared_transitions(with_conditions=False),
        auto_transitions=False,
    )
)


def machine_description(issue: str, title: str) -> dict[str, Any]:
    """The machine of one issue as data (`tracker machines --format json`)."""
    return {
        "issue": issue,
        "title": title,
        "states": [s.value for s in Stance],
        "initial": S.UNKNOWN.value,
        "transitions": [{"move": move.value, "from": source, "to": dest} for (source, dest), move in MOVES.items()],
    }


def machine_mermaid(title: str) -> str:
    """The position machine as one Mermaid state diagram, drawn by transitions' mermaid engine.

    Every issue's machine has the same states and moves, so one diagram serves any set of issues.
    """
    from transitions.extensions import GraphMachine

    graph = GraphMachine(
        states=[s.value for s in Stance],
        initial=S.UNKNOWN.value,
        transitions=declared_transitions(with_conditions=False),
        auto_transitions=False,
        graph_engine="mermaid",
        title=title,
        show_conditions=False,
    )
    drawn = str(graph.get_graph().draw(None))
    # transitions marks the machine's own current state as active; a shared machine has none.
    lines = [
        line.replace(" s_active", " s_default") if line.lstrip().startswith("Class ") else line
        for line in drawn.rstrip("\n").split("\n")
    ]
    return "\n".join(lines) + "\n"
