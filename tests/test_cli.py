"""The command-line contract: golden output per format, exit codes, stdout/stderr, --db placement."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

from tests.conftest import FIXTURES, GOLDEN, REPO, NewDb, Run
from tests.helpers import write_trade_talks

sys.path.insert(0, str(REPO / "benchmarks"))
from synthetic import write_feed

from tracker.store.address import database_url
from tracker.store.database import Store

QUERIES = {
    "state": ("state", "--as-of", "2026-02-06"),
    "diff": ("diff", "2026-01-24", "2026-02-06"),
    "history": ("history",),
}
EXTENSIONS = {"table": "txt", "json": "json", "csv": "csv", "md": "md"}


@pytest.mark.parametrize("fmt", sorted(EXTENSIONS))
@pytest.mark.parametrize("query", sorted(QUERIES))
def test_golden_output(query: str, fmt: str, run: Run, seeded_db: str) -> None:
    result = run("--db", seeded_db, *QUERIES[query], "--format", fmt)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    golden = GOLDEN / f"{query}.{EXTENSIONS[fmt]}"
    if os.environ.get("TRACKER_UPDATE_GOLDEN"):
        golden.write_text(result.stdout, encoding="utf-8")
        pytest.skip(f"rewrote {golden.name}: review the diff")
    assert result.stdout == golden.read_text(encoding="utf-8")


@pytest.mark.parametrize("width", [80, 120])
@pytest.mark.parametrize("query", sorted(QUERIES))
def test_a_table_fits_its_width_cutting_only_free_text(query: str, width: int, run: Run, seeded_db: str) -> None:
    result = run("--db", seeded_db, *QUERIES[query], "--width", str(width))
    assert result.exit_code == 0, result.stderr
    golden = GOLDEN / f"{query}.w{width}.txt"
    if os.environ.get("TRACKER_UPDATE_GOLDEN"):
        golden.write_text(result.stdout, encoding="utf-8")
        pytest.skip(f"rewrote {golden.name}: review the diff")
    assert result.stdout == golden.read_text(encoding="utf-8")
    assert max(len(line) for line in result.stdout.splitlines()) <= width
    whole = run("--db", seeded_db, *QUERIES[query], "--format", "csv").stdout
    ids = {row["evidence"] for row in csv.DictReader(io.StringIO(whole)) if row.get("evidence")}
    ids |= {row["newest_evidence"] for row in csv.DictReader(io.StringIO(whole)) if row.get("newest_evidence")}
    for evidence_id in ids:  # ids are never cut
        assert evidence_id.split(", ")[0] in result.stdout


def test_a_table_is_whole_when_not_a_terminal_and_fits_a_terminal(run: Run, seeded_db: str) -> None:
    piped = run("--db", seeded_db, "history")
    assert max(len(line) for line in piped.stdout.splitlines()) > 200, "piped: every line whole"
    assert "…" not in piped.stdout


@pytest.mark.parametrize("query", sorted(QUERIES))
def test_tabular_formats_agree_value_for_value(query: str, run: Run, seeded_db: str) -> None:
    """Markdown shows what CSV gives one value per field (the source joins speaker and attribution)."""
    records = list(csv.DictReader(io.StringIO(run("--db", seeded_db, *QUERIES[query], "--format", "csv").stdout)))
    md = run("--db", seeded_db, *QUERIES[query], "--format", "md").stdout.splitlines()
    header, *rows = [line for line in md if line.startswith("| ") and not line.startswith("| ---")]
    keys = [c.strip().replace(" ", "_") for c in header.removeprefix("| ").removesuffix(" |").split(" | ")]
    assert len(rows) == len(records)
    for record, md_line in zip(records, rows, strict=True):
        cells = [c.strip().replace("\\", "") for c in md_line.removeprefix("| ").removesuffix(" |").split(" | ")]
        for key, cell in zip(keys, cells, strict=True):
            if key not in record:
                continue  # `source`: the table's own reading of speaker and attribution
            if key == "party" and record.get("kind") in ("issue_status", "status", "named"):
                continue  # the table says `(issue status)`; CSV leaves the party empty
            if key == "party":
                cell = cell.removesuffix(" (mediator)").removesuffix(" (observer)")  # the table marks the role
            if key in ("since", "date"):
                cell = cell.removeprefix("by ")  # a recap's: "by DATE" in tables, CSV the plain date
                if record.get("said_on"):
                    continue  # an EDTF span as written in the table; CSV gives its end and `said_on`
            assert cell == record[key].strip(), (key, record)
    assert all("," not in (r.get("attribution") or "") for r in records)
    assert all(key == key.lower() and " " not in key for key in records[0]), "snake_case headers"


def test_csv_gives_an_issue_status_change_its_kind_and_no_party(run: Run, seeded_db: str) -> None:
    records = list(csv.DictReader(io.StringIO(run("--db", seeded_db, *QUERIES["diff"], "--format", "csv").stdout)))
    status = [r for r in records if r["kind"] == "issue_status"]
    assert status and all(r["party"] == "" for r in status)
    moved = next(r for r in records if r["evidence"] == "adr1-04")  # Ukraine's own word, no speaker named
    assert (moved["speaker"], moved["attribution"]) == ("", "direct")


def test_history_between_two_dates_and_diff_up_to_the_newest_day(run: Run, seeded_db: str) -> None:
    window = json.loads(
        run("--db", seeded_db, "history", "--since", "2026-02-01", "--until", "2026-02-05", "--format", "json").stdout
    )
    assert window["moves"] and all("2026-02-01" <= m["date"] <= "2026-02-05" for m in window["moves"])
    every = json.loads(run("--db", seeded_db, "history", "--format", "json").stdout)
    assert len(window["moves"]) < len(every["moves"])
    assert run("--db", seeded_db, "history", "--since", "2026-02-05", "--until", "2026-02-01").exit_code == 2
    open_ended = json.loads(run("--db", seeded_db, "diff", "2026-01-24", "--format", "json").stdout)
    assert open_ended["to"] == "2026-02-05", "the newest day with evidence"
    closed = json.loads(run("--db", seeded_db, "diff", "2026-01-24", "2026-02-05", "--format", "json").stdout)
    assert open_ended == closed


def test_log_lists_each_ingest_with_what_it_did(run: Run, corpus: tuple[Path, Path], db: str) -> None:
    seeds, fixtures = corpus
    args = ("--seeds", str(seeds), "--fixtures", str(fixtures))
    assert run("--db", db, "ingest", *args).exit_code == 0
    path = fixtures / "kremlin-confirms-abu-dhabi-talks.yaml"
    text = path.read_text()
    path.write_text(text[: text.index("  - id: kcat-03")] + text[text.index("  - id: kcat-06") :])
    assert run("--db", db, "ingest", *args).exit_code == 0
    log = json.loads(run("--db", db, "log", "--format", "json").stdout)["ingests"]
    assert [(i["evidence_added"], i["evidence_edited"], i["evidence_removed"]) for i in log] == [(32, 0, 0), (0, 0, 1)]
    first = log[0]["recorded_at"]
    then = json.loads(run("--db", db, "state", "--known-at", first, "--party", "europe", "--format", "json").stdout)
    assert any(p["stance"] == "supports" and p["issue"] == "peacekeepers" for p in then["positions"])
    table = run("--db", db, "log").stdout
    assert "evidence added" in table and str(seeds) in table


def test_search_finds_quotes_speakers_notes_and_titles(run: Run, seeded_db: str) -> None:
    found = json.loads(run("--db", seeded_db, "search", "PESKOV", "--format", "json").stdout)
    assert found["evidence_total"] >= 1 and all(
        "peskov"
        in (h["evidence"]["speaker"] or "").lower()
        + h["evidence"]["quote"].lower()
        + (h["evidence"]["note"] or "").lower()
        for h in found["evidence"]
    )
    titles = json.loads(run("--db", seeded_db, "search", "constructive spirit", "--format", "json").stdout)
    assert [a["id"] for a in titles["articles"]] == ["kremlin-constructive-spirit"]
    literal = json.loads(run("--db", seeded_db, "search", "100%_", "--format", "json").stdout)
    assert literal["evidence_total"] == 0, "% and _ are searched for, not wildcards"
    assert run("--db", seeded_db, "search", "  ").exit_code == 2


def test_show_gives_a_piece_of_evidence_in_context_or_an_article(run: Run, seeded_db: str) -> None:
    shown = run("--db", seeded_db, "show", "adr1-04")
    assert shown.exit_code == 0
    assert "soften: opposes → counter_proposal" in shown.stdout
    assert "[Ukraine said the conflict should be frozen along current front lines" in shown.stdout
    detail = json.loads(run("--db", seeded_db, "show", "adr1-04", "--format", "json").stdout)
    assert (detail["party"], detail["move"], detail["evidence"]["id"]) == ("ukraine", "soften", "adr1-04")
    article = run("--db", seeded_db, "show", "kremlin-constructive-spirit")
    assert "kcs-01" in article.stdout and "Evidence coded from it (3)" in article.stdout
    missing = run("--db", seeded_db, "show", "no-such-thing")
    assert missing.exit_code == 2 and "no evidence or article 'no-such-thing'" in missing.stderr


def test_state_json_has_the_contract_keys(run: Run, seeded_db: str) -> None:
    report = json.loads(run("--db", seeded_db, "state", "--as-of", "2026-02-06", "--format", "json").stdout)
    assert set(report) >= {"as_of", "positions", "issues"}
    for position in report["positions"]:
        assert set(position) >= {"issue", "party", "stance", "since", "evidence"}
        for item in position["evidence"]:
            assert set(item) >= {"id", "article", "date", "quote", "speaker", "attribution"}
    for issue in report["issues"]:
        assert set(issue) >= {"issue", "status", "evidence"}


@pytest.mark.parametrize(
    "args",
    [
        ("state", "--as-of", "2026-13-01"),
        ("state", "--as-of", "yesterday"),
        ("state", "--party", "atlantis"),
        ("state", "--format", "xml"),
        ("diff", "2026-02-06", "2026-01-24"),
        ("diff",),  # FROM is needed (TO defaults to the newest day)
        ("history", "--issue", "moon"),
        ("state", "--known-at", "soon"),
        ("no-such-command",),
    ],
)
def test_bad_usage_exits_2_with_nothing_on_stdout(args: tuple[str, ...], run: Run, seeded_db: str) -> None:
    result = run("--db", seeded_db, *args)
    assert result.exit_code == 2, result
    assert result.stdout == ""
    assert result.stderr.strip()
    assert "Traceback" not in result.stderr


def test_unknown_party_names_the_known_ones(run: Run, seeded_db: str) -> None:
    result = run("--db", seeded_db, "state", "--party", "russa")
    assert result.stderr == (
        "error: unknown party 'russa' (did you mean 'russia'? known parties: russia, ukraine, united_states, europe)\n"
    )


def test_aliases_resolve_in_filters(run: Run, seeded_db: str) -> None:
    by_alias = run("--db", seeded_db, "state", "--as-of", "2026-02-06", "--issue", "Donbas", "--party", "Kremlin")
    by_id = run(
        "--db", seeded_db, "state", "--as-of", "2026-02-06", "--issue", "donetsk_withdrawal", "--party", "russia"
    )
    assert by_alias.stdout == by_id.stdout
    assert "demands" in by_id.stdout


def test_default_database_is_built_from_the_bundled_corpus_on_first_use(run: Run) -> None:
    first = run("state", "--as-of", "2026-02-06", "--format", "json")
    assert first.exit_code == 0
    assert "from the bundled corpus" in first.stderr
    assert len(json.loads(first.stdout)["positions"]) == 20
    second = run("state", "--as-of", "2026-02-06", "--format", "json")
    assert second.stderr == "" and second.stdout == first.stdout


def test_db_option_and_environment_choose_the_database(
    tmp_path: Path, run: Run, new_db: NewDb, monkeypatch: pytest.MonkeyPatch
) -> None:
    seeds, fixtures = write_trade_talks(tmp_path)
    trade = new_db("trade")
    assert run("--db", trade, "ingest", "--seeds", str(seeds), "--fixtures", str(fixtures)).exit_code == 0
    before = run("--db", trade, "state", "--as-of", "2030-06-01", "--format", "csv")
    after = run("state", "--as-of", "2030-06-01", "--format", "csv", "--db", trade)
    monkeypatch.setenv("TRACKER_DB", database_url(trade)[0])
    from_env = run("state", "--as-of", "2030-06-01", "--format", "csv")
    assert before.stdout == after.stdout == from_env.stdout
    assert "steel_tariffs,eu,demands" in before.stdout
    assert "Creating the tracker database" not in before.stderr + after.stderr + from_env.stderr
    overridden = run("--db", str(tmp_path / "missing.db"), "state")
    assert overridden.exit_code == 2, "--db wins over TRACKER_DB"


def test_an_empty_db_option_or_in_memory_db_is_refused(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    for args in (("--db", "", "state"), ("--db", "sqlite://", "ingest"), ("--db", "sqlite:///:memory:", "ingest")):
        result = run(*args)
        assert result.exit_code == 2 and result.stdout == "", args
    monkeypatch.setenv("TRACKER_DB", "")  # empty is unset, by the usual convention: the default database
    assert run("state", "--as-of", "2026-02-06").exit_code == 0


def test_machines(run: Run, seeded_db: str) -> None:
    mermaid = run("--db", seeded_db, "machines", "--issue", "znpp")
    assert mermaid.stdout.startswith("---\nZaporizhzhia nuclear plant (znpp)\n---\nstateDiagram-v2")
    assert "opposes --> counter_proposal: soften" in mermaid.stdout
    every = run("--db", seeded_db, "machines").stdout
    assert every.count("stateDiagram-v2") == 1, "one diagram that pastes into a Mermaid editor"
    assert every.startswith("---\nPosition machine of every issue\n---\n") and every.endswith("\n")
    described = json.loads(run("--db", seeded_db, "machines", "--format", "json").stdout)
    assert [m["issue"] for m in described["machines"]] == [
        "donetsk_withdrawal",
        "nato_membership",
        "security_guarantees",
        "znpp",
        "peacekeepers",
    ]


def test_machines_title_names_the_issues_chosen(run: Run, seeded_db: str) -> None:
    two = run("--db", seeded_db, "machines", "--issue", "Donbas", "--issue", "NATO").stdout
    assert two.startswith("---\nPosition machine of donetsk_withdrawal, nato_membership\n---\n")


def test_schema_validates_every_bundled_fixture(run: Run) -> None:
    schema = json.loads(run("schema").stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    fixtures = sorted(p for p in FIXTURES.glob("*.yaml") if p.name != "catalog.yaml")
    assert len(fixtures) == 5
    for path in fixtures:
        document = json.loads(json.dumps(yaml.safe_load(path.read_text()), default=str))
        assert list(validator.iter_errors(document)) == [], path
    bad = {"article": "x", "evidence": [{"id": "e1", "issue": "znpp", "quote": "q", "attribution": "rumour"}]}
    assert list(validator.iter_errors(bad))
    articles_schema = json.loads(run("schema", "articles").stdout)
    index = json.loads(json.dumps(yaml.safe_load((REPO / "seeds" / "articles.yaml").read_text()), default=str))
    assert list(jsonschema.Draft202012Validator(articles_schema).iter_errors(index)) == []


def test_python_dash_m_runs_the_same_command_line(seeded_db: str, tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "tracker",
            "--db",
            seeded_db,
            "state",
            "--as-of",
            "2026-02-06",
            "--issue",
            "nato_membership",
            "--format",
            "csv",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[1].startswith("nato_membership,russia,demands,2026-01-23,1,")


@pytest.mark.sqlite_only
def test_a_missing_database_is_not_created_by_a_query(run: Run, tmp_path: Path) -> None:
    missing = tmp_path / "typo" / "tracker.db"
    for args in (("state",), ("diff", "2026-01-01", "2026-02-01"), ("history",), ("machines",)):
        result = run("--db", str(missing), *args)
        assert result.exit_code == 2 and result.stdout == ""
        assert result.stderr == f"error: no database at {missing} yet; create it with `tracker --db {missing} ingest`\n"
    assert not missing.parent.exists()


def test_an_empty_database_says_so(run: Run, db: str) -> None:
    with Store(database_url(db)[0]).writing():
        pass  # the schema, and no ingest
    result = run("--db", db, "state", "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["positions"] == []
    assert "holds no evidence yet" in result.stderr


@pytest.mark.sqlite_only
def test_a_blank_file_gets_one_message(tmp_path: Path, run: Run) -> None:
    blank = tmp_path / "blank.db"
    blank.touch()
    result = run("--db", str(blank), "state")
    assert result.exit_code == 2
    assert result.stderr == f"error: {blank} holds no tracker data; load a corpus with `tracker ingest`\n"


def test_names_and_titles_work_as_filters(run: Run, seeded_db: str) -> None:
    by_title = run(
        "--db",
        seeded_db,
        "state",
        "--as-of",
        "2026-02-06",
        "--issue",
        "Zaporizhzhia nuclear plant",
        "--party",
        "United States",
        "--format",
        "csv",
    )
    assert by_title.exit_code == 0
    assert by_title.stdout.splitlines()[1].startswith("znpp,united_states,unknown,")


def test_a_missing_corpus_folder_is_bad_usage(run: Run, tmp_path: Path) -> None:
    result = run("validate", "--seeds", str(tmp_path / "nope"))
    assert result.exit_code == 2 and "does not exist" in result.stderr


@pytest.mark.parametrize(
    "known_at", ["0001-01-01T00:00:00+05:00", "9999-12-31T23:00:00-05:00", "9999-12-31T23:59:59-00:01"]
)
@pytest.mark.parametrize("command", [("state",), ("diff", "2026-01-01", "2026-02-06"), ("history",), ("report",)])
def test_a_known_at_time_outside_the_calendar_in_utc_is_bad_usage(
    known_at: str, command: tuple[str, ...], run: Run, seeded_db: str
) -> None:
    result = run("--db", seeded_db, *command, "--known-at", known_at)
    assert result.exit_code == 2 and result.stdout == "" and "Traceback" not in result.stderr
    assert f"'{known_at}' is outside the times the tracker reads: 0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z" in (
        result.stderr
    )


def test_dates_are_iso_only(run: Run, seeded_db: str) -> None:
    assert run("--db", seeded_db, "state", "--as-of", "20260206").exit_code == 2
    assert run("--db", seeded_db, "state", "--known-at", "20260206").exit_code == 2


@pytest.mark.parametrize("extreme", ["0001-01-01", "9999-12-31"])
def test_the_first_and_last_days_of_the_calendar_are_answered(extreme: str, run: Run, seeded_db: str) -> None:
    for command in (
        ("state", "--as-of", extreme, "--known-at", extreme),
        ("diff", "0001-01-01", extreme),
        ("report", "--as-of", extreme, "--since", "0001-01-01", "--format", "html"),
        ("history", "--known-at", f"{extreme}T00:00:00Z"),
    ):
        result = run("--db", seeded_db, *command)
        assert result.exit_code == 0 and "Traceback" not in result.stderr, (command, result.stderr)


def _tracker(db: str, *args: str, stdout: int) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "tracker", "--db", db, *args], stdout=stdout, stderr=subprocess.PIPE, check=False
    )


@pytest.mark.parametrize("args", [("report",), ("state", "--format", "json"), ("schema",), ("machines",)])
def test_stdout_on_a_full_disk_is_one_line_and_exit_2(args: tuple[str, ...], seeded_db: str) -> None:
    with open("/dev/full", "wb") as full:
        result = _tracker(seeded_db, *args, stdout=full.fileno())
    assert result.returncode == 2
    assert result.stderr.decode() == "error: cannot write to standard output: No space left on device\n"


def test_a_closed_pipe_ends_the_command_quietly_as_sigpipe_would(seeded_db: str) -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before the first line: `tracker history | head -0`
    try:
        result = _tracker(seeded_db, "history", stdout=write_end)
    finally:
        os.close(write_end)
    assert result.stderr == b"" and result.returncode == 128 + 13


def test_a_reader_that_leaves_in_the_middle_of_a_long_answer_ends_it_quietly(tmp_path: Path) -> None:
    """One large write to a pipe whose reader leaves comes back short: the rest must not be dropped silently."""
    feed, catalog = write_feed(tmp_path / "feed", 3000)
    db = str(tmp_path / "big.db")
    tracker = [sys.executable, "-m", "tracker", "--db", db]
    subprocess.run(
        [*tracker, "ingest", "--jsonl", str(feed), "--catalog", str(catalog)], check=True, capture_output=True
    )
    reader = subprocess.Popen([*tracker, "history"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert reader.stdout is not None and reader.stderr is not None
    assert reader.stdout.read(1) == b"M"
    reader.stdout.close()
    assert reader.wait() == 141 and reader.stderr.read() == b""


def test_stdout_closed_or_an_ascii_terminal_never_crash(seeded_db: str) -> None:
    closed = subprocess.run(
        [
            sys.executable,
            "-c",
            "import os, sys; os.close(1); sys.stdout = None; from tracker.cli import main; main()",
            "--db",
            seeded_db,
            "state",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert closed.returncode == 2 and closed.stderr == "error: standard output is closed\n"
    ascii_only = subprocess.run(
        [sys.executable, "-m", "tracker", "--db", seeded_db, "history", "--issue", "donetsk", "--party", "russia"],
        capture_output=True,
        check=False,
        env={**os.environ, "PYTHONIOENCODING": "ascii"},
    )
    assert ascii_only.returncode == 0 and b"Russia\\u2019s demand" in ascii_only.stdout


@pytest.mark.parametrize("typed", ["2026-02-06\n2026", "2026-02-06x2026", "2026-02-06T1", "2026-02-06T12:00+5"])
def test_a_recorded_time_python_would_merely_put_up_with_is_refused(typed: str, run: Run, seeded_db: str) -> None:
    result = run("--db", seeded_db, "state", "--known-at", typed)
    assert result.exit_code == 2 and "is not an ISO date or datetime" in result.stderr
