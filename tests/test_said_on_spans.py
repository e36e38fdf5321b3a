"""`said_on` as an EDTF date (issue 21, point 3): a month, an interval, an uncertain day.

Evidence counts from the end of its span in as-of answers and is replayed by
that end; it is shown as written. A synthetic corpus: a bridge toll argued in
February, coded with days, a month, an interval and an uncertain day.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from tests.conftest import Run
from tracker.ingest.corpus import load_corpus

CATALOG = """\
title: Bridge toll talks
issues:
  - id: toll
    title: Toll
    proposition: The bridge toll is lifted
  - id: ferry
    title: Ferry
    proposition: The night ferry runs again
parties:
  - id: east
    name: East
  - id: west
    name: West
"""
TEXT = (
    "East rejected lifting the toll on 10 February. "
    "Some time in February East said the toll could be discussed. "
    "On 20 February East again rejected lifting the toll. "
    "Over the two days of talks West backed lifting the toll. "
    "West, it seems on 25 February, called the toll negotiable. "
    "West wants the night ferry back.\n"
)
ARTICLES = """\
articles:
  - id: bridge
    file: bridge.txt
    title: Bridge talks
    published_on: 2026-03-05
    date_basis: stated
"""
# (id, issue, party, stance, quote, said_on as written in YAML; None: the article's date)
EVIDENCE = [
    ("b1", "toll", "east", "opposes", "East rejected lifting the toll on 10 February.", "2026-02-10"),
    ("b2", "toll", "east", "open", "Some time in February East said the toll could be discussed.", "2026-02"),
    ("b3", "toll", "east", "opposes", "On 20 February East again rejected lifting the toll.", "2026-02-20"),
    (
        "b4",
        "toll",
        "west",
        "supports",
        "Over the two days of talks West backed lifting the toll.",
        "2026-02-17/2026-02-18",
    ),
    ("b5", "toll", "west", "open", "West, it seems on 25 February, called the toll negotiable.", "'2026-02-25?'"),
    ("b6", "ferry", "west", "demands", "West wants the night ferry back.", None),
]


def _items(evidence: list[tuple[str, str, str, str, str, str | None]]) -> str:
    items = ""
    for id_, issue, party, stance, quote, said_on in evidence:
        items += f"  - id: {id_}\n    issue: {issue}\n    party: {party}\n    stance: {stance}\n"
        items += f"    quote: {quote}\n    attribution: direct\n"
        if said_on is not None:
            items += f"    said_on: {said_on}\n"
    return items


@pytest.fixture
def bridge(tmp_path: Path) -> tuple[Path, Path]:
    seeds, fixtures = tmp_path / "seeds", tmp_path / "fixtures"
    seeds.mkdir()
    fixtures.mkdir()
    (fixtures / "catalog.yaml").write_text(CATALOG, encoding="utf-8")
    (seeds / "bridge.txt").write_text(TEXT, encoding="utf-8")
    (seeds / "articles.yaml").write_text(ARTICLES, encoding="utf-8")
    (fixtures / "bridge.yaml").write_text(f"article: bridge\nevidence:\n{_items(EVIDENCE)}", encoding="utf-8")
    return seeds, fixtures


@pytest.fixture
def bridge_db(run: Run, db: str, bridge: tuple[Path, Path]) -> str:
    seeds, fixtures = bridge
    result = run("--db", db, "ingest", "--seeds", str(seeds), "--fixtures", str(fixtures))
    assert result.exit_code == 0, result.stderr
    return db


def _state(run: Run, db: str, as_of: str) -> dict[str, dict[str, object]]:
    result = run("--db", db, "state", "--as-of", as_of, "--format", "json", "--evidence", "all")
    assert result.exit_code == 0, result.stderr
    return {f"{p['issue']}/{p['party']}": p for p in json.loads(result.stdout)["positions"]}


def test_a_month_counts_from_its_last_day_and_orders_after_that_months_days(run: Run, bridge_db: str) -> None:
    # Before the month's end, the month-precise word is not yet counted: the days of February stand.
    before = _state(run, bridge_db, "2026-02-27")["toll/east"]
    assert (before["stance"], before["since"]) == ("opposes", "2026-02-10")
    # From its last day, it counts; and it comes after the day-precise rejection of 20 February (replayed first,
    # a reaffirmation), so East ends open, not opposed.
    after = _state(run, bridge_db, "2026-02-28")["toll/east"]
    assert (after["stance"], after["since"]) == ("open", "2026-02-28")
    assert after["since_exact"] is False, "said some time in February: held by its end, not from it"
    assert before["since_exact"] is True
    [shown] = after["evidence"]
    assert (shown["id"], shown["date"], shown["said_on"]) == ("b2", "2026-02-28", "2026-02")
    history = json.loads(
        run("--db", bridge_db, "history", "--issue", "toll", "--party", "east", "--format", "json").stdout
    )
    text = json.dumps(history)
    assert text.index('"b1"') < text.index('"b3"') < text.index('"b2"')


def test_an_interval_counts_from_its_end(run: Run, bridge_db: str) -> None:
    assert _state(run, bridge_db, "2026-02-17")["toll/west"]["stance"] == "unknown"
    west = _state(run, bridge_db, "2026-02-18")["toll/west"]
    assert (west["stance"], west["since"], west["since_exact"]) == ("supports", "2026-02-18", False)
    row = next(
        line
        for line in run("--db", bridge_db, "state", "--issue", "toll", "--as-of", "2026-02-18").stdout.splitlines()
        if line.startswith("west ")  # the issue, the same on every row, is said in the caption
    )
    assert " supports  by 2026-02-18 " in row, "the table says the stance is known held by the span's end"
    [shown] = west["evidence"]
    assert (shown["date"], shown["said_on"]) == ("2026-02-18", "2026-02-17/2026-02-18")


def test_an_uncertain_day_counts_on_that_day_and_is_shown_with_its_mark(run: Run, bridge_db: str) -> None:
    west = _state(run, bridge_db, "2026-02-25")["toll/west"]
    assert (west["stance"], west["since"]) == ("open", "2026-02-25")
    assert west["evidence"][0]["said_on"] == "2026-02-25?"
    # A plain day is shown as the day it is: no `said_on` beside its `date`.
    ferry = _state(run, bridge_db, "2026-03-05")["ferry/west"]
    assert "said_on" not in ferry["evidence"][0] and ferry["evidence"][0]["date"] == "2026-03-05"


def test_every_view_shows_the_date_as_written(run: Run, bridge_db: str) -> None:
    table = run("--db", bridge_db, "state", "--issue", "toll").stdout
    assert "2026-02" in table
    shown = run("--db", bridge_db, "show", "b4").stdout
    assert "2026-02-17/2026-02-18" in shown
    briefing = ("report", "--as-of", "2026-03-05", "--since", "2026-02-01")
    report = run("--db", bridge_db, *briefing, "--format", "md").stdout
    assert "*Bridge talks*, 2026-02 (`b2`" in report and "*Bridge talks*, 2026-02-17/2026-02-18 (`b4`" in report
    html = run("--db", bridge_db, *briefing, "--format", "html").stdout
    assert "2026-02-25? (<code>b5</code>" in html
    found = run("--db", bridge_db, "search", "discussed").stdout
    assert " b2  2026-02  toll " in found


def test_w3c_export_carries_the_date_as_written_and_imports_it_back_unchanged(
    run: Run, bridge_db: str, bridge: tuple[Path, Path], tmp_path: Path
) -> None:
    out = tmp_path / "annotations.jsonld"
    result = run("--db", bridge_db, "export", "--format", "w3c", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    bodies = {
        a["body"]["evidence_id"]: a["body"] for a in json.loads(out.read_text(encoding="utf-8"))["first"]["items"]
    }
    assert (bodies["b2"]["said_on"], bodies["b2"]["said_on_end"]) == ("2026-02", "2026-02-28")
    assert (bodies["b1"]["said_on"], "said_on_end" in bodies["b1"]) == ("2026-02-10", False)
    seeds, fixtures = bridge
    before = (fixtures / "bridge.yaml").read_text(encoding="utf-8")
    imported = run("import", "--format", "w3c", str(out), "--seeds", str(seeds), "--fixtures", str(fixtures))
    assert imported.exit_code == 0, imported.stderr
    assert (fixtures / "bridge.yaml").read_text(encoding="utf-8") == before  # each annotation codes as the file
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    (fresh / "catalog.yaml").write_text(CATALOG, encoding="utf-8")
    imported = run("import", "--format", "w3c", str(out), "--seeds", str(seeds), "--fixtures", str(fresh))
    assert imported.exit_code == 0, imported.stderr
    coded = {e.id: (e.said_on, e.said_on_written) for e in load_corpus(seeds, fresh).evidence}
    assert coded == {e.id: (e.said_on, e.said_on_written) for e in load_corpus(seeds, fixtures).evidence}
    assert coded["b5"] == (date(2026, 2, 25), "2026-02-25?")


@pytest.mark.parametrize(
    ("said_on", "message"),
    [
        ("2026-2-17", "a month and a day have two digits each"),
        ("February 2026", "is not an EDTF date"),
        ("2026-02-30", "not a day of the calendar"),
        ("2026-02-17/..", "has no end"),
        ("2026-21", "is a season"),
    ],
)
def test_a_malformed_date_is_located_and_told_with_the_accepted_forms(
    run: Run, bridge: tuple[Path, Path], said_on: str, message: str
) -> None:
    seeds, fixtures = bridge
    path = fixtures / "bridge.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("said_on: 2026-02\n", f"said_on: {said_on}\n"), "utf-8")
    line = path.read_text(encoding="utf-8").splitlines().index(f"    said_on: {said_on}") + 1
    result = run("validate", "--seeds", str(seeds), "--fixtures", str(fixtures))
    assert result.exit_code == 1
    [problem] = [row for row in result.stdout.splitlines() if ": said_on: " in row]
    assert problem.startswith(f"{path}:{line}: said_on: ") or f"bridge.yaml:{line}: said_on: " in problem
    assert message in problem
    assert "a month (2026-02)" in problem and "an interval (2026-02-17/2026-02-18" in problem


def test_a_span_that_ends_after_the_article_is_refused_at_its_line(run: Run, bridge: tuple[Path, Path]) -> None:
    seeds, fixtures = bridge
    path = fixtures / "bridge.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("said_on: 2026-02\n", "said_on: 2026-03\n"), "utf-8")
    result = run("validate", "--seeds", str(seeds), "--fixtures", str(fixtures))
    assert result.exit_code == 1
    assert "said_on: 2026-03 ends on 2026-03-31, which is after the article's date 2026-03-05" in result.stdout


def test_a_feed_line_takes_the_same_forms(run: Run, db: str, bridge: tuple[Path, Path], tmp_path: Path) -> None:
    _, fixtures = bridge
    feed = tmp_path / "feed.jsonl"
    article = {
        "type": "article",
        "id": "bridge",
        "title": "Bridge talks",
        "published_on": "2026-03-05",
        "date_basis": "stated",
        "text": TEXT,
    }
    lines = [json.dumps(article)]
    for id_, issue, party, stance, quote, said_on in EVIDENCE:
        line = {"type": "evidence", "article": "bridge", "id": id_, "issue": issue, "party": party}
        line |= {"stance": stance, "quote": quote, "attribution": "direct"}
        if said_on is not None:
            line["said_on"] = said_on.strip("'")
        lines.append(json.dumps(line))
    bad = {**json.loads(lines[2]), "id": "b9", "said_on": "2026-02-17/2026-02-16"}
    feed.write_text("\n".join([*lines, json.dumps(bad)]) + "\n", encoding="utf-8")
    catalog = str(fixtures / "catalog.yaml")
    refused = run("--db", db, "ingest", "--jsonl", str(feed), "--catalog", catalog)
    assert refused.exit_code == 1
    assert f"feed.jsonl:{len(lines) + 1}: said_on: " in refused.stderr and "ends before it starts" in refused.stderr
    feed.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run("--db", db, "ingest", "--jsonl", str(feed), "--catalog", catalog)
    assert result.exit_code == 0, result.stderr
    east = _state(run, db, "2026-02-28")["toll/east"]
    assert (east["stance"], east["evidence"][0]["said_on"]) == ("open", "2026-02")
    assert _state(run, db, "2026-02-27")["toll/east"]["stance"] == "opposes"


def test_yaml_reads_a_year_as_a_number_and_a_day_as_a_date(run: Run, bridge: tuple[Path, Path], db: str) -> None:
    seeds, fixtures = bridge
    path = fixtures / "bridge.yaml"
    text = path.read_text(encoding="utf-8").replace("said_on: 2026-02\n", "said_on: 2025\n")
    path.write_text(text, "utf-8")
    result = run("--db", db, "ingest", "--seeds", str(seeds), "--fixtures", str(fixtures))
    assert result.exit_code == 0, result.stderr
    east = _state(run, db, "2025-12-31")["toll/east"]
    assert (east["stance"], east["since"], east["evidence"][0]["said_on"]) == ("open", "2025-12-31", "2025")
