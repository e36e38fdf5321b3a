"""Screens opened from the matrix: an article with its quote in place, and a diff between two dates."""

from __future__ import annotations

from datetime import date, datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Static
from textual.widgets.text_area import Selection
from textual.worker import Worker, WorkerState, get_current_worker

from tracker.coding import Coding
from tracker.domain.catalog import Catalog
from tracker.domain.dates import moment, since_words
from tracker.domain.errors import TrackerError
from tracker.domain.untrusted import safe_text
from tracker.read.browse import article_text, corpus_folders, ingest_log
from tracker.read.diff import diff
from tracker.read.models import CHANGES_SHOWN, ArticleText, DiffReport, EvidenceRef
from tracker.tui.coding import CodingScreen
from tracker.tui.widgets import (
    MOVE_COLUMNS,
    SHORT,
    Column,
    EvidenceTable,
    PassageArea,
    QuoteView,
    Row,
    citation,
    location,
    move_row,
    muted_text,
    plain,
    report_failure,
    stance_text,
    status_text,
)

if TYPE_CHECKING:
    from tracker.tui.app import TrackerApp

EVIDENCE_PAGE = 100
MORE_WITHIN = 10  # changes from the end of those listed at which the diff reads its next page
COPY = Binding("c", "copy", "Copy", tooltip="Copy the quote shown, with its speaker, article, date and evidence id")


def inert_with_span(text: str, start: int, end: int) -> tuple[str, int, int]:
    """`text` made inert for display, and where the span [start, end) lands in it."""
    before, quote, after = (safe_text(part, keep_lines=True) for part in (text[:start], text[start:end], text[end:]))
    return before + quote + after, len(before), len(before) + len(quote)


def copy_quote(screen: Screen[Any], view: QuoteView) -> None:
    """Copy the piece of evidence `view` shows, with its citation, to the clipboard; say so."""
    if view.evidence is None:
        screen.notify("No quote to copy: highlight a piece of evidence first", timeout=3)
        return
    screen.app.copy_to_clipboard(citation(view.evidence, view.party_name))
    screen.notify(
        f"Copied the quote of evidence {safe_text(view.evidence.id)} with its citation to the clipboard",
        title="Copied",
        timeout=3,
        markup=False,
    )


class TrackerScreen(Screen[None]):
    """A screen of the tracker's app: it reads through the app, and shows what its workers fail at."""

    @property
    def tracker(self) -> TrackerApp:
        return self.app  # type: ignore[return-value]

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        report_failure(self, event)

    def restyle(self) -> None:
        """The theme changed: draw again what is drawn in its colours."""

    def database_changed(self) -> None:
        """Evidence was coded on the coding screen and ingested: read again what is shown."""


