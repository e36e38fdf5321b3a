"""The briefing's content, as data: the same facts as the CLI's queries, its contradictions, its sources."""

from __future__ import annotations

import html
import json
import os
import re
from datetime import date, timedelta
from pathlib import Path
from xml.etree import ElementTree

import jsonschema
import pytest
from markdown_it import MarkdownIt

from tests.conftest import GOLDEN, Run, reading
from tests.helpers import HOSTILE, hostile_corpus
from tracker.domain.machines import Stance
from tracker.read.briefing import build_report, contradictions
from tracker.read.models import EvidenceRef, HistoryMove
from tracker.render.markdown import md


def report(db: str, as_of: date, since: date | None = None):  # type: ignore[no-untyped-def]
    with reading(db) as held:
        return build_report(held, as_of, since)


def test_the_briefing_holds_the_matrix_the_changes_and_the_sources(seeded_db: str) -> None:
    briefing = report(seeded_db, date(2026, 2, 6), date(2026, 1, 24))
    assert (briefing.corpus.articles, briefing.corpus.evidence) == (5, 32)
    assert (briefing.corpus.first_said_on, briefing.corpus.last_said_on) == (date(2026, 1, 22), date(2026, 2, 5))
    assert [p.id for p in briefing.parties] == ["russia", "ukraine", "united_states", "europe"]
    donetsk = briefing.matrix[0]
    assert donetsk.issue == "donetsk_withdrawal" and donetsk.status == "deadlocked"
    assert donetsk.cells["ukraine"].stance is Stance.COUNTER_PROPOSAL
    assert donetsk.cells["ukraine"].since == date(2026, 2, 5)
    assert [(c.issue, c.party, c.stance_from, c.stance_to) for c in briefing.changes] == [
        ("donetsk_withdrawal", "ukraine", Stance.OPPOSES, Stance.COUNTER_PROPOSAL),
        ("security_guarantees", "ukraine", Stance.AGREED, Stance.SUPPORTS),
    ]
    assert [c.issue for c in briefing.issue_changes] == ["security_guarantees", "znpp"]
    assert [(s.id, s.date_inferred) for s in briefing.sources] == [
        ("kremlin-confirms-abu-dhabi-talks", True),
        ("no-lasting-peace-without-territory", False),
        ("kremlin-constructive-spirit", True),
        ("abu-dhabi-round-two-day-one", False),
        ("abu-dhabi-round-two-day-two", True),
    ]
    assert sum(s.evidence for s in briefing.sources) == 32


def test_each_issue_has_its_proposition_positions_quotes_and_moves(seeded_db: str) -> None:
    briefing = report(seeded_db, date(2026, 2, 6))
    donetsk = briefing.issues[0]
    assert donetsk.proposition.startswith("Ukraine withdraws its forces")
    assert [p.party for p in donetsk.positions] == ["russia", "ukraine"], "unknown ones left out"
    ukraine = donetsk.positions[1]
    assert [e.id for e in ukraine.evidence] == ["adr1-04", "adr2-05"]
    assert [m.move for m in ukraine.moves] == ["first_statement", "reaffirm", "soften", "reaffirm"]
    assert briefing.issues[3].issue == "znpp" and briefing.issues[3].positions == []
    assert [e.id for e in briefing.issues[3].issue_evidence] == ["adr1-02"]


def test_moves_after_the_report_date_are_left_out(seeded_db: str) -> None:
    briefing = report(seeded_db, date(2026, 1, 24))
    ukraine = briefing.issues[0].positions[1]
    assert ukraine.stance is Stance.OPPOSES
    assert all(m.date <= date(2026, 1, 24) for m in ukraine.moves) and len(ukraine.moves) == 2
    assert briefing.changes == [] and briefing.since is None
    assert briefing.corpus.last_said_on == date(2026, 1, 23) and briefing.corpus.evidence < 31
    assert "abu-dhabi-round-two-day-one" not in [s.id for s in briefing.sources], "published after, nothing said by"
    assert briefing.corpus.articles == len(briefing.sources) == 3


def test_the_same_database_and_arguments_give_the_same_report(seeded_db: str) -> None:
    assert report(seeded_db, date(2026, 2, 6), date(2026, 1, 24)) == report(
        seeded_db, date(2026, 2, 6), date(2026, 1, 24)
    )


