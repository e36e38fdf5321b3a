"""A briefing as GitHub-flavoured Markdown: headings, one table for the matrix, quotes as block quotes.

Text from articles is shown literally: control characters are made visible
(`safe_text`) and a character is escaped only where Markdown (CommonMark, GFM
tables and strikethrough, GitHub's emoji and maths) would read it as markup,
so a quote renders exactly as it was said and reads cleanly as plain text
too. Escapes show inside code spans and autolinks, so nothing untrusted is put
there escaped: ids (which cannot hold a backtick) go in code spans, a URL in an
autolink only when it is one as it stands.
"""

from __future__ import annotations

import re

from tracker.domain.catalog import role_label
from tracker.domain.dates import moment, since_phrase
from tracker.domain.untrusted import safe_text
from tracker.domain.words import with_mode, words
from tracker.read.briefing import (
    QUALIFIERS_LEGEND,
    IssueSection,
    LeftOut,
    PositionSection,
    Report,
    Source,
    change_headings,
    changes_filtered_away,
    filter_notes,
    filtered_away,
    held_back,
    left_out,
    move_words,
    moves_left_out,
    nothing_changed,
    qualifiers,
    said_by,
    scope,
    unlinked_note,
)
from tracker.read.models import EvidenceRef, conditions_shown, said_on_shown, status_shown

_ASCII_PUNCTUATION = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{0,31});")
_EMOJI = re.compile(r":(?:[a-z][a-z0-9_+-]*|\+1|-1|100|1234|8ball):")
_ORDERED = re.compile(r"[0-9]{1,9}[.)](?: |$)")
_HEADING = re.compile(r"#{1,6}(?: |$)")
_BREAK = re.compile(r"[-=_* ]+")
# A URL shown as a link: http(s), with nothing an autolink cannot hold (spaces, <, >, controls).
_URL = re.compile(r"https?://[^\s<>\x00-\x1f\x7f]+")


def _escaped(text: str, n: int, table: bool, tag_open: bool) -> bool:
    """Whether the character at `n` would be read as markup where it stands."""
    char = text[n]
    before = text[n - 1] if n else ""
    after = text[n + 1] if n + 1 < len(text) else ""
    if char == "\\":
        return after == "" or after in _ASCII_PUNCTUATION  # a backslash escapes the next character, or the markup
    if char == "`":
        return True
    if char in "*_~":  # emphasis, strikethrough; at either end the markup around the text may pair with it
        if not before or not after:
            return True
        if char == "_" and before.isalnum() and after.isalnum():
            return False  # snake_case: an underscore inside a word never emphasises
        return not (before.isspace() and after.isspace())
    if char == "[":
        return after == "^"  # a footnote
    if char == "]":
        return after in ("(", "[", ":")  # a link, a reference, a link definition
    if char == "<":
        return after.isascii() and (after.isalpha() or after in "/!?")  # a tag, a comment, an autolink
    if char == ">":
        return n == 0 or tag_open  # a block quote; the end of what would have been a tag
    if char == "&":
        return bool(_ENTITY.match(text, n))
    if char == ":":
        return bool(_EMOJI.match(text, n))
    if char == "$":  # GitHub's inline maths: $ at a non-space, closed by a $ after a non-space, not before a digit
        if not after or after.isspace():
            return False
        return any(
            text[k] == "$" and not text[k - 1].isspace() and not text[k + 1 : k + 2].isdigit()
            for k in range(n + 2, len(text))
        )
    if char == "|":
        return table
    if n == 0:  # what starts a block: a heading, a list item, a thematic break or a setext underline
        if char == "#":
            return bool(_HEADING.match(text))
        if char in "-+=":
            return after in ("", " ") or bool(_BREAK.fullmatch(text))
    if char in ".)" and text[:n].isdigit():
        return bool(_ORDERED.match(text))  # "1. " at the start: an ordered list
    return False


def md(value: object, table: bool = False) -> str:
    """Untrusted text as inline Markdown that renders as itself, on one line; `table`: inside a table's cell."""
    text = safe_text(" ".join(str(value).split()))  # line breaks and tabs become spaces, not codes
    out = []
    tag_open = False
    for n, char in enumerate(text):
        escaped = _escaped(text, n, table, tag_open)
        if char == "<" and escaped:
            tag_open = True
        elif char == ">":
            tag_open = False
        out.append("\\" + char if escaped else char)
    return "".join(out)


