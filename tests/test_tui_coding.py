"""The coding screen, driven as a coder would with Textual's pilot: select a passage, fill in the form, read the
line that says what the evidence will do, save it into the fixture and see the position move."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Select, Static, TextArea
from textual.widgets.text_area import Selection

from tests.conftest import Run, reading
from tests.test_tui import until
from tracker.coding import Coding, Draft
from tracker.read.opening import Database
from tracker.tui.app import TrackerApp
from tracker.tui.coding import ArticleTextArea, CodingScreen, inert_view
from tracker.tui.dialogs import Confirm
from tracker.tui.screens import ArticleScreen

ARTICLE = "kremlin-constructive-spirit"
FIXTURE_HEAD = "# Evidence coded from"  # the fixture's first comment, kept by every save
PASSAGE_START = "Russia had not dropped its insistence"
LINE = 14  # the article's line (paragraph) that holds the passage

Scenario = Callable[[TrackerApp, Pilot[int], CodingScreen], Awaitable[None]]


@pytest.fixture
def coded(run: Run, corpus: tuple[Path, Path], db: str) -> tuple[Path, Path, str]:
    seeds, fixtures = corpus
    assert run("ingest", "--seeds", str(seeds), "--fixtures", str(fixtures), "--db", db).exit_code == 0
    return seeds, fixtures, db


def code(
    coded: tuple[Path, Path, str], scenario: Scenario, size: tuple[int, int] = (120, 36), article: str = ARTICLE
) -> None:
    seeds, fixtures, db = coded

    async def main() -> None:
        database = Database(db)
        app = TrackerApp(database, coding=Coding(seeds, fixtures, article, database))
        try:
            async with app.run_test(size=size, notifications=True) as pilot:
                await until(pilot, lambda: isinstance(app.screen, CodingScreen) and bool(app.screen.listed))
                assert isinstance(app.screen, CodingScreen)
                await scenario(app, pilot, app.screen)
        finally:
            database.close()

    asyncio.run(main())


async def select_by_keyboard(pilot: Pilot[int], screen: CodingScreen) -> str:
    """From "Russia had not dropped…" to the end of its paragraph, with shift+arrows and shift+end."""
    area = screen.query_one(ArticleTextArea)
    line = area.document.get_line(LINE)
    area.focus()
    area.move_cursor((LINE, line.index(PASSAGE_START)), center=True)
    await pilot.pause()
    for _ in range(10):  # shift+end goes to the end of the row on screen; shift+right into the next row
        await pilot.press("shift+end")
        if area.selection.end == (LINE, len(line)):
            break
        await pilot.press("shift+right")
    assert area.selection.end == (LINE, len(line)), "the keyboard selects to the end of the paragraph"
    return line[line.index(PASSAGE_START) :]


async def fill(pilot: Pilot[int], screen: CodingScreen, **values: str) -> None:
    """Type into the form's inputs (as a coder does) and choose in its lists."""
    for name, value in values.items():
        widget = screen.query_one(f"#f-{name.replace('_', '-')}")
        if isinstance(widget, Input):
            widget.focus()
            await pilot.pause()
            widget.value = ""
            await pilot.press(*value)
        elif isinstance(widget, TextArea):
            widget.focus()
            await pilot.pause()
            widget.load_text("")
            for line_number, line in enumerate(value.split("\n")):
                if line_number:
                    await pilot.press("enter")
                await pilot.press(*line)
        else:
            assert isinstance(widget, Select)
            widget.value = value
        await pilot.pause()


def line_of(screen: CodingScreen) -> str:
    return str(screen.query_one("#coding-line", Static).render())


def russia_on_donetsk(db: str, on: date) -> str:
    with reading(db) as held:
        found = held.latest(on, ["donetsk_withdrawal"], ["russia"])[("donetsk_withdrawal", "russia")]
    return f"{found.stance_to} since {found.since}"


