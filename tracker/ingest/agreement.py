"""Double coding: how far two coders' fixtures of the same articles agree, as Krippendorff's alpha, and every
place they disagree.

The units are the positions either coder coded in each article: (article,
issue, party). For each unit a coder gives one value per question:

- the stance: the one most of their evidence for the unit states (ties: the
  one stated last in the fixture), an ordinal value on the stance axis
  (`agreed`, `demands`, `supports`, `open`, `counter_proposal`, `opposes`: the
  proposition accepted at one end, rejected at the other);
- the attribution: the strongest among their evidence (`direct`, then
  `reported`, then `analysis`), a nominal value; evidence that gives none is
  missing data for it (a unit none of whose evidence gives one is missing);
- the mode: `asserted` if any of their evidence is, else the one most stated,
  a nominal value;
- the move: the moves their evidence names (`move:`), a nominal value; naming
  none is a value of its own ("none"), so one coder naming a move the other
  does not name is a disagreement;
- the condition: the conditions their evidence gives, a nominal value on
  presence and text: no condition is a value of its own, and two conditions
  are the same value when their texts are equal once whitespace, typographic
  quotes, case and the punctuation at either end are set aside.

A unit one coder did not code is missing for that coder (alpha handles
missing values); issue-level evidence (no party) is not a unit. An article
coded by two fixtures of one folder is a problem, as it is for ingest. Alpha
is computed by the `krippendorff` package; it is None where it is not defined
(no unit coded by both, or a question with one value only), and the package's
warnings about dividing by zero there are kept quiet.

Every disagreement is listed, one per question (`by_question`). Where both
coders coded the same statement (one item each in the same unit whose quotes
overlap: one holds the other once whitespace, typographic quotes and case are
set aside), each field they give it differently is a disagreement of that
statement: stance, attribution (where both give one), mode, move, condition,
speaker and `said_on` (as written: none is the article's date). A unit's
value that differs with no statement of the unit differing on that question
(the coders quoted different sentences, or one coded a statement the other
did not) is a disagreement of the unit, with the evidence behind each value.
A unit coded by one coder only is a disagreement of presence.
"""

from __future__ import annotations

import warnings
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel

from tracker.domain.catalog import Catalog
from tracker.domain.errors import CorpusError, Problem, display_path
from tracker.domain.evidence import Attribution, Mode
from tracker.domain.grounding import normalise_quote
from tracker.domain.machines import Move
from tracker.domain.yamlfile import Located, LocatedList, YamlProblem, read_yaml
from tracker.ingest.corpus import CATALOG_FILE

# The stance axis as an order: the proposition accepted (a deal) at one end, rejected at the other.
STANCE_ORDER = ("agreed", "demands", "supports", "open", "counter_proposal", "opposes")
ATTRIBUTION_RANK = {"direct": 2, "reported": 1, "analysis": 0}
ATTRIBUTIONS = tuple(a.value for a in Attribution)
MODES = tuple(m.value for m in Mode)
MOVES = tuple(m.value for m in Move)
# The questions alpha is computed for, on units; a statement both coded is compared on these and two more.
QUESTIONS = ("stance", "attribution", "mode", "move", "condition")
STATEMENT_QUESTIONS = (*QUESTIONS, "speaker", "said_on")
NONE = "(none)"  # the category of a move or a condition not given, for alpha
Unit = tuple[str, str, str]  # (article, issue, party)


@dataclass(frozen=True)
class Coded:
    """One coder's piece of evidence for a unit."""

    id: str
    stance: str
    attribution: str | None  # None: not given
    mode: str
    move: str | None  # None: not named
    condition: str | None  # None: not given
    speaker: str | None  # None: not given
    said_on: str | None  # None: not given (the article's date)
    quote: str
    where: str  # path:line


def _folded(text: str | None) -> str | None:
    """Free text as compared: whitespace and typographic quotes normalised, case set aside."""
    return None if text is None else normalise_quote(text).casefold()


def _condition_key(text: str | None) -> str | None:
    """A condition as compared: its text folded, without the punctuation and quotes at either end."""
    folded = _folded(text)
    return None if folded is None else folded.strip(" .,;:!?'\"()")


def _same_statement(a: Coded, b: Coded) -> bool:
    qa, qb = _folded(a.quote) or "", _folded(b.quote) or ""
    return bool(qa and qb) and (qa in qb or qb in qa)


