"""The terminal UI, driven headless with Textual's Pilot: each interaction, asserted on widget state.

A few screens are also kept as SVG golden files at a fixed size (rewrite them
with TRACKER_UPDATE_GOLDEN=1 after a deliberate change, and review the diff).
"""

from __future__ import annotations

import asyncio
import os
import threading
import time
from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from textual.binding import Binding
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import DataTable, Input, Log, OptionList, SelectionList, Static, TextArea

from tests.conftest import GOLDEN, ON_POSTGRESQL, NewDb, Run
from tests.helpers import HOSTILE, hostile_corpus, ingest_long_hostile_corpus, write_trade_talks
from tracker.domain.machines import Stance
from tracker.read.opening import Database
from tracker.tui.app import SeedingScreen, TrackerApp
from tracker.tui.dialogs import DatePrompt, DiffPrompt, ExportDialog, FilterDialog, HelpScreen, KnownAtPrompt
from tracker.tui.matrix_screen import MatrixScreen
from tracker.tui.screens import ArticleScreen, DiffScreen
from tracker.tui.widgets import EvidenceTable, MatrixTable, QuoteView, TimelineBar

Scenario = Callable[[TrackerApp, Pilot[int]], Awaitable[None]]


async def until(pilot: Pilot[int], condition: Callable[[], Any], timeout: float = 10.0) -> None:
    """Let the app run until `condition` holds (workers read in threads)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("the UI never got there")
        await pilot.pause(0.02)


def matrix_screen(app: TrackerApp) -> MatrixScreen:
    screen = app.screen
    assert isinstance(screen, MatrixScreen)
    return screen


async def loaded(app: TrackerApp, pilot: Pilot[int], as_of: date | None = None) -> MatrixScreen:
    """Wait for the matrix (as of `as_of`) and the selected position's panes."""
    # The matrix screen is pushed before its widgets are mounted: wait for the table a user sees, drawn.
    await until(
        pilot,
        lambda: (
            isinstance(app.screen, MatrixScreen)
            and any(table.shown is not None for table in app.screen.query(MatrixTable))
        ),
    )
    screen = matrix_screen(app)
    table = screen.query_one(MatrixTable)
    await until(pilot, lambda: table.shown is not None and (as_of is None or table.shown.as_of == as_of))
    await until(pilot, screen.showing_selected)
    await pilot.pause(0.05)
    return screen


