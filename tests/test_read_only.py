"""Reads never write: a database on a read-only medium, or in a folder the user may not write, is still read.

A SQLite reader in write-ahead-log mode needs a shared-memory file beside the
database; where none is there and none may be made, the database is opened as
it is on disk. An ingest into it says why it cannot, in one line. (These are about SQLite files.)

Nor does a read or `validate` write to a database that is not the tracker's: it is refused, left as it was.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import NewDb, Run, db_digest, reading
from tracker.domain.errors import StoreError
from tracker.store.address import database_url
from tracker.store.database import Store

READS = [
    ("state", "--as-of", "2026-02-06"),
    ("diff", "2026-01-24", "2026-02-06"),
    ("history", "--issue", "donetsk"),
    ("report", "--as-of", "2026-02-06"),
    ("validate",),
]


@pytest.fixture
def read_only_copy(run: Run, tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    """The bundled corpus's database, and a copy of it on a read-only filesystem (a tmpfs remounted read-only)."""
    original = tmp_path / "tracker.db"
    assert run("--db", str(original), "ingest").exit_code == 0
    mount = tmp_path / "medium"
    mount.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "tmpfs", str(mount)], capture_output=True).returncode != 0:
        pytest.skip("mounting a read-only filesystem needs root (CI runs as root)")
    try:
        shutil.copy(original, mount / "tracker.db")  # the file alone: no -wal or -shm beside it
        subprocess.run(["mount", "-o", "remount,ro", str(mount)], check=True)
        yield original, mount / "tracker.db"
    finally:
        subprocess.run(["umount", str(mount)], check=False)


@pytest.mark.sqlite_only
@pytest.mark.parametrize("command", READS)
def test_reads_work_on_a_read_only_medium_and_answer_as_the_original(
    read_only_copy: tuple[Path, Path], run: Run, command: tuple[str, ...]
) -> None:
    original, copy = read_only_copy
    expected = run("--db", str(original), *command)
    result = run("--db", str(copy), *command)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == expected.stdout
    assert sorted(p.name for p in copy.parent.iterdir()) == ["tracker.db"], "nothing written beside it"


@pytest.mark.sqlite_only
def test_an_ingest_into_a_read_only_database_says_why_it_cannot(read_only_copy: tuple[Path, Path], run: Run) -> None:
    _, copy = read_only_copy
    before = copy.read_bytes()
    result = run("--db", str(copy), "ingest")
    assert result.exit_code == 2
    assert result.stderr == (
        f"error: {copy} is read-only here (its file or folder may not be written): it can be read, "
        "not changed or upgraded; copy it somewhere writable\n"
    )
    assert copy.read_bytes() == before


@pytest.fixture
def not_writable(monkeypatch: pytest.MonkeyPatch) -> None:
    """What a user who is not root meets in someone else's folder: the database's file and folder may not be written."""
    writable = os.access
    monkeypatch.setattr(os, "access", lambda path, mode: False if mode == os.W_OK else writable(path, mode))


@pytest.mark.sqlite_only
def test_a_database_the_user_may_not_write_is_read_through_a_read_only_connection(
    run: Run, tmp_path: Path, not_writable: None
) -> None:
    db = tmp_path / "tracker.db"
    assert run("--db", str(db), "ingest").exit_code == 0
    for side in ("-wal", "-shm"):
        Path(f"{db}{side}").unlink(missing_ok=True)
    with reading(str(db)) as held:
        assert held.snapshot.scalar("SELECT COUNT(*) AS evidence FROM evidence") == 32
        with pytest.raises(StoreError, match="readonly"):
            held.snapshot.rows("UPDATE tracker_meta SET value = 'x'")
    assert not Path(f"{db}-shm").exists(), "read as it is on disk: no shared-memory file made beside it"


@pytest.mark.sqlite_only
def test_a_read_only_reader_still_sees_what_a_writer_has_committed(
    run: Run, tmp_path: Path, not_writable: None
) -> None:
    """Where a writer is about (its log is there), the file is opened read-only, not as if nothing could change."""
    db = tmp_path / "tracker.db"
    assert run("--db", str(db), "ingest").exit_code == 0
    writer = sqlite3.connect(db)  # holds the write-ahead log open, as an ingest in progress would
    try:
        writer.execute("INSERT INTO tracker_meta (key, value) VALUES ('committed_by_a_writer', 'yes')")
        writer.commit()
        assert Path(f"{db}-wal").exists()
        with reading(str(db)) as held:
            seen = held.snapshot.scalar("SELECT value FROM tracker_meta WHERE key = 'committed_by_a_writer'")
            assert seen == "yes"
    finally:
        writer.close()


@pytest.mark.sqlite_only
def test_writing_onto_a_read_only_medium_is_one_line_and_leaves_nothing(
    read_only_copy: tuple[Path, Path], run: Run
) -> None:
    _, copy = read_only_copy
    folder = copy.parent
    for args in (
        ("--db", str(copy), "report", "-o", str(folder / "new.md")),
        ("--db", str(folder / "new.db"), "ingest"),
    ):
        result = run(*args)
        assert result.exit_code == 2 and len(result.stderr.splitlines()) == 1, (args, result.stderr)
        assert "Traceback" not in result.stderr
    assert sorted(p.name for p in folder.iterdir()) == ["tracker.db"]


def test_reads_and_validate_never_write_to_a_database_that_is_not_the_trackers(run: Run, new_db: NewDb) -> None:
    foreign = new_db("invoices")
    engine = create_engine(database_url(foreign)[0])
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE invoices (id INTEGER)"))
    engine.dispose()
    store = Store(database_url(foreign)[0])

    def content() -> tuple[str, bytes | None]:
        return db_digest(foreign), store.sqlite_file.read_bytes() if store.sqlite_file else None

    before = content()
    for args in (("validate",), ("state",)):
        result = run("--db", foreign, *args)
        assert result.exit_code == 2 and f"{store.safe_url} is not a tracker database" in result.stderr
    assert content() == before
    store.dispose()
