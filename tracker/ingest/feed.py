"""Reading a JSONL feed: machine-coded articles and evidence, one JSON object per line.

A feed is how a coding pipeline hands the tracker its output in bulk
(`tracker ingest --jsonl PATH`). Each line is an article or a piece of
evidence coded from one:

    {"type": "article", "id": "...", "title": "...", "published_on": "2026-01-23",
     "date_basis": "stated", "text": "..."}
    {"type": "evidence", "article": "...", "id": "...", "issue": "...", "party": "...",
     "stance": "...", "quote": "...", "attribution": "direct"}

An article's fields are those of `articles.yaml` with its text inline (and no
`file`); evidence has a fixture item's fields plus the id of its `article`.
Every check of a fixture applies, with the same messages, each naming the feed
and the line. A feed states each of its articles' evidence in full, as a
fixture does: evidence of an article in the feed that the feed no longer has is
superseded. An article's evidence may come before or after it; evidence is
checked as soon as its article has been read, so a feed that lists each article
before its evidence is read in one pass with little memory.
"""

from __future__ import annotations

import ctypes
import dataclasses
import functools
import hashlib
import json
import multiprocessing
import multiprocessing.connection
import operator
import os
import re
import signal
import stat
import sys
import threading
from collections import defaultdict, deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from datetime import time
from pathlib import Path
from typing import Annotated, Any, Literal, NamedTuple

import msgspec
from pydantic import Field, TypeAdapter, ValidationError

from tracker.domain.catalog import Catalog
from tracker.domain.edtf import SaidOn
from tracker.domain.edtf import said_on as parse_said_on
from tracker.domain.errors import Problem, display_path
from tracker.domain.evidence import (
    REF_PATTERN,
    Article,
    ArticleMeta,
    Attribution,
    Evidence,
    EvidenceIn,
    IssueKind,
    Mode,
)
from tracker.domain.machines import Move, Stance
from tracker.domain.problems import located_problems
from tracker.domain.yamlfile import Located
from tracker.ingest import manifest
from tracker.ingest.corpus import Duplicates, Grounder, catalog_digest, check_evidence, text_problem
from tracker.ingest.ingest import Fill, Ingest

MAX_LINE_BYTES = 4 * 1024 * 1024  # an article's text is at most 1 MiB; JSON escapes can make it longer
BYTE_ORDER_MARK = b"\xef\xbb\xbf"
FEED_ARTICLE_FILE = "(inline in a feed)"  # a feed's article has no file; its text is on its line


class FeedArticle(ArticleMeta):
    """An article line of a feed: `articles.yaml`'s fields and the text itself."""

    type: Literal["article"]
    file: str = Field(default="", max_length=255, description="Not used in a feed: the text is inline")
    text: str = Field(description="The article's text, kept byte for byte")


class FeedEvidence(EvidenceIn):
    """An evidence line of a feed: a fixture item's fields and the article it is coded from."""

    type: Literal["evidence"]
    article: str = Field(pattern=REF_PATTERN, max_length=120, description="Id of an article line of the feed")


_RECORD: TypeAdapter[FeedArticle | FeedEvidence] = TypeAdapter(
    Annotated[FeedArticle | FeedEvidence, Field(discriminator="type")]
)
_KINDS: dict[str, type[FeedArticle] | type[FeedEvidence]] = {"article": FeedArticle, "evidence": FeedEvidence}


# Where a key of a JSON object may end: a closing quote, then a colon. Every key ends so, and a quote in a value
# rarely does, so a line with as many of these as distinct keys has no key twice.
_KEY_END = re.compile(rb'"[ \t\r\n]*:')


class FastEvidence(NamedTuple):
    """An evidence line read by the fast path: the values `FeedEvidence` would hold, without building the model."""

    article: str
    id: str
    issue: str
    party: str | None
    stance: Stance | None
    quote: str
    occurrence: int | None
    speaker: str | None
    attribution: Attribution
    said_on: SaidOn | None
    said_at: time | None
    mode: Mode
    move: Move | None
    condition: str | None
    kind: IssueKind | None
    note: str | None


