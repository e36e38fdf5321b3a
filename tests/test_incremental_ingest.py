"""Any sequence of ingests ends where one ingest of the final corpus, into a fresh database, ends.

Each test ingests a corpus in steps (a fixtures folder holding only the
catalogue, fixtures with `evidence: []`, an edit, a feed, a changed text...),
then ingests the final corpus into a new database and compares every answer:
the state at several dates with all its evidence, every move of the history,
the diff, the live rows of each table, and `tracker check`.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import create_engine, text

from tests.conftest import FIXTURES, SEEDS, NewDb, Run
from tests.helpers import KCS, edit
from tracker.store.address import database_url

BUNDLED_DATES = ("2026-01-22", "2026-01-23", "2026-01-24", "2026-01-26", "2026-02-05", "2026-02-06")


def answers(run: Run, db: str, dates: tuple[str, ...] = BUNDLED_DATES) -> dict[str, Any]:
    """Every answer a user reads, as JSON (the Web Annotations without their recorded times), and how many live
    rows each table holds."""
    found: dict[str, Any] = {}
    for day in dates:
        result = run("--db", db, "state", "--as-of", day, "--evidence", "all", "--format", "json")
        assert result.exit_code == 0, result.stderr
        found[f"state {day}"] = json.loads(result.stdout)
    result = run("--db", db, "history", "--all", "--format", "json")
    assert result.exit_code == 0, result.stderr
    found["history"] = json.loads(result.stdout)
    result = run("--db", db, "diff", dates[0], dates[-1], "--evidence", "all", "--format", "json")
    assert result.exit_code == 0, result.stderr
    found["diff"] = json.loads(result.stdout)
    result = run("--db", db, "export", "--format", "w3c")
    assert result.exit_code == 0, result.stderr
    annotations = json.loads(result.stdout)
    for annotation in annotations["first"]["items"]:
        annotation.pop("created")  # when it was recorded: the one thing a fresh database cannot share
    found["annotations"] = annotations
    found["live rows"] = live_rows(db)
    return found


def live_rows(db: str) -> dict[str, int]:
    engine = create_engine(database_url(db)[0])
    try:
        with engine.connect() as conn:
            return {
                table: conn.execute(text(f'SELECT COUNT(*) FROM "{table}" WHERE superseded_at IS NULL')).scalar_one()
                for table in ("article", "evidence", "issue", "party", "timeline")
            }
    finally:
        engine.dispose()


def assert_as_fresh(run: Run, new_db: NewDb, db: str, *final: str, dates: tuple[str, ...] = BUNDLED_DATES) -> None:
    """`db`, after its ingests, answers as a new database into which the final corpus (`final`) is ingested once."""
    fresh = new_db("fresh")
    result = run("--db", fresh, "ingest", *final)
    assert result.exit_code == 0, result.stderr
    assert answers(run, db, dates) == answers(run, fresh, dates)
    again = run("--db", db, "ingest", *final)
    assert again.exit_code == 0, again.stderr
    assert again.stderr.startswith("nothing new"), again.stderr


def ingest(run: Run, db: str, *args: str) -> str:
    result = run("--db", db, "ingest", *args)
    assert result.exit_code == 0, result.stderr
    return result.stderr


def copy_corpus(root: Path) -> tuple[Path, Path]:
    seeds, fixtures = root / "seeds", root / "fixtures"
    shutil.copytree(SEEDS, seeds)
    shutil.copytree(FIXTURES, fixtures)
    return seeds, fixtures


def test_a_catalogue_only_first_ingest_then_the_fixtures_stores_each_article_once(
    run: Run, db: str, new_db: NewDb, tmp_path: Path
) -> None:
    """A new workspace's first ingest has a fixtures folder holding only the catalogue (issue 19, item 11)."""
    only_catalogue = tmp_path / "only-catalogue"
    only_catalogue.mkdir()
    shutil.copy(FIXTURES / "catalog.yaml", only_catalogue)
    ingest(run, db, "--seeds", str(SEEDS), "--fixtures", str(only_catalogue))
    told = ingest(run, db, "--seeds", str(SEEDS), "--fixtures", str(FIXTURES))
    assert "0 article(s) added" in told
    assert live_rows(db)["article"] == 5
    state = json.loads(run("--db", db, "state", "--issue", "donetsk", "--party", "russia", "--format", "json").stdout)
    assert state["positions"][0]["evidence_total"] == 7
    assert_as_fresh(run, new_db, db, "--seeds", str(SEEDS), "--fixtures", str(FIXTURES))


