"""The content hash: what an ingest compares to tell an edit from the same evidence again."""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import asdict, replace
from datetime import date, time

from tracker.domain.evidence import Attribution, Evidence, IssueKind, Mode
from tracker.domain.machines import Move, Stance
from tracker.ingest.corpus import bundled_corpus, load_corpus


def _defined_hash(evidence: Evidence) -> str:
    """The digest as defined: JSON of the coded content, keys sorted (what stored databases hold)."""
    fields = asdict(evidence)
    for left_out in ("source_path", "source_line", "stance_line", "prefix", "suffix"):
        del fields[left_out]
    fields["said_on"] = evidence.said_on.isoformat()
    for name in ("stance", "attribution", "mode", "move", "kind"):
        fields[name] = fields[name] and fields[name].value
    # Added later: in the digest only when set.
    for added in ("said_at", "move", "condition", "kind", "said_on_written"):
        if fields[added] is None:
            del fields[added]
    if "said_at" in fields:
        fields["said_at"] = evidence.said_at.isoformat()  # type: ignore[union-attr]
    return hashlib.sha256(json.dumps(fields, sort_keys=True).encode()).hexdigest()


def test_stored_digests_of_the_bundled_corpus_are_unchanged() -> None:
    evidence = {e.id: e for e in load_corpus(*bundled_corpus()).evidence}
    # Recorded from databases built by earlier versions: a change here would re-supersede every piece.
    assert evidence["adr1-01"].content_hash() == "c07e3cd0d2688bd741cac3cdf413243f446e297d8334ccb81342df3a94affb2c"
    assert evidence["adr1-02"].content_hash() == "2a0b5a7fcca9d2b1328650f63e01cf113338714cc5244d2cdb8b52305f9eb31a"
    for item in evidence.values():
        assert item.content_hash() == _defined_hash(item)


def test_the_digest_spelled_out_agrees_with_its_definition_on_any_text() -> None:
    rng = random.Random(3)
    alphabet = 'ab"\\/\n\t\x00\x1f\u00e9\u2019\u202e\U0001f600 '
    base = Evidence(
        id="e1",
        article="a1",
        issue="i",
        party="p",
        stance=Stance.DEMANDS,
        quote="q",
        start=0,
        end=1,
        prefix="",
        suffix="",
        speaker=None,
        attribution=Attribution.DIRECT,
        said_on=date(2026, 1, 2),
        mode=Mode.ASSERTED,
        note=None,
        source_path="/x",
        source_line=1,
        stance_line=1,
    )

    def text() -> str:
        return "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 10)))

    for _ in range(500):
        item = replace(
            base,
            quote=text() or "q",
            speaker=rng.choice([None, text()]),
            note=rng.choice([None, text()]),
            party=rng.choice([None, "p"]),
            stance=rng.choice([None, *Stance]),
            mode=rng.choice(list(Mode)),
            start=rng.randrange(10**6),
            said_at=rng.choice([None, time(rng.randrange(24), rng.randrange(60))]),
            move=rng.choice([None, *Move]),
            condition=rng.choice([None, text()]),
            kind=rng.choice([None, *IssueKind]),
            said_on_written=rng.choice([None, "2026-01", "../2026-01-02", text()]),
        )
        assert item.content_hash() == _defined_hash(item)
