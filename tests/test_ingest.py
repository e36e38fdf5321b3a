"""Ingest is all or nothing, idempotent, and never deletes history."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path

import pytest

from tests.conftest import Run, db_digest, table_counts
from tests.test_bad_input import KCS, edit
from tracker.domain.errors import CorpusError
from tracker.ingest.corpus import load_corpus
from tracker.ingest.ingest import ingest
from tracker.store.address import database_url
from tracker.store.database import Store

Corpus = tuple[Path, Path]


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
