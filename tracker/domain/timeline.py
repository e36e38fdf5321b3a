"""The timeline: evidence replayed through the position machines, in a defined order.

Replaying a position's evidence gives its entries: each with the date it took
effect (`valid_from`, the evidence's `said_on`), the stance it left and the one
it reached, the move's name (None where the evidence moved nothing, and
`not_applied` says why) and the evidence behind it. The store keeps these
entries so that as-of, diff and history queries read them instead of replaying.

**Order.** Evidence is replayed by the day it was said, then its time of day
(`said_at`; evidence without one comes before the day's timed evidence), then,
among evidence said at the same moment, by rank: the outlet's analysis, then a
report by another party or source, then the party's own word, which prevails.
Nothing in the order depends on article ids, file names or file order: ties
are broken by the article's date and the text itself (its digest, the quote's
place).

**One moment, one word.** The evidence said at one moment (a day, or a time of
day) is weighed together. The strongest rank present decides: if its evidence
agrees on a stance, the position moves there once (or reaffirms it), the rest
of the same rank and any weaker evidence that agrees support it, and weaker
evidence that disagrees is `outranked`. If evidence of the strongest rank
disagrees, the position does not move: it is `contested` from that day until
later asserted evidence settles it.

**What never moves a position.** Evidence in a hypothetical, future or negated
mode is kept and shown. Background evidence (a restatement of a stance held
before the article) supports the stance held when it matches it; when it
matches the stance held before that day, or sits on the same side of the axis
as the stance held ("has long refused" beside a counter-proposal), it
restates it in other words (`background`); otherwise it is a `contradicts` to
check.

Each entry also carries what a state needs without reading every entry: the
date the stance was entered, how many applied entries back it, the strongest
attribution among them (`basis`), and the day it became contested, if it is.

A replay asks `choose_move`, the table compiled once from the `transitions`
Machine (tests hold the two to agreeing on every state, stance and move name),
so a million pieces of evidence cost a million dictionary lookups.
"""

from __future__ import annotations

from datetime import date, time
from itertools import groupby
from typing import NamedTuple

from tracker.domain.errors import IllegalMove, Problem, display_path
from tracker.domain.machines import AGAINST_PROPOSITION, FOR_PROPOSITION, Move, Stance, choose_move

PositionKey = tuple[str, str]

# The rank of each attribution among evidence said at one moment: the party's own word prevails.
RANKS = {"analysis": 0, "reported": 1, "direct": 2}
BASIS = {rank: attribution for attribution, rank in RANKS.items()}


class ReplayItem(NamedTuple):
    """What a replay needs of one piece of evidence; its first eight fields are the replay order."""

    said_on: date
    said_at: tuple[int, time | None]  # (0, None): no time of day, before the day's timed evidence; (1, time)
    rank: int  # RANKS of its attribution
    published_on: date
    article_sha256: str  # the article's text, not its id, breaks ties between articles
    start: int
    end: int
    id: str
    stance: str | None  # None: issue-level evidence never reaches a replay
    mode: str
    move: str | None  # the move the evidence names, where several lead to its stance
    condition: str | None  # the condition the stance holds on, as coded
    row_id: int  # the stored evidence row
    source_path: str
    stance_line: int


def replay_item(
    said_on: date,
    said_at: time | None,
    attribution: str,
    published_on: date,
    article_sha256: str,
    start: int,
    end: int,
    evidence_id: str,
    stance: str | None,
    mode: str,
    move: str | None,
    condition: str | None,
    row_id: int,
    source_path: str,
    stance_line: int,
) -> ReplayItem:
    """A replay item from a piece of evidence's stored or checked values (and its article's date and digest)."""
    return ReplayItem(
        said_on,
        (0, None) if said_at is None else (1, said_at),
        RANKS[attribution],
        published_on,
        article_sha256,
        start,
        end,
        evidence_id,
        stance,
        mode,
        move,
        condition,
        row_id,
        source_path,
        stance_line,
    )


class TimelineEntry(NamedTuple):
    seq: int  # order within the position, from 0
    valid_from: date
    stance_from: str
    stance_to: str
    move: str | None  # None: kept and shown, but it moved nothing (`not_applied` says why)
    not_applied: str | None  # hypothetical, future, negated, background, contradicts, outranked, contested
    since: date | None  # when the position entered `stance_to`
    entered_seq: int  # seq of the move that entered `stance_to`
    backing: int  # applied entries behind `stance_to` so far: the one that entered it and reaffirmations
    basis: str | None  # the strongest attribution among them
    condition: str | None  # the condition the stance holds on, as its newest applied evidence states it
    contested_on: date | None  # the day evidence of equal rank disagreed, until later evidence settles it
    evidence_row_id: int


REAFFIRM = Move.REAFFIRM.value
ASSERTED = "asserted"
BACKGROUND = "background"
UNKNOWN = Stance.UNKNOWN.value


def _moment(item: ReplayItem) -> tuple[date, tuple[int, time | None]]:
    return item.said_on, item.said_at


