"""`tracker check`: every invariant of the store, verified by reading it, never by writing (as `git fsck`).

Ingest keeps these by construction; a bug, a hand edit of the database or a
disk that lied breaks them, and every answer built on the store then goes
wrong quietly. Each finding names the table, the id and what is wrong:

- one live (not superseded) row per article, evidence, issue and party id;
- every live piece of evidence's article live, its issue (and party) in the live catalogue;
- every issue's parent in the live catalogue;
- each position's live timeline equal to a replay of its live evidence (the replay ingest runs);
- every stored article's text digest (sha256 of its UTF-8 bytes) equal to its text, superseded versions too;
- the projection of the current positions equal to the timeline: each row to what the timeline gives (a row for
  each position with a live entry and each issue with live issue-level evidence, and no other), and `state` and
  the matrix as of the newest day the same read from either;
- on SQLite, `PRAGMA integrity_check`.

It reads one snapshot: the live evidence and the timeline in two streams in
position order, side by side, replaying each position as both have given it,
so its memory stays that of the largest position; SQLite's own check runs
beside it, on the other core.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import urllib.parse
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from itertools import groupby
from operator import itemgetter
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from tracker.domain.errors import Problem
from tracker.domain.timeline import RANKS, ReplayItem, TimelineEntry, replay_item, replay_position
from tracker.read.connection import Snapshot
from tracker.store import projection
from tracker.store.address import read_only_uri

ARTICLE_BATCH = 500  # article rows (with their texts) read per statement
SHOWN = 20  # findings of one kind named one by one before they are counted
INTEGRITY_MMAP = "PRAGMA mmap_size=1099511627776"  # SQLite maps at most the file (and its compile-time limit)

LIVE = "superseded_at IS NULL"
LIVE_ARTICLES = f"SELECT id, published_on, sha256 FROM article WHERE {LIVE}"
ARTICLE_TEXTS = (
    "SELECT row_id, id, sha256, text, superseded_at FROM article WHERE row_id > :after ORDER BY row_id LIMIT :batch"
)
LIVE_ISSUES = f"SELECT id, parent FROM issue WHERE {LIVE}"
LIVE_PARTIES = f"SELECT id FROM party WHERE {LIVE}"
POSITION_EVIDENCE = (
    'SELECT row_id, id, article, said_on, said_at, attribution, start, "end", stance, mode, move, condition, '
    f"source_path, stance_line, said_on_written FROM evidence WHERE issue = :issue AND party = :party AND {LIVE}"
)
ISSUE_LEVEL_EVIDENCE = f"SELECT row_id, id, article, issue FROM evidence WHERE party IS NULL AND {LIVE}"
PROJECTED_POSITIONS = (
    "SELECT issue, party, seq, entered_seq, stance_to, since, since_exact, backing, basis, condition, contested_on, "
    "evidence, evidence_digest, contest FROM position_now"
)
PROJECTED_ISSUES = (
    "SELECT issue, evidence, evidence_digest, evidence_total, said_on, sticking_point_on, implemented_on, "
    "partly_implemented_on FROM issue_now"
)
EVIDENCE_BY_POSITION = (
    'SELECT issue, party, row_id, id, article, said_on, said_at, attribution, start, "end", stance, mode, move, '
    "condition, CASE WHEN said_on_written IS NULL THEN 0 ELSE 1 END AS spanned FROM evidence "
    f"WHERE party IS NOT NULL AND {LIVE} ORDER BY issue, party"
)
TIMELINE_BY_POSITION = (
    "SELECT issue, party, seq, valid_from, stance_from, stance_to, move, not_applied, since, entered_seq, backing, "
    f"basis, condition, contested_on, evidence_row_id, since_exact FROM timeline WHERE {LIVE} "
    "ORDER BY issue, party, valid_from, seq"
)
POSITION_TIMELINE = (
    "SELECT seq, valid_from, stance_from, stance_to, move, not_applied, since, entered_seq, backing, basis, "
    "condition, contested_on, evidence_row_id, since_exact "
    f"FROM timeline WHERE issue = :issue AND party = :party AND {LIVE} ORDER BY seq"
)


class Finding(BaseModel):
    """One invariant broken, where: the table and the id (an evidence id, an article id, `issue/party`...)."""

    check: str
    table: str
    id: str
    message: str


class CheckReport(BaseModel):
    """What `tracker check` found: sound when nothing; how much it checked."""

    sound: bool
    findings: list[Finding] = Field(default_factory=list)
    counted: dict[str, int] = Field(default_factory=dict)


class _Findings:
    def __init__(self) -> None:
        self.found: list[Finding] = []

    def add(self, check: str, table: str, identifier: str, message: str) -> None:
        self.found.append(Finding(check=check, table=table, id=identifier, message=message))


def _duplicates(findings: _Findings, table: str, ids: list[str]) -> None:
    for identifier, count in sorted(Counter(ids).items()):
        if count > 1:
            findings.add("one_live_row", table, identifier, f"{count} live rows for one {table} id (one expected)")


def _shown(value: Any) -> str:
    return value.isoformat() if isinstance(value, date) else repr(value)


def _differs(stored: list[dict[str, Any]], replayed: list[TimelineEntry]) -> str | None:
    """How a position's stored timeline differs from its replay (None: it does not)."""
    names = TimelineEntry._fields
    for seq, (row, entry) in enumerate(zip(stored, replayed, strict=False)):
        for name, value in zip(names, entry, strict=True):
            if name in row and row[name] != value:
                stored_value, replayed_value = _shown(row[name]), _shown(value)
                return f"entry {seq}: {name} is {stored_value} stored, {replayed_value} replayed from its live evidence"
    if len(stored) != len(replayed):
        return f"{len(stored)} live entries stored, {len(replayed)} replayed from its live evidence"
    return None


