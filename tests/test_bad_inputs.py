"""The bad-input corpus: each case in `tests/bad_inputs/` is a small corpus with exactly one defect.

A case folder holds the files that differ from `base/` (a valid corpus of one
article), or a whole `feed.jsonl`, and `case.yaml`: the `defect`, and the one
line `path:line: field: message` an ingest must answer with (`expect`, the
start of the line, paths relative to the case's corpus). Every case must exit
1 with that one line and nothing else on stderr, no traceback, and leave the
database exactly as it was (a digest of every row before and after). `make`
writes a file the test needs too big to keep (`bytes` of it, or a FIFO with
`fifo`, a folder with `folder`, a symlink to `symlink`); `remove` takes a file of the base away. No message may carry a
raw control character, whatever the input held.

Beyond that corpus: many problems in one run, catalogue errors, a misspelt field or id, a quote that is not
whole words, and a catalogue swap that drops issues much stored evidence names.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import FIXTURES, SEEDS, Run, db_digest
from tests.helpers import KCS, Corpus, edit, line_of

CASES = Path(__file__).resolve().parent / "bad_inputs"
BASE = CASES / "base"
PROBLEM = r"^\S.*:\d+: "
# What may never reach a terminal from input: C0 controls but the line feed, DEL, C1, bidi overrides.
TERMINAL_CONTROLS = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def case_names() -> list[str]:
    return sorted(p.name for p in CASES.iterdir() if p.is_dir() and p.name != "base")


def assemble(case: Path, into: Path) -> tuple[list[str], dict[str, Any]]:
    """The case's corpus in `into`, and the arguments of `tracker ingest` that read it."""
    meta = yaml.safe_load((case / "case.yaml").read_text(encoding="utf-8"))
    if (case / "feed.jsonl").exists():
        shutil.copy(case / "feed.jsonl", into / "feed.jsonl")
        shutil.copy(FIXTURES / "catalog.yaml", into / "catalog.yaml")  # the feed's catalogue, beside it
        return ["--jsonl", str(into / "feed.jsonl")], meta
    shutil.copytree(BASE, into, dirs_exist_ok=True)
    for path in case.rglob("*"):
        if path.is_file() and path.name != "case.yaml":
            target = into / path.relative_to(case)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, target)
    for name in meta.get("remove", []):
        (into / name).unlink()
    if "make" in meta:
        made = into / meta["make"]["file"]
        made.unlink(missing_ok=True)
        if meta["make"].get("fifo"):
            os.mkfifo(made)
        elif meta["make"].get("symlink"):
            made.symlink_to(meta["make"]["symlink"])
        elif meta["make"].get("folder"):
            made.mkdir()
        else:
            made.write_bytes(b"a" * meta["make"]["bytes"])
    return ["--seeds", str(into / "seeds"), "--fixtures", str(into / "fixtures")], meta


def test_there_are_at_least_thirty_cases_each_with_its_defect_and_message() -> None:
    names = case_names()
    assert len(names) >= 30
    for name in names:
        meta = yaml.safe_load((CASES / name / "case.yaml").read_text(encoding="utf-8"))
        assert meta.get("defect") and meta.get("expect"), name


def test_the_base_corpus_is_valid(run: Run, tmp_path: Path, seeded_db: str) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(BASE, corpus)
    result = run("--db", seeded_db, "ingest", "--seeds", str(corpus / "seeds"), "--fixtures", str(corpus / "fixtures"))
    assert result.exit_code == 0, result.stderr


