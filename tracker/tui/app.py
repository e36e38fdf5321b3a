"""The terminal UI's application: the store it reads, first-run setup, and the keys every screen shares.

The UI is a front end like the CLI: it reads through the same library
functions (`tracker.read`), each call on its own read
snapshot in a worker thread, and holds no domain logic of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime
from functools import partial
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from rich.text import Text
from textual import work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message_pump import MessagePump
from textual.screen import Screen
from textual.widgets import Log, Static

from tracker.coding import Coding
from tracker.domain.errors import TrackerError
from tracker.read.opening import Database
from tracker.read.reading import Reading
from tracker.tui.coding import ArticleTextArea, CodingScreen
from tracker.tui.dialogs import (
    DatePrompt,
    ExportDialog,
    FilterDialog,
    HelpScreen,
    KeyList,
    KnownAtPrompt,
    LegendScreen,
    SearchScreen,
)
from tracker.tui.matrix_screen import MatrixScreen
from tracker.tui.palette import palette_for, use
from tracker.tui.screens import ArticleScreen, DiffScreen, TrackerScreen

T = TypeVar("T")


class SeedingScreen(Screen[None]):
    """First run: the default database is built from the bundled corpus, with its progress shown."""

    def __init__(self, database: Database) -> None:
        super().__init__()
        self.database = database

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield Static(
                Text(f"Creating the tracker database {self.database.where} from the bundled corpus…", style="bold")
            )
            yield Log(id="progress", highlight=False)

    def on_mount(self) -> None:
        self.seed()

    @work(thread=True, exclusive=True)
    def seed(self) -> None:
        log = self.query_one("#progress", Log)

        def progress(message: str) -> None:
            self.app.call_from_thread(log.write_line, message)

        try:
            summary = self.database.seed(progress)
        except TrackerError as exc:
            self.app.call_from_thread(
                partial(self.app.exit, return_code=int(exc.exit_code), message=Text(f"error: {exc}"))
            )
            return
        progress(f"{summary.evidence_added} piece(s) of evidence stored")
        self.app.call_from_thread(self.dismiss, None)


class TrackerApp(App[int]):
    """Where the parties stand, as of any date, with the evidence for every position."""

    CSS_PATH = Path(__file__).resolve().parent / "tracker.tcss"  # absolute: a subclass elsewhere finds it too
    TITLE = "Negotiation tracker"
    ENABLE_COMMAND_PALETTE = True
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("question_mark", "help", "Help", tooltip="Every key, and what the colours and marks mean"),
        Binding("t", "toggle_theme", "Light/dark", tooltip="Switch between the light and dark themes", show=False),
        Binding("q", "quit", "Quit"),
    ]

    def __init__(
        self,
        database: Database,
        as_of: date | None = None,
        known_at: datetime | None = None,
        seed_first: bool = False,
        coding: Coding | None = None,
    ) -> None:
        super().__init__()
        self.database = database
        self.start_as_of = as_of or self.today()
        self.start_known_at = known_at
        self.seed_first = seed_first
        self.coding = coding  # open on this article's coding screen (`tracker code`), not the matrix

    @staticmethod
    def today() -> date:
        return datetime.now(UTC).date()

    def read(self, known_at: datetime | None, query: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run one read of the library on its own snapshot, as held at `known_at` (called from worker threads)."""
        reading: Reading
        with self.database.reading(known_at) as reading:
            return query(reading, *args, **kwargs)

    def read_then(
        self,
        known_at: datetime | None,
        to: MessagePump,
        then: Callable[[T], object],
        query: Callable[..., T],
        *args: Any,
    ) -> None:
        """Run one read as `read` does, and hand its answer to `then` on the UI thread, among the messages of `to`
        (a screen: dropped once it has closed), as soon as it is known: the snapshot closes meanwhile, off the UI's
        path (closing one that read much of a large SQLite file takes about 10 ms). Called from worker threads;
        posting a message is thread-safe."""
        reading: Reading
        with self.database.reading(known_at) as reading:
            to.call_later(then, query(reading, *args))

    def on_mount(self) -> None:
        self.theme = "textual-dark"
        self.watch_theme(self.theme)
        if self.seed_first:  # the matrix reads the database only once it is built
            self.push_screen(SeedingScreen(self.database), self._open_matrix)
        else:
            self._open_matrix()

    def _open_matrix(self, _: None = None) -> None:
        if self.coding is not None:
            self.push_screen(CodingScreen(self.coding), self._coded)
            return
        self.push_screen(MatrixScreen(self.start_as_of, self.start_known_at))

    def _coded(self, _: bool | None = None) -> None:
        """The coding screen `tracker code` opened on was left: the session ends."""
        self.exit(0)

    def watch_theme(self, theme: str) -> None:
        """Stances, statuses and dates take the new theme's colours, made legible on it, on every screen."""
        use(palette_for(self.current_theme, self.ansi_theme))
        for screen in self.screen_stack:
            if isinstance(screen, TrackerScreen) and screen.is_mounted:
                screen.restyle()

    async def action_quit(self) -> None:
        """Quit (q, ctrl+q, the palette's Quit); asking first where a coding screen's form holds evidence not saved."""
        coding = next((s for s in reversed(self.screen_stack) if isinstance(s, CodingScreen)), None)
        if coding is None:
            self.exit()
        else:
            coding.ask_first(self.exit, "Quit", "Quit")

    def action_toggle_theme(self) -> None:
        self.theme = "textual-light" if self.current_theme.dark else "textual-dark"

    def action_help(self) -> None:
        if isinstance(self.screen, HelpScreen):
            return
        keys = every_key()
        here = {CodingScreen: "coding", ArticleScreen: "article", DiffScreen: "diff"}.get(type(self.screen))
        self.push_screen(HelpScreen(keys, self.get_key_display_name, start_at=here))

    def get_key_display_name(self, key: str) -> str:
        return self.get_key_display(Binding(key, ""))

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """Textual's commands (one help: this app's), a screenshot saved where it can be, and the matrix's keys."""
        for command in super().get_system_commands(screen):
            if command.title not in ("Keys", "Screenshot"):
                yield command
        yield SystemCommand("Help: every key", "Every key of every screen, and what the matrix shows", self.action_help)
        yield SystemCommand("Light or dark theme", "Switch between the light and dark themes", self.action_toggle_theme)
        yield SystemCommand(
            "Screenshot", "Save an SVG picture of the screen in the current folder", self._screenshot_soon
        )
        if isinstance(screen, MatrixScreen):
            for binding in MatrixScreen.BINDINGS:
                assert isinstance(binding, Binding)
                action, _, argument = binding.action.partition("(")
                method = getattr(screen, f"action_{action}")
                callback = partial(method, int(argument.rstrip(")"))) if argument else method
                yield SystemCommand(binding.description, binding.tooltip or binding.description, callback)

    def _screenshot_soon(self) -> None:
        self.set_timer(0.1, self.save_screenshot_here)  # once the palette has closed

    def save_screenshot_here(self) -> None:
        """An SVG of the screen in the current folder (Textual's own goes to ~/Downloads, which may not exist)."""
        try:
            path = self.save_screenshot(path=str(Path.cwd()))
        except OSError as exc:
            self.notify(f"Could not save a screenshot in {Path.cwd()}: {exc.strerror}", severity="error", markup=False)
            return
        self.notify(f"Saved {path}", title="Screenshot", markup=False)


