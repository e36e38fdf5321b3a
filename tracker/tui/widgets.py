"""Widgets of the terminal UI: the timeline bar, the position matrix and evidence lists.

Everything from articles or fixtures is untrusted: it reaches the screen only
as `rich.text.Text` built from `safe_text` (never a markup string), so
`[@click=app.quit]` or an escape sequence in a quote shows as what it is.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from rich.cells import cell_len
from rich.text import Text
from textual import events, on
from textual.message import Message
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import DataTable, Static
from textual.widgets.data_table import ColumnKey, RowKey
from textual.worker import Worker, WorkerState

from tracker.domain.errors import TrackerError
from tracker.domain.machines import Stance
from tracker.domain.untrusted import safe_text
from tracker.read.models import Cell, EvidenceRef, Matrix
from tracker.render.output import who

# A word per stance that reads without colour; the colours only repeat it.
STANCE_LABEL = {
    Stance.UNKNOWN: "unknown",
    Stance.DEMANDS: "demands",
    Stance.SUPPORTS: "supports",
    Stance.OPEN: "open",
    Stance.COUNTER_PROPOSAL: "counter",
    Stance.OPPOSES: "opposes",
    Stance.AGREED: "agreed",
}
STANCE_STYLE = {
    Stance.UNKNOWN: "dim",
    Stance.DEMANDS: "bold red3",
    Stance.SUPPORTS: "bold green4",
    Stance.OPEN: "bold dark_goldenrod",
    Stance.COUNTER_PROPOSAL: "bold dark_orange3",
    Stance.OPPOSES: "bold magenta3",
    Stance.AGREED: "bold dodger_blue2",
}
STATUS_STYLE = {
    "not_on_agenda": "dim",
    "deadlocked": "red3",
    "in_play": "dark_goldenrod",
    "converging": "green4",
    "agreed": "dodger_blue2",
}
CHANGED_MARK = "*"
COUNT_MARK = "\u00d7"  # the multiplication sign: "demands, times 3 pieces of evidence"
# Marks of a stance not to take at its word (`tracker.read.briefing.qualifiers` says them in words).
OTHERS_WORD_MARK = "~"  # rests only on another party's report or the outlet's analysis
CONDITION_MARK = "?"  # holds on a condition
CONTESTED_MARK = "!"  # contested: evidence of equal weight disagreed, the stance shown is the one held before
MARKS_LEGEND = f"{OTHERS_WORD_MARK} others' word only · {CONDITION_MARK} on a condition · {CONTESTED_MARK} contested"


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


def stance_text(stance: Stance) -> Text:
    return Text(STANCE_LABEL[stance], style=STANCE_STYLE[stance])


def cell_text(cell: Cell) -> Text:
    """A matrix cell: the stance and its evidence count, then the date since which it holds (marked if today's)."""
    text = stance_text(cell.stance)
    if cell.stance is not Stance.UNKNOWN:
        text.append(f" {COUNT_MARK}{cell.backing}")
    marks = "".join(
        mark
        for mark, shown in (
            (OTHERS_WORD_MARK, cell.basis in ("reported", "analysis")),
            (CONDITION_MARK, cell.condition is not None),
            (CONTESTED_MARK, cell.contested_on is not None),
        )
        if shown
    )
    if marks:
        text.append(f" {marks}", style="bold")
    text.append("\n")
    text.append(cell.since.isoformat() if cell.since else "", style="dim")
    if cell.changed:
        text.append(f" {CHANGED_MARK}", style="bold reverse")
    return text


def status_text(status: str) -> Text:
    return Text(status.replace("_", " "), style=STATUS_STYLE.get(status, ""))


def issue_titles(matrix: Matrix) -> dict[str, str]:
    """Each issue's title as the matrix shows it: a sub-issue under its parent, marked `↳`."""
    return {i.id: f"↳ {i.title}" if i.parent else i.title for i in matrix.catalog.issues}


def issue_text(title: str, status: str, width: int) -> Text:
    text = plain(title)
    text.truncate(width, overflow="ellipsis")  # by cells, so wide characters count double
    text.stylize("bold")
    text.append("\n")
    text.append_text(status_text(status))
    return text


def quote_text(ref: EvidenceRef, party: str | None) -> Text:
    """A piece of evidence in full: the quote, who said it (for `party`'s position), where and when."""
    text = Text()
    text.append("“")
    text.append(safe_text(ref.quote), style="italic")
    text.append("”\n")
    text.append(f"— {safe_text(who(ref, party))}, ", style="bold")
    text.append(safe_text(ref.article_title))
    text.append(f", {ref.date.isoformat()}")
    if ref.condition:
        text.append(f"\non condition: {safe_text(ref.condition)}")
    held_back = ref.not_applied or (ref.mode if ref.mode != "asserted" else None)
    if ref.stance and held_back:
        text.append(f"  [{held_back}: {ref.stance}, moves nothing]", style="dim")
    if ref.note:
        text.append(f"\nnote: {safe_text(ref.note)}", style="dim")
    return text


def cell_width(cell: Cell) -> int:
    return max(cell_len(line) for line in cell_text(cell).plain.split("\n"))


ISSUE_WIDTH = 22  # the issue column: titles are cut to this


def _shape(matrix: Matrix) -> tuple[object, ...]:
    """What the table's rows and columns are built from: anything else is a redraw of cells."""
    return (
        tuple(matrix.issues),
        tuple(matrix.parties),
        tuple((i.id, i.title) for i in matrix.catalog.issues),
        tuple((p.id, p.name) for p in matrix.catalog.parties),
    )


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
        self._built: tuple[object, ...] = ()

    def _widths(self, matrix: Matrix) -> dict[str, int]:
        names = {p.id: p.name for p in matrix.catalog.parties}
        return {
            party: max(
                [cell_len(safe_text(names[party])), *(cell_width(matrix.cells[i][party]) for i in matrix.issues)]
            )
            for party in matrix.parties
        }

    def _page(self, matrix: Matrix, widths: dict[str, int]) -> list[str]:
        room = (self.size.width or self.app.size.width) - (ISSUE_WIDTH + 2) - 2
        self.first_party = max(0, min(self.first_party, len(matrix.parties) - 1))
        page: list[str] = []
        for party in matrix.parties[self.first_party :]:
            room -= widths[party] + 2
            if room < 0 and page:
                break
            page.append(party)
        return page

    def show(self, matrix: Matrix, keep: tuple[str, str | None] | None = None) -> None:
        """Show `matrix`, the cursor staying on the same (issue, party) where it can, or on `keep`."""
        key = (*_shape(matrix), self.first_party)
        if self.shown is not None and key == self._built and self._redraw(matrix):
            self.shown = matrix
            return
        at = keep or self.cursor_position()
        widths = self._widths(matrix)
        if at is not None and at[1] in matrix.parties and at[1] not in self._page(matrix, widths):
            self.first_party = matrix.parties.index(at[1])  # bring the kept party into the page
        self._build(matrix, self._page(matrix, widths), widths, at)
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
                    text = cell_text(cell)
                    if max(cell_len(line) for line in text.plain.split("\n")) > self.columns[ColumnKey(party)].width:
                        return False
                    changed.append((issue, party, text))
        for issue in matrix.issues:
            if matrix.status[issue] != before.status[issue]:
                changed.append((issue, "issue", issue_text(titles[issue], matrix.status[issue], ISSUE_WIDTH)))
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
        names = {p.id: p.name for p in matrix.catalog.parties}
        titles = issue_titles(matrix)
        row, column = self.cursor_coordinate
        self.clear(columns=True)
        label = Text("Issue / status", style="bold")
        if len(page) < len(matrix.parties):  # which parties are columns; the cursor keys move past the edge
            label = Text(f"parties {self.first_party + 1}-{self.first_party + len(page)}/{len(matrix.parties)} ◂▸")
        self.add_column(label, key="issue", width=ISSUE_WIDTH)
        for party in page:
            self.add_column(plain(names[party]), key=party, width=widths[party])
        for issue in matrix.issues:
            cells = [issue_text(titles[issue], matrix.status[issue], ISSUE_WIDTH)]
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


class EvidenceTable(DataTable[Text]):
    """A bounded list of evidence; Enter (or a click on a selected row) opens its article."""

    class Shown(Message):
        """The highlighted piece of evidence changed (None: the list is empty)."""

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

    def __init__(self, *, with_move: bool = False, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.with_move = with_move
        self.evidence: list[EvidenceRef] = []
        self.party: str | None = None

    def on_mount(self) -> None:
        if self.with_move:
            self.add_columns("date", "move", "to", "who", "quote")
        else:
            self.add_columns("date", "who", "quote")

    def show(
        self,
        evidence: list[EvidenceRef],
        party: str | None,
        moves: list[tuple[str, Stance | None]] | None = None,
        cursor: int = 0,
    ) -> None:
        """Show `evidence` of `party`'s position (with each one's move and the stance it reached, if given).

        The cursor starts on row `cursor`.
        """
        self.clear()
        self.evidence = list(evidence)
        self.party = party
        for n, ref in enumerate(self.evidence):
            quote = ref.quote if len(ref.quote) <= 70 else ref.quote[:69] + "…"
            row: list[Text] = [Text(ref.date.isoformat())]
            if self.with_move:
                coded = Stance(ref.stance) if ref.stance else None  # the stance the evidence names
                move, stance_to = moves[n] if moves is not None else (ref.move or f"({ref.mode})", coded)
                row += [Text(move), stance_text(stance_to) if stance_to is not None else Text("")]
            row += [plain(who(ref, party)), plain(quote)]
            self.add_row(*row, key=str(n))
        if self.evidence:
            self.move_cursor(row=min(cursor, len(self.evidence) - 1), scroll=True)
        self.post_message(self.Shown(self, self.highlighted()))

    def highlighted(self) -> EvidenceRef | None:
        if not self.evidence or self.cursor_row >= len(self.evidence):
            return None
        return self.evidence[self.cursor_row]

    @on(DataTable.RowHighlighted)
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self.post_message(self.Shown(self, self.highlighted()))

    @on(DataTable.RowSelected)
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        ref = self.highlighted()
        if ref is not None:
            self.post_message(self.Opened(self, ref))


class QuoteView(Static):
    """The highlighted piece of evidence in full."""

    def show(self, evidence: EvidenceRef | None, party: str | None = None, empty: str = "") -> None:
        self.update(quote_text(evidence, party) if evidence is not None else Text(empty, style="dim"))


class TimelineBar(Widget):
    """Where the view stands among the dates on which positions changed; a click picks the nearest."""

    DEFAULT_CSS = "TimelineBar { height: 2; }"

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
        for n, mark in enumerate(track):
            if n == here:
                text.append(marker, style="bold reverse")
            else:
                text.append(mark, style="bold" if mark == "┼" else "dim")
        text.append(f" {last.isoformat()}\n")
        text.append(f"as of {self.as_of.isoformat()}", style="bold")
        text.append(
            f" · {self.where()} · {CHANGED_MARK} changed that day · {COUNT_MARK}N evidence · {MARKS_LEGEND}",
            style="dim",
        )
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