def said(n: int, on: date, stance: str, attribution: str = "direct", mode: str = "asserted") -> HistoryMove:
    evidence = EvidenceRef(
        id=f"e{n}",
        article="a",
        article_title="A",
        date=on,
        quote=f"quote {n}",
        speaker="Someone" if attribution == "reported" else None,
        attribution=attribution,
        mode=mode,
        stance=stance,
        start=0,
        end=1,
    )
    return HistoryMove(
        issue="i",
        party="p",
        date=on,
        move="reaffirm",
        stance_from=Stance.UNKNOWN,
        stance_to=Stance(stance),
        evidence=evidence,
    )


def test_accepting_a_deal_is_not_a_contradiction() -> None:
    day = date(2026, 1, 1)
    assert contradictions([said(1, day, "counter_proposal"), said(2, day, "agreed")]) == []


def test_a_reported_stance_is_compared_with_the_nearest_own_statement_once() -> None:
    day = date(2026, 1, 1)
    moves = [
        said(1, day, "opposes"),
        said(2, day + timedelta(days=5), "counter_proposal"),
        said(3, day + timedelta(days=6), "counter_proposal", "reported"),
    ]
    assert contradictions(moves) == [], "the party's nearest statement agrees with the report"


def test_opposite_sides_within_the_window_are_a_contradiction() -> None:
    day = date(2026, 1, 1)
    found = contradictions([said(1, day, "supports"), said(2, day + timedelta(days=3), "opposes")])
    assert [(c.kind, [e.id for e in c.evidence]) for c in found] == [("opposite_sides", ["e1", "e2"])]
    assert contradictions([said(1, day, "supports"), said(2, day + timedelta(days=30), "opposes")]) == []
    assert contradictions([said(1, day, "supports"), said(2, day, "open")]) == [], "open is on neither side"


def test_a_reported_stance_that_differs_from_the_partys_own_is_a_contradiction() -> None:
    day = date(2026, 1, 1)
    found = contradictions([said(1, day, "supports"), said(2, day + timedelta(days=1), "agreed", "reported")])
    assert [c.kind for c in found] == ["reported_differs"]
    assert "Someone reports agreed" in found[0].explanation
    same = [said(1, day, "agreed"), said(2, day, "agreed", "reported")]
    assert contradictions(same) == []
    hypothetical = [said(1, day, "supports"), said(2, day, "opposes", mode="hypothetical")]
    assert contradictions(hypothetical) == [], "only asserted evidence counts"


# The command: golden files, determinism, output to a file, untrusted text.

GOLDEN_REPORT = GOLDEN / "report"


