"""The store: SQLModel tables over SQLite (by default), PostgreSQL, or any SQLAlchemy database.

Nothing is ever deleted. Every row carries the time it was recorded and, once
an edit or a removal replaces it, the time it was superseded; "what did the
tracker say at time K" reads the rows that were current at K. The derived
timeline of moves is stored beside the evidence, indexed by position and valid
date, so queries read moves instead of replaying evidence.
"""

from __future__ import annotations

import os
import sqlite3
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

from sqlalchemy import (
    DateTime,
    Index,
    MetaData,
    String,
    TypeDecorator,
    event,
    func,
    insert,
    inspect,
    make_url,
    select,
    text,
    update,
)
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import ArgumentError, DatabaseError, OperationalError
from sqlmodel import Field, Session, SQLModel, col, create_engine
from sqlmodel.sql.sqltypes import AutoString

from tracker.domain.errors import StoreError
from tracker.store.address import (
    MMAP_BYTES,
    POSTGRESQL_DRIVER,
    POSTGRESQL_INSTALL,
    SCHEMA_VERSION,
    prepare_sqlite,
    read_only_uri,
)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite keeps no zone)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; use UTC")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Bitemporal(SQLModel):
    """What every table of the record shares: a row is one version of something, held from the time it was
    recorded until (if ever) an edit or a removal supersedes it. Nothing is deleted; "what did the tracker say
    at time K" reads the rows held at K (`tracker.read.held.held`)."""

    row_id: int | None = Field(default=None, primary_key=True)
    recorded_at: datetime = Field(sa_type=UTCDateTime, nullable=False, index=True)
    # Not indexed: nearly every row is current (NULL), so an index on it only lures the planner away from the
    # position indexes.
    superseded_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)


class MetaRow(SQLModel, table=True):
    __tablename__ = "tracker_meta"
    key: str = Field(primary_key=True, max_length=64)
    value: str = Field(max_length=2000)


TITLE_KEY = "catalog_title"  # the negotiation's name, from the catalogue's `title`
NEGOTIATION_KEY = "negotiation"  # the negotiation's id, made by `tracker init` (absent for a corpus outside one)
SCHEMA_KEY = "schema_version"


def stored_title(session: Session) -> str | None:
    row = session.get(MetaRow, TITLE_KEY)
    return row.value if row else None


def stored_negotiation(session: Session) -> str | None:
    row = session.get(MetaRow, NEGOTIATION_KEY)
    return row.value if row else None


def _schema_version_stored(conn: Connection) -> str | None:
    value: str | None = conn.execute(select(col(MetaRow.value)).where(col(MetaRow.key) == SCHEMA_KEY)).scalar()
    return value


class IssueRow(Bitemporal, table=True):
    """One version of an issue of the catalogue (the catalogue is bitemporal too)."""

    __tablename__ = "issue"
    id: str = Field(index=True, max_length=64)
    ordinal: int
    title: str = Field(max_length=200)
    proposition: str = Field(max_length=500)
    aliases: str = Field(max_length=4000)  # JSON list
    parent: str | None = Field(default=None, max_length=64)  # the issue this one is a sub-issue of


class PartyRow(Bitemporal, table=True):
    """One version of a party of the catalogue."""

    __tablename__ = "party"
    id: str = Field(index=True, max_length=64)
    ordinal: int
    name: str = Field(max_length=200)
    aliases: str = Field(max_length=4000)  # JSON list
    # negotiator, mediator or observer: only negotiators' stances make an issue's status
    role: str = Field(default="negotiator", max_length=16, sa_column_kwargs={"server_default": "negotiator"})


class IngestRow(SQLModel, table=True):
    """The record of one ingest that changed something: when, from where, and how much."""

    __tablename__ = "ingest"
    id: int | None = Field(default=None, primary_key=True)
    recorded_at: datetime = Field(sa_type=UTCDateTime, nullable=False, index=True)
    seeds: str = Field(max_length=2000)
    fixtures: str = Field(max_length=2000)
    articles_added: int = 0
    articles_superseded: int = 0
    evidence_added: int = 0
    evidence_superseded: int = 0
    positions_replayed: int = 0


