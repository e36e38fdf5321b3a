"""A database made by an older tracker is upgraded in place on first use, and answers as a new one would."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, inspect, text

from tests.conftest import GOLDEN, Run
from tests.helpers import write_trade_talks
from tracker.store.address import SCHEMA_VERSION, database_url

SCHEMA_3_INDEXES = {"ix_timeline_position_entries", "ix_evidence_article_said", "ix_article_title"}


SCHEMA_4_ENTRIES = (
    "issue, party, valid_from, seq, superseded_at, recorded_at, entered_seq, since, stance_from, stance_to, move, "
    "backing, evidence_row_id"
)
ADDED_IN_5 = {
    "evidence": ("said_at", "move", "condition"),
    "timeline": ("not_applied", "basis", "condition", "contested_on"),
    "issue": ("parent",),
}


ADDED_IN_6 = {"party": ("role",)}


SCHEMA_6_NAMED = "issue, said_on, mode, recorded_at, superseded_at"


SCHEMA_7_ENTRIES = (
    "issue, party, valid_from, seq, superseded_at, recorded_at, entered_seq, since, stance_from, stance_to, move, "
    "backing, evidence_row_id, not_applied, basis, condition, contested_on"
)


def downgrade_to_schema_10(db: str) -> None:
    """Turn a database into what schema version 10 wrote: no index of issue-level evidence by kind, no digests
    of the projection's texts."""
    engine = create_engine(database_url(db)[0])
    with engine.begin() as conn:
        conn.execute(text("DROP INDEX ix_evidence_issue_kind"))
        conn.execute(text("ALTER TABLE position_now DROP COLUMN evidence_digest"))
        conn.execute(text("ALTER TABLE issue_now DROP COLUMN evidence_digest"))
        conn.execute(text("UPDATE tracker_meta SET value = '10' WHERE key = 'schema_version'"))
    engine.dispose()


def downgrade_to_schema_9(db: str) -> None:
    """Turn a database into what schema version 9 wrote: no projection of the current positions."""
    downgrade_to_schema_10(db)
    engine = create_engine(database_url(db)[0])
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE position_now"))
        conn.execute(text("DROP TABLE issue_now"))
        conn.execute(text("UPDATE tracker_meta SET value = '9' WHERE key = 'schema_version'"))
    engine.dispose()


def downgrade_to_schema_8(db: str) -> None:
    """Turn a database into what schema version 8 wrote: no `said_on` kept as written (every one a plain day)."""
    downgrade_to_schema_9(db)
    engine = create_engine(database_url(db)[0])
    with engine.begin() as conn:
        conn.execute(text("ALTER TABLE evidence DROP COLUMN said_on_written"))
        conn.execute(text("UPDATE tracker_meta SET value = '8' WHERE key = 'schema_version'"))
    engine.dispose()


def downgrade_to_schema_7(db: str) -> None:
    """Turn a database into what schema version 7 wrote: no timeline column saying whether a since is exact."""
    downgrade_to_schema_8(db)
    engine = create_engine(database_url(db)[0])
    with engine.begin() as conn:
        conn.execute(text("DROP INDEX ix_timeline_position_entries"))
        conn.execute(text("ALTER TABLE timeline DROP COLUMN since_exact"))
        conn.execute(text(f"CREATE INDEX ix_timeline_position_entries ON timeline ({SCHEMA_7_ENTRIES})"))
        conn.execute(text("UPDATE tracker_meta SET value = '7' WHERE key = 'schema_version'"))
    engine.dispose()


def downgrade_to_schema_6(db: str) -> None:
    """Turn a database into what schema version 6 wrote: issue-level evidence without a kind."""
    downgrade_to_schema_7(db)
    engine = create_engine(database_url(db)[0])
    with engine.begin() as conn:
        conn.execute(text("DROP INDEX ix_evidence_issue_named"))
        conn.execute(text("ALTER TABLE evidence DROP COLUMN kind"))
        conn.execute(text(f"CREATE INDEX ix_evidence_issue_named ON evidence ({SCHEMA_6_NAMED}) WHERE party IS NULL"))
        conn.execute(text("UPDATE tracker_meta SET value = '6' WHERE key = 'schema_version'"))
    engine.dispose()


def downgrade_to_schema_5(db: str) -> None:
    """Turn a database into what schema version 5 wrote: no party's role."""
    downgrade_to_schema_6(db)
    engine = create_engine(database_url(db)[0])
    with engine.begin() as conn:
        for table, columns in ADDED_IN_6.items():
            for column in columns:
                conn.execute(text(f"ALTER TABLE {table} DROP COLUMN {column}"))
        conn.execute(text("UPDATE tracker_meta SET value = '5' WHERE key = 'schema_version'"))
    engine.dispose()


