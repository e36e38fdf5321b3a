"""How positions moved over time: `tracker history`.

Each selected position's timeline entries said by a date (the newest
`MOVES_SHOWN` by default, every one on request, and what was left out), in
catalogue order, then time; and, without a party filter, each issue's status
changes and the issue-level evidence naming it.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, time
from typing import Any

from tracker.domain.machines import Stance
from tracker.domain.status import named_from
from tracker.read.held import held
from tracker.read.models import (
    MOVES_SHOWN,
    EvidenceRef,
    HistoryMove,
    HistoryReport,
    IssueHistory,
    LeftOut,
    StatusStep,
    trusted,
)
from tracker.read.reading import EVIDENCE, POSITIONS, REF, Entry, Key, Reading, entry, evidence_ref, status_at

MOVE = "t.seq AS seq, t.valid_from AS valid_from, t.stance_from AS stance_from, t.stance_to AS stance_to"
# Each position's entries from the day of its `:skip`+1-th newest said from `:since` to `:until` (all when it has
# fewer).
NEWEST_MOVES = (
    "WITH positions AS MATERIALIZED (SELECT i.id AS issue, p.id AS party, COALESCE((SELECT t.valid_from FROM "
    f"timeline t WHERE t.issue = i.id AND t.party = p.id AND t.valid_from <= :until AND t.valid_from >= :since "
    f"AND {held('t')} ORDER BY t.valid_from DESC, t.seq DESC LIMIT 1 OFFSET :skip), :since) AS start {POSITIONS}) "
    f"SELECT t.issue AS position_issue, t.party AS position_party, {MOVE}, {REF} FROM positions JOIN timeline t "
    "ON t.issue = positions.issue AND t.party = positions.party AND t.valid_from >= positions.start "
    f"AND t.valid_from <= :until AND {held('t')} {EVIDENCE}"
)
EVERY_MOVE = (
    f"SELECT t.issue AS position_issue, t.party AS position_party, {MOVE}, {REF} FROM timeline t {EVIDENCE} "
    f"WHERE {held('t')} AND t.issue IN :issues AND t.party IN :parties AND t.valid_from <= :until "
    "AND t.valid_from >= :since"
)
MOVES_BETWEEN = (
    f"SELECT COUNT(*) AS moves FROM timeline t WHERE t.issue = :issue AND t.party = :party AND {held('t')} "
    "AND t.valid_from >= :since AND t.valid_from <= :until"
)
ISSUE_ENTRIES = (
    "SELECT t.issue AS issue, t.party AS party, t.seq AS seq, t.entered_seq AS entered_seq, t.stance_to AS stance_to, "
    "t.since AS since, t.backing AS backing, t.basis AS basis, t.condition AS held_condition, "
    "t.contested_on AS contested_on, t.valid_from AS valid_from "
    f"FROM timeline t WHERE {held('t')} AND t.issue IN :issues AND t.party IN :parties AND t.valid_from <= :until "
    "ORDER BY t.valid_from, t.seq"
)


# The negotiators' moves (other than reaffirmations) on the days an issue's status changed: what made each change.
STATUS_MOVES = (
    f"SELECT t.issue AS position_issue, t.party AS position_party, t.seq AS seq, {REF} FROM timeline t {EVIDENCE} "
    f"WHERE {held('t')} AND t.issue IN :issues AND t.party IN :parties AND t.valid_from IN :days "
    "AND t.move IS NOT NULL AND t.move != 'reaffirm'"
)


def history_move(row: dict[str, Any], role: str = "negotiator") -> HistoryMove:
    evidence = evidence_ref(row)
    return trusted(
        HistoryMove,
        {
            "issue": row["position_issue"],
            "party": row["position_party"],
            "role": role,
            "date": row["valid_from"],
            "move": evidence.move,
            "not_applied": evidence.not_applied,
            "stance_from": Stance(row["stance_from"]),
            "stance_to": Stance(row["stance_to"]),
            "evidence": evidence,
        },
    )


def newest_moves(
    reading: Reading, until: date, issues: list[str], parties: list[str], limit: int | None, since: date = date.min
) -> dict[Key, list[HistoryMove]]:
    """Each position's newest `limit` entries said from `since` to `until` (all when None), oldest first."""
    if limit is None:
        rows = reading.rows(EVERY_MOVE, until=until, since=since, issues=issues, parties=parties)
    else:
        rows = reading.rows(NEWEST_MOVES, until=until, since=since, issues=issues, parties=parties, skip=limit - 1)
    found: dict[Key, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        found[(row["position_issue"], row["position_party"])].append(row)
    moves = {}
    roles = reading.catalog().roles
    for key, entries in found.items():
        entries.sort(key=lambda row: row["seq"])
        role = roles[key[1]].value
        moves[key] = [history_move(row, role) for row in (entries if limit is None else entries[-limit:])]
    return moves


def history(
    reading: Reading,
    issues: list[str] | None = None,
    parties: list[str] | None = None,
    until: date | None = None,
    limit: int | None = MOVES_SHOWN,
    since: date | None = None,
) -> HistoryReport:
    """The moves of the selected positions said from `since` to `until`: each position's newest `limit` (all when
    None)."""
    issue_ids, party_ids = reading.selection(issues, parties)
    last, first = until or date.max, since or date.min
    moves = newest_moves(reading, last, issue_ids, party_ids, limit, first)
    left_out = []
    for key, shown in moves.items():
        if limit is not None and len(shown) == limit:
            [counted] = reading.rows(MOVES_BETWEEN, issue=key[0], party=key[1], since=first, until=last)
            if counted["moves"] > len(shown):
                left_out.append(LeftOut(issue=key[0], party=key[1], shown=len(shown), total=counted["moves"]))
    ordered = [moves[(issue, party)] for issue in issue_ids for party in party_ids if (issue, party) in moves]
    return HistoryReport.model_construct(
        known_at=reading.known_at,
        moves=[move for position in ordered for move in position],
        issues=[] if parties else issue_history(reading, issue_ids, last, first),
        left_out=left_out,
    )


def issue_history(reading: Reading, issue_ids: list[str], until: date, since: date = date.min) -> list[IssueHistory]:
    """Each issue's status over time (recomputed on every day a stance changed or the issue was named), each
    change with the evidence that made it, and its issue-level evidence, from `since` to `until`."""
    level, _ = reading.issue_evidence(until, issue_ids, limit=None)
    steps = status_steps(reading, issue_ids, until, since, level)
    histories = []
    for issue in issue_ids:
        evidence = sorted(level.get(issue, []), key=lambda e: (e.date, e.said_at or time.min, e.start, e.quote))
        histories.append(
            IssueHistory.model_construct(
                issue=issue, statuses=steps[issue], evidence=[e for e in evidence if e.date >= since]
            )
        )
    return histories


def status_steps(
    reading: Reading,
    issue_ids: list[str],
    until: date,
    since: date = date.min,
    level: dict[str, list[EvidenceRef]] | None = None,
) -> dict[str, list[StatusStep]]:
    """Each issue's status changes from `since` to `until`: the day each happened and the evidence that made it
    (the negotiators' moves of that day, and the asserted issue-level evidence of that day), the one answer
    `history`, `diff` and the reports give. `level`: the issues' issue-level evidence, where already read."""
    negotiators = reading.catalog().negotiator_ids()  # only their stances make a status
    if level is None:
        level, _ = reading.issue_evidence(until, issue_ids, limit=None)
    by_issue: dict[str, list[tuple[date, Entry]]] = defaultdict(list)
    for row in reading.rows(ISSUE_ENTRIES, issues=issue_ids, parties=negotiators, until=until):
        by_issue[row["issue"]].append((row["valid_from"], entry(row)))
    found: dict[str, list[StatusStep]] = {}
    for issue in issue_ids:
        named = [(e.date, e.kind) for e in level.get(issue, []) if e.mode == "asserted"]
        days = sorted({day for day, _ in by_issue[issue]} | {day for day, _ in named})
        latest: dict[Key, Entry] = {}
        entries = iter(by_issue[issue])
        pending = next(entries, None)
        status = status_at(issue, negotiators, latest, None)
        steps = []
        for day in days:
            while pending is not None and pending[0] <= day:
                latest[(issue, pending[1].party)] = pending[1]
                pending = next(entries, None)
            now = status_at(issue, negotiators, latest, named_from((d, k) for d, k in named if d <= day))
            if now != status:
                steps.append(StatusStep.model_construct(date=day, status_from=status, status_to=now, evidence=[]))
                status = now
        found[issue] = [step for step in steps if step.date >= since]
    days = sorted({step.date for steps in found.values() for step in steps})
    if not days:
        return found
    moved: dict[tuple[str, date], list[tuple[int, int, EvidenceRef]]] = defaultdict(list)
    order = {party: n for n, party in enumerate(negotiators)}
    changed = sorted(issue for issue, steps in found.items() if steps)
    for row in reading.rows(STATUS_MOVES, issues=changed, parties=negotiators, days=days):
        ref = evidence_ref(row)
        moved[(row["position_issue"], ref.date)].append((order[row["position_party"]], row["seq"], ref))
    for issue in changed:
        for step in found[issue]:
            named_that_day = sorted(
                (e for e in level.get(issue, []) if e.mode == "asserted" and e.date == step.date),
                key=lambda e: (e.said_at or time.min, e.start, e.quote),
            )
            step.evidence = [ref for *_, ref in sorted(moved[(issue, step.date)], key=lambda m: m[:2])]
            step.evidence += named_that_day
    return found
