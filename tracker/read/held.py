"""What the store holds at a recorded time, and the catalogue's names as held, without the catalogue's models.

Every table is bitemporal: a row is held from its `recorded_at` until it is
superseded. `held(alias)` is that condition at `:known_at`, the one every read
uses; `catalog_names` reads the issues' and parties' names for a command that
only resolves them (`tracker machines`), loading nothing else.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tracker.domain.names import Names
from tracker.read.connection import END_OF_TIME, Snapshot


def held(alias: str) -> str:
    """The rows of table `alias` the tracker held at `:known_at` (the end of time: the rows held now)."""
    return f"{alias}.recorded_at <= :known_at AND ({alias}.superseded_at IS NULL OR {alias}.superseded_at > :known_at)"


CATALOG_ISSUES = f"SELECT id, title, proposition, aliases, parent FROM issue i WHERE {held('i')} ORDER BY ordinal"
CATALOG_PARTIES = f"SELECT id, name, aliases, role FROM party p WHERE {held('p')} ORDER BY ordinal"
TITLE = "SELECT value FROM tracker_meta WHERE key = 'catalog_title'"


def rows_held(snapshot: Snapshot, sql: str, known_at: datetime | None, **params: Any) -> list[dict[str, Any]]:
    """`sql` run as the tracker held things at `known_at` (None: now)."""
    return snapshot.rows(sql, known_at=known_at or END_OF_TIME, **params)


@dataclass(frozen=True)
class CatalogNames:
    """The issues' titles, and every name of each issue and party, as held."""

    titles: dict[str, str]  # issue id -> title, in catalogue order
    issues: Names
    parties: Names


def catalog_names(snapshot: Snapshot, known_at: datetime | None = None) -> CatalogNames:
    issues = rows_held(snapshot, CATALOG_ISSUES, known_at)
    parties = rows_held(snapshot, CATALOG_PARTIES, known_at)
    return CatalogNames(
        titles={row["id"]: row["title"] for row in issues},
        issues=Names("issue", ((r["id"], (r["id"], r["title"], *json.loads(r["aliases"]))) for r in issues)),
        parties=Names("party", ((r["id"], (r["id"], r["name"], *json.loads(r["aliases"]))) for r in parties)),
    )
