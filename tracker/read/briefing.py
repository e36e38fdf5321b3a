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
from datetime import date, datetime, time
from typing import NamedTuple

from pydantic import BaseModel

from tracker.domain.catalog import Issue
from tracker.domain.evidence import Attribution, Mode
from tracker.domain.machines import IMPLIES, Move, Stance
from tracker.domain.words import words
from tracker.read.diff import diff
from tracker.read.held import held
from tracker.read.history import newest_moves
from tracker.read.models import (
    Change,
    Conditional,
    Contest,
    ContestedPosition,
    EvidenceRef,
    HistoryMove,
    IssueChange,
    said_on_phrase,
)
from tracker.read.reading import EVIDENCE, REF, Entry, Reading, evidence_ref

CORPUS = (
    "SELECT e.article AS article, COUNT(*) AS evidence, MIN(e.said_on) AS first_said_on, "
    f"MAX(e.said_on) AS last_said_on FROM evidence e WHERE {held('e')} AND e.said_on <= :as_of GROUP BY e.article"
)
ARTICLES = (
    "SELECT a.id AS id, a.title AS title, a.outlet AS outlet, a.url AS url, a.published_on AS published_on, "
    f"a.date_basis AS date_basis, a.date_evidence AS date_evidence FROM article a WHERE {held('a')} "
    "ORDER BY a.published_on, a.id"
)
# The timeline entry that entered a position's stance, with its evidence (when the newest quotes leave it out).
ENTERED = (
    f"SELECT {REF} FROM timeline t {EVIDENCE} WHERE t.issue = :issue AND t.party = :party AND t.seq = :seq "
    f"AND {held('t')}"
)
# The moves a change's path names by their evidence (when the newest quotes of the change leave them out).
MOVED_BY = (
    f"SELECT {REF} FROM timeline t {EVIDENCE} WHERE t.issue = :issue AND t.party = :party AND e.id IN :ids "
    f"AND t.move IS NOT NULL AND t.move != 'reaffirm' AND {held('t')} ORDER BY t.seq"
)

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
    since_exact: bool = True  # False: held *by* `since` (a recap entered the stance)
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
    conditional: list[Conditional] = []  # the stances held on a condition its status rests on (none: not conditional)
    cells: dict[str, MatrixCell]  # party id -> cell, in catalogue order


class Contradiction(BaseModel):
    """Two pieces of evidence about one position that do not sit well together."""

    kind: str  # "reported_differs" | "background_differs"
    explanation: str
    evidence: list[EvidenceRef]  # the party's own word, then the report; or the recap alone


class PositionSection(BaseModel):
    party: str
    name: str
    role: str = "negotiator"  # listed after the negotiators and marked; never makes or blocks a status
    stance: Stance
    since: date | None
    since_exact: bool = True  # False: held *by* `since` (a recap entered the stance)
    basis: str | None = None
    condition: str | None = None
    contested: Contest | None = None
    # Behind the current stance: the evidence that moved the position into it first (the quote that says what
    # the stance is), then the newest `quotes_shown` of the others, newest first.
    evidence: list[EvidenceRef]
    evidence_total: int  # all the pieces of evidence behind the current stance
    moves: list[HistoryMove]  # the newest `moves_shown` entries up to the report's date, oldest first
    moves_total: int  # all the entries up to the report's date
    contradictions: list[Contradiction]  # among the moves shown


class IssueSection(BaseModel):
    issue: str
    title: str
    parent: str | None = None
    parent_title: str | None = None
    proposition: str
    status: str
    conditional: list[Conditional] = []  # the stances held on a condition its status rests on (none: not conditional)
    issue_evidence: list[EvidenceRef]  # issue-level evidence (no party), newest first: the newest `quotes_shown`
    issue_evidence_total: int
    positions: list[PositionSection]  # known positions of the parties shown, in catalogue order
    # The parties a --party filter leaves out that hold a position on the issue (ids, in catalogue order): their
    # evidence exists, but the briefing does not show it.
    positions_left_out: list[str] = []


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
    role: str = "negotiator"  # a mediator's or an observer's column is marked; its stance makes no status


class IssueName(BaseModel):
    id: str
    title: str


class Filters(BaseModel):
    """What a filtered briefing was asked to show, and what of the catalogue its filters leave out."""

    issues: list[IssueName]  # named with --issue (each brings its sub-issues); empty: every issue
    parties: list[Party]  # named with --party; empty: every party
    issues_left_out: list[IssueName]  # in catalogue order
    parties_left_out: list[Party]


