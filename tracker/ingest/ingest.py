"""Ingest: bring checked articles and evidence into the store, all or nothing, idempotently.

An ingest compares what it is given with what the store currently believes.
The evidence of each article given is stated in full (one fixture, or the
lines of a feed, per article), so evidence of that article that is new is
added, evidence that was edited is superseded by its new version, and evidence
that is gone is superseded by nothing. Every position that any of this touches
is replayed through its machine and its timeline rewritten (the old moves
superseded, never deleted). Running the same input again finds nothing to
change and writes nothing.

An `Ingest` is the plan; its `Writer` carries it out as it goes. It streams:
rows are written as the evidence arrives, in the caller's one write
transaction, and only what a replay needs is kept in memory, so a feed of a
million pieces of evidence neither waits on the ORM nor holds a million
models. It reads of the store only what the incoming evidence could collide
with, so one edited article costs what that article and its positions hold,
not the store. Any problem, found while reading or at the end, raises
`CorpusError` and the transaction is rolled back: the database is left
exactly as it was. `tracker validate` runs the same plan with a writer that
writes nothing.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Any, NamedTuple

from sqlalchemy import bindparam, func, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from tracker.domain.catalog import Catalog
from tracker.domain.errors import CorpusError, OtherNegotiation, Problem, StoreError, display_path
from tracker.domain.evidence import Article, Attribution, Evidence, IssueKind, Mode
from tracker.domain.machines import Move, Stance
from tracker.domain.timeline import PositionKey, ReplayItem, TimelineEntry, replay_item, replay_position
from tracker.ingest.corpus import Corpus, FixtureDigest, article_digest, bundled_corpus, load_corpus
from tracker.ingest.manifest import Cache, FileRecord, content_digest
from tracker.ingest.writer import FIXTURE_KEY, StoreWriter, Writer
from tracker.store.database import (
    ArticleRow,
    EvidenceRow,
    IngestRow,
    IssueRow,
    MetaRow,
    PartyRow,
    Store,
    stored_negotiation,
    stored_title,
)

Progress = Callable[[str], None]

BATCH = 5000  # rows written per statement
SEEK_BATCH = 500  # ids sought in the store per statement
ARTICLE_BATCH = 200  # articles are longer
PROGRESS_EVERY = 100_000  # pieces of evidence between progress messages
KEEP_AT_MOST = 200_000  # pieces of evidence an ingest into an empty store replays from memory


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
    prefix: str  # the text around the quote: the same quote of a changed text may have new neighbours
    suffix: str


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
        dict(id=p.id, ordinal=n, name=p.name, aliases=json.dumps(list(p.aliases)), role=p.role.value)
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
            select(
                col(PartyRow.id), col(PartyRow.ordinal), col(PartyRow.name), col(PartyRow.aliases), col(PartyRow.role)
            )
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


_ARTICLE_HELD = aliased(ArticleRow)
# A position's current evidence with its article's current date and digest (built once: a replay runs it per
# position, and building a statement costs more than running it).
_POSITION_EVIDENCE = (
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
        col(_ARTICLE_HELD.published_on),
        col(_ARTICLE_HELD.sha256),
        col(EvidenceRow.said_on_written),
    )
    .join(
        _ARTICLE_HELD,
        (col(_ARTICLE_HELD.id) == col(EvidenceRow.article)) & col(_ARTICLE_HELD.superseded_at).is_(None),
    )
    .where(
        col(EvidenceRow.issue) == bindparam("issue"),
        col(EvidenceRow.party) == bindparam("party"),
        col(EvidenceRow.superseded_at).is_(None),
    )
)


def _stored_fixture_digests(conn: Connection, articles: list[str]) -> dict[str, FixtureDigest]:
    """The stored digest of each of `articles`' fixtures (an article last stated from a feed has none)."""
    found: dict[str, FixtureDigest] = {}
    for start in range(0, len(articles), SEEK_BATCH):
        keys = [FIXTURE_KEY + article for article in articles[start : start + SEEK_BATCH]]
        for key, value in conn.execute(select(col(MetaRow.key), col(MetaRow.value)).where(col(MetaRow.key).in_(keys))):
            found[key.removeprefix(FIXTURE_KEY)] = FixtureDigest(*json.loads(value))
    return found


