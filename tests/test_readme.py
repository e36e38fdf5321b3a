"""The README's examples are what the commands print, on the bundled corpus.

Every ```text block of the README that begins with `$ tracker ...` is run (on a
database of the bundled corpus) and its output compared with the block; a
command may end in `| head -N`. `TRACKER_UPDATE_GOLDEN=1` rewrites the blocks
from the commands' output: review the diff.
"""

from __future__ import annotations

import os
import re
import shlex

import pytest

from tests.conftest import REPO, Run

README = REPO / "README.md"
EXAMPLE = re.compile(r"```text\n\$ (tracker [^\n]*)\n(.*?)```", re.S)


def examples() -> list[tuple[str, str]]:
    return [(match.group(1), match.group(2)) for match in EXAMPLE.finditer(README.read_text(encoding="utf-8"))]


def printed(run: Run, db: str, command: str) -> str:
    head = re.search(r"\s*\|\s*head -(\d+)$", command)
    args = shlex.split(command[: head.start()] if head else command)[1:]
    result = run("--db", db, *args)
    assert result.exit_code == 0, result.stderr
    if head:
        return "".join(result.stdout.splitlines(keepends=True)[: int(head.group(1))])
    return result.stdout


def test_the_readme_has_examples_of_every_reading_command() -> None:
    shown = {shlex.split(command)[1] for command, _ in examples()}
    assert {"state", "diff", "history", "report", "machines"} <= shown


@pytest.mark.parametrize("command", [command for command, _ in examples()])
def test_a_readme_example_is_what_the_command_prints(command: str, run: Run, seeded_db: str) -> None:
    output = printed(run, seeded_db, command)
    if os.environ.get("TRACKER_UPDATE_GOLDEN"):
        text = README.read_text(encoding="utf-8")
        text = EXAMPLE.sub(
            lambda m: f"```text\n$ {m.group(1)}\n{output}```" if m.group(1) == command else m.group(0), text
        )
        README.write_text(text, encoding="utf-8")
        pytest.skip("rewrote the README's example: review the diff")
    expected = dict(examples())[command]
    assert output == expected


PYTHON_EXAMPLE = re.compile(r"### From Python\n.*?```python\n(.*?)```\n\n```text\n(.*?)```", re.S)


def test_the_python_example_prints_what_the_readme_says(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Run as a reader would paste it: on the default database, built from the bundled corpus on first use."""
    match = PYTHON_EXAMPLE.search(README.read_text(encoding="utf-8"))
    assert match, "the README has a From Python section with an example and its output"
    code, expected = match.groups()
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path_factory.mktemp("python-example")))
    exec(compile(code, "README.md", "exec"), {})
    assert capsys.readouterr().out == expected
