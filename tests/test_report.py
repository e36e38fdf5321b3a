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
from tests.helpers import HOSTILE, Corpus, hostile_corpus
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
    assert [e.id for e in ukraine.evidence] == ["adr1-04", "adr2-05"], "the softening that entered it leads"
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


def test_a_reported_stance_is_compared_with_the_own_word_of_its_moment() -> None:
    day = date(2026, 1, 1)
    moves = [
        said(1, day, "opposes"),
        said(2, day + timedelta(days=5), "counter_proposal"),
        said(3, day + timedelta(days=5), "opposes", "reported"),
    ]
    assert contradictions(moves) == [], "a counter-proposal implies opposes: the report agrees with it"


def test_a_legal_later_move_is_not_a_contradiction() -> None:
    day = date(2026, 1, 1)
    assert contradictions([said(1, day, "supports"), said(2, day + timedelta(days=3), "opposes")]) == []
    later = [said(1, day, "demands"), said(2, day + timedelta(days=10), "agreed", "reported")]
    assert contradictions(later) == [], "a report of a later accept is a move"


def test_a_reported_stance_that_differs_from_the_partys_own_is_a_contradiction() -> None:
    day = date(2026, 1, 1)
    found = contradictions([said(1, day, "supports"), said(2, day, "opposes", "reported")])
    assert [c.kind for c in found] == ["reported_differs"]
    assert "Someone reports opposes" in found[0].explanation
    assert [e.id for e in found[0].evidence] == ["e1", "e2"]
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
    shown = rendered_text(markdown)
    assert "[$accent] [@click=app.quit] [/] done." in shown, "markup-like text renders as itself"
    assert "\\x1b[31mred" in shown, "escape sequences shown as codes"
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
    assert len(timelines) == 5 and len(machines) == 1, "a timeline per issue; the machine drawn once"
    for timeline in timelines:
        lanes = [g.get("data-party") for g in timeline.iter(f"{SVG}g") if g.get("class") == "lane"]
        assert lanes == ["russia", "ukraine", "united_states", "europe", ""], "a lane per party, one for the issue"
    donetsk = timelines[0]
    counted = {
        g.get("data-party"): sum(int(m.get("data-count", "0")) for m in g.iter(f"{SVG}g") if m.get("class") == "mark")
        for g in donetsk.iter(f"{SVG}g")
        if g.get("class") == "lane"
    }
    assert counted == {"russia": 7, "ukraine": 4, "united_states": 0, "europe": 0, "": 6}, (
        "every piece of evidence of each position (Russia, Ukraine) and of the issue is counted on the chart"
    )
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


def test_a_party_filter_keeps_the_issue_status_changes_and_counts_the_changes_it_leaves_out(
    run: Run, seeded_db: str
) -> None:
    args = ("--db", seeded_db, "report", "--as-of", "2026-02-06", "--since", "2026-01-24", "--party", "europe")
    document = json.loads(run(*args, "--format", "json").stdout)
    assert document["changes"] == []
    assert document["changes_left_out"] == [
        {"issue": "donetsk_withdrawal", "party": "ukraine"},
        {"issue": "security_guarantees", "party": "ukraine"},
    ]
    assert "The filter leaves out 2 other changes of position: Ukraine on Donetsk withdrawal and Ukraine on" in (
        run(*args).stdout
    )


# Filters: a filtered briefing says what it shows and what it leaves out, and never calls hidden evidence missing.


