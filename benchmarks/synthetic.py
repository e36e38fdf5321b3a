"""A synthetic negotiation corpus of any size, for measuring the tracker at scale.

N pieces of evidence spread evenly over I issues x P parties, coded from
generated articles (about 50 pieces each, several articles a day over two
years). Each position's evidence follows a legal sequence of moves of the
position machine (mostly reaffirmations, with softening, hardening,
accepting and reneging between), and every quote is a sentence of its
article's text, so the corpus passes every check of an ingest.

    python benchmarks/synthetic.py --evidence 1000000 --db /tmp/tracker-1m.db

builds a database through the tracker's own plan and apply (replay through
the machines, then one all-or-nothing transaction).
"""

from __future__ import annotations

import argparse
import hashlib
import random
import sys
import time
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

from tracker.catalog import Catalog, Issue, Party
from tracker.corpus import Corpus
from tracker.evidence import Article, Attribution, DateBasis, Evidence, Mode, order_key
from tracker.ingest import apply, plan
from tracker.machines import MOVES, Stance
from tracker.store import Store

FIRST_DAY = date(2024, 1, 1)
DAYS = 730
PER_ARTICLE = 50
REAFFIRM_SHARE = 0.7


def synthetic_catalog(issues: int, parties: int) -> Catalog:
    return Catalog(
        issues=tuple(
            Issue(id=f"issue_{i:03d}", title=f"Issue {i:03d}", proposition=f"The parties settle point {i:03d}")
            for i in range(issues)
        ),
        parties=tuple(Party(id=f"party_{p:02d}", name=f"Party {p:02d}") for p in range(parties)),
    )


def _next_stance(rng: random.Random, current: str) -> str:
    """A stance legal after `current`: usually the same one again (a reaffirmation)."""
    if current != Stance.UNKNOWN.value and rng.random() < REAFFIRM_SHARE:
        return current
    choices = [dest for (source, dest) in MOVES if source == current and dest != current]
    return rng.choice(sorted(choices))


def synthetic_corpus(evidence: int, issues: int = 50, parties: int = 20, seed: int = 7) -> Corpus:
    rng = random.Random(seed)
    catalog = synthetic_catalog(issues, parties)
    positions = [(i.id, p.id) for i in catalog.issues for p in catalog.parties]
    articles_total = max(1, -(-evidence // PER_ARTICLE))
    # Placements first: which article (and so which day) each piece of evidence comes from.
    placed: list[tuple[int, tuple[str, str]]] = [(n, positions[n % len(positions)]) for n in range(evidence)]
    rng.shuffle(placed)
    sentences: dict[int, list[tuple[int, tuple[str, str]]]] = defaultdict(list)
    for slot, (n, position) in enumerate(placed):
        sentences[slot // PER_ARTICLE].append((n, position))

    articles: dict[str, Article] = {}
    located: dict[int, tuple[str, date, int, int, str]] = {}  # n -> article, day, start, end, quote
    for a in range(articles_total):
        article_id = f"article-{a:06d}"
        day = FIRST_DAY + timedelta(days=a * DAYS // articles_total)
        parts: list[str] = [f"Talks, day {a}.\n"]
        offset = len(parts[0])
        for n, (issue, party) in sentences[a]:
            quote = f"Statement {n:07d}: {party} spoke on {issue}."
            located[n] = (article_id, day, offset, offset + len(quote), quote)
            parts.append(quote + "\n")
            offset += len(quote) + 1
        text = "".join(parts)
        articles[article_id] = Article(
            id=article_id,
            file=f"{article_id}.txt",
            title=f"Round {a} of the talks",
            outlet="Synthetic Wire",
            published_on=day,
            date_basis=DateBasis.STATED,
            text=text,
            sha256=hashlib.sha256(text.encode()).hexdigest(),
            source_path=f"/synthetic/{article_id}.txt",
        )

    by_position: dict[tuple[str, str], list[int]] = defaultdict(list)
    for n, position in placed:
        by_position[position].append(n)
    items: list[Evidence] = []
    for (issue, party), numbers in by_position.items():
        numbers.sort(key=lambda n: order_key(located[n][1], located[n][1], located[n][0], located[n][2], f"e{n:07d}"))
        stance = Stance.UNKNOWN.value
        for n in numbers:
            stance = _next_stance(rng, stance)
            article_id, day, start, end, quote = located[n]
            text = articles[article_id].text
            items.append(
                Evidence.model_construct(
                    id=f"e{n:07d}",
                    article=article_id,
                    issue=issue,
                    party=party,
                    stance=Stance(stance),
                    quote=quote,
                    start=start,
                    end=end,
                    prefix=text[max(0, start - 32) : start],
                    suffix=text[end : end + 32],
                    speaker=f"Envoy of {party}",
                    attribution=Attribution.DIRECT,
                    said_on=day,
                    mode=Mode.ASSERTED,
                    note=None,
                    source_path=f"/synthetic/{article_id}.yaml",
                    source_line=1,
                    stance_line=1,
                )
            )
    return Corpus(catalog=catalog, articles=articles, evidence=items, coded_articles=set(articles))


def build_database(url: str, evidence: int, issues: int, parties: int) -> float:
    """Ingest a synthetic corpus into `url`; the seconds it took."""
    corpus = synthetic_corpus(evidence, issues, parties)
    store = Store(url)
    started = time.perf_counter()
    with store.writing() as session:
        apply(session, corpus, plan(session, corpus), "synthetic", "synthetic")
    store.dispose()
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--evidence", type=int, default=100_000)
    parser.add_argument("--issues", type=int, default=50)
    parser.add_argument("--parties", type=int, default=20)
    parser.add_argument("--db", required=True, help="a SQLite file path (must not exist yet) or a database URL")
    args = parser.parse_args()
    url = args.db if "://" in args.db else f"sqlite:///{Path(args.db).resolve()}"
    if "://" not in args.db and Path(args.db).exists():
        parser.error(f"{args.db} exists; give a new file")
    seconds = build_database(url, args.evidence, args.issues, args.parties)
    print(f"{args.evidence} evidence stored in {seconds:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
