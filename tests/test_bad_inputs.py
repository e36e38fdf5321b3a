"""The bad-input corpus: each case in `tests/bad_inputs/` is a small corpus with exactly one defect.

A case folder holds the files that differ from `base/` (a valid corpus of one
article), or a whole `feed.jsonl`, and `case.yaml`: the `defect`, and the one
line `path:line: field: message` an ingest must answer with (`expect`, the
start of the line, paths relative to the case's corpus). Every case must exit
1 with that one line and nothing else on stderr, no traceback, and leave the
database exactly as it was (a digest of every row before and after). `make`
writes a file the test needs too big to keep (`bytes` of it, or a FIFO with
`fifo`, a folder with `folder`, a symlink to `symlink`); `remove` takes a file of the base away. No message may carry a
raw control character, whatever the input held.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import Run, db_digest

CASES = Path(__file__).resolve().parent / "bad_inputs"
BASE = CASES / "base"
PROBLEM = r"^\S.*:\d+: "
# What may never reach a terminal from input: C0 controls but the line feed, DEL, C1, bidi overrides.
TERMINAL_CONTROLS = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def case_names() -> list[str]:
    return sorted(p.name for p in CASES.iterdir() if p.is_dir() and p.name != "base")


def assemble(case: Path, into: Path) -> tuple[list[str], dict[str, Any]]:
    """The case's corpus in `into`, and the arguments of `tracker ingest` that read it."""
    meta = yaml.safe_load((case / "case.yaml").read_text(encoding="utf-8"))
    if (case / "feed.jsonl").exists():
        shutil.copy(case / "feed.jsonl", into / "feed.jsonl")
        return ["--jsonl", str(into / "feed.jsonl")], meta
    shutil.copytree(BASE, into, dirs_exist_ok=True)
    for path in case.rglob("*"):
        if path.is_file() and path.name != "case.yaml":
            target = into / path.relative_to(case)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, target)
    for name in meta.get("remove", []):
        (into / name).unlink()
    if "make" in meta:
        made = into / meta["make"]["file"]
        made.unlink(missing_ok=True)
        if meta["make"].get("fifo"):
            os.mkfifo(made)
        elif meta["make"].get("symlink"):
            made.symlink_to(meta["make"]["symlink"])
        elif meta["make"].get("folder"):
            made.mkdir()
        else:
            made.write_bytes(b"a" * meta["make"]["bytes"])
    return ["--seeds", str(into / "seeds"), "--fixtures", str(into / "fixtures")], meta


def test_there_are_at_least_thirty_cases_each_with_its_defect_and_message() -> None:
    names = case_names()
    assert len(names) >= 30
    for name in names:
        meta = yaml.safe_load((CASES / name / "case.yaml").read_text(encoding="utf-8"))
        assert meta.get("defect") and meta.get("expect"), name


def test_the_base_corpus_is_valid(run: Run, tmp_path: Path, seeded_db: str) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(BASE, corpus)
    result = run("--db", seeded_db, "ingest", "--seeds", str(corpus / "seeds"), "--fixtures", str(corpus / "fixtures"))
    assert result.exit_code == 0, result.stderr


@pytest.mark.parametrize("name", case_names())
def test_a_bad_input_gets_its_one_message_and_changes_nothing(
    name: str, run: Run, tmp_path: Path, seeded_db: str, never_waits_for_ever: None
) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    arguments, meta = assemble(CASES / name, corpus)
    before = db_digest(seeded_db)
    checked = run("--db", seeded_db, "validate", *arguments)
    result = run("--db", seeded_db, "ingest", *arguments)
    assert checked.exit_code == 1 and checked.stdout == result.stderr, "validate lists what ingest refuses"
    shown = result.stderr.replace(f"{corpus}/", "")
    assert result.exit_code == 1, shown
    assert "Traceback" not in shown and result.stdout == ""
    assert not TERMINAL_CONTROLS.search(result.stderr + checked.stdout + checked.stderr), "untrusted text shown inert"
    lines = shown.splitlines()
    assert len(lines) == 1, f"one line expected for {meta['defect']!r}, got:\n{shown}"
    assert lines[0].startswith(meta["expect"]), f"{meta['defect']}:\n  got      {lines[0]}\n  expected {meta['expect']}"
    assert db_digest(seeded_db) == before
