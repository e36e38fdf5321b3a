"""Article text is untrusted: no escape sequence, bidi override or spreadsheet formula in it ever acts."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from tests.conftest import NewDb, Run

HOSTILE = (
    '=HYPERLINK("http://x.example/","Kyiv agrees") said \x1b[31mred\x1b[0m and \x1b]8;;http://x.example\x07link'
    "\x1b]8;;\x07 then \u202eesrever\u202c and [$accent] [@click=app.quit] [/] done."
)


def hostile_corpus(root: Path) -> tuple[Path, Path]:
    seeds, fixtures = root / "seeds", root / "fixtures"
    seeds.mkdir()
    fixtures.mkdir()
    (seeds / "hostile.txt").write_text(HOSTILE + "\n", encoding="utf-8")
    (seeds / "articles.yaml").write_text(
        "articles:\n  - id: hostile\n    file: hostile.txt\n    title: Hostile text\n    published_on: 2026-02-01\n"
        "    date_basis: stated\n"
    )
    quote = json.dumps(HOSTILE)  # a YAML double-quoted scalar takes JSON escapes
    (fixtures / "hostile.yaml").write_text(
        "article: hostile\nevidence:\n"
        f"  - id: h1\n    issue: znpp\n    party: ukraine\n    stance: supports\n    quote: {quote}\n"
        "    attribution: direct\n",
        encoding="utf-8",
    )
    return seeds, fixtures


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
    [row] = list(csv.DictReader(io.StringIO(run("--db", db, "history", "--format", "csv").stdout)))
    assert row["quote"].startswith("'=HYPERLINK("), "a spreadsheet shows the formula as text"
    moves = json.loads(run("--db", db, "history", "--format", "json").stdout)["moves"]
    assert moves[0]["evidence"]["quote"] == HOSTILE, "JSON carries the exact text, escaped"
