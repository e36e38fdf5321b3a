"""Properties, with Hypothesis: the loaders never fail but as a tracker error, the replay follows the
machines, order within a day is defined, and the stored timeline is always a from-scratch replay."""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import db_digest, reading
from tracker.domain.errors import IllegalMove, Problem, TrackerError
from tracker.domain.machines import IssueMachine, Move, Stance
from tracker.domain.timeline import replay_item, replay_position
from tracker.ingest.corpus import bundled_corpus, load_catalog, load_corpus
from tracker.ingest.feed import feed_fill
from tracker.ingest.ingest import corpus_fill, ingest, validate
from tracker.read.history import history
from tracker.store.database import Store

BASE = Path(__file__).resolve().parent / "bad_inputs" / "base"
FIXTURE = "fixtures/geneva-day-one.yaml"
CATALOG = load_catalog(bundled_corpus()[1] / "catalog.yaml")
FIELDS = ["id", "issue", "party", "stance", "quote", "speaker", "attribution", "said_on", "mode", "note", "occurrence"]
STANCES = [s.value for s in Stance if s is not Stance.UNKNOWN]
SETTINGS = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 10**6),
    st.text(max_size=40),
    st.sampled_from(["russia", "Kremlin", "donetsk_withdrawal", "demands", "direct", "2026-03-01", "2026-02-30"]),
    st.sampled_from(["Moscow insists that Kyiv withdraw", "no deal", "Kyiv", "asserted", "hypothetical"]),
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
items = st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=10), values, max_size=8)
fixtures = st.one_of(
    st.fixed_dictionaries(
        {
            "article": st.sampled_from(["geneva-day-one", "nowhere", ""]) | values,
            "evidence": st.lists(items, max_size=4) | values,
        }
    ),
    values,
)


def standalone(fixture: Path) -> None:
    """The base fixture on its own, without the bundled corpus before it: Ukraine's rejection is its first word,
    so it names no move (beside the bundled corpus it withdraws Ukraine's counter-proposal: `harden`)."""
    text = fixture.read_text(encoding="utf-8")
    fixture.write_text(re.sub(r"\n    move: harden  #[^\n]*", "", text, count=1), encoding="utf-8")


@contextmanager
def base_corpus() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as folder:
        corpus = Path(folder) / "corpus"
        shutil.copytree(BASE, corpus)
        standalone(corpus / FIXTURE)
        yield corpus


@SETTINGS
@given(document=fixtures)
def test_any_fixture_ends_in_acceptance_or_a_tracker_error(document: Any) -> None:
    with base_corpus() as corpus:
        (corpus / FIXTURE).write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
        try:
            load_corpus(corpus / "seeds", corpus / "fixtures")
        except TrackerError:
            pass


@SETTINGS
@given(raw=st.binary(max_size=300) | st.text(max_size=300).map(str.encode))
def test_any_bytes_as_a_fixture_end_in_acceptance_or_a_tracker_error(raw: bytes) -> None:
    with base_corpus() as corpus:
        (corpus / FIXTURE).write_bytes(raw)
        try:
            load_corpus(corpus / "seeds", corpus / "fixtures")
        except TrackerError:
            pass


ARTICLE_LINE = {
    "type": "article",
    "id": "geneva-day-one",
    "title": "Talks in Geneva",
    "published_on": "2026-03-02",
    "date_basis": "stated",
    "text": (BASE / "seeds" / "geneva.txt").read_text(encoding="utf-8"),
}
feed_lines = st.one_of(
    st.just(json.dumps(ARTICLE_LINE)).map(str.encode),
    items.map(lambda item: json.dumps({"type": "evidence", "article": "geneva-day-one", **item}, default=str).encode()),
    values.map(lambda value: json.dumps(value, default=str).encode()),
    st.binary(max_size=80),
)