def test_a_coder_selects_a_quote_sees_the_legal_move_saves_and_the_position_moves(
    coded: tuple[Path, Path, str], run: Run
) -> None:
    _, fixtures, db = coded
    fixture = fixtures / f"{ARTICLE}.yaml"
    before = fixture.read_text(encoding="utf-8")
    assert before.startswith(FIXTURE_HEAD)

    async def scenario(app: TrackerApp, pilot: Pilot[int], screen: CodingScreen) -> None:
        assert [e.id for e in screen.listed] == ["kcs-03", "kcs-02", "kcs-01"], "the article's evidence, in order"
        quote = await select_by_keyboard(pilot, screen)
        assert str(screen.query_one("#coding-quote", Static).render()) == f"“{quote}”"
        await fill(pilot, screen, issue="Donbas", party="Kremlin", stance="demands", attribution="direct")
        await fill(pilot, screen, speaker="Dmitry Peskov", said_on="2026-01-23", note="Peskov, before the talks")
        assert line_of(screen) == "Russia on Donetsk withdrawal: demands since 2026-01-23 → reaffirms → demands"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: "kcs-04" in [e.id for e in screen.listed])
        rows = screen.query_one("#coding-list", DataTable)
        assert [cell.plain for cell in rows.get_row("kcs-04")][:4] == [
            "kcs-04",
            "Donetsk withdrawal",
            "Russia",
            "demands",
        ], "listed in names, where the quote stands in the text"
        assert screen.query_one(ArticleTextArea).spans[-1][1] > screen.query_one(ArticleTextArea).spans[-2][0]

    code(coded, scenario)
    after = fixture.read_text(encoding="utf-8")
    assert after.startswith(before.rstrip("\n")), "the comments, order and items before are kept"
    added = after[len(before.rstrip("\n")) :]
    assert "- id: kcs-04\n" in added and "issue: donetsk_withdrawal\n" in added and "party: russia\n" in added
    assert "speaker: Dmitry Peskov\n" in added and "said_on: 2026-01-23\n" in added
    history = run("history", "--issue", "donetsk", "--party", "russia", "--format", "json", "--db", db)
    moves = {(m["evidence"]["id"], m["move"]) for m in json.loads(history.stdout)["moves"]}
    assert ("kcs-04", "reaffirm") in moves, "ingested: the position moved"


def test_an_illegal_move_is_told_on_the_line_and_saving_it_leaves_the_fixture_as_it_was(
    coded: tuple[Path, Path, str],
) -> None:
    _, fixtures, db = coded
    fixture = fixtures / f"{ARTICLE}.yaml"
    before = fixture.read_bytes()

    async def scenario(app: TrackerApp, pilot: Pilot[int], screen: CodingScreen) -> None:
        await select_by_keyboard(pilot, screen)
        await fill(pilot, screen, issue="donetsk", party="russia", stance="opposes", attribution="direct")
        line = line_of(screen)
        assert line.startswith("illegal: Russia on Donetsk withdrawal demands since 2026-01-23 → opposes; allowed: ")
        assert "softens: supports, open" in line and "accepts: agreed" in line
        await pilot.press("ctrl+s")
        await until(pilot, lambda: line_of(screen).startswith("Stance: "))
        assert line_of(screen).startswith("Stance: illegal move: position donetsk_withdrawal/russia is 'demands'")
        assert app.focused is screen.query_one("#f-stance"), "the field to correct has the focus"
        assert [e.id for e in screen.listed] == ["kcs-03", "kcs-02", "kcs-01"]

    code(coded, scenario)
    assert fixture.read_bytes() == before, "a refused save puts the fixture back byte for byte"
    assert russia_on_donetsk(db, date(2026, 2, 6)) == "demands since 2026-01-23"


def test_a_move_is_asked_for_where_two_lead_to_the_stance(coded: tuple[Path, Path, str]) -> None:
    async def scenario(app: TrackerApp, pilot: Pilot[int], screen: CodingScreen) -> None:
        await fill(pilot, screen, issue="guarantees", party="US", stance="demands", said_on="2026-01-26")
        assert line_of(screen).endswith("renege, reopen · choose an attribution before saving")
        await fill(pilot, screen, attribution="reported")
        assert line_of(screen) == (
            "United States on Security guarantees: agreed since 2026-01-22 → demands by which move? renege, reopen"
        )
        await fill(pilot, screen, move="reopen")
        assert line_of(screen).endswith("agreed since 2026-01-22 → reopens → demands")

    code(coded, scenario)


