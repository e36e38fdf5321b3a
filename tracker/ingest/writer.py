"""Where an ingest's changes go: into the store, in the caller's write transaction, or nowhere (a trial).

The plan (`tracker.ingest.ingest.Ingest`) decides what is added, superseded
and replayed; a `Writer` only carries it out. `tracker validate` runs the same
plan with the base `Writer`, which writes nothing, so a check-only run cannot
write by accident: no flag is threaded through the plan.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Index, bindparam, delete, func, insert, select, update
from sqlmodel import Session, SQLModel, col

from tracker.store import projection
from tracker.store.database import (
    NEGOTIATION_KEY,
    TITLE_KEY,
    ArticleRow,
    BulkInsert,
    EvidenceRow,
    IngestRow,
    IssueRow,
    MetaRow,
    PartyRow,
    TimelineRow,
)

FIXTURE_KEY = "fixture:"  # tracker_meta keys of the fixture digests, one per article: `fixture:ARTICLE`
EVIDENCE_COLUMNS = (
    "row_id",
    "id",
    "article",
    "issue",
    "party",
    "stance",
    "quote",
    "start",
    "end",
    "prefix",
    "suffix",
    "speaker",
    "attribution",
    "said_on",
    "said_at",
    "said_on_written",
    "mode",
    "move",
    "condition",
    "kind",
    "note",
    "source_path",
    "source_line",
    "stance_line",
    "content_hash",
    "recorded_at",
)
TIMELINE_COLUMNS = (
    "issue",
    "party",
    "recorded_at",
    "seq",
    "valid_from",
    "stance_from",
    "stance_to",
    "move",
    "not_applied",
    "since",
    "entered_seq",
    "backing",
    "basis",
    "condition",
    "contested_on",
    "evidence_row_id",
    "since_exact",
)

# What makes two timeline entries of a position the same: every column but when it was recorded.
_COMPARED = tuple(column for column in TIMELINE_COLUMNS if column != "recorded_at")
_COMPARED_AT = tuple(TIMELINE_COLUMNS.index(column) for column in _COMPARED)
_SEQ, _SEQ_COMPARED = TIMELINE_COLUMNS.index("seq"), _COMPARED.index("seq")
_DATES = {"valid_from", "since", "contested_on"}  # compared as the driver takes them (`BulkInsert.bind`)
_CURRENT_ENTRIES = select(
    col(TimelineRow.row_id),
    *(TimelineRow.__table__.c[column] for column in _COMPARED),  # type: ignore[attr-defined]
).where(
    col(TimelineRow.issue) == bindparam("issue"),
    col(TimelineRow.party) == bindparam("party"),
    col(TimelineRow.superseded_at).is_(None),
)


class Writer:
    """Writes nothing: what a trial of an ingest (`tracker validate`) gives its plan."""

    # Whether the evidence written can be read back for the replay: then the plan need not hold every piece of
    # evidence in memory until the end, only one position's at a time.
    reads_back = False

    def start(self, at: datetime, fresh: bool) -> None:
        """An ingest recorded at `at` begins; `fresh`: the store holds no evidence yet."""

    def bind_evidence(self, column: str, value: Any) -> Any:
        """`value` as the evidence table's driver takes it (dates and times; other values as they are)."""
        return value

    def bind_timeline(self, column: str, value: Any) -> Any:
        return value

    def articles(self, rows: list[dict[str, Any]]) -> None:
        """New versions of articles (dicts of `ArticleRow`'s fields)."""

    def evidence(self, rows: list[tuple[Any, ...]]) -> None:
        """New evidence rows, as tuples in the order of `EVIDENCE_COLUMNS`."""

    def supersede(self, table: type[SQLModel], row_ids: list[int]) -> None:
        """Rows of `table` (articles, evidence) no longer held from this ingest on."""

    def replace_timeline(self, issue: str, party: str, rows: list[tuple[Any, ...]]) -> None:
        """A position's timeline, replayed: its current entries superseded, these (`TIMELINE_COLUMNS`) added."""

    def catalog(self, title: str | None, issues: list[dict[str, Any]], parties: list[dict[str, Any]]) -> None:
        """A new title (None: unchanged) and, when given, a new version of the catalogue's issues and parties."""

    def record(self, row: dict[str, Any]) -> None:
        """The ingest's own record (`IngestRow`'s fields)."""

    def negotiation(self, negotiation: str) -> None:
        """The id of the negotiation the store tracks, first known (made by `tracker init`)."""

    def fixture_digests(self, written: Mapping[str, tuple[str, ...]], forgotten: list[str]) -> None:
        """What each article's fixture was when its evidence was stored from it; `forgotten`: stated from elsewhere."""

    def evidence_written(self) -> None:
        """The articles and evidence are written and superseded: the replay reads them next."""

    def finish(self) -> None:
        """Everything is written: build what was put off (the indexes of tables filled from empty)."""

    def project(self) -> None:
        """The timeline is written: bring the projection of the current positions up to date with it."""


