"""Ingest: bring checked articles and evidence into the store, all or nothing, idempotently.

An ingest compares what it is given with what the store currently believes.
The evidence of each article given is stated in full (one fixture, or the
lines of a feed, per article), so evidence of that article that is new is
added, evidence that was edited is superseded by its new version, and evidence
that is gone is superseded by nothing. Every position that any of this touches
is replayed through its machine and its timeline rewritten (the old moves
superseded, never deleted). Running the same input again finds nothing to
change and writes nothing.

An `Ingest` streams: rows are written as the evidence arrives, in the
caller's one write transaction, and only what a replay needs is kept in
memory, so a feed of a million pieces of evidence neither waits on the ORM nor
holds a million models. Any problem, found while reading or at the end, raises
`CorpusError` and the transaction is rolled back: the database is left
exactly as it was. `tracker validate` runs the same ingest and always rolls
back.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Any, NamedTuple

from sqlalchemy import Index, func, insert, select, update
from sqlalchemy.engine import Connection
from sqlmodel import Session, col

from tracker.domain.catalog import Catalog
from tracker.domain.errors import CorpusError, Problem, display_path
from tracker.domain.evidence import Article, Attribution, Evidence, Mode
from tracker.domain.machines import Move, Stance
from tracker.domain.timeline import PositionKey, ReplayItem, TimelineEntry, replay_item, replay_position
from tracker.ingest.corpus import Corpus, bundled_corpus, load_corpus
from tracker.store.database import (
    TITLE_KEY,
    ArticleRow,
    BulkInsert,
    EvidenceRow,
    IngestRow,
    IssueRow,
    MetaRow,
    PartyRow,
    Store,
    TimelineRow,
    stored_title,
)

Progress = Callable[[str], None]

BATCH = 5000  # rows written per statement
ARTICLE_BATCH = 200  # articles are longer
PROGRESS_EVERY = 100_000  # pieces of evidence between progress messages


@dataclass(frozen=True)
class IngestSummary:
    recorded_at: datetime | None
    articles_added: int
    articles_superseded: int
    evidence_added: int
    evidence_superseded: int
    positions_replayed: int
    evidence_total: int
    articles_total: int = 0
    evidence_changes: dict[str, list[str]] = field(default_factory=dict)
    catalog_changed: bool = False
    warnings: list[Problem] = field(default_factory=list)  # non-fatal findings, `path:line: field: warning: ...`

    @property
    def changed(self) -> bool:
        return self.recorded_at is not None


class _StoredArticle(NamedTuple):
    row_id: int
    published_on: date
    sha256: str
    compared: tuple[Any, ...]  # what an edit of the article's metadata or text changes


class _StoredEvidence(NamedTuple):
    row_id: int
    content_hash: str
    article: str
    issue: str
    party: str | None
    source_path: str
    source_line: int


_ARTICLE_COMPARED = ("sha256", "title", "outlet", "url", "published_on", "date_basis", "date_evidence", "file")


def _catalog_rows(catalog: Catalog) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    issues: list[dict[str, object]] = [
        dict(
            id=i.id,
            ordinal=n,
            title=i.title,
            proposition=i.proposition,
            aliases=json.dumps(list(i.aliases)),
            parent=i.parent,
        )
        for n, i in enumerate(catalog.issues)
    ]
    parties: list[dict[str, object]] = [
        dict(id=p.id, ordinal=n, name=p.name, aliases=json.dumps(list(p.aliases)))
        for n, p in enumerate(catalog.parties)
    ]
    return issues, parties


def _stored_catalog(conn: Connection) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """The current catalogue rows, in the form `_catalog_rows` gives, to compare."""
    issues = [
        dict(row._mapping)
        for row in conn.execute(
            select(
                col(IssueRow.id),
                col(IssueRow.ordinal),
                col(IssueRow.title),
                col(IssueRow.proposition),
                col(IssueRow.aliases),
                col(IssueRow.parent),
            )
            .where(col(IssueRow.superseded_at).is_(None))
            .order_by(col(IssueRow.ordinal))
        )
    ]
    parties = [
        dict(row._mapping)
        for row in conn.execute(
            select(col(PartyRow.id), col(PartyRow.ordinal), col(PartyRow.name), col(PartyRow.aliases))
            .where(col(PartyRow.superseded_at).is_(None))
            .order_by(col(PartyRow.ordinal))
        )
    ]
    return issues, parties


def _next_recorded_at(conn: Connection) -> datetime:
    now = datetime.now(UTC)
    latest = conn.execute(select(func.max(IngestRow.recorded_at))).scalar()
    if latest is not None and latest >= now:
        now = latest + timedelta(microseconds=1)
    return now


def _stored_articles(conn: Connection) -> dict[str, _StoredArticle]:
    """The store's current articles, as much of each as an ingest compares."""
    return {
        row.id: _StoredArticle(row.row_id, row.published_on, row.sha256, tuple(row[2:]))
        for row in conn.execute(
            select(
                col(ArticleRow.id),
                col(ArticleRow.row_id),
                *(col(getattr(ArticleRow, c)) for c in _ARTICLE_COMPARED),
            ).where(col(ArticleRow.superseded_at).is_(None))
        )
    }


