"""A synthetic negotiation corpus of any size, written as a JSONL feed, for measuring the tracker at scale.

N pieces of evidence over I issues x P parties, coded from generated articles
(about 50 pieces each, several articles a day over two years). Each
position's evidence follows a legal sequence of moves of the position machine
(mostly reaffirmations, with softening, hardening, accepting, reneging and
reopening between; a move out of `agreed` is named where two lead to its
stance), a few pieces are issue-level or hypothetical, and every quote is a
sentence of its article's text (typed with straight quotes where the article
has typographic ones), so the feed passes every check of an ingest. Each
piece carries its time of day (`said_at`, in the order of the feed), so one
day's pieces on one position follow each other instead of contesting it.

    python benchmarks/synthetic.py --evidence 1000000 --out /tmp/feed-1m

writes `/tmp/feed-1m/feed.jsonl` and `/tmp/feed-1m/catalog.yaml`; then

    tracker --db /tmp/tracker-1m.db ingest --jsonl /tmp/feed-1m/feed.jsonl --catalog /tmp/feed-1m/catalog.yaml

builds the database. The generator streams: its memory does not grow with N.
`--seed S` draws another corpus of the same shape (the same articles, ids and
dates; other issues, parties and stances); without it the seed is 7.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from tracker.domain.machines import MOVES, Move, Stance

FIRST_DAY = date(2024, 1, 1)
DAYS = 730
PER_ARTICLE = 50
REAFFIRM_SHARE = 0.7
ISSUE_LEVEL_SHARE = 0.01  # pieces naming an issue with no party's stance
HYPOTHETICAL_SHARE = 0.02  # pieces in a mode that does not move a stance

DEFAULT_SEED = 7  # the corpus the benchmarks measure: `--seed 7` is the one given without `--seed`
FEED_FILE = "feed.jsonl"
CATALOG_FILE = "catalog.yaml"


def issue_ids(issues: int) -> list[str]:
    return [f"issue_{i:03d}" for i in range(issues)]


def party_ids(parties: int) -> list[str]:
    return [f"party_{p:02d}" for p in range(parties)]


def synthetic_catalog(issues: int, parties: int) -> dict[str, Any]:
    """The catalogue as its YAML file holds it."""
    return {
        "title": f"Synthetic talks ({issues} issues x {parties} parties)",
        "issues": [
            {"id": i, "title": f"Issue {i[-3:]}", "proposition": f"The parties settle point {i[-3:]}"}
            for i in issue_ids(issues)
        ],
        "parties": [{"id": p, "name": f"Party {p[-2:]}", "aliases": [f"P{p[-2:]}"]} for p in party_ids(parties)],
    }


def _next_stance(rng: random.Random, current: str) -> tuple[str, str | None]:
    """A stance legal after `current` (usually the same one again, a reaffirmation), and the move to name where
    more than one leads there."""
    if current != Stance.UNKNOWN.value and rng.random() < REAFFIRM_SHARE:
        return current, None
    choices = [dest for (source, dest) in MOVES if source == current and dest != current]
    stance = rng.choice(sorted(choices))
    leading = MOVES[(current, stance)]
    changing = sorted(m for m in leading if m is not Move.REAFFIRM)  # (a stance the held one implies: its move)
    return stance, (rng.choice(changing).value if len(leading) > 1 else None)


def feed_records(
    evidence: int, issues: int = 50, parties: int = 20, seed: int = DEFAULT_SEED
) -> Iterator[dict[str, Any]]:
    """The feed's records in order: each article, then the evidence coded from it.

    Evidence n sits in article n // PER_ARTICLE at increasing offsets, so a
    position's evidence in feed order is also its replay order, and each
    position's next stance can be drawn as the feed is written.
    """
    rng = random.Random(seed)
    positions = [(i, p) for i in issue_ids(issues) for p in party_ids(parties)]
    stances = dict.fromkeys(positions, Stance.UNKNOWN.value)
    articles_total = max(1, -(-evidence // PER_ARTICLE))
    today, first_of_day = FIRST_DAY - timedelta(days=1), 0
    for a in range(articles_total):
        article_id = f"article-{a:06d}"
        day = FIRST_DAY + timedelta(days=a * DAYS // articles_total)
        if day != today:
            today, first_of_day = day, a * PER_ARTICLE
        sentences: list[str] = [f"Talks, day {a}.\n"]
        coded: list[dict[str, Any]] = []
        for n in range(a * PER_ARTICLE, min(evidence, (a + 1) * PER_ARTICLE)):
            issue, party = positions[rng.randrange(len(positions))]
            quote = f"Statement {n:07d}: {party}'s envoy spoke on {issue}."
            sentences.append(f"The envoy of {party} said: \u201c{quote.replace(chr(39), chr(0x2019))}\u201d\n")
            said_at = (datetime.min + timedelta(seconds=n - first_of_day)).time().isoformat()
            item: dict[str, Any] = {"type": "evidence", "article": article_id, "id": f"e{n:07d}", "issue": issue}
            draw = rng.random()
            if draw < ISSUE_LEVEL_SHARE:
                item.update(attribution="analysis", quote=quote)
            else:
                move = None
                if draw < ISSUE_LEVEL_SHARE + HYPOTHETICAL_SHARE:
                    stance, mode = rng.choice([s.value for s in Stance if s is not Stance.UNKNOWN]), "hypothetical"
                else:
                    stance, move = _next_stance(rng, stances[(issue, party)])
                    stances[(issue, party)] = stance
                    mode = "asserted"
                item.update(party=party, stance=stance, quote=quote, speaker=f"Envoy of {party}")
                item.update(attribution="direct", mode=mode, said_at=said_at)
                if move is not None:
                    item["move"] = move
            coded.append(item)
        yield {
            "type": "article",
            "id": article_id,
            "title": f"Round {a} of the talks",
            "outlet": "Synthetic Wire",
            "published_on": day.isoformat(),
            "date_basis": "stated",
            "text": "".join(sentences),
        }
        yield from coded


def write_feed(
    folder: Path, evidence: int, issues: int = 50, parties: int = 20, seed: int = DEFAULT_SEED
) -> tuple[Path, Path]:
    """Write the feed and its catalogue into `folder`; their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    catalog = folder / CATALOG_FILE
    catalog.write_text(yaml.safe_dump(synthetic_catalog(issues, parties), sort_keys=False), encoding="utf-8")
    feed = folder / FEED_FILE
    with feed.open("w", encoding="utf-8") as out:
        for record in feed_records(evidence, issues, parties, seed):
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return feed, catalog


