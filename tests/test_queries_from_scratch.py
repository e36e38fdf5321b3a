"""State, diff, history and the briefing on a generated corpus, against the positions replayed from scratch.

The store answers from its indexed timeline; here every answer is checked against a replay of the same
evidence through the position machines, with nothing read back from the database. The corpus has a few
hundred pieces of evidence per position, so the briefing's bounds are exercised, and some statements
in a non-asserted mode (shown, moving nothing). And a catalogue of a thousand positions, each answered by state
and diff.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from benchmarks.synthetic import FIRST_DAY, feed_records, write_feed
from tests.conftest import NewDb, Run, reading
from tests.helpers import write_big_catalogue
from tracker.domain.evidence import Mode
from tracker.domain.machines import Move, Stance, choose_move
from tracker.ingest.corpus import choose_catalog
from tracker.ingest.feed import feed_fill
from tracker.ingest.ingest import run_ingest
from tracker.read.briefing import MOVES_SHOWN, QUOTES_SHOWN, build_report
from tracker.read.diff import diff
from tracker.read.history import history
from tracker.read.models import EVIDENCE_SHOWN, DiffReport, HistoryReport, StateReport
from tracker.read.state import state
from tracker.render.markdown import render_markdown
from tracker.store.database import Store

DATES = [FIRST_DAY + timedelta(days=n) for n in (0, 3, 45, 200, 366, 500, 729, 800)]
SIZE = dict(evidence=4000, issues=5, parties=4, seed=11)


@dataclass(frozen=True)
class TimelineEntry:
    """One replayed entry, as this test replays it: independently of the tracker's own replay."""

    evidence_id: str
    valid_from: date
    stance_from: Stance
    stance_to: Stance
    move: Move | None
    since: date | None
    entered_seq: int

    @property
    def applied(self) -> bool:
        return self.move is not None


@dataclass
class Scratch:
    db: str
    timelines: dict[tuple[str, str], list[TimelineEntry]]
    issues: list[str]
    parties: list[str]


def replayed(records: Iterator[dict[str, Any]]) -> dict[tuple[str, str], list[TimelineEntry]]:
    """Each position's timeline from the feed (whose order is the replay order), move by move."""
    days: dict[str, date] = {}
    timelines: dict[tuple[str, str], list[TimelineEntry]] = defaultdict(list)
    for record in records:
        if record["type"] == "article":
            days[record["id"]] = date.fromisoformat(record["published_on"])
            continue
        if "party" not in record:
            continue
        key = (record["issue"], record["party"])
        timeline = timelines[key]
        last = timeline[-1] if timeline else None
        before = last.stance_to if last else Stance.UNKNOWN
        since, entered = (last.since, last.entered_seq) if last else (None, -1)
        move, after = None, before
        if record["mode"] == Mode.ASSERTED.value:
            after = Stance(record["stance"])
            move = choose_move(before.value, after.value, record.get("move"))
            if move is not Move.REAFFIRM:
                since, entered = days[record["article"]], len(timeline)
        timeline.append(TimelineEntry(record["id"], days[record["article"]], before, after, move, since, entered))
    return dict(timelines)


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scratch]:
    folder = Path(tmp_path_factory.mktemp("scratch"))
    feed, _ = write_feed(folder, **SIZE)
    catalog = choose_catalog(folder)
    store = Store(f"sqlite:///{folder / 'tracker.db'}")
    run_ingest(store, catalog, feed_fill(feed, catalog), ("synthetic", "synthetic"))
    store.dispose()
    yield Scratch(str(folder / "tracker.db"), replayed(feed_records(**SIZE)), catalog.issue_ids(), catalog.party_ids())


def entries_until(scratch: Scratch, key: tuple[str, str], as_of: date) -> list[TimelineEntry]:
    return [e for e in scratch.timelines.get(key, []) if e.valid_from <= as_of]


