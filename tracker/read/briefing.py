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
from typing import NamedTuple

from pydantic import BaseModel

from tracker.domain.evidence import Attribution, Mode
from tracker.domain.machines import AGAINST_PROPOSITION, FOR_PROPOSITION, Stance
from tracker.read.diff import diff
from tracker.read.held import held
from tracker.read.history import newest_moves
from tracker.read.models import Change, Contest, EvidenceRef, HistoryMove, IssueChange
from tracker.read.reading import Entry, Reading

CORPUS = (
    "SELECT e.article AS article, COUNT(*) AS evidence, MIN(e.said_on) AS first_said_on, "
    f"MAX(e.said_on) AS last_said_on FROM evidence e WHERE {held('e')} AND e.said_on <= :as_of GROUP BY e.article"
)
ARTICLES = (
    "SELECT a.id AS id, a.title AS title, a.outlet AS outlet, a.url AS url, a.published_on AS published_on, "
    f"a.date_basis AS date_basis, a.date_evidence AS date_evidence FROM article a WHERE {held('a')} "
    "ORDER BY a.published_on, a.id"
)

# Two statements of one party this many days apart or fewer are read together for contradictions.
CONTRADICTION_WINDOW = timedelta(days=14)
# A briefing stays readable (and quick to write) however large the corpus: each list of quotes holds the
# newest QUOTES_SHOWN, each position the newest MOVES_SHOWN moves, and each says how many it leaves out.
QUOTES_SHOWN = 10
MOVES_SHOWN = 10


class CorpusSummary(BaseModel):
    articles: int
    evidence: int
    first_said_on: date | None  # the earliest and latest dates evidence was said on
    last_said_on: date | None


class MatrixCell(BaseModel):
    stance: Stance
    since: date | None
    basis: str | None = None  # direct, reported or analysis: the strongest attribution behind the stance
    condition: str | None = None
    contested_on: date | None = None

    def qualifiers(self) -> list[str]:
        return qualifiers(self.basis, self.condition, self.contested_on)


def qualifiers(basis: str | None, condition: str | None, contested_on: date | None) -> list[str]:
    """What a reader must know before taking a stance at its word, in words (see `QUALIFIERS_LEGEND`)."""
    said = []
    if basis in (Attribution.REPORTED.value, Attribution.ANALYSIS.value):
        said.append(f"{basis} only")
    if condition:
        said.append("on a condition")
    if contested_on is not None:
        said.append(f"contested since {contested_on}")
    return said


QUALIFIERS_LEGEND = (
    "*reported only*: the stance rests on another party's or a source's report, not on the party's own word; "
    "*analysis only*: on the outlet's characterisation; *on a condition*: the party holds it on a condition "
    "(given with its quotes); *contested*: on that day evidence of equal weight disagreed, and the stance "
    "shown is the one held before it"
)


class MatrixRow(BaseModel):
    issue: str
    title: str
    parent: str | None = None  # a sub-issue's parent: the row follows its parent's
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
    basis: str | None = None
    condition: str | None = None
    contested: Contest | None = None
    evidence: list[EvidenceRef]  # behind the current stance, newest first: the newest `quotes_shown`
    evidence_total: int  # all the pieces of evidence behind the current stance
    moves: list[HistoryMove]  # the newest `moves_shown` entries up to the report's date, oldest first
    moves_total: int  # all the entries up to the report's date
    contradictions: list[Contradiction]  # among the moves shown


class IssueSection(BaseModel):
    issue: str
    title: str
    parent: str | None = None
    proposition: str
    status: str
    issue_evidence: list[EvidenceRef]  # issue-level evidence (no party), newest first: the newest `quotes_shown`
    issue_evidence_total: int
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
    quotes_shown: int = QUOTES_SHOWN  # each list of quotes holds at most this many, the newest
    moves_shown: int = MOVES_SHOWN  # each position's moves: at most this many, the newest
    parties: list[Party]  # the matrix's columns, in catalogue order
    matrix: list[MatrixRow]
    changes: list[Change]  # positions whose stance changed since `since`
    issue_changes: list[IssueChange]
    issues: list[IssueSection]
    sources: list[Source]  # the articles the report quotes or cites, by date
    sources_not_cited: int  # the corpus's other articles (published, or with evidence said, by `as_of`)


class ChangeHeading(NamedTuple):
    """One change the briefing reports since its `since` date: a position's stance, or an issue's status."""

    party: str | None  # the party's id; None for an issue's status
    party_name: str | None
    issue_title: str
    before: str  # a stance, or a status in words
    after: str
    evidence: list[EvidenceRef]
    left_out: LeftOut | None  # what `evidence` leaves out, if anything