def write_folder(
    folder: Path, evidence: int, issues: int = 50, parties: int = 20, seed: int = DEFAULT_SEED
) -> tuple[Path, Path]:
    """The same corpus as a folder an analyst keeps: `seeds/` (articles.yaml and a text file per article) and
    `fixtures/` (catalog.yaml and a fixture per article, in YAML's flow style); their paths."""
    seeds, fixtures = folder / "seeds", folder / "fixtures"
    seeds.mkdir(parents=True, exist_ok=True)
    fixtures.mkdir(parents=True, exist_ok=True)
    (fixtures / CATALOG_FILE).write_text(
        yaml.safe_dump(synthetic_catalog(issues, parties), sort_keys=False), encoding="utf-8"
    )
    index: list[str] = []
    coded: list[dict[str, Any]] = []
    article: dict[str, Any] | None = None

    def flush() -> None:
        if article is not None:
            body = {
                "article": article["id"],
                "evidence": [{k: v for k, v in item.items() if k not in ("type", "article")} for item in coded],
            }
            (fixtures / f"{article['id']}.yaml").write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")

    for record in feed_records(evidence, issues, parties, seed):
        if record["type"] == "article":
            flush()
            article, coded = record, []
            (seeds / f"{record['id']}.txt").write_text(record["text"], encoding="utf-8")
            meta = {k: v for k, v in record.items() if k not in ("type", "text")}
            index.append(json.dumps({**meta, "file": f"{record['id']}.txt"}, ensure_ascii=False))
        else:
            coded.append(record)
    flush()
    (seeds / "articles.yaml").write_text("articles:\n" + "".join(f"  - {line}\n" for line in index), encoding="utf-8")
    return seeds, fixtures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--evidence", type=int, default=100_000)
    parser.add_argument("--issues", type=int, default=50)
    parser.add_argument("--parties", type=int, default=20)
    parser.add_argument(
        "--seed",
        type=int,
        default=DEFAULT_SEED,
        help=f"seed of the random draws (issue, party, stance of each piece); another seed, another corpus of the "
        f"same shape; default {DEFAULT_SEED}, the corpus the benchmarks measure",
    )
    parser.add_argument("--out", type=Path, required=True, help="folder to write feed.jsonl and catalog.yaml into")
    parser.add_argument("--folder", action="store_true", help="write seeds/ and fixtures/ folders instead of a feed")
    args = parser.parse_args()
    if args.folder:
        seeds, fixtures = write_folder(args.out, args.evidence, args.issues, args.parties, args.seed)
        print(f"{seeds} and {fixtures}", file=sys.stderr)
        return 0
    feed, catalog = write_feed(args.out, args.evidence, args.issues, args.parties, args.seed)
    print(f"{feed} ({feed.stat().st_size // 1_000_000} MB) and {catalog}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
