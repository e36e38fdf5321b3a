"""Shared test fixtures: a private copy of the corpus, a private database, and the CLI run in-process."""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text

from tracker.cli import main

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"
FIXTURES = REPO / "fixtures"
GOLDEN = Path(__file__).resolve().parent / "golden"


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str


@pytest.fixture(autouse=True)
def _private_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Never touch the user's default database."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path_factory.mktemp("xdg")))
    monkeypatch.delenv("TRACKER_DB", raising=False)


@pytest.fixture
def corpus(tmp_path: Path) -> tuple[Path, Path]:
    """A writable copy of the bundled corpus: (seeds, fixtures)."""
    seeds, fixtures = tmp_path / "seeds", tmp_path / "fixtures"
    shutil.copytree(SEEDS, seeds)
    shutil.copytree(FIXTURES, fixtures)
    return seeds, fixtures


@pytest.fixture
def db(tmp_path: Path) -> str:
    return str(tmp_path / "tracker.db")


Run = Callable[..., Result]


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Run:
    """Run the real command line in-process; return its exit code, stdout and stderr."""

    def runner(*args: str) -> Result:
        capsys.readouterr()
        try:
            main(list(args))
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        else:  # pragma: no cover - main always exits
            code = 0
        out = capsys.readouterr()
        return Result(code, out.out, out.err)

    return runner


@pytest.fixture
def seeded_db(run: Run, db: str) -> Iterator[str]:
    result = run("--db", db, "ingest")
    assert result.exit_code == 0, result.stderr
    yield db


def db_digest(path: str) -> str:
    """A digest of the logical content of a SQLite tracker database (every row of every table)."""
    engine = create_engine(f"sqlite:///{path}")
    digest = hashlib.sha256()
    try:
        with engine.connect() as conn:
            for table in sorted(inspect(conn).get_table_names()):
                digest.update(table.encode())
                for row in conn.execute(text(f'SELECT * FROM "{table}" ORDER BY 1')):
                    digest.update(repr(tuple(row)).encode())
    finally:
        engine.dispose()
    return digest.hexdigest()


def table_counts(path: str) -> dict[str, int]:
    engine = create_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as conn:
            return {
                t: conn.execute(text(f'SELECT COUNT(*) FROM "{t}"')).scalar_one()
                for t in sorted(inspect(conn).get_table_names())
            }
    finally:
        engine.dispose()
