"""Coding an article: what a piece of evidence will do to its position before it is saved, and saving it into
the article's fixture, checked and ingested in one step, or not at all.

The terminal UI's coding screen (`tracker code`) is built on this; a script can code through it too:

    from tracker.coding import Coding, Draft
    from tracker.read.opening import Database

    coding = Coding(Path("seeds"), Path("fixtures"), "kremlin-constructive-spirit", Database("tracker.db"))
    draft = Draft(issue="donetsk", party="russia", stance="demands", quote="…", attribution="direct")
    print(coding.preview(draft))  # "Russia on Donetsk withdrawal: demands since 2026-01-23 → reaffirms → demands"
    evidence_id, done = coding.save(draft)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tracker.domain.catalog import Catalog
from tracker.domain.edtf import SAID_ON_FORMS
from tracker.domain.edtf import said_on as parse_said_on
from tracker.domain.errors import (
    AmbiguousMove,
    CorpusError,
    IllegalMove,
    Problem,
    StoreError,
    TrackerError,
    UsageError,
    display_path,
)
from tracker.domain.evidence import Article, Evidence
from tracker.domain.machines import IMPLIES, Move, Stance, choose_move, reached
from tracker.domain.words import words
from tracker.read.lookup import EvidenceDetail, show
from tracker.read.opening import Database

if TYPE_CHECKING:
    from tracker.ingest.suggest import Suggestion

# Ingest, corpus and suggestion modules load when an article is coded, not when the terminal UI starts.


def _date_or_text(value: str) -> date | str:
    """A date typed as one (written to YAML as a date); anything else as typed, for validation to locate."""
    try:
        return date.fromisoformat(value)
    except ValueError:
        return value


@dataclass
class Draft:
    """The form's values: a piece of evidence before it is saved (`id`: one the coder chose; empty: the next free)."""

    issue: str = ""
    party: str = ""
    stance: str = ""
    move: str = ""
    quote: str = ""
    occurrence: int | None = None
    attribution: str = ""
    speaker: str = ""
    said_on: str = ""
    mode: str = "asserted"
    condition: str = ""
    note: str = ""
    id: str = ""

    def values(self) -> dict[str, Any]:
        """As a fixture item's fields (empty ones left out)."""
        found: dict[str, Any] = {
            "id": self.id.strip() or None,
            "issue": self.issue.strip(),
            "party": self.party.strip() or None,
            "stance": self.stance or None,
            "move": self.move or None,
            "quote": self.quote,
            "occurrence": self.occurrence,
            "speaker": self.speaker.strip() or None,
            "attribution": self.attribution or None,
            "said_on": _date_or_text(self.said_on.strip()) or None,
            "mode": None if self.mode in ("", "asserted") else self.mode,
            "condition": self.condition.strip() or None,
            "note": self.note.strip() or None,
        }
        return {k: v for k, v in found.items() if v is not None}


