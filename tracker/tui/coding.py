"""Coding an article in the terminal UI: select a quote, code it with the legal moves in view, save and ingest.

`tracker code ARTICLE` (or `c` in an article's view) opens the article's text
beside a form: issue and party (completed from the catalogue's names and
aliases), stance, the move where more than one leads there, attribution,
speaker, the day it was said (the article's by default), mode, condition and
note. A line under the form says, as you type, what the evidence will do to
the position as the database holds it ("Russia on Donetsk withdrawal: demands
since 2026-01-23 → reaffirm"), or that the move is illegal and which are
allowed. Saving writes the item into the article's fixture (a stable new id;
the file's comments and order kept), checks the whole corpus as an ingest
would, and ingests it; on any problem the fixture is put back as it was and
the problems are shown. The article's evidence is listed, underlined in the
text, and can be edited or removed the same way.

Article text is untrusted: it is shown with its control characters made
visible, and what is selected is mapped back to the text as it is.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import replace
from typing import Any, ClassVar

from rich.style import Style
from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.suggester import SuggestFromList
from textual.widgets import Button, DataTable, Footer, Header, Input, Label, Select, Static, TextArea
from textual.widgets.text_area import Selection, TextAreaTheme

from tracker.coding import Coding, Draft
from tracker.domain.errors import TrackerError
from tracker.domain.evidence import Attribution, Evidence, Mode
from tracker.domain.machines import Move, Stance
from tracker.domain.untrusted import UNSAFE_BUT_LINES, safe_text
from tracker.domain.words import words
from tracker.ingest.suggest import Suggestion, overlap
from tracker.tui.dialogs import Confirm
from tracker.tui.widgets import index_of, location


def inert_view(text: str) -> tuple[str, list[int]]:
    """`text` as shown (its control characters made visible codes, lines kept), and for each shown character
    the index of the character of `text` it shows (a code's characters all point at the one it stands for)."""
    shown: list[str] = []
    origin: list[int] = []
    last = 0
    for match in UNSAFE_BUT_LINES.finditer(text):
        shown.append(text[last : match.start()])
        origin.extend(range(last, match.start()))
        code = safe_text(match.group(), keep_lines=True)
        shown.append(code)
        origin.extend([match.start()] * len(code))
        last = match.end()
    shown.append(text[last:])
    origin.extend(range(last, len(text)))
    origin.append(len(text))  # the end
    return "".join(shown), origin


def shown_index(origin: list[int], index: int) -> int:
    """Where the character `index` of the text is shown (`origin` rises, so a bisection finds it)."""
    return min(bisect_left(origin, index), len(origin) - 1)


STANCES = [(words(s), s.value) for s in Stance if s is not Stance.UNKNOWN]
MOVES = [(words(m), m.value) for m in Move]
ATTRIBUTIONS = [(f"{a.value}: {words(a)}", a.value) for a in Attribution]
MODES = [(m.value, m.value) for m in Mode]
EVIDENCE_STYLE = "evidence"


class ArticleTextArea(TextArea):
    """The article's text, read-only, with the evidence already coded underlined."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(read_only=True, soft_wrap=True, show_line_numbers=False, **kwargs)
        self.spans: list[tuple[int, int]] = []  # shown character spans of coded quotes

    def on_mount(self) -> None:
        self.register_theme(TextAreaTheme("coding", syntax_styles={EVIDENCE_STYLE: Style(underline=True, bold=True)}))
        self.theme = "coding"

    def underline(self, spans: list[tuple[int, int]]) -> None:
        self.spans = spans
        self._build_highlight_map()
        self.refresh()

    def _build_highlight_map(self) -> None:
        self._line_cache.clear()
        self._highlights.clear()
        text = self.text
        for start, end in getattr(self, "spans", []):  # the base class draws before __init__ sets them
            row, column = location(text, start)
            end_row, end_column = location(text, end)
            for line in range(row, end_row + 1):
                content = self.document.get_line(line)
                first = column if line == row else 0
                last = end_column if line == end_row else len(content)
                self._highlights[line].append(
                    (len(content[:first].encode("utf-8")), len(content[:last].encode("utf-8")), EVIDENCE_STYLE)
                )


class CodingScreen(Screen[bool]):
    """An article's text beside the coding form and the article's evidence; dismissed with whether it changed
    the database (so the screens below read it again)."""

    CSS = """
    CodingScreen #coding-body { height: 1fr; }
    CodingScreen #coding-text { width: 3fr; }
    CodingScreen #coding-side { width: 2fr; min-width: 40; }
    CodingScreen #coding-quote { max-height: 5; padding: 0 1; color: $text; }
    CodingScreen #coding-form { height: 1fr; }
    CodingScreen .coding-field { height: 1; margin: 0; }
    CodingScreen .coding-field Label { width: 13; padding: 0 1; color: $text; }
    CodingScreen .coding-field Input, CodingScreen .coding-field Select { width: 1fr; }
    CodingScreen .coding-field:focus-within { background: $primary 30%; }
    CodingScreen #coding-line { min-height: 2; padding: 0 1; background: $boost; }
    CodingScreen #coding-buttons { height: auto; }
    CodingScreen #coding-buttons Button { margin: 0 1 0 0; }
    CodingScreen #coding-list { height: 8; }
    CodingScreen.short #coding-list { height: 4; }
    CodingScreen.short #coding-quote { max-height: 2; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", tooltip="Save into the article's fixture, check and ingest", priority=True),
        Binding("ctrl+g", "suggest", "Suggest", tooltip="The next suggested sentence, with a coding", priority=True),
        Binding("ctrl+n", "new", "New", tooltip="An empty form for a new piece of evidence", priority=True),
        Binding("ctrl+e", "edit", "Edit", tooltip="Load the listed piece of evidence into the form", priority=True),
        Binding("ctrl+d", "remove", "Remove", tooltip="Remove the listed piece of evidence and ingest", priority=True),
        Binding("escape", "back", "Back"),
    ]

    def __init__(self, coding: Coding) -> None:
        super().__init__()
        self.coding = coding
        self.shown, self.origin = inert_view(coding.article.text)
        self.editing: str | None = None
        self.listed: list[Evidence] = []
        self.suggested: list[Suggestion] = []
        self.next_suggestion = 0
        self.changed = False  # something was saved or removed and ingested
        self.baseline = Draft()  # the form as last loaded, saved or cleared: leaving asks when it differs

    def compose(self) -> ComposeResult:
        catalog = self.coding.catalog
        names = [n for i in catalog.issues for n in (i.id, i.title, *i.aliases)]
        parties = [n for p in catalog.parties for n in (p.id, p.name, *p.aliases)]
        yield Header()
        yield Static(self._title(), id="coding-title")
        with Horizontal(id="coding-body"):
            yield ArticleTextArea(id="coding-text")
            with Vertical(id="coding-side"):
                yield Static("(nothing selected: select the quote in the text)", id="coding-quote")
                with VerticalScroll(id="coding-form", can_focus=False):
                    yield from self._field(
                        "Issue",
                        Input(
                            placeholder="id, name or alias",
                            id="f-issue",
                            suggester=SuggestFromList(names, case_sensitive=False),
                            compact=True,
                        ),
                    )
                    yield from self._field(
                        "Party",
                        Input(
                            placeholder="none: the issue itself",
                            id="f-party",
                            suggester=SuggestFromList(parties, case_sensitive=False),
                            compact=True,
                        ),
                    )
                    yield from self._field("Stance", Select(STANCES, id="f-stance", prompt="stance", compact=True))
                    yield from self._field(
                        "Move", Select(MOVES, id="f-move", prompt="where two lead there", compact=True)
                    )
                    yield from self._field(
                        "Attribution", Select(ATTRIBUTIONS, id="f-attribution", prompt="attribution", compact=True)
                    )
                    yield from self._field("Speaker", Input(placeholder="who said it", id="f-speaker", compact=True))
                    yield from self._field(
                        "Said on",
                        Input(placeholder=self.coding.article.published_on.isoformat(), id="f-said-on", compact=True),
                    )
                    yield from self._field(
                        "Mode", Select(MODES, id="f-mode", value="asserted", allow_blank=False, compact=True)
                    )
                    yield from self._field(
                        "Condition", Input(placeholder="if it holds on one", id="f-condition", compact=True)
                    )
                    yield from self._field("Note", Input(placeholder="why this coding", id="f-note", compact=True))
                yield Static(id="coding-line")
                with Horizontal(id="coding-buttons"):
                    yield Button("Save and ingest", id="save", variant="primary")
                    yield Button("New", id="new")
        yield DataTable(id="coding-list", cursor_type="row", zebra_stripes=True)
        yield Footer()

    @staticmethod
    def _field(label: str, widget: Input | Select[str]) -> ComposeResult:
        with Horizontal(classes="coding-field"):
            yield Label(label)
            yield widget

    def _title(self) -> Text:
        article = self.coding.article
        title = Text()
        title.append(f"Coding {safe_text(article.id)}: ", style="bold")
        title.append(safe_text(article.title))
        title.append(f" · {article.published_on.isoformat()}", style="dim")
        return title

    def on_resize(self, event: events.Resize) -> None:
        self.set_class(event.size.height < 32, "short")  # the form before the list on a short terminal

    def on_mount(self) -> None:
        area = self.query_one(ArticleTextArea)
        area.load_text(self.shown)
        table = self.query_one("#coding-list", DataTable)
        table.add_columns("id", "issue", "party", "stance", "source", "quote")
        self.refresh_evidence()
        self.baseline = self.draft()
        self.update_line()
        area.focus()

    # -- the article's evidence --------------------------------------------------------------------------------

    def refresh_evidence(self) -> None:
        listed, problems = self.coding.evidence()
        self.listed = listed
        table = self.query_one("#coding-list", DataTable)
        table.clear()
        catalog = self.coding.catalog
        issues = {i.id: i.title for i in catalog.issues}
        parties = {p.id: p.name for p in catalog.parties}
        for e in listed:
            table.add_row(
                Text(safe_text(e.id)),
                Text(safe_text(issues.get(e.issue, e.issue))),
                Text(safe_text(parties.get(e.party, e.party) if e.party else "(the issue)")),
                Text(words(e.stance) if e.stance else ""),
                Text(words(e.attribution)),
                Text(safe_text(e.quote)),
                key=e.id,
            )
        self.query_one(ArticleTextArea).underline(
            [(shown_index(self.origin, e.start), shown_index(self.origin, e.end)) for e in listed]
        )
        if problems:
            self.notify(
                "\n".join(str(p) for p in problems[:5]),
                title="The corpus has problems",
                severity="warning",
                markup=False,
            )

    # -- the form ----------------------------------------------------------------------------------------------

    def draft(self) -> Draft:
        def value(widget_id: str) -> str:
            widget = self.query_one(f"#{widget_id}")
            if isinstance(widget, Select):
                return "" if widget.value is Select.NULL else str(widget.value)
            assert isinstance(widget, Input)
            return widget.value

        quote, occurrence = self.selected_quote()
        return Draft(
            issue=value("f-issue"),
            party=value("f-party"),
            stance=value("f-stance"),
            move=value("f-move"),
            quote=quote,
            occurrence=occurrence,
            attribution=value("f-attribution"),
            speaker=value("f-speaker"),
            said_on=value("f-said-on"),
            mode=value("f-mode") or "asserted",
            condition=value("f-condition"),
            note=value("f-note"),
        )

    def selected_quote(self) -> tuple[str, int | None]:
        """The selected passage as it stands in the article, and which occurrence of it (when it occurs twice)."""
        area = self.query_one(ArticleTextArea)
        selection = area.selection
        start_row, start_col = min(selection.start, selection.end)
        end_row, end_col = max(selection.start, selection.end)
        last = len(self.origin) - 1
        start = self.origin[min(index_of(self.shown, start_row, start_col), last)]
        end = self.origin[min(index_of(self.shown, end_row, end_col), last)]
        text = self.coding.article.text
        quote = text[start:end].strip()
        if not quote:
            return "", None
        start = text.index(quote, start)
        places = [m.start() for m in re.finditer(re.escape(quote), text)]
        return quote, (places.index(start) + 1 if len(places) > 1 and start in places else None)

    @on(TextArea.SelectionChanged)
    def selection_changed(self) -> None:
        quote, _ = self.selected_quote()
        shown = Text(
            f"“{self._fitted(safe_text(quote))}”" if quote else "(nothing selected: select the quote in the text)"
        )
        self.query_one("#coding-quote", Static).update(shown)
        self.update_line()

    def _fitted(self, quote: str) -> str:
        """The quote as it fits the lines shown for it: its start and its end around "…" when it does not."""
        lines = 2 if self.has_class("short") else 5
        # Lines wrap at words, so about four fifths of their cells hold text.
        room = max(20, (self.query_one("#coding-quote").size.width or 40) - 2) * lines * 4 // 5 - 4
        if len(quote) <= room:
            return quote
        head = quote[: room * 2 // 3].rsplit(" ", 1)[0]
        tail = quote[-(room - len(head) - 3) :].split(" ", 1)[-1]
        return f"{head} … {tail}"

    @on(Input.Changed)
    @on(Select.Changed)
    def form_changed(self) -> None:
        self.update_line()

    def update_line(self) -> None:
        line = self.coding.preview(self.draft(), self.editing)
        style = "bold red" if line.startswith("illegal") else "bold"
        prefix = "editing " + self.editing + ": " if self.editing else ""
        self.query_one("#coding-line", Static).update(Text(safe_text(prefix + line), style=style))

    def fill(self, values: dict[str, Any]) -> None:
        for key, widget_id in (
            ("issue", "f-issue"),
            ("party", "f-party"),
            ("speaker", "f-speaker"),
            ("said_on", "f-said-on"),
            ("condition", "f-condition"),
            ("note", "f-note"),
        ):
            self.query_one(f"#{widget_id}", Input).value = str(values.get(key) or "")
        for key, widget_id in (("stance", "f-stance"), ("move", "f-move"), ("attribution", "f-attribution")):
            select = self.query_one(f"#{widget_id}", Select)
            chosen = values.get(key)
            select.value = str(getattr(chosen, "value", chosen)) if chosen else Select.NULL
        mode = values.get("mode") or "asserted"
        self.query_one("#f-mode", Select).value = str(getattr(mode, "value", mode))

    def select_span(self, start: int, end: int) -> None:
        area = self.query_one(ArticleTextArea)
        area.selection = Selection(
            location(self.shown, shown_index(self.origin, start)), location(self.shown, shown_index(self.origin, end))
        )
        area.scroll_cursor_visible(center=True, animate=False)

    # -- actions -----------------------------------------------------------------------------------------------

    def action_new(self) -> None:
        self.editing = None
        self.fill({})
        self.baseline = self.draft()
        self.update_line()

    def action_suggest(self) -> None:
        if not self.suggested:
            coded = [(e.issue, e.party, e.start, e.end) for e in self.listed]
            self.suggested = [  # what is coded already (that issue and party, in that sentence) is not offered
                s
                for s in self.coding.suggestions()
                if not any(
                    (issue, party) == (s.issue, s.party) and overlap((start, end), (s.start, s.end))
                    for issue, party, start, end in coded
                )
            ]
        if not self.suggested:
            self.notify(
                "No sentence of this article names an issue and a party that is not coded already",
                title="No suggestion",
            )
            return
        suggestion = self.suggested[self.next_suggestion % len(self.suggested)]
        self.next_suggestion += 1
        self.editing = None
        self.select_span(suggestion.start, suggestion.end)
        self.fill(
            {
                "issue": suggestion.issue,
                "party": suggestion.party,
                "stance": suggestion.stance,
                "attribution": suggestion.attribution,
            }
        )
        count = f"Suggestion {self.next_suggestion} of {len(self.suggested)}"
        self.app.clear_notifications()
        self.notify(f"{count}: {suggestion.why}. Edit it, or ctrl+g for the next.", markup=False, timeout=4)
        self.update_line()

    def listed_evidence(self) -> Evidence | None:
        table = self.query_one("#coding-list", DataTable)
        if not self.listed or table.cursor_row < 0 or table.cursor_row >= len(self.listed):
            return None
        return self.listed[table.cursor_row]

    def action_edit(self) -> None:
        chosen = self.listed_evidence()
        if chosen is None:
            self.notify("The article has no evidence to edit yet")
            return
        self.editing = chosen.id
        self.select_span(chosen.start, chosen.end)
        self.fill(
            {
                "issue": chosen.issue,
                "party": chosen.party,
                "stance": chosen.stance,
                "move": chosen.move,
                "attribution": chosen.attribution,
                "speaker": chosen.speaker,
                "said_on": chosen.said_on_written
                or (chosen.said_on.isoformat() if chosen.said_on != self.coding.article.published_on else ""),
                "mode": chosen.mode,
                "condition": chosen.condition,
                "note": chosen.note,
            }
        )
        self.baseline = self.draft()
        self.update_line()

    @on(DataTable.RowSelected, "#coding-list")
    def row_selected(self) -> None:
        self.action_edit()

    @on(Button.Pressed, "#save")
    def save_pressed(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#new")
    def new_pressed(self) -> None:
        self.action_new()

    def action_save(self) -> None:
        draft = self.draft()
        if not draft.quote:
            self.notify("Select the quote in the text first", title="Nothing to save", severity="warning")
            return
        self.saving(draft, self.editing)

    def action_remove(self) -> None:
        chosen = self.listed_evidence()
        if chosen is None:
            self.notify("The article has no evidence to remove")
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.removing(chosen.id)

        quote = safe_text(chosen.quote if len(chosen.quote) <= 80 else chosen.quote[:79] + "…")
        self.app.push_screen(
            Confirm(f"Remove evidence {safe_text(chosen.id)} from the fixture and ingest?\n“{quote}”", "Remove"),
            answered,
        )

    @work(thread=True, exclusive=True, group="coding", exit_on_error=False)
    def saving(self, draft: Draft, editing: str | None) -> None:
        try:
            evidence_id, done = self.coding.save(draft, editing)
        except TrackerError as exc:
            self.app.call_from_thread(self.refused, exc)
            return
        self.app.call_from_thread(self.saved, done, evidence_id)

    @work(thread=True, exclusive=True, group="coding", exit_on_error=False)
    def removing(self, evidence_id: str) -> None:
        try:
            done = self.coding.remove(evidence_id)
        except TrackerError as exc:
            self.app.call_from_thread(self.refused, exc)
            return
        self.app.call_from_thread(self.saved, done, None)

    def unsaved(self) -> bool:
        """Whether the form holds something not saved: its fields differ from what was last loaded, saved or
        cleared (a selection alone, with nothing filled in, is not worth asking about)."""
        now = self.draft()
        if self.editing is None and now.quote and replace(now, quote="", occurrence=None) == Draft():
            return False
        return replace(now, quote="", occurrence=None) != replace(self.baseline, quote="", occurrence=None) or (
            self.editing is not None and now.quote != self.baseline.quote
        )

    def action_back(self) -> None:
        if not self.unsaved():
            self.dismiss(self.changed)
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.dismiss(self.changed)

        self.app.push_screen(Confirm("The form holds evidence not saved. Leave and lose it?", "Leave"), answered)

    def saved(self, done: str, evidence_id: str | None) -> None:
        """Saved (the form now edits what it saved, so saving again changes it rather than adding another) or
        removed (the form is cleared)."""
        self.changed = True
        self.refresh_evidence()
        if evidence_id is None:
            self.action_new()
        else:
            self.editing = evidence_id
            self.baseline = self.draft()
            self.update_line()
        self.app.clear_notifications()
        self.notify(safe_text(done), title="Done", markup=False)

    def refused(self, error: TrackerError) -> None:
        problems = getattr(error, "problems", None)
        message = "\n".join(str(p) for p in problems[:6]) if problems else str(error)
        self.notify(message, title="Not saved: the fixture is as it was", severity="error", timeout=15, markup=False)
        self.query_one("#coding-line", Static).update(Text(safe_text(message.splitlines()[0]), style="bold red"))
