"""A read snapshot of the store: rows by name, from the SQL the read package writes, on any backend.

A SQLite file is read through the standard library's driver, so a command that
only reads starts without loading SQLAlchemy; any other database through a
SQLAlchemy connection, where the same SQL runs (`:name` parameters). Either
way one snapshot is one transaction that never takes the write lock, and rows
come back as dicts of Python values: dates, times and UTC datetimes whatever
the driver returns.

The SQL is the read package's own, written with named parameters; a list
parameter (`IN :issues`) is expanded here into one placeholder per value, its
names made from the parameter's own name. No value ever reaches SQL as text.
"""

from __future__ import annotations

import os
import re
import sqlite3
import urllib.parse
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime, time
from functools import lru_cache
from threading import Lock
from typing import Any

from tracker.domain.errors import StoreError
from tracker.store.address import (
    SCHEMA_VERSION,
    UPGRADABLE_VERSIONS,
    prepare_sqlite,
    read_only_uri,
    sqlite_file,
)

# The columns the read SQL labels as dates, times of day and recorded times, whatever the table.
DATE_COLUMNS = frozenset(
    {
        *("date", "said_on", "since", "valid_from", "contested_on", "published_on", "first_said_on", "last_said_on"),
        *("sticking_point_on", "implemented_on", "partly_implemented_on"),  # an issue's newest of each kind
    }
)
TIME_COLUMNS = frozenset({"said_at"})
DATETIME_COLUMNS = frozenset({"recorded_at", "superseded_at", "first_recorded"})
# What "no recorded time" means in a held-at condition: the end of time, so only current rows pass.
END_OF_TIME = datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)
_LIST = re.compile(r":([a-z_]+)\b")


class EmptyDatabase(StoreError):
    """The database holds no tables yet: nothing was ever ingested into it."""


class NeedsUpgrade(StoreError):
    """The database was made by an older tracker: it is upgraded in place, once, before it is read."""


class Snapshot:
    """One consistent read of the store; `rows` and `scalar` run the read package's SQL in it."""

    def rows(self, sql: str, **params: Any) -> list[dict[str, Any]]:
        raise NotImplementedError

    def tuples(self, sql: str, **params: Any) -> list[list[Any]]:
        """The rows as lists in the order of the columns, converted as `rows` converts them: for a thousand rows
        made straight into tuples of the read models, without a dict each."""
        raise NotImplementedError

    def scalar(self, sql: str, **params: Any) -> Any:
        found = self.rows(sql, **params)
        return next(iter(found[0].values())) if found else None


