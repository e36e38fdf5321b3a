"""The terminal UI's fast paths give what the slow ones would (issue 23, points 5 and 6).

A step of the date redraws only the cells that changed, draws them without Rich's wrapping, and is drawn at once
from a matrix read ahead (then read again): after steps back and forth the matrix is what a screen freshly opened
at that date shows, cell by cell and line by line, the cursor on the same position. The diff reads its changes a
page at a time as the list is scrolled, without holding up the UI, until every change is listed.
"""

from __future__ import annotations

import threading
from datetime import date
from pathlib import Path
from typing import Any

from rich.segment import Segment
from textual.pilot import Pilot

from tests.conftest import NewDb, Run
from tests.helpers import write_big_catalogue
from tests.test_tui import drive, loaded, until
from tracker.domain.machines import Stance
from tracker.read.diff import diff
from tracker.read.models import CHANGES_SHOWN, Matrix
from tracker.read.opening import Database
from tracker.tui.app import TrackerApp
from tracker.tui.matrix_screen import MatrixScreen
from tracker.tui.screens import DiffScreen
from tracker.tui.widgets import EvidenceTable, MatrixTable, cell_text, cell_width, fitted_lines

START = date(2026, 2, 6)  # the bundled corpus, after its last change
AT = ("peacekeepers", "ukraine")  # the position the cursor is put on: its row is in view


def cell_texts(table: MatrixTable) -> dict[tuple[str, str], str]:
    """Every cell of the table as text, by (row key, column key), and the column labels."""
    found = {("", str(key.value)): column.label.plain for key, column in table.columns.items()}
    for row in table.rows:
        for column in table.columns:
            found[(str(row.value), str(column.value))] = table.get_cell(row, column).plain
    return found


def drawn(table: MatrixTable) -> dict[tuple[int, int], list[list[tuple[str, Any, Any, Any, Any, Any]]]]:
    """Each cell in view as drawn, by (row, column) (-1: the header), line by line, character by character with
    its colours and attributes (not the mouse's metadata), the blanks that pad it to its column's width left out:
    a step keeps the columns as wide as they were, where a screen opened at the date fits them to its cells."""
    widths = [column.get_render_width(table) for column in table.ordered_columns]
    cells: dict[tuple[int, int], list[list[tuple[str, Any, Any, Any, Any, Any]]]] = {}
    for y in range(table.size.height):
        chars = []
        for segment in table.render_line(y):
            style = segment.style
            assert style is not None
            chars += [
                (char, style.color, style.bgcolor, style.bold, style.italic, style.reverse) for char in segment.text
            ]
        row = -1 if y == 0 else (y - 1) // 2  # the header's line, then two lines a row
        start = 0
        for column, width in enumerate(widths):
            part = chars[start : start + width]
            while part and part[-1][0] == " ":
                part.pop()
            cells.setdefault((row, column), []).append(part)
            start += width
    return cells


async def settled(pilot: Pilot[int], screen: MatrixScreen, when: date) -> None:
    """The matrix as of `when` is shown, every read of the matrix has landed, and the panes follow the cursor."""
    table = screen.query_one(MatrixTable)
    await until(pilot, lambda: table.shown is not None and table.shown.as_of == when)
    await until(pilot, lambda: all(w.is_finished for w in screen.app.workers if w.group == "matrix"))
    await until(pilot, screen.showing_selected)
    await pilot.pause(0.05)


def put_cursor(table: MatrixTable, issue: str, party: str) -> None:
    assert table.shown is not None
    table.move_cursor(row=table.shown.issues.index(issue), column=table.page.index(party) + 1, scroll=False)


def screen_at(db: str, when: date) -> tuple[dict[tuple[str, str], str], Any]:
    """The matrix of a screen opened at `when`, the cursor put on `AT`: its cells and how it is drawn."""
    found: list[Any] = []

    async def scenario(app: TrackerApp, pilot: Pilot[int]) -> None:
        screen = await loaded(app, pilot, when)
        table = screen.query_one(MatrixTable)
        put_cursor(table, *AT)
        await settled(pilot, screen, when)
        found[:] = [cell_texts(table), drawn(table)]

    drive(db, scenario, as_of=when)
    return found[0], found[1]


