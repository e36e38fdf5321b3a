"""Faults: an ingest killed part-way leaves the previous database; readers go on while an ingest writes."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import date
from pathlib import Path

import pytest

from benchmarks.synthetic import write_feed
from tests.conftest import db_digest, reading
from tracker.read.browse import matrix
from tracker.read.state import state

AS_OF = date(2025, 6, 30)
SECOND_FEED = 20_000  # pieces of evidence: about 1.5 s in the write transaction on a 2-core machine, unloaded
# When to kill the second ingest, counted from the moment it holds the write lock: its transaction is open, and
# (more so on a loaded machine) still open at the fifth of these.
KILL_AFTER_LOCK_S = (0.0, 0.25, 0.5, 0.75, 1.0)


def ingest_command(db: str, feed: Path) -> list[str]:
    return [sys.executable, "-m", "tracker", "--db", db, "ingest", "--jsonl", str(feed)]


@pytest.fixture
def feeds(tmp_path: Path) -> tuple[Path, Path]:
    """Two feeds of the same synthetic negotiation: a small one, then a larger recoding of it."""
    first, _ = write_feed(tmp_path / "first", 2_000, issues=10, parties=5, seed=7)
    second, _ = write_feed(tmp_path / "second", SECOND_FEED, issues=10, parties=5, seed=8)
    return first, second


def holds_the_write_lock(db: str) -> bool:
    """Whether a writer holds the write lock of the SQLite file `db` now (another ingest would have to wait)."""
    probe = sqlite3.connect(db, timeout=0, isolation_level=None)
    try:
        probe.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError:  # database is locked
        return True
    else:
        probe.execute("ROLLBACK")
        return False
    finally:
        probe.close()


def wait_for_the_write_lock(db: str, ingest: subprocess.Popen[bytes]) -> None:
    """Wait until the ingest holds the write lock: its one transaction has begun."""
    deadline = time.monotonic() + 60
    while not holds_the_write_lock(db):
        assert ingest.poll() is None, "the ingest ended before it was seen writing"
        assert time.monotonic() < deadline, "the ingest never took the write lock"
        time.sleep(0.005)


def state_json(db: str) -> str:
    with reading(db) as held:
        return state(held, AS_OF).model_dump_json()


@pytest.mark.sqlite_only
def test_an_ingest_killed_part_way_leaves_the_previous_database(
    db: str, feeds: tuple[Path, Path], tmp_path: Path
) -> None:
    first, second = feeds
    assert subprocess.run(ingest_command(db, first), capture_output=True).returncode == 0
    before, answer = db_digest(db), state_json(db)
    # What the same ingest gives when nothing stops it, on a copy: a kill that lands after the commit must
    # leave exactly this (the new database, never half of it).
    finished = str(tmp_path / "finished.db")
    shutil.copy(db, finished)
    assert subprocess.run(ingest_command(finished, second), capture_output=True).returncode == 0
    answer_after = state_json(finished)
    mid_way = 0
    for delay in KILL_AFTER_LOCK_S:
        ingest = subprocess.Popen(ingest_command(db, second), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for_the_write_lock(db, ingest)
        time.sleep(delay)
        ingest.send_signal(signal.SIGKILL)
        if ingest.wait() != -signal.SIGKILL:
            break  # it finished first
        with sqlite3.connect(db) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)], f"killed {delay} s in"
            committed = conn.execute("SELECT COUNT(*) FROM ingest").fetchone()[0] > 1
        if committed:
            assert state_json(db) == answer_after, f"killed {delay} s in, after the commit"
            break
        assert db_digest(db) == before, f"killed {delay} s in"
        assert state_json(db) == answer
        mid_way += 1
    print(f"kills survived part-way through: {mid_way}")
    assert mid_way >= 3, f"only {mid_way} kill(s) landed before the commit: kill sooner"
    # And it opens cleanly for the next writer: the same ingest, uninterrupted, goes through.
    assert subprocess.run(ingest_command(db, second), capture_output=True).returncode == 0
    assert state_json(db) == answer_after


@pytest.mark.sqlite_only
def test_readers_see_the_old_state_or_the_new_one_while_an_ingest_writes(db: str, feeds: tuple[Path, Path]) -> None:
    first, second = feeds
    assert subprocess.run(ingest_command(db, first), capture_output=True).returncode == 0
    old = state_json(db)
    seen: set[str] = set()
    failures: list[BaseException] = []
    reads = 0
    ingest = subprocess.Popen(ingest_command(db, second), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wait_for_the_write_lock(db, ingest)  # every read below begins while the ingest's transaction is open

    def browse() -> None:  # the terminal UI's query, from another thread, as its workers run it
        try:
            while ingest.poll() is None:
                with reading(db) as held:
                    matrix(held, AS_OF)
        except BaseException as exc:
            failures.append(exc)

    browser = threading.Thread(target=browse)
    browser.start()
    try:
        while ingest.poll() is None:
            with reading(db) as held:
                seen.add(state(held, AS_OF).model_dump_json())
            reads += 1
    finally:
        browser.join()
    assert ingest.wait() == 0, ingest.stderr.read() if ingest.stderr else ""
    new = state_json(db)
    assert new != old
    assert not failures, failures
    print(f"reads while the ingest wrote: {reads}")
    assert reads >= 3, "the readers did not overlap the ingest"
    assert seen <= {old, new}, "a reader saw half an ingest"


@pytest.mark.sqlite_only
def test_the_command_line_reads_while_an_ingest_writes(db: str, feeds: tuple[Path, Path]) -> None:
    first, second = feeds
    assert subprocess.run(ingest_command(db, first), capture_output=True).returncode == 0
    reader = [sys.executable, "-m", "tracker", "--db", db, "state", "--as-of", AS_OF.isoformat(), "--format", "csv"]

    def read() -> str:
        done = subprocess.run(reader, capture_output=True, text=True, env={**os.environ, "COLUMNS": "200"})
        assert done.returncode == 0 and "locked" not in done.stderr, done.stderr
        return done.stdout

    old = read()
    ingest = subprocess.Popen(ingest_command(db, second), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for_the_write_lock(db, ingest)  # the first reader starts while the ingest's transaction is open
    answers = []
    while ingest.poll() is None:
        answers.append(read())
    assert ingest.wait() == 0
    new = read()
    print(f"command-line reads while the ingest wrote: {len(answers)}")
    assert answers, "no read overlapped the ingest"
    assert new != old, "the second feed changes the positions"
    assert set(answers) <= {old, new}, "a read during the ingest gave neither the answer before it nor the one after"
