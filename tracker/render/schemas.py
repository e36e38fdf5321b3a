"""The JSON Schemas of what a user writes (fixtures, articles.yaml) and of the briefing's JSON, from their models.

`tracker schema` prints the packaged copies (`tracker/schemas/*.json`, see
`tracker.render.formats`) so that it loads no models; `write_schemas` remakes
them, and a test checks that each still matches its model.
"""

from __future__ import annotations

from typing import Any

from tracker.domain.evidence import fixture_schema
from tracker.read.briefing import Report
from tracker.render.formats import SCHEMA_KINDS, schema_file
from tracker.render.output import to_json


def schema(kind: str) -> dict[str, Any]:
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