def change_headings(report: Report) -> list[ChangeHeading]:
    """The changes since the report's `since` date, positions first, as every format heads them."""
    titles = {row.issue: row.title for row in report.matrix}
    names = {p.id: p.name for p in report.parties}
    window = f"{report.since} {report.as_of}"
    headings = [
        ChangeHeading(
            c.party,
            names[c.party],
            titles[c.issue],
            c.stance_from.value,
            c.stance_to.value,
            c.evidence,
            left_out(c.evidence, c.evidence_total, f"tracker diff {window} --issue {c.issue} --party {c.party}"),
        )
        for c in report.changes
    ]
    headings += [
        ChangeHeading(
            None,
            None,
            titles[c.issue],
            c.status_from.replace("_", " "),
            c.status_to.replace("_", " "),
            c.evidence,
            left_out(c.evidence, c.evidence_total, f"tracker diff {window} --issue {c.issue}"),
        )
        for c in report.issue_changes
    ]
    return headings


class LeftOut(NamedTuple):
    """What a bounded list of a briefing leaves out, and the command that lists it all."""

    what: str
    command: str


def left_out(shown: list[EvidenceRef], total: int | None, command: str) -> LeftOut | None:
    """What a list of quotes leaves out (None: nothing)."""
    more = (total or 0) - len(shown)
    return LeftOut(f"… and {more} older piece(s) of evidence", command) if more > 0 else None


def moves_left_out(position: PositionSection, issue: str) -> LeftOut | None:
    """What a position's list of moves leaves out (None: nothing)."""
    if position.moves_total <= len(position.moves):
        return None
    return LeftOut(
        f"The newest {len(position.moves)} of {position.moves_total} moves",
        f"tracker history --issue {issue} --party {position.party}",
    )


def _corpus_and_sources(reading: Reading, as_of: date, cited: set[str]) -> tuple[CorpusSummary, list[Source], int]:
    """The evidence said on or before `as_of` and the articles it comes from or published by then; the
    articles in `cited` as sources, and how many others there are.

    One pass over the index `ix_evidence_article_said` counts each article's evidence; article texts are
    not read.
    """
    coded = {row["article"]: row for row in reading.rows(CORPUS, as_of=as_of)}
    in_corpus = [row for row in reading.rows(ARTICLES) if row["published_on"] <= as_of or row["id"] in coded]
    sources = [
        Source(
            id=row["id"],
            title=row["title"],
            outlet=row["outlet"],
            url=row["url"],
            published_on=row["published_on"],
            date_inferred=row["date_basis"] != "stated",
            date_evidence=row["date_evidence"],
            evidence=coded[row["id"]]["evidence"] if row["id"] in coded else 0,
        )
        for row in in_corpus
        if row["id"] in cited
    ]
    corpus = CorpusSummary(
        articles=len(in_corpus),
        evidence=sum(row["evidence"] for row in coded.values()),
        first_said_on=min((row["first_said_on"] for row in coded.values()), default=None),
        last_said_on=max((row["last_said_on"] for row in coded.values()), default=None),
    )
    return corpus, sources, len(in_corpus) - len(sources)


def _side(stance: Stance) -> int:
    """+1 for the proposition, -1 against it, 0 open, agreed (a deal, not a side) or unknown."""
    return 1 if stance in FOR_PROPOSITION else -1 if stance in AGAINST_PROPOSITION else 0


def contradictions(moves: list[HistoryMove], window: timedelta = CONTRADICTION_WINDOW) -> list[Contradiction]:
    """What a reader should look at twice in one position's evidence (asserted evidence only):

    - opposite_sides: the party for the proposition and against it within `window` (agreeing to a deal is
      not a side: accepting one is a move, not a contradiction);
    - reported_differs: a stance another source reports for the party that differs from the party's own
      (direct) statement nearest to it in time, within `window`;
    - background_differs: a restatement of a stance held before that does not match the stance held then.
    """
    said = [
        (m.evidence, Stance(m.evidence.stance))
        for m in moves
        if m.evidence.mode == Mode.ASSERTED.value and m.evidence.stance
    ]
    found: list[Contradiction] = [
        Contradiction(
            kind="background_differs",
            explanation=f"background evidence on {m.date} restates {m.evidence.stance}; "
            f"the stance held then is {m.stance_to.value}",
            evidence=[m.evidence],
        )
        for m in moves
        if m.not_applied == "contradicts"
    ]
    for n, (older, older_stance) in enumerate(said):
        for newer, newer_stance in said[n + 1 :]:
            if newer.date - older.date > window:
                break
            if _side(older_stance) * _side(newer_stance) < 0:
                found.append(
                    Contradiction(
                        kind="opposite_sides",
                        explanation=f"{older.stance} on {older.date}, then {newer.stance} on {newer.date}",
                        evidence=[older, newer],
                    )
                )
                break  # the nearest opposite statement is the one to read; later ones repeat it
    own = [(ref, stance) for ref, stance in said if ref.attribution == Attribution.DIRECT.value]
    for reported, stance in said:
        if reported.attribution != Attribution.REPORTED.value or not own:
            continue
        nearest, nearest_stance = min(own, key=lambda o: (abs((o[0].date - reported.date).days), o[0].date))
        if abs(nearest.date - reported.date) <= window and nearest_stance is not stance:
            pair = sorted([nearest, reported], key=lambda e: (e.date, e.id))
            who = reported.speaker or "another source"
            found.append(
                Contradiction(
                    kind="reported_differs",
                    explanation=f"{who} reports {reported.stance} on {reported.date}; "
                    f"its own statement on {nearest.date} is {nearest.stance}",
                    evidence=pair,
                )
            )
    return found


