"""The README's "Track your own negotiation" walkthrough, run step by step in a fresh folder, as a reader would.

Its ```console blocks are run in order (`$ cd DIR` moves; `$ tracker code ...` is the coding screen, which the
`<!-- coded: PATH -->` block after it stands for) and each command's output (stdout and stderr, as a terminal
shows them) is compared with the block; a `<!-- file: PATH -->` block is written to PATH first; a
`<!-- coded: PATH -->` block is what the coding layer saves (`tracker.coding.Coding`, as the screen does) for
its items, byte for byte. Paths under the folder it runs in read `/home/analyst`, and recorded times are
compared as `TIME`. `TRACKER_UPDATE_GOLDEN=1` rewrites the outputs: review the diff.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO
from tracker.coding import Coding, Draft
from tracker.read.opening import Database

README = REPO / "README.md"
SECTION = re.compile(r"^## Track your own negotiation\n(.*?)(?=^## )", re.S | re.M)
STEP = re.compile(r"<!-- (file|coded): (\S+) -->\n```\w*\n(.*?)```|```console\n(.*?)```", re.S)
HOME = "/home/analyst"
TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?\+00:00")


def normalised(text: str, root: Path) -> str:
    return TIME.sub("TIME", text.replace(str(root), HOME))


def run_console(block: str, cwd: Path, root: Path, env: dict[str, str]) -> tuple[Path, str]:
    """Run a console block's commands; the folder it ends in, and the block as the commands printed it."""
    out: list[str] = []
    for command, _ in re.findall(r"^\$ (.*)\n((?:(?!\$ ).*\n)*)", block, re.M):
        out.append(f"$ {command}\n")
        args = shlex.split(command)
        if args[0] == "cd":
            cwd = (cwd / args[1]).resolve()
            continue
        if args[:2] == ["tracker", "code"]:
            continue  # the coding screen: the `coded` block after it is what it saves
        done = subprocess.run(
            [sys.executable, "-m", "tracker", *args[1:]],
            cwd=cwd,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            check=False,
        )
        assert done.returncode == 0, f"{command}: {done.stdout}"
        out.append(normalised(done.stdout, root))
    return cwd, "".join(out)


def test_the_walkthrough_runs_as_the_readme_says(tmp_path: Path) -> None:
    text = README.read_text(encoding="utf-8")
    section = SECTION.search(text)
    assert section, "the README has a 'Track your own negotiation' section"
    root = tmp_path.resolve()
    env = {**os.environ, "XDG_DATA_HOME": str(root / ".xdg"), "PYTHONUNBUFFERED": "1", "COLUMNS": "200"}
    env.pop("TRACKER_DB", None)
    env.pop("TRACKER_WORKSPACE", None)
    cwd = root
    rewritten = section.group(1)
    for step in STEP.finditer(section.group(1)):
        kind, name, content, console = step.groups()
        if console is not None:
            cwd, printed = run_console(console, cwd, root, env)
            if os.environ.get("TRACKER_UPDATE_GOLDEN"):
                rewritten = rewritten.replace(f"```console\n{console}```", f"```console\n{printed}```", 1)
            else:
                assert printed == console
        elif kind == "file":
            (cwd / name).parent.mkdir(parents=True, exist_ok=True)
            (cwd / name).write_text(content, encoding="utf-8")
        else:
            fixture = cwd / name
            assert not fixture.exists()
            coded = yaml.safe_load(content)
            coding = Coding(cwd / "seeds", cwd / "fixtures", coded["article"], Database(str(cwd / "tracker.db")))
            for item in coded["evidence"]:
                fields = {k: str(v) for k, v in item.items() if k not in ("id",)}
                saved, _ = coding.save(Draft(**fields))
                assert saved == item["id"], "the coding screen gives the next free id"
            assert fixture.read_text(encoding="utf-8") == content
    if os.environ.get("TRACKER_UPDATE_GOLDEN"):
        README.write_text(text.replace(section.group(1), rewritten), encoding="utf-8")
        pytest.skip("rewrote the walkthrough's outputs: review the diff")