def test_fixtures_with_no_evidence_then_with_their_evidence(run: Run, db: str, new_db: NewDb, tmp_path: Path) -> None:
    seeds, fixtures = copy_corpus(tmp_path)
    full = {path.name: path.read_bytes() for path in fixtures.glob("*.yaml")}
    for path in fixtures.glob("*.yaml"):
        if path.name != "catalog.yaml":
            article = yaml.safe_load(path.read_text(encoding="utf-8"))["article"]
            path.write_text(f"article: {article}\nevidence: []\n", encoding="utf-8")
    ingest(run, db, "--seeds", str(seeds), "--fixtures", str(fixtures))
    for name, raw in full.items():
        (fixtures / name).write_bytes(raw)
    ingest(run, db, "--seeds", str(seeds), "--fixtures", str(fixtures))
    assert_as_fresh(run, new_db, db, "--seeds", str(seeds), "--fixtures", str(fixtures))


def test_edits_removals_an_emptied_fixture_and_an_alias_change(
    run: Run, db: str, new_db: NewDb, tmp_path: Path
) -> None:
    seeds, fixtures = copy_corpus(tmp_path)
    ingest(run, db, "--seeds", str(seeds), "--fixtures", str(fixtures))
    edit(fixtures / KCS, "    speaker: Dmitry Peskov\n", "    speaker: D. Peskov\n")
    (fixtures / "no-lasting-peace-without-territory.yaml").write_text(
        "article: no-lasting-peace-without-territory\nevidence: []\n", encoding="utf-8"
    )
    ingest(run, db, "--seeds", str(seeds), "--fixtures", str(fixtures))
    edit(fixtures / "catalog.yaml", "Moscow", "Moskva")
    ingest(run, db, "--seeds", str(seeds), "--fixtures", str(fixtures))
    ingest(run, db, "--seeds", str(seeds), "--fixtures", str(fixtures))  # unchanged
    assert_as_fresh(run, new_db, db, "--seeds", str(seeds), "--fixtures", str(fixtures))


def test_articles_added_one_at_a_time(run: Run, db: str, new_db: NewDb, tmp_path: Path) -> None:
    seeds, fixtures = copy_corpus(tmp_path)
    index = (seeds / "articles.yaml").read_text(encoding="utf-8")
    entries = index.split("\n  - id: ")
    head, articles = entries[0], entries[1:]
    for count in range(1, len(articles) + 1):
        (seeds / "articles.yaml").write_text("\n  - id: ".join([head, *articles[:count]]), encoding="utf-8")
        step = tmp_path / f"fixtures-{count}"
        step.mkdir()
        shutil.copy(fixtures / "catalog.yaml", step)
        for entry in articles[:count]:
            article = entry.split("\n", 1)[0].strip()
            shutil.copy(fixtures / f"{article}.yaml", step)
        ingest(run, db, "--seeds", str(seeds), "--fixtures", str(step))
    assert_as_fresh(run, new_db, db, "--seeds", str(seeds), "--fixtures", str(fixtures))


def feed_of(seeds: Path, fixtures: Path, path: Path) -> Path:
    """A corpus written as a feed: each article, then the evidence coded from it."""
    index = yaml.safe_load((seeds / "articles.yaml").read_text(encoding="utf-8"))["articles"]
    lines: list[dict[str, Any]] = []
    for meta in index:
        article = {k: v for k, v in meta.items() if k != "file"}
        lines.append({"type": "article", **article, "text": (seeds / meta["file"]).read_text(encoding="utf-8")})
        coded = yaml.safe_load((fixtures / f"{meta['id']}.yaml").read_text(encoding="utf-8"))
        lines += [{"type": "evidence", "article": meta["id"], **item} for item in coded["evidence"] or []]
    path.write_text(
        "".join(
            json.dumps(line, default=lambda d: d.isoformat() if isinstance(d, date) else d) + "\n" for line in lines
        ),
        encoding="utf-8",
    )
    return path


def test_a_feed_then_the_folder_then_the_feed(run: Run, db: str, new_db: NewDb, tmp_path: Path) -> None:
    seeds, fixtures = copy_corpus(tmp_path)
    catalogue = str(fixtures / "catalog.yaml")
    edit(fixtures / KCS, "    speaker: Dmitry Peskov\n", "    speaker: D. Peskov\n")
    feed = feed_of(seeds, fixtures, tmp_path / "feed.jsonl")
    ingest(run, db, "--jsonl", str(feed), "--catalog", catalogue)
    edit(fixtures / KCS, "    speaker: D. Peskov\n", "    speaker: Dmitry Peskov\n")
    ingest(run, db, "--seeds", str(seeds), "--fixtures", str(fixtures))
    assert_as_fresh(run, new_db, db, "--seeds", str(seeds), "--fixtures", str(fixtures))
    feed = feed_of(seeds, fixtures, tmp_path / "feed.jsonl")
    ingest(run, db, "--jsonl", str(feed), "--catalog", catalogue)
    assert_as_fresh(run, new_db, db, "--jsonl", str(feed), "--catalog", catalogue)


