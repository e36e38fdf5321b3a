"""The one writer of a corpus's files: adding an article, and adding, editing and removing evidence.

Every change a person's corpus gets from the tracker (a coding saved on the
coding screen, an evidence item edited or removed, `tracker import`,
`tracker article add`) is a `CorpusChange`, which:

- holds the corpus's lock (`.tracker.lock` in each folder it writes) while it
  reads, checks and writes, so two trackers never interleave their changes;
- finds what it changes by parsing the file, and changes it as a splice of the
  text (`tracker.domain.yamledit`): every byte it does not mean to change stays,
  and reading the result back must give exactly the document meant, or the
  change is refused;
- checks the whole corpus with the new bytes, as an ingest would (quotes
  grounded, ids unique, every move legal), before a byte is written;
- writes every file of the change or none, each only over the bytes it was
  made from (an edit made meanwhile by an editor is kept: the change is
  refused), whole, keeping its mode, through a symlink to its target.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, time
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from tracker.domain.catalog import Catalog
from tracker.domain.errors import CorpusError, Problem, UsageError, WriteRefused, display_path
from tracker.domain.evidence import REF_PATTERN, ArticleMeta
from tracker.domain.files import FileChange, FileRefused, corpus_lock, read_regular_file, staged, write_files
from tracker.domain.yamledit import Edit, Layout, render_value
from tracker.domain.yamlfile import MAX_FILE_BYTES, Located, YamlProblem, read_yaml
from tracker.ingest.corpus import ARTICLE_INDEX, CATALOG_FILE, MAX_ARTICLE_BYTES, Corpus, load_corpus, text_problem

FIXTURE_KEYS = (  # the order an item's keys are written in, as in the bundled fixtures
    "id",
    "issue",
    "party",
    "stance",
    "move",
    "quote",
    "occurrence",
    "speaker",
    "attribution",
    "said_on",
    "said_at",
    "mode",
    "kind",
    "condition",
    "note",
)
ARTICLE_KEYS = ("id", "file", "title", "outlet", "url", "published_on", "date_basis", "date_evidence")
MAX_ID_LENGTH = 32


class CorpusChange:
    """One change to a corpus's files, made under its lock: read, staged, checked, then written whole or not at all."""

    def __init__(self, seeds: Path, fixtures: Path, catalog: Catalog | None = None) -> None:
        self.seeds = seeds
        self.fixtures = fixtures
        self.catalog = catalog  # for a corpus with no catalogue of its own: the one its database holds
        self.before: dict[Path, bytes | None] = {}
        self.after: dict[Path, bytes] = {}

    def read(self, path: Path) -> bytes | None:
        """A file's bytes as this change found them (None: it does not exist); what it will be written over."""
        if path in self.after:
            return self.after[path]
        if path not in self.before:
            if not path.exists() and not path.is_symlink():
                self.before[path] = None
            else:
                try:
                    self.before[path] = read_regular_file(path, MAX_FILE_BYTES)
                except FileRefused as exc:
                    raise UsageError(f"{display_path(path)}: {exc.about('file')}") from None
        return self.before[path]

    def put(self, path: Path, data: bytes) -> None:
        self.read(path)
        self.after[path] = data

    def check(self, store: Any = None) -> Corpus:
        """The corpus as it will be, checked as an ingest would check it (`CorpusError` listing every problem);
        with a store: its moves checked from what the store holds, as the ingest that follows will make them."""
        from tracker.ingest.ingest import corpus_fill, validate

        with staged(self.after):
            corpus = load_corpus(self.seeds, self.fixtures, stored_catalog=self.catalog)
            validate(store, corpus.catalog, corpus_fill(corpus))
        return corpus

    def current(self) -> Corpus:
        """The corpus as its files are now, checked as it is read (its problems first: `CorpusError`)."""
        return load_corpus(self.seeds, self.fixtures, stored_catalog=self.catalog)

    def write(self) -> None:
        """Write every changed file, or none (`WriteRefused` saying why)."""
        changes = [FileChange(path, data, self.before[path]) for path, data in self.after.items()]
        changes = [c for c in changes if c.data != c.before]
        try:
            write_files(changes)
        except FileRefused as exc:
            raise WriteRefused(str(exc)) from None


