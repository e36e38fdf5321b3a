"""The median of each figure over several runs of `benchmarks/run.py --json`, as a Markdown table.

    python benchmarks/medians.py /tmp/bench-1.json /tmp/bench-2.json /tmp/bench-3.json

One row per figure (in the order of the first run that has it): its value in each run, the median of the runs
that measured it (a number; the run's value where every run says the same otherwise) and, for a figure with a
bar (`benchmarks/run.py`'s BARS), the bar and whether the median meets it. A run that did not measure a figure
(the folder edit without `--folder`, or a run of an older `run.py`) is said to, and left out of its median.
The README's Performance table is built from this.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import BARS

NOT_MEASURED = "not measured"
ABSENT = object()  # the run has no such figure (shown "-")


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def shown(value: Any) -> str:
    """A figure as the table shows it: numbers with thousands separators and no trailing zeros."""
    if value is None:
        return NOT_MEASURED
    if isinstance(value, bool):
        return "yes" if value else "no"
    if is_number(value):
        if float(value).is_integer():
            return f"{int(value):,}"
        return f"{value:,.4f}".rstrip("0").rstrip(".")
    if isinstance(value, str):
        return value
    return json.dumps(value)


def median(values: list[Any]) -> tuple[str, float | None]:
    """The median cell of a figure's values over the runs (missing ones are `ABSENT`), and the median itself
    when the figure is a number."""
    present = [v for v in values if v is not ABSENT]
    numbers = [v for v in present if is_number(v)]
    if numbers:
        middle = statistics.median(numbers)
        left_out = len(values) - len(numbers)
        return shown(round(middle, 4)) + (f" (of {len(numbers)})" if left_out else ""), middle
    if present and all(v == present[0] for v in present):
        return shown(present[0]), None
    return "differ" if present else NOT_MEASURED, None


def bar(key: str, middle: float | None) -> str:
    if key not in BARS:
        return ""
    op, limit = BARS[key]
    if middle is None:
        return f"{op} {shown(limit)}: {NOT_MEASURED}"
    met = middle >= limit if op == ">=" else middle <= limit
    return f"{op} {shown(limit)}: {'met' if met else '**not met**'}"


def table(runs: list[dict[str, Any]]) -> list[str]:
    keys = list(dict.fromkeys(key for run in runs for key in run))
    lines = [
        "| measure | " + " | ".join(f"run {k}" for k in range(1, len(runs) + 1)) + " | median | bar |",
        "| --- | " + "--- | " * len(runs) + "--- | --- |",
    ]
    for key in keys:
        values = [run.get(key, ABSENT) for run in runs]
        cell, middle = median(values)
        cells = ["-" if v is ABSENT else shown(v) for v in values]
        lines.append(f"| {key} | " + " | ".join(cells) + f" | {cell} | {bar(key, middle)} |")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", type=Path, nargs="+", help="JSON files written by `benchmarks/run.py --json`")
    args = parser.parse_args()
    runs = []
    for path in args.runs:
        figures = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(figures, dict):
            parser.error(f"{path}: not the figures of benchmarks/run.py --json")
        runs.append(figures)
    print("\n".join(table(runs)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
