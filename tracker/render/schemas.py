"""The JSON Schemas of what a user writes (fixtures, articles.yaml, catalog.yaml) and of the briefing's JSON, from
their models.

`tracker schema` prints the packaged copies (`tracker/schemas/*.json`, see
`tracker.render.formats`) so that it loads no models; `write_schemas` remakes
them, and a test checks that each still matches its model.
"""

from __future__ import annotations

from typing import Any

from tracker.domain.catalog import Catalog
from tracker.domain.evidence import fixture_schema
from tracker.read.briefing import Report
from tracker.render.formats import SCHEMA_KINDS, schema_file
from tracker.render.output import to_json

# What each field of a catalogue means to the person writing one (the models say what they accept).
CATALOG_DESCRIPTIONS: dict[str, dict[str, str]] = {
    "Catalog": {
        "title": "The negotiation's name, shown in reports and by `tracker catalog`. A database holds one "
        "negotiation and knows it by this title: changing it later takes `tracker ingest --rename`",
        "issues": "The points under negotiation, in the order views show them (a sub-issue follows its parent)",
        "parties": "The actors whose positions are tracked, in the order views show them",
    },
    "Issue": {
        "id": "Stable id (lowercase letters, digits, _): what fixtures, filters and the database call the issue. "
        "Keep it once evidence is coded against it",
        "title": "Short name shown in tables and reports",
        "proposition": "The one statement every party's stance is about: `supports` means for it, `opposes` "
        "against it. Word it so that each party can be for or against it",
        "parent": "Id of the issue this one is a sub-proposal of: views show it under its parent, and a filter "
        "on the parent includes it. One level only: a parent has no parent",
        "aliases": "Other names evidence and filters may use for the issue (any case); each name belongs to one issue",
        "keywords": "Words that signal the issue in an article without naming it: what `tracker suggest` looks "
        "for beside its names. Not names: a fixture or filter cannot use them",
    },
    "Party": {
        "id": "Stable id (lowercase letters, digits, _): what fixtures, filters and the database call the party. "
        "Keep it once evidence is coded against it",
        "name": "Display name shown in tables and reports",
        "role": "negotiator (the default: a side whose agreement the deal needs), mediator (brokers and "
        "proposes) or observer (comments, votes, funds). Every role's positions are tracked; an issue's status "
        "is derived from the negotiators' stances only",
        "aliases": "Other names evidence and filters may use for the party (Kremlin, Kyiv; any case); each name "
        "belongs to one party",
        "keywords": "Words that signal the party in an article without naming it (a spokesman's name): what "
        "`tracker suggest` looks for beside its names. Not names: a fixture or filter cannot use them",
    },
}
NOT_BLANK = "\\S"  # an alias or keyword must hold more than spaces


def catalog_schema() -> dict[str, Any]:
    """The JSON Schema of a catalogue file (catalog.yaml), from the catalogue's models.

    What the loader checks beyond the models is said too where JSON Schema can: no other top-level field, at
    least one issue and one party, no blank alias. What the catalogue keeps for itself (where it was read from)
    is not written by a user and is left out.
    """
    schema = Catalog.model_json_schema()
    kept_apart = {name for name, field in Catalog.model_fields.items() if field.exclude}
    schema["properties"] = {k: v for k, v in schema["properties"].items() if k not in kept_apart}
    schema["additionalProperties"] = False
    schema["title"] = "Catalogue"
    schema["description"] = "The issues under negotiation and the parties whose positions are tracked (catalog.yaml)."
    for section in ("issues", "parties"):
        schema["properties"][section]["minItems"] = 1
    schema["$defs"]["Issue"]["description"] = "A point under negotiation, stated as one proposition."
    schema["$defs"]["Party"]["description"] = "An actor whose position on each issue is tracked."
    schema["$defs"]["Role"]["description"] = "What a party is to the deal: only negotiators' stances make a status."
    for name, part in (("Catalog", schema), *schema["$defs"].items()):
        if "properties" not in part:
            continue  # an enum (the roles)
        for field, description in CATALOG_DESCRIPTIONS.get(name, {}).items():
            if field in part["properties"]:
                part["properties"][field]["description"] = description
        for field in ("aliases", "keywords"):
            if field in part["properties"]:
                part["properties"][field]["items"]["pattern"] = NOT_BLANK
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}


def schema(kind: str) -> dict[str, Any]:
    if kind == "catalog":
        return catalog_schema()
    if kind == "report":
        return {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            **Report.model_json_schema(mode="serialization", by_alias=True),
        }
    return fixture_schema(kind)


def schema_text(kind: str) -> str:
    return to_json(schema(kind)) + "\n"


def write_schemas() -> None:
    """Remake the packaged schema files from the models."""
    for kind in SCHEMA_KINDS:
        schema_file(kind).write_text(schema_text(kind), encoding="utf-8")


if __name__ == "__main__":
    write_schemas()
