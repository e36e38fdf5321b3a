"""The coding screen and the terminal UI at 80x24 as testers used them (issue 22): a word or a sentence selected in
one key or click, the focus where the next step is, a note of several lines, nothing lost unasked, a save error
told by the form's field; the article's quote in view, the footer's help, search results and the diff's names
using the room there is.

Driven with Textual's pilot, through keys, clicks and what the screen shows.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Select, Static, TextArea
from textual.widgets._footer import FooterKey
from textual.widgets.text_area import Selection

from tests.test_tui import drive, loaded, screen_text, until
from tests.test_tui_coding import ARTICLE, LINE, code, coded, fill, line_of
from tracker.ingest.suggest import sentences
from tracker.tui.app import TrackerApp
from tracker.tui.coding import ArticleTextArea, CodingScreen
from tracker.tui.dialogs import Confirm, HelpScreen, SearchScreen
from tracker.tui.screens import ArticleScreen, DiffScreen
from tracker.tui.text_units import (
    next_word_end,
    next_word_start,
    previous_word_end,
    previous_word_start,
    sentence_at,
    word_at,
)
from tracker.tui.widgets import NARROW_HELP, EvidenceTable, PassageArea, fit_widths, wrapped

__all__ = ["coded"]  # the fixture, used by name

SMALL = (80, 24)
TAB_ORDER = [
    "f-issue",
    "f-party",
    "f-stance",
    "f-move",
    "f-attribution",
    "f-speaker",
    "f-said-on",
    "f-mode",
    "f-condition",
    "f-note",
    "save",
    "new",
]


def text_of(screen: CodingScreen) -> ArticleTextArea:
    return screen.query_one(ArticleTextArea)


async def cursor_in(pilot: Pilot[int], screen: CodingScreen, line: int, words: str) -> ArticleTextArea:
    """The focus in the text, its cursor on the start of `words` in the article's line `line`."""
    area = text_of(screen)
    area.focus()
    area.move_cursor((line, area.document.get_line(line).index(words)), center=True)
    await pilot.pause()
    return area


def sentence_holding(screen: CodingScreen, line: int, words: str) -> str:
    """The sentence of the article that holds `words` (in its line `line`), as the screen's splitter finds it."""
    text = screen.coding.article.text
    at = text.index(text_of(screen).document.get_line(line))
    at = text.index(words, at)
    return next(text[start:end] for start, end in sentences(text) if start <= at < end)


# Words and sentences, one key or click each.


def test_one_key_selects_the_sentence_at_the_cursor_and_again_the_next_one(coded: tuple[Path, Path, str]) -> None:
    """The testers' sentence took 124 presses of shift+right: it takes `s`."""

    async def scenario(app: TrackerApp, pilot: Pilot[int], screen: CodingScreen) -> None:
        await cursor_in(pilot, screen, LINE, "Russia had not dropped")
        await pilot.press("s")
        first = sentence_holding(screen, LINE, "Russia had not dropped")
        assert screen.draft().quote == first
        assert first.startswith("Before the discussions") and first.endswith("Donetsk and Luhansk.")
        assert str(screen.query_one("#coding-quote", Static).render()).startswith("“Before the discussions")

        await cursor_in(pilot, screen, LINE - 1, "while Russia rejected")
        await pilot.press("s")
        one = screen.draft().quote
        assert one == sentence_holding(screen, LINE - 1, "while Russia rejected")
        await pilot.press("s")  # again: the next sentence too
        two = screen.draft().quote
        assert two.startswith(one) and two.endswith(first), "two sentences, the second the next one"
        await pilot.press("ctrl+shift+up")  # one sentence less
        assert screen.draft().quote == one
        await pilot.press("ctrl+shift+down")  # one more
        assert screen.draft().quote == two

    code(coded, scenario, size=SMALL)


def test_ctrl_shift_arrows_select_a_word_whole_and_grow_by_words(coded: tuple[Path, Path, str]) -> None:
    async def scenario(app: TrackerApp, pilot: Pilot[int], screen: CodingScreen) -> None:
        area = await cursor_in(pilot, screen, LINE, "sistence on Ukraine")  # inside "insistence"
        await pilot.press("ctrl+shift+right")
        assert area.selected_text == "insistence", "the word under the cursor, whole"
        await pilot.press("ctrl+shift+right", "ctrl+shift+right")
        assert area.selected_text == "insistence on Ukraine"
        await pilot.press("ctrl+shift+left")
        assert area.selected_text == "insistence on"
        area = await cursor_in(pilot, screen, LINE, "bas, the industrial")  # inside "Donbas"
        await pilot.press("ctrl+shift+left")
        assert area.selected_text == "Donbas" and area.cursor_location < area.selection.start, "cursor at its start"
        await pilot.press("ctrl+shift+left")
        assert area.selected_text == "of Donbas"
        await pilot.press("ctrl+shift+right")
        assert area.selected_text == "Donbas", "a word given back, never a space left at the start"

    code(coded, scenario, size=SMALL)


