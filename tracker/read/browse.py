"""The position matrix and its drill-down, in bounded pieces an interactive front end can redraw.

`state` answers with every piece of evidence behind every stance, which is
what a report needs. Browsing needs less, often: the matrix as of a date
(each position's stance, since when, how much evidence backs it, whether it
changed that day, and each issue's status), the dates on which positions
changed (the steps of time travel), one position's moves and evidence a page
at a time, and an article's text. Each is a handful of indexed reads
whatever the size of the store.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import NamedTuple

from pydantic import BaseModel
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from tracker.domain.catalog import Catalog
from tracker.domain.errors import UsageError
from tracker.domain.evidence import Mode
from tracker.domain.machines import Stance
from tracker.read.queries import (
    EvidenceRef,
    HistoryMove,
    held_article,
    held_at,
    latest_moves,
    newest_named,
    ref_columns,
    ref_from_row,
    selection,
    stance_held,
    status_at,
    stored_catalog,
)
from tracker.store.database import ArticleRow, EvidenceRow, TimelineRow


class Cell(NamedTuple):
    """One position in the matrix (a tuple: a matrix has a thousand of them, made and compared on every step)."""

    issue: str
    party: str
    stance: Stance
    since: date | None
    backing: int  # evidence behind the stance: the move that entered it and its reaffirmations
    changed: bool  # the stance changed on the matrix's date
    basis: str | None  # the strongest attribution behind the stance
    condition: str | None  # the condition it holds on
    contested_on: date | None


class Matrix(BaseModel):
    as_of: date
    known_at: datetime | None = None
    catalog: Catalog
    issues: list[str]  # shown, in catalogue order
    parties: list[str]
    cells: dict[str, dict[str, Cell]]  # issue -> party -> cell
    status: dict[str, str]  # issue -> status


class PositionDetail(BaseModel):
    """One position as of a date: its moves so far and the evidence behind its stance, newest first."""

    issue: str
    party: str
    as_of: date
    stance: Stance
    since: date | None
    moves: list[HistoryMove]
    moves_total: int
    evidence: list[EvidenceRef]
    evidence_total: int


class ArticleText(BaseModel):
    id: str
    title: str
    outlet: str | None
    published_on: date
    date_basis: str
    date_evidence: str | None
    text: str


def matrix(
    session: Session,
    as_of: date,
    known_at: datetime | None = None,
    issues: list[str] | None = None,
    parties: list[str] | None = None,
) -> Matrix:
    """Every shown position as of `as_of`; each issue's status weighs every party, shown or not."""
    catalog = stored_catalog(session, known_at)
    issue_ids, party_ids = selection(catalog, issues, parties)
    all_parties = catalog.party_ids()
    latest = latest_moves(session, as_of, known_at, issue_ids, all_parties)
    named = newest_named(session, as_of, known_at, issue_ids)
    cells: dict[str, dict[str, Cell]] = {}
    for issue in issue_ids:
        row: dict[str, Cell] = {}
        for party in party_ids:
            entry = latest.get((issue, party))
            stance, since = stance_held(entry)
            row[party] = Cell(
                issue=issue,
                party=party,
                stance=stance,
                since=since,
                backing=entry.backing if entry else 0,
                changed=since == as_of,
                basis=entry.basis if entry else None,
                condition=entry.condition if entry else None,
                contested_on=entry.contested_on if entry else None,
            )
        cells[issue] = row
    return Matrix.model_construct(  # built here from checked rows; a thousand cells need no validation
        as_of=as_of,
        known_at=known_at,
        catalog=catalog,
        issues=issue_ids,
        parties=party_ids,
        cells=cells,
        status={issue: status_at(issue, all_parties, latest, named.get(issue)) for issue in issue_ids},
    )


