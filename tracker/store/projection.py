"""The projection of the current positions: what `state` and the matrix answer as of the newest day, known now.

The timeline answers any question, as of any day and at any recorded time, by
seeking each position's entries and the evidence behind its stance. The
question asked most ("where does everything stand now") is always the same,
so its answer is kept: `position_now` holds each position's newest entry and
the newest evidence behind its stance (and the evidence contesting it), and
`issue_now` each issue's newest issue-level evidence, its total and the days
its status weighs, the evidence pre-rendered as JSON arrays (`REF_ORDER`), each text with its digest.

Each ingest rewrites, in its own transaction, the rows of what it changed: the
positions it replayed, the issues whose issue-level evidence it added or
superseded, and everything resting on an article it gave a new version of
(titles are shown with each quote). So the projection is always what the
timeline answers as of its newest day; it depends on nothing else (not the
catalogue: roles and statuses are weighed when read). The SQL mirrors the read
path's (`tracker.read.reading`, at the end of time and known now); `tracker
check` and the property tests hold the two to the same answers.

Nothing here loads SQLAlchemy at import: a read imports `REF_ORDER` only.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from datetime import date, time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

PositionKey = tuple[str, str]
# How the projection's SQL is run: rows by name, `:name` parameters, a list parameter spread over placeholders
# (the caller's write transaction here; a read snapshot in `tracker check`).
Rows = Callable[..., list[dict[str, Any]]]

# A piece of evidence as the projection keeps it: a JSON array of these `EvidenceRef` fields, in this order
# (dates and times in ISO form). A test holds it to the model's fields.
REF_ORDER = (
    "id",
    "article",
    "article_title",
    "date",
    "said_on_written",
    "said_at",
    "quote",
    "speaker",
    "attribution",
    "mode",
    "stance",
    "move",
    "not_applied",
    "condition",
    "kind",
    "start",
    "end",
    "note",
)
SHOWN = 10  # pieces of evidence kept per position and issue: `EVIDENCE_SHOWN`, what state lists by default
BATCH = 200  # positions or issues computed per statement

LIVE_T = "t.superseded_at IS NULL"
ARTICLE = "LEFT JOIN article a ON a.id = e.article AND a.superseded_at IS NULL"


def _ref_columns(move: str, not_applied: str) -> str:
    return (
        'e.id AS id, e.article AS article, COALESCE(a.title, e.article) AS article_title, e.said_on AS "date", '
        "e.said_on_written AS said_on_written, e.said_at AS said_at, e.quote AS quote, e.speaker AS speaker, "
        f"e.attribution AS attribution, e.mode AS mode, e.stance AS stance, {move} AS move, "
        f"{not_applied} AS not_applied, e.condition AS condition, "
        "CASE WHEN e.party IS NULL THEN COALESCE(e.kind, 'sticking_point') END AS kind, "
        'e.start AS start, e."end" AS "end", e.note AS note'
    )


ENTRY = (
    "t.issue AS issue, t.party AS party, t.seq AS seq, t.entered_seq AS entered_seq, t.stance_to AS stance_to, "
    "t.since AS since, t.since_exact AS since_exact, t.backing AS backing, t.basis AS basis, "
    "t.condition AS held_condition, t.contested_on AS contested_on"
)


def _newest(column: str, nth: int = 0, applied: bool = False) -> str:
    only = " AND t.move IS NOT NULL" if applied else ""
    return (
        f"(SELECT t.{column} FROM timeline t WHERE t.issue = w.issue AND t.party = w.party AND {LIVE_T}{only} "
        f"ORDER BY t.valid_from DESC, t.seq DESC LIMIT 1 OFFSET {nth})"
    )


def _support(wanted: str) -> str:
    """Each wanted position's entries from the day it entered its stance (or from its `SHOWN`-th newest applied
    entry's day, when later), with their evidence: `tracker.read.reading.SUPPORT` at the end of time."""
    return (
        f"WITH wanted(issue, party) AS ({wanted}), newest AS MATERIALIZED (SELECT w.issue AS issue, "
        f"w.party AS party, {_newest('row_id')} AS row_id, {_newest('valid_from', SHOWN - 1, applied=True)} "
        "AS nth_applied FROM wanted w), positions AS MATERIALIZED (SELECT newest.issue AS issue, "
        "newest.party AS party, COALESCE(n.since, n.valid_from) AS start, newest.nth_applied AS nth_applied, "
        "n.entered_seq AS start_seq FROM newest JOIN timeline n ON n.row_id = newest.row_id) "
        f"SELECT {ENTRY}, {_ref_columns('t.move', 't.not_applied')} FROM positions JOIN timeline t "
        "ON t.issue = positions.issue AND t.party = positions.party AND t.valid_from >= CASE WHEN "
        "positions.nth_applied > positions.start THEN positions.nth_applied ELSE positions.start END "
        f"AND t.seq >= positions.start_seq AND {LIVE_T} JOIN evidence e ON e.row_id = t.evidence_row_id {ARTICLE}"
    )


