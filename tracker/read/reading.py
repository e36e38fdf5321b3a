"""One read of the store at one recorded time, and the pieces every answer is built from.

A `Reading` is bound to a snapshot and to the recorded time it answers at (now,
or `--known-at`): state, diff, history, the terminal UI's matrix and the
briefing all go through one, so a rule (what is held at a time, what a stance's
support is, what an issue's status is) lives here once. Its pieces:

- the catalogue held, and the issues and parties a filter selects;
- the position grid: each position's latest timeline entry as of a date (a seek
  per position in `ix_timeline_position_entries`), with, when asked, the
  newest evidence behind its stance, its contest and each issue's status;
- issue-level evidence, and the newest naming of each issue.

Rows are read by name; evidence is built into `EvidenceRef`s from the same
columns everywhere (`REF`).

The question asked most, where everything stands as of the newest day (or
later) as known now, is answered from the projection of the current positions
(`tracker.store.projection`: each position's newest entry and the newest
evidence behind its stance, pre-rendered, kept by every ingest) instead of the
timeline: the grid, with the newest `EVIDENCE_SHOWN` pieces or none, and each
issue's issue-level evidence. Any other question (a past day, `--known-at`,
every piece of evidence) reads the timeline.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from functools import lru_cache
from threading import Lock
from typing import Any, NamedTuple, Protocol, TypeVar

from pydantic import BaseModel

from tracker.domain.catalog import Catalog, Issue, Party, Role
from tracker.domain.machines import Stance
from tracker.domain.status import IssueNamed, carried_out, issue_status
from tracker.read.connection import END_OF_TIME, Snapshot, _date
from tracker.read.held import CATALOG_ISSUES, CATALOG_PARTIES, TITLE, held
from tracker.read.models import EVIDENCE_SHOWN, REF_FIELDS, Conditional, Contest, EvidenceRef
from tracker.store.projection import SHOWN as PROJECTED_SHOWN

Key = tuple[str, str]  # (issue, party)


def ref_columns(move: str = "t.move", not_applied: str = "t.not_applied") -> str:
    """The columns an `EvidenceRef` is read from, named as its fields (`e` evidence, `a` its article)."""
    return (
        'e.id AS id, e.article AS article, COALESCE(a.title, e.article) AS article_title, e.said_on AS "date", '
        "e.said_on_written AS said_on_written, e.said_at AS said_at, e.quote AS quote, e.speaker AS speaker, "
        "e.attribution AS attribution, "
        f"e.mode AS mode, e.stance AS stance, {move} AS move, {not_applied} AS not_applied, "
        "e.condition AS condition, CASE WHEN e.party IS NULL THEN COALESCE(e.kind, 'sticking_point') END AS kind, "
        'e.start AS start, e."end" AS "end", e.note AS note'
    )


REF = ref_columns()
ARTICLE = f"LEFT JOIN article a ON a.id = e.article AND {held('a')}"
EVIDENCE = f"JOIN evidence e ON e.row_id = t.evidence_row_id {ARTICLE}"
ENTRY = (
    "t.issue AS issue, t.party AS party, t.seq AS seq, t.entered_seq AS entered_seq, t.stance_from AS stance_from, "
    "t.stance_to AS stance_to, t.since AS since, t.backing AS backing, t.basis AS basis, "
    "t.condition AS held_condition, t.contested_on AS contested_on, t.valid_from AS valid_from, "
    "t.since_exact AS since_exact"
)
# The catalogue's positions (issue x party held), narrowed to `:issues` and `:parties`.
POSITIONS = (
    f"FROM issue i JOIN party p ON 1 = 1 WHERE {held('i')} AND {held('p')} AND i.id IN :issues AND p.id IN :parties"
)


def newest(column: str, nth: int = 0, applied: bool = False, as_of: str = ":as_of", column_of: str = "t.") -> str:
    """A scalar subquery: `column` of a position's (`i` x `p`) `nth` newest timeline entry said by `as_of` (the
    name of a parameter); `column` may be an expression of the entry `t` (`column_of` "")."""
    only = " AND t.move IS NOT NULL" if applied else ""
    return (
        f"(SELECT {column_of}{column} FROM timeline t WHERE t.issue = i.id AND t.party = p.id "
        f"AND t.valid_from <= {as_of} AND {held('t')}{only} "
        f"ORDER BY t.valid_from DESC, t.seq DESC LIMIT 1 OFFSET {nth})"
    )


# The columns of an `Entry`, in its order (rows made straight into entries).
ENTRY_FIELDS = (
    "t.issue, t.party, t.seq, t.entered_seq, t.stance_to, t.since, t.backing, t.basis, t.condition AS held_condition, "
    "t.contested_on, t.since_exact"
)
LATEST = (
    f"WITH positions AS MATERIALIZED (SELECT {newest('row_id')} AS newest {POSITIONS}) "
    f"SELECT {ENTRY_FIELDS} FROM timeline t WHERE t.row_id IN (SELECT newest FROM positions)"
)
# From the day each stance was entered (a position with no stance yet: from its newest entry), or from the
# day of its `:limit`-th newest applied entry when that is later: the entries behind the stance, with evidence.
SUPPORT = (
    "WITH newest AS MATERIALIZED (SELECT i.id AS issue, p.id AS party, "
    f"{newest('row_id')} AS row_id, {newest('valid_from', nth=EVIDENCE_SHOWN - 1, applied=True)} AS nth_applied "
    f"{POSITIONS}), positions AS MATERIALIZED (SELECT newest.issue AS issue, newest.party AS party, "
    "COALESCE(n.since, n.valid_from) AS start, newest.nth_applied AS nth_applied, n.entered_seq AS start_seq "
    "FROM newest JOIN timeline n ON n.row_id = newest.row_id) "
    f"SELECT {ENTRY}, {REF} FROM positions JOIN timeline t ON t.issue = positions.issue "
    "AND t.party = positions.party AND t.valid_from >= CASE WHEN :bounded = 1 AND positions.nth_applied "
    "> positions.start THEN positions.nth_applied ELSE positions.start END "
    f"AND t.valid_from <= :as_of AND t.seq >= positions.start_seq AND {held('t')} {EVIDENCE}"
)
# Each issue's issue-level evidence from the day of its `:skip`+1-th newest (every piece on that day and after, to
# be ordered exactly in Python), and how much there is: seeks and counts in the partial index
# `ix_evidence_issue_named`, before any evidence row is read.
LEVEL = f"e.issue = i.id AND e.party IS NULL AND e.said_on <= :as_of AND {held('e')}"
ISSUE_EVIDENCE = (
    f"WITH issues AS MATERIALIZED (SELECT i.id AS issue, (SELECT COUNT(*) FROM evidence e WHERE {LEVEL}) AS total, "
    f"COALESCE((SELECT e.said_on FROM evidence e WHERE {LEVEL} ORDER BY e.said_on DESC LIMIT 1 OFFSET :skip), "
    f":first_day) AS start FROM issue i WHERE i.id IN :issues AND {held('i')}) "
    f"SELECT issues.total AS total, e.issue AS issue, {ref_columns('NULL', 'NULL')} FROM issues JOIN evidence e "
    "ON e.issue = issues.issue AND e.party IS NULL AND e.said_on >= issues.start AND e.said_on <= :as_of "
    f"AND {held('e')} {ARTICLE}"
)


def _newest_named(kind: str) -> str:
    """A scalar subquery: the day of issue `i`'s newest asserted issue-level evidence by `:as_of` of `kind`."""
    return (
        "(SELECT e.said_on FROM evidence e WHERE e.issue = i.id AND e.party IS NULL AND e.mode = 'asserted' "
        f"AND e.said_on <= :as_of AND {held('e')}{kind} ORDER BY e.said_on DESC LIMIT 1)"
    )


