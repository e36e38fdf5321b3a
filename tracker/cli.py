"""The command line: a thin front end over the library, to the contract in the spec.

stdout carries data only; diagnostics go to stderr. Exit codes: 0 success,
1 bad data (validation, grounding, illegal move), 2 bad usage. Every
`TrackerError` is mapped to its exit code in `main`, and nowhere else.
"""

from __future__ import annotations

import dataclasses
import gc
import io
import os
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from tracker import __version__
from tracker.domain.dates import parse_date, parse_recorded_time
from tracker.domain.errors import CorpusError, DataError, ExitCode, OutputError, TrackerError, UsageError, display_path
from tracker.domain.untrusted import safe_text
from tracker.render.formats import FORMATS, REPORT_FORMATS, SCHEMA_KINDS, schema_file

if TYPE_CHECKING:  # the rest loads only in the command that needs it: `tracker --version` answers at once
    from tracker.api import Tracker
    from tracker.domain.catalog import Catalog
    from tracker.domain.workspace import Workspace
    from tracker.ingest.ingest import Fill, IngestSummary, Negotiation
    from tracker.read.opening import Database

F = TypeVar("F", bound=Callable[..., Any])
# The status of a program killed by SIGPIPE, as a shell reports it: a closed pipe stops a command as it stops `cat`.
SIGPIPE_EXIT = 128 + signal.SIGPIPE


