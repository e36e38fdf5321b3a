"""W3C Web Annotations into fixtures: what an annotation tool made, coded as evidence, every check applying.

An annotation names its article by its target's `source` (the article's
`url`, its `urn:negotiation-tracker:article:ID`, or its id), its quote by a
`TextQuoteSelector` (`exact`; a `TextPositionSelector` says which occurrence
when the quote occurs more than once) and its coding by the tracker's terms
in its body (`issue`, `party`, `stance`, `attribution`, ...; see
`tracker.read.annotations`). The file may be a JSON array of annotations, an
AnnotationCollection or AnnotationPage, one annotation, or JSON Lines.

Each annotation becomes an item of its article's fixture (replacing the item
of the same id). The fixtures are written to a scratch copy first and the
whole corpus is checked there; any problem is told at the annotation's line
in the file, and then nothing is written.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from dataclasses import dataclass
from datetime import date, time
from pathlib import Path
from typing import Any

from tracker.domain.catalog import Catalog
from tracker.domain.errors import CorpusError, Problem, display_path
from tracker.domain.evidence import ArticleMeta
from tracker.domain.files import FileRefused, read_regular_file
from tracker.ingest.authoring import FIXTURE_KEYS, _replace, add_evidence, edit_evidence, fixture_of, new_evidence_id
from tracker.ingest.corpus import load_articles, load_corpus

ARTICLE_URN = "urn:negotiation-tracker:article:"
EVIDENCE_URN = "urn:negotiation-tracker:evidence:"
MAX_BYTES = 64 * 1024 * 1024


@dataclass
class Annotated:
    line: int
    article: str
    item: dict[str, Any]


def _annotations(raw: str) -> list[Any]:
    """The annotations of a file, whatever the container."""
    text = raw.strip()
    if not text:
        return []
    try:
        document = json.loads(text)
    except json.JSONDecodeError:
        return [json.loads(line) for line in text.splitlines() if line.strip()]  # JSON Lines
    if isinstance(document, list):
        return document
    if isinstance(document, dict) and document.get("type") == "AnnotationCollection":
        first = document.get("first")
        return list(first.get("items", [])) if isinstance(first, dict) else []
    if isinstance(document, dict) and document.get("type") == "AnnotationPage":
        return list(document.get("items", []))
    return [document]


def _line_of(raw: str, annotation: Any, fallback: int) -> int:
    """The line where an annotation begins in the file: where its id is, else the annotation's place."""
    ident = annotation.get("id") if isinstance(annotation, dict) else None
    if isinstance(ident, str):
        found = re.search(r'"id"\s*:\s*' + re.escape(json.dumps(ident)), raw)
        if found:
            return raw.count("\n", 0, found.start()) + 1
    return fallback


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
    except (json.JSONDecodeError, RecursionError) as exc:
        return [], [Problem(where, 1, "file", f"not JSON, nor JSON Lines, of Web Annotations: {exc}")]
    by_url = {meta.url: article for article, meta in articles.items() if meta.url}
    annotated: list[Annotated] = []
    problems: list[Problem] = []
    for index, annotation in enumerate(found):
        line = _line_of(raw, annotation, 1)
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
        source = str(target.get("source", ""))
        article = body.get("article") or by_url.get(source) or source.removeprefix(ARTICLE_URN)
        if article not in articles:
            problems.append(Problem(where, line, "target.source", f"names no article of the seeds: '{source}'"))
            continue
        quote = _selector(target, "TextQuoteSelector")
        if quote is None or not isinstance(quote.get("exact"), str):
            problems.append(Problem(where, line, "target.selector", "needs a TextQuoteSelector with its exact quote"))
            continue
        item = {key: body.get(key) for key in FIXTURE_KEYS if key not in ("id", "quote") and body.get(key) is not None}
        # The tracker's own evidence id; another tool's annotation id (`urn:x:1`) is not one: a new id is given.
        own = str(annotation.get("id", ""))
        ident = body.get("evidence_id") or (own.removeprefix(EVIDENCE_URN) if own.startswith(EVIDENCE_URN) else None)
        item["id"] = ident if ident and re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._:\-]*", ident) else None
        item["quote"] = quote["exact"]
        position = _selector(target, "TextPositionSelector")
        if position is not None and isinstance(position.get("start"), int):
            text = texts[article]
            starts = [m.start() for m in re.finditer(re.escape(quote["exact"]), text)]
            if len(starts) > 1 and position["start"] in starts:
                item["occurrence"] = starts.index(position["start"]) + 1
        if item.get("mode") == "asserted":
            del item["mode"]
        if item.get("said_on") == articles[article].published_on.isoformat():
            del item["said_on"]  # the article's date: what a fixture leaves out
        annotated.append(Annotated(line, article, item))
    return annotated, problems


