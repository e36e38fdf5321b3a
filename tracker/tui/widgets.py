"""Widgets of the terminal UI: the timeline bar, the legend, the position matrix, lists sized to the terminal.

Everything from articles or fixtures is untrusted: it reaches the screen only
as `rich.text.Text` built from `safe_text` (never a markup string), so
`[@click=app.quit]` or an escape sequence in a quote shows as what it is.
Stances, moves and statuses are shown in words (`tracker.domain.words`),
parties and issues by name; ids stay in JSON and CSV. Colours come from the
theme's palette (`tracker.tui.palette`) and only repeat what the words say.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from datetime import date
from typing import Any, NamedTuple

from rich.cells import cell_len
from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events, on
from textual.binding import ActiveBinding
from textual.message import Message
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import DataTable, Static, TextArea
from textual.widgets.data_table import ColumnKey, RowKey
from textual.widgets.text_area import Selection
from textual.worker import Worker, WorkerState

from tracker.domain.dates import since_words
from tracker.domain.errors import TrackerError
from tracker.domain.machines import Stance
from tracker.domain.untrusted import safe_text
from tracker.domain.words import with_mode, words
from tracker.read.models import Cell, EvidenceRef, Matrix, said_on_shown
from tracker.tui.palette import current

SHORT = 30  # terminal lines below which headings and quotes are kept short, to leave the lists and text room
CHANGED_MARK = "*"
COUNT_MARK = "\u00d7"  # the multiplication sign: "demands, times 3 pieces of evidence"
# Marks of a stance not to take at its word (`tracker.read.briefing.qualifiers` says them in words).
OTHERS_WORD_MARK = "~"  # rests only on another party's or a source's report or the outlet's analysis
CONDITION_MARK = "?"  # holds on a condition
CONTESTED_MARK = "!"  # contested: evidence of equal weight disagreed, the stance shown is the one held before
SUB_ISSUE_MARK = "↳"
STANCE_ORDER = [
    Stance.DEMANDS,
    Stance.SUPPORTS,
    Stance.OPEN,
    Stance.COUNTER_PROPOSAL,
    Stance.OPPOSES,
    Stance.AGREED,
    Stance.UNKNOWN,
]
STATUS_ORDER = ["deadlocked", "in_play", "converging", "agreed", "partly_implemented", "implemented", "not_on_agenda"]
# What each stance and status means, for the legend screen and the help.
STANCE_MEANING = {
    Stance.DEMANDS: "insists on the proposition",
    Stance.SUPPORTS: "is for it",
    Stance.OPEN: "is open to it, not committed",
    Stance.COUNTER_PROPOSAL: "offers something else in its place",
    Stance.OPPOSES: "is against it",
    Stance.AGREED: "has agreed to it with the others",
    Stance.UNKNOWN: "nothing said yet, as far as the evidence goes",
}
STATUS_MEANING = {
    "deadlocked": "parties hold incompatible stances",
    "in_play": "under discussion, no agreement in sight yet",
    "converging": "the stances are coming together",
    "agreed": "every negotiator has agreed",
    "partly_implemented": "agreed, and being carried out in part",
    "implemented": "agreed, and carried out",
    "not_on_agenda": "nobody has taken it up",
}
MARKS = [  # (mark, in full, in a line, in a short line)
    (f"{COUNT_MARK}N", "the pieces of evidence behind the stance", "pieces of evidence", "evidence"),
    (CHANGED_MARK, "the stance changed on the date shown", "changed that day", "changed"),
    (
        OTHERS_WORD_MARK,
        "it rests only on others' word (a report, the outlet's analysis)",
        "others' word only",
        "others' word",
    ),
    (CONDITION_MARK, "it holds on a condition", "on a condition", "condition"),
    (
        CONTESTED_MARK,
        "contested: evidence of equal weight disagreed (the stance held before is shown)",
        "contested",
        "contested",
    ),
]


HELP_ACTION = "help"
NARROW_HELP = "Help: more keys"  # what the help key says in a footer that leaves keys out


def narrow_footer(bindings: dict[str, ActiveBinding], hidden: set[str]) -> dict[str, ActiveBinding]:
    """The keys a narrow footer shows: not those of the `hidden` actions, and the help saying it has them."""
    shown: dict[str, ActiveBinding] = {}
    for key, active in bindings.items():
        if active.binding.action in hidden:
            active = active._replace(binding=dataclasses.replace(active.binding, show=False))
        elif active.binding.action == HELP_ACTION:
            active = active._replace(binding=dataclasses.replace(active.binding, description=NARROW_HELP))
        shown[key] = active
    return shown


def report_failure(screen: Screen[Any], event: Worker.StateChanged) -> None:
    """A worker of `screen` that failed is shown, and ends only itself: the screen keeps what it showed."""
    if event.state is not WorkerState.ERROR:
        return
    error = event.worker.error
    if isinstance(error, TrackerError):
        screen.notify(str(error), title="Cannot read", severity="error", timeout=10, markup=False)
    else:
        screen.log.error(repr(error))
        screen.notify(
            f"{type(error).__name__}: {error}", title="Unexpected error", severity="error", timeout=10, markup=False
        )


def plain(value: object) -> Text:
    """Untrusted text made inert and wrapped so that nothing in it is read as markup."""
    return Text(safe_text(str(value)))


def muted() -> Style:
    """Secondary text (dates, hints): the theme's foreground, faded only as far as it stays legible."""
    return current().muted