def url(source: Source, table: bool = False) -> str:
    """A source's URL: a link when it is an http(s) URL as it stands, else its text in a code span (shown, not
    followed); None recorded: said so."""
    if not source.url:
        return "none recorded"
    if _URL.fullmatch(source.url) and safe_text(source.url) == source.url:
        return f"<{source.url.replace('|', '%7C') if table else source.url}>"
    shown = safe_text(" ".join(source.url.split()))
    fence = "`" * (max((len(run) for run in re.findall(r"`+", shown)), default=0) + 1)
    if table:
        shown = shown.replace("|", "\\|")  # a table takes \| as its cell's pipe, even in a code span
    return f"{fence} {shown} {fence}"


def _when(value: object) -> str:
    return str(value) if value else "—"


def _quote(ref: EvidenceRef, party: str | None) -> list[str]:
    source = f"{md(said_by(ref, party))}, *{md(ref.article_title)}*, {md(said_on_shown(ref))} (`{ref.id}`"
    source += f", {words(ref.move)})" if ref.move else ")"
    if ref.kind not in (None, "sticking_point"):  # issue-level evidence that says more than "a sticking point"
        source += f": {words(ref.kind)}"
    lines = [f"> {md(ref.quote)}", ">", f"> — {source}"]
    if ref.condition:
        lines.append(f"> *on condition:* {md(ref.condition)}")
    reason = held_back(ref)
    if reason:
        lines.append(f"> *{reason}: moves nothing*")
    return [*lines, ""]


def _qualified(said: str, qualifiers: list[str]) -> str:
    return f"{said} ({'; '.join(qualifiers)})" if qualifiers else said


def _matrix(report: Report) -> list[str]:
    lines = ["## Positions", ""]
    header = ["Issue", *(md(role_label(p.name, p.role), table=True) for p in report.parties), "Status"]
    lines.append("| " + " | ".join(header) + " |")
    lines.append("|" + "|".join(" --- " for _ in header) + "|")
    qualified = False
    for row in report.matrix:
        cells = []
        for party in report.parties:
            cell = row.cells[party.id]
            said = (
                f"{words(cell.stance)} {since_phrase(cell.since, cell.since_exact)}"
                if cell.since
                else words(cell.stance)
            )
            cells.append(_qualified(said, cell.qualifiers()))
            qualified = qualified or bool(cell.qualifiers())
        title = f"↳ {md(row.title, table=True)}" if row.parent else md(row.title, table=True)
        lines.append(f"| {title} | " + " | ".join(cells) + f" | {status_shown(row.status, row.conditional)} |")
    lines.append("")
    if qualified:
        lines += [QUALIFIERS_LEGEND + ".", ""]
    return lines


def _changes(report: Report) -> list[str]:
    if report.since is None:
        return []
    lines = [f"## What changed since {report.since}", ""]
    if not report.changes and not report.issue_changes and not report.contested:
        return [*lines, md(nothing_changed(report)), ""]
    for change in change_headings(report):
        subject = md(change.issue_title)
        if change.party:
            subject = f"{md(change.party_name)} on {subject}"
        lines += [f"### {subject}: {change.before} → {change.after}", ""]
        if change.when:
            lines += [f"Status: {md(change.when)}, by the evidence below.", ""]
        for ref in change.evidence:
            lines += _quote(ref, change.party_name)
        lines += _left_out(change.left_out)
    hidden = changes_filtered_away(report)
    if hidden:
        lines += [f"*{md(hidden)}*", ""]
    return lines


def _left_out(note: LeftOut | None) -> list[str]:
    # Commands are built from ids, dates and words of the tracker's own: shown as code, as typed.
    return [f"*{md(note.what)}:* `{note.command}`", ""] if note else []


