"""Dialogs of the terminal UI: typed dates, the diff's two dates, filters, and the keys.

Each is a modal screen that dismisses with its answer (None when cancelled
with Escape); dates are parsed by `tracker.domain.dates`, as on the command line.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widgets import Button, Input, Label, OptionList, SelectionList, Static
from textual.widgets.option_list import Option
from textual.widgets.selection_list import Selection
from textual.worker import Worker, get_current_worker

from tracker.domain.catalog import Catalog
from tracker.domain.dates import moment, parse_date, parse_recorded_time
from tracker.read.lookup import ArticleHit, EvidenceHit, SearchResult, search
from tracker.read.models import IngestRecord, said_on_shown
from tracker.tui.widgets import (
    Column,
    EvidenceTable,
    Row,
    legend_in_full,
    muted_text,
    plain,
    report_failure,
    source_of,
)

if TYPE_CHECKING:
    from tracker.tui.app import TrackerApp


class FieldProblem(ValueError):
    """What is wrong with the answer, and in which field (counted from 0)."""

    def __init__(self, field: int, message: str) -> None:
        super().__init__(message)
        self.field = field


def _dates(values: list[str]) -> list[date]:
    parsed = []
    for n, value in enumerate(values):
        try:
            parsed.append(parse_date(value))
        except ValueError as exc:
            raise FieldProblem(n, str(exc)) from None
    return parsed


class _Prompt(ModalScreen[Any]):
    """Inputs, a line for what is wrong with them, Enter to accept, Escape to cancel."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, fields: list[tuple[str, str]], hint: str) -> None:
        super().__init__()
        self.prompt_title = title
        self.fields = fields  # (label, initial value)
        self.hint = hint

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Text(self.prompt_title, style="bold"))
            for n, (label, value) in enumerate(self.fields):
                yield Label(label)
                yield Input(value=value, id=f"field-{n}")
            yield Static(Text(self.hint, style="dim"), id="problem")

    def values(self) -> list[str]:
        return [self.query_one(f"#field-{n}", Input).value for n in range(len(self.fields))]

    def answer(self) -> Any:
        raise NotImplementedError

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        # Enter in any field accepts the whole dialog (Tab moves between fields): what the hint says.
        inputs = list(self.query(Input))
        try:
            self.dismiss(self.answer())
        except ValueError as exc:
            self.query_one("#problem", Static).update(Text(str(exc), style="bold red"))
            inputs[exc.field if isinstance(exc, FieldProblem) else 0].focus()  # where to correct it

    def action_cancel(self) -> None:
        self.dismiss(None)


class DatePrompt(_Prompt):
    """A date to go to."""

    def __init__(self, initial: date) -> None:
        super().__init__("Go to date", [("Date (YYYY-MM-DD)", initial.isoformat())], "Enter to go, Escape to cancel")

    def answer(self) -> date:
        return _dates(self.values())[0]


class DiffPrompt(_Prompt):
    """The two dates of a diff."""

    def __init__(self, date_from: date, date_to: date) -> None:
        super().__init__(
            "Compare positions between two dates",
            [("From (YYYY-MM-DD)", date_from.isoformat()), ("To (YYYY-MM-DD)", date_to.isoformat())],
            "Enter to compare, Tab to the other date, Escape to cancel",
        )

    def answer(self) -> tuple[date, date]:
        first, second = _dates(self.values())
        if first > second:
            raise FieldProblem(0, f"From ({first}) is after To ({second})")
        return first, second


def ingest_in_words(record: IngestRecord) -> str:
    """What one ingest did, briefly."""
    done = [f"+{record.evidence_added} evidence", f"+{record.articles_added} articles"]
    if record.evidence_edited:
        done.append(f"{record.evidence_edited} edited")
    if record.evidence_removed:
        done.append(f"{record.evidence_removed} removed")
    return ", ".join(done)