_REF = Annotated[str, msgspec.Meta(pattern=REF_PATTERN.removesuffix("$") + r"\Z", max_length=120)]


class _EvidenceLine(msgspec.Struct, forbid_unknown_fields=True):
    """An evidence line as msgspec decodes and checks it in one pass: `FeedEvidence`'s fields and constraints,
    with UNSET for a field not given (the keys are counted, so that a key given twice is told)."""

    type: Literal["evidence"]
    article: _REF
    id: _REF
    issue: Annotated[str, msgspec.Meta(min_length=1, max_length=120)]
    quote: Annotated[str, msgspec.Meta(min_length=1, max_length=5000)]
    attribution: Attribution
    party: Annotated[str, msgspec.Meta(max_length=120)] | msgspec.UnsetType | None = msgspec.UNSET
    stance: Stance | msgspec.UnsetType | None = msgspec.UNSET
    occurrence: Annotated[int, msgspec.Meta(ge=1)] | msgspec.UnsetType | None = msgspec.UNSET
    speaker: Annotated[str, msgspec.Meta(max_length=200)] | msgspec.UnsetType | None = msgspec.UNSET
    said_on: str | msgspec.UnsetType | None = msgspec.UNSET
    said_at: str | msgspec.UnsetType | None = msgspec.UNSET
    mode: Mode | msgspec.UnsetType = msgspec.UNSET
    move: Move | msgspec.UnsetType | None = msgspec.UNSET
    condition: Annotated[str, msgspec.Meta(max_length=2000)] | msgspec.UnsetType | None = msgspec.UNSET
    kind: IssueKind | msgspec.UnsetType | None = msgspec.UNSET
    note: Annotated[str, msgspec.Meta(max_length=5000)] | msgspec.UnsetType | None = msgspec.UNSET


_DECODE_EVIDENCE = msgspec.json.Decoder(_EvidenceLine).decode
_UNSET = msgspec.UNSET
_CLOCK = re.compile(r"[0-9]{2}:[0-9]{2}(?::[0-9]{2})?")
_ALNUM = re.compile(r"[^\W_]")  # what `str.isalnum` holds true of
# Escapes the full path looks at: NUL (no PostgreSQL text holds it) and half of a UTF-16 pair.
_FULL_PATH_ESCAPES = (b"\\u0000", b"\\ud", b"\\uD")
_REQUIRED_KEYS = 6  # type, article, id, issue, quote, attribution


@functools.lru_cache(maxsize=4096)
def _said_on(text: str) -> SaidOn:
    """`said_on` as the model reads it (a feed repeats the same few dates: each is parsed once)."""
    return parse_said_on(text)


@functools.lru_cache(maxsize=4096)
def _clock(text: str) -> time:
    """`said_at` as the model reads it, for the plain forms only (HH:MM, HH:MM:SS); ValueError for any other."""
    if not _CLOCK.fullmatch(text):
        raise ValueError(text)
    return time.fromisoformat(text)


