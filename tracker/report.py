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
from tracker.status import issue_sides
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


def _corpus(session: Session, known_at: datetime | None) -> CorpusSummary:
    articles = session.exec(select(func.count()).select_from(ArticleRow).where(held_at(ArticleRow, known_at))).one()
    evidence, first, last = session.exec(
        select(func.count(), func.min(EvidenceRow.said_on), func.max(EvidenceRow.said_on)).where(
            held_at(EvidenceRow, known_at)
        )
    ).one()
    return CorpusSummary(articles=articles, evidence=evidence, first_said_on=first, last_said_on=last)


def _sources(session: Session, known_at: datetime | None) -> list[Source]:
    coded = dict(
        session.exec(
            select(EvidenceRow.article, func.count())
            .where(held_at(EvidenceRow, known_at))
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
    ]


def contradictions(moves: list[HistoryMove], window: timedelta = CONTRADICTION_WINDOW) -> list[Contradiction]:
    """What a reader should look at twice in one position's evidence (asserted evidence only):

    - opposite_sides: stances on opposite sides of the proposition within `window` of each other;
    - reported_differs: a stance another source reports for the party that differs from a stance the
      party stated itself (direct) within `window`.
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
            older_side, newer_side = issue_sides(older_stance), issue_sides(newer_stance)
            if older_side and newer_side and older_side != newer_side:
                found.append(
                    Contradiction(
                        kind="opposite_sides",
                        explanation=f"{older.stance} on {older.date} and {newer.stance} on {newer.date}",
                        evidence=[older, newer],
                    )
                )
            pair = {older.attribution, newer.attribution}
            if pair == {Attribution.DIRECT.value, Attribution.REPORTED.value} and older.stance != newer.stance:
                reported, own = (older, newer) if older.attribution == Attribution.REPORTED.value else (newer, older)
                who = reported.speaker or "another source"
                found.append(
                    Contradiction(
                        kind="reported_differs",
                        explanation=f"{who} reports {reported.stance} on {reported.date}; "
                        f"its own statement on {own.date} is {own.stance}",
                        evidence=[older, newer],
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
    for move in history(session, known_at, issues, parties).moves:
        if move.date <= as_of:
            moves[(move.issue, move.party)].append(move)
    changed = diff(session, since, as_of, known_at, issues, parties) if since is not None else None
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
        corpus=_corpus(session, known_at),
        parties=[Party(id=p, name=names[p]) for p in party_ids],
        matrix=[
            MatrixRow(issue=i, title=titles[i].title, status=statuses[i].status, cells=cells[i]) for i in issue_ids
        ],
        changes=changed.changes if changed else [],
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
        sources=_sources(session, known_at),
    )