# Each issue's newest asserted issue-level evidence, and its newest of each kind that weighs in its status: a
# seek each in `ix_evidence_issue_named` (a sticking point, the default, is stored as no kind).
NEWEST_NAMED = (
    f"SELECT i.id AS issue, {_newest_named('')} AS said_on, "
    f"{_newest_named(' AND e.kind IS NULL')} AS sticking_point_on, "
    f"{_newest_named(' AND e.kind = ' + repr('implemented'))} AS implemented_on, "
    f"{_newest_named(' AND e.kind = ' + repr('partly_implemented'))} AS partly_implemented_on "
    f"FROM issue i WHERE i.id IN :issues AND {held('i')}"
)
CONTESTED = (
    f"SELECT t.issue AS issue, t.party AS party, {REF} FROM timeline t {EVIDENCE} "
    "WHERE t.issue = :issue AND t.party = :party AND t.valid_from = :day AND t.not_applied = 'contested' "
    f"AND {held('t')} ORDER BY t.seq"
)
NEWEST_DATE = (
    f"SELECT MAX(newest) AS newest FROM (SELECT MAX(t.valid_from) AS newest FROM timeline t WHERE {held('t')} "
    f"UNION ALL SELECT MAX(e.said_on) AS newest FROM evidence e WHERE e.party IS NULL AND {held('e')}) dates"
)
# The projection of the current positions (`tracker.store.projection`): the newest entries, with or without the
# evidence behind each stance (and its contest); each issue's issue-level evidence and the days its status weighs.
PROJECTED = (
    "SELECT p.issue AS issue, p.party AS party, p.seq AS seq, p.entered_seq AS entered_seq, p.stance_to AS stance_to, "
    "p.since AS since, p.backing AS backing, p.basis AS basis, p.condition AS held_condition, "
    "p.contested_on AS contested_on, p.since_exact AS since_exact{refs} FROM position_now p "
    "WHERE p.issue IN :issues AND p.party IN :parties"
)
PROJECTED_ENTRIES = PROJECTED.format(refs="")
PROJECTED_SUPPORT = PROJECTED.format(refs=", p.evidence_digest AS evidence_digest, p.contest AS contest")
PROJECTED_POSITION_TEXTS = (
    "SELECT p.evidence_digest AS evidence_digest, p.evidence AS evidence FROM position_now p "
    "WHERE p.issue IN :issues AND p.party IN :parties"
)
PROJECTED_ISSUE = (
    "SELECT n.issue AS issue{refs}, n.evidence_total AS evidence_total, n.said_on AS said_on, "
    "n.sticking_point_on AS sticking_point_on, n.implemented_on AS implemented_on, "
    "n.partly_implemented_on AS partly_implemented_on FROM issue_now n WHERE n.issue IN :issues"
)
PROJECTED_NAMED = PROJECTED_ISSUE.format(refs="")
PROJECTED_ISSUES = PROJECTED_ISSUE.format(refs=", n.evidence_digest AS evidence_digest")
PROJECTED_ISSUE_TEXTS = (
    "SELECT n.evidence_digest AS evidence_digest, n.evidence AS evidence FROM issue_now n WHERE n.issue IN :issues"
)
FIXTURE_DIGESTS = "SELECT key, value FROM tracker_meta WHERE key LIKE 'fixture:%'"
FIRST_RECORDED = "SELECT MIN(recorded_at) AS first_recorded FROM ingest"


