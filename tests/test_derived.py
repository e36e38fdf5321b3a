"""Derived answers that are true (issue 21, point 6), each on a small corpus written here.

Contradictions are what the record cannot reconcile, never a legal later move; an issue's status change
carries the day it happened and the evidence that made it, the same in diff, history and the reports; a
status resting on a conditional stance says so; and each row of a history shows its mode where it is not
asserted.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from tests.conftest import Run, reading
from tracker.read.browse import matrix
from tracker.read.history import history
from tracker.tui.widgets import issue_text, move_row

CATALOG = {
    "title": "Canal talks",
    "issues": [
        {"id": "canal", "title": "Canal transit", "proposition": "The canal opens to both fleets"},
        {"id": "levy", "title": "Transit levy", "proposition": "The transit levy is dropped"},
    ],
    "parties": [
        {"id": "east", "name": "East"},
        {"id": "west", "name": "West"},
        {"id": "envoy", "name": "Envoy", "role": "mediator"},
    ],
}


@dataclass
class Talks:
    """A corpus being written: articles (id, date, sentences) and the evidence coded from each."""

    articles: dict[str, tuple[str, list[str]]] = field(default_factory=dict)
    coded: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def article(self, article_id: str, day: str, *sentences: str) -> Talks:
        self.articles[article_id] = (day, list(sentences))
        self.coded.setdefault(article_id, [])
        return self

    def code(self, article_id: str, quote: str, **item: Any) -> Talks:
        item.setdefault("issue", "canal")
        item.setdefault("attribution", "direct")
        evidence_id = item.pop("id", f"{article_id}-{len(self.coded[article_id]) + 1}")
        self.coded[article_id].append({"id": evidence_id, "quote": quote, **item})
        return self

    def ingest(self, run: Run, db: str, root: Path) -> None:
        seeds, fixtures = root / "seeds", root / "fixtures"
        seeds.mkdir(parents=True)
        fixtures.mkdir(parents=True)
        (fixtures / "catalog.yaml").write_text(yaml.safe_dump(CATALOG, sort_keys=False), encoding="utf-8")
        index = []
        for article_id, (day, sentences) in self.articles.items():
            (seeds / f"{article_id}.txt").write_text(" ".join(sentences) + "\n", encoding="utf-8")
            index.append(
                {"id": article_id, "file": f"{article_id}.txt", "title": f"Report {article_id}"}
                | {"published_on": day, "date_basis": "stated"}
            )
            (fixtures / f"{article_id}.yaml").write_text(
                yaml.safe_dump({"article": article_id, "evidence": self.coded[article_id]}, sort_keys=False),
                encoding="utf-8",
            )
        (seeds / "articles.yaml").write_text(yaml.safe_dump({"articles": index}, sort_keys=False), encoding="utf-8")
        result = run("--db", db, "ingest", "--seeds", str(seeds), "--fixtures", str(fixtures))
        assert result.exit_code == 0, result.stderr


def answer(run: Run, db: str, *command: str) -> Any:
    result = run("--db", db, *command, "--format", "json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def report_contradictions(run: Run, db: str, as_of: str) -> list[tuple[str, str, list[str]]]:
    report = answer(run, db, "report", "--as-of", as_of)
    return [
        (position["party"], found["kind"], [e["id"] for e in found["evidence"]])
        for issue in report["issues"]
        for position in issue["positions"]
        for found in position["contradictions"]
    ]


# -- contradictions -----------------------------------------------------------------------------------------------


def test_a_mediator_reported_agreeing_after_its_own_demand_is_no_contradiction(
    run: Run, db: str, tmp_path: Path
) -> None:
    talks = Talks().article("a1", "2026-04-01", "The envoy insists the canal opens to both fleets.")
    talks.article("a2", "2026-04-09", "East said the envoy has now agreed the canal deal.")
    talks.code("a1", "The envoy insists the canal opens", party="envoy", stance="demands")
    talks.code("a2", "the envoy has now agreed the canal deal", party="envoy", stance="agreed")
    talks.coded["a2"][0] |= {"attribution": "reported", "speaker": "East's minister"}
    talks.ingest(run, db, tmp_path)
    assert report_contradictions(run, db, "2026-04-30") == []
    assert "Contradiction" not in run("--db", db, "report", "--as-of", "2026-04-30").stdout


def test_a_partys_own_word_against_a_report_of_the_same_moment_is_a_contradiction(
    run: Run, db: str, tmp_path: Path
) -> None:
    talks = Talks().article("a1", "2026-04-01", "East said it supports opening the canal.")
    talks.article("a2", "2026-04-01", "West says East rejects any opening of the canal.")
    talks.code("a1", "East said it supports opening the canal", party="east", stance="supports")
    talks.code("a2", "East rejects any opening of the canal", party="east", stance="opposes")
    talks.coded["a2"][0] |= {"attribution": "reported", "speaker": "West's minister"}
    talks.ingest(run, db, tmp_path)
    assert report_contradictions(run, db, "2026-04-30") == [("east", "reported_differs", ["a1-1", "a2-1"])]
    markdown = run("--db", db, "report", "--as-of", "2026-04-30").stdout
    assert "West's minister reports opposes on 2026-04-01; its own word of that moment is supports" in markdown


def test_a_recap_across_the_axis_is_a_contradiction_and_a_legal_later_move_is_not(
    run: Run, db: str, tmp_path: Path
) -> None:
    talks = Talks().article("a1", "2026-04-01", "East is open to opening the canal.")
    talks.article("a2", "2026-04-05", "East now opposes opening the canal.")
    talks.article("a3", "2026-04-08", "East has long demanded the canal open, the paper says.")
    talks.code("a1", "East is open to opening the canal", party="east", stance="open")
    talks.code("a2", "East now opposes opening the canal", party="east", stance="opposes")
    talks.code("a3", "East has long demanded the canal open", party="east", stance="demands", mode="background")
    talks.ingest(run, db, tmp_path)
    assert report_contradictions(run, db, "2026-04-30") == [("east", "background_differs", ["a3-1"])]


# -- a status change: its day and the evidence that made it -------------------------------------------------------


def converging_then_more(run: Run, db: str, root: Path) -> None:
    """East supports (1 April), West supports (3 April: converging), East then demands (20 April: still converging),
    and an article calls the gap narrower (20 April: progress, no change of status)."""
    talks = Talks().article("a1", "2026-04-01", "East supports opening the canal.")
    talks.article("a2", "2026-04-03", "West supports opening the canal too.")
    talks.article("a3", "2026-04-20", "East now insists the canal opens. The gap on the canal has narrowed.")
    talks.code("a1", "East supports opening the canal", party="east", stance="supports")
    talks.code("a2", "West supports opening the canal", party="west", stance="supports")
    talks.code("a3", "East now insists the canal opens", party="east", stance="demands")
    talks.code("a3", "The gap on the canal has narrowed", kind="progress", attribution="analysis")
    talks.ingest(run, db, root)


def test_a_status_change_carries_its_day_and_evidence_alike_in_diff_history_and_reports(
    run: Run, db: str, tmp_path: Path
) -> None:
    converging_then_more(run, db, tmp_path)
    [step] = [
        s
        for issue in answer(run, db, "history", "--issue", "canal")["issues"]
        for s in issue["statuses"]
        if s["to"] == "converging"
    ]
    assert (step["date"], step["from"], [e["id"] for e in step["evidence"]]) == ("2026-04-03", "in_play", ["a2-1"])
    [change] = answer(run, db, "diff", "2026-04-02", "2026-04-30")["issue_changes"]
    assert (change["from"], change["to"]) == ("in_play", "converging")
    assert change["steps"] == [step], "the diff gives the change as history does"
    assert [e["id"] for e in change["evidence"]] == ["a2-1"], "not the later evidence that changed no status"
    table = run("--db", db, "diff", "2026-04-02", "2026-04-30").stdout
    [row] = [line for line in table.splitlines() if "(issue status)" in line]
    assert "2026-04-03" in row and "a2-1" in row and "2026-04-20" not in row
    report = answer(run, db, "report", "--since", "2026-04-02", "--as-of", "2026-04-30")
    [reported] = report["issue_changes"]
    assert reported["steps"] == [step] and [e["id"] for e in reported["evidence"]] == ["a2-1"]
    markdown = run("--db", db, "report", "--since", "2026-04-02", "--as-of", "2026-04-30").stdout
    changed = markdown.split("### Canal transit: in play → converging")[1].split("##")[0]
    assert "Status: in play → converging on 2026-04-03" in changed
    assert "West supports opening the canal" in changed and "East now insists" not in changed
    html = run("--db", db, "report", "--since", "2026-04-02", "--as-of", "2026-04-30", "--format", "html").stdout
    assert "Status: in play → converging on 2026-04-03" in html


# -- a conditional status -----------------------------------------------------------------------------------------


def test_a_status_resting_on_a_stance_held_on_a_condition_says_so_everywhere(run: Run, db: str, tmp_path: Path) -> None:
    talks = Talks().article("a1", "2026-04-01", "East supports opening the canal if the levy is dropped.")
    talks.article("a2", "2026-04-03", "West supports opening the canal too.")
    talks.code("a1", "East supports opening the canal", party="east", stance="supports")
    talks.coded["a1"][0]["condition"] = "if the levy is dropped"
    talks.code("a2", "West supports opening the canal", party="west", stance="supports")
    talks.ingest(run, db, tmp_path)
    [canal, levy] = answer(run, db, "state", "--as-of", "2026-04-30")["issues"]
    assert (canal["status"], canal["conditional"]) == (
        "converging",
        [{"party": "east", "condition": "if the levy is dropped"}],
    )
    assert "conditional" not in levy, "left out where the status rests on no condition"
    table = run("--db", db, "state", "--as-of", "2026-04-30").stdout
    assert "converging (conditional)" in table
    csv = run("--db", db, "state", "--as-of", "2026-04-30", "--format", "csv").stdout
    assert "east: if the levy is dropped" in csv
    markdown = run("--db", db, "report", "--as-of", "2026-04-30").stdout
    assert "| converging (conditional) |" in markdown
    assert "### Canal transit (converging (conditional))" in markdown
    assert "Conditional: the status rests on East: if the levy is dropped." in markdown
    html = run("--db", db, "report", "--as-of", "2026-04-30", "--format", "html").stdout
    assert "<td>converging (conditional)</td>" in html and "the status rests on East: if the levy is dropped" in html
    report = answer(run, db, "report", "--as-of", "2026-04-30")
    assert report["matrix"][0]["conditional"] == canal["conditional"]
    with reading(db) as held:
        shown = matrix(held, date(2026, 4, 30))
    assert [c.party for c in shown.conditional["canal"]] == ["east"] and "levy" not in shown.conditional
    assert "(conditional)" in issue_text("Canal transit", "converging", 30, conditional=True).plain
    # Once East holds its support with no condition, the status rests on none.
    talks.article("a3", "2026-04-10", "East supports opening the canal, full stop.")
    talks.code("a3", "East supports opening the canal, full stop", party="east", stance="supports")
    shutil.rmtree(tmp_path / "seeds")
    shutil.rmtree(tmp_path / "fixtures")
    talks.ingest(run, db, tmp_path)
    [canal, _] = answer(run, db, "state", "--as-of", "2026-04-30")["issues"]
    assert (canal["status"], "conditional" in canal) == ("converging", False)
    assert "conditional" in json.dumps(answer(run, db, "state", "--as-of", "2026-04-05")["issues"][0])


# -- the mode of each row -----------------------------------------------------------------------------------------


def test_history_and_reports_show_each_rows_mode_where_it_is_not_asserted(run: Run, db: str, tmp_path: Path) -> None:
    talks = Talks().article("a1", "2026-04-01", "East supports opening the canal.")
    talks.article(
        "a2", "2026-04-05", "East has backed an open canal, the paper recalls. East would oppose it if war came."
    )
    talks.code("a1", "East supports opening the canal", party="east", stance="supports", speaker="Minister Aro")
    talks.code("a2", "East has backed an open canal", party="east", stance="supports", mode="background")
    talks.code("a2", "East would oppose it if war came", party="east", stance="opposes", mode="hypothetical")
    talks.ingest(run, db, tmp_path)
    table = run("--db", db, "history", "--issue", "canal", "--party", "east").stdout
    rows = {evidence: line for line in table.splitlines() for evidence in ("a1-1", "a2-1", "a2-2") if evidence in line}
    assert "recap" not in rows["a1-1"] and "hypothetical" not in rows["a1-1"]
    assert "reaffirm, recap" in rows["a2-1"]
    assert "hypothetical" in rows["a2-2"].split("a2-2")[0]
    csv = run("--db", db, "history", "--issue", "canal", "--party", "east", "--format", "csv").stdout
    assert "mode" in csv.splitlines()[0] and ",background," in csv
    markdown = run("--db", db, "report", "--as-of", "2026-04-30").stdout
    moves = [line for line in markdown.splitlines() if line.startswith(("- 2026-04-0", "- by 2026-04-0"))]
    assert any("`a1-1`, Minister Aro (East's own word))" in line for line in moves)
    assert any("`a2-1`, East (its own word), recap)" in line for line in moves)
    assert any("`a2-2`" in line and ", hypothetical)" in line for line in moves)
    html = run("--db", db, "report", "--as-of", "2026-04-30", "--format", "html").stdout
    assert "East (its own word), recap)" in html
    with reading(db) as held:
        moves = {m.evidence.id: m for m in history(held, ["canal"], ["east"]).moves}
    cells = [move_row(m.evidence, m.move, m.stance_to, "East").cells for m in moves.values()]
    sources = {m: cells[n][3].plain for n, m in enumerate(moves)}
    assert sources == {
        "a1-1": "Minister Aro",
        "a2-1": "East, recap",
        "a2-2": "East, hypothetical",
    }, "the terminal UI's history shows the mode beside the source"