def _fast_evidence(raw: bytes) -> FastEvidence | None:
    """An evidence line, read and validated without pydantic, where it is plainly valid; None where anything is
    not (another type of line, a field missing, a value out of range, a key twice, an escape the full path checks):
    the full path (`FeedReader._line`) then reads it and words every problem as it always has.

    It takes a subset of what `FeedEvidence` takes, and gives the same values. msgspec decodes and checks the
    line in one pass, about four times as fast as pydantic (and the standard library's `json` alone).
    """
    if b"\\" in raw and any(escape in raw for escape in _FULL_PATH_ESCAPES):  # (one byte: found by memchr)
        return None
    try:
        line = _DECODE_EVIDENCE(raw)
    except msgspec.DecodeError:  # (its ValidationError too)
        return None
    keys = _REQUIRED_KEYS
    quote = line.quote
    if not (quote[0].isalnum() or _ALNUM.search(quote)):
        return None  # (no word in it: the model says so)
    party = line.party
    if party is _UNSET:
        party = None
    else:
        keys += 1
        if party is not None and not party.strip():
            party = None
    stance = line.stance
    if stance is _UNSET:
        stance = None
    else:
        keys += 1
    if (party is None) != (stance is None) or stance is Stance.UNKNOWN:
        return None
    mode = line.mode
    if mode is _UNSET:
        mode = Mode.ASSERTED
    else:
        keys += 1
    optional: list[Any] = []
    for value in (line.occurrence, line.speaker, line.move, line.condition, line.kind, line.note):
        if value is _UNSET:
            optional.append(None)
            continue
        keys += 1
        optional.append(value if type(value) is not str or value.strip() else None)
    occurrence, speaker, move, condition, kind, note = optional
    if party is None and (move is not None or condition is not None):
        return None
    if party is not None and kind is not None:
        return None
    said_on: SaidOn | None = None
    said_at: time | None = None
    try:
        if line.said_on is not _UNSET:
            keys += 1
            if line.said_on is not None:
                said_on = _said_on(line.said_on)
        if line.said_at is not _UNSET:
            keys += 1
            if line.said_at is not None:
                said_at = _clock(line.said_at)
    except ValueError:
        return None
    if _key_ends(raw) != keys:
        return None  # a key twice (or a quote and a colon inside a value): the full path tells which
    return FastEvidence(
        line.article,
        line.id,
        line.issue,
        party,
        stance,
        quote,
        occurrence,
        speaker,
        line.attribution,
        said_on,
        said_at,
        mode,
        move,
        condition,
        kind,
        note,
    )


def _key_ends(raw: bytes) -> int:
    """How many places on the line could end a key (`_KEY_END`): where no quote is followed by whitespace, each
    is a quote and a colon side by side, counted in one scan."""
    if b'" ' in raw or b'"\t' in raw or b'"\n' in raw or b'"\r' in raw:
        return len(_KEY_END.findall(raw))
    return raw.count(b'":')


def _at(line: int) -> Located:
    """Every field of a line is on that line."""
    node = Located()
    node.line, node.key_lines = line, {}
    return node