class ArticleRow(Bitemporal, table=True):
    __tablename__ = "article"
    # An article's title, as held now or at a recorded time, from the index alone (every quote shows it).
    __table_args__ = (Index("ix_article_title", "id", "superseded_at", "recorded_at", "title"),)
    id: str = Field(index=True, max_length=120)
    title: str = Field(max_length=300)
    outlet: str | None = Field(default=None, max_length=200)
    url: str | None = Field(default=None, max_length=2000)
    published_on: date
    date_basis: str = Field(max_length=16)
    date_evidence: str | None = Field(default=None, max_length=2000)
    file: str = Field(max_length=255)
    source_path: str = Field(max_length=2000)
    sha256: str = Field(max_length=64)
    text: str = Field(sa_type=String())


class EvidenceRow(Bitemporal, table=True):
    __tablename__ = "evidence"
    __table_args__ = (
        Index("ix_evidence_position", "issue", "party", "said_on"),
        # What each article gave by a date (a briefing's sources and corpus), counted from the index alone.
        Index("ix_evidence_article_said", "article", "said_on", "superseded_at", "recorded_at"),
        # Issue-level evidence (no party): its dates are steps of time travel, read from the index alone.
        Index(
            "ix_evidence_issue_level",
            "said_on",
            "issue",
            "mode",
            "recorded_at",
            "superseded_at",
            sqlite_where=text("party IS NULL"),
            postgresql_where=text("party IS NULL"),
        ),
        # The newest issue-level evidence of each issue by a date: one seek per issue.
        Index(
            "ix_evidence_issue_named",
            "issue",
            "said_on",
            "mode",
            "kind",
            "recorded_at",
            "superseded_at",
            sqlite_where=text("party IS NULL"),
            postgresql_where=text("party IS NULL"),
        ),
        # An issue's newest asserted issue-level evidence of one kind by a date (what a status weighs): one seek
        # per issue and kind, where the index above, ordered by date first, scans past every other kind.
        Index(
            "ix_evidence_issue_kind",
            "issue",
            "mode",
            "kind",
            "said_on",
            "recorded_at",
            "superseded_at",
            sqlite_where=text("party IS NULL"),
            postgresql_where=text("party IS NULL"),
        ),
    )
    id: str = Field(index=True, max_length=120)
    article: str = Field(max_length=120)
    issue: str = Field(max_length=64)
    party: str | None = Field(default=None, max_length=64)
    stance: str | None = Field(default=None, max_length=32)
    quote: str = Field(sa_type=String())
    start: int
    end: int
    prefix: str = Field(sa_type=String())
    suffix: str = Field(sa_type=String())
    speaker: str | None = Field(default=None, max_length=200)
    attribution: str = Field(max_length=16)
    said_on: date  # the last day of its span, as written: evidence counts from it
    said_at: time | None = None
    # `said_on` as written where it is not that plain day (EDTF: a month, an interval, uncertain...); none: a day
    said_on_written: str | None = Field(default=None, max_length=120)
    mode: str = Field(max_length=16)
    move: str | None = Field(default=None, max_length=32)  # the move the evidence names, where several lead
    condition: str | None = Field(default=None, sa_type=String())
    # Issue-level evidence's kind: progress, implemented or partly_implemented; none: a sticking point (or a party's)
    kind: str | None = Field(default=None, max_length=32)
    note: str | None = Field(default=None, sa_type=String())
    source_path: str = Field(max_length=2000)  # absolute
    source_line: int  # the line of the evidence item
    stance_line: int  # the line of its stance (where an illegal move is reported)
    content_hash: str = Field(max_length=64)