class KnownAtPrompt(_Prompt):
    """The recorded time to answer as of: typed, or picked among the times ingests were recorded."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        Binding("down", "to_list", "The recorded times", show=False),
    ]
    EVERYTHING = "everything"

    def __init__(self, initial: datetime | None, ingests: list[IngestRecord] | None = None) -> None:
        shown = moment(initial) if initial else ""
        super().__init__(
            "Known at: as recorded by a time",
            [("Date or ISO datetime (empty: everything recorded)", shown)],
            "Answers as the tracker would have then. Enter applies, ↓ the recorded times, Escape cancels",
        )
        self.ingests = list(reversed(ingests or []))  # newest first

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield Label(Text(self.prompt_title, style="bold"))
            label, value = self.fields[0]
            yield Label(label)
            yield Input(value=value, id="field-0")
            yield Label(
                Text(
                    f"Recorded times ({len(self.ingests)} ingest{'' if len(self.ingests) == 1 else 's'}; "
                    "Enter picks one):"
                )
            )
            options = [Option(Text("everything recorded (now)"), id=self.EVERYTHING)]
            for n, record in enumerate(self.ingests):
                line = Text(moment(record.recorded_at), style="bold")
                line.append_text(muted_text(f"  {ingest_in_words(record)}"))
                options.append(Option(line, id=str(n)))
            yield OptionList(*options, id="recorded")
            yield Static(Text(self.hint), id="problem")

    def action_to_list(self) -> None:
        times = self.query_one("#recorded", OptionList)
        times.focus()
        if times.highlighted is None:
            times.highlighted = 0

    @on(OptionList.OptionHighlighted, "#recorded")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if not event.option_list.has_focus:
            return  # not the user's choice (the list highlighting its first time on its own)
        chosen = self._time_of(event.option.id)
        self.query_one(Input).value = moment(chosen) if chosen else ""

    @on(OptionList.OptionSelected, "#recorded")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss((self._time_of(event.option.id),))

    def _time_of(self, option: str | None) -> datetime | None:
        if option is None or option == self.EVERYTHING:
            return None
        return self.ingests[int(option)].recorded_at

    def answer(self) -> tuple[datetime | None]:
        text = self.values()[0].strip()
        return (parse_recorded_time(text) if text else None,)


FORMATS = {"md": ("Markdown", ".md"), "html": ("HTML", ".html")}


class ExportDialog(ModalScreen[str | None]):
    """The export's format: Markdown or HTML, with where it goes and the filters it keeps."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        Binding("m", "pick('md')", "Markdown", show=False),
        Binding("h", "pick('html')", "HTML", show=False),
    ]

    def __init__(self, stem: str, folder: Path, filters: str | None) -> None:
        super().__init__()
        self.stem, self.folder, self.filters = stem, folder, filters

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Text("Export the view as a briefing", style="bold"))
            yield OptionList(
                *[Option(Text(f"{name}  {self.stem}{suffix}"), id=fmt) for fmt, (name, suffix) in FORMATS.items()],
                id="formats",
            )
            yield Label(plain(f"in {self.folder} (never over an earlier export)"))
            yield Label(plain(f"Filtered: {self.filters}") if self.filters else Text("Every issue and party shown"))
            yield Static(muted_text("Enter writes it (m: Markdown, h: HTML), Escape cancels"))

    def on_mount(self) -> None:
        self.query_one("#formats", OptionList).focus()

    @on(OptionList.OptionSelected, "#formats")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_pick(self, fmt: str) -> None:
        self.dismiss(fmt)

    def action_cancel(self) -> None:
        self.dismiss(None)


SEARCH_SHOWN = 50
SEARCH_DELAY = 0.25  # seconds typing rests before the search runs
SEARCH_COLUMNS = [
    Column("date", 10, 13),
    Column("about", 12, 40),
    Column("who", 8, 22, drops=1),
    Column("quote or title", 30),
]
SEARCH_LINES = 3  # a result's quote wraps into this many lines before it is cut