class Holding(Protocol):
    """What an issue's status weighs of a position: the stance it holds and since when (an `Entry`, or a
    `Held` where nothing else of the entry is read)."""

    @property
    def stance_to(self) -> str: ...

    @property
    def since(self) -> date | None: ...


class Held(NamedTuple):
    """A position's stance as of a date, and since when."""

    stance_to: str
    since: date | None


class Entry(NamedTuple):
    """A position's latest timeline entry as of a date: what it stood at then."""

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
    since_exact: bool = True  # False: the stance was entered on a recap's word, held *by* `since`


def entry(row: dict[str, Any]) -> Entry:
    return Entry(
        row["issue"],
        row["party"],
        row["seq"],
        row["entered_seq"],
        row["stance_to"],
        row["since"],
        row["backing"],
        row["basis"],
        row["held_condition"],
        row["contested_on"],
        bool(row.get("since_exact", True)),  # (a status history reads no such column: it weighs stances only)
    )


def entries_of(rows: list[list[Any]]) -> dict[Key, Entry]:
    """Rows whose first columns are an `Entry`'s fields in its order (`Snapshot.tuples`), as entries by position;
    columns after them are left to the caller."""
    found: dict[Key, Entry] = {}
    for values in rows:
        values[10] = bool(values[10])  # since_exact (SQLite keeps a boolean as 0 or 1)
        found[(values[0], values[1])] = Entry._make(values[:11])
    return found


