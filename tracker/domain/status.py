"""Issue status: where an issue stands, derived from the negotiators' stances on it.

Issue-level evidence (what an article says of an issue, with no party's
stance) puts an issue on the agenda. Its kind says more: a sticking point puts
an issue back in play after the negotiators had converged or agreed; an
agreement carried out (in part) is `implemented` (`partly_implemented`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from enum import StrEnum
from typing import NamedTuple

from tracker.domain.machines import AGAINST_PROPOSITION, FOR_PROPOSITION, Stance


class IssueStatus(StrEnum):
    """Where an issue stands, derived from its parties' stances."""

    NOT_ON_AGENDA = "not_on_agenda"
    IN_PLAY = "in_play"
    DEADLOCKED = "deadlocked"
    CONVERGING = "converging"
    AGREED = "agreed"
    PARTLY_IMPLEMENTED = "partly_implemented"  # agreed, and what was agreed is being carried out in part
    IMPLEMENTED = "implemented"  # agreed, and what was agreed is carried out


# The sides of the stance axis (declared in `tracker.domain.machines`); for a status, a deal sits with the proposition.
_FOR = FOR_PROPOSITION | {Stance.AGREED}
_AGAINST = AGAINST_PROPOSITION
_POLES = {Stance.DEMANDS, Stance.OPPOSES}


class IssueNamed(NamedTuple):
    """The days of an issue's newest asserted issue-level evidence by a date: of any kind, and of each kind that
    weighs in its status (None: none of that kind)."""

    newest: date
    sticking_point: date | None = None
    implemented: date | None = None
    partly_implemented: date | None = None


def named_from(evidence: Iterable[tuple[date, str | None]]) -> IssueNamed | None:
    """An issue's `IssueNamed` from its asserted issue-level evidence, each piece's day and kind (None: a
    sticking point)."""
    newest: dict[str, date] = {}
    for day, kind in evidence:
        for key in ("newest", kind or "sticking_point"):
            if key not in newest or day > newest[key]:
                newest[key] = day
    if "newest" not in newest:
        return None
    return IssueNamed(
        newest["newest"], newest.get("sticking_point"), newest.get("implemented"), newest.get("partly_implemented")
    )


def carried_out(named: IssueNamed | None, last_move: date | None) -> IssueStatus | None:
    """How far an agreement reached by `last_move` is carried out, by the newest evidence of it on that day or
    after: `implemented` or `partly_implemented` (a tie: implemented); None without such evidence."""
    if named is None or last_move is None:
        return None
    found = [
        (day, rank, status)
        for day, rank, status in (
            (named.implemented, 1, IssueStatus.IMPLEMENTED),
            (named.partly_implemented, 0, IssueStatus.PARTLY_IMPLEMENTED),
        )
        if day is not None and day >= last_move
    ]
    return max(found)[2] if found else None


def issue_status(
    stances: Iterable[Stance], issue_evidence: bool, reopened: bool = False, carried: IssueStatus | None = None
) -> IssueStatus:
    """Derive an issue's status from the stances of the catalogue's negotiators.

    - not_on_agenda: no party stance and no issue-level evidence;
    - agreed: every party has agreed;
    - deadlocked: parties on both sides of the proposition, at least one at a pole
      (demands or opposes);
    - converging: two or more parties known and none on opposite sides;
    - in_play: on the agenda otherwise (one party known, a soft split, or only
      issue-level evidence such as "one of the most sensitive issues").

    `reopened`: an article named the issue a sticking point on the day the last
    party moved, or after; an agreed or converging issue is then in play again.
    `carried`: otherwise, an agreed issue whose agreement issue-level evidence
    since says is carried out (`implemented`) or being carried out in part
    (`partly_implemented`) has that status.
    """
    status = _status_of_stances(list(stances), issue_evidence)
    if reopened and status in (IssueStatus.AGREED, IssueStatus.CONVERGING):
        return IssueStatus.IN_PLAY
    if carried is not None and status is IssueStatus.AGREED:
        return carried
    return status


def _status_of_stances(every: list[Stance], issue_evidence: bool) -> IssueStatus:
    known = [s for s in every if s is not Stance.UNKNOWN]
    if not known:
        return IssueStatus.IN_PLAY if issue_evidence else IssueStatus.NOT_ON_AGENDA
    if len(known) >= 2 and all(s is Stance.AGREED for s in every):
        return IssueStatus.AGREED
    pro = [s for s in known if s in _FOR]
    con = [s for s in known if s in _AGAINST]
    if pro and con:
        if any(s in _POLES for s in pro + con):
            return IssueStatus.DEADLOCKED
        return IssueStatus.IN_PLAY
    if len(known) >= 2:
        return IssueStatus.CONVERGING
    return IssueStatus.IN_PLAY