class TimelineRow(Bitemporal, table=True):
    """One entry of a position's timeline, derived from one piece of evidence (a move, or none: `move` None)."""

    __tablename__ = "timeline"
    __table_args__ = (
        # A position's entries in order, with every column a query reads: its newest entry by a date, the
        # evidence behind its stance, its moves between two dates, all from the index alone (no table rows).
        Index(
            "ix_timeline_position_entries",
            *("issue", "party", "valid_from", "seq", "superseded_at", "recorded_at"),
            *("entered_seq", "since", "stance_from", "stance_to", "move", "backing", "evidence_row_id"),
            *("not_applied", "basis", "condition", "contested_on", "since_exact"),
        ),
        Index("ix_timeline_valid_from", "valid_from"),
        # The dates on which some stance changed (the steps of time travel), read from the index alone.
        Index(
            "ix_timeline_changes",
            "valid_from",
            "issue",
            "party",
            "recorded_at",
            "superseded_at",
            sqlite_where=text("stance_from != stance_to"),
            postgresql_where=text("stance_from != stance_to"),
        ),
    )
    issue: str = Field(max_length=64)
    party: str = Field(max_length=64)
    seq: int
    valid_from: date
    stance_from: str = Field(max_length=32)
    stance_to: str = Field(max_length=32)
    move: str | None = Field(default=None, max_length=32)  # None: shown, not applied (`not_applied` says why)
    not_applied: str | None = Field(default=None, max_length=16)
    since: date | None = None
    entered_seq: int
    backing: int  # applied moves behind `stance_to`: the one that entered it and its reaffirmations
    basis: str | None = Field(default=None, max_length=16)  # the strongest attribution among them
    condition: str | None = Field(default=None, sa_type=String())  # as its newest applied evidence states it
    contested_on: date | None = None  # the day evidence of equal rank disagreed, until later evidence settles it
    evidence_row_id: int = Field(foreign_key="evidence.row_id", index=True)
    # False: the stance was entered on a recap's word, so it is known held *by* `since`, not from it.
    since_exact: bool = Field(default=True, sa_column_kwargs={"server_default": "1"})


class PositionNowRow(SQLModel, table=True):
    """The projection of one position as held now, as of its newest day (`tracker.store.projection`): its newest
    timeline entry, and the newest evidence behind its stance (and of its contest) pre-rendered as JSON.

    Derived, not recorded: each ingest rewrites the rows of the positions it replays, in its transaction, so
    the table always equals what the timeline answers as of the newest day; a position with no live entry has
    no row. It answers `state` and the matrix as of the newest day or later, known now; `tracker check` holds it
    to the timeline."""

    __tablename__ = "position_now"
    issue: str = Field(primary_key=True, max_length=64)
    party: str = Field(primary_key=True, max_length=64)
    seq: int
    entered_seq: int
    stance_to: str = Field(max_length=32)
    since: date | None = None
    since_exact: bool = True
    backing: int
    basis: str | None = Field(default=None, max_length=16)
    condition: str | None = Field(default=None, sa_type=String())
    contested_on: date | None = None
    evidence: str = Field(sa_type=String())  # JSON: the newest evidence behind the stance, newest first
    evidence_digest: str = Field(max_length=32)  # of `evidence` (`tracker.store.projection.digest`)
    contest: str | None = Field(default=None, sa_type=String())  # JSON: the evidence that contests it, if any


class IssueNowRow(SQLModel, table=True):
    """The projection of one issue's issue-level evidence as held now (`tracker.store.projection`): its newest
    pieces pre-rendered as JSON, how many there are, and the days its status weighs. An issue with no live
    issue-level evidence has no row."""

    __tablename__ = "issue_now"
    issue: str = Field(primary_key=True, max_length=64)
    evidence: str = Field(sa_type=String())  # JSON: the newest issue-level evidence, newest first
    evidence_digest: str = Field(max_length=32)  # of `evidence` (`tracker.store.projection.digest`)
    evidence_total: int
    said_on: date | None = None  # the newest asserted piece's day, of any kind
    sticking_point_on: date | None = None  # ... of each kind that weighs in a status
    implemented_on: date | None = None
    partly_implemented_on: date | None = None