def _remember_db(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    if value is not None and not value.strip():
        # An unset shell variable must not quietly mean the user's own default database.
        raise click.BadParameter("is empty; give a database URL or file path, or leave --db and TRACKER_DB out")
    if value is not None:
        ctx.meta["tracker.db"] = value


def _remember_workspace(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    if value is not None and not value.strip():
        raise click.BadParameter("is empty; give a workspace folder, or leave --workspace and TRACKER_WORKSPACE out")
    if value is not None:
        source = ctx.get_parameter_source(param.name or "workspace")
        ctx.meta["tracker.workspace"] = (value, source == click.core.ParameterSource.ENVIRONMENT)


def workspace_option(envvar: str | None = None) -> Callable[[F], F]:
    """`--workspace DIR`, accepted before the command and after it (env TRACKER_WORKSPACE)."""
    return click.option(
        "--workspace",
        metavar="DIR",
        envvar=envvar,
        expose_value=False,
        callback=_remember_workspace,
        help="The negotiation's workspace [default: the one the current folder is in] (env TRACKER_WORKSPACE).",
    )


def db_option(envvar: str | None = None, workspace_envvar: str | None = None) -> Callable[[F], F]:
    """`--db`, accepted before the command (`tracker --db X state`) and after it; and `--workspace`."""
    db = click.option(
        "--db",
        metavar="URL",
        envvar=envvar,
        expose_value=False,
        callback=_remember_db,
        help="Database: an SQLAlchemy URL or a SQLite file path (env TRACKER_DB) [default: the workspace's].",
    )

    def options(f: F) -> F:
        return db(workspace_option(workspace_envvar)(f))

    return options


NARROWEST = 40  # the least width a text table is fitted to: `--width` refuses less, a narrower terminal gets 40


def format_option(choices: tuple[str, ...] = FORMATS, default: str = "table") -> Callable[[F], F]:
    def options(f: F) -> F:
        f = click.option(
            "--format", "fmt", type=click.Choice(choices), default=default, show_default=True, help="Output format."
        )(f)
        if choices is FORMATS:
            f = click.option(
                "--width",
                type=click.IntRange(min=NARROWEST),
                default=None,
                metavar="N",
                help="Fit the table to N columns (at least 40), cutting quotes and names with …, or showing each "
                "row as a block of lines where a table does not fit [default: the terminal's width; whole lines "
                "when not a terminal].",
            )(f)
        return f

    return options


def _table_width(width: int | None) -> int | None:
    """The width a text table fits: `--width`, else a terminal's (COLUMNS first; never below 40), else none (lines
    kept whole)."""
    if width is not None:
        return width
    if sys.stdout is not None and sys.stdout.isatty():
        import shutil

        return max(shutil.get_terminal_size().columns, NARROWEST)
    return None


class Parsed(click.ParamType):  # type: ignore[type-arg]
    """A value typed as text and read by one of `tracker.domain.dates`' parsers; its message on a bad one."""

    def __init__(self, name: str, parse: Callable[[str], Any], kind: type) -> None:
        self.name, self.parse, self.kind = name, parse, kind

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, self.kind):
            return value
        try:
            return self.parse(str(value))
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


DATE = Parsed("DATE", parse_date, date)
# A recorded time: an ISO date (meaning the end of that day, UTC) or an ISO datetime.
RECORDED_TIME = Parsed("TIME", parse_recorded_time, datetime)


def _stderr_is_terminal() -> bool:
    return sys.stderr.isatty()


def _say(message: str) -> None:
    """A diagnostic on stderr, one line: untrusted text in it (a path, a value typed) shown inert."""
    click.echo(safe_text(message), err=True)


class _ReaderGone(Exception):
    """The reader of stdout went away (`tracker history | head -1`): nothing to say, nothing more to do."""


def _emit(text: str) -> None:
    """Data on stdout, flushed here so that a full disk or a closed pipe is told now, not at exit."""
    out = sys.stdout
    if out is None:  # started with stdout closed (`tracker state >&-`)
        raise OutputError("standard output is closed")
    try:
        try:
            descriptor = out.fileno()
        except (AttributeError, OSError, ValueError):  # not a file (a test's capture): written as text
            out.write(text)
            out.flush()
            return
        out.flush()
        _write_whole(descriptor, text.encode(out.encoding or "utf-8", errors="backslashreplace"))
    except BrokenPipeError:
        raise _ReaderGone from None
    except OSError as exc:
        raise OutputError(f"cannot write to standard output: {exc.strerror}") from None


def _write_whole(descriptor: int, data: bytes, chunk: int = 65536) -> None:
    """Write all of `data`, a pipe's worth at a time: a reader that goes away is an error on the next write.

    (One large write to a pipe whose reader leaves returns short, and Python's buffered file then drops the
    rest without a word.)
    """
    view = memoryview(data)
    while view:
        view = view[os.write(descriptor, view[:chunk]) :]


def _progress(message: str) -> None:
    _say(f"  {message}")


# Whether `main` runs the command line of a process of its own (`tracker ...`, `python -m tracker`), not a call of
# `main(args)` in a longer-lived one (a test, a script).
_own_process = False


@contextmanager
def _loading() -> Iterator[None]:
    """Around a command's imports: in a process of its own, the cyclic garbage collector does not run while the
    toolkits load (each pass would traverse every object loaded so far), and what they loaded is frozen then
    (`gc.freeze`): it stays to the exit, and neither the command's collections nor the one at the exit traverse
    it again. Tens of thousands of objects; for a folder edit at 1M about a tenth of a second. A call of `main`
    in another process leaves its collector as it was."""
    if not _own_process or not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.enable()


def _report_ingest(summary: IngestSummary, where: str, warn: bool = True) -> None:
    """What an ingest did, on stderr; and its warnings, unless not `warn` (`tracker validate` lists them)."""
    if not warn:
        summary = dataclasses.replace(summary, warnings=[])
    if not summary.changed:
        _say(
            f"nothing new: {where} already holds everything in this corpus "
            f"({summary.evidence_total} piece(s) of evidence)"
        )
        _report_warnings(summary)
        return
    assert summary.recorded_at is not None
    _say(
        f"ingested into {where} at {summary.recorded_at.isoformat()}: "
        f"{summary.articles_added} article(s) added, {summary.articles_superseded} superseded; "
        f"{summary.evidence_added} piece(s) of evidence added, {summary.evidence_superseded} superseded; "
        f"{summary.positions_replayed} position(s) replayed"
        + ("; catalogue updated" if summary.catalog_changed else "")
    )
    _report_evidence_changes(summary.evidence_changes)
    _report_warnings(summary)


def _report_warnings(summary: IngestSummary) -> None:
    """Non-fatal findings, one `path:line: field: warning: ...` line each (validate lists them as its data)."""
    for warning in summary.warnings:
        click.echo(str(warning), err=True)


def _report_evidence_changes(changes: dict[str, list[str]], limit: int = 12) -> None:
    """Name the evidence an ingest adds, edits and removes (a few; the count says the rest)."""
    for what, ids in changes.items():
        if ids:
            shown = ", ".join(ids[:limit]) + (f" and {len(ids) - limit} more" if len(ids) > limit else "")
            _say(f"  {what}: {shown}")


@dataclass(frozen=True)
class _Found:
    """The workspace a command uses, and how it was found (None: outside any, the bundled corpus is the demo)."""

    workspace: Workspace | None
    how: str


def _found(ctx: click.Context) -> _Found:
    """The workspace named by --workspace or TRACKER_WORKSPACE, else the one the current folder is in."""
    found: _Found | None = ctx.meta.get("tracker.found")
    if found is not None:
        return found
    from tracker.domain.workspace import WORKSPACE_FILE, WORKSPACE_VARIABLE, find, load

    named = ctx.meta.get("tracker.workspace")
    if named is not None:
        folder = Path(named[0]).expanduser()
        how = f"named by {WORKSPACE_VARIABLE}" if named[1] else "named by --workspace"
        if not (folder / WORKSPACE_FILE).is_file():
            raise UsageError(
                f"{display_path(folder)} is not a workspace (no {WORKSPACE_FILE}); make one with `tracker init`"
            )
        found = _Found(load(folder.resolve()), how)
    else:
        root = find(Path.cwd())
        found = _Found(load(root), "found from the current folder") if root else _Found(None, "outside any workspace")
    ctx.meta["tracker.found"] = found
    return found


def _database(ctx: click.Context) -> Database:
    """The database named by `--db`/TRACKER_DB, else the workspace's, else the default one; closed when the
    command ends."""
    database: Database | None = ctx.meta.get("tracker.database")
    if database is None:
        from tracker.read.opening import Database

        named = ctx.meta.get("tracker.db")
        workspace = _found(ctx).workspace if named is None else None
        database = Database(named or (workspace.database if workspace else None), say=_say)
        if workspace is not None:
            database.create_hint = "run `tracker ingest` in the workspace"
        ctx.meta["tracker.database"] = database
        ctx.call_on_close(database.close)
    return database


def _writable_corpus(
    ctx: click.Context, seeds: Path | None, fixtures: Path | None, needs_fixtures: bool = True
) -> tuple[Path, Path]:
    """The corpus folders a command writes to: those given, else the workspace's. The bundled corpus is the demo
    and is never written by default: outside a workspace, a command that writes needs its folders named."""
    if _found(ctx).workspace is None and (seeds is None or (needs_fixtures and fixtures is None)):
        raise UsageError(
            "outside a workspace there is no corpus of yours to write to: make one with `tracker init DIR` and run "
            "this there, or name the folders with --seeds" + (" and --fixtures" if needs_fixtures else "")
        )
    return _corpus(ctx, seeds, fixtures)


def _corpus(ctx: click.Context, seeds: Path | None, fixtures: Path | None) -> tuple[Path, Path]:
    """The corpus folders a command uses: those given, else the workspace's, else the bundled corpus (the demo)."""
    workspace = _found(ctx).workspace
    if workspace is not None:
        return seeds or workspace.seeds, fixtures or workspace.fixtures
    from tracker.ingest.corpus import bundled_corpus

    default_seeds, default_fixtures = bundled_corpus()
    return seeds or default_seeds, fixtures or default_fixtures


def _ready(ctx: click.Context) -> Database:
    """The database, ready to read: the default one is built from the bundled corpus on first use."""
    database = _database(ctx)
    summary = database.ready(_progress)
    if summary is not None:
        # The bundled corpus's own warnings are not the new user's to act on: `tracker validate` lists them.
        _report_ingest(summary, database.where, warn=False)
    return database


def _tracker(ctx: click.Context) -> Tracker:
    """The tracker's Python API over the database, ready to answer."""
    from tracker.api import Tracker

    tracker = Tracker(_database(ctx), say=_say, progress=_progress)
    summary = tracker.ready()
    if summary is not None:
        # The bundled corpus's own warnings are not the new user's to act on: `tracker validate` lists them.
        _report_ingest(summary, tracker.where, warn=False)
    return tracker


def _filters(f: F) -> F:
    f = click.option("--party", "parties", multiple=True, metavar="ID", help="Only this party (repeatable).")(f)
    f = click.option("--issue", "issues", multiple=True, metavar="ID", help="Only this issue (repeatable).")(f)
    return f


def _known_at_option(f: F) -> F:
    return click.option(
        "--known-at", type=RECORDED_TIME, default=None, help="Answer as the tracker would have at this recorded time."
    )(f)


def _corpus_options(f: F) -> F:
    f = click.option(
        "--jobs",
        type=click.IntRange(min=1),
        default=None,
        metavar="N",
        help="Worker processes checking a big feed's lines [default: the machine's cores].",
    )(f)
    f = click.option(
        "--catalog",
        "catalog_file",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        default=None,
        help="Catalogue file [default: catalog.yaml in FIXTURES or beside the feed, else the stored one, "
        "else the bundled one].",
    )(f)
    f = click.option(
        "--jsonl",
        "feed",
        type=click.Path(exists=True, dir_okay=False, path_type=Path, allow_dash=True),
        default=None,
        help="A JSONL feed of machine-coded articles and evidence, one JSON object per line "
        "(instead of --seeds and --fixtures; - reads it from stdin).",
    )(f)
    f = click.option(
        "--fixtures",
        type=click.Path(exists=True, file_okay=False, path_type=Path),
        default=None,
        help="Folder of evidence fixtures [default: the bundled corpus].",
    )(f)
    f = click.option(
        "--seeds",
        type=click.Path(exists=True, file_okay=False, path_type=Path),
        default=None,
        help="Folder of articles with articles.yaml [default: the bundled corpus].",
    )(f)
    return f


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@db_option(envvar="TRACKER_DB", workspace_envvar="TRACKER_WORKSPACE")
@click.version_option(__version__, prog_name="tracker")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Track where the parties to a negotiation stand, with a verbatim source for every position."""
    if ctx.invoked_subcommand is None:
        ctx.invoke(tui_command)


@cli.command("tui")
@click.option("--as-of", type=DATE, default=None, help="Date to open the matrix at [default: today].")
@_known_at_option
@db_option()
@click.pass_context
def tui_command(ctx: click.Context, as_of: date | None = None, known_at: datetime | None = None) -> None:
    """The terminal UI: the position matrix, time travel, evidence in its article, and diffs."""
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise UsageError(
            "the terminal UI needs a terminal; scripts use `tracker state`, `diff`, `history` (see `tracker --help`)"
        )
    database = _database(ctx)
    database.ready(seed=False)  # an empty default database is built on screen, its progress shown
    from tracker.tui.app import run  # Textual loads only for the UI

    ctx.exit(run(database, as_of, known_at, seed_first=database.is_default and database.is_empty()))


@dataclass(frozen=True)
class _Input:
    """What an ingest or a validation reads: its catalogue, how to give the articles and evidence, and its sources."""

    catalog: Catalog
    fill: Fill
    sources: tuple[str, str]
    articles: int | None  # known before the ingest for seeds and fixtures; counted by the ingest for a feed


def _held_catalog(database: Database | None) -> Catalog | None:
    """The catalogue a database holds (for a corpus that brings none of its own)."""
    if database is None or database.is_empty():
        return None
    with database.reading() as reading:
        return reading.catalog()


def _input(
    ctx: click.Context,
    database: Database | None,
    seeds: Path | None,
    fixtures: Path | None,
    catalog_file: Path | None,
    feed: Path | None,
    jobs: int | None,
    skip_unchanged: bool = False,
) -> _Input:
    from tracker.ingest.corpus import choose_catalog, load_corpus
    from tracker.ingest.ingest import corpus_fill

    if feed is not None:
        from tracker.ingest.feed import feed_fill, feed_path_problem

        if str(feed) == "-":
            feed = Path("/dev/stdin")
        if seeds is not None or fixtures is not None:
            raise UsageError("give either --jsonl or --seeds/--fixtures, not both")
        unreadable = feed_path_problem(feed, display_path(feed))
        if unreadable is not None:
            raise CorpusError([unreadable])
        workspace = _found(ctx).workspace
        beside = Path.cwd() if str(feed) == "/dev/stdin" else feed.parent
        if catalog_file is None and not (beside / "catalog.yaml").exists() and workspace is not None:
            catalog_file = workspace.fixtures / "catalog.yaml"  # a feed into a workspace: the workspace's catalogue
        catalog = choose_catalog(beside, catalog_file, _held_catalog(database))
        where = display_path(feed)
        return _Input(catalog, feed_fill(feed, catalog, jobs or os.cpu_count() or 1), (where, where), None)
    seeds, fixtures = _corpus(ctx, seeds, fixtures)
    if skip_unchanged:
        # An ingest: the folders are read inside its transaction, only what the cache of sources cannot vouch for
        # (`tracker.ingest.corpus.folder_fill`); the stored catalogue is read only for a corpus without its own.
        from tracker.ingest.corpus import CATALOG_FILE, check_folders, folder_fill

        check_folders(seeds, fixtures)
        own = catalog_file is not None or (fixtures / CATALOG_FILE).exists()
        catalog = choose_catalog(fixtures, catalog_file, None if own else _held_catalog(database))
        return _Input(
            catalog, folder_fill(seeds, fixtures, catalog), (display_path(seeds), display_path(fixtures)), None
        )
    corpus = load_corpus(seeds, fixtures, catalog_file, _held_catalog(database))
    return _Input(
        corpus.catalog, corpus_fill(corpus), (display_path(seeds), display_path(fixtures)), len(corpus.articles)
    )


@cli.command("ingest")
@_corpus_options
@click.option("--rename", is_flag=True, help="The catalogue's new title renames the negotiation the database tracks.")
@db_option()
@click.pass_context
def ingest_command(
    ctx: click.Context,
    seeds: Path | None,
    fixtures: Path | None,
    feed: Path | None,
    catalog_file: Path | None,
    jobs: int | None,
    rename: bool,
) -> None:
    """Load articles and evidence: all or nothing, and idempotent. One database holds one negotiation: a corpus
    of another is refused."""
    with _loading():
        from tracker.ingest.ingest import run_ingest

    database = _ready_to_ingest(ctx)
    progress = _progress if _stderr_is_terminal() else None
    given = _input(ctx, database, seeds, fixtures, catalog_file, feed, jobs, skip_unchanged=True)
    if progress:
        progress(f"reading {' and '.join(dict.fromkeys(given.sources))}")
    summary = run_ingest(
        database.store(),
        given.catalog,
        given.fill,
        given.sources,
        progress=progress,
        negotiation=_negotiation(ctx, database, seeds, fixtures, feed, rename),
    )
    _report_ingest(summary, database.where)


def _ready_to_ingest(ctx: click.Context) -> Database:
    """The database to ingest into. The default one (outside a workspace, without --db) holds the bundled demo:
    built from it first, so that a corpus of another negotiation is refused rather than becoming the default."""
    database = _database(ctx)
    if database.is_default:
        _ready(ctx)
    return database


def _negotiation(
    ctx: click.Context,
    database: Database,
    seeds: Path | None,
    fixtures: Path | None,
    feed: Path | None = None,
    rename: bool = False,
) -> Negotiation:
    """Which negotiation the corpus ingested is: the workspace's whose corpus it is (the current one's, or the one
    the folders named belong to); none for a corpus outside any workspace (its catalogue's title then says)."""
    from tracker.domain.workspace import find, load
    from tracker.ingest.ingest import Negotiation

    workspace = _found(ctx).workspace
    if seeds is not None or fixtures is not None:  # folders named: the workspace they belong to, if any
        root = find(seeds or fixtures or Path.cwd())
        workspace = load(root) if root is not None else None
        if workspace is not None and (seeds or workspace.seeds).resolve() != workspace.seeds.resolve():
            workspace = None
    own = workspace is not None and feed is None
    return Negotiation(workspace.negotiation if own and workspace else None, rename, database.where)


@cli.command("validate")
@_corpus_options
@db_option()
@click.pass_context
def validate_command(
    ctx: click.Context,
    seeds: Path | None,
    fixtures: Path | None,
    feed: Path | None,
    catalog_file: Path | None,
    jobs: int | None,
) -> None:
    """Run every check of ingest and write nothing; list every problem as path:line: field: message."""
    from tracker.ingest.ingest import validate

    database: Database | None = _database(ctx)
    if database is not None and not database.exists():
        database = None  # nothing stored yet: check the corpus on its own
    try:
        given = _input(ctx, database, seeds, fixtures, catalog_file, feed, jobs)
        negotiation = _negotiation(ctx, database, seeds, fixtures, feed) if database else None
        summary = validate(database.store() if database else None, given.catalog, given.fill, negotiation)
    except DataError as exc:
        for problem in exc.problems:
            _emit(f"{problem}\n")
        _say(f"{len(exc.problems)} problem(s) found")
        ctx.exit(ExitCode.BAD_DATA)
    against = f" against {database.where}" if database else ""
    if database is None:
        change = "nothing is stored yet: an ingest would add all of it"
    elif not summary.changed:
        change = "nothing new to ingest"
    else:
        change = "an ingest would change the database" + (" (the catalogue too)" if summary.catalog_changed else "")
    articles = summary.articles_total if given.articles is None else given.articles
    for warning in summary.warnings:
        _emit(f"{warning}\n")
    warned = f", {len(summary.warnings)} warning(s)" if summary.warnings else ""
    _say(f"ok: {articles} article(s), {summary.evidence_total} piece(s) of evidence{against}{warned}; {change}")
    if database is not None:
        _report_evidence_changes(summary.evidence_changes)


def _evidence_option(f: F) -> F:
    return click.option(
        "--evidence",
        type=click.Choice(("newest", "all")),
        default="newest",
        show_default=True,
        help="The newest 10 pieces of evidence behind each answer, with their total, or all of them.",
    )(f)


@cli.command("state")
@click.option("--as-of", type=DATE, default=None, help="Date of the positions [default: today].")
@_known_at_option
@_filters
@_evidence_option
@format_option()
@db_option()
@click.pass_context
def state_command(
    ctx: click.Context,
    as_of: date | None,
    known_at: datetime | None,
    issues: tuple[str, ...],
    parties: tuple[str, ...],
    evidence: str,
    fmt: str,
    width: int | None,
) -> None:
    """Where every party stands on every issue, as of a date (everything said on it included)."""
    answer = _tracker(ctx).state(as_of, issues=issues, parties=parties, known_at=known_at, evidence=evidence)  # type: ignore[arg-type]
    _emit(_rendered(answer, fmt, width))


@cli.command("diff")
@click.argument("date_from", metavar="FROM", type=DATE)
@click.argument("date_to", metavar="[TO]", type=DATE, required=False)
@_known_at_option
@_filters
@_evidence_option
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    default=50,  # CHANGES_SHOWN, which the command line does not import to start fast
    show_default=True,
    metavar="N",
    help="The first N changes (positions, then contests, then issues); changes_total counts them all.",
)
@click.option("--offset", type=click.IntRange(min=0), default=0, metavar="N", help="Skip the first N changes.")
@click.option("--all", "every", is_flag=True, help="Every change.")
@format_option()
@db_option()
@click.pass_context
def diff_command(
    ctx: click.Context,
    date_from: date,
    date_to: date | None,
    known_at: datetime | None,
    issues: tuple[str, ...],
    parties: tuple[str, ...],
    evidence: str,
    limit: int,
    offset: int,
    every: bool,
    fmt: str,
    width: int | None,
) -> None:
    """What changed between two dates (TO: the newest day with evidence): every change with its whole path of
    moves, and the evidence behind it; the first 50 unless --limit or --all says otherwise."""
    answer = _tracker(ctx).diff(
        date_from,
        date_to,
        issues=issues,
        parties=parties,
        known_at=known_at,
        evidence=evidence,  # type: ignore[arg-type]
        limit=None if every else limit,
        offset=offset,
    )
    _emit(_rendered(answer, fmt, width))


