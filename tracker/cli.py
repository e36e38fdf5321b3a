"""The command line: a thin front end over the library, to the contract in the spec.

stdout carries data only; diagnostics go to stderr. Exit codes: 0 success,
1 bad data (validation, grounding, illegal move), 2 bad usage. Every
`TrackerError` is mapped to its exit code in `main`, and nowhere else.
"""

from __future__ import annotations

import dataclasses
import io
import os
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TypeVar

import click
from sqlmodel import Session

from tracker import __version__
from tracker.domain.catalog import Catalog
from tracker.domain.dates import parse_date, parse_recorded_time
from tracker.domain.errors import DataError, ExitCode, OutputError, TrackerError, UsageError, display_path
from tracker.domain.evidence import SCHEMA_KINDS, fixture_schema
from tracker.domain.files import FileRefused, database_files, write_output
from tracker.domain.machines import machine_description, machine_mermaid
from tracker.domain.untrusted import safe_text
from tracker.ingest.corpus import bundled_corpus, choose_catalog, load_corpus
from tracker.ingest.feed import feed_fill
from tracker.ingest.ingest import Fill, IngestSummary, corpus_fill, run_ingest, seed_from_bundled_corpus, validate
from tracker.read.briefing import Report, build_report
from tracker.read.queries import diff, first_recorded, history, state, stored_catalog
from tracker.render.output import FORMATS, moment, render, to_json
from tracker.render.report import REPORT_FORMATS, render_report
from tracker.store.database import Store, database_url

F = TypeVar("F", bound=Callable[..., Any])
# The status of a program killed by SIGPIPE, as a shell reports it: a closed pipe stops a command as it stops `cat`.
SIGPIPE_EXIT = 128 + signal.SIGPIPE