@contextmanager
def changing(
    seeds: Path, fixtures: Path, writes: Iterable[Path], catalog: Catalog | None = None
) -> Iterator[CorpusChange]:
    """A change to the corpus of `seeds` and `fixtures`, holding the lock of the folders it `writes`."""
    folders = list(writes)
    for folder in folders:
        if not folder.is_dir():
            raise UsageError(f"{display_path(folder)} is not a folder")
    try:
        with corpus_lock(folders):
            yield CorpusChange(seeds, fixtures, catalog)
    except FileRefused as exc:
        raise WriteRefused(str(exc)) from None
    except YamlProblem as exc:  # a file the tracker cannot edit, told at its line (nothing was written)
        raise CorpusError([exc.problem]) from None


# -- reading and editing one YAML file ---------------------------------------------------------------------------


def _as_read(value: Any) -> Any:
    """A value as the tracker's YAML reader will give it back once written (a time of day is kept as its text)."""
    if isinstance(value, time):
        return value.isoformat(timespec="minutes" if not value.second else "seconds")
    return value


def _plain(value: Any) -> Any:
    """A document read from YAML as plain dicts and lists, to compare with what was meant."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


@dataclass
class EditedFile:
    """A YAML file of the corpus being edited: its text, the document it holds, and the document meant."""

    path: Path
    raw: bytes
    layout: Layout
    edit: Edit
    document: Any
    meant: Any = field(default=None)

    @staticmethod
    def open(change: CorpusChange, path: Path) -> EditedFile:
        raw = change.read(path)
        if raw is None:
            raise UsageError(f"{display_path(path)} does not exist")
        document = read_yaml(path, raw)  # YamlProblem: located
        layout, text = Layout.of(raw)
        edit = Edit(text, display_path(path))
        return EditedFile(path, raw, layout, edit, document, _plain(document))

    def result(self) -> bytes:
        """The new bytes, read back and compared with the document meant; refused if they differ in anything."""
        data = self.layout.encode(self.edit.text())
        try:
            got = _plain(read_yaml(self.path, data))
        except YamlProblem as exc:
            got = exc
        if got != self.meant:
            raise UsageError(
                f"{display_path(self.path)}: the tracker cannot make this change without touching what it does not "
                "mean to (an unusual layout); make it by hand, `tracker validate` checks it"
            )
        return data


def _list_under(edited: EditedFile, key: str) -> tuple[yaml.MappingNode, yaml.SequenceNode | None]:
    """The mapping at the top of the file and the list under `key` (None: empty or missing)."""
    root = edited.edit.root
    where = display_path(edited.path)
    if not isinstance(root, yaml.MappingNode):
        line = root.start_mark.line + 1 if root is not None else 1
        raise CorpusError([Problem(where, line, "file", f"must be a mapping with a list of '{key}'")])
    found = Edit.value_of(root, key)
    if found is None:
        raise CorpusError([Problem(where, root.start_mark.line + 1, key, "required field is missing")])
    if not isinstance(found[1], yaml.SequenceNode):
        raise CorpusError([Problem(where, found[0].start_mark.line + 1, key, "must be a list")])
    return root, found[1]


# -- articles ----------------------------------------------------------------------------------------------------

_STOP_WORDS = {"a", "an", "the", "of", "on", "in", "to", "for", "and", "as", "at", "by", "with", "after", "is", "are"}


def slug(title: str, published_on: date | None = None) -> str:
    """An article id made from its title: its key words joined by hyphens, whole words only, at most 32
    characters with the date when one is given (`2026-01-23-kremlin-confirms-abu-dhabi`)."""
    words = [w for w in re.findall(r"[a-z0-9]+", title.lower()) if w not in _STOP_WORDS] or ["article"]
    made = published_on.isoformat() if published_on else ""
    for word in words:
        longer = f"{made}-{word}" if made else word
        if len(longer) > MAX_ID_LENGTH:
            break
        made = longer
    return made or words[0][:MAX_ID_LENGTH]


def _index_document(change: CorpusChange, index: Path) -> tuple[bytes, str]:
    """The article index's bytes before, and its text with an `articles:` list to add to (made if missing)."""
    raw = change.read(index)
    if raw is None:
        return b"", "articles: []\n"
    document = read_yaml(index, raw)
    where = display_path(index)
    if document is None:  # nothing but comments: they stay, the list goes after them
        text = Layout.of(raw)[1]
        if any(line.strip() and not line.lstrip().startswith("#") for line in text.splitlines()):
            raise CorpusError(
                [Problem(where, 1, "articles", "holds no list of articles (an empty document): write `articles: []`")]
            )
        newline = "\r\n" if "\r\n" in text else "\n"
        joined = text if not text or text.endswith("\n") else text + newline
        return raw, joined + "articles: []" + newline
    if not isinstance(document, Located):
        raise CorpusError([Problem(where, 1, "file", "must be a mapping with a list of 'articles'")])
    if "articles" not in document:
        raise CorpusError([Problem(where, document.line, "articles", "required field is missing")])
    if not isinstance(document["articles"], list):
        raise CorpusError([Problem(where, document.line_of("articles"), "articles", "must be a list")])
    return raw, Layout.of(raw)[1]


