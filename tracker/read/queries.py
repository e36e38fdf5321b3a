"""Questions analysts ask, answered from the stored timeline without replaying evidence.

- `state`: where every party stands on every issue as of a date, since when,
  and the evidence behind each stance;
- `diff`: which positions changed between two dates, and the evidence that moved them;
- `history`: the moves of positions over time.

Each takes `known_at` to answer as the tracker would have at that recorded
time (the bitemporal view): rows recorded after it, or superseded before it,
are invisible. Results are pydantic models; formatting is `tracker.render.output`'s job.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime, time
from operator import itemgetter
from typing import Any, NamedTuple, TypeVar

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import and_, case, func, null, or_, true, tuple_
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from tracker.domain.catalog import Catalog, Issue, Party
from tracker.domain.evidence import Mode
from tracker.domain.machines import Stance
from tracker.domain.status import issue_status
from tracker.store.database import ArticleRow, EvidenceRow, IngestRow, IssueRow, PartyRow, TimelineRow, stored_title


class EvidenceRef(BaseModel):
    """A piece of evidence as shown with a stance, a change or a move."""

    id: str
    article: str
    article_title: str
    date: date  # when it was said (said_on)
    said_at: time | None = None  # the time of day, where the coder gave one
    quote: str
    speaker: str | None
    attribution: str
    mode: str
    stance: str | None = None  # as coded; for a non-asserted mode, the stance it did not move to
    move: str | None = None
    not_applied: str | None = None  # why it moved nothing: its mode, background, contradicts, outranked, contested
    condition: str | None = None  # the condition the stance holds on, as coded
    start: int
    end: int
    note: str | None = None


class Contest(BaseModel):
    """Evidence of equal rank disagreeing on one day: the position held, and is contested until settled."""

    on: date
    evidence: list[EvidenceRef]


class PositionState(BaseModel):
    issue: str
    party: str
    stance: Stance
    since: date | None
    evidence: list[EvidenceRef]
    # The strongest attribution among the evidence for the stance: `direct` (the party's own word), `reported`
    # (another party or source says it), `analysis` (the outlet's characterisation); None while unknown.
    basis: str | None = None
    condition: str | None = None  # the condition the stance holds on, from the newest evidence for it
    contested: Contest | None = None


ISSUE_EVIDENCE_SHOWN = 10  # an issue's newest issue-level evidence in a state; `evidence_total` counts it all


class IssueState(BaseModel):
    issue: str
    status: str
    evidence: list[EvidenceRef]  # its issue-level evidence, newest first: the newest `ISSUE_EVIDENCE_SHOWN`
    evidence_total: int = 0


class StateReport(BaseModel):
    as_of: date
    known_at: datetime | None = None
    positions: list[PositionState]
    issues: list[IssueState]


class MoveStep(BaseModel):
    """One move on the path of a change: from a stance to the next, on a day, on the word of some evidence."""

    model_config = ConfigDict(populate_by_name=True)

    move: str
    stance_from: Stance = Field(serialization_alias="from")
    stance_to: Stance = Field(serialization_alias="to")
    said_on: date
    evidence: list[str]  # evidence ids


class Change(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    issue: str
    party: str
    stance_from: Stance = Field(serialization_alias="from")
    stance_to: Stance = Field(serialization_alias="to")
    since: date | None
    evidence: list[EvidenceRef]
    # The moves from the stance held at the diff's start to the one held at its end, in order: a path of
    # several is never one move.
    moves: list[MoveStep] = []
    contested: Contest | None = None  # at the diff's end
    # How many pieces of evidence there are when `evidence` holds only the newest (diff's `evidence_limit`).
    evidence_total: int | None = Field(default=None, exclude=True)


class IssueChange(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    issue: str
    status_from: str = Field(serialization_alias="from")
    status_to: str = Field(serialization_alias="to")
    evidence: list[EvidenceRef]  # issue-level evidence between the two dates, newest first
    evidence_total: int | None = Field(default=None, exclude=True)  # as in `Change`


class ContestedPosition(BaseModel):
    """A position that became contested between a diff's dates and still is at its end (its stance held)."""

    issue: str
    party: str
    stance: Stance
    contested: Contest