class BulkInsert:
    """Rows written straight through the database driver, as tuples in the order of `columns`.

    A bulk ingest writes a million rows: SQLAlchemy's per-row parameter work
    would cost more than the database does. Values are bound by each column's
    own type (`bind`), so what is stored is what `insert()` would store; dates
    repeat, so their bound form is computed once each.
    """

    def __init__(self, conn: Connection, table: Any, columns: tuple[str, ...]) -> None:
        dialect = conn.dialect
        quote = dialect.identifier_preparer.quote
        if dialect.paramstyle == "qmark":
            marks = ["?"] * len(columns)
        elif dialect.paramstyle in ("format", "pyformat"):
            marks = ["%s"] * len(columns)
        else:
            raise StoreError(f"bulk writes do not support the {dialect.name} driver's {dialect.paramstyle} parameters")
        self.conn = conn
        self.columns = columns
        self.sql = (
            f"INSERT INTO {quote(table.name)} ({', '.join(quote(c) for c in columns)}) VALUES ({', '.join(marks)})"
        )
        self._processors = {c: table.c[c].type.dialect_impl(dialect).bind_processor(dialect) for c in columns}
        self._bound: dict[tuple[str, Any], Any] = {}

    def bind(self, column: str, value: Any) -> Any:
        """`value` as the driver receives it for `column` (for dates and times; other values pass as they are)."""
        key = (column, value)
        if key not in self._bound:
            processor = self._processors[column]
            self._bound[key] = value if processor is None or value is None else processor(value)
        return self._bound[key]

    def write(self, rows: list[tuple[Any, ...]]) -> None:
        if rows:
            self.conn.exec_driver_sql(self.sql, rows)


def _text_compares_as_on_sqlite(metadata: MetaData) -> None:
    """On PostgreSQL, text columns compare code point by code point and hold any length, as on SQLite.

    A server's collation (en_US, ICU) puts `alpha` before `Zeta` and `a_c` before `a-b`, so the same
    corpus would list its sources and same-day evidence in another order than on SQLite (and than
    Python sorts them); and SQLite keeps no VARCHAR length, so text it takes would be refused there.
    The corpus checks bound what a person types; the store takes what they let through.
    """
    for table in metadata.tables.values():
        for column in table.columns:
            if isinstance(column.type, (String, AutoString)):
                column.type = column.type.with_variant(String(collation="C"), "postgresql")


_text_compares_as_on_sqlite(SQLModel.metadata)


# Ingests into one PostgreSQL database take this transaction-level advisory lock, one at a time.
WRITE_LOCK = 727217


def _sqlite_connect(dbapi_connection: Any, record: Any) -> None:
    # Let SQLAlchemy's BEGIN (below) drive transactions instead of pysqlite's own.
    prepare_sqlite(dbapi_connection)


def _sqlite_begin(conn: Connection) -> None:
    # A writer takes the write lock at BEGIN, so it never fails half-way on a busy database.
    conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.info.get("tracker_write") else "BEGIN")


def _holds_nothing(file: Path) -> bool:
    """True for a SQLite file that is missing, empty, or holds no table (committed): nothing was ever stored."""
    try:
        if not file.exists() or file.stat().st_size == 0:
            return True
        uri = read_only_uri(file) or f"file:{urllib.parse.quote(str(file.resolve()))}?mode=ro"
        connection = sqlite3.connect(uri, uri=True, timeout=30)
        try:
            return bool(connection.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()[0] == 0)
        finally:
            connection.close()
    except (OSError, sqlite3.Error):
        return False  # not a database the tracker may take for its own: left as it is


