"""Roles: a mediator's and an observer's positions are tracked and shown, after the negotiators and marked, and
never make or block an issue's status (a synthetic ceasefire: two sides agree while the broker still demands)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import Run
from tracker.domain.catalog import Role, load_catalog
from tracker.domain.errors import CatalogError

CATALOG = """\
title: Harbour ceasefire
issues:
  - id: truce
    title: Truce
    proposition: The fighting around the harbour stops
  - id: monitors
    title: Monitors
    proposition: Foreign monitors watch the harbour
parties:
  - id: broker
    name: Broker
    role: mediator
  - id: north
    name: North
  - id: south
    name: South
    role: negotiator
  - id: council
    name: Council
    role: observer
"""
TEXT = (
    "The broker demands a truce. North agreed to the truce on Monday. South agreed to the truce as well. "
    "The council said it supports foreign monitors. North rejects monitors.\n"
)
EVIDENCE = [
    ("e1", "truce", "broker", "demands", "The broker demands a truce."),
    ("e2", "truce", "north", "agreed", "North agreed to the truce on Monday."),
    ("e3", "truce", "south", "agreed", "South agreed to the truce as well."),
    ("e4", "monitors", "council", "supports", "The council said it supports foreign monitors."),
    ("e5", "monitors", "north", "opposes", "North rejects monitors."),
]


@pytest.fixture
def harbour(tmp_path: Path) -> tuple[Path, Path]:
    seeds, fixtures = tmp_path / "seeds", tmp_path / "fixtures"
    seeds.mkdir()
    fixtures.mkdir()
    (fixtures / "catalog.yaml").write_text(CATALOG, encoding="utf-8")
    (seeds / "talks.txt").write_text(TEXT, encoding="utf-8")
    (seeds / "articles.yaml").write_text(
        "articles:\n  - id: talks\n    file: talks.txt\n    title: Harbour talks\n    published_on: 2026-03-03\n"
        "    date_basis: stated\n",
        encoding="utf-8",
    )
    items = "".join(
        f"  - id: {id_}\n    issue: {issue}\n    party: {party}\n    stance: {stance}\n"
        f"    quote: {quote}\n    attribution: direct\n"
        for id_, issue, party, stance, quote in EVIDENCE
    )
    (fixtures / "talks.yaml").write_text(f"article: talks\nevidence:\n{items}", encoding="utf-8")
    return seeds, fixtures


@pytest.fixture
def harbour_db(run: Run, db: str, harbour: tuple[Path, Path]) -> str:
    seeds, fixtures = harbour
    result = run("--db", db, "ingest", "--seeds", str(seeds), "--fixtures", str(fixtures))
    assert result.exit_code == 0, result.stderr
    return db


def test_the_catalogue_reads_roles_and_lists_the_negotiators_first(harbour: tuple[Path, Path]) -> None:
    catalog = load_catalog(harbour[1] / "catalog.yaml")
    assert [(p.id, p.role) for p in catalog.parties] == [
        ("north", Role.NEGOTIATOR),
        ("south", Role.NEGOTIATOR),
        ("broker", Role.MEDIATOR),
        ("council", Role.OBSERVER),
    ]
    assert catalog.negotiator_ids() == ["north", "south"]


def test_an_unknown_role_is_refused_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "catalog.yaml"
    path.write_text(CATALOG.replace("role: observer", "role: referee"), encoding="utf-8")
    with pytest.raises(CatalogError) as raised:
        load_catalog(path)
    message = str(raised.value)
    assert "parties[3].role" in message and "mediator" in message


def test_a_mediator_who_demands_never_blocks_an_agreement(run: Run, harbour_db: str) -> None:
    result = run("--db", harbour_db, "state", "--format", "json")
    assert result.exit_code == 0, result.stderr
    state = json.loads(result.stdout)
    statuses = {i["issue"]: i["status"] for i in state["issues"]}
    assert statuses["truce"] == "agreed"
    # One negotiator known and an observer for the proposition: in play, never converging on the observer's word.
    assert statuses["monitors"] == "in_play"
    truce = [(p["party"], p["role"], p["stance"]) for p in state["positions"] if p["issue"] == "truce"]
    assert truce == [
        ("north", "negotiator", "agreed"),
        ("south", "negotiator", "agreed"),
        ("broker", "mediator", "demands"),
        ("council", "observer", "unknown"),
    ]


def test_the_state_table_marks_the_mediator_and_the_observer(run: Run, harbour_db: str) -> None:
    table = run("--db", harbour_db, "state", "--issue", "truce").stdout
    rows = [line.split()[:2] for line in table.splitlines()[4:]]
    assert rows == [["north", "agreed"], ["south", "agreed"], ["broker", "(mediator)"], ["council", "(observer)"]]
    csv = run("--db", harbour_db, "state", "--issue", "truce", "--format", "csv").stdout.splitlines()
    assert [line.split(",")[1] for line in csv[1:]] == ["north", "south", "broker", "council"]


def test_history_and_diff_never_credit_a_mediator_with_a_status(run: Run, harbour_db: str) -> None:
    history = json.loads(run("--db", harbour_db, "history", "--format", "json").stdout)
    [truce] = [i for i in history["issues"] if i["issue"] == "truce"]
    assert [(s["from"], s["to"]) for s in truce["statuses"]] == [("not_on_agenda", "agreed")]
    diff = json.loads(run("--db", harbour_db, "diff", "2026-03-01", "2026-03-03", "--format", "json").stdout)
    [change] = [c for c in diff["issue_changes"] if c["issue"] == "truce"]
    assert change["to"] == "agreed"
    assert {e["id"] for e in change["evidence"]} == {"e2", "e3"}


def test_the_briefing_lists_the_mediator_after_the_negotiators_marked(run: Run, harbour_db: str) -> None:
    markdown = run("--db", harbour_db, "report", "--format", "md").stdout
    assert "| Issue | North | South | Broker (mediator) | Council (observer) | Status |" in markdown
    assert "#### Broker (mediator): " in markdown
    assert markdown.index("#### North: ") < markdown.index("#### Broker (mediator): ")
    html = run("--db", harbour_db, "report", "--format", "html").stdout
    assert "<th>Broker (mediator)</th>" in html
    report = json.loads(run("--db", harbour_db, "report", "--format", "json").stdout)
    assert [(p["id"], p["role"]) for p in report["parties"]] == [
        ("north", "negotiator"),
        ("south", "negotiator"),
        ("broker", "mediator"),
        ("council", "observer"),
    ]
    assert [row["status"] for row in report["matrix"] if row["issue"] == "truce"] == ["agreed"]


def test_tracker_catalog_shows_each_role(run: Run, harbour: tuple[Path, Path]) -> None:
    catalog = json.loads(run("catalog", "--fixtures", str(harbour[1]), "--format", "json").stdout)
    assert [(p["id"], p["role"]) for p in catalog["parties"]] == [
        ("north", "negotiator"),
        ("south", "negotiator"),
        ("broker", "mediator"),
        ("council", "observer"),
    ]