class PositionKey(BaseModel):
    issue: str
    party: str


class Report(BaseModel):
    title: str
    as_of: date
    since: date | None
    known_at: datetime | None = None
    corpus: CorpusSummary
    quotes_shown: int = QUOTES_SHOWN  # each list of quotes holds at most this many, the newest
    moves_shown: int = MOVES_SHOWN  # each position's moves: at most this many, the newest
    filters: Filters | None = None  # None: the whole catalogue is shown
    parties: list[Party]  # the matrix's columns, in catalogue order
    matrix: list[MatrixRow]
    # Positions whose stance changed since `since`, each one's evidence led by the evidence on its path of moves
    # (what moved the stance), then the rest newest first.
    changes: list[Change]
    changes_left_out: list[PositionKey] = []  # positions that changed since `since` of parties the filter leaves out
    issue_changes: list[IssueChange]  # each one's evidence led by what named the issue, then what moved it
    # Positions that became contested since `since` and still are at `as_of`, their stance held (as `diff` gives
    # them): no stance changed, but the record no longer settles one.
    contested: list[ContestedPosition] = []
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
    # An issue's status changes, each on its day (as `history` gives them): "in play → converging on 2026-04-03".
    when: str | None = None


def status_path(change: IssueChange) -> str:
    """An issue's status changes in a window, each on its day, in words."""
    return "; ".join(f"{words(s.status_from)} → {words(s.status_to)} on {s.date}" for s in change.steps)


def change_headings(report: Report) -> list[ChangeHeading]:
    """The changes since the report's `since` date, positions first, as every format heads them (in words)."""
    titles = {row.issue: row.title for row in report.matrix}
    names = {p.id: p.name for p in report.parties}
    window = f"{report.since} {report.as_of}"
    headings = [
        ChangeHeading(
            c.party,
            names.get(c.party, c.party),
            titles.get(c.issue, c.issue),
            words(c.stance_from),
            words(c.stance_to),
            c.evidence,
            left_out(c.evidence, c.evidence_total, f"tracker diff {window} --issue {c.issue} --party {c.party}"),
        )
        for c in report.changes
    ]
    headings += [
        ChangeHeading(
            None,
            None,
            titles.get(c.issue, c.issue),
            words(c.status_from),
            words(c.status_to),
            c.evidence,
            left_out(c.evidence, c.evidence_total, f"tracker diff {window} --issue {c.issue}"),
            status_path(c) or None,
        )
        for c in report.issue_changes
    ]
    headings += [
        ChangeHeading(
            c.party,
            names.get(c.party, c.party),
            titles.get(c.issue, c.issue),
            words(c.stance),
            f"contested since {c.contested.on}",
            c.contested.evidence,
            None,
        )
        for c in report.contested
    ]
    return headings


def party_name(report: Report, party: str) -> str:
    """A party's name, for any party of the catalogue (shown, or left out by a filter)."""
    known = report.parties + (report.filters.parties_left_out if report.filters else [])
    return next((p.name for p in known if p.id == party), party)


def issue_title(report: Report, issue: str) -> str:
    """An issue's title, for any issue of the catalogue (shown, or left out by a filter)."""
    known = [IssueName(id=row.issue, title=row.title) for row in report.matrix]
    known += report.filters.issues_left_out if report.filters else []
    return next((i.title for i in known if i.id == issue), issue)


def possessive(name: str) -> str:
    """ "Russia's", "United States'"."""
    return f"{name}'" if name.endswith("s") else f"{name}'s"


# A note repeated under each issue names this many at most, and counts the rest.
NAMES_SHOWN = 6


def listed(names: list[str], most: int | None = None, total: int | None = None) -> str:
    """Names as a person lists them: "A", "A and B", "A, B and C"; beyond `most`, "A, B and 3 others" (`total`:
    how many there are, when `names` holds only the first of them)."""
    total = len(names) if total is None else total
    if most is not None and total > most:
        names = [*names[: most - 1], f"{total - most + 1} others"]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1] if names else ""


def scope(report: Report) -> str | None:
    """What a filtered briefing covers, in a few words for its title ("Europe on NATO membership"); None: all."""
    if report.filters is None:
        return None
    parties = [p.name for p in report.filters.parties] if report.filters.parties_left_out else []
    issues = [i.title for i in report.filters.issues] if report.filters.issues_left_out else []
    if parties and issues:
        return f"{listed(parties)} on {listed(issues)}"
    return listed(parties or issues) or None