def add_article(seeds: Path, text: bytes, meta: dict[str, Any], source: Path | None = None) -> ArticleMeta:
    """Add an article to `seeds`: its text copied byte for byte as `ID.txt` (or, when `source` is a file of the
    seeds folder already, registered where it is), and its entry appended to `articles.yaml` (made if missing).

    `meta` holds `articles.yaml`'s fields but `file`; the id is made from the title when not given. Anything an
    ingest would refuse is refused before anything is written.
    """
    try:
        published: date | None = date.fromisoformat(str(meta.get("published_on")))
    except ValueError:
        published = None  # validation says what is wrong with it
    article_id = meta.get("id") or slug(str(meta.get("title", "")), published)
    in_place = source is not None and _inside_folder(source, seeds)
    name = source.name if in_place and source is not None else f"{article_id}.txt"
    try:
        entry = ArticleMeta.model_validate({**meta, "id": article_id, "file": name})
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise UsageError(f"{where}: {first['msg']}") from None
    problem = text_problem(text, "the text")
    if problem is not None:
        raise UsageError(problem if len(text) <= MAX_ARTICLE_BYTES else f"{problem}; an ingest would refuse it")
    _make_folder(seeds)
    index = seeds / ARTICLE_INDEX
    with changing(seeds, seeds, [seeds]) as change:
        before, base = _index_document(change, index)
        listed = read_yaml(index, base.encode()) if base else {"articles": []}
        taken = {str(a.get("id")) for a in listed["articles"] if isinstance(a, dict)}
        if entry.id in taken:
            raise UsageError(f"article '{entry.id}' is already in {display_path(index)}; give another --id")
        files = {str(a.get("file")) for a in listed["articles"] if isinstance(a, dict)}
        if in_place and name in files:
            raise UsageError(f"{display_path(seeds / name)} is already listed in {display_path(index)}")
        if not in_place and (seeds / name).exists():
            raise UsageError(f"{display_path(seeds / name)} exists already; give another --id")
        layout = Layout.of(before)[0] if before else Layout(bom=False)
        edit = Edit(base, display_path(index))
        assert isinstance(edit.root, yaml.MappingNode)
        values = {k: v for k, v in entry.model_dump(exclude_none=True).items()}
        item = {key: getattr(values[key], "value", values[key]) for key in ARTICLE_KEYS if key in values}
        edit.append(edit.root, "articles", item)
        data = layout.encode(edit.text())
        got = _plain(read_yaml(index, data))
        if got != {**_plain(read_yaml(index, base.encode())), "articles": [*_plain(listed["articles"]), item]}:
            raise UsageError(
                f"{display_path(index)}: the tracker cannot add to it without touching what it does not mean to; "
                "add the entry by hand"
            )
        change.put(index, data)
        if not in_place:
            change.put(seeds / name, text)
        from tracker.ingest.corpus import load_articles

        with staged(change.after):
            loaded = load_articles(seeds)
        if loaded.problems:
            raise CorpusError(loaded.problems)
        change.write()
    return entry