def build_report(
    reading: Reading,
    as_of: date,
    since: date | None = None,
    issues: list[str] | None = None,
    parties: list[str] | None = None,
) -> Report:
    """The briefing as of `as_of` (with what changed since `since`), from one reading.

    Bounded whatever the size of the store: the newest quotes and moves of each position, and of each
    change, with counts of the rest (see QUOTES_SHOWN, MOVES_SHOWN).
    """
    catalog = reading.catalog()
    grid = reading.grid(as_of, issues, parties, evidence=QUOTES_SHOWN)
    issue_ids, party_ids = grid.issues, grid.parties
    moves = newest_moves(reading, as_of, issue_ids, party_ids, MOVES_SHOWN)
    named_evidence, named_totals = reading.issue_evidence(as_of, issue_ids, QUOTES_SHOWN)
    # Issue statuses weigh every party, so their changes are read without the party filter.
    changed = diff(reading, since, as_of, issues, evidence=QUOTES_SHOWN) if since is not None else None
    changes: list[Change] = [c for c in changed.changes if not parties or c.party in parties] if changed else []
    issue_changes: list[IssueChange] = changed.issue_changes if changed else []
    titles = {i.id: i for i in catalog.issues}
    names = {p.id: p.name for p in catalog.parties}
    by_issue: dict[str, list[PositionSection]] = defaultdict(list)
    cells: dict[str, dict[str, MatrixCell]] = defaultdict(dict)
    for issue in issue_ids:
        for party in party_ids:
            position = grid.at(issue, party)
            entry = position.entry
            cells[issue][party] = MatrixCell(
                stance=position.stance,
                since=position.since,
                basis=entry.basis if entry else None,
                condition=entry.condition if entry else None,
                contested_on=entry.contested_on if entry else None,
            )
            held_moves = moves.get((issue, party), [])
            if position.stance is Stance.UNKNOWN and not held_moves:
                continue
            by_issue[issue].append(
                PositionSection(
                    party=party,
                    name=names[party],
                    stance=position.stance,
                    since=position.since,
                    basis=entry.basis if entry else None,
                    condition=entry.condition if entry else None,
                    contested=position.contest,
                    evidence=position.support,
                    evidence_total=entry.backing if entry else 0,
                    moves=held_moves,
                    moves_total=_entries_up_to(held_moves, entry),
                    contradictions=contradictions(held_moves),
                )
            )
    cited = {ref.article for change in changes for ref in change.evidence}
    cited |= {ref.article for change in issue_changes for ref in change.evidence}
    cited |= {ref.article for refs in named_evidence.values() for ref in refs}
    for sections in by_issue.values():
        for section in sections:
            cited |= {ref.article for ref in section.evidence}
            cited |= {move.evidence.article for move in section.moves}
    corpus, sources, not_cited = _corpus_and_sources(reading, as_of, cited)
    return Report(
        title=catalog.title,
        as_of=as_of,
        since=since,
        known_at=reading.known_at,
        corpus=corpus,
        parties=[Party(id=p, name=names[p]) for p in party_ids],
        matrix=[
            MatrixRow(issue=i, title=titles[i].title, parent=titles[i].parent, status=grid.status[i], cells=cells[i])
            for i in issue_ids
        ],
        changes=changes,
        issue_changes=issue_changes,
        issues=[
            IssueSection(
                issue=i,
                title=titles[i].title,
                parent=titles[i].parent,
                proposition=titles[i].proposition,
                status=grid.status[i],
                issue_evidence=named_evidence.get(i, []),
                issue_evidence_total=named_totals.get(i, 0),
                positions=by_issue.get(i, []),
            )
            for i in issue_ids
        ],
        sources=sources,
        sources_not_cited=not_cited,
    )


def _entries_up_to(moves: list[HistoryMove], newest: Entry | None) -> int:
    """How many timeline entries a position has up to the report's date (its newest entry's number + 1)."""
    return newest.seq + 1 if newest is not None else len(moves)