_FILTER_KEYS: list[BindingType] = [
    Binding("space", "toggle", "Tick or untick the issue or party under the cursor"),
    Binding("tab", "focus_next", "Next list or button (Apply, All, Cancel)"),
]
_CODING_KEYS: list[BindingType] = [
    Binding(
        "shift+arrows",
        "select",
        "In the text: select the quote a character or a line at a time (or drag with the mouse); the form says what "
        "it will do as you type",
    ),
    Binding("double click", "word", "In the text: select the word clicked"),
    Binding("triple click", "sentence", "In the text: select the sentence clicked"),
    Binding(
        "tab,shift+tab",
        "focus_next",
        "The text, then each field of the form in order (Issue to Note), then Save and New, then the article's "
        "evidence; an issue or party completes with the right arrow",
    ),
    Binding("enter", "edit", "On the article's evidence: load it into the form to edit"),
]
_TABLE_KEYS: list[BindingType] = [
    Binding(
        "up,down,left,right",
        "move",
        "Move between positions (the panes below follow); the issue's own cell "
        "shows its status history and its issue-level evidence",
    ),
    Binding("enter", "select", "Go to the evidence of the position (or of the issue)"),
    Binding("tab", "focus_next", "Next pane (history, evidence, the quote)"),
]


def run(
    database: Database,
    as_of: date | None,
    known_at: datetime | None,
    seed_first: bool,
    coding: Coding | None = None,
) -> int:
    """Run the terminal UI until the user quits; its exit code. With `coding`, on that article's coding screen."""
    app = TrackerApp(database, as_of, known_at, seed_first, coding)
    app.run()
    return app.return_code or 0


def every_key() -> KeyList:
    """Every key of every screen, by where it works: what the help screen lists, and the README's key tables."""
    return [
        ("everywhere", [*TrackerApp.BINDINGS, Binding("ctrl+p", "command_palette", "Commands (search actions)")]),
        ("matrix", [*MatrixScreen.BINDINGS, *_TABLE_KEYS]),
        ("lists", [Binding("enter", "open", "Open the article with the quote highlighted")]),
        ("article", list(ArticleScreen.BINDINGS)),
        ("coding", [*CodingScreen.BINDINGS, *ArticleTextArea.BINDINGS, *_CODING_KEYS]),
        ("diff", [*DiffScreen.BINDINGS, Binding("enter", "open", "Show / open the evidence")]),
        ("search", [*SearchScreen.BINDINGS, Binding("enter", "go", "Search; on a result, go to it")]),
        ("known at", [*KnownAtPrompt.BINDINGS, Binding("enter", "pick", "Apply the time typed or picked")]),
        ("export", list(ExportDialog.BINDINGS)),
        ("date prompts", [*DatePrompt.BINDINGS, Binding("enter", "accept", "Accept (Tab: the next field)")]),
        ("filter", [*FilterDialog.BINDINGS, *_FILTER_KEYS]),
        ("key and help", [*LegendScreen.BINDINGS, *HelpScreen.BINDINGS]),
        ("mouse", [Binding("click", "click", "A cell selects it; the timeline goes to the nearest change date")]),
    ]
