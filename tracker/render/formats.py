"""The output formats a command offers, named where the command line can read them without loading a renderer."""

from pathlib import Path

FORMATS = ("table", "json", "csv", "md")  # state, diff, history
REPORT_FORMATS = ("md", "html", "json")  # the briefing

# The JSON Schemas `tracker schema` prints, as packaged files: the command reads one without loading the
# models it describes (`tracker.render.schemas` makes them; a test checks each file against its model).
SCHEMA_KINDS = ("fixture", "articles", "report", "catalog")
SCHEMA_FOLDER = Path(__file__).resolve().parent.parent / "schemas"


def schema_file(kind: str) -> Path:
    return SCHEMA_FOLDER / f"{kind}.json"
