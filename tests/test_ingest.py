"""Ingest is all or nothing, idempotent, and never deletes history."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml

from tests.conftest import NewDb, Run, db_digest, reading, table_counts
from tests.helpers import KCS, Corpus, edit, write_trade_talks
from tracker.domain.errors import CorpusError
from tracker.ingest.corpus import load_corpus
from tracker.ingest.ingest import ingest
from tracker.store.address import database_url
from tracker.store.database import IngestRow, Store


def recorded_at(stderr: str) -> str:
    match = re.search(r" at (\S+\+00:00):", stderr)
    assert match, stderr
    return match.group(1)


def stance_of(run: Run, db: str, issue: str, party: str, *extra: str) -> str:
    result = run(
        "--db", db, "state", "--as-of", "2026-02-06", "--issue", issue, "--party", party, "--format", "json", *extra
    )
    assert result.exit_code == 0, result.stderr
    [position] = json.loads(result.stdout)["positions"]
    return str(position["stance"])


def test_the_same_files_again_write_nothing(run: Run, db: str) -> None:
    first = run("--db", db, "ingest")
    assert first.exit_code == 0 and first.stdout == ""
    counts, digest = table_counts(db), db_digest(db)
    assert counts["evidence"] == 32 and counts["article"] == 5 and counts["ingest"] == 1
    again = run("--db", db, "ingest")
    assert again.exit_code == 0
    assert "nothing new" in again.stderr
    assert table_counts(db) == counts and db_digest(db) == digest


def test_a_problem_anywhere_stores_nothing(corpus: Corpus, run: Run, db: str) -> None:
    """Good new evidence in one file and an illegal move in another: neither is stored."""
    seeds, fixtures = corpus
    assert run("--db", db, "ingest", "--seeds", str(seeds), "--fixtures", str(fixtures)).exit_code == 0
    before = db_digest(db)
    edit(fixtures / "abu-dhabi-round-two-day-one.yaml", "stance: counter_proposal", "stance: open")
    edit(fixtures / KCS, "stance: opposes", "stance: counter_proposal")  # a softening: fine alone
    edit(
        fixtures / "no-lasting-peace-without-territory.yaml",
        "  - id: nlpt-05\n    issue: nato_membership\n    party: russia\n    stance: demands",
        "  - id: nlpt-05\n    issue: nato_membership\n    party: russia\n    stance: demands\n    mode: negated",
    )
    edit(
        fixtures / "kremlin-confirms-abu-dhabi-talks.yaml",
        "party: ukraine\n    stance: opposes",
        "party: ukraine\n    stance: demands\n    said_on: 2026-01-22",
    )  # ... but then opposes, the next day, crosses the middle
    edit(
        fixtures / "no-lasting-peace-without-territory.yaml",
        "    speaker: Volodymyr Zelensky\n    attribution: direct\n    mode: background\n",
        "    speaker: Volodymyr Zelensky\n    attribution: direct\n",
    )  # (asserted: a recap across the axis would only be a contradiction to check)
    result = run("--db", db, "ingest", "--seeds", str(seeds), "--fixtures", str(fixtures))
    assert result.exit_code == 1
    assert "illegal move: position donetsk_withdrawal/ukraine is 'demands'; no move leads to 'opposes'" in result.stderr
    assert db_digest(db) == before


def test_a_failure_while_writing_rolls_everything_back(corpus: Corpus, run: Run, db: str) -> None:
    seeds, fixtures = corpus
    assert run("--db", db, "ingest", "--seeds", str(seeds), "--fixtures", str(fixtures)).exit_code == 0
    before = db_digest(db)
    edit(fixtures / KCS, "stance: opposes", "stance: counter_proposal")

    def fail_after_evidence_is_written(message: str) -> None:
        if message.startswith("timeline"):
            raise RuntimeError("the machine went away")

    store = Store(database_url(db)[0])
    with pytest.raises(RuntimeError):
        ingest(store, load_corpus(seeds, fixtures), "seeds", "fixtures", progress=fail_after_evidence_is_written)
    store.dispose()
    assert db_digest(db) == before


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


def test_an_id_owned_by_another_stored_article_is_refused(corpus: Corpus, run: Run, db: str, tmp_path: Path) -> None:
    seeds, fixtures = corpus
    assert run("--db", db, "ingest", "--seeds", str(seeds), "--fixtures", str(fixtures)).exit_code == 0
    before = db_digest(db)
    partial = tmp_path / "partial"
    partial.mkdir()
    (partial / "one.yaml").write_text(
        (fixtures / "abu-dhabi-round-two-day-two.yaml").read_text().replace("id: adr2-01", "id: kcs-01")
    )
    result = run("--db", db, "ingest", "--seeds", str(seeds), "--fixtures", str(partial))
    assert result.exit_code == 1
    assert re.fullmatch(
        r".*one\.yaml:\d+: id: evidence id 'kcs-01' is already used by article "
        r"'kremlin-constructive-spirit' \(recorded from .*kremlin-constructive-spirit\.yaml:\d+\)\n",
        result.stderr,
    ), result.stderr
    assert db_digest(db) == before


def test_an_edit_supersedes_and_known_at_answers_as_before(corpus: Corpus, run: Run, db: str) -> None:
    seeds, fixtures = corpus
    args = ("--seeds", str(seeds), "--fixtures", str(fixtures))
    first = run("--db", db, "ingest", *args)
    t1 = recorded_at(first.stderr)
    edit(fixtures / KCS, "stance: opposes", "stance: counter_proposal")
    edit(fixtures / KCS, "    mode: background\n", "")  # a statement of the day now: it moves the position
    second = run("--db", db, "ingest", *args)
    assert "1 piece(s) of evidence added, 1 superseded; 1 position(s) replayed" in second.stderr
    assert "  edited: kcs-02\n" in second.stderr
    t2 = recorded_at(second.stderr)
    assert datetime.fromisoformat(t2) > datetime.fromisoformat(t1)

    assert stance_of(run, db, "peacekeepers", "russia") == "counter_proposal"
    assert stance_of(run, db, "peacekeepers", "russia", "--known-at", t1) == "opposes"
    assert stance_of(run, db, "peacekeepers", "russia", "--known-at", t2) == "counter_proposal"
    before_anything = run(
        "--db", db, "state", "--issue", "peacekeepers", "--known-at", "2000-01-01", "--format", "json"
    )
    assert json.loads(before_anything.stdout)["positions"] == []
    assert "nothing was recorded by 2000-01-01" in before_anything.stderr
    counts = table_counts(db)
    assert counts["evidence"] == 33 and counts["ingest"] == 2, "the old version is kept"


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
        "article: later\nevidence:\n  - id: l1\n    issue: steel\n    party: eu\n    stance: open\n"
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


def test_removed_evidence_returns_a_position_to_unknown_and_history_keeps_it(corpus: Corpus, run: Run, db: str) -> None:
    seeds, fixtures = corpus
    args = ("--seeds", str(seeds), "--fixtures", str(fixtures))
    t1 = recorded_at(run("--db", db, "ingest", *args).stderr)
    path = fixtures / "kremlin-confirms-abu-dhabi-talks.yaml"
    text = path.read_text()
    path.write_text(text[: text.index("  - id: kcat-03")] + text[text.index("  - id: kcat-06") :])
    second = run("--db", db, "ingest", *args)
    assert "0 piece(s) of evidence added, 1 superseded" in second.stderr
    assert "  removed: kcat-03\n" in second.stderr
    assert stance_of(run, db, "peacekeepers", "europe") == "unknown"
    old = run(
        "--db", db, "history", "--issue", "peacekeepers", "--party", "europe", "--format", "json", "--known-at", t1
    )
    assert [m["evidence"]["id"] for m in json.loads(old.stdout)["moves"]] == ["kcat-03"]
    now = run("--db", db, "history", "--issue", "peacekeepers", "--party", "europe", "--format", "json")
    assert json.loads(now.stdout)["moves"] == []


def test_an_article_whose_text_changed_must_be_recoded(corpus: Corpus, run: Run, db: str, tmp_path: Path) -> None:
    seeds, fixtures = corpus
    assert run("--db", db, "ingest", "--seeds", str(seeds), "--fixtures", str(fixtures)).exit_code == 0
    before = db_digest(db)
    article = seeds / "004_2f1a4ee65ee2afbf.txt"
    article.write_bytes(article.read_bytes() + b"\nA correction was appended.\n")
    empty = tmp_path / "no-fixtures"
    empty.mkdir()
    result = run("--db", db, "ingest", "--seeds", str(seeds), "--fixtures", str(empty))
    assert result.exit_code == 1
    assert (
        "the text of article 'kremlin-constructive-spirit' changed but its evidence was not re-coded" in result.stderr
    )
    assert db_digest(db) == before
    recoded = run("--db", db, "ingest", "--seeds", str(seeds), "--fixtures", str(fixtures))
    assert recoded.exit_code == 0
    assert "0 article(s) added" not in recoded.stderr and "1 superseded" in recoded.stderr


def test_non_asserted_modes_are_kept_and_shown_but_do_not_move(corpus: Corpus, run: Run, db: str) -> None:
    seeds, fixtures = corpus
    edit(
        fixtures / "kremlin-confirms-abu-dhabi-talks.yaml",
        "  - id: kcat-03\n    issue: peacekeepers\n    party: europe\n    stance: supports",
        "  - id: kcat-03\n    issue: peacekeepers\n    party: europe\n    stance: supports\n    mode: future",
    )
    assert run("--db", db, "ingest", "--seeds", str(seeds), "--fixtures", str(fixtures)).exit_code == 0
    assert stance_of(run, db, "peacekeepers", "europe") == "unknown"
    shown = run("--db", db, "history", "--issue", "peacekeepers", "--party", "europe")
    assert "(future: supports, not applied)" in shown.stdout and "kcat-03" in shown.stdout


def test_library_refuses_bad_corpus_with_problems(corpus: Corpus) -> None:
    seeds, fixtures = corpus
    edit(fixtures / KCS, "party: russia\n    stance: opposes", "party: nobody\n    stance: opposes")
    with pytest.raises(CorpusError) as caught:
        load_corpus(seeds, fixtures)
    [problem] = caught.value.problems
    assert problem.field == "party" and problem.path.endswith(KCS)


def test_known_at_answers_with_the_catalogue_of_that_time(corpus: Corpus, run: Run, db: str) -> None:
    seeds, fixtures = corpus
    args = ("--seeds", str(seeds), "--fixtures", str(fixtures))
    t1 = recorded_at(run("--db", db, "ingest", *args).stderr)
    catalog = fixtures / "catalog.yaml"
    text = catalog.read_text()
    catalog.write_text(text[: text.index("  - id: europe")])
    confirms = fixtures / "kremlin-confirms-abu-dhabi-talks.yaml"
    text = confirms.read_text()
    confirms.write_text(text[: text.index("  - id: kcat-03")] + text[text.index("  - id: kcat-04") :])
    assert run("--db", db, "ingest", *args).exit_code == 0

    now = json.loads(run("--db", db, "state", "--as-of", "2026-02-06", "--format", "json").stdout)
    assert {p["party"] for p in now["positions"]} == {"russia", "ukraine", "united_states"}
    assert stance_of(run, db, "peacekeepers", "europe", "--known-at", t1) == "supports"
    assert run("--db", db, "state", "--party", "europe").exit_code == 2


def test_a_catalogue_only_change_is_reported(corpus: Corpus, run: Run, db: str) -> None:
    seeds, fixtures = corpus
    args = ("--seeds", str(seeds), "--fixtures", str(fixtures))
    assert run("--db", db, "ingest", *args).exit_code == 0
    edit(fixtures / "catalog.yaml", "aliases: [Kyiv, Kiev]", "aliases: [Kiev]")
    assert "(the catalogue too)" in run("--db", db, "validate", *args).stderr
    assert "catalogue updated" in run("--db", db, "ingest", *args).stderr
    assert run("--db", db, "state", "--party", "Kyiv").exit_code == 2


def test_recorded_times_only_move_forward(run: Run, seeded_db: str, corpus: Corpus) -> None:
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


@pytest.fixture
def fixtures_read(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the fixture files an ingest parses (not the article index nor the catalogue)."""
    import tracker.ingest.corpus as corpus_module

    names: list[str] = []
    real = corpus_module.read_yaml

    def read_yaml(path: Path, raw: bytes | None = None) -> object:
        if path.name not in ("articles.yaml", "catalog.yaml"):
            names.append(path.name)
        return real(path, raw)

    monkeypatch.setattr(corpus_module, "read_yaml", read_yaml)
    return names