def _count_evidence_of_articles(conn: Connection, articles: list[str]) -> int:
    total = 0
    for start in range(0, len(articles), SEEK_BATCH):
        chunk = articles[start : start + SEEK_BATCH]
        total += conn.execute(
            select(func.count()).where(col(EvidenceRow.article).in_(chunk), col(EvidenceRow.superseded_at).is_(None))
        ).scalar_one()
    return total


def _stored_articles(conn: Connection, ids: list[str]) -> dict[str, _StoredArticle]:
    """The stored current versions of the articles `ids`, as much of each as an ingest compares."""
    return {
        row.id: _StoredArticle(row.row_id, row.published_on, row.sha256, tuple(row[2:]))
        for row in conn.execute(
            select(
                col(ArticleRow.id),
                col(ArticleRow.row_id),
                *(col(getattr(ArticleRow, c)) for c in _ARTICLE_COMPARED),
            ).where(col(ArticleRow.id).in_(ids), col(ArticleRow.superseded_at).is_(None))
        )
    }


_EVIDENCE_COMPARED = (
    col(EvidenceRow.id),
    col(EvidenceRow.row_id),
    col(EvidenceRow.content_hash),
    col(EvidenceRow.article),
    col(EvidenceRow.issue),
    col(EvidenceRow.party),
    col(EvidenceRow.source_path),
    col(EvidenceRow.source_line),
    col(EvidenceRow.prefix),
    col(EvidenceRow.suffix),
)


def _stored_evidence(conn: Connection, ids: list[str]) -> dict[str, _StoredEvidence]:
    """The stored current versions of the evidence `ids` (plain rows, not models): one seek in `ix_evidence_id`."""
    return {
        row.id: _StoredEvidence._make(row[1:])
        for row in conn.execute(
            select(*_EVIDENCE_COMPARED).where(col(EvidenceRow.id).in_(ids), col(EvidenceRow.superseded_at).is_(None))
        )
    }


def _evidence_of_articles(
    conn: Connection, articles: list[str], before_row: int
) -> Iterator[tuple[str, _StoredEvidence]]:
    """The current evidence of `articles` stored before this ingest (rows numbered below `before_row`), a batch
    of articles at a time (`ix_evidence_article_said`)."""
    for start in range(0, len(articles), SEEK_BATCH):
        chunk = articles[start : start + SEEK_BATCH]
        for row in conn.execute(
            select(*_EVIDENCE_COMPARED).where(
                col(EvidenceRow.article).in_(chunk),
                col(EvidenceRow.superseded_at).is_(None),
                col(EvidenceRow.row_id) < before_row,
            )
        ):
            yield row.id, _StoredEvidence._make(row[1:])


def _evidence_outside(
    conn: Connection, issues: list[str], parties: list[str], before_row: int
) -> Iterator[tuple[str, _StoredEvidence]]:
    """The current evidence stored before this ingest naming an issue or a party not among those given."""
    for row in conn.execute(
        select(*_EVIDENCE_COMPARED).where(
            col(EvidenceRow.superseded_at).is_(None),
            col(EvidenceRow.row_id) < before_row,
            col(EvidenceRow.issue).not_in(issues)
            | (col(EvidenceRow.party).is_not(None) & col(EvidenceRow.party).not_in(parties)),
        )
    ):
        yield row.id, _StoredEvidence._make(row[1:])