def expected_stance(scratch: Scratch, key: tuple[str, str], as_of: date) -> tuple[Stance, date | None, list[str]]:
    """The stance, since when, and the evidence behind it (newest first), from the replayed timeline."""
    so_far = entries_until(scratch, key, as_of)
    if not so_far or so_far[-1].stance_to is Stance.UNKNOWN:
        return Stance.UNKNOWN, None, []
    last = so_far[-1]
    behind = [e.evidence_id for e in so_far[last.entered_seq :] if e.applied]
    return last.stance_to, last.since, behind[::-1]


def test_a_state_is_the_replayed_positions(scratch: Scratch) -> None:
    for as_of in DATES:
        with reading(scratch.db) as held:
            report = state(held, as_of, evidence=None)
            bounded = state(held, as_of)
        assert [(p.issue, p.party) for p in report.positions] == [
            (i, p) for i in scratch.issues for p in scratch.parties
        ]
        for position in report.positions:
            stance, since, behind = expected_stance(scratch, (position.issue, position.party), as_of)
            assert (position.stance, position.since) == (stance, since), (position.issue, position.party, as_of)
            assert [e.id for e in position.evidence] == behind
            assert all(e.mode == Mode.ASSERTED.value and e.move for e in position.evidence)
            assert position.evidence_total == len(behind)
        for position, full in zip(bounded.positions, report.positions, strict=True):
            assert position.evidence == full.evidence[:EVIDENCE_SHOWN]
            assert position.evidence_total == full.evidence_total


def test_a_diff_is_the_replayed_changes_and_the_moves_between(scratch: Scratch) -> None:
    for date_from, date_to in [(DATES[1], DATES[2]), (DATES[3], DATES[3] + timedelta(days=7)), (DATES[0], DATES[-1])]:
        with reading(scratch.db) as held:
            full = diff(held, date_from, date_to, evidence=None)
            limited = diff(held, date_from, date_to, evidence=3)
        expected = {}
        for key in ((i, p) for i in scratch.issues for p in scratch.parties):
            old = expected_stance(scratch, key, date_from)[0]
            new = expected_stance(scratch, key, date_to)[0]
            if old is not new:
                moved = [
                    e.evidence_id for e in scratch.timelines[key] if e.applied and date_from < e.valid_from <= date_to
                ]
                expected[key] = (old, new, moved[::-1])
        assert {(c.issue, c.party): (c.stance_from, c.stance_to, [e.id for e in c.evidence]) for c in full.changes} == (
            expected
        )
        for change in limited.changes:
            _, _, moved = expected[(change.issue, change.party)]
            assert [e.id for e in change.evidence] == moved[:3]
            assert change.evidence_total == len(moved)


def test_a_positions_history_is_its_replayed_timeline(scratch: Scratch) -> None:
    key = (scratch.issues[2], scratch.parties[1])
    with reading(scratch.db) as held:
        report = history(held, issues=[key[0]], parties=[key[1]], limit=None)
        until = history(held, issues=[key[0]], parties=[key[1]], until=DATES[3], limit=None)
        newest = history(held, issues=[key[0]], parties=[key[1]], limit=5)
    timeline = scratch.timelines[key]
    assert [(m.evidence.id, m.move, m.stance_from, m.stance_to, m.date) for m in report.moves] == [
        (e.evidence_id, e.move.value if e.move else None, e.stance_from, e.stance_to, e.valid_from) for e in timeline
    ]
    assert [m.evidence.id for m in until.moves] == [e.evidence_id for e in timeline if e.valid_from <= DATES[3]]
    assert [m.evidence.id for m in newest.moves] == [e.evidence_id for e in timeline][-5:]
    assert [(c.issue, c.party, c.shown, c.total) for c in newest.left_out] == [(*key, 5, len(timeline))]


