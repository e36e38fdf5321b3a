"""Position state machines: which stances exist and which moves between them are legal.

Every issue has one `transitions` Machine, declared from the table below and
shared by all the parties' position models (one Machine with many models, not
a Machine per position). A move is named for what it means in a negotiation:
a first statement, a reaffirmation, softening towards the middle, hardening
towards a pole, accepting a deal, and two ways out of one: reneging (the party
walks back what it agreed) and reopening (the agreement proves partial, or the
party asks for more, with no breach). A stance that no move reaches from the
current one is refused with `IllegalMove`.

Where more than one move leads from the stance held to the one coded (out of
`agreed`), the evidence names its `move`; the Machine decides, through the
conditions of its transitions, which trigger the evidence fires, and refuses
evidence that names none or a move that does not lead there.

Stances sit on one axis about the issue's proposition: demands > supports >
open < counter_proposal < opposes, `open` in the middle. Softening moves
towards `open`, hardening away from it; crossing the middle in one step
(supports -> opposes) is not a move: the evidence in between is missing.

Some stances imply another (`IMPLIES`): a counter-proposal rejects the
proposition as put (it implies `opposes`); a demand, and an agreement, imply
`supports`. Evidence coding the implied stance ("Kyiv rejects the withdrawal"
after its counter-proposal) says what the held stance already says, or that
it changed: it names its move, `reaffirm` (the held stance stands: the
position stays where it is) or the move to the stance coded (`harden`: the
offer is withdrawn; `soften`: the insistence dropped; `renege` or `reopen` out
of `agreed`), and without one it is refused listing both.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Any

from transitions import EventData, Machine

from tracker.domain.errors import AmbiguousMove, IllegalMove


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
    REOPEN = "reopen"


S = Stance
KNOWN_STANCES: tuple[Stance, ...] = tuple(s for s in Stance if s is not S.UNKNOWN)
# The two sides of the stance axis: for the issue's proposition, and against it (`open` and `agreed` are
# neither: willingness, and a deal).
FOR_PROPOSITION: frozenset[Stance] = frozenset({S.DEMANDS, S.SUPPORTS})
AGAINST_PROPOSITION: frozenset[Stance] = frozenset({S.OPPOSES, S.COUNTER_PROPOSAL})

# What each move means, in a coder's words (shown where a coder must choose one).
MOVE_MEANINGS: dict[Move, str] = {
    Move.FIRST_STATEMENT: "the party's first stance on record",
    Move.REAFFIRM: "the party restates the stance it holds",
    Move.SOFTEN: "towards open, the middle of the axis",
    Move.HARDEN: "away from open, towards a pole",
    Move.ACCEPT: "the party accepts the proposition as part of a deal",
    Move.RENEGE: "the party walks back what it agreed",
    Move.REOPEN: "the agreement proves partial, or the party asks for more; no breach",
}

# The declaration: every legal (from, to) pair, grouped by the move it is. Out of `agreed`, two moves lead to the
# stances a party may reopen on: there the evidence names the one it is.
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
    Move.REOPEN: tuple((S.AGREED, s) for s in (S.DEMANDS, S.SUPPORTS, S.OPEN, S.COUNTER_PROPOSAL)),
}


# The stance each implies: evidence coding it restates the held stance (`reaffirm`) or moves to it (named).
IMPLIES: dict[Stance, Stance] = {S.COUNTER_PROPOSAL: S.OPPOSES, S.DEMANDS: S.SUPPORTS, S.AGREED: S.SUPPORTS}
# What each choice means where the stance coded is the one the held stance implies.
IMPLIED_MEANINGS: dict[tuple[Stance, Move], str] = {
    (
        S.COUNTER_PROPOSAL,
        Move.REAFFIRM,
    ): "the counter-proposal stands: rejecting the proposition as put is what it does",
    (S.COUNTER_PROPOSAL, Move.HARDEN): "the offer is withdrawn: a plain rejection now",
    (S.DEMANDS, Move.REAFFIRM): "the demand stands: supporting the proposition is what it does",
    (S.DEMANDS, Move.SOFTEN): "the insistence is dropped: plain support now",
    (S.AGREED, Move.REAFFIRM): "the agreement stands: supporting the proposition is what it does",
}


def _aims_at(stance: Stance) -> Any:
    """A transition condition: the evidence being applied names this stance."""

    def condition(event: EventData) -> bool:
        return bool(event.kwargs.get("stance") == stance.value)

    condition.__name__ = f"stance_is_{stance.value}"
    condition.aims_at = stance.value  # type: ignore[attr-defined]  # read back when the table is compiled
    return condition


def _named(move: Move) -> Any:
    """A transition condition: the evidence names this move, or none."""

    def condition(event: EventData) -> bool:
        return event.kwargs.get("move") in (None, move.value)

    condition.__name__ = f"move_is_{move.value}_or_unnamed"
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
                transition["conditions"] = [_aims_at(dest), _named(move)]
            declared.append(transition)
    if with_conditions:  # (a diagram draws these as the reaffirmation each stance already has)
        for held, implied in IMPLIES.items():
            declared.append(
                {
                    "trigger": Move.REAFFIRM.value,
                    "source": held.value,
                    "dest": held.value,
                    "conditions": [_aims_at(implied), _named(Move.REAFFIRM)],
                }
            )
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

    def apply(self, position: Position, stance: str, move: str | None = None) -> Move:
        """Move `position` to `stance` by the move the machine allows (the one `move` names, where several do).

        `IllegalMove` if none does; `AmbiguousMove` if several do and `move` names none of them.
        """
        fits = [
            trigger
            for trigger in self.machine.get_triggers(position.state)
            if position.may_trigger(trigger, stance=stance, move=move)
        ]
        if len(fits) > 1:
            meanings = move_meanings(position.state, [Move(trigger) for trigger in fits])
            raise AmbiguousMove(self.issue, position.party, position.state, stance, meanings)
        if not fits:
            raise IllegalMove(self.issue, position.party, position.state, stance, self.allowed(position.state), move)
        position.trigger(fits[0], stance=stance, move=move)
        return Move(fits[0])


def compile_moves(machine: Machine) -> dict[tuple[str, str], tuple[Move, ...]]:
    """The machine's transitions as a lookup (stance held, stance coded) -> the moves that evidence makes (the
    stance coded is the one a transition's condition aims at: its destination, but for an implied stance)."""
    table: dict[tuple[str, str], tuple[Move, ...]] = {}
    for transition in machine.get_transitions():
        aimed = next((c.func.aims_at for c in transition.conditions if hasattr(c.func, "aims_at")), None)
        key = (str(transition.source), str(aimed or transition.dest))
        table[key] = (*table.get(key, ()), Move(transition_trigger(machine, transition)))
    # Where a stance implied by the one held is coded, the moves that change the stance come first (as drawn).
    return {
        key: tuple(sorted(moves, key=lambda m: m is Move.REAFFIRM and key[0] != key[1])) for key, moves in table.items()
    }


