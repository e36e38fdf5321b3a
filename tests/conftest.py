"""Shared test fixtures: a private copy of the corpus, a private database, and the CLI run in-process.

The databases are SQLite files, or, with `TRACKER_TEST_DB` set to a PostgreSQL
URL (`postgresql+psycopg://USER:PASSWORD@HOST/DBNAME`), a new database on that
server for each one a test asks for, dropped after the test. The role needs
CREATEDB. Tests about SQLite files themselves are marked `sqlite_only`.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import signal
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, inspect, make_url, text
from sqlalchemy.exc import DBAPIError

from tracker.cli import main
from tracker.read.opening import Database
from tracker.read.reading import Reading
from tracker.store.address import database_url

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
def never_waits_for_ever() -> Iterator[None]:
    """Fail the test, rather than hang the suite, if the tracker waits for ever (on a FIFO, say)."""

    def stop(signum: int, frame: object) -> None:
        raise TimeoutError("the tracker waited for ever (on a FIFO, a device, a lock?)")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(120)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


@pytest.fixture
def corpus(tmp_path: Path) -> tuple[Path, Path]:
    """A writable copy of the bundled corpus: (seeds, fixtures)."""
    seeds, fixtures = tmp_path / "seeds", tmp_path / "fixtures"
    shutil.copytree(SEEDS, seeds)
    shutil.copytree(FIXTURES, fixtures)
    return seeds, fixtures


TEST_DB = os.environ.get("TRACKER_TEST_DB", "")
ON_POSTGRESQL = bool(TEST_DB)


def pytest_configure(config: pytest.Config) -> None:
    if TEST_DB and make_url(TEST_DB).get_backend_name() != "postgresql":
        raise pytest.UsageError(f"TRACKER_TEST_DB names a PostgreSQL server (postgresql+psycopg://...): {TEST_DB!r}")


def pytest_report_header() -> str:
    server = make_url(TEST_DB).render_as_string(hide_password=True) if TEST_DB else "SQLite files"
    return f"tracker databases: {server}"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if ON_POSTGRESQL:
        skip = pytest.mark.skip(reason="about SQLite files; runs without TRACKER_TEST_DB")
        for item in items:
            if item.get_closest_marker("sqlite_only"):
                item.add_marker(skip)


@pytest.fixture(scope="session")
def _server() -> Iterator[Engine]:
    """A connection to the PostgreSQL server under test, outside any transaction (to create databases)."""
    engine = create_engine(TEST_DB, isolation_level="AUTOCOMMIT")
    yield engine
    engine.dispose()


def _create_database(server: Engine, label: str) -> str:
    """A new, empty database on the server, named after `label`; its name.

    It compares text as a server in en-US would (ICU), where PostgreSQL offers that, so that the tracker's
    output is checked not to depend on the server's collation.
    """
    base, label = make_url(TEST_DB).database or "tracker", re.sub(r"[^a-z0-9]", "_", label.lower())[:16]
    name = f"{base}_{label}_{uuid.uuid4().hex[:12]}"
    create = f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8'"
    with server.connect() as conn:
        try:
            conn.exec_driver_sql(f"{create} LOCALE_PROVIDER icu ICU_LOCALE 'en-US'")
        except DBAPIError:  # a server before PostgreSQL 15, or without ICU
            conn.exec_driver_sql(create)
    return name


NewDb = Callable[..., str]


@pytest.fixture
def new_db(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[NewDb]:
    """Make a fresh, empty database of the backend under test: `new_db("name")` gives its `--db`."""
    if not ON_POSTGRESQL:
        yield lambda name="tracker": str(tmp_path / f"{name}.db")
        return
    server: Engine = request.getfixturevalue("_server")
    made: list[str] = []

    def make(name: str = "tracker") -> str:
        made.append(_create_database(server, name))
        return make_url(TEST_DB).set(database=made[-1]).render_as_string(hide_password=False)

    yield make
    for name in made:
        _drop_database(server, name)


def _drop_database(server: Engine, name: str) -> None:
    """Drop a test's database, closing what the test left open.

    FORCE may not close an autovacuum worker that has just started on it (that takes a superuser): try again.
    """
    for attempt in range(50):
        try:
            with server.connect() as conn:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            return
        except DBAPIError:
            if attempt == 49:
                raise
            time.sleep(0.1)


@pytest.fixture
def db(new_db: NewDb) -> str:
    """The `--db` of a fresh database for this test: a SQLite file path, or a PostgreSQL URL."""
    return new_db()


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


def db_digest(db: str) -> str:
    """A digest of the logical content of a tracker database (every row of every table), on any backend."""
    engine = create_engine(database_url(db)[0])
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


def table_counts(db: str) -> dict[str, int]:
    engine = create_engine(database_url(db)[0])
    try:
        with engine.connect() as conn:
            return {
                t: conn.execute(text(f'SELECT COUNT(*) FROM "{t}"')).scalar_one()
                for t in sorted(inspect(conn).get_table_names())
            }
    finally:
        engine.dispose()


@contextmanager
def reading(db: str, known_at: datetime | None = None) -> Iterator[Reading]:
    """One read of the database `db` (a `--db`: a path or a URL), as the command line and the terminal UI read."""
    database = Database(db)
    try:
        with database.reading(known_at) as held:
            yield held
    finally:
        database.close()
