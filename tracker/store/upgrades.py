"""Upgrading a database made by an older version of the tracker, in place, in the caller's write transaction.

Each step takes one schema version to the next; the last one builds every
index the current tables declare, so that no step builds an index over columns
a later step adds. Schema 5 changed how evidence said on one day is weighed,
so its step replays every position: the old timeline is superseded, not
deleted, and `--known-at` before the upgrade still answers as the tracker did.
Schema 6 gives each party its role; every party of an older database was a
negotiator. Schema 7 gives issue-level evidence its kind; all of it so far
named sticking points, the default. Schema 8 weighs recaps and implied stances
anew (a recap may be a first word or move a position by its date), so its step
replays every position too, and the timeline keeps whether each stance's
`since` is exact. Schema 9 keeps `said_on` as written where it is an EDTF span
or a qualified day; every day stored before was a plain one. Schema 10 keeps a
projection of the current positions (`tracker.store.projection`), built from the
timeline by its step and kept by every ingest after.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Table, func, insert, inspect, select, update
from sqlalchemy import column as sql_column
from sqlalchemy import table as sql_table
from sqlalchemy.engine import Connection
from sqlmodel import col

from tracker.domain.errors import Problem, StoreError
from tracker.domain.timeline import PositionKey, ReplayItem, TimelineEntry, replay_item, replay_position
from tracker.store import projection
from tracker.store.database import (
    ArticleRow,
    EvidenceRow,
    IngestRow,
    IssueNowRow,
    IssueRow,
    PartyRow,
    PositionNowRow,
    TimelineRow,
)


def _upgrade_1_to_2(conn: Connection) -> str:
    """Schema 1 to 2: the timeline keeps how much evidence backs each stance; indexes for browsing."""
    conn.exec_driver_sql("ALTER TABLE timeline ADD COLUMN backing INTEGER NOT NULL DEFAULT 0")
    # A position's timeline is written whole by each replay, all with that ingest's recorded time; the entries
    # from a stance's entering move on share its entered_seq. So the count of applied moves so far within that
    # group is the backing: one pass with a window function (linear, where a correlated count is quadratic).
    conn.exec_driver_sql(
        "UPDATE timeline SET backing = counted.backing FROM ("
        "SELECT row_id, COUNT(move) OVER (PARTITION BY issue, party, recorded_at, entered_seq ORDER BY seq "
        "ROWS UNBOUNDED PRECEDING) AS backing FROM timeline WHERE entered_seq >= 0) AS counted "
        "WHERE timeline.row_id = counted.row_id"
    )
    for table in ("issue", "party", "article", "evidence", "timeline"):
        conn.exec_driver_sql(f"DROP INDEX IF EXISTS ix_{table}_superseded_at")
    conn.exec_driver_sql("DROP INDEX IF EXISTS ix_timeline_position")  # now ix_timeline_position_entries
    return "2"  # the indexes are built by the last step, on the columns they cover


def _upgrade_2_to_3(conn: Connection) -> str:
    """Schema 2 to 3: covering indexes, so that state, diff, history and reports read no table rows."""
    conn.exec_driver_sql("DROP INDEX IF EXISTS ix_timeline_position_held")  # now ix_timeline_position_entries
    conn.exec_driver_sql("DROP INDEX IF EXISTS ix_evidence_article")  # now ix_evidence_article_said
    return "3"


def _upgrade_3_to_4(conn: Connection) -> str:
    """Schema 3 to 4: issue-level evidence indexed by issue, so each issue's newest is one seek (built last)."""
    return "4"


def _table(model: Any) -> Table:
    return model.__table__  # type: ignore[no-any-return]


# The columns schema 5 adds, each declared by its table model.
_ADDED_IN_5: tuple[tuple[Any, str], ...] = (
    (EvidenceRow, "said_at"),
    (EvidenceRow, "move"),
    (EvidenceRow, "condition"),
    (TimelineRow, "not_applied"),
    (TimelineRow, "basis"),
    (TimelineRow, "condition"),
    (TimelineRow, "contested_on"),
    (IssueRow, "parent"),
)