class Ingest:
    """The plan of one ingest, carried out by its `Writer` as it goes.

    Give it articles (`add_article`) and the evidence coded from them
    (`add_evidence`, after its article), then `finish` with the problems the
    reading found; `finish` raises `CorpusError` if there are any, or any of its
    own, and otherwise returns what changed. It decides what is added, edited,
    removed and which positions are touched; the writer writes it (or, for a
    trial, nothing).

    It reads of the store only what the incoming articles and evidence could
    collide with: their stored versions, sought by id a batch at a time, the
    stored evidence of the articles given in full, and the kept evidence of
    the positions it replays. An edit of one article into a store of a million
    pieces of evidence reads that article's and its positions' rows.
    """

    def __init__(
        self,
        session: Session,
        catalog: Catalog,
        sources: tuple[str, str],
        progress: Progress | None = None,
        writer: Writer | None = None,
        negotiation: Negotiation | None = None,
    ) -> None:
        self.session = session
        self.sources = sources  # where the articles and the evidence came from, as the ingest's record says
        self.conn = session.connection()
        self.catalog = catalog
        self.progress = progress
        self.at = _next_recorded_at(self.conn)
        self.problems: list[Problem] = []
        self.catalog_changed = _catalog_rows(catalog) != _stored_catalog(self.conn)
        held_title = stored_title(session)
        self.title_changed = catalog.title != held_title
        self.negotiation_id = _same_negotiation(session, catalog, held_title, negotiation or Negotiation())
        # Evidence rows get their ids here: the timeline refers to them, and the write lock is held.
        self.next_row_id = (self.conn.execute(select(func.max(EvidenceRow.row_id))).scalar() or 0) + 1
        self.first_new_row_id = self.next_row_id
        self.stored_any = self.next_row_id > 1  # no evidence stored: no evidence to seek
        # Articles may be stored without evidence (a first ingest whose fixtures folder held only the catalogue):
        # they are sought whenever any is stored, or they would be stored a second time as current.
        self.stored_articles = (
            self.stored_any or self.conn.execute(select(col(ArticleRow.row_id)).limit(1)).first() is not None
        )
        self.writer = writer if writer is not None else Writer()
        # What a replay reads: a trial keeps what it was given (it writes nothing to read back); into an empty
        # store, what it was given is all there is, so it is replayed from memory, not read back a position at a
        # time, up to `KEEP_AT_MOST` pieces (past that, memory would grow with the feed: it is read back);
        # otherwise the store, where this ingest's evidence was written beside what stays.
        self.keep_items = not self.writer.reads_back or not self.stored_any
        self.kept = 0
        self.writer.start(self.at, fresh=not self.stored_any)
        if self.negotiation_id is not None:
            self.writer.negotiation(self.negotiation_id)
        self.trial = type(self.writer) is Writer  # a check only (validate): it replays every position given
        self.pending_articles: list[Article] = []
        self.pending_evidence: list[tuple[Evidence, str | None]] = []
        self.published_on: dict[str, date] = {}  # of the articles given
        self.article_sha256: dict[str, str] = {}
        self.articles_added = 0
        self.articles_superseded: list[int] = []
        self.articles_written: list[str] = []
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
        self.recorded = self.writer.bind_evidence("recorded_at", self.at)
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
        self.fixture_digests: dict[str, FixtureDigest] = {}  # of the fixtures read, by article
        self.unchanged: dict[str, FixtureDigest] = {}  # of the fixtures not read again, by article
        # What the cache of sources (`tracker.ingest.manifest`) is told after an ingest that changed the store:
        # each article's compared fields and the sum and count of its evidence's content hashes, the files read,
        # and the articles each source stated (replacing the source's, or added to them).
        self._cache: Cache | None = None
        self.compared: dict[str, str] = {}
        self.evidence_sums: dict[str, int] = defaultdict(int)
        self.evidence_counts: dict[str, int] = defaultdict(int)
        self.cache_files: list[FileRecord] = []
        self.cache_sources: dict[str, tuple[bool, list[str]]] = {}
        self.cache_digests: dict[str, str] = {}  # of articles not given but held as a source stated them

    def cache(self) -> Cache | None:
        """The cache of sources, as this transaction sees it; None in a trial (validate reads everything)."""
        if self.trial:
            return None
        if self._cache is None:
            self._cache = Cache(self.conn)
        return self._cache

    def unchanged_source(self, articles: int, evidence: int) -> None:
        """A source (or its part) recognised as the store holds it, not read again: it counts in the totals."""
        self.articles_total += articles
        self.total += evidence

    def article_digests(self, articles: Iterable[str]) -> dict[str, str]:
        """The digests of `articles` (given in full by this ingest) as the store holds them after it."""
        return {
            a: content_digest(self.compared[a], self.evidence_sums[a] % 2**256, self.evidence_counts[a])
            for a in articles
            if a in self.compared
        }

    def fixtures(self, read: dict[str, FixtureDigest], unchanged: dict[str, FixtureDigest]) -> None:
        """What the fixtures of a folder corpus were (`read`), and which were not read again, being as stored."""
        self.fixture_digests.update(read)
        self.unchanged.update(unchanged)

    def add_article(self, article: Article, coded: bool = True) -> None:
        """An article of this ingest; unless not `coded`, its evidence follows, stated in full."""
        self.articles_total += 1
        if coded:
            self.coded.add(article.id)
        self.published_on[article.id] = article.published_on
        self.article_sha256[article.id] = article.sha256
        if not self.trial:
            self.compared[article.id] = article_digest(article)
        self.pending_articles.append(article)
        if len(self.pending_articles) >= SEEK_BATCH:
            self._settle_articles()

    def _settle_articles(self) -> None:
        """Compare the articles given since the last batch with their stored versions (one seek for them all)."""
        articles, self.pending_articles = self.pending_articles, []
        stored = _stored_articles(self.conn, [a.id for a in articles]) if self.stored_articles and articles else {}
        for article in articles:
            held = stored.get(article.id)
            compared = tuple(getattr(article, c) for c in _ARTICLE_COMPARED)
            if held is not None and held.compared == compared:
                continue
            self.article_rows.append({**article.model_dump(), "recorded_at": self.at})
            self.articles_written.append(article.id)
            self.articles_added += 1
            if held is not None:
                self.articles_superseded.append(held.row_id)
                if held.published_on != article.published_on:
                    self.redated.add(article.id)  # same-day evidence is ordered by its article's date
                if held.sha256 != article.sha256:
                    self.text_changed.add(article.id)
        if len(self.article_rows) >= ARTICLE_BATCH:
            self.writer.articles(self.article_rows)
            self.article_rows = []

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

    def add_evidence(self, item: Evidence, digest: str | None = None) -> None:
        """A checked piece of evidence of an article already given (and its `content_hash`, if known)."""
        self.total += 1
        self._look_twice(item)
        self.pending_evidence.append((item, digest))
        if len(self.pending_evidence) >= SEEK_BATCH:
            self._settle_evidence()
        if self.progress and self.total % PROGRESS_EVERY == 0:
            self.progress(f"evidence: {self.total} checked")

    def _settle_evidence(self) -> None:
        """Compare the evidence given since the last batch with its stored versions (one seek for the batch)."""
        self._settle_articles()  # their articles' changes decide what their evidence touches
        items, self.pending_evidence = self.pending_evidence, []
        stored = _stored_evidence(self.conn, [item.id for item, _ in items]) if self.stored_any and items else {}
        for item, digest in items:
            self._take(item, digest or item.content_hash(), stored.get(item.id))

    def _take(self, item: Evidence, digest: str, stored: _StoredEvidence | None) -> None:
        """One piece of evidence given, with its digest, beside its stored version (if any)."""
        if stored is not None:
            self.incoming.add(item.id)
        if not self.trial:
            self.evidence_sums[item.article] += int(digest, 16)
            self.evidence_counts[item.article] += 1
        position = (item.issue, item.party) if item.party is not None else None
        if (
            stored is not None
            and stored.content_hash == digest
            and (item.article not in self.text_changed or (stored.prefix, stored.suffix) == (item.prefix, item.suffix))
        ):
            row_id = stored.row_id
        else:
            row_id = self.next_row_id
            self.next_row_id += 1
            bind = self.writer.bind_evidence
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
                    bind("said_on", item.said_on),
                    bind("said_at", item.said_at),
                    item.said_on_written,
                    PLAIN[item.mode],
                    PLAIN[item.move],
                    item.condition,
                    PLAIN[item.kind],
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
        if position is not None and (item.article in self.redated or item.article in self.text_changed):
            # Same-day evidence is ordered by its article's date, then its text's digest: either changed, the
            # position is replayed even where the evidence itself is as stored.
            self.touched.add(position)
        if position is not None and self.keep_items:
            self.kept += 1
            if self.writer.reads_back and self.kept > KEEP_AT_MOST:
                self.keep_items = False  # read back from the store instead, a position at a time
                self.positions.clear()
                return
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
                    item.said_on_written,
                )
            )

    def _flush(self) -> None:
        self.writer.evidence(self.rows)
        self.rows = []
        self.writer.articles(self.article_rows)
        self.article_rows = []

    def finish(self, reading_problems: Iterable[Problem] = ()) -> IngestSummary:
        """Supersede what is gone, replay what was touched; raise `CorpusError` on any problem."""
        self.problems.extend(reading_problems)
        self._settle_evidence()
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
        self._check_unchanged_fixtures()
        if self.problems:
            raise CorpusError(self.problems)
        self.writer.supersede(ArticleRow, self.articles_superseded)
        self.writer.supersede(EvidenceRow, self.evidence_superseded)
        if self.progress:
            self.progress(
                f"evidence: {len(self.added) + len(self.edited)} new, {len(self.evidence_superseded)} superseded"
            )
        self.writer.evidence_written()
        moves = self._replay()
        if self.problems:
            raise CorpusError(self.problems)
        self._check_written()
        self.writer.finish()
        self.writer.project()  # the projection of the current positions follows the timeline (tracker.store.projection)
        self._write_fixture_digests()
        if not self._changes_anything():
            return IngestSummary(None, 0, 0, 0, 0, 0, self.total, self.articles_total, warnings=self._sorted_warnings())
        issues, parties = _catalog_rows(self.catalog) if self.catalog_changed else ([], [])
        self.writer.catalog(self.catalog.title if self.title_changed else None, issues, parties)
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
        self.writer.record(
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
        )
        self._write_cache()
        return summary

    def _write_cache(self) -> None:
        """Tell the cache of sources what this ingest, which changed the store, leaves (its record written)."""
        cache = self.cache()
        if cache is None:
            return
        forgotten = [a for a in self.articles_written if a not in self.coded]
        digests = {**self.cache_digests, **self.article_digests(self.coded)}
        held = self.cache_digests
        sources = {
            path: (
                replace,
                self.article_digests(a for a in articles if a not in held)
                | {a: held[a] for a in articles if a in held},
            )
            for path, (replace, articles) in self.cache_sources.items()
        }
        cache.write(digests, forgotten, self.cache_files, sources)

    def holds_evidence(self, ids: list[str]) -> bool:
        """Whether the store holds current evidence of any of `ids`."""
        if not self.stored_any:
            return False
        return any(
            _stored_evidence(self.conn, ids[start : start + SEEK_BATCH]) for start in range(0, len(ids), SEEK_BATCH)
        )

    def _check_written(self) -> None:
        """The cheap part of `tracker check`, on what this ingest wrote, inside its transaction: one live row per
        article and evidence id. A second one is a bug of the tracker's: it raises, and everything rolls back.
        Into a store that held no evidence, the evidence ids were checked as they were read (each given once)."""
        if not self.writer.reads_back:
            return  # a trial wrote nothing
        evidence = sorted(self.added + self.edited) if self.stored_any else []
        for table, ids in ((ArticleRow, sorted(self.articles_written)), (EvidenceRow, evidence)):
            identifier = col(table.id)
            for start in range(0, len(ids), SEEK_BATCH):
                doubled = self.conn.execute(
                    select(identifier, func.count())
                    .where(identifier.in_(ids[start : start + SEEK_BATCH]), col(table.superseded_at).is_(None))
                    .group_by(identifier)
                    .having(func.count() > 1)
                ).first()
                if doubled is not None:
                    raise StoreError(
                        f"this ingest would leave {doubled[1]} live rows of {table.__tablename__} '{doubled[0]}' "
                        "(one expected); nothing was written. This is a bug of the tracker: please report it, "
                        "with the commands that led to it"
                    )

    def _check_unchanged_fixtures(self) -> None:
        """The fixtures not read again must still be as stored now that the write lock is held (an ingest between
        reading the corpus and writing it may have restated their articles); their evidence counts in the total."""
        if not self.unchanged:
            return
        held = _stored_fixture_digests(self.conn, list(self.unchanged))
        for article, digest in self.unchanged.items():
            if held.get(article) != digest:
                self.problems.append(
                    Problem(
                        display_path(digest.path),
                        1,
                        "file",
                        f"the evidence of article '{article}' was changed by another ingest while this one read "
                        "the corpus; run the ingest again",
                    )
                )
        self.total += _count_evidence_of_articles(self.conn, sorted(self.unchanged))

    def _write_fixture_digests(self) -> None:
        """Remember what each fixture read was; an article stated in full from elsewhere (a feed) forgets its."""
        stored = _stored_fixture_digests(self.conn, sorted(self.coded)) if self.stored_any else {}
        written = {a: d for a, d in self.fixture_digests.items() if a in self.coded and stored.get(a) != d}
        forgotten = [a for a in self.coded if a not in self.fixture_digests and a in stored]
        self.writer.fixture_digests(written, forgotten)

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
        """The stored evidence this ingest did not give again: sought by article, and by catalogue entry only
        when the catalogue changed.

        Of an article given in full, it is gone: superseded by nothing. Of an article whose text or date
        changed without being re-coded, it is refused (its quotes were found in the old text, and its
        dates may be the old date by default). Otherwise it is kept, and must still name issues and
        parties the catalogue has. Refusals are told once per article, and once per issue or party the
        catalogue drops, however much evidence each holds.
        """
        if not self.stored_any:
            return
        for evidence_id, stored in _evidence_of_articles(self.conn, sorted(self.coded), self.first_new_row_id):
            if evidence_id not in self.incoming:
                self.removed.append(evidence_id)
                self.evidence_superseded.append(stored.row_id)
                if stored.party is not None:
                    self.touched.add((stored.issue, stored.party))
        not_recoded: dict[str, list[tuple[str, _StoredEvidence]]] = defaultdict(list)
        changed_not_coded = sorted((self.text_changed | self.redated) - self.coded)
        for evidence_id, stored in _evidence_of_articles(self.conn, changed_not_coded, self.first_new_row_id):
            if evidence_id not in self.incoming:
                not_recoded[stored.article].append((evidence_id, stored))
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
        if self.catalog_changed:
            self._dropped_from_the_catalog()

    def _dropped_from_the_catalog(self) -> None:
        """Kept evidence that names an issue or party the new catalogue no longer has is refused."""
        issues, parties = set(self.catalog.issue_ids()), set(self.catalog.party_ids())
        dropped: dict[tuple[str, str], list[tuple[str, _StoredEvidence]]] = defaultdict(list)
        for evidence_id, stored in _evidence_outside(self.conn, sorted(issues), sorted(parties), self.first_new_row_id):
            if evidence_id in self.incoming or stored.article in self.coded:
                continue
            if stored.issue not in issues:
                dropped["issue", stored.issue].append((evidence_id, stored))
            elif stored.party is not None and stored.party not in parties:
                dropped["party", stored.party].append((evidence_id, stored))
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

    def _stored_items(self, issue: str, party: str) -> list[ReplayItem]:
        """The stored evidence of a position, with its article's date and digest as this ingest leaves them: one
        seek in `ix_evidence_position`.

        Read back after the writer wrote this ingest's evidence, it is all of the position's evidence; in a
        trial, nothing was written, and it is what this ingest leaves as it was (neither given again nor
        removed), beside what it holds in memory.
        """
        rows = self.conn.execute(_POSITION_EVIDENCE, {"issue": issue, "party": party})
        if self.writer.reads_back:  # the store holds this ingest's articles as it leaves them
            return [_stored_item(row, row.published_on, row.sha256) for row in rows]
        return [
            _stored_item(
                row,
                self.published_on.get(row.article, row.published_on),
                self.article_sha256.get(row.article, row.sha256),
            )
            for row in rows
            if row.id not in self.incoming and row.article not in self.coded
        ]

    def _replay(self) -> int:
        """Replay every touched position and hand its timeline to the writer; the number of moves."""
        written = 0
        bind = self.writer.bind_timeline
        # A trial (validate) replays every position it was given, to warn about each; an ingest what it touched.
        replayed_here = sorted(self.touched | set(self.positions) if self.trial else self.touched)
        for issue, party in replayed_here:
            items = self.positions.pop((issue, party), [])
            if self.stored_any or not self.keep_items:
                items += self._stored_items(issue, party)
            replayed = replay_position(issue, party, items)
            if isinstance(replayed, Problem):
                self.problems.append(replayed)
                continue
            self._warn_of_replay(issue, party, items, replayed)
            if (issue, party) not in self.touched or self.problems:
                continue  # a problem found earlier rolls everything back: nothing more to write
            self.writer.replace_timeline(
                issue,
                party,
                [
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
                        entry.since_exact,
                    )
                    for entry in replayed
                ],
            )
            written += len(replayed)
        return written

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
                f"{issue}/{party} '{last.stance_to}' rests only on another party's or a source's report; "
                "no statement of its own confirms it",
            )