def filter_notes(report: Report) -> list[str]:
    """What a filtered briefing's filters select and leave out, a sentence each (plain text, no markup)."""
    notes: list[str] = []
    filters = report.filters
    if filters is None:
        return notes
    if filters.parties:
        shown = listed([p.name for p in filters.parties])
        omitted = listed([p.name for p in filters.parties_left_out])
        notes.append(
            f"Parties: {shown} only. Left out by the filter: {omitted}; their positions and their quotes are not "
            "shown, though each issue's status still weighs them."
            if omitted
            else f"Parties: {shown}, which leaves out none."
        )
    if filters.issues:
        shown = listed([i.title for i in filters.issues])
        omitted = listed([i.title for i in filters.issues_left_out])
        asked = {i.id for i in filters.issues}
        children = " (with their sub-issues)" if any(row.parent in asked for row in report.matrix) else ""
        notes.append(
            f"Issues: {shown} only{children}. Left out by the filter: {omitted}."
            if omitted
            else f"Issues: {shown}, which leaves out none."
        )
    return notes


def filtered_away(report: Report, section: IssueSection) -> str | None:
    """Under an issue, what the party filter hides (plain text): None when it hides nothing there."""
    if not section.positions_left_out:
        return None
    others = listed([possessive(party_name(report, p)) for p in section.positions_left_out], NAMES_SHOWN)
    n = len(section.positions_left_out)
    hidden = f"{n} other part{'y' if n == 1 else 'ies'}'{'s' if n == 1 else ''} position{'' if n == 1 else 's'}"
    if section.positions:
        return f"The filter leaves out {hidden} on this issue: {others}."
    shown = len(report.parties)
    whose = listed([p.name for p in report.parties], NAMES_SHOWN)
    return (
        f"The position{'' if shown == 1 else 's'} shown ({whose}) hold{'s' if shown == 1 else ''} no evidence on this "
        f"issue; the filter leaves out {hidden} that do{'es' if n == 1 else ''}: {others}."
    )


def _changes_named(report: Report) -> str:
    """The changes the party filter leaves out, named ("Ukraine on Donetsk withdrawal"), the first few only."""
    hidden = report.changes_left_out
    named = [f"{party_name(report, c.party)} on {issue_title(report, c.issue)}" for c in hidden[:NAMES_SHOWN]]
    return listed(named, NAMES_SHOWN, total=len(hidden))


def nothing_changed(report: Report) -> str:
    """What the briefing says when no change since `since` is shown (plain text)."""
    if not report.changes_left_out:
        return "Nothing changed." if report.filters is None else "Nothing changed among the issues and parties shown."
    hidden = _changes_named(report)
    return f"No position shown changed; the filter leaves out {len(report.changes_left_out)} that did ({hidden})."


def changes_filtered_away(report: Report) -> str | None:
    """After the changes shown, the ones the party filter leaves out (plain text); None when it leaves none."""
    if not report.changes_left_out or not (report.changes or report.issue_changes):
        return None
    hidden = _changes_named(report)
    n = len(report.changes_left_out)
    return f"The filter leaves out {n} other change{'s' if n > 1 else ''} of position: {hidden}."


def unlinked_note(report: Report) -> str | None:
    """Under the sources, how many have no URL recorded (plain text); None when every one has."""
    unlinked = sum(1 for source in report.sources if not source.url)
    if not unlinked:
        return None
    are = "No URL is" if unlinked == 1 else "No URLs are"
    return f"{are} recorded for {unlinked} of these articles: the outlet, title and date identify them."


def said_by(ref: EvidenceRef, party: str | None) -> str:
    """Who a piece of evidence comes from, in words: `party` is the name of the party it is about (None for
    issue-level evidence)."""
    if ref.attribution == Attribution.DIRECT.value:
        if ref.speaker and party:
            return f"{ref.speaker} ({party}'s own word)"
        if party:
            return f"{party} ({words(ref.attribution)})"
        return f"{ref.speaker} (in their own words)" if ref.speaker else "a party's own word"
    if ref.attribution == Attribution.REPORTED.value:
        return f"reported by {ref.speaker}" if ref.speaker else words(ref.attribution)
    analysis = words(ref.attribution)
    return f"{analysis}, citing {ref.speaker}" if ref.speaker else analysis


def held_back(ref: EvidenceRef) -> str | None:
    """Why a piece of evidence moved nothing, in words (None: it moved or restated the stance)."""
    if ref.not_applied:
        return words(ref.not_applied)
    # A recap applied (a first word, a move by its date, a restatement) moved the position as asserted evidence
    # does; other modes never do.
    return words(ref.mode) if ref.mode not in (Mode.ASSERTED.value, Mode.BACKGROUND.value) else None


