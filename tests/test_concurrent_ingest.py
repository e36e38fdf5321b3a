"""Two ingests at once never corrupt or duplicate anything.

The write lock (SQLite's, taken at BEGIN IMMEDIATE; on PostgreSQL a
transaction-level advisory lock) takes them one after the other, and the
second sees everything the first committed, the schema of a new database
included. Each test holds the lock while it starts two `tracker ingest`
processes, waits until both are queued behind it, then lets them race. A reader
is never held up by the lock.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text

from tests.conftest import FIXTURES, ON_POSTGRESQL, SEEDS, NewDb, Run, table_counts
from tracker.store.address import database_url
from tracker.store.database import WRITE_LOCK, Store

QUERIES = [
    ("state", "--as-of", "2026-01-24", "--format", "json"),
    ("state", "--as-of", "2026-02-06", "--format", "json"),
    ("diff", "2026-01-20", "2026-02-06", "--format", "json"),
    ("history", "--format", "json"),
    ("report", "--as-of", "2026-02-06", "--since", "2026-01-24"),
]


def answers(run: Run, db: str) -> list[str]:
    """What the tracker says from `db` (the queries' stdout, which names no recorded time)."""
    results = [run("--db", db, *query) for query in QUERIES]
    assert all(r.exit_code == 0 for r in results), [r.stderr for r in results]
    return [r.stdout for r in results]


def current_rows(db: str) -> dict[str, int]:
    """Rows the store holds now, per table; and how many current ids appear more than once."""
    engine = create_engine(database_url(db)[0])
    try:
        with engine.connect() as conn:
            counts = {
                table: conn.execute(text(f"SELECT COUNT(*) FROM {table} WHERE superseded_at IS NULL")).scalar_one()
                for table in ("article", "evidence", "timeline", "issue", "party")
            }
            for table in ("article", "evidence"):
                twice = f"SELECT id FROM {table} WHERE superseded_at IS NULL GROUP BY id HAVING COUNT(*) > 1"
                counts[f"{table} ids twice"] = conn.execute(text(f"SELECT COUNT(*) FROM ({twice}) AS d")).scalar_one()
            counts["ingests"] = conn.execute(text("SELECT COUNT(*) FROM ingest")).scalar_one()
            return counts
    finally:
        engine.dispose()


def _waiting_for_lock(db: str) -> int:
    """How many sessions wait for the tracker's advisory lock on this PostgreSQL database."""
    engine = create_engine(database_url(db)[0])
    try:
        with engine.connect() as conn:
            return int(
                conn.execute(
                    text(
                        "SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND objid = :lock "
                        "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
                    ),
                    {"lock": WRITE_LOCK},
                ).scalar_one()
            )
    finally:
        engine.dispose()


@contextmanager
def write_lock_held(db: str) -> Iterator[None]:
    """Hold the tracker's write lock on `db`, as an ingest under way would, writing nothing."""
    if ON_POSTGRESQL:
        engine = create_engine(database_url(db)[0])
        with engine.connect() as conn, conn.begin():
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITE_LOCK})")
            yield
        engine.dispose()
    else:
        holder = sqlite3.connect(db, isolation_level=None)
        holder.execute("PRAGMA journal_mode=WAL")  # as every tracker writer sets it
        holder.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            holder.execute("ROLLBACK")
            holder.close()


# `tracker ingest`, saying in a file named for its process when it asks SQLite for the write lock: a listener on
# every engine touches the file just before the BEGIN IMMEDIATE that waits for the lock.
QUEUED_INGEST = """
import os, sys
from pathlib import Path
from sqlalchemy import event
from sqlalchemy.engine import Engine

@event.listens_for(Engine, "before_cursor_execute")
def queued(conn, cursor, statement, parameters, context, executemany):
    if statement == "BEGIN IMMEDIATE":
        (Path(os.environ["TRACKER_TEST_QUEUE"]) / str(os.getpid())).touch()

from tracker.cli import main
main(sys.argv[1:])
"""