@cli.command("history")
@click.option("--since", type=DATE, default=None, help="Only moves said on or after this date.")
@click.option("--until", type=DATE, default=None, help="Only moves said on or before this date.")
@_known_at_option
@_filters
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    default=None,
    metavar="N",
    help="The newest N moves of each position [default: 100].",
)
@click.option("--all", "every", is_flag=True, help="Every move of each position.")
@format_option()
@db_option()
@click.pass_context
def history_command(
    ctx: click.Context,
    since: date | None,
    until: date | None,
    known_at: datetime | None,
    issues: tuple[str, ...],
    parties: tuple[str, ...],
    limit: int | None,
    every: bool,
    fmt: str,
    width: int | None,
) -> None:
    """The moves of each position over time, with the evidence for each (the newest 100 per position)."""
    from tracker.read.models import MOVES_SHOWN

    if every and limit is not None:
        raise UsageError("give --limit N or --all, not both")
    answer = _tracker(ctx).history(
        issues=issues,
        parties=parties,
        since=since,
        until=until,
        known_at=known_at,
        limit=None if every else limit or MOVES_SHOWN,
    )
    _emit(_rendered(answer, fmt, width))
    if answer.left_out:
        cut = answer.left_out
        _say(
            f"note: {len(cut)} position(s) have older moves not listed "
            f"(e.g. {cut[0].issue} x {cut[0].party}: {cut[0].shown} of {cut[0].total}); "
            "--limit N or --all lists more"
        )