@pytest.mark.parametrize("fmt", ["md", "html", "json"])
def test_report_matches_its_golden_file(run: Run, seeded_db: str, fmt: str) -> None:
    result = run("--db", seeded_db, "report", "--as-of", "2026-02-06", "--since", "2026-01-24", "--format", fmt)
    assert result.exit_code == 0, result.stderr
    golden = GOLDEN_REPORT / f"briefing.{fmt}"
    if os.environ.get("TRACKER_UPDATE_GOLDEN"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(result.stdout, encoding="utf-8")
        pytest.skip(f"rewrote {golden}")
    assert result.stdout == golden.read_text(encoding="utf-8")


def test_report_json_follows_its_published_schema(run: Run, seeded_db: str) -> None:
    schema = json.loads(run("schema", "report").stdout)
    document = json.loads(run("--db", seeded_db, "report", "--as-of", "2026-02-06", "--format", "json").stdout)
    jsonschema.validate(document, schema)
    assert document["as_of"] == "2026-02-06" and document["since"] is None


def test_report_is_byte_identical_and_written_where_asked(run: Run, seeded_db: str, tmp_path: Path) -> None:
    args = ("--db", seeded_db, "report", "--as-of", "2026-02-06", "--since", "2026-01-24")
    first, second = run(*args).stdout, run(*args, "-o", "-").stdout
    assert first == second
    written = tmp_path / "briefing.md"
    result = run(*args, "-o", str(written))
    assert result.exit_code == 0 and result.stdout == "" and written.read_text(encoding="utf-8") == first


def test_report_refuses_a_since_after_its_date(run: Run, seeded_db: str) -> None:
    result = run("--db", seeded_db, "report", "--as-of", "2026-01-24", "--since", "2026-02-06")
    assert result.exit_code == 2 and "--since (2026-02-06) is after --as-of (2026-01-24)" in result.stderr


def test_report_shows_article_text_literally(run: Run, tmp_path: Path) -> None:
    seeds, fixtures = hostile_corpus(tmp_path)
    db = str(tmp_path / "hostile.db")
    assert run("--db", db, "ingest", "--seeds", str(seeds), "--fixtures", str(fixtures)).exit_code == 0
    markdown = run("--db", db, "report", "--as-of", "2026-02-06").stdout
    assert "\x1b" not in markdown and "\u202e" not in markdown
    assert "\\[$accent\\] \\[@click=app.quit\\] \\[/\\]" in markdown.replace("\\$", "$"), "markup escaped"
    assert "\\x1b\\[31mred" in markdown, "escape sequences shown as codes"
    document = json.loads(run("--db", db, "report", "--as-of", "2026-02-06", "--format", "json").stdout)
    quotes = [e["quote"] for i in document["issues"] for p in i["positions"] for e in p["evidence"]]
    assert quotes == [HOSTILE], "JSON carries the exact text"


SVG = "{http://www.w3.org/2000/svg}"
XHTML = "{http://www.w3.org/1999/xhtml}"


def test_html_is_well_formed_self_contained_and_charts_a_lane_per_party(run: Run, seeded_db: str) -> None:
    page = run("--db", seeded_db, "report", "--as-of", "2026-02-06", "--since", "2026-01-24", "--format", "html").stdout
    root = ElementTree.fromstring(page.split("\n", 1)[1])  # after the doctype: well-formed XML, or this raises
    assert root.tag == f"{XHTML}html"
    assert not re.search(r"(src|href)=|@import|url\((?!#)", page), "nothing is loaded from anywhere"
    timelines = [svg for svg in root.iter(f"{SVG}svg") if svg.get("class") == "timeline"]
    machines = [svg for svg in root.iter(f"{SVG}svg") if svg.get("class") == "machine"]
    assert len(timelines) == len(machines) == 5, "a chart and a machine per issue"
    for timeline in timelines:
        lanes = [g.get("data-party") for g in timeline.iter(f"{SVG}g") if g.get("class") == "lane"]
        assert lanes == ["russia", "ukraine", "united_states", "europe"]
    donetsk = timelines[0]
    marks = [c for c in donetsk.iter(f"{SVG}circle") if c.get("class") == "evidence"]
    assert len(marks) == 7 + 4, "a mark per piece of evidence of each position (Russia, Ukraine)"
    states = [g.get("data-stance") for g in machines[0].iter(f"{SVG}g") if g.get("class") == "state"]
    assert sorted(states) == sorted(s.value for s in Stance)


def test_html_escapes_article_text(run: Run, tmp_path: Path) -> None:
    seeds, fixtures = hostile_corpus(tmp_path)
    hostile = tmp_path / "seeds" / "hostile.txt"
    hostile.write_text(hostile.read_text() + "<script>alert(1)</script> & <b>bold</b>\n", encoding="utf-8")
    fixture = tmp_path / "fixtures" / "hostile.yaml"
    fixture.write_text(
        fixture.read_text()
        + "  - id: h2\n    issue: znpp\n    party: russia\n    stance: opposes\n"
        + '    quote: "<script>alert(1)</script> & <b>bold</b>"\n    attribution: direct\n',
        encoding="utf-8",
    )
    db = str(tmp_path / "hostile.db")
    assert run("--db", db, "ingest", "--seeds", str(seeds), "--fixtures", str(fixtures)).exit_code == 0
    page = run("--db", db, "report", "--as-of", "2026-02-06", "--format", "html").stdout
    ElementTree.fromstring(page.split("\n", 1)[1])
    assert "<script>" not in page and "<b>bold" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in page
    assert "\x1b" not in page and "\u202e" not in page and "[@click=app.quit]" in page


@pytest.mark.parametrize(
    "quote",
    [
        "1. We reject the plan",
        "- a list? no",
        "AT&amp;T said :smile: and 2^3 [x](http://example.org) <b>bold</b> *not* _this_ `code` # no | pipe",
        "a line\nbreak\tand a tab",
        "+ = ! $ ~ > quote",
    ],
)
def test_markdown_text_renders_as_itself(quote: str) -> None:
    """Rendered by a CommonMark parser, the escaped text reads exactly as the original (whitespace folded)."""
    rendered = MarkdownIt("gfm-like").render(md(quote))
    shown = html.unescape(re.sub(r"<[^>]+>", "", rendered)).strip()
    assert shown == " ".join(quote.split())


def test_a_party_filter_keeps_the_issue_status_changes(run: Run, seeded_db: str) -> None:
    document = json.loads(
        run(
            "--db",
            seeded_db,
            "report",
            "--as-of",
            "2026-02-06",
            "--since",
            "2026-01-24",
            "--party",
            "russia",
            "--format",
            "json",
        ).stdout
    )
    assert [c["issue"] for c in document["issue_changes"]] == ["security_guarantees", "znpp"]
    assert document["changes"] == [], "Russia's stances did not change"
