"""The projection of the current positions (issue 23, point 1) answers as the timeline does, after any ingests.

`state` and the matrix, asked as of the newest day or later and known now, are read from `position_now` and
`issue_now`, which each ingest rewrites for what it changed. Hypothesis drives a feed through sequences of
ingests (evidence added, edited and removed, of every mode, attribution and kind, with times of day, spans and
conditions, so positions are contested, restated and moved; an article retitled; the catalogue given an issue,
a party or another role), and after each ingest that is taken, every answer read from the projection equals the
one read from the timeline (state with filters, the matrix, each issue's evidence), `tracker check` is sound,
and, at the end, a replay from scratch (one ingest of the final feed into a new database) answers the same.
With `TRACKER_TEST_DB` set, the databases are new databases on that PostgreSQL server.

`TRACKER_PROJECTION_EXAMPLES` sets the number of examples (20 by default).
"""

from __future__ import annotations

import io
import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, make_url

from tests.conftest import ON_POSTGRESQL, TEST_DB, _create_database, _drop_database
from tracker.cli import main
from tracker.read.browse import matrix
from tracker.read.check import check_store
from tracker.read.models import EVIDENCE_SHOWN, REF_FIELDS, StateReport
from tracker.read.opening import Database
from tracker.read.reading import Reading
from tracker.read.state import state
from tracker.store.projection import REF_ORDER, SHOWN

EXAMPLES = int(os.environ.get("TRACKER_PROJECTION_EXAMPLES", "20"))

SENTENCES = [
    "Brussels demands an end to steel tariffs",
    "Beijing supports a rare earths accord",
    "Washington is open to a deal on steel tariffs",
    "China opposes lifting steel tariffs",
    "The European Union agreed to the rare earths accord",
    "Officials said rare earths are on the table",
    "Delegates said the ports question divides them",
]
ARTICLES = {  # id -> published on
    "early": "2030-04-25",
    "middle": "2030-05-12",
    "late": "2030-05-20",
}
SAID_ON = {  # as written (EDTF) -> the day it ends on, which may not be after its article's
    "2030-04-20": "2030-04-20",
    "2030-04-25": "2030-04-25",
    "2030-05": "2030-05-31",
    "2030-05-01/2030-05-12": "2030-05-12",
    "2030-05-12": "2030-05-12",
    "2030-05-20": "2030-05-20",
}
ISSUES = ["steel", "rare_earths", "ports"]  # ports: only once the catalogue has it
PARTIES = ["eu", "china", "us", "uk"]  # uk: only once the catalogue has it
STANCES = ["demands", "supports", "open", "counter_proposal", "opposes", "agreed"]


def catalog(ports: bool, uk: bool, us_role: str) -> dict[str, Any]:
    issues = [
        {"id": "steel", "title": "Steel tariffs", "proposition": "Tariffs on steel are removed"},
        {"id": "rare_earths", "title": "Rare earths", "proposition": "Export quotas on rare earths are lifted"},
    ]
    if ports:
        issues.append({"id": "ports", "title": "Ports", "proposition": "Ports are opened", "parent": "steel"})
    parties: list[dict[str, Any]] = [
        {"id": "eu", "name": "European Union"},
        {"id": "china", "name": "China"},
        {"id": "us", "name": "United States", "role": us_role},
    ]
    if uk:
        parties.append({"id": "uk", "name": "United Kingdom"})
    return {"title": "Steel trade talks", "issues": issues, "parties": parties}


@dataclass(frozen=True)
class Item:
    """A piece of evidence as the feed states it."""

    article: str
    sentence: int
    issue: str
    party: str | None
    stance: str
    mode: str
    attribution: str
    said_on: str | None
    said_at: str | None
    kind: str | None
    condition: str | None

    def line(self, evidence_id: str) -> dict[str, Any]:
        found: dict[str, Any] = {
            "type": "evidence",
            "article": self.article,
            "id": evidence_id,
            "issue": self.issue,
            "quote": SENTENCES[self.sentence],
            "attribution": self.attribution,
        }
        if self.party is not None:
            found.update(party=self.party, stance=self.stance, mode=self.mode)
            if self.condition is not None:
                found["condition"] = self.condition
        elif self.kind is not None:
            found["kind"] = self.kind
        if self.said_on is not None and SAID_ON[self.said_on] <= ARTICLES[self.article]:
            found["said_on"] = self.said_on
        if self.said_at is not None:
            found["said_at"] = self.said_at
        return found


