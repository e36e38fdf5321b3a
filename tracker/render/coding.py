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
            "stance": s.stance.value if s.stance else "(no cue)",
            "attribution": s.attribution,
            "characters": f"{s.start}-{s.end}",
            "quote": s.quote,
            "why": s.why,
        }
        for n, s in enumerate(found, start=1)
    ]
    caption = f"Suggestions for {article}: {len(found)} (none is coded until you code it)"
    return _plain(Table(caption, SUGGESTION_COLUMNS, records), width)


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
    for found in report.alphas:
        shown = f"{found.alpha:.3f}" if found.alpha is not None else "not defined (one value only, or no unit by both)"
        lines.append(f"  {found.question:<12}{found.level:<9}{shown}")
    lines += ["", f"Disagreements ({len(report.disagreements)})"]
    for unit in report.disagreements:
        lines.append(f"  {unit.article}: {unit.party} on {unit.issue}")
        for coder, value in (("A", unit.a), ("B", unit.b)):
            if value is None:
                lines.append(f"    {coder}: not coded")
            else:
                lines.append(
                    f"    {coder}: {words(value.stance)} ({value.attribution or 'no attribution'}, {value.mode}; "
                    f"{', '.join(value.evidence)}) “{value.quote}”"
                )
    return "".join(safe_text(line) + "\n" for line in lines)