def _add_columns(conn: Connection, columns: tuple[tuple[Any, str], ...]) -> None:
    """Add each column as its table model declares it; one with a server default is NOT NULL, and the rows
    already there take the default."""
    quote = conn.dialect.identifier_preparer.quote
    for model, name in columns:
        table = _table(model)
        column = table.c[name]
        kind = column.type.compile(dialect=conn.dialect)
        if column.server_default is not None:
            kind += f" NOT NULL DEFAULT '{column.server_default.arg}'"  # type: ignore[attr-defined]
        conn.exec_driver_sql(f"ALTER TABLE {quote(table.name)} ADD COLUMN {quote(name)} {kind}")


def _upgrade_4_to_5(conn: Connection) -> str:
    """Schema 4 to 5: evidence names its move, time of day and condition; the timeline says why evidence moved
    nothing, what each stance rests on and whether it is contested; an issue may have a parent. Evidence that
    left `agreed` names the move it made (schema 4 knew one, renege). Every position is replayed."""
    _add_columns(conn, _ADDED_IN_5)
    # Evidence that made a move sharing its two stances with another move names the move it made.
    for shared in ("renege", "reopen"):
        made = select(col(TimelineRow.evidence_row_id)).where(
            col(TimelineRow.move) == shared, col(TimelineRow.superseded_at).is_(None)
        )
        conn.execute(update(EvidenceRow).where(col(EvidenceRow.row_id).in_(made)).values(move=shared))
    _replay_every_position(conn, "5")
    conn.exec_driver_sql("DROP INDEX IF EXISTS ix_timeline_position_entries")  # it covers the new columns
    return "5"  # the indexes are built by the last step, on the columns they cover


def _create_indexes(conn: Connection) -> None:
    """Every index the current tables declare that the database lacks: the last step's work, once every column
    they cover is there."""
    for model in (IssueRow, PartyRow, ArticleRow, EvidenceRow, TimelineRow):
        for index in _table(model).indexes:
            index.create(conn, checkfirst=True)


def _replay_every_position(conn: Connection, schema: str) -> None:
    """Replay every position from its current evidence; supersede the old timeline, recorded as an ingest (of the
    upgrade to `schema`). Only the timeline columns the database has yet are written (a later step adds more)."""
    rows = conn.execute(
        select(
            col(EvidenceRow.issue),
            col(EvidenceRow.party),
            col(EvidenceRow.said_on),
            col(EvidenceRow.said_at),
            col(EvidenceRow.attribution),
            col(ArticleRow.published_on),
            col(ArticleRow.sha256),
            col(EvidenceRow.start),
            col(EvidenceRow.end),
            col(EvidenceRow.id),
            col(EvidenceRow.stance),
            col(EvidenceRow.mode),
            col(EvidenceRow.move),
            col(EvidenceRow.condition),
            col(EvidenceRow.row_id),
            col(EvidenceRow.source_path),
            col(EvidenceRow.stance_line),
        )
        .join(ArticleRow, (col(ArticleRow.id) == col(EvidenceRow.article)) & col(ArticleRow.superseded_at).is_(None))
        .where(col(EvidenceRow.superseded_at).is_(None), col(EvidenceRow.party).is_not(None))
    )
    positions: dict[PositionKey, list[ReplayItem]] = defaultdict(list)
    for issue, party, *item in rows:
        positions[(issue, str(party))].append(replay_item(*item))
    replayed: dict[PositionKey, list[TimelineEntry]] = {}
    problems: list[Problem] = []
    for key in sorted(positions):
        entries = replay_position(*key, positions[key])
        if isinstance(entries, Problem):
            problems.append(entries)
        else:
            replayed[key] = entries
    if problems:
        shown = "; ".join(str(p) for p in problems[:20]) + (
            f"; and {len(problems) - 20} more" if len(problems) > 20 else ""
        )
        raise StoreError(
            "cannot upgrade: under this version's rules some positions need their evidence re-coded "
            f"(re-ingest the corpus into a new database to see every problem): {shown}"
        )
    latest = conn.execute(select(func.max(IngestRow.recorded_at))).scalar()
    now = datetime.now(UTC)
    if latest is not None and latest >= now:
        now = latest + timedelta(microseconds=1)
    conn.execute(update(TimelineRow).where(col(TimelineRow.superseded_at).is_(None)).values(superseded_at=now))
    present = {column["name"] for column in inspect(conn).get_columns(TimelineRow.__tablename__)}
    new_rows = [
        {"issue": issue, "party": party, "recorded_at": now}
        | {name: value for name, value in entry._asdict().items() if name in present}
        for (issue, party), entries in replayed.items()
        for entry in entries
    ]
    # Into the columns the table has now (the model's defaults would name columns a later step adds).
    timeline = sql_table(
        TimelineRow.__tablename__, *(sql_column(name) for name in ("issue", "party", "recorded_at", *present))
    )
    names = {c.name for c in timeline.columns}
    for start in range(0, len(new_rows), 5000):
        conn.execute(
            insert(timeline), [{k: v for k, v in row.items() if k in names} for row in new_rows[start : start + 5000]]
        )
    conn.execute(
        insert(IngestRow),
        [
            dict(
                recorded_at=now,
                seeds=f"(schema {schema} upgrade)",
                fixtures="(every position replayed)",
                positions_replayed=len(replayed),
            )
        ],
    )


