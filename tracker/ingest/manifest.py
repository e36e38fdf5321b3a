"""What an ingest remembers of its sources, so that the same input again is recognised without being read.

A cache beside the store's tables, in tables of its own (created by the first ingest that writes one, never
required: a database without them, or with them out of date, is read as it always was):

- `ingest_cache_file`: each source file as it was when an ingest stored it: its size, modification and change
  times, inode and device (its stat signature), the digests of its segments (16 MiB each), and for a feed its
  line, article and evidence counts and the catalogue it was checked against. A file whose stat signature is
  unchanged is taken as unchanged without being read; one whose signature changed is hashed, and taken as
  unchanged if its digests are. As git does, a file recorded within two seconds of its last change is
  "racily clean": its signature is not trusted (a write in the same tick of the clock could leave it as it
  was), and it is hashed the next time. A rewrite that keeps the size and puts the modification time back
  (`touch -d`) still changes the change time (ctime), which no user tool sets back: it is hashed too.
  A folder corpus has one record for its two folders (`corpus.folder_fill`): its index's, texts' and
  fixtures' signatures and digests, which article each fixture codes, and each article's index entry apart.
  A record's long members (a folder's texts and fixtures: 20,000 of each) are kept in rows of their own, a
  thousand entries each (`PART_ENTRIES`): an ingest that changed one fixture rewrites one of them, not
  megabytes.
- `ingest_cache_article`: for each article, a digest of what the store holds of it (its compared fields, and
  the digests of its current evidence): every ingest that changes the store rewrites the digests of the
  articles it states in full, and forgets those of the articles it changes otherwise.
- `ingest_cache_source`: the articles each source stated, with their digests when it was stored. A source is
  unchanged for the store when the digests of all its articles are still those: any other ingest that
  changed one of them (an edit, a removal) makes the source be read again, and one that restored them
  (the same article ingested back) makes it recognised again.
- `ingest_cache_state`: the generation of the store the cache describes (the schema version, how many
  ingests, the newest one's time). An ingest that changed the store without keeping the cache (an older
  tracker) leaves another generation: the whole cache is then out of date, and set aside.

An ingest that changes nothing writes nothing, this cache included ("Idempotent" in the README).
"""

from __future__ import annotations

import hashlib
import json
import os
import time
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec
from sqlalchemy import Column, MetaData, String, Table, Text, delete, func, insert, inspect, select
from sqlalchemy.engine import Connection
from sqlmodel import col

from tracker.store.database import SCHEMA_KEY, EvidenceRow, IngestRow, MetaRow

SEGMENT_BYTES = 16 * 1024 * 1024
READ_BYTES = 1024 * 1024
RACY_NS = 2_000_000_000  # a file changed this close to its recording is hashed again the next time
SEEK_BATCH = 500
PART_ENTRIES = 1000  # of a record's long member, per row of its own
PART = "#/"  # after a record's path: its parts (`PART`member/n), never an article's (`KEY#ARTICLE`: no slash in an id)

METADATA = MetaData()
STATE = Table(
    "ingest_cache_state",
    METADATA,
    Column("key", String(64), primary_key=True),
    Column("value", String(200), nullable=False),
)
ARTICLES = Table(
    "ingest_cache_article",
    METADATA,
    Column("article", String(120), primary_key=True),
    Column("digest", String(64), nullable=False),
)
FILES = Table(
    "ingest_cache_file",
    METADATA,
    Column("path", String(2000), primary_key=True),
    Column("stat", String(200), nullable=False),
    Column("detail", Text, nullable=False),
)
SOURCES = Table(
    "ingest_cache_source",
    METADATA,
    Column("path", String(2000), primary_key=True),
    Column("article", String(120), primary_key=True),
    Column("digest", String(64), nullable=False),
)
GENERATION = "generation"


def stat_signature(path: Path | str) -> str | None:
    """What changes when a file is written: its size, modification and change times, inode and device.
    None for what is not a regular file (a pipe is read every time)."""
    try:
        found = os.stat(path)
    except OSError:
        return None
    if not (found.st_mode & 0o170000 == 0o100000):
        return None
    return f"{found.st_size}:{found.st_mtime_ns}:{found.st_ctime_ns}:{found.st_ino}:{found.st_dev}"


