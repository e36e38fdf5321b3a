"""Regressions found in review: each test failed before its fix."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import NewDb, Run, db_digest
from tests.test_bad_input import edit
from tests.test_corpus import write_trade_talks
from tracker.store.address import database_url
from tracker.store.database import IngestRow, Store


def write_big_catalogue(root: Path, issues: int = 50, parties: int = 20) -> tuple[Path, Path]:
    """A corpus of issues x parties positions, one piece of evidence each."""
    seeds, fixtures = root / "seeds", root / "fixtures"
    seeds.mkdir()
    fixtures.mkdir()
    lines = ["issues:"]
    lines += [f"  - id: i{n}\n    title: Issue {n}\n    proposition: Proposition {n}" for n in range(issues)]
    lines += ["parties:"] + [f"  - id: p{n}\n    name: Party {n}" for n in range(parties)]
    (fixtures / "catalog.yaml").write_text("\n".join(lines) + "\n")
    sentences = [f"Party {p} said it wants proposition {i} now." for i in range(issues) for p in range(parties)]
    (seeds / "big.txt").write_text("\n".join(sentences) + "\n")
    (seeds / "articles.yaml").write_text(
        "articles:\n  - id: big\n    file: big.txt\n    title: Big\n    published_on: 2030-05-01\n"
        "    date_basis: stated\n"
    )
    items = [
        f"  - id: e{i}-{p}\n    issue: i{i}\n    party: p{p}\n    stance: supports\n"
        f"    quote: Party {p} said it wants proposition {i} now.\n    attribution: direct"
        for i in range(issues)
        for p in range(parties)
    ]
    (fixtures / "big.yaml").write_text("article: big\nevidence:\n" + "\n".join(items) + "\n")
    return seeds, fixtures


def test_state_and_diff_of_a_thousand_positions(tmp_path: Path, run: Run, new_db: NewDb) -> None:
    seeds, fixtures = write_big_catalogue(tmp_path)
    db = new_db("big")
    assert run("--db", db, "ingest", "--seeds", str(seeds), "--fixtures", str(fixtures)).exit_code == 0
    state = run("--db", db, "state", "--as-of", "2030-05-02", "--format", "json")
    assert state.exit_code == 0, state.stderr
    positions = json.loads(state.stdout)["positions"]
    assert len(positions) == 1000 and all(len(p["evidence"]) == 1 for p in positions)
    diff = run("--db", db, "diff", "2030-04-01", "2030-05-02", "--format", "json")
    assert diff.exit_code == 0, diff.stderr
    assert len(json.loads(diff.stdout)["changes"]) == 1000


def test_a_corrected_article_date_replays_its_positions(tmp_path: Path, run: Run, new_db: NewDb) -> None:
    """Same-day evidence is ordered by article date: the stored timeline must equal a fresh ingest's."""
    seeds, fixtures = write_trade_talks(tmp_path)
    (seeds / "later.txt").write_text("Brussels now says it could live with steel tariffs.\n")
    edit(
        seeds / "articles.yaml",
        "articles:\n",
        "articles:\n  - id: later\n    file: later.txt\n    title: Later\n"
        "    published_on: 2030-05-03\n    date_basis: stated\n",
    )
    (fixtures / "later.yaml").write_text(
        "article: later\nevidence:\n  - id: l1\n    issue: steel\n    party: eu\n    stance: supports\n"
        "    quote: it could live with steel tariffs\n    attribution: direct\n    said_on: 2030-05-01\n"
    )
    edit(fixtures / "brief.yaml", "stance: demands\n", "stance: demands\n    said_on: 2030-05-01\n")
    db = new_db("a")
    args = ("--seeds", str(seeds), "--fixtures", str(fixtures))
    assert run("--db", db, "ingest", *args).exit_code == 0
    edit(seeds / "articles.yaml", "published_on: 2030-05-01", "published_on: 2030-05-05")  # evidence unchanged
    assert run("--db", db, "ingest", *args).exit_code == 0
    fresh = new_db("fresh")
    assert run("--db", fresh, "ingest", *args).exit_code == 0
    query = ("history", "--issue", "steel", "--party", "eu", "--format", "json")
    incremental = json.loads(run("--db", db, *query).stdout)["moves"]
    assert incremental == json.loads(run("--db", fresh, *query).stdout)["moves"]
    assert [m["evidence"]["id"] for m in incremental] == ["l1", "b1"]