def _timeline_rows(db: str, sql: str) -> int:
    engine = create_engine(database_url(db)[0])
    try:
        with engine.connect() as conn:
            return int(conn.execute(text(sql)).scalar_one())
    finally:
        engine.dispose()


def test_an_edit_that_moves_nothing_rewrites_only_the_timeline_entry_resting_on_it(
    run: Run, db: str, new_db: NewDb, tmp_path: Path
) -> None:
    """A piece of evidence edited (its speaker) gets a new row, and its position is replayed: of the position's
    timeline, only the entry resting on the edited piece is superseded and written again, the others stay as they
    were recorded. Every answer, now and as known before the edit, is as it was; restored, as it was again."""
    seeds, fixtures = copy_corpus(tmp_path)
    ingest(run, db, "--seeds", str(seeds), "--fixtures", str(fixtures))
    first = json.loads(run("--db", db, "log", "--format", "json").stdout)["ingests"][-1]["recorded_at"]
    before = answers(run, db)
    edit(fixtures / KCS, "    speaker: Dmitry Peskov\n", "    speaker: D. Peskov\n")
    told = ingest(run, db, "--seeds", str(seeds), "--fixtures", str(fixtures))
    assert "1 piece(s) of evidence added, 1 superseded; 1 position(s) replayed" in told, told
    newest = "(SELECT MAX(recorded_at) FROM ingest)"
    replayed = "(SELECT issue, party FROM timeline WHERE recorded_at = " + newest + ")"
    assert _timeline_rows(db, f"SELECT COUNT(*) FROM timeline WHERE superseded_at = {newest}") == 1
    assert _timeline_rows(db, f"SELECT COUNT(*) FROM timeline WHERE recorded_at = {newest}") == 1
    kept = _timeline_rows(
        db,
        "SELECT COUNT(*) FROM timeline WHERE superseded_at IS NULL AND recorded_at < "
        f"{newest} AND (issue, party) IN {replayed}",
    )
    assert kept >= 1, "the replayed position keeps entries recorded by the first ingest"
    for day in BUNDLED_DATES:
        as_known = run(
            "--db", db, "state", "--as-of", day, "--known-at", first, "--evidence", "all", "--format", "json"
        )
        assert {**json.loads(as_known.stdout), "known_at": None} == before[f"state {day}"]
    assert run("--db", db, "check").exit_code == 0
    edit(fixtures / KCS, "    speaker: D. Peskov\n", "    speaker: Dmitry Peskov\n")
    ingest(run, db, "--seeds", str(seeds), "--fixtures", str(fixtures))
    assert answers(run, db) == before
    assert_as_fresh(run, new_db, db, "--seeds", str(seeds), "--fixtures", str(fixtures))


def _two_articles_on_one_day(seeds: Path, fixtures: Path, tail: str) -> None:
    """Two articles of one day, each with a direct statement of the same stance, said the same day: their order
    is decided by their texts' digests (never by their ids)."""
    seeds.mkdir(exist_ok=True)
    fixtures.mkdir(exist_ok=True)
    (fixtures / "catalog.yaml").write_text(
        "title: Steel trade talks\n"
        "issues:\n  - id: steel\n    title: Steel tariffs\n    proposition: Tariffs on steel are removed\n"
        "parties:\n  - id: eu\n    name: European Union\n",
        encoding="utf-8",
    )
    (seeds / "a.txt").write_text(f"The EU said it supports removing steel tariffs.\n\n{tail}", encoding="utf-8")
    (seeds / "b.txt").write_text("Brussels backs removing steel tariffs, its envoy said.\n", encoding="utf-8")
    (seeds / "articles.yaml").write_text(
        "articles:\n"
        + "".join(
            f"  - id: {name}\n    file: {name}.txt\n    title: Article {name}\n    published_on: 2030-05-01\n"
            "    date_basis: stated\n"
            for name in ("a", "b")
        ),
        encoding="utf-8",
    )
    for name, quote in (("a", "it supports removing steel tariffs"), ("b", "Brussels backs removing steel tariffs")):
        (fixtures / f"{name}.yaml").write_text(
            f"article: {name}\nevidence:\n  - id: {name}1\n    issue: steel\n    party: eu\n    stance: supports\n"
            f"    quote: {quote}\n    attribution: direct\n",
            encoding="utf-8",
        )


