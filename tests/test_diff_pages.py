"""A diff in pages (issue 23, point 5): the first 50 changes by default, `--limit`, `--offset` and `--all`, and
`changes_total` counting every change; the pages, joined, are the whole diff, in its order."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conftest import Run

WINDOW = ("2026-01-22", "2026-02-06")  # the bundled corpus: positions, then issues, change


def rows(document: dict[str, Any]) -> list[tuple[str, str, str]]:
    """A diff's changes in its order: positions, then newly contested positions, then issues."""
    return [
        *(("position", c["issue"], c["party"]) for c in document["changes"]),
        *(("contested", c["issue"], c["party"]) for c in document["contested"]),
        *(("issue", c["issue"], "") for c in document["issue_changes"]),
    ]


def diff(run: Run, db: str, *options: str) -> dict[str, Any]:
    result = run("--db", db, "diff", *WINDOW, "--format", "json", *options)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


@pytest.mark.parametrize("limit", [1, 2, 3, 5])
def test_the_pages_joined_are_the_whole_diff_in_its_order(run: Run, seeded_db: str, limit: int) -> None:
    whole = diff(run, seeded_db, "--all")
    everything = rows(whole)
    assert whole["changes_total"] == len(everything) > 5, "positions and issues both change in the window"
    assert {kind for kind, _, _ in everything} >= {"position", "issue"}
    joined: list[tuple[str, str, str]] = []
    for offset in range(0, len(everything) + limit, limit):
        page = diff(run, seeded_db, "--limit", str(limit), "--offset", str(offset))
        assert page["changes_total"] == len(everything) and page["offset"] == offset
        assert len(rows(page)) == min(limit, max(0, len(everything) - offset))
        joined += rows(page)
    assert joined == everything
    # A page's changes are the whole diff's, evidence and paths included.
    first = diff(run, seeded_db, "--limit", "1")
    assert first["changes"][0] == whole["changes"][0]


def test_the_first_fifty_by_default(run: Run, seeded_db: str) -> None:
    default = diff(run, seeded_db)
    assert rows(default) == rows(diff(run, seeded_db, "--all"))[:50]
    assert default["offset"] == 0


def test_a_limit_below_one_is_refused(run: Run, seeded_db: str) -> None:
    result = run("--db", seeded_db, "diff", *WINDOW, "--limit", "0")
    assert result.exit_code == 2 and "--limit" in result.stderr


def test_a_table_of_one_page_says_which_changes_it_shows(run: Run, seeded_db: str) -> None:
    total = diff(run, seeded_db, "--all")["changes_total"]
    table = run("--db", seeded_db, "diff", *WINDOW, "--limit", "2", "--offset", "1").stdout
    assert (
        table.splitlines()[0] == f"Changes from {WINDOW[0]} to {WINDOW[1]} · changes 2-3 of {total} (--all: every one)"
    )
    whole = run("--db", seeded_db, "diff", *WINDOW).stdout
    assert whole.splitlines()[0] == f"Changes from {WINDOW[0]} to {WINDOW[1]}", (
        "a page holding every change says nothing"
    )