def rendered_text(markdown: str) -> str:
    """What a reader sees of a Markdown document: rendered (GFM-like), tags stripped, entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", "", MarkdownIt("gfm-like").render(markdown)))


def test_a_filtered_report_names_its_filters_and_what_they_leave_out(run: Run, seeded_db: str) -> None:
    base = ("--db", seeded_db, "report", "--as-of", "2026-02-06", "--since", "2026-01-24")
    markdown = run(*base, "--party", "europe").stdout
    heading, _, rest = markdown.partition("\n## Positions")
    assert heading.startswith("# 2026 US-brokered Russia-Ukraine talks (filtered: Europe)\n")
    assert "Parties: Europe only. Left out by the filter: Russia, Ukraine and United States" in heading
    assert "No evidence yet" not in markdown, "Russia demands NATO membership: the filter hid it, it is not missing"
    nato = rest.split("### NATO membership (in play)", 1)[1].split("\n### ", 1)[0]
    assert (
        "The position shown (Europe) holds no evidence on this issue; the filter leaves out 1 other party's position "
        "that does: Russia's." in nato
    )
    donetsk = rest.split("### Donetsk withdrawal (deadlocked)", 1)[1].split("\n### ", 1)[0]
    assert "the filter leaves out 2 other parties' positions that do: Russia's and Ukraine's." in donetsk
    guarantees = rest.split("### Security guarantees (in play)", 1)[1].split("\n### ", 1)[0]
    assert "#### Europe: supports" in guarantees
    assert "The filter leaves out 2 other parties' positions on this issue: Ukraine's and United States'." in guarantees

    page = run(*base, "--party", "europe", "--format", "html").stdout
    assert "<h1>2026 US-brokered Russia-Ukraine talks <small>(filtered: Europe)</small></h1>" in page
    assert "Left out by the filter: Russia, Ukraine and United States" in page
    assert "No evidence yet" not in page and "that does: Russia&#x27;s." in page

    document = json.loads(run(*base, "--party", "europe", "--format", "json").stdout)
    assert document["filters"]["parties"] == [{"id": "europe", "name": "Europe", "role": "negotiator"}]
    assert [p["id"] for p in document["filters"]["parties_left_out"]] == ["russia", "ukraine", "united_states"]
    assert document["filters"]["issues_left_out"] == []
    nato_section = next(i for i in document["issues"] if i["issue"] == "nato_membership")
    assert nato_section["positions"] == [] and nato_section["positions_left_out"] == ["russia"]

    by_issue = run(*base, "--issue", "nato").stdout
    assert by_issue.startswith("# 2026 US-brokered Russia-Ukraine talks (filtered: NATO membership)\n")
    assert (
        "Issues: NATO membership only. Left out by the filter: Donetsk withdrawal, Security guarantees, "
        "Zaporizhzhia nuclear plant and Peacekeepers." in by_issue
    )
    both = run(*base, "--issue", "nato", "--party", "europe").stdout
    assert both.startswith("# 2026 US-brokered Russia-Ukraine talks (filtered: Europe on NATO membership)\n")
    assert "Nothing changed among the issues and parties shown." in both and "No evidence yet" not in both


def test_an_unfiltered_report_says_no_evidence_only_where_there_is_none(run: Run, seeded_db: str) -> None:
    document = json.loads(run("--db", seeded_db, "report", "--as-of", "2026-01-22", "--format", "json").stdout)
    assert document["filters"] is None and document["changes_left_out"] == []
    markdown = run("--db", seeded_db, "report", "--as-of", "2026-01-22").stdout
    assert "(filtered" not in markdown and "Filtered." not in markdown and "left out by the filter" not in markdown
    nato = markdown.split("### NATO membership", 1)[1].split("\n### ", 1)[0]
    assert "No evidence yet." in nato, "nothing said about NATO by then, by anyone"


# "What changed" and each position lead with the evidence that moved the stance.


def test_what_changed_leads_with_the_evidence_that_moved_the_stance(run: Run, seeded_db: str) -> None:
    args = ("--db", seeded_db, "report", "--as-of", "2026-02-06", "--since", "2026-01-24")
    document = json.loads(run(*args, "--format", "json").stdout)
    donetsk = document["changes"][0]
    assert (donetsk["issue"], donetsk["party"]) == ("donetsk_withdrawal", "ukraine")
    assert donetsk["moves"][0]["evidence"] == ["adr1-04"]
    assert [e["id"] for e in donetsk["evidence"]] == ["adr1-04", "adr2-05"], "the softening, then the reaffirmation"
    markdown = run(*args).stdout
    change = markdown.split("### Ukraine on Donetsk withdrawal: opposes → counter-proposal\n\n", 1)[1]
    assert change.startswith("> Ukraine said the conflict should be frozen along current front lines")
    guarantees = markdown.split("### Security guarantees: converging → in play\n\n", 1)[1]
    assert guarantees.startswith("Status: converging → in play on 2026-02-05, by the evidence below.\n\n")
    guarantees = guarantees.split("\n\n", 1)[1]
    assert guarantees.startswith("> negotiators grappled with major sticking points"), "what named the issue leads"
    issues = markdown.split("## Issues", 1)[1]
    russia = issues.split("#### Russia: demands since 2026-01-23\n\n", 1)[1]
    assert russia.startswith("> without resolving the territorial issue"), (
        "the first statement leads, not the newest restatement (Russia has decidedly rejected that option.)"
    )
    assert russia.index("Russia has decidedly rejected that option.") < russia.index("Moscow wants Kyiv")


def test_a_long_history_still_leads_with_the_evidence_that_entered_the_stance(
    run: Run, corpus: Corpus, db: str
) -> None:
    """More restatements than a briefing lists: the piece that entered the stance is read and shown first."""
    seeds, fixtures = corpus
    text = (seeds / "000_79293a23b74fa819.txt").read_text(encoding="utf-8")
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", text) if "\n" not in s and len(s) > 20 and text.count(s) == 1]
    assert len(sentences) >= 12
    extra = "".join(
        f"  - id: extra-{n}\n    issue: donetsk_withdrawal\n    party: russia\n    stance: demands\n"
        f"    quote: {json.dumps(sentence)}\n    attribution: analysis\n"
        for n, sentence in enumerate(sentences[:12])
    )
    fixture = fixtures / "kremlin-confirms-abu-dhabi-talks.yaml"
    fixture.write_text(fixture.read_text(encoding="utf-8") + extra, encoding="utf-8")
    ingested = run("--db", db, "ingest", "--seeds", str(seeds), "--fixtures", str(fixtures))
    assert ingested.exit_code == 0, ingested.stderr
    document = json.loads(run("--db", db, "report", "--as-of", "2026-02-06", "--format", "json").stdout)
    russia = next(p for p in document["issues"][0]["positions"] if p["party"] == "russia")
    assert russia["evidence_total"] == 7 + 12
    assert len(russia["evidence"]) == document["quotes_shown"] + 1, "the newest ten, and the one that entered it"
    assert russia["evidence"][0]["move"] == "first_statement"
    assert all(e["move"] == "reaffirm" for e in russia["evidence"][1:])
    markdown = run("--db", db, "report", "--as-of", "2026-02-06").stdout
    assert "… and 8 older piece(s) of evidence" in markdown


# Ids and names: a person reads names and words; ids only as citation handles and in commands.


def test_the_briefing_says_stances_moves_and_sources_in_words(run: Run, seeded_db: str) -> None:
    args = ("--db", seeded_db, "report", "--as-of", "2026-02-06", "--since", "2026-01-24")
    for fmt in ("md", "html"):
        shown = run(*args, "--format", fmt).stdout
        if fmt == "md":
            shown = re.sub(r"`[^`]*`", "", shown)  # ids and commands, as typed
        else:
            shown = html.unescape(re.sub(r"<code>.*?</code>|<style>.*?</style>|<[^>]+>", "", shown, flags=re.S))
        for value in ("counter_proposal", "first_statement", "in_play", "not_on_agenda", "(direct)", "(reported)"):
            assert value not in shown, (fmt, value)
        assert "counter-proposal" in shown and "first statement" in shown and "not on the agenda" in shown
        assert "ukraine (" not in shown and "Ukraine (its own word)" in shown
        assert "Volodymyr Zelensky (Ukraine's own word)" in shown and "reported by Volodymyr Zelensky" in shown


# Markdown: escaped only where Markdown would misread, never where an escape shows.


@pytest.mark.parametrize(
    "quote",
    [
        '"expected to take place on February 1": Monday 2026-01-26.',
        "donetsk_withdrawal and snake_case_names",
        "a 20% stake (or 2 * 3 = 6) - not a list + not a list",
        "Russia's 'red lines' & NATO's #1 goal; 10:30:00 at night",
        "costs $5 to $6 a barrel",
    ],
)
def test_plain_text_needs_no_escapes(quote: str) -> None:
    assert md(quote) == quote


@pytest.mark.parametrize(
    "quote",
    [
        "# not a heading",
        "> not a quote",
        "* not an item",
        "2026. was a year",
        "[label]: http://example.org not a definition",
        "a [link](http://x.example) and ![image](http://x.example/i.png)",
        "<!-- not a comment --> and <http://not.an.autolink> and &copy; &#169;",
        "~~not struck~~ and ~not struck~ and *not em* and __not strong__",
        "trailing backslash \\",
        "a backslash \\* before a star",
        "* 1. - + nested",
        "===",
    ],
)
def test_markup_in_text_renders_as_itself(quote: str) -> None:
    rendered = rendered_text(md(quote)).strip()
    assert rendered == quote
    emphasised = rendered_text(f"*{md(quote)}*")
    assert emphasised.strip() == quote, "inside the briefing's own emphasis too"


def test_github_only_markup_is_escaped() -> None:
    assert md(":smile: and :+1:") == "\\:smile: and \\:+1:", "emoji shortcodes"
    assert md("$x + y$ and $5 or $6") == "\\$x + y$ and $5 or $6", "inline maths, and only it"
    assert md("a | b") == "a | b" and md("a | b", table=True) == "a \\| b", "pipes matter in tables only"
    table = MarkdownIt("gfm-like").render(f"| h |\n| --- |\n| {md('a | b `c` d', table=True)} |\n")
    assert "<td>a | b `c` d</td>" in table


def test_the_briefing_shows_no_stray_escapes(run: Run, seeded_db: str) -> None:
    markdown = run("--db", seeded_db, "report", "--as-of", "2026-02-06", "--since", "2026-01-24").stdout
    assert "\\" not in markdown, "nothing in the bundled corpus needs an escape"
    shown = rendered_text(markdown)
    assert '"expected to take place on February 1": Monday 2026-01-26.' in shown
    assert "\\" not in shown


# Sources: the URL when there is one; said so when there is none.


def test_sources_show_each_url_or_say_there_is_none(run: Run, seeded_db: str, tmp_path: Path) -> None:
    markdown = run("--db", seeded_db, "report", "--as-of", "2026-02-06").stdout
    assert "| Article | Outlet | Date | URL | Evidence |" in markdown
    assert markdown.count("| none recorded |") == 5
    assert "No URLs are recorded for 5 of these articles: the outlet, title and date identify them." in markdown
    page = run("--db", seeded_db, "report", "--as-of", "2026-02-06", "--format", "html").stdout
    assert page.count("<em>none recorded</em>") == 5 and "href=" not in page

    seeds, fixtures = hostile_corpus(tmp_path)
    index = seeds / "articles.yaml"
    url = "https://news.example/a_b/c?d=1&e=*f*"
    index.write_text(index.read_text() + f"    url: {json.dumps(url)}\n", encoding="utf-8")
    db = str(tmp_path / "with-url.db")
    assert run("--db", db, "ingest", "--seeds", str(seeds), "--fixtures", str(fixtures)).exit_code == 0
    markdown = run("--db", db, "report", "--as-of", "2026-02-06").stdout
    assert f"| <{url}> |" in markdown, "an autolink, unescaped: escapes would show in it"
    assert f'href="{url.replace("&", "&amp;")}"' in MarkdownIt("gfm-like").render(markdown)
    page = run("--db", db, "report", "--as-of", "2026-02-06", "--format", "html").stdout
    assert f'<a href="{url.replace("&", "&amp;")}" rel="noopener noreferrer">' in page
    ElementTree.fromstring(page.split("\n", 1)[1])

    index.write_text(index.read_text().replace(json.dumps(url), json.dumps("javascript:alert(1)")), encoding="utf-8")
    assert run("--db", db, "ingest", "--seeds", str(seeds), "--fixtures", str(fixtures)).exit_code == 0
    markdown = run("--db", db, "report", "--as-of", "2026-02-06").stdout
    assert "| `` javascript:alert(1) `` |" in markdown or "| ` javascript:alert(1) ` |" in markdown
    assert "<javascript:" not in markdown and 'href="javascript' not in MarkdownIt("gfm-like").render(markdown)
    page = run("--db", db, "report", "--as-of", "2026-02-06", "--format", "html").stdout
    assert "href=" not in page and "<code>javascript:alert(1)</code>" in page
