"""The core is headless: no core module pulls in a front end (textual, rich, click) when imported."""

from __future__ import annotations

import subprocess
import sys

import pytest

CORE = [
    "tracker.catalog",
    "tracker.corpus",
    "tracker.dates",
    "tracker.errors",
    "tracker.evidence",
    "tracker.grounding",
    "tracker.ingest",
    "tracker.machines",
    "tracker.matrix",
    "tracker.problems",
    "tracker.queries",
    "tracker.report",
    "tracker.status",
    "tracker.store",
    "tracker.timeline",
    "tracker.yamlfile",
]
FRONT_ENDS = ["textual", "rich", "click", "tracker.cli", "tracker.output", "tracker.tui"]


@pytest.mark.parametrize("module", CORE)
def test_core_module_imports_no_front_end(module: str) -> None:
    probe = f"import sys, {module}; print(','.join(m for m in {FRONT_ENDS!r} if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "", f"{module} imports {result.stdout.strip()}"