class CoderValue(BaseModel):
    stance: str
    attribution: str | None  # None: none of the evidence gives one
    mode: str
    move: str | None  # the moves the evidence names, joined by '+'; None: it names none
    condition: str | None  # the conditions the evidence gives, joined by ' / '; None: it gives none
    evidence: list[str]  # the ids behind the values
    quote: str  # the quote the stance comes from


class UnitValues(BaseModel):
    article: str
    issue: str
    party: str
    a: CoderValue | None
    b: CoderValue | None

    @property
    def agree(self) -> bool:
        return self.a is not None and self.b is not None and self.a.stance == self.b.stance


class Side(BaseModel):
    """One coder's answer to one question, with the evidence behind it."""

    value: str | None  # None: not given (no move, no condition, no speaker; said_on: the article's date)
    evidence: list[str]
    quote: str  # the quote of the last of `evidence`
    where: str  # path:line of that evidence


class Disagreement(BaseModel):
    """Two coders answering one question differently: of one statement both coded, of a unit, or of presence."""

    article: str
    issue: str
    party: str
    question: str  # presence, or one of STATEMENT_QUESTIONS
    statement: bool  # True: both coded the same statement, and `a` and `b` are one item each
    a: Side | None  # None: this coder did not code the unit
    b: Side | None


class Alpha(BaseModel):
    question: str
    level: str  # ordinal or nominal
    alpha: float | None
    units_by_both: int


class AgreementReport(BaseModel):
    coder_a: str
    coder_b: str
    articles: list[str]  # coded by both (only these are compared)
    units: int
    alphas: list[Alpha]
    disagreements: list[UnitValues]  # units whose stance differs, or coded by one coder only
    by_question: list[Disagreement]  # every disagreement of every question


def _fixtures(folder: Path) -> dict[str, Path]:
    """Each article's fixture in `folder`, by the article it codes; an article coded by two is a problem."""
    found: dict[str, Path] = {}
    problems: list[Problem] = []
    for path in sorted(folder.glob("*.y*ml")):
        if path.name == CATALOG_FILE or path.suffix not in (".yaml", ".yml"):
            continue
        try:
            doc = read_yaml(path)
        except YamlProblem as exc:
            problems.append(exc.problem)
            continue
        article = doc.get("article") if isinstance(doc, Located) else None
        if isinstance(article, str):
            if article in found:
                problems.append(
                    Problem(
                        display_path(path),
                        doc.line_of("article"),
                        "article",
                        f"article '{article}' is already coded in {display_path(found[article])}",
                    )
                )
                continue
            found[article] = path
    if problems:
        raise CorpusError(problems)
    return found


def _text(item: Located, field: str) -> str | None:
    value = item.get(field)
    return None if value is None or str(value).strip() == "" else str(value).strip()


def _coded(path: Path, catalog: Catalog) -> dict[Unit, list[Coded]]:
    """One fixture's party-level evidence by unit; a located problem for a name the catalogue lacks."""
    where = display_path(path)
    doc = read_yaml(path)
    article = str(doc.get("article"))
    items = doc.get("evidence")
    units: dict[Unit, list[Coded]] = {}
    problems: list[Problem] = []
    if not isinstance(items, LocatedList):
        return units
    for index, item in enumerate(items):
        if not isinstance(item, Located) or item.get("party") in (None, "") or not item.get("stance"):
            continue
        line = items.item_lines[index]
        issue = catalog.resolve("issue", str(item.get("issue")))
        party = catalog.resolve("party", str(item.get("party")))
        if issue is None or party is None:
            field = "issue" if issue is None else "party"
            problems.append(Problem(where, item.line_of(field), field, f"unknown {field} '{item.get(field)}'"))
            continue
        for field, known in (("stance", STANCE_ORDER), ("attribution", ATTRIBUTIONS), ("mode", MODES)):
            value = item.get(field, "asserted" if field == "mode" else None)
            if value is not None and str(value) not in known:
                problems.append(
                    Problem(
                        where, item.line_of(field), field, f"'{value}' is not a {field}; one of: {', '.join(known)}"
                    )
                )
        move = _text(item, "move")
        if move is not None and move not in MOVES:
            problems.append(
                Problem(where, item.line_of("move"), "move", f"'{move}' is not a move; one of: {', '.join(MOVES)}")
            )
        if problems:
            continue
        units.setdefault((article, issue, party), []).append(
            Coded(
                id=str(item.get("id")),
                stance=str(item.get("stance")),
                attribution=_text(item, "attribution"),
                mode=str(item.get("mode", "asserted")),
                move=move,
                condition=_text(item, "condition"),
                speaker=_text(item, "speaker"),
                said_on=_text(item, "said_on"),
                quote=str(item.get("quote", "")),
                where=f"{where}:{line}",
            )
        )
    if problems:
        raise CorpusError(problems)
    return units