def _make_folder(folder: Path) -> None:
    """Make a corpus folder if missing; `UsageError` saying why it cannot be."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"cannot make the folder {display_path(folder)}: {exc.strerror}") from None
    if not folder.is_dir():
        raise UsageError(f"{display_path(folder)} is not a folder")


def _inside_folder(path: Path, folder: Path) -> bool:
    try:
        return path.resolve().parent == folder.resolve()
    except (OSError, RuntimeError):
        return False


# -- fixtures ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fixture:
    """An article's fixture file, found or to be made."""

    path: Path
    article: str
    exists: bool


def _codes(path: Path, article: str, cheap: bool) -> bool:
    """Whether the fixture at `path` codes `article`, by its parsed `article:` (never a text search)."""
    try:
        raw = read_regular_file(path, MAX_FILE_BYTES)  # a FIFO or a device is passed over, never waited on
    except FileRefused:
        return False
    if cheap and article.encode() not in raw and b"\\" not in raw:
        return False  # its text cannot name the article (no escape could spell it either)
    try:
        document = read_yaml(path, raw)
    except YamlProblem:
        return False
    return isinstance(document, dict) and document.get("article") == article


def fixture_files(fixtures: Path) -> list[Path]:
    return sorted(p for p in fixtures.glob("*.y*ml") if p.name != CATALOG_FILE and p.suffix in (".yaml", ".yml"))


def fixture_of(fixtures: Path, article: str) -> Fixture:
    """The fixture that codes `article` (whichever its file name), or the one to make: `ARTICLE.yaml`."""
    if not re.fullmatch(REF_PATTERN, article):
        raise UsageError(f"'{article}' is not an article id")
    conventional = [fixtures / f"{article}.yaml", fixtures / f"{article}.yml"]
    for path in conventional:
        if path.exists() and _codes(path, article, cheap=False):
            return Fixture(path, article, True)
    for path in fixture_files(fixtures):
        if path not in conventional and _codes(path, article, cheap=True):
            return Fixture(path, article, True)
    made = conventional[0]
    if made.exists() or made.is_symlink():
        raise UsageError(
            f"{display_path(made)} exists but codes another article; rename it to code '{article}' in a new fixture"
        )
    return Fixture(made, article, False)


def initials(article: str) -> str:
    """The initials of an article id's words, numbers (a date) left out: `cvr` of 2026-03-02-council-votes-raise."""
    return "".join(word[0] for word in re.findall(r"[a-z]+", article.lower())) or "e"


def _prefix(article: str, ids: list[str]) -> str:
    """The prefix the article's evidence ids share (`adr2` in `adr2-05`), else its words' initials (`kcs`)."""
    for evidence_id in ids:
        match = re.fullmatch(r"(.+)-\d+", evidence_id)
        if match:
            return match.group(1)
    return initials(article)


class NewIds:
    """New ids for an article's evidence (whose evidence has `ids`): its prefix and the next number (`adr2-11`),
    never one of `taken` (every other id of the corpus, and ids a database has held). Where the article has no
    evidence yet and its initials are another article's prefix already, the article's id is the prefix."""

    def __init__(self, article: str, ids: list[str], taken: Iterable[str] = ()) -> None:
        self.every = set(ids) | set(taken)
        others = self.every - set(ids)
        prefix = _prefix(article, ids)
        if not ids and any(other.startswith(f"{prefix}-") for other in others):
            prefix = article
        self.prefix = prefix
        pattern = re.compile(re.escape(prefix) + r"-(\d+)")
        self.number = max((int(m.group(1)) for i in self.every if (m := pattern.fullmatch(i))), default=0)

    def next(self) -> str:
        self.number += 1
        while f"{self.prefix}-{self.number:02d}" in self.every:
            self.number += 1
        made = f"{self.prefix}-{self.number:02d}"
        self.every.add(made)
        return made


def new_evidence_id(article: str, ids: list[str], taken: Iterable[str] = ()) -> str:
    """One new id for `article`'s evidence (`NewIds`)."""
    return NewIds(article, ids, taken).next()


def item_values(values: dict[str, Any]) -> dict[str, Any]:
    """A fixture item's fields in the order they are written, empty ones left out."""
    unknown = set(values) - set(FIXTURE_KEYS)
    if unknown:
        raise UsageError(f"not a field of a fixture item: {', '.join(sorted(unknown))}")
    return {key: _as_read(values[key]) for key in FIXTURE_KEYS if values.get(key) not in (None, "")}