def _integrity_check(file: Path) -> list[str]:
    """SQLite's own check of the file (its pages, records and indexes), on a read-only connection of its own."""
    uri = read_only_uri(file) or f"file:{urllib.parse.quote(str(file.resolve()))}?mode=ro"
    connection = sqlite3.connect(uri, uri=True, timeout=30, check_same_thread=False)
    try:
        # Through a memory map of the whole file, not a copy of each page: a third faster on a large one.
        connection.execute(INTEGRITY_MMAP)
        return [str(row[0]) for row in connection.execute("PRAGMA integrity_check")]
    except sqlite3.Error as exc:
        return [str(exc)]
    finally:
        connection.close()


def check_store(
    snapshot: Snapshot, sqlite_file: Path | None = None, progress: Callable[[str], None] | None = None
) -> CheckReport:
    """Every invariant of the store the snapshot reads; for a SQLite file (`sqlite_file`), `PRAGMA
    integrity_check` too, in a thread of its own (the driver lets go of the interpreter while it runs, so it
    takes another core while this one replays)."""
    findings = _Findings()
    counted: dict[str, int] = {}
    with ThreadPoolExecutor(max_workers=1) as pool:
        integrity = pool.submit(_integrity_check, sqlite_file) if sqlite_file is not None else None
        articles = _check_articles(snapshot, findings, counted)
        issues, parties = _check_catalog(snapshot, findings, counted)
        positions, named = _check_evidence(snapshot, findings, counted, articles, issues, parties, progress)
        _check_projection(snapshot, findings, counted, positions, named)
        messages = integrity.result() if integrity is not None else ["ok"]
    if messages != ["ok"]:
        for message in messages[:SHOWN]:
            findings.add("integrity_check", "sqlite", "", message)
    return CheckReport(sound=not findings.found, findings=findings.found, counted=counted)


def _check_articles(snapshot: Snapshot, findings: _Findings, counted: dict[str, int]) -> dict[str, dict[str, Any]]:
    """Every article row's digest against its text; one live row per id. The live articles, by id."""
    live = snapshot.rows(LIVE_ARTICLES)
    _duplicates(findings, "article", [row["id"] for row in live])
    after, rows = 0, 0
    while True:
        batch = snapshot.rows(ARTICLE_TEXTS, after=after, batch=ARTICLE_BATCH)
        if not batch:
            break
        for row in batch:
            if hashlib.sha256(row["text"].encode("utf-8")).hexdigest() != row["sha256"]:
                held = "live" if row["superseded_at"] is None else f"superseded at {row['superseded_at'].isoformat()}"
                findings.add(
                    "article_digest",
                    "article",
                    row["id"],
                    f"the stored text ({held}, row {row['row_id']}) does not have its stored sha256 {row['sha256']}",
                )
        rows += len(batch)
        after = batch[-1]["row_id"]
    counted["articles"] = len({row["id"] for row in live})
    counted["article_rows"] = rows
    return {row["id"]: row for row in live}


