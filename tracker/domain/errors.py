"""One exception hierarchy and one exit-code enum for the whole tracker.

Every failure a user can cause is a `TrackerError`; the command line maps it to
an exit code in one place (`tracker.cli`). Data problems carry `Problem`s that
name the file, the line and the field, so a user can go straight to the fix.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from enum import IntEnum
from functools import lru_cache
from pathlib import Path

from tracker.domain.untrusted import safe_text


class ExitCode(IntEnum):
    OK = 0
    BAD_DATA = 1
    USAGE = 2


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the input, located as precisely as the input allows."""

    path: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        """One line, `path:line: field: message`; what the input put in it (a value, a passage) shown inert."""
        where = f"{self.path}:{self.line}" if self.line else self.path
        return safe_text(f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}")


def display_path(path: Path | str) -> str:
    """A path as a user would type it: relative to the working directory when inside it."""
    p = Path(path)
    try:
        return str(p.resolve().relative_to(_resolved_folder(os.getcwd())))
    except (ValueError, OSError, RuntimeError):  # outside the working folder, or a symlink loop
        return str(p)


@lru_cache(maxsize=8)
def _resolved_folder(folder: str) -> Path:
    """The working folder through its symlinks (asked for every file of a corpus: resolved once)."""
    return Path(folder).resolve()


class TrackerError(Exception):
    """Base of every error the tracker reports to a user."""

    exit_code: ExitCode = ExitCode.BAD_DATA


class DataError(TrackerError):
    """The input data is wrong: one or more located problems."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(set(problems))
        super().__init__("\n".join(str(p) for p in self.problems))


class CatalogError(DataError):
    """The catalogue of issues and parties is malformed."""


class CorpusError(DataError):
    """An article, its metadata or a fixture of coded evidence is wrong."""


class IllegalMove(TrackerError):
    """A stance that the position's machine cannot reach from its current state (or not by the move named)."""

    def __init__(
        self, issue: str, party: str, state: str, stance: str, allowed: dict[str, list[str]], named: str | None = None
    ) -> None:
        self.issue, self.party, self.state, self.stance, self.allowed, self.named = (
            issue,
            party,
            state,
            stance,
            allowed,
            named,
        )
        allowed_text = "; ".join(f"{move} -> {', '.join(dests)}" for move, dests in allowed.items())
        reaches = f"'{named}' does not lead to '{stance}'" if named else f"no move leads to '{stance}'"
        super().__init__(
            f"illegal move: position {issue}/{party} is '{state}'; {reaches} (allowed: {allowed_text or 'none'})"
        )

    def of(self, issue: str, party: str) -> IllegalMove:
        """The same refusal, told of a position."""
        return IllegalMove(issue, party, self.state, self.stance, self.allowed, self.named)


class AmbiguousMove(IllegalMove):
    """More than one move leads from the stance held to the one coded, and the evidence names none of them."""

    def __init__(self, issue: str, party: str, state: str, stance: str, choices: dict[str, str]) -> None:
        self.choices = choices
        TrackerError.__init__(
            self,
            f"position {issue}/{party} is '{state}', and more than one move leads to '{stance}': "
            + "; ".join(f"{move} ({meaning})" for move, meaning in choices.items())
            + "; name the one meant with `move:`",
        )
        self.issue, self.party, self.state, self.stance, self.allowed, self.named = (
            issue,
            party,
            state,
            stance,
            {},
            None,
        )

    def of(self, issue: str, party: str) -> AmbiguousMove:
        return AmbiguousMove(issue, party, self.state, self.stance, self.choices)


class StoreError(TrackerError):
    """The database named cannot be used: unreachable, not a tracker database, a bad URL."""

    exit_code = ExitCode.USAGE


class OtherNegotiation(TrackerError):
    """A corpus of another negotiation than the one a database tracks: one database holds one negotiation."""

    exit_code = ExitCode.USAGE

    def __init__(self, database: str, held: str, given: str, renamed: bool) -> None:
        self.database, self.held, self.given = database, held, given
        if renamed:
            message = (
                f"{database} tracks '{held}'; this corpus's catalogue is titled '{given}': if the negotiation was "
                f"renamed, ingest with --rename; if it is another one, give it its own database (--db) or "
                f"workspace (tracker init)"
            )
        else:
            message = (
                f"{database} tracks '{held}'; this corpus is '{given}': give it its own database (--db) or "
                f"workspace (tracker init)"
            )
        super().__init__(message)


class WriteRefused(TrackerError):
    """A change to a corpus's files that was not made (changed meanwhile, no space, read-only): nothing written."""


class OutputError(TrackerError):
    """Output that cannot be written where it was asked: a full disk, a folder, the database itself."""

    exit_code = ExitCode.USAGE


class UsageError(TrackerError):
    """A command-line argument is wrong (an unknown id, a malformed date)."""

    exit_code = ExitCode.USAGE