class FixtureEdit:
    """The edits of one article's fixture in one change: items appended, changed and removed, in one splice each."""

    def __init__(self, change: CorpusChange, fixture: Fixture, published_on: date | None = None) -> None:
        self.fixture = fixture
        self.change = change
        self.published_on = published_on  # the article's date: what a fixture item without `said_on` says
        if fixture.exists:
            self.file = EditedFile.open(change, fixture.path)
        else:
            text = f"article: {render_value(fixture.article, flow=False)}\nevidence: []\n"
            change.read(fixture.path)
            document = read_yaml(fixture.path, text.encode())
            self.file = EditedFile(fixture.path, b"", Layout(False), Edit(text, display_path(fixture.path)), document)
            self.file.meant = _plain(document)
        self.root, self.sequence = _list_under(self.file, "evidence")
        meant = self.file.meant
        self.items: list[dict[str, Any]] = meant["evidence"]
        self.nodes: dict[str, tuple[int, yaml.MappingNode]] = {}
        assert self.sequence is not None
        for position, node in enumerate(self.sequence.value):
            found = Edit.value_of(node, "id")
            if isinstance(node, yaml.MappingNode) and found is not None:
                self.nodes[str(Edit.scalar(found[1]))] = (position, node)
        self.appended: list[dict[str, Any]] = []
        self.removed: set[str] = set()
        self._ids = [str(item.get("id")) for item in self.items if isinstance(item, dict)]
        self._id_set = set(self._ids)

    def ids(self) -> list[str]:
        """The ids of the fixture's items, those appended in this change included (not a copy: do not change it)."""
        return self._ids

    def has(self, evidence_id: str) -> bool:
        return evidence_id in self._id_set

    def item(self, evidence_id: str) -> dict[str, Any] | None:
        for item in self.items:
            if isinstance(item, dict) and str(item.get("id")) == evidence_id:
                return item
        return None

    def append(self, values: dict[str, Any]) -> None:
        item = item_values(values)
        evidence_id = str(item["id"])
        if self.has(evidence_id):
            raise UsageError(f"evidence id '{evidence_id}' is already in {display_path(self.fixture.path)}")
        self.appended.append(item)
        self._ids.append(evidence_id)
        self._id_set.add(evidence_id)

    def set(self, evidence_id: str, changes: dict[str, Any]) -> None:
        """Give an item new values for some of its fields (None: the field taken out); the rest stays as written."""
        if evidence_id not in self.nodes or evidence_id in self.removed:
            raise UsageError(f"no evidence '{evidence_id}' in {display_path(self.fixture.path)}")
        unknown = set(changes) - set(FIXTURE_KEYS)
        if unknown:
            raise UsageError(f"not a field of a fixture item: {', '.join(sorted(unknown))}")
        item = self.item(evidence_id)
        assert item is not None
        wanted = {k: (None if v in (None, "") else _as_read(v)) for k, v in changes.items()}
        wanted = {
            k: v for k, v in wanted.items() if not self._same(k, item.get(k), v) and not (v is None and k not in item)
        }
        if not wanted:
            return
        self.file.edit.set_values(self.nodes[evidence_id][1], wanted, FIXTURE_KEYS)
        for key, value in wanted.items():
            if value is None:
                item.pop(key, None)
            else:
                item[key] = value

    def _same(self, key: str, written: Any, value: Any) -> bool:
        """Whether a field's value says what the item says already: the same as read, an explicit `said_on` of the
        article's date where none is given, a time of day however written, text but for spacing at its ends."""
        if written == value:
            return True
        if key == "said_on" and value is None and self.published_on is not None:
            return str(written) == self.published_on.isoformat()
        if key == "said_at" and written is not None and value is not None:
            try:
                return time.fromisoformat(str(written)) == time.fromisoformat(str(value))
            except ValueError:
                return False
        if isinstance(written, str) and isinstance(value, str):
            return written.strip() == value.strip()
        return str(written) == str(value) if key == "said_on" and None not in (written, value) else False

    def remove(self, evidence_id: str) -> None:
        if evidence_id not in self.nodes or evidence_id in self.removed:
            raise UsageError(f"no evidence '{evidence_id}' in {display_path(self.fixture.path)}")
        position, _ = self.nodes[evidence_id]
        assert self.sequence is not None
        self.file.edit.remove(self.sequence, position, self.root, "evidence")
        self.removed.add(evidence_id)

    def stage(self) -> None:
        assert self.sequence is not None
        if self.appended:
            if self.removed and len(self.removed) == len(self.sequence.value):
                raise UsageError("removing every item and adding others in one change is not supported")
            self.file.edit.append_all(self.root, "evidence", self.appended)
        self.file.meant["evidence"] = [
            item for item in self.items if not (isinstance(item, dict) and str(item.get("id")) in self.removed)
        ] + self.appended
        self.change.put(self.fixture.path, self.file.result())