items = st.builds(
    Item,
    article=st.sampled_from(sorted(ARTICLES)),
    sentence=st.integers(0, len(SENTENCES) - 1),
    issue=st.sampled_from(ISSUES),
    party=st.one_of(st.none(), st.sampled_from(PARTIES), st.sampled_from(PARTIES)),
    stance=st.sampled_from(STANCES),
    mode=st.sampled_from(["asserted", "asserted", "asserted", "background", "hypothetical", "negated"]),
    attribution=st.sampled_from(["direct", "reported", "analysis"]),
    said_on=st.one_of(st.none(), st.sampled_from(sorted(SAID_ON))),
    said_at=st.one_of(st.none(), st.sampled_from(["09:00", "12:30"])),
    kind=st.one_of(st.none(), st.sampled_from(["progress", "implemented", "partly_implemented"])),
    condition=st.one_of(st.none(), st.just("if quotas are agreed")),
)


@dataclass(frozen=True)
class Corpus:
    """The feed an analyst keeps: evidence by id, the articles' titles, and the catalogue's changes."""

    evidence: dict[str, Item] = field(default_factory=dict)
    titles: dict[str, str] = field(default_factory=lambda: {a: f"The {a} report" for a in ARTICLES})
    ports: bool = False
    uk: bool = False
    us_role: str = "negotiator"
    next_id: int = 0

    def write(self, folder: Path) -> tuple[Path, Path]:
        feed, catalogue = folder / "feed.jsonl", folder / "catalog.yaml"
        catalogue.write_text(yaml.safe_dump(catalog(self.ports, self.uk, self.us_role), sort_keys=False))
        lines = []
        for article, published in ARTICLES.items():
            text = " ".join(f"{sentence}." for sentence in SENTENCES) + "\n"
            lines.append(
                {
                    "type": "article",
                    "id": article,
                    "title": self.titles[article],
                    "published_on": published,
                    "date_basis": "stated",
                    "text": text,
                }
            )
            lines += [item.line(i) for i, item in sorted(self.evidence.items()) if item.article == article]
        feed.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
        return feed, catalogue


# An operation on the corpus: what the analyst changes before the next ingest.
operations = st.one_of(
    st.tuples(st.just("add"), items),
    st.tuples(st.just("add"), items),
    st.tuples(st.just("edit"), st.integers(0, 50), items),
    st.tuples(st.just("remove"), st.integers(0, 50)),
    st.tuples(st.just("gainsay"), st.integers(0, 50), st.sampled_from(STANCES), st.integers(0, len(SENTENCES) - 1)),
    st.tuples(st.just("retitle"), st.sampled_from(sorted(ARTICLES))),
    st.tuples(st.just("catalogue"), st.sampled_from(["ports", "uk", "mediator", "observer", "negotiator"])),
)


def coded(corpus: Corpus, item: Item) -> Item | None:
    """`item` as the corpus's catalogue lets it be coded (an issue or a party it lacks yet: another one), or None
    where the corpus has it already (a duplicate is refused, and tells nothing)."""
    item = replace(
        item,
        issue=item.issue if item.issue != "ports" or corpus.ports else "steel",
        party=item.party if item.party != "uk" or corpus.uk else "eu",
    )
    same = (item.article, item.sentence, item.issue, item.party, item.stance if item.party else None)
    for held in corpus.evidence.values():
        if (held.article, held.sentence, held.issue, held.party, held.stance if held.party else None) == same:
            return None
    return item


def apply(corpus: Corpus, operation: tuple[Any, ...]) -> Corpus:
    kind = operation[0]
    ids = sorted(corpus.evidence)
    if kind == "add" and (item := coded(corpus, operation[1])) is not None:
        evidence = {**corpus.evidence, f"x{corpus.next_id:03d}": item}
        return replace(corpus, evidence=evidence, next_id=corpus.next_id + 1)
    if kind == "edit" and ids:
        target = ids[operation[1] % len(ids)]
        others = replace(corpus, evidence={k: v for k, v in corpus.evidence.items() if k != target})
        edited = coded(others, replace(operation[2], article=corpus.evidence[target].article))
        if edited is not None:
            return replace(corpus, evidence={**corpus.evidence, target: edited})
    if kind == "gainsay" and ids:  # the same word of another stance, at the same moment: a contest, mostly
        held = corpus.evidence[ids[operation[1] % len(ids)]]
        return apply(corpus, ("add", replace(held, stance=operation[2], sentence=operation[3])))
    if kind == "remove" and ids:
        target = ids[operation[1] % len(ids)]
        return replace(corpus, evidence={k: v for k, v in corpus.evidence.items() if k != target})
    if kind == "retitle":
        return replace(corpus, titles={**corpus.titles, operation[1]: corpus.titles[operation[1]] + " (updated)"})
    if kind == "catalogue":
        change = operation[1]
        if change == "ports":
            return replace(corpus, ports=True)
        if change == "uk":
            return replace(corpus, uk=True)
        return replace(corpus, us_role=change)
    return corpus


def cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        try:
            main(list(args))
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        else:  # pragma: no cover - main always exits
            code = 0
    return code, out.getvalue(), err.getvalue()


@contextmanager
def databases(folder: Path) -> Iterator[Any]:
    """New databases of the backend under test, dropped at the end."""
    server = create_engine(TEST_DB, isolation_level="AUTOCOMMIT") if ON_POSTGRESQL else None
    made: list[str] = []

    def new(label: str) -> str:
        if server is None:
            return str(folder / f"{label}.db")
        made.append(_create_database(server, label))
        return make_url(TEST_DB).set(database=made[-1]).render_as_string(hide_password=False)

    try:
        yield new
    finally:
        if server is not None:
            for name in made:
                _drop_database(server, name)
            server.dispose()


def ingest(db: str, corpus: Corpus, folder: Path) -> bool:
    feed, catalogue = corpus.write(folder)
    code, _, err = cli("--db", db, "ingest", "--jsonl", str(feed), "--catalog", str(catalogue), "--jobs", "1")
    assert code in (0, 1), err  # 1: a corpus refused (an illegal or ambiguous move), the database as it was
    return code == 0


def dumped(report: StateReport) -> str:
    return report.model_dump_json()


def same_answers(db: str) -> StateReport:
    """Every answer the projection gives equals the timeline's; `tracker check` is sound. The state as of the
    newest day."""
    database = Database(db)
    try:
        with database.snapshot() as snapshot:
            projected, replayed = Reading(snapshot), Reading(snapshot, projected=False)
            held = replayed.newest_date()
            newest = held or date(2030, 1, 1)  # nothing held: the projection answers every day (all unknown)
            assert projected.answers_now(newest) and projected.answers_now(newest + timedelta(days=30))
            assert projected.answers_now(newest - timedelta(days=1)) is (held is None), "a past day: the timeline"
            catalogue = replayed.catalog()
            filters = [
                (None, None),
                ([catalogue.issue_ids()[0]], None),
                (None, [catalogue.party_ids()[-1]]),  # a party shown alone: statuses still weigh every negotiator
            ]
            for as_of in (newest, newest + timedelta(days=30)):
                for issues, parties in filters:
                    now, then = state(projected, as_of, issues, parties), state(replayed, as_of, issues, parties)
                    assert now == then
                    assert dumped(now) == dumped(then)
                    grid, expected = matrix(projected, as_of, issues, parties), matrix(replayed, as_of, issues, parties)
                    assert grid.cells == expected.cells
                    assert (grid.status, grid.conditional) == (expected.status, expected.conditional)
                assert projected.issue_evidence(as_of, catalogue.issue_ids()) == replayed.issue_evidence(
                    as_of, catalogue.issue_ids()
                )
            report = check_store(snapshot)
            assert report.sound, report.findings
            return state(projected, newest + timedelta(days=30))
    finally:
        database.close()


def test_the_projection_keeps_every_field_of_a_piece_of_evidence() -> None:
    assert sorted(REF_ORDER) == sorted(REF_FIELDS)
    assert SHOWN == EVIDENCE_SHOWN


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(st.lists(items, min_size=1, max_size=8), st.lists(operations, min_size=1, max_size=6))
def test_the_projection_answers_as_the_timeline_after_any_ingests(
    first: list[Item], steps: list[tuple[Any, ...]]
) -> None:
    with tempfile.TemporaryDirectory(prefix="tracker-projection-") as tmp:
        folder = Path(tmp)
        with databases(folder) as new:
            db = new("working")
            corpus = Corpus()
            for item in first:
                corpus = apply(corpus, ("add", item))
            taken = corpus if ingest(db, corpus, folder) else None
            for step in steps:
                changed = apply(taken or corpus, step)
                if ingest(db, changed, folder):
                    taken = changed
                    same_answers(db)
            if taken is None:
                return
            ours = same_answers(db)
            fresh = new("fresh")
            assert ingest(fresh, taken, folder), "the feed the working database took is taken from scratch"
            theirs = same_answers(fresh)
            assert [p.model_dump(exclude={"evidence"}) for p in ours.positions] == [
                p.model_dump(exclude={"evidence"}) for p in theirs.positions
            ]
            assert [[e.id for e in p.evidence] for p in ours.positions] == [
                [e.id for e in p.evidence] for p in theirs.positions
            ]
            assert ours.issues == theirs.issues