class DiffReport(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    date_from: date = Field(serialization_alias="from")
    date_to: date = Field(serialization_alias="to")
    known_at: datetime | None = None
    changes: list[Change]
    issue_changes: list[IssueChange] = []
    contested: list[ContestedPosition] = []


class HistoryMove(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    issue: str
    party: str
    date: date
    move: str | None  # None: evidence kept and shown, but it moved nothing (`not_applied` says why)
    not_applied: str | None = None
    stance_from: Stance = Field(serialization_alias="from")
    stance_to: Stance = Field(serialization_alias="to")
    evidence: EvidenceRef


class StatusStep(BaseModel):
    """An issue's status changing on a day."""

    model_config = ConfigDict(populate_by_name=True)

    date: date
    status_from: str = Field(serialization_alias="from")
    status_to: str = Field(serialization_alias="to")


class IssueHistory(BaseModel):
    """How an issue itself moved: its status over time, and the issue-level evidence naming it."""

    issue: str
    statuses: list[StatusStep]
    evidence: list[EvidenceRef]  # issue-level evidence, oldest first


class HistoryReport(BaseModel):
    known_at: datetime | None = None
    moves: list[HistoryMove]
    issues: list[IssueHistory] = []  # without a party filter: each issue's status changes and issue-level evidence


def held_at(table: Any, known_at: datetime | None) -> ColumnElement[bool]:
    """Rows the tracker held: now, or at the recorded time `known_at`."""
    if known_at is None:
        return col(table.superseded_at).is_(None)
    return and_(
        col(table.recorded_at) <= known_at, or_(col(table.superseded_at).is_(None), col(table.superseded_at) > known_at)
    )


def stored_catalog(session: Session, known_at: datetime | None = None) -> Catalog:
    """The catalogue the store holds now, or held at the recorded time `known_at`.

    Read once per read session (one snapshot) and time: a report asks for it from every query it runs.
    """
    cached: dict[datetime | None, Catalog] = session.info.setdefault("tracker_catalogs", {})
    if known_at in cached:
        return cached[known_at]
    conn = session.connection()
    issue_rows = conn.execute(
        sa_select(
            col(IssueRow.id),
            col(IssueRow.title),
            col(IssueRow.proposition),
            col(IssueRow.aliases),
            col(IssueRow.parent),
        )
        .where(held_at(IssueRow, known_at))
        .order_by(col(IssueRow.ordinal))
    )
    issues = tuple(
        Issue(id=id_, title=title, proposition=proposition, aliases=tuple(json.loads(aliases)), parent=parent)
        for id_, title, proposition, aliases, parent in issue_rows
    )
    party_rows = conn.execute(
        sa_select(col(PartyRow.id), col(PartyRow.name), col(PartyRow.aliases))
        .where(held_at(PartyRow, known_at))
        .order_by(col(PartyRow.ordinal))
    )
    parties = tuple(Party(id=id_, name=name, aliases=tuple(json.loads(aliases))) for id_, name, aliases in party_rows)
    title = stored_title(session)
    catalog = Catalog(issues=issues, parties=parties, **({"title": title} if title else {}))
    cached[known_at] = catalog
    return catalog


def first_recorded(session: Session) -> datetime | None:
    """When the first ingest was recorded: nothing is known at any earlier time."""
    return session.exec(select(func.min(IngestRow.recorded_at))).one()


_Model = TypeVar("_Model", bound=BaseModel)


def trusted(model: type[_Model], values: dict[str, Any]) -> _Model:
    """A model from values the store checked when they were written, without validating them again.

    What `model_construct` does for a model with no defaults left out, no extra fields and no private
    attributes, without its per-field bookkeeping (which costs more than validating): thousands of
    pieces of evidence are built per query.
    """
    built = model.__new__(model)
    object.__setattr__(built, "__dict__", values)
    object.__setattr__(built, "__pydantic_fields_set__", set(values))
    object.__setattr__(built, "__pydantic_extra__", None)
    object.__setattr__(built, "__pydantic_private__", None)
    return built


def held_article(known_at: datetime | None) -> tuple[Any, ColumnElement[bool]]:
    """The article of the evidence row joined, as held: `.outerjoin(*held_article(known_at))` after joining
    `EvidenceRow`, for `ref_columns`. An article id has one version held at any time; its title comes from
    the index `ix_article_title` alone."""
    return ArticleRow, and_(col(ArticleRow.id) == col(EvidenceRow.article), held_at(ArticleRow, known_at))


def ref_columns(move: Any = None, not_applied: Any = None) -> tuple[Any, ...]:
    """The columns an `EvidenceRef` is built from (`ref_from_row`; see `held_article`), in the order of its
    fields: the evidence row's, its article's title, and the move and why it moved nothing (by default the
    timeline entry's)."""
    return (
        col(EvidenceRow.id),
        col(EvidenceRow.article),
        func.coalesce(col(ArticleRow.title), col(EvidenceRow.article)),
        col(EvidenceRow.said_on),
        col(EvidenceRow.said_at),
        col(EvidenceRow.quote),
        col(EvidenceRow.speaker),
        col(EvidenceRow.attribution),
        col(EvidenceRow.mode),
        col(EvidenceRow.stance),
        col(TimelineRow.move) if move is None else move,
        col(TimelineRow.not_applied) if not_applied is None else not_applied,
        col(EvidenceRow.condition),
        col(EvidenceRow.start),
        col(EvidenceRow.end),
        col(EvidenceRow.note),
    )


_REF_FIELDS = tuple(EvidenceRef.model_fields)
_MOVE = _REF_FIELDS.index("move")  # where `ref_columns` has the move


def ref_from_row(row: Sequence[Any], at: int = 0) -> EvidenceRef:
    """An `EvidenceRef` from the `ref_columns` of a plain row, starting at column `at`."""
    return trusted(EvidenceRef, dict(zip(_REF_FIELDS, row[at : at + len(_REF_FIELDS)], strict=True)))


def selection(catalog: Catalog, issues: list[str] | None, parties: list[str] | None) -> tuple[list[str], list[str]]:
    """The catalogue's issue and party ids, in catalogue order, narrowed to the filters given (an issue named
    brings its sub-issues)."""
    return (
        catalog.with_children(issues) if issues else catalog.issue_ids(),
        [p for p in catalog.party_ids() if not parties or p in parties],
    )


def _newest(column: str, as_of: date, known_at: datetime | None, nth: int = 1, applied: bool = False) -> Any:
    """A scalar: `column` of the position's (IssueRow x PartyRow) `nth` newest timeline entry on or before
    `as_of` (only applied entries: `applied`); NULL when it has fewer.

    One seek in `ix_timeline_position_entries` and a walk of `nth` entries, however many the position has.
    """
    entry = aliased(TimelineRow)
    query = (
        select(getattr(entry, column))
        .where(
            col(entry.issue) == col(IssueRow.id),
            col(entry.party) == col(PartyRow.id),
            col(entry.valid_from) <= as_of,
            held_at(entry, known_at),
        )
        .order_by(col(entry.valid_from).desc(), col(entry.seq).desc())
        .limit(1)
        .offset(nth - 1)
        .correlate(IssueRow, PartyRow)
    )
    if applied:
        query = query.where(col(entry.move).is_not(None))
    return query.scalar_subquery()


def _positions(
    known_at: datetime | None,
    issues: list[str],
    parties: list[str],
    *columns: Any,
    only: list[tuple[str, str]] | None = None,
) -> Any:
    """A CTE of the catalogue's positions (issue x party held, narrowed to the filters, or to the pairs in
    `only`) with `columns` of each.

    Materialized: its scalar subqueries are computed once per position, not once per entry joined to it.
    """
    query = (
        select(col(IssueRow.id).label("issue"), col(PartyRow.id).label("party"), *columns)
        .select_from(IssueRow)
        .join(PartyRow, true())
        .where(
            held_at(IssueRow, known_at),
            held_at(PartyRow, known_at),
            col(IssueRow.id).in_(issues),
            col(PartyRow.id).in_(parties),
        )
    )
    if only is not None:
        query = query.where(tuple_(col(IssueRow.id), col(PartyRow.id)).in_(only))
    return query.cte("positions").prefix_with("MATERIALIZED")


class LatestEntry(NamedTuple):
    """A position's last timeline entry on or before a date: what it stood at then."""

    issue: str
    party: str
    seq: int
    entered_seq: int
    stance_to: str
    since: date | None
    backing: int
    basis: str | None
    condition: str | None
    contested_on: date | None


_LATEST_COLUMNS = (
    *("issue", "party", "seq", "entered_seq", "stance_to", "since", "backing", "basis", "condition", "contested_on"),
)


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
    """For each position, its last timeline entry on or before `as_of` (positions with none are absent).

    A seek per position for its newest entry (the index holds its row id), then that row.
    """
    positions = _positions(known_at, issues, parties, _newest("row_id", as_of, known_at).label("newest"))
    rows = (
        session.connection()
        .execute(
            sa_select(*(getattr(TimelineRow, c) for c in _LATEST_COLUMNS)).where(
                col(TimelineRow.row_id).in_(sa_select(positions.c.newest))
            )
        )
        .all()
    )
    return {(row[0], row[1]): LatestEntry(*row) for row in rows}


def stances_and_support(
    session: Session,
    as_of: date,
    known_at: datetime | None,
    issues: list[str],
    parties: list[str],
    limit: int | None = None,
) -> tuple[dict[tuple[str, str], LatestEntry], dict[tuple[str, str], list[EvidenceRef]]]:
    """Each position's latest entry as of `as_of`, and the evidence behind its stance, newest first
    (only the newest `limit` pieces, when given; the entry's `backing` counts them all).

    One query: a seek per position for the date it entered its stance, then its entries from that date on
    (from the index), each with its evidence row and article title. A position whose stance is unknown
    has no support, and its latest entry only if it has evidence (a contest, a hypothetical).
    """
    # From the day the stance was entered; a position with no stance yet from its newest entry.
    start: Any = func.coalesce(_newest("since", as_of, known_at), _newest("valid_from", as_of, known_at))
    if limit is not None:  # from the date of the `limit`-th newest applied entry, when the stance is older
        nth = _newest("valid_from", as_of, known_at, nth=limit, applied=True)
        start = case((nth > start, nth), else_=start)
    positions = _positions(
        known_at,
        issues,
        parties,
        start.label("start"),
        _newest("entered_seq", as_of, known_at).label("entered_seq"),
    )
    entries = _entries_from_start(
        session,
        positions,
        (*(getattr(TimelineRow, c) for c in _LATEST_COLUMNS), *ref_columns()),
        as_of,
        known_at,
        col(TimelineRow.seq) >= positions.c.entered_seq,
    )
    latest: dict[tuple[str, str], LatestEntry] = {}
    support: dict[tuple[str, str], list[EvidenceRef]] = {}
    width = len(_LATEST_COLUMNS)
    for key, found in entries.items():
        newest = latest[key] = LatestEntry(*found[0][:width])
        # From the entry that entered the stance on (the day's earlier entries are before it), applied ones.
        behind = [row for row in found if row[2] >= newest.entered_seq and row[width + _MOVE] is not None]
        support[key] = [ref_from_row(row, width) for row in behind[:limit]]
    return latest, support


def recent_moves(
    session: Session, as_of: date, known_at: datetime | None, issues: list[str], parties: list[str], limit: int
) -> dict[tuple[str, str], list[HistoryMove]]:
    """Each position's newest `limit` timeline entries on or before `as_of`, oldest first.

    A seek per position for the date of its `limit`-th newest entry, then the entries from that date on.
    """
    nth = _newest("valid_from", as_of, known_at, nth=limit)
    positions = _positions(known_at, issues, parties, func.coalesce(nth, date.min).label("start"))
    entries = _entries_from_start(session, positions, (*_MOVE_COLUMNS, *ref_columns()), as_of, known_at)
    return {key: [_history_move(row) for row in reversed(found[:limit])] for key, found in entries.items()}


def _entries_from_start(
    session: Session, positions: Any, columns: tuple[Any, ...], as_of: date, known_at: datetime | None, *where: Any
) -> dict[tuple[str, str], list[Any]]:
    """Each position's timeline entries from its `start` (a column of `positions`) to `as_of`, newest first,
    as plain rows of `columns` (issue, party and seq first), joined to their evidence and its article."""
    rows = (
        session.connection()
        .execute(
            sa_select(*columns)
            .select_from(positions)
            .join(
                TimelineRow,
                and_(
                    col(TimelineRow.issue) == positions.c.issue,
                    col(TimelineRow.party) == positions.c.party,
                    col(TimelineRow.valid_from) >= positions.c.start,
                    col(TimelineRow.valid_from) <= as_of,
                    held_at(TimelineRow, known_at),
                    *where,
                ),
            )
            .join(EvidenceRow, col(EvidenceRow.row_id) == col(TimelineRow.evidence_row_id))
            .outerjoin(*held_article(known_at))
        )
        .all()
    )
    entries: dict[tuple[str, str], list[Any]] = defaultdict(list)
    for row in rows:
        entries[(row[0], row[1])].append(row)
    for found in entries.values():
        found.sort(key=itemgetter(2), reverse=True)
    return entries


# The columns a `HistoryMove` is built from (`_history_move`), before its evidence's `ref_columns`.
_MOVE_COLUMNS = (
    col(TimelineRow.issue),
    col(TimelineRow.party),
    col(TimelineRow.seq),
    col(TimelineRow.valid_from),
    col(TimelineRow.stance_from),
    col(TimelineRow.stance_to),
)
_STANCES = {stance.value: stance for stance in Stance}


def _history_move(row: Sequence[Any]) -> HistoryMove:
    issue, party, _, valid_from, stance_from, stance_to = row[: len(_MOVE_COLUMNS)]
    evidence = ref_from_row(row, len(_MOVE_COLUMNS))
    return trusted(
        HistoryMove,
        {
            "issue": issue,
            "party": party,
            "date": valid_from,
            "move": evidence.move,
            "not_applied": evidence.not_applied,
            "stance_from": _STANCES[stance_from],
            "stance_to": _STANCES[stance_to],
            "evidence": evidence,
        },
    )


def issue_evidence(
    session: Session, as_of: date, known_at: datetime | None, issues: list[str], limit: int | None = None
) -> tuple[dict[str, list[EvidenceRef]], dict[str, int]]:
    """Each issue's issue-level evidence said on or before `as_of`, newest first (the newest `limit`, when
    given), and how much there is."""
    level = aliased(EvidenceRow)
    # Newest first, whatever the articles' ids: by day, time of day, place in the text and quote.
    newest_first = (
        col(level.said_on).desc(),
        col(level.said_at).desc().nulls_last(),
        col(level.start).desc(),
        col(level.quote),
    )
    # Numbered and counted from the partial index `ix_evidence_issue_level`, before reading evidence rows.
    entries = (
        sa_select(
            col(level.row_id),
            func.row_number().over(partition_by=level.issue, order_by=newest_first).label("newest"),
            func.count().over(partition_by=level.issue).label("total"),
        )
        .where(
            held_at(level, known_at),
            col(level.party).is_(None),
            col(level.said_on) <= as_of,
            col(level.issue).in_(issues),
        )
        .subquery()
    )
    query = (
        sa_select(col(EvidenceRow.issue), entries.c.total, *ref_columns(null(), null()))
        .join(entries, entries.c.row_id == col(EvidenceRow.row_id))
        .outerjoin(*held_article(known_at))
        .order_by(col(EvidenceRow.issue), entries.c.newest)
    )
    if limit is not None:
        query = query.where(entries.c.newest <= limit)
    found: dict[str, list[EvidenceRef]] = defaultdict(list)
    totals: dict[str, int] = {}
    for row in session.connection().execute(query).all():
        found[row[0]].append(ref_from_row(row, 2))
        totals[row[0]] = row[1]
    return found, totals


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
    # Named a sticking point on the day of the last move, or after it: the issue is not settled.
    reopened = newest_named is not None and latest_since is not None and newest_named >= latest_since
    return issue_status(stances, newest_named is not None, reopened)


def newest_named(session: Session, as_of: date, known_at: datetime | None, issue_ids: list[str]) -> dict[str, date]:
    """For each issue, the date of the newest asserted issue-level evidence on or before `as_of`.

    One seek per issue in `ix_evidence_issue_named`, however much issue-level evidence there is.
    """
    named = aliased(EvidenceRow)
    newest = (
        sa_select(col(named.said_on))
        .where(
            col(named.issue) == col(IssueRow.id),
            col(named.party).is_(None),
            col(named.mode) == Mode.ASSERTED.value,
            col(named.said_on) <= as_of,
            held_at(named, known_at),
        )
        .order_by(col(named.said_on).desc())
        .limit(1)
        .correlate(IssueRow)
        .scalar_subquery()
    )
    rows = session.connection().execute(
        sa_select(col(IssueRow.id), newest).where(col(IssueRow.id).in_(issue_ids), held_at(IssueRow, known_at))
    )
    return {issue: day for issue, day in rows if day is not None}


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
    issue_level, totals = issue_evidence(session, as_of, known_at, issue_ids, limit=ISSUE_EVIDENCE_SHOWN)
    named = newest_named(session, as_of, known_at, issue_ids)
    return [
        IssueState.model_construct(
            issue=issue,
            status=status_at(issue, party_ids, latest, named.get(issue)),
            evidence=issue_level.get(issue, []),
            evidence_total=totals.get(issue, 0),
        )
        for issue in issue_ids
    ]


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
    latest, support = stances_and_support(session, as_of, known_at, issue_ids, party_ids)
    contests = contested_evidence(session, known_at, latest)
    positions = []
    for issue in issue_ids:
        for party in party_ids:
            entry = latest.get((issue, party))
            stance, since = stance_held(entry)
            backing = support.get((issue, party), [])
            # Built from stored, checked values: a thousand positions need no validation.
            positions.append(
                trusted(
                    PositionState,
                    {
                        "issue": issue,
                        "party": party,
                        "stance": stance,
                        "since": since,
                        "evidence": backing,
                        "basis": entry.basis if entry else None,
                        "condition": entry.condition if entry else None,
                        "contested": contests.get((issue, party)),
                    },
                )
            )
    issue_states = _issue_states(
        session, as_of, known_at, issue_ids, catalog.party_ids(), latest if not parties else None
    )
    return StateReport.model_construct(as_of=as_of, known_at=known_at, positions=positions, issues=issue_states)


def contested_evidence(
    session: Session, known_at: datetime | None, latest: dict[tuple[str, str], LatestEntry]
) -> dict[tuple[str, str], Contest]:
    """For each position contested at its latest entry, the day and the evidence of equal rank that disagreed."""
    contested = {key: entry.contested_on for key, entry in latest.items() if entry.contested_on is not None}
    found: dict[tuple[str, str], Contest] = {}
    for (issue, party), day in contested.items():
        rows = session.connection().execute(
            sa_select(*ref_columns())
            .select_from(TimelineRow)
            .join(EvidenceRow, col(EvidenceRow.row_id) == col(TimelineRow.evidence_row_id))
            .outerjoin(*held_article(known_at))
            .where(
                col(TimelineRow.issue) == issue,
                col(TimelineRow.party) == party,
                col(TimelineRow.valid_from) == day,
                col(TimelineRow.not_applied) == "contested",
                held_at(TimelineRow, known_at),
            )
            .order_by(col(TimelineRow.seq))
        )
        found[(issue, party)] = Contest.model_construct(on=day, evidence=[ref_from_row(row) for row in rows])
    return found


def move_paths(
    session: Session, date_from: date, date_to: date, known_at: datetime | None, positions: list[tuple[str, str]]
) -> dict[tuple[str, str], list[MoveStep]]:
    """The moves that changed each position's stance after `date_from`, up to `date_to`, in order."""
    if not positions:
        return {}
    rows = session.connection().execute(
        sa_select(
            col(TimelineRow.issue),
            col(TimelineRow.party),
            col(TimelineRow.move),
            col(TimelineRow.stance_from),
            col(TimelineRow.stance_to),
            col(TimelineRow.valid_from),
            col(EvidenceRow.id),
        )
        .join(EvidenceRow, col(EvidenceRow.row_id) == col(TimelineRow.evidence_row_id))
        .where(
            *_applied_between(known_at, date_from, date_to),
            col(TimelineRow.move) != "reaffirm",
            tuple_(col(TimelineRow.issue), col(TimelineRow.party)).in_(positions),
        )
        .order_by(col(TimelineRow.issue), col(TimelineRow.party), col(TimelineRow.seq))
    )
    paths: dict[tuple[str, str], list[MoveStep]] = defaultdict(list)
    for issue, party, move, stance_from, stance_to, said_on, evidence_id in rows:
        paths[(issue, party)].append(
            MoveStep.model_construct(
                move=str(move),
                stance_from=_STANCES[stance_from],
                stance_to=_STANCES[stance_to],
                said_on=said_on,
                evidence=[evidence_id],
            )
        )
    return paths


def _moves_between(
    session: Session,
    date_from: date,
    date_to: date,
    known_at: datetime | None,
    positions: list[tuple[str, str]],
    limit: int | None,
) -> tuple[dict[tuple[str, str], list[EvidenceRef]], dict[tuple[str, str], int]]:
    """The applied moves of `positions` after `date_from` up to `date_to`, newest first, with their evidence.

    With `limit`, only each position's newest `limit`, and how many there are in all.
    """
    position = (col(TimelineRow.issue), col(TimelineRow.party))
    chosen = _positions(known_at, sorted({i for i, _ in positions}), sorted({p for _, p in positions}), only=positions)
    # A seek per position; ranked and counted from the index alone; only the entries kept read evidence rows.
    entries = (
        sa_select(
            *position,
            col(TimelineRow.seq),
            col(TimelineRow.move),
            col(TimelineRow.evidence_row_id),
            func.row_number().over(partition_by=position, order_by=col(TimelineRow.seq).desc()).label("newest"),
            func.count().over(partition_by=position).label("total"),
        )
        .select_from(chosen)
        .join(
            TimelineRow,
            and_(col(TimelineRow.issue) == chosen.c.issue, col(TimelineRow.party) == chosen.c.party),
        )
        .where(*_applied_between(known_at, date_from, date_to))
        .subquery()
    )
    query = (
        sa_select(
            entries.c.issue, entries.c.party, entries.c.seq, entries.c.total, *ref_columns(entries.c.move, null())
        )
        .select_from(entries)
        .join(EvidenceRow, col(EvidenceRow.row_id) == entries.c.evidence_row_id)
        .outerjoin(*held_article(known_at))
    )
    if limit is not None:
        query = query.where(entries.c.newest <= limit)
    found: dict[tuple[str, str], list[Any]] = defaultdict(list)
    for row in session.connection().execute(query).all():
        found[(row[0], row[1])].append(row)
    evidence, totals = {}, {}
    for key, rows in found.items():
        rows.sort(key=itemgetter(2), reverse=True)
        evidence[key] = [ref_from_row(row, 4) for row in rows]
        totals[key] = rows[0][3]
    return evidence, totals


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
    # Statuses weigh every party: read them all when the diff shows all issues' changes.
    status_parties = party_ids if parties else catalog.party_ids()
    before = latest_moves(session, date_from, known_at, issue_ids, status_parties)
    after = latest_moves(session, date_to, known_at, issue_ids, status_parties)
    changed = []
    for issue in issue_ids:
        for party in party_ids:
            old, _ = stance_held(before.get((issue, party)))
            new, _ = stance_held(after.get((issue, party)))
            if old is not new:
                changed.append((issue, party, old, new))
    evidence: dict[tuple[str, str], list[EvidenceRef]] = {}
    totals: dict[tuple[str, str], int] = {}
    keys = [(i, p) for i, p, _, _ in changed]
    paths = move_paths(session, date_from, date_to, known_at, keys)
    newly_contested = {
        (i, p): entry
        for i in issue_ids
        for p in party_ids
        if (entry := after.get((i, p))) is not None
        and entry.contested_on is not None
        and entry.contested_on > date_from
    }
    contests = contested_evidence(session, known_at, {**{k: after[k] for k in keys if k in after}, **newly_contested})
    if changed:
        evidence, totals = _moves_between(session, date_from, date_to, known_at, keys, evidence_limit)
    changes = [
        Change.model_construct(
            issue=i,
            party=p,
            stance_from=old,
            stance_to=new,
            since=stance_held(after.get((i, p)))[1],
            evidence=evidence.get((i, p), []),
            evidence_total=totals.get((i, p), 0) if evidence_limit is not None else None,
            moves=paths.get((i, p), []),
            contested=contests.get((i, p)),
        )
        for i, p, old, new in changed
    ]
    return DiffReport.model_construct(
        date_from=date_from,
        date_to=date_to,
        known_at=known_at,
        changes=changes,
        contested=[
            ContestedPosition.model_construct(
                issue=i, party=p, stance=stance_held(entry)[0], contested=contests[(i, p)]
            )
            for (i, p), entry in newly_contested.items()
            if (i, p) not in keys
        ],
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
    party_ids = catalog.party_ids()
    named_before = newest_named(session, date_from, known_at, issue_ids)
    named_after = newest_named(session, date_to, known_at, issue_ids)
    changed = []
    for issue in issue_ids:
        old = status_at(issue, party_ids, latest_before, named_before.get(issue))
        new = status_at(issue, party_ids, latest_after, named_after.get(issue))
        if old != new:
            changed.append((issue, old, new))
    if not changed:
        return []
    evidence, totals = _issue_movers(session, date_from, date_to, known_at, [i for i, _, _ in changed], evidence_limit)
    return [
        IssueChange.model_construct(
            issue=issue,
            status_from=old,
            status_to=new,
            evidence=evidence.get(issue, []),
            evidence_total=totals.get(issue, 0) if evidence_limit is not None else None,
        )
        for issue, old, new in changed
    ]


def _issue_movers(
    session: Session,
    date_from: date,
    date_to: date,
    known_at: datetime | None,
    issue_ids: list[str],
    limit: int | None,
) -> tuple[dict[str, list[EvidenceRef]], dict[str, int]]:
    """What moved each issue between the dates, newest first: its positions' moves other than reaffirmations,
    and the asserted issue-level evidence. With `limit`, each issue's newest `limit`, and how many in all.
    """
    # Each kind ranked by date within its issue (ties share a rank) and counted, before reading evidence rows:
    # the newest `limit` of both kinds together are among each kind's entries ranked up to `limit`.
    moves = (
        sa_select(
            col(TimelineRow.issue),
            col(TimelineRow.move),
            col(TimelineRow.evidence_row_id).label("row_id"),
            func.rank().over(partition_by=TimelineRow.issue, order_by=col(TimelineRow.valid_from).desc()).label("rank"),
            func.count().over(partition_by=TimelineRow.issue).label("total"),
        )
        .where(
            *_applied_between(known_at, date_from, date_to),
            col(TimelineRow.issue).in_(issue_ids),
            col(TimelineRow.move) != "reaffirm",
        )
        .subquery()
    )
    issue_level = aliased(EvidenceRow)
    named = (
        sa_select(
            col(issue_level.issue),
            null().label("move"),
            col(issue_level.row_id),
            func.rank().over(partition_by=issue_level.issue, order_by=col(issue_level.said_on).desc()).label("rank"),
            func.count().over(partition_by=issue_level.issue).label("total"),
        )
        .where(
            held_at(issue_level, known_at),
            col(issue_level.party).is_(None),
            col(issue_level.mode) == Mode.ASSERTED.value,
            col(issue_level.said_on) > date_from,
            col(issue_level.said_on) <= date_to,
            col(issue_level.issue).in_(issue_ids),
        )
        .subquery()
    )
    found: dict[str, list[EvidenceRef]] = defaultdict(list)
    totals: dict[str, int] = defaultdict(int)
    for entries in (moves, named):
        query = (
            sa_select(entries.c.issue, entries.c.total, *ref_columns(entries.c.move, null()))
            .select_from(entries)
            .join(EvidenceRow, col(EvidenceRow.row_id) == entries.c.row_id)
            .outerjoin(*held_article(known_at))
        )
        if limit is not None:
            query = query.where(entries.c.rank <= limit)
        counted: dict[str, int] = {}
        for row in session.connection().execute(query).all():
            found[row[0]].append(ref_from_row(row, 2))
            counted[row[0]] = row[1]
        for issue, count in counted.items():
            totals[issue] += count
    for refs in found.values():
        # Newest first; on one day, the issue-level evidence (what names the issue) before the positions' moves.
        refs.sort(key=lambda e: (e.date, e.move is None, e.said_at or time.min, e.start, e.quote), reverse=True)
        if limit is not None:
            del refs[limit:]
    return found, totals


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
    query = (
        sa_select(*_MOVE_COLUMNS, *ref_columns())
        .join(EvidenceRow, col(EvidenceRow.row_id) == col(TimelineRow.evidence_row_id))
        .outerjoin(*held_article(known_at))
        .where(
            held_at(TimelineRow, known_at),
            col(TimelineRow.issue).in_(issue_ids),
            col(TimelineRow.party).in_(party_ids),
        )
    )
    if until is not None:
        query = query.where(col(TimelineRow.valid_from) <= until)
    rows = list(session.connection().execute(query).all())
    issue_order = {i: n for n, i in enumerate(issue_ids)}
    party_order = {p: n for n, p in enumerate(party_ids)}
    rows.sort(key=lambda r: (issue_order[r[0]], party_order[r[1]], r[2]))
    issue_histories = [] if parties else issue_history(session, known_at, issue_ids, catalog.party_ids(), until)
    return HistoryReport.model_construct(
        known_at=known_at, moves=[_history_move(row) for row in rows], issues=issue_histories
    )


def issue_history(
    session: Session, known_at: datetime | None, issue_ids: list[str], party_ids: list[str], until: date | None
) -> list[IssueHistory]:
    """Each issue's status over time (recomputed on every day a stance changed or the issue was named) and its
    issue-level evidence."""
    last = until or date.max
    level, _ = issue_evidence(session, last, known_at, issue_ids)
    entries = session.connection().execute(
        sa_select(*(getattr(TimelineRow, c) for c in _LATEST_COLUMNS), col(TimelineRow.valid_from))
        .where(
            held_at(TimelineRow, known_at),
            col(TimelineRow.issue).in_(issue_ids),
            col(TimelineRow.party).in_(party_ids),
            col(TimelineRow.valid_from) <= last,
        )
        .order_by(col(TimelineRow.valid_from), col(TimelineRow.seq))
    )
    by_issue: dict[str, list[tuple[date, LatestEntry]]] = defaultdict(list)
    for row in entries:
        by_issue[row[0]].append((row[-1], LatestEntry(*row[:-1])))
    histories = []
    for issue in issue_ids:
        named = sorted(e.date for e in level.get(issue, []) if e.mode == Mode.ASSERTED.value)
        days = sorted({day for day, _ in by_issue[issue]} | set(named))
        latest: dict[tuple[str, str], LatestEntry] = {}
        moves = iter(by_issue[issue])
        pending = next(moves, None)
        status = status_at(issue, party_ids, latest, None)
        steps = []
        for day in days:
            while pending is not None and pending[0] <= day:
                latest[(issue, pending[1].party)] = pending[1]
                pending = next(moves, None)
            newest = max((d for d in named if d <= day), default=None)
            now = status_at(issue, party_ids, latest, newest)
            if now != status:
                steps.append(StatusStep.model_construct(date=day, status_from=status, status_to=now))
                status = now
        evidence = sorted(level.get(issue, []), key=lambda e: (e.date, e.said_at or time.min, e.start, e.quote))
        histories.append(IssueHistory.model_construct(issue=issue, statuses=steps, evidence=evidence))
    return histories
