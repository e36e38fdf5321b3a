"""The evidence held, as W3C Web Annotations (JSON-LD): what an annotation tool reads, and writes back.

Each piece of evidence is one annotation. Its target is the article (its
`url`, or `urn:negotiation-tracker:article:ID`) with a `TextQuoteSelector`
(the exact quote and the words before and after it) and a
`TextPositionSelector` (its characters); its body is a classifying
`TextualBody` saying the stance in words, with the issue, party, stance and
the rest of the coding as terms of the tracker's own vocabulary
(`urn:negotiation-tracker:`), so that `tracker import --format w3c` reads
them back into fixtures.
"""

from __future__ import annotations

from typing import Any

from tracker.domain.words import words
from tracker.read.held import held
from tracker.read.reading import Reading

VOCABULARY = "urn:negotiation-tracker:"
ARTICLE_URN = f"{VOCABULARY}article:"
EVIDENCE_URN = f"{VOCABULARY}evidence:"
TERMS = (
    "evidence_id",
    "article",
    "issue",
    "party",
    "stance",
    "move",
    "attribution",
    "speaker",
    "said_on",
    "said_on_end",
    "said_at",
    "mode",
    "kind",
    "condition",
    "note",
)
CONTEXT: list[Any] = [
    "http://www.w3.org/ns/anno.jsonld",
    {"nt": VOCABULARY, **{term: f"nt:{term}" for term in TERMS}},
]
HELD_EVIDENCE = (
    "SELECT e.id AS id, e.article AS article, a.url AS url, a.published_on AS published_on, e.issue AS issue, "
    "e.party AS party, e.stance AS stance, e.move AS move, e.quote AS quote, e.prefix AS prefix, e.suffix AS suffix, "
    'e.start AS start, e."end" AS "end", e.attribution AS attribution, e.speaker AS speaker, e.said_on AS said_on, '
    "e.said_on_written AS said_on_written, e.said_at AS said_at, e.mode AS mode, e.kind AS kind, "
    "e.condition AS condition, e.note AS note, e.recorded_at AS recorded_at "
    f"FROM evidence e LEFT JOIN article a ON a.id = e.article AND {held('a')} WHERE {held('e')} "
    "AND e.issue IN :issues ORDER BY e.article, e.start, e.id"
)


def annotation(row: dict[str, Any]) -> dict[str, Any]:
    """One piece of evidence as a Web Annotation."""
    coding: dict[str, Any] = {
        "evidence_id": row["id"],
        "article": row["article"],
        "issue": row["issue"],
        "party": row["party"],
        "stance": row["stance"],
        "move": row["move"],
        "attribution": row["attribution"],
        "speaker": row["speaker"],
        # As written (EDTF: a month, an interval, uncertain...), and the last day of its span where that differs.
        "said_on": row["said_on_written"] or row["said_on"].isoformat(),
        **({"said_on_end": row["said_on"].isoformat()} if row["said_on_written"] is not None else {}),
        "said_at": row["said_at"].isoformat() if row["said_at"] else None,
        "mode": row["mode"],
        "kind": row["kind"],  # issue-level evidence's; none: a sticking point (the default) or a party's
        "condition": row["condition"],
        "note": row["note"],
    }
    said = f"{row['party']} {words(row['stance'])}" if row["party"] else "names the issue"
    return {
        "id": f"{EVIDENCE_URN}{row['id']}",
        "type": "Annotation",
        "motivation": "classifying",
        "created": row["recorded_at"].isoformat().replace("+00:00", "Z"),
        "body": {
            "type": "TextualBody",
            "purpose": "classifying",
            "format": "text/plain",
            "value": f"{said}: {row['issue']}",
            **{k: v for k, v in coding.items() if v is not None},
        },
        "target": {
            "source": row["url"] or f"{ARTICLE_URN}{row['article']}",
            "selector": [
                {"type": "TextQuoteSelector", "exact": row["quote"], "prefix": row["prefix"], "suffix": row["suffix"]},
                {"type": "TextPositionSelector", "start": row["start"], "end": row["end"]},
            ],
        },
    }


def evidence_annotations(
    reading: Reading, issues: list[str] | None = None, parties: list[str] | None = None
) -> list[Any]:
    """Every piece of evidence held (of the issues and parties chosen), article by article, in text order."""
    issue_ids, party_ids = reading.selection(issues, parties)
    rows = reading.rows(HELD_EVIDENCE, issues=issue_ids)
    chosen = set(party_ids)
    return [annotation(row) for row in rows if row["party"] is None or row["party"] in chosen]


def collection(items: list[Any]) -> dict[str, Any]:
    """The annotations as one JSON-LD document (an AnnotationCollection of one page)."""
    return {
        "@context": CONTEXT,
        "type": "AnnotationCollection",
        "label": "Evidence of the negotiation tracker",
        "total": len(items),
        "first": {"type": "AnnotationPage", "items": items},
    }