def _stored_evidence(conn: Connection) -> dict[str, _StoredEvidence]:
    """The store's current evidence, as much of each as an ingest compares (plain rows, not models)."""
    return {
        row.id: _StoredEvidence(*row[1:])  # type: ignore[arg-type]
        for row in conn.execute(
            select(
                col(EvidenceRow.id),
                col(EvidenceRow.row_id),
                col(EvidenceRow.content_hash),
                col(EvidenceRow.article),
                col(EvidenceRow.issue),
                col(EvidenceRow.party),
                col(EvidenceRow.source_path),
                col(EvidenceRow.source_line),
            ).where(col(EvidenceRow.superseded_at).is_(None))
        )
    }


class Ingest:
    """One ingest in progress inside the caller's write transaction.

    Give it articles (`add_article`) and the evidence coded from them
    (`add_evidence`, after its article), then `finish` with the problems the
    reading found; `finish` raises `CorpusError` if there are any, or any of its
    own, and otherwise returns what changed.
    """

    def __init__(
        self,
        session: Session,
        catalog: Catalog,
        sources: tuple[str, str],
        progress: Progress | None = None,
        write: bool = True,
    ) -> None:
        self.session = session
        self.writes = write  # False: every check, nothing written (validate, in a read snapshot)
        self.sources = sources  # where the articles and the evidence came from, as the ingest's record says
        self.conn = session.connection()
        self.catalog = catalog
        self.progress = progress
        self.at = _next_recorded_at(self.conn)
        self.problems: list[Problem] = []
        self.catalog_changed = _catalog_rows(catalog) != _stored_catalog(self.conn)
        self.title_changed = catalog.title != stored_title(session)
        self.stored_articles = _stored_articles(self.conn)
        self.stored_evidence = _stored_evidence(self.conn)
        # Evidence rows get their ids here: the timeline refers to them, and the write lock is held.
        self.next_row_id = (self.conn.execute(select(func.max(EvidenceRow.row_id))).scalar() or 0) + 1
        self.first_new_row_id = self.next_row_id
        self.deferred_indexes = self._defer_indexes() if write and self.next_row_id == 1 else []
        self.published_on = {article_id: stored.published_on for article_id, stored in self.stored_articles.items()}
        self.article_sha256 = {article_id: stored.sha256 for article_id, stored in self.stored_articles.items()}
        self.articles_added = 0
        self.articles_superseded: list[int] = []
        self.redated: set[str] = set()
        self.text_changed: set[str] = set()
        self.coded: set[str] = set()  # articles whose evidence this ingest states in full
        self.incoming: set[str] = set()  # ids given that the store already held (the rest are in `added`)
        self.positions: dict[PositionKey, list[ReplayItem]] = defaultdict(list)
        self.touched: set[PositionKey] = set()
        self.added: list[str] = []
        self.edited: list[str] = []
        self.removed: list[str] = []
        self.evidence_superseded: list[int] = []
        self.moved: list[tuple[Evidence, _StoredEvidence]] = []  # ids that were another article's
        self.evidence_rows = BulkInsert(self.conn, EvidenceRow.__table__, EVIDENCE_COLUMNS)  # type: ignore[attr-defined]
        self.timeline_rows = BulkInsert(self.conn, TimelineRow.__table__, TIMELINE_COLUMNS)  # type: ignore[attr-defined]
        self.recorded = self.evidence_rows.bind("recorded_at", self.at)
        self.rows: list[tuple[Any, ...]] = []
        self.article_rows: list[dict[str, Any]] = []
        self.total = 0
        self.articles_total = 0
        self.warnings: list[Problem] = []
        # The spans coded so far in the article being read, with the position and id of each: a quote coded
        # twice for one position is worth a second look. Evidence comes article by article (a fixture, or a
        # feed's run of lines), so only the current article's are kept.
        self.spans_of: str | None = None
        self.spans: dict[tuple[int, int, str, str | None], str] = {}

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

    def add_article(self, article: Article, coded: bool = True) -> None:
        """An article of this ingest; unless not `coded`, its evidence follows, stated in full."""
        self.articles_total += 1
        if coded:
            self.coded.add(article.id)
        self.published_on[article.id] = article.published_on
        self.article_sha256[article.id] = article.sha256
        stored = self.stored_articles.get(article.id)
        compared = tuple(getattr(article, c) for c in _ARTICLE_COMPARED)
        if stored is not None and stored.compared == compared:
            return
        self.article_rows.append({**article.model_dump(), "recorded_at": self.at})
        if len(self.article_rows) >= ARTICLE_BATCH:
            self._write(insert(ArticleRow), self.article_rows)
            self.article_rows = []
        self.articles_added += 1
        if stored is not None:
            self.articles_superseded.append(stored.row_id)
            if stored.published_on != article.published_on:
                self.redated.add(article.id)  # same-day evidence is ordered by its article's date
            if stored.sha256 != article.sha256:
                self.text_changed.add(article.id)

    def warn(self, path: str, line: int, field: str, message: str) -> None:
        self.warnings.append(Problem(display_path(path), line, field, f"warning: {message}"))

    def _look_twice(self, item: Evidence) -> None:
        """Warnings about one piece of evidence on its own."""
        if item.speaker is not None and item.attribution is Attribution.ANALYSIS:
            self.warn(
                item.source_path,
                item.source_line,
                "speaker",
                f"'{item.speaker}' is named on analysis evidence (the outlet's own words); "
                "if they said it, it is direct or reported",
            )
        if item.article != self.spans_of:
            self.spans_of, self.spans = item.article, {}
        span = (item.start, item.end, item.issue, item.party)
        first = self.spans.setdefault(span, item.id)
        if first != item.id:
            position = f"{item.issue}/{item.party}" if item.party else item.issue
            self.warn(
                item.source_path,
                item.source_line,
                "quote",
                f"the same quote of this article is coded for {position} as '{first}' too; check that both are meant",
            )

    def add_evidence(self, item: Evidence) -> None:
        """A checked piece of evidence of an article already given."""
        self.total += 1
        self._look_twice(item)
        digest = item.content_hash()
        stored = self.stored_evidence.get(item.id)
        if stored is not None:
            self.incoming.add(item.id)
        position = (item.issue, item.party) if item.party is not None else None
        if stored is not None and stored.content_hash == digest:
            row_id = stored.row_id
        else:
            row_id = self.next_row_id
            self.next_row_id += 1
            self.rows.append(
                (
                    row_id,
                    item.id,
                    item.article,
                    item.issue,
                    item.party,
                    PLAIN[item.stance],
                    item.quote,
                    item.start,
                    item.end,
                    item.prefix,
                    item.suffix,
                    item.speaker,
                    PLAIN[item.attribution],
                    self.evidence_rows.bind("said_on", item.said_on),
                    self.evidence_rows.bind("said_at", item.said_at),
                    PLAIN[item.mode],
                    PLAIN[item.move],
                    item.condition,
                    item.note,
                    item.source_path,
                    item.source_line,
                    item.stance_line,
                    digest,
                    self.recorded,
                )
            )
            if len(self.rows) >= BATCH:
                self._flush()
            if stored is None:
                self.added.append(item.id)
            else:
                self.edited.append(item.id)
                self.evidence_superseded.append(stored.row_id)
                if stored.party is not None:
                    self.touched.add((stored.issue, stored.party))
                if stored.article != item.article:
                    self.moved.append((item, stored))
            if position is not None:
                self.touched.add(position)
        if position is not None and item.article in self.redated:
            self.touched.add(position)
        if position is not None:
            self.positions[position].append(
                replay_item(
                    item.said_on,
                    item.said_at,
                    PLAIN[item.attribution],  # type: ignore[arg-type]
                    self.published_on[item.article],
                    self.article_sha256[item.article],
                    item.start,
                    item.end,
                    item.id,
                    PLAIN[item.stance],
                    PLAIN[item.mode],  # type: ignore[arg-type]
                    PLAIN[item.move],
                    item.condition,
                    row_id,
                    item.source_path,
                    item.stance_line,
                )
            )
        if self.progress and self.total % PROGRESS_EVERY == 0:
            self.progress(f"evidence: {self.total} checked")

    def _flush(self) -> None:
        self._bulk(self.evidence_rows, self.rows)
        self.rows = []
        self._write(insert(ArticleRow), self.article_rows)
        self.article_rows = []

    def _write(self, statement: Any, rows: list[dict[str, Any]] | None = None) -> None:
        """Every write of an ingest goes through here (or `_bulk`), so a check-only run writes nothing."""
        if self.writes and (rows is None or rows):
            self.conn.execute(statement, rows)

    def _bulk(self, into: BulkInsert, rows: list[tuple[Any, ...]]) -> None:
        if self.writes:
            into.write(rows)

    def finish(self, reading_problems: Iterable[Problem] = ()) -> IngestSummary:
        """Supersede what is gone, replay what was touched; raise `CorpusError` on any problem."""
        self.problems.extend(reading_problems)
        self._flush()
        if self.progress:
            self.progress(f"checked {self.articles_total} article(s) and {self.total} piece(s) of evidence")
        for item, stored in self.moved:
            if stored.article not in self.coded:
                self.problems.append(
                    Problem(
                        display_path(item.source_path),
                        item.source_line,
                        "id",
                        f"evidence id '{item.id}' is already used by article '{stored.article}' "
                        f"(recorded from {display_path(stored.source_path)}:{stored.source_line})",
                    )
                )
        self._settle_stored_evidence()
        if self.problems:
            raise CorpusError(self.problems)
        if self.articles_superseded:
            for chunk in _chunks(self.articles_superseded):
                self._write(update(ArticleRow).where(col(ArticleRow.row_id).in_(chunk)).values(superseded_at=self.at))
        if self.evidence_superseded:
            for chunk in _chunks(self.evidence_superseded):
                self._write(update(EvidenceRow).where(col(EvidenceRow.row_id).in_(chunk)).values(superseded_at=self.at))
        if self.progress:
            self.progress(
                f"evidence: {len(self.added) + len(self.edited)} new, {len(self.evidence_superseded)} superseded"
            )
        moves = self._replay()
        if self.problems:
            raise CorpusError(self.problems)
        for index in self.deferred_indexes:
            index.create(self.conn)
        if not self._changes_anything():
            return IngestSummary(None, 0, 0, 0, 0, 0, self.total, self.articles_total, warnings=self._sorted_warnings())
        self._write_catalog()
        if self.progress:
            self.progress(f"timeline: {len(self.touched)} positions replayed, {moves} moves")
        summary = IngestSummary(
            recorded_at=self.at,
            articles_added=self.articles_added,
            articles_superseded=len(self.articles_superseded),
            evidence_added=len(self.added) + len(self.edited),
            evidence_superseded=len(self.evidence_superseded),
            positions_replayed=len(self.touched),
            evidence_total=self.total,
            articles_total=self.articles_total,
            evidence_changes=self.evidence_changes(),
            catalog_changed=self.catalog_changed,
            warnings=self._sorted_warnings(),
        )
        seeds, fixtures = self.sources
        self._write(
            insert(IngestRow),
            [
                dict(
                    recorded_at=self.at,
                    seeds=seeds,
                    fixtures=fixtures,
                    articles_added=summary.articles_added,
                    articles_superseded=summary.articles_superseded,
                    evidence_added=summary.evidence_added,
                    evidence_superseded=summary.evidence_superseded,
                    positions_replayed=summary.positions_replayed,
                )
            ],
        )
        return summary

    def _sorted_warnings(self) -> list[Problem]:
        return sorted(set(self.warnings))

    def evidence_changes(self) -> dict[str, list[str]]:
        """Evidence ids this ingest adds, edits (supersedes with a new version) and removes."""
        return {"added": sorted(self.added), "edited": sorted(self.edited), "removed": sorted(self.removed)}

    def _changes_anything(self) -> bool:
        return bool(
            self.catalog_changed
            or self.title_changed
            or self.articles_added
            or self.added
            or self.edited
            or self.evidence_superseded
            or self.touched
        )

    def _settle_stored_evidence(self) -> None:
        """The stored evidence this ingest did not give again, in one pass.

        Of an article given in full, it is gone: superseded by nothing. Of an article whose text or date
        changed without being re-coded, it is refused (its quotes were found in the old text, and its
        dates may be the old date by default). Otherwise it is kept, and must still name issues and
        parties the catalogue has. Refusals are told once per article, and once per issue or party the
        catalogue drops, however much evidence each holds.
        """
        issues, parties = set(self.catalog.issue_ids()), set(self.catalog.party_ids())
        not_recoded: dict[str, list[tuple[str, _StoredEvidence]]] = defaultdict(list)
        dropped: dict[tuple[str, str], list[tuple[str, _StoredEvidence]]] = defaultdict(list)
        for evidence_id, stored in self.stored_evidence.items():
            if evidence_id in self.incoming:
                continue
            if stored.article in self.coded:
                self.removed.append(evidence_id)
                self.evidence_superseded.append(stored.row_id)
                if stored.party is not None:
                    self.touched.add((stored.issue, stored.party))
            elif stored.article in self.text_changed or stored.article in self.redated:
                not_recoded[stored.article].append((evidence_id, stored))
            elif stored.issue not in issues:
                dropped["issue", stored.issue].append((evidence_id, stored))
            elif stored.party is not None and stored.party not in parties:
                dropped["party", stored.party].append((evidence_id, stored))
        for article, held in not_recoded.items():
            first = min((stored for _, stored in held), key=lambda stored: (stored.source_path, stored.source_line))
            what = "text" if article in self.text_changed else "date"
            self.problems.append(
                Problem(
                    display_path(first.source_path),
                    first.source_line,
                    "quote" if what == "text" else "said_on",
                    f"the {what} of article '{article}' changed but its evidence was not re-coded "
                    f"({_some_ids(held)}); include its fixture in this ingest",
                )
            )
        for (kind, name), held in dropped.items():
            section = "issues" if kind == "issue" else "parties"
            first = min((stored for _, stored in held), key=lambda stored: (stored.source_path, stored.source_line))
            self.problems.append(
                Problem(
                    self.catalog.source or display_path(first.source_path),
                    self.catalog.line_of(section) if self.catalog.source else first.source_line,
                    section,
                    f"the catalogue no longer has {kind} '{name}', which stored evidence names "
                    f"({_some_ids(held)}; first recorded from {display_path(first.source_path)}:{first.source_line}); "
                    f"keep the {kind} in the catalogue, or re-code that evidence",
                )
            )

    def _kept_items(self, issue: str, party: str) -> list[ReplayItem]:
        """The stored evidence of a position that this ingest leaves as it was (neither given again nor removed)."""
        rows = self.conn.execute(
            select(
                col(EvidenceRow.said_on),
                col(EvidenceRow.said_at),
                col(EvidenceRow.attribution),
                col(EvidenceRow.article),
                col(EvidenceRow.start),
                col(EvidenceRow.end),
                col(EvidenceRow.id),
                col(EvidenceRow.stance),
                col(EvidenceRow.mode),
                col(EvidenceRow.move),
                col(EvidenceRow.condition),
                col(EvidenceRow.row_id),
                col(EvidenceRow.source_path),
                col(EvidenceRow.stance_line),
            ).where(
                col(EvidenceRow.issue) == issue,
                col(EvidenceRow.party) == party,
                col(EvidenceRow.superseded_at).is_(None),
                col(EvidenceRow.row_id) < self.first_new_row_id,
            )
        )
        return [
            replay_item(
                row.said_on,
                row.said_at,
                row.attribution,
                self.published_on[row.article],
                self.article_sha256[row.article],
                row.start,
                row.end,
                row.id,
                row.stance,
                row.mode,
                row.move,
                row.condition,
                row.row_id,
                row.source_path,
                row.stance_line,
            )
            for row in rows
            if row.id not in self.incoming and row.article not in self.coded
        ]

    def _replay(self) -> int:
        """Replay every touched position and write its timeline; the number of moves written."""
        written = 0
        rows: list[tuple[Any, ...]] = []
        kept_any = len(self.incoming) < len(self.stored_evidence)  # `incoming` holds only stored ids
        bind = self.timeline_rows.bind
        # A trial (validate) replays every position it was given, to warn about each; an ingest what it touched.
        replayed_here = sorted(self.touched if self.writes else self.touched | set(self.positions))
        for issue, party in replayed_here:
            items = self.positions.pop((issue, party), [])
            if kept_any:
                items += self._kept_items(issue, party)
            replayed = replay_position(issue, party, items)
            if isinstance(replayed, Problem):
                self.problems.append(replayed)
                continue
            self._warn_of_replay(issue, party, items, replayed)
            if (issue, party) not in self.touched:
                continue
            if self.stored_evidence:
                self._write(
                    update(TimelineRow)
                    .where(
                        col(TimelineRow.issue) == issue,
                        col(TimelineRow.party) == party,
                        col(TimelineRow.superseded_at).is_(None),
                    )
                    .values(superseded_at=self.at)
                )
            for entry in replayed:
                rows.append(
                    (
                        issue,
                        party,
                        self.recorded,
                        entry.seq,
                        bind("valid_from", entry.valid_from),
                        entry.stance_from,
                        entry.stance_to,
                        entry.move,
                        entry.not_applied,
                        bind("since", entry.since),
                        entry.entered_seq,
                        entry.backing,
                        entry.basis,
                        entry.condition,
                        bind("contested_on", entry.contested_on),
                        entry.evidence_row_id,
                    )
                )
            if len(rows) >= BATCH:  # a problem found later rolls these back with the rest
                written += len(rows)
                self._bulk(self.timeline_rows, rows)
                rows = []
        self._bulk(self.timeline_rows, rows)
        return written + len(rows)

    def _warn_of_replay(self, issue: str, party: str, items: list[ReplayItem], entries: list[TimelineEntry]) -> None:
        """Warnings about what a position's evidence did: contests, contradictions, a stance resting on a report."""
        by_row = {item.row_id: item for item in items}
        for entry in entries:
            item = by_row[entry.evidence_row_id]
            if entry.not_applied == "contested" and entry.contested_on == item.said_on:
                self.warn(
                    item.source_path,
                    item.stance_line,
                    "stance",
                    f"{issue}/{party} is contested on {item.said_on}: evidence of equal rank disagrees "
                    f"('{item.stance}' here); the position holds at '{entry.stance_to}' until later evidence "
                    "settles it (said_at orders one day's evidence)",
                )
            elif entry.not_applied == "contradicts":
                self.warn(
                    item.source_path,
                    item.stance_line,
                    "stance",
                    f"background evidence says '{item.stance}', but {issue}/{party} holds '{entry.stance_to}': "
                    "a contradiction to check",
                )
            elif item.mode == Mode.BACKGROUND.value and entry.stance_to == Stance.UNKNOWN.value:
                self.warn(
                    item.source_path,
                    item.stance_line,
                    "mode",
                    f"background evidence restates a stance held before, but {issue}/{party} holds none yet: "
                    "it moves nothing; code the first word on a position as asserted",
                )
        last = entries[-1] if entries else None
        if last is not None and last.basis == "reported" and last.entered_seq >= 0:
            entered = by_row[entries[last.entered_seq].evidence_row_id]
            self.warn(
                entered.source_path,
                entered.stance_line,
                "stance",
                f"{issue}/{party} '{last.stance_to}' rests only on another party's report; "
                "no statement of its own confirms it",
            )

    def _write_catalog(self) -> None:
        if self.title_changed:
            if self.writes:
                self.session.merge(MetaRow(key=TITLE_KEY, value=self.catalog.title))
        if self.catalog_changed:
            issues, parties = _catalog_rows(self.catalog)
            for table in (IssueRow, PartyRow):
                self._write(update(table).where(col(table.superseded_at).is_(None)).values(superseded_at=self.at))
            self._write(insert(IssueRow), [{**row, "recorded_at": self.at} for row in issues])
            self._write(insert(PartyRow), [{**row, "recorded_at": self.at} for row in parties])


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
    "mode",
    "move",
    "condition",
    "note",
    "source_path",
    "source_line",
    "stance_line",
    "content_hash",
    "recorded_at",
)
TIMELINE_COLUMNS = ("issue", "party", "recorded_at", *TimelineEntry._fields)
ASSERTED = Mode.ASSERTED  # looked up once: a member lookup on an enum class is not free
# Each stance, mode and attribution as the plain text the store keeps (and the drivers are given).
PLAIN: dict[StrEnum | None, str | None] = {
    None: None,
    **{m: m.value for m in (*Stance, *Mode, *Attribution, *Move)},
}


