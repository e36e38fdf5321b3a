"""An edit into a big corpus: re-ingesting one article, and re-ingesting everything unchanged.

    python benchmarks/incremental.py --work /tmp/bench-1m [--runs 3] [--json PATH] [--folder /tmp/folder-1m]

Give it the folder `benchmarks/run.py --work` fills (`tracker.db`, `feed.jsonl`,
`catalog.yaml`); `run.py` calls it in the same run, beside the ingest from
scratch. On a copy of the database, each in a child process as a user runs it:

- one article with one piece of evidence removed (`tracker ingest --jsonl` of a
  feed holding that article): one piece superseded, its positions replayed;
- the same article restored (one piece added back);
- the whole feed again, unchanged: nothing to write;
- with `--folder DIR`: the same corpus as a folder (`benchmarks/synthetic.py --folder`, written and ingested
  into `DIR/tracker.db` the first time), one fixture edited (one piece's note) and re-ingested with
  `tracker ingest --seeds --fixtures`, then restored.

For each, the median seconds and the child's peak resident memory.
Figures are medians: the machines are shared and noisy.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

# Run in a fresh interpreter: its children's peak memory is then the one command's alone.
MEASURE = """
import resource, subprocess, sys, time
started = time.perf_counter()
done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
seconds = time.perf_counter() - started
if done.returncode != 0:
    sys.exit(done.stderr)
print(seconds, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)
print(done.stderr, file=sys.stderr)
"""


def measured(command: list[str]) -> tuple[float, float, str]:
    """Seconds and peak resident MB of `command` in a child process; and what it said on stderr."""
    done = subprocess.run([sys.executable, "-c", MEASURE, *command], capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr}")
    seconds, peak = done.stdout.split()
    return float(seconds), float(peak), done.stderr


def one_article(feed: Path, out: Path) -> tuple[Path, Path, str, str]:
    """The feed's last article with all its evidence (`restored.jsonl`) and without its last piece
    (`removed.jsonl`); the article's id and the removed piece's."""
    article_line, evidence_lines = "", []
    with feed.open(encoding="utf-8") as lines:
        for line in lines:
            if line.startswith('{"type": "article"'):
                article_line, evidence_lines = line, []
            elif article_line:
                evidence_lines.append(line)
    article = json.loads(article_line)["id"]
    evidence = [line for line in evidence_lines if json.loads(line).get("article") == article]
    removed_id = json.loads(evidence[-1])["id"]
    restored, removed = out / "restored.jsonl", out / "removed.jsonl"
    restored.write_text(article_line + "".join(evidence), encoding="utf-8")
    removed.write_text(article_line + "".join(evidence[:-1]), encoding="utf-8")
    return removed, restored, article, removed_id


def measure(work: Path, runs: int = 3, unchanged: bool = True) -> dict[str, Any]:
    """The figures, on a copy of `work/tracker.db` (the original is left as it was)."""
    db, feed, catalog = work / "tracker.db", work / "feed.jsonl", work / "catalog.yaml"
    edit = work / "edit.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{edit}{suffix}").unlink(missing_ok=True)
    shutil.copy(db, edit)
    removed, restored, article, removed_id = one_article(feed, work)

    def ingest(path: Path) -> tuple[float, float, str]:
        command = [sys.executable, "-m", "tracker", "--db", str(edit), "ingest", "--jsonl", str(path)]
        return measured([*command, "--catalog", str(catalog)])

    remove_s, restore_s, peaks, said = [], [], [], ""
    for _ in range(runs):
        seconds, peak, said = ingest(removed)
        if f"removed: {removed_id}" not in said:
            raise SystemExit(f"the edit did not remove {removed_id}:\n{said}")
        remove_s.append(seconds)
        peaks.append(peak)
        seconds, peak, _ = ingest(restored)
        restore_s.append(seconds)
        peaks.append(peak)
    figures: dict[str, Any] = {
        "incremental_article": article,
        "incremental_remove_s": round(statistics.median(remove_s), 3),
        "incremental_restore_s": round(statistics.median(restore_s), 3),
        "incremental_peak_rss_mb": round(max(peaks), 1),
        "incremental_said": said.strip().splitlines()[0],
    }
    if unchanged:
        seconds, peak, said = ingest(feed)
        if "nothing new" not in said:
            raise SystemExit(f"re-ingesting the unchanged feed changed something:\n{said}")
        figures["noop_reingest_s"] = round(seconds, 2)
        figures["noop_reingest_peak_rss_mb"] = round(peak, 1)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{edit}{suffix}").unlink(missing_ok=True)
    return figures


def folder_edit(folder: Path, evidence: int, runs: int = 3) -> dict[str, Any]:
    """One fixture of a folder corpus edited and re-ingested, then restored, on a copy of its database."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from synthetic import write_folder

    seeds, fixtures, db = folder / "seeds", folder / "fixtures", folder / "tracker.db"
    corpus = ["--seeds", str(seeds), "--fixtures", str(fixtures)]
    if not db.exists():
        write_folder(folder, evidence)
        done = subprocess.run([sys.executable, "-m", "tracker", "--db", str(db), "ingest", *corpus], text=True)
        if done.returncode != 0:
            raise SystemExit("the folder's first ingest failed")
    edit = folder / "edit.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{edit}{suffix}").unlink(missing_ok=True)
    shutil.copy(db, edit)
    fixture = sorted(fixtures.glob("article-*.yaml"))[len(list(fixtures.glob("article-*.yaml"))) // 2]
    original = fixture.read_bytes()
    body = json.loads(original)
    edited = json.dumps({**body, "evidence": [{**body["evidence"][0], "note": "edited"}, *body["evidence"][1:]]})
    ingest = [sys.executable, "-m", "tracker", "--db", str(edit), "ingest", *corpus]
    edit_s, restore_s, peaks = [], [], []
    try:
        for _ in range(runs):
            fixture.write_text(edited, encoding="utf-8")
            seconds, peak, said = measured(ingest)
            if f"edited: {body['evidence'][0]['id']}" not in said:
                raise SystemExit(f"the edit of {fixture.name} was not ingested:\n{said}")
            edit_s.append(seconds)
            peaks.append(peak)
            fixture.write_bytes(original)
            seconds, peak, _ = measured(ingest)
            restore_s.append(seconds)
            peaks.append(peak)
    finally:
        fixture.write_bytes(original)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{edit}{suffix}").unlink(missing_ok=True)
    return {
        "folder_edit_s": round(statistics.median(edit_s), 3),
        "folder_restore_s": round(statistics.median(restore_s), 3),
        "folder_edit_peak_rss_mb": round(max(peaks), 1),
        "folder_edit_runs_s": [round(seconds, 2) for seconds in edit_s],
        "folder_edit_peaks_mb": [round(peak) for peak in peaks[::2]],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=None, help="the folder `benchmarks/run.py --work` filled")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-unchanged", action="store_true", help="skip re-ingesting the whole unchanged feed")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    parser.add_argument(
        "--folder", type=Path, default=None, help="also a fixture edited in a folder corpus kept here (made if absent)"
    )
    parser.add_argument("--evidence", type=int, default=1_000_000, help="the folder corpus's size, when made")
    args = parser.parse_args()
    figures = measure(args.work, args.runs, unchanged=not args.no_unchanged) if args.work else {}
    if args.folder:
        figures |= folder_edit(args.folder, args.evidence, args.runs)
    for key, value in figures.items():
        print(f"{key:<28}{value!s:>14}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
