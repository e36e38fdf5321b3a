"""Questions analysts ask, answered from the stored timeline without replaying evidence.

- `state`: where every party stands on every issue as of a date, since when,
  and the evidence behind each stance;
- `diff`: which positions changed between two dates, and the evidence that moved them;
- `history`: the moves of positions over time.

Each takes `known_at` to answer as the tracker would have at that recorded
time (the bitemporal view): rows recorded after it, or superseded before it,
are invisible. Results are pydantic models; formatting is `tracker.output`'s job.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date, datetime
from typing import Any, NamedTuple

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import and_, func, or_, true, tuple_
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from tracker.catalog import Catalog, Issue, Party
from tracker.evidence import Mode
from tracker.machines import Stance
from tracker.status import issue_status
from tracker.store import ArticleRow, EvidenceRow, IngestRow, IssueRow, PartyRow, TimelineRow, stored_title


class EvidenceRef(BaseModel):
    """A piece of evidence as shown with a stance, a change or a move."""

    id: str
    article: str
    article_title: str
    date: date  # when it was said (said_on)
    quote: str
    speaker: str | None
    attribution: str
    mode: str
    stance: str | None = None  # as coded; for a non-asserted mode, the stance it did not move to
    move: str | None = None
    start: int
    end: int
    note: str | None = None


class PositionState(BaseModel):
    issue: str
    party: str
    stance: Stance
    since: date | None
    evidence: list[EvidenceRef]


class IssueState(BaseModel):
    issue: str
    status: str
    evidence: list[EvidenceRef]


class StateReport(BaseModel):
    as_of: date
    known_at: datetime | None = None
    positions: list[PositionState]
    issues: list[IssueState]


class Change(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    issue: str
    party: str
    stance_from: Stance = Field(serialization_alias="from")
    stance_to: Stance = Field(serialization_alias="to")
    since: date | None
    evidence: list[EvidenceRef]
    # How many pieces of evidence there are when `evidence` holds only the newest (diff's `evidence_limit`).
    evidence_total: int | None = Field(default=None, exclude=True)


class IssueChange(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    issue: str
    status_from: str = Field(serialization_alias="from")
    status_to: str = Field(serialization_alias="to")
    evidence: list[EvidenceRef]  # issue-level evidence between the two dates, newest first
    evidence_total: int | None = Field(default=None, exclude=True)  # as in `Change`


class DiffReport(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    date_from: date = Field(serialization_alias="from")
    date_to: date = Field(serialization_alias="to")
    known_at: datetime | None = None
    changes: list[Change]
    issue_changes: list[IssueChange] = []


class HistoryMove(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    issue: str
    party: str
    date: date
    move: str | None  # None: evidence kept and shown, but its mode does not move the stance
    stance_from: Stance = Field(serialization_alias="from")
    stance_to: Stance = Field(serialization_alias="to")
    evidence: EvidenceRef


class HistoryReport(BaseModel):
    known_at: datetime | None = None
    moves: list[HistoryMove]


def held_at(table: Any, known_at: datetime | None) -> ColumnElement[bool]:
    """Rows the tracker held: now, or at the recorded time `known_at`."""
    if known_at is None:
        return col(table.superseded_at).is_(None)
    return and_(
        col(table.recorded_at) <= known_at, or_(col(table.superseded_at).is_(None), col(table.superseded_at) > known_at)
    )


def stored_catalog(session: Session, known_at: datetime | None = None) -> Catalog:
    """The catalogue the store holds now, or held at the recorded time `known_at`."""
    issues = tuple(
        Issue(id=r.id, title=r.title, proposition=r.proposition, aliases=tuple(json.loads(r.aliases)))
        for r in session.exec(select(IssueRow).where(held_at(IssueRow, known_at)).order_by(col(IssueRow.ordinal)))
    )
    parties = tuple(
        Party(id=r.id, name=r.name, aliases=tuple(json.loads(r.aliases)))
        for r in session.exec(select(PartyRow).where(held_at(PartyRow, known_at)).order_by(col(PartyRow.ordinal)))
    )
    title = stored_title(session)
    return Catalog(issues=issues, parties=parties, **({"title": title} if title else {}))


def first_recorded(session: Session) -> datetime | None:
    """When the first ingest was recorded: nothing is known at any earlier time."""
    return session.exec(select(func.min(IngestRow.recorded_at))).one()


def evidence_ref(move: TimelineRow | None, evidence: EvidenceRow, title: str | None) -> EvidenceRef:
    return EvidenceRef(
        id=evidence.id,
        article=evidence.article,
        article_title=title or evidence.article,
        date=evidence.said_on,
        quote=evidence.quote,
        speaker=evidence.speaker,
        attribution=evidence.attribution,
        mode=evidence.mode,
        stance=evidence.stance,
        move=move.move if move else None,
        start=evidence.start,
        end=evidence.end,
        note=evidence.note,
    )


def _article_title(known_at: datetime | None) -> Any:
    return (
        select(ArticleRow.title)
        .where(col(ArticleRow.id) == col(EvidenceRow.article), held_at(ArticleRow, known_at))
        .limit(1)
        .scalar_subquery()
    )


def moves_with_evidence(known_at: datetime | None) -> Any:
    """Timeline entries joined to their evidence and its article's title."""
    return select(TimelineRow, EvidenceRow, _article_title(known_at)).join(
        EvidenceRow, col(EvidenceRow.row_id) == col(TimelineRow.evidence_row_id)
    )


