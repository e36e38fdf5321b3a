"""The terminal UI as a new user reads it (issue 14): colours legible on every theme, the key to the matrix, the
lists under it, the issue's own cell, names and words, search, copy, known-at, export, small terminals.

Driven headless with Textual's Pilot, through keys and what the screen shows.
"""

from __future__ import annotations

import html
import re
from datetime import date
from pathlib import Path

import pytest
from rich.color import Color as RichColor
from rich.terminal_theme import TerminalTheme
from textual.app import App
from textual.color import Color
from textual.pilot import Pilot
from textual.widgets import Input, OptionList, TextArea
from textual.widgets._footer import FooterKey

from tests.test_tui import drive, loaded, screen_text, told, until
from tracker.domain.machines import Stance
from tracker.domain.words import words
from tracker.tui.app import TrackerApp
from tracker.tui.dialogs import ExportDialog, FilterDialog, HelpScreen, KnownAtPrompt, LegendScreen, SearchScreen
from tracker.tui.palette import hue_distance as apart
from tracker.tui.palette import hue_of as hue
from tracker.tui.palette import palette_for
from tracker.tui.screens import ArticleScreen, DiffScreen
from tracker.tui.widgets import NARROW_HELP, EvidenceTable, MatrixTable

# Colours: WCAG 2 contrast, computed here on its own.


def luminance(color: Color) -> float:
    def linear(channel: int) -> float:
        value = channel / 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = color.rgb
    return 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)