@dataclass
class Coding:
    """An article's coding, without a screen: what the form says it will do, and saving it (tested headless)."""

    seeds: Path
    fixtures: Path
    article_id: str
    database: Database
    catalog: Catalog = field(init=False)
    article: Article = field(init=False)
    # Each item of the article's fixture as `evidence()` last loaded it (as written, and as checked): an edit is
    # written only over the item it was made from.
    _loaded: dict[str, tuple[dict[str, Any], Evidence]] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        from tracker.ingest.corpus import choose_catalog, load_articles

        loaded = load_articles(self.seeds)
        if self.article_id not in loaded.articles:
            raise UsageError(f"no article '{self.article_id}' in {display_path(self.seeds / 'articles.yaml')}")
        self.article = loaded.articles[self.article_id]
        self.catalog = choose_catalog(self.fixtures)

    def evidence(self) -> tuple[list[Evidence], list[Problem]]:
        """The article's evidence as the fixtures hold it now (with its places in the text), or the problems."""
        from tracker.domain.yamlfile import read_yaml
        from tracker.ingest.corpus import load_corpus

        try:
            corpus = load_corpus(self.seeds, self.fixtures)
        except CorpusError as exc:
            return [], list(exc.problems)
        listed = sorted((e for e in corpus.evidence if e.article == self.article_id), key=lambda e: e.start)
        written: dict[str, dict[str, Any]] = {}
        for path in {e.source_path for e in listed}:
            document = read_yaml(Path(path))
            for item in document.get("evidence") or []:
                written[str(item.get("id"))] = dict(item)
        self._loaded = {e.id: (written[e.id], e) for e in listed if e.id in written}
        return listed, []

    def suggestions(self) -> list[Suggestion]:
        from tracker.ingest.suggest import Suggester

        return Suggester(self.catalog).suggest(self.article.text)

    def preview(self, draft: Draft, editing: str | None = None) -> str:
        """The line under the form: what the evidence will do, and what is still missing before it can be saved."""
        line = self._move_line(draft, editing)
        if draft.issue.strip() and not draft.attribution and not line.startswith(("issue:", "party:")):
            line += " · choose an attribution before saving"
        return line

    def _move_line(self, draft: Draft, editing: str | None) -> str:
        """What the evidence would do to its position as the database holds it on the day it was said (evidence of
        one day is weighed together, so another piece of that day that moved the position is a reaffirmation).
        Editing a stored piece of evidence: what it would do from the stance held before it."""
        issue = self.catalog.resolve("issue", draft.issue) if draft.issue.strip() else None
        if issue is None:
            hint = self.catalog.suggestion("issue", draft.issue) if draft.issue.strip() else "give an issue"
            return f"issue: {hint}"
        if not draft.party.strip():
            return f"{self.catalog.issue(issue).title}: issue-level evidence, it names the issue and moves no position"
        party = self.catalog.resolve("party", draft.party)
        if party is None:
            return f"party: {self.catalog.suggestion('party', draft.party)}"
        who = f"{self.catalog.party(party).name} on {self.catalog.issue(issue).title}"
        if not draft.stance:
            return f"{who}: choose a stance"
        recap = draft.mode == "background"
        if draft.mode not in ("", "asserted") and not recap:
            return f"{who}: {draft.mode}, kept and shown; it moves nothing"
        try:
            said_on = parse_said_on(draft.said_on.strip()).end if draft.said_on.strip() else self.article.published_on
        except ValueError:
            return f"said on: {SAID_ON_FORMS}"
        held, since = self._held(issue, party, said_on)
        before = f"{words(held)} since {since}" if since else words(held)
        stored = self._before(editing, issue, party) if editing else None
        if stored is not None:
            held, before = stored, f"{words(stored)} before {editing}"
        if recap and (draft.stance == held or IMPLIES.get(Stance(held)) == draft.stance) and not draft.move:
            return f"{who}: {before} → a recap restating it: reaffirms → {words(held)}"
        try:
            move = choose_move(held, draft.stance, draft.move or None)
        except AmbiguousMove as exc:
            return f"{who}: {before} → {words(draft.stance)} by which move? {', '.join(exc.choices)}"
        except IllegalMove as exc:
            if recap:
                return f"{who}: {before} → a recap across the axis: kept and shown, a contradiction to check"
            allowed = "; ".join(f"{words(m)}: {', '.join(words(s) for s in to)}" for m, to in exc.allowed.items())
            return f"illegal: {who} {before} → {words(draft.stance)}; allowed: {allowed or 'none'}"
        result = f"{who}: {before} → {words(move)} → {words(reached(held, draft.stance, move))}"
        if recap and move is not Move.REAFFIRM:
            result += f" by {said_on} (a recap: held by then, its day unknown)"
        return result

    def _before(self, evidence_id: str, issue: str, party: str) -> str | None:
        """The stance a stored piece of evidence found its position in (None: not stored on that position)."""
        if self.database.is_empty():
            return None
        with self.database.reading() as reading:
            try:
                found = show(reading, evidence_id)
            except TrackerError:
                return None
        if not isinstance(found, EvidenceDetail) or (found.issue, found.party) != (issue, party):
            return None
        return found.stance_from

    def _held(self, issue: str, party: str, day: date) -> tuple[str, date | None]:
        if self.database.is_empty():
            return Stance.UNKNOWN.value, None
        with self.database.reading() as reading:
            if issue not in reading.catalog().issue_ids() or party not in reading.catalog().party_ids():
                return Stance.UNKNOWN.value, None
            found = reading.latest(day, [issue], [party]).get((issue, party))
        return (found.stance_to, found.since) if found else (Stance.UNKNOWN.value, None)

    def save(self, draft: Draft, editing: str | None = None) -> tuple[str, str]:
        """Write the draft into the fixture, checked with the whole corpus first (nothing is written on a problem:
        `CorpusError`, `WriteRefused`), then ingest it. The evidence's id, and what the ingest did in one line.

        Editing, only the fields the draft changes are written, and only if the item in the file is still the one
        `evidence()` loaded (an edit made meanwhile in an editor is kept; the save is refused)."""
        from tracker.ingest.authoring import add_evidence, edit_evidence

        values = draft.values()
        for kind in ("issue", "party"):  # a name or alias typed is written as the catalogue's id
            resolved = self.catalog.resolve(kind, values[kind]) if kind in values else None
            if resolved is not None:
                values[kind] = resolved
        store = None if self.database.is_empty() else self.database.store()
        if editing is None:
            evidence_id = add_evidence(
                self.seeds, self.fixtures, self.article_id, values, self._ids_held(), store=store
            )
        else:
            loaded = self._loaded.get(editing)
            changes = self._changes(values, loaded)
            edit_evidence(
                self.seeds,
                self.fixtures,
                self.article_id,
                editing,
                changes,
                expected=loaded[0] if loaded else None,
                store=store,
            )
            evidence_id = editing
        return evidence_id, self._ingest(f"saved {evidence_id}")

    def _changes(self, values: dict[str, Any], loaded: tuple[dict[str, Any], Evidence] | None) -> dict[str, Any]:
        """The fields of the form whose values differ from the item as loaded (None: the field taken out)."""
        from tracker.ingest.authoring import FIXTURE_KEYS

        form = [k for k in FIXTURE_KEYS if k not in ("id", "said_at")]  # the form shows no time of day; an id stays
        if loaded is None:
            return {key: values.get(key) for key in form}
        item, evidence = loaded
        changes: dict[str, Any] = {}
        for key in form:
            new = values.get(key)
            if key == "quote":
                if new == evidence.quote and values.get("occurrence") == item.get("occurrence"):
                    continue  # the quote as the article has it, unchanged: left as the coder typed it
            elif key == "said_on":
                if new == (item.get("said_on") or self.article.published_on):
                    continue
            elif key == "mode":
                if (new or "asserted") == (item.get("mode") or "asserted"):
                    continue
            elif key in ("issue", "party"):
                old = item.get(key)
                if new == old or (new is not None and new == getattr(evidence, key)):
                    continue
            elif new == item.get(key):
                continue
            changes[key] = new
        return changes

    def _ids_held(self) -> list[str]:
        """Every id the database has held for the article's evidence (removed ones too), and those of other
        articles that its new ids could be: never reused for other evidence."""
        if self.database.is_empty():
            return []
        from tracker.ingest.authoring import initials

        prefix = initials(self.article_id)
        with self.database.reading() as reading:
            rows = reading.rows(HELD_IDS, article=self.article_id, initials=f"{prefix}-%", own=f"{self.article_id}-%")
        return [row["id"] for row in rows]

    def remove(self, evidence_id: str) -> str:
        from tracker.ingest.authoring import remove_evidence

        loaded = self._loaded.get(evidence_id)
        store = None if self.database.is_empty() else self.database.store()
        remove_evidence(
            self.seeds, self.fixtures, self.article_id, evidence_id, expected=loaded[0] if loaded else None, store=store
        )
        return self._ingest(f"removed {evidence_id}")

    def _ingest(self, done: str) -> str:
        """Ingest the corpus as the fixtures now hold it (checked already). Should the database refuse (busy, say),
        the fixture keeps the save and the next ingest brings the database up to date."""
        from tracker.ingest.corpus import load_corpus
        from tracker.ingest.ingest import corpus_fill, run_ingest

        try:
            corpus = load_corpus(self.seeds, self.fixtures)
            summary = run_ingest(
                self.database.store(), corpus.catalog, corpus_fill(corpus), (str(self.seeds), str(self.fixtures))
            )
        except TrackerError as exc:
            raise StoreError(
                f"{done} in the fixture, but the database was not updated: {exc}; `tracker ingest` will bring it "
                "up to date"
            ) from None
        if not summary.changed:
            return f"{done}; nothing new to ingest"
        return f"{done} and ingested: {summary.positions_replayed} position(s) replayed"


# Every id the article's evidence has had in the database, whatever was later removed or edited.
HELD_IDS = (
    "SELECT DISTINCT e.id AS id FROM evidence e WHERE e.article = :article OR e.id LIKE :initials OR e.id LIKE :own"
)