def test_steps_back_and_forth_draw_what_a_screen_opened_at_the_date_draws(seeded_db: str) -> None:
    redrawn: list[int] = []  # cells set in place by each step
    seen: list[tuple[date, dict[tuple[str, str], str], Any, tuple[str, str | None] | None]] = []

    async def scenario(app: TrackerApp, pilot: Pilot[int]) -> None:
        screen = await loaded(app, pilot, START)
        table = screen.query_one(MatrixTable)
        put_cursor(table, *AT)
        await settled(pilot, screen, START)
        real_set_cells = table._set_cells

        def set_cells(cells: list[Any]) -> None:
            redrawn.append(len(cells))
            real_set_cells(cells)

        table._set_cells = set_cells  # type: ignore[method-assign]
        for key in ["left_square_bracket"] * 3 + ["right_square_bracket"] * 2 + ["left_square_bracket"]:
            earlier = [d for d in screen.dates if d < screen.as_of]
            later = [d for d in screen.dates if d > screen.as_of]
            target = earlier[-1] if key == "left_square_bracket" else later[0]
            await pilot.press(key)
            await settled(pilot, screen, target)
            assert table.position_at_cursor() == AT, "the cursor stays on its position"
            seen.append((target, cell_texts(table), drawn(table), table.cursor_position()))

    drive(seeded_db, scenario, as_of=START)
    assert len(seen) == 6 and any(redrawn), "the steps set cells in place"
    for when, texts, lines, _ in seen[-2:]:  # back, forward and back again: the last two dates
        fresh_texts, fresh_lines = screen_at(seeded_db, when)
        assert texts == fresh_texts, f"the cells as of {when}"
        assert lines == fresh_lines, f"the matrix as of {when}, as drawn"


def test_a_matrix_read_ahead_is_read_again_and_redrawn_if_it_changed(seeded_db: str) -> None:
    """What was read ahead is drawn at once; the read straight after it puts right what changed meanwhile."""
    shown: list[str] = []

    async def scenario(app: TrackerApp, pilot: Pilot[int]) -> None:
        screen = await loaded(app, pilot, START)
        table = screen.query_one(MatrixTable)
        put_cursor(table, *AT)
        await settled(pilot, screen, START)
        earlier = [d for d in screen.dates if d < START][-1]
        key = (earlier, screen.view_generation)
        assert key in screen.matrices, "the change date before was read ahead"
        kept = screen.matrices[key]
        true = kept.cells[AT[0]][AT[1]]
        other = Stance.OPPOSES if true.stance is not Stance.OPPOSES else Stance.SUPPORTS
        cells = {issue: dict(row) for issue, row in kept.cells.items()}
        cells[AT[0]][AT[1]] = true._replace(stance=other)
        screen.matrices[key] = kept.model_copy(update={"cells": cells})  # as if an ingest came after it was read
        real_show = table.show

        def show(matrix: Matrix, keep: Any = None) -> None:
            real_show(matrix, keep)
            shown.append(table.get_cell(AT[0], AT[1]).plain)

        table.show = show  # type: ignore[method-assign]
        await pilot.press("left_square_bracket")
        await settled(pilot, screen, earlier)
        assert shown == [cell_text(cell).plain for cell in (cells[AT[0]][AT[1]], true)], "drawn at once, then put right"
        assert table.get_cell(AT[0], AT[1]).plain == cell_text(true).plain
        assert screen.matrices[key].cells[AT[0]][AT[1]] == true, "what is kept is what was read"

    drive(seeded_db, scenario, as_of=START)