def _stance(coded: list[Coded]) -> str:
    counts = Counter(c.stance for c in coded)
    top = max(counts.values())
    return next(c.stance for c in reversed(coded) if counts[c.stance] == top)


def _distinct(values: list[str | None], key: Callable[[str | None], str | None]) -> list[str]:
    """The values given, each once (by `key`), in the order first given."""
    seen: dict[str | None, str] = {}
    for value in values:
        if value is not None:
            seen.setdefault(key(value), value)
    return list(seen.values())


def _unit_answer(coded: list[Coded], question: str) -> tuple[str | None, list[Coded]]:
    """A unit's value for a question as one coder gives it, and the evidence behind it."""
    if question == "stance":
        stance = _stance(coded)
        return stance, [c for c in coded if c.stance == stance]
    if question == "attribution":
        given = [c.attribution for c in coded if c.attribution is not None]
        if not given:
            return None, coded
        strongest = max(given, key=lambda a: ATTRIBUTION_RANK.get(a, -1))
        return strongest, [c for c in coded if c.attribution == strongest]
    if question == "mode":
        modes = Counter(c.mode for c in coded)
        mode = "asserted" if "asserted" in modes else modes.most_common(1)[0][0]
        return mode, [c for c in coded if c.mode == mode]
    if question == "move":
        named = sorted({c.move for c in coded if c.move is not None})
        return ("+".join(named) or None), [c for c in coded if c.move is not None] or coded
    conditions = _distinct([c.condition for c in coded], _condition_key)
    return (" / ".join(conditions) or None), [c for c in coded if c.condition is not None] or coded


def _unit_key(coded: list[Coded], question: str) -> str | None:
    """What a unit's value is compared by: None is missing data (an attribution no evidence gives)."""
    if question == "condition":
        keys = sorted({_condition_key(c.condition) or "" for c in coded if c.condition is not None})
        return " | ".join(keys) or NONE
    value, _ = _unit_answer(coded, question)
    return (value or NONE) if question == "move" else value


def _value(coded: list[Coded]) -> CoderValue:
    stance, behind = _unit_answer(coded, "stance")
    assert stance is not None
    return CoderValue(
        stance=stance,
        attribution=_unit_answer(coded, "attribution")[0],
        mode=_unit_answer(coded, "mode")[0] or "asserted",
        move=_unit_answer(coded, "move")[0],
        condition=_unit_answer(coded, "condition")[0],
        evidence=[c.id for c in coded],
        quote=behind[-1].quote,
    )


def _side(value: str | None, behind: list[Coded]) -> Side:
    return Side(value=value, evidence=[c.id for c in behind], quote=behind[-1].quote, where=behind[-1].where)


def _statement_differs(a: Coded, b: Coded, question: str) -> bool:
    if question == "attribution":
        return a.attribution is not None and b.attribution is not None and a.attribution != b.attribution
    if question == "condition":
        return _condition_key(a.condition) != _condition_key(b.condition)
    if question == "speaker":
        return _folded(a.speaker) != _folded(b.speaker)
    return bool(getattr(a, question) != getattr(b, question))


def _pairs(coded_a: list[Coded], coded_b: list[Coded]) -> list[tuple[Coded, Coded]]:
    """The statements both coded: each of A's items with the first of B's not yet paired whose quote overlaps
    (an equal quote first)."""
    free = list(coded_b)
    paired: list[tuple[Coded, Coded]] = []
    for a in coded_a:
        match = next((b for b in free if _folded(b.quote) == _folded(a.quote)), None)
        match = match or next((b for b in free if _same_statement(a, b)), None)
        if match is not None:
            free.remove(match)
            paired.append((a, match))
    return paired


