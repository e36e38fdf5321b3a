"""The matrix and its drill-down, in bounded pieces an interactive front end can redraw.

`state` answers with the evidence behind every stance, which is what a report
needs. Browsing needs less, often: the matrix as of a date (each position's
stance, since when, how much evidence backs it, whether it changed that day,
and each issue's status: the position grid without evidence), the dates on
which positions changed (the steps of time travel), one position's moves and
evidence a page at a time, and an article's text. Each is a handful of
indexed reads whatever the size of the store.
"""

from __future__ import annotations

from datetime import date

from tracker.domain.errors import UsageError
from tracker.domain.machines import Stance
from tracker.read.held import held
from tracker.read.history import MOVE, history_move
from tracker.read.models import ArticleText, Cell, IngestLog, IngestRecord, Matrix, PositionDetail
from tracker.read.reading import EVIDENCE, REF, STANCES, Reading, evidence_ref

CHANGE_DATES = (
    f"SELECT DISTINCT t.valid_from AS valid_from FROM timeline t WHERE {held('t')} AND t.stance_from != t.stance_to "
    "AND t.issue IN :issues AND t.party IN :parties UNION SELECT DISTINCT e.said_on AS valid_from FROM evidence e "
    f"WHERE {held('e')} AND e.party IS NULL AND e.mode = 'asserted' AND e.issue IN :issues"
)
POSITION_MOVES = (
    f"SELECT t.issue AS position_issue, t.party AS position_party, {MOVE}, {REF} FROM timeline t {EVIDENCE} "
    f"WHERE t.issue = :issue AND t.party = :party AND t.valid_from <= :as_of AND {held('t')} "
    "ORDER BY t.valid_from DESC, t.seq DESC LIMIT :limit"
)
POSITION_SUPPORT = (
    f"SELECT {REF} FROM timeline t {EVIDENCE} WHERE t.issue = :issue AND t.party = :party "
    f"AND t.valid_from <= :as_of AND t.valid_from >= :since AND t.seq >= :entered_seq AND t.seq <= :seq "
    f"AND t.move IS NOT NULL AND {held('t')} ORDER BY t.valid_from DESC, t.seq DESC LIMIT :limit"
)
INGESTS = (
    "SELECT recorded_at, seeds, fixtures, articles_added, articles_superseded, evidence_added, evidence_superseded, "
    "positions_replayed FROM ingest WHERE recorded_at <= :known_at ORDER BY recorded_at"
)
# For each ingest that superseded evidence, how much, and how much of it it replaced with a new version (an edit).
SUPERSEDED = (
    "SELECT o.superseded_at AS superseded_at, COUNT(*) AS superseded, SUM(CASE WHEN EXISTS (SELECT 1 FROM evidence n "
    "WHERE n.id = o.id AND n.recorded_at = o.superseded_at) THEN 1 ELSE 0 END) AS edited FROM evidence o "
    "WHERE o.superseded_at IS NOT NULL AND o.superseded_at <= :known_at GROUP BY o.superseded_at"
)
ARTICLE_TEXT = (
    "SELECT id, title, outlet, url, published_on, date_basis, date_evidence, text FROM article a "
    f"WHERE a.id = :article AND {held('a')}"
)


def matrix(reading: Reading, as_of: date, issues: list[str] | None = None, parties: list[str] | None = None) -> Matrix:
    """Every shown position as of `as_of`; each issue's status weighs every party, shown or not."""
    grid = reading.grid(as_of, issues, parties)
    entries = grid.entries
    cells: dict[str, dict[str, Cell]] = {}
    for issue in grid.issues:
        row: dict[str, Cell] = {}
        for party in grid.parties:
            held_entry = entries.get((issue, party))
            # A tuple in the order of its fields: a thousand cells per step of the date.
            row[party] = (
                Cell(
                    issue,
                    party,
                    STANCES[held_entry.stance_to],
                    held_entry.since,
                    held_entry.backing,
                    held_entry.since == as_of,
                    held_entry.basis,
                    held_entry.condition,
                    held_entry.contested_on,
                    held_entry.since_exact,
                )
                if held_entry
                else Cell(issue, party, Stance.UNKNOWN, None, 0, False, None, None, None, True)
            )
        cells[issue] = row
    return Matrix.model_construct(  # built here from checked rows; a thousand cells need no validation
        as_of=as_of,
        known_at=reading.known_at,
        catalog=reading.catalog(),
        issues=grid.issues,
        parties=grid.parties,
        cells=cells,
        status=grid.status,
        conditional=grid.conditional,
    )