def downgrade_to_schema_4(db: str) -> None:
    """Turn a database into what schema version 4 wrote: no moves named, no times of day, conditions, contests."""
    downgrade_to_schema_5(db)
    engine = create_engine(database_url(db)[0])
    with engine.begin() as conn:
        conn.execute(text("DROP INDEX ix_timeline_position_entries"))
        for table, columns in ADDED_IN_5.items():
            for column in columns:
                conn.execute(text(f"ALTER TABLE {table} DROP COLUMN {column}"))
        conn.execute(text(f"CREATE INDEX ix_timeline_position_entries ON timeline ({SCHEMA_4_ENTRIES})"))
        conn.execute(text("UPDATE tracker_meta SET value = '4' WHERE key = 'schema_version'"))
    engine.dispose()


def downgrade_to_schema_3(db: str) -> None:
    """Turn a database into what schema version 3 wrote: issue-level evidence not indexed by issue."""
    downgrade_to_schema_4(db)
    engine = create_engine(database_url(db)[0])
    with engine.begin() as conn:
        conn.execute(text("DROP INDEX ix_evidence_issue_named"))
        conn.execute(text("UPDATE tracker_meta SET value = '3' WHERE key = 'schema_version'"))
    engine.dispose()


def downgrade_to_schema_2(db: str) -> None:
    """Turn a database into what schema version 2 wrote: no covering indexes."""
    downgrade_to_schema_3(db)
    engine = create_engine(database_url(db)[0])
    with engine.begin() as conn:
        for index in SCHEMA_3_INDEXES:
            conn.execute(text(f"DROP INDEX {index}"))
        conn.execute(
            text(
                "CREATE INDEX ix_timeline_position_held "
                "ON timeline (issue, party, valid_from, seq, superseded_at, recorded_at)"
            )
        )
        conn.execute(text("CREATE INDEX ix_evidence_article ON evidence (article)"))
        conn.execute(text("UPDATE tracker_meta SET value = '2' WHERE key = 'schema_version'"))
    engine.dispose()


def downgrade_to_schema_1(db: str) -> None:
    """Turn a database into what schema version 1 wrote: no backing counts, no browsing indexes."""
    downgrade_to_schema_2(db)
    engine = create_engine(database_url(db)[0])
    with engine.begin() as conn:
        for index in ("ix_timeline_changes", "ix_evidence_issue_level", "ix_timeline_position_held"):
            conn.execute(text(f"DROP INDEX {index}"))
        conn.execute(text("CREATE INDEX ix_timeline_position ON timeline (issue, party, valid_from, seq)"))
        conn.execute(text("ALTER TABLE timeline DROP COLUMN backing"))
        for table in ("issue", "party", "article", "evidence", "timeline"):
            conn.execute(text(f"CREATE INDEX ix_{table}_superseded_at ON {table} (superseded_at)"))
        conn.execute(text("UPDATE tracker_meta SET value = '1' WHERE key = 'schema_version'"))
    engine.dispose()


def columns_of(db: str, table: str) -> set[str]:
    """The columns of a table, on any backend."""
    engine = create_engine(database_url(db)[0])
    try:
        return {column["name"] for column in inspect(engine).get_columns(table)}
    finally:
        engine.dispose()


def indexes_of(db: str, table: str) -> list[Any]:
    """The indexes of a table, on any backend."""
    engine = create_engine(database_url(db)[0])
    try:
        return list(inspect(engine).get_indexes(table))
    finally:
        engine.dispose()


def read(db: str, query: str) -> list[tuple[object, ...]]:
    engine = create_engine(database_url(db)[0])
    try:
        with engine.connect() as conn:
            return [tuple(row) for row in conn.execute(text(query))]
    finally:
        engine.dispose()


def index_names(db: str) -> set[str]:
    engine = create_engine(database_url(db)[0])
    try:
        with engine.connect() as conn:
            found = inspect(conn)
            return {str(index["name"]) for table in found.get_table_names() for index in found.get_indexes(table)}
    finally:
        engine.dispose()


CURRENT_BACKING = (
    "SELECT issue, party, seq, backing FROM timeline WHERE superseded_at IS NULL ORDER BY issue, party, seq"
)


