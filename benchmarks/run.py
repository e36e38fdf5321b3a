"""The tracker at scale, side by side with pandas over the same evidence, in one run.

    pip install -e ".[bench]"
    python benchmarks/run.py --evidence 1000000 [--issues 50] [--parties 20] [--folder DIR] [--json PATH]

Every figure of the bars (SPEC, "Bars"), each printed with its bar, met or not,
and pandas' figure beside it where pandas can answer the same question:

1. writes a synthetic feed of N pieces of evidence (`benchmarks/synthetic.py`);
2. ingests it end to end, `tracker ingest --jsonl` in a child process
   (validated, grounded, machine-checked, stored), for evidence per second and
   the child's peak resident memory; beside pandas reading the same JSONL;
3. times the library's read queries on that database, each in its own read
   snapshot, the median over `--dates` past dates:
   - the state of every position now, as of the newest day (`state`: stances,
     since-dates, the newest 10 quotes behind each stance with their total, and
     issue statuses, what `tracker state` prints by default; read from the
     projection of the current positions), as many times; the same as of each
     past date (`state_past`, read from the timeline); and the stances alone,
     what pandas computes, the terminal UI's matrix query (`positions`, now and
     past); and the state now as the first read of a new process
     (`state_first_read`, the median of 5 processes: the evidence behind each
     stance is built once per process, `tracker.read.reading.BuiltEvidence`);
   - a diff over the week ending at each past date: its first page of 50
     changes with their total (`diff_page`, what `tracker diff` shows by
     default), and every change (`diff_all`); `diff_changes` counts them;
   - the history of one position (a different one each time), and the
     Markdown briefing (over the last 3 dates);
4. the terminal UI, headless, in a child process of its own
   (`benchmarks/tui.py`): the first screen, a step of the date as a person
   steps (drawn from the matrix read ahead) and a step to a date not read
   ahead, and the diff screen's first page;
5. the baseline an analyst would reach for: pandas reads the same JSONL and
   takes each position's latest stance as of the same dates (now: as of the
   newest day, over every row), and the positions whose latest stance differs
   between each diff's two dates. Its answers are checked against the
   tracker's (the state, the stances alone, every change of the diff), at every
   date and position, and the ratios reported;
6. an edit into the big corpus (`benchmarks/incremental.py`): one article
   re-ingested with a piece of evidence removed, and restored, beside the
   ingest from scratch; and the whole feed re-ingested unchanged ("nothing
   new");
7. with `--folder DIR`, a folder corpus kept in DIR between runs (written and
   ingested the first time, with `--evidence` pieces, which is slow at scale):
   one fixture edited and re-ingested (`tracker ingest --seeds --fixtures`),
   and restored. Without it the folder edit is not measured, and the table
   says so;
8. the command line as a script calls it, each the median of 5 child
   processes: `tracker --version`, and `tracker state` on the bundled corpus,
   beside a bare `python -c pass`;
9. `tracker check` on the big database, whole process (the median of
   `--check-runs`): every invariant, SQLite's integrity check included.

Figures are medians: the machines are shared and noisy. `benchmarks/medians.py`
takes the medians of several runs' `--json` files.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import incremental
from synthetic import write_feed

from tracker.domain.catalog import Catalog
from tracker.read.briefing import build_report
from tracker.read.browse import matrix
from tracker.read.diff import diff
from tracker.read.history import history
from tracker.read.models import CHANGES_SHOWN
from tracker.read.opening import Database
from tracker.read.state import state
from tracker.render.report import render_report

# SPEC's bars, by the figure each applies to.
BARS: dict[str, tuple[str, float]] = {
    "ingest_per_s": (">=", 50_000),
    "peak_rss_mb": ("<=", 1024),
    "state_ms": ("<=", 10),
    "state_vs_pandas": (">=", 10),
    "diff_page_ms": ("<=", 20),
    "incremental_remove_s": ("<=", 1),
    "incremental_peak_rss_mb": ("<=", 200),
    "folder_edit_s": ("<=", 1),
    "folder_edit_peak_rss_mb": ("<=", 200),
    "noop_reingest_s": ("<=", 1),
    "check_s": ("<=", 10),
    "cli_version_s": ("<=", 0.15),
    "cli_state_s": ("<=", 0.4),
    "history_ms": ("<=", 5),
    "tui_first_screen_s": ("<=", 1.5),
    "tui_step_ms": ("<=", 30),
    "tui_step_not_read_ahead_ms": ("<=", 30),
    "report_md_s": ("<=", 3),
}

# The only figures a run may leave out (None, printed so, never made up): the folder edit's.
NOT_MEASURED = "not measured (give --folder DIR)"


def verdict(key: str, value: Any) -> str:
    """The bar of `key` and whether `value` meets it ('' for a figure without a bar)."""
    if key not in BARS:
        return NOT_MEASURED if value is None else ""
    op, limit = BARS[key]
    if value is None:
        return f"{op} {limit}  {NOT_MEASURED}"
    met = value >= limit if op == ">=" else value <= limit
    return f"{op} {limit}  {'met' if met else 'NOT MET'}"


def ms(seconds: float) -> float:
    return seconds * 1000


def timed(call: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = call()
    return time.perf_counter() - started, result


def ingest(db: Path, feed: Path, catalog: Path) -> tuple[float, float]:
    """`tracker ingest --jsonl` in a child process: seconds, and its peak resident memory in MB."""
    command = [
        sys.executable,
        "-m",
        "tracker",
        "--db",
        str(db),
        "ingest",
        "--jsonl",
        str(feed),
        "--catalog",
        str(catalog),
    ]
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    seconds, done = timed(lambda: subprocess.run(command, capture_output=True, text=True))
    if done.returncode != 0:
        raise SystemExit(f"the ingest failed:\n{done.stderr}")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if peak <= before:
        raise SystemExit("run the benchmark in a fresh process: an earlier child's peak hides the ingest's")
    return seconds, peak / 1024


def query_dates(count: int) -> list[date]:
    """`count` dates spread over the synthetic corpus's two years, none at its very start."""
    first, days = date(2024, 1, 1), 730
    return [first + timedelta(days=days * (k + 1) // (count + 1)) for k in range(count)]


def tracker_reads(database: Database, dates: list[date], newest: date) -> dict[str, Any]:
    """Medians of the library's read queries, each in its own read snapshot as a command would run it: as of
    each past date (from the timeline), and as many times now, as of the newest day (from the projection)."""
    with database.reading() as session:
        catalog: Catalog = session.catalog()
    positions = [(i, p) for i in catalog.issue_ids() for p in catalog.party_ids()]
    timings: dict[str, list[float]] = {
        key: [] for key in ("state", "positions", "state_past", "positions_past", "diff_page", "diff_all", "history")
    }
    answers: dict[str, list[dict[tuple[str, str], str]]] = {key: [] for key in ("state", "positions")}
    changes: list[dict[tuple[str, str], tuple[str, str]]] = []  # each full diff's positions: stance from, to
    changes_total: list[int] = []
    for k, when in enumerate(dates):
        # The stances alone first (as pandas computes them; the terminal UI's query), so that they do not
        # read pages the full state just cached.
        for suffix, day in (("_past", when), ("", newest)):
            with database.reading() as session:
                seconds, grid = timed(lambda d=day: matrix(session, d))  # type: ignore[misc]
                timings["positions" + suffix].append(ms(seconds))
                answers["positions"].append(
                    {(c.issue, c.party): c.stance.value for row in grid.cells.values() for c in row.values()}
                )
            with database.reading() as session:
                seconds, report = timed(lambda d=day: state(session, d))  # type: ignore[misc]
                timings["state" + suffix].append(ms(seconds))
                answers["state"].append({(p.issue, p.party): p.stance.value for p in report.positions})
        # A week's diff: its first page (what `tracker diff` shows by default), then every change, each in its own
        # snapshot; the page first, so that it does not read pages the whole diff just cached.
        week = (when - timedelta(days=7), when)
        with database.reading() as session:
            seconds, page = timed(lambda w=week: diff(session, *w, limit=CHANGES_SHOWN))  # type: ignore[misc]
            timings["diff_page"].append(ms(seconds))
        with database.reading() as session:
            seconds, whole = timed(lambda w=week: diff(session, *w))  # type: ignore[misc]
            timings["diff_all"].append(ms(seconds))
        shown = len(page.changes) + len(page.contested) + len(page.issue_changes)
        if page.changes_total != whole.changes_total or shown != min(CHANGES_SHOWN, whole.changes_total):
            raise SystemExit(f"the diff's first page to {when} is not the first {CHANGES_SHOWN} of its changes")
        changes_total.append(whole.changes_total)
        changes.append({(c.issue, c.party): (c.stance_from.value, c.stance_to.value) for c in whole.changes})
        issue, party = positions[(k * 37) % len(positions)]
        with database.reading() as session:
            timings["history"].append(
                ms(timed(lambda i=issue, p=party: history(session, issues=[i], parties=[p]))[0])  # type: ignore[misc]
            )
    report_s = []
    for when in dates[-3:]:
        with database.reading() as session:
            seconds, _ = timed(
                lambda w=when: render_report(build_report(session, w, since=w - timedelta(days=7)), "md")  # type: ignore[misc]
            )
            report_s.append(seconds)
    return {
        **{f"{key}_ms": statistics.median(values) for key, values in timings.items()},
        "report_md_s": statistics.median(report_s),
        "diff_changes": statistics.median(changes_total),
        "answers": answers,
        "changes": changes,
    }


FIRST_READ = """
import sys, time
from tracker.read.opening import Database
from tracker.read.state import state
database = Database(sys.argv[1])
with database.reading() as session:
    newest = session.newest_date()
with database.reading() as session:
    start = time.perf_counter()
    state(session, newest)
    print(time.perf_counter() - start)
"""


def state_first_read(db: Path, runs: int = 5) -> float:
    """The state now as the first read of a new process (nothing built or cached yet in it), in ms: the median of
    `runs` child processes. The in-process figure (`state_ms`) is a read again, as the terminal UI, a notebook or
    a service reads."""
    times = []
    for _ in range(runs):
        done = subprocess.run([sys.executable, "-c", FIRST_READ, str(db)], capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"the first read of the state failed:\n{done.stderr}")
        times.append(ms(float(done.stdout)))
    return statistics.median(times)


def check(db: Path, runs: int) -> float:
    """`tracker check` of the database, whole process: the median seconds of `runs`."""
    command = [sys.executable, "-m", "tracker", "--db", str(db), "check"]
    times = []
    for _ in range(runs):
        seconds, done = timed(lambda: subprocess.run(command, capture_output=True, text=True))
        if done.returncode != 0:
            raise SystemExit(f"tracker check failed:\n{done.stdout}{done.stderr}")
        times.append(seconds)
    return statistics.median(times)


def command_line(work: Path, runs: int = 5) -> dict[str, float]:
    """Medians of whole processes, as a script runs them: the tracker's `--version` and `state` on the bundled
    corpus (its database built first), and a bare interpreter."""
    bundled = work / "bundled.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{bundled}{suffix}").unlink(missing_ok=True)
    tracker = [sys.executable, "-m", "tracker"]
    subprocess.run([*tracker, "--db", str(bundled), "ingest"], check=True, capture_output=True)
    commands = {
        "python_bare_s": [sys.executable, "-c", "pass"],
        "cli_version_s": [*tracker, "--version"],
        "cli_state_s": [*tracker, "--db", str(bundled), "state", "--as-of", "2026-02-06"],
    }
    figures = {}
    for key, command in commands.items():
        times = []
        for _ in range(runs):
            seconds, done = timed(lambda c=command: subprocess.run(c, capture_output=True))  # type: ignore[misc]
            if done.returncode != 0:
                raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr.decode()}")
            times.append(seconds)
        figures[key] = statistics.median(times)
    return figures