def expanded(sql: str, params: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """`sql` with each list parameter spread over placeholders of its own (`:ids` -> `(:ids_0, :ids_1)`)."""
    out: dict[str, Any] = {}
    lists = {name for name, value in params.items() if isinstance(value, (list, tuple))}

    def spread(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in lists:
            return match.group(0)
        values = params[name]
        names = [f"{name}_{n}" for n in range(len(values))] or [f"{name}_none"]
        return "(" + ", ".join(f":{each}" for each in names) + ")"

    text = _LIST.sub(spread, sql)
    for name, value in params.items():
        if name in lists:
            out.update({f"{name}_{n}": each for n, each in enumerate(value)})
            if not value:
                out[f"{name}_none"] = None  # IN (NULL): nothing matches
        else:
            out[name] = value
    return text, out


@lru_cache(maxsize=4096)
def _date(text: str) -> date:
    return date.fromisoformat(text)


def _utc(value: Any) -> Any:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if isinstance(value, datetime) and value.tzinfo is None else value


def _converters(names: list[str], texts: bool) -> list[tuple[int, Any]]:
    """Which columns of a result need making into Python values, and how (SQLite returns dates as text)."""
    found: list[tuple[int, Any]] = []
    for n, name in enumerate(names):
        if name in DATETIME_COLUMNS:
            found.append((n, _utc))
        elif texts and name in DATE_COLUMNS:
            found.append((n, _date))
        elif texts and name in TIME_COLUMNS:
            found.append((n, time.fromisoformat))
    return found


def _stored(value: Any, texts: bool) -> Any:
    """A parameter as the store compares it: UTC datetimes without a zone; on SQLite, dates as text."""
    if isinstance(value, datetime):
        value = value.astimezone(UTC).replace(tzinfo=None)
        return value.strftime("%Y-%m-%d %H:%M:%S.%f") if texts else value
    if texts and isinstance(value, (date, time)):
        return value.isoformat() if isinstance(value, date) else value.strftime("%H:%M:%S.%f")
    return value


class _SqliteSnapshot(Snapshot):
    def __init__(self, connection: sqlite3.Connection, where: str) -> None:
        self.connection = connection
        self.where = where

    def rows(self, sql: str, **params: Any) -> list[dict[str, Any]]:
        names, found = self._fetched(sql, params)
        return _as_dicts(names, found, texts=True)

    def tuples(self, sql: str, **params: Any) -> list[list[Any]]:
        names, found = self._fetched(sql, params)
        return _as_lists(names, found, texts=True)

    def _fetched(self, sql: str, params: dict[str, Any]) -> tuple[list[str], list[Any]]:
        text, bound = expanded(sql, params)
        try:
            cursor = self.connection.execute(text, {k: _stored(v, True) for k, v in bound.items()})
            found = cursor.fetchall()
        except sqlite3.Error as exc:
            raise StoreError(f"database {self.where}: {exc}") from None
        return [column[0] for column in cursor.description or ()], found


class _EngineSnapshot(Snapshot):
    def __init__(self, connection: Any) -> None:
        self.connection = connection

    def rows(self, sql: str, **params: Any) -> list[dict[str, Any]]:
        result = self._result(sql, params)
        return _as_dicts(list(result.keys()), result, texts=False)

    def tuples(self, sql: str, **params: Any) -> list[list[Any]]:
        result = self._result(sql, params)
        return _as_lists(list(result.keys()), result, texts=False)

    def _result(self, sql: str, params: dict[str, Any]) -> Any:
        from sqlalchemy import text as sql_text

        statement, bound = expanded(sql, params)
        return self.connection.execute(sql_text(statement), {k: _stored(v, False) for k, v in bound.items()})


def _as_lists(names: list[str], rows: Iterable[Sequence[Any]], texts: bool) -> list[list[Any]]:
    """Rows as lists in column order, their stored values converted as `_as_dicts` converts them."""
    convert = _converters(names, texts=texts)
    found = []
    for row in rows:
        values = list(row)
        for n, make in convert:
            if values[n] is not None:
                values[n] = make(values[n])
        found.append(values)
    return found


def _as_dicts(names: list[str], rows: Iterable[Sequence[Any]], texts: bool) -> list[dict[str, Any]]:
    """Rows as dicts by column name, their stored values converted to the models' types (`texts`: dates and
    times come as text, as SQLite gives them)."""
    return [dict(zip(names, values, strict=True)) for values in _as_lists(names, rows, texts)]


def _check_schema(tables: set[str], version: Any, where: str) -> None:
    if not tables:
        raise EmptyDatabase(f"{where} holds no tracker data; load a corpus with `tracker ingest`")
    if "tracker_meta" not in tables:
        raise StoreError(f"{where} is not a tracker database")
    if version in UPGRADABLE_VERSIONS:
        raise NeedsUpgrade(f"{where} has schema version {version}: upgrading")
    if version != SCHEMA_VERSION:
        raise StoreError(
            f"{where} has schema version {version}, and this tracker reads version {SCHEMA_VERSION}; "
            "ingest the corpus into a new database (--db) or remove this one to rebuild it"
        )


# A read connection maps the whole file (SQLite maps at most the file, and at most its compile-time limit, 2 GiB in
# the usual builds): a kept connection maps it once, and a read of pages it has not read yet takes them from the
# system's file cache without copying them (the diff's 2,000 seeks at 1M: 11 ms -> 6.6 ms). The pages it touches
# count in the process's resident memory, as the system's shared file cache.
SNAPSHOT_MMAP = "PRAGMA mmap_size=1099511627776"


class IdleConnections:
    """The SQLite connections a process keeps between its reads of one file (`Database` keeps one such).

    A read takes one, if any, and begins a new transaction on it: its snapshot is as new as a new connection's
    (with write-ahead logging a transaction sees every commit made before its first read), and its page cache
    still holds what the reads before it read, where a new connection would read every page again (the terminal
    UI and a notebook read the same indexes step after step). A connection goes back only after a read that
    ended cleanly, and is used only while the file is the one it opened (same device and inode: a database
    removed and made again is opened anew). At most `KEPT` are kept, each with its page cache.
    """

    KEPT = 2

    def __init__(self) -> None:
        self._idle: list[tuple[tuple[int, int], sqlite3.Connection]] = []
        self._lock = Lock()

    def take(self, identity: tuple[int, int]) -> sqlite3.Connection | None:
        with self._lock:
            while self._idle:
                opened, connection = self._idle.pop()
                if opened == identity:
                    return connection
                connection.close()
        return None

    def give(self, identity: tuple[int, int], connection: sqlite3.Connection) -> None:
        with self._lock:
            self._idle.append((identity, connection))
            while len(self._idle) > self.KEPT:
                self._idle.pop(0)[1].close()

    def close(self) -> None:
        with self._lock:
            for _, connection in self._idle:
                connection.close()
            self._idle.clear()


@contextmanager
def snapshot(url: str, where: str, read_only: bool = False, idle: IdleConnections | None = None) -> Iterator[Snapshot]:
    """A read snapshot of the database at `url` (`where`: how messages name it). `NeedsUpgrade` for an older one.

    `read_only`: a SQLite file is opened read-only even where it may be written (`tracker check`), so that not
    even the checkpoint a last reader makes on closing can change it. `idle`: the connections kept between reads
    (of a SQLite file this process may write), to take one from and give it back to."""
    file = sqlite_file(url)
    if file is not None:
        yield from _sqlite_snapshot(file, where, read_only, idle)
        return
    yield from _engine_snapshot(url, where)


def _sqlite_snapshot(
    file: Any, where: str, read_only: bool = False, idle: IdleConnections | None = None
) -> Iterator[Snapshot]:
    try:
        found = os.stat(file)
    except FileNotFoundError:
        raise StoreError(f"no database at {where}; create it with `tracker --db {where} ingest`") from None
    identity = (found.st_dev, found.st_ino)
    uri = read_only_uri(file)
    if uri is None and read_only:
        uri = f"file:{urllib.parse.quote(str(file.resolve()))}?mode=ro"
    # Only a connection that sees later commits is kept: not one opened read-only as immutable (`read_only_uri`).
    keep = idle if uri is None else None
    connection = keep.take(identity) if keep is not None else None
    if connection is None:
        try:
            connection = sqlite3.connect(uri or str(file), uri=uri is not None, timeout=30, check_same_thread=False)
            prepare_sqlite(connection)
            connection.execute(SNAPSHOT_MMAP)
        except sqlite3.Error as exc:
            raise StoreError(f"database {where}: {exc}") from None
    ended = False
    try:
        reader = _SqliteSnapshot(connection, where)
        reader.rows("BEGIN")
        tables = {row["name"] for row in reader.rows("SELECT name FROM sqlite_master WHERE type = 'table'")}
        version = (
            reader.scalar("SELECT value FROM tracker_meta WHERE key = 'schema_version'")
            if "tracker_meta" in tables
            else None
        )
        _check_schema(tables, version, where)
        yield reader
        ended = True
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"database {where}: {exc}") from None
    finally:
        try:
            connection.execute("ROLLBACK")
        except sqlite3.Error:
            ended = False  # no transaction was begun (a file that is not a database)
        if ended and keep is not None:
            keep.give(identity, connection)
        else:
            connection.close()


def _engine_snapshot(url: str, where: str) -> Iterator[Snapshot]:
    from sqlalchemy import inspect
    from sqlalchemy.exc import DatabaseError, OperationalError

    from tracker.store.database import open_engine

    engine = open_engine(url)
    try:
        with engine.connect() as connection, connection.begin():
            if connection.dialect.name == "postgresql":
                connection.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            reader = _EngineSnapshot(connection)
            tables = set(inspect(connection).get_table_names())
            version = (
                reader.scalar("SELECT value FROM tracker_meta WHERE key = 'schema_version'")
                if "tracker_meta" in tables
                else None
            )
            _check_schema(tables, version, where)
            yield reader
    except (OperationalError, DatabaseError) as exc:
        raise StoreError(f"database {where}: {exc.orig}") from None
    finally:
        engine.dispose()
