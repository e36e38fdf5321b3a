"""The main screen: the position matrix as of a date, time travel, and the selected position's evidence.

Below the matrix, the selected cell's history (a position's moves, or an
issue's status changes) and its evidence (behind the stance, or the
issue-level evidence), each a list of its own sized to the terminal, and the
highlighted piece of evidence in full. A wide terminal puts the history beside
the matrix and gives the evidence list the whole width.
"""

from __future__ import annotations

import gc
from bisect import bisect_left, bisect_right
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date, datetime
from functools import partial
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import ActiveBinding, Binding, BindingType
from textual.containers import Container, Vertical, VerticalScroll
from textual.timer import Timer
from textual.widgets import DataTable, Footer, Static
from textual.worker import get_current_worker

from tracker.domain.catalog import Catalog
from tracker.domain.dates import moment, shifted, since_phrase
from tracker.domain.files import FileRefused, write_new_file
from tracker.domain.untrusted import safe_text
from tracker.read.briefing import build_report
from tracker.read.browse import change_dates, ingest_log, matrix, position_detail
from tracker.read.history import issue_history
from tracker.read.lookup import ArticleHit, EvidenceHit
from tracker.read.models import EvidenceRef, IngestLog, Matrix, PositionDetail, StatusStep, conditions_shown
from tracker.read.reading import Reading
from tracker.render.report import render_report
from tracker.tui.dialogs import (
    FORMATS,
    DatePrompt,
    DiffPrompt,
    ExportDialog,
    FilterDialog,
    KnownAtPrompt,
    LegendScreen,
    SearchScreen,
)
from tracker.tui.screens import EVIDENCE_PAGE, ArticleScreen, DiffScreen, TrackerScreen, copy_quote
from tracker.tui.widgets import (
    EVIDENCE_COLUMNS,
    HISTORY_COLUMNS,
    SHORT,
    STATUS_COLUMNS,
    EvidenceTable,
    Legend,
    MatrixTable,
    QuoteView,
    Row,
    TimelineBar,
    evidence_row,
    move_row,
    muted,
    muted_text,
    narrow_footer,
    natural_width,
    plain,
    stance_text,
    status_text,
)

MOST_SHOWN = 1000  # entries of a history or evidence list the panes hold at most (`m` reads a page more)
WIDE = 150  # terminal columns from which the history goes beside the matrix (if the matrix leaves it room)
HISTORY_ROOM = 70  # columns the history needs beside the matrix
FULL_FOOTER = 110  # terminal columns from which the footer shows every key (narrower: the essential ones)
NARROW_HIDDEN = {"copy", "export"}  # keys the footer leaves to the help when narrow
DETAIL_DELAY = 0.06  # seconds the cursor or date rests before the evidence panes are read
MATRICES_KEPT = 4  # matrices kept for steps of the date: those last shown and the one read ahead


def _freeze_what_lives() -> None:
    """After the first frame: what the app has built lives as long as it does.

    Keep it out of the cyclic collector's full passes, which otherwise land on steps of the date (about 7 ms
    of a step's median at a million pieces of evidence); the garbage of the start (a first-run ingest) is
    collected first.
    """
    gc.collect()
    gc.freeze()


@dataclass(frozen=True)
class View:
    """The view a worker reads for: taken on the UI thread when the request is made."""

    as_of: date
    known_at: datetime | None
    issues: list[str] | None
    parties: list[str] | None
    generation: int


@dataclass(frozen=True)
class IssueDetail:
    """The issue cell: the issue's status changes up to the date, and its issue-level evidence, newest first."""

    issue: str
    as_of: date
    steps: list[StatusStep]
    evidence: list[EvidenceRef]
    evidence_total: int


def issue_detail(reading: Reading, issue: str, as_of: date, limit: int) -> IssueDetail:
    """One issue as of `as_of`, from one reading."""
    histories = issue_history(reading, [issue], as_of)
    found, totals = reading.issue_evidence(as_of, [issue], limit)
    steps = histories[0].statuses if histories else []
    return IssueDetail(issue, as_of, list(reversed(steps)), found.get(issue, []), totals.get(issue, 0))


