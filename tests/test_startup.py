"""A command loads only what it needs: `tracker --version` answers at once, and a script calling the tracker a
hundred times does not wait for a database toolkit, a terminal toolkit or the read models it never uses.

Checked by name with `python -X importtime` (times vary from machine to machine; the benchmark measures them).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tracker.render.formats import SCHEMA_KINDS, schema_file
from tracker.render.schemas import schema_text

HEAVY = {"sqlmodel", "sqlalchemy", "textual", "rich", "jinja2"}
MODELS = {"pydantic", "pydantic_core", "yaml"}


def loaded(*args: str, code: str | None = None) -> set[str]:
    """The top-level packages a run of the tracker (or of `code`) imports."""
    command = [sys.executable, "-X", "importtime", *(["-c", code] if code else ["-m", "tracker", *args])]
    done = subprocess.run(command, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    names = set()
    for line in done.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            names.add(line.rsplit("|", 1)[1].strip().split(".")[0])
    assert "tracker" in names
    return names


@pytest.fixture(scope="module")
def sqlite_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A SQLite database of the bundled corpus (what a script most often reads, whatever the suite's backend)."""
    db = str(tmp_path_factory.mktemp("startup") / "tracker.db")
    subprocess.run([sys.executable, "-m", "tracker", "--db", db, "ingest"], check=True, capture_output=True)
    return db


@pytest.mark.parametrize(
    "args", [("--version",), ("--help",), ("state", "--help"), ("schema",), ("schema", "report"), ("schema", "catalog")]
)
def test_version_help_and_schemas_load_neither_a_toolkit_nor_the_models(args: tuple[str, ...]) -> None:
    assert not loaded(*args) & (HEAVY | MODELS)


def test_the_machines_load_neither_a_toolkit_nor_the_models(sqlite_db: str) -> None:
    assert not loaded("--db", sqlite_db, "machines") & (HEAVY | MODELS)


@pytest.mark.parametrize("command", ["state", "diff 2026-01-01 2026-02-06", "history", "report"])
def test_reads_of_a_sqlite_file_load_no_database_or_terminal_toolkit(sqlite_db: str, command: str) -> None:
    assert not loaded("--db", sqlite_db, *command.split()) & HEAVY


def test_the_python_api_loads_what_the_command_line_loads(sqlite_db: str) -> None:
    assert not loaded(code="import tracker") & (HEAVY | MODELS)
    code = f"import tracker\nwith tracker.open({sqlite_db!r}) as t: t.state(as_of='2026-02-06')"
    assert not loaded(code=code) & HEAVY


@pytest.mark.parametrize("kind", SCHEMA_KINDS)
def test_each_packaged_schema_is_its_models(kind: str) -> None:
    """`tracker schema` prints a packaged copy; it must be what the models give (remade by
    `python -m tracker.render.schemas`)."""
    packaged = schema_file(kind).read_text(encoding="utf-8")
    assert json.loads(packaged) == json.loads(schema_text(kind)), f"remake {Path(schema_file(kind)).name}"
    assert packaged == schema_text(kind)
