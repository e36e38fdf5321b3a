"""The main screen: the position matrix as of a date, time travel, and the selected position's evidence."""

from __future__ import annotations

import gc
from dataclasses import dataclass
from datetime import date, datetime
from functools import partial
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.timer import Timer
from textual.widgets import DataTable, Footer, Static

from tracker.domain.catalog import Catalog
from tracker.domain.dates import moment, shifted
from tracker.domain.files import FileRefused, write_new_file
from tracker.read.briefing import build_report
from tracker.read.browse import change_dates, matrix, position_detail
from tracker.read.models import Matrix, PositionDetail
from tracker.render.markdown import render_markdown
from tracker.tui.dialogs import DatePrompt, DiffPrompt, FilterDialog, KnownAtPrompt
from tracker.tui.screens import EVIDENCE_PAGE, ArticleScreen, DiffScreen, TrackerScreen
from tracker.tui.widgets import EvidenceTable, MatrixTable, QuoteView, TimelineBar

MOST_SHOWN = 1000  # entries of a history or evidence list the panes hold at most (`m` reads a page more)
SHORT = 30  # terminal lines below which the panes give the lists more room than the quote
DETAIL_DELAY = 0.06  # seconds the cursor or date rests before the evidence panes are read


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


class MatrixScreen(TrackerScreen):
    """Issues by parties as of a date; step through the dates on which positions changed."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("[", "step(-1)", "Earlier", tooltip="Go back to the previous date on which something changed"),
        Binding("]", "step(1)", "Later", tooltip="Go forward to the next date on which something changed"),
        Binding("g", "go_to_date", "Go to date", tooltip="Show the positions as of a date you type"),
        Binding("d", "diff", "Diff", tooltip="What changed between two dates, with the evidence"),
        Binding("f", "filter", "Filter", tooltip="Choose the issues and parties shown"),
        Binding("x", "export", "Export", tooltip="Write the positions shown as Markdown in the current folder"),
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
        self.detail_limit = EVIDENCE_PAGE
        self._detail_timer: Timer | None = None
        self.heading = ""  # what the title bar says after the app's title: the date, known-at, filters
        self.view_generation = 0  # bumped when the filters or known-at change
        self.request = 0  # bumped on every read of the matrix

    def compose(self) -> ComposeResult:
        yield Static(id="heading")
        yield TimelineBar(id="timeline")
        yield MatrixTable(id="matrix")
        with Horizontal(id="detail"):
            with Vertical(id="history-pane"):
                yield Static(id="history-title")
                yield EvidenceTable(with_move=True, id="history")
            with Vertical(id="evidence-pane"):
                yield Static(id="evidence-title")
                yield EvidenceTable(id="evidence")
                yield QuoteView(id="quote")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(MatrixTable).focus()
        self.reload()

    def on_resize(self, event: events.Resize) -> None:
        self.set_class(event.size.height < SHORT, "short")  # a short terminal: fewer lines of quote, more rows

    # Loading: every read runs in a worker on its own snapshot, with the view it was asked for; a result
    # arriving after a newer request (another date, filter or known-at) is dropped.

    def view(self) -> View:
        """What the screen shows now, as a worker gets it."""
        return View(self.as_of, self.known_at, self.issues, self.parties, self.view_generation)

    def reload(self) -> None:
        """The filters or known-at changed: read the change dates and the matrix again."""
        self.view_generation += 1
        self.request += 1
        self._read_dates_and_matrix(self.view(), self.request)

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
        self.query_one(TimelineBar).show(self.dates, self.as_of)
        self._show(request, loaded)
        if first:
            self.call_after_refresh(_freeze_what_lives)

    def load_matrix(self) -> None:
        """The date changed: read the matrix as of it."""
        self.request += 1
        self._read_matrix(self.view(), self.request)

    @work(thread=True, exclusive=True, group="matrix", exit_on_error=False)
    def _read_matrix(self, view: View, request: int) -> None:
        loaded = self.tracker.read(view.known_at, matrix, view.as_of, view.issues, view.parties)
        self.app.call_from_thread(self._show, request, loaded)

    def _show(self, request: int, loaded: Matrix) -> None:
        if request != self.request:
            return  # a newer date, filter or known-at was asked for meanwhile
        heading = f"as of {self.as_of.isoformat()}" + (f" · known at {moment(self.known_at)}" if self.known_at else "")
        catalog = loaded.catalog
        if self.issues or self.parties:
            heading += (
                f" · filtered: {len(loaded.issues)} of {len(catalog.issues)} issues,"
                f" {len(loaded.parties)} of {len(catalog.parties)} parties"
            )
        # The screen's own title bar: setting Screen.sub_title would repaint the whole screen on every step.
        self.heading = heading
        self.query_one("#heading", Static).update(Text(f"{self.app.title} — {heading}", style="bold"), layout=False)
        self.query_one(TimelineBar).show(self.dates, self.as_of)
        table = self.query_one(MatrixTable)
        table.show(loaded)
        if table.position_at_cursor() is None:
            if self.known_at is not None and not loaded.issues:
                self._clear_detail(f"Nothing was recorded by {moment(self.known_at)}")
            else:
                self._clear_detail("" if loaded.issues else "No issues in the catalogue")
        self._position_changed()

    def _clear_detail(self, message: str) -> None:
        """Empty the panes below the matrix: no position is selected (or none is known)."""
        self.detail = None
        self.query_one("#history-title", Static).update(Text(message, style="dim"), layout=False)
        self.query_one("#evidence-title", Static).update(Text(""), layout=False)
        self.query_one("#history", EvidenceTable).show([], None)
        self.query_one("#evidence", EvidenceTable).show([], None)
        self.query_one("#quote", QuoteView).show(None)

    @work(thread=True, exclusive=True, group="detail", exit_on_error=False)
    def load_detail(self, view: View, issue: str, party: str, limit: int) -> None:
        detail = self.tracker.read(view.known_at, position_detail, issue, party, view.as_of, limit)
        self.app.call_from_thread(self._show_detail, view, detail)

    def _show_detail(self, view: View, detail: PositionDetail) -> None:
        if view != self.view() or self.query_one(MatrixTable).position_at_cursor() != (detail.issue, detail.party):
            return  # the date, filters, known-at or cursor moved meanwhile
        self.detail = detail
        history = Text(f"History to {detail.as_of.isoformat()}", style="bold")
        history.append(f" · {detail.moves_total} entr{'y' if detail.moves_total == 1 else 'ies'}")
        if detail.moves_total > len(detail.moves):
            history.append(f", newest {len(detail.moves)} (m: more)", style="dim")
        self.query_one("#history-title", Static).update(history, layout=False)
        self.query_one("#history", EvidenceTable).show(
            [m.evidence for m in detail.moves],
            detail.party,
            [(m.move or f"({m.evidence.mode})", m.stance_to) for m in detail.moves],
        )
        evidence = Text(f"{detail.party} on {detail.issue}: {detail.stance.value}", style="bold")
        if detail.since:
            evidence.append(f" since {detail.since.isoformat()}")
        evidence.append(f" · {detail.evidence_total} evidence")
        if detail.evidence_total > len(detail.evidence):
            evidence.append(f", newest {len(detail.evidence)} (m: more)", style="dim")
        evidence.append(" · Enter: article", style="dim")
        self.query_one("#evidence-title", Static).update(evidence, layout=False)
        self.query_one("#evidence", EvidenceTable).show(detail.evidence, detail.party)
        if not detail.evidence:
            self.query_one("#quote", QuoteView).show(None, empty="No evidence: the position is unknown on this date.")

    def showing_selected(self) -> bool:
        """Whether the panes below show the position under the cursor as of the date shown (or none is chosen)."""
        position = self.query_one(MatrixTable).position_at_cursor()
        if position is None:
            return True
        detail = self.detail
        return (
            self._detail_timer is None
            and detail is not None
            and (detail.issue, detail.party) == position
            and detail.as_of == self.as_of
        )

    def _position_changed(self) -> None:
        """Load the selected position's panes once the cursor or the date rests (the matrix draws first)."""
        if self._detail_timer is not None:
            self._detail_timer.stop()
        self._detail_timer = self.set_timer(DETAIL_DELAY, self._load_selected)

    def _load_selected(self) -> None:
        self._detail_timer = None
        position = self.query_one(MatrixTable).position_at_cursor()
        if position is not None:
            self.load_detail(self.view(), *position, self.detail_limit)
        elif self.detail is not None:
            self._clear_detail("Choose a party's cell to see its history and evidence")

    # Events from the widgets.

    @on(DataTable.CellHighlighted, "#matrix")
    def _cell_highlighted(self) -> None:
        self.detail_limit = EVIDENCE_PAGE
        self._position_changed()

    @on(DataTable.CellSelected, "#matrix")
    def _cell_selected(self) -> None:
        self.query_one("#evidence", EvidenceTable).focus()

    @on(EvidenceTable.Shown, "#evidence")
    def _evidence_shown(self, event: EvidenceTable.Shown) -> None:
        if event.evidence is not None:
            self.query_one("#quote", QuoteView).show(event.evidence, event.table.party)

    @on(EvidenceTable.Shown, "#history")
    def _history_shown(self, event: EvidenceTable.Shown) -> None:
        if event.evidence is not None and event.table.has_focus:
            self.query_one("#quote", QuoteView).show(event.evidence, event.table.party)

    @on(EvidenceTable.Opened)
    def _open_article(self, event: EvidenceTable.Opened) -> None:
        self.app.push_screen(ArticleScreen(event.evidence, event.table.party, self.known_at))

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

        def chosen(dates: tuple[date, date] | None) -> None:
            if dates is not None:
                self.app.push_screen(DiffScreen(dates[0], dates[1], self.known_at, self.issues, self.parties))

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
        def chosen(answer: tuple[datetime | None] | None) -> None:
            if answer is not None:
                self.known_at = answer[0]
                self.reload()

        self.app.push_screen(KnownAtPrompt(self.known_at), chosen)

    def action_more(self) -> None:
        """Read another page of a long history or evidence list, up to `MOST_SHOWN` entries."""
        if self.detail is None or (
            self.detail.moves_total <= len(self.detail.moves)
            and self.detail.evidence_total <= len(self.detail.evidence)
        ):
            return
        if self.detail_limit >= MOST_SHOWN:
            self.notify(
                f"The newest {MOST_SHOWN} are shown; `tracker history --issue {self.detail.issue} "
                f"--party {self.detail.party}` lists every move",
                markup=False,
            )
            return
        self.detail_limit += EVIDENCE_PAGE
        self._position_changed()

    def action_focus_matrix(self) -> None:
        self.query_one(MatrixTable).focus()

    def action_export(self) -> None:
        stem = f"positions-{self.as_of.isoformat()}" + ("-filtered" if self.issues or self.parties else "")
        self.export(self.view(), Path.cwd(), stem)

    @work(thread=True, exclusive=True, group="export", exit_on_error=False)
    def export(self, view: View, folder: Path, stem: str) -> None:
        """The view as a Markdown briefing: positions, quotes, moves and sources, as of the date shown.

        Written whole to `stem.md` in `folder`, or `stem-2.md` and so on: never over anything already there.
        """
        briefing = self.tracker.read(view.known_at, build_report, view.as_of, None, view.issues, view.parties)
        try:
            path = write_new_file(folder, stem, ".md", render_markdown(briefing))
        except FileRefused as exc:
            self.app.call_from_thread(partial(self.notify, f"Could not export: {exc}", severity="error", markup=False))
            return
        self.app.call_from_thread(partial(self.notify, f"Wrote {path}", title="Exported", markup=False))