def test_a_double_click_selects_a_word_and_a_triple_click_a_sentence(coded: tuple[Path, Path, str]) -> None:
    async def scenario(app: TrackerApp, pilot: Pilot[int], screen: CodingScreen) -> None:
        area = await cursor_in(pilot, screen, LINE, "Peskov said on Friday")
        await pilot.pause(0.1)
        where = area.cursor_screen_offset
        await pilot.click(offset=(where.x + 2, where.y), times=2)
        assert area.selected_text == "Peskov"
        await pilot.click(offset=(where.x + 2, where.y), times=3)
        assert screen.draft().quote == sentence_holding(screen, LINE, "Peskov said on Friday")

    code(coded, scenario, size=SMALL)


def test_the_footer_and_the_help_show_the_selection_keys(coded: tuple[Path, Path, str]) -> None:
    async def scenario(app: TrackerApp, pilot: Pilot[int], screen: CodingScreen) -> None:
        text_of(screen).focus()
        await pilot.pause(0.1)
        keys = {key.description: key for key in screen.query(FooterKey)}
        for shown in ("Sentence", "Save", "New", "Back", NARROW_HELP, "Quit"):
            assert shown in keys and keys[shown].region.right <= SMALL[0], f"{shown} in sight at 80 columns"
        assert keys["Sentence"].key == "s"
        await pilot.press("question_mark")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen))
        said = screen_text(app.screen)
        for line in (
            "select the sentence at the cursor; again: the next sentence too",
            "the selection takes in the next sentence",
            "the selection gives back its last sentence",
            "select the word at the cursor",
            "select the word clicked",
            "select the sentence clicked",
            "then each field of the form in order",
        ):
            assert line in said, line

    code(coded, scenario, size=SMALL)


def test_words_and_the_sentence_a_cursor_falls_in() -> None:
    text = "Mr. Witkoff met the U.S. envoy on Jan. 23. He said no.\nKyiv\u2019s US-brokered plan."
    spans = sentences(text)  # the project's splitter, as the suggestions split
    assert [text[s:e] for s, e in spans] == [
        "Mr. Witkoff met the U.S. envoy on Jan. 23.",
        "He said no.",
        "Kyiv\u2019s US-brokered plan.",
    ]
    assert sentence_at(spans, text.index(" He said")) == 1, "between two: the next"
    assert sentence_at(spans, len(text)) == 2 and sentence_at([], 0) is None
    at = text.index("yiv")
    assert word_at(text, at) == (text.index("Kyiv"), text.index("Kyiv") + len("Kyiv\u2019s"))
    assert text[slice(*word_at(text, text.index("brokered")) or (0, 0))] == "US-brokered"
    assert next_word_end(text, text.index("Witkoff")) == text.index(" met")
    assert previous_word_start(text, text.index("Witkoff") + 3) == text.index("Witkoff")
    assert previous_word_start(text, text.index("Witkoff")) == 0
    assert next_word_start(text, text.index("Witkoff")) == text.index("met")
    assert previous_word_end(text, text.index("met") + 1) == text.index(" met")


# The focus, the note, and nothing lost unasked.


def test_ctrl_n_puts_the_focus_in_the_text_and_tab_runs_through_the_form_in_order(
    coded: tuple[Path, Path, str],
) -> None:
    async def scenario(app: TrackerApp, pilot: Pilot[int], screen: CodingScreen) -> None:
        screen.query_one("#f-note", TextArea).focus()
        await pilot.press("ctrl+n")
        assert app.focused is text_of(screen), "ctrl+n: back in the text, to select the next quote"
        order = []
        for _ in TAB_ORDER:
            await pilot.press("tab")
            assert app.focused is not None
            order.append(app.focused.id)
        assert order == TAB_ORDER, "text, each field in form order, then the buttons"
        screen.query_one("#f-issue", Input).focus()
        await pilot.press("shift+tab")
        assert app.focused is text_of(screen), "one shift+tab from the form's first field to the text"

    code(coded, scenario, size=SMALL)