def test_listed_evidence_is_edited_and_removed_from_the_screen(coded: tuple[Path, Path, str], run: Run) -> None:
    _, fixtures, db = coded
    fixture = fixtures / f"{ARTICLE}.yaml"

    async def scenario(app: TrackerApp, pilot: Pilot[int], screen: CodingScreen) -> None:
        table = screen.query_one("#coding-list", DataTable)
        table.focus()
        table.move_cursor(row=2)  # kcs-01
        await pilot.press("enter")
        assert screen.editing == "kcs-01"
        assert screen.query_one("#f-issue", Input).value == "donetsk_withdrawal"
        quote = screen.draft().quote
        assert quote.startswith("Peskov said on Friday that Russia had not dropped"), "the quote selected in place"
        await fill(pilot, screen, note="Edited on the coding screen")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: "Edited on the coding screen" in fixture.read_text() and not screen.unsaved())
        assert screen.editing == "kcs-01", "saved, the form goes on editing it"
        table.focus()
        table.move_cursor(row=0)  # kcs-03, issue-level
        await pilot.press("ctrl+d")
        await until(pilot, lambda: isinstance(app.screen, Confirm))
        await pilot.press("n")  # asked first; no: nothing is removed
        await until(pilot, lambda: app.screen is screen)
        assert [e.id for e in screen.listed] == ["kcs-03", "kcs-02", "kcs-01"]
        await pilot.press("ctrl+d")
        await until(pilot, lambda: isinstance(app.screen, Confirm))
        await pilot.press("y")
        await until(pilot, lambda: [e.id for e in screen.listed] == ["kcs-02", "kcs-01"])

    code(coded, scenario)
    text = fixture.read_text(encoding="utf-8")
    assert "id: kcs-03" not in text and text.startswith(FIXTURE_HEAD)
    shown = run("show", "kcs-01", "--format", "json", "--db", db)
    assert json.loads(shown.stdout)["evidence"]["note"] == "Edited on the coding screen", "the edit is ingested"


def test_a_suggestion_selects_its_sentence_and_fills_the_form(coded: tuple[Path, Path, str]) -> None:
    async def scenario(app: TrackerApp, pilot: Pilot[int], screen: CodingScreen) -> None:
        await pilot.press("ctrl+g")
        draft = screen.draft()
        first = screen.suggested[0]
        assert draft.quote == screen.coding.article.text[first.start : first.end].strip()
        assert (draft.issue, draft.party, draft.stance) == (first.issue, first.party, first.stance or "")
        assert draft.attribution == first.attribution

    code(coded, scenario)


def test_the_article_view_opens_the_coding_screen_on_its_corpus(coded: tuple[Path, Path, str]) -> None:
    seeds, fixtures, db = coded

    async def main() -> None:
        database = Database(db)
        app = TrackerApp(database, as_of=date(2026, 2, 6))
        try:
            async with app.run_test(size=(120, 36)) as pilot:
                await until(pilot, lambda: app.screen.__class__.__name__ == "MatrixScreen")
                app.push_screen(ArticleScreen(ARTICLE, None, None, None))
                await until(pilot, lambda: isinstance(app.screen, ArticleScreen))
                await pilot.press("e")
                await until(pilot, lambda: isinstance(app.screen, CodingScreen))
                assert isinstance(app.screen, CodingScreen)
                assert (app.screen.coding.seeds, app.screen.coding.fixtures) == (seeds, fixtures)
                await pilot.press("escape")
                await until(pilot, lambda: isinstance(app.screen, ArticleScreen))
        finally:
            database.close()

    asyncio.run(main())


def test_article_text_stays_literal_and_a_selection_maps_back_to_it() -> None:
    text = "Moscow \x1b[31mdemands\x1b[0m it.\nKyiv\u202e refuses."
    shown, origin = inert_view(text)
    assert "\x1b" not in shown and "\u202e" not in shown and shown.count("\n") == 1
    start = shown.index("Kyiv")
    assert text[origin[start] : origin[start + len("Kyiv")]] == "Kyiv"
    assert origin[len(shown)] == len(text)


def test_a_draft_writes_only_the_fields_given() -> None:
    draft = Draft(issue=" donetsk ", party="", stance="demands", quote="q", mode="asserted", note=" ")
    assert draft.values() == {"issue": "donetsk", "stance": "demands", "quote": "q"}


def test_selection_maps_to_the_article_even_with_codes_shown(coded: tuple[Path, Path, str]) -> None:
    async def scenario(app: TrackerApp, pilot: Pilot[int], screen: CodingScreen) -> None:
        area = screen.query_one(ArticleTextArea)
        line = area.document.get_line(LINE)
        start = line.index(PASSAGE_START)
        area.selection = Selection((LINE, start), (LINE, start + len("Russia had not dropped")))  # a mouse drag
        await pilot.pause()
        assert screen.draft().quote == "Russia had not dropped"

    code(coded, scenario)


