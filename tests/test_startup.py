"""A command loads only what it needs: `tracker --version` answers at once, and a script calling the tracker a
hundred times does not wait for a database toolkit, a terminal toolkit or the read models it never uses.

Checked by name with `python -X importtime` (times vary from machine to machine; the benchmark measures them).
"""

from __future__ import annotations

import gc
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, SEEDS, Run
from tests.helpers import KCS, edit
from tracker.render.formats import SCHEMA_KINDS, schema_file
from tracker.render.schemas import schema_text

HEAVY = {"sqlmodel", "sqlalchemy", "textual", "rich", "jinja2"}
MODELS = {"pydantic", "pydantic_core", "yaml"}


def modules(*args: str, code: str | None = None) -> set[str]:
    """The modules a run of the tracker (or of `code`) imports."""
    command = [sys.executable, "-X", "importtime", *(["-c", code] if code else ["-m", "tracker", *args])]
    done = subprocess.run(command, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    names = set()
    for line in done.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            names.add(line.rsplit("|", 1)[1].strip())
    assert "tracker" in names
    return names


def loaded(*args: str, code: str | None = None) -> set[str]:
    """The top-level packages a run of the tracker (or of `code`) imports."""
    return {name.split(".")[0] for name in modules(*args, code=code)}


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


# What only other commands use: the terminal UI, the renderers of answers, the read models, the suggestion engine.
NOT_FOR_AN_INGEST = (
    "tracker.tui",
    "tracker.render.",
    "tracker.read.reading",
    "tracker.read.models",
    "tracker.ingest.suggest",
)


def test_a_folder_edit_ingested_loads_only_the_ingest(tmp_path: Path) -> None:
    """`tracker ingest --seeds --fixtures` after one fixture is edited: the database toolkit and the models, and
    nothing of the commands that read, render or browse."""
    seeds, fixtures, db = tmp_path / "seeds", tmp_path / "fixtures", str(tmp_path / "tracker.db")
    shutil.copytree(SEEDS, seeds)
    shutil.copytree(FIXTURES, fixtures)
    corpus = ("--db", db, "ingest", "--seeds", str(seeds), "--fixtures", str(fixtures))
    subprocess.run([sys.executable, "-m", "tracker", *corpus], check=True, capture_output=True)
    edit(fixtures / KCS, "    speaker: Dmitry Peskov\n", "    speaker: D. Peskov\n")
    names = modules(*corpus)
    assert "tracker.ingest.corpus" in names and "sqlalchemy" in names
    assert not {name.split(".")[0] for name in names} & {"textual", "rich", "jinja2"}
    assert not {name for name in names if name.startswith(NOT_FOR_AN_INGEST)} - {"tracker.render.formats"}


def test_an_ingest_in_its_own_process_freezes_what_it_loaded_and_collects_garbage_after(tmp_path: Path) -> None:
    """The toolkits an ingest loads are frozen out of the cyclic collector's passes (`gc.freeze`); the collector
    runs again for the ingest itself."""
    db = str(tmp_path / "tracker.db")
    code = (
        "import gc, sys\nfrom tracker.cli import main\n"
        f"sys.argv = ['tracker', '--db', {db!r}, 'ingest', '--seeds', {str(SEEDS)!r}, '--fixtures', {str(FIXTURES)!r}]"
        "\ntry:\n    main()\nexcept SystemExit as exc:\n    assert not exc.code, exc.code\n"
        "print(gc.isenabled(), gc.get_freeze_count() > 10000)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["True", "True"]


def test_a_call_of_main_in_a_longer_lived_process_leaves_its_collector_as_it_was(run: Run, db: str) -> None:
    frozen = gc.get_freeze_count()
    assert run("--db", db, "ingest").exit_code == 0
    assert gc.isenabled() and gc.get_freeze_count() == frozen


@pytest.mark.parametrize("kind", SCHEMA_KINDS)
def test_each_packaged_schema_is_its_models(kind: str) -> None:
    """`tracker schema` prints a packaged copy; it must be what the models give (remade by
    `python -m tracker.render.schemas`)."""
    packaged = schema_file(kind).read_text(encoding="utf-8")
    assert json.loads(packaged) == json.loads(schema_text(kind)), f"remake {Path(schema_file(kind)).name}"
    assert packaged == schema_text(kind)