def test_reads_and_validate_never_write(run: Run, new_db: NewDb) -> None:
    foreign = new_db("invoices")
    engine = create_engine(database_url(foreign)[0])
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE invoices (id INTEGER)"))
    engine.dispose()
    store = Store(database_url(foreign)[0])

    def content() -> tuple[str, bytes | None]:
        return db_digest(foreign), store.sqlite_file.read_bytes() if store.sqlite_file else None

    before = content()
    for args in (("validate",), ("state",)):
        result = run("--db", foreign, *args)
        assert result.exit_code == 2 and f"{store.safe_url} is not a tracker database" in result.stderr
    assert content() == before
    store.dispose()


def test_a_reader_is_not_held_up_by_a_writer(seeded_db: str, run: Run) -> None:
    """A reader goes on while an ingest holds the write lock (SQLite's, in WAL mode; PostgreSQL's advisory lock)."""
    store = Store(database_url(seeded_db)[0])
    with store.writing():
        result = run("--db", seeded_db, "state", "--as-of", "2026-02-06", "--format", "csv")
        assert result.exit_code == 0 and "counter_proposal" in result.stdout
    store.dispose()


@pytest.mark.sqlite_only
def test_a_failed_first_ingest_leaves_no_database(tmp_path: Path, run: Run) -> None:
    seeds, fixtures = write_trade_talks(tmp_path)
    edit(fixtures / "brief.yaml", "stance: opposes", "stance: agreed")  # china, the day after opposing: illegal
    edit(
        fixtures / "brief.yaml",
        "party: Brussels\n    stance: demands",
        "party: china\n    stance: opposes\n    said_on: 2030-04-30",
    )
    db = tmp_path / "new" / "t.db"
    result = run("--db", str(db), "ingest", "--seeds", str(seeds), "--fixtures", str(fixtures))
    assert result.exit_code == 1 and "illegal move" in result.stderr
    assert not db.exists() and not Path(f"{db}-wal").exists()


def test_negated_issue_level_evidence_puts_nothing_on_the_agenda(tmp_path: Path, run: Run, new_db: NewDb) -> None:
    seeds, fixtures = write_trade_talks(tmp_path)
    (fixtures / "brief.yaml").write_text(
        "article: brief\nevidence:\n  - id: n1\n    issue: steel\n    quote: removing steel tariffs\n"
        "    attribution: analysis\n    mode: negated\n"
    )
    db = new_db("n")
    assert run("--db", db, "ingest", "--seeds", str(seeds), "--fixtures", str(fixtures)).exit_code == 0
    [issue] = json.loads(run("--db", db, "state", "--as-of", "2030-06-01", "--format", "json").stdout)["issues"]
    assert issue["status"] == "not_on_agenda"
    assert [e["id"] for e in issue["evidence"]] == ["n1"], "kept and shown"