def import_annotations(path: Path, seeds: Path, fixtures: Path, catalog: Catalog | None = None) -> dict[str, list[str]]:
    """Code `path`'s annotations into `fixtures`: checked on a scratch copy first, then written. The evidence
    ids added and replaced; `CorpusError` (nothing written) with each refused annotation's located problem."""
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
    with tempfile.TemporaryDirectory(prefix="tracker-import-") as scratch:
        trial = Path(scratch) / "fixtures"
        shutil.copytree(fixtures, trial) if fixtures.exists() else trial.mkdir()
        lines: dict[str, int] = {}
        added: list[str] = []
        replaced: list[str] = []
        unchanged: list[str] = []
        held, held_catalog = _coded_now(seeds, fixtures, catalog)
        for entry in annotated:
            fixture = fixture_of(trial, entry.article)
            existing = _ids(fixture.path) if fixture.exists else []
            evidence_id = entry.item.get("id") or new_evidence_id(entry.article, existing)
            values = {**entry.item, "id": evidence_id}
            if evidence_id in held and held[evidence_id] == _coding(entry, metas, texts, held_catalog):
                unchanged.append(evidence_id)  # the fixture says the same: left as its coder wrote it
                continue
            if evidence_id in existing:
                edit_evidence(trial, entry.article, evidence_id, values)
                replaced.append(evidence_id)
            else:
                add_evidence(trial, entry.article, values)
                added.append(evidence_id)
            lines[evidence_id] = entry.line
        try:
            load_corpus(seeds, trial, catalog_file=None, stored_catalog=catalog)
        except CorpusError as exc:
            raise CorpusError([_located(problem, trial, where, lines) for problem in exc.problems]) from None
        fixtures.mkdir(parents=True, exist_ok=True)
        for written in sorted(trial.glob("*.y*ml")):
            original = fixtures / written.name
            if not original.exists() or original.read_bytes() != written.read_bytes():
                _replace(original, written.read_bytes())
    return {"added": added, "replaced": replaced, "unchanged": unchanged}


def _coded_now(
    seeds: Path, fixtures: Path, catalog: Catalog | None
) -> tuple[dict[str, tuple[Any, ...]], Catalog | None]:
    """What the fixtures code now, each piece of evidence as what it says, and their catalogue (nothing when
    they do not load: then every annotation is written)."""
    held: dict[str, tuple[Any, ...]] = {}
    if not fixtures.exists():
        return held, None
    try:
        corpus = load_corpus(seeds, fixtures, catalog_file=None, stored_catalog=catalog)
    except CorpusError:
        return held, None
    for e in corpus.evidence:
        held[e.id] = (
            e.article,
            e.issue,
            e.party,
            _value(e.stance),
            _value(e.move),
            _value(e.attribution),
            e.speaker,
            e.said_on,
            e.said_at,
            _value(e.mode),
            e.condition,
            e.note,
            e.start,
            e.end,
        )
    return held, corpus.catalog


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
        said_on = date.fromisoformat(str(item["said_on"])) if item.get("said_on") else metas[entry.article].published_on
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
        said_on,
        said_at,
        item.get("mode") or "asserted",
        item.get("condition"),
        item.get("note"),
        start,
        start + len(quote),
    )


def _ids(path: Path) -> list[str]:
    return re.findall(r"^\s*-\s*id:\s*['\"]?([^'\"\s#]+)", path.read_text(encoding="utf-8"), re.M)


def _located(problem: Problem, trial: Path, where: str, lines: dict[str, int]) -> Problem:
    """A problem found in a scratch fixture, told at the annotation that caused it (when it is one)."""
    if not problem.path.startswith(display_path(trial)) and str(trial) not in problem.path:
        return problem
    try:
        text = Path(problem.path).read_text(encoding="utf-8").splitlines()
    except OSError:
        return problem
    for number in range(min(problem.line, len(text)), 0, -1):
        found = re.match(r"^\s*-\s*id:\s*['\"]?([^'\"\s#]+)", text[number - 1])
        if found and found.group(1) in lines:
            return Problem(where, lines[found.group(1)], problem.field, problem.message)
    return problem
