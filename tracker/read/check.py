"""`tracker check`: every invariant of the store, verified by reading it, never by writing (as `git fsck`).

Ingest keeps these by construction; a bug, a hand edit of the database or a
disk that lied breaks them, and every answer built on the store then goes
wrong quietly. Each finding names the table, the id and what is wrong:

- one live (not superseded) row per article, evidence, issue and party id;
- every live piece of evidence's article live, its issue (and party) in the live catalogue;
- every issue's parent in the live catalogue;
- each position's live timeline equal to a replay of its live evidence (the replay ingest runs);
- every stored article's text digest (sha256 of its UTF-8 bytes) equal to its text, superseded versions too;
- on SQLite, `PRAGMA integrity_check`.

It reads one snapshot, a position at a time (one seek for its evidence, one
for its timeline), so its memory stays that of the largest position.
"""

from __future__ import annotations

import hashlib
import sqlite3
import urllib.parse
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from tracker.domain.errors import Problem
from tracker.domain.timeline import ReplayItem, TimelineEntry, replay_item, replay_position
from tracker.read.connection import Snapshot
from tracker.store.address import read_only_uri

ARTICLE_BATCH = 500  # article rows (with their texts) read per statement
SHOWN = 20  # findings of one kind named one by one before they are counted

LIVE = "superseded_at IS NULL"
LIVE_ARTICLES = f"SELECT id, published_on, sha256 FROM article WHERE {LIVE}"
ARTICLE_TEXTS = (
    "SELECT row_id, id, sha256, text, superseded_at FROM article WHERE row_id > :after ORDER BY row_id LIMIT :batch"
)
LIVE_ISSUES = f"SELECT id, parent FROM issue WHERE {LIVE}"
LIVE_PARTIES = f"SELECT id FROM party WHERE {LIVE}"
POSITIONS_OF_EVIDENCE = f"SELECT DISTINCT issue, party FROM evidence WHERE party IS NOT NULL AND {LIVE}"
POSITIONS_OF_TIMELINE = f"SELECT DISTINCT issue, party FROM timeline WHERE {LIVE}"
POSITION_EVIDENCE = (
    'SELECT row_id, id, article, said_on, said_at, attribution, start, "end", stance, mode, move, condition, '
    f"source_path, stance_line, said_on_written FROM evidence WHERE issue = :issue AND party = :party AND {LIVE}"
)
ISSUE_LEVEL_EVIDENCE = f"SELECT row_id, id, article, issue FROM evidence WHERE party IS NULL AND {LIVE}"
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
        _check_evidence(snapshot, findings, counted, articles, issues, parties, progress)
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
) -> None:
    """Each live piece of evidence's article and catalogue entries; each position's timeline against its replay."""
    ids: list[str] = []
    for row in snapshot.rows(ISSUE_LEVEL_EVIDENCE):
        ids.append(row["id"])
        _article_and_catalog(findings, row, None, articles, issues, parties)
    positions = {(row["issue"], row["party"]) for row in snapshot.rows(POSITIONS_OF_EVIDENCE)}
    positions |= {(row["issue"], row["party"]) for row in snapshot.rows(POSITIONS_OF_TIMELINE)}
    entries = 0
    for done, (issue, party) in enumerate(sorted(positions), 1):
        items: list[ReplayItem] = []
        for row in snapshot.rows(POSITION_EVIDENCE, issue=issue, party=party):
            ids.append(row["id"])
            article = _article_and_catalog(findings, row, (issue, party), articles, issues, parties)
            if article is None:
                continue  # not replayed, as ingest does not replay it either
            items.append(_item(row, article["published_on"], article["sha256"]))
        stored = snapshot.rows(POSITION_TIMELINE, issue=issue, party=party)
        entries += len(stored)
        replayed = replay_position(issue, party, items)
        where = f"{issue}/{party}"
        if isinstance(replayed, Problem):
            findings.add("timeline", "timeline", where, f"its live evidence does not replay: {replayed.message}")
        else:
            differs = _differs(stored, replayed)
            if differs is not None:
                findings.add(
                    "timeline",
                    "timeline",
                    where,
                    f"the stored timeline is not a replay of its live evidence: {differs}",
                )
        if progress is not None and done % 100 == 0:
            progress(f"checked {done} of {len(positions)} positions")
    _duplicates(findings, "evidence", ids)
    counted["evidence"] = len(set(ids))
    counted["positions"] = len(positions)
    counted["timeline_entries"] = entries


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