CONTESTED = (
    f"SELECT t.seq AS seq, {_ref_columns('t.move', 't.not_applied')} FROM timeline t "
    f"JOIN evidence e ON e.row_id = t.evidence_row_id {ARTICLE} WHERE t.issue = :issue AND t.party = :party "
    f"AND t.valid_from = :day AND t.not_applied = 'contested' AND {LIVE_T} ORDER BY t.seq"
)

LEVEL = "e.issue = w.issue AND e.party IS NULL AND e.superseded_at IS NULL"


def _issue_evidence(wanted: str) -> str:
    """Each wanted issue's issue-level evidence from the day of its `SHOWN`-th newest, and how much there is:
    `tracker.read.reading.ISSUE_EVIDENCE` at the end of time."""
    return (
        f"WITH wanted(issue) AS ({wanted}), issues AS MATERIALIZED (SELECT w.issue AS issue, "
        f"(SELECT COUNT(*) FROM evidence e WHERE {LEVEL}) AS total, (SELECT e.said_on FROM evidence e "
        f"WHERE {LEVEL} ORDER BY e.said_on DESC LIMIT 1 OFFSET {SHOWN - 1}) AS start FROM wanted w) "
        f"SELECT issues.total AS total, e.issue AS issue, {_ref_columns('NULL', 'NULL')} FROM issues "
        "JOIN evidence e ON e.issue = issues.issue AND e.party IS NULL "
        f"AND (issues.start IS NULL OR e.said_on >= issues.start) AND e.superseded_at IS NULL {ARTICLE}"
    )


def _named(kind: str) -> str:
    return (
        f"(SELECT e.said_on FROM evidence e WHERE {LEVEL} AND e.mode = 'asserted'{kind} "
        "ORDER BY e.said_on DESC LIMIT 1)"
    )


def _newest_named(wanted: str) -> str:
    """Each wanted issue's newest asserted issue-level evidence, of any kind and of each kind a status weighs:
    `tracker.read.reading.NEWEST_NAMED` at the end of time."""
    return (
        f"WITH wanted(issue) AS ({wanted}) SELECT w.issue AS issue, {_named('')} AS said_on, "
        f"{_named(' AND e.kind IS NULL')} AS sticking_point_on, "
        f"{_named(' AND e.kind = ' + repr('implemented'))} AS implemented_on, "
        f"{_named(' AND e.kind = ' + repr('partly_implemented'))} AS partly_implemented_on FROM wanted w"
    )


LIVE_POSITIONS = f"SELECT DISTINCT t.issue AS issue, t.party AS party FROM timeline t WHERE {LIVE_T}"
LIVE_ISSUES = "SELECT DISTINCT e.issue AS issue FROM evidence e WHERE e.party IS NULL AND e.superseded_at IS NULL"
RESTING_ON_ARTICLES = (
    "SELECT DISTINCT e.issue AS issue, e.party AS party FROM article a JOIN evidence e ON e.article = a.id "
    "AND e.superseded_at IS NULL WHERE a.row_id IN :rows"
)
ISSUES_OF_EVIDENCE = "SELECT DISTINCT e.issue AS issue FROM evidence e WHERE e.party IS NULL AND e.row_id IN :rows"