def _rendered(answer: Any, fmt: str, width: int | None) -> str:
    from tracker.render.output import render

    return render(answer, fmt, _table_width(width))


@cli.command("report")
@click.option("--as-of", type=DATE, default=None, help="Date of the briefing [default: today].")
@click.option("--since", type=DATE, default=None, help="Report what changed since this date.")
@_known_at_option
@_filters
@format_option(REPORT_FORMATS, default="md")
@click.option("-o", "--output", "output", default="-", metavar="PATH", help="Write here [default: stdout, or -].")
@db_option()
@click.pass_context
def report_command(
    ctx: click.Context,
    as_of: date | None,
    since: date | None,
    known_at: datetime | None,
    issues: tuple[str, ...],
    parties: tuple[str, ...],
    fmt: str,
    output: str,
) -> None:
    """A briefing to paste or send: positions, what changed, the quotes behind them, sources."""
    from tracker.render.report import render_report

    tracker = _tracker(ctx)
    briefing = tracker.report(as_of, since, issues=issues, parties=parties, known_at=known_at)
    text = render_report(briefing, fmt)
    if output == "-":
        _emit(text)
        return
    from tracker.domain.files import FileRefused, database_files, write_output

    try:
        write_output(Path(output), text, database_files(tracker.database.file), _corpus_files(tracker.database))
    except FileRefused as exc:
        raise OutputError(f"cannot write {output}: {exc}") from None
    _say(f"wrote {output}")