class _Replay:
    """One position's replay in progress: the stance held and what backs it."""

    def __init__(self, issue: str, party: str) -> None:
        self.issue, self.party = issue, party
        self.entries: list[TimelineEntry] = []
        self.stance = UNKNOWN
        self.since: date | None = None
        self.entered_seq = -1
        self.entered_by: ReplayItem | None = None
        self.backing = 0
        self.basis = -1
        self.condition: str | None = None
        self.contested_on: date | None = None

    def entry(self, item: ReplayItem, before: str, move: str | None, not_applied: str | None = None) -> None:
        self.entries.append(
            TimelineEntry(
                len(self.entries),
                item.said_on,
                before,
                self.stance,
                move,
                not_applied,
                self.since,
                self.entered_seq,
                self.backing,
                BASIS.get(self.basis),
                self.condition,
                self.contested_on,
                item.row_id,
            )
        )

    def apply(self, item: ReplayItem, stance: str, named: str | None) -> Problem | None:
        """Move (or reaffirm) to `stance` on `item`'s word; the problem if no move, or more than one, leads there."""
        before = self.stance
        try:
            move = choose_move(before, stance, named).value
        except IllegalMove as refused:
            return self.refused(item, refused)
        self.condition = item.condition
        if move == REAFFIRM:
            self.backing += 1
            self.basis = max(self.basis, item.rank)
        else:
            self.stance, self.since, self.entered_by = stance, item.said_on, item
            self.entered_seq, self.backing, self.basis = len(self.entries), 1, item.rank
        self.contested_on = None  # the party's word on record settles any contest
        self.entry(item, before, move)
        return None

    def support(self, item: ReplayItem) -> None:
        """Evidence that restates the stance held: a reaffirmation."""
        self.condition = item.condition
        self.backing += 1
        self.basis = max(self.basis, item.rank)
        self.entry(item, self.stance, REAFFIRM)

    def refused(self, item: ReplayItem, refused: IllegalMove) -> Problem:
        told = refused.of(self.issue, self.party)
        context = f"evidence '{item.id}' said on {item.said_on}"
        if self.entered_by is not None:
            cause = self.entered_by
            context += (
                f"; '{self.stance}' since evidence '{cause.id}' said on {cause.said_on} "
                f"({display_path(cause.source_path)}:{cause.stance_line})"
            )
        return Problem(display_path(item.source_path), item.stance_line, "stance", f"{told} [{context}]")

    def moment(self, items: list[ReplayItem], day_began: str) -> Problem | None:
        """The evidence said at one moment, weighed together (see the module's docstring)."""
        asserted = [i for i in items if i.mode == ASSERTED and i.stance is not None]
        if asserted:
            top = max(i.rank for i in asserted)
            deciding = [i for i in asserted if i.rank == top]
            said = {i.stance for i in deciding}
            named = {i.move for i in deciding if i.move is not None}
            if len(said) > 1 or len(named) > 1:
                problem = self.contested(deciding, asserted)
                if problem is not None:
                    return problem
            else:
                stance = deciding[0].stance
                assert stance is not None
                problem = self.apply(deciding[0], stance, named.pop() if named else None)
                if problem is not None:
                    return problem
                for item in asserted:
                    if item is deciding[0]:
                        continue
                    if item.stance == self.stance:
                        self.support(item)
                    else:
                        self.entry(item, self.stance, None, "outranked")
        for item in items:
            if item.mode == BACKGROUND and item.stance is not None:
                if item.stance == self.stance and self.stance != UNKNOWN:
                    self.support(item)
                elif item.stance == day_began or _same_side(item.stance, self.stance):
                    self.entry(item, self.stance, None, BACKGROUND)
                else:
                    self.entry(item, self.stance, None, "contradicts")
            elif item.mode not in (ASSERTED, BACKGROUND):
                self.entry(item, self.stance, None, item.mode)
        return None

    def contested(self, deciding: list[ReplayItem], asserted: list[ReplayItem]) -> Problem | None:
        """Evidence of the strongest rank disagrees: the position holds, marked contested from this day."""
        for item in deciding:  # each must still be a stance the position could reach
            assert item.stance is not None
            if item.stance != self.stance:
                try:
                    choose_move(self.stance, item.stance, item.move)
                except IllegalMove as refused:
                    return self.refused(item, refused)
        self.contested_on = deciding[0].said_on
        for item in asserted:
            self.entry(item, self.stance, None, "contested" if item in deciding else "outranked")
        return None


_SIDES = {stance.value: n for n, side in enumerate((FOR_PROPOSITION, AGAINST_PROPOSITION)) for stance in side}


def _same_side(stance: str, held: str) -> bool:
    """Two stances on one side of the axis ("has long refused" beside a counter-proposal): no contradiction."""
    side = _SIDES.get(stance)
    return side is not None and side == _SIDES.get(held)


def replay_position(issue: str, party: str, items: list[ReplayItem]) -> list[TimelineEntry] | Problem:
    """The entries of one position, from its evidence in any order; or the problem with the first refused one."""
    replay = _Replay(issue, party)
    for _, on_the_day in groupby(sorted(items), key=lambda item: item.said_on):
        day = list(on_the_day)
        day_began = replay.stance
        for _, at_once in groupby(day, key=_moment):
            problem = replay.moment(list(at_once), day_began)
            if problem is not None:
                return problem
    return replay.entries
