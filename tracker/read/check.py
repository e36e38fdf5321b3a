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

It reads one snapshot, a position at a time (on SQLite, two seeks each; on a
server, the live evidence and the timeline in two streams in position order,
side by side), replaying each position as it is read, so its memory stays that
of the largest position; SQLite's own check runs beside it, on the other core.
On a large SQLite file the positions are split in two at an issue: a helper
process (`_helper`) checks the second part on a read-only connection of its
own while this one checks the first, and its findings follow this one's, in
the order one pass gives them. What the helper found is taken only if it read
the same state as the snapshot (`_Helper`); if a write came in between, or the
helper fails, this process checks that part itself.
"""

from __future__ import annotations

import gc
import hashlib
import json
import os
import pickle
import sqlite3
import subprocess
import sys
import traceback
import urllib.parse
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from itertools import groupby, pairwise
from operator import itemgetter
from pathlib import Path
from typing import Any, NamedTuple

from pydantic import BaseModel, Field

from tracker.domain.errors import Problem, StoreError
from tracker.domain.timeline import RANKS, ReplayItem, TimelineEntry, replay_item, replay_position
from tracker.read.connection import Snapshot, snapshot
from tracker.store import projection
from tracker.store.address import SQLITE_PREFIX, read_only_uri

ARTICLE_BATCH = 500  # article rows (with their texts) read per statement
SHOWN = 20  # findings of one kind named one by one before they are counted
INTEGRITY_MMAP = "PRAGMA mmap_size=1099511627776"  # SQLite maps at most the file (and its compile-time limit)
# Live timeline entries (as the projection counts them) from which a SQLite store's positions are replayed in two
# processes: below, starting the helper (a fifth of a second) costs more than it saves.
PARALLEL_FROM = 200_000

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
# `{part}`: nothing, or the bounds of the issues of one part of the positions (`_part`).
EVIDENCE_BY_POSITION = (
    'SELECT issue, party, row_id, id, article, said_on, said_at, attribution, start, "end", stance, mode, move, '
    "condition, CASE WHEN said_on_written IS NULL THEN 0 ELSE 1 END AS spanned FROM evidence "
    f"WHERE party IS NOT NULL AND {LIVE}{{part}} ORDER BY issue, party"
)
TIMELINE_BY_POSITION = (
    "SELECT issue, party, seq, valid_from, stance_from, stance_to, move, not_applied, since, entered_seq, backing, "
    f"basis, condition, contested_on, evidence_row_id, since_exact FROM timeline WHERE {LIVE}{{part}} "
    "ORDER BY issue, party, valid_from, seq"
)
# On SQLite, each position's rows in the same order and columns, less the first two, a seek each; the positions of
# a part are those with evidence (live or not) or a live timeline entry, in the order of the streams above.
POSITIONS = (
    "SELECT issue, party FROM (SELECT DISTINCT issue, party FROM evidence WHERE party IS NOT NULL{part}) UNION "
    f"SELECT issue, party FROM (SELECT DISTINCT issue, party FROM timeline WHERE {LIVE}{{part}}) ORDER BY issue, party"
)
EVIDENCE_OF_POSITION = (
    'SELECT row_id, id, article, said_on, said_at, attribution, start, "end", stance, mode, move, condition, '
    "CASE WHEN said_on_written IS NULL THEN 0 ELSE 1 END AS spanned FROM evidence "
    f"WHERE issue = :issue AND party = :party AND {LIVE} ORDER BY said_on, row_id"
)
TIMELINE_OF_POSITION = (
    "SELECT seq, valid_from, stance_from, stance_to, move, not_applied, since, entered_seq, backing, basis, "
    "condition, contested_on, evidence_row_id, since_exact FROM timeline "
    f"WHERE issue = :issue AND party = :party AND {LIVE} ORDER BY valid_from, seq"
)
# How much of the timeline each issue holds, as the projection tells it: where to split the positions in two.
ISSUE_WEIGHTS = "SELECT issue, SUM(seq + 1) AS entries FROM position_now GROUP BY issue ORDER BY issue"
# The state a read sees, as far as a write changes it: every write is an ingest (or an upgrade, which changes the
# schema), which records itself and adds rows. Two reads that see the same are of the same state.
STATE = (
    "SELECT (SELECT MAX(id) FROM ingest) AS newest_ingest, "
    "(SELECT value FROM tracker_meta WHERE key = 'schema_version') AS schema_version, "
    "(SELECT MAX(row_id) FROM article) AS article, (SELECT MAX(row_id) FROM evidence) AS evidence, "
    "(SELECT MAX(row_id) FROM timeline) AS timeline, (SELECT MAX(row_id) FROM issue) AS issue, "
    "(SELECT MAX(row_id) FROM party) AS party, (SELECT COUNT(*) FROM position_now) AS positions_now, "
    "(SELECT COUNT(*) FROM issue_now) AS issues_now, (SELECT schema_version FROM pragma_schema_version) AS schema"
)
DATA_VERSION = "PRAGMA data_version"  # changes on a connection when another one commits a write
# The helper process: it reads the job (`_helper`'s arguments and the import path) from its stdin.
HELPER = (
    "import pickle, sys; job = pickle.load(sys.stdin.buffer); sys.path[:] = job.pop('path'); "
    "from tracker.read.check import _helper; _helper(**job)"
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


def _read_only(file: Path) -> sqlite3.Connection:
    """A read-only connection of its own to the SQLite file."""
    uri = read_only_uri(file) or f"file:{urllib.parse.quote(str(file.resolve()))}?mode=ro"
    return sqlite3.connect(uri, uri=True, timeout=30, check_same_thread=False)


def _integrity_check(file: Path) -> list[str]:
    """SQLite's own check of the file (its pages, records and indexes), on a read-only connection of its own."""
    connection = _read_only(file)
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
    takes another core while this one replays); on a large one, the second part of the positions in a helper
    process (see the module's docstring)."""
    findings = _Findings()
    counted: dict[str, int] = {}
    split = _split(snapshot) if sqlite_file is not None else None
    helper = _Helper.start(sqlite_file, snapshot, split) if sqlite_file is not None and split is not None else None
    mapped = None
    try:
        mapped = _map_whole_file(snapshot) if sqlite_file is not None else None
        with ThreadPoolExecutor(max_workers=1) as pool:
            integrity = pool.submit(_integrity_check, sqlite_file) if sqlite_file is not None else None
            articles = _check_articles(snapshot, findings, counted)
            issues, parties = _check_catalog(snapshot, findings, counted)
            positions, named = _check_evidence(
                snapshot, findings, counted, articles, issues, parties, progress, split, helper
            )
            _check_projection(snapshot, findings, counted, positions, named)
            messages = integrity.result() if integrity is not None else ["ok"]
    finally:
        if helper is not None:
            helper.close()
        if mapped is not None:
            mapped()
    if messages != ["ok"]:
        for message in messages[:SHOWN]:
            findings.add("integrity_check", "sqlite", "", message)
    return CheckReport(sound=not findings.found, findings=findings.found, counted=counted)


def _map_whole_file(snapshot: Snapshot) -> Callable[[], None] | None:
    """Read the SQLite file through a memory map of all of it, not the first part only (the readers' setting):
    the replay reads each piece of evidence by the position index, all over the file (a fifth less time). How
    to set the connection back as it was, for a reader that keeps it (None: not a SQLite connection)."""
    connection: Any = getattr(snapshot, "connection", None)
    if not isinstance(connection, sqlite3.Connection):
        return None
    (before,) = connection.execute("PRAGMA mmap_size").fetchone()
    connection.execute(INTEGRITY_MMAP)

    def restore() -> None:
        try:
            connection.execute(f"PRAGMA mmap_size={int(before)}")
        except sqlite3.Error:
            pass  # a connection already closed: nothing to set back

    return restore


def _split(snapshot: Snapshot) -> str | None:
    """The issue the positions of a large SQLite store are split at, so that each part holds about half of the
    timeline, as the projection counts it (the projection only weighs the parts: what is checked is the same
    either way); None where the store is too small to gain from a helper process."""
    try:
        weights: list[tuple[str, int]] = [(row["issue"], row["entries"] or 0) for row in snapshot.rows(ISSUE_WEIGHTS)]
    except StoreError:  # a damaged projection: told, or failed on, where it is checked
        return None
    total = sum(weight for _, weight in weights)
    if total < PARALLEL_FROM or len(weights) < 2:
        return None
    before, split, off = 0, weights[1][0], total
    for (_, weight), (issue, _) in pairwise(weights):
        before += weight
        if abs(2 * before - total) < off:
            split, off = issue, abs(2 * before - total)
    return split


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
    split: str | None = None,
    helper: _Helper | None = None,
) -> tuple[set[tuple[str, str]], set[str]]:
    """Each live piece of evidence's article and catalogue entries; each position's timeline against its replay.
    The positions with a live timeline entry, and the issues with live issue-level evidence.

    The positions are checked by `_check_positions`, all here, or those of the issues before `split` here and
    the rest by the `helper`, if it read the same state (else here too); their findings follow in position order
    either way."""
    ids: list[str] = []
    named: set[str] = set()
    for level in snapshot.rows(ISSUE_LEVEL_EVIDENCE):
        ids.append(level["id"])
        named.add(level["issue"])
        _article_and_catalog(findings, level, None, articles, issues, parties)
    held = {row[0]: (row[1], row[2]) for row in _stream(snapshot, LIVE_ARTICLES)}
    parts = [_check_positions(snapshot, held, lambda: articles, issues, parties, None, split, progress)]
    if split is not None:
        done = helper.result(_state(snapshot)) if helper is not None else None
        if done is None and progress is not None:
            progress("checking the rest of the positions here")
        if done is None:
            done = _check_positions(snapshot, held, lambda: articles, issues, parties, split, None, progress)
        parts.append(done)
    in_timeline: set[tuple[str, str]] = set()
    entries = positions = 0
    for part in parts:
        for found in part.found:
            findings.add(*found)
        ids += part.ids
        in_timeline |= part.in_timeline
        positions += part.positions
        entries += part.entries
    if progress is not None and split is not None:
        progress(f"checked {positions} positions")
    if len(set(ids)) != len(ids):
        _duplicates(findings, "evidence", ids)
    counted["evidence"] = len(set(ids))
    counted["positions"] = positions
    counted["timeline_entries"] = entries
    return in_timeline, named


