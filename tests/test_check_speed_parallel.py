"""`tracker check` on a large SQLite file: the second part of the positions checked by a helper process.

The helper is used from `PARALLEL_FROM` live timeline entries on; here it is
forced on the bundled corpus, and every report must be the one a single pass
gives: the same findings, in the same order, with the same messages and exit
code. Where the helper reads another state than the check's snapshot (a write
came in between) or fails, the check does its part itself.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Run
from tests.test_check import sql
from tracker.read import check
from tracker.read.connection import snapshot
from tracker.store.address import database_url

pytestmark = pytest.mark.sqlite_only


class Seen:
    """What the helper gave the check: a part (used) or None (the check did that part itself)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.parts: list[check._Part | None] = []
        result = check._Helper.result

        def recorded(helper: check._Helper, state: dict[str, Any]) -> check._Part | None:
            part = result(helper, state)
            self.parts.append(part)
            return part

        monkeypatch.setattr(check._Helper, "result", recorded)


def both(run: Run, db: str, monkeypatch: pytest.MonkeyPatch, *args: str) -> tuple[Any, Any, Seen]:
    """`tracker check ARGS` in one pass, then with the helper: each (exit code, stdout, stderr)."""
    monkeypatch.setattr(check, "PARALLEL_FROM", 10**12)
    one = run("--db", db, "check", *args)
    monkeypatch.setattr(check, "PARALLEL_FROM", 0)
    seen = Seen(monkeypatch)
    two = run("--db", db, "check", *args)
    return (one.exit_code, one.stdout, one.stderr), (two.exit_code, two.stdout, two.stderr), seen