def _check_catalog(snapshot: Snapshot, findings: _Findings, counted: dict[str, int]) -> tuple[set[str], set[str]]:
    issues = snapshot.rows(LIVE_ISSUES)
    parties = snapshot.rows(LIVE_PARTIES)
    _duplicates(findings, "issue", [row["id"] for row in issues])
    _duplicates(findings, "party", [row["id"] for row in parties])
    issue_ids = {row["id"] for row in issues}
    for row in sorted(issues, key=lambda row: row["id"]):
        parent = row["parent"]
        if parent is not None and (parent not in issue_ids or parent == row["id"]):
            what = "is the issue itself" if parent == row["id"] else "is not a live issue of the catalogue"
            findings.add("catalog", "issue", row["id"], f"its parent '{parent}' {what}")
    counted["issues"], counted["parties"] = len(issue_ids), len({row["id"] for row in parties})
    return issue_ids, {row["id"] for row in parties}


def _check_evidence(
    snapshot: Snapshot,
    findings: _Findings,
    counted: dict[str, int],
    articles: dict[str, dict[str, Any]],
    issues: set[str],
    parties: set[str],
    progress: Callable[[str], None] | None,
) -> tuple[set[tuple[str, str]], set[str]]:
    """Each live piece of evidence's article and catalogue entries; each position's timeline against its replay.
    The positions with a live timeline entry, and the issues with live issue-level evidence.

    The live evidence and timeline are read in two streams, each in position order (through the position
    indexes), side by side: a position is replayed and compared as soon as both have given it, so memory stays
    that of the largest position, and no position costs a query of its own. Days and times are replayed as the
    driver gives them (SQLite: ISO text, which orders and compares as the days do: the replay only orders,
    groups and keeps them), so a sound position is compared as stored, with nothing converted; a position that
    does not replay, or differs, is read again with its values typed and told as before (`_told`)."""
    ids: list[str] = []
    named: set[str] = set()
    for level in snapshot.rows(ISSUE_LEVEL_EVIDENCE):
        ids.append(level["id"])
        named.add(level["issue"])
        _article_and_catalog(findings, level, None, articles, issues, parties)
    in_timeline: set[tuple[str, str]] = set()
    held = {row[0]: (row[1], row[2]) for row in _stream(snapshot, LIVE_ARTICLES)}
    entries = positions = 0
    for (issue, party), evidence, stored in _by_position(snapshot):
        positions += 1
        if stored:
            in_timeline.add((issue, party))
        entries += len(stored)
        if issue not in issues or party not in parties:
            for row in evidence:
                if issue not in issues:
                    findings.add("catalog", "evidence", row[3], f"its issue '{issue}' is not in the live catalogue")
                if party not in parties:
                    findings.add("catalog", "evidence", row[3], f"its party '{party}' is not in the live catalogue")
        ids += [row[3] for row in evidence]
        items, missing = _items(evidence, held)
        for row in missing:  # not replayed, as ingest does not replay it either
            findings.add("article_live", "evidence", row[3], f"its article '{row[4]}' has no live row")
        replayed = replay_position(issue, party, items)
        if isinstance(replayed, Problem) or [row[2:] for row in stored] != replayed:
            told = _told(snapshot, issue, party, articles)
            if told is not None:
                findings.add("timeline", "timeline", f"{issue}/{party}", told)
        if progress is not None and positions % 100 == 0:
            progress(f"checked {positions} positions")
    if len(set(ids)) != len(ids):
        _duplicates(findings, "evidence", ids)
    counted["evidence"] = len(set(ids))
    counted["positions"] = positions
    counted["timeline_entries"] = entries
    return in_timeline, named


Row = tuple[Any, ...]
_NEW = tuple.__new__


def _items(evidence: list[Row], held: dict[str, tuple[Any, str]]) -> tuple[list[ReplayItem], list[Row]]:
    """A position's live evidence (`EVIDENCE_BY_POSITION`'s rows) as replay items, as `replay_item` makes them
    (written out: a million per check), with its values as the driver gives them, and without where each was
    coded (`_told` reads that again for a problem to tell); and the rows whose article has no live row, which
    are not replayed, as ingest does not replay them either."""
    items = []
    missing = []
    ranks = RANKS
    for row in evidence:
        (
            _,
            _,
            row_id,
            ident,
            article,
            said_on,
            said_at,
            attribution,
            start,
            end,
            stance,
            mode,
            move,
            condition,
            spanned,
        ) = row
        published = held.get(article)
        if published is None:
            missing.append(row)
            continue
        at = (0, None) if said_at is None else (1, said_at)
        item = (said_on, at, ranks[attribution], *published, start, end, ident, stance, mode, move, condition)
        items.append(_NEW(ReplayItem, (*item, row_id, "", 0, spanned == 1)))
    return items, missing


