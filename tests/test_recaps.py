"""Recaps (mode: background): a stance known held *by* an article's date, its day unknown. The replay's rules,
without a database: a recap can be the first word, restates what is held or implied, moves a position by its
date where that is another legal move, and stays inert where the dated word of the moment or the record says
otherwise; and answers never hinge on calling a statement a recap."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import Run
from tests.helpers import write_trade_talks
from tracker.domain.errors import Problem
from tracker.domain.machines import MOVES, Move, Stance
from tracker.domain.timeline import ReplayItem, TimelineEntry, replay_item, replay_position

DAY = date(2026, 3, 1)


def item(n: int, stance: str, mode: str = "asserted", day: int | None = None, move: str | None = None) -> ReplayItem:
    return replay_item(
        DAY + timedelta(days=n if day is None else day),
        None,
        "direct",
        DAY + timedelta(days=n if day is None else day),
        f"sha{n}",
        0,
        5,
        f"e{n}",
        stance,
        mode,
        move,
        None,
        n + 1,
        "f.yaml",
        n + 1,
    )


def replayed(*items: ReplayItem) -> list[TimelineEntry]:
    entries = replay_position("i", "p", list(items))
    assert not isinstance(entries, Problem), entries
    return entries


def test_a_recap_on_an_unknown_position_is_the_first_word_held_by_its_date() -> None:
    [entry] = replayed(item(0, "opposes", "background"))
    assert (entry.move, entry.stance_to, entry.since, entry.since_exact) == ("first_statement", "opposes", DAY, False)
    [said] = replayed(item(0, "opposes"))
    assert said.since_exact, "the same statement asserted is held from its day"


def test_a_recap_of_the_stance_held_or_of_one_it_implies_restates_it_and_names_no_move() -> None:
    entries = replayed(item(0, "counter_proposal"), item(1, "counter_proposal", "background"))
    assert entries[-1].move == "reaffirm" and entries[-1].stance_to == "counter_proposal"
    entries = replayed(item(0, "counter_proposal"), item(1, "opposes", "background"))
    assert entries[-1].move == "reaffirm" and entries[-1].stance_to == "counter_proposal", "a rejection restates it"
    assert entries[-1].since_exact, "the stance was entered on a dated word"


def test_a_recap_of_another_legal_move_moves_the_position_by_its_date() -> None:
    entries = replayed(item(0, "opposes"), item(5, "open", "background"))
    last = entries[-1]
    assert (last.move, last.stance_from, last.stance_to) == ("soften", "opposes", "open")
    assert (last.since, last.since_exact) == (DAY + timedelta(days=5), False)
    later = replayed(item(0, "opposes"), item(5, "open", "background"), item(9, "open"))
    assert later[-1].move == "reaffirm" and not later[-1].since_exact, "a reaffirmation keeps how it was entered"


def test_a_recap_of_a_stance_the_record_has_left_or_across_the_axis_stays_inert() -> None:
    left = replayed(item(0, "opposes"), item(2, "open"), item(5, "opposes", "background"))
    assert (left[-1].move, left[-1].not_applied, left[-1].stance_to) == (None, "background", "open")
    across = replayed(item(0, "supports"), item(5, "opposes", "background"))
    assert (across[-1].move, across[-1].not_applied, across[-1].stance_to) == (None, "contradicts", "supports")


def test_the_dated_word_of_the_moment_prevails_over_a_recap() -> None:
    entries = replayed(item(0, "opposes"), item(5, "opposes", day=5), item(6, "open", "background", day=5))
    assert [e.move for e in entries] == ["first_statement", "reaffirm", None], "the party's word that day holds"
    assert entries[-1].not_applied == "background" and entries[-1].stance_to == "opposes"
    entries = replayed(item(0, "opposes"), item(5, "open", day=5), item(6, "counter_proposal", "background", day=5))
    assert entries[1].move == "soften" and entries[-1].not_applied == "background"


def test_a_recap_where_two_moves_lead_names_its_move() -> None:
    refused = replay_position("i", "p", [item(0, "agreed"), item(3, "demands", "background")])
    assert isinstance(refused, Problem) and "renege" in refused.message and "reopen" in refused.message
    named = replayed(item(0, "agreed"), item(3, "demands", "background", move="reopen"))
    assert (named[-1].move, named[-1].since_exact) == ("reopen", False)


# -- answers never hinge on mode ---------------------------------------------------------------------------------

STANCES = [s.value for s in Stance if s is not Stance.UNKNOWN]


@st.composite
def paths(draw: st.DrawFn) -> list[tuple[str, str | None]]:
    """A position's path of legal moves, each to a stance the record has not held (a recap of a stance it left is
    inert by rule), each named where more than one move leads there: (stance, move named)."""
    held, seen = "unknown", set[str]()
    path: list[tuple[str, str | None]] = []
    for _ in range(draw(st.integers(1, 6))):
        choices = [
            (stance, moves)
            for stance in STANCES
            if stance not in seen and (moves := MOVES.get((held, stance), ())) and Move.REAFFIRM not in moves
        ]
        if not choices:
            break
        stance, moves = draw(st.sampled_from(choices))
        move = draw(st.sampled_from(moves)) if len(moves) > 1 else None
        path.append((stance, None if move is None else move.value))
        seen.add(held)
        held = stance
    return path


@settings(max_examples=300, deadline=None)
@given(
    path=paths(),
    recaps=st.lists(st.booleans(), min_size=6, max_size=6),
    gaps=st.lists(st.integers(1, 9), min_size=6, max_size=6),
)
def test_two_codings_differing_only_in_mode_give_the_same_stances_and_paths(
    path: list[tuple[str, str | None]], recaps: list[bool], gaps: list[int]
) -> None:
    days = [sum(gaps[: n + 1]) for n in range(len(path))]
    said = [item(n, stance, "asserted", days[n], move) for n, (stance, move) in enumerate(path)]
    recapped = [
        item(n, stance, "background" if recaps[n] else "asserted", days[n], move)
        for n, (stance, move) in enumerate(path)
    ]
    asserted, mixed = replayed(*said), replayed(*recapped)

    def answer(entries: list[TimelineEntry]) -> list[tuple[object, ...]]:
        return [(e.valid_from, e.stance_from, e.stance_to, e.move, e.since, e.backing) for e in entries]

    assert answer(mixed) == answer(asserted), "only the exactness of dates may differ"
    assert [e.since_exact for e in mixed] == [not recaps[n] for n in range(len(path))]


# -- shown as "by DATE" ------------------------------------------------------------------------------------------


def test_a_stance_entered_on_a_recap_is_shown_held_by_its_date(tmp_path: Path, run: Run, db: str) -> None:
    seeds, fixtures = write_trade_talks(tmp_path)
    (fixtures / "brief.yaml").write_text(
        "article: brief\nevidence:\n"
        "  - id: b1\n    issue: steel\n    party: Brussels\n    stance: demands\n"
        "    quote: it insists on removing steel tariffs\n    attribution: direct\n    mode: background\n"
    )
    assert run("--db", db, "ingest", "--seeds", str(seeds), "--fixtures", str(fixtures)).exit_code == 0
    state = json.loads(run("--db", db, "state", "--as-of", "2030-06-01", "--party", "eu", "--format", "json").stdout)
    [held] = state["positions"]
    assert (held["stance"], held["since"], held["since_exact"]) == ("demands", "2030-05-01", False)
    table = run("--db", db, "state", "--as-of", "2030-06-01", "--party", "eu").stdout
    assert "by 2030-05-01" in table
    report = run("--db", db, "report", "--as-of", "2030-06-01").stdout
    assert "demands by 2030-05-01" in report and "moves nothing" not in report
    csv_rows = run("--db", db, "state", "--as-of", "2030-06-01", "--party", "eu", "--format", "csv").stdout
    assert ",2030-05-01," in csv_rows, "CSV keeps the plain date"