def muted_text(value: str) -> Text:
    """Text of the tracker's own, in the muted style (never untrusted text: that goes through `plain`)."""
    return Text(value, style=muted())


def stance_text(stance: Stance | str) -> Text:
    return Text(words(stance), style=current().stance_style(stance))


def status_text(status: str) -> Text:
    return Text(words(status), style=current().status_style(status))


def _cell_words(cell: Cell) -> tuple[str, str, str]:
    """A cell's words after its stance: the evidence count, the marks (each prefixed by a space, or empty), and
    the date since which the stance holds."""
    count = f" {COUNT_MARK}{cell.backing}" if cell.stance is not Stance.UNKNOWN else ""
    marks = "".join(
        mark
        for mark, shown in (
            (OTHERS_WORD_MARK, cell.basis in ("reported", "analysis")),
            (CONDITION_MARK, cell.condition is not None),
            (CONTESTED_MARK, cell.contested_on is not None),
        )
        if shown
    )
    return count, f" {marks}" if marks else "", str(since_words(cell.since, cell.since_exact) or "")


def cell_text(cell: Cell) -> Text:
    """A matrix cell: the stance and its evidence count, then the date since which it holds (marked if today's)."""
    count, marks, since = _cell_words(cell)
    text = stance_text(cell.stance)
    text.append(count)
    text.append(marks, style="bold")
    text.append("\n")
    text.append(since, style=muted())
    if cell.changed:
        text.append(f" {CHANGED_MARK}", style="bold reverse")
    return text


def issue_titles(matrix: Matrix) -> dict[str, str]:
    """Each issue's title as the matrix shows it: a sub-issue under its parent, marked `↳`."""
    return {i.id: f"{SUB_ISSUE_MARK} {i.title}" if i.parent else i.title for i in matrix.catalog.issues}


def issue_text(title: str, status: str, width: int, conditional: bool = False) -> Text:
    """An issue's title over its status; "(conditional)" where the status rests on a stance held on a condition."""
    text = plain(title)
    text.truncate(width, overflow="ellipsis")  # by cells, so wide characters count double
    text.stylize("bold")
    text.append("\n")
    text.append_text(status_text(status))
    if conditional:
        text.append_text(muted_text(" (conditional)"))
    return text


def location(text: str, index: int) -> tuple[int, int]:
    """The (line, column) of a character index of `text`, as a TextArea holding it counts them."""
    line = text.count("\n", 0, index)
    return line, index - (text.rfind("\n", 0, index) + 1)


def index_of(text: str, line: int, column: int) -> int:
    """The character index of a TextArea's (line, column) in the `text` it holds."""
    start = 0
    for _ in range(line):
        start = text.index("\n", start) + 1
    return start + column


def source_of(ref: EvidenceRef, party_name: str | None) -> str:
    """Who a piece of evidence comes from, briefly: the speaker, else the party for its own word, else how it
    is known (reported, analysis). Untrusted: show it through `plain`."""
    if ref.speaker:
        return ref.speaker
    if party_name and ref.attribution == "direct":
        return party_name
    return ref.attribution


def source_in_full(ref: EvidenceRef, party_name: str | None) -> str:
    """Who a piece of evidence comes from and on whose word: "Dmitry Peskov (Russia's own word)",
    "Ukraine (its own word)", "Marco Rubio (reported by another)"."""
    if ref.attribution == "direct" and ref.speaker and party_name:
        return f"{ref.speaker} ({party_name}'s own word)"
    speaker = ref.speaker or (party_name if ref.attribution == "direct" else None)
    return f"{speaker} ({words(ref.attribution)})" if speaker else words(ref.attribution)


def citation(ref: EvidenceRef, party_name: str | None) -> str:
    """A piece of evidence as copied: the quote, who said it, the article, the date and the evidence id."""
    quote = safe_text(" ".join(ref.quote.split()))
    source = safe_text(source_in_full(ref, party_name))
    title = safe_text(ref.article_title)
    return f"“{quote}” — {source}, “{title}”, {said_on_shown(ref)} [evidence {safe_text(ref.id)}]"


def quote_text(ref: EvidenceRef, party_name: str | None) -> Text:
    """A piece of evidence in full: the quote, who said it, where and when, what it holds on, its note."""
    text = Text()
    text.append("“")
    text.append(safe_text(ref.quote), style="italic")
    text.append("”\n")
    text.append(f"— {safe_text(source_in_full(ref, party_name))}", style="bold")
    text.append(" · ")
    text.append(safe_text(ref.article_title))
    text.append(f" · {said_on_shown(ref)}")
    text.append(f" · evidence {safe_text(ref.id)}", style=muted())
    if ref.condition:
        text.append(f"\non condition: {safe_text(ref.condition)}")
    # A recap that moved or restated the position did what asserted evidence does; other modes never move one.
    held_back = ref.not_applied or (ref.mode if ref.mode not in ("asserted", "background") else None)
    if ref.stance and held_back:
        text.append(f"\n{words(held_back)}: {words(ref.stance)}, moves nothing", style=muted())
    if ref.note:
        text.append(f"\nnote: {safe_text(ref.note)}", style=muted())
    return text


def cell_width(cell: Cell) -> int:
    """The cells `cell_text(cell)` takes across, from its words alone (a thousand a rebuild of the matrix)."""
    count, marks, since = _cell_words(cell)
    first = cell_len(words(cell.stance)) + cell_len(count) + len(marks)
    return max(first, len(since) + (1 + len(CHANGED_MARK) if cell.changed else 0))


