"""A briefing as GitHub-flavoured Markdown: headings, one table for the matrix, quotes as block quotes.

Text from articles is shown literally: control characters are made visible
(`safe_text`) and every character Markdown would read as markup is escaped,
so a quote renders exactly as it was said, on GitHub and through pandoc.
"""

from __future__ import annotations

import re
from datetime import date

from tracker.domain.dates import moment
from tracker.domain.untrusted import safe_text
from tracker.read.briefing import (
    QUALIFIERS_LEGEND,
    IssueSection,
    LeftOut,
    PositionSection,
    Report,
    change_headings,
    left_out,
    moves_left_out,
    qualifiers,
)
from tracker.read.models import EvidenceRef
from tracker.render.output import who

# Every character CommonMark (and GitHub's emoji shortcodes, pandoc's gfm reader) could read as markup;
# a backslash before ASCII punctuation always renders as the character itself.
_SPECIAL = re.compile(r"([\\`*_\[\]<>|#~!$&:^])")
_LINE_START = re.compile(r"^([-+=])|^(\d+)([.)])")


def md(value: object) -> str:
    """Untrusted text as inline Markdown that renders as itself, on one line."""
    text = safe_text(" ".join(str(value).split()))  # line breaks and tabs become spaces, not codes
    text = _SPECIAL.sub(r"\\\1", text)
    # A list marker at the start: escape the punctuation ("1\." renders "1."; "\1." would show the backslash).
    return _LINE_START.sub(lambda m: "\\" + m.group(1) if m.group(1) else m.group(2) + "\\" + m.group(3), text)


def _when(value: object) -> str:
    return str(value) if value else "—"


def _quote(ref: EvidenceRef, party: str | None) -> list[str]:
    source = f"{md(who(ref, party))}, *{md(ref.article_title)}*, {ref.date.isoformat()} (`{ref.id}`"
    source += f", {ref.move})" if ref.move else ")"
    lines = [f"> {md(ref.quote)}", ">", f"> — {source}"]
    if ref.condition:
        lines.append(f"> *on condition:* {md(ref.condition)}")
    if ref.not_applied or ref.mode != "asserted":
        lines.append(f"> *{ref.not_applied or ref.mode}: moves nothing*")
    return [*lines, ""]


def _qualified(words: str, qualifiers: list[str]) -> str:
    return f"{words} ({'; '.join(qualifiers)})" if qualifiers else words


def _matrix(report: Report) -> list[str]:
    lines = ["## Positions", ""]
    header = ["Issue", *(md(p.name) for p in report.parties), "Status"]
    lines.append("| " + " | ".join(header) + " |")
    lines.append("|" + "|".join(" --- " for _ in header) + "|")
    qualified = False
    for row in report.matrix:
        cells = []
        for party in report.parties:
            cell = row.cells[party.id]
            words = f"{cell.stance.value} since {cell.since}" if cell.since else cell.stance.value
            cells.append(_qualified(words, cell.qualifiers()))
            qualified = qualified or bool(cell.qualifiers())
        title = f"↳ {md(row.title)}" if row.parent else md(row.title)
        lines.append(f"| {title} | " + " | ".join(cells) + f" | {row.status.replace('_', ' ')} |")
    lines.append("")
    if qualified:
        lines += [QUALIFIERS_LEGEND + ".", ""]
    return lines


def _changes(report: Report) -> list[str]:
    if report.since is None:
        return []
    lines = [f"## What changed since {report.since}", ""]
    if not report.changes and not report.issue_changes:
        return [*lines, "Nothing changed.", ""]
    for change in change_headings(report):
        subject = md(change.issue_title)
        if change.party:
            subject = f"{md(change.party_name)} on {subject}"
        lines += [f"### {subject}: {change.before} → {change.after}", ""]
        for ref in change.evidence:
            lines += _quote(ref, change.party)
        lines += _left_out(change.left_out)
    return lines


def _left_out(note: LeftOut | None) -> list[str]:
    # Commands are built from ids, dates and words of the tracker's own: shown as code, as typed.
    return [f"*{md(note.what)}:* `{note.command}`", ""] if note else []