def test_a_changed_text_that_reorders_one_days_evidence_replays_its_positions(
    run: Run, db: str, new_db: NewDb, tmp_path: Path
) -> None:
    """Same-day evidence of equal rank from two articles of one day is ordered by their texts' digests: a text
    that changes, its quotes where they were, can change which of them made the first statement."""
    seeds, fixtures = tmp_path / "seeds", tmp_path / "fixtures"
    _two_articles_on_one_day(seeds, fixtures, "")
    b = hashlib.sha256((seeds / "b.txt").read_bytes()).hexdigest()
    before = hashlib.sha256((seeds / "a.txt").read_bytes()).hexdigest() < b
    tail = next(
        f"More {n}.\n"
        for n in range(1000)
        if (hashlib.sha256((seeds / "a.txt").read_bytes() + f"More {n}.\n".encode()).hexdigest() < b) != before
    )
    ingest(run, db, "--seeds", str(seeds), "--fixtures", str(fixtures))
    _two_articles_on_one_day(seeds, fixtures, tail)
    ingest(run, db, "--seeds", str(seeds), "--fixtures", str(fixtures))
    assert_as_fresh(
        run, new_db, db, "--seeds", str(seeds), "--fixtures", str(fixtures), dates=("2030-04-30", "2030-05-01")
    )


def _left_by_a_killed_first_ingest(db: Path, empty: bool) -> None:
    """What a first ingest killed part-way (SIGKILL) leaves: the file made, nothing committed in it."""
    if empty:
        db.write_bytes(b"")
        return
    connection = sqlite3.connect(db)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("BEGIN IMMEDIATE")
    connection.execute("CREATE TABLE tracker_meta (key TEXT)")  # never committed
    connection.close()


@pytest.mark.sqlite_only
@pytest.mark.parametrize("empty", [True, False], ids=["empty file", "no table committed"])
def test_what_a_killed_first_ingest_leaves_is_no_database(run: Run, tmp_path: Path, empty: bool) -> None:
    db = tmp_path / "tracker.db"
    _left_by_a_killed_first_ingest(db, empty)
    for command in (["state"], ["check"]):
        result = run("--db", str(db), *command)
        assert result.exit_code == 2 and "ingest" in result.stderr, result.stderr
    seeds, fixtures = copy_corpus(tmp_path)
    illegal = "    speaker: Dmitry Peskov\n    move: renege\n"  # refused by the replay, inside the transaction
    edit(fixtures / KCS, "    speaker: Dmitry Peskov\n", illegal)
    result = run("--db", str(db), "ingest", "--seeds", str(seeds), "--fixtures", str(fixtures))
    assert result.exit_code == 1 and "illegal move" in result.stderr, result.stderr
    assert not db.exists()  # a failed first ingest leaves no database behind, as if none had been made before
    _left_by_a_killed_first_ingest(db, empty)
    edit(fixtures / KCS, illegal, "    speaker: Dmitry Peskov\n")
    ingest(run, str(db), "--seeds", str(seeds), "--fixtures", str(fixtures))
    assert run("--db", str(db), "check").exit_code == 0


def test_an_ingest_that_would_leave_two_live_rows_of_an_id_rolls_back(
    run: Run, db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ingest checks what it wrote inside its transaction: a bug that would store an article or a piece of
    evidence twice as live (as item 11 did) is refused, and the database is left as it was."""
    from tracker.ingest import ingest as ingest_module

    seeds, fixtures = copy_corpus(tmp_path)
    ingest(run, db, "--seeds", str(seeds), "--fixtures", str(fixtures))
    before = live_rows(db)
    edit(fixtures / KCS, "    speaker: Dmitry Peskov\n", "    speaker: D. Peskov\n")
    (seeds / "articles.yaml").write_text(
        (seeds / "articles.yaml").read_text(encoding="utf-8").replace("Witkoff meets Putin", "Witkoff meets Putin."),
        encoding="utf-8",
    )
    bugs: tuple[
        dict[str, Any], ...
    ] = (  # the stored versions are not found; for evidence, nor the stored evidence of the articles given
        {"_stored_articles": lambda conn, ids: {}},
        {"_stored_evidence": lambda conn, ids: {}, "_evidence_of_articles": lambda conn, articles, before: iter(())},
    )
    for bug in bugs:
        with monkeypatch.context() as patched:
            for name, seek in bug.items():
                patched.setattr(ingest_module, name, seek)
            result = run("--db", db, "ingest", "--seeds", str(seeds), "--fixtures", str(fixtures))
        assert result.exit_code == 2, result.stderr
        assert "live rows of" in result.stderr and "(one expected); nothing was written" in result.stderr
        assert live_rows(db) == before
    assert run("--db", db, "check").exit_code == 0
