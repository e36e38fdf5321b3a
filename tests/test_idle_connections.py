"""A process keeps its SQLite read connections between reads (`IdleConnections`): a read on a kept connection sees
every ingest committed before it, a database removed and made again is opened anew, and a read that failed gives
nothing back."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import Run
from tracker.domain.errors import StoreError
from tracker.read.opening import Database

pytestmark = pytest.mark.skipif(bool(os.environ.get("TRACKER_TEST_DB")), reason="about SQLite files")


def connection_of(database: Database) -> object:
    with database.snapshot() as found:
        return found.connection  # type: ignore[attr-defined]


def ingests(database: Database) -> int:
    with database.snapshot() as found:
        return int(found.scalar("SELECT COUNT(*) FROM ingest"))


def test_a_kept_connection_sees_what_was_ingested_since(run: Run, tmp_path: Path, corpus: tuple[Path, Path]) -> None:
    db = str(tmp_path / "kept.db")
    seeds, fixtures = corpus
    assert run("--db", db, "ingest", "--seeds", str(seeds), "--fixtures", str(fixtures)).exit_code == 0
    database = Database(db)
    try:
        first = connection_of(database)
        assert connection_of(database) is first, "the second read takes the connection the first gave back"
        before = ingests(database)
        (seeds / "articles.yaml").write_text(
            (seeds / "articles.yaml").read_text(encoding="utf-8").replace("Kremlin says first", "Kremlin says at last"),
            encoding="utf-8",
        )
        assert run("--db", db, "ingest", "--seeds", str(seeds), "--fixtures", str(fixtures)).exit_code == 0
        assert ingests(database) == before + 1
        assert connection_of(database) is first
    finally:
        database.close()


def test_a_database_made_again_is_opened_anew(run: Run, tmp_path: Path, corpus: tuple[Path, Path]) -> None:
    db = tmp_path / "again.db"
    seeds, fixtures = corpus
    assert run("--db", str(db), "ingest", "--seeds", str(seeds), "--fixtures", str(fixtures)).exit_code == 0
    articles = seeds / "articles.yaml"
    articles.write_text(articles.read_text(encoding="utf-8").replace("Kremlin says first", "Kremlin says"), "utf-8")
    assert run("--db", str(db), "ingest", "--seeds", str(seeds), "--fixtures", str(fixtures)).exit_code == 0
    database = Database(str(db))
    try:
        first = connection_of(database)
        assert ingests(database) == 2
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        assert run("--db", str(db), "ingest", "--seeds", str(seeds), "--fixtures", str(fixtures)).exit_code == 0
        assert connection_of(database) is not first
        assert ingests(database) == 1, "the new file's one ingest, not the removed one's two"
    finally:
        database.close()


def test_a_read_that_failed_keeps_no_connection(seeded_db: str) -> None:
    database = Database(seeded_db)
    try:
        first = connection_of(database)
        with pytest.raises(StoreError), database.snapshot() as found:
            found.rows("SELECT * FROM no_such_table")
        assert connection_of(database) is not first
    finally:
        database.close()