ASSERTED = Mode.ASSERTED  # looked up once: a member lookup on an enum class is not free
# Each stance, mode and attribution as the plain text the store keeps (and the drivers are given).
PLAIN: dict[StrEnum | None, str | None] = {
    None: None,
    **{m: m.value for m in (*Stance, *Mode, *Attribution, *Move, *IssueKind)},
}


def _some_ids(held: list[tuple[str, _StoredEvidence]], shown: int = 20) -> str:
    """A few evidence ids and how many there are in all: a problem stays one line however many it concerns."""
    ids = sorted(evidence_id for evidence_id, _ in held)
    more = f" and {len(ids) - shown} more" if len(ids) > shown else ""
    return f"{len(ids)} piece(s) of evidence: {', '.join(ids[:shown])}{more}"


Fill = Callable[[Ingest], list[Problem]]  # gives an ingest its articles and evidence; the problems found reading


@dataclass(frozen=True)
class Negotiation:
    """Which negotiation a corpus is: its workspace's id (None outside a workspace; its catalogue's title says),
    and whether a new catalogue title renames the one a database tracks (`ingest --rename`)."""

    id: str | None = None
    rename: bool = False
    database: str = "the database"  # as a user names it, for the refusal


def _same_negotiation(session: Session, catalog: Catalog, held_title: str | None, given: Negotiation) -> str | None:
    """Refuse a corpus of another negotiation than the one the store tracks (`OtherNegotiation`); the
    negotiation's id to record, when the store has none yet."""
    held_id = stored_negotiation(session)
    if held_title is None:  # nothing stored yet: the store becomes this negotiation's
        return given.id
    if given.id is not None and held_id is not None and given.id != held_id:
        raise OtherNegotiation(given.database, held_title, catalog.title, renamed=False)
    if catalog.title != held_title and not given.rename:
        raise OtherNegotiation(given.database, held_title, catalog.title, renamed=given.id is not None)
    return given.id if held_id is None else None


