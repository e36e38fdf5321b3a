"""The tracker at scale, side by side with pandas over the same evidence, in one run.

    pip install -e ".[bench]"
    python benchmarks/run.py --evidence 1000000 [--issues 50] [--parties 20] [--json PATH]

1. writes a synthetic feed of N pieces of evidence (`benchmarks/synthetic.py`);
2. ingests it end to end, `tracker ingest --jsonl` in a child process
   (validated, grounded, machine-checked, stored), for evidence per second and
   the child's peak resident memory;
3. times the library's read queries on that database: the state of every
   position now, as of the newest day (`state`: stances, since-dates, the
   newest 10 quotes behind each stance with their total, and issue statuses,
   what `tracker state` prints by default; read from the projection of the
   current positions), the same as of each of `--dates` past dates
   (`state_past`, read from the timeline), and the stances alone, what pandas
   computes, the terminal UI's matrix query (`positions`, now and past); a diff
   over a week ending at each past date, the history of one position (a
   different one each time), the Markdown briefing, and (in a child process of
   its own, `benchmarks/tui.py`) the terminal UI's first screen and date steps,
   headless;
4. the baseline an analyst would reach for: pandas reads the same JSONL and
   takes each position's latest stance as of the same dates (now: as of the
   newest day, over every row). Its answers are checked against both of the
   tracker's, at every date and position, and the ratios reported;
5. an edit into the big corpus (`benchmarks/incremental.py`): one article
   re-ingested with a piece of evidence removed, and restored, beside the
   ingest from scratch; and the whole feed re-ingested unchanged;
6. the command line as a script calls it, each the median of 5 child
   processes: `tracker --version`, and `tracker state` on the bundled corpus,
   beside a bare `python -c pass`;
7. `tracker check` on the big database, whole process (the median of
   `--check-runs`): every invariant, SQLite's integrity check included.

Figures are medians: the machines are shared and noisy.
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
from tracker.read.opening import Database
from tracker.read.state import state
from tracker.render.report import render_report

BARS = {
    "ingest_per_s": (">=", 50_000),
    "state_ms": ("<=", 10),
    "state_vs_pandas": (">=", 10),
    "check_s": ("<=", 10),
    "diff_ms": ("<=", 20),
    "history_ms": ("<=", 5),
    "report_md_s": ("<=", 3),
    "tui_first_screen_s": ("<=", 1.5),
    "tui_step_ms": ("<=", 50),
    "peak_rss_mb": ("<=", 1024),
    "incremental_remove_s": ("<=", 1),
    "incremental_peak_rss_mb": ("<=", 200),
    "cli_version_s": ("<=", 0.15),
    "cli_state_s": ("<=", 0.4),
}


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
        key: [] for key in ("state", "positions", "state_past", "positions_past", "diff", "history")
    }
    answers: dict[str, list[dict[tuple[str, str], str]]] = {key: [] for key in ("state", "positions")}
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
        with database.reading() as session:
            timings["diff"].append(ms(timed(lambda w=when: diff(session, w - timedelta(days=7), w))[0]))  # type: ignore[misc]
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
        "answers": answers,
    }


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
    import pandas as pd

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

    read_s, evidence = timed(read)
    timings: dict[str, list[float]] = {"now": [], "past": []}
    latest: list[dict[tuple[str, str], str]] = []
    for when in dates:
        for key, day in (("past", when), ("now", newest)):
            cutoff = pd.Timestamp(day)
            seconds, result = timed(
                lambda c=cutoff: evidence[evidence["said_on"] <= c].groupby(["issue", "party"])["stance"].last()  # type: ignore[misc]
            )
            timings[key].append(ms(seconds))
            latest.append(dict(result.items()))
    return {
        "pandas_read_s": read_s,
        "pandas_state_ms": statistics.median(timings["now"]),
        "pandas_state_past_ms": statistics.median(timings["past"]),
        "latest": latest,
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
    print("timing the terminal UI", file=sys.stderr)
    ui = terminal_ui(db, args.steps, work / "tui.json")
    print("timing pandas", file=sys.stderr)
    baseline = pandas_baseline(feed, dates, newest)
    print("timing an edit of one article, and the whole feed again", file=sys.stderr)
    edit = incremental.measure(work, runs=3)
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

    figures: dict[str, Any] = {
        "evidence": args.evidence,
        "issues": args.issues,
        "parties": args.parties,
        "feed_mb": round(feed.stat().st_size / 1e6, 1),
        "ingest_s": round(ingest_s, 2),
        "ingest_per_s": round(args.evidence / ingest_s),
        "pandas_read_s": round(baseline["pandas_read_s"], 2),
        "ingest_vs_pandas_read": round(ingest_s / baseline["pandas_read_s"], 1),
        "incremental_remove_s": edit["incremental_remove_s"],
        "incremental_restore_s": edit["incremental_restore_s"],
        "incremental_peak_rss_mb": edit["incremental_peak_rss_mb"],
        "scratch_vs_incremental": round(ingest_s / edit["incremental_remove_s"], 1),
        "noop_reingest_s": edit["noop_reingest_s"],
        "noop_reingest_peak_rss_mb": edit["noop_reingest_peak_rss_mb"],
        "cli_version_s": round(cli["cli_version_s"], 3),
        "cli_state_s": round(cli["cli_state_s"], 3),
        "python_bare_s": round(cli["python_bare_s"], 3),
        "newest_day": newest.isoformat(),
        "state_ms": round(reads["state_ms"], 2),
        "pandas_state_ms": round(baseline["pandas_state_ms"], 2),
        "state_vs_pandas": round(baseline["pandas_state_ms"] / reads["state_ms"], 2),
        "positions_ms": round(reads["positions_ms"], 2),
        "positions_vs_pandas": round(baseline["pandas_state_ms"] / reads["positions_ms"], 2),
        "state_past_ms": round(reads["state_past_ms"], 2),
        "pandas_state_past_ms": round(baseline["pandas_state_past_ms"], 2),
        "state_past_vs_pandas": round(baseline["pandas_state_past_ms"] / reads["state_past_ms"], 2),
        "positions_past_ms": round(reads["positions_past_ms"], 2),
        "positions_past_vs_pandas": round(baseline["pandas_state_past_ms"] / reads["positions_past_ms"], 2),
        "check_s": round(check_s, 2),
        "diff_ms": round(reads["diff_ms"], 2),
        "history_ms": round(reads["history_ms"], 2),
        "report_md_s": round(reads["report_md_s"], 3),
        "tui_first_screen_s": ui["tui_first_screen_s"],
        "tui_step_ms": ui["tui_step_ms"],
        "peak_rss_mb": round(ingest_rss_mb, 1),
        "bench_process_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "dates": len(dates),
        "tui_steps": ui["steps"],
        "tracker_and_pandas_agree": agree,
        "python": sys.version.split()[0],
        "cpus": os.cpu_count(),
    }
    print(f"{'measure':<28}{'figure':>14}  bar")
    for key, value in figures.items():
        bar = BARS.get(key)
        verdict = ""
        if bar is not None:
            op, limit = bar
            met = value >= limit if op == ">=" else value <= limit
            verdict = f"{op} {limit}  {'met' if met else 'NOT MET'}"
        print(f"{key:<28}{value!s:>14}  {verdict}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    return 0 if agree else 1


if __name__ == "__main__":
    sys.exit(main())