def _corpus_files(database: Database) -> list[Path]:
    """The files of the corpora a database was ingested from (articles and fixtures), which no output replaces."""
    if not database.exists() or database.is_empty():
        return []
    with database.reading() as reading:
        found = [Path(row["path"]) for row in reading.rows("SELECT DISTINCT a.source_path AS path FROM article a")]
        found += [Path(path) for path in reading.fixture_digests()]
    return found


@cli.command("search")
@click.argument("text")
@click.option("--all", "every", is_flag=True, help="Every hit [default: the newest 50 of each kind].")
@_known_at_option
@format_option()
@db_option()
@click.pass_context
def search_command(
    ctx: click.Context, text: str, every: bool, known_at: datetime | None, fmt: str, width: int | None
) -> None:
    """Evidence whose quote, speaker or note holds TEXT (any case), and articles whose title does."""
    from tracker.render.lookup import render_search

    found = _tracker(ctx).search(text, known_at=known_at, limit=None if every else 50)
    _emit(render_search(found, fmt, _table_width(width)))


@cli.command("show")
@click.argument("identifier", metavar="ID")
@_known_at_option
@click.option("--format", "fmt", type=click.Choice(("text", "json")), default="text", show_default=True)
@db_option()
@click.pass_context
def show_command(ctx: click.Context, identifier: str, known_at: datetime | None, fmt: str) -> None:
    """A piece of evidence (its quote in its article's words, its position, the move it made) or an article."""
    from tracker.render.lookup import render_show

    _emit(render_show(_tracker(ctx).show(identifier, known_at=known_at), fmt))


@cli.command("log")
@_known_at_option
@format_option()
@db_option()
@click.pass_context
def log_command(ctx: click.Context, known_at: datetime | None, fmt: str, width: int | None) -> None:
    """The ingests that changed the database: when (a time --known-at answers at), from where, what each did."""
    _emit(_rendered(_tracker(ctx).log(known_at=known_at), fmt, width))


@cli.group("article")
def article_group() -> None:
    """Articles of a corpus folder: add one without writing YAML by hand."""


@article_group.command("add")
@click.argument("source", metavar="FILE|-")
@click.option("--title", required=True, help="The article's headline.")
@click.option("--published-on", "published_on", type=DATE, required=True, help="Its date (YYYY-MM-DD).")
@click.option("--outlet", default=None, help="Where it was published.")
@click.option("--url", default=None, help="Where it was read.")
@click.option(
    "--date-basis",
    type=click.Choice(("stated", "inferred")),
    default="stated",
    show_default=True,
    help="Whether the text carries its date, or it was worked out (then say how with --date-evidence).",
)
@click.option("--date-evidence", default=None, help="How an inferred date was worked out.")
@click.option("--id", "article_id", default=None, help="Its id [default: made from the title].")
@click.option(
    "--seeds",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="The corpus's articles folder (made if missing) [default: the workspace's].",
)
@workspace_option()
@click.pass_context
def article_add_command(
    ctx: click.Context,
    source: str,
    title: str,
    published_on: date,
    outlet: str | None,
    url: str | None,
    date_basis: str,
    date_evidence: str | None,
    article_id: str | None,
    seeds: Path,
) -> None:
    """Copy an article's text (FILE, or - for stdin) into the seeds folder byte for byte and add its entry to
    articles.yaml, keeping the file's comments and order; refused as an ingest would refuse it."""
    from tracker.domain.files import FileRefused, read_regular_file
    from tracker.ingest.authoring import add_article

    if source == "-":
        text = sys.stdin.buffer.read(2 * 1024 * 1024 + 1)
    else:
        try:
            text = read_regular_file(Path(source), 2 * 1024 * 1024 + 1)
        except FileRefused as exc:
            raise UsageError(f"cannot read {source}: {exc.about('file')}") from None
    meta = {
        "id": article_id,
        "title": title,
        "published_on": published_on,
        "outlet": outlet,
        "url": url,
        "date_basis": date_basis,
        "date_evidence": date_evidence,
    }
    seeds = _writable_corpus(ctx, seeds, None, needs_fixtures=False)[0]
    given = None if source == "-" else Path(source)
    added = add_article(seeds, text, {k: v for k, v in meta.items() if v is not None}, given)
    kept = (
        "registered where it is"
        if given is not None and added.file == given.name and seeds / added.file == given
        else None
    )
    _say(
        f"added article '{added.id}': {display_path(seeds / added.file)}{' (' + kept + ')' if kept else ''}, "
        f"and its entry in {display_path(seeds / 'articles.yaml')}"
    )
    _emit(f"{added.id}\n")


