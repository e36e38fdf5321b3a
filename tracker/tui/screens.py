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
from textual.worker import Worker, get_current_worker

from tracker.domain.untrusted import safe_text
from tracker.read.browse import article_text
from tracker.read.diff import diff
from tracker.read.models import ArticleText, DiffReport, EvidenceRef
from tracker.tui.widgets import EvidenceTable, QuoteView, plain, report_failure, stance_text, status_text

if TYPE_CHECKING:
    from tracker.tui.app import TrackerApp

EVIDENCE_PAGE = 100


def inert_with_span(text: str, start: int, end: int) -> tuple[str, int, int]:
    """`text` made inert for display, and where the span [start, end) lands in it."""
    before, quote, after = (safe_text(part, keep_lines=True) for part in (text[:start], text[start:end], text[end:]))
    return before + quote + after, len(before), len(before) + len(quote)


def location(text: str, index: int) -> tuple[int, int]:
    """The (line, column) of a character index, as a TextArea counts them."""
    line = text.count("\n", 0, index)
    return line, index - (text.rfind("\n", 0, index) + 1)


class TrackerScreen(Screen[None]):
    """A screen of the tracker's app: it reads through the app, and shows what its workers fail at."""

    @property
    def tracker(self) -> TrackerApp:
        return self.app  # type: ignore[return-value]

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        report_failure(self, event)


class ArticleScreen(TrackerScreen):
    """An article's text, read-only, with the quote of one piece of evidence selected in place."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "app.pop_screen", "Back")]

    def __init__(self, evidence: EvidenceRef, party: str | None, known_at: datetime | None) -> None:
        super().__init__()
        self.evidence = evidence
        self.party = party
        self.known_at = known_at

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
        article = self.tracker.read(self.known_at, article_text, self.evidence.article)
        if not get_current_worker().is_cancelled:
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
        self.query_one("#article-quote", QuoteView).show(self.evidence, self.party)


class DiffScreen(TrackerScreen):
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

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="diff-title")
        yield DataTable[Text](id="changes", cursor_type="row", zebra_stripes=True)
        with Vertical(id="diff-evidence-pane"):
            yield Static(id="diff-evidence-title")
            yield EvidenceTable(with_move=True, id="diff-evidence")
            yield QuoteView(id="diff-quote")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#diff-title", Static).update(
            Text(f"Changes from {self.date_from.isoformat()} to {self.date_to.isoformat()} (loading…)", style="bold")
        )
        table = self.query_one("#changes", DataTable)
        for label, width in (("issue", 22), ("party", 16), ("from", 13), ("to", 13), ("since", 10), ("evidence", 8)):
            table.add_column(label, width=width)  # fixed: rows arrive from a worker, after the first layout
        table.focus()
        self.load()

    @work(thread=True, exclusive=True, group="diff", exit_on_error=False)
    def load(self) -> None:
        report = self.tracker.read(
            self.known_at, diff, self.date_from, self.date_to, self.issues, self.parties, evidence=EVIDENCE_PAGE
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
                Text(str(change.evidence_total if change.evidence_total is not None else len(change.evidence))),
                key=f"position-{n}",
            )
        for n, issue_change in enumerate(report.issue_changes):
            newest = issue_change.evidence[0].date.isoformat() if issue_change.evidence else ""
            table.add_row(
                plain(issue_change.issue),
                Text("(issue status)", style="dim"),
                status_text(issue_change.status_from),
                status_text(issue_change.status_to),
                Text(newest),
                Text(str(issue_change.evidence_total or len(issue_change.evidence))),
                key=f"issue-{n}",
            )
        self._show_evidence(0)

    def _show_evidence(self, row: int) -> None:
        if self.report is None:
            return
        positions = self.report.changes
        title = self.query_one("#diff-evidence-title", Static)
        party: str | None = None
        if row < len(positions):
            change = positions[row]
            evidence, party = change.evidence, change.party
            caption = f"{change.party} on {change.issue}: {change.stance_from} → {change.stance_to}"
        elif row - len(positions) < len(self.report.issue_changes):
            issue_change = self.report.issue_changes[row - len(positions)]
            evidence = issue_change.evidence
            caption = f"{issue_change.issue}: {issue_change.status_from} → {issue_change.status_to}"
        else:
            evidence, caption = [], "No change selected"
        totals = [c.evidence_total for c in positions] + [c.evidence_total for c in self.report.issue_changes]
        total = totals[row] if row < len(totals) else None
        if total is not None and total > len(evidence):
            caption += f" (newest {len(evidence)} of {total})"
        title.update(plain(caption + " · Enter: article"))
        # Start on the newest move that changed the stance (not a later reaffirmation).
        changing = next((n for n, e in enumerate(evidence) if e.move not in (None, "reaffirm")), 0)
        self.query_one("#diff-evidence", EvidenceTable).show(evidence, party, cursor=changing)

    @on(DataTable.RowHighlighted, "#changes")
    def _change_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_evidence(event.cursor_row)

    @on(DataTable.RowSelected, "#changes")
    def _change_selected(self) -> None:
        self.query_one("#diff-evidence", EvidenceTable).focus()

    @on(EvidenceTable.Shown)
    def _quote(self, event: EvidenceTable.Shown) -> None:
        self.query_one("#diff-quote", QuoteView).show(event.evidence, event.table.party)

    @on(EvidenceTable.Opened)
    def _open(self, event: EvidenceTable.Opened) -> None:
        self.app.push_screen(ArticleScreen(event.evidence, event.table.party, self.known_at))