@SETTINGS
@given(lines=st.lists(feed_lines, max_size=6))
def test_any_feed_ends_in_acceptance_or_a_tracker_error(lines: list[bytes]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        feed = Path(folder) / "feed.jsonl"
        feed.write_bytes(b"\n".join(line.replace(b"\n", b" ") for line in lines) + b"\n")
        try:
            validate(None, CATALOG, feed_fill(feed, CATALOG))
        except TrackerError:
            pass


MOVE_NAMES = [None, None, None, *(m.value for m in Move)]


@SETTINGS
@given(
    coded=st.lists(
        st.tuples(st.sampled_from(STANCES), st.sampled_from(["asserted", "hypothetical"]), st.sampled_from(MOVE_NAMES)),
        max_size=12,
    )
)
def test_the_replay_moves_as_the_transitions_machine_does(coded: list[tuple[str, str, str | None]]) -> None:
    """The replay's compiled table and the Machine agree on every move, and refuse the same evidence."""
    items = [
        replay_item(
            date(2026, 1, 1 + n),
            None,
            "direct",
            date(2026, 1, 1 + n),
            "a",
            0,
            1,
            f"e{n:02d}",
            stance,
            mode,
            move,
            None,
            n,
            "x",
            n,
        )
        for n, (stance, mode, move) in enumerate(coded)
    ]
    replayed = replay_position("znpp", "russia", items)
    machine = IssueMachine("znpp")
    position = machine.position("russia")
    expected: list[str | None] = []
    refused_at = None
    for n, (stance, mode, move) in enumerate(coded):
        if mode != "asserted":
            expected.append(None)
            continue
        try:
            expected.append(machine.apply(position, stance, move).value)
        except IllegalMove:  # AmbiguousMove too
            refused_at = n
            break
    if refused_at is None:
        assert not isinstance(replayed, Problem)
        assert [entry.move for entry in replayed] == expected
    else:
        assert isinstance(replayed, Problem) and replayed.line == refused_at


SAME_DAY = [
    {
        "id": "gva-10",
        "issue": "peacekeepers",
        "party": "europe",
        "stance": "supports",
        "quote": "Talks in Geneva",
        "attribution": "analysis",
    },
    {
        "id": "gva-11",
        "issue": "peacekeepers",
        "party": "europe",
        "stance": "open",
        "quote": "day one",
        "attribution": "analysis",
    },
    {
        "id": "gva-12",
        "issue": "peacekeepers",
        "party": "europe",
        "stance": "supports",
        "quote": "a spokesman said",
        "attribution": "analysis",
    },
    {
        "id": "gva-13",
        "issue": "peacekeepers",
        "party": "europe",
        "stance": "agreed",
        "quote": "Officials said",
        "attribution": "analysis",
    },
]


def timeline_of(store: Store) -> str:
    with reading(store.url) as held:
        return history(held).model_dump_json()


@SETTINGS
@given(order=st.permutations(range(len(SAME_DAY))))
def test_evidence_said_on_one_day_replays_the_same_in_any_file_order(order: list[int]) -> None:
    with base_corpus() as corpus:
        document = yaml.safe_load((corpus / FIXTURE).read_text(encoding="utf-8"))
        document["evidence"] += [SAME_DAY[n] for n in order]
        (corpus / FIXTURE).write_text(yaml.safe_dump(document), encoding="utf-8")
        store = Store(f"sqlite:///{corpus / 'tracker.db'}")
        try:
            ingest(store, load_corpus(corpus / "seeds", corpus / "fixtures"), "s", "f")
            assert timeline_of(store) == CANONICAL_SAME_DAY
        finally:
            store.dispose()


def _canonical_same_day() -> str:
    with base_corpus() as corpus:
        document = yaml.safe_load((corpus / FIXTURE).read_text(encoding="utf-8"))
        document["evidence"] += SAME_DAY
        (corpus / FIXTURE).write_text(yaml.safe_dump(document), encoding="utf-8")
        store = Store(f"sqlite:///{corpus / 'tracker.db'}")
        try:
            ingest(store, load_corpus(corpus / "seeds", corpus / "fixtures"), "s", "f")
            return timeline_of(store)
        finally:
            store.dispose()


CANONICAL_SAME_DAY = _canonical_same_day()

POOL = [
    *SAME_DAY,
    {
        "id": "gva-20",
        "issue": "donetsk_withdrawal",
        "party": "russia",
        "stance": "supports",
        "quote": "before any ceasefire",
        "attribution": "direct",
        "said_on": "2026-03-01",
    },
    {
        "id": "gva-21",
        "issue": "donetsk_withdrawal",
        "party": "ukraine",
        "stance": "counter_proposal",
        "quote": "a spokesman said",
        "attribution": "reported",
    },
    {
        "id": "gva-22",
        "issue": "znpp",
        "party": "russia",
        "stance": "opposes",
        "quote": "nuclear plant",
        "attribution": "analysis",
        "mode": "hypothetical",
    },
    {
        "id": "gva-23",
        "issue": "znpp",
        "party": "ukraine",
        "stance": "demands",
        "quote": "remains one of the most sensitive issues",
        "attribution": "analysis",
        "said_on": "2026-02-27",
    },
]


@settings(deadline=None, max_examples=25, suppress_health_check=[HealthCheck.too_slow])
@given(
    steps=st.lists(
        st.tuples(st.sets(st.sampled_from(range(len(POOL)))), st.sampled_from(STANCES)), min_size=1, max_size=4
    )
)
def test_the_stored_timeline_is_a_from_scratch_replay_after_any_ingests_and_edits(
    steps: list[tuple[set[int], str]],
) -> None:
    """Each step re-codes the article with some of the pool (one item's stance edited); refused steps change
    nothing; after each accepted one, the stored timeline equals a new database's from the same files."""
    with base_corpus() as corpus:
        kept_db = str(corpus / "kept.db")
        kept = Store(f"sqlite:///{kept_db}")
        try:
            for chosen, edited_stance in steps:
                document = yaml.safe_load((BASE / FIXTURE).read_text(encoding="utf-8"))
                added = [dict(POOL[n]) for n in sorted(chosen)]
                if added:
                    added[0]["stance"] = edited_stance
                document["evidence"] += added
                (corpus / FIXTURE).write_text(yaml.safe_dump(document), encoding="utf-8")
                checked = load_corpus(corpus / "seeds", corpus / "fixtures")  # the pool is well formed: it loads
                try:
                    validate(None, checked.catalog, corpus_fill(checked))
                except TrackerError:
                    # An illegal move: the ingest refuses it too, and the database is as it was, byte for byte.
                    before = db_digest(kept_db) if (corpus / "kept.db").exists() else None
                    with pytest.raises(TrackerError):
                        ingest(kept, checked, "s", "f")
                    after = db_digest(kept_db) if (corpus / "kept.db").exists() else None
                    assert after == before, "a refused ingest changed the database"
                    continue
                ingest(kept, checked, "s", "f")
                fresh = Store(f"sqlite:///{corpus / 'fresh.db'}")
                try:
                    ingest(fresh, checked, "s", "f")
                    assert timeline_of(kept) == timeline_of(fresh)
                finally:
                    fresh.dispose()
                    (corpus / "fresh.db").unlink()
        finally:
            kept.dispose()
