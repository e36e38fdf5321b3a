"""The timeline: evidence replayed through the position machines, in a defined order.

Replaying a position's evidence gives its moves: each with the date it took
effect (`valid_from`, the evidence's `said_on`), the stance it left and the one
it reached, the move's name and the evidence behind it. The store keeps these
moves so that as-of, diff and history queries read them instead of replaying.
Evidence in a non-asserted mode (hypothetical, future, negated) is kept in the
timeline as a non-applied entry: shown, never moving a stance.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from tracker.catalog import Catalog
from tracker.errors import IllegalMove, Problem, display_path
from tracker.evidence import Evidence, order_key
from tracker.machines import IssueMachine, Move, Stance

PositionKey = tuple[str, str]


@dataclass(frozen=True)
class TimelineEntry:
    issue: str
    party: str
    seq: int  # order within the position, from 0
    valid_from: date
    stance_from: Stance
    stance_to: Stance
    move: Move | None  # None: kept and shown, but its mode does not move the stance
    since: date | None  # when the position entered `stance_to`
    entered_seq: int  # seq of the move that entered `stance_to`
    backing: int  # applied moves behind `stance_to` so far: the one that entered it and reaffirmations
    evidence_id: str

    @property
    def applied(self) -> bool:
        return self.move is not None


def ordered(evidence: Iterable[Evidence], published_on: dict[str, date]) -> list[Evidence]:
    return sorted(evidence, key=lambda e: order_key(e.said_on, published_on[e.article], e.article, e.start, e.id))


def group_by_position(evidence: Iterable[Evidence]) -> dict[PositionKey, list[Evidence]]:
    groups: dict[PositionKey, list[Evidence]] = defaultdict(list)
    for item in evidence:
        if item.party is not None:
            groups[(item.issue, item.party)].append(item)
    return groups


def replay_position(machine: IssueMachine, party: str, evidence: list[Evidence]) -> list[TimelineEntry]:
    """The moves of one position, from evidence already in replay order.

    Raises `IllegalMove` at the first piece of evidence the machine refuses,
    with that evidence attached as `evidence`.
    """
    position = machine.position(party)
    entries: list[TimelineEntry] = []
    since: date | None = None
    entered_seq = -1
    backing = 0
    entered_by: Evidence | None = None
    try:
        for seq, item in enumerate(evidence):
            before = Stance(position.state)
            move: Move | None = None
            if item.moves_position:
                assert item.stance is not None
                try:
                    move = machine.apply(position, item.stance.value)
                except IllegalMove as exc:
                    exc.evidence, exc.cause = item, entered_by
                    raise
                if move is Move.REAFFIRM:
                    backing += 1
                else:
                    since, entered_seq, entered_by, backing = item.said_on, seq, item, 1
            after = Stance(position.state)
            entries.append(
                TimelineEntry(
                    issue=item.issue,
                    party=party,
                    seq=seq,
                    valid_from=item.said_on,
                    stance_from=before,
                    stance_to=after,
                    move=move,
                    since=since,
                    entered_seq=entered_seq,
                    backing=backing,
                    evidence_id=item.id,
                )
            )
    finally:
        machine.release(position)
    return entries


def replay(
    catalog: Catalog,
    evidence: Iterable[Evidence],
    published_on: dict[str, date],
    positions: set[PositionKey] | None = None,
) -> tuple[dict[PositionKey, list[TimelineEntry]], list[Problem]]:
    """Replay every position (or only `positions`); collect one problem per refused position."""
    machines = {issue: IssueMachine(issue) for issue in catalog.issue_ids()}
    timelines: dict[PositionKey, list[TimelineEntry]] = {}
    problems: list[Problem] = []
    for key, items in sorted(group_by_position(evidence).items()):
        if positions is not None and key not in positions:
            continue
        try:
            timelines[key] = replay_position(machines[key[0]], key[1], ordered(items, published_on))
        except IllegalMove as exc:
            bad: Evidence = exc.evidence
            cause: Evidence | None = exc.cause
            context = f"evidence '{bad.id}' said on {bad.said_on}"
            if cause is not None:
                context += (
                    f"; '{exc.state}' since evidence '{cause.id}' said on {cause.said_on} "
                    f"({display_path(cause.source_path)}:{cause.stance_line})"
                )
            problems.append(Problem(display_path(bad.source_path), bad.stance_line, "stance", f"{exc} [{context}]"))
    return timelines, problems