def test_a_schema_1_database_is_upgraded_on_first_read(run: Run, seeded_db: str) -> None:
    backing = read(seeded_db, CURRENT_BACKING)
    assert any(count > 1 for *_, count in backing)
    downgrade_to_schema_1(seeded_db)

    result = run("--db", seeded_db, "state", "--as-of", "2026-02-06")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (GOLDEN / "state.txt").read_text(encoding="utf-8")
    assert read(seeded_db, CURRENT_BACKING) == backing
    assert read(seeded_db, "SELECT value FROM tracker_meta WHERE key = 'schema_version'") == [(SCHEMA_VERSION,)]
    indexes = index_names(seeded_db)
    assert {"ix_timeline_changes", "ix_evidence_issue_level", "ix_evidence_issue_named", *SCHEMA_3_INDEXES} <= indexes
    assert not any(name.endswith("_superseded_at") for name in indexes) and "ix_timeline_position" not in indexes
    assert "ix_timeline_position_held" not in indexes and "ix_evidence_article" not in indexes


def test_a_schema_2_database_gets_the_covering_indexes_and_answers_as_before(run: Run, seeded_db: str) -> None:
    downgrade_to_schema_2(seeded_db)
    indexes = index_names(seeded_db)
    assert not SCHEMA_3_INDEXES & indexes

    for command, golden in (
        (("state", "--as-of", "2026-02-06"), "state.txt"),
        (("diff", "2026-01-24", "2026-02-06"), "diff.txt"),
        (("history",), "history.txt"),
    ):
        result = run("--db", seeded_db, *command)
        assert result.exit_code == 0, result.stderr
        assert result.stdout == (GOLDEN / golden).read_text(encoding="utf-8")
    assert read(seeded_db, "SELECT value FROM tracker_meta WHERE key = 'schema_version'") == [(SCHEMA_VERSION,)]
    indexes = index_names(seeded_db)
    assert SCHEMA_3_INDEXES <= indexes
    assert "ix_timeline_position_held" not in indexes and "ix_evidence_article" not in indexes


def test_an_upgraded_database_takes_new_ingests(run: Run, seeded_db: str) -> None:
    downgrade_to_schema_1(seeded_db)
    assert run("--db", seeded_db, "ingest").exit_code == 0
    assert run("--db", seeded_db, "diff", "2026-01-24", "2026-02-06").stdout == (GOLDEN / "diff.txt").read_text(
        encoding="utf-8"
    )


def test_an_unknown_schema_version_is_refused(run: Run, seeded_db: str) -> None:
    engine = create_engine(database_url(seeded_db)[0])
    with engine.begin() as conn:
        conn.execute(text("UPDATE tracker_meta SET value = '99' WHERE key = 'schema_version'"))
    engine.dispose()
    result = run("--db", seeded_db, "state")
    assert result.exit_code == 2 and "schema version 99" in result.stderr


def test_a_schema_3_database_gets_issue_level_evidence_indexed_by_issue(run: Run, seeded_db: str) -> None:
    downgrade_to_schema_3(seeded_db)
    assert "ix_evidence_issue_named" not in index_names(seeded_db)
    result = run("--db", seeded_db, "state", "--as-of", "2026-02-06")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (GOLDEN / "state.txt").read_text(encoding="utf-8")
    assert read(seeded_db, "SELECT value FROM tracker_meta WHERE key = 'schema_version'") == [(SCHEMA_VERSION,)]
    assert "ix_evidence_issue_named" in index_names(seeded_db)