class StoreWriter(Writer):
    """Writes an ingest into the store, in the caller's write transaction (rolled back on any problem)."""

    reads_back = True

    BATCH = 5000  # timeline rows per statement

    def __init__(self, session: Session) -> None:
        self.session = session
        self.conn = session.connection()
        self.at = datetime.min
        self.evidence_rows = BulkInsert(self.conn, EvidenceRow.__table__, EVIDENCE_COLUMNS)  # type: ignore[attr-defined]
        self.timeline_rows = BulkInsert(self.conn, TimelineRow.__table__, TIMELINE_COLUMNS)  # type: ignore[attr-defined]
        self.pending_timeline: list[tuple[Any, ...]] = []
        self.deferred_indexes: list[Index] = []
        self.fresh = False
        # What the projection of the current positions (`tracker.store.projection`) must be rewritten for.
        self.replayed: set[tuple[str, str]] = set()
        self.issues_named: set[str] = set()
        self.articles_superseded: list[int] = []

    def start(self, at: datetime, fresh: bool) -> None:
        self.at = at
        self.fresh = fresh
        self.deferred_indexes = self._defer_indexes() if fresh else []

    def _defer_indexes(self) -> list[Index]:
        """Into empty tables, rows go in first and their indexes are built after, each in one sorted pass:
        a million random-order index insertions would cost several times more. Same transaction, so a
        failure rolls the indexes back too."""
        if self.conn.execute(select(func.count()).select_from(TimelineRow)).scalar() != 0:
            return []
        dropped = []
        for table in (EvidenceRow.__table__, TimelineRow.__table__):  # type: ignore[attr-defined]
            for index in sorted(table.indexes, key=lambda i: i.name):
                index.drop(self.conn)
                dropped.append(index)
        return dropped

    def bind_evidence(self, column: str, value: Any) -> Any:
        return self.evidence_rows.bind(column, value)

    def bind_timeline(self, column: str, value: Any) -> Any:
        return self.timeline_rows.bind(column, value)

    def articles(self, rows: list[dict[str, Any]]) -> None:
        if rows:
            self.conn.execute(insert(ArticleRow), rows)

    def evidence(self, rows: list[tuple[Any, ...]]) -> None:
        self.evidence_rows.write(rows)
        self.issues_named.update(row[3] for row in rows if row[4] is None)  # issue-level: its issue, no party

    def supersede(self, table: type[SQLModel], row_ids: list[int]) -> None:
        row_id = col(table.row_id)  # type: ignore[attr-defined]
        if table is EvidenceRow:
            self.issues_named |= projection.issues_of_evidence(self.conn, row_ids)
        elif table is ArticleRow:
            self.articles_superseded += row_ids
        for start in range(0, len(row_ids), 500):
            chunk = row_ids[start : start + 500]
            self.conn.execute(update(table).where(row_id.in_(chunk)).values(superseded_at=self.at))

    def replace_timeline(self, issue: str, party: str, rows: list[tuple[Any, ...]]) -> None:
        self.replayed.add((issue, party))
        if not self.fresh:  # a table filled from empty holds nothing to supersede
            rows = self._supersede_entries(issue, party, rows)
        self.pending_timeline.extend(rows)
        if len(self.pending_timeline) >= self.BATCH:
            self.timeline_rows.write(self.pending_timeline)
            self.pending_timeline = []

    def _supersede_entries(self, issue: str, party: str, rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
        """Supersede the position's current entries that its replay does not give again as they are; the rows of
        the replay to add.

        An entry the replay gives again with every value the same (its `seq` and all but `recorded_at`) stays as
        it was recorded: whenever it was known, it said what it says now. A piece of evidence edited in a
        position of a thousand (a note, a quote) then writes the one entry that rests on it, not the thousand
        with every index over them. Current entries that cannot be told apart (two of one `seq`) are all
        superseded, as the whole timeline was before."""
        bind = self.timeline_rows.bind
        current = [
            (
                row[0],
                tuple(bind(c, value) if c in _DATES else value for c, value in zip(_COMPARED, row[1:], strict=True)),
            )
            for row in self.conn.execute(_CURRENT_ENTRIES, {"issue": issue, "party": party})
        ]
        by_seq = {values[_SEQ_COMPARED]: values for _, values in current}
        kept: set[int] = set()
        if len(by_seq) == len(current):
            kept = {row[_SEQ] for row in rows if by_seq.get(row[_SEQ]) == tuple(row[i] for i in _COMPARED_AT)}
        gone = [row_id for row_id, values in current if values[_SEQ_COMPARED] not in kept]
        row_id = col(TimelineRow.row_id)
        for start in range(0, len(gone), 500):
            chunk = gone[start : start + 500]
            self.conn.execute(update(TimelineRow).where(row_id.in_(chunk)).values(superseded_at=self.at))
        return [row for row in rows if row[_SEQ] not in kept]

    def catalog(self, title: str | None, issues: list[dict[str, Any]], parties: list[dict[str, Any]]) -> None:
        if title is not None:
            self.session.merge(MetaRow(key=TITLE_KEY, value=title))
        if issues or parties:
            for table, rows in ((IssueRow, issues), (PartyRow, parties)):
                self.conn.execute(update(table).where(col(table.superseded_at).is_(None)).values(superseded_at=self.at))
                self.conn.execute(insert(table), [{**row, "recorded_at": self.at} for row in rows])

    def record(self, row: dict[str, Any]) -> None:
        self.conn.execute(insert(IngestRow), [row])

    def negotiation(self, negotiation: str) -> None:
        self.session.merge(MetaRow(key=NEGOTIATION_KEY, value=negotiation))

    def fixture_digests(self, written: Mapping[str, tuple[str, ...]], forgotten: list[str]) -> None:
        keys = [FIXTURE_KEY + article for article in [*written, *forgotten]]
        for start in range(0, len(keys), 500):
            self.conn.execute(delete(MetaRow).where(col(MetaRow.key).in_(keys[start : start + 500])))
        if written:
            rows = [{"key": FIXTURE_KEY + a, "value": json.dumps(list(d))} for a, d in written.items()]
            self.conn.execute(insert(MetaRow), rows)

    def evidence_written(self) -> None:
        """The evidence's own indexes are built now: the replay seeks each position's evidence through them."""
        for index in [i for i in self.deferred_indexes if i.table is EvidenceRow.__table__]:  # type: ignore[attr-defined]
            index.create(self.conn)
            self.deferred_indexes.remove(index)

    def finish(self) -> None:
        self.timeline_rows.write(self.pending_timeline)
        self.pending_timeline = []
        for index in self.deferred_indexes:
            index.create(self.conn)
        self.deferred_indexes = []

    def project(self) -> None:
        """Rewrite the projection rows of what this ingest changed: the positions it replayed, the issues whose
        issue-level evidence it added or superseded, and whatever rests on an article it gave a new version of
        (each quote shows its article's title)."""
        positions, issues = projection.resting_on_articles(self.conn, self.articles_superseded)
        projection.refresh(self.conn, self.replayed | positions, self.issues_named | issues)
        self.replayed, self.issues_named, self.articles_superseded = set(), set(), []