@pytest.mark.parametrize("name", case_names())
def test_a_bad_input_gets_its_one_message_and_changes_nothing(
    name: str, run: Run, tmp_path: Path, seeded_db: str, never_waits_for_ever: None
) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    arguments, meta = assemble(CASES / name, corpus)
    before = db_digest(seeded_db)
    checked = run("--db", seeded_db, "validate", *arguments)
    result = run("--db", seeded_db, "ingest", *arguments)
    assert checked.exit_code == 1 and checked.stdout == result.stderr, "validate lists what ingest refuses"
    shown = result.stderr.replace(f"{corpus}/", "")
    assert result.exit_code == 1, shown
    assert "Traceback" not in shown and result.stdout == ""
    assert not TERMINAL_CONTROLS.search(result.stderr + checked.stdout + checked.stderr), "untrusted text shown inert"
    lines = shown.splitlines()
    assert len(lines) == 1, f"one line expected for {meta['defect']!r}, got:\n{shown}"
    assert lines[0].startswith(meta["expect"]), f"{meta['defect']}:\n  got      {lines[0]}\n  expected {meta['expect']}"
    assert db_digest(seeded_db) == before


def test_validate_lists_every_problem_in_one_run(corpus: Corpus, run: Run) -> None:
    seeds, fixtures = corpus
    edit(fixtures / KCS, "party: russia\n    stance: opposes", "party: usa_x\n    stance: opposes")
    edit(
        fixtures / "no-lasting-peace-without-territory.yaml",
        "said_on: 2026-01-22\n    note: >-\n      Finalised with Trump,",
        "said_on: 2026-01-27\n    note: >-\n      Finalised with Trump,",
    )
    edit(
        fixtures / "abu-dhabi-round-two-day-two.yaml",
        "party: ukraine\n    stance: supports\n    quote: Zelenskyy",
        "party: ukraine\n    stance: favours\n    quote: Zelenskyy",
    )
    edit(
        seeds / "articles.yaml",
        "published_on: 2026-01-23\n    date_basis: inferred",
        "published_on: 2026-01-23\n    date_basis: guessed",
    )
    result = run("validate", "--seeds", str(seeds), "--fixtures", str(fixtures))
    assert result.exit_code == 1
    fields = [line.split(": ")[1] for line in result.stdout.splitlines()]
    # The broken article's own fixture is not also reported as naming an unknown article.
    assert sorted(fields) == ["date_basis", "party", "said_on", "stance"], result.stdout
    assert "4 problem(s) found" in result.stderr


def test_validate_clean_corpus_lists_only_its_warnings(run: Run) -> None:
    """The bundled corpus has no problem; its three stances that rest only on Zelensky's account are warned of."""
    result = run("validate")
    assert result.exit_code == 0
    assert [line.split(": warning: ")[1] for line in result.stdout.splitlines()] == [
        f"{position} rests only on another party's or a source's report; no statement of its own confirms it"
        for position in (
            "security_guarantees/united_states 'agreed'",
            "peacekeepers/europe 'supports'",
            "security_guarantees/europe 'supports'",
        )
    ]
    assert all(
        line.startswith("fixtures/kremlin-confirms-abu-dhabi-talks.yaml:") for line in result.stdout.splitlines()
    )
    assert "ok: 5 article(s), 32 piece(s) of evidence, 3 warning(s)" in result.stderr


def test_catalogue_errors(corpus: Corpus, run: Run) -> None:
    seeds, fixtures = corpus
    catalog = fixtures / "catalog.yaml"
    edit(catalog, "aliases: [Kyiv, Kiev]", "aliases: [Kyiv, Kiev, Moscow]")
    result = run("validate", "--seeds", str(seeds), "--fixtures", str(fixtures))
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"{catalog}:{line_of(catalog, '- id: ukraine')}: parties.aliases: alias 'Moscow' is already claimed by "
        "party 'russia'"
    ]


def test_a_misspelt_field_is_one_problem_with_a_suggestion(corpus: Corpus, run: Run) -> None:
    seeds, fixtures = corpus
    edit(fixtures / KCS, "    attribution: direct\n", "    atribution: direct\n")
    result = run("validate", "--seeds", str(seeds), "--fixtures", str(fixtures))
    line = line_of(fixtures / KCS, "atribution: direct")
    assert result.stdout == f"{fixtures / KCS}:{line}: atribution: unknown field (did you mean 'attribution'?)\n"


