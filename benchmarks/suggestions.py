"""How well `tracker suggest` finds what a coder codes: recall, precision and the stance proposed, on a corpus.

    python benchmarks/suggestions.py [--seeds DIR --fixtures DIR] [--catalog FILE]

For each article of the corpus, every suggestion is compared with the
party-level evidence coded from it: a suggestion matches a piece of evidence
when it is for the same issue and party and its sentence overlaps the quote.

- recall: the share of coded evidence that some suggestion matches;
- precision: the share of suggestions that match some coded evidence;
- stance: of the coded evidence matched, the share whose suggestion proposed
  the stance coded;
- first party coded: for each sentence and issue suggested, whether the party
  ranked first is one coded there (the ranking, which recall and precision
  do not see).

Default: the bundled corpus (whose catalogue's keywords were written while
coding it: the figure is in-sample).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from tracker.ingest.corpus import bundled_corpus, load_corpus
from tracker.ingest.suggest import Suggester, overlap


def measure(seeds: Path, fixtures: Path, catalog: Path | None = None) -> dict[str, float | int]:
    corpus = load_corpus(seeds, fixtures, catalog_file=catalog)
    suggester = Suggester(corpus.catalog)
    suggested = {article: suggester.suggest(corpus.articles[article].text) for article in corpus.articles}
    coded = [e for e in corpus.evidence if e.party]
    matched_suggestions: set[tuple[str, int]] = set()
    found = right_stance = 0
    for e in coded:
        hits = [
            (n, s)
            for n, s in enumerate(suggested[e.article])
            if s.issue == e.issue and s.party == e.party and overlap((s.start, s.end), (e.start, e.end))
        ]
        if hits:
            found += 1
            right_stance += any(s.stance == e.stance for _, s in hits)
            matched_suggestions |= {(e.article, n) for n, _ in hits}
    total = sum(len(found_here) for found_here in suggested.values())
    # Ranking: each (sentence, issue)'s best-ranked party, and whether it is a party coded there.
    best: dict[tuple[str, int, str], int] = {}
    for article, found_here in suggested.items():
        for n, s in enumerate(found_here):
            best.setdefault((article, s.start, s.issue), n)
    first_right = sum((article, n) in matched_suggestions for (article, _, _), n in best.items())
    return {
        "articles": len(corpus.articles),
        "coded": len(coded),
        "suggestions": total,
        "recall": round(found / len(coded), 2) if coded else 0.0,
        "precision": round(len(matched_suggestions) / total, 2) if total else 0.0,
        "stance_proposed_right": round(right_stance / found, 2) if found else 0.0,
        "first_party_coded": round(first_right / len(best), 2) if best else 0.0,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default_seeds, default_fixtures = bundled_corpus()
    parser.add_argument("--seeds", type=Path, default=default_seeds)
    parser.add_argument("--fixtures", type=Path, default=default_fixtures)
    parser.add_argument("--catalog", type=Path, default=None)
    args = parser.parse_args()
    print(json.dumps(measure(args.seeds, args.fixtures, args.catalog), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
