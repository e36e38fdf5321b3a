"""Writing results: one module turns any result into table, JSON, CSV or Markdown.

The tabular formats (table, csv, md) are rendered from the same rows, so they
agree cell for cell; JSON is the result model itself. Text from articles is
untrusted: control characters, escape sequences and bidirectional overrides
are shown as visible `\\xNN`/`<U+NNNN>` codes in the text formats and as
`\\uNNNN` escapes in JSON, so nothing in a quote can drive a terminal.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel

from tracker.domain.dates import moment
from tracker.domain.untrusted import BIDI_AND_C1, safe_text
from tracker.read.models import DiffReport, EvidenceRef, HistoryReport, MoveStep, StateReport

# Inside JSON strings C0 is already escaped by `json`; the rest must be too.
_UNSAFE_IN_JSON = re.compile(f"[{BIDI_AND_C1}]")


def _json_escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def to_json(result: BaseModel | dict[str, Any]) -> str:
    data = result.model_dump(mode="json", by_alias=True) if isinstance(result, BaseModel) else result
    text = json.dumps(data, ensure_ascii=False, indent=2)
    # These characters can only occur inside strings, where \uNNNN is their exact JSON spelling.
    return _UNSAFE_IN_JSON.sub(_json_escape, text)


class Table:
    """Rows of cells with a caption: the common form of the text formats."""

    def __init__(self, caption: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        self.caption = caption
        self.columns = list(columns)
        self.rows = [["" if cell is None else safe_text(str(cell)) for cell in row] for row in rows]


def who(ref: EvidenceRef | None, party: str | None = None) -> str:
    """Who the evidence comes from: the speaker, else the party for its own statement, else the attribution."""
    if ref is None:
        return ""
    if ref.speaker:
        return f"{ref.speaker} ({ref.attribution})"
    if party and ref.attribution == "direct":
        return f"{party} ({ref.attribution})"
    return ref.attribution


def state_table(report: StateReport) -> Table:
    status = {i.issue: i.status for i in report.issues}
    caption = f"Positions as of {report.as_of}"
    if report.known_at:
        caption += f", as recorded at {moment(report.known_at)}"
    rows = []
    for p in report.positions:
        newest = p.evidence[0] if p.evidence else None
        rows.append(
            [
                p.issue,
                p.party,
                p.stance.value,
                p.since,
                len(p.evidence),
                p.basis,
                who(newest, p.party),
                newest.id if newest else "",
                p.condition,
                p.contested.on if p.contested else "",
                status[p.issue],
            ]
        )
    return Table(
        caption,
        [
            "issue",
            "party",
            "stance",
            "since",
            "evidence",
            "basis",
            "newest source",
            "newest evidence",
            "condition",
            "contested since",
            "issue status",
        ],
        rows,
    )


def path_of(moves: Sequence[MoveStep]) -> str:
    """A change's moves as read: the one move, or the path of several (`agreed → reopen → supports → ...`)."""
    if len(moves) == 1:
        return moves[0].move
    if not moves:
        return ""
    return " → ".join([moves[0].stance_from.value, *(f"{m.move} → {m.stance_to.value}" for m in moves)])


def diff_table(report: DiffReport) -> Table:
    caption = f"Changes from {report.date_from} to {report.date_to}"
    if report.known_at:
        caption += f", as recorded at {moment(report.known_at)}"
    rows = []
    for c in report.changes:
        # The evidence of the last move on the change's path: for a path of several, every move's evidence is named.
        cause = next((e for e in c.evidence if e.move not in (None, "reaffirm")), None)
        rows.append(
            [
                c.issue,
                c.party,
                c.stance_from.value,
                c.stance_to.value,
                c.since,
                path_of(c.moves) + (f" (contested since {c.contested.on})" if c.contested else ""),
                who(cause, c.party),
                ", ".join(e for m in c.moves for e in m.evidence) or (cause.id if cause else ""),
                cause.quote if cause else "",
            ]
        )
    for contested in report.contested:
        first = contested.contested.evidence[0] if contested.contested.evidence else None
        rows.append(
            [
                contested.issue,
                contested.party,
                contested.stance.value,
                contested.stance.value,
                contested.contested.on,
                "contested",
                who(first, contested.party),
                ", ".join(e.id for e in contested.contested.evidence),
                first.quote if first else "",
            ]
        )
    for change in report.issue_changes:
        named = change.evidence[0] if change.evidence else None
        rows.append(
            [
                change.issue,
                "(issue status)",
                change.status_from,
                change.status_to,
                named.date if named else "",
                "",
                who(named),
                named.id if named else "",
                named.quote if named else "",
            ]
        )
    return Table(caption, ["issue", "party", "from", "to", "since", "move", "source", "evidence", "quote"], rows)


