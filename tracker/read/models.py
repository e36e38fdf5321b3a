"""What the read side answers, as typed models: what the JSON shows, and what the terminal UI draws.

A script gets these from the Python API (`tracker.api`) and the command line
prints them; `records()` turns a list of them into plain dicts a DataFrame
takes. Built from checked rows of the store, they are constructed without
validating again (`trusted`): thousands of pieces of evidence are built per
answer.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any, NamedTuple, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from tracker.domain.catalog import Catalog
from tracker.domain.machines import Stance
from tracker.domain.words import words


class EvidenceRef(BaseModel):
    """A piece of evidence as shown with a stance, a change or a move."""

    model_config = ConfigDict(frozen=True)  # answers may share one (`tracker.read.reading.BuiltEvidence`)

    id: str
    article: str
    article_title: str
    date: date  # when it was said (said_on): the last day of its span, where it was written as one
    # `said_on` as written (EDTF), where it is not the plain day `date`: a month, an interval, uncertain...
    # (In JSON `said_on`, beside `date`, left out for a plain day.)
    said_on_written: str | None = Field(
        default=None, serialization_alias="said_on", exclude_if=lambda written: written is None
    )
    said_at: time | None = None  # the time of day, where the coder gave one
    quote: str
    speaker: str | None
    attribution: str
    mode: str
    stance: str | None = None  # as coded; for a non-asserted mode, the stance it did not move to
    move: str | None = None
    not_applied: str | None = None  # why it moved nothing: its mode, background, contradicts, outranked, contested
    condition: str | None = None  # the condition the stance holds on, as coded
    # Issue-level evidence's kind (sticking_point, progress, implemented, partly_implemented); left out of a
    # party's evidence, which has a stance instead.
    kind: str | None = Field(default=None, exclude_if=lambda kind: kind is None)
    start: int
    end: int
    note: str | None = None


REF_FIELDS = tuple(EvidenceRef.model_fields)


def said_on_shown(ref: EvidenceRef) -> str:
    """When a piece of evidence was said, as its coder wrote it: its day, or its EDTF span (`2026-02`); a recap
    with no day of its own is known said only *by* its article's date ("by 2026-02-05")."""
    if ref.said_on_written is not None:
        return ref.said_on_written
    return f"by {ref.date.isoformat()}" if ref.mode == "background" else ref.date.isoformat()


def said_on_phrase(ref: EvidenceRef) -> str:
    """`said_on_shown` in a sentence: "on 2026-02-05", "by 2026-02-05", "on 2026-02~"."""
    shown = said_on_shown(ref)
    return shown if shown.startswith("by ") else f"on {shown}"


class Contest(BaseModel):
    """Evidence of equal rank disagreeing on one day: the position held, and is contested until settled."""

    on: date
    evidence: list[EvidenceRef]


EVIDENCE_SHOWN = 10  # pieces of evidence listed behind a stance, a change or an issue by default; a total counts all


class PositionState(BaseModel):
    issue: str
    party: str
    role: str = "negotiator"  # the party's: a mediator's or an observer's stance never makes an issue's status
    stance: Stance
    since: date | None
    # False: the stance was entered on a recap's word, so it is known held *by* `since` (shown "by DATE").
    since_exact: bool = True
    evidence: list[EvidenceRef]  # behind the stance, newest first: the newest `EVIDENCE_SHOWN` unless asked for all
    evidence_total: int = 0  # every piece of evidence behind the stance
    # The strongest attribution among the evidence for the stance: `direct` (the party's own word), `reported`
    # (another party or source says it), `analysis` (the outlet's characterisation); None while unknown.
    basis: str | None = None
    condition: str | None = None  # the condition the stance holds on, from the newest evidence for it
    contested: Contest | None = None


class Conditional(BaseModel):
    """A negotiator's stance an issue's status rests on, held on a condition."""

    party: str
    condition: str


def not_given(value: list[Any]) -> bool:
    return not value


