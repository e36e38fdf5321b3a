"""Finding things by what they say or by their id: `tracker search TEXT` and `tracker show ID`.

A search looks for the text (any case) in the quotes, speakers and notes of
the evidence held and in the articles' titles, and lists the hits newest
first, bounded, with how many there are. `show` gives one piece of evidence
in full (its quote in the words around it, its article, its position and the
move it made there) or one article (its metadata and the evidence coded from
it).
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel

from tracker.domain.errors import UsageError
from tracker.read.held import held
from tracker.read.models import EvidenceRef
from tracker.read.reading import ARTICLE, Reading, evidence_ref, ref_columns

SEARCH_SHOWN = 50  # hits listed by default; `total` counts them all

# What may match: the quote, the speaker, the note; `:pattern` is lowercased, its wildcards escaped.
EVIDENCE_HITS = (
    f"SELECT COUNT(*) OVER () AS total, e.issue AS issue, e.party AS party, {ref_columns('NULL', 'NULL')} "
    f"FROM evidence e {ARTICLE} WHERE {held('e')} AND (LOWER(e.quote) LIKE :pattern ESCAPE '\\' "
    "OR LOWER(COALESCE(e.speaker, '')) LIKE :pattern ESCAPE '\\' OR LOWER(COALESCE(e.note, '')) LIKE :pattern "
    "ESCAPE '\\') ORDER BY e.said_on DESC, e.article, e.start LIMIT :limit"
)
ARTICLE_HITS = (
    "SELECT COUNT(*) OVER () AS total, a.id AS id, a.title AS title, a.outlet AS outlet, a.url AS url, "
    f"a.published_on AS published_on FROM article a WHERE {held('a')} AND LOWER(a.title) LIKE :pattern ESCAPE '\\' "
    "ORDER BY a.published_on DESC, a.id LIMIT :limit"
)
ONE_EVIDENCE = (
    f"SELECT e.issue AS issue, e.party AS party, e.prefix AS prefix, e.suffix AS suffix, "
    f"a.outlet AS outlet, a.url AS url, a.published_on AS published_on, {ref_columns('NULL', 'NULL')} "
    f"FROM evidence e {ARTICLE} WHERE e.id = :id AND {held('e')}"
)
# The entry the evidence made in its position's timeline (none for issue-level evidence).
ITS_ENTRY = (
    "SELECT t.move AS move, t.not_applied AS not_applied, t.stance_from AS stance_from, t.stance_to AS stance_to, "
    f"t.valid_from AS valid_from FROM timeline t WHERE t.evidence_row_id = (SELECT e.row_id FROM evidence e "
    f"WHERE e.id = :id AND {held('e')}) AND {held('t')}"
)
ONE_ARTICLE = (
    "SELECT id, title, outlet, url, published_on, date_basis, date_evidence, file FROM article a "
    f"WHERE a.id = :id AND {held('a')}"
)
ITS_EVIDENCE = (
    f"SELECT e.issue AS issue, e.party AS party, {ref_columns('NULL', 'NULL')} "
    f"FROM evidence e {ARTICLE} WHERE e.article = :id AND {held('e')} ORDER BY e.start, e.id"
)


class EvidenceHit(BaseModel):
    issue: str
    party: str | None  # None: issue-level evidence
    evidence: EvidenceRef


class ArticleHit(BaseModel):
    id: str
    title: str
    outlet: str | None
    url: str | None
    published_on: date


class SearchResult(BaseModel):
    text: str
    evidence: list[EvidenceHit]  # newest first, at most `SEARCH_SHOWN` unless asked for more
    evidence_total: int
    articles: list[ArticleHit]
    articles_total: int


class EvidenceDetail(BaseModel):
    """One piece of evidence in full: the words around its quote, its article, and what it did to its position."""

    issue: str
    party: str | None
    evidence: EvidenceRef
    before: str  # the article's words just before the quote
    after: str  # and just after
    outlet: str | None
    url: str | None
    published_on: date
    move: str | None = None  # the move it made (None: it moved nothing, `not_applied` says why; or issue-level)
    not_applied: str | None = None
    stance_from: str | None = None
    stance_to: str | None = None


class ArticleDetail(BaseModel):
    id: str
    title: str
    outlet: str | None
    url: str | None
    published_on: date
    date_basis: str
    date_evidence: str | None
    file: str
    evidence: list[EvidenceHit]  # in the order of the text


def like_pattern(text: str) -> str:
    """`text` as a LIKE pattern matching it anywhere, any case: its own `%`, `_` and `\\` are literal."""
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search(reading: Reading, text: str, limit: int | None = SEARCH_SHOWN) -> SearchResult:
    """Evidence whose quote, speaker or note holds `text`, and articles whose title does (any case)."""
    if not text.strip():
        raise UsageError("give some text to search for")
    pattern, bound = like_pattern(text.strip()), limit if limit is not None else 2**31
    evidence_rows = reading.rows(EVIDENCE_HITS, pattern=pattern, limit=bound)
    article_rows = reading.rows(ARTICLE_HITS, pattern=pattern, limit=bound)
    return SearchResult(
        text=text,
        evidence=[
            EvidenceHit(issue=row["issue"], party=row["party"], evidence=evidence_ref(row)) for row in evidence_rows
        ],
        evidence_total=evidence_rows[0]["total"] if evidence_rows else 0,
        articles=[ArticleHit.model_validate(row) for row in article_rows],
        articles_total=article_rows[0]["total"] if article_rows else 0,
    )


def show(reading: Reading, identifier: str) -> EvidenceDetail | ArticleDetail:
    """The piece of evidence, or else the article, with this id."""
    found = reading.rows(ONE_EVIDENCE, id=identifier)
    if found:
        row = found[0]
        entry = reading.rows(ITS_ENTRY, id=identifier)
        made = entry[0] if entry else {}
        return EvidenceDetail(
            issue=row["issue"],
            party=row["party"],
            evidence=evidence_ref({**row, "move": made.get("move"), "not_applied": made.get("not_applied")}),
            before=row["prefix"],
            after=row["suffix"],
            outlet=row["outlet"],
            url=row["url"],
            published_on=row["published_on"],
            move=made.get("move"),
            not_applied=made.get("not_applied"),
            stance_from=made.get("stance_from"),
            stance_to=made.get("stance_to"),
        )
    articles = reading.rows(ONE_ARTICLE, id=identifier)
    if articles:
        coded = reading.rows(ITS_EVIDENCE, id=identifier)
        return ArticleDetail(
            **articles[0],
            evidence=[EvidenceHit(issue=row["issue"], party=row["party"], evidence=evidence_ref(row)) for row in coded],
        )
    raise UsageError(f"no evidence or article '{identifier}' (`tracker search TEXT` finds them by what they say)")