def test_db_option_and_environment_choose_the_database(tmp_path: Path, run: Run, new_db: NewDb, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    seeds, fixtures = write_trade_talks(tmp_path)
    trade = new_db("trade")
    assert run("--db", trade, "ingest", "--seeds", str(seeds), "--fixtures", str(fixtures)).exit_code == 0
    before = run("--db", trade, "state", "--as-of", "2030-06-01", "--format", "csv")
    after = run("state", "--as-of", "2030-06-01", "--format", "csv", "--db", trade)
    monkeypatch.setenv("TRACKER_DB", database_url(trade)[0])
    from_env = run("state", "--as-of", "2030-06-01", "--format", "csv")
    assert before.stdout == after.stdout == from_env.stdout
    assert "steel_tariffs,eu,demands" in before.stdout
    assert "Creating the tracker database" not in before.stderr + after.stderr + from_env.stderr
    overridden = run("--db", str(tmp_path / "missing.db"), "state")
    assert overridden.exit_code == 2, "--db wins over TRACKER_DB"


def test_diff_window_excludes_from_and_includes_to(run: Run, seeded_db: str) -> None:
    on_from = json.loads(run("--db", seeded_db, "diff", "2026-02-05", "2026-02-06", "--format", "json").stdout)
    assert on_from["changes"] == [], "what was said on FROM is already in the FROM state"
    on_to = json.loads(run("--db", seeded_db, "diff", "2026-02-04", "2026-02-05", "--format", "json").stdout)
    assert {(c["issue"], c["party"]) for c in on_to["changes"]} == {
        ("donetsk_withdrawal", "ukraine"),
        ("security_guarantees", "ukraine"),
    }


def test_recorded_times_only_move_forward(run: Run, seeded_db: str, corpus: tuple[Path, Path]) -> None:
    store = Store(database_url(seeded_db)[0])
    future = datetime.now(UTC) + timedelta(days=365)
    with store.writing() as session:
        session.add(IngestRow(recorded_at=future, seeds="clock", fixtures="skew"))
    store.dispose()
    seeds, fixtures = corpus
    edit(fixtures / "kremlin-constructive-spirit.yaml", "stance: opposes", "stance: counter_proposal")
    result = run("--db", seeded_db, "ingest", "--seeds", str(seeds), "--fixtures", str(fixtures))
    assert result.exit_code == 0
    recorded = datetime.fromisoformat(result.stderr.split(" at ")[1].split(": ")[0])
    assert recorded > future
    assert db_digest(seeded_db)


def test_an_empty_db_option_or_in_memory_db_is_refused(run: Run, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    for args in (("--db", "", "state"), ("--db", "sqlite://", "ingest"), ("--db", "sqlite:///:memory:", "ingest")):
        result = run(*args)
        assert result.exit_code == 2 and result.stdout == "", args
    monkeypatch.setenv("TRACKER_DB", "")  # empty is unset, by the usual convention: the default database
    assert run("state", "--as-of", "2026-02-06").exit_code == 0


def test_dates_are_iso_only(run: Run, seeded_db: str) -> None:
    assert run("--db", seeded_db, "state", "--as-of", "20260206").exit_code == 2
    assert run("--db", seeded_db, "state", "--known-at", "20260206").exit_code == 2


def test_catalogue_mistakes_read_like_the_others(corpus: tuple[Path, Path], run: Run) -> None:
    seeds, fixtures = corpus
    edit(
        fixtures / "catalog.yaml",
        "    proposition: Ukraine gives up its bid to join NATO",
        "    propositon: Ukraine gives up its bid to join NATO",
    )
    result = run("validate", "--seeds", str(seeds), "--fixtures", str(fixtures))
    [line] = result.stdout.splitlines()
    assert line.endswith(": issues[1].propositon: unknown field (did you mean 'proposition'?)")


def test_a_misspelt_article_id_is_one_problem(corpus: tuple[Path, Path], run: Run) -> None:
    seeds, fixtures = corpus
    edit(seeds / "articles.yaml", "  - id: kremlin-constructive-spirit\n", "  - id: kremlin constructive spirit\n")
    result = run("validate", "--seeds", str(seeds), "--fixtures", str(fixtures))
    assert len(result.stdout.splitlines()) == 1 and "articles.yaml" in result.stdout


@pytest.mark.sqlite_only
def test_a_blank_file_gets_one_message(tmp_path: Path, run: Run) -> None:
    blank = tmp_path / "blank.db"
    blank.touch()
    result = run("--db", str(blank), "state")
    assert result.exit_code == 2
    assert result.stderr == f"error: {blank} holds no tracker data; load a corpus with `tracker ingest`\n"


def test_a_catalogue_only_change_is_reported(corpus: tuple[Path, Path], run: Run, db: str) -> None:
    seeds, fixtures = corpus
    args = ("--seeds", str(seeds), "--fixtures", str(fixtures))
    assert run("--db", db, "ingest", *args).exit_code == 0
    edit(fixtures / "catalog.yaml", "aliases: [Kyiv, Kiev]", "aliases: [Kiev]")
    assert "(the catalogue too)" in run("--db", db, "validate", *args).stderr
    assert "catalogue updated" in run("--db", db, "ingest", *args).stderr
    assert run("--db", db, "state", "--party", "Kyiv").exit_code == 2


def test_machines_title_names_the_issues_chosen(run: Run, seeded_db: str) -> None:
    two = run("--db", seeded_db, "machines", "--issue", "Donbas", "--issue", "NATO").stdout
    assert two.startswith("---\nPosition machine of donetsk_withdrawal, nato_membership\n---\n")
