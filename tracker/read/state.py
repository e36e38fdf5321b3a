"""Where every party stands on every issue as of a date: `tracker state`.

Each position of the catalogue (unknown ones included) with its stance, since
when, the newest evidence behind it and how much there is, its basis,
condition and contest; each issue's status and its newest issue-level
evidence. One position grid (`Reading.grid`) gives it all.
"""

from __future__ import annotations

from datetime import date

from tracker.read.models import EVIDENCE_SHOWN, IssueState, PositionState, StateReport
from tracker.read.reading import Reading, all_set, stance_of

_POSITION_FIELDS = set(PositionState.model_fields)  # every one set below


def state(
    reading: Reading,
    as_of: date,
    issues: list[str] | None = None,
    parties: list[str] | None = None,
    evidence: int | None = EVIDENCE_SHOWN,
) -> StateReport:
    """Every (issue, party) position of the catalogue as of `as_of`; `evidence` None lists all the evidence."""
    grid = reading.grid(as_of, issues, parties, evidence=evidence)
    roles = {party: role.value for party, role in reading.catalog().roles.items()}
    positions = []
    held_positions = grid.positions
    for issue in grid.issues:
        for party in grid.parties:
            held = held_positions[(issue, party)]
            entry = held.entry
            # Built from stored, checked values: a thousand positions need no validation.
            positions.append(
                all_set(
                    PositionState,
                    _POSITION_FIELDS,
                    {
                        "issue": issue,
                        "party": party,
                        "role": roles[party],
                        "stance": stance_of(entry)[0],
                        "since": entry.since if entry else None,
                        "since_exact": entry.since_exact if entry else True,
                        "evidence": held.support,
                        "evidence_total": entry.backing if entry else 0,
                        "basis": entry.basis if entry else None,
                        "condition": entry.condition if entry else None,
                        "contested": held.contest,
                    },
                )
            )
    issue_level, totals = grid.issue_evidence or reading.issue_evidence(as_of, grid.issues, limit=evidence)
    return StateReport.model_construct(
        as_of=as_of,
        known_at=reading.known_at,
        positions=positions,
        issues=[
            IssueState.model_construct(
                issue=issue,
                status=grid.status[issue],
                conditional=grid.conditional.get(issue, []),
                evidence=issue_level.get(issue, []),
                evidence_total=totals.get(issue, 0),
            )
            for issue in grid.issues
        ],
    )