def test_a_quote_must_be_whole_words(corpus: Corpus, run: Run) -> None:
    seeds, fixtures = corpus
    path = fixtures / "no-lasting-peace-without-territory.yaml"
    edit(
        path,
        "quote: Russia also insists Ukraine abandon its ambition to join NATO",
        "quote: ussia also insists Ukraine abandon its ambition to join NAT",
    )
    result = run("validate", "--seeds", str(seeds), "--fixtures", str(fixtures))
    assert result.exit_code == 1
    assert ": quote: not found in article 'no-lasting-peace-without-territory'" in result.stdout
    assert 'closest passage: "Russia also insists Ukraine abandon its ambition to join NATO' in result.stdout


def test_a_catalogue_swap_is_told_once_per_issue_it_drops_however_much_evidence_names_it(
    run: Run, tmp_path: Path, db: str
) -> None:
    """Thousands of stored pieces of evidence on a dropped issue are one line at the catalogue, not thousands."""
    text = " ".join(f"Point {n} stands." for n in range(600))
    lines = [{"type": "article", "id": "long", "title": "Long", "published_on": "2026-01-10", "date_basis": "stated"}]
    lines[0]["text"] = text
    for n in range(600):
        issue = "znpp" if n % 2 else "peacekeepers"
        lines.append({"type": "evidence", "article": "long", "id": f"e{n:03}", "issue": issue})
        lines[-1].update(quote=f"Point {n} stands", attribution="analysis")
    feed = tmp_path / "feed.jsonl"
    feed.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    assert run("--db", db, "ingest", "--jsonl", str(feed), "--catalog", str(FIXTURES / "catalog.yaml")).exit_code == 0
    catalog = tmp_path / "catalog.yaml"
    bundled = (FIXTURES / "catalog.yaml").read_text(encoding="utf-8")
    kept = bundled.split("  - id: znpp")[0] + "\nparties:" + bundled.split("\nparties:")[1]
    catalog.write_text(kept, encoding="utf-8")
    empty = tmp_path / "none"
    empty.mkdir()
    before = db_digest(db)
    result = run("--db", db, "ingest", "--seeds", str(SEEDS), "--fixtures", str(empty), "--catalog", str(catalog))
    assert result.exit_code == 1 and db_digest(db) == before
    lines_out = result.stderr.splitlines()
    assert [line.split(": ")[:2] for line in lines_out] == [[f"{catalog}:6", "issues"]] * 2, result.stderr
    assert "issue 'peacekeepers', which stored evidence names (300 piece(s) of evidence: e000, e002," in lines_out[0]
    assert "e038 and 280 more; first recorded from " in lines_out[0]
    assert "issue 'znpp', which stored evidence names (300 piece(s) of evidence: e001, e003," in lines_out[1]


def test_catalogue_mistakes_read_like_the_others(corpus: Corpus, run: Run) -> None:
    seeds, fixtures = corpus
    edit(
        fixtures / "catalog.yaml",
        "    proposition: Ukraine gives up its bid to join NATO",
        "    propositon: Ukraine gives up its bid to join NATO",
    )
    result = run("validate", "--seeds", str(seeds), "--fixtures", str(fixtures))
    [line] = result.stdout.splitlines()
    assert line.endswith(": issues[1].propositon: unknown field (did you mean 'proposition'?)")


def test_a_misspelt_article_id_is_one_problem(corpus: Corpus, run: Run) -> None:
    seeds, fixtures = corpus
    edit(seeds / "articles.yaml", "  - id: kremlin-constructive-spirit\n", "  - id: kremlin constructive spirit\n")
    result = run("validate", "--seeds", str(seeds), "--fixtures", str(fixtures))
    assert len(result.stdout.splitlines()) == 1 and "articles.yaml" in result.stdout
