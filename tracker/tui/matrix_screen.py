"""The main screen: the position matrix as of a date, time travel, and the selected position's evidence."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import DataTable, Footer, Header, Static
from textual.worker import get_current_worker

from tracker.catalog import Catalog
from tracker.matrix import Matrix, PositionDetail, change_dates, matrix, position_detail
from tracker.output import moment, render
from tracker.queries import state
from tracker.tui.dialogs import DatePrompt, DiffPrompt, FilterDialog, KnownAtPrompt
from tracker.tui.screens import EVIDENCE_PAGE, ArticleScreen, DiffScreen
from tracker.tui.widgets import EvidenceTable, MatrixTable, QuoteView, TimelineBar

if TYPE_CHECKING:
    from tracker.tui.app import TrackerApp


DETAIL_DELAY = 0.06  # seconds the cursor or date rests before the evidence panes are read


class MatrixScreen(Screen[None]):
    """Issues by parties as of a date; step through the dates on which positions changed."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("[", "step(-1)", "Earlier", tooltip="Go back to the previous date on which a position changed"),
        Binding("]", "step(1)", "Later", tooltip="Go forward to the next date on which a position changed"),
        Binding("g", "go_to_date", "Go to date"),
        Binding("n", "today", "Today"),
        Binding("d", "diff", "Diff"),
        Binding("f", "filter", "Filter"),
        Binding("k", "known_at", "Known at"),
        Binding("m", "more", "More evidence", show=False),
        Binding("x", "export", "Export"),
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

    @property
    def tracker(self) -> TrackerApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Header()
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

    # Loading: every read runs in a worker on its own snapshot; the newest request wins.

    @work(thread=True, exclusive=True, group="dates", exit_on_error=False)
    def reload(self) -> None:
        """Read the change dates (for the filters and known-at in force), then the matrix."""
        dates = self.tracker.read(change_dates, self.known_at, self.issues, self.parties)
        loaded = self.tracker.read(matrix, self.as_of, self.known_at, self.issues, self.parties)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._reloaded, dates, loaded)

    def _reloaded(self, dates: list[date], loaded: Matrix) -> None:
        self.dates = dates
        self.catalog = loaded.catalog
        self._show(loaded)

    @work(thread=True, exclusive=True, group="matrix", exit_on_error=False)
    def load_matrix(self) -> None:
        loaded = self.tracker.read(matrix, self.as_of, self.known_at, self.issues, self.parties)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show, loaded)

    def _show(self, loaded: Matrix) -> None:
        if loaded.as_of != self.as_of or loaded.known_at != self.known_at:
            return  # a newer date was asked for meanwhile
        self.sub_title = f"as of {self.as_of.isoformat()}" + (
            f" · known at {moment(self.known_at)}" if self.known_at else ""
        )
        self.query_one(TimelineBar).show(self.dates, self.as_of)
        table = self.query_one(MatrixTable)
        table.show(loaded)
        if not loaded.issues:
            self.query_one("#history-title", Static).update(Text("No issues in the catalogue", style="dim"))
        self._position_changed()

    @work(thread=True, exclusive=True, group="detail", exit_on_error=False)
    def load_detail(self, issue: str, party: str) -> None:
        detail = self.tracker.read(position_detail, issue, party, self.as_of, self.known_at, self.detail_limit)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show_detail, detail)

    def _show_detail(self, detail: PositionDetail) -> None:
        if detail.as_of != self.as_of or self.query_one(MatrixTable).position_at_cursor() != (
            detail.issue,
            detail.party,
        ):
            return
        self.detail = detail
        history = Text(f"History to {detail.as_of.isoformat()}", style="bold")
        history.append(f" · {detail.moves_total} entr{'y' if detail.moves_total == 1 else 'ies'}")
        if detail.moves_total > len(detail.moves):
            history.append(f", newest {len(detail.moves)} (m: more)", style="dim")
        self.query_one("#history-title", Static).update(history)
        self.query_one("#history", EvidenceTable).show(
            [m.evidence for m in detail.moves],
            [(m.move or f"({m.evidence.mode})", m.stance_from.value, m.stance_to.value) for m in detail.moves],
        )
        evidence = Text(f"{detail.issue} · {detail.party} · {detail.stance.value}", style="bold")
        if detail.since:
            evidence.append(f" since {detail.since.isoformat()}")
        evidence.append(f" · {detail.evidence_total} piece(s) of evidence")
        if detail.evidence_total > len(detail.evidence):
            evidence.append(f", newest {len(detail.evidence)} (m: more)", style="dim")
        evidence.append(" · Enter: article", style="dim")
        self.query_one("#evidence-title", Static).update(evidence)
        self.query_one("#evidence", EvidenceTable).show(detail.evidence)
        if not detail.evidence:
            self.query_one("#quote", QuoteView).show(None, "No evidence: the position is unknown on this date.")

    def _position_changed(self) -> None:
        """Load the selected position's panes once the cursor or the date rests (the matrix draws first)."""
        if self._detail_timer is not None:
            self._detail_timer.stop()
        self._detail_timer = self.set_timer(DETAIL_DELAY, self._load_selected)

    def _load_selected(self) -> None:
        self._detail_timer = None
        position = self.query_one(MatrixTable).position_at_cursor()
        if position is not None:
            self.load_detail(*position)

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
            self.query_one("#quote", QuoteView).show(event.evidence)

    @on(EvidenceTable.Shown, "#history")
    def _history_shown(self, event: EvidenceTable.Shown) -> None:
        if event.evidence is not None and self.query_one("#history", EvidenceTable).has_focus:
            self.query_one("#quote", QuoteView).show(event.evidence)

    @on(EvidenceTable.Opened)
    def _open_article(self, event: EvidenceTable.Opened) -> None:
        self.app.push_screen(ArticleScreen(event.evidence, self.known_at))

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
        earlier = [d for d in self.dates if d < self.as_of]
        default_from = earlier[-1] if earlier else self.as_of

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
        if self.detail is not None and (
            self.detail.moves_total > len(self.detail.moves) or self.detail.evidence_total > len(self.detail.evidence)
        ):
            self.detail_limit += EVIDENCE_PAGE
            self._position_changed()

    def action_export(self) -> None:
        self.export(Path.cwd() / f"positions-{self.as_of.isoformat()}.md")

    @work(thread=True, exclusive=True, group="export", exit_on_error=False)
    def export(self, path: Path) -> None:
        """The positions shown, as of the date shown, as a markdown table with their sources."""
        report = self.tracker.read(state, self.as_of, self.known_at, self.issues, self.parties)
        try:
            path.write_text(render(report, "md"), encoding="utf-8")
        except OSError as exc:
            self.app.call_from_thread(self.notify, f"Could not write {path}: {exc.strerror}", severity="error")
            return
        self.app.call_from_thread(self.notify, f"Wrote {path}", title="Exported")

    def selected_position(self) -> tuple[str, str] | None:
        return self.query_one(MatrixTable).position_at_cursor()