def test_the_note_takes_several_lines_saved_and_loaded_again(coded: tuple[Path, Path, str]) -> None:
    _, fixtures, _ = coded

    async def scenario(app: TrackerApp, pilot: Pilot[int], screen: CodingScreen) -> None:
        note = screen.query_one("#f-note", TextArea)
        assert note.outer_size.height >= 3, "a few lines high"
        await cursor_in(pilot, screen, LINE, "Russia had not dropped")
        await pilot.press("s")
        await fill(pilot, screen, issue="donetsk", party="russia", stance="demands", attribution="reported")
        await fill(pilot, screen, note="Peskov, before the talks.\nThe demand, restated.")
        assert screen.draft().note == "Peskov, before the talks.\nThe demand, restated."
        await pilot.press("ctrl+s")
        await until(pilot, lambda: "kcs-04" in [e.id for e in screen.listed])
        saved = next(e for e in screen.listed if e.id == "kcs-04")
        assert saved.note == "Peskov, before the talks.\nThe demand, restated."
        await pilot.press("ctrl+n")
        assert note.text == ""
        table = screen.query_one("#coding-list", DataTable)
        table.focus()
        table.move_cursor(row=[e.id for e in screen.listed].index("kcs-04"))
        await pilot.press("enter")
        assert note.text == "Peskov, before the talks.\nThe demand, restated.", "loaded back, both lines"

    code(coded, scenario, size=SMALL)
    assert "kcs-04" in (fixtures / f"{ARTICLE}.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize("key", ["ctrl+n", "ctrl+g", "enter", "q", "escape"])
def test_every_way_out_of_a_form_not_saved_asks_first(coded: tuple[Path, Path, str], key: str) -> None:
    """ctrl+n dropped an edit silently; now it, a suggestion, another item, quitting and leaving all ask."""

    async def scenario(app: TrackerApp, pilot: Pilot[int], screen: CodingScreen) -> None:
        await fill(pilot, screen, issue="donetsk", party="russia")
        if key == "enter":
            screen.query_one("#coding-list", DataTable).focus()
        else:
            text_of(screen).focus()
        await pilot.press(key)
        await until(pilot, lambda: isinstance(app.screen, Confirm))
        assert "not saved" in screen_text(app.screen)
        await pilot.press("n")
        await until(pilot, lambda: app.screen is screen)
        assert app.is_running and screen.query_one("#f-party", Input).value == "russia", "kept, unasked for"
        await pilot.press(key)
        await until(pilot, lambda: isinstance(app.screen, Confirm))
        await pilot.press("y")
        if key in ("q", "escape"):
            await until(pilot, lambda: not app.is_running or app.screen is not screen)
        else:
            await until(pilot, lambda: app.screen is screen)
            assert screen.query_one("#f-party", Input).value != "russia", "gone, once said so"

    code(coded, scenario, size=SMALL)


def test_ctrl_n_on_a_form_with_nothing_unsaved_asks_nothing(coded: tuple[Path, Path, str]) -> None:
    async def scenario(app: TrackerApp, pilot: Pilot[int], screen: CodingScreen) -> None:
        await pilot.press("ctrl+g", "ctrl+g")  # suggestions are not the coder's work: the next one replaces one
        assert app.screen is screen
        await pilot.press("ctrl+n")
        assert app.screen is screen and screen.draft().issue == ""

    code(coded, scenario, size=SMALL)


# A save error, by the form's field.


def test_a_save_error_names_the_field_on_the_form_with_the_file_line_as_detail(coded: tuple[Path, Path, str]) -> None:
    async def scenario(app: TrackerApp, pilot: Pilot[int], screen: CodingScreen) -> None:
        await cursor_in(pilot, screen, LINE, "Russia had not dropped")
        await pilot.press("s")
        await fill(pilot, screen, issue="donetsk", party="russia", stance="demands")  # no attribution
        await pilot.press("ctrl+s")
        await until(pilot, lambda: line_of(screen).startswith("Attribution"))
        assert line_of(screen) == "Attribution: required field is missing"
        toasts = [n.message for n in app._notifications]
        assert any(
            m.startswith("Attribution: required field is missing\n") and f"{ARTICLE}.yaml:" in m for m in toasts
        ), "the file's line, as a detail"
        assert app.focused is screen.query_one("#f-attribution", Select), "the field to correct has the focus"

    code(coded, scenario, size=SMALL)


def test_an_edit_refused_names_the_field_it_is_in(coded: tuple[Path, Path, str]) -> None:
    async def scenario(app: TrackerApp, pilot: Pilot[int], screen: CodingScreen) -> None:
        table = screen.query_one("#coding-list", DataTable)
        table.focus()
        table.move_cursor(row=[e.id for e in screen.listed].index("kcs-01"))
        await pilot.press("enter")
        await fill(pilot, screen, said_on="2026-13-01")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: line_of(screen).startswith("Said on: "))
        assert "is not a day of the calendar" in line_of(screen)
        assert app.focused is screen.query_one("#f-said-on", Input)

    code(coded, scenario, size=SMALL)


# The terminal UI at 80x24.


