"""Each kind of bad input: one line `path:line: field: message`, exit 1, the database unchanged."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import Run, db_digest

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
ILLEGAL = """
  - id: kcs-99
    issue: donetsk_withdrawal
    party: russia
    stance: opposes
    quote: It would be a mistake to expect any significant results from the initial contacts
    speaker: Dmitry Peskov
    attribution: direct
"""
COPY_OF_KCS_02 = """
  - id: kcs-98
    issue: peacekeepers
    party: russia
    stance: opposes
    quote: Russia rejected revised versions over proposals for stationing European peacekeepers in Ukraine.
    attribution: analysis
"""


def _append(text: str, marker: str | None = None) -> Callable[[Path, Path], tuple[Path, str]]:
    def mutate(seeds: Path, fixtures: Path) -> tuple[Path, str]:
        path = fixtures / KCS
        path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")
        return path, marker or text.strip().splitlines()[0].strip()

    return mutate


def _edit(
    file: str, old: str, new: str, marker: str | None = None, folder: str = "fixtures"
) -> Callable[[Path, Path], tuple[Path, str]]:
    def mutate(seeds: Path, fixtures: Path) -> tuple[Path, str]:
        path = (fixtures if folder == "fixtures" else seeds) / file
        edit(path, old, new)
        return path, marker or new.strip().splitlines()[0]

    return mutate


def _write(file: str, content: bytes, marker_line: int) -> Callable[[Path, Path], tuple[Path, str]]:
    def mutate(seeds: Path, fixtures: Path) -> tuple[Path, str]:
        path = fixtures / file
        path.write_bytes(content)
        return path, f"@{marker_line}"

    return mutate


def _bad_article_bytes(content: bytes) -> Callable[[Path, Path], tuple[Path, str]]:
    def mutate(seeds: Path, fixtures: Path) -> tuple[Path, str]:
        (seeds / "004_2f1a4ee65ee2afbf.txt").write_bytes(content)
        return seeds / "articles.yaml", "file: 004_2f1a4ee65ee2afbf.txt"

    return mutate


CASES: dict[str, tuple[Callable[[Path, Path], tuple[Path, str]], str, str]] = {
    "unknown party": (
        _edit(KCS, "party: russia\n    stance: opposes", "party: usa_x\n    stance: opposes", marker="usa_x"),
        "party",
        r"unknown party 'usa_x' \(.*known parties: russia",
    ),
    "unknown issue": (
        _edit(
            KCS, "issue: peacekeepers\n    quote: while", "issue: peacekeeperz\n    quote: while", marker="peacekeeperz"
        ),
        "issue",
        r"unknown issue 'peacekeeperz' \(did you mean 'peacekeepers'",
    ),
    "unknown stance": (
        _edit(KCS, "stance: opposes", "stance: opposez"),
        "stance",
        r"'opposez' is not a stance; one of: demands, supports, open, counter_proposal, opposes, agreed$",
    ),
    "unknown article": (
        _edit(KCS, "article: kremlin-constructive-spirit", "article: no-such-article"),
        "article",
        r"unknown article 'no-such-article'",
    ),
    "malformed date": (
        _edit(KCS, "said_on: 2026-01-23", "said_on: 23/01/2026"),
        "said_on",
        r"not a date in the form YYYY-MM-DD, got '23/01/2026'",
    ),
    "impossible date": (
        _edit(KCS, "said_on: 2026-01-23", "said_on: 2026-02-30"),
        "said_on",
        r"not a date in the form YYYY-MM-DD, got .2026-02-30.",
    ),
    "said_on after the article's date": (
        _edit(KCS, "said_on: 2026-01-23", "said_on: 2026-01-27"),
        "said_on",
        r"2026-01-27 is after the article's date 2026-01-26",
    ),
    "quote not in its article": (
        _edit(KCS, "had not dropped its insistence", "had never dropped its insistence", marker="had never dropped"),
        "quote",
        r"not found in article 'kremlin-constructive-spirit' .*closest passage: \".*had not dropped its insistence",
    ),
    "empty quote": (
        _edit(
            KCS,
            "quote: Russia rejected revised versions over proposals for stationing European peacekeepers in Ukraine.",
            "quote: '   '",
        ),
        "quote",
        r"quote is empty",
    ),
    "quote occurs twice": (
        _edit(
            "kremlin-confirms-abu-dhabi-talks.yaml",
            "quote: Kyiv has firmly rejected "
            "territorial concessions, warning that such a deal would embolden Moscow and "
            "risk future aggression.",
            "quote: Ushakov said",
        ),
        "quote",
        r"occurs 2 times .*set occurrence: 1 to 2",
    ),
    "duplicate evidence id": (_edit(KCS, "id: kcs-02", "id: kcs-01"), "id", r"duplicate evidence id 'kcs-01'"),
    "duplicate evidence": (_append(COPY_OF_KCS_02), "quote", r"duplicate evidence: same .* as 'kcs-02'"),
    "missing field": (
        _edit(
            KCS,
            "    speaker: Dmitry Peskov\n    attribution: direct\n",
            "    speaker: Dmitry Peskov\n",
            marker="id: kcs-01",
        ),
        "attribution",
        r"required field is missing",
    ),
    "unknown field": (_edit(KCS, "speaker: Dmitry Peskov", "speeker: Dmitry Peskov"), "speeker", r"unknown field"),
    "wrong type": (
        _edit(KCS, "said_on: 2026-01-23", "said_on: [2026, 1, 23]"),
        "said_on",
        r"not a date in the form YYYY-MM-DD, got a list",
    ),
    "a stance without a party": (
        _edit(KCS, "    party: russia\n    stance: opposes\n", "    stance: opposes\n", marker="id: kcs-02"),
        "party",
        r"a stance needs a party",
    ),
    "illegal move": (
        _append(ILLEGAL, marker="stance: opposes"),
        "stance",
        r"illegal move: position donetsk_withdrawal/russia is 'demands'; no move leads to 'opposes' "
        r"\(allowed: reaffirm -> demands; soften -> supports, open; accept -> agreed\) "
        r"\[evidence 'kcs-99' said on 2026-01-26; 'demands' since evidence 'kcat-04' said on 2026-01-23 "
        r"\(.*kremlin-confirms-abu-dhabi-talks\.yaml:\d+\)\]$",
    ),
    "malformed YAML": (
        _edit(
            KCS,
            "    issue: peacekeepers\n    party: russia",
            "    issue: [peacekeepers\n    party: russia",
            marker="party: russia",
        ),
        "",
        r"malformed YAML",
    ),
    "not a mapping": (_write(KCS, b"- just\n- a list\n", 1), "", r"a fixture must be a mapping"),
    "YAML anchors": (
        _edit(
            KCS,
            "issue: peacekeepers\n    party: russia",
            "issue: &i peacekeepers\n    party: russia",
            marker="&i peacekeepers",
        ),
        "",
        r"anchors and aliases are not allowed",
    ),
    "article not UTF-8": (_bad_article_bytes(b"caf\xe9 au lait\n"), "file", r"is not UTF-8"),
    "binary article": (_bad_article_bytes(b"\x89PNG\r\n\x1a\n\x00\x00"), "file", r"is binary"),
    "empty article": (_bad_article_bytes(b"  \n"), "file", r"is empty"),
    "article outside the corpus": (
        _edit("articles.yaml", "file: 004_2f1a4ee65ee2afbf.txt", "file: ../../../etc/passwd", folder="seeds"),
        "file",
        r"is outside the seeds folder",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_gets_one_located_message_and_changes_nothing(
    case: str, corpus: Corpus, run: Run, seeded_db: str
) -> None:
    mutate, field, pattern = CASES[case]
    seeds, fixtures = corpus
    path, marker = mutate(seeds, fixtures)
    line = int(marker[1:]) if marker.startswith("@") else line_of(path, marker)
    before = db_digest(seeded_db)

    checked = run("--db", seeded_db, "validate", "--seeds", str(seeds), "--fixtures", str(fixtures))
    ingested = run("--db", seeded_db, "ingest", "--seeds", str(seeds), "--fixtures", str(fixtures))

    assert checked.exit_code == 1 and ingested.exit_code == 1
    assert ingested.stdout == ""
    problems = checked.stdout.splitlines()
    assert problems == ingested.stderr.splitlines(), "validate and ingest report the same problems"
    assert len(problems) == 1, problems
    where = f"{path}:{line}: " + (f"{field}: " if field else "")
    assert problems[0].startswith(where), (problems[0], where)
    assert re.search(pattern, problems[0]), problems[0]
    assert "Traceback" not in checked.stderr + ingested.stderr
    assert db_digest(seeded_db) == before


def test_validate_lists_every_problem_in_one_run(corpus: Corpus, run: Run) -> None:
    seeds, fixtures = corpus
    edit(fixtures / KCS, "party: russia\n    stance: opposes", "party: usa_x\n    stance: opposes")
    edit(
        fixtures / "no-lasting-peace-without-territory.yaml",
        "said_on: 2026-01-22\n    note: Finalised with Trump;",
        "said_on: 2026-01-27\n    note: Finalised with Trump;",
    )
    edit(fixtures / "abu-dhabi-round-two-day-two.yaml", "stance: supports", "stance: favours")
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


def test_validate_clean_corpus(run: Run) -> None:
    result = run("validate")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "ok: 5 article(s), 31 piece(s) of evidence" in result.stderr


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