def move_words(move: HistoryMove) -> str:
    """One entry of a position's history, in words: "softens, opposes → counter-proposal"."""
    if move.move is None:
        return f"moves nothing ({words(move.not_applied or move.evidence.mode)}), holds {words(move.stance_to)}"
    if move.move == Move.REAFFIRM.value:
        return f"{words(move.move)} {words(move.stance_to)}"
    return f"{words(move.move)}, {words(move.stance_from)} → {words(move.stance_to)}"


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


def _reconciled(own: Stance, reported: Stance) -> bool:
    """Whether a report agrees with the party's own word: the same stance, or one implies the other."""
    return own is reported or IMPLIES.get(own) is reported or IMPLIES.get(reported) is own


def contradictions(moves: list[HistoryMove]) -> list[Contradiction]:
    """What the record cannot reconcile in one position's evidence (never a legal later move, which moves it):

    - reported_differs: another source reports a stance for the party that differs from the party's own
      (direct, asserted) word of the same moment (its day and time of day), a stance neither implies;
    - background_differs: a recap across the axis from the stance held then (it stayed inert).
    """
    found: list[Contradiction] = [
        Contradiction(
            kind="background_differs",
            explanation=f"background evidence {said_on_phrase(m.evidence)} restates {words(m.evidence.stance)}; "
            f"the stance held then is {words(m.stance_to)}",
            evidence=[m.evidence],
        )
        for m in moves
        if m.not_applied == "contradicts"
    ]
    said = [m.evidence for m in moves if m.evidence.mode == Mode.ASSERTED.value and m.evidence.stance]
    own: dict[tuple[date, time | None], list[EvidenceRef]] = defaultdict(list)
    for ref in said:
        if ref.attribution == Attribution.DIRECT.value:
            own[(ref.date, ref.said_at)].append(ref)
    for reported in said:
        if reported.attribution != Attribution.REPORTED.value:
            continue
        assert reported.stance is not None
        for word in own.get((reported.date, reported.said_at), []):
            assert word.stance is not None
            if not _reconciled(Stance(word.stance), Stance(reported.stance)):
                who = reported.speaker or "another source"
                found.append(
                    Contradiction(
                        kind="reported_differs",
                        explanation=f"{who} reports {words(reported.stance)} {said_on_phrase(reported)}; "
                        f"its own word of that moment is {words(word.stance)}",
                        evidence=sorted([word, reported], key=lambda e: (e.attribution != "direct", e.id)),
                    )
                )
                break  # one own word against the report is the one to read
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
    change, with counts of the rest (see QUOTES_SHOWN, MOVES_SHOWN); the evidence that moved a stance is
    shown first even when it is older than those.
    """
    catalog = reading.catalog()
    grid = reading.grid(as_of, issues, parties, evidence=QUOTES_SHOWN)
    issue_ids, party_ids = grid.issues, grid.parties
    moves = newest_moves(reading, as_of, issue_ids, party_ids, MOVES_SHOWN)
    named_evidence, named_totals = reading.issue_evidence(as_of, issue_ids, QUOTES_SHOWN)
    # Issue statuses weigh every party, so their changes are read without the party filter.
    changed = diff(reading, since, as_of, issues, evidence=QUOTES_SHOWN) if since is not None else None
    changes: list[Change] = [
        _led_by_its_moves(reading, c) for c in (changed.changes if changed else []) if not parties or c.party in parties
    ]
    changes_left_out = [
        PositionKey(issue=c.issue, party=c.party)
        for c in (changed.changes if changed else [])
        if parties and c.party not in parties
    ]
    issue_changes: list[IssueChange] = [
        c.model_copy(update={"evidence": sorted(c.evidence, key=lambda ref: ref.stance is not None)})
        for c in (changed.issue_changes if changed else [])
    ]
    titles = {i.id: i for i in catalog.issues}
    names = {p.id: p.name for p in catalog.parties}
    roles = {p.id: p.role.value for p in catalog.parties}
    left_out_parties = [p for p in catalog.party_ids() if p not in party_ids]
    # The positions the party filter hides that hold evidence: named under their issues, never "no evidence".
    hidden = reading.latest(as_of, issue_ids, left_out_parties) if left_out_parties else {}
    by_issue: dict[str, list[PositionSection]] = defaultdict(list)
    cells: dict[str, dict[str, MatrixCell]] = defaultdict(dict)
    for issue in issue_ids:
        for party in party_ids:
            position = grid.at(issue, party)
            entry = position.entry
            cells[issue][party] = MatrixCell(
                stance=position.stance,
                since=position.since,
                since_exact=position.since_exact,
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
                    name=names.get(party, party),
                    role=roles[party],
                    stance=position.stance,
                    since=position.since,
                    since_exact=position.since_exact,
                    basis=entry.basis if entry else None,
                    condition=entry.condition if entry else None,
                    contested=position.contest,
                    evidence=_led_by_its_entry(reading, position.support, entry),
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
    filters = None
    if issues or parties:
        filters = Filters(
            issues=[IssueName(id=i.id, title=i.title) for i in catalog.issues if i.id in (issues or [])],
            parties=[Party(id=p, name=names.get(p, p), role=roles[p]) for p in party_ids] if parties else [],
            issues_left_out=[
                IssueName(id=i.id, title=i.title) for i in catalog.issues if issues and i.id not in issue_ids
            ],
            parties_left_out=[Party(id=p, name=names.get(p, p), role=roles[p]) for p in left_out_parties],
        )
    return Report(
        title=catalog.title,
        as_of=as_of,
        since=since,
        known_at=reading.known_at,
        corpus=corpus,
        filters=filters,
        parties=[Party(id=p, name=names.get(p, p), role=roles[p]) for p in party_ids],
        matrix=[
            MatrixRow(
                issue=i,
                title=titles[i].title,
                parent=titles[i].parent,
                status=grid.status[i],
                conditional=grid.conditional.get(i, []),
                cells=cells[i],
            )
            for i in issue_ids
        ],
        changes=changes,
        changes_left_out=changes_left_out,
        issue_changes=issue_changes,
        contested=[c for c in (changed.contested if changed else []) if not parties or c.party in parties],
        issues=[
            IssueSection(
                issue=i,
                title=titles[i].title,
                parent=titles[i].parent,
                parent_title=_title_of(titles, titles[i].parent),
                proposition=titles[i].proposition,
                status=grid.status[i],
                conditional=grid.conditional.get(i, []),
                issue_evidence=named_evidence.get(i, []),
                issue_evidence_total=named_totals.get(i, 0),
                positions=by_issue.get(i, []),
                positions_left_out=[p for p in left_out_parties if (i, p) in hidden],
            )
            for i in issue_ids
        ],
        sources=sources,
        sources_not_cited=not_cited,
    )


def _title_of(titles: dict[str, Issue], issue: str | None) -> str | None:
    return None if issue is None else titles[issue].title if issue in titles else issue


def _led_by_its_entry(reading: Reading, support: list[EvidenceRef], entry: Entry | None) -> list[EvidenceRef]:
    """The evidence behind a stance with the piece that moved the position into it first (the newest pieces are
    often restatements that mean little alone: "Russia has decidedly rejected that option."), then the others,
    newest first. When the newest pieces leave it out, it is read (one seek) and shown as well."""
    if entry is None or not support:
        return support
    if entry.backing <= len(support):  # all of it is here, newest first: the oldest entered the stance
        entered = support[-1]
        return [entered, *support[:-1]] if entered.move not in (None, Move.REAFFIRM.value) else support
    found = reading.rows(ENTERED, issue=entry.issue, party=entry.party, seq=entry.entered_seq)
    return [evidence_ref(found[0]), *support] if found else support


def _led_by_its_moves(reading: Reading, change: Change) -> Change:
    """A change with its evidence led by the pieces on its path of moves (in the path's order), then the others,
    newest first; a piece of the path the newest pieces leave out is read and shown as well."""
    path = [evidence for step in change.moves for evidence in step.evidence]
    shown = {ref.id: ref for ref in change.evidence}
    missing = [evidence for evidence in path if evidence not in shown]
    if missing:
        rows = reading.rows(MOVED_BY, issue=change.issue, party=change.party, ids=missing)
        shown.update({row["id"]: evidence_ref(row) for row in rows})
    lead = list(dict.fromkeys(evidence for evidence in path if evidence in shown))
    rest = [ref for ref in change.evidence if ref.id not in lead]
    return change.model_copy(update={"evidence": [shown[evidence] for evidence in lead] + rest})


def _entries_up_to(moves: list[HistoryMove], newest: Entry | None) -> int:
    """How many timeline entries a position has up to the report's date (its newest entry's number + 1)."""
    return newest.seq + 1 if newest is not None else len(moves)