def _day(value: Any) -> date | None:
    """A date as the driver returns it (SQLite: ISO text)."""
    return date.fromisoformat(value) if isinstance(value, str) else value


def _moment(value: Any) -> time | None:
    return time.fromisoformat(value) if isinstance(value, str) else value


def _ref(row: dict[str, Any]) -> list[Any]:
    """A piece of evidence as the projection keeps it (`REF_ORDER`), its day and time typed."""
    values = [row[name] for name in REF_ORDER]
    values[3] = _day(values[3])
    values[5] = _moment(values[5])
    return values


def _json(refs: list[list[Any]]) -> str:
    shown = [[value.isoformat() if isinstance(value, (date, time)) else value for value in ref] for ref in refs]
    # Escaped to ASCII: a text of one byte per character decodes a third faster, whatever the quotes hold.
    return json.dumps(shown, separators=(",", ":"))


def digest(text: str) -> str:
    """The digest of a projected evidence text, kept beside it: a reader that built that text's evidence before
    knows it again without reading the text (`tracker.read.reading.BuiltEvidence`)."""
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def _newest_first(ref: list[Any]) -> tuple[Any, ...]:
    """Issue-level evidence newest first, as `tracker.read.reading._newest_first` orders it."""
    said_at: time | None = ref[5]
    negated = (
        0
        if said_at is None
        else -(said_at.hour * 3600 + said_at.minute * 60 + said_at.second) * 10**6 - said_at.microsecond
    )
    return (-ref[3].toordinal(), said_at is None, negated, -ref[15], ref[6], ref[1], ref[0])


class _Rows:
    """SQL of this module run on the caller's connection: rows as dicts; a list parameter spread over placeholders."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def __call__(self, sql: str, **params: Any) -> list[dict[str, Any]]:
        from sqlalchemy import bindparam, text

        statement = text(sql)
        lists = [name for name, value in params.items() if isinstance(value, list)]
        if lists:
            statement = statement.bindparams(*(bindparam(name, expanding=True) for name in lists))
        return [dict(row._mapping) for row in self.conn.execute(statement, params)]


def _values(keys: list[tuple[str, ...]]) -> tuple[str, dict[str, str]]:
    """A VALUES list of `keys` as bound parameters."""
    params: dict[str, str] = {}
    rows = []
    for n, key in enumerate(keys):
        names = []
        for k, value in enumerate(key):
            params[f"v{n}_{k}"] = value
            names.append(f":v{n}_{k}")
        rows.append(f"({', '.join(names)})")
    return f"VALUES {', '.join(rows)}", params


def _batches(keys: Iterable[Any]) -> Iterator[list[Any]]:
    ordered = sorted(keys)
    for start in range(0, len(ordered), BATCH):
        yield ordered[start : start + BATCH]


def position_rows(rows: Rows, positions: list[PositionKey]) -> list[dict[str, Any]]:
    """The projection rows of `positions` (those with a live timeline entry), as `PositionNowRow`'s fields."""
    wanted, params = _values(list(positions))
    by_position: dict[PositionKey, list[dict[str, Any]]] = defaultdict(list)
    for row in rows(_support(wanted), **params):
        by_position[(row["issue"], row["party"])].append(row)
    found = []
    for (issue, party), entries in sorted(by_position.items()):
        # As the read path does: the newest entry is the last replayed, and the evidence behind its stance the
        # applied entries from the one that entered it.
        entries.sort(key=lambda row: row["seq"], reverse=True)
        newest = entries[0]
        behind = [_ref(row) for row in entries if row["seq"] >= newest["entered_seq"] and row["move"] is not None]
        contested_on = _day(newest["contested_on"])
        contest = None
        if contested_on is not None:
            contest = _json(
                [_ref(row) for row in rows(CONTESTED, issue=issue, party=party, day=newest["contested_on"])]
            )
        found.append(
            dict(
                issue=issue,
                party=party,
                seq=newest["seq"],
                entered_seq=newest["entered_seq"],
                stance_to=newest["stance_to"],
                since=_day(newest["since"]),
                since_exact=bool(newest["since_exact"]),
                backing=newest["backing"],
                basis=newest["basis"],
                condition=newest["held_condition"],
                contested_on=contested_on,
                evidence=(evidence := _json(behind[:SHOWN])),
                evidence_digest=digest(evidence),
                contest=contest,
            )
        )
    return found