def run_ingest(
    store: Store,
    catalog: Catalog,
    fill: Fill,
    sources: tuple[str, str],
    progress: Progress | None = None,
    keep: bool = True,
    negotiation: Negotiation | None = None,
) -> IngestSummary:
    """One ingest in one write transaction: committed, or (on a problem, or unless `keep`) rolled back."""
    with store.writing(keep=keep) as session:
        run = Ingest(session, catalog, sources, progress, StoreWriter(session), negotiation)
        return run.finish(fill(run))


def corpus_fill(corpus: Corpus) -> Fill:
    """Give an ingest a corpus read from seeds and fixtures (already checked as it was read)."""

    def fill(run: Ingest) -> list[Problem]:
        run.fixtures(corpus.fixture_digests, corpus.unchanged)
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


def validate(
    store: Store | None, catalog: Catalog, fill: Fill, negotiation: Negotiation | None = None
) -> IngestSummary:
    """Every check of an ingest, against the store if there is one (else an empty one); writes nothing.

    It reads one snapshot, as a query does: it never takes the write lock nor waits for an ingest.
    """
    if store is not None and not store.is_empty():
        with store.reading() as session:
            run = Ingest(session, catalog, ("", ""), negotiation=negotiation)  # the base Writer: nothing is written
            return run.finish(fill(run))
    scratch = Store("sqlite://")  # in memory: the checks against an empty store
    try:
        return run_ingest(scratch, catalog, fill, ("", ""), keep=False)
    finally:
        scratch.dispose()


def _stored_item(row: Any, published_on: date, sha256: str) -> ReplayItem:
    """A replay item from a stored piece of evidence (a row of `_POSITION_EVIDENCE`), its article's date and
    digest as given."""
    return replay_item(
        row.said_on,
        row.said_at,
        row.attribution,
        published_on,
        sha256,
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
        row.said_on_written,
    )