class _Part(NamedTuple):
    """What checking a part of the positions found (`Finding`'s fields, in position order), and what it saw: the
    ids of the live evidence, the positions with a live timeline entry, how many positions and entries."""

    found: list[tuple[str, str, str, str]]
    ids: list[str]
    in_timeline: set[tuple[str, str]]
    positions: int
    entries: int


def _check_positions(
    snapshot: Snapshot,
    held: dict[str, tuple[Any, str]],
    articles: Callable[[], dict[str, dict[str, Any]]],
    issues: set[str],
    parties: set[str],
    low: str | None,
    high: str | None,
    progress: Callable[[str], None] | None,
) -> _Part:
    """The positions of the issues from `low` up to `high` (None: without bound): each position's live evidence
    and catalogue entries, and its timeline against its replay; `held`: each live article's date and digest, as
    the driver gives them, `articles` the live articles typed, for a position to tell.

    Each position is read (`_positions`), replayed and compared in turn, so memory stays that of the largest
    position. Days and times are replayed as the driver gives them (SQLite: ISO text, which orders and compares
    as the days do: the replay only orders, groups and keeps them), so a sound position is compared as stored,
    with nothing converted; a position that does not replay, or differs, is read again with its values typed
    and told as before (`_told`). The cyclic garbage collector is off meanwhile: the replay makes millions of
    short-lived tuples, none of them in a cycle, which it would only walk through (a twentieth of the time)."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _checked_positions(snapshot, held, articles, issues, parties, low, high, progress)
    finally:
        if collecting:
            gc.enable()


def _checked_positions(
    snapshot: Snapshot,
    held: dict[str, tuple[Any, str]],
    articles: Callable[[], dict[str, dict[str, Any]]],
    issues: set[str],
    parties: set[str],
    low: str | None,
    high: str | None,
    progress: Callable[[str], None] | None,
) -> _Part:
    found: list[tuple[str, str, str, str]] = []
    ids: list[str] = []
    in_timeline: set[tuple[str, str]] = set()
    entries = positions = 0
    for (issue, party), evidence, stored in _positions(snapshot, low, high):
        positions += 1
        if stored:
            in_timeline.add((issue, party))
        entries += len(stored)
        if issue not in issues or party not in parties:
            for row in evidence:
                if issue not in issues:
                    found.append(("catalog", "evidence", row[1], f"its issue '{issue}' is not in the live catalogue"))
                if party not in parties:
                    found.append(("catalog", "evidence", row[1], f"its party '{party}' is not in the live catalogue"))
        ids += [row[1] for row in evidence]
        items, missing = _items(evidence, held)
        for row in missing:  # not replayed, as ingest does not replay it either
            found.append(("article_live", "evidence", row[1], f"its article '{row[2]}' has no live row"))
        replayed = replay_position(issue, party, items)
        if isinstance(replayed, Problem) or stored != replayed:
            told = _told(snapshot, issue, party, articles())
            if told is not None:
                found.append(("timeline", "timeline", f"{issue}/{party}", told))
        if progress is not None and positions % 100 == 0:
            progress(f"checked {positions} positions")
    return _Part(found, ids, in_timeline, positions, entries)


def _state(snapshot: Snapshot) -> dict[str, Any]:
    """What the snapshot sees of the state of a SQLite store, as far as a write changes it (`STATE`)."""
    return snapshot.rows(STATE)[0]


class _Helper:
    """A helper process checking the positions of the issues from `split` on, on a read-only connection of its
    own (`_helper`): started first, so that it runs while this process checks the rest.

    Its read is not the snapshot's own transaction, so what it found is taken only if it read the same state:
    the same `STATE` (the newest ingest, the newest row of each table, the schema), and no write committed by
    anyone from before it began to read until it is done (`PRAGMA data_version` on a connection of this
    process, `probe`, the same at both ends). The one write it could miss is a hand edit that adds no row,
    committed in the moment between the snapshot's first read and the probe's."""

    def __init__(self, process: subprocess.Popen[bytes], probe: sqlite3.Connection, version: Any) -> None:
        self.process, self.probe, self.version = process, probe, version

    @classmethod
    def start(cls, file: Path, snapshot: Snapshot, split: str) -> _Helper | None:
        """The helper, started (None: it could not be, and this process checks every position)."""
        job = {"path": sys.path, "file": str(file.resolve()), "where": getattr(snapshot, "where", str(file))}
        try:
            probe = _read_only(file)
        except sqlite3.Error:
            return None
        try:
            version = probe.execute(DATA_VERSION).fetchone()
            process = subprocess.Popen(
                [sys.executable, "-c", HELPER], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
            )
        except (sqlite3.Error, OSError):
            probe.close()
            return None
        helper = cls(process, probe, version)
        try:
            assert process.stdin is not None
            pickle.dump({**job, "low": split}, process.stdin)
            process.stdin.close()
        except OSError:
            helper.close()
            return None
        return helper

    def result(self, state: dict[str, Any]) -> _Part | None:
        """What the helper found, if it read `state` (the snapshot's) and nothing was written since; None if it
        read another state, or may have, or failed."""
        assert self.process.stdout is not None
        try:
            told = self.process.stdout.read()
            self.process.wait()
            seen, part = pickle.loads(told)
            unchanged = self.probe.execute(DATA_VERSION).fetchone() == self.version
        except Exception:  # whatever it wrote, if not what it found: this process checks that part
            return None
        return part if unchanged and seen == state and isinstance(part, _Part) else None

    def close(self) -> None:
        """Ended, if it has not ended yet (this check failed before it read what the helper found)."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                stream.close()
        self.probe.close()


def _helper(file: str, where: str, low: str) -> None:
    """The helper process: the positions of the issues from `low` on, checked on a read-only snapshot of its own,
    and the state it read (`STATE`), written to stdout; on a failure, the failure (the check then does it). Its
    stdin and stdout are the check's own pipes; its stderr goes nowhere."""
    out = sys.stdout.buffer
    try:
        with snapshot(f"{SQLITE_PREFIX}{file}", where, read_only=True) as own:
            _map_whole_file(own)
            state = _state(own)
            issues = {row["id"] for row in own.rows(LIVE_ISSUES)}
            parties = {row["id"] for row in own.rows(LIVE_PARTIES)}
            held = {row[0]: (row[1], row[2]) for row in _stream(own, LIVE_ARTICLES)}
            typed: dict[str, dict[str, Any]] = {}

            def articles() -> dict[str, dict[str, Any]]:  # read only for a position that differs
                if not typed:
                    typed.update((row["id"], row) for row in own.rows(LIVE_ARTICLES))
                return typed

            part = _check_positions(own, held, articles, issues, parties, low, None, None)
        pickle.dump((state, part), out)
    except BaseException:
        pickle.dump((None, traceback.format_exc()), out)
    out.flush()
    os._exit(0)


Row = tuple[Any, ...]
_NEW = tuple.__new__


def _items(evidence: list[Row], held: dict[str, tuple[Any, str]]) -> tuple[list[ReplayItem], list[Row]]:
    """A position's live evidence (`EVIDENCE_OF_POSITION`'s rows) as replay items, as `replay_item` makes them
    (written out: a million per check), with its values as the driver gives them, and without where each was
    coded (`_told` reads that again for a problem to tell); and the rows whose article has no live row, which
    are not replayed, as ingest does not replay them either."""
    items: list[ReplayItem] = []
    missing = []
    ranks = RANKS
    get = held.get
    append = items.append
    for row in evidence:
        (
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
        published = get(article)
        if published is None:
            missing.append(row)
            continue
        append(
            _NEW(
                ReplayItem,
                (
                    said_on,
                    (0, None) if said_at is None else (1, said_at),
                    ranks[attribution],
                    published[0],
                    published[1],
                    start,
                    end,
                    ident,
                    stance,
                    mode,
                    move,
                    condition,
                    row_id,
                    "",
                    0,
                    spanned == 1,
                ),
            )
        )
    return items, missing


def _part(low: str | None, high: str | None) -> tuple[str, dict[str, str]]:
    """The condition on the issue that keeps the positions of one part (`{part}`), and its parameters."""
    bounds = {"low": low, "high": high}
    sql = "".join(f" AND issue {op} :{name}" for op, name in ((">=", "low"), ("<", "high")) if bounds[name] is not None)
    return sql, {name: value for name, value in bounds.items() if value is not None}


def _positions(
    snapshot: Snapshot, low: str | None = None, high: str | None = None
) -> Iterator[tuple[tuple[str, str], list[Row], list[Row]]]:
    """Each position with live evidence or a live timeline (of the issues from `low` up to `high`, None: without
    bound), in order: its evidence rows (`EVIDENCE_OF_POSITION`'s columns) and its timeline rows
    (`TIMELINE_OF_POSITION`'s: in the order of the day each took effect and its seq, which is seq's own in a sound
    timeline, as `TimelineEntry`'s fields). On SQLite two seeks a position, which spares keying and grouping two
    million rows; on a server, two streams (`_by_position`)."""
    connection: Any = getattr(snapshot, "connection", None)
    if not isinstance(connection, sqlite3.Connection):
        for key, evidence, stored in _by_position(snapshot, low, high):
            yield key, [row[2:] for row in evidence], [row[2:] for row in stored]
        return
    part, bounds = _part(low, high)
    for issue, party in connection.execute(POSITIONS.format(part=part), bounds).fetchall():
        where = {"issue": issue, "party": party}
        evidence = connection.execute(EVIDENCE_OF_POSITION, where).fetchall()
        stored = connection.execute(TIMELINE_OF_POSITION, where).fetchall()
        if evidence or stored:
            yield (issue, party), evidence, stored


def _by_position(
    snapshot: Snapshot, low: str | None = None, high: str | None = None
) -> Iterator[tuple[tuple[str, str], list[Row], list[Row]]]:
    """`_positions` in two streams read side by side, each in position order (through the position indexes),
    their rows led by the position's issue and party (`EVIDENCE_BY_POSITION`, `TIMELINE_BY_POSITION`): no
    position costs a query, and memory stays that of the largest position."""
    part, bounds = _part(low, high)
    evidence = groupby(_stream(snapshot, EVIDENCE_BY_POSITION.format(part=part), bounds), key=itemgetter(0, 1))
    timeline = groupby(_stream(snapshot, TIMELINE_BY_POSITION.format(part=part), bounds), key=itemgetter(0, 1))
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


def _stream(snapshot: Snapshot, sql: str, params: dict[str, Any] | None = None) -> Iterator[Row]:
    """The rows of `sql` (a constant of this module, with `params` its parameters) as plain tuples, as the
    driver gives them (SQLite: dates as text), one at a time: through the snapshot's own connection, SQLite's
    driver or a SQLAlchemy connection (a server-side cursor)."""
    connection: Any = getattr(snapshot, "connection", None)
    if isinstance(connection, sqlite3.Connection):
        yield from connection.execute(sql, params or {})
        return
    from sqlalchemy import text

    for row in connection.execution_options(stream_results=True, yield_per=5000).execute(text(sql), params or {}):
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
