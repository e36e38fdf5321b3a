"""The tracker from Python: for scripts and notebooks, the same answers the command line prints.

    import tracker

    with tracker.open("corpus.db") as negotiation:
        state = negotiation.state(as_of="2026-02-06")
        changes = negotiation.diff("2026-01-01", "2026-02-06", issues=["donetsk_withdrawal"])

Each answer is a typed model, the one whose JSON `--format json` prints;
`tracker.records(state.positions)` gives plain dicts a DataFrame takes
(`pandas.DataFrame(...)`). Dates are `date`s or `YYYY-MM-DD` text; issues and
parties are named as on the command line (ids, names or aliases). Each call is
one consistent read; `known_at` answers as the tracker would have at a
recorded time. The command line is built on this module.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from tracker.domain.dates import moment, parse_date, parse_recorded_time
from tracker.domain.errors import StoreError, UsageError
from tracker.read.models import (
    CHANGES_SHOWN,
    EVIDENCE_SHOWN,
    MOVES_SHOWN,
    DiffReport,
    HistoryReport,
    IngestLog,
    StateReport,
)
from tracker.read.opening import Database, Say

if TYPE_CHECKING:
    from tracker.domain.catalog import Catalog
    from tracker.ingest.ingest import IngestSummary
    from tracker.read.briefing import Report
    from tracker.read.check import CheckReport
    from tracker.read.lookup import ArticleDetail, EvidenceDetail, SearchResult
    from tracker.read.reading import Reading

T = TypeVar("T")
Day = date | str
Chosen = Iterable[str] | str | None
Evidence = Literal["newest", "all"]


def _quiet(message: str) -> None:
    """Say nothing."""


def as_date(value: Day, name: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return parse_date(value)
    except ValueError as exc:
        raise UsageError(f"{name}: {exc}") from None


def as_recorded_time(value: datetime | date | str | None) -> datetime | None:
    """A recorded time: a datetime (UTC unless zoned), or a date or `YYYY-MM-DD` meaning the end of that day."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    try:
        return parse_recorded_time(value.isoformat() if isinstance(value, date) else value)
    except ValueError as exc:
        raise UsageError(f"known_at: {exc}") from None


def _evidence_limit(evidence: Evidence) -> int | None:
    if evidence not in ("newest", "all"):
        raise UsageError(f"evidence: {evidence!r} is neither 'newest' nor 'all'")
    return EVIDENCE_SHOWN if evidence == "newest" else None