def selection(catalog: Catalog, issues: list[str] | None, parties: list[str] | None) -> tuple[list[str], list[str]]:
    """The catalogue's issue and party ids, in catalogue order, narrowed to the filters given."""
    return (
        [i for i in catalog.issue_ids() if not issues or i in issues],
        [p for p in catalog.party_ids() if not parties or p in parties],
    )


def _latest_entries(as_of: date, known_at: datetime | None, issues: list[str], parties: list[str]) -> Any:
    """A subquery: each position's last timeline entry on or before `as_of` (its stance then).

    One index seek per position of the catalogue (the newest entry not after
    `as_of`), however many entries each position has.
    """
    entry = aliased(TimelineRow)
    newest = (
        select(entry.row_id)
        .where(
            col(entry.issue) == col(IssueRow.id),
            col(entry.party) == col(PartyRow.id),
            col(entry.valid_from) <= as_of,
            held_at(entry, known_at),
        )
        .order_by(col(entry.valid_from).desc(), col(entry.seq).desc())
        .limit(1)
        .correlate(IssueRow, PartyRow)
        .scalar_subquery()
    )
    positions = (
        select(newest)
        .select_from(IssueRow)
        .join(PartyRow, true())
        .where(
            held_at(IssueRow, known_at),
            held_at(PartyRow, known_at),
            col(IssueRow.id).in_(issues),
            col(PartyRow.id).in_(parties),
        )
    )
    return sa_select(
        col(TimelineRow.issue),
        col(TimelineRow.party),
        col(TimelineRow.seq),
        col(TimelineRow.entered_seq),
        col(TimelineRow.stance_to),
        col(TimelineRow.since),
        col(TimelineRow.backing),
    ).where(col(TimelineRow.row_id).in_(positions))


class LatestEntry(NamedTuple):
    """A position's last timeline entry on or before a date: what it stood at then."""

    issue: str
    party: str
    seq: int
    entered_seq: int
    stance_to: str
    since: date | None
    backing: int


def stance_held(entry: LatestEntry | None) -> tuple[Stance, date | None]:
    """The stance a position's latest entry leaves it in, and since when (unknown, None: no entry)."""
    return (Stance(entry.stance_to), entry.since) if entry else (Stance.UNKNOWN, None)


def _applied_between(known_at: datetime | None, date_from: date, date_to: date) -> tuple[ColumnElement[bool], ...]:
    """Conditions for the timeline entries that moved a stance after `date_from`, up to `date_to`."""
    return (
        held_at(TimelineRow, known_at),
        col(TimelineRow.valid_from) > date_from,
        col(TimelineRow.valid_from) <= date_to,
        col(TimelineRow.move).is_not(None),
    )