def evidence_ref(row: dict[str, Any]) -> EvidenceRef:
    return all_set(EvidenceRef, REF_FIELDS_SET, {name: row[name] for name in REF_FIELDS})


_Model = TypeVar("_Model", bound=BaseModel)
_new = object.__new__
_set = object.__setattr__


def all_set(model: type[_Model], fields: set[str], values: dict[str, Any]) -> _Model:
    """A model from checked values, as `trusted` builds it, where `values` sets every field: `fields`, the set of
    their names, is shared by every model built so (see `REF_FIELDS_SET`)."""
    built = _new(model)
    _set(built, "__dict__", values)
    _set(built, "__pydantic_fields_set__", fields)
    _set(built, "__pydantic_extra__", None)
    _set(built, "__pydantic_private__", None)
    return built


_time = lru_cache(maxsize=4096)(time.fromisoformat)
# Every field of an `EvidenceRef` built from the projection is set, so one set of their names serves them all: a
# set per model, thousands per answer, would cost as much as the rest of the model (pydantic only ever adds a name
# already in it, on assignment, or copies it).
REF_FIELDS_SET = set(REF_FIELDS)


def decoded(texts: list[str]) -> list[Any]:
    """JSON texts decoded in one call (a thousand calls cost more than the decoding)."""
    return list(json.loads(f"[{','.join(texts)}]"))


class BuiltEvidence:
    """The projection's evidence built into `EvidenceRef`s once per process, keyed by the digest of its text.

    A text of the projection is the whole of a position's (or an issue's) newest evidence as the last ingest that
    touched it wrote it, kept with its digest (`tracker.store.projection.digest`): the same digest always builds
    the same evidence, and a text an ingest rewrote has a new one, so nothing kept is ever stale. A read gets the
    digests first and the texts only of those not built yet; a process that reads the state again (the terminal
    UI, a notebook, a service) builds only what changed. Each answer gets lists of its own; the evidence in them
    is shared, and frozen (an `EvidenceRef` cannot be assigned to). At most `KEPT` texts are kept.
    """

    KEPT = 5_000  # about 20 MB of evidence at ten pieces a position

    def __init__(self) -> None:
        self._built: dict[str, list[EvidenceRef]] = {}
        self._lock = Lock()

    def __call__(self, digests: list[str], texts: Callable[[], dict[str, str]]) -> list[list[EvidenceRef]]:
        """The evidence of each digest; `texts` reads the texts by digest, called only if one is missing."""
        with self._lock:
            built = self._built
            missing = [found for found in dict.fromkeys(digests) if found not in built]
            if missing:
                if len(built) + len(missing) > self.KEPT:
                    built = self._built = {found: built[found] for found in digests if found in built}
                text_of = texts()
                for found, refs in zip(missing, decoded([text_of[found] for found in missing]), strict=True):
                    built[found] = projected_refs(refs)
            return [list(built[found]) for found in digests]


built_evidence = BuiltEvidence()


def projected_refs(refs: list[list[Any]]) -> list[EvidenceRef]:
    """Evidence as the projection keeps it, arrays in `tracker.store.projection.REF_ORDER` (decoded from its
    JSON), built into `EvidenceRef`s as `trusted` builds them (thousands per answer: the loop is written out)."""
    found = []
    for (
        ref_id,
        article,
        title,
        day,
        written,
        said_at,
        quote,
        speaker,
        attribution,
        mode,
        stance,
        move,
        not_applied,
        condition,
        kind,
        start,
        end,
        note,
    ) in refs:
        ref = _new(EvidenceRef)
        _set(
            ref,
            "__dict__",
            {
                "id": ref_id,
                "article": article,
                "article_title": title,
                "date": _date(day),
                "said_on_written": written,
                "said_at": None if said_at is None else _time(said_at),
                "quote": quote,
                "speaker": speaker,
                "attribution": attribution,
                "mode": mode,
                "stance": stance,
                "move": move,
                "not_applied": not_applied,
                "condition": condition,
                "kind": kind,
                "start": start,
                "end": end,
                "note": note,
            },
        )
        _set(ref, "__pydantic_fields_set__", REF_FIELDS_SET)
        _set(ref, "__pydantic_extra__", None)
        _set(ref, "__pydantic_private__", None)
        found.append(ref)
    return found


