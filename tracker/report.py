"""A briefing: everything an analyst sends about a negotiation as of a date, as data.

The report gathers, from the same queries as the CLI, the corpus it rests on,
the matrix of stances, what changed since an earlier date, each issue's
positions with the verbatim quotes behind them and their history of moves,
the contradictions worth a second look, and the sources. Rendering it as
Markdown, HTML or JSON is the front ends' job; the same data gives every
format, and the same database and arguments give the same report.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import NamedTuple

from pydantic import BaseModel
from sqlalchemy import func
from sqlmodel import Session, col, select

from tracker.evidence import Attribution, Mode
from tracker.machines import Stance
from tracker.queries import (
    Change,
    EvidenceRef,
    HistoryMove,
    IssueChange,
    diff,
    held_at,
    history,
    selection,
    state,
    stored_catalog,
)
from tracker.store import ArticleRow, EvidenceRow

# Two statements of one party this many days apart or fewer are read together for contradictions.
CONTRADICTION_WINDOW = timedelta(days=14)


class CorpusSummary(BaseModel):
    articles: int
    evidence: int
    first_said_on: date | None  # the earliest and latest dates evidence was said on
    last_said_on: date | None


class MatrixCell(BaseModel):
    stance: Stance
    since: date | None


class MatrixRow(BaseModel):
    issue: str
    title: str
    status: str
    cells: dict[str, MatrixCell]  # party id -> cell, in catalogue order


class Contradiction(BaseModel):
    """Two pieces of evidence about one position that do not sit well together."""

    kind: str  # "opposite_sides" | "reported_differs"
    explanation: str
    evidence: list[EvidenceRef]  # the two pieces, older first


class PositionSection(BaseModel):
    party: str
    name: str
    stance: Stance
    since: date | None
    evidence: list[EvidenceRef]  # behind the current stance, newest first
    moves: list[HistoryMove]  # every entry up to the report's date, oldest first
    contradictions: list[Contradiction]


class IssueSection(BaseModel):
    issue: str
    title: str
    proposition: str
    status: str
    issue_evidence: list[EvidenceRef]  # issue-level evidence (no party), newest first
    positions: list[PositionSection]  # known positions, in catalogue order


class Source(BaseModel):
    id: str
    title: str
    outlet: str | None
    url: str | None
    published_on: date
    date_inferred: bool
    date_evidence: str | None
    evidence: int  # pieces of evidence coded from it


class Party(BaseModel):
    id: str
    name: str


class Report(BaseModel):
    title: str
    as_of: date
    since: date | None
    known_at: datetime | None = None
    corpus: CorpusSummary
    parties: list[Party]  # the matrix's columns, in catalogue order
    matrix: list[MatrixRow]
    changes: list[Change]  # positions whose stance changed since `since`
    issue_changes: list[IssueChange]
    issues: list[IssueSection]
    sources: list[Source]


class ChangeHeading(NamedTuple):
    """One change the briefing reports since its `since` date: a position's stance, or an issue's status."""

    party: str | None  # the party's id; None for an issue's status
    party_name: str | None
    issue_title: str
    before: str  # a stance, or a status in words
    after: str
    evidence: list[EvidenceRef]


def change_headings(report: Report) -> list[ChangeHeading]:
    """The changes since the report's `since` date, positions first, as every format heads them."""
    titles = {row.issue: row.title for row in report.matrix}
    names = {p.id: p.name for p in report.parties}
    headings = [
        ChangeHeading(c.party, names[c.party], titles[c.issue], c.stance_from.value, c.stance_to.value, c.evidence)
        for c in report.changes
    ]
    headings += [
        ChangeHeading(
            None,
            None,
            titles[c.issue],
            c.status_from.replace("_", " "),
            c.status_to.replace("_", " "),
            c.evidence,
        )
        for c in report.issue_changes
    ]
    return headings


def _corpus(session: Session, as_of: date, known_at: datetime | None) -> CorpusSummary:
    """The evidence said on or before `as_of`, and the articles it comes from or published by then."""
    evidence, first, last = session.exec(
        select(func.count(), func.min(EvidenceRow.said_on), func.max(EvidenceRow.said_on)).where(
            held_at(EvidenceRow, known_at), col(EvidenceRow.said_on) <= as_of
        )
    ).one()
    return CorpusSummary(
        articles=len(_sources(session, as_of, known_at)), evidence=evidence, first_said_on=first, last_said_on=last
    )


def _sources(session: Session, as_of: date, known_at: datetime | None) -> list[Source]:
    """The articles a briefing as of `as_of` rests on: published by then, or with evidence said by then."""
    coded = dict(
        session.exec(
            select(EvidenceRow.article, func.count())
            .where(held_at(EvidenceRow, known_at), col(EvidenceRow.said_on) <= as_of)
            .group_by(col(EvidenceRow.article))
        ).all()
    )
    rows = session.exec(
        select(ArticleRow)
        .where(held_at(ArticleRow, known_at))
        .order_by(col(ArticleRow.published_on), col(ArticleRow.id))
    )
    return [
        Source(
            id=row.id,
            title=row.title,
            outlet=row.outlet,
            url=row.url,
            published_on=row.published_on,
            date_inferred=row.date_basis != "stated",
            date_evidence=row.date_evidence,
            evidence=coded.get(row.id, 0),
        )
        for row in rows
        if row.published_on <= as_of or row.id in coded
    ]


