"""A text table is never wider than the terminal or `--width` (40 at least).

It cuts free text with `…` to fit, never an id, a date or a stance; then leaves out a column another one stands
for, naming it in its caption with the width that shows it; where its ids, dates and stances alone do not fit, it
shows each row as a block of `field: value` lines (as psql's expanded display), every value whole and wrapped
within the width. Piped, with no `--width`, its lines are whole. Checked on the bundled corpus and on one whose
ids, names and quotes are as long as a catalogue and a fixture let them be.
"""

from __future__ import annotations

import csv
import io
import os
import re
import sys
import unicodedata
from pathlib import Path

import pytest

from tests.conftest import GOLDEN, Run
from tracker.render.output import Column, Table, _plain

COMMANDS = {
    "state": ("state", "--as-of", "2026-02-06"),
    "diff": ("diff", "2026-01-24", "2026-02-06"),
    "history": ("history",),
    "search": ("search", "territory"),
}
GOLDEN_WIDTHS = (40, 60, 80, 120)
WIDTHS = range(40, 201)
RECORD = re.compile(r"^-\[ RECORD \d+ \]-*$")


def columns_taken(line: str) -> int:
    """The columns a line takes in a terminal: two for a wide (East Asian) character, none for a combining one."""
    return sum(
        0 if unicodedata.combining(ch) else 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in line
    )


def widest(text: str) -> int:
    return max(columns_taken(line) for line in text.splitlines())


def squeezed(text: str) -> str:
    """The text with every space and line break taken out: a value wrapped over lines reads whole again."""
    return "".join(text.split())


def rows(run: Run, db: str, args: tuple[str, ...]) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(run("--db", db, *args, "--format", "csv").stdout)))


def never_cut(records: list[dict[str, str]]) -> dict[str, set[str]]:
    """The ids, dates and stances of the records by column: what no table cuts (a span's end, which CSV gives as
    its date, is shown as the span is written)."""
    keys = ("id", "evidence", "newest_evidence", "issue", "party", "stance", "from", "to", "since", "basis")
    values = {key: {v for record in records for v in (record.get(key) or "").split(", ") if v} for key in keys}
    values["date"] = {record["date"] for record in records if record.get("date") and not record.get("said_on")}
    return values


def caption_of(output: str) -> str:
    """The caption, on one line again."""
    return " ".join(output.split("\n\n", 1)[0].split())


def headers_of(output: str) -> set[str]:
    lines = output.splitlines()
    rule = next(n for n, line in enumerate(lines) if line.startswith("---"))
    return set(re.split(r"\s{2,}", lines[rule - 1].strip()))


def check_fits(output: str, width: int, whole: dict[str, set[str]]) -> None:
    """No line wider than `width`; every id, date and stance shown whole (a block may wrap one too long for it),
    but in a column the caption says is left out."""
    assert widest(output) <= width, (width, output)
    flat = squeezed(output)
    left_out = re.search(r"left out to fit: ([a-z ,]+) \(", caption_of(output))
    for key, values in whole.items():
        if left_out and key in left_out.group(1).split(", "):
            continue
        for value in values:
            assert value in output or (len(value) > width - 20 and value in flat), (width, value, output)


@pytest.mark.parametrize("width", GOLDEN_WIDTHS)
@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_table_at_a_width_is_its_golden(command: str, width: int, run: Run, seeded_db: str) -> None:
    result = run("--db", seeded_db, *COMMANDS[command], "--width", str(width))
    assert result.exit_code == 0, result.stderr
    golden = GOLDEN / f"{command}.w{width}.txt"
    if os.environ.get("TRACKER_UPDATE_GOLDEN"):
        golden.write_text(result.stdout, encoding="utf-8")
        pytest.skip(f"rewrote {golden.name}: review the diff")
    assert result.stdout == golden.read_text(encoding="utf-8")


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_no_line_of_the_bundled_corpus_is_wider_than_asked(command: str, run: Run, seeded_db: str) -> None:
    whole = never_cut(rows(run, seeded_db, COMMANDS[command]))
    for width in WIDTHS:
        result = run("--db", seeded_db, *COMMANDS[command], "--width", str(width))
        assert result.exit_code == 0, result.stderr
        check_fits(result.stdout, width, whole)


def test_search_at_every_width_the_brief_named(run: Run, seeded_db: str) -> None:
    for width in WIDTHS:
        output = run("--db", seeded_db, "search", "Peskov", "--width", str(width)).stdout
        check_fits(output, width, {"id": {"kcs-01"}, "date": {"2026-01-23"}, "issue": {"donetsk_withdrawal"}})


