"""Ingest: bring a checked corpus into the store, all or nothing, idempotently.

An ingest compares the corpus with what the store currently believes. Each
fixture states the full evidence of one article, so evidence of that article
that is new is added, evidence that was edited is superseded by its new
version, and evidence that is gone is superseded by nothing. Every position
that any of this touches is replayed through its machine and its timeline
rewritten (the old moves superseded, never deleted). Running the same files
again finds nothing to change and writes nothing.

`plan` does every check without writing (that is `tracker validate`); `apply`
writes a plan in the caller's transaction.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, insert, update
from sqlmodel import Session, col, select

from tracker.catalog import Catalog
from tracker.corpus import Corpus, bundled_corpus, load_corpus
from tracker.errors import CorpusError, Problem, display_path
from tracker.evidence import Article, Evidence
from tracker.store import (
    TITLE_KEY,
    ArticleRow,
    EvidenceRow,
    IngestRow,
    IssueRow,
    MetaRow,
    PartyRow,
    Store,
    TimelineRow,
    stored_title,
)
from tracker.timeline import PositionKey, TimelineEntry, replay

Progress = Callable[[str], None]


@dataclass
class Plan:
    """What an ingest will change; empty when the store already holds the corpus."""

    catalog_changed: bool = False
    title_changed: bool = False  # the negotiation's name (kept as it is now, not as it was)
    articles_new: list[Article] = field(default_factory=list)
    articles_superseded: list[int] = field(default_factory=list)  # article row ids
    evidence_new: list[Evidence] = field(default_factory=list)
    evidence_superseded: list[int] = field(default_factory=list)  # evidence row ids
    superseded_ids: list[str] = field(default_factory=list)  # their evidence ids
    timelines: dict[PositionKey, list[TimelineEntry]] = field(default_factory=dict)

    def evidence_changes(self) -> dict[str, list[str]]:
        """Evidence ids this plan adds, edits (supersedes with a new version) and removes."""
        new = {e.id for e in self.evidence_new}
        old = set(self.superseded_ids)
        return {"added": sorted(new - old), "edited": sorted(new & old), "removed": sorted(old - new)}

    @property
    def changes_anything(self) -> bool:
        return bool(
            self.catalog_changed
            or self.title_changed
            or self.articles_new
            or self.articles_superseded
            or self.evidence_new
            or self.evidence_superseded
            or self.timelines
        )


@dataclass(frozen=True)
class IngestSummary:
    recorded_at: datetime | None
    articles_added: int
    articles_superseded: int
    evidence_added: int
    evidence_superseded: int
    positions_replayed: int
    evidence_total: int
    evidence_changes: dict[str, list[str]] = field(default_factory=dict)
    catalog_changed: bool = False

    @property
    def changed(self) -> bool:
        return self.recorded_at is not None


def _row_to_evidence(row: EvidenceRow) -> Evidence:
    """Stored evidence back as the checked model (the row has every field, and the store's own besides)."""
    return Evidence.model_validate(row, from_attributes=True)


def _catalog_rows(catalog: Catalog) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    issues = [
        dict(id=i.id, ordinal=n, title=i.title, proposition=i.proposition, aliases=json.dumps(list(i.aliases)))
        for n, i in enumerate(catalog.issues)
    ]
    parties = [
        dict(id=p.id, ordinal=n, name=p.name, aliases=json.dumps(list(p.aliases)))
        for n, p in enumerate(catalog.parties)
    ]
    return issues, parties


def _stored_catalog(session: Session) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """The current catalogue rows, in the form `_catalog_rows` gives, to compare."""
    issues = [
        dict(id=r.id, ordinal=r.ordinal, title=r.title, proposition=r.proposition, aliases=r.aliases)
        for r in session.exec(
            select(IssueRow).where(col(IssueRow.superseded_at).is_(None)).order_by(col(IssueRow.ordinal))
        )
    ]
    parties = [
        dict(id=r.id, ordinal=r.ordinal, name=r.name, aliases=r.aliases)
        for r in session.exec(
            select(PartyRow).where(col(PartyRow.superseded_at).is_(None)).order_by(col(PartyRow.ordinal))
        )
    ]
    return issues, parties


def _article_changed(row: ArticleRow, article: Article) -> bool:
    return (
        row.sha256,
        row.title,
        row.outlet,
        row.url,
        row.published_on,
        row.date_basis,
        row.date_evidence,
        row.file,
    ) != (
        article.sha256,
        article.title,
        article.outlet,
        article.url,
        article.published_on,
        article.date_basis.value,
        article.date_evidence,
        article.file,
    )


def plan(session: Session, corpus: Corpus) -> Plan:
    """Every check of an ingest against the store's current state; raise `CorpusError` on any problem."""
    result = Plan()
    problems: list[Problem] = []
    result.catalog_changed = _catalog_rows(corpus.catalog) != _stored_catalog(session)
    result.title_changed = corpus.catalog.title != stored_title(session)

    current_articles = {
        row.id: row for row in session.exec(select(ArticleRow).where(col(ArticleRow.superseded_at).is_(None)))
    }
    for article in corpus.articles.values():
        row = current_articles.get(article.id)
        if row is None or _article_changed(row, article):
            result.articles_new.append(article)
            if row is not None:
                assert row.row_id is not None
                result.articles_superseded.append(row.row_id)
    published_on: dict[str, date] = {a: r.published_on for a, r in current_articles.items()}
    published_on.update({a.id: a.published_on for a in corpus.articles.values()})
    text_changed = {
        a.id for a in result.articles_new if a.id in current_articles and current_articles[a.id].sha256 != a.sha256
    }

    current = {row.id: row for row in session.exec(select(EvidenceRow).where(col(EvidenceRow.superseded_at).is_(None)))}
    incoming = {e.id: e for e in corpus.evidence}
    for item in corpus.evidence:
        stored = current.get(item.id)
        if stored is not None and stored.article not in corpus.coded_articles:
            problems.append(
                Problem(
                    display_path(item.source_path),
                    item.source_line,
                    "id",
                    f"evidence id '{item.id}' is already used by article '{stored.article}' "
                    f"(recorded from {display_path(stored.source_path)}:{stored.source_line})",
                )
            )
        elif stored is None or stored.content_hash != item.content_hash:
            result.evidence_new.append(item)
            if stored is not None:
                assert stored.row_id is not None
                result.evidence_superseded.append(stored.row_id)
                result.superseded_ids.append(stored.id)
    for stored in current.values():
        if stored.article in corpus.coded_articles and stored.id not in incoming:
            assert stored.row_id is not None
            result.evidence_superseded.append(stored.row_id)
            result.superseded_ids.append(stored.id)
        elif stored.article in text_changed and stored.article not in corpus.coded_articles:
            problems.append(
                Problem(
                    display_path(stored.source_path),
                    stored.source_line,
                    "quote",
                    f"the text of article '{stored.article}' changed but its evidence was not "
                    "re-coded; include its fixture in this ingest",
                )
            )

    catalog_issues, catalog_parties = set(corpus.catalog.issue_ids()), set(corpus.catalog.party_ids())
    superseded = set(result.evidence_superseded)
    remaining = [r for r in current.values() if r.row_id not in superseded and r.id not in incoming]
    for kept in remaining:
        if kept.issue not in catalog_issues or (kept.party is not None and kept.party not in catalog_parties):
            problems.append(
                Problem(
                    display_path(kept.source_path),
                    kept.source_line,
                    "issue",
                    f"stored evidence '{kept.id}' names {kept.issue}/{kept.party}, which the catalogue no longer has",
                )
            )
    # Same-day evidence is ordered by its article's date: a corrected date can reorder a position.
    redated = {
        a.id
        for a in result.articles_new
        if a.id in current_articles and current_articles[a.id].published_on != a.published_on
    }
    touched: set[PositionKey] = {(e.issue, e.party) for e in result.evidence_new if e.party}
    touched |= {(r.issue, r.party) for r in current.values() if r.row_id in superseded and r.party}
    touched |= {(r.issue, r.party) for r in remaining if r.party and r.article in redated}
    touched |= {(e.issue, e.party) for e in incoming.values() if e.party and e.article in redated}
    # Only the touched positions are replayed, so only their stored evidence is read back.
    after = [_row_to_evidence(r) for r in remaining if (r.issue, r.party) in touched]
    after += [e for e in incoming.values() if (e.issue, e.party) in touched]
    timelines, illegal = replay(corpus.catalog, after, published_on, positions=touched)
    problems.extend(illegal)
    for key in touched:
        result.timelines.setdefault(key, timelines.get(key, []))
    if problems:
        raise CorpusError(problems)
    return result


def _next_recorded_at(session: Session) -> datetime:
    now = datetime.now(UTC)
    latest = session.exec(select(func.max(IngestRow.recorded_at))).one()
    if latest is not None and latest >= now:
        now = latest + timedelta(microseconds=1)
    return now


def apply(
    session: Session, corpus: Corpus, the_plan: Plan, seeds: str, fixtures: str, progress: Progress | None = None
) -> IngestSummary:
    """Write `the_plan` in the session's transaction, all stamped with one recorded time."""
    total = len(corpus.evidence)
    if not the_plan.changes_anything:
        return IngestSummary(None, 0, 0, 0, 0, 0, total)
    at = _next_recorded_at(session)
    if the_plan.title_changed:
        session.merge(MetaRow(key=TITLE_KEY, value=corpus.catalog.title))
    if the_plan.catalog_changed:
        issues, parties = _catalog_rows(corpus.catalog)
        for table in (IssueRow, PartyRow):
            session.exec(update(table).where(col(table.superseded_at).is_(None)).values(superseded_at=at))
        session.exec(insert(IssueRow), params=[{**row, "recorded_at": at} for row in issues])
        session.exec(insert(PartyRow), params=[{**row, "recorded_at": at} for row in parties])
    if the_plan.articles_superseded:
        session.exec(
            update(ArticleRow).where(col(ArticleRow.row_id).in_(the_plan.articles_superseded)).values(superseded_at=at)
        )
    if the_plan.articles_new:
        session.exec(
            insert(ArticleRow),
            params=[{**a.model_dump(), "recorded_at": at} for a in the_plan.articles_new],
        )
    if progress:
        progress(f"articles: {len(the_plan.articles_new)} new")
    if the_plan.evidence_superseded:
        for chunk in _chunks(the_plan.evidence_superseded):
            session.exec(update(EvidenceRow).where(col(EvidenceRow.row_id).in_(chunk)).values(superseded_at=at))
    if the_plan.evidence_new:
        session.exec(
            insert(EvidenceRow),
            params=[
                {**e.model_dump(), "content_hash": e.content_hash, "recorded_at": at} for e in the_plan.evidence_new
            ],
        )
    if progress:
        progress(f"evidence: {len(the_plan.evidence_new)} new, {len(the_plan.evidence_superseded)} superseded")
    if the_plan.timelines:
        row_ids = dict(
            session.exec(
                select(EvidenceRow.id, EvidenceRow.row_id).where(col(EvidenceRow.superseded_at).is_(None))
            ).all()
        )
        for issue, party in the_plan.timelines:
            session.exec(
                update(TimelineRow)
                .where(
                    col(TimelineRow.issue) == issue,
                    col(TimelineRow.party) == party,
                    col(TimelineRow.superseded_at).is_(None),
                )
                .values(superseded_at=at)
            )
        moves = [
            dict(
                issue=m.issue,
                party=m.party,
                seq=m.seq,
                valid_from=m.valid_from,
                stance_from=m.stance_from.value,
                stance_to=m.stance_to.value,
                move=m.move.value if m.move else None,
                since=m.since,
                entered_seq=m.entered_seq,
                backing=m.backing,
                evidence_row_id=row_ids[m.evidence_id],
                recorded_at=at,
            )
            for timeline in the_plan.timelines.values()
            for m in timeline
        ]
        if moves:
            session.exec(insert(TimelineRow), params=moves)
        if progress:
            progress(f"timeline: {len(the_plan.timelines)} positions replayed, {len(moves)} moves")
    summary = IngestSummary(
        recorded_at=at,
        articles_added=len(the_plan.articles_new),
        articles_superseded=len(the_plan.articles_superseded),
        evidence_added=len(the_plan.evidence_new),
        evidence_superseded=len(the_plan.evidence_superseded),
        positions_replayed=len(the_plan.timelines),
        evidence_total=total,
        evidence_changes=the_plan.evidence_changes(),
        catalog_changed=the_plan.catalog_changed,
    )
    session.exec(
        insert(IngestRow),
        params=[
            dict(
                recorded_at=at,
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


def _chunks(ids: list[int], size: int = 500) -> list[list[int]]:
    return [ids[i : i + size] for i in range(0, len(ids), size)]


def ingest(store: Store, corpus: Corpus, seeds: str, fixtures: str, progress: Progress | None = None) -> IngestSummary:
    """Check and store `corpus` in one transaction: everything, or nothing on any problem."""
    with store.writing() as session:
        the_plan = plan(session, corpus)
        return apply(session, corpus, the_plan, seeds, fixtures, progress)


def seed_from_bundled_corpus(store: Store, progress: Progress | None = None) -> IngestSummary:
    """Fill an empty store with the corpus shipped with the tracker (the default database's first use)."""
    seeds, fixtures = bundled_corpus()
    return ingest(store, load_corpus(seeds, fixtures), display_path(seeds), display_path(fixtures), progress)


def validate(store: Store | None, corpus: Corpus) -> Plan:
    """Every check of `ingest`, against the store if there is one (else an empty one); writes nothing."""
    if store is not None and not store.is_empty():
        with store.reading() as session:
            return plan(session, corpus)
    scratch = Store("sqlite://")  # in memory: the checks against an empty store
    try:
        with scratch.writing() as session:
            return plan(session, corpus)
    finally:
        scratch.dispose()