def terminal_ui(db: Path, steps: int, figures: Path) -> dict[str, Any]:
    """`benchmarks/tui.py` in a child process: the app starts as a person starts it, on its own heap."""
    command = [sys.executable, str(Path(__file__).with_name("tui.py")), "--db", str(db), "--steps", str(steps)]
    done = subprocess.run([*command, "--json", str(figures)], capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"the terminal UI benchmark failed:\n{done.stderr}")
    return dict(json.loads(figures.read_text()))


def pandas_baseline(feed: Path, dates: list[date], newest: date) -> dict[str, Any]:
    """What an analyst does with pandas: read the feed, then the latest stance per position as of each date, and
    as many times as of the newest day (every row)."""
    import pandas as pd  # type: ignore[import-untyped]

    def read() -> Any:
        lines = pd.read_json(feed, lines=True, dtype=False)
        articles = lines[lines["type"] == "article"][["id", "published_on"]].rename(columns={"id": "article"})
        evidence = lines[(lines["type"] == "evidence") & lines["party"].notna() & (lines["mode"] == "asserted")]
        columns = ["article", "issue", "party", "stance"] + (["said_on"] if "said_on" in lines else [])
        evidence = evidence[columns].merge(articles, on="article")
        said_on = (
            evidence["said_on"].fillna(evidence["published_on"]) if "said_on" in evidence else evidence["published_on"]
        )
        evidence = evidence.assign(said_on=pd.to_datetime(said_on))
        # Same-day evidence in feed order (the generator writes it in replay order): a stable sort keeps it.
        return evidence.sort_values("said_on", kind="stable")[["issue", "party", "stance", "said_on"]]

    def latest_as_of(day: date) -> Any:
        return evidence[evidence["said_on"] <= pd.Timestamp(day)].groupby(["issue", "party"])["stance"].last()

    def changed(date_from: date, date_to: date) -> Any:
        """The positions whose latest stance differs between the dates (no evidence yet: `unknown`)."""
        both = pd.concat([latest_as_of(date_from).rename("from"), latest_as_of(date_to).rename("to")], axis=1)
        both = both.fillna("unknown")
        return both[both["from"] != both["to"]]

    read_s, evidence = timed(read)
    timings: dict[str, list[float]] = {"now": [], "past": [], "diff": []}
    latest: list[dict[tuple[str, str], str]] = []
    changes: list[dict[tuple[str, str], tuple[str, str]]] = []
    for when in dates:
        for key, day in (("past", when), ("now", newest)):
            seconds, result = timed(lambda d=day: latest_as_of(d))  # type: ignore[misc]
            timings[key].append(ms(seconds))
            latest.append(dict(result.items()))
        seconds, result = timed(lambda w=when: changed(w - timedelta(days=7), w))  # type: ignore[misc]
        timings["diff"].append(ms(seconds))
        changes.append({key: (row["from"], row["to"]) for key, row in result.iterrows()})
    return {
        "pandas_read_s": read_s,
        "pandas_state_ms": statistics.median(timings["now"]),
        "pandas_state_past_ms": statistics.median(timings["past"]),
        "pandas_diff_ms": statistics.median(timings["diff"]),
        "latest": latest,
        "changes": changes,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--evidence", type=int, default=100_000)
    parser.add_argument("--issues", type=int, default=50)
    parser.add_argument("--parties", type=int, default=20)
    parser.add_argument("--dates", type=int, default=21, help="as-of dates to time each query at (at least 20)")
    parser.add_argument("--steps", type=int, default=20, help="date steps to time in the terminal UI")
    parser.add_argument(
        "--work", type=Path, default=None, help="folder for the feed and the database [a temporary one]"
    )
    parser.add_argument("--check-runs", type=int, default=3, help="runs of `tracker check` to take the median of")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    parser.add_argument(
        "--folder",
        type=Path,
        default=None,
        help="also a fixture edited in a folder corpus kept here between runs (written and ingested if absent, "
        "with --evidence pieces: slow at scale)",
    )
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="tracker-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    db = work / "tracker.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)

    print(f"writing a feed of {args.evidence:,} evidence into {work}", file=sys.stderr)
    feed, catalog = write_feed(work, args.evidence, args.issues, args.parties)
    print("ingesting it", file=sys.stderr)
    ingest_s, ingest_rss_mb = ingest(db, feed, catalog)
    dates = query_dates(args.dates)
    database = Database(str(db))
    with database.reading() as session:
        newest = session.newest_date() or date.today()
    print("timing the tracker's queries", file=sys.stderr)
    reads = tracker_reads(database, dates, newest)
    database.close()
    first_read_ms = state_first_read(db)
    print("timing the terminal UI", file=sys.stderr)
    ui = terminal_ui(db, args.steps, work / "tui.json")
    print("timing pandas", file=sys.stderr)
    baseline = pandas_baseline(feed, dates, newest)
    print("timing an edit of one article, and the whole feed again", file=sys.stderr)
    edit = incremental.measure(work, runs=3)
    folder: dict[str, Any] = {}
    if args.folder:
        print(f"timing an edit of one fixture of the folder corpus in {args.folder}", file=sys.stderr)
        folder = incremental.folder_edit(args.folder, args.evidence, runs=3)
        folder["folder_fixtures"] = len(list((args.folder / "fixtures").glob("article-*.yaml")))
    print("timing the command line", file=sys.stderr)
    cli = command_line(work)
    print("timing tracker check", file=sys.stderr)
    check_s = check(db, args.check_runs)
    # pandas has no row for a position without evidence: the tracker's `unknown`.
    latest = baseline.pop("latest")
    answers = reads.pop("answers")
    # Each date's answers in the order pandas gives its own: past, now, past, now...
    agree = all(
        [{k: v for k, v in answer.items() if v != "unknown"} for answer in answers[query]] == latest
        for query in ("state", "positions")
    )
    # The diffs' changes of position, every one, at each date (pandas has no contest or issue status to compare).
    agree = agree and reads.pop("changes") == baseline.pop("changes")

    figures: dict[str, Any] = {
        "evidence": args.evidence,
        "issues": args.issues,
        "parties": args.parties,
        "feed_mb": round(feed.stat().st_size / 1e6, 1),
        "ingest_s": round(ingest_s, 2),
        "ingest_per_s": round(args.evidence / ingest_s),
        "pandas_read_s": round(baseline["pandas_read_s"], 2),
        "ingest_vs_pandas_read": round(ingest_s / baseline["pandas_read_s"], 1),
        "peak_rss_mb": round(ingest_rss_mb, 1),
        "newest_day": newest.isoformat(),
        "state_ms": round(reads["state_ms"], 2),
        "state_first_read_ms": round(first_read_ms, 2),
        "pandas_state_ms": round(baseline["pandas_state_ms"], 2),
        "state_vs_pandas": round(baseline["pandas_state_ms"] / reads["state_ms"], 2),
        "positions_ms": round(reads["positions_ms"], 2),
        "positions_vs_pandas": round(baseline["pandas_state_ms"] / reads["positions_ms"], 2),
        "state_past_ms": round(reads["state_past_ms"], 2),
        "pandas_state_past_ms": round(baseline["pandas_state_past_ms"], 2),
        "state_past_vs_pandas": round(baseline["pandas_state_past_ms"] / reads["state_past_ms"], 2),
        "positions_past_ms": round(reads["positions_past_ms"], 2),
        "positions_past_vs_pandas": round(baseline["pandas_state_past_ms"] / reads["positions_past_ms"], 2),
        "diff_page_ms": round(reads["diff_page_ms"], 2),
        "diff_all_ms": round(reads["diff_all_ms"], 2),
        "diff_changes": reads["diff_changes"],
        "pandas_diff_ms": round(baseline["pandas_diff_ms"], 2),
        "diff_page_vs_pandas": round(baseline["pandas_diff_ms"] / reads["diff_page_ms"], 2),
        "diff_all_vs_pandas": round(baseline["pandas_diff_ms"] / reads["diff_all_ms"], 2),
        "incremental_remove_s": edit["incremental_remove_s"],
        "incremental_restore_s": edit["incremental_restore_s"],
        "incremental_peak_rss_mb": edit["incremental_peak_rss_mb"],
        "scratch_vs_incremental": round(ingest_s / edit["incremental_remove_s"], 1),
        "folder_fixtures": folder.get("folder_fixtures"),
        "folder_edit_s": folder.get("folder_edit_s"),
        "folder_edit_peak_rss_mb": folder.get("folder_edit_peak_rss_mb"),
        "folder_restore_s": folder.get("folder_restore_s"),
        "noop_reingest_s": edit["noop_reingest_s"],
        "noop_reingest_peak_rss_mb": edit["noop_reingest_peak_rss_mb"],
        "check_s": round(check_s, 2),
        "cli_version_s": round(cli["cli_version_s"], 3),
        "cli_state_s": round(cli["cli_state_s"], 3),
        "python_bare_s": round(cli["python_bare_s"], 3),
        "history_ms": round(reads["history_ms"], 2),
        "report_md_s": round(reads["report_md_s"], 3),
        "tui_first_screen_s": ui["tui_first_screen_s"],
        "tui_step_ms": ui["tui_step_ms"],
        "tui_steps_read_ahead": ui["tui_steps_read_ahead"],
        "tui_step_not_read_ahead_ms": ui["tui_step_not_read_ahead_ms"],
        "tui_diff_first_page_ms": ui["tui_diff_first_page_ms"],
        "bench_process_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "dates": len(dates),
        "tui_steps": ui["steps"],
        "tracker_and_pandas_agree": agree,
        "python": sys.version.split()[0],
        "cpus": os.cpu_count(),
    }
    print(f"{'measure':<28}{'figure':>14}  bar")
    for key, value in figures.items():
        print(f"{key:<28}{'-' if value is None else value!s:>14}  {verdict(key, value)}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    return 0 if agree else 1


if __name__ == "__main__":
    sys.exit(main())