# A negotiation whose ids, names and quotes are as long as a catalogue and a fixture let them be.
ZONE = "demilitarised_zone_along_the_line_of_contact_with_guarantees"  # 60 characters: an issue id
GROUP = "international_contact_group_of_guarantor_states_and_observers"  # 61: a mediator's id
NORTH = "northern_delegation_to_the_talks_on_the_zone_and_its_guarantees"  # 63
DAY_ONE = "first-round-of-talks-on-the-demilitarised-zone-opens-in-the-capital-with-an-unusually-long-article-id"
DAY_TWO = "second-round-of-talks-on-the-demilitarised-zone-ends-with-the-northern-delegation-softening-its-line"
ENVOY = "Her Excellency the Special Envoy of the International Contact Group, Dr. Maria-Theresa Alexandrova-Villanueva"
SPEAKER = "王小明, 北方代表团团长"  # wide characters: two columns each in a terminal
CATALOG = f"""title: Talks on the demilitarised zone along the line of contact, with guarantees by a contact group
issues:
  - id: {ZONE}
    title: The demilitarised zone along the line of contact, with international guarantees of its borders
    proposition: A demilitarised zone is set up along the line of contact and guaranteed by the contact group
    aliases: [zone]
parties:
  - id: {NORTH}
    name: The northern delegation to the talks on the zone and on the guarantees the contact group would give
    aliases: [North]
  - id: {GROUP}
    name: The international contact group of guarantor states and observers, chaired by the special envoy
    role: mediator
    aliases: [contact group]
"""
TEXT_ONE = (
    "The northern delegation said it firmly rejects any demilitarised zone along the line of contact unless every "
    "guarantor state signs a binding treaty first, and it will not discuss the matter again this year. "
    "The contact group said it supports a demilitarised zone along the whole line of contact, with monitors. "
    "北方代表团表示坚决反对在接触线上设立非军事区。\n"
)
TEXT_TWO = (
    "After two days of talks the northern delegation said it could accept a narrower demilitarised zone along the "
    "line of contact if monitors from neutral states patrol it, a proposal of its own that softens its line.\n"
)


def write_long_corpus(root: Path) -> tuple[Path, Path]:
    seeds, fixtures = root / "seeds", root / "fixtures"
    seeds.mkdir()
    fixtures.mkdir()
    (fixtures / "catalog.yaml").write_text(CATALOG, encoding="utf-8")
    (seeds / "one.txt").write_text(TEXT_ONE, encoding="utf-8")
    (seeds / "two.txt").write_text(TEXT_TWO, encoding="utf-8")
    (seeds / "articles.yaml").write_text(
        "articles:\n"
        f"  - id: {DAY_ONE}\n    file: one.txt\n    title: {TEXT_ONE[:280].strip()}\n"
        "    published_on: 2026-01-25\n    date_basis: stated\n"
        f"  - id: {DAY_TWO}\n    file: two.txt\n    title: {TEXT_TWO[:280].strip()}\n"
        "    published_on: 2026-02-04\n    date_basis: stated\n",
        encoding="utf-8",
    )
    (fixtures / "one.yaml").write_text(
        f"article: {DAY_ONE}\nevidence:\n"
        f"  - id: {DAY_ONE[:100]}-e1\n    issue: zone\n    party: North\n    stance: opposes\n"
        "    quote: it firmly rejects any demilitarised zone along the line of contact unless every guarantor state "
        "signs a binding treaty first\n"
        f"    speaker: {ENVOY}\n    attribution: reported\n"
        "    condition: unless every guarantor state signs a binding treaty first, which no state has offered\n"
        f"  - id: {DAY_ONE[:100]}-e2\n    issue: zone\n    party: contact group\n    stance: supports\n"
        "    quote: it supports a demilitarised zone along the whole line of contact, with monitors\n"
        f"    speaker: {ENVOY}\n    attribution: direct\n"
        f"  - id: {DAY_ONE[:100]}-e3\n    issue: zone\n    party: North\n    stance: opposes\n"
        "    quote: 北方代表团表示坚决反对在接触线上设立非军事区。\n"
        f"    speaker: {SPEAKER}\n    attribution: direct\n",
        encoding="utf-8",
    )
    (fixtures / "two.yaml").write_text(
        f"article: {DAY_TWO}\nevidence:\n"
        f"  - id: {DAY_TWO[:100]}-e1\n    issue: zone\n    party: North\n    stance: counter_proposal\n"
        "    quote: it could accept a narrower demilitarised zone along the line of contact if monitors from "
        "neutral states patrol it\n"
        f"    speaker: {ENVOY}\n    attribution: reported\n"
        "    condition: if monitors from neutral states patrol it, which the contact group has not yet offered\n",
        encoding="utf-8",
    )
    return seeds, fixtures


LONG_COMMANDS = {
    "state": ("state", "--as-of", "2026-02-06"),
    "diff": ("diff", "2026-01-24", "2026-02-06"),
    "history": ("history",),
    "search": ("search", "zone", "--all"),
}


@pytest.fixture
def long_db(run: Run, db: str, tmp_path: Path) -> str:
    seeds, fixtures = write_long_corpus(tmp_path)
    result = run("--db", db, "ingest", "--seeds", str(seeds), "--fixtures", str(fixtures))
    assert result.exit_code == 0, result.stderr
    return db