def latest_moves(
    session: Session, as_of: date, known_at: datetime | None, issues: list[str], parties: list[str]
) -> dict[tuple[str, str], LatestEntry]:
    """For each position, its last timeline entry on or before `as_of` (positions with none are absent)."""
    # Plain rows through the connection: no ORM identity work for what is read a thousand at a time.
    rows = session.connection().execute(_latest_entries(as_of, known_at, issues, parties)).all()
    return {(row[0], row[1]): LatestEntry(*row) for row in rows}


def _supporting(
    session: Session, as_of: date, known_at: datetime | None, issues: list[str], parties: list[str]
) -> dict[tuple[str, str], list[EvidenceRef]]:
    """The evidence behind each position's current stance: its applied moves since it entered that stance."""
    latest = _latest_entries(as_of, known_at, issues, parties).subquery()
    rows = session.exec(
        moves_with_evidence(known_at)
        .join(
            latest,
            and_(
                col(TimelineRow.issue) == latest.c.issue,
                col(TimelineRow.party) == latest.c.party,
                col(TimelineRow.seq) >= latest.c.entered_seq,
                col(TimelineRow.seq) <= latest.c.seq,
            ),
        )
        .where(
            held_at(TimelineRow, known_at),
            col(TimelineRow.move).is_not(None),
            latest.c.entered_seq >= 0,
            latest.c.stance_to != Stance.UNKNOWN.value,
        )
        .order_by(col(TimelineRow.issue), col(TimelineRow.party), col(TimelineRow.seq).desc())
    )
    found: dict[tuple[str, str], list[EvidenceRef]] = defaultdict(list)
    for move, evidence, title in rows:
        found[(move.issue, move.party)].append(evidence_ref(move, evidence, title))
    return found


def _issue_evidence(
    session: Session, as_of: date, known_at: datetime | None, issues: list[str]
) -> dict[str, list[EvidenceRef]]:
    rows = session.exec(
        select(EvidenceRow, _article_title(known_at))
        .where(
            held_at(EvidenceRow, known_at),
            col(EvidenceRow.party).is_(None),
            col(EvidenceRow.said_on) <= as_of,
            col(EvidenceRow.issue).in_(issues),
        )
        .order_by(col(EvidenceRow.said_on).desc(), col(EvidenceRow.article), col(EvidenceRow.start).desc())
    )
    found: dict[str, list[EvidenceRef]] = defaultdict(list)
    for evidence, title in rows:
        found[evidence.issue].append(evidence_ref(None, evidence, title))
    return found


def _asserted(evidence: list[EvidenceRef]) -> list[EvidenceRef]:
    """Only asserted evidence moves anything: a stance, or an issue onto the agenda."""
    return [e for e in evidence if e.mode == Mode.ASSERTED.value]


def status_at(
    issue: str, party_ids: list[str], latest: dict[tuple[str, str], LatestEntry], newest_named: date | None
) -> str:
    """An issue's status from every party's latest entry and the newest issue-level evidence naming it.

    `newest_named` is the date of the newest asserted issue-level evidence (None if there is none):
    a negated or hypothetical "sticking point" puts nothing on the agenda.
    """
    moves = [latest[(issue, p)] for p in party_ids if (issue, p) in latest]
    stances = [Stance(latest[(issue, p)].stance_to) if (issue, p) in latest else Stance.UNKNOWN for p in party_ids]
    latest_since = max((m.since for m in moves if m.since is not None), default=None)
    reopened = newest_named is not None and latest_since is not None and newest_named > latest_since
    return issue_status(stances, newest_named is not None, reopened)


def newest_named(session: Session, as_of: date, known_at: datetime | None, issue_ids: list[str]) -> dict[str, date]:
    """For each issue, the date of the newest asserted issue-level evidence on or before `as_of`."""
    rows = session.exec(
        select(EvidenceRow.issue, func.max(EvidenceRow.said_on))
        .where(
            held_at(EvidenceRow, known_at),
            col(EvidenceRow.party).is_(None),
            col(EvidenceRow.mode) == Mode.ASSERTED.value,
            col(EvidenceRow.said_on) <= as_of,
            col(EvidenceRow.issue).in_(issue_ids),
        )
        .group_by(col(EvidenceRow.issue))
    )
    return {issue: newest for issue, newest in rows if newest is not None}