class SearchScreen(ModalScreen[EvidenceHit | ArticleHit | None]):
    """Search the quotes, speakers, notes and article titles; Enter goes to the position or opens the article."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        Binding("down", "to_results", "The results", show=False),
    ]

    def __init__(self, known_at: datetime | None, catalog: Catalog | None) -> None:
        super().__init__()
        self.known_at = known_at
        self.titles = {i.id: i.title for i in catalog.issues} if catalog else {}
        self.names = {p.id: p.name for p in catalog.parties} if catalog else {}
        self.hits: list[EvidenceHit | ArticleHit] = []
        self._timer: Timer | None = None
        self.searched = ""

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide tall"):
            yield Label(Text("Search quotes, speakers, notes and article titles", style="bold"))
            yield Input(placeholder="words to find (any case)", id="search-text")
            yield Static(muted_text("Type two letters or more; ↓ goes to the results"), id="search-summary")
            yield EvidenceTable(SEARCH_COLUMNS, lines=SEARCH_LINES, id="results")
            yield Static(muted_text("Enter: go to the position, or open the article · Escape closes"))

    def on_mount(self) -> None:
        self.query_one("#search-text", Input).focus()

    @on(Input.Changed, "#search-text")
    def _typed(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(SEARCH_DELAY, self._run)

    @on(Input.Submitted, "#search-text")
    def _submitted(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        if self.query_one("#search-text", Input).value.strip() == self.searched and self.hits:
            self.action_to_results()
            return
        self._run(focus=True)

    def _run(self, focus: bool = False) -> None:
        self._timer = None
        text = self.query_one("#search-text", Input).value.strip()
        if len(text) < 2:
            return
        self.searched = text
        self._search(text, focus)

    @work(thread=True, exclusive=True, group="search", exit_on_error=False)
    def _search(self, text: str, focus: bool) -> None:
        app: TrackerApp = self.app  # type: ignore[assignment]
        found = app.read(self.known_at, search, text, SEARCH_SHOWN)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show, found, focus)

    def _show(self, found: SearchResult, focus: bool) -> None:
        if found.text.strip() != self.query_one("#search-text", Input).value.strip():
            return  # typed on meanwhile
        self.hits = [*found.evidence, *found.articles]
        rows: list[Row] = []
        for hit in found.evidence:
            ref = hit.evidence
            about = self.titles.get(hit.issue, hit.issue)
            party = self.names.get(hit.party, hit.party) if hit.party else None
            about += f" · {party}" if party else " · the issue"
            rows.append(
                Row(
                    (
                        Text(said_on_shown(ref)),
                        plain(about),
                        plain(source_of(ref, party)),
                        plain(" ".join(ref.quote.split())),
                    ),
                    ref,
                )
            )
        for article in found.articles:
            rows.append(
                Row(
                    (
                        Text(article.published_on.isoformat()),
                        muted_text("article"),
                        plain(article.outlet or ""),
                        plain(article.title),
                    )
                )
            )
        summary = Text(
            f"{found.evidence_total} piece{'' if found.evidence_total == 1 else 's'} of evidence, "
            f"{found.articles_total} article{'' if found.articles_total == 1 else 's'} with “"
        )
        summary.append_text(plain(found.text.strip()))
        summary.append("”")
        if found.evidence_total > len(found.evidence) or found.articles_total > len(found.articles):
            summary.append_text(muted_text(f" (the newest {SEARCH_SHOWN} of each)"))
        self.query_one("#search-summary", Static).update(summary)
        results = self.query_one("#results", EvidenceTable)
        results.show(rows)
        if focus and rows:
            results.focus()

    def action_to_results(self) -> None:
        if self.hits:
            self.query_one("#results", EvidenceTable).focus()

    @on(EvidenceTable.Picked, "#results")
    def _picked(self, event: EvidenceTable.Picked) -> None:
        if event.row < len(self.hits):
            self.dismiss(self.hits[event.row])

    @on(EvidenceTable.Opened, "#results")
    def _not_here(self, event: EvidenceTable.Opened) -> None:
        event.stop()  # the screen below opens nothing: the pick says where to go

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        report_failure(self, event)

    def action_cancel(self) -> None:
        self.dismiss(None)


class FilterDialog(ModalScreen[tuple[list[str], list[str]] | None]):
    """Which issues and parties the matrix shows."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+s", "apply", "Apply"),
    ]

    def __init__(self, catalog: Catalog, issues: list[str], parties: list[str]) -> None:
        super().__init__()
        self.catalog, self.issues, self.parties = catalog, issues, parties

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield Label(Text("Show these issues and parties", style="bold"))
            yield Label(Text("Space toggles, Tab moves, Ctrl+S applies, Escape cancels", style="dim"))
            with Horizontal(id="filter-lists"):
                yield SelectionList[str](
                    *[Selection(plain(i.title), i.id, i.id in self.issues) for i in self.catalog.issues],
                    id="issues",
                )
                yield SelectionList[str](
                    *[Selection(plain(p.name), p.id, p.id in self.parties) for p in self.catalog.parties],
                    id="parties",
                )
            with Horizontal(classes="buttons"):
                yield Button("Apply", variant="primary", id="apply")
                yield Button("All", id="all")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#issues", SelectionList).border_title = "Issues"
        self.query_one("#parties", SelectionList).border_title = "Parties"

    @on(Button.Pressed, "#apply")
    def action_apply(self) -> None:
        issues = list(self.query_one("#issues", SelectionList).selected)
        parties = list(self.query_one("#parties", SelectionList).selected)
        if not issues or not parties:
            self.notify("Choose at least one issue and one party (All shows everything)", severity="warning")
            return
        self.dismiss((issues, parties))

    @on(Button.Pressed, "#all")
    def _all(self) -> None:
        self.dismiss((self.catalog.issue_ids(), self.catalog.party_ids()))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