class ToldApp(TrackerApp):
    """The terminal UI, keeping what its notifications tell the user for the test to read."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.told: list[tuple[str, str]] = []  # (title, message)

    def notify(self, message: Any, *args: Any, **kwargs: Any) -> None:
        self.told.append((str(kwargs.get("title", "")), str(message)))
        super().notify(message, *args, **kwargs)


def screen_text(screen: Screen[Any]) -> str:
    """Everything the text of a screen says (help, dialogs, their lists of choices), as a person reads it."""
    said = [str(widget.render()) for widget in screen.query(Static)]
    for choices in screen.query(OptionList):
        said += [str(choices.get_option_at_index(n).prompt) for n in range(choices.option_count)]
    return "\n".join(said)


def told(app: TrackerApp, words: str) -> bool:
    """Whether a notification has told the user `words` (in its title or its message)."""
    assert isinstance(app, ToldApp)
    return any(words in title or words in message for title, message in app.told)


def drive(
    db: str, scenario: Scenario, as_of: date | None = date(2026, 2, 6), size: tuple[int, int] = (120, 36)
) -> None:
    async def main() -> None:
        database = Database(db)
        app = ToldApp(database, as_of=as_of)
        try:
            async with app.run_test(size=size, notifications=True) as pilot:
                await scenario(app, pilot)
        finally:
            database.close()

    asyncio.run(main())


def cell(screen: MatrixScreen, issue: str, party: str) -> Stance:
    shown = screen.query_one(MatrixTable).shown
    assert shown is not None
    return shown.cells[issue][party].stance


async def select_position(pilot: Pilot[int], screen: MatrixScreen, issue: str, party: str) -> None:
    table = screen.query_one(MatrixTable)
    assert table.shown is not None
    table.move_cursor(row=table.shown.issues.index(issue), column=table.page.index(party) + 1)
    await until(
        pilot, lambda: screen.detail is not None and (screen.detail.issue, screen.detail.party) == (issue, party)
    )
    await pilot.pause(0.05)


def test_the_matrix_shows_every_position_as_of_the_date(seeded_db: str) -> None:
    async def scenario(app: TrackerApp, pilot: Pilot[int]) -> None:
        screen = await loaded(app, pilot)
        table = screen.query_one(MatrixTable)
        assert screen.heading == "as of 2026-02-06 · after the last of 4 changes"
        assert "Negotiation tracker — as of 2026-02-06" in str(screen.query_one("#heading").render())
        assert table.position_at_cursor() == ("donetsk_withdrawal", "russia"), "the first position is selected"
        assert screen.detail is not None and screen.detail.evidence_total == 7
        assert table.shown is not None
        assert table.shown.issues[0] == "donetsk_withdrawal" and table.page == [
            "russia",
            "ukraine",
            "united_states",
            "europe",
        ]
        assert cell(screen, "donetsk_withdrawal", "ukraine") is Stance.COUNTER_PROPOSAL
        assert cell(screen, "peacekeepers", "russia") is Stance.OPPOSES
        assert table.shown.status["donetsk_withdrawal"] == "deadlocked"
        words = table.get_cell("donetsk_withdrawal", "russia").plain
        assert words == "demands \u00d77\n2026-01-23", "stance word, evidence count, since (readable without colour)"
        assert "deadlocked" in table.get_cell("peacekeepers", "issue").plain
        bar = screen.query_one(TimelineBar)
        # Stance changes, and the dates issue-level evidence named an issue (kcs-03 on 2026-01-26).
        assert bar.dates == [date(2026, 1, 22), date(2026, 1, 23), date(2026, 1, 26), date(2026, 2, 5)]

    drive(seeded_db, scenario)


def test_steps_go_through_the_change_dates_and_mark_what_changed(seeded_db: str) -> None:
    async def scenario(app: TrackerApp, pilot: Pilot[int]) -> None:
        screen = await loaded(app, pilot)
        table = screen.query_one(MatrixTable)
        await pilot.press("left_square_bracket")
        await loaded(app, pilot, date(2026, 2, 5))
        assert screen.heading.startswith("as of 2026-02-05 · change 4 of 4")
        assert table.shown is not None
        marked = {(c.issue, c.party) for row in table.shown.cells.values() for c in row.values() if c.changed}
        assert marked == {("donetsk_withdrawal", "ukraine"), ("security_guarantees", "ukraine")}
        assert table.get_cell("donetsk_withdrawal", "ukraine").plain.endswith(" *")
        assert ">&#160;*<" in app.export_screenshot(), "the redrawn, marked cells are on screen"
        await pilot.press("left_square_bracket")
        await loaded(app, pilot, date(2026, 1, 26))
        assert ">&#160;*<" not in app.export_screenshot(), "nothing changed that day: no mark on screen"
        assert not table.get_cell("donetsk_withdrawal", "ukraine").plain.endswith(" *")
        await pilot.press("left_square_bracket")
        await loaded(app, pilot, date(2026, 1, 23))
        assert cell(screen, "donetsk_withdrawal", "ukraine") is Stance.OPPOSES
        assert cell(screen, "peacekeepers", "ukraine") is Stance.SUPPORTS
        assert table.get_cell("donetsk_withdrawal", "ukraine").plain.endswith(" *"), "first stated that day"
        assert not table.get_cell("peacekeepers", "ukraine").plain.endswith(" *"), "since 2026-01-22"
        assert not table.get_cell("security_guarantees", "ukraine").plain.endswith(" *"), "since 2026-01-22"
        await pilot.press("left_square_bracket", "left_square_bracket")
        await loaded(app, pilot, date(2026, 1, 22))
        assert screen.as_of == date(2026, 1, 22), "no step before the first change date"
        await pilot.press("right_square_bracket")
        await loaded(app, pilot, date(2026, 1, 23))
        await pilot.press("n")
        await loaded(app, pilot, app.today())

    drive(seeded_db, scenario)


def test_a_click_on_the_timeline_goes_to_the_nearest_change_date(seeded_db: str) -> None:
    async def scenario(app: TrackerApp, pilot: Pilot[int]) -> None:
        screen = await loaded(app, pilot)
        bar = screen.query_one(TimelineBar)
        for when in reversed(bar.dates):  # a click on each tick, as drawn (after the padding)
            tick = bar.column_of(when)
            await pilot.click(TimelineBar, offset=(bar.styles.padding.left + tick, 0))
            await loaded(app, pilot, when)
            assert screen.as_of == when

    drive(seeded_db, scenario)


def test_a_read_that_fails_is_shown_and_the_ui_goes_on(seeded_db: str) -> None:
    async def scenario(app: TrackerApp, pilot: Pilot[int]) -> None:
        screen = await loaded(app, pilot)
        app.database.close()
        if not ON_POSTGRESQL:
            Path(seeded_db).rename(seeded_db + ".moved")
        app.database = Database(seeded_db + ".absent")  # a file, or a server database, not there
        await pilot.press("left_square_bracket")
        await until(pilot, lambda: told(app, "Cannot read"))
        assert app.is_running and isinstance(app.screen, MatrixScreen)
        assert screen.query_one(MatrixTable).shown is not None

    drive(seeded_db, scenario)


def test_a_typed_date_is_checked_then_gone_to(seeded_db: str) -> None:
    async def scenario(app: TrackerApp, pilot: Pilot[int]) -> None:
        screen = await loaded(app, pilot)
        await pilot.press("g")
        await until(pilot, lambda: isinstance(app.screen, DatePrompt))
        field = app.screen.query_one(Input)
        field.value = "2026-02-30"
        await pilot.press("enter")
        assert isinstance(app.screen, DatePrompt), "an impossible date keeps the prompt open"
        assert "not a day of the calendar" in str(app.screen.query_one("#problem").render())
        field.value = "2026-01-23"
        await pilot.press("enter")
        await loaded(app, pilot, date(2026, 1, 23))
        assert screen.as_of == date(2026, 1, 23)
        await pilot.press("g", "escape")
        assert app.screen is screen and screen.as_of == date(2026, 1, 23)

    drive(seeded_db, scenario)


def test_a_position_shows_its_history_and_evidence_and_opens_the_article(seeded_db: str) -> None:
    async def scenario(app: TrackerApp, pilot: Pilot[int]) -> None:
        screen = await loaded(app, pilot)
        await select_position(pilot, screen, "donetsk_withdrawal", "ukraine")
        history = screen.query_one("#history", EvidenceTable)
        evidence = screen.query_one("#evidence", EvidenceTable)
        assert [e.id for e in history.evidence] == ["adr2-05", "adr1-04", "nlpt-04", "kcat-05"], "newest first"
        moves = [history.get_row_at(n)[1].plain for n in range(history.row_count)]
        assert moves == ["reaffirms", "softens", "reaffirms", "first statement"], "moves in words"
        reached = [history.get_row_at(n)[2].plain for n in range(history.row_count)]
        assert reached == ["counter-proposal", "counter-proposal", "opposes", "opposes"]
        assert [e.id for e in evidence.evidence] == ["adr2-05", "adr1-04"]
        quote = str(screen.query_one("#quote", QuoteView).render())
        assert evidence.evidence[0].quote in quote and "Volodymyr Zelensky (Ukraine's own word)" in quote
        title = str(screen.query_one("#evidence-title").render())
        assert title.startswith("Ukraine on Donetsk withdrawal: counter-proposal by 2026-02-05"), "names, words"
        await pilot.press("enter")  # from the matrix to its evidence
        assert app.focused is evidence
        await pilot.press("enter")  # open the article
        await until(pilot, lambda: isinstance(app.screen, ArticleScreen))
        article = app.screen
        area = article.query_one(TextArea)
        await until(pilot, lambda: area.text != "")
        assert area.selected_text == evidence.evidence[0].quote, "the quote is highlighted in place"
        assert area.document.line_count > 10 and "\\x0a" not in area.text, "the article keeps its lines"
        assert "Abu Dhabi" in str(article.query_one("#article-meta").render())
        await pilot.press("escape")
        assert app.screen is screen

    drive(seeded_db, scenario)


def test_more_reads_another_page_up_to_a_bound(seeded_db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import tracker.tui.matrix_screen as matrix_screen_module

    monkeypatch.setattr(matrix_screen_module, "EVIDENCE_PAGE", 2)
    monkeypatch.setattr(matrix_screen_module, "MOST_SHOWN", 4)

    async def scenario(app: TrackerApp, pilot: Pilot[int]) -> None:
        screen = await loaded(app, pilot)  # donetsk_withdrawal / russia: 6 moves, 6 pieces of evidence
        history = screen.query_one("#history", EvidenceTable)
        assert len(history.evidence) == 2 and "newest 2 (m: more)" in str(screen.query_one("#history-title").render())
        await pilot.press("m")
        await until(pilot, lambda: len(history.evidence) == 4)
        await pilot.press("m")
        await until(pilot, lambda: told(app, "tracker history"))
        assert len(history.evidence) == 4, "never more than the bound"

    drive(seeded_db, scenario)


def test_the_diff_screen_lists_the_changes_with_their_evidence(seeded_db: str) -> None:
    async def scenario(app: TrackerApp, pilot: Pilot[int]) -> None:
        await loaded(app, pilot)
        await pilot.press("d")
        await until(pilot, lambda: isinstance(app.screen, DiffPrompt))
        first, second = app.screen.query(Input)
        assert (first.value, second.value) == ("2026-01-26", "2026-02-06"), "before the latest change, to the date"
        await pilot.press("enter")  # one Enter, in any field, compares
        await until(pilot, lambda: isinstance(app.screen, DiffScreen) and app.screen.report is not None)
        assert isinstance(app.screen, DiffScreen) and app.screen.report is not None
        assert len(app.screen.report.changes) == 2, "the defaults show the latest change"
        await pilot.press("escape", "d")
        await until(pilot, lambda: isinstance(app.screen, DiffPrompt))
        first, second = app.screen.query(Input)
        first.value = ""
        second.focus()
        await pilot.press("enter")
        assert isinstance(app.screen, DiffPrompt) and app.focused is first, "back to the field to correct"
        first.value = "2026-01-24"
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, DiffScreen) and app.screen.report is not None)
        diff_screen = app.screen
        assert isinstance(diff_screen, DiffScreen) and diff_screen.report is not None
        changes = diff_screen.query_one("#changes", DataTable)
        rows = [[c.plain for c in changes.get_row_at(n)[:4]] for n in range(changes.row_count)]
        assert rows == [
            ["Donetsk withdrawal", "Ukraine", "opposes", "counter-proposal"],
            ["Security guarantees", "Ukraine", "agreed", "supports"],
            ["Security guarantees", "(the issue)", "converging", "in play"],
            ["Zaporizhzhia nuclear plant", "(the issue)", "not on the agenda", "in play"],
        ]
        caption = str(diff_screen.query_one("#diff-evidence-title").render())
        assert caption.startswith("Ukraine on Donetsk withdrawal: opposes → counter-proposal"), "names, words"
        evidence = diff_screen.query_one("#diff-evidence", EvidenceTable)
        await until(pilot, lambda: [e.id for e in evidence.evidence] == ["adr2-05", "adr1-04"])
        assert evidence.highlighted() is not None and evidence.highlighted().id == "adr1-04", "the move that changed it"  # type: ignore[union-attr]
        assert [evidence.get_row_at(n)[1].plain for n in range(2)] == ["reaffirms", "softens"]
        reached = [evidence.get_row_at(n)[2].plain for n in range(2)]
        assert reached == ["counter-proposal", "counter-proposal"], "the stance reached"
        assert evidence.get_row_at(1)[3].plain == "Ukraine, recap", "the party speaks for itself; a recap says so"
        await pilot.press("down")
        await until(pilot, lambda: [e.id for e in evidence.evidence] == ["adr2-10"])
        await pilot.press("enter", "enter")
        await until(pilot, lambda: isinstance(app.screen, ArticleScreen))
        await pilot.press("escape", "escape")
        assert isinstance(app.screen, MatrixScreen)

    drive(seeded_db, scenario)


def test_filters_narrow_the_matrix_and_the_steps(seeded_db: str) -> None:
    async def scenario(app: TrackerApp, pilot: Pilot[int]) -> None:
        screen = await loaded(app, pilot)
        await pilot.press("f")
        await until(pilot, lambda: isinstance(app.screen, FilterDialog))
        app.screen.query_one("#parties", SelectionList).deselect("europe")
        app.screen.query_one("#issues", SelectionList).deselect_all()
        app.screen.query_one("#issues", SelectionList).select("peacekeepers")
        await pilot.press("ctrl+s")
        table = screen.query_one(MatrixTable)
        await until(pilot, lambda: table.shown is not None and table.shown.issues == ["peacekeepers"])
        assert table.page == ["russia", "ukraine", "united_states"]
        assert "filtered: 1 of 5 issues, 3 of 4 parties" in screen.heading
        peacekeepers_dates = [date(2026, 1, 22), date(2026, 1, 23), date(2026, 1, 26)]
        await until(pilot, lambda: screen.query_one(TimelineBar).dates == peacekeepers_dates)
        await pilot.press("f")
        await until(pilot, lambda: isinstance(app.screen, FilterDialog))
        app.screen.query_one("#issues", SelectionList).select_all()
        await pilot.press("ctrl+s")
        await until(pilot, lambda: table.shown is not None and len(table.shown.issues) == 5)
        assert table.page == ["russia", "ukraine", "united_states"], "only a party left out: the issues come back"
        await pilot.press("f")
        await until(pilot, lambda: isinstance(app.screen, FilterDialog))
        await pilot.click("#all")
        await until(pilot, lambda: table.page == ["russia", "ukraine", "united_states", "europe"])
        assert "filtered" not in screen.heading

    drive(seeded_db, scenario)


def test_known_at_answers_as_recorded_then(seeded_db: str) -> None:
    async def scenario(app: TrackerApp, pilot: Pilot[int]) -> None:
        screen = await loaded(app, pilot)
        await pilot.press("k")
        await until(pilot, lambda: isinstance(app.screen, KnownAtPrompt))
        app.screen.query_one(Input).value = "2020-01-01"
        await pilot.press("enter")
        table = screen.query_one(MatrixTable)
        await until(pilot, lambda: table.shown is not None and table.shown.known_at is not None)
        assert table.shown is not None and table.shown.issues == [], "nothing was recorded in 2020"
        assert "known at 2020-01-01" in screen.heading
        await pilot.press("k")
        await until(pilot, lambda: isinstance(app.screen, KnownAtPrompt))
        app.screen.query_one(Input).value = ""
        await pilot.press("enter")
        await until(pilot, lambda: table.shown is not None and table.shown.known_at is None and table.shown.issues)

    drive(seeded_db, scenario)


def test_help_lists_every_key_and_the_palette_every_action(seeded_db: str) -> None:
    async def scenario(app: TrackerApp, pilot: Pilot[int]) -> None:
        screen = await loaded(app, pilot)
        titles = {command.title for command in app.get_system_commands(screen)}
        for binding in MatrixScreen.BINDINGS:
            assert binding.description in titles  # type: ignore[union-attr]
        helps = [title for title in titles if "help" in title.lower() or title == "Keys"]
        assert helps == ["Help: every key"], "one help entry in the palette"
        await pilot.press("question_mark")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen))
        described = screen_text(app.screen)
        every = [*MatrixScreen.BINDINGS, *TrackerApp.BINDINGS, *ArticleScreen.BINDINGS, *FilterDialog.BINDINGS]
        for binding in [*every, *DatePrompt.BINDINGS, *HelpScreen.BINDINGS, *DiffScreen.BINDINGS]:
            assert isinstance(binding, Binding)
            assert (binding.tooltip or binding.description) in described
        for legend in ("counter-proposal", "rests only on others' word", "contested", "deadlocked", "sub-issue"):
            assert legend in described, "the help explains the colours and marks too"
        await pilot.press("escape")
        assert app.screen is screen
        await pilot.press("t")
        assert app.theme == "textual-light"
        await pilot.press("t")
        assert app.theme == "textual-dark"

    drive(seeded_db, scenario)


def test_export_writes_the_view_as_markdown(seeded_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    exported = tmp_path / "positions-2026-02-06.md"

    async def scenario(app: TrackerApp, pilot: Pilot[int]) -> None:
        await loaded(app, pilot)
        await pilot.press("x")
        await until(pilot, lambda: isinstance(app.screen, ExportDialog))
        assert "Markdown  positions-2026-02-06.md" in screen_text(app.screen)
        await pilot.press("enter")  # the first: Markdown
        await until(pilot, exported.exists)
        await until(pilot, lambda: told(app, "(Markdown, every issue and party)"))

    drive(seeded_db, scenario)
    text = exported.read_text(encoding="utf-8")
    assert text.startswith("# 2026 US-brokered Russia-Ukraine talks\n\nAs of 2026-02-06.")
    assert "#### Ukraine: counter-proposal by 2026-02-05" in text


def test_party_columns_page_at_the_edge_in_a_narrow_terminal(seeded_db: str) -> None:
    async def scenario(app: TrackerApp, pilot: Pilot[int]) -> None:
        screen = await loaded(app, pilot)
        table = screen.query_one(MatrixTable)
        assert table.page[0] == "russia" and len(table.page) < 4
        for _ in range(4):
            await pilot.press("right")
        assert table.page[-1] == "europe" and table.position_at_cursor() == ("donetsk_withdrawal", "europe")
        for _ in range(3):
            await pilot.press("left")
        assert table.page[0] == "russia" and table.position_at_cursor() == ("donetsk_withdrawal", "russia")
        await pilot.press("left")
        assert table.cursor_column == 0 and table.position_at_cursor() is None, "the issue column"

    drive(seeded_db, scenario, size=(60, 24))


def test_the_first_run_builds_the_default_database_with_its_progress_on_screen() -> None:
    async def scenario() -> None:
        database = Database(None)  # the private XDG_DATA_HOME of this test
        assert database.is_empty()
        app = TrackerApp(database, as_of=date(2026, 2, 6), seed_first=True)
        progress: list[str] = []
        async with app.run_test(size=(120, 36)) as pilot:
            await until(pilot, lambda: isinstance(app.screen, SeedingScreen))
            log = app.screen.query_one(Log)
            await until(pilot, lambda: bool(progress.extend(log.lines) or isinstance(app.screen, MatrixScreen)))
            screen = await loaded(app, pilot)
            assert cell(screen, "donetsk_withdrawal", "russia") is Stance.DEMANDS
        database.close()
        assert any("evidence" in line for line in progress)
        assert not Database(None).is_empty()

    asyncio.run(scenario())


def test_article_text_is_shown_literally_never_as_markup(tmp_path: Path, run: Run, new_db: NewDb) -> None:
    """Markup, escape sequences and bidi controls in an article show as text, and no action runs."""
    seeds, fixtures = hostile_corpus(tmp_path)
    db = new_db("hostile")
    assert run("--db", db, "ingest", "--seeds", str(seeds), "--fixtures", str(fixtures)).exit_code == 0

    async def scenario(app: TrackerApp, pilot: Pilot[int]) -> None:
        screen = await loaded(app, pilot)
        await select_position(pilot, screen, "znpp", "ukraine")
        quote = str(screen.query_one("#quote", QuoteView).render())
        assert "[$accent] [@click=app.quit] [/]" in quote
        assert "\\x1b[31mred\\x1b[0m" in quote and "<U+202E>esrever" in quote
        assert "\x1b" not in quote and "\u202e" not in quote
        svg = app.export_screenshot()
        assert "\x1b" not in svg and "[@click=app.quit]" in svg.replace("&#160;", " ")
        await pilot.click("#quote")  # a click on the text runs nothing
        await pilot.press("tab", "tab", "enter")
        await until(pilot, lambda: isinstance(app.screen, ArticleScreen))
        area = app.screen.query_one(TextArea)
        await until(pilot, lambda: area.text != "")
        assert "[$accent] [@click=app.quit] [/]" in area.text and "\x1b" not in area.text
        assert area.selected_text.startswith("=HYPERLINK(") and area.selected_text.endswith("done.")
        assert app.is_running

    drive(db, scenario, as_of=date(2026, 2, 1))
    assert HOSTILE.startswith("=HYPERLINK(")


def many_parties(root: Path) -> tuple[Path, Path]:
    """A negotiation of nine parties whose names are of very different lengths."""
    seeds, fixtures = write_trade_talks(root)
    names = [
        "Canada",
        "Confederation of Independent Steel Producers",
        "Korea",
        "US",
        "Japan",
        "Organisation",
        "UK",
        "Mercosur trade bloc",
        "India",
    ]
    parties = "".join(f"  - id: p{n}\n    name: {name}\n" for n, name in enumerate(names))
    catalog = fixtures / "catalog.yaml"
    head = catalog.read_text().split("parties:")[0]
    catalog.write_text(
        head + "parties:\n" + parties + "  - id: eu\n    name: Brussels\n  - id: china\n    name: Beijing\n"
    )
    return seeds, fixtures


def test_every_party_column_is_reached_by_the_cursor_keys(tmp_path: Path, run: Run, new_db: NewDb) -> None:
    seeds, fixtures = many_parties(tmp_path)
    db = new_db("many")
    assert run("--db", db, "ingest", "--seeds", str(seeds), "--fixtures", str(fixtures)).exit_code == 0

    async def scenario(app: TrackerApp, pilot: Pilot[int]) -> None:
        screen = await loaded(app, pilot)
        table = screen.query_one(MatrixTable)
        assert table.shown is not None and len(table.page) < len(table.shown.parties)
        visited = [table.position_at_cursor()]
        for _ in range(len(table.shown.parties) + 2):
            await pilot.press("right")
            visited.append(table.position_at_cursor())
        parties = [p for _, p in dict.fromkeys(v for v in visited if v is not None)]
        assert parties == table.shown.parties, "right visits every party once, in order"
        for _ in range(len(table.shown.parties) - 1):
            await pilot.press("left")
        assert table.position_at_cursor() == ("steel_tariffs", table.shown.parties[0])

    drive(db, scenario, as_of=date(2030, 5, 1), size=(80, 24))


def test_the_last_party_is_reached_after_a_step_narrows_the_cells(seeded_db: str) -> None:
    async def scenario(app: TrackerApp, pilot: Pilot[int]) -> None:
        screen = await loaded(app, pilot)
        table = screen.query_one(MatrixTable)
        assert len(table.page) == 3, "at this width the widest cells leave room for three parties"
        for when in (date(2026, 2, 5), date(2026, 1, 26), date(2026, 1, 23), date(2026, 1, 22)):
            await pilot.press("left_square_bracket")
            await loaded(app, pilot, when)
        for _ in range(4):
            await pilot.press("right")
        assert table.position_at_cursor() == ("donetsk_withdrawal", "europe")

    drive(seeded_db, scenario, size=(78, 24))


def test_a_result_that_arrives_after_a_newer_request_is_dropped(
    seeded_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A slow read of the whole matrix must not overwrite the filtered matrix asked for after it.

    The slow read is held in its worker thread until the filtered one has been shown, then let go; the test
    waits until its result has been handed to the screen (no sleeps: each step waits on the app's state)."""
    import tracker.tui.matrix_screen as matrix_screen_module

    real_matrix = matrix_screen_module.matrix
    started, release = threading.Event(), threading.Event()

    def held_when_unfiltered(held: Any, as_of: date, issues: Any, parties: Any) -> Any:
        if issues is None:
            started.set()
            assert release.wait(30), "the test never let the slow read go"
        return real_matrix(held, as_of, issues, parties)

    async def scenario(app: TrackerApp, pilot: Pilot[int]) -> None:
        screen = await loaded(app, pilot)
        # The step must read its date: nothing read ahead (once what the first screen read ahead has landed).
        await until(pilot, lambda: all(w.is_finished for w in app.workers if w.group == "matrix"))
        screen.read_ahead = False
        screen.matrices.clear()
        table = screen.query_one(MatrixTable)
        delivered: list[tuple[int | None, int]] = []  # results handed to the screen: (their request, the newest)
        real_read, real_reloaded = screen._matrix_read, screen._reloaded

        def read(view: Any, request: int | None, result: Any) -> None:
            delivered.append((request, screen.request))
            real_read(view, request, result)

        def reloaded(view: Any, request: int, dates: Any, result: Any) -> None:
            delivered.append((request, screen.request))
            real_reloaded(view, request, dates, result)

        monkeypatch.setattr(screen, "_matrix_read", read)
        monkeypatch.setattr(screen, "_reloaded", reloaded)
        monkeypatch.setattr(matrix_screen_module, "matrix", held_when_unfiltered)
        try:
            await pilot.press("left_square_bracket")  # a slow, unfiltered read starts
            await until(pilot, started.is_set)
            stale = screen.request
            screen.issues = ["peacekeepers"]
            screen.reload()  # the filtered read is asked for after it, and lands first
            await until(pilot, lambda: table.shown is not None and table.shown.issues == ["peacekeepers"])
            assert [request for request, _ in delivered] == [stale + 1]
        finally:
            release.set()  # the slow read lands now
        await until(pilot, lambda: any(request == stale for request, _ in delivered))
        await pilot.pause()
        assert delivered[-1] == (stale, stale + 1), "the stale result reached the screen after the new one"
        assert table.shown is not None and table.shown.issues == ["peacekeepers"]
        assert screen.issues == ["peacekeepers"]

    drive(seeded_db, scenario)