def change_dates(
    session: Session,
    known_at: datetime | None = None,
    issues: list[str] | None = None,
    parties: list[str] | None = None,
) -> list[date]:
    """The dates on which something shown changed, oldest first.

    A shown position changed its stance, or issue-level evidence put a shown issue on the agenda
    (which can change its status whoever is shown).
    """
    stances = (
        select(col(TimelineRow.valid_from))
        .where(held_at(TimelineRow, known_at), col(TimelineRow.stance_from) != col(TimelineRow.stance_to))
        .distinct()
    )
    named = (
        select(col(EvidenceRow.said_on))
        .where(held_at(EvidenceRow, known_at), col(EvidenceRow.party).is_(None), col(EvidenceRow.mode) == Mode.ASSERTED)
        .distinct()
    )
    if issues:
        stances = stances.where(col(TimelineRow.issue).in_(issues))
        named = named.where(col(EvidenceRow.issue).in_(issues))
    if parties:
        stances = stances.where(col(TimelineRow.party).in_(parties))
    return sorted(set(session.exec(stances)) | set(session.exec(named)))


def position_detail(
    session: Session,
    issue: str,
    party: str,
    as_of: date,
    known_at: datetime | None = None,
    limit: int = 100,
) -> PositionDetail:
    """One position as of `as_of`: its newest `limit` timeline entries and pieces of supporting evidence."""
    catalog = stored_catalog(session, known_at)
    if issue not in catalog.issue_ids() or party not in catalog.party_ids():
        raise UsageError(f"no position {issue}/{party} in the catalogue")
    latest = latest_moves(session, as_of, known_at, [issue], [party]).get((issue, party))
    so_far = (
        held_at(TimelineRow, known_at),
        col(TimelineRow.issue) == issue,
        col(TimelineRow.party) == party,
        col(TimelineRow.valid_from) <= as_of,
    )
    conn = session.connection()
    newest_first = (col(TimelineRow.valid_from).desc(), col(TimelineRow.seq).desc())
    rows = conn.execute(
        sa_select(
            col(TimelineRow.valid_from),
            col(TimelineRow.stance_from),
            col(TimelineRow.stance_to),
            *ref_columns(),
        )
        .join(EvidenceRow, col(EvidenceRow.row_id) == col(TimelineRow.evidence_row_id))
        .outerjoin(*held_article(known_at))
        .where(*so_far)
        .order_by(*newest_first)
        .limit(limit)
    )
    moves = [
        HistoryMove(
            issue=issue,
            party=party,
            date=valid_from,
            move=evidence.move,
            not_applied=evidence.not_applied,
            stance_from=Stance(stance_from),
            stance_to=Stance(stance_to),
            evidence=evidence,
        )
        for row in rows
        for (valid_from, stance_from, stance_to), evidence in [(row[:3], ref_from_row(row, 3))]
    ]
    stance, since = stance_held(latest)
    evidence: list[EvidenceRef] = []
    if latest is not None and stance is not Stance.UNKNOWN:
        backing = conn.execute(
            sa_select(*ref_columns())
            .join(EvidenceRow, col(EvidenceRow.row_id) == col(TimelineRow.evidence_row_id))
            .outerjoin(*held_article(known_at))
            .where(
                *so_far,
                col(TimelineRow.valid_from) >= since,
                col(TimelineRow.seq) >= latest.entered_seq,
                col(TimelineRow.seq) <= latest.seq,
                col(TimelineRow.move).is_not(None),
            )
            .order_by(*newest_first)
            .limit(limit)
        )
        evidence = [ref_from_row(row) for row in backing]
    return PositionDetail(
        issue=issue,
        party=party,
        as_of=as_of,
        stance=stance,
        since=since,
        moves=moves,
        # Entries are numbered from 0 in each position: the newest one's number counts those up to it.
        moves_total=latest.seq + 1 if latest else 0,
        evidence=evidence,
        evidence_total=latest.backing if latest else 0,
    )


def article_text(session: Session, article: str, known_at: datetime | None = None) -> ArticleText:
    """An article as the store holds it (or held at `known_at`), text byte for byte."""
    row = session.exec(select(ArticleRow).where(col(ArticleRow.id) == article, held_at(ArticleRow, known_at))).first()
    if row is None:
        raise UsageError(f"no article '{article}' in the store")
    return ArticleText.model_validate(row, from_attributes=True)
