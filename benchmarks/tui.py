"""The terminal UI at scale: time to the first screen and to each step of the date, headless.

    python benchmarks/tui.py --db /tmp/tracker-1m.db [--steps 20] [--json PATH]

Builds nothing: give it a database (`benchmarks/synthetic.py` writes a feed to
ingest; `benchmarks/run.py` measures everything at once). The app runs under
Textual's `run_test` at 120x36. Measured in the same run, side by side:

- the first screen: from creating the app to the first frame written to the
  terminal that shows the matrix;
- a step of the date (`[`): from the key event (posted as the terminal driver
  posts it) to the first frame that shows the matrix as of the previous
  change date, and to the frame with the selected position's evidence
  (read once the date rests). The UI reads the next change date ahead once a
  step has landed (and reads a date drawn so again straight after): stepping
  as a person does, a key a tenth of a second after the panes are drawn, each
  step is drawn from that. The same steps are measured again with nothing read
  ahead (in another app): the read of the matrix plus the redraw, what a step
  to a date not read ahead costs (keys faster than the reads, `g` to a date);
- the diff screen over the week before the last change (`d`): from opening it
  to the frame that shows its first page of changes (`CHANGES_SHOWN`, the rest
  read as the list scrolls), beside the library's diff for that page alone and
  for every change (what the screen read before it paged);
- the library query behind a step (`tracker.read.browse.matrix`) on its own, so
  the ratio shows what the UI adds;
- the baseline: `tracker.read.state.state` at the same dates, the query the CLI's
  `state` runs, which reads every piece of evidence behind every stance.

Figures are medians; the machines are shared and noisy.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from textual import events

from tracker.read.browse import change_dates, matrix
from tracker.read.diff import diff
from tracker.read.models import CHANGES_SHOWN
from tracker.read.opening import Database
from tracker.read.state import state
from tracker.tui.app import TrackerApp
from tracker.tui.matrix_screen import MatrixScreen
from tracker.tui.screens import EVIDENCE_PAGE, DiffScreen
from tracker.tui.widgets import EvidenceTable, MatrixTable


async def _until(condition: Any, timeout: float = 60.0) -> None:
    deadline = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError("the UI did not get there")
        await asyncio.sleep(0.0005)


async def measure_ui(
    database: Database, start: date, steps: int, read_ahead: bool = True, diff_window: tuple[date, date] | None = None
) -> dict[str, Any]:
    """Time to the first paint that shows the matrix, at start and after each step of the date (`read_ahead`
    False: the screen reads no date ahead, so that each step reads the matrix); then, given a `diff_window`, to
    the frame that shows the diff screen's first page."""
    drawn: dict[date, float] = {}  # when the matrix as of a date was put into the table
    paints: list[float] = []  # when the app wrote a frame to the terminal
    real_show = MatrixTable.show

    def show(table: MatrixTable, matrix: Any, keep: Any = None) -> None:
        real_show(table, matrix, keep)
        drawn[matrix.as_of] = time.perf_counter()

    def painted_after(moment: float) -> float | None:
        return next((p for p in paints if p >= moment), None)

    MatrixTable.show = show  # type: ignore[method-assign]
    began = time.perf_counter()
    app = TrackerApp(database, as_of=start)
    real_display = app._display

    def display(screen: Any, renderable: Any) -> None:
        real_display(screen, renderable)
        if renderable is not None:
            paints.append(time.perf_counter())

    app._display = display  # type: ignore[method-assign]
    try:
        async with app.run_test(size=(120, 36)) as pilot:
            await _until(lambda: start in drawn and painted_after(drawn[start]) is not None)
            first_screen = painted_after(drawn[start]) - began  # type: ignore[operator]
            screen = app.screen
            assert isinstance(screen, MatrixScreen)
            screen.read_ahead = read_ahead
            await _until(lambda: screen.detail is not None)  # the selected position's panes were read
            step_ms, detail_ms, visited, ahead = [], [], [], 0
            for _ in range(steps):
                earlier = [d for d in screen.dates if d < screen.as_of]
                if not earlier:
                    break
                target = earlier[-1]
                evidence = screen.query_one("#evidence", EvidenceTable)
                if not read_ahead:
                    screen.matrices.clear()  # what was read before: the first screen's read ahead, the steps'
                ahead += (target, screen.view_generation) in screen.matrices
                pressed = time.perf_counter()
                app.post_message(events.Key("left_square_bracket", "["))  # as the terminal driver sends it
                await _until(lambda t=target: t in drawn and painted_after(drawn[t]) is not None)  # type: ignore[misc]
                step_ms.append((painted_after(drawn[target]) - pressed) * 1000)  # type: ignore[operator]
                await _until(lambda t=target: screen.detail is not None and screen.detail.as_of == t)  # type: ignore[misc]
                await _until(lambda e=evidence: bool(e.evidence) or screen.detail.evidence == [])  # type: ignore[misc,union-attr]
                await pilot.pause(0.02)  # the panes' frame
                detail_ms.append(((paints[-1] if paints else time.perf_counter()) - pressed) * 1000)
                visited.append(target)
                drawn.clear()
                paints.clear()
                await pilot.pause(0.1)  # a person reads before the next key
            diff_ms, diff_total = None, None
            if diff_window is not None:
                opened = time.perf_counter()
                app.push_screen(DiffScreen(*diff_window, None, None, None, screen.catalog))
                await _until(lambda: isinstance(app.screen, DiffScreen) and app.screen.report is not None)
                listed = time.perf_counter()
                await _until(lambda: painted_after(listed) is not None)
                diff_ms = (painted_after(listed) - opened) * 1000  # type: ignore[operator]
                diff_total = app.screen.report.changes_total  # type: ignore[attr-defined]
    finally:
        MatrixTable.show = real_show  # type: ignore[method-assign]
    return {
        "first_screen_s": first_screen,
        "step_ms": step_ms,
        "detail_ms": detail_ms,
        "dates": visited,
        "read_ahead": ahead,
        "diff_first_page_ms": diff_ms,
        "diff_changes": diff_total,
    }


