"""Coding an article in the terminal UI: select a quote, code it with the legal moves in view, save and ingest.

`tracker code ARTICLE` (or `e` in an article's view) opens the article's text
beside a form: issue and party (completed from the catalogue's names and
aliases), stance, the move where more than one leads there, attribution,
speaker, the day it was said (the article's by default), mode, condition and
note. A line under the form says, as you type, what the evidence will do to
the position as the database holds it ("Russia on Donetsk withdrawal: demands
since 2026-01-23 → reaffirm"), or that the move is illegal and which are
allowed. Saving writes the item into the article's fixture (a stable new id;
the file's comments and order kept), checks the whole corpus as an ingest
would, and ingests it; on any problem the fixture is put back as it was and
the problems are shown, each by the form's field it is in. The article's
evidence is listed, underlined in the text, and can be edited or removed the
same way.

A quote is selected in one key or click: `s` the sentence at the cursor (again:
the next one too), ctrl+shift+arrows a word or a sentence more or less, a double
click the word, a triple click the sentence. ctrl+n gives an empty form with the
focus back in the text; Tab goes from the text through the form in order. Every
way out of a form holding something not saved (ctrl+n, ctrl+g, loading another
item, Escape, quitting) asks first.

Article text is untrusted: it is shown with its control characters made
visible, and what is selected is mapped back to the text as it is.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, ClassVar

from rich.style import Style
from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import ActiveBinding, Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.suggester import SuggestFromList
from textual.widgets import Button, DataTable, Footer, Header, Input, Label, Select, Static, TextArea
from textual.widgets.text_area import Selection, TextAreaTheme

from tracker.coding import Coding, Draft
from tracker.domain.errors import Problem, TrackerError
from tracker.domain.evidence import Attribution, Evidence, Mode
from tracker.domain.machines import Move, Stance
from tracker.domain.untrusted import UNSAFE_BUT_LINES, safe_text
from tracker.domain.words import words
from tracker.ingest.suggest import Suggestion, overlap, sentences
from tracker.tui.dialogs import Confirm
from tracker.tui.text_units import (
    next_word_end,
    next_word_start,
    previous_word_end,
    previous_word_start,
    sentence_at,
    word_at,
)
from tracker.tui.widgets import PassageArea, index_of, location, narrow_footer


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
FULL_FOOTER = 110  # terminal columns from which the footer shows every key (narrower: the help has the rest)
# The form's fields, by the fixture's keys: the label the form shows, and the widget (a problem found in the key
# on saving is told by the label, and the widget takes the focus).
FIELDS = {
    "issue": ("Issue", "f-issue"),
    "party": ("Party", "f-party"),
    "stance": ("Stance", "f-stance"),
    "move": ("Move", "f-move"),
    "attribution": ("Attribution", "f-attribution"),
    "speaker": ("Speaker", "f-speaker"),
    "said_on": ("Said on", "f-said-on"),
    "mode": ("Mode", "f-mode"),
    "condition": ("Condition", "f-condition"),
    "note": ("Note", "f-note"),
    "quote": ("Quote (the selection)", "coding-text"),
    "occurrence": ("Quote (the selection)", "coding-text"),
}


Spans = list[tuple[int, int]]


class ArticleTextArea(PassageArea):
    """The article's text, read-only, with the evidence already coded underlined; a word or a sentence is selected
    with one key or a double or triple click, and a selection grows by words or sentences."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "s",
            "sentence",
            "Sentence",
            tooltip="In the text: select the sentence at the cursor; again: the next sentence too (or triple click)",
        ),
        Binding(
            "ctrl+shift+down",
            "sentences(1)",
            "Next sentence too",
            tooltip="In the text: the selection takes in the next sentence (or selects the sentence at the cursor)",
            show=False,
        ),
        Binding(
            "ctrl+shift+up",
            "sentences(-1)",
            "One sentence less",
            tooltip="In the text: the selection gives back its last sentence",
            show=False,
        ),
        Binding(
            "ctrl+shift+right",
            "word(1)",
            "Word",
            tooltip="In the text: select the word at the cursor; again: to the end of the next word (or double click)",
            show=False,
        ),
        Binding(
            "ctrl+shift+left",
            "word(-1)",
            "Word before",
            tooltip="In the text: select the word at the cursor; again: back to the start of the word before",
            show=False,
        ),
    ]

    def __init__(self, find_sentences: Callable[[], Spans], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.spans: Spans = []  # shown character spans of coded quotes
        self._sentences_of = find_sentences
        self._sentences: Spans | None = None  # shown character spans of the text's sentences, found when first asked

    @property
    def sentences(self) -> Spans:
        if self._sentences is None:
            self._sentences = self._sentences_of()
        return self._sentences

    def on_mount(self) -> None:
        self.register_theme(TextAreaTheme("coding", syntax_styles={EVIDENCE_STYLE: Style(underline=True, bold=True)}))
        self.theme = "coding"

    def underline(self, spans: Spans) -> None:
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

    # -- selecting words and sentences -----------------------------------------------------------------------------

    def _index(self, place: tuple[int, int]) -> int:
        return index_of(self.text, *place)

    def _select(self, anchor: int, cursor: int) -> None:
        self.selection = Selection(location(self.text, anchor), location(self.text, cursor))

    def select_sentence_at(self, index: int) -> None:
        found = sentence_at(self.sentences, index)
        if found is not None:
            self._select(*self.sentences[found])

    def select_word_at(self, index: int) -> None:
        found = word_at(self.text, index)
        if found is not None:
            self._select(*found)

    def whole_sentences(self) -> bool:
        """Whether the selection is one sentence or more, from the start of the first to the end of the last."""
        start, end = sorted(self._index(place) for place in self.selection)
        return start < end and start in {s for s, _ in self.sentences} and end in {e for _, e in self.sentences}

    def action_sentence(self) -> None:
        if self.whole_sentences():
            self.action_sentences(1)
        else:
            self.select_sentence_at(self._index(self.selection.end))

    def action_sentences(self, step: int) -> None:
        """The selection's end goes to the end of the next sentence (step 1) or back to the end of the sentence
        before it, never past its start (step -1); nothing selected, the sentence at the cursor is selected."""
        anchor, cursor = sorted(self._index(place) for place in self.selection)
        if anchor == cursor:
            self.select_sentence_at(cursor)
            return
        ends = [end for _, end in self.sentences]
        if step > 0:
            later = [end for end in ends if end > cursor]
            cursor = later[0] if later else cursor
        else:
            earlier = [end for end in ends if anchor < end < cursor]
            cursor = earlier[-1] if earlier else cursor
        self._select(anchor, cursor)

    def action_word(self, step: int) -> None:
        """Nothing selected: the word at the cursor is selected. Else the selection's moving end goes a word on
        (step 1) or back (step -1), to the edge of a word, so that the selection never starts or ends in a space."""
        text = self.text
        anchor, cursor = self._index(self.selection.start), self._index(self.selection.end)
        if anchor == cursor and (found := word_at(text, cursor)) is not None:
            self._select(*(found if step > 0 else reversed(found)))
            return
        if step > 0:
            cursor = next_word_end(text, cursor) if cursor >= anchor else min(next_word_start(text, cursor), anchor)
        else:
            cursor = (
                previous_word_start(text, cursor) if cursor <= anchor else max(previous_word_end(text, cursor), anchor)
            )
        self._select(anchor, cursor)

    def on_click(self, event: events.Click) -> None:
        """A double click selects the word clicked, a triple click its sentence."""
        if event.chain < 2:
            return
        index = self._index(self.get_target_document_location(event))
        if event.chain == 2:
            self.select_word_at(index)
        else:
            self.select_sentence_at(index)


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
    CodingScreen .coding-field.lines { height: 3; }
    CodingScreen .coding-field Label { width: 13; padding: 0 1; color: $text; }
    CodingScreen .coding-field Input, CodingScreen .coding-field Select, CodingScreen .coding-field TextArea {
        width: 1fr;
    }
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
    NARROW_HIDDEN: ClassVar[set[str]] = {"edit", "remove"}  # keys the footer leaves to the help when narrow

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
            yield ArticleTextArea(self._sentences, id="coding-text")
            with Vertical(id="coding-side"):
                yield Static("(nothing selected: select the quote in the text)", id="coding-quote")
                with VerticalScroll(id="coding-form", can_focus=False):
                    yield from self._field(
                        "issue",
                        Input(
                            placeholder="id, name or alias",
                            id="f-issue",
                            suggester=SuggestFromList(names, case_sensitive=False),
                            compact=True,
                        ),
                    )
                    yield from self._field(
                        "party",
                        Input(
                            placeholder="none: the issue itself",
                            id="f-party",
                            suggester=SuggestFromList(parties, case_sensitive=False),
                            compact=True,
                        ),
                    )
                    yield from self._field("stance", Select(STANCES, id="f-stance", prompt="stance", compact=True))
                    yield from self._field(
                        "move", Select(MOVES, id="f-move", prompt="where two lead there", compact=True)
                    )
                    yield from self._field(
                        "attribution", Select(ATTRIBUTIONS, id="f-attribution", prompt="attribution", compact=True)
                    )
                    yield from self._field("speaker", Input(placeholder="who said it", id="f-speaker", compact=True))
                    yield from self._field(
                        "said_on",
                        Input(placeholder=self.coding.article.published_on.isoformat(), id="f-said-on", compact=True),
                    )
                    yield from self._field(
                        "mode", Select(MODES, id="f-mode", value="asserted", allow_blank=False, compact=True)
                    )
                    yield from self._field(
                        "condition", Input(placeholder="if it holds on one", id="f-condition", compact=True)
                    )
                    yield from self._field(
                        "note",
                        TextArea(
                            id="f-note",
                            placeholder="why this coding (Enter: a new line; Tab: on)",
                            compact=True,
                            highlight_cursor_line=False,
                        ),
                    )
                yield Static(id="coding-line")
                with Horizontal(id="coding-buttons"):
                    yield Button("Save and ingest", id="save", variant="primary")
                    yield Button("New", id="new")
        yield DataTable(id="coding-list", cursor_type="row", zebra_stripes=True)
        yield Footer()

    @staticmethod
    def _field(key: str, widget: Input | Select[str] | TextArea) -> ComposeResult:
        with Horizontal(classes="coding-field lines" if isinstance(widget, TextArea) else "coding-field"):
            yield Label(FIELDS[key][0])
            yield widget

    def _sentences(self) -> Spans:
        """The article's sentences (as the suggestions find them), where the text shows them."""
        return [
            (shown_index(self.origin, start), shown_index(self.origin, end))
            for start, end in sentences(self.coding.article.text)
        ]

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        """The keys the footer shows: in a narrow terminal, not those of the list's (the help has them)."""
        bindings = super().active_bindings
        return bindings if self.size.width >= FULL_FOOTER else narrow_footer(bindings, self.NARROW_HIDDEN)

    def _title(self) -> Text:
        article = self.coding.article
        title = Text()
        title.append(f"Coding {safe_text(article.id)}: ", style="bold")
        title.append(safe_text(article.title))
        title.append(f" · {article.published_on.isoformat()}", style="dim")
        return title

    def on_resize(self, event: events.Resize) -> None:
        self.set_class(event.size.height < 32, "short")  # the form before the list on a short terminal
        footer = self.query_one(Footer)
        footer.show_command_palette = event.size.width >= FULL_FOOTER
        footer.compact = event.size.width < FULL_FOOTER
        self.refresh_bindings()  # the footer shows fewer keys when narrow

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
            if isinstance(widget, TextArea):
                return widget.text
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

    @on(TextArea.SelectionChanged, "#coding-text")
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
    @on(TextArea.Changed, "#f-note")
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
        ):
            self.query_one(f"#{widget_id}", Input).value = str(values.get(key) or "")
        self.query_one("#f-note", TextArea).load_text(str(values.get("note") or ""))
        for key, widget_id in (("stance", "f-stance"), ("move", "f-move"), ("attribution", "f-attribution")):
            select = self.query_one(f"#{widget_id}", Select)
            chosen = values.get(key)
            select.value = str(getattr(chosen, "value", chosen)) if chosen else Select.NULL
        mode = values.get("mode") or "asserted"
        self.query_one("#f-mode", Select).value = str(getattr(mode, "value", mode))

    def select_span(self, start: int, end: int) -> None:
        self.query_one(ArticleTextArea).show_passage(
            Selection(
                location(self.shown, shown_index(self.origin, start)),
                location(self.shown, shown_index(self.origin, end)),
            )
        )

    # -- actions -----------------------------------------------------------------------------------------------

    def ask_first(self, then: Callable[[], None], doing: str, yes: str) -> None:
        """Do `then`, once the coder has said so if the form holds something not saved (it would be lost)."""
        if not self.unsaved():
            then()
            return

        def answered(sure: bool | None) -> None:
            if sure:
                then()

        self.app.push_screen(Confirm(f"The form holds evidence not saved. {doing} and lose it?", yes), answered)

    def action_new(self) -> None:
        self.ask_first(self.new, "Start a new piece of evidence", "New")

    def new(self) -> None:
        """An empty form, and the focus in the text, to select the next quote."""
        self.editing = None
        self.fill({})
        self.baseline = self.draft()
        self.update_line()
        self.query_one(ArticleTextArea).focus()

    def action_suggest(self) -> None:
        self.ask_first(self.suggest, "Go to the next suggestion", "Next")

    def suggest(self) -> None:
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
        self.baseline = self.draft()  # a suggestion is not the coder's work: the next one replaces it unasked
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
        if chosen.id == self.editing:
            return  # in the form already, as it is being edited
        self.ask_first(lambda: self.edit(chosen), f"Load {safe_text(chosen.id)} into the form", "Load")

    def edit(self, chosen: Evidence) -> None:
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
        place = self.item_lines(editing)
        try:
            evidence_id, done = self.coding.save(draft, editing)
        except TrackerError as exc:
            self.app.call_from_thread(self.refused, exc, place)
            return
        self.app.call_from_thread(self.saved, done, evidence_id)

    @work(thread=True, exclusive=True, group="coding", exit_on_error=False)
    def removing(self, evidence_id: str) -> None:
        try:
            done = self.coding.remove(evidence_id)
        except TrackerError as exc:
            self.app.call_from_thread(self.refused, exc, None)
            return
        self.app.call_from_thread(self.saved, done, None, evidence_id)

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
        self.ask_first(self.leave, "Leave", "Leave")

    def leave(self) -> None:
        self.dismiss(self.changed)

    def saved(self, done: str, evidence_id: str | None, removed: str | None = None) -> None:
        """Saved (the form now edits what it saved, so saving again changes it rather than adding another) or
        removed (the form is cleared if it was editing what was removed, else kept as it is)."""
        self.changed = True
        self.refresh_evidence()
        if evidence_id is not None:
            self.editing = evidence_id
            self.baseline = self.draft()
            self.update_line()
        elif removed is not None and removed == self.editing:
            self.new()
        self.app.clear_notifications()
        self.notify(safe_text(done), title="Done", markup=False)

    def item_lines(self, editing: str | None) -> ItemLines | None:
        """Where in its fixture the item a save writes will be (None: not known; a problem is then told as the
        check found it, by its file and line)."""
        from tracker.domain.yamlfile import YamlProblem, read_yaml
        from tracker.ingest.authoring import fixture_of

        try:
            fixture = fixture_of(self.coding.fixtures, self.coding.article.id)
            if not fixture.exists:
                return ItemLines(fixture.path, 1, None)  # the fixture is made with the item
            if editing is None:  # appended, after what the file holds
                lines = fixture.path.read_text(encoding="utf-8").splitlines()
                return ItemLines(
                    fixture.path, 1 + max((n for n, line in enumerate(lines, 1) if line.strip()), default=0)
                )
            items = read_yaml(fixture.path).get("evidence") or []
            found = [n for n, item in enumerate(items) if isinstance(item, dict) and str(item.get("id")) == editing]
        except (TrackerError, YamlProblem, OSError, UnicodeDecodeError, AttributeError):
            return None
        if not found:
            return None
        starts = list(getattr(items, "item_lines", []))
        if len(starts) != len(items):
            return None
        at = found[0]
        return ItemLines(fixture.path, starts[at], starts[at + 1] if at + 1 < len(starts) else None)

    def refused(self, error: TrackerError, place: ItemLines | None) -> None:
        """Nothing was saved: each problem is told by the form's field it is in (its label, the file's line only as
        a detail), or as the check found it where it is elsewhere (another item, another file)."""
        problems: list[Problem] = list(getattr(error, "problems", None) or [])
        told: list[str] = []
        first_field: str | None = None
        for problem in problems[:6]:
            field = FIELDS.get(problem.field) if place is not None and place.holds(problem) else None
            if field is None:
                told.append(str(problem))
                continue
            told.append(f"{field[0]}: {safe_text(problem.message)}\n    (in {safe_text(problem.path)}:{problem.line})")
            first_field = first_field or field[1]
        message = "\n".join(told) if told else safe_text(str(error))
        self.notify(message, title="Not saved: the fixture is as it was", severity="error", timeout=15, markup=False)
        self.query_one("#coding-line", Static).update(Text(message.splitlines()[0], style="bold red"))
        if first_field is not None:
            self.query_one(f"#{first_field}").focus()


@dataclass(frozen=True)
class ItemLines:
    """The lines of a fixture that hold the item being saved: from `first`, up to (not including) `end` (None: to
    the end of the file)."""

    path: Path
    first: int
    end: int | None = None

    def holds(self, problem: Problem) -> bool:
        """Whether the problem is in the item: in its file, within its lines."""
        try:
            same = Path(problem.path).resolve() == self.path.resolve()
        except OSError:
            return False
        return same and problem.line >= self.first and (self.end is None or problem.line < self.end)