@cli.command("suggest")
@click.argument("article")
@click.option("--seeds", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None)
@click.option("--fixtures", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None)
@click.option("--catalog", "catalog_file", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None)
@click.option("--format", "fmt", type=click.Choice(("table", "json")), default="table", show_default=True)
@click.option(
    "--width", type=click.IntRange(min=NARROWEST), default=None, metavar="N", help="Fit the table to N columns."
)
@workspace_option()
@click.pass_context
def suggest_command(
    ctx: click.Context,
    article: str,
    seeds: Path | None,
    fixtures: Path | None,
    catalog_file: Path | None,
    fmt: str,
    width: int | None,
) -> None:
    """The sentences of ARTICLE that name an issue and a party, best first, with a proposed stance and
    attribution: for a coder to accept, edit or skip (nothing is coded by itself)."""
    from tracker.ingest.corpus import choose_catalog, load_articles
    from tracker.ingest.suggest import Suggester
    from tracker.render.coding import render_suggestions

    seeds, fixtures = _corpus(ctx, seeds, fixtures)
    loaded = load_articles(seeds)
    if article not in loaded.articles:
        raise UsageError(f"no article '{article}' in {display_path(seeds)}/articles.yaml")
    catalog = choose_catalog(fixtures, catalog_file)
    found = Suggester(catalog).suggest(loaded.articles[article].text)
    _emit(render_suggestions(article, found, fmt, _table_width(width)))


@cli.command("code")
@click.argument("article")
@click.option("--seeds", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None)
@click.option("--fixtures", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None)
@db_option()
@click.pass_context
def code_command(ctx: click.Context, article: str, seeds: Path | None, fixtures: Path | None) -> None:
    """Code ARTICLE in the terminal UI: select a quote in its text, fill in issue, party and stance, see the move
    it makes (or why it is illegal), and save it into the article's fixture and ingest it in one key."""
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise UsageError("coding needs a terminal; `tracker suggest` and `tracker import` work from scripts")
    negotiation = _negotiation(ctx, _database(ctx), seeds, fixtures)
    seeds, fixtures = _writable_corpus(ctx, seeds, fixtures)
    database = _database(ctx)
    if not database.is_default and database.is_empty():
        # A new workspace: its database is made from its corpus, as `tracker ingest` would, and coding starts.
        from tracker.ingest.ingest import run_ingest

        corpus = _input(ctx, database, seeds, fixtures, None, None, None)
        _say(f"Creating {database.where} from {display_path(seeds)} and {display_path(fixtures)}...")
        run_ingest(database.store(), corpus.catalog, corpus.fill, corpus.sources, negotiation=negotiation)
    database.ready(_progress)
    from tracker.coding import Coding
    from tracker.tui.app import run

    coding = Coding(seeds, fixtures, article, database)  # an article not in `seeds` is bad usage
    ctx.exit(run(database, None, None, seed_first=False, coding=coding))