def test_paths_and_errors_in_notifications_are_text(
    seeded_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "notes[old] [@click=app.quit] [$accent]"
    folder.mkdir()
    monkeypatch.chdir(folder)

    async def scenario(app: TrackerApp, pilot: Pilot[int]) -> None:
        await loaded(app, pilot)
        await pilot.press("x")
        await until(pilot, lambda: isinstance(app.screen, ExportDialog))
        await pilot.press("m")
        await until(pilot, lambda: (folder / "positions-2026-02-06.md").exists())
        await until(pilot, lambda: told(app, "Wrote"))
        await pilot.pause(0.2)  # the toast is drawn
        assert app.is_running
        assert "[@click=app.quit]" in app.export_screenshot().replace("&#160;", " ")

    drive(seeded_db, scenario)


# Golden screenshots: what a person sees, at a fixed size.

GOLDEN_TUI = GOLDEN / "tui"


def check_screenshot(name: str, svg: str) -> None:
    golden = GOLDEN_TUI / f"{name}.svg"
    if os.environ.get("TRACKER_UPDATE_GOLDEN"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(svg, encoding="utf-8")
        pytest.skip(f"rewrote {golden}")
    assert golden.exists(), f"no golden file {golden}; run with TRACKER_UPDATE_GOLDEN=1"
    if svg != golden.read_text(encoding="utf-8"):
        actual = Path(os.environ.get("TMPDIR", "/tmp")) / f"tracker-{name}.actual.svg"
        actual.write_text(svg, encoding="utf-8")
        raise AssertionError(f"the screen differs from {golden}; it is now {actual}")


@pytest.mark.parametrize("size", [(120, 36), (80, 24), (200, 50)], ids=["120x36", "80x24", "200x50"])
def test_screenshot_of_the_main_screen(seeded_db: str, size: tuple[int, int]) -> None:
    shots: list[str] = []

    async def scenario(app: TrackerApp, pilot: Pilot[int]) -> None:
        await loaded(app, pilot)
        shots.append(app.export_screenshot(title="tracker"))

    drive(seeded_db, scenario, size=size)
    check_screenshot(f"main-{size[0]}x{size[1]}", shots[0])


def test_screenshot_of_the_diff_screen(seeded_db: str) -> None:
    shots: list[str] = []

    async def scenario(app: TrackerApp, pilot: Pilot[int]) -> None:
        await loaded(app, pilot)
        catalog = matrix_screen(app).catalog
        app.push_screen(DiffScreen(date(2026, 1, 24), date(2026, 2, 6), None, None, None, catalog))
        await until(pilot, lambda: isinstance(app.screen, DiffScreen) and app.screen.report is not None)
        evidence = app.screen.query_one("#diff-evidence", EvidenceTable)
        await until(pilot, lambda: bool(evidence.evidence))
        await pilot.pause(0.1)
        shots.append(app.export_screenshot(title="tracker"))

    drive(seeded_db, scenario)
    check_screenshot("diff-120x36", shots[0])


def test_a_100000_character_line_of_hostile_text_is_shown_literally(tmp_path: Path, run: Run, new_db: NewDb) -> None:
    db = ingest_long_hostile_corpus(tmp_path, run, new_db)

    async def scenario(app: TrackerApp, pilot: Pilot[int]) -> None:
        screen = await loaded(app, pilot)
        await select_position(pilot, screen, "znpp", "ukraine")
        quote = str(screen.query_one("#quote", QuoteView).render())
        assert "<script>alert(1)</script>" in quote and "[@click=app.quit]" in quote
        assert not any(c in quote for c in ("\x1b", "\x08", "\x9b", "\u200f"))
        await pilot.press("tab", "tab", "enter")
        await until(pilot, lambda: isinstance(app.screen, ArticleScreen))
        area = app.screen.query_one(TextArea)
        await until(pilot, lambda: area.text != "")
        assert len(area.text.splitlines()[0]) > 100_000 and "\x1b" not in area.text
        assert area.selected_text.startswith("=HYPERLINK(") and area.selected_text.endswith("<b>bold</b>")
        svg = app.export_screenshot()
        assert "\x1b" not in svg and "\x9b" not in svg
        assert app.is_running

    drive(db, scenario, as_of=date(2026, 2, 1))