def _by_position(snapshot: Snapshot) -> Iterator[tuple[tuple[str, str], list[Row], list[Row]]]:
    """Each position with live evidence or a live timeline: its evidence rows (`EVIDENCE_BY_POSITION`'s
    columns) and its timeline rows (`TIMELINE_BY_POSITION`'s, in the order of the day each took effect and its
    seq, which is seq's own in a sound timeline), read in two streams side by side."""
    evidence = groupby(_stream(snapshot, EVIDENCE_BY_POSITION), key=itemgetter(0, 1))
    timeline = groupby(_stream(snapshot, TIMELINE_BY_POSITION), key=itemgetter(0, 1))
    next_evidence, next_timeline = next(evidence, None), next(timeline, None)
    while next_evidence is not None or next_timeline is not None:
        keys = [found[0] for found in (next_evidence, next_timeline) if found is not None]
        key = min(keys)
        rows: list[Row] = []
        entries: list[Row] = []
        if next_evidence is not None and next_evidence[0] == key:
            rows = list(next_evidence[1])
            next_evidence = next(evidence, None)
        if next_timeline is not None and next_timeline[0] == key:
            entries = list(next_timeline[1])
            next_timeline = next(timeline, None)
        yield key, rows, entries


def _stream(snapshot: Snapshot, sql: str) -> Iterator[Row]:
    """The rows of `sql` (a constant of this module, with no parameter) as plain tuples, as the driver gives them
    (SQLite: dates as text), one at a time: through the snapshot's own connection, SQLite's driver or a
    SQLAlchemy connection (a server-side cursor)."""
    connection: Any = getattr(snapshot, "connection", None)
    if isinstance(connection, sqlite3.Connection):
        yield from connection.execute(sql)
        return
    from sqlalchemy import text

    for row in connection.execution_options(stream_results=True, yield_per=5000).execute(text(sql)):
        yield tuple(row)


def _told(snapshot: Snapshot, issue: str, party: str, articles: dict[str, dict[str, Any]]) -> str | None:
    """How a position's stored timeline differs from a replay of its live evidence, read again with its values
    typed and where each piece was coded, as ingest tells a problem (None: it does not differ)."""
    items = [
        _item(row, articles[row["article"]]["published_on"], articles[row["article"]]["sha256"])
        for row in snapshot.rows(POSITION_EVIDENCE, issue=issue, party=party)
        if row["article"] in articles
    ]
    replayed = replay_position(issue, party, items)
    if isinstance(replayed, Problem):
        return f"its live evidence does not replay: {replayed.message}"
    differs = _differs(snapshot.rows(POSITION_TIMELINE, issue=issue, party=party), replayed)
    return None if differs is None else f"the stored timeline is not a replay of its live evidence: {differs}"


def _check_projection(
    snapshot: Snapshot,
    findings: _Findings,
    counted: dict[str, int],
    positions: set[tuple[str, str]],
    issues: set[str],
) -> None:
    """The projection of the current positions against the timeline: each row as the timeline gives it, a row
    for each position with a live entry and each issue with live issue-level evidence, and none other; then, if
    the store is sound so far, `state` and the matrix as of the newest day read from either."""
    tables: list[tuple[str, dict[tuple[str, ...], dict[str, Any]], dict[tuple[str, ...], dict[str, Any]]]] = [
        (
            "position_now",
            {(row["issue"], row["party"]): row for row in snapshot.rows(PROJECTED_POSITIONS)},
            _computed(snapshot, positions, projection.position_rows, lambda row: (row["issue"], row["party"])),
        ),
        (
            "issue_now",
            {(row["issue"],): row for row in snapshot.rows(PROJECTED_ISSUES)},
            _computed(snapshot, {(issue,) for issue in issues}, _issue_rows, lambda row: (row["issue"],)),
        ),
    ]
    for table, stored, expected in tables:
        counted[f"{table}_rows"] = len(stored)
        for key in sorted(stored.keys() | expected.keys()):
            where = "/".join(key)
            held, computed = stored.get(key), expected.get(key)
            if held is None:
                findings.add("projection", table, where, "no row, where the timeline has one to project")
            elif computed is None:
                findings.add("projection", table, where, "a row, where the timeline has nothing to project")
            else:
                differs = _row_differs(held, computed)
                if differs is not None:
                    findings.add("projection", table, where, differs)
    if not findings.found:
        _same_answers(snapshot, findings)


