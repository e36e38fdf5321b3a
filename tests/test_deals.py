"""Deals carried out: issue-level evidence has a kind (sticking_point, the default; progress; implemented;
partly_implemented), and an agreed issue whose agreement evidence since says is carried out is `implemented`
(`partly_implemented`). A synthetic prisoner exchange, coded for these tests."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import Run
from tracker.domain.evidence import EvidenceIn, IssueKind
from tracker.domain.machines import Stance
from tracker.domain.status import IssueNamed, IssueStatus, carried_out, issue_status, named_from

CATALOG = """\
title: Prisoner exchange
issues:
  - id: exchange
    title: Exchange
    proposition: The sides exchange their prisoners
parties:
  - id: east
    name: East
  - id: west
    name: West
"""
# One article a day, 2026-04-01 to 2026-04-05.
TEXTS = {
    "d1": "East agreed to the exchange. West agreed to the exchange too.",
    "d2": "Officials said the gap on the exchange had narrowed.",
    "d3": "The first buses of prisoners crossed the line on Friday.",
    "d4": "All the prisoners are home, the monitors said.",
    "d5": "The exchange stalled over the last names on the list.",
}
AGREED = [
    ("d1", "a1", "party: east\n    stance: agreed\n", "East agreed to the exchange."),
    ("d1", "a2", "party: west\n    stance: agreed\n", "West agreed to the exchange too."),
]


def write(root: Path, named: list[tuple[str, str, str | None]]) -> tuple[Path, Path]:
    """The exchange agreed on day 1, and issue-level evidence `named` (article, id, kind or None)."""
    seeds, fixtures = root / "seeds", root / "fixtures"
    seeds.mkdir()
    fixtures.mkdir()
    (fixtures / "catalog.yaml").write_text(CATALOG, encoding="utf-8")
    index = ["articles:"]
    items: dict[str, list[str]] = {article: [] for article in TEXTS}
    for n, (article, text) in enumerate(TEXTS.items(), 1):
        (seeds / f"{article}.txt").write_text(text + "\n", encoding="utf-8")
        index.append(
            f"  - id: {article}\n    file: {article}.txt\n    title: Day {n}\n    published_on: 2026-04-0{n}\n"
            "    date_basis: stated"
        )
    for article, id_, coding, quote in AGREED:
        items[article].append(f"  - id: {id_}\n    issue: exchange\n    {coding}    quote: {quote}\n")
    for article, id_, kind in named:
        items[article].append(
            f"  - id: {id_}\n    issue: exchange\n    quote: {TEXTS[article]}\n"
            + (f"    kind: {kind}\n" if kind else "")
        )
    (seeds / "articles.yaml").write_text("\n".join(index) + "\n", encoding="utf-8")
    for article, lines in items.items():
        body = "".join(line + "    attribution: analysis\n" for line in lines)
        (fixtures / f"{article}.yaml").write_text(
            f"article: {article}\nevidence:" + ("\n" + body if body else " []\n"), encoding="utf-8"
        )
    return seeds, fixtures


def ingest(run: Run, db: str, corpus: tuple[Path, Path]) -> None:
    result = run("--db", db, "ingest", "--seeds", str(corpus[0]), "--fixtures", str(corpus[1]))
    assert result.exit_code == 0, result.stderr


def status(run: Run, db: str, as_of: str) -> str:
    state = json.loads(run("--db", db, "state", "--as-of", as_of, "--format", "json").stdout)
    [issue] = state["issues"]
    return str(issue["status"])


@pytest.mark.parametrize(
    ("named", "as_of", "expected"),
    [
        ([], "2026-04-05", "agreed"),
        ([("d3", "n3", "partly_implemented")], "2026-04-03", "partly_implemented"),
        ([("d3", "n3", "partly_implemented")], "2026-04-02", "agreed"),
        ([("d3", "n3", "partly_implemented"), ("d4", "n4", "implemented")], "2026-04-05", "implemented"),
        ([("d4", "n4", "partly_implemented"), ("d3", "n3", "implemented")], "2026-04-05", "partly_implemented"),
        ([("d2", "n2", "progress")], "2026-04-05", "agreed"),
        ([("d3", "n3", "implemented"), ("d5", "n5", None)], "2026-04-05", "in_play"),
        ([("d3", "n3", "implemented"), ("d5", "n5", "sticking_point")], "2026-04-05", "in_play"),
    ],
)
def test_an_agreement_carried_out_is_implemented(
    run: Run, db: str, tmp_path: Path, named: list[tuple[str, str, str | None]], as_of: str, expected: str
) -> None:
    ingest(run, db, write(tmp_path, named))
    assert status(run, db, as_of) == expected


def test_implementation_before_the_agreement_makes_no_status() -> None:
    agreed = [Stance.AGREED, Stance.AGREED]
    early = IssueNamed(newest=_d(1), implemented=_d(1))
    assert carried_out(early, _d(3)) is None
    assert issue_status(agreed, True, False, carried_out(early, _d(3))) is IssueStatus.AGREED
    same_day = IssueNamed(newest=_d(3), implemented=_d(3), partly_implemented=_d(3))
    assert carried_out(same_day, _d(3)) is IssueStatus.IMPLEMENTED
    # Only an agreement is carried out: a converging issue stays converging.
    assert issue_status([Stance.AGREED, Stance.SUPPORTS], True, False, IssueStatus.IMPLEMENTED) == "converging"
    assert named_from([(_d(2), None), (_d(4), "progress"), (_d(3), "implemented")]) == IssueNamed(
        newest=_d(4), sticking_point=_d(2), implemented=_d(3)
    )
    assert named_from([]) is None


def _d(day: int) -> object:
    from datetime import date

    return date(2026, 4, day)


def test_kind_on_a_partys_evidence_is_refused() -> None:
    with pytest.raises(ValueError, match="kind: a kind is issue-level evidence's"):
        EvidenceIn.model_validate(
            {
                "id": "x",
                "issue": "exchange",
                "party": "east",
                "stance": "agreed",
                "quote": "East agreed",
                "attribution": "direct",
                "kind": "implemented",
            }
        )
    item = EvidenceIn.model_validate({"id": "y", "issue": "exchange", "quote": "q", "attribution": "analysis"})
    assert item.kind is None
    assert EvidenceIn.model_validate({**item.model_dump(), "kind": "progress"}).kind is IssueKind.PROGRESS


def test_validate_locates_a_kind_on_a_partys_evidence(run: Run, tmp_path: Path) -> None:
    seeds, fixtures = write(tmp_path, [])
    path = fixtures / "d1.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("stance: agreed\n", "stance: agreed\n    kind: progress\n", 1)
    )
    result = run("validate", "--seeds", str(seeds), "--fixtures", str(fixtures))
    assert result.exit_code == 1
    assert "d1.yaml:7: kind: a kind is issue-level evidence's (no party)" in result.stdout


def test_kind_is_shown_in_state_show_history_and_reports(run: Run, db: str, tmp_path: Path) -> None:
    ingest(run, db, write(tmp_path, [("d3", "n3", "partly_implemented"), ("d5", "n5", None)]))
    state = json.loads(run("--db", db, "state", "--as-of", "2026-04-03", "--format", "json").stdout)
    [issue] = state["issues"]
    assert issue["status"] == "partly_implemented"
    assert [(e["id"], e["kind"]) for e in issue["evidence"]] == [("n3", "partly_implemented")]
    assert all("kind" not in e for p in state["positions"] for e in p["evidence"]), "a party's evidence has none"

    shown = run("--db", db, "show", "n3").stdout
    assert "kind:           partly_implemented" in shown
    assert "kind:           sticking_point" in run("--db", db, "show", "n5").stdout

    history = json.loads(run("--db", db, "history", "--format", "json").stdout)
    [exchange] = history["issues"]
    assert [(s["date"], s["from"], s["to"]) for s in exchange["statuses"]] == [
        ("2026-04-01", "not_on_agenda", "agreed"),
        ("2026-04-03", "agreed", "partly_implemented"),
        ("2026-04-05", "partly_implemented", "in_play"),
    ]
    table = run("--db", db, "history").stdout
    assert "named: partly implemented" in table

    diff = json.loads(run("--db", db, "diff", "2026-04-02", "2026-04-03", "--format", "json").stdout)
    [change] = diff["issue_changes"]
    assert (change["from"], change["to"], change["evidence"][0]["id"]) == ("agreed", "partly_implemented", "n3")

    markdown = run("--db", db, "report", "--as-of", "2026-04-03", "--format", "md").stdout
    assert "`n3`): partly implemented" in markdown
    assert "| partly implemented |" in markdown
    html = run("--db", db, "report", "--as-of", "2026-04-03", "--format", "html").stdout
    assert "partly implemented" in html


def test_kind_goes_out_in_w3c_annotations_and_comes_back(run: Run, db: str, tmp_path: Path) -> None:
    seeds, fixtures = write(tmp_path, [("d4", "n4", "implemented"), ("d2", "n2", "progress")])
    ingest(run, db, (seeds, fixtures))
    out = tmp_path / "annotations.json"
    assert run("--db", db, "export", "--format", "w3c", "-o", str(out)).exit_code == 0
    exported = json.loads(out.read_text(encoding="utf-8"))
    bodies = {a["body"]["evidence_id"]: a["body"] for a in exported["first"]["items"]}
    assert bodies["n4"]["kind"] == "implemented" and bodies["n2"]["kind"] == "progress"
    assert bodies["a1"].get("kind") is None

    (fixtures / "d4.yaml").write_text("article: d4\nevidence: []\n", encoding="utf-8")
    back = run("import", str(out), "--format", "w3c", "--seeds", str(seeds), "--fixtures", str(fixtures))
    assert back.exit_code == 0, back.stderr
    written = (fixtures / "d4.yaml").read_text(encoding="utf-8")
    assert "kind: implemented" in written
    ingest(run, db, (seeds, fixtures))
    assert status(run, db, "2026-04-04") == "implemented"


def test_a_feed_carries_kind(run: Run, db: str, tmp_path: Path) -> None:
    lines = [
        {
            "type": "article",
            "id": "d1",
            "title": "Day 1",
            "published_on": "2026-04-01",
            "date_basis": "stated",
            "text": TEXTS["d1"],
        },
        {
            "type": "article",
            "id": "d3",
            "title": "Day 3",
            "published_on": "2026-04-03",
            "date_basis": "stated",
            "text": TEXTS["d3"],
        },
        *[
            {
                "type": "evidence",
                "article": "d1",
                "id": id_,
                "issue": "exchange",
                "party": party,
                "stance": "agreed",
                "quote": quote,
                "attribution": "direct",
            }
            for (_, id_, _, quote), party in zip(AGREED, ("east", "west"), strict=True)
        ],
        {
            "type": "evidence",
            "article": "d3",
            "id": "n3",
            "issue": "exchange",
            "quote": TEXTS["d3"],
            "attribution": "analysis",
            "kind": "implemented",
        },
    ]
    feed = tmp_path / "feed.jsonl"
    feed.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    (tmp_path / "catalog.yaml").write_text(CATALOG, encoding="utf-8")
    result = run("--db", db, "ingest", "--jsonl", str(feed))
    assert result.exit_code == 0, result.stderr
    assert status(run, db, "2026-04-03") == "implemented"