ISSUE_WIDTH = 22  # the issue column: titles are cut to this, unless the terminal leaves room for more
WIDEST_ISSUE = 44  # and never wider than this
ROOM_KEPT = 3  # columns of the matrix's width left free: the scrollbar's, and one to spare


def _shape(matrix: Matrix) -> tuple[object, ...]:
    """What the table's rows and columns are built from: anything else is a redraw of cells."""
    return (
        tuple(matrix.issues),
        tuple(matrix.parties),
        tuple((i.id, i.title) for i in matrix.catalog.issues),
        tuple((p.id, p.label) for p in matrix.catalog.parties),
    )


def party_widths(matrix: Matrix) -> dict[str, int]:
    """Each party column's width: its name (marked with its role unless a negotiator) or its widest cell."""
    names = {p.id: p.label for p in matrix.catalog.parties}
    return {
        party: max([cell_len(safe_text(names[party])), *(cell_width(matrix.cells[i][party]) for i in matrix.issues)])
        for party in matrix.parties
    }


def longest_title(matrix: Matrix) -> int:
    titles = issue_titles(matrix)
    return max([len("Issue / status"), *(cell_len(safe_text(titles[i])) for i in matrix.issues)])


def natural_width(matrix: Matrix) -> int:
    """The width the whole matrix takes, every party shown and every title whole (up to WIDEST_ISSUE)."""
    widths = party_widths(matrix)
    return min(longest_title(matrix), WIDEST_ISSUE) + 2 + sum(w + 2 for w in widths.values()) + ROOM_KEPT


def fitted_lines(
    console: Console, text: Text, width: int, height: int, padding: int, under: Style, post: Style, meta: Style
) -> list[list[Segment]] | None:
    """`text` as DataTable draws a cell of it, `width` cells by `height` lines: Rich's `render_lines` of the text
    padded by `padding` and styled between `under` (the row's style and the cursor's, say) and `post`, the mouse's
    `meta` (the cell's row and column) under them all; None unless each of its lines fits the width as it is (then
    Rich's wrapping would change it, and DataTable's own drawing is for that).

    The same characters in the same styles as Rich's wrapping, padding and styling give, in a quarter of the time
    (about 27 us a cell against 116): a step of the date draws every cell in view again. Each style is put
    together once a cell, the meta last (Rich caches sums of styles: only the meta is the cell's own).
    """
    inner = width - 2 * padding
    if text.justify is not None or "\t" in text.plain:
        return None
    lines: list[list[tuple[str, Style | None]]] = [[]]
    # Rich renders a text without spans unstyled, and its wrapping gives each line the text's style: so here too.
    whole = [Segment(text.plain, console.get_style(text.style, default=Style.null()))]
    for segment in text.render(console) if text.spans else whole:
        for n, part in enumerate(segment.text.split("\n")):
            if n:
                lines.append([])
            if part:
                lines[-1].append((part, segment.style))
    if len(lines) > height:
        return None
    styled: dict[Style | None, Style] = {}

    def style_of(style: Style | None) -> Style:
        if style not in styled:  # Styled's sandwich: under, the text's style, post; the meta adds only itself
            styled[style] = (under + style + post if style is not None else under + post) + meta
        return styled[style]

    blank = style_of(None)  # the padding: unstyled
    side = [Segment(" " * padding, blank)] if padding else []
    drawn = []
    for line in lines + [[]] * (height - len(lines)):
        used = 0
        row = list(side)
        for part, style in line:
            used += cell_len(part)
            row.append(Segment(part, style_of(style)))
        if used > inner:
            return None
        if used < inner:
            row.append(Segment(" " * (inner - used), blank))
        drawn.append(row + side)
    return drawn