def _issue_states(
    session: Session,
    as_of: date,
    known_at: datetime | None,
    issue_ids: list[str],
    party_ids: list[str],
    latest: dict[tuple[str, str], LatestEntry] | None = None,
) -> list[IssueState]:
    """Each issue's status as of `as_of`, weighing every party, with its issue-level evidence."""
    if latest is None:
        latest = latest_moves(session, as_of, known_at, issue_ids, party_ids)
    issue_level = _issue_evidence(session, as_of, known_at, issue_ids)
    issue_states = []
    for issue in issue_ids:
        shown = issue_level.get(issue, [])
        named = _asserted(shown)
        status = status_at(issue, party_ids, latest, named[0].date if named else None)
        issue_states.append(IssueState(issue=issue, status=status, evidence=shown))
    return issue_states


def state(
    session: Session,
    as_of: date,
    known_at: datetime | None = None,
    issues: list[str] | None = None,
    parties: list[str] | None = None,
) -> StateReport:
    """Every (issue, party) position of the catalogue as of `as_of`, unknown ones included."""
    catalog = stored_catalog(session, known_at)
    issue_ids, party_ids = selection(catalog, issues, parties)
    latest = latest_moves(session, as_of, known_at, issue_ids, party_ids)
    support = _supporting(session, as_of, known_at, issue_ids, party_ids)
    positions = []
    for issue in issue_ids:
        for party in party_ids:
            stance, since = stance_held(latest.get((issue, party)))
            positions.append(
                PositionState(
                    issue=issue, party=party, stance=stance, since=since, evidence=support.get((issue, party), [])
                )
            )
    issue_states = _issue_states(
        session, as_of, known_at, issue_ids, catalog.party_ids(), latest if not parties else None
    )
    return StateReport(as_of=as_of, known_at=known_at, positions=positions, issues=issue_states)


def diff(
    session: Session,
    date_from: date,
    date_to: date,
    known_at: datetime | None = None,
    issues: list[str] | None = None,
    parties: list[str] | None = None,
    evidence_limit: int | None = None,
) -> DiffReport:
    """The positions whose stance differs between `date_from` and `date_to`, with the evidence between.

    `evidence_limit` keeps only the newest pieces of evidence of each change (all of them when None).
    """
    catalog = stored_catalog(session, known_at)
    issue_ids, party_ids = selection(catalog, issues, parties)
    before = latest_moves(session, date_from, known_at, issue_ids, party_ids)
    after = latest_moves(session, date_to, known_at, issue_ids, party_ids)
    changed = []
    for issue in issue_ids:
        for party in party_ids:
            old, _ = stance_held(before.get((issue, party)))
            new, _ = stance_held(after.get((issue, party)))
            if old is not new:
                changed.append((issue, party, old, new))
    evidence: dict[tuple[str, str], list[EvidenceRef]] = defaultdict(list)
    totals: dict[tuple[str, str], int] = {}
    if changed and evidence_limit is not None:
        # A bounded page per change (an interactive view), and the count: indexed reads each.
        for issue, party, _, _ in changed:
            between = (
                *_applied_between(known_at, date_from, date_to),
                col(TimelineRow.issue) == issue,
                col(TimelineRow.party) == party,
            )
            rows = session.exec(
                moves_with_evidence(known_at)
                .where(*between)
                .order_by(col(TimelineRow.seq).desc())
                .limit(evidence_limit)
            )
            evidence[(issue, party)] = [evidence_ref(move, item, title) for move, item, title in rows]
            totals[(issue, party)] = session.exec(select(func.count()).select_from(TimelineRow).where(*between)).one()
    elif changed:
        keys = tuple_(col(TimelineRow.issue), col(TimelineRow.party)).in_([(i, p) for i, p, _, _ in changed])
        rows = session.exec(
            moves_with_evidence(known_at)
            .where(*_applied_between(known_at, date_from, date_to), keys)
            .order_by(col(TimelineRow.seq).desc())
        )
        for move, item, title in rows:
            evidence[(move.issue, move.party)].append(evidence_ref(move, item, title))
    changes = [
        Change(
            issue=i,
            party=p,
            stance_from=old,
            stance_to=new,
            since=stance_held(after.get((i, p)))[1],
            evidence=evidence.get((i, p), []),
            evidence_total=totals.get((i, p)),
        )
        for i, p, old, new in changed
    ]
    return DiffReport(
        date_from=date_from,
        date_to=date_to,
        known_at=known_at,
        changes=changes,
        # A status is the issue's, whoever is shown; with a party filter only positions are compared.
        issue_changes=[]
        if parties
        else _issue_changes(session, date_from, date_to, known_at, issue_ids, catalog, before, after, evidence_limit),
    )


