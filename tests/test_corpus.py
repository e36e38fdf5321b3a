"""The bundled corpus, and a corpus for another negotiation with its own catalogue."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import REPO, SEEDS, NewDb, Run
from tests.helpers import write_trade_talks
from tracker.domain.evidence import DateBasis
from tracker.ingest.corpus import load_corpus

SHARED_SEEDS = REPO.parent / "shared" / "seeds"


def test_bundled_corpus_loads() -> None:
    corpus = load_corpus(SEEDS, REPO / "fixtures")
    assert len(corpus.articles) == 5
    assert 30 <= len(corpus.evidence) <= 50
    inferred = sorted(a.file for a in corpus.articles.values() if a.date_basis is DateBasis.INFERRED)
    assert inferred == ["000_79293a23b74fa819.txt", "003_8fa84d156da845c8.txt", "004_2f1a4ee65ee2afbf.txt"]
    assert all(a.date_evidence for a in corpus.articles.values())
    for item in corpus.evidence:
        article = corpus.articles[item.article]
        assert article.text[item.start : item.end] == item.quote
        assert article.text[: item.start].endswith(item.prefix)
        assert item.said_on <= article.published_on


@pytest.mark.skipif(not SHARED_SEEDS.is_dir(), reason="the shared seeds are not beside this checkout")
def test_seeds_are_kept_byte_for_byte() -> None:
    originals = sorted(SHARED_SEEDS.glob("*.txt"))
    assert len(originals) == 5
    for original in originals:
        assert (SEEDS / original.name).read_bytes() == original.read_bytes()


def test_another_negotiation_with_its_own_catalogue(tmp_path: Path, run: Run, new_db: NewDb) -> None:
    seeds, fixtures = write_trade_talks(tmp_path)
    db = new_db("trade")
    assert run("--db", db, "ingest", "--seeds", str(seeds), "--fixtures", str(fixtures)).exit_code == 0
    report = json.loads(run("--db", db, "state", "--as-of", "2030-05-01", "--format", "json").stdout)
    assert [(p["issue"], p["party"], p["stance"]) for p in report["positions"]] == [
        ("steel_tariffs", "eu", "demands"),
        ("steel_tariffs", "china", "opposes"),
    ]
    assert report["issues"][0]["status"] == "deadlocked"
    assert run("--db", db, "state", "--party", "Beijing", "--format", "csv").stdout.count("china") == 1


def test_ingest_shows_progress_only_when_stderr_is_a_terminal(
    run: Run, db: str, new_db: NewDb, monkeypatch: pytest.MonkeyPatch
) -> None:
    quiet = run("--db", new_db("other"), "ingest")
    assert quiet.exit_code == 0 and "checked" not in quiet.stderr
    monkeypatch.setattr("tracker.cli._stderr_is_terminal", lambda: True)
    result = run("--db", db, "ingest")
    assert "checked 5 article(s)" in result.stderr
    assert "timeline: 9 positions replayed" in result.stderr


@pytest.mark.sqlite_only
def test_sqlite_database_uses_write_ahead_logging(run: Run, seeded_db: str) -> None:
    engine = create_engine(f"sqlite:///{seeded_db}")
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    engine.dispose()


def test_no_command_outside_a_terminal_points_to_the_script_commands(run: Run) -> None:
    """`tracker` alone opens the terminal UI; a script (no terminal) gets a usage error, not a hung screen."""
    result = run()
    assert result.exit_code == 2
    assert "needs a terminal" in result.stderr and "tracker state" in result.stderr
    assert result.stdout == ""


def test_help_lists_the_commands(run: Run) -> None:
    result = run("--help")
    assert result.exit_code == 0
    assert "Commands:" in result.stdout and "state" in result.stdout and "tui" in result.stdout
