"""What the tracker knows: articles and the evidence coded from them.

Plain pydantic models validate everything a person types (fixtures, article
metadata) before anything is stored; the grounded `Evidence` is what the rest
of the tracker works with. Table models live in `tracker.store.database` and are never
used to validate input.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, time
from enum import StrEnum
from json.encoder import encode_basestring_ascii as _encode_string
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from tracker.domain.edtf import SAID_ON_FORMS, SaidOn
from tracker.domain.edtf import said_on as parse_said_on
from tracker.domain.machines import Move, Stance

# `said_on` as a fixture or a feed gives it: an EDTF date (levels 0 and 1) to the end of its span, kept as written.
SaidOnValue = Annotated[
    SaidOn,
    PlainValidator(parse_said_on),
    PlainSerializer(lambda value: value.shown, return_type=str),
    WithJsonSchema(
        {
            "type": "string",
            "description": f"An EDTF date (levels 0 and 1): {SAID_ON_FORMS}",
            "examples": ["2026-02-17", "2026-02", "2026-02-17/2026-02-18", "../2026-02-18", "2026-02-17?", "2026-02~"],
        }
    ),
]

REF_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:\-]*$"


class Attribution(StrEnum):
    DIRECT = "direct"  # the party's own statement, quoted or paraphrased
    REPORTED = "reported"  # another party or source claims it of the party
    ANALYSIS = "analysis"  # the outlet's own characterisation


class Mode(StrEnum):
    """PLOVER's auxiliary modes, and background; only asserted evidence moves a position."""

    ASSERTED = "asserted"
    HYPOTHETICAL = "hypothetical"
    FUTURE = "future"
    NEGATED = "negated"
    # A restatement of a stance held before the article ("Kyiv has long refused..."): it supports the stance
    # held when it matches it, never moves a position, and is a contradiction to check when it does not match.
    BACKGROUND = "background"


class IssueKind(StrEnum):
    """What issue-level evidence (no party) says of its issue; every kind puts the issue on the agenda."""

    STICKING_POINT = "sticking_point"  # the issue divides the sides (the default): an agreed issue is in play again
    PROGRESS = "progress"  # the gap narrowed
    IMPLEMENTED = "implemented"  # what was agreed is carried out
    PARTLY_IMPLEMENTED = "partly_implemented"  # what was agreed is being carried out, in part


class DateBasis(StrEnum):
    STATED = "stated"  # the text carries its date
    INFERRED = "inferred"  # worked out from the content; `date_evidence` says how


class ArticleMeta(BaseModel):
    """One entry of a corpus's `articles.yaml`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=REF_PATTERN, max_length=120, description="Article id used by fixtures")
    file: str = Field(min_length=1, max_length=255, description="Text file, relative to the seeds folder")
    title: str = Field(min_length=1, max_length=300)
    outlet: str | None = Field(default=None, max_length=200, description="Where the text shows it")
    url: str | None = Field(default=None, max_length=2000)
    published_on: date
    date_basis: DateBasis
    date_evidence: str | None = Field(
        default=None, max_length=2000, description="For an inferred date: what it was inferred from"
    )

    @model_validator(mode="after")
    def _inferred_dates_say_how(self) -> ArticleMeta:
        if self.date_basis is DateBasis.INFERRED and not (self.date_evidence or "").strip():
            raise ValueError("date_evidence: an inferred date needs date_evidence saying what it was inferred from")
        return self


class Article(ArticleMeta):
    """An article with its text, kept byte-for-byte."""

    text: str
    sha256: str
    source_path: str


class EvidenceIn(BaseModel):
    """One coded statement as typed in a fixture (the JSON Schema of `tracker schema`)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=REF_PATTERN, max_length=120, description="Stable id; keep it when editing")
    issue: str = Field(min_length=1, max_length=120, description="Issue id or alias from the catalogue")
    party: str | None = Field(
        default=None, max_length=120, description="Party id or alias; empty for issue-level evidence"
    )
    stance: Stance | None = Field(default=None, description="Required with a party; absent for issue-level evidence")
    quote: str = Field(min_length=1, max_length=5000, description="Verbatim from the article")
    occurrence: int | None = Field(
        default=None, ge=1, strict=True, description="Which occurrence, when the quote occurs more than once"
    )
    speaker: str | None = Field(default=None, max_length=200)
    attribution: Attribution
    said_on: SaidOnValue | None = Field(
        default=None,
        description="When it was said, an EDTF date (a day, a month, an interval, uncertain or approximate): it "
        "counts from the end of its span; defaults to the article's date",
    )
    said_at: time | None = Field(
        default=None, description="Time of day it was said (HH:MM, quoted in YAML): orders one day's evidence"
    )
    mode: Mode = Mode.ASSERTED
    move: Move | None = Field(
        default=None,
        description="The move meant, where more than one leads to the stance (out of agreed: renege or reopen)",
    )
    condition: str | None = Field(default=None, max_length=2000, description="The stance holds on this condition")
    kind: IssueKind | None = Field(
        default=None,
        description="Issue-level evidence only (no party): sticking_point (the default), progress, implemented or "
        "partly_implemented",
    )
    note: str | None = Field(default=None, max_length=5000)

    @field_validator("quote")
    @classmethod
    def _quote_has_text(cls, quote: str) -> str:
        if not quote.strip():
            raise ValueError("quote is empty")
        if not any(char.isalnum() for char in quote):
            # A comma or an ellipsis occurs anywhere: a stance cannot rest on it.
            raise ValueError(
                "has no word in it, only punctuation: quote at least one word (a letter or a digit) of the article"
            )
        return quote

    @field_validator("party", "speaker", "note", "condition")
    @classmethod
    def _blank_is_none(cls, value: str | None) -> str | None:
        return value if value is None or value.strip() else None

    @model_validator(mode="after")
    def _stance_goes_with_party(self) -> EvidenceIn:
        if self.party is not None and self.stance is None:
            raise ValueError("stance: a party's evidence needs a stance")
        if self.party is None and self.stance is not None:
            raise ValueError("party: a stance needs a party (issue-level evidence has neither)")
        if self.stance is Stance.UNKNOWN:
            raise ValueError("stance: 'unknown' is the absence of evidence, not a stance to code")
        if self.party is None and (self.move is not None or self.condition is not None):
            raise ValueError("party: a move or a condition is a party's (issue-level evidence has neither)")
        if self.party is not None and self.kind is not None:
            raise ValueError(
                "kind: a kind is issue-level evidence's (no party): a party's evidence says its stance; "
                "leave the party out to say what the article says of the issue"
            )
        return self