def history_table(report: HistoryReport) -> Table:
    caption = "Moves over time"
    if report.known_at:
        caption += f", as recorded at {moment(report.known_at)}"
    rows: list[list[Any]] = []
    issue_rows: dict[str, list[list[Any]]] = defaultdict(list)
    for history in report.issues:
        events: list[tuple[Any, int, list[Any]]] = [
            (s.date, 1, [s.date, "status", s.status_from, s.status_to, "", "", "", ""]) for s in history.statuses
        ]
        events += [(e.date, 0, [e.date, "named", "", "", who(e), e.id, e.article, e.quote]) for e in history.evidence]
        issue_rows[history.issue] = [[history.issue, "(issue)", *row] for _, _, row in sorted(events, key=_by_day)]
    shown: set[str] = set()
    for m in report.moves:
        if m.issue not in shown:
            rows.extend(issue_rows.pop(m.issue, []))
            shown.add(m.issue)
        rows.append(
            [
                m.issue,
                m.party,
                m.date,
                m.move or f"({m.not_applied or m.evidence.mode}: {m.evidence.stance}, not applied)",
                m.stance_from.value,
                m.stance_to.value,
                who(m.evidence, m.party),
                m.evidence.id,
                m.evidence.article,
                m.evidence.quote,
            ]
        )
    for remaining in issue_rows.values():
        rows.extend(remaining)
    return Table(
        caption, ["issue", "party", "date", "move", "from", "to", "source", "evidence", "article", "quote"], rows
    )


def _by_day(event: tuple[Any, int, list[Any]]) -> tuple[Any, int]:
    return event[0], event[1]


def _plain(table: Table) -> str:
    widths = [len(c) for c in table.columns]
    for row in table.rows:
        widths = [max(w, len(cell)) for w, cell in zip(widths, row, strict=True)]
    lines = [table.caption, ""]
    lines.append("  ".join(c.ljust(w) for c, w in zip(table.columns, widths, strict=True)).rstrip())
    lines.append("  ".join("-" * w for w in widths))
    for row in table.rows:
        lines.append("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    if not table.rows:
        lines.append("(none)")
    return "\n".join(lines) + "\n"


def _inert_in_spreadsheets(cell: str) -> str:
    """A cell a spreadsheet would read as a formula (=, +, -, @ first) is prefixed with ' (OWASP CSV injection)."""
    return "'" + cell if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell


def _csv(table: Table) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(table.columns)
    writer.writerows([_inert_in_spreadsheets(cell) for cell in row] for row in table.rows)
    return out.getvalue()


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#~])")


def _md_cell(cell: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", cell)


def _markdown(table: Table) -> str:
    lines = [f"## {_md_cell(table.caption)}", ""]
    lines.append("| " + " | ".join(_md_cell(c) for c in table.columns) + " |")
    lines.append("|" + "|".join(" --- " for _ in table.columns) + "|")
    for row in table.rows:
        lines.append("| " + " | ".join(_md_cell(c) for c in row) + " |")
    if not table.rows:
        lines.append("")
        lines.append("_(none)_")
    return "\n".join(lines) + "\n"


def render(result: StateReport | DiffReport | HistoryReport, fmt: str) -> str:
    if fmt == "json":
        return to_json(result) + "\n"
    if isinstance(result, StateReport):
        table = state_table(result)
    elif isinstance(result, DiffReport):
        table = diff_table(result)
    else:
        table = history_table(result)
    if fmt == "csv":
        return _csv(table)
    if fmt == "md":
        return _markdown(table)
    return _plain(table)
