"""Bad input beyond the one-defect corpus of `tests/bad_inputs/`: many problems in one run, catalogue errors."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import FIXTURES, SEEDS, Run, db_digest

Corpus = tuple[Path, Path]


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} should occur once in {path.name}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def line_of(path: Path, marker: str) -> int:
    """The line of the last occurrence of `marker` (a duplicate is reported where it repeats)."""
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    return max(n for n, line in enumerate(lines, 1) if marker in line)


KCS = "kremlin-constructive-spirit.yaml"


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
        f"{position} rests only on another party's report; no statement of its own confirms it"
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
    assert run("--db", db, "ingest", "--jsonl", str(feed)).exit_code == 0
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