class MatrixTable(DataTable[Text]):
    """Issues as rows, parties as columns, as of one date.

    Only the parties that fit the width are columns (a page, moved one party at
    a time by the cursor keys at either edge), so a redraw costs the same with
    four parties or forty. A step of the date redraws only the cells that
    changed; the table is rebuilt when what it shows changes shape (other
    issues or parties, other names, another page).
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="cell", cell_padding=1)
        self.shown: Matrix | None = None
        self.first_party = 0  # index of the first party column in the page
        self.page: list[str] = []
        self.issue_width = ISSUE_WIDTH
        self._built: tuple[object, ...] = ()

    def _widths(self, matrix: Matrix) -> dict[str, int]:
        return party_widths(matrix)

    def _room(self) -> int:
        return (self.size.width or self.app.size.width) - ROOM_KEPT

    def _page(self, matrix: Matrix, widths: dict[str, int]) -> list[str]:
        """The parties that fit, from `first_party`; the issue column takes what room they leave (titles whole
        where it can)."""
        longest = min(longest_title(matrix), WIDEST_ISSUE)
        room = self._room() - (min(longest, ISSUE_WIDTH) + 2)
        self.first_party = max(0, min(self.first_party, len(matrix.parties) - 1))
        page: list[str] = []
        for party in matrix.parties[self.first_party :]:
            if room - (widths[party] + 2) < 0 and page:
                break
            room -= widths[party] + 2
            page.append(party)
        self.issue_width = min(longest, ISSUE_WIDTH) + max(0, min(room, longest - ISSUE_WIDTH))
        return page

    def show(self, matrix: Matrix, keep: tuple[str, str | None] | None = None) -> None:
        """Show `matrix`, the cursor staying on the same (issue, party) where it can, or on `keep`."""
        key = (*_shape(matrix), self.first_party)
        if self.shown is not None and key == self._built and keep is None and self._redraw(matrix):
            self.shown = matrix
            return
        at = keep or self.cursor_position()
        widths = self._widths(matrix)
        page = self._page(matrix, widths)
        if at is not None and at[1] in matrix.parties and at[1] not in page:
            self.first_party = matrix.parties.index(at[1])  # bring the kept party into the page
            page = self._page(matrix, widths)
        self._build(matrix, page, widths, at)
        self.shown = matrix
        self._built = (*_shape(matrix), self.first_party)

    def _redraw(self, matrix: Matrix) -> bool:
        """Redraw the cells that differ from the matrix shown (a step of the date); False if one no longer fits."""
        assert self.shown is not None
        before = self.shown
        titles = issue_titles(matrix)
        changed: list[tuple[str, str, Text]] = []
        for issue in matrix.issues:
            for party in self.page:
                cell = matrix.cells[issue][party]
                if cell != before.cells[issue][party]:
                    if cell_width(cell) > self.columns[ColumnKey(party)].width:
                        return False
                    changed.append((issue, party, cell_text(cell)))
        for issue in matrix.issues:
            conditional = bool(matrix.conditional.get(issue))
            if matrix.status[issue] != before.status[issue] or conditional != bool(before.conditional.get(issue)):
                changed.append(
                    (issue, "issue", issue_text(titles[issue], matrix.status[issue], self.issue_width, conditional))
                )
        self._set_cells(changed)
        return True

    def _set_cells(self, cells: list[tuple[str, str, Text]]) -> None:
        """Put many cells at once and refresh once (`update_cell` refreshes the table for each cell).

        This writes DataTable's own cell store, as `update_cell` does; the widths stay (`_redraw` checked them).
        """
        for issue, column, text in cells:
            self._data[RowKey(issue)][ColumnKey(column)] = text
        if cells:
            self._update_count += 1  # what the table's render caches are keyed on
            self.refresh()

    def _build(
        self, matrix: Matrix, page: list[str], widths: dict[str, int], at: tuple[str, str | None] | None
    ) -> None:
        names = {p.id: p.label for p in matrix.catalog.parties}  # a mediator's column says so
        titles = issue_titles(matrix)
        row, column = self.cursor_coordinate
        self.clear(columns=True)
        label = Text("Issue / status", style="bold")
        if len(page) < len(matrix.parties):  # which parties are columns; the cursor keys move past the edge
            label = Text(f"parties {self.first_party + 1}-{self.first_party + len(page)}/{len(matrix.parties)} ◂▸")
        self.add_column(label, key="issue", width=self.issue_width)
        for party in page:
            self.add_column(plain(names[party]), key=party, width=widths[party])
        for issue in matrix.issues:
            conditional = bool(matrix.conditional.get(issue))
            cells = [issue_text(titles[issue], matrix.status[issue], self.issue_width, conditional)]
            cells += [cell_text(matrix.cells[issue][party]) for party in page]
            self.add_row(*cells, key=issue, height=2)
        self.page = page
        if not matrix.issues:
            return
        if at is None:
            row, column = 0, 1  # nothing selected before: the first position
        elif at[0] in matrix.issues:
            row = matrix.issues.index(at[0])
            column = page.index(at[1]) + 1 if at[1] in page else 0 if at[1] is None else column
        self.move_cursor(row=min(row, len(matrix.issues) - 1), column=min(column, len(page)), scroll=True)

    def _render_cell(
        self,
        row_index: int,
        column_index: int,
        base_style: Style,
        width: int,
        cursor: bool = False,
        hover: bool = False,
    ) -> list[list[Segment]]:
        """A cell of the matrix drawn (DataTable's, cached the same way), its lines laid out by `fitted_lines`
        where they fit: a step of the date draws every cell in view again. The header, and any cell that would
        wrap, are DataTable's own."""
        row_key = self._row_locations.get_key(row_index)
        column_key = self._column_locations.get_key(column_index)
        if row_key is None or column_key is None or self.fixed_rows or self.fixed_columns:  # the header, or fixed
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        key = (
            row_key,
            column_key,
            base_style,
            cursor,
            hover,
            self._show_hover_cursor,
            self._update_count,
            self._pseudo_class_state,
        )
        drawn = self._cell_render_cache.get(key)
        if drawn is not None:
            return drawn
        value = self._data[row_key][column_key]
        row = self.rows[row_key]
        if isinstance(value, Text) and not row.auto_height:
            component, post = self._get_styles_to_render_cell(
                False,
                False,
                False,
                hover,
                cursor,
                self.show_cursor,
                self._show_hover_cursor,
                self.cursor_foreground_priority == "css",
                self.cursor_background_priority == "css",
            )
            meta = Style.from_meta({"row": row_index, "column": column_index})
            fitted = fitted_lines(
                self.app.console, value, width, row.height, self.cell_padding, base_style + component, post, meta
            )
            if fitted is not None:
                self._cell_render_cache[key] = fitted
                return fitted
        return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)

    def restyle(self) -> None:
        """The theme changed: draw every cell again in its colours."""
        if self.shown is not None:
            self._built = ()
            self.show(self.shown)

    def cursor_position(self) -> tuple[str, str | None] | None:
        """The issue and party under the cursor (party None on the issue column)."""
        if self.shown is None or not self.shown.issues:
            return None
        row, column = self.cursor_coordinate
        if row >= len(self.shown.issues) or column > len(self.page):
            return None
        return self.shown.issues[row], self.page[column - 1] if column else None

    def _move_to_party(self, index: int) -> None:
        """Put the cursor on the party at `index` of the matrix's parties, moving the page as little as needed."""
        assert self.shown is not None
        issue = self.shown.issues[self.cursor_row]
        target = self.shown.parties[index]
        widths = self._widths(self.shown)
        while target not in self._page(self.shown, widths):
            self.first_party += 1 if index >= self.first_party else -1
        self._built = ()  # the page is worked out again from today's widths (a step may have narrowed them)
        self.show(self.shown, keep=(issue, target))

    def action_cursor_right(self) -> None:
        if self.shown is not None and self.shown.issues and self.cursor_column >= len(self.page):
            following = self.first_party + len(self.page)
            if following < len(self.shown.parties):
                self._move_to_party(following)
            return
        super().action_cursor_right()

    def action_cursor_left(self) -> None:
        if self.shown is not None and self.shown.issues and self.cursor_column == 1 and self.first_party > 0:
            self._move_to_party(self.first_party - 1)
            return
        super().action_cursor_left()

    def on_resize(self) -> None:
        if self.shown is not None:
            self._built = ()
            self.show(self.shown)

    def position_at_cursor(self) -> tuple[str, str] | None:
        """The (issue, party) under the cursor; None on the issue column or an empty matrix."""
        at = self.cursor_position()
        return (at[0], at[1]) if at is not None and at[1] is not None else None