def _some_ids(held: list[tuple[str, _StoredEvidence]], shown: int = 20) -> str:
    """A few evidence ids and how many there are in all: a problem stays one line however many it concerns."""
    ids = sorted(evidence_id for evidence_id, _ in held)
    more = f" and {len(ids) - shown} more" if len(ids) > shown else ""
    return f"{len(ids)} piece(s) of evidence: {', '.join(ids[:shown])}{more}"


def _chunks(ids: list[int], size: int = 500) -> list[list[int]]:
    return [ids[i : i + size] for i in range(0, len(ids), size)]


Fill = Callable[[Ingest], list[Problem]]  # gives an ingest its articles and evidence; the problems found reading


def run_ingest(
    store: Store,
    catalog: Catalog,
    fill: Fill,
    sources: tuple[str, str],
    progress: Progress | None = None,
    keep: bool = True,
) -> IngestSummary:
    """One ingest in one write transaction: committed, or (on a problem, or unless `keep`) rolled back."""
    with store.writing(keep=keep) as session:
        run = Ingest(session, catalog, sources, progress)
        return run.finish(fill(run))


def corpus_fill(corpus: Corpus) -> Fill:
    """Give an ingest a corpus read from seeds and fixtures (already checked as it was read)."""

    def fill(run: Ingest) -> list[Problem]:
        for article in corpus.articles.values():
            run.add_article(article, coded=article.id in corpus.coded_articles)
        for item in corpus.evidence:
            run.add_evidence(item)
        return []

    return fill


