"""The projection's evidence is built once per process, keyed by the digest of its text (`BuiltEvidence`): a read
that finds every digest built reads no text, a text an ingest rewrote is built anew, and what answers share
cannot be changed through one of them."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from pydantic import ValidationError

from tests.conftest import Run
from tracker.read.opening import Database
from tracker.read.reading import BuiltEvidence, built_evidence
from tracker.read.state import state
from tracker.store.projection import digest

PIECE = json.dumps(
    [
        ["e1", "a1", "Talks", "2030-05-01", None, None, "a quote", "Ann", "direct", "asserted", "supports"]
        + [None] * 4
        + [0, 7, None]
    ]
)
OTHER = PIECE.replace("a quote", "another quote")


def test_texts_are_read_only_for_digests_not_built_yet() -> None:
    built = BuiltEvidence()
    reads: list[int] = []

    def texts() -> dict[str, str]:
        reads.append(1)
        return {digest(PIECE): PIECE, digest(OTHER): OTHER}

    first = built([digest(PIECE), digest(PIECE)], texts)
    assert [[ref.quote for ref in refs] for refs in first] == [["a quote"], ["a quote"]]
    assert first[0] is not first[1], "each answer gets lists of its own"
    again = built([digest(PIECE)], texts)
    assert len(reads) == 1, "a digest built before is not read again"
    assert again[0][0] is first[0][0]
    assert [ref.quote for ref in built([digest(OTHER)], texts)[0]] == ["another quote"]
    assert len(reads) == 2


def test_at_most_kept_texts_are_kept() -> None:
    built = BuiltEvidence()
    built.KEPT = 2
    pieces = [PIECE.replace("a quote", f"quote {n}") for n in range(3)]
    text_of = {digest(text): text for text in pieces}
    for text in pieces:
        built([digest(text)], lambda: text_of)
    assert len(built._built) <= 2
    assert [ref.quote for ref in built([digest(pieces[0])], lambda: text_of)[0]] == ["quote 0"]


def test_shared_evidence_cannot_be_assigned_to() -> None:
    [[ref]] = BuiltEvidence()([digest(PIECE)], lambda: {digest(PIECE): PIECE})
    with pytest.raises(ValidationError):
        ref.quote = "changed"  # type: ignore[misc]


def test_a_state_read_again_after_a_retitling_shows_the_new_title(
    run: Run, seeded_db: str, corpus: tuple[Path, Path]
) -> None:
    """In one process: the state read, an article retitled and ingested (no position moves, but every projected
    text quoting it is rewritten), the state read again from the projection shows the new title; a third read
    builds nothing new."""
    database = Database(seeded_db)

    def titles() -> set[str]:
        with database.reading() as reading:
            report = state(reading, reading.newest_date() or date.max)
        return {ref.article_title for position in report.positions for ref in position.evidence}

    assert any(title.startswith("Kremlin says first") for title in titles())
    seeds, fixtures = corpus
    articles = seeds / "articles.yaml"
    articles.write_text(
        articles.read_text(encoding="utf-8").replace("Kremlin says first", "Kremlin says at last"), encoding="utf-8"
    )
    result = run("--db", seeded_db, "ingest", "--seeds", str(seeds), "--fixtures", str(fixtures))
    assert result.exit_code == 0, result.stderr
    shown = titles()
    assert any(title.startswith("Kremlin says at last") for title in shown)
    assert not any(title.startswith("Kremlin says first") for title in shown)
    kept = set(built_evidence._built)
    titles()
    assert set(built_evidence._built) == kept
