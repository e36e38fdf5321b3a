"""What `tracker catalog` prints: the catalogue's issues and parties, with the ids fixtures and filters name them by.

Nothing else lists them: without it a user learns the ids from error messages. The text form is two tables
(issues, each sub-issue under its parent and marked `↳` as the views mark it; parties) fitted to a width like
every other table: free text (titles, names, aliases, propositions) is cut with `…`, ids never. A catalogue is
typed by people, so everything in it is shown inert. JSON gives every field, keywords too.
"""

from __future__ import annotations

from typing import Any

from tracker.domain.catalog import Catalog, Issue, Party, grouped
from tracker.domain.untrusted import safe_text
from tracker.render.output import ELLIPSIS, Column, Table, _plain, to_json

SUB_ISSUE_MARK = "↳"
DEFAULT_ROLE = "negotiator"  # a party's role where the catalogue (or its model) names none

ISSUE_COLUMNS = [
    Column("id", "id"),
    Column("title", "title", shrinks=1),
    Column("parent", "parent"),
    Column("aliases", "aliases", shrinks=2),
    Column("proposition", "proposition", shrinks=3),
]

PARTY_COLUMNS = [
    Column("id", "id"),
    Column("name", "name", shrinks=1),
    Column("role", "role"),
    Column("aliases", "aliases", shrinks=2),
]


def role(party: Party) -> str:
    """The party's role: `negotiator` unless its model has a role field that says otherwise."""
    value = getattr(party, "role", None) or DEFAULT_ROLE
    return str(getattr(value, "value", value))  # an enum's value, or the text itself


def catalog_document(catalog: Catalog) -> dict[str, Any]:
    """The catalogue as `tracker catalog --format json` gives it: every field, issues in the order shown."""
    return {
        "title": catalog.title,
        "issues": [
            {
                "id": issue.id,
                "title": issue.title,
                "parent": issue.parent,
                "aliases": list(issue.aliases),
                "proposition": issue.proposition,
                "keywords": list(issue.keywords),
            }
            for issue in grouped(catalog.issues)
        ],
        "parties": [
            {
                "id": party.id,
                "name": party.name,
                "role": role(party),
                "aliases": list(party.aliases),
                "keywords": list(party.keywords),
            }
            for party in catalog.parties
        ],
    }


def _issue_record(issue: Issue) -> dict[str, Any]:
    return {
        "id": issue.id,
        # Marked as the views mark a sub-issue; a cut title keeps its mark (it is cut at the end).
        "title": f"{SUB_ISSUE_MARK} {issue.title}" if issue.parent else issue.title,
        "parent": issue.parent,
        "aliases": ", ".join(issue.aliases),
        "proposition": issue.proposition,
    }


def _party_record(party: Party) -> dict[str, Any]:
    return {"id": party.id, "name": party.name, "role": role(party), "aliases": ", ".join(party.aliases)}


def _line(text: str, width: int | None) -> str:
    """A line of free text made inert and, to fit `width`, cut with `…`."""
    shown = safe_text(text)
    return shown if width is None or len(shown) <= width else shown[: width - 1] + ELLIPSIS


def catalog_tables(catalog: Catalog) -> tuple[Table, Table]:
    issues = [_issue_record(issue) for issue in grouped(catalog.issues)]
    parties = [_party_record(party) for party in catalog.parties]
    return (
        Table(f"Issues ({len(issues)})", ISSUE_COLUMNS, issues),
        Table(f"Parties ({len(parties)})", PARTY_COLUMNS, parties),
    )


def render_catalog(catalog: Catalog, fmt: str, width: int | None = None) -> str:
    """The catalogue as `fmt` (table or json); the text tables fitted to `width` columns (None: lines whole)."""
    if fmt == "json":
        return to_json(catalog_document(catalog)) + "\n"
    issues, parties = catalog_tables(catalog)
    return f"{_line(f'Catalogue: {catalog.title}', width)}\n\n{_plain(issues, width)}\n{_plain(parties, width)}"