def test_cells_are_drawn_as_rich_draws_them(seeded_db: str) -> None:
    """The matrix's own drawing of a cell gives the characters and styles DataTable's would, cursor or not."""

    async def scenario(app: TrackerApp, pilot: Pilot[int]) -> None:
        screen = await loaded(app, pilot, START)
        table = screen.query_one(MatrixTable)
        assert table.shown is not None
        compared = 0
        for row in range(table.row_count):
            for column in range(len(table.columns)):
                width = table.ordered_columns[column].get_render_width(table)
                for cursor, hover in ((False, False), (True, False), (False, True)):
                    table._update_count += 1  # nothing cached
                    ours = table._render_cell(row, column, table.rich_style, width, cursor, hover)
                    table._update_count += 1
                    rich = super(MatrixTable, table)._render_cell(row, column, table.rich_style, width, cursor, hover)
                    assert chars(ours) == chars(rich), (row, column, cursor, hover)
                    compared += 1
        assert compared == 3 * table.row_count * len(table.columns)
        issue, party = table.shown.issues[0], table.page[0]
        text = cell_text(table.shown.cells[issue][party])
        assert cell_width(table.shown.cells[issue][party]) == max(len(line) for line in text.plain.split("\n"))
        style = table.rich_style
        assert fitted_lines(app.console, text, 4, 2, 1, style, style, style) is None, "a cell that would wrap: Rich's"

    drive(seeded_db, scenario, as_of=START)


def chars(lines: list[list[Segment]]) -> list[list[tuple[str, Any]]]:
    return [[(char, segment.style) for segment in line for char in segment.text] for line in lines]


# The diff, a page at a time.

BIG_FROM, BIG_TO = date(2030, 4, 1), date(2030, 5, 2)  # write_big_catalogue: a thousand positions stated on 05-01


def big_db(tmp_path: Path, run: Run, new_db: NewDb) -> str:
    seeds, fixtures = write_big_catalogue(tmp_path)
    db = new_db("big")
    assert run("--db", db, "ingest", "--seeds", str(seeds), "--fixtures", str(fixtures)).exit_code == 0
    return db


def every_change(db: str) -> list[tuple[str, str]]:
    """The whole diff from the library, in its order: (issue title, party name or "(the issue)") per change."""
    database = Database(db)
    try:
        with database.reading() as reading:
            whole = diff(reading, BIG_FROM, BIG_TO)
            titles = {i.id: i.title for i in reading.catalog().issues}
            names = {p.id: p.name for p in reading.catalog().parties}
    finally:
        database.close()
    assert whole.changes_total == len(whole.changes) + len(whole.contested) + len(whole.issue_changes)
    return [
        *((titles[c.issue], names[c.party]) for c in whole.changes),
        *((titles[c.issue], names[c.party]) for c in whole.contested),
        *((titles[c.issue], "(the issue)") for c in whole.issue_changes),
    ]


def listed(changes: EvidenceTable) -> list[tuple[str, str]]:
    return [(row.cells[0].plain, row.cells[1].plain) for row in changes.rows_shown]


def title(screen: DiffScreen) -> str:
    return str(screen.query_one("#diff-title").render())


async def open_diff(app: TrackerApp, pilot: Pilot[int]) -> DiffScreen:
    matrix_screen = await loaded(app, pilot, BIG_TO)
    app.push_screen(DiffScreen(BIG_FROM, BIG_TO, None, None, None, matrix_screen.catalog))
    await until(pilot, lambda: isinstance(app.screen, DiffScreen) and app.screen.report is not None)
    screen = app.screen
    assert isinstance(screen, DiffScreen)
    return screen


def test_scrolling_the_diff_to_its_end_lists_every_change(tmp_path: Path, run: Run, new_db: NewDb) -> None:
    db = big_db(tmp_path, run, new_db)
    expected = every_change(db)
    total = len(expected)
    assert total > 10 * CHANGES_SHOWN

    async def scenario(app: TrackerApp, pilot: Pilot[int]) -> None:
        screen = await open_diff(app, pilot)
        changes = screen.query_one("#changes", EvidenceTable)
        await pilot.pause(0.2)
        assert screen.listed() == changes.row_count == CHANGES_SHOWN, "one page, until the list is scrolled"
        assert f" · {CHANGES_SHOWN} of {total} changes (scroll for more)" in title(screen)
        assert listed(changes) == expected[:CHANGES_SHOWN]
        scrolls = 0
        while screen.listed() < total:
            assert scrolls < 3 * total // CHANGES_SHOWN, "scrolling to the end brings the next page"
            changes.scroll_end(animate=False, immediate=True)
            await pilot.pause(0.02)
            scrolls += 1
        assert changes.row_count == total and listed(changes) == expected, "every change, in the diff's order"
        positions = sum(party != "(the issue)" for _, party in expected)
        assert title(screen).endswith(f" · {positions} positions, {total - positions} issue statuses")
        assert changes.cursor_row == 0, "the cursor stays where it was"
        changes.move_cursor(row=total - 1)
        await until(pilot, lambda: str(screen.query_one("#diff-evidence-title").render()).startswith(expected[-1][0]))

    drive(db, scenario, as_of=BIG_TO)


