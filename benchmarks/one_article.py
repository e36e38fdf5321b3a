"""Many pieces of evidence coded from one long article: `tracker validate` on a fixture, beside the same as a feed.

    python benchmarks/one_article.py [--evidence 50000] [--runs 3] [--json PATH]

Writes one article of N short sentences and a fixture coding each (in YAML's
flow style, so that N = 50,000 stays under the 5 MB a fixture may have), and
the same article and evidence as a JSONL feed. Then, each in a child process as
a user runs it, the median of `--runs` runs of:

- `tracker validate --seeds --fixtures` on the fixture;
- `tracker validate --jsonl` on the feed (the baseline: the same checks with
  no YAML to read);
- the grounding alone, in this process: every quote looked up through the
  article's word index, beside every quote searched for in the whole text
  (what grounding did for every quote before the index).

Figures are medians: the machines are shared and noisy.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tracker.domain.grounding import WordIndex, find_all, normalise

ARTICLE = "one-long-article"


def write_corpus(root: Path, evidence: int) -> tuple[Path, Path, Path]:
    """The article, its fixture and the same as a feed: (seeds, fixtures, feed)."""
    seeds, fixtures = root / "seeds", root / "fixtures"
    seeds.mkdir()
    fixtures.mkdir()
    text = " ".join(f"W{n} holds." for n in range(evidence)) + "\n"
    (seeds / "long.txt").write_text(text, encoding="utf-8")
    (seeds / "articles.yaml").write_text(
        f"articles:\n  - id: {ARTICLE}\n    file: long.txt\n    title: One long article\n"
        "    published_on: 2026-01-10\n    date_basis: stated\n",
        encoding="utf-8",
    )
    items = (
        f"- {{id: e{n}, issue: znpp, party: russia, stance: demands, quote: W{n} holds, attribution: direct}}"
        for n in range(evidence)
    )
    (fixtures / "one-long-article.yaml").write_text(
        f"article: {ARTICLE}\nevidence:\n" + "\n".join(items) + "\n", encoding="utf-8"
    )
    feed = root / "feed.jsonl"
    with feed.open("w", encoding="utf-8") as out:
        article = {"type": "article", "id": ARTICLE, "title": "One long article", "published_on": "2026-01-10"}
        out.write(json.dumps({**article, "date_basis": "stated", "text": text}) + "\n")
        for n in range(evidence):
            item = {"type": "evidence", "article": ARTICLE, "id": f"e{n}", "issue": "znpp", "party": "russia"}
            item.update(stance="demands", quote=f"W{n} holds", attribution="direct")
            out.write(json.dumps(item) + "\n")
    return seeds, fixtures, feed


def child(arguments: list[str], cwd: Path) -> float:
    """Seconds for `tracker ARGUMENTS` in a child process, which must succeed."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "tracker", *arguments], cwd=cwd, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"tracker {' '.join(arguments)} failed:\n{done.stdout}{done.stderr}")
    return elapsed


def grounding(text: str, quotes: list[str], indexed: bool) -> float:
    started = time.perf_counter()
    normalised = normalise(text)
    words = WordIndex(normalised.text) if indexed else None
    for quote in quotes:
        assert len(find_all(normalised, text, quote, words)) == 1
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--evidence", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tracker-one-article-") as folder:
        root = Path(folder)
        seeds, fixtures, feed = write_corpus(root, args.evidence)
        fixture_bytes = (fixtures / "one-long-article.yaml").stat().st_size
        fixture_s = [
            child(["validate", "--seeds", str(seeds), "--fixtures", str(fixtures)], root) for _ in range(args.runs)
        ]
        feed_s = [child(["validate", "--jsonl", str(feed)], root) for _ in range(args.runs)]
        text = (seeds / "long.txt").read_text(encoding="utf-8")
        quotes = [f"W{n} holds" for n in range(args.evidence)]
        indexed_s = [grounding(text, quotes, indexed=True) for _ in range(args.runs)]
        searched_s = [grounding(text, quotes, indexed=False)]  # once: it is the slow one
    figures = {
        "evidence": args.evidence,
        "fixture_bytes": fixture_bytes,
        "validate_fixture_s": round(statistics.median(fixture_s), 2),
        "validate_feed_s": round(statistics.median(feed_s), 2),
        "fixture_vs_feed": round(statistics.median(fixture_s) / statistics.median(feed_s), 2),
        "grounding_indexed_s": round(statistics.median(indexed_s), 3),
        "grounding_searched_s": round(searched_s[0], 3),
        "searched_vs_indexed": round(searched_s[0] / statistics.median(indexed_s), 1),
    }
    print(json.dumps(figures, indent=2))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
