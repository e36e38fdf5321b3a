"""The timeline: evidence replayed through the position machines, in a defined order.

Replaying a position's evidence gives its moves: each with the date it took
effect (`valid_from`, the evidence's `said_on`), the stance it left and the one
it reached, the move's name and the evidence behind it. The store keeps these
moves so that as-of, diff and history queries read them instead of replaying.
Evidence in a non-asserted mode (hypothetical, future, negated) is kept in the
timeline as a non-applied entry: shown, never moving a stance.

A replay looks each move up in `MOVES`, the table compiled once from the
`transitions` Machine (tests hold the two to agreeing on every state and
stance), so a million pieces of evidence cost a million dictionary lookups.
"""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

from tracker.errors import IllegalMove, Problem, display_path
from tracker.machines import MOVES, Move, Stance, allowed_moves

PositionKey = tuple[str, str]


class ReplayItem(NamedTuple):
    """What a replay needs of one piece of evidence; its first five fields are the replay order.

    Evidence said on the same day is ordered by its article's date and id, then
    its place in the text, then its id, whatever order the files list it in, so
    a replay never depends on file order.
    """

    said_on: date
    published_on: date
    article: str
    start: int
    id: str
    stance: str | None  # None: a mode that does not move the stance
    row_id: int  # the stored evidence row
    source_path: str
    stance_line: int


class TimelineEntry(NamedTuple):
    seq: int  # order within the position, from 0
    valid_from: date
    stance_from: str
    stance_to: str
    move: str | None  # None: kept and shown, but its mode does not move the stance
    since: date | None  # when the position entered `stance_to`
    entered_seq: int  # seq of the move that entered `stance_to`
    backing: int  # applied moves behind `stance_to` so far: the one that entered it and reaffirmations
    evidence_row_id: int


REAFFIRM = Move.REAFFIRM.value
_MOVE_NAMES = {pair: move.value for pair, move in MOVES.items()}


def replay_position(issue: str, party: str, items: list[ReplayItem]) -> list[TimelineEntry] | Problem:
    """The moves of one position, from its evidence in any order; or the problem with the first refused one."""
    items = sorted(items)
    entries: list[TimelineEntry] = []
    stance = Stance.UNKNOWN.value
    since: date | None = None
    entered_seq = -1
    backing = 0
    entered_by: ReplayItem | None = None
    for seq, item in enumerate(items):
        before = stance
        move: str | None = None
        if item.stance is not None:
            move = _MOVE_NAMES.get((stance, item.stance))
            if move is None:
                return _refused(issue, party, stance, item, entered_by)
            if move == REAFFIRM:
                backing += 1
            else:
                stance, since, entered_seq, entered_by, backing = item.stance, item.said_on, seq, item, 1
        entries.append(TimelineEntry(seq, item.said_on, before, stance, move, since, entered_seq, backing, item.row_id))
    return entries


def _refused(issue: str, party: str, stance: str, bad: ReplayItem, cause: ReplayItem | None) -> Problem:
    assert bad.stance is not None
    refused = IllegalMove(issue, party, stance, bad.stance, allowed_moves(MOVES, stance))
    context = f"evidence '{bad.id}' said on {bad.said_on}"
    if cause is not None:
        context += (
            f"; '{stance}' since evidence '{cause.id}' said on {cause.said_on} "
            f"({display_path(cause.source_path)}:{cause.stance_line})"
        )
    return Problem(display_path(bad.source_path), bad.stance_line, "stance", f"{refused} [{context}]")
