"""What the coding commands print: `tracker suggest` (sentences to code) and `tracker agreement` (two coders)."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from tracker.domain.untrusted import safe_text
from tracker.domain.words import words
from tracker.ingest.agreement import AgreementReport
from tracker.ingest.suggest import Suggestion
from tracker.render.output import Column, Table, _plain, to_json

SUGGESTION_COLUMNS = [
    Column("rank", "rank"),
    Column("issue", "issue"),
    Column("party", "party"),
    Column("stance", "stance"),
    Column("attribution", "attribution"),
    Column("characters", "characters"),
    Column("quote", "sentence", shrinks=3, floor=24),
    Column("why", "found", shrinks=2, drops=1),
]


def render_suggestions(article: str, found: list[Suggestion], fmt: str, width: int | None = None) -> str:
    if fmt == "json":
        data: list[dict[str, Any]] = [{**asdict(s), "stance": s.stance.value if s.stance else None} for s in found]
        return json.dumps({"article": article, "suggestions": data}, ensure_ascii=False, indent=2) + "\n"
    records = [
        {
            "rank": n,
            "issue": s.issue,
            "party": s.party,
            "stance": s.stance.value if s.stance else "(unsure)" if s.stance_withheld else "(no cue)",
            "attribution": s.attribution,
            "characters": f"{s.start}-{s.end}",
            "quote": s.quote,
            "why": s.why,
        }
        for n, s in enumerate(found, start=1)
    ]
    caption = f"Suggestions for {article}: {len(found)} (none is coded until you code it)"
    return _plain(Table(caption, SUGGESTION_COLUMNS, records), width)


_WHERE_ASKED = {True: "in a statement both coded", False: "of the unit (its evidence taken together)"}
_NOT_GIVEN = {
    "attribution": "no attribution",
    "move": "no move named",
    "condition": "no condition",
    "speaker": "no speaker",
    "said_on": "not given (the article's date)",
}


def _answer(question: str, value: str | None) -> str:
    """A coder's answer as the table shows it: a stance in words, what is not given said so."""
    if value is None:
        return _NOT_GIVEN.get(question, "not given")
    return words(value) if question in ("stance", "presence") else value


def render_agreement(report: AgreementReport, fmt: str) -> str:
    """Every line made inert: article ids, paths, speakers' quotes and ids come from the coders' files."""
    if fmt == "json":
        return to_json(report) + "\n"
    lines = [
        f"Agreement of {report.coder_a} and {report.coder_b}",
        f"on {len(report.articles)} article(s) both coded: {', '.join(report.articles) or '(none)'}",
        f"{report.units} unit(s) (article, issue, party) coded by either; "
        f"{report.alphas[0].units_by_both if report.alphas else 0} by both",
        "",
        "Krippendorff's alpha",
    ]
    for measured in report.alphas:
        value = measured.alpha
        shown = f"{value:.3f}" if value is not None else "not defined (one value only, or no unit by both)"
        lines.append(f"  {measured.question:<12}{measured.level:<9}{shown}")
    lines += ["", f"Disagreements ({len(report.by_question)})"]
    unit: tuple[str, str, str] | None = None
    for found in report.by_question:
        if (found.article, found.issue, found.party) != unit:
            unit = (found.article, found.issue, found.party)
            lines.append(f"  {found.article}: {found.party} on {found.issue}")
        if found.question == "presence":
            lines.append(f"    coded by {'A' if found.a is not None else 'B'} only")
        else:
            lines.append(f"    {found.question.replace('_', ' ')}, {_WHERE_ASKED[found.statement]}")
        for coder, side in (("A", found.a), ("B", found.b)):
            if side is None:
                lines.append(f"      {coder}: not coded")
            else:
                answer = _answer(found.question, side.value)
                lines.append(f"      {coder}: {answer} ({', '.join(side.evidence)}) “{side.quote}”")
    return "".join(safe_text(line) + "\n" for line in lines)
