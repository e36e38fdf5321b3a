"""Writing a corpus without hand-written YAML: adding an article, and adding, editing and removing evidence.

`articles.yaml` and each fixture are edited as a person keeps them: read and
written back with a round-trip YAML library (`ruamel.yaml`), so their comments,
key order and layout outside the edit stay as they were. A file is replaced
in one step (written beside it, then renamed over it), so an interrupted edit
leaves the old file. An article's text is copied byte for byte, and refused
for what an ingest would refuse.
"""

from __future__ import annotations

import io
import os
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from tracker.domain.errors import Problem, UsageError, display_path
from tracker.domain.evidence import REF_PATTERN, ArticleMeta
from tracker.ingest.corpus import ARTICLE_INDEX, CATALOG_FILE, MAX_ARTICLE_BYTES, text_problem

FIXTURE_KEYS = (  # the order an item's keys are written in, as in the bundled fixtures
    "id",
    "issue",
    "party",
    "stance",
    "move",
    "quote",
    "speaker",
    "attribution",
    "said_on",
    "said_at",
    "mode",
    "condition",
    "note",
)


def _yaml() -> Any:
    from ruamel.yaml import YAML

    yaml = YAML()  # round trip: comments, order and quoting kept
    yaml.width = 4096  # a quote stays on its line
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.preserve_quotes = True
    return yaml


def _load(path: Path) -> Any:
    try:
        return _yaml().load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"cannot read {display_path(path)}: {exc.strerror}") from None
    except Exception as exc:  # a YAML error: `tracker validate` names its line
        raise UsageError(
            f"{display_path(path)} is not YAML the tracker can edit ({exc}); run `tracker validate`"
        ) from None


def _replace(path: Path, text: str | bytes) -> None:
    """Write `path` in one step: beside it first, then renamed over it."""
    data = text.encode("utf-8") if isinstance(text, str) else text
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _dump(document: Any) -> str:
    out = io.StringIO()
    _yaml().dump(document, out)
    return out.getvalue()


def slug(title: str) -> str:
    """An article id made from its title: lower-case words joined by hyphens, at most 60 characters."""
    words = re.findall(r"[a-z0-9]+", title.lower())
    made = "-".join(words)[:60].rstrip("-")
    return made or "article"


def add_article(seeds: Path, text: bytes, meta: dict[str, Any]) -> ArticleMeta:
    """Copy an article's text into `seeds` and add its entry to `articles.yaml` (made if missing).

    `meta` holds `articles.yaml`'s fields but `file` (the text is written as `ID.txt`); the id is made from the
    title when not given. `UsageError` for anything an ingest would refuse, before anything is written.
    """
    article_id = meta.get("id") or slug(str(meta.get("title", "")))
    name = f"{article_id}.txt"
    try:
        entry = ArticleMeta.model_validate({**meta, "id": article_id, "file": name})
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"])
        raise UsageError(f"{field}: {first['msg']}") from None
    problem = text_problem(text, "the text")
    if problem is not None:
        raise UsageError(problem if len(text) <= MAX_ARTICLE_BYTES else f"{problem}; an ingest would refuse it")
    seeds.mkdir(parents=True, exist_ok=True)
    index = seeds / ARTICLE_INDEX
    document = _load(index) if index.exists() else None
    if document is None:
        from ruamel.yaml.comments import CommentedMap, CommentedSeq

        document = CommentedMap(articles=CommentedSeq())
    articles = document.get("articles")
    if articles is None:
        raise UsageError(f"{display_path(index)} has no 'articles' list to add to")
    taken = {str(a.get("id")) for a in articles if hasattr(a, "get")}
    if entry.id in taken:
        raise UsageError(f"article '{entry.id}' is already in {display_path(index)}; give another --id")
    if (seeds / name).exists():
        raise UsageError(f"{display_path(seeds / name)} exists already; give another --id")
    from ruamel.yaml.comments import CommentedMap

    written = CommentedMap()
    for key, value in entry.model_dump(exclude_none=True).items():
        written[key] = value.value if hasattr(value, "value") else value
    articles.append(written)
    (seeds / name).write_bytes(text)  # byte for byte
    try:
        _replace(index, _dump(document))
    except BaseException:
        (seeds / name).unlink(missing_ok=True)
        raise
    return entry


# -- fixtures ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fixture:
    """An article's fixture file, found or to be made."""

    path: Path
    article: str
    exists: bool


_ARTICLE_LINE = re.compile(r"^article:\s*['\"]?([^'\"\s#]+)", re.M)


def fixture_of(fixtures: Path, article: str) -> Fixture:
    """The fixture that codes `article` (whichever its file name), or the one to make: `ARTICLE.yaml`."""
    for path in sorted(fixtures.glob("*.y*ml")):
        if path.name == CATALOG_FILE or path.suffix not in (".yaml", ".yml"):
            continue
        try:
            head = path.read_text(encoding="utf-8", errors="replace")[:4096]
        except OSError:
            continue
        found = _ARTICLE_LINE.search(head)
        if found and found.group(1) == article:
            return Fixture(path, article, True)
    if not re.fullmatch(REF_PATTERN, article):
        raise UsageError(f"'{article}' is not an article id")
    return Fixture(fixtures / f"{article}.yaml", article, False)