def _issue_changes(
    session: Session,
    date_from: date,
    date_to: date,
    known_at: datetime | None,
    issue_ids: list[str],
    catalog: Catalog,
    latest_before: dict[tuple[str, str], LatestEntry],
    latest_after: dict[tuple[str, str], LatestEntry],
    evidence_limit: int | None = None,
) -> list[IssueChange]:
    """Issues whose status differs, with what moved them: position moves and issue-level evidence between.

    `latest_before`/`latest_after` are every party's latest entries at the two dates, as `diff` read them.
    """
    before = _issue_states(session, date_from, known_at, issue_ids, catalog.party_ids(), latest_before)
    after = _issue_states(session, date_to, known_at, issue_ids, catalog.party_ids(), latest_after)
    changed = [(old, new) for old, new in zip(before, after, strict=True) if old.status != new.status]
    if not changed:
        return []
    moved: dict[str, list[EvidenceRef]] = defaultdict(list)
    rows = session.exec(
        moves_with_evidence(known_at).where(
            *_applied_between(known_at, date_from, date_to),
            col(TimelineRow.issue).in_([new.issue for _, new in changed]),
            col(TimelineRow.move) != "reaffirm",
        )
    )
    for move, item, title in rows:
        moved[move.issue].append(evidence_ref(move, item, title))
    changes = []
    for old, new in changed:
        evidence = moved.get(new.issue, []) + [e for e in _asserted(new.evidence) if e.date > date_from]
        evidence.sort(key=lambda e: (e.date, e.article, e.start), reverse=True)
        changes.append(
            IssueChange(
                issue=new.issue,
                status_from=old.status,
                status_to=new.status,
                evidence=evidence[:evidence_limit],
                evidence_total=len(evidence) if evidence_limit is not None else None,
            )
        )
    return changes


def history(
    session: Session,
    known_at: datetime | None = None,
    issues: list[str] | None = None,
    parties: list[str] | None = None,
    until: date | None = None,
) -> HistoryReport:
    """Every timeline entry of the selected positions (said on or before `until`), by catalogue order, then time."""
    catalog = stored_catalog(session, known_at)
    issue_ids, party_ids = selection(catalog, issues, parties)
    query = moves_with_evidence(known_at).where(
        held_at(TimelineRow, known_at),
        col(TimelineRow.issue).in_(issue_ids),
        col(TimelineRow.party).in_(party_ids),
    )
    if until is not None:
        query = query.where(col(TimelineRow.valid_from) <= until)
    rows = session.exec(query)
    issue_order = {i: n for n, i in enumerate(issue_ids)}
    party_order = {p: n for n, p in enumerate(party_ids)}
    ordered_rows = sorted(rows, key=lambda r: (issue_order[r[0].issue], party_order[r[0].party], r[0].seq))
    return HistoryReport(
        known_at=known_at,
        moves=[
            HistoryMove(
                issue=m.issue,
                party=m.party,
                date=m.valid_from,
                move=m.move,
                stance_from=Stance(m.stance_from),
                stance_to=Stance(m.stance_to),
                evidence=evidence_ref(m, e, title),
            )
            for m, e, title in ordered_rows
        ],
    )