def _upgrade_5_to_6(conn: Connection) -> str:
    """Schema 5 to 6: a party has a role (negotiator, mediator or observer); every party stored so far was a
    negotiator, as the tracker then weighed it. No position changes: statuses are derived when read."""
    _add_columns(conn, ((PartyRow, "role"),))
    return "6"


def _upgrade_6_to_7(conn: Connection) -> str:
    """Schema 6 to 7: issue-level evidence has a kind (none stored: a sticking point, what all of it was so far);
    each issue's newest of each kind is a seek in `ix_evidence_issue_named`, which now covers it."""
    _add_columns(conn, ((EvidenceRow, "kind"),))
    conn.exec_driver_sql("DROP INDEX IF EXISTS ix_evidence_issue_named")  # it covers the new column
    return "7"  # the indexes are built by the last step, on the columns they cover


def _upgrade_7_to_8(conn: Connection) -> str:
    """Schema 7 to 8: recaps and implied stances weighed anew (every position replayed: a recap may now be a first
    word, or move a position by its date); the timeline keeps whether a stance's `since` is exact, in the
    covering index the state reads."""
    _add_columns(conn, ((TimelineRow, "since_exact"),))
    conn.exec_driver_sql("DROP INDEX IF EXISTS ix_timeline_position_entries")  # it covers the new column
    _replay_every_position(conn, "8")
    _create_indexes(conn)
    return "8"


def _upgrade_8_to_9(conn: Connection) -> str:
    """Schema 8 to 9: evidence keeps `said_on` as written where it is not a plain day (a month, an interval,
    uncertain...), its `said_on` the last day of that span; every piece stored so far was said on a plain day, so
    none has one. No position changes."""
    quote = conn.dialect.identifier_preparer.quote
    table, name = _table(EvidenceRow), "said_on_written"
    kind = table.c[name].type.compile(dialect=conn.dialect)
    conn.exec_driver_sql(f"ALTER TABLE {quote(table.name)} ADD COLUMN {quote(name)} {kind}")
    return "9"


def _upgrade_9_to_10(conn: Connection) -> str:
    """Schema 9 to 10: the projection of the current positions, each position's newest entry and the newest
    evidence behind its stance, and each issue's newest issue-level evidence, as the timeline answers them as of
    its newest day; built here from the timeline, kept by every ingest after. No position changes."""
    for model in (PositionNowRow, IssueNowRow):
        _table(model).create(conn, checkfirst=True)
    projection.refresh(conn)
    return "10"


def _upgrade_10_to_11(conn: Connection) -> str:
    """Schema 10 to 11: an index of issue-level evidence by issue, mode and kind, so that each issue's newest
    evidence of each kind a status weighs is a seek (`ix_evidence_issue_kind`); the projection keeps the digest
    of each evidence text (rebuilt from the timeline, as schema 10 built it). No position changes."""
    _create_indexes(conn)
    for model in (PositionNowRow, IssueNowRow):
        _table(model).drop(conn)
        _table(model).create(conn)
    projection.refresh(conn)
    return "11"


# Each older schema version this tracker upgrades in place, and how.
UPGRADES: dict[str, Callable[[Connection], str]] = {
    "1": _upgrade_1_to_2,
    "2": _upgrade_2_to_3,
    "3": _upgrade_3_to_4,
    "4": _upgrade_4_to_5,
    "5": _upgrade_5_to_6,
    "6": _upgrade_6_to_7,
    "7": _upgrade_7_to_8,
    "8": _upgrade_8_to_9,
    "9": _upgrade_9_to_10,
    "10": _upgrade_10_to_11,
}