def test_an_unchanged_fixture_is_not_read_again_and_an_edited_one_is(
    corpus: Corpus, run: Run, db: str, new_db: NewDb, fixtures_read: list[str]
) -> None:
    seeds, fixtures = corpus
    args = ("--seeds", str(seeds), "--fixtures", str(fixtures))
    assert run("--db", db, "ingest", *args).exit_code == 0
    fixtures_read.clear()
    again = run("--db", db, "ingest", *args)
    assert fixtures_read == [] and "nothing new" in again.stderr and "(32 piece(s) of evidence)" in again.stderr
    edit(fixtures / KCS, "stance: opposes", "stance: counter_proposal")
    edit(fixtures / KCS, "    mode: background\n", "")
    edited = run("--db", db, "ingest", *args)
    assert fixtures_read == [KCS], "only the edited fixture is read"
    assert "  edited: kcs-02\n" in edited.stderr and "1 position(s) replayed" in edited.stderr
    fresh = new_db("fresh")
    assert run("--db", fresh, "ingest", *args).exit_code == 0
    for command in (["state", "--as-of", "2026-02-06"], ["history", "--all"]):
        assert run("--db", db, *command).stdout == run("--db", fresh, *command).stdout


def test_a_fixture_is_read_again_when_its_article_or_the_catalogue_changed(
    corpus: Corpus, run: Run, db: str, fixtures_read: list[str]
) -> None:
    seeds, fixtures = corpus
    args = ("--seeds", str(seeds), "--fixtures", str(fixtures))
    assert run("--db", db, "ingest", *args).exit_code == 0
    edit(seeds / "articles.yaml", "title: Kremlin says first trilateral", "title: The Kremlin says first trilateral")
    fixtures_read.clear()
    assert run("--db", db, "ingest", *args).exit_code == 0
    assert fixtures_read == [KCS], "its article's title changed"
    edit(fixtures / "catalog.yaml", "title: Peacekeepers", "title: Foreign peacekeepers")
    fixtures_read.clear()
    changed = run("--db", db, "ingest", *args)
    assert changed.exit_code == 0 and "catalogue updated" in changed.stderr
    assert len(fixtures_read) == 5, "a new catalogue: every fixture is checked against it"