def queue_behind_the_lock(db: str, processes: list[subprocess.Popen[str]], queue: Path) -> None:
    """Wait until every process waits for the write lock: on PostgreSQL as the server's lock table shows; on SQLite
    once each has said (in `queue`) that it is asking for the lock, which the test holds."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if any(p.poll() is not None for p in processes):
            return  # one failed early: the assertions on exit codes say why
        if ON_POSTGRESQL:
            if _waiting_for_lock(db) == len(processes):
                return
        elif {entry.name for entry in queue.iterdir()} == {str(p.pid) for p in processes}:
            return
        time.sleep(0.02)
    raise AssertionError("the ingests never queued for the write lock")


def ingests_at_once(db: str, corpora: list[tuple[Path, Path]], home: Path) -> list[subprocess.CompletedProcess[str]]:
    """Run `tracker ingest` of each corpus in its own process, all released at once; their results."""
    queue = home / "queued"
    queue.mkdir(parents=True)
    env = {**os.environ, "XDG_DATA_HOME": str(home), "TRACKER_TEST_QUEUE": str(queue)}
    with write_lock_held(db):
        processes = [
            subprocess.Popen(
                [sys.executable, "-c", QUEUED_INGEST, "--db", db, "ingest", "--seeds", str(s), "--fixtures", str(f)],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env=env,
            )
            for s, f in corpora
        ]
        queue_behind_the_lock(db, processes, queue)
    results = []
    for process in processes:
        out, err = process.communicate(timeout=120)
        results.append(subprocess.CompletedProcess(process.args, process.returncode, out, err))
    return results


def default_isolation(db: str, level: str | None) -> None:
    """Make `level` the PostgreSQL database's default transaction isolation, as a server's setting would."""
    if level is None:
        return
    engine = create_engine(database_url(db)[0], isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        name = make_url(database_url(db)[0]).database
        conn.exec_driver_sql(f"ALTER DATABASE \"{name}\" SET default_transaction_isolation TO '{level}'")
    engine.dispose()


ISOLATION = ["read committed", "repeatable read"] if ON_POSTGRESQL else [None]


@pytest.mark.parametrize("isolation", ISOLATION)
def test_the_same_corpus_twice_at_once_is_stored_once(
    isolation: str | None, run: Run, new_db: NewDb, tmp_path: Path
) -> None:
    """Two first ingests of one corpus into a new database: one creates and fills it, the other finds nothing new."""
    db, once = new_db("racing"), new_db("once")
    default_isolation(db, isolation)
    corpus = (SEEDS, FIXTURES)
    results = ingests_at_once(db, [corpus, corpus], tmp_path / "home")
    assert [r.returncode for r in results] == [0, 0], [r.stderr for r in results]
    reports = sorted(r.stderr for r in results)
    assert reports[0].startswith("ingested into ") and reports[1].startswith("nothing new: "), reports

    assert run("--db", once, "ingest").exit_code == 0
    assert current_rows(db) == current_rows(once)
    assert current_rows(db)["evidence ids twice"] == 0 and current_rows(db)["ingests"] == 1
    assert table_counts(db) == table_counts(once)
    assert answers(run, db) == answers(run, once)


def split_corpus(root: Path) -> tuple[tuple[Path, Path], tuple[Path, Path]]:
    """The bundled corpus as two folders of fixtures (two articles, three articles), each with the catalogue.

    Each half stands alone: the articles that reopen Ukraine's deal on guarantees (abu-dhabi-round-two-day-two)
    and that record it (kremlin-confirms-abu-dhabi-talks) go together.
    """
    together = {"abu-dhabi-round-two-day-two.yaml", "kremlin-confirms-abu-dhabi-talks.yaml"}
    coded = sorted(p for p in FIXTURES.glob("*.yaml") if p.name != "catalog.yaml")
    halves = []
    for name, part in (
        ("first", [p for p in coded if p.name in together]),
        ("second", [p for p in coded if p.name not in together]),
    ):
        folder = root / name
        folder.mkdir()
        for path in [FIXTURES / "catalog.yaml", *part]:
            shutil.copy(path, folder / path.name)
        halves.append((SEEDS, folder))
    return halves[0], halves[1]


@pytest.mark.parametrize("isolation", ISOLATION)
def test_two_corpora_at_once_equal_one_after_the_other(
    isolation: str | None, run: Run, new_db: NewDb, tmp_path: Path
) -> None:
    """Two halves of the corpus at once into a database with its schema: as if one after the other."""
    first, second = split_corpus(tmp_path)
    db, in_turn, whole = new_db("racing"), new_db("in_turn"), new_db("whole")
    default_isolation(db, isolation)
    store = Store(database_url(db)[0])
    with store.writing():
        pass  # the schema, and nothing in it: each ingest reads the store, then writes what it lacks
    store.dispose()
    results = ingests_at_once(db, [first, second], tmp_path / "home")
    assert [r.returncode for r in results] == [0, 0], [r.stderr for r in results]
    assert all(r.stderr.startswith("ingested into ") for r in results), [r.stderr for r in results]

    for seeds, fixtures in (first, second):
        assert run("--db", in_turn, "ingest", "--seeds", str(seeds), "--fixtures", str(fixtures)).exit_code == 0
    assert run("--db", whole, "ingest").exit_code == 0
    assert current_rows(db) == current_rows(in_turn)
    assert current_rows(db)["evidence ids twice"] == current_rows(db)["article ids twice"] == 0
    assert answers(run, db) == answers(run, in_turn) == answers(run, whole)


@pytest.mark.sqlite_only
def test_a_file_another_program_holds_locked_is_a_clear_error(run: Run, db: str) -> None:
    """A rollback-journal file locked by another program cannot switch to WAL: said so, no traceback."""
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        result = run("--db", db, "ingest")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert result.exit_code == 2 and result.stderr == f"error: database {db}: database is locked\n"


def test_a_reader_is_not_held_up_by_a_writer(seeded_db: str, run: Run) -> None:
    """A reader goes on while an ingest holds the write lock (SQLite's, in WAL mode; PostgreSQL's advisory lock)."""
    store = Store(database_url(seeded_db)[0])
    with store.writing():
        result = run("--db", seeded_db, "state", "--as-of", "2026-02-06", "--format", "csv")
        assert result.exit_code == 0 and "counter_proposal" in result.stdout
    store.dispose()