def test_editing_judges_the_move_from_the_stance_before_it_and_saving_again_edits(
    coded: tuple[Path, Path, str],
) -> None:
    """adr1-04 moved Ukraine on Donetsk from opposes to counter-proposal: edited, its move is judged from opposes
    (not from the counter-proposal it made); saved, the form goes on editing it rather than adding another."""
    _, fixtures, _ = coded

    async def scenario(app: TrackerApp, pilot: Pilot[int], screen: CodingScreen) -> None:
        table = screen.query_one("#coding-list", DataTable)
        table.focus()
        table.move_cursor(row=[e.id for e in screen.listed].index("adr1-04"))
        await pilot.press("enter")
        assert screen.editing == "adr1-04"
        assert "opposes before adr1-04 → softens → counter-proposal by 2026-02-05 (a recap" in line_of(screen)
        await fill(pilot, screen, stance="open")
        assert "opposes before adr1-04 → softens → open by 2026-02-05 (a recap" in line_of(screen)
        await fill(pilot, screen, stance="counter_proposal", note="Saved twice")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: "Saved twice" in (fixtures / "abu-dhabi-round-two-day-one.yaml").read_text())
        await until(pilot, lambda: screen.editing == "adr1-04" and not screen.unsaved())
        await fill(pilot, screen, note="Saved twice, edited")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: "edited" in (fixtures / "abu-dhabi-round-two-day-one.yaml").read_text())
        assert [e.id for e in screen.listed].count("adr1-04") == 1 and len(screen.listed) == 4, "no second item"

    code(coded, scenario, article="abu-dhabi-round-two-day-one")


def test_a_removed_id_is_not_given_again(coded: tuple[Path, Path, str]) -> None:
    _, fixtures, _ = coded
    fixture = fixtures / f"{ARTICLE}.yaml"

    async def scenario(app: TrackerApp, pilot: Pilot[int], screen: CodingScreen) -> None:
        await select_by_keyboard(pilot, screen)
        await fill(pilot, screen, issue="donetsk", party="russia", stance="demands", attribution="reported")
        await fill(pilot, screen, speaker="Dmitry Peskov", said_on="2026-01-23")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: "kcs-04" in [e.id for e in screen.listed])
        table = screen.query_one("#coding-list", DataTable)
        table.focus()
        table.move_cursor(row=[e.id for e in screen.listed].index("kcs-04"))
        await pilot.press("ctrl+d")
        await until(pilot, lambda: isinstance(app.screen, Confirm))
        await pilot.press("y")
        await until(pilot, lambda: "kcs-04" not in [e.id for e in screen.listed])
        await select_by_keyboard(pilot, screen)
        await fill(pilot, screen, issue="donetsk", party="russia", stance="demands", attribution="reported")
        await fill(pilot, screen, speaker="Dmitry Peskov", said_on="2026-01-23")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: "kcs-05" in [e.id for e in screen.listed])

    code(coded, scenario)
    assert "id: kcs-04" not in fixture.read_text() and "id: kcs-05" in fixture.read_text()


def test_leaving_with_a_form_not_saved_asks_first(coded: tuple[Path, Path, str]) -> None:
    async def scenario(app: TrackerApp, pilot: Pilot[int], screen: CodingScreen) -> None:
        await select_by_keyboard(pilot, screen)
        await pilot.press("escape")  # a selection alone, nothing filled in: nothing to lose, so it leaves at once
        await until(pilot, lambda: not app.is_running or app.screen is not screen)

    code(coded, scenario)

    async def filled(app: TrackerApp, pilot: Pilot[int], screen: CodingScreen) -> None:
        await fill(pilot, screen, issue="donetsk", party="russia")
        screen.query_one(ArticleTextArea).focus()
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, Confirm))
        await pilot.press("n")
        await until(pilot, lambda: app.screen is screen)
        assert screen.query_one("#f-party", Input).value == "russia", "the form is still there"

    code(coded, filled)


def test_suggestions_skip_what_is_coded_already(coded: tuple[Path, Path, str]) -> None:
    async def scenario(app: TrackerApp, pilot: Pilot[int], screen: CodingScreen) -> None:
        await pilot.press("ctrl+g")
        coded_here = {(e.issue, e.party, e.start) for e in screen.listed}
        assert screen.suggested, "sentences not coded yet are offered"
        for s in screen.suggested:
            assert not any(
                (issue, party) == (s.issue, s.party) and s.start <= start < s.end for issue, party, start in coded_here
            )

    code(coded, scenario)