@cli.command("agreement")
@click.argument("coder_a", metavar="DIR_A", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.argument("coder_b", metavar="DIR_B", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--catalog", "catalog_file", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None)
@click.option("--format", "fmt", type=click.Choice(("table", "json")), default="table", show_default=True)
def agreement_command(coder_a: Path, coder_b: Path, catalog_file: Path | None, fmt: str) -> None:
    """How far two coders' fixtures of the same articles agree: Krippendorff's alpha for the stance (ordinal on
    the stance axis), the attribution and the mode (nominal), and every disagreement with both quotes."""
    from tracker.ingest.agreement import agreement
    from tracker.ingest.corpus import choose_catalog
    from tracker.render.coding import render_agreement

    catalog = choose_catalog(coder_a, catalog_file)
    _emit(render_agreement(agreement(coder_a, coder_b, catalog), fmt))


@cli.command("export")
@click.option("--format", "fmt", type=click.Choice(("w3c",)), required=True, help="W3C Web Annotation (JSON-LD).")
@_filters
@_known_at_option
@click.option("-o", "--output", "output", default="-", metavar="PATH", help="Write here [default: stdout, or -].")
@db_option()
@click.pass_context
def export_command(
    ctx: click.Context,
    fmt: str,
    issues: tuple[str, ...],
    parties: tuple[str, ...],
    known_at: datetime | None,
    output: str,
) -> None:
    """Every piece of evidence held as a W3C Web Annotation: its quote selected in its article (exact, prefix,
    suffix, position), its coding in the body."""
    from tracker.render.output import to_json

    collection = _tracker(ctx).annotations(issues=issues, parties=parties, known_at=known_at)
    text = to_json(collection) + "\n"
    if output == "-":
        _emit(text)
        return
    from tracker.domain.files import FileRefused, database_files, write_output

    try:
        write_output(Path(output), text, database_files(_database(ctx).file), _corpus_files(_database(ctx)))
    except FileRefused as exc:
        raise OutputError(f"cannot write {output}: {exc}") from None
    _say(f"wrote {output}: {collection['total']} annotation(s)")


@cli.command("import")
@click.argument("source", metavar="FILE", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(("w3c",)), required=True, help="W3C Web Annotation (JSON-LD).")
@click.option("--seeds", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None)
@click.option("--fixtures", type=click.Path(file_okay=False, path_type=Path), default=None)
@db_option()
@click.pass_context
def import_command(ctx: click.Context, source: Path, fmt: str, seeds: Path | None, fixtures: Path | None) -> None:
    """Code Web Annotations (from this tracker or an annotation tool) into the fixtures: every check of an
    ingest applies to the corpus as it would be written first; a refused annotation is told at its line, and
    nothing is written."""
    from tracker.ingest.annotations import import_annotations

    seeds, fixtures = _writable_corpus(ctx, seeds, fixtures)
    database = _database(ctx)
    taken: list[str] = []
    if database.exists() and not database.is_empty():
        with database.reading() as reading:
            taken = [row["id"] for row in reading.rows("SELECT DISTINCT e.id AS id FROM evidence e")]
    done = import_annotations(source, seeds, fixtures, taken=taken)
    same = f"; {len(done['unchanged'])} the fixtures code already, left as written" if done["unchanged"] else ""
    _say(
        f"coded {len(done['added'])} new piece(s) of evidence and replaced {len(done['replaced'])} in "
        f"{display_path(fixtures)}{same}; `tracker ingest --seeds {display_path(seeds)} --fixtures "
        f"{display_path(fixtures)}` stores them"
    )
    _report_evidence_changes({"added": done["added"], "replaced": done["replaced"]})


@cli.command("check")
@format_option(("table", "json"))
@db_option()
@click.pass_context
def check_command(ctx: click.Context, fmt: str) -> None:
    """Verify every invariant of the store, writing nothing (as `git fsck`); exit 1 with each finding located."""
    from tracker.api import Tracker

    database = _database(ctx)
    report = Tracker(database, say=_say, progress=_progress if _stderr_is_terminal() else None).check()
    if fmt == "json":
        from tracker.render.output import to_json

        _emit(to_json(report) + "\n")
    elif report.findings:
        rows: list[tuple[str, ...]] = [("check", "table", "id", "message")]
        rows += [tuple(safe_text(cell) for cell in (f.check, f.table, f.id, f.message)) for f in report.findings]
        widths = [max(len(row[n]) for row in rows) for n in range(3)] + [len("message")]
        rows.insert(1, tuple("-" * width for width in widths))
        _emit(
            "".join(
                "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() + "\n" for row in rows
            )
        )
    counted = report.counted
    what = (
        f"{counted.get('articles', 0)} articles, {counted.get('evidence', 0)} evidence, "
        f"{counted.get('positions', 0)} positions checked"
    )
    if report.sound:
        _say(f"sound: {what} ({database.where})")
        return
    _say(f"not sound: {len(report.findings)} finding(s); {what} ({database.where})")
    ctx.exit(ExitCode.BAD_DATA)


@cli.command("init")
@click.argument("folder", metavar="DIR", type=click.Path(file_okay=False, path_type=Path))
@click.option("--title", default=None, help="The negotiation's name [default: the folder's name].")
@click.option("--example", is_flag=True, help="Start from a copy of the bundled corpus instead of templates.")
def init_command(folder: Path, title: str | None, example: bool) -> None:
    """Start a workspace for a negotiation of your own in DIR: tracker.toml (its title, corpus folders and
    database), seeds/articles.yaml (an empty list, with a commented example entry), fixtures/catalog.yaml (a
    commented template of issues and parties) and a .gitignore leaving the database out. Nothing is overwritten."""
    from tracker.domain.files import FileChange, FileRefused, write_files
    from tracker.domain.workspace import WORKSPACE_FILE, negotiation_id, new_workspace_files
    from tracker.ingest.corpus import bundled_corpus

    if (folder / WORKSPACE_FILE).exists():
        raise UsageError(f"{display_path(folder)} is a workspace already ({WORKSPACE_FILE}); `tracker where` says more")
    bundled = bundled_corpus()
    if example:
        from tracker.domain.catalog import load_catalog

        title = title or load_catalog(bundled[1] / "catalog.yaml").title
    title = (title or folder.resolve().name.replace("-", " ").replace("_", " ")).strip() or "Negotiation"
    files = {Path(name): text.encode() for name, text in new_workspace_files(title, negotiation_id(title)).items()}
    if example:
        for name in ("seeds/articles.yaml", "fixtures/catalog.yaml"):
            del files[Path(name)]
        for source, target in ((bundled[0], "seeds"), (bundled[1], "fixtures")):
            for path in sorted(p for p in source.iterdir() if p.is_file() and not p.name.startswith(".")):
                files[Path(target) / path.name] = path.read_bytes()
    schema = schema_file("catalog")
    if schema.exists():
        files[Path("catalog.schema.json")] = schema.read_bytes()
    taken = sorted(str(name) for name in files if (folder / name).exists() or (folder / name).is_symlink())
    if taken:
        raise UsageError(
            f"{display_path(folder)} holds {', '.join(taken[:5])} already; `tracker init` never writes over a file: "
            "choose an empty folder"
        )
    try:
        for made in files:
            (folder / made).parent.mkdir(parents=True, exist_ok=True)
        write_files([FileChange(folder / made, data, None) for made, data in files.items()])
    except (OSError, FileRefused) as exc:
        raise UsageError(f"cannot make the workspace in {display_path(folder)}: {exc}") from None
    where = display_path(folder)
    _say(
        f"made the workspace {where} for '{safe_text(title)}': {WORKSPACE_FILE}, seeds/articles.yaml, "
        "fixtures/catalog.yaml" + (" (a copy of the bundled corpus)" if example else "")
    )
    _say(
        f"next, in {where}: describe the issues and parties in fixtures/catalog.yaml (`tracker catalog` lists "
        "them); `tracker article add FILE --title T --published-on DATE`; `tracker code ARTICLE`; "
        "`tracker ingest`; `tracker state`"
    )
    _emit(f"{folder.resolve()}\n")


@cli.command("where")
@click.option("--format", "fmt", type=click.Choice(("table", "json")), default="table", show_default=True)
@db_option()
@click.pass_context
def where_command(ctx: click.Context, fmt: str) -> None:
    """The workspace, corpus folders and database a command run here would use, and why."""
    found = _found(ctx)
    workspace = found.workspace
    seeds, fixtures = _corpus(ctx, None, None)
    database = _database(ctx)
    origin = "the workspace's" if workspace else "the bundled demo"
    if ctx.meta.get("tracker.db") is not None:
        db_origin = "named by --db or TRACKER_DB"
    else:
        db_origin = "the workspace's" if workspace else "the default database, of the bundled demo"
    made = database.exists() and not database.is_empty()
    if made:
        state = "holds an ingest"
    else:
        state = "made at first use" if database.is_default else "not made yet: `tracker ingest` makes it"
    rows = {
        "workspace": str(workspace.root) if workspace else None,
        "how": found.how,
        "title": workspace.title if workspace else None,
        "negotiation": workspace.negotiation if workspace else None,
        "seeds": str(seeds.resolve()),
        "fixtures": str(fixtures.resolve()),
        "database": database.where,
        "database_made": made,
    }
    if fmt == "json":
        import json

        _emit(json.dumps(rows, ensure_ascii=False, indent=2) + "\n")
        return
    lines = [
        (
            "workspace",
            f"{workspace.root} ({found.how})" if workspace else f"none ({found.how}: the bundled corpus is the demo)",
        ),
        *([("title", workspace.title)] if workspace else []),
        ("seeds", f"{rows['seeds']} ({origin})"),
        ("fixtures", f"{rows['fixtures']} ({origin})"),
        ("database", f"{database.where} ({db_origin}; {state})"),
    ]
    _emit("".join(f"{name:<10} {safe_text(value)}\n" for name, value in lines))


@cli.command("machines")
@click.option("--issue", "issues", multiple=True, metavar="ID", help="Only this issue (repeatable).")
@format_option(("mermaid", "json"), default="mermaid")
@db_option()
@click.pass_context
def machines_command(ctx: click.Context, issues: tuple[str, ...], fmt: str) -> None:
    """The position state machines: stances and the named moves between them."""
    from tracker.domain.machines import machine_description, machine_mermaid
    from tracker.read.held import catalog_names

    database = _ready(ctx)
    with database.snapshot() as snapshot:
        names = catalog_names(snapshot)
    chosen = list(names.titles)
    if issues:
        named = []
        for name in issues:
            found = names.issues.resolve(name)
            if found is None:
                raise UsageError(f"unknown issue '{name}' ({names.issues.suggestion(name)})")
            named.append(found)
        chosen = [issue for issue in chosen if issue in named]
    if fmt == "json":
        import json

        machines = [machine_description(issue, names.titles[issue]) for issue in chosen]
        _emit(json.dumps({"machines": machines}, ensure_ascii=False, indent=2) + "\n")
        return
    if len(chosen) == 1:
        title = f"{names.titles[chosen[0]]} ({chosen[0]})"
    elif not issues:
        title = "Position machine of every issue"
    else:
        title = "Position machine of " + ", ".join(chosen)
    _emit(machine_mermaid(title))


@cli.command("catalog")
@click.option(
    "--format", "fmt", type=click.Choice(("table", "json")), default="table", show_default=True, help="Output format."
)
@click.option(
    "--fixtures",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="Folder whose catalog.yaml to list [default: the workspace's, else the bundled corpus's].",
)
@click.option(
    "--catalog",
    "catalog_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Catalogue file to list [default: catalog.yaml in FIXTURES].",
)
@click.option(
    "--width",
    type=click.IntRange(min=NARROWEST),
    default=None,
    metavar="N",
    help="Fit the tables to N columns, cutting titles, aliases and propositions with … [default: the terminal's "
    "width; whole lines when not a terminal].",
)
@workspace_option()
@click.pass_context
def catalog_command(
    ctx: click.Context, fmt: str, fixtures: Path | None, catalog_file: Path | None, width: int | None
) -> None:
    """The catalogue's issues and parties: the ids, names, roles and aliases fixtures and filters use, each
    sub-issue under its parent. A catalogue with problems exits 1 with each one located."""
    from tracker.domain.catalog import load_catalog
    from tracker.ingest.corpus import CATALOG_FILE
    from tracker.render.catalog import render_catalog

    if catalog_file is None:
        _, fixtures = _corpus(ctx, None, fixtures)
        catalog_file = fixtures / CATALOG_FILE
    _emit(render_catalog(load_catalog(catalog_file), fmt, _table_width(width)))


@cli.command("schema")
@click.argument("kind", type=click.Choice(SCHEMA_KINDS), default="fixture")
@db_option()
def schema_command(kind: str) -> None:
    """JSON Schema of a fixture file (or of articles.yaml, catalog.yaml, or `report --format json`)."""
    _emit(schema_file(kind).read_text(encoding="utf-8"))


def _show_click_error(exc: click.ClickException) -> None:
    """click's own message for a bad command line, with any value echoed in it made inert."""
    shown = io.StringIO()
    exc.show(file=shown)
    click.echo(safe_text(shown.getvalue().rstrip("\n"), keep_lines=True), err=True)


def main(argv: list[str] | None = None) -> None:
    """Entry point of `tracker`: run the CLI and map every failure to its exit code (`argv` None: the process's
    own command line)."""
    global _own_process
    _own_process = argv is None
    for stream in (sys.stdout, sys.stderr):
        # Text a terminal's encoding cannot show (an ASCII locale) is written as escapes, never a crash.
        if stream is not None and hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    try:
        # Without standalone mode, click returns the code of `ctx.exit(code)` instead of exiting.
        code = cli.main(args=argv, prog_name="tracker", standalone_mode=False)
        if isinstance(code, int) and code:
            sys.exit(code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        _show_click_error(exc)
        sys.exit(ExitCode.USAGE if isinstance(exc, click.UsageError) else exc.exit_code)
    except click.exceptions.Abort:
        _say("aborted")
        sys.exit(130)
    except DataError as exc:
        for problem in exc.problems:  # one `path:line: field: message` line per problem
            click.echo(str(problem), err=True)
        sys.exit(exc.exit_code)
    except TrackerError as exc:
        _say(f"error: {exc}")
        sys.exit(exc.exit_code)
    except _ReaderGone:
        # The reader went away (`tracker state | head -1`): stop quietly, as a program killed by SIGPIPE does.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(SIGPIPE_EXIT)
    sys.exit(ExitCode.OK)
