"""Dialogs of the terminal UI: typed dates, the diff's two dates, filters, and the keys.

Each is a modal screen that dismisses with its answer (None when cancelled
with Escape); dates are parsed by `tracker.domain.dates`, as on the command line.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, DataTable, Input, Label, SelectionList, Static
from textual.widgets.selection_list import Selection

from tracker.domain.catalog import Catalog
from tracker.domain.dates import moment, parse_date, parse_recorded_time
from tracker.tui.widgets import plain


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
        inputs = list(self.query(Input))
        position = inputs.index(event.input)
        if position < len(inputs) - 1:
            inputs[position + 1].focus()
            return
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
            "Enter to compare, Escape to cancel",
        )

    def answer(self) -> tuple[date, date]:
        first, second = _dates(self.values())
        if first > second:
            raise FieldProblem(0, f"From ({first}) is after To ({second})")
        return first, second


class KnownAtPrompt(_Prompt):
    """The recorded time to answer as of; empty for everything recorded."""

    def __init__(self, initial: datetime | None) -> None:
        shown = moment(initial) if initial else ""
        super().__init__(
            "Known at: as recorded by a time",
            [("Date or ISO datetime (empty: all)", shown)],
            "Answers as the tracker would have then. Enter applies, Escape cancels",
        )

    def answer(self) -> tuple[datetime | None]:
        text = self.values()[0].strip()
        return (parse_recorded_time(text) if text else None,)


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


class HelpScreen(ModalScreen[None]):
    """Every key of every screen, read from the screens' own bindings."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,q,question_mark", "close", "Close")]

    def __init__(self, keys: KeyList, describe: Callable[[str], str]) -> None:
        super().__init__()
        self.keys = keys
        self.describe = describe

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield Label(Text("Keys (Escape closes; Ctrl+P lists every action as a command)", style="bold"))
            yield DataTable[str](id="keys", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        table = self.query_one("#keys", DataTable)
        table.add_columns("where", "key", "does")
        for where, bindings in self.keys:
            for binding in bindings:
                if isinstance(binding, Binding):
                    keys = ", ".join(self.describe(k) for k in binding.key.split(","))
                    table.add_row(where, keys, binding.tooltip or binding.description or binding.action)
        table.focus()

    def action_close(self) -> None:
        self.dismiss(None)