def _position(position: PositionSection, issue: str) -> list[str]:
    since = f" {since_phrase(position.since, position.since_exact)}" if position.since else ""
    contested_on = position.contested.on if position.contested else None
    heading = _qualified(
        f"{md(role_label(position.name, position.role))}: {words(position.stance)}{since}",
        qualifiers(position.basis, position.condition, contested_on),
    )
    lines = [f"#### {heading}", ""]
    if position.condition:
        lines += [f"On condition: {md(position.condition)}", ""]
    if position.contested:
        lines += [f"Contested on {position.contested.on}: evidence of equal weight disagrees:", ""]
        for ref in position.contested.evidence:
            lines += _quote(ref, position.name)
    for ref in position.evidence:
        lines += _quote(ref, position.name)
    lines += _left_out(
        left_out(
            position.evidence, position.evidence_total, f"tracker history --issue {issue} --party {position.party}"
        )
    )
    if position.moves:
        note = moves_left_out(position, issue)
        lines += [f"{md(note.what)} (all: `{note.command}`):" if note else "Moves:", ""]
        for move in position.moves:
            source = with_mode(said_by(move.evidence, position.name), move.evidence.mode)  # a recap says so
            when = md(said_on_shown(move.evidence))  # "by DATE": a recap
            lines.append(f"- {when}: {move_words(move)} (`{move.evidence.id}`, {md(source)})")
        lines.append("")
    for contradiction in position.contradictions:
        ids = ", ".join(f"`{e.id}`" for e in contradiction.evidence)
        lines += [
            f"**Contradiction** ({words(contradiction.kind)}): {md(contradiction.explanation)} ({ids})",
            "",
        ]
    return lines


def _issue(section: IssueSection, report: Report) -> list[str]:
    title = f"{md(section.title)} ({status_shown(section.status, section.conditional)})"
    lines = [f"### {title}", ""]
    if section.parent:
        lines = [f"### ↳ {title}", "", f"A sub-issue of {md(section.parent_title or section.parent)}.", ""]
    if section.conditional:
        names = {p.id: p.name for p in report.parties}
        lines += [f"Conditional: the status rests on {md(conditions_shown(section.conditional, names))}.", ""]
    lines += [f"*{md(section.proposition)}*", ""]
    hidden = filtered_away(report, section)
    if not section.positions and not section.issue_evidence and not hidden:
        lines += ["No evidence yet.", ""]
    if hidden and not section.positions:
        lines += [md(hidden), ""]
    for position in section.positions:
        lines += _position(position, section.issue)
    if hidden and section.positions:
        lines += [f"*{md(hidden)}*", ""]
    if section.issue_evidence:
        lines += ["#### Named as an issue", ""]
        for ref in section.issue_evidence:
            lines += _quote(ref, None)
        lines += _left_out(
            left_out(
                section.issue_evidence,
                section.issue_evidence_total,
                f"tracker state --as-of {report.as_of} --issue {section.issue} --format json",
            )
        )
    return lines


def _sources(report: Report) -> list[str]:
    lines = ["## Sources", "", "| Article | Outlet | Date | URL | Evidence |", "| --- | --- | --- | --- | --- |"]
    for source in report.sources:
        when = f"{source.published_on} (inferred)" if source.date_inferred else str(source.published_on)
        lines.append(
            f"| {md(source.title, table=True)} (`{source.id}`) | {md(source.outlet or '—', table=True)} | {when} "
            f"| {url(source, table=True)} | {source.evidence} |"
        )
    unlinked = unlinked_note(report)
    if unlinked:
        lines += ["", md(unlinked)]
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
    covers = scope(report)
    lines = [
        f"# {md(report.title)}" + (f" (filtered: {md(covers)})" if covers else ""),
        "",
        f"As of {report.as_of}"
        + (f", changes since {report.since}" if report.since else "")
        + (f", as recorded at {moment(report.known_at)}" if report.known_at else "")
        + f". Corpus: {corpus.articles} article(s), {corpus.evidence} piece(s) of evidence{span}.",
        "",
    ]
    notes = filter_notes(report)
    if notes:
        lines += [f"**Filtered.** {md(' '.join(notes))}", ""]
    lines += _matrix(report)
    lines += _changes(report)
    lines += ["## Issues", ""]
    for section in report.issues:
        lines += _issue(section, report)
    lines += _sources(report)
    while lines and lines[-1] == "":
        lines.pop()
    return "\n".join(lines) + "\n"