class IssueState(BaseModel):
    issue: str
    status: str
    # The status rests on these stances held on a condition: it is conditional (left out where it is not).
    conditional: list[Conditional] = Field(default=[], exclude_if=not_given)
    evidence: list[EvidenceRef]  # its issue-level evidence, newest first: the newest `EVIDENCE_SHOWN`
    evidence_total: int = 0


class StateReport(BaseModel):
    as_of: date
    known_at: datetime | None = None
    positions: list[PositionState]
    issues: list[IssueState]


class MoveStep(BaseModel):
    """One move on the path of a change: from a stance to the next, on a day, on the word of some evidence."""

    model_config = ConfigDict(populate_by_name=True)

    move: str
    stance_from: Stance = Field(serialization_alias="from")
    stance_to: Stance = Field(serialization_alias="to")
    said_on: date
    # False: a recap made the move, so it is known made only *by* `said_on` (shown "by DATE").
    said_on_exact: bool = True
    evidence: list[str]  # evidence ids


class Change(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    issue: str
    party: str
    role: str = "negotiator"  # the party's (a mediator's or an observer's is marked where shown)
    stance_from: Stance = Field(serialization_alias="from")
    stance_to: Stance = Field(serialization_alias="to")
    since: date | None
    since_exact: bool = True  # False: held *by* `since` (a recap entered the stance)
    evidence: list[EvidenceRef]  # between the two dates, newest first: the newest `EVIDENCE_SHOWN` unless all
    evidence_total: int = 0  # every piece of evidence between the dates
    # The moves from the stance held at the diff's start to the one held at its end, in order: a path of
    # several is never one move.
    moves: list[MoveStep] = []
    contested: Contest | None = None  # at the diff's end


class StatusStep(BaseModel):
    """An issue's status changing on a day, and the evidence that made it: the negotiators' moves of that day,
    then the issue-level evidence of that day (the same in history, diff and the reports)."""

    model_config = ConfigDict(populate_by_name=True)

    date: date
    status_from: str = Field(serialization_alias="from")
    status_to: str = Field(serialization_alias="to")
    evidence: list[EvidenceRef] = []


class IssueChange(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    issue: str
    status_from: str = Field(serialization_alias="from")
    status_to: str = Field(serialization_alias="to")
    # What made its status changes between the two dates (the evidence of `steps`), newest first, bounded as a
    # change's.
    evidence: list[EvidenceRef]
    evidence_total: int = 0
    # The status changes between the two dates, in order, each with its day and the evidence that made it (as
    # `history` gives them): a path of several is never one change.
    steps: list[StatusStep] = []


class ContestedPosition(BaseModel):
    """A position that became contested between a diff's dates and still is at its end (its stance held)."""

    issue: str
    party: str
    stance: Stance
    contested: Contest


class DiffReport(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    date_from: date = Field(serialization_alias="from")
    date_to: date = Field(serialization_alias="to")
    known_at: datetime | None = None
    changes: list[Change]
    issue_changes: list[IssueChange] = []
    contested: list[ContestedPosition] = []
    # Every change between the dates, counted (positions, then contests, then issues, in that order): the answer
    # holds the page of them from `offset`, a `--limit` long; all of them when it says so.
    changes_total: int = 0
    offset: int = 0


CHANGES_SHOWN = 50  # the changes a diff gives by default: its first page


class HistoryMove(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    issue: str
    party: str
    role: str = "negotiator"  # the party's (a mediator's or an observer's is marked where shown)
    date: date
    move: str | None  # None: evidence kept and shown, but it moved nothing (`not_applied` says why)
    not_applied: str | None = None
    stance_from: Stance = Field(serialization_alias="from")
    stance_to: Stance = Field(serialization_alias="to")
    evidence: EvidenceRef


class IssueHistory(BaseModel):
    """How an issue itself moved: its status over time, and the issue-level evidence naming it."""

    issue: str
    statuses: list[StatusStep]
    evidence: list[EvidenceRef]  # issue-level evidence, oldest first


class LeftOut(BaseModel):
    """A position whose history was cut to its newest moves: how many are shown of how many."""

    issue: str
    party: str
    shown: int
    total: int


MOVES_SHOWN = 100  # a position's newest moves a history lists by default


class HistoryReport(BaseModel):
    known_at: datetime | None = None
    moves: list[HistoryMove]  # by catalogue order, then time; each position's newest `MOVES_SHOWN` unless all
    issues: list[IssueHistory] = []  # without a party filter: each issue's status changes and issue-level evidence
    left_out: list[LeftOut] = []  # the positions whose older moves are not listed


class Cell(NamedTuple):
    """One position in the matrix (a tuple: a matrix has a thousand of them, made and compared on every step)."""

    issue: str
    party: str
    stance: Stance
    since: date | None
    backing: int  # evidence behind the stance: the move that entered it and its reaffirmations
    changed: bool  # the stance changed on the matrix's date
    basis: str | None  # the strongest attribution behind the stance
    condition: str | None  # the condition it holds on
    contested_on: date | None
    since_exact: bool = True  # False: held *by* `since` (a recap entered the stance)


class Matrix(BaseModel):
    as_of: date
    known_at: datetime | None = None
    catalog: Catalog
    issues: list[str]  # shown, in catalogue order
    parties: list[str]
    cells: dict[str, dict[str, Cell]]  # issue -> party -> cell
    status: dict[str, str]  # issue -> status
    conditional: dict[str, list[Conditional]] = {}  # issue -> the conditions its status rests on (none: absent)


class PositionDetail(BaseModel):
    """One position as of a date: its moves so far and the evidence behind its stance, newest first."""

    issue: str
    party: str
    as_of: date
    stance: Stance
    since: date | None
    since_exact: bool = True  # False: held *by* `since` (a recap entered the stance)
    moves: list[HistoryMove]
    moves_total: int
    evidence: list[EvidenceRef]
    evidence_total: int


class ArticleText(BaseModel):
    id: str
    title: str
    outlet: str | None
    url: str | None = None
    published_on: date
    date_basis: str
    date_evidence: str | None
    text: str


class IngestRecord(BaseModel):
    """One ingest that changed the database: when it was recorded, from where, and what it did."""

    recorded_at: datetime
    seeds: str  # the articles' folder, or the feed
    fixtures: str  # the fixtures' folder, or the feed
    articles_added: int  # new articles and new versions of articles
    articles_superseded: int
    evidence_added: int  # pieces of evidence with new ids
    evidence_edited: int  # new versions of evidence held before
    evidence_removed: int  # evidence no longer held, with no new version
    positions_replayed: int


class IngestLog(BaseModel):
    ingests: list[IngestRecord]  # oldest first


_Model = TypeVar("_Model", bound=BaseModel)


def trusted(model: type[_Model], values: dict[str, Any]) -> _Model:
    """A model from values the store checked when they were written, without validating them again.

    What `model_construct` does for a model with no defaults left out, no extra fields and no private
    attributes, without its per-field bookkeeping (which costs more than validating): thousands of
    pieces of evidence are built per query.
    """
    built = model.__new__(model)
    object.__setattr__(built, "__dict__", values)
    object.__setattr__(built, "__pydantic_fields_set__", set(values))
    object.__setattr__(built, "__pydantic_extra__", None)
    object.__setattr__(built, "__pydantic_private__", None)
    return built


def records(items: list[BaseModel]) -> list[dict[str, Any]]:
    """Answers as plain dicts (JSON's names and values), one per item: `pandas.DataFrame(records(...))`."""
    return [item.model_dump(mode="json", by_alias=True) for item in items]


def status_shown(status: str, conditional: list[Conditional]) -> str:
    """An issue's status in words, marked where it rests on a stance held on a condition: "converging
    (conditional)"."""
    return f"{words(status)} (conditional)" if conditional else words(status)


def conditions_shown(conditional: list[Conditional], names: dict[str, str] | None = None) -> str:
    """The conditions a status rests on, in words: "United States: if a territorial swap is agreed"."""
    return "; ".join(f"{(names or {}).get(c.party, c.party)}: {c.condition}" for c in conditional)
