"""A plain (non-editable) install carries the bundled corpus: `tracker state` works from any folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The package built from this checkout and installed, without dependencies, into a private folder."""
    target = tmp_path_factory.mktemp("site")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--target",
            str(target),
            str(REPO),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    return target


def test_installed_package_runs_on_its_bundled_corpus(installed: Path, tmp_path: Path) -> None:
    assert (installed / "tracker" / "corpus" / "seeds" / "articles.yaml").is_file()
    assert (installed / "tracker" / "corpus" / "fixtures" / "catalog.yaml").is_file()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(installed), "XDG_DATA_HOME": str(tmp_path / "data")}
    env.pop("TRACKER_DB", None)
    where = subprocess.run(
        [sys.executable, "-c", "import tracker; print(tracker.__file__)"],
        capture_output=True,
        text=True,
        env=env,
        cwd=elsewhere,
        check=True,
    )
    assert where.stdout.startswith(str(installed)), "the installed copy, not the checkout, is tested"
    result = subprocess.run(
        [str(installed / "bin" / "tracker"), "state", "--as-of", "2026-02-06", "--format", "csv"],
        capture_output=True,
        text=True,
        env=env,
        cwd=elsewhere,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "from the bundled corpus" in result.stderr
    assert "donetsk_withdrawal,ukraine,counter_proposal,2026-02-05,2," in result.stdout
    assert (tmp_path / "data" / "negotiation-tracker" / "tracker.db").is_file()