def _count_evidence(caption: Text, what: str, shown: int, total: int) -> None:
    """A list's caption goes on with how much evidence there is, how much is shown, and that Enter opens it."""
    caption.append(f" · {_count(total, 'piece', 'pieces')} of {what}")
    if total > shown:
        caption.append(f", newest {shown} (m: more)", style=muted())
    if shown:
        caption.append(" · Enter: article", style=muted())


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


class MatrixScreen(TrackerScreen):
    """Issues by parties as of a date; step through the dates on which positions changed."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("[", "step(-1)", "Earlier", tooltip="Go back to the previous date on which something changed"),
        Binding("]", "step(1)", "Later", tooltip="Go forward to the next date on which something changed"),
        Binding("g", "go_to_date", "Go to date", tooltip="Show the positions as of a date you type"),
        Binding("d", "diff", "Diff", tooltip="What changed between two dates, with the evidence"),
        Binding("f", "filter", "Filter", tooltip="Choose the issues and parties shown"),
        Binding(
            "slash",
            "search",
            "Search",
            tooltip="Search quotes, speakers, notes and article titles; go to the position or open the article",
        ),
        Binding("c", "copy", "Copy", tooltip="Copy the quote shown, with its speaker, article, date and evidence id"),
        Binding("x", "export", "Export", tooltip="Write the positions shown as Markdown or HTML in the current folder"),
        Binding("l", "legend", "Key", tooltip="What the colours and marks of the matrix mean", show=False),
        Binding("n", "today", "Today", tooltip="Show the positions as of today", show=False),
        Binding("k", "known_at", "Known at", tooltip="Answer as the tracker would have at a recorded time", show=False),
        Binding("m", "more", "More", tooltip="Read 100 more entries of a long history or evidence list", show=False),
        Binding("escape", "focus_matrix", "Matrix", tooltip="Back to the matrix", show=False),
    ]

    def __init__(self, as_of: date, known_at: datetime | None) -> None:
        super().__init__()
        self.as_of = as_of
        self.known_at = known_at
        self.issues: list[str] | None = None  # None: every issue of the catalogue
        self.parties: list[str] | None = None
        self.catalog: Catalog | None = None
        self.dates: list[date] = []
        self.detail: PositionDetail | None = None
        self.issue_detail: IssueDetail | None = None
        self.detail_limit = EVIDENCE_PAGE
        self._detail_timer: Timer | None = None
        self.heading = ""  # what the title bar says after the app's title: the date, known-at, filters
        self.view_generation = 0  # bumped when the filters or known-at change
        self.request = 0  # bumped on every read of the matrix
        self.pending: tuple[str, str | None, str | None] | None = None  # a cell (and evidence) to go to
        self._matrix_width = 0  # the widest the matrix has been, beside the history (wide terminals)
        self._heading_lines = 0
        # Matrices read, by (date, view generation): a step to one is drawn at once, then read again.
        self.matrices: OrderedDict[tuple[date, int], Matrix] = OrderedDict()
        self.read_ahead = True  # read the next change date the way the date last stepped, once a step has landed
        self.direction = -1  # that way: back in time (-1) or forward (+1)

    def compose(self) -> ComposeResult:
        yield Static(id="heading")
        yield TimelineBar(id="timeline")
        yield Legend(id="legend")
        with Container(id="body"):
            yield MatrixTable(id="matrix")
            with Vertical(id="history-pane"):
                yield Static(id="history-title", classes="pane-title")
                yield EvidenceTable(HISTORY_COLUMNS, id="history")
            with Vertical(id="evidence-pane"):
                yield Static(id="evidence-title", classes="pane-title")
                yield EvidenceTable(EVIDENCE_COLUMNS, id="evidence")
        with VerticalScroll(id="quote-pane"):
            yield QuoteView(id="quote")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(MatrixTable).focus()
        self.reload()

    def on_resize(self, event: events.Resize) -> None:
        self._arrange()
        self.refresh_bindings()  # the footer shows fewer keys when narrow

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        """The keys the footer shows: in a narrow terminal, the essential ones (the help lists every key)."""
        bindings = super().active_bindings
        return bindings if self.size.width >= FULL_FOOTER else narrow_footer(bindings, NARROW_HIDDEN)

    def _arrange(self) -> None:
        """Lay the panes out for the terminal's size: the matrix's height, the history beside the matrix in a
        wide terminal (else beside the evidence), the short terminal's one-line legend."""
        width, height = self.size.width or self.app.size.width, self.size.height or self.app.size.height
        short = height < SHORT
        self.set_class(short, "short")
        self.query_one(Legend).set_lines(1 if short else 2)
        footer = self.query_one(Footer)
        footer.show_command_palette = width >= FULL_FOOTER
        footer.compact = width < FULL_FOOTER  # a cell less around each key, for the help key to say there are more
        table = self.query_one(MatrixTable)
        shown = table.shown
        issues = len(shown.issues) if shown is not None else 5
        matrix_height = max(5, min(1 + 2 * max(issues, 1), int(height * 0.5)))
        body = self.query_one("#body", Container)
        wide = False
        if shown is not None and width >= WIDE:
            self._matrix_width = max(self._matrix_width, natural_width(shown))
            wide = self._matrix_width <= width - HISTORY_ROOM
        body.set_class(wide, "wide")
        if wide:
            body.styles.grid_columns = f"{self._matrix_width} 1fr"
        else:
            history = max(40, min(64, round(width * 0.4)))
            body.styles.grid_columns = f"{history} 1fr"
        body.styles.grid_rows = f"{matrix_height} 1fr"

    # Loading: every read runs in a worker on its own snapshot, with the view it was asked for; a result
    # arriving after a newer request (another date, filter or known-at) is dropped. Stepping the date, the next
    # change date the same way is read ahead once a step has landed, so that the next step is drawn at once; a
    # matrix drawn from what was read before is read again straight after, and redrawn if that differs (an
    # ingest meanwhile).

    def view(self) -> View:
        """What the screen shows now, as a worker gets it."""
        return View(self.as_of, self.known_at, self.issues, self.parties, self.view_generation)

    def reload(self) -> None:
        """The filters or known-at changed: read the change dates and the matrix again."""
        self.view_generation += 1
        self.request += 1
        self._matrix_width = 0
        self.matrices.clear()
        self._read_dates_and_matrix(self.view(), self.request)

    def database_changed(self) -> None:
        self.reload()

    @work(thread=True, exclusive=True, group="dates", exit_on_error=False)
    def _read_dates_and_matrix(self, view: View, request: int) -> None:
        dates = self.tracker.read(view.known_at, change_dates, view.issues, view.parties)
        loaded = self.tracker.read(view.known_at, matrix, view.as_of, view.issues, view.parties)
        self.app.call_from_thread(self._reloaded, view, request, dates, loaded)

    def _reloaded(self, view: View, request: int, dates: list[date], loaded: Matrix) -> None:
        if view.generation != self.view_generation:
            return  # the filters or known-at changed again meanwhile
        first = self.catalog is None
        self.dates = dates
        self.catalog = loaded.catalog
        self._keep(view, loaded)
        self._show(request, loaded)  # the timeline bar too
        if first:
            self.call_after_refresh(_freeze_what_lives)
        ahead = self._next_date(view)
        if ahead:
            self.call_after_refresh(self._read_matrices, view, None, ahead)

    def load_matrix(self) -> None:
        """The date changed: show the matrix as of it, at once if it was read ahead, and read it."""
        self.request += 1
        view = self.view()
        kept = self.matrices.get((view.as_of, view.generation))
        if kept is None:
            self._read_matrices(view, self.request, [view.as_of, *self._next_date(view)])
            return
        self.matrices.move_to_end((view.as_of, view.generation))
        self._show(self.request, kept)
        self.call_after_refresh(self._read_again, view, self.request)

    def _read_again(self, view: View, request: int) -> None:
        """After the frame drawn from what was read before: the date read again (redrawn if anything changed
        since), and the next one ahead; unless another date was asked for meanwhile."""
        if request == self.request:
            self._read_matrices(view, request, [view.as_of, *self._next_date(view)])

    def _next_date(self, view: View) -> list[date]:
        """The change date next to the one shown the way the date last stepped, to read ahead ([]: none, or it
        is kept)."""
        if not self.read_ahead:
            return []
        if self.direction < 0:
            earlier = bisect_left(self.dates, view.as_of)
            ahead = self.dates[earlier - 1] if earlier else None
        else:
            later = bisect_right(self.dates, view.as_of)
            ahead = self.dates[later] if later < len(self.dates) else None
        return [ahead] if ahead is not None and (ahead, view.generation) not in self.matrices else []

    @work(thread=True, exclusive=True, group="matrix", exit_on_error=False)
    def _read_matrices(self, view: View, request: int | None, dates: list[date]) -> None:
        """Read the matrix as of each date in one snapshot (the second finds the pages the first read in memory),
        each handed to the screen as soon as it is read: the one as of `view` for `request` (None: only kept)."""
        worker = get_current_worker()

        def each(reading: Reading) -> None:
            for n, when in enumerate(dates):
                if n and worker.is_cancelled:
                    return  # another date was asked for: read ahead from there
                loaded = matrix(reading, when, view.issues, view.parties)
                self.call_later(self._matrix_read, view, request if when == view.as_of else None, loaded)

        self.tracker.read(view.known_at, each)

    def _matrix_read(self, view: View, request: int | None, loaded: Matrix) -> None:
        if view.generation != self.view_generation:
            return  # the filters or known-at changed meanwhile
        self._keep(view, loaded)
        if request != self.request:
            return  # read ahead, or a newer date was asked for meanwhile
        shown = self.query_one(MatrixTable).shown
        if shown is None or shown != loaded:  # else: drawn from what was read before, and nothing changed since
            self._show(request, loaded)

    def _keep(self, view: View, loaded: Matrix) -> None:
        key = (loaded.as_of, view.generation)
        self.matrices[key] = loaded
        self.matrices.move_to_end(key)
        while len(self.matrices) > MATRICES_KEPT:
            self.matrices.popitem(last=False)

    def _heading(self, loaded: Matrix) -> str:
        catalog = loaded.catalog
        heading = f"as of {self.as_of.isoformat()}"
        if self.known_at:
            heading += f" · known at {moment(self.known_at)}"
        if self.known_at and not catalog.issues:
            return heading + f": nothing was recorded by {moment(self.known_at)} (k: another time)"
        heading += f" · {self.query_one(TimelineBar).where()}"
        if self.issues or self.parties:
            heading += (
                f" · filtered: {len(loaded.issues)} of {len(catalog.issues)} issues,"
                f" {len(loaded.parties)} of {len(catalog.parties)} parties"
            )
        return heading

    def _show(self, request: int, loaded: Matrix) -> None:
        if request != self.request:
            return  # a newer date, filter or known-at was asked for meanwhile
        self.query_one(TimelineBar).show(self.dates, self.as_of)
        self.heading = self._heading(loaded)
        # The screen's own title bar: setting Screen.sub_title would repaint the whole screen on every step; a
        # new layout only when the heading takes another number of lines.
        heading = Text(f"{self.app.title} — {self.heading}", style="bold")
        lines = -(-heading.cell_len // max(1, self.size.width or self.app.size.width))
        self.query_one("#heading", Static).update(heading, layout=lines != self._heading_lines)
        self._heading_lines = lines
        table = self.query_one(MatrixTable)
        keep = None
        if self.pending is not None and self.pending[0] in loaded.issues:
            keep = (self.pending[0], self.pending[1])
        table.show(loaded, keep)
        self._arrange()
        if table.cursor_position() is None:
            if self.known_at is not None and not loaded.catalog.issues:
                self._clear_detail(f"Nothing was recorded by {moment(self.known_at)}: k chooses another time")
            else:
                self._clear_detail("" if loaded.issues else "No issues in the catalogue")
        self._position_changed()

    def _names(self) -> tuple[dict[str, str], dict[str, str]]:
        """Issue titles and party names, by id."""
        if self.catalog is None:
            return {}, {}
        return {i.id: i.title for i in self.catalog.issues}, {p.id: p.name for p in self.catalog.parties}

    def _clear_detail(self, message: str) -> None:
        """Empty the panes below the matrix: nothing is selected (or nothing is known)."""
        self.detail = None
        self.issue_detail = None
        self.query_one("#history-title", Static).update(muted_text(message), layout=False)
        self.query_one("#evidence-title", Static).update(Text(""), layout=False)
        self.query_one("#history", EvidenceTable).show([], None, columns=HISTORY_COLUMNS)
        self.query_one("#evidence", EvidenceTable).show([], None)
        self.query_one(QuoteView).show(None)

    @work(thread=True, exclusive=True, group="detail", exit_on_error=False)
    def load_detail(self, view: View, issue: str, party: str, limit: int) -> None:
        self.tracker.read_then(
            view.known_at, self, partial(self._show_detail, view), position_detail, issue, party, view.as_of, limit
        )

    @work(thread=True, exclusive=True, group="detail", exit_on_error=False)
    def load_issue_detail(self, view: View, issue: str, limit: int) -> None:
        self.tracker.read_then(
            view.known_at, self, partial(self._show_issue_detail, view), issue_detail, issue, view.as_of, limit
        )

    def _show_detail(self, view: View, detail: PositionDetail) -> None:
        if view != self.view() or self.query_one(MatrixTable).cursor_position() != (detail.issue, detail.party):
            return  # the date, filters, known-at or cursor moved meanwhile
        self.detail, self.issue_detail = detail, None
        self._draw_detail()

    def _draw_detail(self) -> None:
        detail = self.detail
        assert detail is not None
        titles, names = self._names()
        party = names.get(detail.party, detail.party)
        subject = f"{party} on {titles.get(detail.issue, detail.issue)}"
        history = Text("History", style="bold")
        history.append(f" · {_count(detail.moves_total, 'move', 'moves')} to {detail.as_of.isoformat()}")
        if detail.moves_total > len(detail.moves):
            history.append(f", newest {len(detail.moves)} (m: more)", style=muted())
        history.append(" · ")
        history.append_text(plain(subject))
        self.query_one("#history-title", Static).update(history, layout=False)
        rows = [move_row(m.evidence, m.move, m.stance_to, party) for m in detail.moves]
        self.query_one("#history", EvidenceTable).show(rows, party, columns=HISTORY_COLUMNS)
        evidence = plain(subject)
        evidence.stylize("bold")
        evidence.append(": ")
        evidence.append_text(stance_text(detail.stance))
        if detail.since:
            evidence.append(f" {since_phrase(detail.since, detail.since_exact)}")
        _count_evidence(evidence, "evidence", len(detail.evidence), detail.evidence_total)
        self.query_one("#evidence-title", Static).update(evidence, layout=False)
        self.query_one("#evidence", EvidenceTable).show([evidence_row(e, party) for e in detail.evidence], party)
        if not detail.evidence:
            self.query_one(QuoteView).show(None, empty="No evidence: the position is unknown on this date.")
        self._go_to_pending_evidence()

    def _show_issue_detail(self, view: View, detail: IssueDetail) -> None:
        if view != self.view() or self.query_one(MatrixTable).cursor_position() != (detail.issue, None):
            return
        self.detail, self.issue_detail = None, detail
        self._draw_issue_detail()

    def _draw_issue_detail(self) -> None:
        detail = self.issue_detail
        assert detail is not None
        titles, _ = self._names()
        title = titles.get(detail.issue, detail.issue)
        table = self.query_one(MatrixTable)
        status = table.shown.status.get(detail.issue, "") if table.shown is not None else ""
        history = Text("Status history", style="bold")
        history.append(f" · {_count(len(detail.steps), 'change', 'changes')} to {detail.as_of.isoformat()} · ")
        history.append_text(plain(title))
        self.query_one("#history-title", Static).update(history, layout=False)
        rows = [
            Row((Text(step.date.isoformat()), status_text(step.status_from), status_text(step.status_to)))
            for step in detail.steps
        ]
        self.query_one("#history", EvidenceTable).show(rows, None, columns=STATUS_COLUMNS)
        evidence = plain(title)
        evidence.stylize("bold")
        evidence.append(": ")
        evidence.append_text(status_text(status))
        conditional = table.shown.conditional.get(detail.issue, []) if table.shown is not None else []
        if conditional:
            names = {p.id: p.name for p in table.shown.catalog.parties} if table.shown is not None else {}
            evidence.append_text(plain(f" (conditional: {conditions_shown(conditional, names)})"))
        _count_evidence(evidence, "issue-level evidence", len(detail.evidence), detail.evidence_total)
        self.query_one("#evidence-title", Static).update(evidence, layout=False)
        self.query_one("#evidence", EvidenceTable).show([evidence_row(e, None) for e in detail.evidence], None)
        if not detail.evidence:
            proposition = ""
            if self.catalog is not None and detail.issue in self.catalog.issue_ids():
                proposition = safe_text(self.catalog.issue(detail.issue).proposition)
            self.query_one(QuoteView).show(
                None, empty=f"The proposition: {proposition}\nNo issue-level evidence by this date."
            )
        self._go_to_pending_evidence()

    def _go_to_pending_evidence(self) -> None:
        """After a search: the piece of evidence found, highlighted in the list that has it."""
        if self.pending is None:
            return
        _, _, evidence_id = self.pending
        self.pending = None
        if evidence_id is None:
            return
        for pane in ("#evidence", "#history"):
            table = self.query_one(pane, EvidenceTable)
            if table.select_evidence(evidence_id):
                table.focus()
                return

    def showing_selected(self) -> bool:
        """Whether the panes below show the cell under the cursor as of the date shown (or none is chosen)."""
        position = self.query_one(MatrixTable).cursor_position()
        if position is None:
            return True
        if self._detail_timer is not None:
            return False
        if position[1] is None:
            shown = self.issue_detail
            return shown is not None and shown.issue == position[0] and shown.as_of == self.as_of
        detail = self.detail
        return detail is not None and (detail.issue, detail.party) == position and detail.as_of == self.as_of

    def _position_changed(self) -> None:
        """Load the selected cell's panes once the cursor or the date rests (the matrix draws first)."""
        if self._detail_timer is not None:
            self._detail_timer.stop()
        self._detail_timer = self.set_timer(DETAIL_DELAY, self._load_selected)

    def _load_selected(self) -> None:
        self._detail_timer = None
        position = self.query_one(MatrixTable).cursor_position()
        if position is None:
            if self.detail is not None or self.issue_detail is not None:
                self._clear_detail("")
            return
        issue, party = position
        if party is None:
            self.load_issue_detail(self.view(), issue, self.detail_limit)
        else:
            self.load_detail(self.view(), issue, party, self.detail_limit)

    def restyle(self) -> None:
        """The theme changed: everything drawn in its colours is drawn again."""
        self.query_one(MatrixTable).restyle()
        self.query_one(Legend).refresh(layout=True)
        self.query_one(TimelineBar).refresh()
        if self.detail is not None:
            self._draw_detail()
        elif self.issue_detail is not None:
            self._draw_issue_detail()
        self.query_one(QuoteView).restyle()

    # Events from the widgets.

    @on(DataTable.CellHighlighted, "#matrix")
    def _cell_highlighted(self) -> None:
        if self.showing_selected() and (self.detail is not None or self.issue_detail is not None):
            return  # the panes show this cell already (a rebuilt matrix put the cursor back on it)
        self.detail_limit = EVIDENCE_PAGE
        self._position_changed()

    @on(DataTable.CellSelected, "#matrix")
    def _cell_selected(self) -> None:
        self.query_one("#evidence", EvidenceTable).focus()

    @on(EvidenceTable.Shown, "#evidence")
    def _evidence_shown(self, event: EvidenceTable.Shown) -> None:
        if event.evidence is not None:
            self.query_one(QuoteView).show(event.evidence, event.table.party_name)

    @on(EvidenceTable.Shown, "#history")
    def _history_shown(self, event: EvidenceTable.Shown) -> None:
        if event.evidence is not None and event.table.has_focus:
            self.query_one(QuoteView).show(event.evidence, event.table.party_name)

    @on(EvidenceTable.Opened)
    def _open_article(self, event: EvidenceTable.Opened) -> None:
        self.app.push_screen(
            ArticleScreen(event.evidence.article, event.evidence, event.table.party_name, self.known_at)
        )

    @on(TimelineBar.Picked)
    def _picked(self, event: TimelineBar.Picked) -> None:
        self.go_to(event.when)

    # Actions.

    def go_to(self, when: date) -> None:
        if when != self.as_of:
            self.as_of = when
            self.load_matrix()

    def action_step(self, direction: int) -> None:
        """Go to the previous (-1) or next (+1) date on which some shown position changed."""
        if direction < 0:
            earlier = [d for d in self.dates if d < self.as_of]
            target = earlier[-1] if earlier else None
        else:
            later = [d for d in self.dates if d > self.as_of]
            target = later[0] if later else None
        if target is None:
            self.notify("No earlier change" if direction < 0 else "No later change", timeout=2)
            return
        self.direction = direction
        self.go_to(target)

    def action_today(self) -> None:
        self.go_to(self.tracker.today())

    def action_go_to_date(self) -> None:
        def chosen(when: date | None) -> None:
            if when is not None:
                self.go_to(when)

        self.app.push_screen(DatePrompt(self.as_of), chosen)

    def action_diff(self) -> None:
        """Ask for two dates; by default, from before the latest change shown to the date shown."""
        latest = [d for d in self.dates if d <= self.as_of]
        earlier = [d for d in self.dates if latest and d < latest[-1]]
        default_from = earlier[-1] if earlier else (shifted(latest[-1], -1) if latest else self.as_of)
        catalog = self.catalog

        def chosen(dates: tuple[date, date] | None) -> None:
            if dates is not None:
                self.app.push_screen(DiffScreen(dates[0], dates[1], self.known_at, self.issues, self.parties, catalog))

        self.app.push_screen(DiffPrompt(default_from, self.as_of), chosen)

    def action_filter(self) -> None:
        if self.catalog is None:
            return
        catalog = self.catalog

        def chosen(selection: tuple[list[str], list[str]] | None) -> None:
            if selection is None:
                return
            issues, parties = selection
            self.issues = None if issues == catalog.issue_ids() else issues
            self.parties = None if parties == catalog.party_ids() else parties
            self.reload()

        self.app.push_screen(
            FilterDialog(catalog, self.issues or catalog.issue_ids(), self.parties or catalog.party_ids()), chosen
        )

    def action_known_at(self) -> None:
        self._read_ingests()

    @work(thread=True, exclusive=True, group="ingests", exit_on_error=False)
    def _read_ingests(self) -> None:
        log = self.tracker.read(None, ingest_log)
        self.app.call_from_thread(self._ask_known_at, log)

    def _ask_known_at(self, log: IngestLog) -> None:
        def chosen(answer: tuple[datetime | None] | None) -> None:
            if answer is not None:
                self.known_at = answer[0]
                self.reload()

        self.app.push_screen(KnownAtPrompt(self.known_at, log.ingests), chosen)

    def action_more(self) -> None:
        """Read another page of a long history or evidence list, up to `MOST_SHOWN` entries."""
        if self.detail is not None:
            shown, total = (
                (len(self.detail.moves), len(self.detail.evidence)),
                (
                    self.detail.moves_total,
                    self.detail.evidence_total,
                ),
            )
            everything = f"{_count(total[0], 'move', 'moves')} and {_count(total[1], 'piece', 'pieces')} of evidence"
        elif self.issue_detail is not None:
            shown, total = (0, len(self.issue_detail.evidence)), (0, self.issue_detail.evidence_total)
            everything = f"{_count(total[1], 'piece', 'pieces')} of issue-level evidence"
        else:
            self.notify("Nothing selected: choose a cell of the matrix", timeout=3)
            return
        if shown[0] >= total[0] and shown[1] >= total[1]:
            self.notify(f"Nothing more: all {everything} are shown", timeout=3)
            return
        if self.detail_limit >= MOST_SHOWN:
            command = f"tracker history --issue {self.detail.issue} --party {self.detail.party}" if self.detail else ""
            self.notify(
                f"The newest {MOST_SHOWN} are shown" + (f"; `{command}` lists every move" if command else ""),
                markup=False,
            )
            return
        self.detail_limit += EVIDENCE_PAGE
        self._position_changed()

    def action_focus_matrix(self) -> None:
        self.query_one(MatrixTable).focus()

    def action_legend(self) -> None:
        self.app.push_screen(LegendScreen())

    def action_copy(self) -> None:
        copy_quote(self, self.query_one(QuoteView))

    # Search: quotes, speakers, notes and article titles; go to the position, or open the article.

    def action_search(self) -> None:
        self.app.push_screen(SearchScreen(self.known_at, self.catalog), self._found)

    def _found(self, found: EvidenceHit | ArticleHit | None) -> None:
        if isinstance(found, ArticleHit):
            self.app.push_screen(ArticleScreen(found.id, None, None, self.known_at))
        elif isinstance(found, EvidenceHit):
            self.jump_to(found.issue, found.party, found.evidence)

    def jump_to(self, issue: str, party: str | None, evidence: EvidenceRef) -> None:
        """Put the cursor on the position (or the issue) a piece of evidence is about, and highlight it there;
        to its date if it was said after the date shown, without the filters if they hide it."""
        table = self.query_one(MatrixTable)
        shown = table.shown
        hidden = shown is not None and (issue not in shown.issues or (party is not None and party not in shown.parties))
        self.pending = (issue, party, evidence.id)
        if hidden:
            self.issues = self.parties = None
            self.notify("The filter hid it: every issue and party is shown again", timeout=4)
        if evidence.date > self.as_of:
            self.as_of = evidence.date
            self.notify(f"Gone to {evidence.date.isoformat()}, when it was said", timeout=4)
            if hidden:
                self.reload()
            else:
                self.load_matrix()
        elif hidden:
            self.reload()
        elif shown is not None:
            table.show(shown, keep=(issue, party))
            table.focus()
            self.detail_limit = EVIDENCE_PAGE
            self._position_changed()

    # Export: the view as a briefing, Markdown or HTML.

    def action_export(self) -> None:
        stem = f"positions-{self.as_of.isoformat()}" + ("-filtered" if self.issues or self.parties else "")
        filters = self.filters_in_words()

        def chosen(fmt: str | None) -> None:
            if fmt is not None:
                self.export(self.view(), Path.cwd(), stem, fmt, filters)

        self.app.push_screen(ExportDialog(stem, Path.cwd(), filters), chosen)

    def filters_in_words(self) -> str | None:
        """The filters, by name ("only the issues Peacekeepers and the parties Russia, Ukraine"); None when
        unfiltered."""
        if not (self.issues or self.parties):
            return None
        titles, names = self._names()
        parts = []
        if self.issues:
            parts.append("the issues " + ", ".join(titles.get(i, i) for i in self.issues))
        if self.parties:
            parts.append("the parties " + ", ".join(names.get(p, p) for p in self.parties))
        return safe_text("only " + " and ".join(parts))

    @work(thread=True, exclusive=True, group="export", exit_on_error=False)
    def export(self, view: View, folder: Path, stem: str, fmt: str, filters: str | None) -> None:
        """The view as a briefing: positions, quotes, moves and sources, as of the date shown.

        Written whole to `stem.md` (or `.html`) in `folder`, or `stem-2.md` and so on: never over anything
        already there. A filtered briefing says its filters (the report does), and so does the notification.
        """
        report = self.tracker.read(view.known_at, build_report, view.as_of, None, view.issues, view.parties)
        name, suffix = FORMATS[fmt]
        try:
            path = write_new_file(folder, stem, suffix, render_report(report, fmt))
        except FileRefused as exc:
            self.app.call_from_thread(partial(self.notify, f"Could not export: {exc}", severity="error", markup=False))
            return
        said = f"Wrote {path} ({name}, {filters or 'every issue and party'})"
        self.app.call_from_thread(partial(self.notify, said, title="Exported", markup=False))