def recorded_signature(signature: str) -> str:
    """The signature to record now: marked racy (never matching) where the file changed within `RACY_NS`."""
    _, mtime, _, _, _ = signature.split(":")
    if time.time_ns() - int(mtime) < RACY_NS:
        return "racy:" + signature
    return signature


def segment_digests(path: Path, upto: int | None = None, start: int = 0) -> list[tuple[int, str]]:
    """The sha256 of each segment of the file (`SEGMENT_BYTES` each, the last one shorter) from `start` (a
    segment boundary) to `upto` (default: the end of the file), as (end offset, digest)."""
    found: list[tuple[int, str]] = []
    with path.open("rb") as file:
        file.seek(start)
        at, ended = start, False
        while not ended and (upto is None or at < upto or not found):
            end = at + SEGMENT_BYTES if upto is None else min(at + SEGMENT_BYTES, upto)
            digest, size = hashlib.sha256(), 0
            while at < end:
                chunk = file.read(min(READ_BYTES, end - at))
                if not chunk:
                    ended = True
                    break
                digest.update(chunk)
                at += len(chunk)
                size += len(chunk)
            if size or not found:
                found.append((at, digest.hexdigest()))
            if upto is not None and at >= upto:
                break
    return found


def content_digest(compared: str, evidence_sum: int, evidence_count: int) -> str:
    """An article's digest as the store holds it: its compared fields (`corpus.article_digest`) and the sum
    of its current evidence's content hashes (a multiset: the order the evidence came in does not count)."""
    return hashlib.sha256(f"{compared}|{evidence_sum:064x}|{evidence_count}".encode()).hexdigest()


def _generation(conn: Connection) -> str:
    count, newest = conn.execute(select(func.count(), func.max(col(IngestRow.recorded_at)))).one()
    schema = conn.execute(select(col(MetaRow.value)).where(col(MetaRow.key) == SCHEMA_KEY)).scalar()
    return f"{schema}:{count}:{newest.isoformat() if newest is not None else ''}"


@dataclass(frozen=True)
class FileRecord:
    path: str
    stat: str
    detail: dict[str, Any]
    # Members of `detail` (lists, or dicts) kept in parts, rows of their own; read back whole by `Cache.file`.
    split: tuple[str, ...] = ()


