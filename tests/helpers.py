"""Helpers shared by the test files: editing a corpus, and small corpora written for a test.

Plain functions and constants, imported as `from tests.helpers import ...`; fixtures live in `conftest.py`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tests.conftest import NewDb, Run

Corpus = tuple[Path, Path]  # (seeds, fixtures)

KCS = "kremlin-constructive-spirit.yaml"  # a fixture of the bundled corpus
BUNDLED_CATALOG = Path(__file__).resolve().parent.parent / "fixtures" / "catalog.yaml"


def edit(path: Path, old: str, new: str) -> None:
    """Replace `old`, which must occur exactly once in the file, with `new`."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} should occur once in {path.name}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def line_of(path: Path, marker: str) -> int:
    """The line of the last occurrence of `marker` (a duplicate is reported where it repeats)."""
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    return max(n for n, line in enumerate(lines, 1) if marker in line)


def write_trade_talks(root: Path) -> Corpus:
    """Another negotiation with its own catalogue: one article, the EU demanding and China opposing (2030-05-01)."""
    seeds, fixtures = root / "seeds", root / "fixtures"
    seeds.mkdir()
    fixtures.mkdir()
    (fixtures / "catalog.yaml").write_text(
        "title: Steel trade talks\n"
        "issues:\n"
        "  - id: steel_tariffs\n    title: Steel tariffs\n    proposition: Tariffs on steel are removed\n"
        "    aliases: [steel]\n"
        "parties:\n"
        "  - id: eu\n    name: European Union\n    aliases: [Brussels]\n"
        "  - id: china\n    name: China\n    aliases: [Beijing]\n"
    )
    (seeds / "brief.txt").write_text(
        "Brussels said it insists on removing steel tariffs. Beijing rejected the idea outright.\n"
    )
    (seeds / "articles.yaml").write_text(
        "articles:\n  - id: brief\n    file: brief.txt\n    title: Steel brief\n    published_on: 2030-05-01\n"
        "    date_basis: inferred\n    date_evidence: the coder's note\n"
    )
    (fixtures / "brief.yaml").write_text(
        "article: brief\nevidence:\n"
        "  - id: b1\n    issue: steel\n    party: Brussels\n    stance: demands\n"
        "    quote: it insists on removing steel tariffs\n    attribution: direct\n"
        "  - id: b2\n    issue: steel_tariffs\n    party: china\n    stance: opposes\n"
        "    quote: Beijing rejected the idea outright\n    attribution: analysis\n"
    )
    return seeds, fixtures


def write_big_catalogue(root: Path, issues: int = 50, parties: int = 20) -> Corpus:
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


# Untrusted article text: escape sequences, a hyperlink, a bidi override, a spreadsheet formula, Textual markup.
HOSTILE = (
    '=HYPERLINK("http://x.example/","Kyiv agrees") said \x1b[31mred\x1b[0m and \x1b]8;;http://x.example\x07link'
    "\x1b]8;;\x07 then \u202eesrever\u202c and [$accent] [@click=app.quit] [/] done."
)
MORE_HOSTILE = HOSTILE + " \x08\x7f\x9b31m\x1bP+q\x1b\\ \u200fmark\u200e <script>alert(1)</script> & <b>bold</b>"
LONG_LINE = "word " * 20_000  # a 100,000-character line before the quote, on the same line


def hostile_corpus(root: Path) -> Corpus:
    """A corpus of one article whose whole text, HOSTILE, is quoted as Ukraine's support on znpp (2026-02-01)."""
    seeds, fixtures = root / "seeds", root / "fixtures"
    seeds.mkdir()
    fixtures.mkdir()
    (seeds / "hostile.txt").write_text(HOSTILE + "\n", encoding="utf-8")
    (fixtures / "catalog.yaml").write_bytes(BUNDLED_CATALOG.read_bytes())
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


def ingest_long_hostile_corpus(root: Path, run: Run, new_db: NewDb) -> str:
    """A database of one article whose quote, full of hostile text, ends a 100,000-character line."""
    seeds, fixtures = hostile_corpus(root)
    (seeds / "hostile.txt").write_text(LONG_LINE + MORE_HOSTILE + "\n", encoding="utf-8")
    fixture = fixtures / "hostile.yaml"
    fixture.write_text(fixture.read_text().replace(json.dumps(HOSTILE), json.dumps(MORE_HOSTILE)), encoding="utf-8")
    db = new_db("hostile-long")
    assert run("--db", db, "ingest", "--seeds", str(seeds), "--fixtures", str(fixtures)).exit_code == 0
    return db