KeyList = list[tuple[str, list[BindingType]]]


class LegendScreen(ModalScreen[None]):
    """What the colours and marks of the matrix mean."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,q,l", "close", "Close")]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide tall"):
            yield Label(Text("Key to the matrix (Escape closes)", style="bold"))
            with VerticalScroll(id="legend-body"):
                yield Static(legend_in_full(), id="legend-text")

    def on_mount(self) -> None:
        self.query_one("#legend-body", VerticalScroll).focus()

    def action_close(self) -> None:
        self.dismiss(None)


class HelpScreen(ModalScreen[None]):
    """What the matrix shows, and every key of every screen (read from the screens' own bindings); it scrolls,
    and long descriptions wrap."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,q,question_mark", "close", "Close")]

    def __init__(self, keys: KeyList, describe: Callable[[str], str], start_at: str | None = None) -> None:
        super().__init__()
        self.keys = keys
        self.describe = describe
        self.start_at = start_at  # the section shown first: the keys of the screen the help was opened on

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide tall"):
            yield Label(Text("Help (↑ ↓ PgUp PgDn scroll; Escape closes; Ctrl+P: every action)", style="bold"))
            with VerticalScroll(id="help-body"):
                yield Static(legend_in_full(), id="help-legend")
                for n, (where, bindings) in enumerate(self.keys):
                    yield Static(Text(f"Keys: {where}", style="bold"), classes="help-section", id=f"help-section-{n}")
                    for binding in bindings:
                        if isinstance(binding, Binding):
                            keys = ", ".join(self.describe(k) for k in binding.key.split(","))
                            with Horizontal(classes="help-row"):
                                yield Static(Text(keys, style="bold"), classes="help-key")
                                yield Static(
                                    Text(binding.tooltip or binding.description or binding.action),
                                    classes="help-does",
                                )

    def on_mount(self) -> None:
        body = self.query_one("#help-body", VerticalScroll)
        body.focus()
        sections = [where for where, _ in self.keys]
        if self.start_at in sections:
            section = self.query_one(f"#help-section-{sections.index(self.start_at)}")
            self.call_after_refresh(body.scroll_to_widget, section, animate=False, top=True)

    def action_close(self) -> None:
        self.dismiss(None)


class Confirm(ModalScreen[bool]):
    """A question to answer yes (y, or the button) or no (n, Escape) before doing something that cannot be taken
    back from the screen."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Yes"),
        Binding("n,escape", "answer(False)", "No"),
    ]

    def __init__(self, question: str, yes: str) -> None:
        super().__init__()
        self.question = question
        self.yes = yes

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text(self.question))  # untrusted parts were made safe by the caller; no markup here
            with Horizontal(classes="buttons"):
                yield Button(f"{self.yes} (y)", id="yes", variant="error")
                yield Button("Cancel (n)", id="no")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