def stance_of(found: Holding | None) -> tuple[Stance, date | None]:
    """The stance a position's latest entry leaves it in, and since when (unknown, None: no entry)."""
    return (STANCES[found.stance_to], found.since) if found else (Stance.UNKNOWN, None)


STANCES = {stance.value: stance for stance in Stance}  # a lookup, not an enum call: a thousand per answer


@dataclass
class Position:
    """One cell of the grid: the latest entry, and (when asked) the newest evidence behind the stance."""

    entry: Entry | None
    support: list[EvidenceRef] = field(default_factory=list)
    contest: Contest | None = None

    @property
    def stance(self) -> Stance:
        return stance_of(self.entry)[0]

    @property
    def since(self) -> date | None:
        return stance_of(self.entry)[1]

    @property
    def since_exact(self) -> bool:
        return self.entry.since_exact if self.entry else True


@dataclass
class Grid:
    """Every selected position as of a date, and each selected issue's status (which weighs every party)."""

    as_of: date
    issues: list[str]
    parties: list[str]
    entries: dict[Key, Entry]  # each position's latest entry (none: no stance yet); selected or weighed for a status
    positions: dict[Key, Position]  # each selected position, with the evidence behind its stance (only when asked)
    status: dict[str, str]
    conditional: dict[str, list[Conditional]] = field(default_factory=dict)  # issue -> conditions (see conditions_at)
    # Read with the grid from the projection, when it answered: each issue's issue-level evidence and totals.
    issue_evidence: tuple[dict[str, list[EvidenceRef]], dict[str, int]] | None = None

    def at(self, issue: str, party: str) -> Position:
        found = self.positions.get((issue, party))
        return found if found is not None else Position(self.entries.get((issue, party)))