def test_results_built_from_rows_are_what_validation_gives(scratch: Scratch) -> None:
    """The queries build their models from stored rows without validating; the result is the same."""
    with reading(scratch.db) as held:
        results: list[StateReport | DiffReport | HistoryReport] = [
            state(held, DATES[4]),
            diff(held, DATES[3], DATES[4]),
            history(held, issues=[scratch.issues[0]], parties=[scratch.parties[0]]),
        ]
    for result in results:
        validated = type(result).model_validate(result.model_dump())
        assert validated == result
        assert validated.model_dump_json(by_alias=True) == result.model_dump_json(by_alias=True)


def test_a_briefing_holds_the_newest_quotes_and_moves_and_counts_the_rest(scratch: Scratch) -> None:
    as_of, since = DATES[5], DATES[5] - timedelta(days=120)
    with reading(scratch.db) as held:
        report = build_report(held, as_of, since)
    shown = 0
    for section in report.issues:
        for position in section.positions:
            key = (section.issue, position.party)
            _, _, behind = expected_stance(scratch, key, as_of)
            so_far = entries_until(scratch, key, as_of)
            # The piece that moved the position into its stance leads, then the newest others.
            entered = behind[-1]
            assert [e.id for e in position.evidence] == [entered] + [e for e in behind[:QUOTES_SHOWN] if e != entered]
            assert position.evidence_total == len(behind)
            assert [m.evidence.id for m in position.moves] == [e.evidence_id for e in so_far[-MOVES_SHOWN:]]
            assert position.moves_total == len(so_far)
            shown += 1
    assert shown == len(scratch.issues) * len(scratch.parties)
    assert report.changes
    for change in report.changes:
        # The evidence on the change's path of moves leads, in the path's order, then at most the newest others.
        path = list(dict.fromkeys(e for step in change.moves for e in step.evidence))
        assert [ref.id for ref in change.evidence[: len(path)]] == path
        assert len(change.evidence) <= len(path) + QUOTES_SHOWN
    assert any(c.evidence_total and c.evidence_total > QUOTES_SHOWN for c in report.changes)
    cited = {ref.article for s in report.issues for p in s.positions for ref in p.evidence}
    cited |= {m.evidence.article for s in report.issues for p in s.positions for m in p.moves}
    cited |= {ref.article for c in report.changes for ref in c.evidence}
    cited |= {ref.article for s in report.issues for ref in s.issue_evidence}
    assert {s.id for s in report.sources} == cited
    assert report.corpus.articles == len(report.sources) + report.sources_not_cited > len(report.sources)

    text = render_markdown(report)
    position = report.issues[0].positions[0]
    assert f"The newest {MOVES_SHOWN} of {position.moves_total} moves (all: `tracker history --issue" in text
    assert f"older piece(s) of evidence:* `tracker diff {since} {as_of} --issue" in text
    assert f"The corpus's {report.sources_not_cited} other article(s) are not cited here." in text


def test_state_and_diff_of_a_thousand_positions(tmp_path: Path, run: Run, new_db: NewDb) -> None:
    seeds, fixtures = write_big_catalogue(tmp_path)
    db = new_db("big")
    assert run("--db", db, "ingest", "--seeds", str(seeds), "--fixtures", str(fixtures)).exit_code == 0
    state = run("--db", db, "state", "--as-of", "2030-05-02", "--format", "json")
    assert state.exit_code == 0, state.stderr
    positions = json.loads(state.stdout)["positions"]
    assert len(positions) == 1000 and all(len(p["evidence"]) == 1 for p in positions)
    diff = run("--db", db, "diff", "2030-04-01", "2030-05-02", "--format", "json", "--all")
    assert diff.exit_code == 0, diff.stderr
    assert len(json.loads(diff.stdout)["changes"]) == 1000
    page = json.loads(run("--db", db, "diff", "2030-04-01", "2030-05-02", "--format", "json").stdout)
    whole = json.loads(diff.stdout)
    assert len(page["changes"]) == 50 and page["issue_changes"] == []
    assert page["changes_total"] == len(whole["changes"]) + len(whole["issue_changes"]), "every change counted"
