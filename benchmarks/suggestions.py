"""How well `tracker suggest` finds what a coder codes, and how often the stance it proposes is the one coded.

    python benchmarks/suggestions.py [CORPUS ...] [--seeds DIR --fixtures DIR] [--catalog FILE]

A CORPUS is a folder holding `seeds/` and `fixtures/` (with `fixtures/catalog.yaml`), as `tracker init` makes
one; its `tracker.toml` is read for other folder names. Without any, the bundled corpus is measured (whose
catalogue's keywords were written while coding it: the figure is in-sample). Corpora outside the repository
are measured where they are: nothing of them is copied.

For each article, every suggestion is compared with the party-level evidence coded from it: a suggestion
matches a piece of evidence when it is for the same issue and party and its sentence overlaps the quote.

- positions / found: the coded positions (article, issue, party), and the share of them that some
  suggestion matches (the bar: 0.7);
- stances proposed / stance precision: of the suggestions that match coded evidence, those proposing a
  stance, and the share of these whose stance is one coded in the evidence they match (the bar: 0.6).
  A suggestion that withholds its stance (`stance_withheld`) proposes nothing, so it is neither right
  nor wrong here; `no_stance` counts them;
- attribution right: of the suggestions that match coded evidence, the share whose attribution is one coded;
- recall, precision: the same per piece of evidence (the share of coded evidence matched) and per
  suggestion (the share of suggestions matching some coded evidence);
- first party coded: for each sentence and issue suggested, whether the party ranked first is one coded
  there (the ranking, which recall and precision do not see).
"""

from __future__ import annotations

import argparse
import json
import sys
import tomllib
from pathlib import Path
from typing import Any

from tracker.ingest.corpus import bundled_corpus, load_corpus
from tracker.ingest.suggest import Suggester, overlap


def measure(seeds: Path, fixtures: Path, catalog: Path | None = None) -> dict[str, Any]:
    corpus = load_corpus(seeds, fixtures, catalog_file=catalog)
    suggester = Suggester(corpus.catalog)
    suggested = {article: suggester.suggest(corpus.articles[article].text) for article in corpus.articles}
    coded = [e for e in corpus.evidence if e.party]
    matched_suggestions: set[tuple[str, int]] = set()
    found = right_stance = 0
    positions: set[tuple[str, str, str | None]] = {(e.article, e.issue, e.party) for e in coded}
    positions_found: set[tuple[str, str, str | None]] = set()
    stances_coded: dict[tuple[str, int], set[Any]] = {}  # each matching suggestion: the stances it overlaps
    attributions_coded: dict[tuple[str, int], set[str]] = {}  # and the attributions
    for e in coded:
        hits = [
            (n, s)
            for n, s in enumerate(suggested[e.article])
            if s.issue == e.issue and s.party == e.party and overlap((s.start, s.end), (e.start, e.end))
        ]
        if hits:
            found += 1
            positions_found.add((e.article, e.issue, e.party))
            right_stance += any(s.stance == e.stance for _, s in hits)
            matched_suggestions |= {(e.article, n) for n, _ in hits}
            for n, _ in hits:
                stances_coded.setdefault((e.article, n), set()).add(e.stance)
                attributions_coded.setdefault((e.article, n), set()).add(e.attribution.value)
    proposed = [(key, suggested[key[0]][key[1]].stance) for key in stances_coded]
    proposed_stances = [(key, stance) for key, stance in proposed if stance is not None]
    right = sum(stance in stances_coded[key] for key, stance in proposed_stances)
    attributed = sum(suggested[a][n].attribution in coded_as for (a, n), coded_as in attributions_coded.items())
    total = sum(len(found_here) for found_here in suggested.values())
    # Ranking: each (sentence, issue)'s best-ranked party, and whether it is a party coded there.
    best: dict[tuple[str, int, str], int] = {}
    for article, found_here in suggested.items():
        for n, s in enumerate(found_here):
            best.setdefault((article, s.start, s.issue), n)
    first_right = sum((article, n) in matched_suggestions for (article, _, _), n in best.items())
    return {
        "articles": len(corpus.articles),
        "positions": len(positions),
        "positions_found": len(positions_found),
        "found": round(len(positions_found) / len(positions), 2) if positions else 0.0,
        "stances_proposed": len(proposed_stances),
        "stances_right": right,
        "stance_precision": round(right / len(proposed_stances), 2) if proposed_stances else 0.0,
        "no_stance": len(proposed) - len(proposed_stances),
        "attributions_right": attributed,
        "attribution_right": round(attributed / len(attributions_coded), 2) if attributions_coded else 0.0,
        "coded": len(coded),
        "suggestions": total,
        "recall": round(found / len(coded), 2) if coded else 0.0,
        "precision": round(len(matched_suggestions) / total, 2) if total else 0.0,
        "stance_proposed_right": round(right_stance / found, 2) if found else 0.0,
        "first_party_coded": round(first_right / len(best), 2) if best else 0.0,
    }


def folders(corpus: Path) -> tuple[Path, Path]:
    """A corpus folder's seeds and fixtures: its tracker.toml's [corpus] names, else seeds/ and fixtures/."""
    names = {"seeds": "seeds", "fixtures": "fixtures"}
    config = corpus / "tracker.toml"
    if config.is_file():
        names |= tomllib.loads(config.read_text(encoding="utf-8")).get("corpus", {})
    return corpus / names["seeds"], corpus / names["fixtures"]


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("corpora", nargs="*", type=Path, metavar="CORPUS", help="folders with seeds/ and fixtures/")
    parser.add_argument("--seeds", type=Path, default=None)
    parser.add_argument("--fixtures", type=Path, default=None)
    parser.add_argument("--catalog", type=Path, default=None)
    args = parser.parse_args()
    measured: dict[str, dict[str, Any]] = {}
    for corpus in args.corpora:
        measured[str(corpus)] = measure(*folders(corpus), args.catalog)
    if args.seeds or args.fixtures or not args.corpora:
        default_seeds, default_fixtures = bundled_corpus()
        seeds, fixtures = args.seeds or default_seeds, args.fixtures or default_fixtures
        measured[str(seeds.parent) if args.seeds else "bundled"] = measure(seeds, fixtures, args.catalog)
    if len(measured) > 1:
        keys = ("positions", "positions_found", "stances_proposed", "stances_right", "no_stance", "attributions_right")
        summed = {key: sum(m[key] for m in measured.values()) for key in keys}
        summed["found"] = round(summed["positions_found"] / summed["positions"], 2) if summed["positions"] else 0.0
        proposed = summed["stances_proposed"]
        summed["stance_precision"] = round(summed["stances_right"] / proposed, 2) if proposed else 0.0
        matched = summed["stances_proposed"] + summed["no_stance"]
        summed["attribution_right"] = round(summed["attributions_right"] / matched, 2) if matched else 0.0
        measured["all of the above"] = summed
    print(json.dumps(measured, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
