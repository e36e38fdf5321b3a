"""Security: SQL only with bound parameters; names typed on the command line never reach SQL as text."""

from __future__ import annotations

import re
from pathlib import Path

from tests.conftest import Run, db_digest

TRACKER = Path(__file__).resolve().parent.parent / "tracker"
# Statements the tracker builds as text, each from names it declares itself (never from input):
# the schema upgrades' DDL over its own table, column and index names (each column's type compiled by the
# dialect), SQLite PRAGMAs with constant values,
# the PostgreSQL write lock's constant key. (`tracker.store.database.BulkInsert` writes its INSERT from its own column
# names, quoted by the dialect, and binds every value.)
BUILT_FROM_DECLARED_NAMES = {
    ("upgrades.py", 'conn.exec_driver_sql(f"DROP INDEX IF EXISTS ix_{table}_superseded_at")'),
    ("upgrades.py", 'conn.exec_driver_sql(f"ALTER TABLE {quote(table.name)} ADD COLUMN {quote(name)} {kind}")'),
    ("database.py", 'conn.connection.dbapi_connection.execute(f"PRAGMA mmap_size={MMAP_BYTES}")'),
    ("database.py", 'conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITE_LOCK})")'),
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