def test_a_schema_4_database_is_replayed_under_the_new_rules_and_its_old_answers_kept(
    run: Run, tmp_path: Path, db: str
) -> None:
    """Schema 4 knew one way out of `agreed` (renege): its evidence names it, and every position is replayed; the
    timeline it had is superseded, so `--known-at` before the upgrade answers as the tracker did then."""
    seeds, fixtures = write_trade_talks(tmp_path)
    (fixtures / "brief.yaml").write_text(
        "article: brief\nevidence:\n"
        "  - id: b1\n    issue: steel\n    party: Brussels\n    stance: agreed\n"
        "    quote: it insists on removing steel tariffs\n    attribution: direct\n    said_on: 2030-04-30\n"
        "  - id: b2\n    issue: steel\n    party: Brussels\n    stance: demands\n    move: renege\n"
        "    quote: Beijing rejected the idea outright\n    attribution: direct\n",
        encoding="utf-8",
    )
    assert run("--db", db, "ingest", "--seeds", str(seeds), "--fixtures", str(fixtures)).exit_code == 0
    history = run("--db", db, "history", "--format", "json").stdout
    downgrade_to_schema_4(db)
    before_upgrade = read(db, "SELECT MAX(recorded_at) FROM ingest")[0][0]

    assert run("--db", db, "history", "--format", "json").stdout == history
    assert read(db, "SELECT id, move FROM evidence ORDER BY id") == [("b1", None), ("b2", "renege")]
    assert read(db, "SELECT value FROM tracker_meta WHERE key = 'schema_version'") == [(SCHEMA_VERSION,)]
    upgrades = read(db, "SELECT seeds FROM ingest WHERE seeds LIKE '(schema%' ORDER BY recorded_at")
    assert upgrades == [("(schema 5 upgrade)",), ("(schema 8 upgrade)",)], "each replaying step recorded once"
    old = run("--db", db, "history", "--known-at", str(before_upgrade).replace(" ", "T") + "Z", "--format", "csv")
    assert old.exit_code == 0 and "renege" in old.stdout, "the timeline before the upgrade is still read"


