"""W3C Web Annotations into fixtures: what an annotation tool made, coded as evidence, every check applying.

An annotation names its article by its target's `source` (the article's
`url`, its `urn:negotiation-tracker:article:ID`, or its id), its quote by a
`TextQuoteSelector` (`exact`; a `TextPositionSelector` says which occurrence
when the quote occurs more than once) and its coding by the tracker's terms
in its body (`issue`, `party`, `stance`, `attribution`, ...; see
`tracker.read.annotations`). The file may be a JSON array of annotations, an
AnnotationCollection or AnnotationPage, one annotation, or JSON Lines.

Each annotation becomes an item of its article's fixture (replacing the item
of the same id, only in the fields it changes). The import is one change of
the corpus (`tracker.ingest.authoring`): the whole corpus is checked with the
fixtures as they would be written, any problem is told at the annotation's
line in the file, and then nothing is written.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import time
from pathlib import Path
from typing import Any

from tracker.domain.catalog import Catalog
from tracker.domain.edtf import SaidOn
from tracker.domain.edtf import said_on as parse_said_on
from tracker.domain.errors import CorpusError, Problem, display_path
from tracker.domain.evidence import ArticleMeta
from tracker.domain.files import FileRefused, read_regular_file
from tracker.ingest.authoring import (
    FIXTURE_KEYS,
    CorpusChange,
    Fixture,
    FixtureEdit,
    NewIds,
    _make_folder,
    changing,
    fixture_of,
)
from tracker.ingest.corpus import Corpus, load_articles

ARTICLE_URN = "urn:negotiation-tracker:article:"
EVIDENCE_URN = "urn:negotiation-tracker:evidence:"
MAX_BYTES = 64 * 1024 * 1024


@dataclass
class Annotated:
    line: int
    article: str
    item: dict[str, Any]


class _Unreadable(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line


def _annotations(raw: str) -> list[tuple[int, Any]]:
    """The annotations of a file, whatever the container, each with the line it begins at."""
    text = raw.strip()
    if not text:
        return []
    try:
        document = json.loads(raw)
    except ValueError as whole:  # (a number of thousands of digits is refused by the reader, not a traceback)
        found = []
        for number, line in enumerate(raw.splitlines(), start=1):  # JSON Lines: one annotation a line
            if not line.strip():
                continue
            try:
                found.append((number, json.loads(line)))
            except ValueError as exc:
                if number == 1 and raw.lstrip().startswith(("[", "{")) and "\n" in raw.strip():
                    line_no = getattr(whole, "lineno", 1)
                    raise _Unreadable(line_no, f"not JSON, nor JSON Lines, of Web Annotations: {whole}") from None
                raise _Unreadable(number, f"not JSON (JSON Lines: one annotation a line): {exc}") from None
        return found
    lines = _id_lines(raw)
    if isinstance(document, dict) and document.get("type") == "AnnotationCollection":
        first = document.get("first")
        if not isinstance(first, dict):
            raise _Unreadable(1, "an AnnotationCollection whose 'first' page is not in the file: give the page itself")
        document = first
    if isinstance(document, dict) and document.get("type") == "AnnotationPage":
        document = document.get("items")
        if not isinstance(document, list):
            raise _Unreadable(1, "an AnnotationPage's 'items' must be a list of annotations")
    items = document if isinstance(document, list) else [document]
    return [(_line_of(lines, annotation), annotation) for annotation in items]


def _id_lines(raw: str) -> dict[str, list[int]]:
    """The lines of each `"id": "..."` in the file, in order, found in one pass."""
    lines: dict[str, list[int]] = {}
    line, at = 1, 0
    for found in re.finditer(r'"id"\s*:\s*("(?:[^"\\]|\\.)*")', raw):
        line += raw.count("\n", at, found.start())
        at = found.start()
        lines.setdefault(found.group(1), []).append(line)
    return lines


def _line_of(lines: dict[str, list[int]], annotation: Any) -> int:
    """The line where an annotation begins in the file: where its id is (the next place it is, for an id given
    twice), else 1."""
    ident = annotation.get("id") if isinstance(annotation, dict) else None
    if isinstance(ident, str):
        for spelled in (json.dumps(ident), json.dumps(ident, ensure_ascii=False)):
            places = lines.get(spelled)
            if places:
                return places.pop(0) if len(places) > 1 else places[0]
    return 1


def _selector(target: dict[str, Any], kind: str) -> dict[str, Any] | None:
    selectors = target.get("selector")
    for selector in selectors if isinstance(selectors, list) else [selectors]:
        if isinstance(selector, dict) and selector.get("type") == kind:
            return selector
    return None


def read_annotations(
    path: Path, articles: dict[str, ArticleMeta], texts: dict[str, str]
) -> tuple[list[Annotated], list[Problem]]:
    """The annotations of `path` as fixture items by article; a located problem for each refused."""
    where = display_path(path)
    try:
        raw = read_regular_file(path, MAX_BYTES).decode("utf-8")
    except FileRefused as exc:
        return [], [Problem(where, 1, "file", exc.about("file"))]
    except UnicodeDecodeError as exc:
        return [], [Problem(where, 1, "file", f"not UTF-8 (bad byte at offset {exc.start})")]
    try:
        found = _annotations(raw)
    except _Unreadable as exc:
        return [], [Problem(where, exc.line, "file", str(exc))]
    except RecursionError:
        return [], [Problem(where, 1, "file", "not JSON of Web Annotations: nested too deep")]
    by_url = {meta.url: article for article, meta in articles.items() if meta.url}
    annotated: list[Annotated] = []
    problems: list[Problem] = []
    for index, (line, annotation) in enumerate(found):
        if not isinstance(annotation, dict):
            problems.append(Problem(where, line, f"annotation[{index}]", "is not a Web Annotation (a JSON object)"))
            continue
        body = annotation.get("body")
        body = next((b for b in body if isinstance(b, dict) and "issue" in b), None) if isinstance(body, list) else body
        target = annotation.get("target")
        if isinstance(target, list):
            target = target[0] if target else None
        if not isinstance(body, dict) or not isinstance(target, dict):
            problems.append(Problem(where, line, "body", "needs a body with the coding and a target with a selector"))
            continue
        source = target.get("source", "")
        named = body.get("article")
        if not isinstance(source, str) or (named is not None and not isinstance(named, str)):
            field_name = "body.article" if named is not None and not isinstance(named, str) else "target.source"
            problems.append(Problem(where, line, field_name, "must be text: the article's id or URL"))
            continue
        article = named or by_url.get(source) or source.removeprefix(ARTICLE_URN)
        if article not in articles:
            problems.append(Problem(where, line, "target.source", f"names no article of the seeds: '{source}'"))
            continue
        quote = _selector(target, "TextQuoteSelector")
        if quote is None or not isinstance(quote.get("exact"), str):
            problems.append(Problem(where, line, "target.selector", "needs a TextQuoteSelector with its exact quote"))
            continue
        item = {key: body.get(key) for key in FIXTURE_KEYS if key not in ("id", "quote") and body.get(key) is not None}
        wrong = [key for key, value in item.items() if not isinstance(value, (str, int)) or isinstance(value, bool)]
        if wrong:
            problems.append(Problem(where, line, f"body.{wrong[0]}", "must be a single value (text)"))
            continue
        # The tracker's own evidence id; another tool's annotation id (`urn:x:1`) is not one: a new id is given.
        own = annotation.get("id", "")
        ident = body.get("evidence_id")
        if ident is not None and not isinstance(ident, str):
            problems.append(Problem(where, line, "body.evidence_id", "must be text: the evidence's id"))
            continue
        if ident is None and isinstance(own, str) and own.startswith(EVIDENCE_URN):
            ident = own.removeprefix(EVIDENCE_URN)
        item["id"] = ident if ident and re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._:\-]*", ident) else None
        item["quote"] = quote["exact"]
        position = _selector(target, "TextPositionSelector")
        start = position.get("start") if position is not None else None
        if isinstance(start, int) and not isinstance(start, bool) and 0 <= start <= len(texts[article]):
            text = texts[article]
            starts = [m.start() for m in re.finditer(re.escape(quote["exact"]), text)] if quote["exact"] else []
            if len(starts) > 1 and start in starts:
                item["occurrence"] = starts.index(start) + 1
        if item.get("mode") == "asserted":
            del item["mode"]
        if item.get("said_on") == articles[article].published_on.isoformat():
            del item["said_on"]  # the article's date: what a fixture leaves out
        annotated.append(Annotated(line, article, item))
    seen: dict[str, int] = {}
    for entry in annotated:
        ident = entry.item.get("id")
        if ident is None:
            continue
        if ident in seen:
            problems.append(
                Problem(where, entry.line, "id", f"evidence '{ident}' is annotated twice (first at line {seen[ident]})")
            )
        seen.setdefault(ident, entry.line)
    return annotated, problems


def import_annotations(
    path: Path, seeds: Path, fixtures: Path, catalog: Catalog | None = None, taken: Iterable[str] = ()
) -> dict[str, list[str]]:
    """Code `path`'s annotations into `fixtures`, as one change of the corpus (`tracker.ingest.authoring`): every
    fixture edited in place, the whole corpus checked as an ingest would check it, then every fixture written, or
    none. The evidence ids added, replaced and left as they were; `CorpusError` (nothing written) with each
    refused annotation's located problem. `taken`: ids a database has held, never given to new evidence."""
    loaded = load_articles(seeds)
    if loaded.problems:
        raise CorpusError(loaded.problems)
    texts = {article.id: article.text for article in loaded.articles.values()}
    metas = {
        article.id: ArticleMeta(**article.model_dump(include=set(ArticleMeta.model_fields)))
        for article in loaded.articles.values()
    }
    annotated, problems = read_annotations(path, metas, texts)
    if problems:
        raise CorpusError(problems)
    where = display_path(path)
    _make_folder(fixtures)
    with changing(seeds, fixtures, [fixtures], catalog) as change:
        corpus = _current_corpus(change)
        held = {e.id: _stored_coding(e) for e in corpus.evidence}
        article_of = {e.id: e.article for e in corpus.evidence}
        fixture_paths = {e.article: Path(e.source_path) for e in corpus.evidence}
        every_id = set(held) | set(taken) | {str(e.item["id"]) for e in annotated if e.item.get("id")}
        edits: dict[str, FixtureEdit] = {}
        new_ids: dict[str, NewIds] = {}
        lines: dict[str, int] = {}
        added: list[str] = []
        replaced: list[str] = []
        unchanged: list[str] = []
        for entry in annotated:
            edit = edits.get(entry.article)
            if edit is None:
                known = fixture_paths.get(entry.article)
                fixture = Fixture(known, entry.article, True) if known else fixture_of(fixtures, entry.article)
                edit = edits[entry.article] = FixtureEdit(change, fixture, metas[entry.article].published_on)
            evidence_id = entry.item.get("id")
            if not evidence_id:
                if entry.article not in new_ids:
                    new_ids[entry.article] = NewIds(entry.article, edit.ids(), every_id)
                evidence_id = new_ids[entry.article].next()
            values = {**entry.item, "id": evidence_id}
            if evidence_id in article_of and article_of[evidence_id] != entry.article:
                problems.append(
                    Problem(
                        where,
                        entry.line,
                        "id",
                        f"evidence '{evidence_id}' codes article '{article_of[evidence_id]}', not "
                        f"'{entry.article}': give this annotation another id",
                    )
                )
                continue
            if evidence_id in held and held[evidence_id] == _coding(entry, metas, texts, corpus.catalog):
                unchanged.append(evidence_id)  # the fixture says the same: left as its coder wrote it
                continue
            lines[evidence_id] = entry.line
            every_id.add(evidence_id)
            if edit.has(evidence_id):
                current = edit.item(evidence_id) or {}
                edit.set(
                    evidence_id, {k: values.get(k) for k in FIXTURE_KEYS if k != "id" and (k in values or k in current)}
                )
                replaced.append(evidence_id)
            else:
                edit.append(values)
                added.append(evidence_id)
        if problems:
            raise CorpusError(problems)
        for edit in edits.values():
            if edit.appended or edit.removed or edit.file.edit.splices:
                edit.stage()
        try:
            change.check(None)
        except CorpusError as exc:
            raise CorpusError([_located(problem, change, where, lines) for problem in exc.problems]) from None
        change.write()
    return {"added": added, "replaced": replaced, "unchanged": unchanged}