def _row_differs(held: dict[str, Any], computed: dict[str, Any]) -> str | None:
    """How a stored projection row differs from the one the timeline gives (None: it does not); its evidence
    compared piece by piece, as decoded (how its JSON is spelt does not matter)."""
    for name, value in computed.items():
        found = held[name]
        if name in ("evidence", "contest") and value is not None and found is not None:
            try:
                stored_refs = json.loads(found)
            except ValueError:
                return f"{name} is not JSON: {_shown(found[:60])}..."
            refs = json.loads(value)
            if stored_refs == refs:
                continue
            if len(stored_refs) != len(refs) or not all(isinstance(ref, list) for ref in stored_refs):
                shown = [ref[0] if isinstance(ref, list) and ref else ref for ref in stored_refs]
                return f"{name} holds {_shown(shown)} stored, {_shown([ref[0] for ref in refs])} from the timeline"
            for n, (stored_ref, ref) in enumerate(zip(stored_refs, refs, strict=True)):
                for field, stored_value, expected in zip(projection.REF_ORDER, stored_ref, ref, strict=False):
                    if stored_value != expected:
                        return (
                            f"{name}, piece {n} ({ref[0]}): {field} is {_shown(stored_value)} stored, "
                            f"{_shown(expected)} from the timeline"
                        )
                if len(stored_ref) != len(ref):
                    return f"{name}, piece {n} ({ref[0]}): {len(stored_ref)} fields stored, {len(ref)} expected"
        elif (bool(found) if isinstance(value, bool) else found) != value:
            return f"{name} is {_shown(found)} stored, {_shown(value)} from the timeline"
    return None


def _issue_rows(rows: projection.Rows, keys: list[tuple[str, ...]]) -> list[dict[str, Any]]:
    return projection.issue_rows(rows, [key[0] for key in keys])


def _computed(
    snapshot: Snapshot,
    keys: set[Any],
    compute: Callable[[projection.Rows, list[Any]], list[dict[str, Any]]],
    key_of: Callable[[dict[str, Any]], tuple[str, ...]],
) -> dict[tuple[str, ...], dict[str, Any]]:
    """The projection rows the timeline gives for `keys`, a batch at a time."""
    ordered = sorted(keys)
    found: dict[tuple[str, ...], dict[str, Any]] = {}
    for start in range(0, len(ordered), projection.BATCH):
        for row in compute(snapshot.rows, ordered[start : start + projection.BATCH]):
            found[key_of(row)] = row
    return found


def _same_answers(snapshot: Snapshot, findings: _Findings) -> None:
    """`state` and the matrix as of the newest day, from the projection and from the timeline: the same."""
    from tracker.read.browse import matrix
    from tracker.read.reading import Reading
    from tracker.read.state import state

    projected, replayed = Reading(snapshot), Reading(snapshot, projected=False)
    newest = replayed.newest_date() or date.today()
    if not projected.answers_now(newest):
        findings.add("projection", "position_now", "", f"does not answer as of the newest day, {newest}")
        return
    now, then = state(projected, newest), state(replayed, newest)
    for held, expected in zip(now.positions, then.positions, strict=True):
        if held != expected:
            findings.add(
                "projection", "position_now", f"{held.issue}/{held.party}", "state answers otherwise than the timeline"
            )
    for issue_held, issue_expected in zip(now.issues, then.issues, strict=True):
        if issue_held != issue_expected:
            findings.add("projection", "issue_now", issue_held.issue, "state answers otherwise than the timeline")
    grid, expected_grid = matrix(projected, newest), matrix(replayed, newest)
    if grid.cells != expected_grid.cells or grid.status != expected_grid.status:
        findings.add("projection", "position_now", "", "the matrix answers otherwise than the timeline")


def _article_and_catalog(
    findings: _Findings,
    row: dict[str, Any],
    position: tuple[str, str] | None,
    articles: dict[str, dict[str, Any]],
    issues: set[str],
    parties: set[str],
) -> dict[str, Any] | None:
    """The live article of a live piece of evidence (None: there is none, a finding); its catalogue entries."""
    issue = position[0] if position is not None else row["issue"]
    if issue not in issues:
        findings.add("catalog", "evidence", row["id"], f"its issue '{issue}' is not in the live catalogue")
    if position is not None and position[1] not in parties:
        findings.add("catalog", "evidence", row["id"], f"its party '{position[1]}' is not in the live catalogue")
    article = articles.get(row["article"])
    if article is None:
        findings.add("article_live", "evidence", row["id"], f"its article '{row['article']}' has no live row")
    return article


def _item(row: dict[str, Any], published_on: date, sha256: str) -> ReplayItem:
    return replay_item(
        row["said_on"],
        row["said_at"],
        row["attribution"],
        published_on,
        sha256,
        row["start"],
        row["end"],
        row["id"],
        row["stance"],
        row["mode"],
        row["move"],
        row["condition"],
        row["row_id"],
        row["source_path"],
        row["stance_line"],
        row["said_on_written"],
    )
