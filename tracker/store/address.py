"""Where a tracker database is, and how a SQLite file is opened, without loading SQLAlchemy.

`--db` names a SQLite file or any SQLAlchemy URL; with neither, the default
database lives in the user's data folder. Reading a SQLite file needs nothing
but the standard library's driver, so a command that only reads starts at once;
a database the user may not write is opened read-only. The schema version lives
here too: a reader checks it before it reads.
"""

from __future__ import annotations

import os
import sqlite3
import urllib.parse
from pathlib import Path

from tracker.domain.errors import StoreError

SCHEMA_VERSION = "11"
# The older schema versions this tracker upgrades in place (`tracker.store.upgrades`).
UPGRADABLE_VERSIONS = frozenset(str(version) for version in range(1, int(SCHEMA_VERSION)))
MMAP_BYTES = 256 * 1024 * 1024  # SQLite readers map this much of the file instead of copying pages
SQLITE_PREFIX = "sqlite:///"

# The PostgreSQL driver the tracker is tested with, named in the URL (SQLAlchemy's default is psycopg2).
POSTGRESQL_DRIVER = "psycopg"
POSTGRESQL_INSTALL = "pip install 'negotiation-tracker[postgres]'"


def default_db_path() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "negotiation-tracker" / "tracker.db"


def database_url(db: str | None) -> tuple[str, bool]:
    """A SQLAlchemy URL for `--db` (a URL or a file path); and whether it is the default database."""
    if not db:
        return f"{SQLITE_PREFIX}{default_db_path()}", True
    if db.rstrip("/") in ("sqlite:", "sqlite:///:memory:") or db.endswith(":memory:"):
        raise StoreError("an in-memory database keeps nothing from one command to the next; give a file or a server")
    scheme = db.partition("://")[0].lower()
    if scheme in ("postgresql", "postgres"):
        raise StoreError(
            f"name the PostgreSQL driver in the URL: postgresql+{POSTGRESQL_DRIVER}://USER:PASSWORD@HOST/DBNAME "
            f"(psycopg 3: {POSTGRESQL_INSTALL}), not {scheme}://"
        )
    if "://" in db:
        return db, False
    path = Path(db).expanduser()
    try:
        real = path.resolve()
    except (OSError, RuntimeError):
        raise StoreError(f"cannot use database {db!r}: a symlink loop (or a path that cannot be followed)") from None
    if real.exists() and not real.is_file():
        kind = "a folder" if real.is_dir() else "not a regular file (a device, a FIFO?)"
        raise StoreError(f"cannot use database {db!r}: it is {kind}; a SQLite database is a file")
    return f"{SQLITE_PREFIX}{real}", False


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL the tracker made (`sqlite:///PATH`); None for any other database."""
    if not url.startswith(SQLITE_PREFIX) or "?" in url:
        return None
    name = url.removeprefix(SQLITE_PREFIX)
    return Path(name) if name and name != ":memory:" else None


def read_only_uri(file: Path) -> str | None:
    """How a reader opens a SQLite file it may not write (None: it may, and opens it as usual).

    Reads never write, so they work on a read-only medium, a mounted backup, or a file the user may only
    read. Where a writer is about (its write-ahead log is there), the file is opened read-only (`mode=ro`) and
    still sees it; where none is, nothing can be writing that cannot write the folder, and the file is read
    as it is (`immutable=1`), which needs no shared-memory file beside it.
    """
    if not file.exists() or (os.access(file, os.W_OK) and os.access(file.parent, os.W_OK)):
        return None
    flags = "mode=ro" if Path(f"{file}-wal").exists() else "immutable=1"
    return f"file:{urllib.parse.quote(str(file.resolve()))}?{flags}"


def prepare_sqlite(connection: sqlite3.Connection) -> None:
    """The settings of every connection to a tracker's SQLite file; transactions are begun explicitly."""
    connection.isolation_level = None
    for pragma in (
        "PRAGMA foreign_keys=ON",
        "PRAGMA busy_timeout=30000",
        "PRAGMA synchronous=NORMAL",  # with WAL: durable at checkpoints, never corrupt
        "PRAGMA cache_size=-65536",  # 64 MiB of pages per connection: browsed indexes stay in memory
        "PRAGMA mmap_size=268435456",  # MMAP_BYTES: read through a shared memory map, not a copy per connection
    ):
        connection.execute(pragma)