def in_view(area: PassageArea) -> bool:
    """Whether the whole of the selection is within the lines the area shows."""
    start, end = sorted(area.selection)
    first = area.wrapped_document.location_to_offset(start).y
    last = area.wrapped_document.location_to_offset(end).y
    top = round(area.scroll_y)
    return top <= first and last < top + area.scrollable_content_region.height


def test_at_80x24_the_article_view_opens_with_its_quote_in_view_and_keeps_it_there(seeded_db: str) -> None:
    async def scenario(app: TrackerApp, pilot: Pilot[int]) -> None:
        screen = await loaded(app, pilot)
        assert screen.detail is not None
        ref = next(e for e in screen.detail.evidence if e.article == "abu-dhabi-round-two-day-two")
        app.push_screen(ArticleScreen(ref.article, ref, "Russia", None))
        await until(pilot, lambda: isinstance(app.screen, ArticleScreen) and app.screen.shown is not None)
        article = app.screen
        area = article.query_one("#article-text", PassageArea)
        await pilot.pause(0.2)
        assert area.selected_text == ref.quote
        assert article.query_one("#article-meta").outer_size.height <= 2, "the heading keeps to two lines"
        assert area.scrollable_content_region.height >= 10, "the text keeps most of the screen"
        assert in_view(area), "the quote is in view"
        await pilot.resize_terminal(80, 40)
        await pilot.pause(0.2)
        assert in_view(area)
        await pilot.resize_terminal(*SMALL)
        await pilot.pause(0.2)
        assert in_view(area), "and kept there"

    drive(seeded_db, scenario, size=SMALL)


def test_at_80x24_search_results_use_the_dialogs_width_for_the_quote(seeded_db: str) -> None:
    async def scenario(app: TrackerApp, pilot: Pilot[int]) -> None:
        await loaded(app, pilot)
        await pilot.press("slash")
        await until(pilot, lambda: isinstance(app.screen, SearchScreen))
        await pilot.press(*"Donetsk", "enter")
        results = app.screen.query_one("#results", EvidenceTable)
        await until(pilot, lambda: bool(results.rows_shown))
        await pilot.pause(0.1)
        quote = results.get_row_at(0)[-1].plain
        assert "\n" in quote and len(quote.replace("\n", " ")) > 60, "wrapped over lines, not cut at 22"
        assert results.region.right <= app.screen.query_one(".dialog").region.right

    drive(seeded_db, scenario, size=SMALL)


def test_at_80x24_the_diff_shows_issue_and_party_names_whole(seeded_db: str) -> None:
    async def scenario(app: TrackerApp, pilot: Pilot[int]) -> None:
        screen = await loaded(app, pilot)
        app.push_screen(DiffScreen(date(2026, 1, 24), date(2026, 2, 6), None, None, None, screen.catalog))
        await until(pilot, lambda: isinstance(app.screen, DiffScreen) and app.screen.report is not None)
        changes = app.screen.query_one("#changes", EvidenceTable)
        await pilot.pause(0.2)
        names = [(row.cells[0].plain, row.cells[1].plain) for row in changes.rows_shown]
        assert ("Donetsk withdrawal", "Ukraine") in names and ("Zaporizhzhia nuclear plant", "(the issue)") in names
        for n in range(changes.row_count):
            issue, party = (cell.plain for cell in changes.get_row_at(n)[:2])
            assert "…" not in issue + party
            assert (issue.replace("\n", " "), party.replace("\n", " ")) == names[n]
        assert sum(c.get_render_width(changes) for c in changes.columns.values()) <= changes.size.width

    drive(seeded_db, scenario, size=SMALL)


def test_a_list_that_wraps_narrows_its_columns_only_as_far_as_words_stay_whole() -> None:
    from rich.text import Text

    from tracker.tui.widgets import Column, Row

    columns = [Column("issue", 10, 40), Column("to", 2, 17, whole=True)]
    rows = [Row((Text("Zaporizhzhia nuclear plant"), Text("counter-proposal")))]
    assert fit_widths(columns, rows, 30, lines=2) == [13, 16], "as narrow as the name wraps whole"
    assert fit_widths(columns, rows, 50, lines=2) == [26, 16], "on one line where it fits"
    assert wrapped(rows[0].cells[0], 13, 2).plain == "Zaporizhzhia\nnuclear plant"
    assert wrapped(Text("one two three four five"), 9, 2).plain == "one two\nthree fo…"


def test_selecting_programmatically_keeps_the_passage_shown(coded: tuple[Path, Path, str]) -> None:
    async def scenario(app: TrackerApp, pilot: Pilot[int], screen: CodingScreen) -> None:
        area = text_of(screen)
        line = area.document.get_line(LINE)
        area.show_passage(Selection((LINE, 0), (LINE, len(line))))
        await pilot.pause(0.2)
        assert in_view(area)

    code(coded, scenario, size=SMALL)
