"""Screens opened from the matrix: an article with its quote in place, and a diff between two dates."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static, TextArea
from textual.widgets.text_area import Selection
from textual.worker import get_current_worker

from tracker.matrix import ArticleText, article_text
from tracker.output import safe_text
from tracker.queries import DiffReport, EvidenceRef, diff
from tracker.tui.widgets import EvidenceTable, QuoteView, plain, stance_text

if TYPE_CHECKING:
    from tracker.tui.app import TrackerApp

EVIDENCE_PAGE = 100


def inert_with_span(text: str, start: int, end: int) -> tuple[str, int, int]:
    """`text` made inert for display, and where the span [start, end) lands in it."""
    before, quote, after = safe_text(text[:start]), safe_text(text[start:end]), safe_text(text[end:])
    return before + quote + after, len(before), len(before) + len(quote)


def location(text: str, index: int) -> tuple[int, int]:
    """The (line, column) of a character index, as a TextArea counts them."""
    line = text.count("\n", 0, index)
    return line, index - (text.rfind("\n", 0, index) + 1)


class ArticleScreen(Screen[None]):
    """An article's text, read-only, with the quote of one piece of evidence selected in place."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "app.pop_screen", "Back")]

    def __init__(self, evidence: EvidenceRef, known_at: datetime | None) -> None:
        super().__init__()
        self.evidence = evidence
        self.known_at = known_at

    @property
    def tracker(self) -> TrackerApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="article-meta")
        yield TextArea(id="article-text", read_only=True, soft_wrap=True, show_line_numbers=False)
        yield QuoteView(id="article-quote")
        yield Footer()

    def on_mount(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="article", exit_on_error=False)
    def load(self) -> None:
        article = self.tracker.read(article_text, self.evidence.article, self.known_at)
        self.app.call_from_thread(self.show, article)

    def show(self, article: ArticleText) -> None:
        meta = Text()
        meta.append(safe_text(article.title), style="bold")
        meta.append("\n")
        meta.append(safe_text(article.outlet or "outlet not named"))
        meta.append(f" · {article.published_on.isoformat()}")
        if article.date_basis != "stated":
            meta.append(f" ({article.date_basis}", style="italic")
            meta.append(f": {safe_text(article.date_evidence)})" if article.date_evidence else ")", style="italic")
        meta.append(f" · article {safe_text(article.id)}", style="dim")
        self.query_one("#article-meta", Static).update(meta)
        shown, start, end = inert_with_span(article.text, self.evidence.start, self.evidence.end)
        area = self.query_one("#article-text", TextArea)
        area.load_text(shown)
        area.selection = Selection(location(shown, start), location(shown, end))
        area.focus()
        area.scroll_cursor_visible(center=True, animate=False)
        self.query_one("#article-quote", QuoteView).show(self.evidence)


class DiffScreen(Screen[None]):
    """The positions that changed between two dates, from and to, with the evidence that moved them."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "app.pop_screen", "Back")]

    def __init__(
        self,
        date_from: date,
        date_to: date,
        known_at: datetime | None,
        issues: list[str] | None,
        parties: list[str] | None,
    ) -> None:
        super().__init__()
        self.date_from, self.date_to = date_from, date_to
        self.known_at, self.issues, self.parties = known_at, issues, parties
        self.report: DiffReport | None = None

    @property
    def tracker(self) -> TrackerApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="diff-title")
        yield DataTable[Text](id="changes", cursor_type="row", zebra_stripes=True)
        with Vertical(id="diff-evidence-pane"):
            yield Static(id="diff-evidence-title")
            yield EvidenceTable(id="diff-evidence")
            yield QuoteView(id="diff-quote")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#diff-title", Static).update(
            Text(f"Changes from {self.date_from.isoformat()} to {self.date_to.isoformat()} (loading…)", style="bold")
        )
        table = self.query_one("#changes", DataTable)
        table.add_columns("issue", "party", "from", "to", "since", "evidence")
        table.focus()
        self.load()

    @work(thread=True, exclusive=True, group="diff", exit_on_error=False)
    def load(self) -> None:
        report = self.tracker.read(
            diff,
            self.date_from,
            self.date_to,
            self.known_at,
            self.issues,
            self.parties,
            evidence_limit=EVIDENCE_PAGE,
        )
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self.show, report)

    def show(self, report: DiffReport) -> None:
        self.report = report
        count = len(report.changes) + len(report.issue_changes)
        title = Text(f"Changes from {report.date_from.isoformat()} to {report.date_to.isoformat()}", style="bold")
        title.append(f" · {len(report.changes)} position(s), {len(report.issue_changes)} issue status(es)")
        if not count:
            title.append(" · nothing changed", style="italic")
        self.query_one("#diff-title", Static).update(title)
        table = self.query_one("#changes", DataTable)
        table.clear()
        for n, change in enumerate(report.changes):
            table.add_row(
                plain(change.issue),
                plain(change.party),
                stance_text(change.stance_from),
                stance_text(change.stance_to),
                Text(change.since.isoformat() if change.since else ""),
                Text(str(len(change.evidence))),
                key=f"position-{n}",
            )
        for n, issue_change in enumerate(report.issue_changes):
            table.add_row(
                plain(issue_change.issue),
                Text("(issue status)", style="dim"),
                Text(issue_change.status_from),
                Text(issue_change.status_to),
                Text(""),
                Text(str(len(issue_change.evidence))),
                key=f"issue-{n}",
            )
        self._show_evidence(0)

    def _show_evidence(self, row: int) -> None:
        if self.report is None:
            return
        positions = self.report.changes
        title = self.query_one("#diff-evidence-title", Static)
        if row < len(positions):
            change = positions[row]
            evidence = change.evidence
            caption = f"Evidence for {change.issue}/{change.party}: {change.stance_from} → {change.stance_to}"
        elif row - len(positions) < len(self.report.issue_changes):
            issue_change = self.report.issue_changes[row - len(positions)]
            evidence = issue_change.evidence
            caption = f"Evidence for {issue_change.issue}: {issue_change.status_from} → {issue_change.status_to}"
        else:
            evidence, caption = [], "No change selected"
        if len(evidence) >= EVIDENCE_PAGE:
            caption += f" (newest {EVIDENCE_PAGE} shown)"
        title.update(plain(caption + " · Enter on a quote opens its article"))
        self.query_one("#diff-evidence", EvidenceTable).show(evidence)

    @on(DataTable.RowHighlighted, "#changes")
    def _change_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_evidence(event.cursor_row)

    @on(DataTable.RowSelected, "#changes")
    def _change_selected(self) -> None:
        self.query_one("#diff-evidence", EvidenceTable).focus()

    @on(EvidenceTable.Shown)
    def _quote(self, event: EvidenceTable.Shown) -> None:
        self.query_one("#diff-quote", QuoteView).show(event.evidence)

    @on(EvidenceTable.Opened)
    def _open(self, event: EvidenceTable.Opened) -> None:
        self.app.push_screen(ArticleScreen(event.evidence, self.known_at))
