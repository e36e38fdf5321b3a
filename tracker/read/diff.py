"""What changed between two dates, and the evidence that changed it: `tracker diff`.

A change is a position whose stance differs between the two dates, with the
path of moves between them (never labelled as one move), the newest evidence
of the window and how much there is; an issue change is an issue whose status
differs, with its status changes between (each on its day, with the evidence
that made it: the same as `history` gives). Positions that became contested in the window
and still are are listed too.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from tracker.domain.machines import Stance
from tracker.read.connection import _date
from tracker.read.held import held
from tracker.read.history import status_steps
from tracker.read.models import (
    EVIDENCE_SHOWN,
    REF_FIELDS,
    Change,
    ContestedPosition,
    DiffReport,
    EvidenceRef,
    IssueChange,
    MoveStep,
)
from tracker.read.reading import (
    ARTICLE,
    POSITIONS,
    REF_FIELDS_SET,
    STANCES,
    Held,
    Holding,
    Key,
    Reading,
    all_set,
    newest,
    ref_columns,
    stance_of,
)

WINDOW = "t.valid_from > :date_from AND t.valid_from <= :date_to"
PATHS = (
    "SELECT t.issue AS issue, t.party AS party, t.seq AS seq, t.move AS move, t.stance_from AS stance_from, "
    "t.stance_to AS stance_to, t.valid_from AS valid_from, t.since_exact AS since_exact, e.id AS evidence_id "
    f"FROM timeline t JOIN evidence e ON e.row_id = t.evidence_row_id WHERE {held('t')} AND {WINDOW} "
    "AND t.move IS NOT NULL AND t.move != 'reaffirm' AND t.issue IN :issues AND t.party IN :parties "
    "ORDER BY t.issue, t.party, t.seq"
)
# Each position's applied entries in the window, numbered newest first and counted from the index, before
# evidence rows are read for the newest `:limit`.
BETWEEN = (
    "SELECT ranked.total AS total, ranked.issue AS issue, ranked.party AS party, ranked.seq AS seq, "
    f"{ref_columns('ranked.move', 'NULL')} FROM (SELECT t.issue AS issue, t.party AS party, t.seq AS seq, "
    "t.move AS move, t.evidence_row_id AS evidence_row_id, "
    "ROW_NUMBER() OVER (PARTITION BY t.issue, t.party ORDER BY t.seq DESC) AS newest_rank, "
    "COUNT(*) OVER (PARTITION BY t.issue, t.party) AS total FROM timeline t "
    f"WHERE {held('t')} AND {WINDOW} AND t.move IS NOT NULL AND t.issue IN :issues AND t.party IN :parties) ranked "
    f"JOIN evidence e ON e.row_id = ranked.evidence_row_id {ARTICLE} WHERE ranked.newest_rank <= :limit"
)
# Each position's stance and since-day at both dates, and from when it is contested at the later one: a seek per
# position and date in the covering index `ix_timeline_position_entries`, which holds all three, given as one text
# ("stance since contested_on", the days as ISO text or empty) so that no row of the timeline itself is read.
_HELD = "t.stance_to || ' ' || COALESCE(CAST(t.since AS TEXT), '') || ' ' || COALESCE(CAST(t.contested_on AS TEXT), '')"
COMPARED = (
    f"SELECT i.id AS issue, p.id AS party, {newest(_HELD, as_of=':date_from', column_of='')} AS held_before, "
    f"{newest(_HELD, as_of=':date_to', column_of='')} AS held_after {POSITIONS}"
)
ALL = 2**31  # a limit that keeps everything
# Every field of a change and of a move on its path is set where they are built (`all_set`: hundreds a page).
CHANGE_FIELDS = set(Change.model_fields)
MOVE_FIELDS = set(MoveStep.model_fields)


def diff(
    reading: Reading,
    date_from: date,
    date_to: date,
    issues: list[str] | None = None,
    parties: list[str] | None = None,
    evidence: int | None = EVIDENCE_SHOWN,
    limit: int | None = None,
    offset: int = 0,
) -> DiffReport:
    """The positions whose stance differs between `date_from` and `date_to`, with the moves and evidence between.

    `evidence` keeps each change's newest pieces of evidence (all of them when None); the paths of moves are
    always whole. The changes are ordered positions first (in catalogue order), then the positions newly
    contested, then the issues whose status differs; `limit` and `offset` give one page of them (all when
    `limit` is None), and only the page's paths, evidence and status steps are read.
    """
    issue_ids, party_ids = reading.selection(issues, parties)
    catalog = reading.catalog()
    every_party = catalog.party_ids()
    roles = catalog.roles
    status_parties = party_ids if parties else every_party  # statuses weigh every party when all are shown
    before: dict[Key, Holding] = {}
    after: dict[Key, Holding] = {}
    contested_on: dict[Key, date] = {}
    for row in reading.rows(COMPARED, date_from=date_from, date_to=date_to, issues=issue_ids, parties=status_parties):
        key = (row["issue"], row["party"])
        if row["held_before"] is not None:
            stance, since, _ = row["held_before"].split(" ")
            before[key] = Held(stance, _date(since) if since else None)
        if row["held_after"] is not None:
            stance, since, contested = row["held_after"].split(" ")
            after[key] = Held(stance, _date(since) if since else None)
            if contested:
                contested_on[key] = _date(contested)
    unknown = Held(Stance.UNKNOWN.value, None)
    changed = [
        (issue, party, STANCES[was.stance_to], STANCES[now.stance_to])
        for issue in issue_ids
        for party in party_ids
        if (was := before.get((issue, party), unknown)).stance_to
        != (now := after.get((issue, party), unknown)).stance_to
    ]
    keys = {(issue, party) for issue, party, _, _ in changed}
    newly_contested = [
        (issue, party)
        for issue in issue_ids
        for party in party_ids
        if (issue, party) not in keys and (issue, party) in contested_on and contested_on[(issue, party)] > date_from
    ]
    # A status is the issue's, whoever is shown; with a party filter only positions are compared.
    statuses = [] if parties else _statuses_changed(reading, date_from, date_to, issue_ids, before, after)
    total = len(changed) + len(newly_contested) + len(statuses)
    stop = total if limit is None else offset + limit
    page_changes = changed[offset:stop]
    skipped = max(0, offset - len(changed))
    page_contested = newly_contested[skipped : max(0, stop - len(changed))]
    skipped = max(0, offset - len(changed) - len(newly_contested))
    page_statuses = statuses[skipped : max(0, stop - len(changed) - len(newly_contested))]
    page_keys = [(issue, party) for issue, party, _, _ in page_changes]
    # The whole entries at `date_to` of the page's positions only: their since-days and contests.
    shown = [*page_keys, *page_contested]
    entries = (
        reading.latest(date_to, sorted({issue for issue, _ in shown}), sorted({party for _, party in shown}))
        if shown
        else {}
    )
    contests = reading.contests({k: entries[k] for k in shown if k in entries})
    paths = _paths(reading, date_from, date_to, page_keys)
    evidence_of, totals = _between(reading, date_from, date_to, page_keys, evidence)
    changes = [
        all_set(
            Change,
            CHANGE_FIELDS,
            {
                "issue": issue,
                "party": party,
                "role": roles[party].value,
                "stance_from": old,
                "stance_to": new,
                "since": stance_of(entries.get((issue, party)))[1],
                "since_exact": entered.since_exact if (entered := entries.get((issue, party))) else True,
                "evidence": evidence_of.get((issue, party), []),
                "evidence_total": totals.get((issue, party), 0),
                "moves": paths.get((issue, party), []),
                "contested": contests.get((issue, party)),
            },
        )
        for issue, party, old, new in page_changes
    ]
    return DiffReport.model_construct(
        date_from=date_from,
        date_to=date_to,
        known_at=reading.known_at,
        changes=changes,
        issue_changes=_issue_changes(reading, date_from, date_to, page_statuses, evidence),
        contested=[
            ContestedPosition.model_construct(
                issue=issue,
                party=party,
                stance=stance_of(entries[(issue, party)])[0],
                contested=contests[(issue, party)],
            )
            for issue, party in page_contested
        ],
        changes_total=total,
        offset=offset,
    )


def _paths(reading: Reading, date_from: date, date_to: date, keys: list[Key]) -> dict[Key, list[MoveStep]]:
    """The moves that changed each position's stance after `date_from`, up to `date_to`, in order."""
    if not keys:
        return {}
    wanted = set(keys)
    rows = reading.rows(
        PATHS,
        date_from=date_from,
        date_to=date_to,
        issues=sorted({issue for issue, _ in keys}),
        parties=sorted({party for _, party in keys}),
    )
    paths: dict[Key, list[MoveStep]] = defaultdict(list)
    for row in rows:
        key = (row["issue"], row["party"])
        if key in wanted:
            paths[key].append(
                all_set(
                    MoveStep,
                    MOVE_FIELDS,
                    {
                        "move": row["move"],
                        "stance_from": STANCES[row["stance_from"]],
                        "stance_to": STANCES[row["stance_to"]],
                        "said_on": row["valid_from"],
                        "said_on_exact": bool(row["since_exact"]),
                        "evidence": [row["evidence_id"]],
                    },
                )
            )
    return paths