_FOR = {Stance.DEMANDS, Stance.SUPPORTS}
_AGAINST = {Stance.OPPOSES, Stance.COUNTER_PROPOSAL}


def _side(stance: Stance) -> int:
    """+1 for the proposition, -1 against it, 0 open, agreed (a deal, not a side) or unknown."""
    return 1 if stance in _FOR else -1 if stance in _AGAINST else 0


def contradictions(moves: list[HistoryMove], window: timedelta = CONTRADICTION_WINDOW) -> list[Contradiction]:
    """What a reader should look at twice in one position's evidence (asserted evidence only):

    - opposite_sides: the party for the proposition and against it within `window` (agreeing to a deal is
      not a side: accepting one is a move, not a contradiction);
    - reported_differs: a stance another source reports for the party that differs from the party's own
      (direct) statement nearest to it in time, within `window`.
    """
    said = [
        (m.evidence, Stance(m.evidence.stance))
        for m in moves
        if m.evidence.mode == Mode.ASSERTED.value and m.evidence.stance
    ]
    found: list[Contradiction] = []
    for n, (older, older_stance) in enumerate(said):
        for newer, newer_stance in said[n + 1 :]:
            if newer.date - older.date > window:
                break
            if _side(older_stance) * _side(newer_stance) < 0:
                found.append(
                    Contradiction(
                        kind="opposite_sides",
                        explanation=f"{older.stance} on {older.date}, then {newer.stance} on {newer.date}",
                        evidence=[older, newer],
                    )
                )
                break  # the nearest opposite statement is the one to read; later ones repeat it
    own = [(ref, stance) for ref, stance in said if ref.attribution == Attribution.DIRECT.value]
    for reported, stance in said:
        if reported.attribution != Attribution.REPORTED.value or not own:
            continue
        nearest, nearest_stance = min(own, key=lambda o: (abs((o[0].date - reported.date).days), o[0].date))
        if abs(nearest.date - reported.date) <= window and nearest_stance is not stance:
            pair = sorted([nearest, reported], key=lambda e: (e.date, e.id))
            who = reported.speaker or "another source"
            found.append(
                Contradiction(
                    kind="reported_differs",
                    explanation=f"{who} reports {reported.stance} on {reported.date}; "
                    f"its own statement on {nearest.date} is {nearest.stance}",
                    evidence=pair,
                )
            )
    return found


def build_report(
    session: Session,
    as_of: date,
    since: date | None = None,
    known_at: datetime | None = None,
    issues: list[str] | None = None,
    parties: list[str] | None = None,
) -> Report:
    """The briefing as of `as_of` (with what changed since `since`), from one read snapshot."""
    catalog = stored_catalog(session, known_at)
    issue_ids, party_ids = selection(catalog, issues, parties)
    # The filters as given (None: everything): an issue's status weighs every party unless parties are chosen.
    positions = state(session, as_of, known_at, issues, parties)
    moves: dict[tuple[str, str], list[HistoryMove]] = defaultdict(list)
    for move in history(session, known_at, issues, parties, until=as_of).moves:
        moves[(move.issue, move.party)].append(move)
    # Issue statuses weigh every party, so their changes are read without the party filter.
    changed = diff(session, since, as_of, known_at, issues) if since is not None else None
    changes = [c for c in changed.changes if not parties or c.party in parties] if changed else []
    titles = {i.id: i for i in catalog.issues}
    names = {p.id: p.name for p in catalog.parties}
    statuses = {i.issue: i for i in positions.issues}
    by_issue: dict[str, list[PositionSection]] = defaultdict(list)
    cells: dict[str, dict[str, MatrixCell]] = defaultdict(dict)
    for position in positions.positions:
        cells[position.issue][position.party] = MatrixCell(stance=position.stance, since=position.since)
        held = moves.get((position.issue, position.party), [])
        if position.stance is Stance.UNKNOWN and not held:
            continue
        by_issue[position.issue].append(
            PositionSection(
                party=position.party,
                name=names[position.party],
                stance=position.stance,
                since=position.since,
                evidence=position.evidence,
                moves=held,
                contradictions=contradictions(held),
            )
        )
    return Report(
        title=catalog.title,
        as_of=as_of,
        since=since,
        known_at=known_at,
        corpus=_corpus(session, as_of, known_at),
        parties=[Party(id=p, name=names[p]) for p in party_ids],
        matrix=[
            MatrixRow(issue=i, title=titles[i].title, status=statuses[i].status, cells=cells[i]) for i in issue_ids
        ],
        changes=changes,
        issue_changes=changed.issue_changes if changed else [],
        issues=[
            IssueSection(
                issue=i,
                title=titles[i].title,
                proposition=titles[i].proposition,
                status=statuses[i].status,
                issue_evidence=statuses[i].evidence,
                positions=by_issue.get(i, []),
            )
            for i in issue_ids
        ],
        sources=_sources(session, as_of, known_at),
    )
