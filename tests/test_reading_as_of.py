"""`--as-of D` includes everything said on D: issue-level evidence said on the as-of day is counted and listed."""

from __future__ import annotations

import json

from tests.conftest import Run


def test_issue_level_evidence_said_on_the_as_of_day_is_counted_and_listed(run: Run, seeded_db: str) -> None:
    """On 2026-02-05 three articles name Donetsk a sticking point (adr1-01, adr2-01, adr2-03); three pieces came
    before. As of that day all six count; as of the day before, only the three older ones."""
    answers = {}
    for as_of in ("2026-02-04", "2026-02-05"):
        shown = run("--db", seeded_db, "state", "--as-of", as_of, "--format", "json")
        assert shown.exit_code == 0, shown.stderr
        answers[as_of] = {found["issue"]: found for found in json.loads(shown.stdout)["issues"]}
    on_the_day = answers["2026-02-05"]["donetsk_withdrawal"]
    assert on_the_day["evidence_total"] == 6
    assert {"adr1-01", "adr2-01", "adr2-03"} <= {e["id"] for e in on_the_day["evidence"]}
    assert len(on_the_day["evidence"]) == 6
    day_before = answers["2026-02-04"]["donetsk_withdrawal"]
    assert day_before["evidence_total"] == 3 and len(day_before["evidence"]) == 3
    only_that_day = answers["2026-02-05"]["security_guarantees"]  # its one piece of issue-level evidence: adr2-02
    assert only_that_day["evidence_total"] == 1
    assert [e["id"] for e in only_that_day["evidence"]] == ["adr2-02"]
    assert (
        "security_guarantees" not in answers["2026-02-04"]
        or answers["2026-02-04"]["security_guarantees"]["evidence_total"] == 0
    )