class Reading:
    """What the tracker holds at `known_at` (None: now), read through one snapshot."""

    def __init__(self, snapshot: Snapshot, known_at: datetime | None = None, projected: bool = True) -> None:
        self.snapshot = snapshot
        self.known_at = known_at
        self.projected = projected  # False: every answer from the timeline (`tracker check` compares the two)
        self._catalog: Catalog | None = None
        self._newest: list[date | None] = []  # the newest day, once read

    def now(self) -> Reading:
        """The same snapshot, read as held now."""
        return self if self.known_at is None else Reading(self.snapshot)

    def rows(self, sql: str, **params: Any) -> list[dict[str, Any]]:
        return self.snapshot.rows(sql, known_at=self.known_at or END_OF_TIME, **params)

    def tuples(self, sql: str, **params: Any) -> list[list[Any]]:
        return self.snapshot.tuples(sql, known_at=self.known_at or END_OF_TIME, **params)

    def catalog(self) -> Catalog:
        """The catalogue held (read once per reading)."""
        if self._catalog is None:
            issues = tuple(
                Issue(
                    id=row["id"],
                    title=row["title"],
                    proposition=row["proposition"],
                    aliases=tuple(json.loads(row["aliases"])),
                    parent=row["parent"],
                )
                for row in self.rows(CATALOG_ISSUES)
            )
            parties = tuple(
                Party(
                    id=row["id"],
                    name=row["name"],
                    aliases=tuple(json.loads(row["aliases"])),
                    role=Role(row["role"]),
                )
                for row in self.rows(CATALOG_PARTIES)
            )
            title = self.snapshot.scalar(TITLE)
            self._catalog = Catalog(issues=issues, parties=parties, **({"title": title} if title else {}))
        return self._catalog

    def fixture_digests(self) -> dict[str, tuple[str, list[str]]]:
        """What each article's fixture was when its evidence was last stored from one, by the fixture's resolved
        path: the article, and the digest's fields (`tracker.ingest.corpus.FixtureDigest`)."""
        found = {}
        for row in self.snapshot.rows(FIXTURE_DIGESTS):
            digest = json.loads(row["value"])
            found[digest[0]] = (row["key"].removeprefix("fixture:"), digest)
        return found

    def newest_date(self) -> date | None:
        """The day of the newest evidence held (a move of a position, or an issue named)."""
        found = self.rows(NEWEST_DATE)
        value = found[0]["newest"] if found else None
        return date.fromisoformat(value) if isinstance(value, str) else value

    def answers_now(self, as_of: date) -> bool:
        """Whether the projection of the current positions answers as of `as_of`: known now, and as of the newest
        day held or later (when nothing said after `as_of` is held)."""
        if not self.projected or self.known_at is not None:
            return False
        if not self._newest:
            self._newest.append(self.newest_date())
        newest = self._newest[0]
        return newest is None or as_of >= newest

    def first_recorded(self) -> datetime | None:
        """When the first ingest was recorded: nothing is known at any earlier time."""
        value: datetime | None = self.snapshot.scalar(FIRST_RECORDED)
        return value

    def selection(self, issues: list[str] | None, parties: list[str] | None) -> tuple[list[str], list[str]]:
        """The catalogue's issue and party ids, in catalogue order, narrowed to the filters given (an issue
        named brings its sub-issues)."""
        catalog = self.catalog()
        return (
            catalog.with_children(issues) if issues else catalog.issue_ids(),
            [p for p in catalog.party_ids() if not parties or p in parties],
        )

    def latest(self, as_of: date, issues: list[str], parties: list[str]) -> dict[Key, Entry]:
        """For each position, its latest timeline entry said by `as_of` (positions with none are absent)."""
        return entries_of(self.tuples(LATEST, as_of=as_of, issues=issues, parties=parties))

    def supported(
        self, as_of: date, issues: list[str], parties: list[str], limit: int | None = EVIDENCE_SHOWN
    ) -> tuple[dict[Key, Entry], dict[Key, list[EvidenceRef]]]:
        """Each position's latest entry, and the evidence behind its stance, newest first: the newest `limit`
        (all, when None); the entry's `backing` counts them all.

        One query: a seek per position for the day it entered its stance, then its entries from that day on.
        """
        if limit is not None and limit != EVIDENCE_SHOWN:
            raise ValueError(f"the support of a stance is read {EVIDENCE_SHOWN} or all at a time")
        rows = self.rows(SUPPORT, as_of=as_of, issues=issues, parties=parties, bounded=int(limit is not None))
        by_position: dict[Key, list[dict[str, Any]]] = defaultdict(list)
        for row in rows:
            by_position[(row["issue"], row["party"])].append(row)
        latest: dict[Key, Entry] = {}
        support: dict[Key, list[EvidenceRef]] = {}
        for key, found in by_position.items():
            found.sort(key=lambda row: row["seq"], reverse=True)
            newest_entry = latest[key] = entry(found[0])
            behind = [row for row in found if row["seq"] >= newest_entry.entered_seq and row["move"] is not None]
            support[key] = [evidence_ref(row) for row in behind[:limit]]
        return latest, support

    def contests(self, latest: dict[Key, Entry]) -> dict[Key, Contest]:
        """For each position contested at its latest entry, the day and the evidence of equal rank that disagreed."""
        found: dict[Key, Contest] = {}
        for key, held_entry in latest.items():
            if held_entry.contested_on is not None:
                rows = self.rows(CONTESTED, issue=key[0], party=key[1], day=held_entry.contested_on)
                refs = [evidence_ref(row) for row in rows]
                found[key] = Contest.model_construct(on=held_entry.contested_on, evidence=refs)
        return found

    def issue_evidence(
        self, as_of: date, issues: list[str], limit: int | None = EVIDENCE_SHOWN
    ) -> tuple[dict[str, list[EvidenceRef]], dict[str, int]]:
        """Each issue's issue-level evidence said by `as_of`, newest first (the newest `limit`; all when None),
        and how much there is."""
        if limit == PROJECTED_SHOWN and self.answers_now(as_of):
            found_now, totals_now, _ = self._projected_issues(issues)
            return found_now, totals_now
        skip = limit - 1 if limit is not None else 2**31
        rows = self.rows(ISSUE_EVIDENCE, as_of=as_of, issues=issues, skip=skip, first_day=date.min)
        found: dict[str, list[EvidenceRef]] = defaultdict(list)
        totals: dict[str, int] = {}
        for row in rows:
            found[row["issue"]].append(evidence_ref(row))
            totals[row["issue"]] = row["total"]
        for refs in found.values():
            refs.sort(key=_newest_first)
            del refs[limit if limit is not None else len(refs) :]
        return found, totals

    def newest_named(self, as_of: date, issues: list[str]) -> dict[str, IssueNamed]:
        """For each issue, the days of its newest asserted issue-level evidence said by `as_of`, of any kind and
        of each kind that weighs in a status: a seek each."""
        return {
            row["issue"]: IssueNamed(
                row["said_on"], row["sticking_point_on"], row["implemented_on"], row["partly_implemented_on"]
            )
            for row in self.rows(NEWEST_NAMED, as_of=as_of, issues=issues)
            if row["said_on"] is not None
        }

    def statuses(self, as_of: date, issues: list[str], latest: Mapping[Key, Holding] | None = None) -> dict[str, str]:
        """Each issue's status as of `as_of`, weighing every negotiator of the catalogue (`latest` when it has
        them; mediators' and observers' stances never make or block a status)."""
        negotiators = self.catalog().negotiator_ids()
        if latest is None:
            latest = self.latest(as_of, issues, negotiators)
        named = self.newest_named(as_of, issues)
        return {issue: status_at(issue, negotiators, latest, named.get(issue)) for issue in issues}

    def grid(
        self,
        as_of: date,
        issues: list[str] | None = None,
        parties: list[str] | None = None,
        evidence: int | None = 0,
    ) -> Grid:
        """The one position grid: every selected position as of `as_of`, and each selected issue's status.

        With `evidence` 0 only the latest entries are read (the matrix); otherwise the newest `evidence` pieces
        behind each stance (all, when None) and each contest too (state, the briefing).
        """
        issue_ids, party_ids = self.selection(issues, parties)
        if evidence in (0, PROJECTED_SHOWN) and self.answers_now(as_of):
            return self._projected_grid(as_of, issue_ids, party_ids, bool(evidence))
        contests: dict[Key, Contest] = {}
        support: dict[Key, list[EvidenceRef]] = {}
        if evidence == 0:
            latest = self.latest(as_of, issue_ids, party_ids)
        else:
            latest, support = self.supported(as_of, issue_ids, party_ids, evidence)
            contests = self.contests(latest)
        # Statuses weigh every negotiator, shown or not: the entries read serve when they cover them.
        negotiators = self.catalog().negotiator_ids()
        whole = latest if set(negotiators) <= set(party_ids) else self.latest(as_of, issue_ids, negotiators)
        positions = (
            {
                (issue, party): Position(
                    latest.get((issue, party)), support.get((issue, party), []), contests.get((issue, party))
                )
                for issue in issue_ids
                for party in party_ids
            }
            if evidence != 0
            else {}  # the matrix reads the entries alone (`Grid.at` makes a position of one when asked)
        )
        statuses = self.statuses(as_of, issue_ids, whole)
        conditional = {
            issue: found
            for issue in issue_ids
            if statuses[issue] != "not_on_agenda" and (found := conditions_at(issue, negotiators, whole))
        }
        return Grid(as_of, issue_ids, party_ids, latest, positions, statuses, conditional)

    def _texts(self, sql: str, **params: Any) -> dict[str, str]:
        """Projected evidence texts by their digests."""
        return {row["evidence_digest"]: row["evidence"] for row in self.rows(sql, **params)}

    def _projected_issues(
        self, issues: list[str], evidence: bool = True
    ) -> tuple[dict[str, list[EvidenceRef]], dict[str, int], dict[str, IssueNamed]]:
        """From the projection: each issue's newest issue-level evidence (unless not `evidence`), its total, and
        the days it was named."""
        found: dict[str, list[EvidenceRef]] = {}
        totals: dict[str, int] = {}
        named: dict[str, IssueNamed] = {}
        rows = self.rows(PROJECTED_ISSUES if evidence else PROJECTED_NAMED, issues=issues)
        refs = (
            built_evidence(
                [row["evidence_digest"] for row in rows], lambda: self._texts(PROJECTED_ISSUE_TEXTS, issues=issues)
            )
            if evidence
            else []
        )
        for n, row in enumerate(rows):
            issue = row["issue"]
            if evidence:
                found[issue] = refs[n]
            totals[issue] = row["evidence_total"]
            if row["said_on"] is not None:
                named[issue] = IssueNamed(
                    row["said_on"], row["sticking_point_on"], row["implemented_on"], row["partly_implemented_on"]
                )
        return found, totals, named

    def _projected_grid(self, as_of: date, issue_ids: list[str], party_ids: list[str], evidence: bool) -> Grid:
        """The grid from the projection of the current positions: what `grid` reads from the timeline, as of the
        newest day or later, known now."""
        negotiators = self.catalog().negotiator_ids()
        shown = set(party_ids)
        read = party_ids if shown.issuperset(negotiators) else sorted({*party_ids, *negotiators})
        # Rows as lists: an entry's fields in its order, then (with the evidence) its digest and contest.
        rows = self.tuples(PROJECTED_SUPPORT if evidence else PROJECTED_ENTRIES, issues=issue_ids, parties=read)
        latest = entries_of(rows)
        positions = (
            {(issue, party): Position(latest.get((issue, party))) for issue in issue_ids for party in party_ids}
            if evidence
            else {}
        )
        if evidence:
            rows = [values for values in rows if values[1] in shown]  # not the negotiators read for statuses only
            supports = built_evidence(
                [values[11] for values in rows],
                lambda: self._texts(PROJECTED_POSITION_TEXTS, issues=issue_ids, parties=party_ids),
            )
            for values, support in zip(rows, supports, strict=True):
                held_position = positions[(values[0], values[1])]
                held_position.support = support
                if values[12] is not None:
                    held_position.contest = Contest.model_construct(
                        on=values[9], evidence=projected_refs(json.loads(values[12]))
                    )
        found, totals, named = self._projected_issues(issue_ids, evidence)
        statuses = {issue: status_at(issue, negotiators, latest, named.get(issue)) for issue in issue_ids}
        conditional = {
            issue: conditions
            for issue in issue_ids
            if statuses[issue] != "not_on_agenda" and (conditions := conditions_at(issue, negotiators, latest))
        }
        return Grid(
            as_of, issue_ids, party_ids, latest, positions, statuses, conditional, (found, totals) if evidence else None
        )


