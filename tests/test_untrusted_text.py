"""Article text is untrusted: no escape sequence, bidi override or spreadsheet formula in it ever acts."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from tests.conftest import NewDb, Run
from tests.helpers import HOSTILE, MORE_HOSTILE, hostile_corpus, ingest_long_hostile_corpus


def test_hostile_text_is_inert_in_every_format(tmp_path: Path, run: Run, new_db: NewDb) -> None:
    seeds, fixtures = hostile_corpus(tmp_path)
    db = new_db("hostile")
    ingested = run("--db", db, "ingest", "--seeds", str(seeds), "--fixtures", str(fixtures))
    assert ingested.exit_code == 0, ingested.stderr
    for fmt in ("table", "csv", "md", "json"):
        out = run("--db", db, "history", "--format", fmt).stdout
        assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out, fmt
    table = run("--db", db, "history").stdout
    assert "\\x1b[31mred\\x1b[0m" in table and "<U+202E>esrever<U+202C>" in table
    assert "[$accent] [@click=app.quit] [/]" in table, "markup-like text is shown as it is"
    rows = csv.DictReader(io.StringIO(run("--db", db, "history", "--format", "csv").stdout))
    [row] = [row for row in rows if row["party"] == "ukraine"]
    assert row["quote"].startswith("'=HYPERLINK("), "a spreadsheet shows the formula as text"
    moves = json.loads(run("--db", db, "history", "--format", "json").stdout)["moves"]
    assert moves[0]["evidence"]["quote"] == HOSTILE, "JSON carries the exact text, escaped"


def test_hostile_text_on_a_100000_character_line_is_inert_in_the_cli_and_the_reports(
    tmp_path: Path, run: Run, new_db: NewDb
) -> None:
    db = ingest_long_hostile_corpus(tmp_path, run, new_db)
    raw_controls = ("\x1b", "\x07", "\x08", "\x7f", "\x9b", "\u202e", "\u200f", "\u200e")
    outputs = {}
    for command in (["state", "--as-of", "2026-02-01"], ["history"], ["diff", "2026-01-01", "2026-02-01"]):
        for fmt in ("table", "csv", "md", "json"):
            outputs[f"{command[0]} {fmt}"] = run("--db", db, *command, "--format", fmt).stdout
    for fmt in ("md", "html", "json"):
        outputs[f"report {fmt}"] = run("--db", db, "report", "--as-of", "2026-02-01", "--format", fmt).stdout
    for name, out in outputs.items():
        assert out, name
        assert not any(c in out for c in raw_controls), f"{name} passes a control character through"
    html = outputs["report html"]
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>bold</b>" not in html and "&amp;" in html
    assert "<script>" not in outputs["report md"] and "\\<script\\>alert(1)\\</script\\>" in outputs["report md"]
    moves = json.loads(outputs["history json"])["moves"]
    assert moves[0]["evidence"]["quote"] == MORE_HOSTILE, "JSON carries the exact text, escaped"


ESCAPES = "\x1b]0;owned\x07\x1b[2J\x9b31m\u202e"


@pytest.mark.parametrize(
    "args",
    [
        ("state", "--party", ESCAPES),
        ("state", "--issue", ESCAPES),
        ("state", "--format", ESCAPES),
        ("state", "--as-of", ESCAPES),
        ("diff", ESCAPES, "2026-02-06"),
        ("report", "-o", f"{ESCAPES}/x.md"),
        ("no-such-command" + ESCAPES,),
    ],
)
def test_values_typed_on_the_command_line_are_echoed_inert(args: tuple[str, ...], run: Run, seeded_db: str) -> None:
    result = run("--db", seeded_db, *args)
    assert result.exit_code == 2, result
    assert "\\x1b]0;owned\\x07\\x1b[2J" in result.stderr, "shown, as visible codes"
    assert not any(c in result.stderr for c in "\x1b\x07\x9b\u202e"), result.stderr


def test_a_database_path_with_escape_sequences_is_named_inert(run: Run, tmp_path: Path) -> None:
    folder = tmp_path / f"db{ESCAPES}"
    folder.mkdir()
    db = str(folder / "t.db")
    for result in (run("--db", db, "ingest"), run("--db", db, "ingest"), run("--db", str(folder / "x.db"), "state")):
        assert result.stderr and not any(c in result.stderr for c in "\x1b\x07\x9b\u202e"), result.stderr
        assert "\\x1b]0;owned\\x07" in result.stderr