class Tracker:
    """A tracker database (a SQLite file, any SQLAlchemy URL, or the default one), read one answer at a time.

    The default database is built from the bundled corpus on first use, and one made by an older tracker is
    upgraded in place; `say` is told when either happens, and of a `known_at` before anything was recorded.
    """

    def __init__(self, db: str | Database | None = None, say: Say = _quiet, progress: Say | None = None) -> None:
        self.database = db if isinstance(db, Database) else Database(db, say=say)
        self.say = say
        self.progress = progress
        self._ready = False

    def __enter__(self) -> Tracker:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        self.database.close()

    @property
    def where(self) -> str:
        """The database as a user would name it: a file's path, or the URL without its password."""
        return self.database.where

    def ready(self) -> IngestSummary | None:
        """Make the database ready to read (once): upgraded if old; the default one built on first use.

        What seeding the default database ingested, when it did; None otherwise.
        """
        if self._ready:
            return None
        summary = self.database.ready(self.progress)
        self._ready = True
        return summary

    def read(self, known_at: datetime | date | str | None, answer: Callable[[Reading], T]) -> T:
        """`answer` computed from one consistent read, as held now or at the recorded time `known_at`."""
        self.ready()
        at = as_recorded_time(known_at)
        with self.database.reading(at) as reading:
            if at is not None:
                first = reading.first_recorded()
                if first is not None and at < first:
                    self.say(f"warning: nothing was recorded by {moment(at)}; the first ingest was at {moment(first)}")
            return answer(reading)

    def catalog(self, known_at: datetime | date | str | None = None) -> Catalog:
        """The issues and parties held."""
        return self.read(known_at, lambda reading: reading.catalog())

    def state(
        self,
        as_of: Day | None = None,
        *,
        issues: Chosen = None,
        parties: Chosen = None,
        known_at: datetime | date | str | None = None,
        evidence: Evidence = "newest",
    ) -> StateReport:
        """Where every party stands on every issue as of `as_of` (today when None); the newest pieces of
        evidence behind each stance with their total, or every piece (`evidence="all"`)."""
        from tracker.read.state import state

        day = as_date(as_of, "as_of") if as_of is not None else datetime.now(UTC).date()
        limit = _evidence_limit(evidence)
        return self.read(
            known_at, lambda r: state(r, day, *_filters(r, issues, parties, known_at is not None), evidence=limit)
        )

    def diff(
        self,
        date_from: Day,
        date_to: Day | None = None,
        *,
        issues: Chosen = None,
        parties: Chosen = None,
        known_at: datetime | date | str | None = None,
        evidence: Evidence = "newest",
        limit: int | None = CHANGES_SHOWN,
        offset: int = 0,
    ) -> DiffReport:
        """What changed between two dates (the second: the newest day with evidence when None), with every move's
        path and the newest evidence of each change (`evidence="all"`: every piece). One page of the changes:
        the first `limit` from `offset` (None: all of them); `changes_total` counts them all."""
        from tracker.read.diff import diff

        start = as_date(date_from, "date_from")
        end = as_date(date_to, "date_to") if date_to is not None else None
        most = _evidence_limit(evidence)
        if (limit is not None and limit < 1) or offset < 0:
            raise UsageError(f"limit must be 1 or more and offset 0 or more, not {limit} and {offset}")

        def answer(r: Reading) -> DiffReport:
            last = end if end is not None else max(r.newest_date() or start, start)
            if start > last:
                raise UsageError(f"FROM ({start}) is after TO ({last})")
            chosen = _filters(r, issues, parties, known_at is not None)
            return diff(r, start, last, *chosen, evidence=most, limit=limit, offset=offset)

        return self.read(known_at, answer)

    def history(
        self,
        *,
        issues: Chosen = None,
        parties: Chosen = None,
        since: Day | None = None,
        until: Day | None = None,
        known_at: datetime | date | str | None = None,
        limit: int | None = MOVES_SHOWN,
    ) -> HistoryReport:
        """The moves of each position over time (said from `since` to `until`, both included) with the evidence
        for each: the newest `limit` per position (every one when None); `left_out` names the positions cut."""
        from tracker.read.history import history

        if limit is not None and limit < 1:
            raise UsageError(f"limit: {limit} is not a number of moves (1 or more; None for all)")
        first = as_date(since, "since") if since is not None else None
        last = as_date(until, "until") if until is not None else None
        if first is not None and last is not None and first > last:
            raise UsageError(f"--since ({first}) is after --until ({last})")
        return self.read(
            known_at,
            lambda r: history(
                r, *_filters(r, issues, parties, known_at is not None), until=last, limit=limit, since=first
            ),
        )

    def search(
        self, text: str, *, known_at: datetime | date | str | None = None, limit: int | None = 50
    ) -> SearchResult:
        """Evidence whose quote, speaker or note holds `text`, and articles whose title does (any case): the
        newest `limit` of each (all when None), with how many there are."""
        from tracker.read.lookup import search

        return self.read(known_at, lambda r: search(r, text, limit))

    def show(self, identifier: str, *, known_at: datetime | date | str | None = None) -> EvidenceDetail | ArticleDetail:
        """The piece of evidence with this id (its quote in context, its article, the move it made), or else the
        article (its metadata and its evidence)."""
        from tracker.read.lookup import show

        return self.read(known_at, lambda r: show(r, identifier))

    def annotations(
        self, *, issues: Chosen = None, parties: Chosen = None, known_at: datetime | date | str | None = None
    ) -> dict[str, Any]:
        """Every piece of evidence held as a W3C Web Annotation, in one JSON-LD AnnotationCollection."""
        from tracker.read.annotations import collection, evidence_annotations

        return self.read(
            known_at,
            lambda r: collection(evidence_annotations(r, *_filters(r, issues, parties, known_at is not None))),
        )

    def log(self, *, known_at: datetime | date | str | None = None) -> IngestLog:
        """Every ingest that changed the database, oldest first: when, from where, what it added, edited and
        removed; each `recorded_at` is a time `known_at` can answer at."""
        from tracker.read.browse import ingest_log

        return self.read(known_at, ingest_log)

    def report(
        self,
        as_of: Day | None = None,
        since: Day | None = None,
        *,
        issues: Chosen = None,
        parties: Chosen = None,
        known_at: datetime | date | str | None = None,
    ) -> Report:
        """The briefing as of `as_of` (today when None), with what changed since `since`; render it with
        `tracker.render.report.render_report(report, "md" | "html" | "json")`."""
        from tracker.read.briefing import build_report

        day = as_date(as_of, "as_of") if as_of is not None else datetime.now(UTC).date()
        start = as_date(since, "since") if since is not None else None
        if start is not None and start > day:
            raise UsageError(f"--since ({start}) is after --as-of ({day})")
        return self.read(
            known_at, lambda r: build_report(r, day, start, *_filters(r, issues, parties, known_at is not None))
        )

    def check(self) -> CheckReport:
        """Every invariant of the store, verified without writing (`tracker check`): one live row per id, live
        evidence's article and catalogue entries live, each position's timeline a replay of its live evidence,
        article digests, and on SQLite `PRAGMA integrity_check`. Neither builds nor upgrades the database."""
        from tracker.read.check import check_store
        from tracker.read.connection import NeedsUpgrade, snapshot

        try:
            with snapshot(self.database.url, self.where, read_only=True) as found:
                return check_store(found, self.database.file, self.progress)
        except NeedsUpgrade:
            raise StoreError(
                f"{self.where} was made by an older tracker; check reads only the current schema, and never "
                "upgrades: any other command upgrades it, once"
            ) from None


def _filters(
    reading: Reading, issues: Chosen, parties: Chosen, then_or_now: bool
) -> tuple[list[str] | None, list[str] | None]:
    """The ids that issue and party names stand for (ids, names or aliases): in the catalogue held at the
    reading's recorded time, or, failing that, in today's."""
    return _ids(reading, "issue", issues, then_or_now), _ids(reading, "party", parties, then_or_now)


def _ids(reading: Reading, kind: str, names: Chosen, then_or_now: bool) -> list[str] | None:
    if names is None or isinstance(names, str):
        names = [names] if isinstance(names, str) else []
    names = list(names)
    if not names:
        return None
    catalogs = [reading.catalog()]
    if then_or_now:
        catalogs.append(reading.now().catalog())
    resolved = []
    for name in names:
        found = next((c.resolve(kind, name) for c in catalogs if c.resolve(kind, name)), None)
        if found is None:
            raise UsageError(f"unknown {kind} '{name}' ({catalogs[-1].suggestion(kind, name)})")
        resolved.append(found)
    return resolved