class FeedReader:
    """One pass over a feed, giving each checked article and piece of evidence to an ingest."""

    def __init__(self, path: Path, catalog: Catalog, run: Ingest | Recorder, check_duplicates: bool = True) -> None:
        self.path = path
        self.check_duplicates = check_duplicates  # off in a worker: the one reader that sees every line checks them
        self.where = display_path(path)
        self.source = str(path.absolute())
        self.catalog = catalog
        self.run = run
        self.problems: list[Problem] = []
        self.articles: dict[str, Article] = {}
        self.broken: set[str] = set()  # article ids whose line has problems: their evidence is not checked
        self.grounder = Grounder(self.articles)
        self.duplicates = Duplicates()
        self.waiting: dict[str, list[tuple[int, FeedEvidence | FastEvidence]]] = defaultdict(list)
        self.start = (0, 0)  # where reading starts: a byte offset, and the lines before it
        self.lines = 0  # the lines read, once read

    def read(self) -> list[Problem]:
        problem = feed_path_problem(self.path, self.where)
        if problem is not None:
            return [problem]
        try:
            for number, raw in self.numbered_lines():
                self._line(number, raw)
        except OSError as exc:
            return [Problem(self.where, 1, "file", f"cannot read the feed: {exc.strerror}")]
        return self.finish()

    def numbered_lines(self) -> Iterator[tuple[int, bytes]]:
        """The feed's lines that hold something, numbered from 1; a line too long is a problem, and skipped.

        From `self.start` (a byte offset and the number of lines before it) when only the lines appended to a
        feed already stored are read."""
        with self.path.open("rb") as lines:
            offset, number = self.start
            if offset:
                lines.seek(offset)
            while raw := lines.readline(MAX_LINE_BYTES):
                number += 1
                if len(raw) == MAX_LINE_BYTES and not raw.endswith(b"\n"):
                    self._problem(number, "line", f"line is longer than {MAX_LINE_BYTES} bytes")
                    while (rest := lines.readline(MAX_LINE_BYTES)) and not rest.endswith(b"\n"):
                        pass
                    continue
                if number == 1:
                    raw = raw.removeprefix(BYTE_ORDER_MARK)  # some tools begin UTF-8 files with one
                if raw.strip():
                    yield number, raw
            self.lines = number

    def finish(self) -> list[Problem]:
        """Evidence whose article never came is a problem (unless its article's line had one); every problem,
        in the order of the lines."""
        for article_id, waiting in self.waiting.items():
            if article_id in self.broken:
                continue  # its article's line has problems, reported there
            for number, _ in waiting:
                self._problem(
                    number,
                    "article",
                    f"unknown article '{article_id}' (no article line with this id: a feed gives each article's "
                    "line with its evidence)",
                )
        return sorted(self.problems, key=lambda p: p.line)

    def _problem(self, line: int, field: str, message: str) -> None:
        self.problems.append(Problem(self.where, line, field, message))

    def _line(self, number: int, raw: bytes) -> None:
        fast = _fast_evidence(raw)
        if fast is not None:
            if fast.article in self.articles:
                self._evidence(number, fast)
            elif fast.article not in self.broken:
                self.waiting[fast.article].append((number, fast))
            return
        record: FeedArticle | FeedEvidence | None
        try:
            record = _RECORD.validate_json(raw)
        except ValidationError:
            record = self._explain(number, raw)
            if record is None:
                return
        else:
            if len(_KEY_END.findall(raw)) != len(record.model_fields_set) and self._repeated_keys(number, raw):
                if isinstance(record, FeedArticle):
                    self.broken.add(record.id)  # its evidence is not checked: the cause is reported here
                return
        if (b"\\ud" in raw or b"\\uD" in raw) and self._lone_surrogates(number, record):
            return
        if b"\\u0000" in raw:  # JSON's NUL escape: no PostgreSQL text can hold it, so it is refused everywhere
            fields = [k for k, v in record.model_dump().items() if isinstance(v, str) and "\x00" in v and k != "text"]
            if fields:
                for name in fields:
                    self._problem(number, name, "text must not contain a NUL character (\\u0000)")
                return
        if isinstance(record, FeedEvidence):
            if record.article in self.articles:
                self._evidence(number, record)
            elif record.article not in self.broken:
                self.waiting[record.article].append((number, record))
        else:
            self._article(number, record)

    def _lone_surrogates(self, number: int, record: FeedArticle | FeedEvidence) -> bool:
        """Whether a text of the line holds half of a UTF-16 pair (JSON's "\\ud800"), which is no character at all."""
        found = False
        for name, value in record.model_dump().items():
            if isinstance(value, str):
                try:
                    value.encode("utf-8")
                except UnicodeEncodeError as exc:
                    code = ord(value[exc.start])
                    self._problem(number, name, f"holds a lone surrogate (\\u{code:04x}), which is no character")
                    found = True
        if found and isinstance(record, FeedArticle):
            self.broken.add(record.id)
        return found

    def _repeated_keys(self, number: int, raw: bytes) -> bool:
        """Whether a key appears twice on the line (each is a problem): JSON readers keep the last one quietly.

        Only asked when the line has more places that could end a key than it has distinct keys.
        """
        repeated: list[str] = []

        def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
            seen: set[str] = set()
            for key, _ in items:
                if key in seen:
                    repeated.append(key)
                seen.add(key)
            return dict(items)

        json.loads(raw, object_pairs_hook=pairs)
        for key in dict.fromkeys(repeated):
            self._problem(number, key, "key appears twice on this line")
        return bool(repeated)

    def _explain(self, number: int, raw: bytes) -> FeedArticle | FeedEvidence | None:
        """Every problem of a line the fast path refused, in the words `tracker validate` uses for fixtures.

        Should the line pass when read the slow way after all, its record is returned: no line is ever
        dropped without a word.
        """
        try:
            value: Any = json.loads(raw)
        except json.JSONDecodeError as exc:
            self._problem(number, "line", f"not valid JSON: {exc.msg} (column {exc.colno})")
            return None
        except UnicodeDecodeError as exc:
            self._problem(number, "line", f"not UTF-8 (bad byte at column {exc.start + 1})")
            return None
        except RecursionError:
            self._problem(number, "line", "not a feed line: JSON nested deeper than Python can read")
            return None
        except ValueError as exc:  # a number of more digits than Python converts
            self._problem(number, "line", f"not valid JSON: {exc}")
            return None
        if not isinstance(value, dict):
            self._problem(number, "line", "must be a JSON object with a 'type' of 'article' or 'evidence'")
            return None
        repeated = self._repeated_keys(number, raw)
        kind = value.get("type")
        model = _KINDS.get(kind) if isinstance(kind, str) else None
        if model is None:
            self._problem(number, "type", f"must be 'article' or 'evidence', got {json.dumps(kind)}")
            return None
        try:
            record = model.model_validate(value)
        except ValidationError as exc:
            self.problems.extend(located_problems(exc, self.where, _at(number), model))
            record = None
        if record is None or repeated:
            if model is FeedArticle and isinstance(value.get("id"), str):
                self.broken.add(value["id"])  # its evidence is not checked: the cause is reported here
            return None
        return record

    def _article(self, number: int, record: FeedArticle) -> None:
        if record.id in self.articles or record.id in self.broken:
            self._problem(number, "id", f"duplicate article id '{record.id}'")
            return
        raw = record.text.encode("utf-8")
        problem = text_problem(raw, f"the text of article '{record.id}'")
        if problem is not None:
            self.broken.add(record.id)
            self._problem(number, "text", problem)
            return
        meta = record.model_dump(exclude={"type", "text", "file"})
        article = Article(
            **meta,
            file=FEED_ARTICLE_FILE,
            text=record.text,
            sha256=hashlib.sha256(raw).hexdigest(),
            source_path=self.source,
        )
        self.articles[article.id] = article
        self.run.add_article(article)
        for waiting_number, waiting in self.waiting.pop(article.id, []):
            self._evidence(waiting_number, waiting)

    def _evidence(self, number: int, record: FeedEvidence | FastEvidence) -> None:
        node = _at(number)
        checked = check_evidence(
            record, node, self.where, self.source, self.articles[record.article], self.catalog, self.grounder
        )
        if isinstance(checked, list):
            self.problems.extend(checked)
            return
        if self.check_duplicates:
            duplicate = self.duplicates.problem(checked, self.where, node)
            if duplicate is not None:
                self.problems.append(duplicate)
                return
        self.run.add_evidence(checked)


