"""The same corpus gives the same answers on SQLite and on a PostgreSQL server; a server URL names its driver.

Run with `TRACKER_TEST_DB` set, these tests (like the rest of the suite) use a
fresh PostgreSQL database that compares text in en-US where the server offers
it, as a team's server usually does.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import Run, db_digest
from tests.helpers import edit, write_trade_talks


@pytest.mark.parametrize("scheme", ["postgresql", "postgres", "POSTGRESQL"])
def test_a_server_url_without_its_driver_says_which_to_name(scheme: str, run: Run) -> None:
    result = run("--db", f"{scheme}://analyst:s3cret@db.example/tracker", "state")
    assert result.exit_code == 2 and result.stdout == ""
    assert "name the PostgreSQL driver in the URL: postgresql+psycopg://" in result.stderr
    assert "negotiation-tracker[postgres]" in result.stderr and "s3cret" not in result.stderr


def test_a_missing_driver_says_how_to_install_it(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)  # as if psycopg were not installed
    result = run("--db", "postgresql+psycopg://analyst:s3cret@db.example/tracker", "state")
    assert result.exit_code == 2 and result.stdout == ""
    assert "driver is not installed" in result.stderr and "pip install 'negotiation-tracker[postgres]'" in result.stderr
    assert "s3cret" not in result.stderr and "***" in result.stderr


def test_the_tracker_needs_no_postgresql_driver_for_sqlite(tmp_path: Path) -> None:
    """psycopg is an extra: without it, ingest and queries on SQLite work, and nothing imports it."""
    probe = (
        "import sys; sys.modules['psycopg'] = None\n"  # importing psycopg now fails, as when it is not installed
        "from tracker.cli import main\n"
        "for args in (['ingest'], ['state', '--as-of', '2026-02-06', '--format', 'csv']):\n"
        "    try:\n"
        f"        main(['--db', {str(tmp_path / 'plain.db')!r}, *args])\n"
        "    except SystemExit as exc:\n"
        "        assert exc.code == 0, exc.code\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert "nato_membership,russia,demands,2026-01-23" in result.stdout


def two_articles_on_one_day(root: Path) -> tuple[Path, Path]:
    """Two articles of the same date whose ids a server's en-US collation orders the other way round."""
    seeds, fixtures = write_trade_talks(root)
    for article in ("Zeta-wire", "alpha-wire"):
        (seeds / f"{article}.txt").write_text("Steel tariffs remain a sticking point, negotiators said.\n")
        edit(
            seeds / "articles.yaml",
            "articles:\n",
            f"articles:\n  - id: {article}\n    file: {article}.txt\n    title: {article}\n"
            "    published_on: 2030-05-01\n    date_basis: stated\n",
        )
        (fixtures / f"{article}.yaml").write_text(
            f"article: {article}\nevidence:\n  - id: {article}-1\n    issue: steel\n"
            "    quote: Steel tariffs remain a sticking point\n    attribution: analysis\n"
        )
    return seeds, fixtures


def test_ids_are_ordered_by_code_point_on_every_backend(tmp_path: Path, run: Run, db: str) -> None:
    """Same-day evidence and a report's sources follow the ids as Python sorts them, whatever the server's locale."""
    seeds, fixtures = two_articles_on_one_day(tmp_path)
    assert run("--db", db, "ingest", "--seeds", str(seeds), "--fixtures", str(fixtures)).exit_code == 0
    [issue] = json.loads(run("--db", db, "state", "--as-of", "2030-05-02", "--format", "json").stdout)["issues"]
    assert (
        [e["article"] for e in issue["evidence"]] == sorted(["alpha-wire", "Zeta-wire"]) == ["Zeta-wire", "alpha-wire"]
    )
    report = json.loads(run("--db", db, "report", "--as-of", "2030-05-02", "--format", "json").stdout)
    assert [s["id"] for s in report["sources"]] == ["Zeta-wire", "alpha-wire", "brief"]


def test_long_text_that_sqlite_takes_is_taken_everywhere(tmp_path: Path, run: Run, db: str) -> None:
    """The store bounds no text the corpus checks let through (a server's VARCHAR(n) would refuse it)."""
    seeds, fixtures = write_trade_talks(tmp_path)
    aliases = ", ".join(f"Brussels delegation {n}" for n in range(300))  # 6,000 characters as stored
    edit(fixtures / "catalog.yaml", "aliases: [Brussels]", f"aliases: [Brussels, {aliases}]")
    edit(fixtures / "catalog.yaml", "title: Steel trade talks", "title: Steel trade talks" + " (continued)" * 250)
    result = run("--db", db, "ingest", "--seeds", str(seeds), "--fixtures", str(fixtures))
    assert result.exit_code == 0, result.stderr
    by_alias = run(
        "--db", db, "state", "--as-of", "2030-05-02", "--party", "Brussels delegation 299", "--format", "csv"
    )
    assert by_alias.exit_code == 0 and "steel_tariffs,eu,demands" in by_alias.stdout
    briefing = run("--db", db, "report", "--as-of", "2030-05-02").stdout
    assert briefing.startswith("# Steel trade talks" + " (continued)" * 250 + "\n")


@pytest.mark.parametrize(
    ("file", "old", "new"),
    [
        ("brief.yaml", "attribution: direct", 'attribution: direct\n    note: "a\\0b"'),
        ("catalog.yaml", "title: Steel trade talks", 'title: "Steel\\0talks"'),
    ],
)
def test_a_nul_character_is_bad_data_on_every_backend(
    tmp_path: Path, run: Run, db: str, file: str, old: str, new: str
) -> None:
    """No PostgreSQL text holds NUL: it is refused where it was typed, by validate and ingest alike."""
    seeds, fixtures = write_trade_talks(tmp_path)
    args = ("--seeds", str(seeds), "--fixtures", str(fixtures))
    assert run("--db", db, "ingest", *args).exit_code == 0
    before = db_digest(db)
    edit(fixtures / file, old, new)
    checked = run("--db", db, "validate", *args)
    ingested = run("--db", db, "ingest", *args)
    assert checked.exit_code == ingested.exit_code == 1, ingested.stderr
    [problem] = checked.stdout.splitlines()
    line = next(n for n, text in enumerate((fixtures / file).read_text().splitlines(), 1) if "\\0" in text)
    assert problem.startswith(f"{fixtures / file}:{line}: ") and "NUL" in problem, problem
    assert problem in ingested.stderr
    assert db_digest(db) == before