def ingest(store: Store, corpus: Corpus, seeds: str, fixtures: str, progress: Progress | None = None) -> IngestSummary:
    """Check and store `corpus` in one transaction: everything, or nothing on any problem."""
    return run_ingest(store, corpus.catalog, corpus_fill(corpus), (seeds, fixtures), progress)


def seed_from_bundled_corpus(store: Store, progress: Progress | None = None) -> IngestSummary:
    """Fill an empty store with the corpus shipped with the tracker (the default database's first use)."""
    seeds, fixtures = bundled_corpus()
    return ingest(store, load_corpus(seeds, fixtures), display_path(seeds), display_path(fixtures), progress)


def validate(store: Store | None, catalog: Catalog, fill: Fill) -> IngestSummary:
    """Every check of an ingest, against the store if there is one (else an empty one); writes nothing.

    It reads one snapshot, as a query does: it never takes the write lock nor waits for an ingest.
    """
    if store is not None and not store.is_empty():
        with store.reading() as session:
            run = Ingest(session, catalog, ("", ""), write=False)
            return run.finish(fill(run))
    scratch = Store("sqlite://")  # in memory: the checks against an empty store
    try:
        return run_ingest(scratch, catalog, fill, ("", ""), keep=False)
    finally:
        scratch.dispose()
