"""The core is headless: no module below the front ends pulls in a front end (textual, rich, click) when imported.

Every module of the core packages is probed, found by walking them: a new module is covered the day it is added.
(The import-linter contracts in pyproject.toml check the layers statically; this checks what importing does.)
"""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import pytest

import tracker

CORE_PACKAGES = ("domain", "store", "ingest", "read", "render")
CORE = sorted(
    module.name
    for module in pkgutil.walk_packages(tracker.__path__, "tracker.")
    if module.name.split(".")[1] in CORE_PACKAGES
)
FRONT_ENDS = ["textual", "rich", "click", "tracker.cli", "tracker.tui"]


def test_every_core_package_is_probed() -> None:
    assert {name.split(".")[1] for name in CORE} == set(CORE_PACKAGES)


@pytest.mark.parametrize("module", CORE)
def test_core_module_imports_no_front_end(module: str) -> None:
    probe = f"import sys, {module}; print(','.join(m for m in {FRONT_ENDS!r} if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "", f"{module} imports {result.stdout.strip()}"