class Column(NamedTuple):
    """A column of a list: its header; its width between `least` and `most` (`most` 0: it takes the room the
    others leave, one column a list); `drops` > 0: left out of a list too narrow for it (the higher, the
    sooner); `whole`: never cut (a stance, a date), as wide as its widest value."""

    label: str
    least: int
    most: int = 0
    drops: int = 0
    whole: bool = False


class Row(NamedTuple):
    """A row of a list: its cells, and the evidence it shows (None: a row of no evidence, a status change)."""

    cells: tuple[Text, ...]
    evidence: EvidenceRef | None = None


def _line_starts(plain: str, width: int) -> list[int]:
    """Where each line but the first starts when `plain` is wrapped at its spaces into lines of `width` cells (a
    word wider than that has a line of its own)."""
    starts: list[int] = []
    filled = 0
    for token in re.finditer(r"\S+\s*", plain):
        word = cell_len(token.group().rstrip())
        if filled and filled + word > width:
            starts.append(token.start())
            filled = 0
        filled += cell_len(token.group())
    return starts


def _narrowest(plain: str, lines: int, least: int, most: int) -> int:
    """The narrowest width (from `least` up to `most`) at which `plain` wraps into `lines` lines, no word cut."""
    longest = max((cell_len(word) for word in plain.split()), default=0)
    low, high = max(least, min(longest, most)), max(least, most)
    while low < high:
        middle = (low + high) // 2
        if len(_line_starts(plain, middle)) < lines:
            high = middle
        else:
            low = middle + 1
    return low


def wrapped(text: Text, width: int, lines: int = 1) -> Text:
    """`text` in at most `lines` lines of `width` cells, wrapped at its spaces, the last line cut with `…` if it
    holds more (one line: cut with `…`). Its styles are kept."""
    if lines <= 1 or cell_len(text.plain) <= width:
        cut = text.copy()
        cut.truncate(width, overflow="ellipsis")
        return cut
    pieces = list(text.divide(_line_starts(text.plain, width)))
    if len(pieces) > lines:
        pieces = [*pieces[: lines - 1], Text().join(pieces[lines - 1 :])]
    shown = []
    for piece in pieces:
        line = piece.copy()
        line.rstrip()
        line.truncate(width, overflow="ellipsis")
        shown.append(line)
    return Text("\n").join(shown)


def fit_widths(columns: Sequence[Column], rows: Sequence[Row], room: int, lines: int = 1) -> list[int | None]:
    """Each column's width in `room` cells (a cell apart each; None: left out): as wide as its widest value
    (within its bounds), the flexible column taking what is left; columns that may go go first, then the widest
    are narrowed towards their least. With `lines` > 1 (cells wrap), the widest are narrowed first as far as
    their values still wrap whole into that many lines, and only then towards their least (cutting)."""
    natural = []
    for n, column in enumerate(columns):
        widest = max([cell_len(column.label), *(cell_len(row.cells[n].plain) for row in rows)])
        natural.append(max(column.least, min(widest, column.most)) if column.most else column.least)
    floors = list(natural)
    if lines > 1:
        for n, column in enumerate(columns):
            if column.most and not column.whole:
                values = {row.cells[n].plain for row in rows} | {column.label}
                floors[n] = max(_narrowest(value, lines, column.least, natural[n]) for value in values)
    shown = list(range(len(columns)))

    def needed() -> int:
        return sum(natural[n] + 1 for n in shown) - 1

    for n in sorted((n for n, c in enumerate(columns) if c.drops), key=lambda n: -columns[n].drops):
        if needed() <= room:
            break
        shown.remove(n)
    for bounds in (floors, [c.least for c in columns]):
        while needed() > room:  # narrow the widest column that can be, a cell at a time
            narrowable = [n for n in shown if columns[n].most and not columns[n].whole and natural[n] > bounds[n]]
            if not narrowable:
                break
            widest = max(narrowable, key=lambda n: natural[n] - bounds[n])
            natural[widest] -= 1
    flexible = [n for n in shown if not columns[n].most]
    if flexible:
        natural[flexible[0]] += max(0, room - needed())
    return [natural[n] if n in shown else None for n in range(len(columns))]