def _between(
    reading: Reading, date_from: date, date_to: date, keys: list[Key], limit: int | None
) -> tuple[dict[Key, list[EvidenceRef]], dict[Key, int]]:
    """The applied moves of each position in the window, newest first (the newest `limit`), and how many."""
    if not keys:
        return {}, {}
    wanted = set(keys)
    rows = reading.tuples(
        BETWEEN,
        date_from=date_from,
        date_to=date_to,
        issues=sorted({issue for issue, _ in keys}),
        parties=sorted({party for _, party in keys}),
        limit=ALL if limit is None else limit,
    )
    found: dict[Key, list[tuple[int, EvidenceRef]]] = defaultdict(list)
    totals: dict[Key, int] = {}
    # Rows as lists (total, issue, party, seq, then the evidence's fields in the order of `REF_FIELDS`): five
    # hundred a page, made straight into evidence.
    for total, issue, party, seq, *fields in rows:
        key = (issue, party)
        if key in wanted:
            found[key].append((seq, all_set(EvidenceRef, REF_FIELDS_SET, dict(zip(REF_FIELDS, fields, strict=True)))))
            totals[key] = total
    return {key: [ref for _, ref in sorted(refs, key=lambda r: r[0], reverse=True)] for key, refs in found.items()}, (
        totals
    )