def _ids_in(corpus: Corpus) -> set[str]:
    return {e.id for e in corpus.evidence}


def add_evidence(
    seeds: Path, fixtures: Path, article: str, values: dict[str, Any], taken: Iterable[str] = (), store: Any = None
) -> str:
    """Append a piece of evidence to `article`'s fixture (made if missing), checked with the whole corpus before
    it is written; its id (new unless `values` has one, never one of `taken`: ids a database has held)."""
    with changing(seeds, fixtures, [fixtures]) as change:
        current = change.current()
        edit = FixtureEdit(change, fixture_of(fixtures, article), _published_on(seeds, article))
        evidence_id = values.get("id") or new_evidence_id(article, edit.ids(), _ids_in(current) | set(taken))
        if values.get("id") and evidence_id in _ids_in(current) and not edit.has(evidence_id):
            raise UsageError(f"evidence id '{evidence_id}' is taken by another article's evidence; choose another")
        edit.append({**values, "id": evidence_id})
        edit.stage()
        change.check(store)
        change.write()
    return str(evidence_id)


def edit_evidence(
    seeds: Path,
    fixtures: Path,
    article: str,
    evidence_id: str,
    changes: dict[str, Any],
    expected: dict[str, Any] | None = None,
    store: Any = None,
) -> None:
    """Give the item `evidence_id` of `article`'s fixture new values for the fields in `changes` (None: take the
    field out); every other field, comment and line stays as written. `expected`: the item as the editor
    loaded it; if the file holds another version now, the edit is refused (the other edit is kept)."""
    with changing(seeds, fixtures, [fixtures]) as change:
        edit = FixtureEdit(change, fixture_of(fixtures, article), _published_on(seeds, article))
        _unchanged_since(edit, evidence_id, expected)
        edit.set(evidence_id, changes)
        edit.stage()
        change.check(store)
        change.write()


def remove_evidence(
    seeds: Path,
    fixtures: Path,
    article: str,
    evidence_id: str,
    expected: dict[str, Any] | None = None,
    store: Any = None,
) -> None:
    """Take the item `evidence_id` out of `article`'s fixture (its own lines only), checked first."""
    with changing(seeds, fixtures, [fixtures]) as change:
        edit = FixtureEdit(change, fixture_of(fixtures, article), _published_on(seeds, article))
        _unchanged_since(edit, evidence_id, expected)
        edit.remove(evidence_id)
        edit.stage()
        change.check(store)
        change.write()


def _published_on(seeds: Path, article: str) -> date | None:
    """The article's date, as its index gives it (None: not listed; the check says so)."""
    from tracker.ingest.corpus import load_articles

    found = load_articles(seeds).articles.get(article)
    return found.published_on if found else None


def _unchanged_since(edit: FixtureEdit, evidence_id: str, expected: dict[str, Any] | None) -> None:
    if expected is None:
        return
    now = edit.item(evidence_id)
    if now is None:
        raise WriteRefused(
            f"evidence '{evidence_id}' is no longer in {display_path(edit.fixture.path)}: it was removed meanwhile"
        )
    if _plain(now) != _plain(expected):
        raise WriteRefused(
            f"evidence '{evidence_id}' changed in {display_path(edit.fixture.path)} since it was opened; "
            "nothing written (the other edit is kept): open it again"
        )


def problems_in(problems: list[Problem], path: Path) -> list[Problem]:
    """The problems located in one file."""
    shown = display_path(path)
    return [p for p in problems if p.path == shown]
