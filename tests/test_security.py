"""Security: SQL only with bound parameters; names typed on the command line never reach SQL as text."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event

from tests.conftest import Run, db_digest

TRACKER = Path(__file__).resolve().parent.parent / "tracker"
# Statements the tracker builds as text, each from names it declares itself (never from input):
# the schema upgrades' DDL over its own table, column and index names (each column's type compiled by the
# dialect), SQLite PRAGMAs with constant values (or the integer a PRAGMA read, set back by `tracker check`),
# the PostgreSQL write lock's constant key. (`tracker.store.database.BulkInsert` writes its INSERT from its own column
# names, quoted by the dialect, and binds every value.)
BUILT_FROM_DECLARED_NAMES = {
    ("upgrades.py", 'conn.exec_driver_sql(f"DROP INDEX IF EXISTS ix_{table}_superseded_at")'),
    ("upgrades.py", 'conn.exec_driver_sql(f"ALTER TABLE {quote(table.name)} ADD COLUMN {quote(name)} {kind}")'),
    ("database.py", 'conn.connection.dbapi_connection.execute(f"PRAGMA mmap_size={MMAP_BYTES}")'),
    ("database.py", 'conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITE_LOCK})")'),
    ("check.py", 'connection.execute(f"PRAGMA mmap_size={int(before)}")'),
}


def test_sql_is_only_built_from_the_trackers_own_names() -> None:
    built = set()
    for path in sorted(TRACKER.rglob("*.py")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if re.search(r"\b(execute|exec_driver_sql|text)\(f[\"']", line):
                built.add((path.name, line.split("  #")[0].strip()))
    assert built == BUILT_FROM_DECLARED_NAMES


# The read package's SQL: module constants, composed from its own fragments when the module loads; values are
# bound as `:name` parameters (a list spread over placeholders of its own by `tracker.read.connection`).
READ = TRACKER / "read"
# The runners' own parameter, and a loop over two constants.
PASSED_ON = {("connection.py", "sql"), ("held.py", "sql"), ("reading.py", "sql"), ("diff.py", "statement")}


def test_the_read_side_runs_only_its_own_constant_statements() -> None:
    runs = set()
    for path in sorted(READ.glob("*.py")):
        for statement in re.findall(r"\.(?:rows|scalar)\(\s*(f?\"[^\"]*\"|[^\s,)]+)", path.read_text(encoding="utf-8")):
            runs.add((path.name, statement.strip()))
    assert runs, "the read package runs its SQL through Snapshot.rows and .scalar"
    for where, statement in runs:
        constant = re.fullmatch(r"[A-Z][A-Z_]*", statement) or re.fullmatch(r'"[^"{}]*"', statement)
        assert constant or (where, statement) in PASSED_ON, f"{where}: SQL built at the call: {statement}"


def test_hostile_names_on_the_command_line_are_refused_and_change_nothing(run: Run, seeded_db: str) -> None:
    before = db_digest(seeded_db)
    for hostile in ("x' OR '1'='1", "znpp'; DROP TABLE evidence; --", "%", "_"):
        for option in ("--issue", "--party"):
            result = run("--db", seeded_db, "state", option, hostile)
            assert result.exit_code == 2 and "unknown" in result.stderr, (option, hostile)
    assert db_digest(seeded_db) == before
    assert run("--db", seeded_db, "state", "--issue", "znpp").exit_code == 0


# Input no catalogue holds, each with the canary `xyzzy`: quotes, a statement ended and commented out, LIKE's
# wildcards and escape, and unicode (no NUL: the command line cannot carry one).
CANARY = "xyzzy"
HOSTILE = (
    "xyzzy' OR 1=1 --",
    "xyzzy'; DROP TABLE evidence; --",
    'xyzzy" OR ""="',
    "xyzzy%_\\%",
    "XYZZY \u2018Ünïcödé\u2019 Ω 雪 🙂 \u02bc); --",
)


@dataclass
class Execution:
    """One statement the tracker handed to a driver: its SQL text and, apart, its parameters."""

    sql: str
    parameters: str
    traced: list[str] = field(default_factory=list)  # what SQLite ran meanwhile, parameters expanded


@dataclass
class Recorder:
    executions: list[Execution] = field(default_factory=list)
    traced: list[str] = field(default_factory=list)
    running: list[Execution] = field(default_factory=list)

    def sent(self, sql: object, parameters: object) -> Execution:
        execution = Execution(str(sql), repr(parameters))
        self.executions.append(execution)
        return execution

    def trace(self, statement: str) -> None:
        self.traced.append(statement)
        if self.running:
            self.running[-1].traced.append(statement)


@pytest.fixture
def statements(monkeypatch: pytest.MonkeyPatch) -> Iterator[Recorder]:
    """Every SQL statement the tracker executes: through SQLAlchemy (any backend), and through the standard
    library's sqlite3 on every connection it opens (the read side's, and SQLAlchemy's own on SQLite), where
    SQLite's trace also reports each statement as it ran."""
    recorder = Recorder()

    def run(execute: Any, sql: Any, *args: Any) -> Any:
        execution = recorder.sent(sql, args)
        recorder.running.append(execution)
        try:
            return execute(sql, *args)
        finally:
            recorder.running.pop()

    class Cursor(sqlite3.Cursor):
        def execute(self, sql: str, *args: Any) -> Any:  # type: ignore[override]
            return run(super().execute, sql, *args)

        def executemany(self, sql: str, *args: Any) -> Any:  # type: ignore[override]
            return run(super().executemany, sql, *args)

        def executescript(self, sql: str) -> Any:  # type: ignore[override]
            return run(super().executescript, sql)

    class Connection(sqlite3.Connection):
        def cursor(self, factory: Any = Cursor) -> Any:  # type: ignore[override]
            assert factory is Cursor, "a cursor of another kind would not be recorded"
            return super().cursor(factory)

        def execute(self, sql: str, *args: Any) -> Any:  # type: ignore[override]
            return run(super().execute, sql, *args)

        def executemany(self, sql: str, *args: Any) -> Any:  # type: ignore[override]
            return run(super().executemany, sql, *args)

        def executescript(self, sql: str) -> Any:  # type: ignore[override]
            return run(super().executescript, sql)

    real_connect = sqlite3.connect

    def connect(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        assert "factory" not in kwargs, "a connection of another kind would not be recorded"
        connection = real_connect(*args, factory=Connection, **kwargs)
        connection.set_trace_callback(recorder.trace)
        return connection

    def before_cursor_execute(conn: Any, cursor: Any, sql: str, parameters: Any, context: Any, many: bool) -> None:
        recorder.sent(sql, parameters)

    monkeypatch.setattr(sqlite3, "connect", connect)
    event.listen(Engine, "before_cursor_execute", before_cursor_execute)
    try:
        yield recorder
    finally:
        event.remove(Engine, "before_cursor_execute", before_cursor_execute)


def _as_text(executions: list[Execution], hostile: str) -> list[str]:
    """The statements whose SQL text holds `hostile` (or the canary in any case, as a LIKE pattern would)."""
    return [e.sql for e in executions if hostile in e.sql or CANARY in e.sql.lower()]


# Commands whose hostile argument reaches the store: an id looked up, a text searched.
REACHES_THE_STORE = (("show",), ("show", "--format", "json"), ("search",), ("search", "--all", "--format", "json"))
# Filters: checked against the catalogue read from the store, and refused as unknown.
FILTERS = tuple(
    (*command, option)
    for command in (("state",), ("history",), ("diff", "2026-01-01"), ("report",), ("export", "--format", "w3c"))
    for option in ("--issue", "--party")
)
# Dates and times: refused when parsed, before the store is opened.
DATES = (("state", "--as-of"), ("state", "--known-at"), ("history", "--since"), ("history", "--until"), ("diff",))


def test_hostile_input_reaches_sql_only_as_bound_parameters(run: Run, seeded_db: str, statements: Recorder) -> None:
    before = db_digest(seeded_db)
    for hostile in HOSTILE:
        for command in REACHES_THE_STORE + FILTERS:
            statements.executions.clear()
            statements.traced.clear()
            result = run("--db", seeded_db, *command, hostile)
            assert result.exit_code in (0, 1, 2) and "Traceback" not in result.stderr, (command, hostile, result)
            assert statements.executions, f"{command}: no statement recorded"
            assert not _as_text(statements.executions, hostile), (command, hostile)
            bound = [e for e in statements.executions if CANARY in e.parameters.lower()]
            if command in REACHES_THE_STORE:
                assert bound, f"{command}: {hostile!r} never reached the store as a parameter"
            else:
                assert result.exit_code == 2 and "unknown" in result.stderr, (command, hostile)
            # What SQLite ran with the hostile text in it ran inside an execution that bound it.
            for execution in statements.executions:
                if any(CANARY in ran.lower() for ran in execution.traced):
                    assert execution in bound, (command, execution)
            assert sum(CANARY in ran.lower() for ran in statements.traced) == sum(
                CANARY in ran.lower() for e in bound for ran in e.traced
            ), f"{command}: SQLite ran the hostile text outside a recorded execution"
        for command in DATES:
            statements.executions.clear()
            result = run("--db", seeded_db, *command, hostile)
            assert result.exit_code == 2 and "Invalid value" in result.stderr, (command, hostile)
            assert not _as_text(statements.executions, hostile), (command, hostile)
    assert db_digest(seeded_db) == before