def _remember_db(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    if value is not None and not value.strip():
        # An unset shell variable must not quietly mean the user's own default database.
        raise click.BadParameter("is empty; give a database URL or file path, or leave --db and TRACKER_DB out")
    if value is not None:
        ctx.meta["tracker.db"] = value


def db_option(envvar: str | None = None) -> Callable[[F], F]:
    """`--db`, accepted before the command (`tracker --db X state`) and after it."""
    return click.option(
        "--db",
        metavar="URL",
        envvar=envvar,
        expose_value=False,
        callback=_remember_db,
        help="Database: an SQLAlchemy URL or a SQLite file path (env TRACKER_DB).",
    )


def format_option(choices: tuple[str, ...] = FORMATS, default: str = "table") -> Callable[[F], F]:
    return click.option(
        "--format", "fmt", type=click.Choice(choices), default=default, show_default=True, help="Output format."
    )


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


def _report_ingest(summary: IngestSummary, store: Store, warn: bool = True) -> None:
    """What an ingest did, on stderr; and its warnings, unless not `warn` (`tracker validate` lists them)."""
    if not warn:
        summary = dataclasses.replace(summary, warnings=[])
    if not summary.changed:
        _say(
            f"nothing new: {store.safe_url} already holds everything in this corpus "
            f"({summary.evidence_total} piece(s) of evidence)"
        )
        _report_warnings(summary)
        return
    assert summary.recorded_at is not None
    _say(
        f"ingested into {store.safe_url} at {summary.recorded_at.isoformat()}: "
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


def _store(ctx: click.Context) -> Store:
    """The store named by `--db`/TRACKER_DB, or the default one; opened once, closed when the command ends."""
    store: Store | None = ctx.meta.get("tracker.store.database")
    if store is None:
        url, _ = database_url(ctx.meta.get("tracker.db"))
        store = ctx.meta["tracker.store.database"] = Store(url)
        ctx.call_on_close(store.dispose)
    return store


def _open_store(ctx: click.Context, seed_default: bool = True) -> Store:
    """The store to query: the default one is built from the bundled corpus on first use.

    With `seed_default` False an empty default store is returned as it is (the terminal UI builds it, showing
    its progress on screen).
    """
    _, is_default = database_url(ctx.meta.get("tracker.db"))
    store = _store(ctx)
    if store.needs_upgrade():
        _say(f"Upgrading {store.safe_url} to the current schema, once...")
        store.upgrade_if_needed()
    if not is_default and not store.exists():
        raise UsageError(f"no database at {store.safe_url}; create it with `tracker --db {store.safe_url} ingest`")
    if not is_default:
        with store.reading():
            pass  # refuses, once, a file that is not a tracker database
    if store.is_empty():
        if not is_default:
            _say(f"warning: {store.safe_url} holds no evidence yet; load some with `tracker ingest`")
            return store
        if not seed_default:
            return store
        _say(f"Creating the tracker database {store.safe_url} from the bundled corpus...")
        # The bundled corpus's own warnings are not the new user's to act on: `tracker validate` lists them.
        _report_ingest(seed_from_bundled_corpus(store, progress=_progress), store, warn=False)
    return store


def _warn_if_before_anything(session: Session, known_at: datetime | None) -> None:
    first = first_recorded(session) if known_at is not None else None
    if known_at is not None and first is not None and known_at < first:
        _say(f"warning: nothing was recorded by {moment(known_at)}; the first ingest was at {moment(first)}")


def _ids(session: Session, kind: str, names: tuple[str, ...], known_at: datetime | None = None) -> list[str] | None:
    """The ids that `--issue`/`--party` names stand for (ids, names or aliases), then or now."""
    if not names:
        return None
    catalogs = [stored_catalog(session, known_at), stored_catalog(session)] if known_at else [stored_catalog(session)]
    resolved = []
    for name in names:
        found = next((c.resolve(kind, name) for c in catalogs if c.resolve(kind, name)), None)
        if found is None:
            raise UsageError(f"unknown {kind} '{name}' ({catalogs[-1].suggestion(kind, name)})")
        resolved.append(found)
    return resolved


@contextmanager
def _query(
    ctx: click.Context, known_at: datetime | None, issues: tuple[str, ...], parties: tuple[str, ...]
) -> Iterator[tuple[Session, list[str] | None, list[str] | None]]:
    """One read snapshot for a whole command: the filters are resolved in the catalogue it queries."""
    store = _open_store(ctx)
    with store.reading() as session:
        _warn_if_before_anything(session, known_at)
        yield session, _ids(session, "issue", issues, known_at), _ids(session, "party", parties, known_at)


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
@db_option(envvar="TRACKER_DB")
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
    _, is_default = database_url(ctx.meta.get("tracker.db"))
    store = _open_store(ctx, seed_default=False)
    from tracker.tui.app import run  # Textual loads only for the UI

    ctx.exit(run(store, as_of, known_at, seed_first=is_default and store.is_empty()))


@dataclass(frozen=True)
class _Input:
    """What an ingest or a validation reads: its catalogue, how to give the articles and evidence, and its sources."""

    catalog: Catalog
    fill: Fill
    sources: tuple[str, str]
    articles: int | None  # known before the ingest for seeds and fixtures; counted by the ingest for a feed


def _catalog_held(store: Store | None) -> Catalog | None:
    """The catalogue a store holds, for a corpus that brings none of its own."""
    if store is None or not store.exists() or store.is_empty():
        return None
    with store.reading() as session:
        return stored_catalog(session)


def _input(
    store: Store | None, seeds: Path | None, fixtures: Path | None, catalog_file: Path | None, feed: Path | None
) -> _Input:
    if feed is not None:
        if str(feed) == "-":
            feed = Path("/dev/stdin")
        if seeds is not None or fixtures is not None:
            raise UsageError("give either --jsonl or --seeds/--fixtures, not both")
        catalog = choose_catalog(feed.parent, catalog_file, _catalog_held(store))
        where = display_path(feed)
        return _Input(catalog, feed_fill(feed, catalog), (where, where), None)
    default_seeds, default_fixtures = bundled_corpus()
    seeds, fixtures = seeds or default_seeds, fixtures or default_fixtures
    corpus = load_corpus(seeds, fixtures, catalog_file, _catalog_held(store))
    return _Input(
        corpus.catalog, corpus_fill(corpus), (display_path(seeds), display_path(fixtures)), len(corpus.articles)
    )


@cli.command("ingest")
@_corpus_options
@db_option()
@click.pass_context
def ingest_command(
    ctx: click.Context, seeds: Path | None, fixtures: Path | None, feed: Path | None, catalog_file: Path | None
) -> None:
    """Load articles and evidence: all or nothing, and idempotent."""
    store = _store(ctx)
    progress = _progress if _stderr_is_terminal() else None
    given = _input(store, seeds, fixtures, catalog_file, feed)
    if progress:
        progress(f"reading {' and '.join(dict.fromkeys(given.sources))}")
    summary = run_ingest(store, given.catalog, given.fill, given.sources, progress=progress)
    _report_ingest(summary, store)


@cli.command("validate")
@_corpus_options
@db_option()
@click.pass_context
def validate_command(
    ctx: click.Context, seeds: Path | None, fixtures: Path | None, feed: Path | None, catalog_file: Path | None
) -> None:
    """Run every check of ingest and write nothing; list every problem as path:line: field: message."""
    store: Store | None = _store(ctx)
    if store is not None and not store.exists():
        store = None  # nothing stored yet: check the corpus on its own
    try:
        given = _input(store, seeds, fixtures, catalog_file, feed)
        summary = validate(store, given.catalog, given.fill)
    except DataError as exc:
        for problem in exc.problems:
            _emit(f"{problem}\n")
        _say(f"{len(exc.problems)} problem(s) found")
        ctx.exit(ExitCode.BAD_DATA)
    against = f" against {store.safe_url}" if store else ""
    if store is None:
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
    if store is not None:
        _report_evidence_changes(summary.evidence_changes)


@cli.command("state")
@click.option("--as-of", type=DATE, default=None, help="Date of the positions [default: today].")
@_known_at_option
@_filters
@format_option()
@db_option()
@click.pass_context
def state_command(
    ctx: click.Context,
    as_of: date | None,
    known_at: datetime | None,
    issues: tuple[str, ...],
    parties: tuple[str, ...],
    fmt: str,
) -> None:
    """Where every party stands on every issue, as of a date (everything said on it included)."""
    with _query(ctx, known_at, issues, parties) as (session, issue_ids, party_ids):
        report = state(session, as_of or datetime.now(UTC).date(), known_at, issue_ids, party_ids)
    _emit(render(report, fmt))


@cli.command("diff")
@click.argument("date_from", metavar="FROM", type=DATE)
@click.argument("date_to", metavar="TO", type=DATE)
@_known_at_option
@_filters
@format_option()
@db_option()
@click.pass_context
def diff_command(
    ctx: click.Context,
    date_from: date,
    date_to: date,
    known_at: datetime | None,
    issues: tuple[str, ...],
    parties: tuple[str, ...],
    fmt: str,
) -> None:
    """What changed between two dates, with the evidence that changed it."""
    if date_from > date_to:
        raise UsageError(f"FROM ({date_from}) is after TO ({date_to})")
    with _query(ctx, known_at, issues, parties) as (session, issue_ids, party_ids):
        report = diff(session, date_from, date_to, known_at, issue_ids, party_ids)
    _emit(render(report, fmt))


@cli.command("history")
@_known_at_option
@_filters
@format_option()
@db_option()
@click.pass_context
def history_command(
    ctx: click.Context, known_at: datetime | None, issues: tuple[str, ...], parties: tuple[str, ...], fmt: str
) -> None:
    """The moves of each position over time, with the evidence for each."""
    with _query(ctx, known_at, issues, parties) as (session, issue_ids, party_ids):
        report = history(session, known_at, issue_ids, party_ids)
    _emit(render(report, fmt))


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
    as_of = as_of or datetime.now(UTC).date()
    if since is not None and since > as_of:
        raise UsageError(f"--since ({since}) is after --as-of ({as_of})")
    with _query(ctx, known_at, issues, parties) as (session, issue_ids, party_ids):
        briefing = build_report(session, as_of, since, known_at, issue_ids, party_ids)
    text = render_report(briefing, fmt)
    if output == "-":
        _emit(text)
        return
    try:
        write_output(Path(output), text, database_files(_store(ctx).sqlite_file))
    except FileRefused as exc:
        raise OutputError(f"cannot write {output}: {exc}") from None
    _say(f"wrote {output}")


@cli.command("machines")
@click.option("--issue", "issues", multiple=True, metavar="ID", help="Only this issue (repeatable).")
@format_option(("mermaid", "json"), default="mermaid")
@db_option()
@click.pass_context
def machines_command(ctx: click.Context, issues: tuple[str, ...], fmt: str) -> None:
    """The position state machines: stances and the named moves between them."""
    with _query(ctx, None, issues, ()) as (session, issue_ids, _):
        catalog = stored_catalog(session)
    chosen = [i for i in catalog.issues if issue_ids is None or i.id in issue_ids]
    if fmt == "json":
        _emit(to_json({"machines": [machine_description(i.id, i.title) for i in chosen]}) + "\n")
        return
    if len(chosen) == 1:
        title = f"{chosen[0].title} ({chosen[0].id})"
    elif issue_ids is None:
        title = "Position machine of every issue"
    else:
        title = "Position machine of " + ", ".join(i.id for i in chosen)
    _emit(machine_mermaid(title))


@cli.command("schema")
@click.argument("kind", type=click.Choice((*SCHEMA_KINDS, "report")), default="fixture")
@db_option()
def schema_command(kind: str) -> None:
    """JSON Schema of a fixture file (or of articles.yaml, or of `report --format json`)."""
    if kind == "report":
        schema = {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            **Report.model_json_schema(mode="serialization", by_alias=True),
        }
        _emit(to_json(schema) + "\n")
        return
    _emit(to_json(fixture_schema(kind)) + "\n")


def _show_click_error(exc: click.ClickException) -> None:
    """click's own message for a bad command line, with any value echoed in it made inert."""
    shown = io.StringIO()
    exc.show(file=shown)
    click.echo(safe_text(shown.getvalue().rstrip("\n"), keep_lines=True), err=True)


def main(argv: list[str] | None = None) -> None:
    """Entry point of `tracker`: run the CLI and map every failure to its exit code."""
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