def test_the_split_leaves_positions_on_both_sides(seeded_db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(check, "PARALLEL_FROM", 0)
    with snapshot(database_url(seeded_db)[0], seeded_db, read_only=True) as read:
        assert check._split(read) == "nato_membership"  # donetsk_withdrawal here, the other three in the helper
    monkeypatch.setattr(check, "PARALLEL_FROM", 10**12)
    with snapshot(database_url(seeded_db)[0], seeded_db, read_only=True) as read:
        assert check._split(read) is None


def test_a_sound_store_reads_the_same_with_the_helper(
    run: Run, seeded_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for fmt in ("table", "json"):
        one, two, seen = both(run, seeded_db, monkeypatch, "--format", fmt)
        assert one == two
        assert one[0] == 0
        assert seen.parts and all(part is not None for part in seen.parts)
    assert json.loads(two[1])["counted"]["positions"] == 9


def test_findings_on_both_sides_of_the_split_are_told_in_the_same_order(
    run: Run, seeded_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Timelines edited on either side, evidence whose article or party is not live, an evidence id held twice
    across the split: the same report, finding by finding."""
    sql(
        seeded_db,
        "UPDATE timeline SET stance_to = 'opposes' WHERE issue = 'donetsk_withdrawal' AND party = 'russia' AND seq = 5",
    )
    sql(
        seeded_db,
        "UPDATE timeline SET stance_to = 'opposes' WHERE issue = 'security_guarantees' AND party = 'ukraine' "
        "AND seq = 1",
    )
    sql(seeded_db, "UPDATE article SET superseded_at = recorded_at WHERE id = 'kremlin-constructive-spirit'")
    sql(seeded_db, "UPDATE party SET superseded_at = recorded_at WHERE id = 'europe'")
    sql(
        seeded_db,
        "UPDATE evidence SET id = (SELECT MIN(id) FROM evidence WHERE issue = 'donetsk_withdrawal') "
        "WHERE id = (SELECT MIN(id) FROM evidence WHERE issue = 'security_guarantees' AND party = 'ukraine')",
    )
    for fmt in ("table", "json"):
        one, two, seen = both(run, seeded_db, monkeypatch, "--format", fmt)
        assert one == two
        assert one[0] == 1
        assert seen.parts and all(part is not None for part in seen.parts)
    found = json.loads(two[1])["findings"]
    timelines = [f["id"] for f in found if f["check"] == "timeline"]
    assert timelines[0] == "donetsk_withdrawal/russia" and "security_guarantees/ukraine" in timelines
    assert any(f["check"] == "catalog" and f["table"] == "evidence" for f in found)  # europe's, in the helper
    assert any(f["check"] == "one_live_row" and f["table"] == "evidence" for f in found)


def test_a_damaged_file_is_found_by_sqlites_integrity_check_beside_the_helper(
    run: Run, seeded_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with sqlite3.connect(seeded_db) as conn:  # an index that no longer holds its table's rows
        conn.execute("PRAGMA writable_schema = ON")
        root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'ix_evidence_id'").fetchone()[0]
        conn.execute("UPDATE sqlite_master SET rootpage = ? WHERE name = 'ix_party_id'", (root,))
    conn.close()
    one, two, seen = both(run, seeded_db, monkeypatch, "--format", "json")
    assert one == two
    assert one[0] == 1
    assert seen.parts and all(part is not None for part in seen.parts)
    found = json.loads(two[1])["findings"]
    assert [f for f in found if f["check"] == "integrity_check"]
    assert all(f["table"] == "sqlite" and f["id"] == "" for f in found if f["check"] == "integrity_check")


def test_the_check_does_the_helpers_part_itself_if_it_read_another_state(
    run: Run, seeded_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An ingest committed after the check's snapshot was taken, before the helper took its own: the helper's
    read is not taken, and the report is the snapshot's (here sound, where the later state is not)."""
    monkeypatch.setattr(check, "PARALLEL_FROM", 0)
    seen = Seen(monkeypatch)
    file = Path(seeded_db)
    with snapshot(database_url(seeded_db)[0], seeded_db, read_only=True) as read:
        with sqlite3.connect(seeded_db) as conn:  # an ingest that broke a position of the helper's part
            conn.execute(
                "UPDATE timeline SET stance_to = 'opposes' WHERE issue = 'security_guarantees' "
                "AND party = 'ukraine' AND seq = 1"
            )
            columns = [row[1] for row in conn.execute("PRAGMA table_info(ingest)") if row[1] != "id"]
            conn.execute(
                f"INSERT INTO ingest ({', '.join(columns)}) SELECT {', '.join(columns)} FROM ingest "
                "ORDER BY id DESC LIMIT 1"
            )
        conn.close()
        report = check.check_store(read, file)
    assert seen.parts == [None]
    assert report.sound, report.findings
    assert report.counted["positions"] == 9
    monkeypatch.setattr(check, "PARALLEL_FROM", 10**12)
    assert run("--db", seeded_db, "check").exit_code == 1  # the later state is not sound


def test_the_check_does_the_helpers_part_itself_if_the_helper_fails(
    run: Run, seeded_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    sql(
        seeded_db,
        "UPDATE timeline SET stance_to = 'opposes' WHERE issue = 'security_guarantees' AND party = 'ukraine' "
        "AND seq = 1",
    )
    monkeypatch.setattr(check, "HELPER", "import sys; sys.stdout.write('not a pickle'); sys.exit(3)")
    one, two, seen = both(run, seeded_db, monkeypatch, "--format", "json")
    assert one == two
    assert seen.parts == [None]
    assert {"check": "timeline", "table": "timeline", "id": "security_guarantees/ukraine"}.items() <= next(
        iter(json.loads(two[1])["findings"])
    ).items()


def test_a_hand_edit_committed_while_the_check_runs_is_not_taken_from_the_helper(
    seeded_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A write that adds no row (a hand edit) leaves `STATE` as it was; `PRAGMA data_version` still tells that
    something was committed while the helper read, and the check does its part itself, on its snapshot."""
    monkeypatch.setattr(check, "PARALLEL_FROM", 0)
    result = check._Helper.result
    given: list[check._Part | None] = []

    def edited_first(helper: check._Helper, state: dict[str, Any]) -> check._Part | None:
        with sqlite3.connect(seeded_db) as conn:
            conn.execute(
                "UPDATE timeline SET stance_to = 'opposes' WHERE issue = 'security_guarantees' "
                "AND party = 'ukraine' AND seq = 1"
            )
        conn.close()
        given.append(result(helper, state))
        return given[-1]

    monkeypatch.setattr(check._Helper, "result", edited_first)
    with snapshot(database_url(seeded_db)[0], seeded_db, read_only=True) as read:
        report = check.check_store(read, Path(seeded_db))
    assert given == [None]
    assert report.sound, report.findings


def test_the_snapshots_connection_is_set_back_as_it_was(seeded_db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The check reads the whole file through a memory map; a reader that keeps its connection finds the
    setting it had."""
    monkeypatch.setattr(check, "PARALLEL_FROM", 0)
    with snapshot(database_url(seeded_db)[0], seeded_db, read_only=True) as read:
        connection = getattr(read, "connection")  # noqa: B009 - a SQLite snapshot's own connection
        before = connection.execute("PRAGMA mmap_size").fetchone()
        assert check.check_store(read, Path(seeded_db)).sound
        assert connection.execute("PRAGMA mmap_size").fetchone() == before