def _parts(value: list[Any] | dict[str, Any]) -> list[list[Any] | dict[str, Any]]:
    """A long member in parts of about `PART_ENTRIES`: a list in slices, a dict by a digest of each key (so that
    an entry changed, removed or added changes its own part)."""
    if isinstance(value, list):
        return [value[start : start + PART_ENTRIES] for start in range(0, len(value), PART_ENTRIES)] or [[]]
    count = max(1, -(-len(value) // PART_ENTRIES))
    parts: list[dict[str, Any]] = [{} for _ in range(count)]
    for key, entry in value.items():
        parts[zlib.crc32(key.encode()) % count][key] = entry
    return list(parts)


def _part_keys(path: str, split: dict[str, list[Any]]) -> list[str]:
    return [f"{path}{PART}{member}/{n}" for member, (_, count) in split.items() for n in range(count)]


class Cache:
    """The cache as this ingest's transaction sees it: trusted only if it describes the store as it is."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        names = set(inspect(conn).get_table_names())
        self.present = all(table.name in names for table in METADATA.sorted_tables)
        self.trusted = False
        self.generation: str | None = None  # the store's, when the cache describes it
        # Of each record read whole from parts: each part's row as read (a part written as it was is not written).
        self.parts_read: dict[str, dict[str, str]] = {}
        if self.present:
            held = conn.execute(select(STATE.c.value).where(STATE.c.key == GENERATION)).scalar()
            self.trusted = held is not None and held == _generation(conn)
            self.generation = held if self.trusted else None

    def file(self, path: str) -> FileRecord | None:
        """The record of `path`, its parts put back (None if it has none, or is missing a part)."""
        if not self.trusted:
            return None
        row = self.conn.execute(select(FILES.c.stat, FILES.c.detail).where(FILES.c.path == path)).first()
        if row is None:
            return None
        detail = msgspec.json.decode(row.detail)
        split: dict[str, list[Any]] | None = detail.pop("split", None) if isinstance(detail, dict) else None
        if not split:
            return FileRecord(path, row.stat, detail)
        keys = _part_keys(path, split)
        read: dict[str, str] = {}
        for start in range(0, len(keys), SEEK_BATCH):
            chunk = keys[start : start + SEEK_BATCH]
            read.update(self.conn.execute(select(FILES.c.path, FILES.c.detail).where(FILES.c.path.in_(chunk))).all())
        if len(read) != len(keys):
            return None
        at = 0
        for member, (kind, count) in split.items():
            parts = [msgspec.json.decode(read[key]) for key in keys[at : at + count]]
            at += count
            if kind == "list":
                detail[member] = [entry for part in parts for entry in part]
            else:
                detail[member] = {key: entry for part in parts for key, entry in part.items()}
        self.parts_read[path] = read
        return FileRecord(path, row.stat, detail, tuple(split))

    def files(self, paths: list[str]) -> dict[str, FileRecord]:
        """The records of `paths` the cache holds (sought a batch at a time)."""
        found: dict[str, FileRecord] = {}
        if not self.trusted:
            return found
        for start in range(0, len(paths), SEEK_BATCH):
            for row in self.conn.execute(
                select(FILES.c.path, FILES.c.stat, FILES.c.detail).where(
                    FILES.c.path.in_(paths[start : start + SEEK_BATCH])
                )
            ):
                found[row.path] = FileRecord(row.path, row.stat, msgspec.json.decode(row.detail))
        return found

    def _stored_part_keys(self, path: str) -> list[str]:
        """The parts the record of `path` has as stored (none if it has no record, or one not in parts)."""
        if not self.present:
            return []
        held = self.conn.execute(select(FILES.c.detail).where(FILES.c.path == path)).scalar()
        detail = msgspec.json.decode(held) if held is not None else None
        split = detail.get("split") if isinstance(detail, dict) else None
        return _part_keys(path, split) if isinstance(split, dict) else []

    def source_holds(self, path: str, articles: int) -> bool:
        """Whether the store still holds each article of the source `path` as the source stated it."""
        if not self.trusted:
            return False
        stated = self.conn.execute(select(func.count()).where(SOURCES.c.path == path)).scalar_one()
        held = self.conn.execute(
            select(func.count())
            .select_from(SOURCES.join(ARTICLES, ARTICLES.c.article == SOURCES.c.article))
            .where(SOURCES.c.path == path, ARTICLES.c.digest == SOURCES.c.digest)
        ).scalar_one()
        return bool(stated == held == articles)

    def source_held(self, path: str) -> dict[str, bool]:
        """For each article the source `path` stated: whether the store still holds it as stated."""
        if not self.trusted:
            return {}
        return {
            row[0]: bool(row[1])
            for row in self.conn.execute(
                select(SOURCES.c.article, ARTICLES.c.digest == SOURCES.c.digest)
                .select_from(SOURCES.outerjoin(ARTICLES, ARTICLES.c.article == SOURCES.c.article))
                .where(SOURCES.c.path == path)
            )
        }

    def source_articles(self, path: str) -> set[str]:
        return {row[0] for row in self.conn.execute(select(SOURCES.c.article).where(SOURCES.c.path == path))}

    def write(
        self,
        digests: Mapping[str, str],
        forgotten: Iterable[str],
        files: list[FileRecord],
        sources: Mapping[str, tuple[bool, Mapping[str, str]]],
    ) -> None:
        """After an ingest that changed the store (its own record written): the digests of the articles it
        stated in full, those it changed otherwise forgotten, the files it read, and the articles of each
        source (replacing the source's, or added to them). A cache that was not trusted is emptied first."""
        conn = self.conn
        generation = _generation(conn)
        for record in files:
            if "generation" in record.detail:  # the generation this record is written in (see `corpus.folder_fill`)
                record.detail["generation"] = generation
        if not self.present:
            METADATA.create_all(conn, checkfirst=True)
        if not self.trusted:
            for table in METADATA.sorted_tables:
                conn.execute(delete(table))
        _delete_in(conn, ARTICLES, ARTICLES.c.article, [*digests, *forgotten])
        _insert(conn, ARTICLES, [{"article": a, "digest": d} for a, d in digests.items()])
        rows: list[dict[str, Any]] = []
        stale: list[str] = []  # parts written before that are no longer parts of their record
        for record in files:
            if not record.split:
                rows.append(
                    {"path": record.path, "stat": record.stat, "detail": msgspec.json.encode(record.detail).decode()}
                )
                continue
            header = {key: value for key, value in record.detail.items() if key not in record.split}
            parts = {member: _parts(record.detail[member]) for member in record.split}
            header["split"] = {
                member: ["list" if isinstance(record.detail[member], list) else "dict", len(parts[member])]
                for member in record.split
            }
            rows.append({"path": record.path, "stat": record.stat, "detail": msgspec.json.encode(header).decode()})
            read = self.parts_read.get(record.path)
            if read is None:  # not read in this ingest: whichever parts it has are replaced
                read = {key: "" for key in self._stored_part_keys(record.path)}
            keys = _part_keys(record.path, header["split"])
            texts = [msgspec.json.encode(part).decode() for member in record.split for part in parts[member]]
            rows += [
                {"path": key, "stat": "part", "detail": text}
                for key, text in zip(keys, texts, strict=True)
                if read.get(key) != text
            ]
            stale += sorted(set(read) - set(keys))
        _delete_in(conn, FILES, FILES.c.path, [row["path"] for row in rows] + stale)
        _insert(conn, FILES, rows)
        for path, (replace, articles) in sources.items():
            if replace:
                conn.execute(delete(SOURCES).where(SOURCES.c.path == path))
            else:
                _delete_in(conn, SOURCES, SOURCES.c.article, list(articles), SOURCES.c.path == path)
            _insert(conn, SOURCES, [{"path": path, "article": a, "digest": d} for a, d in articles.items()])
        conn.execute(delete(STATE).where(STATE.c.key == GENERATION))
        conn.execute(insert(STATE).values(key=GENERATION, value=generation))


def stored_fixtures(conn: Connection) -> dict[str, tuple[str, Any]]:
    """What each fixture was when its article's evidence was last stored from it, by the fixture's resolved path:
    the article, and its `corpus.FixtureDigest`."""
    from tracker.ingest.corpus import FixtureDigest
    from tracker.ingest.writer import FIXTURE_KEY

    found: dict[str, tuple[str, Any]] = {}
    for key, value in conn.execute(
        select(col(MetaRow.key), col(MetaRow.value)).where(col(MetaRow.key).startswith(FIXTURE_KEY, autoescape=True))
    ):
        digest = FixtureDigest(*json.loads(value))
        found[digest.path] = (key.removeprefix(FIXTURE_KEY), digest)
    return found


def held_evidence(conn: Connection, articles: list[str]) -> dict[str, tuple[int, int]]:
    """For each of `articles`: the sum of its current evidence's content hashes and how many there are."""
    found: dict[str, tuple[int, int]] = {}
    for start in range(0, len(articles), SEEK_BATCH):
        sums: dict[str, int] = dict.fromkeys(articles[start : start + SEEK_BATCH], 0)
        counts: dict[str, int] = dict.fromkeys(sums, 0)
        for article, content_hash in conn.execute(
            select(col(EvidenceRow.article), col(EvidenceRow.content_hash)).where(
                col(EvidenceRow.article).in_(list(sums)), col(EvidenceRow.superseded_at).is_(None)
            )
        ):
            sums[article] += int(content_hash, 16)
            counts[article] += 1
        found.update((article, (sums[article], counts[article])) for article in sums)
    return found


def _delete_in(conn: Connection, table: Table, column: Any, values: list[str], *where: Any) -> None:
    for start in range(0, len(values), SEEK_BATCH):
        conn.execute(delete(table).where(column.in_(values[start : start + SEEK_BATCH]), *where))


def _insert(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), 5000):
        conn.execute(insert(table), rows[start : start + 5000])
