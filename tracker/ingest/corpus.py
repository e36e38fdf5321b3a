"""Reading a corpus: the articles (seeds) and the evidence coded from them (fixtures).

Everything is checked here, before anything is stored, and every problem is
collected rather than stopping at the first: a coder fixing a fixture wants the
whole list. Each problem names the file, the line and the field.

Layout: `SEEDS/articles.yaml` lists the articles (id, file, title, date...) and
each text file beside it is kept byte-for-byte; `FIXTURES/*.yaml` holds one
file per article of coded evidence, and `FIXTURES/catalog.yaml` the catalogue.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from collections import OrderedDict, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from pydantic import ValidationError

from tracker.domain.catalog import Catalog, load_catalog
from tracker.domain.edtf import SaidOn
from tracker.domain.errors import CatalogError, CorpusError, Problem, display_path
from tracker.domain.evidence import (
    Article,
    ArticleMeta,
    Attribution,
    Evidence,
    EvidenceIn,
    IssueKind,
    Mode,
    stored_kind,
)
from tracker.domain.files import FileRefused, exists, read_regular_file, resolved, staged_in
from tracker.domain.grounding import Anchor, Normalised, WordIndex, closest_passage, find_all, normalise
from tracker.domain.machines import Move, Stance
from tracker.domain.problems import located_problems
from tracker.domain.yamlfile import (
    MAX_FILE_BYTES,
    Located,
    LocatedList,
    YamlProblem,
    read_file_for_yaml,
    read_yaml,
)
from tracker.ingest import manifest

if TYPE_CHECKING:
    from tracker.ingest.ingest import Ingest

ARTICLE_INDEX = "articles.yaml"
CATALOG_FILE = "catalog.yaml"
MAX_ARTICLE_BYTES = 1024 * 1024
ANY_ARTICLE = "*"  # in `broken`: the article index has problems, so any unknown article may be one of them


class FixtureDigest(NamedTuple):
    """What a fixture was when its article's evidence was last stored from it: an ingest that finds the file, its
    article and the catalogue the same need not read it again."""

    path: str  # the fixture file, resolved
    sha256: str  # of its bytes
    article: str  # of the article as the fixture was checked against (`article_digest`)
    catalog: str  # of the catalogue (`catalog_digest`)


def article_digest(article: Article) -> str:
    """What an ingest compares of an article (its text's digest and its metadata), in one digest."""
    values = [article.sha256, article.title, article.outlet, article.url, article.published_on.isoformat()]
    values += [article.date_basis, article.date_evidence, article.file]
    return hashlib.sha256(json.dumps(values, ensure_ascii=False).encode()).hexdigest()


def catalog_digest(catalog: Catalog) -> str:
    return hashlib.sha256(catalog.model_dump_json().encode()).hexdigest()


@dataclass
class Corpus:
    """A checked corpus, ready to be replayed and stored."""

    catalog: Catalog
    articles: dict[str, Article]
    evidence: list[Evidence]
    # The articles whose evidence the fixtures state in full (one file per article).
    coded_articles: set[str] = field(default_factory=set)
    # For each article coded, what its fixture was (stored, so that the next ingest can skip it if unchanged).
    fixture_digests: dict[str, FixtureDigest] = field(default_factory=dict)
    # The articles whose fixture, article and catalogue are as stored: not read again, their evidence kept.
    unchanged: dict[str, FixtureDigest] = field(default_factory=dict)


def _signature_now(path: Path) -> str | None:
    """The stat signature of `path` as a cache records it now (`manifest.recorded_signature`), or None."""
    signature = manifest.stat_signature(path)
    return None if signature is None else manifest.recorded_signature(signature)


def bundled_corpus() -> tuple[Path, Path]:
    """The seeds and fixtures shipped with the tracker (installed, or in a source checkout)."""
    package = Path(__file__).resolve().parents[1]  # tracker/
    installed = package / "corpus"
    if (installed / "seeds").is_dir():
        return installed / "seeds", installed / "fixtures"
    return package.parent / "seeds", package.parent / "fixtures"


def choose_catalog(fixtures: Path, catalog_file: Path | None = None, stored: Catalog | None = None) -> Catalog:
    """The catalogue a corpus is checked against.

    In order: the file named, the corpus's own `catalog.yaml`, the catalogue the
    store already holds (a folder holding part of a corpus). The bundled catalogue
    serves only the bundled corpus: a corpus with no catalogue of its own is
    refused, naming the file looked for, never given another negotiation's.
    """
    if catalog_file is not None:
        return load_catalog(catalog_file)
    own = fixtures / CATALOG_FILE
    if exists(own):
        return load_catalog(own)
    if stored is not None and stored.issues:
        return stored
    bundled = bundled_corpus()[1]
    try:
        is_bundled = fixtures.resolve() == bundled.resolve()
    except (OSError, RuntimeError):
        is_bundled = False
    if is_bundled:
        return load_catalog(bundled / CATALOG_FILE)
    raise CatalogError(
        [
            Problem(
                display_path(own),
                0,
                "file",
                "no catalogue: this corpus has no catalog.yaml of its own (the issues and parties it tracks); write "
                "one (`tracker init` makes a commented template, `tracker schema catalog` gives its schema) or give "
                "--catalog FILE",
            )
        ]
    )


def _inside(folder: Path, name: str) -> Path | str:
    """`folder/name` if it stays inside `folder` (resolved; no absolute paths, no `..` escapes); else why not."""
    plain = folder / name
    if "/" not in name and "\\" not in name and name not in (".", "..") and not plain.is_symlink():
        return plain  # a file of the folder itself: nothing to follow (a symlink or a path is resolved below)
    try:
        candidate = resolved(plain)
        candidate.relative_to(folder)
    except FileRefused as exc:
        return exc.about(f"'{name}'")
    except ValueError:
        return f"'{name}' is outside the seeds folder"
    return candidate


def text_problem(raw: bytes, name: str) -> str | None:
    """What makes an article's bytes unusable as its text, if anything."""
    if len(raw) > MAX_ARTICLE_BYTES:
        return f"{name} is larger than {MAX_ARTICLE_BYTES} bytes"
    if b"\x00" in raw:
        return f"{name} is binary, not text"
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return f"{name} is not UTF-8 (bad byte at offset {exc.start})"
    if not text.strip():
        return f"{name} is empty"
    return None


def _read_article_text(path: Path, where: str, line: int) -> tuple[str, str] | Problem:
    try:
        raw = read_regular_file(path, MAX_ARTICLE_BYTES)
    except FileRefused as exc:
        return Problem(where, line, "file", exc.about(display_path(path)))
    if text_problem(raw, "") is not None:  # (the path is shown only when there is something to say)
        return Problem(where, line, "file", str(text_problem(raw, display_path(path))))
    return raw.decode("utf-8"), hashlib.sha256(raw).hexdigest()


@dataclass
class LoadedArticles:
    articles: dict[str, Article]
    problems: list[Problem]
    # Ids of articles listed but not loadable: their fixtures are not checked (the cause is reported).
    broken: set[str] = field(default_factory=set)
    # Set when the index itself is unreadable: no fixture can be checked.
    unreadable: bool = False


def load_articles(seeds: Path, seen: dict[str, tuple[int, str | None]] | None = None) -> LoadedArticles:
    """The articles `articles.yaml` lists, each text read and checked. `seen` is told, for each article loaded,
    the line of its `file` and its text's stat signature taken before it was read (`manifest.stat_signature`)."""
    index = seeds / ARTICLE_INDEX
    where = display_path(index)
    try:
        doc = read_yaml(index)
    except YamlProblem as exc:
        return LoadedArticles({}, [exc.problem], unreadable=True)
    items = doc.get("articles") if isinstance(doc, Located) else None
    if not isinstance(items, LocatedList):
        line = doc.line_of("articles") if isinstance(doc, Located) else 1
        return LoadedArticles(
            {}, [Problem(where, line, "articles", "must be a mapping with a list of 'articles'")], unreadable=True
        )
    problems: list[Problem] = []
    articles: dict[str, Article] = {}
    broken: set[str] = set()
    try:
        seeds_resolved = resolved(seeds)
    except FileRefused:
        seeds_resolved = seeds  # each article's own path says what is wrong
    for index_no, item in enumerate(items):
        line = items.item_lines[index_no]
        if not isinstance(item, Located):
            problems.append(Problem(where, line, f"articles[{index_no}]", "must be a mapping"))
            continue
        if isinstance(item.get("id"), str):
            broken.add(item["id"])
        try:
            meta = ArticleMeta.model_validate(dict(item))
        except ValidationError as exc:
            problems.extend(located_problems(exc, where, item, ArticleMeta))
            continue
        if meta.id in articles:
            problems.append(Problem(where, item.line_of("id"), "id", f"duplicate article id '{meta.id}'"))
            continue
        path = _inside(seeds_resolved, meta.file)
        if isinstance(path, str):
            problems.append(Problem(where, item.line_of("file"), "file", path))
            continue
        if seen is not None:
            seen[meta.id] = (item.line_of("file"), _signature_now(path))
        read = _read_article_text(path, where, item.line_of("file"))
        if isinstance(read, Problem):
            problems.append(read)
            continue
        text, sha256 = read
        articles[meta.id] = Article(**meta.model_dump(), text=text, sha256=sha256, source_path=str(path))
    return LoadedArticles(articles, problems, broken - set(articles))


class Grounder:
    """Finds quotes in articles, normalising each article once while its evidence is being checked.

    Evidence mostly follows its article, so the normalised texts of the most recently used
    articles are kept (`KEPT`), and a feed of twenty thousand articles does not hold them all twice.
    Each quote is searched for in its article's text; an article coded more than `INDEX_AFTER` times
    gets a word index, so that its quotes are looked up instead (a fixture of sixty thousand quotes
    into one article would otherwise search the article sixty thousand times).
    """

    KEPT = 64
    INDEX_AFTER = 256

    def __init__(self, articles: dict[str, Article]) -> None:
        self.articles = articles
        self._normalised: OrderedDict[str, _Searched] = OrderedDict()

    def anchors(self, article_id: str, quote: str) -> tuple[list[Anchor], Normalised]:
        article = self.articles[article_id]
        searched = self._normalised.get(article_id)
        if searched is None:
            searched = self._normalised[article_id] = _Searched(normalise(article.text))
            if len(self._normalised) > self.KEPT:
                self._normalised.popitem(last=False)
        else:
            self._normalised.move_to_end(article_id)
        searched.quotes += 1
        if searched.words is None and searched.quotes > self.INDEX_AFTER:
            searched.words = WordIndex(searched.text.text)
        return find_all(searched.text, article.text, quote, searched.words), searched.text


@dataclass
class _Searched:
    """An article's normalised text, how many quotes were looked for in it, and its word index once it has one."""

    text: Normalised
    quotes: int = 0
    words: WordIndex | None = None


def _check_item(
    item: Located, where: str, source: str, article: Article, catalog: Catalog, grounder: Grounder
) -> Evidence | list[Problem]:
    try:
        coded = EvidenceIn.model_validate(dict(item))
    except ValidationError as exc:
        return located_problems(exc, where, item, EvidenceIn)
    return check_evidence(coded, item, where, source, article, catalog, grounder)


class Coded(Protocol):
    """A validated item as `check_evidence` reads it: an `EvidenceIn`, or a feed line read by the fast path."""

    @property
    def id(self) -> str: ...
    @property
    def issue(self) -> str: ...
    @property
    def party(self) -> str | None: ...
    @property
    def stance(self) -> Stance | None: ...
    @property
    def quote(self) -> str: ...
    @property
    def occurrence(self) -> int | None: ...
    @property
    def speaker(self) -> str | None: ...
    @property
    def attribution(self) -> Attribution: ...
    @property
    def said_on(self) -> SaidOn | None: ...
    @property
    def said_at(self) -> time | None: ...
    @property
    def mode(self) -> Mode: ...
    @property
    def move(self) -> Move | None: ...
    @property
    def condition(self) -> str | None: ...
    @property
    def kind(self) -> IssueKind | None: ...
    @property
    def note(self) -> str | None: ...


def check_evidence(
    coded: Coded, item: Located, where: str, source: str, article: Article, catalog: Catalog, grounder: Grounder
) -> Evidence | list[Problem]:
    """Resolve a validated item's names, check its date and ground its quote; its problems otherwise."""
    problems: list[Problem] = []
    issue = catalog.resolve("issue", coded.issue)
    if issue is None:
        problems.append(
            Problem(
                where,
                item.line_of("issue"),
                "issue",
                f"unknown issue '{coded.issue}' ({catalog.suggestion('issue', coded.issue)})",
            )
        )
    party = None
    if coded.party is not None:
        party = catalog.resolve("party", coded.party)
        if party is None:
            problems.append(
                Problem(
                    where,
                    item.line_of("party"),
                    "party",
                    f"unknown party '{coded.party}' ({catalog.suggestion('party', coded.party)})",
                )
            )
    said_on = coded.said_on.end if coded.said_on else article.published_on
    written = coded.said_on.written if coded.said_on else None
    if said_on > article.published_on:
        what = f"{written} ends on {said_on}, which" if written else f"{said_on}"
        problems.append(
            Problem(
                where,
                item.line_of("said_on"),
                "said_on",
                f"{what} is after the article's date {article.published_on}",
            )
        )
    anchors, norm = grounder.anchors(article.id, coded.quote)
    if not anchors:
        near = closest_passage(norm, coded.quote)
        hint = f'; closest passage: "{near}"' if near else ""
        problems.append(
            Problem(
                where,
                item.line_of("quote"),
                "quote",
                f"not found in article '{article.id}' ({display_path(article.source_path)}){hint}",
            )
        )
    elif len(anchors) > 1 and coded.occurrence is None:
        starts = ", ".join(str(a.start) for a in anchors)
        problems.append(
            Problem(
                where,
                item.line_of("quote"),
                "quote",
                f"occurs {len(anchors)} times in article '{article.id}' (at offsets {starts}); "
                f"set occurrence: 1 to {len(anchors)}, or quote more of the sentence",
            )
        )
    elif coded.occurrence is not None and coded.occurrence > len(anchors):
        problems.append(
            Problem(
                where,
                item.line_of("occurrence"),
                "occurrence",
                f"the quote occurs {len(anchors)} time(s), not {coded.occurrence}",
            )
        )
    if problems or issue is None:
        return problems
    anchor = anchors[(coded.occurrence or 1) - 1]
    return Evidence(
        id=coded.id,
        article=article.id,
        issue=issue,
        party=party,
        stance=coded.stance,
        quote=anchor.exact,
        start=anchor.start,
        end=anchor.end,
        prefix=anchor.prefix,
        suffix=anchor.suffix,
        speaker=coded.speaker,
        attribution=coded.attribution,
        said_on=said_on,
        mode=coded.mode,
        note=coded.note,
        source_path=source,
        source_line=item.line,
        stance_line=item.line_of("stance"),
        said_at=coded.said_at,
        move=coded.move,
        condition=coded.condition,
        kind=stored_kind(coded.kind),
        said_on_written=written,
    )


@dataclass
class LoadedFixtures:
    evidence: list[Evidence]
    coded: set[str]  # the articles whose evidence was read
    problems: list[Problem]
    digests: dict[str, FixtureDigest]  # of the fixtures read, by article
    unchanged: dict[str, FixtureDigest]  # of the fixtures not read again, by article


def load_fixtures(
    fixtures: Path,
    catalog: Catalog,
    articles: dict[str, Article],
    broken: set[str] | None = None,
    stored: dict[str, tuple[str, FixtureDigest]] | None = None,
    files: list[Path] | None = None,
    signatures: dict[str, str | None] | None = None,
    preread: dict[Path, tuple[bytes, Any, str | None]] | None = None,
) -> LoadedFixtures:
    """Every fixture of the folder (or the `files` given of it), checked; one whose bytes, article and catalogue
    are as `stored` says (the article and digest stored for each resolved path) is not parsed again: its
    article's stored evidence stands. `signatures` is told each file's stat signature, taken before it is read;
    `preread` holds files already read and parsed (their bytes, their document, their signature before)."""
    problems: list[Problem] = []
    evidence: list[Evidence] = []
    coded: dict[str, str] = {}
    digests: dict[str, FixtureDigest] = {}
    unchanged: dict[str, FixtureDigest] = {}
    grounder = Grounder(articles)
    duplicates = Duplicates()
    files = fixture_files(fixtures) if files is None else files
    catalog_now = catalog_digest(catalog)
    folder_shown, folder_resolved = display_path(fixtures), fixtures.resolve()
    for path in files:
        linked = path.is_symlink()  # a file of the folder itself is named by the folder (resolved once)
        where = display_path(path) if linked else str(Path(folder_shown) / path.name)
        try:
            early = preread.get(path) if preread else None
            if early is not None:  # read (and parsed) already, its signature taken before
                raw, parsed, signature = early
            else:
                signature = _signature_now(path) if signatures is not None else None
                raw, parsed = read_file_for_yaml(path), None
            resolved_path = str(path.resolve() if linked else folder_resolved / path.name)
            if signatures is not None:
                signatures[resolved_path] = signature
            digest = hashlib.sha256(raw).hexdigest()
            stored_as, known = stored.get(resolved_path, ("", None)) if stored else ("", None)
            if (
                parsed is None
                and known is not None
                and known.sha256 == digest
                and known.catalog == catalog_now
                and stored_as in articles
                and stored_as not in coded
                and article_digest(articles[stored_as]) == known.article
            ):
                coded[stored_as] = where  # still the one fixture of its article
                unchanged[stored_as] = known
                continue
            doc = read_yaml(path, raw) if parsed is None else parsed
        except YamlProblem as exc:
            problems.append(exc.problem)
            continue
        if not isinstance(doc, Located):
            problems.append(Problem(where, 1, "file", "a fixture must be a mapping with 'article' and 'evidence'"))
            continue
        for key in sorted(set(doc) - {"article", "evidence"}):
            problems.append(Problem(where, doc.line_of(key), key, "unknown field"))
        article_id = doc.get("article")
        items = doc.get("evidence")
        if not isinstance(article_id, str) or not article_id.strip():
            problems.append(Problem(where, doc.line_of("article"), "article", "required: the id of the article coded"))
            continue
        if broken is not None and (article_id in broken or (ANY_ARTICLE in broken and article_id not in articles)):
            continue  # the article's own problem is reported from articles.yaml
        if article_id not in articles:
            problems.append(
                Problem(
                    where,
                    doc.line_of("article"),
                    "article",
                    f"unknown article '{article_id}' (not in the seeds' {ARTICLE_INDEX})",
                )
            )
            continue
        if article_id in coded:
            problems.append(
                Problem(
                    where,
                    doc.line_of("article"),
                    "article",
                    f"article '{article_id}' is already coded in {coded[article_id]}",
                )
            )
            continue
        coded[article_id] = where
        if "evidence" not in doc:
            # A file cut short must not read as "this article has no evidence": that removes all of it.
            problems.append(
                Problem(
                    where,
                    doc.line_of("article"),
                    "evidence",
                    "required field is missing: the article's evidence, as a list (`evidence: []` removes all of it)",
                )
            )
            continue
        if items is None:
            problems.append(
                Problem(
                    where,
                    doc.line_of("evidence"),
                    "evidence",
                    "has no value: give the article's evidence as a list (`evidence: []` removes all of it)",
                )
            )
            continue
        if not isinstance(items, LocatedList):
            problems.append(Problem(where, doc.line_of("evidence"), "evidence", "must be a list"))
            continue
        source = str(path.absolute())  # a loop in the folder is refused when the file is read
        for index, item in enumerate(items):
            if not isinstance(item, Located):
                problems.append(Problem(where, items.item_lines[index], f"evidence[{index}]", "must be a mapping"))
                continue
            checked = _check_item(item, where, source, articles[article_id], catalog, grounder)
            if isinstance(checked, list):
                problems.extend(checked)
                continue
            duplicate = duplicates.problem(checked, where, item)
            if duplicate is not None:
                problems.append(duplicate)
                continue
            evidence.append(checked)
        digests[article_id] = FixtureDigest(resolved_path, digest, article_digest(articles[article_id]), catalog_now)
    return LoadedFixtures(evidence, set(coded) - set(unchanged), problems, digests, unchanged)


def fixture_files(fixtures: Path) -> list[Path]:
    """The fixture files of a folder, sorted (and those an edit being checked will make: `staged_in`)."""
    listed = {*fixtures.glob("*.y*ml"), *staged_in(fixtures)}
    return sorted(p for p in listed if p.name != CATALOG_FILE and p.suffix in {".yaml", ".yml"})


def _fixture_names(fixtures: Path) -> list[tuple[str, bool]]:
    """The names of the fixture files of a folder, as `fixture_files` lists them (staged files aside), in the same
    order, and whether each is a symbolic link: one listing, no path objects (a folder may hold 20,000)."""
    try:
        entries = [(entry.name, entry.is_symlink()) for entry in os.scandir(fixtures)]
    except OSError:
        return [(path.name, path.is_symlink()) for path in fixture_files(fixtures)]
    return sorted(
        (name, linked)
        for name, linked in entries
        if name != CATALOG_FILE and name.rfind(".") > 0 and (name.endswith(".yaml") or name.endswith(".yml"))
    )


class Duplicates:
    """Evidence ids and statements already seen in one ingest: each may be coded once.

    A feed has a million of them, so each is remembered by as little as will
    name the first one again: its id and where it was (a file number and a line in one int).
    """

    def __init__(self) -> None:
        self.files: list[str] = []
        self.file_numbers: dict[str, int] = {}
        self.ids: dict[str, int] = {}  # id -> where it was
        self.statements: dict[tuple[str, int, int, str, str | None, Any, Any], str] = {}  # -> the id coding it

    def _where(self, evidence_id: str) -> str:
        location = self.ids[evidence_id]
        return f"{self.files[location >> 32]}:{location & 0xFFFFFFFF}"

    def problem(self, evidence: Evidence, where: str, item: Located) -> Problem | None:
        """The problem with `evidence` if its id or its statement came before; else remember both."""
        if evidence.id in self.ids:
            return Problem(
                where,
                item.line_of("id"),
                "id",
                f"duplicate evidence id '{evidence.id}' (first at {self._where(evidence.id)})",
            )
        # The same quote is the same span of the same article: its offsets say it.
        same = (
            evidence.article,
            evidence.start,
            evidence.end,
            evidence.issue,
            evidence.party,
            evidence.stance,
            evidence.mode,
        )
        first = self.statements.get(same)
        if first is not None:
            return Problem(
                where,
                item.line,
                "quote",
                f"duplicate evidence: same article, quote, issue, party and stance as '{first}' ({self._where(first)})",
            )
        if where not in self.file_numbers:
            self.file_numbers[where] = len(self.files)
            self.files.append(where)
        self.ids[evidence.id] = self.file_numbers[where] << 32 | item.line
        self.statements[same] = evidence.id
        return None


def load_corpus(
    seeds: Path,
    fixtures: Path,
    catalog_file: Path | None = None,
    stored_catalog: Catalog | None = None,
    stored_fixtures: dict[str, tuple[str, FixtureDigest]] | None = None,
) -> Corpus:
    """Read and check a whole corpus; raise `CorpusError` listing every problem found. A fixture that is as
    `stored_fixtures` says (by resolved path) is not read again."""
    check_folders(seeds, fixtures)
    catalog = choose_catalog(fixtures, catalog_file, stored_catalog)
    return read_corpus(seeds, fixtures, catalog, stored_fixtures)


def check_folders(seeds: Path, fixtures: Path) -> None:
    """Raise `CorpusError` if the seeds or the fixtures folder is not there."""
    problems: list[Problem] = []
    for folder, what in ((seeds, "seeds"), (fixtures, "fixtures")):
        if not folder.is_dir():
            problems.append(Problem(display_path(folder), 0, "file", f"{what} folder not found"))
    if problems:
        raise CorpusError(problems)


def read_corpus(
    seeds: Path,
    fixtures: Path,
    catalog: Catalog,
    stored_fixtures: dict[str, tuple[str, FixtureDigest]] | None = None,
    seen: dict[str, tuple[int, str | None]] | None = None,
    signatures: dict[str, str | None] | None = None,
) -> Corpus:
    """`load_corpus` with its catalogue chosen; `seen` and `signatures` as `load_articles` and `load_fixtures`
    tell them."""
    loaded = load_articles(seeds, seen)
    if loaded.unreadable:
        raise CorpusError(loaded.problems)
    # While articles.yaml has problems, a fixture naming an article it lacks is not reported twice.
    broken = loaded.broken | ({ANY_ARTICLE} if loaded.problems else set())
    read = load_fixtures(fixtures, catalog, loaded.articles, broken, stored_fixtures, signatures=signatures)
    problems = loaded.problems + read.problems
    if problems:
        raise CorpusError(problems)
    return Corpus(
        catalog=catalog,
        articles=loaded.articles,
        evidence=read.evidence,
        coded_articles=read.coded,
        fixture_digests=read.digests,
        unchanged=read.unchanged,
    )


# A folder corpus the cache of sources (`tracker.ingest.manifest`) remembers: one record per pair of folders.
# Its texts and fixtures are kept in parts (`FOLDER_PARTS`, a thousand each): the kind an older tracker does not know,
# and reads as no record (the whole read); its own kind (`FOLDER_WHOLE`, one row) is read here as well.
FOLDER_KIND = "folder-in-parts"
FOLDER_WHOLE = "folder"
FOLDER_PARTS = ("articles", "fixtures")


def folder_key(seeds: Path, fixtures: Path) -> str:
    """The cache's name of a folder corpus: its two folders, resolved."""
    return f"folder:{seeds.resolve()}|{fixtures.resolve()}"


def folder_fill(seeds: Path, fixtures: Path, catalog: Catalog) -> Callable[[Ingest], list[Problem]]:
    """Give an ingest a folder corpus, reading of it only what changed since the cache of sources recorded it.

    The cache (`manifest`) keeps, for a folder corpus an ingest stored, one record (`folder_key`): the stat
    signature and digest of `articles.yaml`, of each article's text, and of each fixture with the article it
    codes and its evidence count, and the store's generation it was written in; and each article's entry of
    the index in a record of its own (`KEY#ARTICLE`), read only for the articles read again.

    Inside the ingest's transaction, with the store's generation checked: an index whose signature (else
    digest) is as recorded is not parsed; a text or fixture whose signature (else digest) is as recorded is not
    read, and an article whose text and fixture are both as recorded, and which the store still holds as that
    fixture stated it (all of them if no ingest changed the store since the record was written, else as the
    cache of sources says), is neither read nor checked again. The rest (a fixture changed or new, the article
    it codes, an article whose text changed and its fixture, an article no fixture codes) is read and checked
    as a whole read would. Anything the cache cannot vouch for (no record, another catalogue, a changed
    index, a changed fixture naming an article another fixture codes) is read whole, as `load_corpus` does."""

    def fill(run: Ingest) -> list[Problem]:
        cache = run.cache()
        if cache is not None and not staged_in(fixtures):
            quick = _FolderRead(seeds, fixtures, catalog, run, cache).quick()
            if quick is not None:
                return quick
        return _whole(seeds, fixtures, catalog, run, cache)

    return fill


def _give(run: Ingest, corpus: Corpus) -> None:
    run.fixtures(corpus.fixture_digests, corpus.unchanged)
    for article in corpus.articles.values():
        run.add_article(article, coded=article.id in corpus.coded_articles)
    for item in corpus.evidence:
        run.add_evidence(item)


def _meta(article: Article) -> dict[str, Any]:
    return ArticleMeta.model_validate(article.model_dump(include=set(ArticleMeta.model_fields))).model_dump(mode="json")


def _whole(seeds: Path, fixtures: Path, catalog: Catalog, run: Ingest, cache: manifest.Cache | None) -> list[Problem]:
    """The whole corpus read (unchanged fixtures not parsed, as stored); its record made for the cache."""
    if cache is None:  # a trial (validate) reads everything
        _give(run, read_corpus(seeds, fixtures, catalog))
        return []
    index = seeds / ARTICLE_INDEX
    index_signature = _signature_now(index)
    index_digest = _digest_of(index, MAX_FILE_BYTES)  # before it is parsed: a change after it is seen next time
    seen: dict[str, tuple[int, str | None]] = {}
    signatures: dict[str, str | None] = {}
    corpus = read_corpus(seeds, fixtures, catalog, manifest.stored_fixtures(run.conn), seen, signatures)
    _give(run, corpus)
    # The articles not parsed again: their evidence counts and digests as the store holds them.
    held = manifest.held_evidence(run.conn, sorted(corpus.unchanged))
    counts: dict[str, int] = defaultdict(int)
    for item in corpus.evidence:
        counts[item.article] += 1
    for article, (total, count) in held.items():
        counts[article] = count
        run.cache_digests[article] = manifest.content_digest(
            article_digest(corpus.articles[article]), total % 2**256, count
        )
    if index_digest is None:
        return []
    coded = {**corpus.fixture_digests, **corpus.unchanged}
    detail: dict[str, Any] = {
        "kind": FOLDER_KIND,
        "generation": None,  # set as the record is written: the store's generation after this ingest
        "catalog": catalog_digest(catalog),
        "index": [_short(index_signature), index_digest],
        "articles": [
            [a.id, seen[a.id][0], a.source_path, _short(seen[a.id][1]), a.sha256[:DIGEST_CHARS]]
            for a in corpus.articles.values()
        ],
        "fixtures": {
            digest.path: [_short(signatures.get(digest.path)), digest.sha256[:DIGEST_CHARS], article, counts[article]]
            for article, digest in coded.items()
        },
    }
    key = folder_key(seeds, fixtures)
    run.cache_files.append(manifest.FileRecord(key, FOLDER_KIND, detail, FOLDER_PARTS))
    # Each article's entry in the index, apart: read only for the articles read again.
    run.cache_files += [manifest.FileRecord(f"{key}#{a.id}", META_KIND, _meta(a)) for a in corpus.articles.values()]
    run.cache_sources[key] = (True, sorted(coded))
    return []


def _digest_of(path: Path, limit: int) -> str | None:
    try:
        return hashlib.sha256(read_regular_file(path, limit)).hexdigest()
    except FileRefused:
        return None


META_KIND = "meta"
DIGEST_CHARS = 32  # of a text's or a fixture's sha256 the record keeps (128 bits: to tell a change, not to name)


def _short(signature: str | None) -> str | None:
    """A stat signature as the folder's record keeps it: 16 hex digits ("racy" for one marked racy)."""
    if signature is None:
        return None
    if signature.startswith("racy:"):
        return "racy"
    return _hashed(*(int(part) for part in signature.split(":")))


def _hashed(*values: int) -> str:
    # The hash of a tuple of ints is the same in every process (only strings' are salted); another Python's may
    # differ, and then each file is hashed once more, found the same, and recorded again.
    return format(hash(values) & 0xFFFF_FFFF_FFFF_FFFF, "016x")


def _short_now(path: str) -> str | None:
    """`_short` of the stat signature of `path` now (without making the signature: 40,000 files are compared)."""
    try:
        found = os.stat(path)
    except OSError:
        return None
    if not stat.S_ISREG(found.st_mode):
        return None
    return _hashed(found.st_size, found.st_mtime_ns, found.st_ctime_ns, found.st_ino, found.st_dev)


class _FolderRead:
    """One ingest's read of a folder corpus the cache has a record of: what changed, read; the rest vouched for."""

    def __init__(self, seeds: Path, fixtures: Path, catalog: Catalog, run: Ingest, cache: manifest.Cache) -> None:
        self.seeds, self.fixtures, self.catalog, self.run, self.cache = seeds, fixtures, catalog, run, cache
        self.key = folder_key(seeds, fixtures)

    def quick(self) -> list[Problem] | None:
        """The problems found reading what changed, or None if the cache cannot vouch for the rest."""
        run, seeds, fixtures = self.run, self.seeds, self.fixtures
        record = self.cache.file(self.key)
        if record is None or record.detail.get("kind") not in (FOLDER_KIND, FOLDER_WHOLE):
            return None
        detail = record.detail
        detail["kind"] = FOLDER_KIND  # as it is written back
        if run.catalog_changed or run.title_changed or detail["catalog"] != catalog_digest(self.catalog):
            return None
        index = seeds / ARTICLE_INDEX
        index_signature = manifest.stat_signature(index)
        recorded_signature, index_digest = detail["index"]
        if index_signature is None:
            return None
        if _short(index_signature) != recorded_signature:
            if _digest_of(index, MAX_FILE_BYTES) != index_digest:
                return None  # a changed index is parsed: the whole read
            detail["index"] = [_short(manifest.recorded_signature(index_signature)), index_digest]
        # The fixtures: those as recorded, and those to read.
        fixtures_resolved = fixtures.resolve()
        recorded: dict[str, list[Any]] = detail["fixtures"]
        listed: dict[str, str] = {}  # the resolved path of each fixture -> its name in the folder
        owner: dict[str, str] = {}  # article -> the fixture as recorded that codes it
        changed: list[Path] = []
        preread: dict[Path, tuple[bytes, Any, str | None]] = {}
        folder_resolved = str(fixtures_resolved)
        for name, linked in _fixture_names(fixtures):
            try:
                key = str((fixtures / name).resolve()) if linked else f"{folder_resolved}{os.sep}{name}"
            except (OSError, RuntimeError):
                changed.append(fixtures / name)  # (a loop: told when it is read)
                continue
            listed[key] = name
            held = recorded.get(key)
            if held is not None and held[0] is not None and _short_now(key) == held[0]:
                owner[held[2]] = key
                continue
            signature = manifest.stat_signature(key)
            path = fixtures / name
            changed.append(path)
            try:
                raw = read_file_for_yaml(path)
            except YamlProblem:
                continue  # told when it is read again below
            if held is not None and signature is not None and hashlib.sha256(raw).hexdigest()[:DIGEST_CHARS] == held[1]:
                changed.pop()  # the same bytes (touched, copied back)
                held[0] = _short(manifest.recorded_signature(signature))
                owner[held[2]] = key
                continue
            preread[path] = (raw, None, None if signature is None else manifest.recorded_signature(signature))
        for key in [key for key in recorded if key not in listed]:
            del recorded[key]  # a fixture removed: its article, if still listed, is read as coded by none
        # What the changed fixtures code (their own checks come when they are read).
        peeked: set[str] = set()
        for path, (raw, _, signature) in list(preread.items()):
            try:
                doc = read_yaml(path, raw)
            except YamlProblem:
                del preread[path]
                continue  # told when it is read again below
            preread[path] = (raw, doc, signature)
            article = doc.get("article") if isinstance(doc, Located) else None
            if isinstance(article, str):
                if article in owner:
                    return None  # coded twice: which one is told depends on the order of every file
                peeked.add(article)
        # The articles: as recorded, or to read.
        # Which articles the store still holds as the folder stated them: all of them if no ingest has changed the
        # store since this record was written (its generation is the store's); else as the cache of sources says.
        held_as_stated: dict[str, bool] | None = None
        if detail.get("generation") is None or detail["generation"] != self.cache.generation:
            held_as_stated = self.cache.source_held(self.key)
        read_ids: set[str] = set(peeked)
        for entry in detail["articles"]:
            article, _, text_path, text_signature, text_digest = entry
            fixture = owner.get(article)
            if fixture is None or (held_as_stated is not None and not held_as_stated.get(article, False)):
                read_ids.add(article)
                continue
            if text_signature is not None and _short_now(text_path) == text_signature:
                continue
            signature = manifest.stat_signature(text_path)
            if (
                signature is not None
                and (_digest_of(Path(text_path), MAX_ARTICLE_BYTES) or "")[:DIGEST_CHARS] == text_digest
            ):
                entry[3] = _short(manifest.recorded_signature(signature))
                continue
            read_ids.add(article)
        metas = self.cache.files([f"{self.key}#{article}" for article in read_ids])
        to_parse = sorted({*changed, *(fixtures / listed[owner[a]] for a in read_ids if a in owner)})
        # Read them as a whole read would, in the index's order, and the fixtures that code them.
        where = display_path(seeds / ARTICLE_INDEX)
        try:
            seeds_resolved = resolved(seeds)
        except FileRefused:
            seeds_resolved = seeds
        problems: list[Problem] = []
        articles: dict[str, Article] = {}
        broken: set[str] = set()
        for entry in detail["articles"]:
            article, file_line = entry[0], entry[1]
            if article not in read_ids:
                continue
            meta_record = metas.get(f"{self.key}#{article}")
            if meta_record is None:
                return None
            meta = ArticleMeta.model_validate(meta_record.detail)
            inside = _inside(seeds_resolved, meta.file)
            if isinstance(inside, str):
                problems.append(Problem(where, file_line, "file", inside))
                broken.add(article)
                continue
            signature = _signature_now(inside)
            read = _read_article_text(inside, where, file_line)
            if isinstance(read, Problem):
                problems.append(read)
                broken.add(article)
                continue
            text, sha256 = read
            articles[article] = Article(**meta.model_dump(), text=text, sha256=sha256, source_path=str(inside))
            entry[2:] = [str(inside), _short(signature), sha256[:DIGEST_CHARS]]
        signatures: dict[str, str | None] = {}
        broken |= {ANY_ARTICLE} if problems else set()
        loaded = load_fixtures(
            fixtures, self.catalog, articles, broken, files=to_parse, signatures=signatures, preread=preread
        )
        problems += loaded.problems
        if problems:
            raise CorpusError(problems)
        # Given to the ingest: what was read, and the counts of what was not.
        run.fixtures(loaded.digests, {})
        for article in articles.values():
            run.add_article(article, coded=article.id in loaded.coded)
        counts: dict[str, int] = defaultdict(int)
        for item in loaded.evidence:
            counts[item.article] += 1
            run.add_evidence(item)
        vouched = [a for a in owner if a not in read_ids]
        run.unchanged_source(len(detail["articles"]) - len(articles), sum(recorded[owner[a]][3] for a in vouched))
        for key in [key for key, held in recorded.items() if held[2] in read_ids]:
            del recorded[key]  # read again: recorded anew below, if still a fixture of its article
        for article, digest in loaded.digests.items():
            recorded[digest.path] = [
                _short(signatures.get(digest.path)),
                digest.sha256[:DIGEST_CHARS],
                article,
                counts[article],
            ]
        detail["generation"] = None  # set as the record is written
        run.cache_files.append(manifest.FileRecord(self.key, FOLDER_KIND, detail, FOLDER_PARTS))
        run.cache_sources[self.key] = (False, sorted(loaded.digests))
        return []