def issue_rows(rows: Rows, issues: list[str]) -> list[dict[str, Any]]:
    """The projection rows of `issues` (those with live issue-level evidence), as `IssueNowRow`'s fields."""
    wanted, params = _values([(issue,) for issue in issues])
    refs: dict[str, list[list[Any]]] = defaultdict(list)
    totals: dict[str, int] = {}
    for row in rows(_issue_evidence(wanted), **params):
        refs[row["issue"]].append(_ref(row))
        totals[row["issue"]] = row["total"]
    found = []
    for row in rows(_newest_named(wanted), **params):
        issue = row["issue"]
        if issue not in totals:
            continue
        newest = sorted(refs[issue], key=_newest_first)[:SHOWN]
        found.append(
            dict(
                issue=issue,
                evidence=(evidence := _json(newest)),
                evidence_digest=digest(evidence),
                evidence_total=totals[issue],
                said_on=_day(row["said_on"]),
                sticking_point_on=_day(row["sticking_point_on"]),
                implemented_on=_day(row["implemented_on"]),
                partly_implemented_on=_day(row["partly_implemented_on"]),
            )
        )
    return sorted(found, key=lambda row: str(row["issue"]))


def refresh(
    conn: Connection, positions: Iterable[PositionKey] | None = None, issues: Iterable[str] | None = None
) -> None:
    """Rewrite the projection rows of `positions` and `issues` from the live timeline and evidence, in the
    caller's transaction; None: the whole projection, from scratch."""
    from sqlalchemy import bindparam, delete, insert

    from tracker.store.database import IssueNowRow, PositionNowRow

    rows = _Rows(conn)
    position_table, issue_table = PositionNowRow.__table__, IssueNowRow.__table__  # type: ignore[attr-defined]
    if positions is None:
        conn.execute(delete(position_table))
        positions = [(row["issue"], row["party"]) for row in rows(LIVE_POSITIONS)]
    remove = delete(position_table).where(
        position_table.c.issue == bindparam("i"), position_table.c.party == bindparam("p")
    )
    for batch in _batches(set(positions)):
        conn.execute(remove, [{"i": issue, "p": party} for issue, party in batch])
        written = position_rows(rows, batch)
        if written:
            conn.execute(insert(position_table), written)
    if issues is None:
        conn.execute(delete(issue_table))
        issues = [row["issue"] for row in rows(LIVE_ISSUES)]
    for chunk in _batches(set(issues)):
        conn.execute(delete(issue_table).where(issue_table.c.issue.in_(chunk)))
        written = issue_rows(rows, chunk)
        if written:
            conn.execute(insert(issue_table), written)


def resting_on_articles(conn: Connection, article_rows: list[int]) -> tuple[set[PositionKey], set[str]]:
    """The positions and issues whose projected evidence may cite the articles of these (superseded) rows: every
    position and issue with live evidence in those articles."""
    rows = _Rows(conn)
    positions: set[PositionKey] = set()
    issues: set[str] = set()
    for start in range(0, len(article_rows), 500):
        for row in rows(RESTING_ON_ARTICLES, rows=article_rows[start : start + 500]):
            if row["party"] is None:
                issues.add(row["issue"])
            else:
                positions.add((row["issue"], row["party"]))
    return positions, issues


def issues_of_evidence(conn: Connection, evidence_rows: list[int]) -> set[str]:
    """The issues of the issue-level evidence among these evidence rows."""
    rows = _Rows(conn)
    found: set[str] = set()
    for start in range(0, len(evidence_rows), 500):
        found.update(row["issue"] for row in rows(ISSUES_OF_EVIDENCE, rows=evidence_rows[start : start + 500]))
    return found