def _disagreements(unit: Unit, coded_a: list[Coded] | None, coded_b: list[Coded] | None) -> list[Disagreement]:
    article, issue, party = unit
    if coded_a is None or coded_b is None:
        sides = [None if coded is None else _side(*_unit_answer(coded, "stance")) for coded in (coded_a, coded_b)]
        return [
            Disagreement(
                article=article, issue=issue, party=party, question="presence", statement=False, a=sides[0], b=sides[1]
            )
        ]
    found: list[Disagreement] = []
    pairs = _pairs(coded_a, coded_b)
    for question in STATEMENT_QUESTIONS:
        in_statements = [
            Disagreement(
                article=article,
                issue=issue,
                party=party,
                question=question,
                statement=True,
                a=_side(getattr(a, question), [a]),
                b=_side(getattr(b, question), [b]),
            )
            for a, b in pairs
            if _statement_differs(a, b, question)
        ]
        found += in_statements
        if in_statements or question not in QUESTIONS:
            continue
        key_a, key_b = _unit_key(coded_a, question), _unit_key(coded_b, question)
        if key_a is not None and key_b is not None and key_a != key_b:
            found.append(
                Disagreement(
                    article=article,
                    issue=issue,
                    party=party,
                    question=question,
                    statement=False,
                    a=_side(*_unit_answer(coded_a, question)),
                    b=_side(*_unit_answer(coded_b, question)),
                )
            )
    return found


def alpha(
    values: list[tuple[Any, Any]], level: Literal["nominal", "ordinal"], order: tuple[str, ...] | None = None
) -> float | None:
    """Krippendorff's alpha of two coders' values per unit (None: missing); None where it is not defined."""
    import krippendorff
    import numpy as np

    categories = list(order) if order else sorted({v for pair in values for v in pair if v is not None})
    code = {category: n for n, category in enumerate(categories)}
    data = np.array(
        [[np.nan if v is None else code[v] for v in coder] for coder in zip(*values, strict=True)], dtype=float
    )
    both = sum(1 for a, b in values if a is not None and b is not None)
    present = {v for pair in values for v in pair if v is not None}
    if both == 0 or len(present) < 2:
        return None
    # Where the units coded by both hold one value only, the package divides zero by zero: alpha is not defined.
    with np.errstate(divide="ignore", invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        result = float(
            krippendorff.alpha(reliability_data=data, level_of_measurement=level, value_domain=list(code.values()))
        )
    return None if np.isnan(result) else round(result, 4)


def agreement(folder_a: Path, folder_b: Path, catalog: Catalog) -> AgreementReport:
    """How far two folders of fixtures agree on the articles both coded, and every place they disagree."""
    fixtures_a, fixtures_b = _fixtures(folder_a), _fixtures(folder_b)
    articles = sorted(set(fixtures_a) & set(fixtures_b))
    units_a: dict[Unit, list[Coded]] = {}
    units_b: dict[Unit, list[Coded]] = {}
    for article in articles:
        units_a.update(_coded(fixtures_a[article], catalog))
        units_b.update(_coded(fixtures_b[article], catalog))
    units = sorted(set(units_a) | set(units_b))
    table = [
        UnitValues(
            article=unit[0],
            issue=unit[1],
            party=unit[2],
            a=_value(units_a[unit]) if unit in units_a else None,
            b=_value(units_b[unit]) if unit in units_b else None,
        )
        for unit in units
    ]

    def pairs(question: str) -> list[tuple[Any, Any]]:
        return [
            (
                _unit_key(units_a[unit], question) if unit in units_a else None,
                _unit_key(units_b[unit], question) if unit in units_b else None,
            )
            for unit in units
        ]

    both = sum(1 for u in table if u.a and u.b)
    alphas = [
        Alpha(question=question, level="nominal", alpha=alpha(pairs(question), "nominal"), units_by_both=both)
        for question in QUESTIONS[1:]
    ]
    stance = Alpha(
        question="stance", level="ordinal", alpha=alpha(pairs("stance"), "ordinal", STANCE_ORDER), units_by_both=both
    )
    return AgreementReport(
        coder_a=display_path(folder_a),
        coder_b=display_path(folder_b),
        articles=articles,
        units=len(table),
        alphas=[stance, *alphas],
        disagreements=[u for u in table if not u.agree],
        by_question=[found for unit in units for found in _disagreements(unit, units_a.get(unit), units_b.get(unit))],
    )