def measure_queries(database: Database, dates: list[date], window: tuple[date, date]) -> dict[str, list[float]]:
    timings: dict[str, list[float]] = {"matrix_ms": [], "state_ms": [], "diff_page_ms": [], "diff_all_ms": []}
    for when in dates:
        for key, query in (("matrix_ms", matrix), ("state_ms", state)):
            with database.reading() as session:
                started = time.perf_counter()
                query(session, when)
                timings[key].append((time.perf_counter() - started) * 1000)
    for _ in range(3):  # the diff screen's read: its first page, and (before it paged) every change
        for key, limit in (("diff_page_ms", CHANGES_SHOWN), ("diff_all_ms", None)):
            with database.reading() as session:
                started = time.perf_counter()
                diff(session, *window, evidence=EVIDENCE_PAGE, limit=limit)
                timings[key].append((time.perf_counter() - started) * 1000)
    return timings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="a tracker database (SQLite file path or URL)")
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args()
    database = Database(args.db)
    with database.reading() as session:
        dates = change_dates(session)
        evidence = session.snapshot.scalar("SELECT COUNT(*) AS evidence FROM evidence")
    if not dates:
        parser.error("the database holds no change of position")
    window = (dates[-1] - timedelta(days=7), dates[-1])  # a week, as the README's diff figure
    ui = asyncio.run(measure_ui(database, dates[-1], args.steps, diff_window=window))
    cold = asyncio.run(measure_ui(database, dates[-1], args.steps, read_ahead=False))
    queries = measure_queries(database, ui["dates"], window)
    figures = {
        "evidence": evidence,
        "tui_first_screen_s": round(ui["first_screen_s"], 3),
        "tui_step_ms": round(statistics.median(ui["step_ms"]), 1),
        "tui_step_with_evidence_ms": round(statistics.median(ui["detail_ms"]), 1),
        "tui_steps_read_ahead": ui["read_ahead"],
        "tui_step_not_read_ahead_ms": round(statistics.median(cold["step_ms"]), 1),
        "tui_step_not_read_ahead_with_evidence_ms": round(statistics.median(cold["detail_ms"]), 1),
        "tui_diff_first_page_ms": round(ui["diff_first_page_ms"], 1),
        "diff_changes": ui["diff_changes"],
        "diff_first_page_query_ms": round(statistics.median(queries["diff_page_ms"]), 1),
        "diff_all_query_ms": round(statistics.median(queries["diff_all_ms"]), 1),
        "matrix_query_ms": round(statistics.median(queries["matrix_ms"]), 1),
        "baseline_state_query_ms": round(statistics.median(queries["state_ms"]), 1),
        "steps": len(ui["step_ms"]),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    figures["step_vs_query"] = round(figures["tui_step_ms"] / figures["matrix_query_ms"], 2)
    figures["baseline_vs_query"] = round(figures["baseline_state_query_ms"] / figures["matrix_query_ms"], 1)
    f = figures
    lines = [
        ("evidence in the database", f"{f['evidence']:>12,}", ""),
        ("first screen", f"{f['tui_first_screen_s']:>10.3f} s ", "bar 1.5 s"),
        (
            "step of the date, matrix",
            f"{f['tui_step_ms']:>10.1f} ms",
            f"bar 50 ms; median of {f['steps']}, {f['tui_steps_read_ahead']} drawn from what was read ahead",
        ),
        ("step, with the evidence pane", f"{f['tui_step_with_evidence_ms']:>10.1f} ms", ""),
        ("step, nothing read ahead", f"{f['tui_step_not_read_ahead_ms']:>10.1f} ms", "the read and the redraw"),
        ("  with the evidence pane", f"{f['tui_step_not_read_ahead_with_evidence_ms']:>10.1f} ms", ""),
        (
            "diff screen, first page",
            f"{f['tui_diff_first_page_ms']:>10.1f} ms",
            f"{CHANGES_SHOWN} of {f['diff_changes']} changes over a week",
        ),
        ("  its query alone", f"{f['diff_first_page_query_ms']:>10.1f} ms", ""),
        ("  every change, as before", f"{f['diff_all_query_ms']:>10.1f} ms", "the query alone"),
        ("matrix query alone", f"{f['matrix_query_ms']:>10.1f} ms", f"step / query: {f['step_vs_query']}x"),
        (
            "baseline: the CLI's state query",
            f"{f['baseline_state_query_ms']:>10.1f} ms",
            f"{f['baseline_vs_query']}x the matrix query",
        ),
        ("peak resident memory", f"{f['peak_rss_mb']:>10.1f} MB", ""),
    ]
    for what, figure, remark in lines:
        print(f"{what:<32}{figure}" + (f"  ({remark})" if remark else ""))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    database.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