@pytest.mark.parametrize("command", sorted(LONG_COMMANDS))
def test_no_line_of_long_names_is_wider_than_asked(command: str, run: Run, long_db: str) -> None:
    records = rows(run, long_db, LONG_COMMANDS[command])
    assert records, "the corpus answers every command"
    whole = never_cut(records)
    for width in WIDTHS:
        result = run("--db", long_db, *LONG_COMMANDS[command], "--width", str(width))
        assert result.exit_code == 0, result.stderr
        check_fits(result.stdout, width, whole)


def test_a_block_shows_every_value_whole(run: Run, long_db: str) -> None:
    output = run("--db", long_db, "history", "--width", "40").stdout
    assert any(RECORD.match(line) for line in output.splitlines()), "too narrow for a table: a block per row"
    assert "a block per row (a table needs --width" in caption_of(output)
    for value in (ENVOY, SPEAKER, DAY_ONE, ZONE, GROUP):
        assert squeezed(value) in squeezed(output)
    assert "…" not in output
    state = run("--db", long_db, "state", "--as-of", "2026-02-06", "--width", "40").stdout
    assert "condition:" in state and "…" not in state
    assert squeezed("if monitors from neutral states patrol it, which the contact group has not yet offered") in (
        squeezed(state)
    )


def test_the_caption_names_what_is_left_out_and_the_width_that_shows_it(run: Run, seeded_db: str) -> None:
    """Where the ids, dates and stances fit, a column another stands for goes first, said in the caption; the
    width it names shows it. Where they do not, a block per row, and the width it names shows a table."""
    seen = set()
    for width in WIDTHS:
        output = run("--db", seeded_db, "history", "--width", str(width)).stdout
        caption = caption_of(output)
        if found := re.search(r"left out to fit: ([a-z ,]+) \(--width (\d+) shows (?:it|them)\)", caption):
            seen.add("left out")
            wider = run("--db", seeded_db, "history", "--width", found.group(2)).stdout
            assert headers_of(wider) >= set(found.group(1).split(", ")), wider
            assert "left out" not in wider
        elif found := re.search(r"a block per row \(a table needs --width (\d+)\)", caption):
            seen.add("blocks")
            assert int(found.group(1)) > width
            table = run("--db", seeded_db, "history", "--width", found.group(1)).stdout
            assert not RECORD.search(table) and widest(table) <= int(found.group(1))
        else:
            seen.add("whole")
            assert headers_of(output) >= {"article", "from", "source"}
    assert seen == {"left out", "blocks", "whole"}


def test_the_other_tables_fit_too(run: Run, seeded_db: str) -> None:
    """The ingest log, the catalogue and the suggestions are fitted as every table is."""
    for command in (("log",), ("catalog",), ("suggest", "kremlin-constructive-spirit")):
        for width in WIDTHS:
            result = run("--db", seeded_db, *command, "--width", str(width))
            assert result.exit_code == 0, result.stderr
            assert widest(result.stdout) <= width, (command, width, result.stdout)


def test_basis_is_never_left_out_without_a_word(run: Run, seeded_db: str) -> None:
    for width in WIDTHS:
        output = run("--db", seeded_db, "state", "--as-of", "2026-02-06", "--width", str(width)).stdout
        assert "basis" in output, width


def test_piped_lines_are_whole(run: Run, seeded_db: str) -> None:
    for command in COMMANDS.values():
        output = run("--db", seeded_db, *command).stdout
        assert "RECORD" not in output and "left out" not in output and "…" not in output


def test_a_width_below_40_is_refused(run: Run, seeded_db: str) -> None:
    for command in (*COMMANDS.values(), ("log",), ("catalog",)):
        result = run("--db", seeded_db, *command, "--width", "39")
        assert result.exit_code == 2, command
        assert "'--width': 39 is not in the range x>=40" in result.stderr, result.stderr


@pytest.mark.parametrize(("columns", "fitted"), [("30", 40), ("100", 100)])
def test_a_terminal_gets_its_width_and_never_less_than_40(
    columns: str, fitted: int, run: Run, seeded_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", columns)
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    terminal = run("--db", seeded_db, "history").stdout
    monkeypatch.undo()
    assert terminal == run("--db", seeded_db, "history", "--width", str(fitted)).stdout


def test_wide_characters_take_two_columns() -> None:
    def table() -> Table:
        return Table(
            "Wide",
            [Column("id", "id"), Column("speaker", "speaker", shrinks=1), Column("quote", "quote", shrinks=2)],
            [{"id": f"e{n}", "speaker": SPEAKER * 3, "quote": TEXT_ONE.split(". ")[-1] * 4} for n in range(3)],
        )

    for width in WIDTHS:
        assert widest(_plain(table(), width)) <= width
