"""Double coding: how far two coders' fixtures of the same articles agree, as Krippendorff's alpha.

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
  a nominal value.

A unit one coder did not code is missing for that coder (alpha handles
missing values); issue-level evidence (no party) is not a unit. An article
coded by two fixtures of one folder is a problem, as it is for ingest. Alpha
is computed by the `krippendorff` package; it is None where it is not defined
(no unit coded by both, or a question with one value only), and the package's
warnings about dividing by zero there are kept quiet.
"""

from __future__ import annotations

import warnings
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel

from tracker.domain.catalog import Catalog
from tracker.domain.errors import CorpusError, Problem, display_path
from tracker.domain.evidence import Attribution, Mode
from tracker.domain.yamlfile import Located, LocatedList, YamlProblem, read_yaml
from tracker.ingest.corpus import CATALOG_FILE

# The stance axis as an order: the proposition accepted (a deal) at one end, rejected at the other.
STANCE_ORDER = ("agreed", "demands", "supports", "open", "counter_proposal", "opposes")
ATTRIBUTION_RANK = {"direct": 2, "reported": 1, "analysis": 0}
ATTRIBUTIONS = tuple(a.value for a in Attribution)
MODES = tuple(m.value for m in Mode)
Unit = tuple[str, str, str]  # (article, issue, party)


@dataclass(frozen=True)
class Coded:
    """One coder's piece of evidence for a unit."""

    id: str
    stance: str
    attribution: str | None  # None: not given
    mode: str
    quote: str
    where: str  # path:line


class CoderValue(BaseModel):
    stance: str
    attribution: str | None  # None: none of the evidence gives one
    mode: str
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
        if problems:
            continue
        units.setdefault((article, issue, party), []).append(
            Coded(
                id=str(item.get("id")),
                stance=str(item.get("stance")),
                attribution=str(item.get("attribution")) if item.get("attribution") not in (None, "") else None,
                mode=str(item.get("mode", "asserted")),
                quote=str(item.get("quote", "")),
                where=f"{where}:{line}",
            )
        )
    if problems:
        raise CorpusError(problems)
    return units


def _value(coded: list[Coded]) -> CoderValue:
    counts = Counter(c.stance for c in coded)
    top = max(counts.values())
    stance = next(c.stance for c in reversed(coded) if counts[c.stance] == top)
    modes = Counter(c.mode for c in coded)
    mode = "asserted" if "asserted" in modes else modes.most_common(1)[0][0]
    given = [c.attribution for c in coded if c.attribution is not None]
    attribution = max(given, key=lambda a: ATTRIBUTION_RANK.get(a, -1)) if given else None
    quote = next(c.quote for c in reversed(coded) if c.stance == stance)
    return CoderValue(stance=stance, attribution=attribution, mode=mode, evidence=[c.id for c in coded], quote=quote)


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
    """How far two folders of fixtures agree on the articles both coded."""
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
        return [(getattr(u.a, question) if u.a else None, getattr(u.b, question) if u.b else None) for u in table]

    both = sum(1 for u in table if u.a and u.b)
    alphas = [
        Alpha(
            question="stance",
            level="ordinal",
            alpha=alpha(pairs("stance"), "ordinal", STANCE_ORDER),
            units_by_both=both,
        ),
        Alpha(
            question="attribution", level="nominal", alpha=alpha(pairs("attribution"), "nominal"), units_by_both=both
        ),
        Alpha(question="mode", level="nominal", alpha=alpha(pairs("mode"), "nominal"), units_by_both=both),
    ]
    return AgreementReport(
        coder_a=display_path(folder_a),
        coder_b=display_path(folder_b),
        articles=articles,
        units=len(table),
        alphas=alphas,
        disagreements=[u for u in table if not u.agree],
    )