def _shown(url: str) -> str:
    """A URL as it may be shown: without its password."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url


def open_engine(url: str) -> Engine:
    try:
        if url.startswith("sqlite"):
            engine = create_engine(url, connect_args={"timeout": 30})
            event.listen(engine, "connect", _sqlite_connect)
            event.listen(engine, "begin", _sqlite_begin)
        elif url.startswith(f"postgresql+{POSTGRESQL_DRIVER}:") and "connect_timeout" not in make_url(url).query:
            # An unreachable server is an error in seconds, not after the system's TCP timeout.
            engine = create_engine(url, pool_pre_ping=True, connect_args={"connect_timeout": 10})
        else:
            engine = create_engine(url, pool_pre_ping=True)
    except ImportError as exc:
        hint = f"; install it with {POSTGRESQL_INSTALL}" if url.startswith(f"postgresql+{POSTGRESQL_DRIVER}:") else ""
        raise StoreError(f"cannot use database {_shown(url)!r}: its driver is not installed ({exc}){hint}") from None
    except (ArgumentError, ValueError) as exc:
        raise StoreError(f"cannot use database {_shown(url)!r}: {exc}") from None
    return engine


class Store:
    """A tracker database: its engine, schema and transactions.

    Only a write transaction creates the schema, inside the same transaction as
    the data, so a failed first ingest leaves no database behind and a read
    never takes the write lock.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = open_engine(url)
        self._current = False  # the schema was found to be this tracker's: later reads skip the check
        self._read_only: Engine | None = None

    def _reader(self) -> Engine:
        """The engine reads go through: a SQLite file this process may not write is opened read-only
        (`tracker.store.address.read_only_uri`)."""
        file = self.sqlite_file
        uri = read_only_uri(file) if file is not None else None
        if uri is None:
            return self.engine
        if self._read_only is None:
            self._read_only = create_engine(
                "sqlite://", creator=lambda: sqlite3.connect(uri, uri=True, timeout=30, check_same_thread=False)
            )
            event.listen(self._read_only, "connect", _sqlite_connect)
            event.listen(self._read_only, "begin", _sqlite_begin)
        return self._read_only

    @property
    def sqlite_file(self) -> Path | None:
        url = self.engine.url
        if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
            return None
        return Path(url.database)

    def exists(self) -> bool:
        """False for a SQLite file that is not there yet (other backends are assumed to exist)."""
        return self.sqlite_file is None or self.sqlite_file.exists()

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @property
    def safe_url(self) -> str:
        """The database as a user would name it: a SQLite file's path, or the URL without its password."""
        if self.sqlite_file is not None:
            return str(self.sqlite_file)
        return self.engine.url.render_as_string(hide_password=True)

    def _schema_version(self, conn: Connection, upgrade: bool = False) -> str | None:
        """The tracker schema version, None for a database with no tables at all.

        An older version is upgraded in place when `upgrade` (inside the caller's write transaction);
        otherwise it is refused, as is a newer or unknown one.
        """
        tables = set(inspect(conn).get_table_names())
        if not tables:
            return None
        if "tracker_meta" not in tables:
            raise StoreError(f"{self.safe_url} is not a tracker database")
        version = _schema_version_stored(conn)
        from tracker.store.upgrades import UPGRADES  # the upgrades use these tables: imported once they are declared

        if version in UPGRADES and upgrade:
            while version in UPGRADES:
                version = UPGRADES[version](conn)
            conn.execute(update(MetaRow).where(col(MetaRow.key) == SCHEMA_KEY).values(value=version))
        self._current = version == SCHEMA_VERSION
        if not self._current:
            raise StoreError(
                f"{self.safe_url} has schema version {version}, and this tracker reads version {SCHEMA_VERSION}; "
                "ingest the corpus into a new database (--db) or remove this one to rebuild it"
            )
        return str(version)

    def needs_upgrade(self) -> bool:
        """True for a database of an older schema version that this tracker upgrades in place."""
        if self._current or not self.exists():
            return False
        with self._errors(), self._reader().connect() as conn, conn.begin():
            if "tracker_meta" not in set(inspect(conn).get_table_names()):
                return False
            version = _schema_version_stored(conn)
            from tracker.store.upgrades import UPGRADES

            return version in UPGRADES

    def upgrade_if_needed(self) -> None:
        """Upgrade an older schema in place, in one write transaction, before the first read."""
        if self.needs_upgrade():
            with self.writing():
                pass  # the write transaction upgrades the schema

    @contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except (OperationalError, DatabaseError) as exc:
            raise StoreError(f"database {self.safe_url}: {exc.orig}") from None
        except sqlite3.Error as exc:  # from the driver's own connection (switching a file to WAL)
            raise StoreError(f"database {self.safe_url}: {exc}") from None

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A read-only session on one consistent snapshot; it never writes, nor waits for a writer."""
        self.upgrade_if_needed()
        with self._errors(), self._reader().connect() as conn, conn.begin():
            if self.dialect == "postgresql":
                conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            if not self._current and self._schema_version(conn) is None:
                raise StoreError(f"{self.safe_url} holds no tracker data; load a corpus with `tracker ingest`")
            with Session(bind=conn) as session:
                yield session

    @contextmanager
    def writing(self, keep: bool = True) -> Iterator[Session]:
        """One all-or-nothing write transaction, schema included; ingests are serialised.

        Unless `keep`, it is rolled back at the end (a trial: `tracker validate`).
        A SQLite file that this transaction created is removed again if it fails or is not kept.
        """
        if self._reader() is not self.engine:
            raise StoreError(
                f"{self.safe_url} is read-only here (its file or folder may not be written): it can be read, "
                "not changed or upgraded; copy it somewhere writable"
            )
        # A file with no tables is what a first ingest killed part-way leaves (SIGKILL, a power cut): it is
        # taken for no database at all, made by this transaction, and removed again if this one fails too.
        new_file = self.sqlite_file is not None and _holds_nothing(self.sqlite_file)
        if self.sqlite_file is not None:
            folder = self.sqlite_file.parent
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(f"cannot create the folder of {self.safe_url}: {exc.strerror}") from None
            if new_file and not os.access(folder, os.W_OK | os.X_OK):
                raise StoreError(f"cannot create {self.safe_url}: its folder may not be written (read-only?)")
        try:
            with self._errors(), self.engine.connect() as conn:
                if self.sqlite_file is not None:
                    # Write-ahead logging lets readers go on while an ingest writes; it is a
                    # property of the file, set outside any transaction and only by a writer.
                    conn.connection.dbapi_connection.execute("PRAGMA journal_mode=WAL")  # type: ignore[union-attr]
                    # A writer reads little and builds indexes over everything it wrote: through the memory map,
                    # that would be the whole file in its resident memory.
                    conn.connection.dbapi_connection.execute("PRAGMA mmap_size=0")  # type: ignore[union-attr]
                conn.info["tracker_write"] = True
                try:
                    with conn.begin() as transaction, Session(bind=conn) as session:
                        if self.dialect == "postgresql":
                            # Each statement after the lock sees what the ingest before this one committed (a
                            # server whose default is REPEATABLE READ would give a snapshot from before the wait).
                            conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")
                            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITE_LOCK})")
                        if self._schema_version(conn, upgrade=True) is None:
                            SQLModel.metadata.create_all(conn)
                            conn.execute(insert(MetaRow).values(key=SCHEMA_KEY, value=SCHEMA_VERSION))
                        yield session
                        session.flush()
                        if not keep:
                            transaction.rollback()
                finally:
                    conn.info.pop("tracker_write", None)
                    if self.sqlite_file is not None:
                        conn.connection.dbapi_connection.execute(f"PRAGMA mmap_size={MMAP_BYTES}")  # type: ignore[union-attr]
        except BaseException:
            self._current = False  # an upgrade in this transaction was rolled back with it
            self._remove_if_new(new_file)
            raise
        if not keep:
            self._current = False
            self._remove_if_new(new_file)

    def _remove_if_new(self, new_file: bool) -> None:
        """Remove the SQLite file this failed transaction made, unless another ingest has filled it meanwhile."""
        if new_file:
            self.engine.dispose()
            assert self.sqlite_file is not None
            if _holds_nothing(self.sqlite_file):
                self._remove_sqlite_file()

    def _remove_sqlite_file(self) -> None:
        self.engine.dispose()
        assert self.sqlite_file is not None
        for suffix in ("", "-wal", "-shm", "-journal"):
            try:
                Path(f"{self.sqlite_file}{suffix}").unlink(missing_ok=True)
            except OSError:
                pass  # what cannot be removed was not made either (a read-only folder)

    def is_empty(self) -> bool:
        """True when nothing has been ingested: no file, no tables, or no ingest yet."""
        if not self.exists():
            return True
        self.upgrade_if_needed()
        with self._errors(), self._reader().connect() as conn, conn.begin():
            if self._schema_version(conn) is None:
                return True
            return conn.execute(select(func.count()).select_from(IngestRow)).scalar() == 0

    def dispose(self) -> None:
        self.engine.dispose()
        if self._read_only is not None:
            self._read_only.dispose()
