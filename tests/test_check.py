"""`tracker check`: every invariant of the store, read-only; each broken one found and located.

Each test makes a sound store unsound with one direct SQL edit, the kind a bug
or a hand edit makes, and expects exit 1 with the finding naming its table and id.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import Run
from tracker.api import Tracker
from tracker.store.address import database_url
from tracker.store.projection import digest


def sql(db: str, statement: str, **params: Any) -> None:
    engine = create_engine(database_url(db)[0])
    try:
        with engine.begin() as conn:
            conn.execute(text(statement), params)
    finally:
        engine.dispose()


def findings(run: Run, db: str) -> list[dict[str, str]]:
    result = run("--db", db, "check", "--format", "json")
    assert result.exit_code == 1, result.stderr
    report = json.loads(result.stdout)
    assert report["sound"] is False
    assert result.stderr.startswith("not sound: ")
    return [{k: f[k] for k in ("check", "table", "id")} for f in report["findings"]]


def test_the_bundled_corpus_is_sound(run: Run, seeded_db: str) -> None:
    result = run("--db", seeded_db, "check")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert result.stderr.startswith("sound: 5 articles, 32 evidence, 9 positions checked")
    report = json.loads(run("--db", seeded_db, "check", "--format", "json").stdout)
    assert report["sound"] is True and report["findings"] == []
    assert report["counted"]["evidence"] == 32 and report["counted"]["issues"] == 5
    with Tracker(seeded_db) as tracker:
        assert tracker.check().sound


@pytest.mark.sqlite_only
def test_check_never_writes_the_database_file(run: Run, seeded_db: str) -> None:
    """Not even the checkpoint a last reader makes on closing: an edit left in the write-ahead log by a process
    that died stays there, and the database file is byte for byte as it was."""
    edit = (
        "import os, sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute('PRAGMA wal_autocheckpoint=0'); "
        "c.execute(\"UPDATE evidence SET stance = 'opposes' WHERE id = 'nlpt-01'\"); c.commit(); os._exit(0)"
    )
    subprocess.run([sys.executable, "-c", edit, seeded_db], check=True)
    assert Path(f"{seeded_db}-wal").stat().st_size > 0
    before = hashlib.sha256(Path(seeded_db).read_bytes()).hexdigest()
    assert {"check": "timeline", "table": "timeline", "id": "donetsk_withdrawal/russia"} in findings(run, seeded_db)
    assert run("--db", seeded_db, "check").exit_code == 1
    assert hashlib.sha256(Path(seeded_db).read_bytes()).hexdigest() == before


def test_a_second_live_row_of_an_article_is_found(run: Run, seeded_db: str) -> None:
    sql(
        seeded_db,
        "INSERT INTO article (recorded_at, superseded_at, id, title, outlet, url, published_on, date_basis, "
        "date_evidence, file, source_path, sha256, text) SELECT recorded_at, superseded_at, id, title, outlet, url, "
        "published_on, date_basis, date_evidence, file, source_path, sha256, text FROM article "
        "WHERE id = 'kremlin-constructive-spirit'",
    )
    found = findings(run, seeded_db)
    assert {"check": "one_live_row", "table": "article", "id": "kremlin-constructive-spirit"} in found


def test_a_second_live_row_of_evidence_an_issue_and_a_party_is_found(run: Run, seeded_db: str) -> None:
    sql(seeded_db, "UPDATE evidence SET id = 'kcs-01' WHERE id = 'kcs-02'")
    sql(
        seeded_db,
        "INSERT INTO issue (recorded_at, id, ordinal, title, proposition, aliases, parent) "
        "SELECT recorded_at, id, ordinal, title, proposition, aliases, parent FROM issue WHERE id = 'znpp'",
    )
    sql(
        seeded_db,
        "INSERT INTO party (recorded_at, id, ordinal, name, aliases) "
        "SELECT recorded_at, id, ordinal, name, aliases FROM party WHERE id = 'europe'",
    )
    found = findings(run, seeded_db)
    assert {"check": "one_live_row", "table": "evidence", "id": "kcs-01"} in found
    assert {"check": "one_live_row", "table": "issue", "id": "znpp"} in found
    assert {"check": "one_live_row", "table": "party", "id": "europe"} in found


def test_evidence_whose_article_is_not_live_is_found(run: Run, seeded_db: str) -> None:
    sql(seeded_db, "UPDATE article SET superseded_at = recorded_at WHERE id = 'kremlin-constructive-spirit'")
    found = findings(run, seeded_db)
    assert {"check": "article_live", "table": "evidence", "id": "kcs-01"} in found


def test_a_timeline_that_is_not_a_replay_of_its_evidence_is_found(run: Run, seeded_db: str) -> None:
    sql(
        seeded_db,
        "UPDATE timeline SET stance_to = 'opposes' WHERE issue = 'donetsk_withdrawal' AND party = 'russia' AND seq = 5",
    )
    found = findings(run, seeded_db)
    assert found == [{"check": "timeline", "table": "timeline", "id": "donetsk_withdrawal/russia"}]
    result = run("--db", seeded_db, "check")
    assert "stance_to is 'opposes' stored" in result.stdout


def test_evidence_edited_under_its_timeline_is_found(run: Run, seeded_db: str) -> None:
    sql(seeded_db, "UPDATE evidence SET said_on = '2026-01-01' WHERE id = 'nlpt-01'")
    found = findings(run, seeded_db)
    assert {"check": "timeline", "table": "timeline", "id": "donetsk_withdrawal/russia"} in found


def test_an_article_text_that_is_not_its_digest_is_found(run: Run, seeded_db: str) -> None:
    sql(seeded_db, "UPDATE article SET text = text || ' ' WHERE id = 'abu-dhabi-round-two-day-one'")
    found = findings(run, seeded_db)
    assert found == [{"check": "article_digest", "table": "article", "id": "abu-dhabi-round-two-day-one"}]


def test_a_catalogue_missing_what_evidence_names_or_a_parent_is_found(run: Run, seeded_db: str) -> None:
    sql(seeded_db, "UPDATE issue SET superseded_at = recorded_at WHERE id = 'znpp'")
    sql(seeded_db, "UPDATE party SET superseded_at = recorded_at WHERE id = 'europe'")
    sql(seeded_db, "UPDATE issue SET parent = 'no_such_issue' WHERE id = 'peacekeepers'")
    found = findings(run, seeded_db)
    assert {"check": "catalog", "table": "evidence", "id": "adr1-02"} in found  # issue-level, on znpp
    assert {"check": "catalog", "table": "evidence", "id": "kcat-03"} in found  # europe's
    assert {"check": "catalog", "table": "issue", "id": "peacekeepers"} in found


@pytest.mark.sqlite_only
def test_a_damaged_file_is_found_by_sqlites_integrity_check(run: Run, seeded_db: str) -> None:
    sql(seeded_db, "PRAGMA writable_schema = ON")
    engine = create_engine(database_url(seeded_db)[0])
    with engine.begin() as conn:  # an index that no longer holds its table's rows
        conn.exec_driver_sql("PRAGMA writable_schema = ON")
        root = conn.exec_driver_sql("SELECT rootpage FROM sqlite_master WHERE name = 'ix_evidence_id'").scalar_one()
        conn.exec_driver_sql(f"UPDATE sqlite_master SET rootpage = {root} WHERE name = 'ix_party_id'")
    engine.dispose()
    found = findings(run, seeded_db)
    assert any(f["check"] == "integrity_check" and f["table"] == "sqlite" for f in found)


def test_a_projection_that_is_not_the_timelines_is_found(run: Run, seeded_db: str) -> None:
    """The projection of the current positions answers `state` as of the newest day: a row edited, lost or left
    over is found, naming the position or the issue."""
    sql(
        seeded_db,
        "UPDATE position_now SET stance_to = 'opposes' WHERE issue = 'donetsk_withdrawal' AND party = 'russia'",
    )
    sql(
        seeded_db,
        "UPDATE position_now SET evidence = replace(evidence, 'Russia rejected', 'Russia accepted') "
        "WHERE issue = 'peacekeepers' AND party = 'russia'",
    )
    sql(seeded_db, "DELETE FROM issue_now WHERE issue = 'znpp'")
    sql(
        seeded_db,
        "INSERT INTO position_now (issue, party, seq, entered_seq, stance_to, since_exact, backing, evidence, "
        "evidence_digest) VALUES ('znpp', 'europe', 0, 0, 'supports', :exact, 1, '[]', :digest)",
        exact=True,
        digest=digest("[]"),
    )
    # A digest that is not its text's: a process that built the evidence of that digest would show it.
    sql(seeded_db, "UPDATE issue_now SET evidence_digest = :digest WHERE issue = 'peacekeepers'", digest=digest("[]"))
    found = findings(run, seeded_db)
    assert found == [
        {"check": "projection", "table": "position_now", "id": "donetsk_withdrawal/russia"},
        {"check": "projection", "table": "position_now", "id": "peacekeepers/russia"},
        {"check": "projection", "table": "position_now", "id": "znpp/europe"},
        {"check": "projection", "table": "issue_now", "id": "peacekeepers"},
        {"check": "projection", "table": "issue_now", "id": "znpp"},
    ]
    shown = run("--db", seeded_db, "check").stdout
    assert f"evidence_digest is '{digest('[]')}' stored" in shown
    assert "stance_to is 'opposes' stored, 'demands' from the timeline" in shown
    assert "a row, where the timeline has nothing to project" in shown and "no row, where the timeline" in shown
    assert "evidence, piece 0 (kcs-02): quote is 'Russia accepted" in shown


def test_the_projection_answers_as_the_timeline_after_edits(
    run: Run, seeded_db: str, corpus: tuple[Path, Path]
) -> None:
    """Edited evidence, a renamed article, issue-level evidence removed: each ingest keeps the projection, and
    check holds it to the timeline."""
    seeds, fixtures = corpus
    (seeds / "articles.yaml").write_text(
        (seeds / "articles.yaml").read_text(encoding="utf-8").replace("Kremlin says first", "Kremlin says at last"),
        encoding="utf-8",
    )
    fixture = fixtures / "abu-dhabi-round-two-day-one.yaml"
    text_of = fixture.read_text(encoding="utf-8")
    item = text_of[text_of.index("  - id: adr1-02\n") : text_of.index("  - id: adr1-03\n")]
    fixture.write_text(text_of.replace(item, ""), encoding="utf-8")
    result = run("--db", seeded_db, "ingest", "--seeds", str(seeds), "--fixtures", str(fixtures))
    assert result.exit_code == 0, result.stderr
    assert run("--db", seeded_db, "check").exit_code == 0
    state = json.loads(run("--db", seeded_db, "state", "--format", "json").stdout)
    titles = {ref["article_title"] for position in state["positions"] for ref in position["evidence"]}
    assert any(title.startswith("Kremlin says at last") for title in titles)
    assert not any(ref["id"] == "adr1-02" for issue in state["issues"] for ref in issue["evidence"])