class EvidenceTable(DataTable[Text]):
    """A list sized to its width (a history, evidence, changes, search results): each column as wide as the
    terminal allows, free text cut with `…` (or, with `lines` > 1, wrapped into up to that many lines first),
    no horizontal scrolling. Rows that show a piece of evidence open its article on Enter (or a click on a
    selected row)."""

    class Shown(Message):
        """The highlighted row changed (evidence None: the list is empty, or the row shows no evidence)."""

        def __init__(self, table: EvidenceTable, evidence: EvidenceRef | None) -> None:
            self.table = table
            self.evidence = evidence
            super().__init__()

        @property
        def control(self) -> EvidenceTable:
            return self.table

    class Opened(Shown):
        """Enter on a piece of evidence: open its article."""

        evidence: EvidenceRef

    class Picked(Message):
        """Enter on a row (of evidence or not)."""

        def __init__(self, table: EvidenceTable, row: int) -> None:
            self.table = table
            self.row = row
            super().__init__()

        @property
        def control(self) -> EvidenceTable:
            return self.table

    def __init__(self, columns: Sequence[Column], *, lines: int = 1, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True, cell_padding=0)
        self.list_columns = list(columns)
        self.lines = lines  # the most lines a row takes: text that does not fit its column wraps, then is cut
        self.rows_shown: list[Row] = []
        self.party_name: str | None = None  # whose position the evidence is for (a direct word names the party)
        self._fitted_to = -1
        self._widths: list[int | None] = []  # each column's, as fitted (None: left out)
        self._heights: list[int] = []  # each row's, in lines

    @property
    def evidence(self) -> list[EvidenceRef]:
        """The pieces of evidence listed, in order."""
        return [row.evidence for row in self.rows_shown if row.evidence is not None]

    def show(
        self,
        rows: Sequence[Row],
        party_name: str | None = None,
        cursor: int = 0,
        columns: Sequence[Column] | None = None,
    ) -> None:
        """List `rows` (for `party_name`'s position, if any), the cursor on row `cursor`."""
        if columns is not None:
            self.list_columns = list(columns)
        self.rows_shown = list(rows)
        self.party_name = party_name
        self._fill(cursor)
        self.post_message(self.Shown(self, self.highlighted()))

    def _room(self) -> int:
        """The cells the columns share: the list's width less a column kept for its vertical scrollbar (whether it
        shows yet or not, so that the widths stay when it comes)."""
        return max(10, (self.outer_size.width or self.app.size.width // 2) - 1)

    def _fill(self, cursor: int, scroll: bool = True) -> None:
        room = self._room()
        self._fitted_to = room
        self._widths = fit_widths(self.list_columns, self.rows_shown, room, self.lines)
        shown = [n for n, w in enumerate(self._widths) if w is not None]
        last = shown[-1] if shown else -1
        self.clear(columns=True)
        for n in shown:
            width = self._widths[n]
            assert width is not None
            self.add_column(Text(self.list_columns[n].label, style="bold"), key=str(n), width=width + (n != last))
        self._add_rows(0)
        if self.rows_shown:
            self.move_cursor(row=min(cursor, len(self.rows_shown) - 1), scroll=scroll)

    def _add_rows(self, start: int) -> None:
        """Add the rows listed from `start` on, at the widths fitted."""
        del self._heights[start:]
        shown = [(n, width) for n, width in enumerate(self._widths) if width is not None]
        for index in range(start, len(self.rows_shown)):
            row = self.rows_shown[index]
            cells = [
                wrapped(row.cells[n], width, 1 if self.list_columns[n].whole else self.lines) for n, width in shown
            ]
            height = max((cell.plain.count("\n") + 1 for cell in cells), default=1)
            self.add_row(*cells, key=str(index), height=height)
            self._heights.append(height)

    def extend(self, rows: Sequence[Row]) -> None:
        """List `rows` after those listed (the next page of a long list), the cursor and the scroll where they are;
        every row is fitted again only if the new ones need other column widths."""
        start = len(self.rows_shown)
        self.rows_shown.extend(rows)
        if fit_widths(self.list_columns, self.rows_shown, self._room(), self.lines) == self._widths:
            self._add_rows(start)
            return
        top = self.scroll_y
        self._fill(self.cursor_row, scroll=False)
        self.call_after_refresh(self.scroll_to, y=top, animate=False)  # once the rows' heights are known

    def rows_below_view(self) -> int:
        """How many of the rows listed are below the view (scrolled to), by their heights."""
        bottom = self.scroll_y + self.scrollable_content_region.height - (self.header_height if self.show_header else 0)
        end = 0
        for n, height in enumerate(self._heights):
            end += height
            if end > bottom:
                return len(self._heights) - n - 1
        return 0

    def on_resize(self) -> None:
        if self._room() != self._fitted_to and self.list_columns:
            self._fill(self.cursor_row)

    def highlighted(self) -> EvidenceRef | None:
        if not self.rows_shown or self.cursor_row >= len(self.rows_shown):
            return None
        return self.rows_shown[self.cursor_row].evidence

    def select_evidence(self, evidence_id: str) -> bool:
        """Put the cursor on the piece of evidence with this id, if listed."""
        for index, row in enumerate(self.rows_shown):
            if row.evidence is not None and row.evidence.id == evidence_id:
                self.move_cursor(row=index, scroll=True)
                return True
        return False

    @on(DataTable.RowHighlighted)
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self.post_message(self.Shown(self, self.highlighted()))

    @on(DataTable.RowSelected)
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.post_message(self.Picked(self, self.cursor_row))
        ref = self.highlighted()
        if ref is not None:
            self.post_message(self.Opened(self, ref))


# The lists' columns.
DATE = Column("date", 10, 13, whole=True)  # "by 2026-02-05": a recap
WHO = Column("who", 8, 24)
QUOTE = Column("quote", 12)
MOVE = Column("move", 9, 15)
STANCE_REACHED = Column("to", 2, 16, whole=True)
HISTORY_COLUMNS = [DATE, MOVE, STANCE_REACHED, Column("who", 8, 28, drops=1), Column("quote", 16, drops=2)]
STATUS_COLUMNS = [DATE, Column("status from", 11, 17, whole=True), Column("to", 17)]
EVIDENCE_COLUMNS = [DATE, WHO, QUOTE]
MOVE_COLUMNS = [DATE, MOVE, Column("to", 2, 16, drops=1, whole=True), WHO, QUOTE]  # evidence and its move


def evidence_row(ref: EvidenceRef, party_name: str | None) -> Row:
    """A piece of evidence in a list: its date, who, the quote (on one line)."""
    quote = plain(" ".join(ref.quote.split()))
    return Row((Text(said_on_shown(ref)), plain(source_of(ref, party_name)), quote), ref)


def move_row(ref: EvidenceRef, move: str | None, stance_to: Stance | str | None, party_name: str | None) -> Row:
    """A piece of evidence with the move it made and the stance it reached (a move of nothing in brackets)."""
    what = Text(words(move)) if move else muted_text(f"({words(ref.not_applied or ref.mode)})")
    reached = stance_text(stance_to) if stance_to is not None else Text("")
    quote = plain(" ".join(ref.quote.split()))
    source = plain(with_mode(source_of(ref, party_name), ref.mode))  # its mode, where not asserted
    return Row((Text(said_on_shown(ref)), what, reached, source, quote), ref)


class PassageArea(TextArea):
    """An article's text, read-only, with a passage (a quote) selected in it: the passage is brought into view, whole
    where it fits, and kept in view when the area changes size (a header wrapping, a pane filling), until the
    selection is moved."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(read_only=True, soft_wrap=True, show_line_numbers=False, **kwargs)
        self.kept: Selection | None = None  # the passage to keep in view

    def show_passage(self, selection: Selection) -> None:
        """Select `selection` and bring it into view (now, and after every change of size until it is moved)."""
        self.selection = selection
        self.kept = selection
        self.bring_into_view()
        self.call_after_refresh(self.bring_into_view)

    def bring_into_view(self) -> None:
        """Scroll the kept passage into view: centred when it fits, else from its start."""
        if self.kept is None or self.selection != self.kept or not self.size.height:
            return
        start, end = sorted(self.kept)
        first = self.wrapped_document.location_to_offset(start).y
        last = self.wrapped_document.location_to_offset(end).y
        height = self.scrollable_content_region.height
        top = first - (height - (last - first + 1)) // 2 if last - first < height else first
        self.scroll_to(y=max(0, top), animate=False, immediate=True)

    def on_resize(self) -> None:
        self.call_after_refresh(self.bring_into_view)


class QuoteView(Static):
    """The highlighted piece of evidence in full (or what to do when there is none)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.evidence: EvidenceRef | None = None
        self.party_name: str | None = None
        self.empty = ""

    def show(self, evidence: EvidenceRef | None, party_name: str | None = None, empty: str = "") -> None:
        self.evidence, self.party_name, self.empty = evidence, party_name, empty
        self.update(quote_text(evidence, party_name) if evidence is not None else muted_text(empty))

    def restyle(self) -> None:
        self.show(self.evidence, self.party_name, self.empty)


def legend_items(short: bool) -> list[Text]:
    """The key to the matrix, item by item: the marks, then the stance colours."""
    items = [Text.assemble((mark, "bold"), " ", brief if short else line) for mark, _, line, brief in MARKS]
    stances = Text("stance: ", style=muted())
    for n, stance in enumerate(STANCE_ORDER):
        stances.append_text(stance_text(stance))
        stances.append(" " if n < len(STANCE_ORDER) - 1 else "")
    return [*items, stances]


LEGEND_MORE = "l: key"
SEPARATOR = "  "


def _flow(items: list[Text], width: int) -> list[Text]:
    flowed: list[Text] = [Text()]
    for item in items:
        line = flowed[-1]
        if not line.plain:
            line.append_text(item)
        elif cell_len(line.plain) + len(SEPARATOR) + cell_len(item.plain) <= width:
            line.append(SEPARATOR)
            line.append_text(item)
        else:
            flowed.append(item.copy())
    return flowed


def legend_lines(width: int, lines: int) -> list[Text]:
    """The legend in at most `lines` lines of `width`: the fullest that fits, else what fits and `l: key`."""
    for short in (False, True):
        flowed = _flow(legend_items(short), width)
        if len(flowed) <= lines and all(cell_len(line.plain) <= width for line in flowed):
            return flowed
    # Not all of it: as much as fits, then where the rest is.
    more = Text(LEGEND_MORE, style="bold")
    items = legend_items(True)
    for count in range(len(items), -1, -1):
        flowed = _flow([*items[:count], more], width)
        if len(flowed) <= lines and all(cell_len(line.plain) <= width for line in flowed):
            return flowed
    return [more]


class Legend(Widget):
    """The key to the matrix in a line or two (the fullest that fits); `l` shows all of it."""

    DEFAULT_CSS = "Legend { height: auto; padding: 0 1; }"

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.lines = 1

    def set_lines(self, lines: int) -> None:
        if lines != self.lines:
            self.lines = lines
            self.refresh(layout=True)

    def get_content_height(self, container: Any, viewport: Any, width: int) -> int:
        return len(legend_lines(width, self.lines))

    def render(self) -> Text:
        return Text("\n").join(legend_lines(self.content_region.width or self.app.size.width - 2, self.lines))


def legend_in_full() -> Text:
    """Everything the matrix shows, explained: the legend screen and the top of the help."""
    text = Text()
    text.append("Each cell is a party's stance on an issue, as of the date shown:\n", style="bold")
    for stance in STANCE_ORDER:
        text.append("  ")
        text.append_text(stance_text(stance))
        text.append(f"  {STANCE_MEANING[stance]}\n")
    text.append("then the marks:\n", style="bold")
    for mark, full, _, _ in MARKS:
        text.append(f"  {mark}", style="bold")
        text.append(f"  {full}\n")
    text.append(f"  {SUB_ISSUE_MARK}", style="bold")
    text.append("  a sub-issue, under its parent\n")
    text.append("  2026-01-23", style=muted())
    text.append("  the date since which the stance holds\n")
    text.append("Under each issue, its status:\n", style="bold")
    for status in STATUS_ORDER:
        text.append("  ")
        text.append_text(status_text(status))
        text.append(f"  {STATUS_MEANING[status]}\n")
    text.append("The timeline: ", style="bold")
    text.append("┼ a date on which something changed, ● the date shown (◀ ▶ before the first, after the last).\n")
    text.append("Colours come from the theme and only repeat the words; every theme is made legible.", style=muted())
    return text


class TimelineBar(Widget):
    """Where the view stands among the dates on which positions changed; a click picks the nearest."""

    DEFAULT_CSS = "TimelineBar { height: 1; }"

    class Picked(Message):
        def __init__(self, when: date) -> None:
            self.when = when
            super().__init__()

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.dates: list[date] = []
        self.as_of: date | None = None
        self.track: tuple[int, int] = (0, 0)  # first and last column of the track, as last drawn

    def show(self, dates: list[date], as_of: date) -> None:
        self.dates, self.as_of = dates, as_of
        self.refresh()

    def _span(self) -> tuple[date, date] | None:
        """The dates the track covers: the first change to the last (a date outside is shown at an end)."""
        if self.as_of is None:
            return None
        if len(self.dates) >= 2:
            return self.dates[0], self.dates[-1]
        ends = [*self.dates, self.as_of]
        return min(ends), max(ends)

    def _column(self, when: date, first: date, last: date, width: int) -> int:
        days = (last - first).days or 1
        return max(0, min(width - 1, round((when - first).days * (width - 1) / days)))

    def column_of(self, when: date) -> int:
        """The column of the track (from the content's left edge) where the tick of `when` is drawn."""
        span = self._span()
        assert span is not None, "nothing drawn yet"
        start, end = self.track
        return start + self._column(when, span[0], span[1], end - start + 1)

    def where(self) -> str:
        """Where the date shown stands among the change dates, in words."""
        assert self.as_of is not None
        if not self.dates:
            return "no change recorded"
        earlier = sum(1 for d in self.dates if d < self.as_of)
        if self.as_of in self.dates:
            return f"change {earlier + 1} of {len(self.dates)}"
        if earlier == 0:
            return f"before the first of {len(self.dates)} changes"
        if earlier == len(self.dates):
            return f"after the last of {len(self.dates)} changes"
        return f"between changes {earlier} and {earlier + 1} of {len(self.dates)}"

    def render(self) -> Text:
        span = self._span()
        if span is None:
            return Text("")
        first, last = span
        assert self.as_of is not None
        width = max(10, self.size.width - 24)
        track = ["─"] * width
        for when in self.dates:
            track[self._column(when, first, last, width)] = "┼"
        here = self._column(self.as_of, first, last, width)
        marker = "◀" if self.as_of < first else "▶" if self.as_of > last else "●"
        text = Text(f"{first.isoformat()} ")
        self.track = (len(text), len(text) + width - 1)
        track[here] = marker
        faint = muted()
        start = 0
        for n in range(1, width + 1):  # runs of one style: a step of the date draws the bar again
            if n < width and (n == here) == (n - 1 == here) and (track[n] == "┼") == (track[n - 1] == "┼"):
                continue
            run = "".join(track[start:n])
            text.append(run, style="bold reverse" if start == here else "bold" if run[0] == "┼" else faint)
            start = n
        text.append(f" {last.isoformat()}")
        return text

    def on_click(self, event: events.Click) -> None:
        span = self._span()
        start, end = self.track
        offset = event.get_content_offset(self)  # without the padding
        if span is None or not self.dates or offset is None or offset.y != 0 or not start <= offset.x <= end:
            return
        first, last = span
        width = end - start + 1
        nearest = min(self.dates, key=lambda d: abs(self._column(d, first, last, width) - (offset.x - start)))
        self.post_message(self.Picked(nearest))