def test_a_schema_5_database_gets_every_party_as_a_negotiator(run: Run, tmp_path: Path, db: str) -> None:
    """Schema 5 knew no roles: every party it stored weighed in a status, so each is a negotiator after the
    upgrade, and the answers are the same."""
    seeds, fixtures = write_trade_talks(tmp_path)
    assert run("--db", db, "ingest", "--seeds", str(seeds), "--fixtures", str(fixtures)).exit_code == 0
    state = run("--db", db, "state", "--format", "json").stdout
    downgrade_to_schema_5(db)
    assert "role" not in columns_of(db, "party")

    result = run("--db", db, "state", "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == state
    assert read(db, "SELECT value FROM tracker_meta WHERE key = 'schema_version'") == [(SCHEMA_VERSION,)]
    assert read(db, "SELECT id, role FROM party ORDER BY id") == [("china", "negotiator"), ("eu", "negotiator")]
    assert run("--db", db, "ingest", "--seeds", str(seeds), "--fixtures", str(fixtures)).exit_code == 0
    assert run("--db", db, "state", "--format", "json").stdout == state


def test_a_schema_6_database_keeps_its_sticking_points_and_indexes_their_kind(run: Run, seeded_db: str) -> None:
    """Schema 6 knew one kind of issue-level evidence, the sticking point: stored as no kind, it reads the same."""
    before = {
        command: run("--db", seeded_db, *command).stdout
        for command in (("state", "--as-of", "2026-02-06", "--format", "json"), ("history", "--format", "json"))
    }
    downgrade_to_schema_6(seeded_db)
    for command, output in before.items():
        result = run("--db", seeded_db, *command)
        assert result.exit_code == 0, result.stderr
        assert result.stdout == output
    assert read(seeded_db, "SELECT value FROM tracker_meta WHERE key = 'schema_version'") == [(SCHEMA_VERSION,)]
    assert read(seeded_db, "SELECT COUNT(*) FROM evidence WHERE kind IS NOT NULL") == [(0,)]
    [named] = [index for index in indexes_of(seeded_db, "evidence") if index["name"] == "ix_evidence_issue_named"]
    assert "kind" in named["column_names"]


def test_a_schema_7_database_is_replayed_under_the_recap_rules_and_keeps_exact_dates(run: Run, seeded_db: str) -> None:
    """Schema 8 weighs recaps anew: every position is replayed once, recorded as an ingest, and every stance's
    since says whether it is exact; the answers of the bundled corpus are the same (Ukraine's Donetsk stances,
    entered by recaps, are held by their dates: four rows of its timeline)."""
    before = run("--db", seeded_db, "state", "--as-of", "2026-02-06", "--format", "json", "--evidence", "all").stdout
    downgrade_to_schema_7(seeded_db)
    upgraded = run("--db", seeded_db, "state", "--as-of", "2026-02-06", "--format", "json", "--evidence", "all")
    assert upgraded.exit_code == 0 and "Upgrading" in upgraded.stderr
    assert upgraded.stdout == before
    assert read(seeded_db, "SELECT value FROM tracker_meta WHERE key = 'schema_version'") == [(SCHEMA_VERSION,)]
    assert read(seeded_db, "SELECT COUNT(*) FROM ingest WHERE seeds = '(schema 8 upgrade)'") == [(1,)]
    assert read(seeded_db, "SELECT COUNT(*) FROM timeline WHERE superseded_at IS NULL AND NOT since_exact") == [(4,)]
    assert run("--db", seeded_db, "check").exit_code == 0


def test_a_schema_8_database_keeps_its_plain_days(run: Run, seeded_db: str) -> None:
    """Schema 8 knew plain days only: after the upgrade none is kept as written, and the answers are the same."""
    before = {
        command: run("--db", seeded_db, *command).stdout
        for command in (("state", "--as-of", "2026-02-06", "--format", "json"), ("history", "--format", "json"))
    }
    downgrade_to_schema_8(seeded_db)
    for command, output in before.items():
        result = run("--db", seeded_db, *command)
        assert result.exit_code == 0, result.stderr
        assert result.stdout == output
    assert read(seeded_db, "SELECT value FROM tracker_meta WHERE key = 'schema_version'") == [(SCHEMA_VERSION,)]
    assert read(seeded_db, "SELECT COUNT(*) FROM evidence WHERE said_on_written IS NOT NULL") == [(0,)]


def test_a_schema_9_database_gets_the_projection_of_its_current_positions(run: Run, seeded_db: str) -> None:
    """Schema 10 keeps the current positions in a projection: the upgrade builds it from the timeline, once, and
    every answer is as before, from the projection (the newest day) and from the timeline (a past one)."""
    commands = (
        ("state", "--format", "json"),
        ("state", "--as-of", "2026-02-05", "--format", "json"),
        ("state", "--as-of", "2026-01-24", "--format", "json"),
        ("history", "--format", "json"),
    )
    before = {command: run("--db", seeded_db, *command).stdout for command in commands}
    projected = read(seeded_db, "SELECT * FROM position_now ORDER BY issue, party")
    issues = read(seeded_db, "SELECT * FROM issue_now ORDER BY issue")
    assert len(projected) == 9 and len(issues) == 4
    downgrade_to_schema_9(seeded_db)
    assert "position_now" not in table_names(seeded_db)

    upgraded = run("--db", seeded_db, "state", "--format", "json")
    assert upgraded.exit_code == 0 and "Upgrading" in upgraded.stderr
    for command, output in before.items():
        assert run("--db", seeded_db, *command).stdout == output
    assert read(seeded_db, "SELECT value FROM tracker_meta WHERE key = 'schema_version'") == [(SCHEMA_VERSION,)]
    assert read(seeded_db, "SELECT * FROM position_now ORDER BY issue, party") == projected
    assert read(seeded_db, "SELECT * FROM issue_now ORDER BY issue") == issues
    assert read(seeded_db, "SELECT COUNT(*) FROM ingest WHERE seeds LIKE '(schema%'") == [(0,)], "nothing replayed"
    assert run("--db", seeded_db, "check").exit_code == 0
    assert run("--db", seeded_db, "ingest").exit_code == 0
    assert read(seeded_db, "SELECT * FROM position_now ORDER BY issue, party") == projected


def test_a_schema_10_database_gets_issue_level_evidence_indexed_by_kind(run: Run, seeded_db: str) -> None:
    """Schema 11 indexes issue-level evidence by issue, mode and kind, and keeps the digest of each projected
    evidence text: the upgrade builds the index and the projection again, and every answer is as before."""
    commands = (("state", "--as-of", "2026-02-05", "--format", "json"), ("diff", "2026-01-20", "2026-02-06"))
    before = {command: run("--db", seeded_db, *command).stdout for command in commands}
    downgrade_to_schema_10(seeded_db)
    assert "ix_evidence_issue_kind" not in {index["name"] for index in indexes_of(seeded_db, "evidence")}
    upgraded = run("--db", seeded_db, "state", "--format", "json")
    assert upgraded.exit_code == 0 and "Upgrading" in upgraded.stderr
    for command, output in before.items():
        assert run("--db", seeded_db, *command).stdout == output
    [by_kind] = [index for index in indexes_of(seeded_db, "evidence") if index["name"] == "ix_evidence_issue_kind"]
    assert by_kind["column_names"] == ["issue", "mode", "kind", "said_on", "recorded_at", "superseded_at"]
    assert read(seeded_db, "SELECT COUNT(*) FROM position_now WHERE length(evidence_digest) = 32") == [(9,)]
    assert read(seeded_db, "SELECT value FROM tracker_meta WHERE key = 'schema_version'") == [(SCHEMA_VERSION,)]
    assert run("--db", seeded_db, "check").exit_code == 0


def table_names(db: str) -> set[str]:
    engine = create_engine(database_url(db)[0])
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
