"""`tracker import` of N Web Annotations into a corpus, at several N: is it linear?

    python benchmarks/import_annotations.py [--sizes 1000 10000 100000] [--runs 3] [--work DIR]

For each N it writes a corpus of its own (a catalogue of 50 issues and 20
parties, articles of N distinct sentences in all, empty fixtures) and a JSON
Lines file of N annotations, one per sentence, then runs `tracker import` in a
child process, as a user runs it. Beside it, the baseline: the same N items
written as a fixture by PyYAML's `safe_dump` alone (what writing the file
costs, with no parsing, no check and no lock). Medians of the runs; each a
fresh copy of the corpus.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ISSUES, PARTIES = 50, 20


PER_ARTICLE = 10_000  # sentences an article holds (an article's text is at most 1 MiB)


def sentence(n: int) -> str:
    return f"Party {n % PARTIES} backs proposition {n % ISSUES} in statement {n}."


def corpus(root: Path, size: int) -> Path:
    """A corpus of articles of `size` sentences in all, and the annotations coding each; the annotations' path."""
    seeds, fixtures = root / "seeds", root / "fixtures"
    seeds.mkdir(parents=True)
    fixtures.mkdir()
    catalog = ["issues:"] + [
        f"  - id: i{n}\n    title: Issue {n}\n    proposition: Proposition {n}" for n in range(ISSUES)
    ]
    catalog += ["parties:"] + [f"  - id: p{n}\n    name: Party {n}" for n in range(PARTIES)]
    (fixtures / "catalog.yaml").write_text("\n".join(catalog) + "\n")
    index = ["articles:"]
    for article in range((size + PER_ARTICLE - 1) // PER_ARTICLE):
        numbers = range(article * PER_ARTICLE, min(size, (article + 1) * PER_ARTICLE))
        (seeds / f"a{article}.txt").write_text("\n".join(sentence(n) for n in numbers) + "\n")
        index.append(f"  - id: a{article}\n    file: a{article}.txt\n    title: Article {article}\n"
                     "    published_on: 2030-05-01\n    date_basis: stated")  # fmt: skip
        (fixtures / f"a{article}.yaml").write_text(f"article: a{article}\nevidence: []\n")
    (seeds / "articles.yaml").write_text("\n".join(index) + "\n")
    lines = []
    for n in range(size):
        body = {"issue": f"i{n % ISSUES}", "party": f"p{n % PARTIES}", "stance": "supports", "attribution": "direct"}
        target = {"source": f"urn:negotiation-tracker:article:a{n // PER_ARTICLE}",
                  "selector": {"type": "TextQuoteSelector", "exact": sentence(n)}}  # fmt: skip
        lines.append(json.dumps({"type": "Annotation", "id": f"urn:negotiation-tracker:evidence:e{n}",
                                 "body": body, "target": target}))  # fmt: skip
    annotations = root / "annotations.jsonl"
    annotations.write_text("\n".join(lines) + "\n")
    return annotations


def timed_import(work: Path, size: int) -> float:
    copy = work / "run"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(work / f"n{size}", copy)
    command = [sys.executable, "-m", "tracker", "--db", str(copy / "t.db"), "import", str(copy / "annotations.jsonl"),
               "--format", "w3c", "--seeds", str(copy / "seeds"), "--fixtures", str(copy / "fixtures")]  # fmt: skip
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(done.stderr[-2000:])
    return seconds


def timed_dump(work: Path, size: int) -> float:
    items = [
        {"id": f"e{n}", "issue": f"i{n % ISSUES}", "party": f"p{n % PARTIES}", "stance": "supports",
         "quote": sentence(n), "attribution": "direct"}
        for n in range(size)
    ]  # fmt: skip
    started = time.perf_counter()
    text = yaml.dump({"article": "big", "evidence": items}, Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper),
                     sort_keys=False, allow_unicode=True, width=4096)  # fmt: skip
    (work / "dumped.yaml").write_text(text)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--work", type=Path, default=None)
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="bench-import-"))
    print("| annotations | tracker import (median) | per 1,000 | PyYAML safe_dump of the items (median) | ratio |")
    print("| --- | --- | --- | --- | --- |")
    for size in args.sizes:
        folder = work / f"n{size}"
        if not folder.exists():
            corpus(folder, size)
        imports = [timed_import(work, size) for _ in range(args.runs)]
        dumps = [timed_dump(work, size) for _ in range(args.runs)]
        imported, dumped = statistics.median(imports), statistics.median(dumps)
        print(f"| {size:,} | {imported:.2f} s | {imported / size * 1000:.3f} s | {dumped:.2f} s | "
              f"{imported / dumped:.1f}x |", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