def feed_path_problem(path: Path, where: str) -> Problem | None:
    """The problem with a feed's path where a feed cannot come from it (a folder, a device), told before anything
    else is looked for beside it."""
    kind = _unreadable_kind(path)
    return None if kind is None else Problem(where, 1, "file", f"the feed is {kind}: give a file, or pipe the feed in")


def _unreadable_kind(path: Path) -> str | None:
    """What the feed's path is, where a feed cannot come from it: a folder or a device (a pipe or a file can)."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return None  # said when it is opened
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device (or a terminal)"
    return None


def feed_fill(path: Path, catalog: Catalog, jobs: int = 1) -> Fill:
    """Give an ingest the articles and evidence of a JSONL feed; a big one checked by `jobs` worker processes.

    A feed the store holds as it was stored (`tracker.ingest.manifest`) is not read: the same file (its stat
    signature, else its digests), checked against the same catalogue, each of its articles still held as it
    stated them. A feed that only grew, by lines that stand on their own (new articles, their evidence), has only
    those lines read. Anything else is read whole, as it always was."""

    def reader(run: Ingest, start: tuple[int, int] = (0, 0)) -> FeedReader:
        size = _file_size(path)
        if jobs > 1 and size is not None and size - start[0] >= PARALLEL_BYTES:
            found: FeedReader = ParallelFeedReader(path, catalog, run, jobs)
        else:
            found = FeedReader(path, catalog, run)
        found.start = start
        return found

    def fill(run: Ingest) -> list[Problem]:
        cache = run.cache()
        signature = manifest.stat_signature(path)
        if cache is None or signature is None:  # a trial (validate), or a pipe: read every line
            return reader(run).read()
        source = str(path.resolve())
        held = _held_feed(cache, source, catalog, run)
        start = (0, 0)
        if held is not None:
            if held.stat == signature:
                run.unchanged_source(held.detail["articles"], held.detail["evidence"])
                return []
            old_size, old_segments = held.detail["size"], [tuple(s) for s in held.detail["segments"]]
            size = _file_size(path) or 0
            if size >= old_size and manifest.segment_digests(path, upto=old_size) == old_segments:
                if size == old_size:  # the same bytes (touched, copied back): nothing to read
                    run.unchanged_source(held.detail["articles"], held.detail["evidence"])
                    return []
                if held.detail["newline"] and _appended_lines_stand_alone(
                    path, catalog, run, (old_size, held.detail["lines"]), cache.source_articles(source)
                ):
                    start = (old_size, held.detail["lines"])
        hashing = ThreadPoolExecutor(1).submit(manifest.segment_digests, path)  # (hashlib lets go of the GIL)
        read = reader(run, start)
        before = run.total
        problems = read.read()
        segments = hashing.result()
        if not problems and manifest.stat_signature(path) == signature:
            articles, evidence = len(read.articles), run.total - before
            if start != (0, 0):
                assert held is not None
                articles += held.detail["articles"]
                evidence += held.detail["evidence"]
                run.unchanged_source(held.detail["articles"], held.detail["evidence"])
            run.cache_files.append(
                manifest.FileRecord(
                    source,
                    manifest.recorded_signature(signature),
                    {
                        "kind": "feed",
                        "size": segments[-1][0],
                        "segments": segments,
                        "lines": read.lines,
                        "newline": _ends_with_newline(path),
                        "articles": articles,
                        "evidence": evidence,
                        "catalog": catalog_digest(catalog),
                    },
                )
            )
            run.cache_sources[source] = (start == (0, 0), list(read.articles))
        return problems

    return fill


def _held_feed(cache: manifest.Cache, source: str, catalog: Catalog, run: Ingest) -> manifest.FileRecord | None:
    """The cache's record of the feed at `source`, if the store still holds it as stored: checked against the
    same catalogue (the store's unchanged), and each of its articles as it stated them."""
    held = cache.file(source)
    if held is None or held.detail.get("kind") != "feed" or held.detail.get("catalog") != catalog_digest(catalog):
        return None
    if run.catalog_changed or run.title_changed or not cache.source_holds(source, held.detail["articles"]):
        return None
    return held


class _LineRef(msgspec.Struct):
    """What a line of a feed is, and what it names: enough to tell whether appended lines stand on their own."""

    type: str
    id: str
    article: str | None = None


_DECODE_REF = msgspec.json.Decoder(_LineRef).decode


def _appended_lines_stand_alone(
    path: Path, catalog: Catalog, run: Ingest, start: tuple[int, int], stored_articles: set[str]
) -> bool:
    """Whether the lines appended to a stored feed can be read alone and mean what they mean in the whole feed:
    each a plain article or evidence line (any other is read with the rest, so that its problem is told as
    always), no article the feed gave before, evidence of the appended articles only, no evidence id the store
    holds (a duplicate of an earlier line is told with the whole feed read)."""
    scan = FeedReader(path, catalog, run)
    scan.start = start
    articles: set[str] = set()
    evidence: list[tuple[str, str | None]] = []
    for _, raw in scan.numbered_lines():
        try:
            line = _DECODE_REF(raw)
        except msgspec.DecodeError:
            return False
        if line.type == "article":
            articles.add(line.id)
        elif line.type == "evidence":
            evidence.append((line.id, line.article))
        else:
            return False
    if scan.problems or not articles.isdisjoint(stored_articles):
        return False
    if any(article not in articles for _, article in evidence):
        return False
    return not run.holds_evidence([evidence_id for evidence_id, _ in evidence])


def _file_size(path: Path) -> int | None:
    try:
        found = path.stat()
    except OSError:
        return None
    return found.st_size if stat.S_ISREG(found.st_mode) else None


def _ends_with_newline(path: Path) -> bool:
    """Whether the file's last line is whole: lines appended after it then begin lines of their own."""
    with path.open("rb") as file:
        file.seek(0, os.SEEK_END)
        if file.tell() == 0:
            return True
        file.seek(-1, os.SEEK_END)
        return file.read(1) == b"\n"


# A feed smaller than this is read in one process: starting workers would cost more than they save.
PARALLEL_BYTES = 8 * 1024 * 1024
SEGMENT_LINES = 2000  # lines a worker checks at a time
_ARTICLE_LINE = re.compile(rb'"type"\s*:\s*"article"')


class Recorder:
    """What a worker's reader gives an ingest, kept to be sent to the one process that writes."""

    def __init__(self) -> None:
        self.records: list[tuple[str, Any]] = []
        self.line = 0  # the line being read

    def add_article(self, article: Article, coded: bool = True) -> None:
        self.records.append(("article", (self.line, article)))

    def add_evidence(self, item: Evidence, digest: str | None = None) -> None:
        self.records.append(
            ("evidence", (_evidence_values(item), item.content_hash()))
        )  # digested here, not in the writer


_EVIDENCE_FIELDS = tuple(field.name for field in dataclasses.fields(Evidence))
_evidence_values = operator.attrgetter(*_EVIDENCE_FIELDS)  # an Evidence's values, as a tuple, in one call
Segment = list[tuple[int, bytes]]
# A worker's answer: the records in the order they were checked, the problems, the articles whose lines had
# problems, and the evidence whose article is not in the segment (checked by the reader that sees every article).
Checked = tuple[list[tuple[str, Any]], list[Problem], set[str], list[tuple[int, FeedEvidence | FastEvidence]]]
_worker: dict[str, Any] = {}


def _start_worker(path: Path, catalog: Catalog, parent: int) -> None:
    """In a worker, first: end with the process that started it, then remember the feed and its catalogue."""
    _end_with_parent(parent)
    _worker.update(path=path, catalog=catalog)


PR_SET_PDEATHSIG = 1  # Linux's prctl option: the signal a process gets when its parent ends


def _end_with_parent(parent: int) -> None:
    """Make this worker end when the process that started it ends, even by `kill -9`.

    A pool's worker otherwise waits for work for ever on a queue whose every end it holds itself, and keeps the
    resource tracker alive with it. On Linux the kernel sends SIGKILL at the parent's death (prctl
    PR_SET_PDEATHSIG); everywhere, a thread waits on the pipe multiprocessing keeps open from the parent (it
    reads end-of-file when the parent is gone) and ends the process.
    """
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass  # the thread below still watches
    if os.getppid() != parent:  # the parent ended before the signal was asked for
        os._exit(1)
    started_by = multiprocessing.parent_process()
    if started_by is not None and started_by.sentinel is not None:
        sentinel = started_by.sentinel

        def watch() -> None:
            multiprocessing.connection.wait([sentinel])
            os._exit(1)

        threading.Thread(target=watch, name="end-with-parent", daemon=True).start()


def _check_segment(segment: Segment) -> Checked:
    """In a worker: every check of one segment's lines that needs nothing outside it."""
    recorder = Recorder()
    reader = FeedReader(_worker["path"], _worker["catalog"], recorder, check_duplicates=False)
    for number, raw in segment:
        recorder.line = number
        reader._line(number, raw)
    waiting = [entry for entries in reader.waiting.values() for entry in entries]
    return recorder.records, reader.problems, reader.broken, waiting


class ParallelFeedReader(FeedReader):
    """A feed checked by worker processes, a segment of lines each, feeding the one ingest as one process would.

    Each worker makes every check a line needs on its own (JSON, fields, the catalogue, grounding against an
    article of its segment). What needs the whole feed is done here, in the order the one-process reader checks
    the lines (a piece of evidence when its line is read if its article came before, else just after its
    article's line): an article id or a piece of evidence given twice, and evidence whose article is in another
    segment. A segment giving an article id that an earlier one gave is read here line by line, as one process
    reads it (its evidence grounded in the first article of that id). So the problems are the same, in the same
    words and order, and the ingest is given the same things in the same order, for any number of workers.
    """

    def __init__(self, path: Path, catalog: Catalog, run: Ingest, jobs: int) -> None:
        super().__init__(path, catalog, run)
        self.jobs = jobs
        self.article_lines: dict[str, int] = {}  # the line of each article taken

    def read(self) -> list[Problem]:
        context = multiprocessing.get_context("spawn")  # a clean process: nothing of the open transaction
        try:
            with ProcessPoolExecutor(
                self.jobs,
                mp_context=context,
                initializer=_start_worker,
                initargs=(self.path, self.catalog, os.getpid()),
            ) as pool:
                pending: deque[tuple[Segment, Future[Checked]]] = deque()
                for segment in self._segments():
                    pending.append((segment, pool.submit(_check_segment, segment)))
                    if len(pending) > 2 * self.jobs:  # a bounded number of segments in flight
                        self._take(*pending.popleft())
                while pending:
                    self._take(*pending.popleft())
        except OSError as exc:
            return [Problem(self.where, 1, "file", f"cannot read the feed: {exc.strerror}")]
        return self.finish()

    def _segments(self) -> Iterator[Segment]:
        """The lines, a segment at a time: cut before an article's line where one comes soon enough, so that an
        article and its evidence are mostly checked together."""
        segment: Segment = []
        for number, raw in self.numbered_lines():
            if len(segment) >= 2 * SEGMENT_LINES or (
                len(segment) >= SEGMENT_LINES and _ARTICLE_LINE.search(raw, 0, 64)
            ):
                yield segment
                segment = []
            segment.append((number, raw))
        if segment:
            yield segment

    def _article(self, number: int, record: FeedArticle) -> None:
        known = record.id in self.articles
        super()._article(number, record)
        if not known and record.id in self.articles:
            self.article_lines[record.id] = number

    def _take(self, segment: Segment, future: Future[Checked]) -> None:
        records, problems, broken, waiting = future.result()
        given = {value[1].id for kind, value in records if kind == "article"} | broken
        if not given.isdisjoint(self.broken) or any(article_id in self.articles for article_id in given):
            for number, raw in segment:  # an article id given before: its evidence is grounded in the first
                self._line(number, raw)
            return
        self.problems.extend(problems)
        self.broken |= broken
        # Evidence of an article outside the segment: checked at its line if its article came before, else it
        # waits for its article as it would in one process.
        due: deque[tuple[int, FeedEvidence | FastEvidence]] = deque()
        for number, record in sorted(waiting, key=lambda entry: entry[0]):
            if record.article in self.articles:
                due.append((number, record))
            elif record.article not in self.broken:
                self.waiting[record.article].append((number, record))
        for kind, value in records:
            if kind == "article":
                number, article = value
                checked_at = number
            else:
                values, digest = value
                evidence = Evidence(*values)
                checked_at = max(evidence.source_line, self.article_lines[evidence.article])
            while due and due[0][0] < checked_at:
                self._evidence(*due.popleft())
            if kind == "article":
                self.articles[article.id] = article
                self.article_lines[article.id] = number
                self.run.add_article(article)
                for waiting_number, waiting_record in self.waiting.pop(article.id, []):
                    self._evidence(waiting_number, waiting_record)
                continue
            duplicate = self.duplicates.problem(evidence, self.where, _at(evidence.source_line))
            if duplicate is not None:
                self.problems.append(duplicate)
                continue
            self.run.add_evidence(evidence, digest)
        while due:
            self._evidence(*due.popleft())