def change_dates(reading: Reading, issues: list[str] | None = None, parties: list[str] | None = None) -> list[date]:
    """The dates on which something shown changed, oldest first.

    A shown position changed its stance, or issue-level evidence put a shown issue on the agenda
    (which can change its status whoever is shown).
    """
    issue_ids, party_ids = reading.selection(issues, parties)
    rows = reading.rows(CHANGE_DATES, issues=issue_ids, parties=party_ids)
    return sorted({row["valid_from"] for row in rows})


def position_detail(reading: Reading, issue: str, party: str, as_of: date, limit: int = 100) -> PositionDetail:
    """One position as of `as_of`: its newest `limit` timeline entries and pieces of supporting evidence."""
    catalog = reading.catalog()
    if issue not in catalog.issue_ids() or party not in catalog.party_ids():
        raise UsageError(f"no position {issue}/{party} in the catalogue")
    latest = reading.latest(as_of, [issue], [party]).get((issue, party))
    moves = [
        history_move(row, reading.catalog().roles[party].value)
        for row in reading.rows(POSITION_MOVES, issue=issue, party=party, as_of=as_of, limit=limit)
    ]
    stance, since = (Stance(latest.stance_to), latest.since) if latest else (Stance.UNKNOWN, None)
    evidence = []
    if latest is not None and since is not None:
        evidence = [
            evidence_ref(row)
            for row in reading.rows(
                POSITION_SUPPORT,
                issue=issue,
                party=party,
                as_of=as_of,
                since=since,
                entered_seq=latest.entered_seq,
                seq=latest.seq,
                limit=limit,
            )
        ]
    return PositionDetail(
        issue=issue,
        party=party,
        as_of=as_of,
        stance=stance,
        since=since,
        since_exact=latest.since_exact if latest else True,
        moves=moves,
        # Entries are numbered from 0 in each position: the newest one's number counts those up to it.
        moves_total=latest.seq + 1 if latest else 0,
        evidence=evidence,
        evidence_total=latest.backing if latest else 0,
    )


def article_text(reading: Reading, article: str) -> ArticleText:
    """An article as the store holds it (or held at the reading's recorded time), its text byte for byte."""
    rows = reading.rows(ARTICLE_TEXT, article=article)
    if not rows:
        raise UsageError(f"no article '{article}' in the store")
    return ArticleText.model_validate(rows[0])


def ingest_log(reading: Reading) -> IngestLog:
    """Every ingest that changed the database (by `known_at`, if given), oldest first, with what it did."""
    changed = {row["superseded_at"]: row for row in reading.rows(SUPERSEDED)}
    records = []
    for row in reading.rows(INGESTS):
        superseded = changed.get(row["recorded_at"], {"superseded": 0, "edited": 0})
        edited = int(superseded["edited"] or 0)
        records.append(
            IngestRecord(
                recorded_at=row["recorded_at"],
                seeds=row["seeds"],
                fixtures=row["fixtures"],
                articles_added=row["articles_added"],
                articles_superseded=row["articles_superseded"],
                evidence_added=row["evidence_added"] - edited,
                evidence_edited=edited,
                evidence_removed=int(superseded["superseded"]) - edited,
                positions_replayed=row["positions_replayed"],
            )
        )
    return IngestLog(ingests=records)


# Where an article and its evidence were read from when ingested (absolute paths, as recorded).
ARTICLE_SOURCE = f"SELECT a.source_path AS source_path FROM article a WHERE a.id = :article AND {held('a')}"
EVIDENCE_SOURCE = (
    f"SELECT e.source_path AS source_path FROM evidence e WHERE e.article = :article AND {held('e')} "
    "ORDER BY e.recorded_at DESC LIMIT 1"
)


def corpus_folders(reading: Reading, article: str) -> tuple[str | None, str | None]:
    """The files an article, and the newest of its evidence, were ingested from (None: not recorded); their
    folders are the corpus to code the article in."""
    found = reading.rows(ARTICLE_SOURCE, article=article)
    coded = reading.rows(EVIDENCE_SOURCE, article=article)
    return (found[0]["source_path"] if found else None), (coded[0]["source_path"] if coded else None)
