"""Opening a tracker database: the one named by `--db`, or the default one, for the CLI, the terminal UI and scripts.

A `Database` knows where it is and how to read it: a read goes through a
snapshot (`tracker.read.connection`), and a database made by an older tracker is
upgraded in place, once, before it is read (the only write a read ever makes).
The default database is built from the bundled corpus the first time it is
needed. Writing (an ingest) goes through the SQLAlchemy store, loaded only then.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from tracker.domain.errors import StoreError
from tracker.read.connection import EmptyDatabase, IdleConnections, NeedsUpgrade, Snapshot, snapshot
from tracker.store.address import database_url, sqlite_file

if TYPE_CHECKING:
    from tracker.ingest.ingest import IngestSummary
    from tracker.read.reading import Reading
    from tracker.store.database import Store

Say = Callable[[str], None]


def _quiet(message: str) -> None:
    """Say nothing."""


def shown_url(url: str) -> str:
    """A database as a user would name it: a SQLite file's path, or the URL without its password."""
    file = sqlite_file(url)
    if file is not None:
        return str(file)
    from sqlalchemy import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url


class Database:
    """A tracker database named by `--db` (a SQLite file or any SQLAlchemy URL), or the default one."""

    def __init__(self, db: str | None = None, say: Say = _quiet) -> None:
        self.url, self.is_default = database_url(db)
        self.where = shown_url(self.url)
        self.say = say
        self._store: Store | None = None
        self._idle = IdleConnections()  # SQLite connections kept between this process's reads
        self.create_hint = f"create it with `tracker --db {self.where} ingest`"

    @property
    def file(self) -> Path | None:
        """The SQLite file (None for a server database)."""
        return sqlite_file(self.url)

    def store(self) -> Store:
        """The store that writes (SQLAlchemy, loaded only for a write); closed by `close`."""
        if self._store is None:
            from tracker.store.database import Store

            self._store = Store(self.url)
        return self._store

    def close(self) -> None:
        self._idle.close()
        if self._store is not None:
            self._store.dispose()

    def exists(self) -> bool:
        """False for a SQLite file that is not there yet (a server database is taken to exist)."""
        file = sqlite_file(self.url)
        return file is None or file.exists()

    def upgrade(self) -> None:
        """Upgrade a database made by an older tracker, in place, in one write transaction."""
        self.say(f"Upgrading {self.where} to the current schema, once...")
        self.store().upgrade_if_needed()

    @contextmanager
    def snapshot(self) -> Iterator[Snapshot]:
        """One consistent read of the database as it is; an older one is upgraded first."""
        with ExitStack() as stack:
            try:
                found = stack.enter_context(snapshot(self.url, self.where, idle=self._idle))
            except NeedsUpgrade:
                stack.close()
                self.upgrade()
                found = stack.enter_context(snapshot(self.url, self.where, idle=self._idle))
            yield found

    @contextmanager
    def reading(self, known_at: datetime | None = None) -> Iterator[Reading]:
        """One consistent read, as held now or at the recorded time `known_at`."""
        from tracker.read.reading import Reading  # the read models load only for a read that needs them

        with self.snapshot() as found:
            yield Reading(found, known_at)

    def is_empty(self) -> bool:
        """True when nothing has been ingested: no file, no tables, or no ingest yet."""
        if not self.exists():
            return True
        try:
            return self._ingests() == 0
        except EmptyDatabase:
            return True

    def _ingests(self) -> int:
        with self.snapshot() as found:
            return int(found.scalar("SELECT COUNT(*) AS ingests FROM ingest"))

    def ready(self, progress: Say | None = None, seed: bool = True) -> IngestSummary | None:
        """Make the database ready to read: upgraded if old; the default one built from the bundled corpus on
        first use (unless not `seed`: the terminal UI builds it, showing its progress); a named one must exist.
        What seeding ingested, when it did.
        """
        if not self.is_default:
            if not self.exists():
                raise StoreError(f"no database at {self.where} yet; {self.create_hint}")
            if self._ingests() == 0:  # a file without the tracker's tables is refused, in one message
                self.say(f"warning: {self.where} holds no evidence yet; load some with `tracker ingest`")
            return None
        if seed and self.is_empty():
            self.say(f"Creating the tracker database {self.where} from the bundled corpus...")
            return self.seed(progress)
        return None

    def seed(self, progress: Say | None = None) -> IngestSummary:
        """Fill an empty default database with the corpus shipped with the tracker."""
        from tracker.ingest.ingest import seed_from_bundled_corpus

        return seed_from_bundled_corpus(self.store(), progress=progress)