def transition_trigger(machine: Machine, transition: Any) -> str:
    for name, event in machine.events.items():
        if any(transition in ts for ts in event.transitions.values()):
            return str(name)
    raise AssertionError("transition without an event")


def allowed_moves(moves: dict[tuple[str, str], tuple[Move, ...]], stance: str) -> dict[str, list[str]]:
    allowed: dict[str, list[str]] = {}
    for (source, dest), leading in moves.items():
        if source == stance:
            for move in leading:
                allowed.setdefault(move.value, []).append(dest)
    return allowed


# The table every position of every issue obeys, compiled once from a Machine.
MOVES: dict[tuple[str, str], tuple[Move, ...]] = compile_moves(
    Machine(
        model=None,
        states=[s.value for s in Stance],
        initial=S.UNKNOWN.value,
        transitions=declared_transitions(),
        auto_transitions=False,
    )
)


def reached(held: str, stance: str, move: Move) -> str:
    """The stance a move leaves the position in: the one coded, but for a reaffirmation (the held one stands,
    whether the evidence coded it or a stance it implies)."""
    return held if move is Move.REAFFIRM else stance


def move_meanings(held: str, moves: list[Move]) -> dict[str, str]:
    """What each of the moves means from the stance held (a coder choosing between them reads it)."""
    return {m.value: IMPLIED_MEANINGS.get((Stance(held), m), MOVE_MEANINGS[m]) for m in moves}


def choose_move(held: str, stance: str, named: str | None) -> Move:
    """The move from `held` to `stance` that the evidence makes, by the compiled table: as `IssueMachine.apply`.

    `IllegalMove` (no move leads there, or not the one named) or `AmbiguousMove` (several do, none named);
    the caller fills in the issue and party.
    """
    leading = MOVES.get((held, stance), ())
    fits = [m for m in leading if named is None or m.value == named]
    if len(fits) == 1:
        return fits[0]
    if fits:
        raise AmbiguousMove("", "", held, stance, move_meanings(held, fits))
    raise IllegalMove("", "", held, stance, allowed_moves(MOVES, held), named)


def machine_description(issue: str, title: str) -> dict[str, Any]:
    """The machine of one issue as data (`tracker machines --format json`)."""
    return {
        "issue": issue,
        "title": title,
        "states": [s.value for s in Stance],
        "initial": S.UNKNOWN.value,
        "transitions": [
            {"move": move.value, "from": source, "to": dest, "means": MOVE_MEANINGS[move]}
            for (source, dest), leading in MOVES.items()
            for move in leading
        ],
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