def _statuses_changed(
    reading: Reading,
    date_from: date,
    date_to: date,
    issue_ids: list[str],
    before: dict[Key, Holding],
    after: dict[Key, Holding],
) -> list[tuple[str, str, str]]:
    """The issues whose status differs between the dates, in catalogue order: (issue, status then, status now)
    (`before`/`after`: every party's latest entries)."""
    old = reading.statuses(date_from, issue_ids, before)
    new = reading.statuses(date_to, issue_ids, after)
    return [(issue, old[issue], new[issue]) for issue in issue_ids if old[issue] != new[issue]]


def _issue_changes(
    reading: Reading, date_from: date, date_to: date, changed: list[tuple[str, str, str]], limit: int | None
) -> list[IssueChange]:
    """The issue changes given, with what moved them: their status changes between the dates, each on its day."""
    if not changed:
        return []
    steps = status_steps(reading, [issue for issue, _, _ in changed], date_to, date_from + timedelta(days=1))
    found: dict[str, list[EvidenceRef]] = {}
    for issue, _, _ in changed:
        # Newest first; on one day, the issue-level evidence (what names the issue) before the positions' moves.
        found[issue] = [ref for step in reversed(steps[issue]) for ref in reversed(step.evidence)]
    return [
        IssueChange.model_construct(
            issue=issue,
            status_from=old,
            status_to=new,
            evidence=found[issue] if limit is None else found[issue][:limit],
            evidence_total=len(found[issue]),
            steps=steps[issue],
        )
        for issue, old, new in changed
    ]