def _prefix(article: str, ids: list[str]) -> str:
    """The prefix the article's evidence ids share (`adr2` in `adr2-05`), else its words' initials (`kcs`)."""
    for evidence_id in ids:
        match = re.fullmatch(r"(.+)-\d+", evidence_id)
        if match:
            return match.group(1)
    return "".join(word[0] for word in re.findall(r"[a-z0-9]+", article.lower())) or "e"


def new_evidence_id(article: str, ids: list[str]) -> str:
    """A stable id for a new piece of evidence of `article`: its prefix and the next number (`adr2-11`)."""
    prefix = _prefix(article, ids)
    numbers = [int(m.group(1)) for i in ids if (m := re.fullmatch(re.escape(prefix) + r"-(\d+)", i))]
    number = max(numbers, default=0) + 1
    made = f"{prefix}-{number:02d}"
    while made in ids:
        number += 1
        made = f"{prefix}-{number:02d}"
    return made


def _item(values: dict[str, Any]) -> Any:
    from ruamel.yaml.comments import CommentedMap

    item = CommentedMap()
    for key in FIXTURE_KEYS:
        value = values.get(key)
        if value is None or value == "":
            continue
        item[key] = value.isoformat() if isinstance(value, date) and key == "said_at" else value
    unknown = set(values) - set(FIXTURE_KEYS)
    if unknown:
        raise UsageError(f"not a field of a fixture item: {', '.join(sorted(unknown))}")
    return item


def _items(fixture: Fixture) -> tuple[Any, Any]:
    """The fixture's document and its evidence list (made empty for a new fixture)."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    if not fixture.exists:
        return CommentedMap(article=fixture.article, evidence=CommentedSeq()), None
    document = _load(fixture.path)
    evidence = document.get("evidence") if hasattr(document, "get") else None
    if evidence is None:
        evidence = CommentedSeq()
        document["evidence"] = evidence
    return document, evidence


def add_evidence(
    fixtures: Path, article: str, values: dict[str, Any], taken: Iterable[str] = ()
) -> tuple[str, bytes | None]:
    """Append a piece of evidence to `article`'s fixture (made if missing), with a new id unless `values` has one.
    A new id is never one of `taken` either (ids a database has held, so that a removed id is not reused for
    other evidence).

    The id, and the fixture's bytes before the edit (None: it is new), so that a caller can put it back.
    """
    fixture = fixture_of(fixtures, article)
    before = fixture.path.read_bytes() if fixture.exists else None
    document, evidence = _items(fixture)
    if evidence is None:
        evidence = document["evidence"]
    ids = [str(item.get("id")) for item in evidence if hasattr(item, "get")]
    evidence_id = values.get("id") or new_evidence_id(article, ids + [t for t in taken if t not in ids])
    if evidence_id in ids:
        raise UsageError(f"evidence id '{evidence_id}' is already in {display_path(fixture.path)}")
    evidence.append(_item({**values, "id": evidence_id}))
    fixtures.mkdir(parents=True, exist_ok=True)
    _replace(fixture.path, _dump(document))
    return evidence_id, before


def edit_evidence(fixtures: Path, article: str, evidence_id: str, values: dict[str, Any]) -> bytes:
    """Replace the item `evidence_id` of `article`'s fixture with `values` (its place in the list kept); the
    fixture's bytes before."""
    return _change_item(fixtures, article, evidence_id, _item({**values, "id": evidence_id}))


def remove_evidence(fixtures: Path, article: str, evidence_id: str) -> bytes:
    """Take the item `evidence_id` out of `article`'s fixture; the fixture's bytes before."""
    return _change_item(fixtures, article, evidence_id, None)


def _change_item(fixtures: Path, article: str, evidence_id: str, replacement: Any | None) -> bytes:
    """Put `replacement` in the place of the item `evidence_id` (None: take it out); the fixture's bytes before."""
    fixture = fixture_of(fixtures, article)
    if not fixture.exists:
        raise UsageError(f"article '{article}' has no fixture in {display_path(fixtures)}")
    before = fixture.path.read_bytes()
    document, evidence = _items(fixture)
    for index, item in enumerate(evidence):
        if hasattr(item, "get") and str(item.get("id")) == evidence_id:
            if replacement is None:
                del evidence[index]
            else:
                evidence[index] = replacement
            _replace(fixture.path, _dump(document))
            return before
    raise UsageError(f"no evidence '{evidence_id}' in {display_path(fixture.path)}")


def restore(fixtures: Path, article: str, before: bytes | None) -> None:
    """Put an article's fixture back as it was (`before`: its bytes; None: it did not exist)."""
    fixture = fixture_of(fixtures, article)
    if before is None:
        fixture.path.unlink(missing_ok=True)
    else:
        _replace(fixture.path, before)


def problems_in(problems: list[Problem], path: Path) -> list[Problem]:
    """The problems located in one file."""
    shown = display_path(path)
    return [p for p in problems if p.path == shown]
