"""Issue status: where an issue stands, derived from every party's stance on it.

Issue-level evidence (an article naming an issue a sticking point, with no
party's stance) puts an issue on the agenda, and back in play after the
parties had converged or agreed.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from tracker.domain.machines import AGAINST_PROPOSITION, FOR_PROPOSITION, Stance


class IssueStatus(StrEnum):
    """Where an issue stands, derived from its parties' stances."""

    NOT_ON_AGENDA = "not_on_agenda"
    IN_PLAY = "in_play"
    DEADLOCKED = "deadlocked"
    CONVERGING = "converging"
    AGREED = "agreed"


# The sides of the stance axis (declared in `tracker.domain.machines`); for a status, a deal sits with the proposition.
_FOR = FOR_PROPOSITION | {Stance.AGREED}
_AGAINST = AGAINST_PROPOSITION
_POLES = {Stance.DEMANDS, Stance.OPPOSES}


def issue_status(stances: Iterable[Stance], issue_evidence: bool, reopened: bool = False) -> IssueStatus:
    """Derive an issue's status from the stances of every party of the catalogue.

    - not_on_agenda: no party stance and no issue-level evidence;
    - agreed: every party has agreed;
    - deadlocked: parties on both sides of the proposition, at least one at a pole
      (demands or opposes);
    - converging: two or more parties known and none on opposite sides;
    - in_play: on the agenda otherwise (one party known, a soft split, or only
      issue-level evidence such as "one of the most sensitive issues").

    `reopened`: an article named the issue a sticking point on the day the last
    party moved, or after; an agreed or converging issue is then in play again.
    """
    status = _status_of_stances(list(stances), issue_evidence)
    if reopened and status in (IssueStatus.AGREED, IssueStatus.CONVERGING):
        return IssueStatus.IN_PLAY
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
