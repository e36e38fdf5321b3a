"""The names people use for issues and parties: an id, a title or name, aliases; looked up in any case.

Kept free of the catalogue's models so that a command which only resolves a
name (`tracker machines --issue Donbas`) loads nothing else.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

PLURALS = {"issue": "issues", "party": "parties"}


def name_key(name: str) -> str:
    """A name in its normal form: case folded, spaces and hyphens as underscores (`Security-guarantees`)."""
    return re.sub(r"[\s\-]+", "_", name.strip().casefold())


class Names:
    """Every name of one kind of entry (issues or parties) -> its id; the first entry to claim a name keeps it."""

    def __init__(self, kind: str, entries: Iterable[tuple[str, Iterable[str]]]) -> None:
        """`entries`: each entry's id and every name people use for it (its id, its title or name, its aliases)."""
        self.kind = kind
        self.ids: list[str] = []
        self.table: dict[str, str] = {}
        for entry_id, names in entries:
            self.ids.append(entry_id)
            for name in names:
                self.table.setdefault(name_key(name), entry_id)

    def resolve(self, name: str) -> str | None:
        """The id that `name` (an id, a title or an alias, any case) names; None when none does."""
        found = self.table.get(name)  # a name already in its normal form (an id, mostly) needs no normalising
        return found if found is not None else self.table.get(name_key(name))

    def suggestion(self, name: str) -> str:
        """What to say after an unknown name: the closest known one, and every id."""
        close = difflib.get_close_matches(name_key(name), list(self.table), n=1)
        hint = f"did you mean '{self.table[close[0]]}'? " if close else ""
        return f"{hint}known {PLURALS[self.kind]}: {', '.join(self.ids)}"