class ArticleScreen(TrackerScreen):
    """An article's text, read-only, with the quote of one piece of evidence selected in place (if given)."""

    # A short terminal: the heading keeps to two lines (the title's, and the rest's) and the quote to four, so that
    # the text keeps most of the screen.
    CSS = """
    ArticleScreen.short #article-meta { text-wrap: nowrap; text-overflow: ellipsis; }
    ArticleScreen.short #article-quote-pane { max-height: 4; border-top: none; background: $boost; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Back"),
        COPY,
        Binding(
            "e",
            "code",
            "Code",
            tooltip="Code this article: select quotes, see the move each makes, save into its fixture and ingest",
        ),
    ]

    def __init__(
        self, article: str, evidence: EvidenceRef | None, party_name: str | None, known_at: datetime | None
    ) -> None:
        super().__init__()
        self.article = article
        self.evidence = evidence
        self.party_name = party_name
        self.known_at = known_at
        self.shown: ArticleText | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="article-meta")
        yield PassageArea(id="article-text")
        with VerticalScroll(id="article-quote-pane"):
            yield QuoteView(id="article-quote")
        yield Footer()

    def on_mount(self) -> None:
        self.load()

    def on_resize(self, event: events.Resize) -> None:
        short = event.size.height < SHORT
        if short != self.has_class("short"):
            self.set_class(short, "short")
            if self.shown is not None:
                self.query_one("#article-meta", Static).update(self._meta(self.shown))

    @work(thread=True, exclusive=True, group="article", exit_on_error=False)
    def load(self) -> None:
        article = self.tracker.read(self.known_at, article_text, self.article)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self.show, article)

    def _meta(self, article: ArticleText) -> Text:
        """The article's title, outlet, date and id; on a short terminal in two lines, the title's and the rest's
        (without what the date was inferred from), so that the text keeps its lines."""
        short = self.has_class("short")
        meta = Text()
        meta.append(safe_text(article.title), style="bold")
        meta.append("\n")
        meta.append(safe_text(article.outlet or "outlet not named"))
        meta.append(f" · {article.published_on.isoformat()}")
        if article.date_basis != "stated":
            meta.append(f" ({article.date_basis}", style="italic")
            if article.date_evidence and not short:
                meta.append(f": {safe_text(article.date_evidence)})", style="italic")
            else:
                meta.append(")", style="italic")
        meta.append_text(muted_text(f" · article {safe_text(article.id)}"))
        return meta

    def show(self, article: ArticleText) -> None:
        self.shown = article
        self.query_one("#article-meta", Static).update(self._meta(article))
        area = self.query_one("#article-text", PassageArea)
        if self.evidence is None:
            area.load_text(safe_text(article.text, keep_lines=True))
            area.focus()
            self.query_one("#article-quote", QuoteView).show(None, empty="c copies a quote; Escape goes back")
            return
        shown, start, end = inert_with_span(article.text, self.evidence.start, self.evidence.end)
        area.load_text(shown)
        area.focus()
        area.show_passage(Selection(location(shown, start), location(shown, end)))
        self.query_one("#article-quote", QuoteView).show(self.evidence, self.party_name)

    def action_copy(self) -> None:
        copy_quote(self, self.query_one("#article-quote", QuoteView))

    def action_code(self) -> None:
        self._find_corpus()

    @work(thread=True, exclusive=True, group="coding", exit_on_error=False)
    def _find_corpus(self) -> None:
        """The corpus folders the article was ingested from: those of its text file and of its fixture (as
        recorded, absolute), else those of the ingests, newest first (a fixture not written yet)."""
        article_file, fixture_file = self.tracker.read(None, corpus_folders, self.article)
        candidates: list[tuple[Path, Path]] = []
        if article_file and fixture_file:
            candidates.append((Path(article_file).parent, Path(fixture_file).parent))
        log = self.tracker.read(None, ingest_log)
        for record in reversed(log.ingests):
            seeds = Path(article_file).parent if article_file else Path(record.seeds)
            candidates.append((seeds, Path(record.fixtures)))
        for seeds, fixtures in dict.fromkeys(candidates):  # ingests from the same folders are tried once
            if not ((seeds / "articles.yaml").is_file() and fixtures.is_dir()):
                continue  # a feed, or folders since moved
            try:
                coding = Coding(seeds, fixtures, self.article, self.tracker.database)
            except TrackerError:
                continue
            self.app.call_from_thread(self.app.push_screen, CodingScreen(coding), self._coded)
            return
        self.app.call_from_thread(
            self.notify,
            f"No corpus folder the database was ingested from holds article {safe_text(self.article)} (it came from a "
            "feed, or its folders moved): code it with `tracker code ARTICLE --seeds DIR --fixtures DIR`",
            title="Cannot code here",
            severity="warning",
            timeout=8,
            markup=False,
        )

    def _coded(self, changed: bool | None) -> None:
        if changed:
            self.load()  # the text is the same; the quote shown may have been edited
            for screen in self.app.screen_stack:
                if isinstance(screen, TrackerScreen):
                    screen.database_changed()

    def restyle(self) -> None:
        self.query_one("#article-quote", QuoteView).restyle()


CHANGE_COLUMNS = [
    Column("issue", 10, 40),
    Column("party", 7, 24),
    Column("from", 4, 17, whole=True),
    Column("to", 2, 17, whole=True),
    Column("since", 10, 13, whole=True),
    Column("evidence", 8, 8, whole=True),
]


class DiffScreen(TrackerScreen):
    """The positions that changed between two dates, from and to, with the evidence that moved them.

    The changes are read a page at a time (`CHANGES_SHOWN`): the first when the screen opens, the next when the
    list is scrolled, or its cursor moved, near the end of those listed; the title says how many of how many.
    """

    # A short terminal: the quote keeps to four lines, for the lists.
    CSS = "DiffScreen.short #diff-quote-pane { max-height: 4; border-top: none; background: $boost; }"

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "app.pop_screen", "Back"), COPY]

    def __init__(
        self,
        date_from: date,
        date_to: date,
        known_at: datetime | None,
        issues: list[str] | None,
        parties: list[str] | None,
        catalog: Catalog | None = None,
    ) -> None:
        super().__init__()
        self.date_from, self.date_to = date_from, date_to
        self.known_at, self.issues, self.parties = known_at, issues, parties
        self.titles = {i.id: i.title for i in catalog.issues} if catalog else {}
        self.names = {p.id: p.name for p in catalog.parties} if catalog else {}
        self.report: DiffReport | None = None  # the pages read so far, joined
        self.generation = 0  # bumped when the first page is read again (the database changed)
        self.reading_more = False  # a page is being read
        self._page_reader: Worker[None] | None = None  # the worker reading it

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="diff-title")
        yield EvidenceTable(CHANGE_COLUMNS, lines=2, id="changes")  # names wrap rather than being cut
        with Vertical(id="diff-evidence-pane"):
            yield Static(id="diff-evidence-title", classes="pane-title")
            yield EvidenceTable(MOVE_COLUMNS, id="diff-evidence")
        with VerticalScroll(id="diff-quote-pane"):
            yield QuoteView(id="diff-quote")
        yield Footer()

    def on_resize(self, event: events.Resize) -> None:
        self.set_class(event.size.height < SHORT, "short")

    def on_mount(self) -> None:
        self.query_one("#diff-title", Static).update(
            Text(f"Changes from {self.date_from.isoformat()} to {self.date_to.isoformat()} (loading…)", style="bold")
        )
        changes = self.query_one("#changes", EvidenceTable)
        changes.focus()
        self.watch(changes, "scroll_y", self._read_more_if_near_the_end, init=False)
        self.load()

    def database_changed(self) -> None:
        self.load()

    def load(self) -> None:
        """Read the first page of changes (again)."""
        self.generation += 1
        self.reading_more = True
        self._page_reader = self._read_page(self.generation, 0)

    @work(thread=True, exclusive=True, group="diff", exit_on_error=False)
    def _read_page(self, generation: int, offset: int) -> None:
        self.tracker.read_then(
            self.known_at,
            self,
            partial(self._page_read, generation, offset),
            diff,
            self.date_from,
            self.date_to,
            self.issues,
            self.parties,
            EVIDENCE_PAGE,
            CHANGES_SHOWN,
            offset,
        )

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A page that could not be read (TrackerScreen's handler says why): scrolling near the end asks again."""
        if event.worker is self._page_reader and event.state in (WorkerState.ERROR, WorkerState.CANCELLED):
            self.reading_more = False
            self._show_title()

    def _page_read(self, generation: int, offset: int, page: DiffReport) -> None:
        if generation != self.generation:
            return  # the first page was asked for again meanwhile
        self.reading_more = False
        if offset == 0 or self.report is None:
            self.show(page)
        else:
            self._append(page)
        self._read_more_if_near_the_end()

    def listed(self) -> int:
        """How many changes are listed: the pages read so far."""
        report = self.report
        return 0 if report is None else len(report.changes) + len(report.contested) + len(report.issue_changes)

    def _read_more_if_near_the_end(self, _: float | None = None) -> None:
        """Read the next page if the list shows, or its cursor is on, one of the last `MORE_WITHIN` changes listed."""
        report, listed = self.report, self.listed()
        if report is None or self.reading_more or listed >= report.changes_total:
            return
        changes = self.query_one("#changes", EvidenceTable)
        if changes.cursor_row < listed - MORE_WITHIN and changes.rows_below_view() > MORE_WITHIN:
            return
        self.reading_more = True
        self._page_reader = self._read_page(self.generation, listed)
        self._show_title()

    def title_of(self, issue: str) -> str:
        return self.titles.get(issue, issue)

    def name_of(self, party: str) -> str:
        return self.names.get(party, party)

    def _show_title(self) -> None:
        report = self.report
        if report is None:
            return
        title = Text(f"Changes from {report.date_from.isoformat()} to {report.date_to.isoformat()}", style="bold")
        listed = self.listed()
        if listed < report.changes_total:
            title.append(f" · {listed} of {report.changes_total} changes")
            title.append_text(muted_text(" (reading more…)" if self.reading_more else " (scroll for more)"))
        else:
            positions = "1 position" if len(report.changes) == 1 else f"{len(report.changes)} positions"
            statuses = (
                "1 issue status" if len(report.issue_changes) == 1 else f"{len(report.issue_changes)} issue statuses"
            )
            title.append(f" · {positions}, {statuses}")
            if report.contested:
                title.append(f", {len(report.contested)} newly contested")
            if not listed:
                title.append(" · nothing changed", style="italic")
        if self.known_at is not None:
            title.append(f" · as recorded by {moment(self.known_at)}", style="italic")
        self.query_one("#diff-title", Static).update(title)

    def _rows(self, report: DiffReport) -> list[Row]:
        """A page's changes as rows: the positions, those newly contested, then the issues."""
        rows = [
            Row(
                (
                    plain(self.title_of(change.issue)),
                    plain(self.name_of(change.party)),
                    stance_text(change.stance_from),
                    stance_text(change.stance_to),
                    Text(str(since_words(change.since, change.since_exact) or "")),
                    Text(str(change.evidence_total if change.evidence_total is not None else len(change.evidence))),
                )
            )
            for change in report.changes
        ]
        rows += [
            Row(
                (
                    plain(self.title_of(contested.issue)),
                    plain(self.name_of(contested.party)),
                    stance_text(contested.stance),
                    Text("contested", style="bold"),
                    Text(contested.contested.on.isoformat()),
                    Text(str(len(contested.contested.evidence))),
                )
            )
            for contested in report.contested
        ]
        rows += [
            Row(
                (
                    plain(self.title_of(issue_change.issue)),
                    muted_text("(the issue)"),
                    status_text(issue_change.status_from),
                    status_text(issue_change.status_to),
                    # The day of its last status change (as history shows it), not its newest evidence.
                    Text(issue_change.steps[-1].date.isoformat() if issue_change.steps else ""),
                    Text(str(issue_change.evidence_total or len(issue_change.evidence))),
                )
            )
            for issue_change in report.issue_changes
        ]
        return rows

    def show(self, report: DiffReport) -> None:
        """Show `report`'s changes (the first page, or every page read: a new theme), the cursor where it was."""
        self.report = report
        self._show_title()
        changes = self.query_one("#changes", EvidenceTable)
        row = changes.cursor_row if changes.rows_shown else 0
        changes.show(self._rows(report), cursor=row)
        self._show_evidence(changes.cursor_row)

    def _append(self, page: DiffReport) -> None:
        """The next page: its changes listed after those shown (in the diff's order, each kind after the last)."""
        assert self.report is not None
        report = self.report
        self.report = report.model_copy(
            update={
                "changes": [*report.changes, *page.changes],
                "contested": [*report.contested, *page.contested],
                "issue_changes": [*report.issue_changes, *page.issue_changes],
                "changes_total": page.changes_total,
            }
        )
        self.query_one("#changes", EvidenceTable).extend(self._rows(page))
        self._show_title()

    def _show_evidence(self, row: int) -> None:
        if self.report is None:
            return
        positions, contested = self.report.changes, self.report.contested
        issue_changes = self.report.issue_changes
        title = self.query_one("#diff-evidence-title", Static)
        party: str | None = None
        caption = Text()
        total: int | None = None
        if row < len(positions):
            change = positions[row]
            evidence, party, total = change.evidence, self.name_of(change.party), change.evidence_total
            caption.append_text(plain(f"{party} on {self.title_of(change.issue)}: "))
            caption.append_text(stance_text(change.stance_from))
            caption.append(" → ")
            caption.append_text(stance_text(change.stance_to))
            moves = [move_row(e, e.move, e.stance, party) for e in evidence]
        elif row - len(positions) < len(contested):
            held = contested[row - len(positions)]
            evidence, party = held.contested.evidence, self.name_of(held.party)
            caption.append_text(plain(f"{party} on {self.title_of(held.issue)}: "))
            caption.append_text(stance_text(held.stance))
            caption.append(
                f" held, contested since {held.contested.on.isoformat()}: evidence of equal weight disagrees"
            )
            moves = [move_row(e, e.move, e.stance, party) for e in evidence]
        elif row - len(positions) - len(contested) < len(issue_changes):
            issue_change = issue_changes[row - len(positions) - len(contested)]
            evidence, total = issue_change.evidence, issue_change.evidence_total
            caption.append_text(plain(f"{self.title_of(issue_change.issue)}: "))
            caption.append_text(status_text(issue_change.status_from))
            caption.append(" → ")
            caption.append_text(status_text(issue_change.status_to))
            moves = [move_row(e, e.move, e.stance, None) for e in evidence]
        else:
            evidence, moves = [], []
            caption.append("No change selected")
        if total is not None and total > len(evidence):
            caption.append(f" (newest {len(evidence)} of {total})")
        if evidence:
            caption.append_text(muted_text(" · Enter: article"))
        title.update(caption)
        # Start on the newest move that changed the stance (not a later reaffirmation).
        changing = next((n for n, e in enumerate(evidence) if e.move not in (None, "reaffirm")), 0)
        self.query_one("#diff-evidence", EvidenceTable).show(moves, party, cursor=changing)
        if not evidence:
            self.query_one("#diff-quote", QuoteView).show(None)

    @on(EvidenceTable.Shown, "#changes")
    def _change_highlighted(self, event: EvidenceTable.Shown) -> None:
        event.stop()
        self._show_evidence(event.table.cursor_row)
        self._read_more_if_near_the_end()

    @on(EvidenceTable.Shown, "#diff-evidence")
    def _quote(self, event: EvidenceTable.Shown) -> None:
        if event.evidence is not None:
            self.query_one("#diff-quote", QuoteView).show(event.evidence, event.table.party_name)

    @on(EvidenceTable.Opened, "#diff-evidence")
    def _open(self, event: EvidenceTable.Opened) -> None:
        self.app.push_screen(
            ArticleScreen(event.evidence.article, event.evidence, event.table.party_name, self.known_at)
        )

    @on(EvidenceTable.Picked, "#changes")
    def _change_picked(self) -> None:
        self.query_one("#diff-evidence", EvidenceTable).focus()

    def action_copy(self) -> None:
        copy_quote(self, self.query_one("#diff-quote", QuoteView))

    def restyle(self) -> None:
        if self.report is not None:
            self.show(self.report)