def contrast(first: Color, second: Color) -> float:
    lighter, darker = sorted((luminance(first), luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def over(value: str, under: Color) -> Color:
    color = Color.parse(value)
    return under.blend(color.with_alpha(1.0), color.a) if color.a < 1 else color


def theme_backgrounds(app: TrackerApp, name: str) -> list[Color]:
    """What text is drawn on in the UI, from the theme's own variables: the screen, title bars (boost), the
    header rows (panel), tables (surface) and their zebra stripes, focused (tinted) or not."""
    theme = app.available_themes[name]
    if theme.ansi:
        terminal = app.ansi_theme_dark if theme.dark else app.ansi_theme_light
        return [Color(*terminal.background_color)]
    variables = {**theme.to_color_system().generate(), **theme.variables}
    background = Color.parse(variables["background"])
    surface = over(variables["surface"], background)
    foreground = over(variables["foreground"], background)
    if theme.dark:
        stripe = surface.blend(over(variables["surface-darken-1"], surface), 0.4)
    else:
        stripe = surface.blend(over(variables["surface-lighten-1"], surface), 0.5)
    grounds = [background, over(variables["boost"], background), over(variables["panel"], background), surface, stripe]
    return grounds + [ground.blend(foreground, 0.05) for ground in (surface, stripe)]


def resolve(colour: RichColor | None, terminal: TerminalTheme) -> Color:
    """A style's colour as a terminal of this palette shows it (the default: its foreground)."""
    assert colour is not None
    triplet = terminal.foreground_color if colour.is_default else colour.get_truecolor(terminal, foreground=True)
    return Color(triplet.red, triplet.green, triplet.blue)


def test_every_theme_offered_gets_legible_stance_status_and_date_colours() -> None:
    """For every theme the UI offers: each stance and status colour, and the muted text of dates, at 4.5:1 or
    better on every background it is drawn on; demands and opposes far apart in hue."""
    app = App[None]()
    themes = app.available_themes
    assert len(themes) >= 20
    for name, theme in themes.items():
        terminal = app.ansi_theme_dark if theme.dark else app.ansi_theme_light
        palette = palette_for(theme, terminal)
        grounds = theme_backgrounds(app, name)
        colours = {
            **{f"stance {s.value}": palette.stance_style(s).color for s in Stance},
            **{f"status {s}": palette.status_style(s).color for s in ("deadlocked", "in_play", "converging")},
            "status agreed": palette.status_style("agreed").color,
            "status not on the agenda": palette.status_style("not_on_agenda").color,
            "dates": palette.muted.color,
        }
        for what, rich_colour in colours.items():
            colour = resolve(rich_colour, terminal)
            worst = min(contrast(colour, ground) for ground in grounds)
            assert worst >= 4.5, f"{name}: {what} {colour.hex6} at {worst:.2f}:1"
        demands, opposes = (resolve(palette.stance_style(s).color, terminal) for s in (Stance.DEMANDS, Stance.OPPOSES))
        assert apart(hue(demands), hue(opposes)) >= 120, f"{name}: demands and opposes look alike"


def svg_runs(svg: str) -> list[tuple[str, Color, Color]]:
    """Each run of text of a screenshot, with its colour and the colour of what is under it."""
    classes = {
        name: Color.parse(fill) for name, fill in re.findall(r"\.(terminal-\d+-r\d+) \{ fill: (#[0-9a-f]{6})", svg)
    }
    backgrounds: dict[tuple[int, int], Color] = {}
    for fill, x, y, width in re.findall(r'<rect fill="(#[0-9a-f]{6})" x="([\d.]+)" y="([\d.]+)" width="([\d.]+)"', svg):
        row = round((float(y) - 1.5) / 24.4)
        for column in range(round(float(x) / 12.2), round((float(x) + float(width)) / 12.2)):
            backgrounds[(row, column)] = Color.parse(fill)
    runs = []
    for name, x, y, text in re.findall(
        r'<text class="(terminal-\d+-r\d+)" x="([\d.]+)" y="([\d.]+)"[^>]*>(.*?)</text>', svg
    ):
        row, column = round((float(y) - 20) / 24.4), round(float(x) / 12.2)
        if (row, column) in backgrounds and name in classes:
            runs.append((html.unescape(text).replace("\xa0", " "), classes[name], backgrounds[(row, column)]))
    return runs


def near(first: Color, second: Color) -> bool:
    return all(abs(a - b) <= 3 for a, b in zip(first.rgb, second.rgb, strict=True))


SHOWN_WORDS = {words(s) for s in Stance} | {"in play", "deadlocked", "converging", "not on the agenda"}
DATE = re.compile(r"^\s*\d{4}-\d{2}-\d{2}\s*$")


def test_what_the_screen_draws_in_stance_and_date_colours_is_legible_on_every_theme(seeded_db: str) -> None:
    """The screen as drawn, theme after theme: every stance, status and date in the palette's colours stands at
    4.5:1 or better on what is under it (the cursor's own colours are Textual's)."""
    checked: dict[str, int] = {}

    async def scenario(app: TrackerApp, pilot: Pilot[int]) -> None:
        await loaded(app, pilot)
        for name, theme in app.available_themes.items():
            if theme.ansi:
                continue  # the terminal's own palette: checked above against the palette Textual assumes
            app.theme = name
            await pilot.pause(0.1)
            palette = palette_for(theme, app.ansi_theme)
            ours = {c.hex6 for c in palette.shown.values()}
            grounds = theme_backgrounds(app, name)
            runs = [
                (text, fg, bg)
                for text, fg, bg in svg_runs(app.export_screenshot())
                if fg.hex6 in ours
                and (text.strip() in SHOWN_WORDS or DATE.match(text))
                and any(near(bg, ground) for ground in grounds)  # not a cursor's row: Textual's own colours
            ]
            assert {text.strip() for text, _, _ in runs} >= {"demands", "counter-proposal", "opposes", "2026-01-23"}
            for text, fg, bg in runs:
                assert contrast(fg, bg) >= 4.5, f"{name}: {text!r} {fg.hex6} on {bg.hex6}"
            checked[name] = len(runs)

    drive(seeded_db, scenario)
    assert len(checked) >= 19


# The key to the matrix.


@pytest.mark.parametrize("size", [(80, 24), (120, 36), (200, 50)], ids=["80x24", "120x36", "200x50"])
def test_the_legend_fits_the_width_and_l_shows_all_of_it(seeded_db: str, size: tuple[int, int]) -> None:
    async def scenario(app: TrackerApp, pilot: Pilot[int]) -> None:
        screen = await loaded(app, pilot)
        legend = str(screen.query_one("#legend").render())
        assert all(len(line) <= size[0] - 2 for line in legend.split("\n"))
        assert "\u00d7N" in legend and "* changed" in legend and "! contested" in legend, "every mark"
        if size[0] >= 120:
            assert "counter-proposal" in legend and "l: key" not in legend, "all of it"
        else:
            assert legend.endswith("l: key"), "where the rest is"
        await pilot.press("l")
        await until(pilot, lambda: isinstance(app.screen, LegendScreen))
        text = screen_text(app.screen)
        for meaning in ("demands", "counter-proposal", "others' word", "on a condition", "contested", "sub-issue"):
            assert meaning in text
        await pilot.press("escape")
        assert app.screen is screen

    drive(seeded_db, scenario, size=size)


# The lists under the matrix.


def test_history_and_evidence_are_lists_of_their_own_sized_to_the_terminal(seeded_db: str) -> None:
    async def scenario(app: TrackerApp, pilot: Pilot[int]) -> None:
        screen = await loaded(app, pilot)  # Russia on Donetsk withdrawal
        history = screen.query_one("#history", EvidenceTable)
        evidence = screen.query_one("#evidence", EvidenceTable)
        assert [str(c.label) for c in history.columns.values()][:3] == ["date", "move", "to"]
        assert [str(c.label) for c in evidence.columns.values()] == ["date", "who", "quote"]
        labels = [str(c.label) for c in evidence.columns.values()]
        rows = [[cell.plain for cell in evidence.get_row_at(n)] for n in range(evidence.row_count)]
        who = [row[labels.index("who")] for row in rows]
        assert "Dmitry Peskov" in who, "speakers whole"
        width = sum(c.get_render_width(evidence) for c in evidence.columns.values())
        assert evidence.size.width - 2 <= width <= evidence.size.width, "the columns fill the list, no more"
        quotes = [row[labels.index("quote")] for row in rows]
        assert any(q.endswith("…") for q in quotes), "a long quote is cut with an ellipsis"
        assert all(len(q) >= 30 for q in quotes if q.endswith("…"))
        await pilot.press("tab", "tab")  # to the evidence list
        assert app.focused is evidence
        highlighted = evidence.highlighted()
        assert highlighted is not None
        assert highlighted.quote in str(screen.query_one("#quote").render()), "the selected quote in full"

    drive(seeded_db, scenario)


def test_a_wide_terminal_puts_the_history_beside_the_matrix(seeded_db: str) -> None:
    async def scenario(app: TrackerApp, pilot: Pilot[int]) -> None:
        screen = await loaded(app, pilot)
        table = screen.query_one(MatrixTable)
        history = screen.query_one("#history-pane")
        evidence = screen.query_one("#evidence", EvidenceTable)
        assert history.region.y < table.region.bottom, "beside the matrix"
        assert history.region.x >= table.region.right - 1
        assert evidence.size.width >= 190, "the evidence list takes the whole width"
        assert "Zaporizhzhia nuclear plant" in table.get_cell("znpp", "issue").plain, "titles whole"
        labels = [str(c.label) for c in evidence.columns.values()]
        quotes = [evidence.get_row_at(n)[labels.index("quote")].plain for n in range(evidence.row_count)]
        assert sum(q.endswith("…") for q in quotes) <= 1, "quotes whole, or nearly all"

    drive(seeded_db, scenario, size=(200, 50))


# The issue's own cell.


def test_the_issue_cell_shows_its_status_history_and_issue_level_evidence(seeded_db: str) -> None:
    async def scenario(app: TrackerApp, pilot: Pilot[int]) -> None:
        screen = await loaded(app, pilot)
        await pilot.press("down", "down", "down", "left")  # Zaporizhzhia nuclear plant, its own cell
        await until(pilot, lambda: screen.issue_detail is not None and screen.showing_selected())
        await pilot.pause(0.05)
        history_title = str(screen.query_one("#history-title").render())
        assert history_title.startswith("Status history · 1 change to 2026-02-06")
        history = screen.query_one("#history", EvidenceTable)
        steps = [[c.plain for c in history.get_row_at(n)] for n in range(history.row_count)]
        assert [step[1:] for step in steps] == [["not on the agenda", "in play"]]
        title = str(screen.query_one("#evidence-title").render())
        assert title.startswith("Zaporizhzhia nuclear plant: in play · 1 piece of issue-level evidence")
        assert "Enter: article" in title
        quote = str(screen.query_one("#quote").render())
        assert "the fate of the Zaporizhzhia nuclear power plant" in quote, "why the plant is in play"
        await pilot.press("enter", "enter")  # to the evidence, then its article
        await until(pilot, lambda: isinstance(app.screen, ArticleScreen))
        area = app.screen.query_one(TextArea)
        await until(pilot, lambda: area.text != "")
        assert area.selected_text.startswith("the fate of the Zaporizhzhia nuclear power plant")

    drive(seeded_db, scenario)


def test_enter_is_offered_only_where_there_is_evidence_and_more_says_when_there_is_no_more(seeded_db: str) -> None:
    async def scenario(app: TrackerApp, pilot: Pilot[int]) -> None:
        screen = await loaded(app, pilot)
        assert "Enter: article" in str(screen.query_one("#evidence-title").render())
        await pilot.press("m")
        await until(pilot, lambda: told(app, "Nothing more"))
        await pilot.press("down", "down", "down")  # Russia on the plant: unknown
        await until(pilot, lambda: screen.detail is not None and screen.detail.issue == "znpp")
        await until(pilot, screen.showing_selected)
        await pilot.pause(0.05)
        title = str(screen.query_one("#evidence-title").render())
        assert title.startswith("Russia on Zaporizhzhia nuclear plant: unknown") and "Enter" not in title

    drive(seeded_db, scenario)


# Search and copy.


async def search_for(app: TrackerApp, pilot: Pilot[int], text: str) -> SearchScreen:
    await pilot.press("slash")
    await until(pilot, lambda: isinstance(app.screen, SearchScreen))
    search = app.screen
    assert isinstance(search, SearchScreen)
    await pilot.press(*("space" if c == " " else c for c in text))
    await until(pilot, lambda: "with “" in str(search.query_one("#search-summary").render()))
    return search


def test_search_finds_quotes_and_goes_to_the_position(seeded_db: str) -> None:
    async def scenario(app: TrackerApp, pilot: Pilot[int]) -> None:
        screen = await loaded(app, pilot)
        search = await search_for(app, pilot, "peskov")
        summary = str(search.query_one("#search-summary").render())
        assert re.match(r"\d+ pieces? of evidence, \d+ articles? with “peskov”", summary)
        results = search.query_one("#results", EvidenceTable)
        assert results.row_count >= 1
        first = results.get_row_at(0)
        found = results.evidence[0]
        assert "Peskov" in found.quote or "Peskov" in (found.speaker or "")
        assert first[1].plain.endswith(" · Russia"), "the position by name"
        await pilot.press("down", "enter")  # to the results, then go
        await until(pilot, lambda: app.screen is screen)
        await until(pilot, lambda: screen.showing_selected() and screen.detail is not None)
        await until(pilot, lambda: found.quote in str(screen.query_one("#quote").render()))
        evidence = screen.query_one("#evidence", EvidenceTable)
        highlighted = evidence.highlighted()
        assert app.focused is evidence and highlighted is not None and highlighted.id == found.id, "highlighted"

    drive(seeded_db, scenario)


def test_search_opens_an_article_found_by_its_title(seeded_db: str) -> None:
    async def scenario(app: TrackerApp, pilot: Pilot[int]) -> None:
        await loaded(app, pilot)
        search = await search_for(app, pilot, "second day of abu dhabi")
        results = search.query_one("#results", EvidenceTable)
        about = [results.get_row_at(n)[1].plain for n in range(results.row_count)]
        assert "article" in about
        await pilot.press("down", *["down"] * about.index("article"), "enter")
        await until(pilot, lambda: isinstance(app.screen, ArticleScreen))
        article = app.screen
        await until(pilot, lambda: article.query_one(TextArea).text != "")
        assert "Second day of Abu Dhabi talks" in str(article.query_one("#article-meta").render())

    drive(seeded_db, scenario)


def test_c_copies_the_quote_with_its_citation(seeded_db: str) -> None:
    async def scenario(app: TrackerApp, pilot: Pilot[int]) -> None:
        screen = await loaded(app, pilot)
        evidence = screen.query_one("#evidence", EvidenceTable)
        shown = evidence.highlighted()
        assert shown is not None
        await pilot.press("c")
        await until(pilot, lambda: told(app, "Copied"))
        copied = app.clipboard
        assert copied.startswith(f"“{shown.quote}” — ")
        assert shown.article_title in copied and shown.date.isoformat() in copied
        assert copied.endswith(f"[evidence {shown.id}]")
        assert told(app, f"Copied the quote of evidence {shown.id}")

    drive(seeded_db, scenario)


# Known at.


def test_the_known_at_dialog_lists_the_recorded_times_to_pick_from(seeded_db: str) -> None:
    async def scenario(app: TrackerApp, pilot: Pilot[int]) -> None:
        screen = await loaded(app, pilot)
        await pilot.press("k")
        await until(pilot, lambda: isinstance(app.screen, KnownAtPrompt))
        prompt = app.screen
        times = prompt.query_one("#recorded", OptionList)
        assert times.option_count >= 2, "everything, then each ingest"
        text = screen_text(prompt)
        assert "everything recorded (now)" in text and "evidence" in text
        await pilot.press("down", "down")  # to the list; the newest ingest
        typed = prompt.query_one(Input).value
        assert re.match(r"\d{4}-\d{2}-\d{2}T", typed), "the time picked is shown"
        await pilot.press("enter")
        await until(pilot, lambda: "known at" in screen.heading)
        assert f"known at {typed}" in str(screen.query_one("#heading").render())
        table = screen.query_one(MatrixTable)
        await until(pilot, lambda: table.shown is not None and table.shown.known_at is not None)
        assert table.shown is not None and table.shown.issues

    drive(seeded_db, scenario)


def test_a_time_before_anything_was_recorded_says_so(seeded_db: str) -> None:
    async def scenario(app: TrackerApp, pilot: Pilot[int]) -> None:
        screen = await loaded(app, pilot)
        await pilot.press("f")
        await until(pilot, lambda: isinstance(app.screen, FilterDialog))
        await pilot.press("tab", "space", "ctrl+s")  # the parties: Russia left out
        await until(pilot, lambda: "filtered" in screen.heading)
        await pilot.press("k")
        await until(pilot, lambda: isinstance(app.screen, KnownAtPrompt))
        app.screen.query_one(Input).value = "2026-01-01"
        await pilot.press("enter")
        await until(pilot, lambda: "known at 2026-01-01" in screen.heading)
        heading = str(screen.query_one("#heading").render())
        assert "nothing was recorded by 2026-01-01" in heading and "0 of 0" not in heading

    drive(seeded_db, scenario)


# Export.


def test_export_writes_html_too(seeded_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    exported = tmp_path / "positions-2026-02-06.html"

    async def scenario(app: TrackerApp, pilot: Pilot[int]) -> None:
        await loaded(app, pilot)
        await pilot.press("x")
        await until(pilot, lambda: isinstance(app.screen, ExportDialog))
        assert "HTML  positions-2026-02-06.html" in screen_text(app.screen)
        await pilot.press("down", "enter")
        await until(pilot, exported.exists)
        await until(pilot, lambda: told(app, "(HTML, every issue and party)"))

    drive(seeded_db, scenario)
    text = exported.read_text(encoding="utf-8")
    assert "<html" in text.lower() and "Donetsk withdrawal" in text


def test_a_filtered_export_says_its_filters(seeded_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    exported = tmp_path / "positions-2026-02-06-filtered.md"

    async def scenario(app: TrackerApp, pilot: Pilot[int]) -> None:
        screen = await loaded(app, pilot)
        await pilot.press("f")
        await until(pilot, lambda: isinstance(app.screen, FilterDialog))
        await pilot.press("tab", "space", "ctrl+s")  # Russia left out
        await until(pilot, lambda: "filtered" in screen.heading)
        await pilot.press("x")
        await until(pilot, lambda: isinstance(app.screen, ExportDialog))
        assert "Filtered: only the parties Ukraine, United States, Europe" in screen_text(app.screen)
        await pilot.press("m")
        await until(pilot, exported.exists)
        await until(pilot, lambda: told(app, "(Markdown, only the parties Ukraine, United States, Europe)"))

    drive(seeded_db, scenario)
    first = exported.read_text(encoding="utf-8").splitlines()[0]
    assert "filtered: Ukraine, United States and Europe" in first, "the briefing says its filters"


# Small things.


def test_one_help_in_the_palette_and_a_screenshot_where_it_can_be_saved(
    seeded_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)

    async def scenario(app: TrackerApp, pilot: Pilot[int]) -> None:
        screen = await loaded(app, pilot)
        titles = [command.title for command in app.get_system_commands(screen)]
        assert "Keys" not in titles and titles.count("Help: every key") == 1
        await pilot.press("ctrl+p")
        await pilot.pause(0.2)
        await pilot.press(*"Screenshot")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await until(pilot, lambda: told(app, "Saved"))
        assert list(tmp_path.glob("*.svg")), "in the current folder"

    drive(seeded_db, scenario)


def test_at_80x24_the_footer_shows_help_and_quit(seeded_db: str) -> None:
    async def scenario(app: TrackerApp, pilot: Pilot[int]) -> None:
        screen = await loaded(app, pilot)
        keys = {key.description: key for key in screen.query(FooterKey)}
        for key in (NARROW_HELP, "Quit", "Earlier", "Later", "Search"):
            assert key in keys and keys[key].region.right <= 80, f"{key} in sight"
        assert keys[NARROW_HELP].key == "question_mark", "? says the keys left out are in the help"

    drive(seeded_db, scenario, size=(80, 24))


def test_at_80x24_the_help_scrolls_and_wraps(seeded_db: str) -> None:
    async def scenario(app: TrackerApp, pilot: Pilot[int]) -> None:
        await loaded(app, pilot)
        await pilot.press("question_mark")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen))
        body = app.screen.query_one("#help-body")
        await pilot.pause(0.1)
        assert body.max_scroll_y > 0, "more than a screenful: it scrolls"
        wrapped = [w for w in app.screen.query(".help-does") if w.size.height > 1]
        assert wrapped, "long descriptions wrap rather than being cut"
        assert all(w.size.width + w.region.x <= 80 for w in app.screen.query(".help-does"))
        await pilot.press("end")
        await pilot.pause(0.1)
        assert body.scroll_y == body.max_scroll_y
        last = list(app.screen.query(".help-does"))[-1]
        assert body.region.y <= last.region.y < body.region.bottom, "the last row can be reached"

    drive(seeded_db, scenario, size=(80, 24))


def test_at_80x24_the_diff_keeps_every_column(seeded_db: str) -> None:
    async def scenario(app: TrackerApp, pilot: Pilot[int]) -> None:
        screen = await loaded(app, pilot)
        app.push_screen(DiffScreen(date(2026, 1, 24), date(2026, 2, 6), None, None, None, screen.catalog))
        await until(pilot, lambda: isinstance(app.screen, DiffScreen) and app.screen.report is not None)
        changes = app.screen.query_one("#changes", EvidenceTable)
        await pilot.pause(0.1)
        labels = [str(c.label).strip() for c in changes.columns.values()]
        assert labels == ["issue", "party", "from", "to", "since", "evidence"]
        width = sum(c.get_render_width(changes) for c in changes.columns.values())
        assert width <= changes.size.width
        assert changes.get_row_at(0)[3].plain == "counter-proposal", "stances whole"

    drive(seeded_db, scenario, size=(80, 24))


def test_the_theme_can_be_changed_and_the_matrix_keeps_its_words(seeded_db: str) -> None:
    async def scenario(app: TrackerApp, pilot: Pilot[int]) -> None:
        screen = await loaded(app, pilot)
        before = app.export_screenshot()
        app.theme = "nord"
        await pilot.pause(0.2)
        after = app.export_screenshot()
        assert before != after
        assert screen.query_one(MatrixTable).get_cell("donetsk_withdrawal", "russia").plain.startswith("demands")
        palette = palette_for(app.current_theme, app.ansi_theme)
        assert palette.shown["stance:demands"].hex6.lower() in after.lower(), "drawn in the theme's colours"

    drive(seeded_db, scenario)