def test_an_article_restated_by_a_feed_is_read_from_its_fixture_again(
    corpus: Corpus, run: Run, db: str, tmp_path: Path, fixtures_read: list[str]
) -> None:
    seeds, fixtures = corpus
    args = ("--seeds", str(seeds), "--fixtures", str(fixtures))
    assert run("--db", db, "ingest", *args).exit_code == 0
    article = next(a for a in yaml.safe_load((seeds / "articles.yaml").read_text())["articles"] if a["id"] == KCS[:-5])
    text = (seeds / article["file"]).read_text(encoding="utf-8")
    line = {k: v for k, v in article.items() if k != "file"} | {"type": "article", "text": text}
    feed = tmp_path / "feed.jsonl"
    feed.write_text(json.dumps(line, default=str) + "\n", encoding="utf-8")  # the article, and no evidence
    restated = run("--db", db, "ingest", "--jsonl", str(feed), "--catalog", str(fixtures / "catalog.yaml"))
    assert "removed: kcs-01, kcs-02, kcs-03" in restated.stderr
    fixtures_read.clear()
    back = run("--db", db, "ingest", *args)
    assert fixtures_read == [KCS] and "added: kcs-01, kcs-02, kcs-03" in back.stderr


def test_an_ingest_between_reading_a_corpus_and_writing_it_is_not_undone(corpus: Corpus, run: Run, db: str) -> None:
    """A fixture skipped as unchanged must still be as stored once the write lock is held."""
    from tracker.ingest.corpus import FixtureDigest

    seeds, fixtures = corpus
    assert run("--db", db, "ingest", "--seeds", str(seeds), "--fixtures", str(fixtures)).exit_code == 0
    with reading(db) as held:
        stored = {path: (a, FixtureDigest(*fields)) for path, (a, fields) in held.fixture_digests().items()}
    checked = load_corpus(seeds, fixtures, stored_fixtures=stored)
    assert checked.unchanged and not checked.evidence
    edit(fixtures / KCS, "stance: opposes", "stance: counter_proposal")
    edit(fixtures / KCS, "    mode: background\n", "")
    assert run("--db", db, "ingest", "--seeds", str(seeds), "--fixtures", str(fixtures)).exit_code == 0
    store = Store(database_url(db)[0])
    try:
        with pytest.raises(CorpusError, match="was changed by another ingest while this one read the corpus"):
            ingest(store, checked, "s", "f")
    finally:
        store.dispose()