def _current_corpus(change: CorpusChange) -> Corpus:
    """The corpus as its fixtures code it now: what the annotations are compared with (its problems first)."""
    try:
        return change.current()
    except CorpusError as exc:
        told = Problem(display_path(change.fixtures), 0, "file", "the corpus has problems: fix them, then import")
        raise CorpusError([*exc.problems, told]) from None


def _stored_coding(e: Any) -> tuple[Any, ...]:
    return (
        e.article,
        e.issue,
        e.party,
        _value(e.stance),
        _value(e.move),
        _value(e.attribution),
        e.speaker,
        e.said_on,
        e.said_on_written,
        e.said_at,
        _value(e.mode),
        _value(e.kind),
        e.condition,
        e.note,
        e.start,
        e.end,
    )


def _value(value: Any) -> Any:
    return getattr(value, "value", value)


def _coding(
    entry: Annotated, metas: dict[str, ArticleMeta], texts: dict[str, str], catalog: Catalog | None
) -> tuple[Any, ...] | None:
    """What an annotation codes, in the terms of `_coded_now` (None: it cannot be told without the full checks)."""
    item = entry.item
    text = texts[entry.article]
    quote = str(item["quote"])
    places = [m.start() for m in re.finditer(re.escape(quote), text)]
    occurrence = int(item.get("occurrence") or 1)
    if catalog is None or not 0 < occurrence <= len(places):
        return None
    try:
        said = parse_said_on(item["said_on"]) if item.get("said_on") else SaidOn(metas[entry.article].published_on)
        said_at = time.fromisoformat(str(item["said_at"])) if item.get("said_at") else None
    except ValueError:
        return None
    party = catalog.resolve("party", str(item["party"])) if item.get("party") else None
    start = places[occurrence - 1]
    return (
        entry.article,
        catalog.resolve("issue", str(item.get("issue", ""))),
        party,
        item.get("stance"),
        item.get("move"),
        item.get("attribution"),
        item.get("speaker"),
        said.end,
        said.written,
        said_at,
        item.get("mode") or "asserted",
        None if item.get("kind") in (None, "sticking_point") else item.get("kind"),
        item.get("condition"),
        item.get("note"),
        start,
        start + len(quote),
    )


def _located(problem: Problem, change: CorpusChange, where: str, lines: dict[str, int]) -> Problem:
    """A problem found in a fixture as the import would write it, told at the annotation that caused it: the one
    whose item it is in, or the one it names (a move refused later because of it)."""
    for ident, line in lines.items():
        if f"'{ident}'" in problem.message:
            return Problem(where, line, problem.field, f"{problem.message} [{problem.path}:{problem.line}]")
    for path, data in change.after.items():
        if problem.path != display_path(path):
            continue
        text = data.decode("utf-8", "replace").splitlines()
        for number in range(min(problem.line, len(text)), 0, -1):
            found = re.match(r"^\s*-?\s*id:\s*['\"]?([^'\"\s#,}]+)", text[number - 1])
            if found and found.group(1) in lines:
                return Problem(where, lines[found.group(1)], problem.field, problem.message)
    return problem