def _newest_first(ref: EvidenceRef) -> tuple[Any, ...]:
    """Issue-level evidence newest first: by day, time of day (untimed last), place in the text; then the quote,
    the article and the id in code-point order, so that no two pieces tie."""
    return (
        -ref.date.toordinal(),
        ref.said_at is None,
        _negated_time(ref.said_at),
        -ref.start,
        ref.quote,
        ref.article,
        ref.id,
    )


def _negated_time(moment: time | None) -> int:
    return (
        0 if moment is None else -(moment.hour * 3600 + moment.minute * 60 + moment.second) * 10**6 - moment.microsecond
    )


def status_at(issue: str, party_ids: list[str], latest: Mapping[Key, Holding], named: IssueNamed | None) -> str:
    """An issue's status from the negotiators' (`party_ids`) latest entries and the days of the newest issue-level
    evidence naming it (`named`).

    A negated or hypothetical "sticking point" puts nothing on the agenda (`named` counts asserted evidence
    only). Named a sticking point on the day of the last move, or after it: the issue is not settled. An agreement
    that evidence on the day it was reached, or after, says is carried out is `implemented` (in part:
    `partly_implemented`).
    """
    found = [latest[(issue, p)] for p in party_ids if (issue, p) in latest]
    stances = [stance_of(latest.get((issue, p)))[0] for p in party_ids]
    latest_since = max((f.since for f in found if f.since is not None), default=None)
    sticking = named.sticking_point if named is not None else None
    reopened = sticking is not None and latest_since is not None and sticking >= latest_since
    return issue_status(stances, named is not None, reopened, carried_out(named, latest_since))


def conditions_at(issue: str, party_ids: list[str], latest: dict[Key, Entry]) -> list[Conditional]:
    """The negotiators' (`party_ids`) stances on an issue held on a condition: a status resting on them is
    conditional."""
    return [
        Conditional(party=party, condition=held.condition)
        for party in party_ids
        if (held := latest.get((issue, party))) is not None and held.condition and held.stance_to != "unknown"
    ]