class FixtureFile(BaseModel):
    """The shape of one fixture file: the evidence coded from one article."""

    model_config = ConfigDict(extra="forbid")

    article: str = Field(pattern=REF_PATTERN, description="Id of the article in the seeds' articles.yaml")
    evidence: list[EvidenceIn]


@dataclass(frozen=True, slots=True)
class Evidence:
    """A grounded, checked piece of evidence: ids resolved, quote anchored in its article.

    Built only from checked input (or read back from the store), so it is a
    plain record: an ingest makes a million of them.
    """

    id: str
    article: str
    issue: str
    party: str | None
    stance: Stance | None
    quote: str
    start: int
    end: int
    prefix: str
    suffix: str
    speaker: str | None
    attribution: Attribution
    said_on: date
    mode: Mode
    note: str | None
    source_path: str  # absolute, so a message makes sense from any folder
    source_line: int
    stance_line: int
    said_at: time | None = None
    move: Move | None = None
    condition: str | None = None
    # Issue-level evidence's kind; None for a sticking point (the default) and for a party's evidence.
    kind: IssueKind | None = None
    # `said_on` as written, where it is not that plain day (a month, an interval, uncertain...): `said_on` is then
    # the last day of its span, from which the evidence counts.
    said_on_written: str | None = None

    def content_hash(self) -> str:
        """Identity of the coded content; the same content is never stored twice.

        Stored databases hold these digests: they are of `json.dumps(fields, sort_keys=True)` (see the
        tests), written out here because an ingest computes a million of them.
        """
        encode = _encode_string
        # Fields added since the first digests are written only when set: evidence without them keeps its digest.
        condition = f'"condition": {encode(self.condition)}, ' if self.condition is not None else ""
        move = f', "move": {encode(self.move)}' if self.move is not None else ""
        said_at = f', "said_at": "{self.said_at.isoformat()}"' if self.said_at is not None else ""
        kind = f'"kind": {encode(self.kind)}, ' if self.kind is not None else ""
        written = f', "said_on_written": {encode(self.said_on_written)}' if self.said_on_written is not None else ""
        return hashlib.sha256(
            (
                f'{{"article": {encode(self.article)}, "attribution": {encode(self.attribution)}, {condition}'
                f'"end": {self.end}, "id": {encode(self.id)}, "issue": {encode(self.issue)}, {kind}'
                f'"mode": {encode(self.mode)}{move}, "note": {_json(self.note)}, "party": {_json(self.party)}, '
                f'"quote": {encode(self.quote)}{said_at}, "said_on": "{self.said_on.isoformat()}"{written}, '
                f'"speaker": {_json(self.speaker)}, "stance": {_json(self.stance)}, '
                f'"start": {self.start}}}'
            ).encode()
        ).hexdigest()


def _json(text: str | None) -> str:
    """`text` as `json.dumps` writes it (an enum of text as its value): the content hash is that JSON."""
    return "null" if text is None else _encode_string(text)


def stored_kind(kind: IssueKind | None) -> IssueKind | None:
    """The kind as evidence keeps it: a sticking point, the default, is kept as none (its digest unchanged)."""
    return None if kind is IssueKind.STICKING_POINT else kind


def shown_kind(kind: str | None, party: str | None) -> str | None:
    """Issue-level evidence's kind as shown (a sticking point where none is stored); None for a party's."""
    return None if party is not None else kind or IssueKind.STICKING_POINT.value


def fixture_schema(kind: str = "fixture") -> dict[str, object]:
    """The JSON Schema of a fixture file (`fixture`) or of a seeds folder's articles.yaml (`articles`)."""
    if kind == "articles":
        entry = ArticleMeta.model_json_schema()
        schema: dict[str, Any] = {
            "title": "Articles",
            "type": "object",
            "required": ["articles"],
            "additionalProperties": False,
            "properties": {"articles": {"type": "array", "items": {"$ref": "#/$defs/ArticleMeta"}}},
            "$defs": {"ArticleMeta": entry, **entry.pop("$defs", {})},
        }
    else:
        schema = FixtureFile.model_json_schema()
        stance = schema.get("$defs", {}).get("Stance")
        if stance:  # `unknown` is the absence of evidence, never coded
            stance["enum"] = [s for s in stance["enum"] if s != "unknown"]
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}