def test_the_cursor_near_the_end_reads_the_next_page_and_the_ui_goes_on_meanwhile(
    tmp_path: Path, run: Run, new_db: NewDb, monkeypatch: Any
) -> None:
    db = big_db(tmp_path, run, new_db)
    expected = every_change(db)
    import tracker.tui.screens as screens_module

    real_diff = screens_module.diff
    release, held = threading.Event(), threading.Event()

    def slow_after_the_first_page(*args: Any) -> Any:
        if args[-1]:  # the offset: a page after the first is held until the test lets it go
            held.set()
            assert release.wait(30), "the test never let the page go"
        return real_diff(*args)

    monkeypatch.setattr(screens_module, "diff", slow_after_the_first_page)

    async def scenario(app: TrackerApp, pilot: Pilot[int]) -> None:
        screen = await open_diff(app, pilot)
        changes = screen.query_one("#changes", EvidenceTable)
        try:
            changes.move_cursor(row=CHANGES_SHOWN - 5)  # near the end of those listed
            await until(pilot, held.is_set)
            assert screen.reading_more and "(reading more…)" in title(screen)
            await pilot.press("up", "up")  # the UI answers while the page is read
            assert changes.cursor_row == CHANGES_SHOWN - 7
            assert str(screen.query_one("#diff-evidence-title").render()).startswith(expected[CHANGES_SHOWN - 7][1])
        finally:
            release.set()
        await until(pilot, lambda: screen.listed() == 2 * CHANGES_SHOWN)
        assert listed(changes) == expected[: 2 * CHANGES_SHOWN] and changes.cursor_row == CHANGES_SHOWN - 7
        assert f" · {2 * CHANGES_SHOWN} of {len(expected)} changes" in title(screen)

    drive(db, scenario, as_of=BIG_TO)


def test_a_position_newly_contested_is_listed_with_the_evidence_that_disagrees(
    tmp_path: Path, run: Run, new_db: NewDb
) -> None:
    """The diff's pages count a position that became contested (and still is): the screen lists it too."""
    from tests.test_semantics import Talks, ingested

    talks = Talks().article("a0", "2026-02-20", "North opposes access.")
    talks.article("a1", "2026-03-01", "North's envoy said it supports access.")
    talks.article("a2", "2026-03-01", "North's minister said it opposes access.")
    talks.code("a0", "North opposes access", party="north", stance="opposes")
    talks.code("a1", "North's envoy said it supports access", party="north", stance="open")
    talks.code("a2", "North's minister said it opposes access", party="north", stance="counter_proposal")
    db = new_db("contest")
    assert ingested(run, db, talks, tmp_path).exit_code == 0

    async def scenario(app: TrackerApp, pilot: Pilot[int]) -> None:
        matrix_screen = await loaded(app, pilot, date(2026, 3, 5))
        app.push_screen(DiffScreen(date(2026, 2, 25), date(2026, 3, 5), None, None, None, matrix_screen.catalog))
        await until(pilot, lambda: isinstance(app.screen, DiffScreen) and app.screen.report is not None)
        screen = app.screen
        assert isinstance(screen, DiffScreen)
        changes = screen.query_one("#changes", EvidenceTable)
        [row] = [[cell.plain for cell in row.cells] for row in changes.rows_shown]
        assert row[2:5] == ["opposes", "contested", "2026-03-01"]
        assert title(screen).endswith(" · 0 positions, 0 issue statuses, 1 newly contested")
        caption = str(screen.query_one("#diff-evidence-title").render())
        assert "opposes held, contested since 2026-03-01" in caption
        evidence = screen.query_one("#diff-evidence", EvidenceTable)
        await until(pilot, lambda: sorted(e.id for e in evidence.evidence) == ["a1-1", "a2-1"])

    drive(db, scenario, as_of=date(2026, 3, 5))
