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
evidence that disagrees is `outranked`. A stance and the one it implies
(`IMPLIES`: a counter-proposal and the rejection of the proposition as put, in
one breath) agree: the implying stance decides, and the other restates it. If evidence of the strongest rank
disagrees, the position does not move: it is `contested` from that day until
later asserted evidence settles it.

**What never moves a position.** Evidence in a hypothetical, future or negated
mode is kept and shown.

**Recaps.** Background evidence (a recap) states a stance known held *by* its
day, the day itself unknown. On an unknown position it is the first word. A
recap of the stance held, or of a stance the held one implies (`IMPLIES`: a
rejection beside a counter-proposal), restates it: a reaffirmation, no move
named. A recap of another stance a legal move reaches moves the position *by*
its day: the stance entered is marked `since_exact` False, as is one entered on
evidence said within a span (an EDTF `said_on`: held by the span's end). It stays inert
(`background`) where the party's dated word of that moment decided the
position, or where the record has held that stance and left it since; and
across the axis (no move reaches it) it is a `contradicts` to check. So two
codings of one statement that differ only in calling it a recap give the same
stances and the same path; only the exactness of a date differs.

Each entry also carries what a state needs without reading every entry: the
date the stance was entered (and whether exactly, or only by then), how many
applied entries back it, the strongest attribution among them (`basis`), and
the day it became contested, if it is.

A replay asks `choose_move`, the table compiled once from the `transitions`
Machine (tests hold the two to agreeing on every state, stance and move name),
so a million pieces of evidence cost a million dictionary lookups.
"""

from __future__ import annotations

from datetime import date, time
from itertools import groupby
from typing import NamedTuple

from tracker.domain.errors import AmbiguousMove, IllegalMove, Problem, display_path
from tracker.domain.machines import IMPLIES, Move, Stance, choose_move

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
    spanned: bool = False  # said within a span (its `said_on` written as EDTF): a stance it enters is held by its end


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
    said_on_written: str | None = None,
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
        said_on_written is not None,
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
    since_exact: bool = True  # False: the stance was entered on a recap's word, so it is known held *by* `since`


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
        self.since_exact = True
        self.left: set[str] = set()  # the stances the record has held and left

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
                self.since_exact,
            )
        )

    def apply(self, item: ReplayItem, stance: str, named: str | None, exact: bool = True) -> Problem | None:
        """Move (or reaffirm) to `stance` on `item`'s word; the problem if no move, or more than one, leads there.
        Not `exact`: on a recap's word, the stance entered is known held by the item's day, not from it."""
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
            if before != UNKNOWN:
                self.left.add(before)
            self.left.discard(stance)
            self.stance, self.since, self.entered_by, self.since_exact = stance, item.said_on, item, exact
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

    def moment(self, items: list[ReplayItem]) -> Problem | None:
        """The evidence said at one moment, weighed together (see the module's docstring)."""
        asserted = [i for i in items if i.mode == ASSERTED and i.stance is not None]
        if asserted:
            top = max(i.rank for i in asserted)
            deciding = [i for i in asserted if i.rank == top]
            said = {i.stance for i in deciding}
            implying = _implying(said, deciding)
            if implying is not None:  # a counter-proposal and the rejection it implies, in one breath: one word
                deciding = [i for i in deciding if i.stance == implying] + [i for i in deciding if i.stance != implying]
                said = {implying}
            named = {i.move for i in deciding if i.move is not None and i.stance == deciding[0].stance}
            if len(said) > 1 or len(named) > 1:
                problem = self.contested(deciding, asserted)
                if problem is not None:
                    return problem
            else:
                stance = deciding[0].stance
                assert stance is not None
                # Said within a span (a month, "17 or 18 February"): the stance entered is held by its end.
                problem = self.apply(deciding[0], stance, named.pop() if named else None, not deciding[0].spanned)
                if problem is not None:
                    return problem
                for item in asserted:
                    if item is deciding[0]:
                        continue
                    if item.stance == self.stance or _restates_implied(self.stance, item):
                        self.support(item)
                    else:
                        self.entry(item, self.stance, None, "outranked")
        for item in items:
            if item.mode == BACKGROUND and item.stance is not None:
                problem = self.recap(item, decided=bool(asserted))
                if problem is not None:
                    return problem
            elif item.mode not in (ASSERTED, BACKGROUND):
                self.entry(item, self.stance, None, item.mode)
        return None

    def recap(self, item: ReplayItem, decided: bool) -> Problem | None:
        """A recap: a stance known held by its day, the day itself unknown (see the module's docstring)."""
        assert item.stance is not None
        held = self.stance
        if held == UNKNOWN:  # the first word on record, from a recap
            return self.apply(item, item.stance, item.move, exact=False)
        if item.stance == held or (IMPLIES.get(Stance(held)) == item.stance and item.move in (None, REAFFIRM)):
            self.support(item)  # it restates the stance held, or one the held stance implies
            return None
        if decided or item.stance in self.left:
            # The party's dated word of that moment prevails; or the record has left that stance since.
            self.entry(item, held, None, BACKGROUND)
            return None
        try:
            choose_move(held, item.stance, item.move)
        except AmbiguousMove as refused:
            return self.refused(item, refused)
        except IllegalMove:
            self.entry(item, held, None, "contradicts")  # across the axis from the stance held: to check
            return None
        return self.apply(item, item.stance, item.move, exact=False)

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


def _restates_implied(held: str, item: ReplayItem) -> bool:
    """`item` codes the stance the held one implies (a rejection beside a counter-proposal) and names no other
    move than a reaffirmation: it restates the held stance."""
    return held != UNKNOWN and IMPLIES.get(Stance(held)) == item.stance and item.move in (None, REAFFIRM)


def _implying(said: set[str | None], deciding: list[ReplayItem]) -> str | None:
    """Of two stances said at one moment with equal weight, the one that implies the other (a counter-proposal
    beside the rejection it implies; a demand or an agreement beside support), where the implied stance's
    evidence names no move of its own: one word, not a contest. None otherwise."""
    if len(said) != 2:
        return None
    first, second = sorted(str(stance) for stance in said)
    for implying, implied in ((first, second), (second, first)):
        if IMPLIES.get(Stance(implying)) == implied and all(
            i.move in (None, REAFFIRM) for i in deciding if i.stance == implied
        ):
            return implying
    return None


def replay_position(issue: str, party: str, items: list[ReplayItem]) -> list[TimelineEntry] | Problem:
    """The entries of one position, from its evidence in any order; or the problem with the first refused one."""
    replay = _Replay(issue, party)
    for _, on_the_day in groupby(sorted(items), key=lambda item: item.said_on):
        for _, at_once in groupby(list(on_the_day), key=_moment):
            problem = replay.moment(list(at_once))
            if problem is not None:
                return problem
    return replay.entries