def _position(position: PositionSection, issue: str) -> list[str]:
    since = f" since {position.since}" if position.since else ""
    contested_on = position.contested.on if position.contested else None
    heading = _qualified(
        f"{md(position.name)}: {position.stance.value}{since}",
        qualifiers(position.basis, position.condition, contested_on),
    )
    lines = [f"#### {heading}", ""]
    if position.condition:
        lines += [f"On condition: {md(position.condition)}", ""]
    if position.contested:
        lines += [f"Contested on {position.contested.on}: evidence of equal weight disagrees:", ""]
        for ref in position.contested.evidence:
            lines += _quote(ref, position.party)
    for ref in position.evidence:
        lines += _quote(ref, position.party)
    lines += _left_out(
        left_out(
            position.evidence, position.evidence_total, f"tracker history --issue {issue} --party {position.party}"
        )
    )
    if position.moves:
        note = moves_left_out(position, issue)
        lines += [f"{md(note.what)} (all: `{note.command}`):" if note else "Moves:", ""]
        for move in position.moves:
            what = move.move or f"({move.not_applied or move.evidence.mode}, moves nothing)"
            lines.append(
                f"- {move.date}: {what}, {move.stance_from.value} → {move.stance_to.value} "
                f"(`{move.evidence.id}`, {md(who(move.evidence, position.party))})"
            )
        lines.append("")
    for contradiction in position.contradictions:
        ids = ", ".join(f"`{e.id}`" for e in contradiction.evidence)
        lines += [
            f"**Contradiction** ({contradiction.kind.replace('_', ' ')}): {md(contradiction.explanation)} ({ids})",
            "",
        ]
    return lines


def _issue(section: IssueSection, as_of: date) -> list[str]:
    title = f"{md(section.title)} ({section.status.replace('_', ' ')})"
    lines = [f"### {title}", ""]
    if section.parent:
        lines = [f"### ↳ {title}", "", f"A sub-issue of `{section.parent}`.", ""]
    lines += [f"*{md(section.proposition)}*", ""]
    if not section.positions and not section.issue_evidence:
        lines += ["No evidence yet.", ""]
    for position in section.positions:
        lines += _position(position, section.issue)
    if section.issue_evidence:
        lines += ["#### Named as an issue", ""]
        for ref in section.issue_evidence:
            lines += _quote(ref, None)
        lines += _left_out(
            left_out(
                section.issue_evidence,
                section.issue_evidence_total,
                f"tracker state --as-of {as_of} --issue {section.issue} --format json",
            )
        )
    return lines


def _sources(report: Report) -> list[str]:
    lines = ["## Sources", "", "| Article | Outlet | Date | Evidence |", "| --- | --- | --- | --- |"]
    for source in report.sources:
        date = f"{source.published_on} (inferred)" if source.date_inferred else str(source.published_on)
        lines.append(
            f"| {md(source.title)} (`{source.id}`) | {md(source.outlet or '—')} | {date} | {source.evidence} |"
        )
    if report.sources_not_cited:
        lines += ["", f"The corpus's {report.sources_not_cited} other article(s) are not cited here."]
    notes = [s for s in report.sources if s.date_inferred and s.date_evidence]
    if notes:
        lines += ["", "Inferred dates:", ""]
        lines += [f"- `{s.id}`: {md(s.date_evidence)}" for s in notes]
    return [*lines, ""]


def render_markdown(report: Report) -> str:
    corpus = report.corpus
    span = f", said {_when(corpus.first_said_on)} to {_when(corpus.last_said_on)}" if corpus.evidence else ""
    lines = [
        f"# {md(report.title)}",
        "",
        f"As of {report.as_of}"
        + (f", changes since {report.since}" if report.since else "")
        + (f", as recorded at {moment(report.known_at)}" if report.known_at else "")
        + f". Corpus: {corpus.articles} article(s), {corpus.evidence} piece(s) of evidence{span}.",
        "",
    ]
    lines += _matrix(report)
    lines += _changes(report)
    lines += ["## Issues", ""]
    for section in report.issues:
        lines += _issue(section, report.as_of)
    lines += _sources(report)
    while lines and lines[-1] == "":
        lines.pop()
    return "\n".join(lines) + "\n"
