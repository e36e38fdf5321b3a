"""Writing results: one module turns any result into table, JSON, CSV or Markdown.

The tabular formats (table, csv, md) are rendered from the same records, so
they agree value for value: CSV gives one field per value under snake_case
headers; the text table fits a width by cutting free text (never an id, a
date or a stance) with `…`, then by leaving out a column another one stands
for (its caption says which), and where its ids, dates and stances still do
not fit, it shows each row as a block of `field: value` lines, every value
whole. JSON is the result model itself. Text from articles is untrusted:
control characters, escape sequences and bidirectional overrides are shown
as visible `\\xNN`/`<U+NNNN>` codes in the text formats and as `\\uNNNN`
escapes in JSON, so nothing in a quote can drive a terminal.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from tracker.domain.catalog import role_label
from tracker.domain.dates import moment, since_words
from tracker.domain.untrusted import BIDI_AND_C1, safe_text
from tracker.domain.words import with_mode, words
from tracker.read.models import (
    DiffReport,
    EvidenceRef,
    HistoryReport,
    IngestLog,
    MoveStep,
    StateReport,
    conditions_shown,
    said_on_shown,
)

# Inside JSON strings C0 is already escaped by `json`; the rest must be too.
_UNSAFE_IN_JSON = re.compile(f"[{BIDI_AND_C1}]")


def _json_escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def to_json(result: BaseModel | dict[str, Any]) -> str:
    data = result.model_dump(mode="json", by_alias=True) if isinstance(result, BaseModel) else result
    text = json.dumps(data, ensure_ascii=False, indent=2)
    # These characters can only occur inside strings, where \uNNNN is their exact JSON spelling.
    return _UNSAFE_IN_JSON.sub(_json_escape, text)


@dataclass(frozen=True)
class Column:
    """A column of a table: its CSV name (snake_case, one value each) and, unless `csv_only`, its header in the
    text and Markdown tables; `shrinks` > 0 for the free text a table narrows (the higher, the sooner) to fit its
    width, which never cuts an id, a date or a stance; `drops` > 0 for a column another one stands for (a source
    the evidence id names), which a table too narrow for it leaves out, saying so in its caption."""

    key: str
    header: str = ""
    shrinks: int = 0
    csv_only: bool = False  # a value the table shows inside another column (`source` holds speaker and attribution)
    table_only: bool = False  # a column made for reading from values CSV gives one by one
    floor: int = 12  # a free-text column is never cut below this (nor below its header)
    drops: int = 0  # > 0: left out of a text table too narrow for it (the higher, the sooner); CSV and JSON keep it
    in_caption: bool = False  # when every record has the same value, the text table says it once, in its caption
    wraps: bool = False  # a list of ids: to fit, a cell goes on over more lines, broken between ids, never cut


class Table:
    """Records with a caption: what every tabular format is rendered from."""

    def __init__(self, caption: str, columns: Sequence[Column], records: Sequence[dict[str, Any]]) -> None:
        self.caption = caption
        self.columns = list(columns)
        self.records = [
            {key: "" if value is None else safe_text(str(value)) for key, value in record.items()} for record in records
        ]

        self.left_out: set[str] = set()  # columns a narrow text table leaves out, or that no record fills
        self.stacked = False  # too narrow for a table: each record a block of `field: value` lines

    def shown(self) -> list[Column]:
        return [c for c in self.columns if not c.csv_only and c.key not in self.left_out]

    def cells(self) -> list[list[str]]:
        return [[record.get(c.key, "") for c in self.shown()] for record in self.records]

    def fit(self, width: int | None) -> list[int]:
        """Fit the text table to `width` (None: lines whole): columns no record fills are left out; then, while
        it is too wide, the columns another one stands for (`drops`), which the caption names with the width that
        shows them; then the free text is cut (`fitted_widths`). Where the ids, dates and stances alone are wider
        than `width`, nothing is left out or cut: the table is `stacked`, and its caption gives the width of a table."""
        if self.records:
            self.left_out = {c.key for c in self.columns if not any(r.get(c.key) for r in self.records)}
            for column in self.columns:
                values = {r.get(column.key, "") for r in self.records}
                if column.in_caption and len(values) == 1:
                    self.left_out.add(column.key)
                    self.caption += f" · {column.header}: {values.pop()}"
        if width is None or _narrowest(self) <= width:
            return fitted_widths(self, width)
        if not self.records:  # its headers alone are wider: the caption says there is nothing
            self.stacked = True
            return []
        whole = _narrowest(self)
        kept = set(self.left_out)
        dropped = []
        for column in sorted((c for c in self.shown() if c.drops), key=lambda c: -c.drops):
            self.left_out.add(column.key)
            dropped.append(column.header)
            if _narrowest(self) <= width:
                them = "it" if len(dropped) == 1 else "them"
                self.caption += f" · left out to fit: {', '.join(dropped)} (--width {whole} shows {them})"
                return fitted_widths(self, width)
        self.stacked = True
        self.caption += f" · a block per row (a table needs --width {_narrowest(self)})"
        self.left_out = kept
        return []


def named_as(kind: str | None) -> str:
    """What issue-level evidence's row says it did: named the issue (a sticking point), or what else its kind says."""
    return "named" if kind in (None, "sticking_point") else f"named: {words(kind)}"


def who(ref: EvidenceRef | None, party: str | None = None) -> str:
    """Who the evidence comes from: the speaker, else the party for its own statement, else the attribution."""
    if ref is None:
        return ""
    if ref.speaker:
        return f"{ref.speaker} ({ref.attribution})"
    if party and ref.attribution == "direct":
        return f"{party} ({ref.attribution})"
    return ref.attribution


def _source(ref: EvidenceRef | None, party: str | None, prefix: str = "") -> dict[str, Any]:
    """Who a piece of evidence comes from, as the table shows it and as CSV gives it (speaker, attribution)."""
    return {
        f"{prefix}source": who(ref, party),
        f"{prefix}speaker": ref.speaker if ref else None,
        f"{prefix}attribution": ref.attribution if ref else None,
    }


def state_table(report: StateReport) -> Table:
    status = {i.issue: i.status for i in report.issues}
    conditional = {i.issue: i.conditional for i in report.issues}
    caption = f"Positions as of {report.as_of}"
    if report.known_at:
        caption += f", as recorded at {moment(report.known_at)}"
    records = []
    for p in report.positions:
        newest = p.evidence[0] if p.evidence else None
        records.append(
            {
                "issue": p.issue,
                "party": p.party,
                "party_shown": role_label(p.party, p.role),
                "stance": p.stance.value,
                "since": p.since,
                "since_shown": since_words(p.since, p.since_exact),
                "evidence": p.evidence_total,
                "basis": p.basis,
                **_source(newest, p.party, "newest_"),
                "newest_evidence": newest.id if newest else "",
                "condition": p.condition,
                "contested_since": p.contested.on if p.contested else "",
                "issue_status": status[p.issue],
                # "converging (conditional)": the status rests on a stance held on a condition (CSV: plain)
                "issue_status_shown": f"{status[p.issue]} (conditional)" if conditional[p.issue] else status[p.issue],
                "issue_conditional": conditions_shown(conditional[p.issue]),
            }
        )
    columns = [
        Column("issue", "issue", in_caption=True),
        Column("party_shown", "party", in_caption=True, table_only=True),  # a mediator's marked `(mediator)`
        Column("party", csv_only=True),
        Column("stance", "stance"),
        Column("since_shown", "since", table_only=True),  # "by DATE": held by then, entered on a recap's word
        Column("since", csv_only=True),
        Column("evidence", "evidence"),
        Column("basis", "basis"),
        Column("newest_source", "newest source", shrinks=2, table_only=True, drops=1),  # `newest evidence` names it
        Column("newest_speaker", csv_only=True),
        Column("newest_attribution", csv_only=True),
        Column("newest_evidence", "newest evidence"),
        Column("condition", "condition", shrinks=3),
        Column("contested_since", "contested since"),
        Column("issue_status_shown", "issue status", table_only=True),
        Column("issue_status", csv_only=True),
        Column("issue_conditional", csv_only=True),  # the conditions the status rests on, "party: condition; ..."
    ]
    return Table(caption, columns, records)


def path_of(moves: Sequence[MoveStep]) -> str:
    """A change's moves as read: the one move, or the path of several (`agreed → reopen → supports → ...`)."""
    if len(moves) == 1:
        return moves[0].move
    if not moves:
        return ""
    return " → ".join([moves[0].stance_from.value, *(f"{m.move} → {m.stance_to.value}" for m in moves)])


DIFF_COLUMNS = [
    Column("issue", "issue", in_caption=True),
    Column("party_shown", "party", in_caption=True, table_only=True),  # a mediator's marked `(mediator)`
    Column("party", csv_only=True),
    Column("kind", csv_only=True),  # position, contested or issue_status: what the row says changed
    Column("from", "from"),
    Column("to", "to"),
    Column("since_shown", "since", table_only=True),  # "by DATE": a recap entered the stance
    Column("since", csv_only=True),
    Column("since_exact", csv_only=True),
    Column("move", "move", shrinks=1, floor=15),
    Column("source", "source", shrinks=2, table_only=True, drops=1),  # `evidence` names it
    Column("speaker", csv_only=True),
    Column("attribution", csv_only=True),
    Column("evidence", "evidence", wraps=True),
    Column("quote", "quote", shrinks=3, floor=20),
]


def diff_table(report: DiffReport) -> Table:
    caption = f"Changes from {report.date_from} to {report.date_to}"
    if report.known_at:
        caption += f", as recorded at {moment(report.known_at)}"
    on_page = len(report.changes) + len(report.contested) + len(report.issue_changes)
    if on_page < report.changes_total:  # a page: say which, and how to see the rest
        caption += (
            f" · changes {report.offset + 1}-{report.offset + on_page} of {report.changes_total} (--all: every one)"
            if on_page
            else f" · none from change {report.offset + 1}: there are {report.changes_total}"
        )
    records = []
    for c in report.changes:
        # The evidence of the last move on the change's path: for a path of several, every move's evidence is named.
        cause = next((e for e in c.evidence if e.move not in (None, "reaffirm")), None)
        records.append(
            {
                "issue": c.issue,
                "party": c.party,
                "party_shown": role_label(c.party, c.role),
                "kind": "position",
                "from": c.stance_from.value,
                "to": c.stance_to.value,
                "since": c.since,
                "since_shown": since_words(c.since, c.since_exact),
                "since_exact": c.since_exact,
                "move": path_of(c.moves) + (f" (contested since {c.contested.on})" if c.contested else ""),
                **_source(cause, c.party),
                "evidence": ", ".join(e for m in c.moves for e in m.evidence) or (cause.id if cause else ""),
                "quote": cause.quote if cause else "",
            }
        )
    for contested in report.contested:
        first = contested.contested.evidence[0] if contested.contested.evidence else None
        records.append(
            {
                "issue": contested.issue,
                "party": contested.party,
                "party_shown": contested.party,
                "kind": "contested",
                "from": contested.stance.value,
                "to": contested.stance.value,
                "since": contested.contested.on,
                "since_shown": contested.contested.on,
                "move": "contested",
                **_source(first, contested.party),
                "evidence": ", ".join(e.id for e in contested.contested.evidence),
                "quote": first.quote if first else "",
            }
        )
    for change in report.issue_changes:
        # The day of its last status change and the evidence that made it (as `history` shows the change).
        last = change.steps[-1] if change.steps else None
        made = last.evidence if last else []
        named = made[0] if made else None
        records.append(
            {
                "issue": change.issue,
                "party": "",
                "party_shown": "(issue status)",  # CSV leaves the party empty and says `issue_status`
                "kind": "issue_status",
                "from": change.status_from,
                "to": change.status_to,
                "since": last.date if last else "",
                "since_shown": last.date if last else "",
                "move": "",
                **_source(named, None),
                "evidence": ", ".join(e.id for e in made),
                "quote": named.quote if named else "",
            }
        )
    return Table(caption, DIFF_COLUMNS, records)


HISTORY_COLUMNS = [
    Column("issue", "issue", in_caption=True),
    Column("party_shown", "party", in_caption=True, table_only=True),  # a mediator's marked `(mediator)`
    Column("party", csv_only=True),
    Column("kind", csv_only=True),  # move (a position's), named (issue-level evidence) or status (an issue's)
    Column("date_shown", "date", table_only=True),  # "by DATE" for a recap, an EDTF span as written
    Column("date", csv_only=True),
    Column("said_on", csv_only=True),  # as written, where it is not the plain day (an EDTF span)
    Column("move", "move", shrinks=1, floor=15),
    Column("from", "from", drops=2),  # the row before says it
    Column("to", "to"),
    Column("source", "source", shrinks=2, table_only=True, drops=1),
    Column("speaker", csv_only=True),
    Column("attribution", csv_only=True),
    Column("mode", csv_only=True),  # asserted, background, hypothetical...: the table says it beside the move
    Column("evidence", "evidence", wraps=True),
    Column("article", "article", shrinks=2, drops=3),  # the evidence id names it (`tracker show ID`)
    Column("quote", "quote", shrinks=3, floor=20),
]


def history_table(report: HistoryReport) -> Table:
    caption = "Moves over time"
    if report.known_at:
        caption += f", as recorded at {moment(report.known_at)}"
    records: list[dict[str, Any]] = []
    issue_records: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for history in report.issues:
        events: list[tuple[Any, int, dict[str, Any]]] = [
            (
                s.date,
                1,
                {"kind": "status", "date": s.date, "date_shown": s.date, "move": "status"}
                | {"from": s.status_from, "to": s.status_to}
                | {"evidence": ", ".join(e.id for e in s.evidence)},
            )
            for s in history.statuses
        ]
        events += [
            (
                e.date,
                0,
                {"kind": "named", "date": e.date, "date_shown": said_on_shown(e), "said_on": e.said_on_written}
                | {**_source(e, None), "evidence": e.id}
                | {"move": with_mode(named_as(e.kind), e.mode), "mode": e.mode, "article": e.article, "quote": e.quote},
            )
            for e in history.evidence
        ]
        issue_records[history.issue] = [
            {"issue": history.issue, "party": "", "party_shown": "(issue)", **record}
            for _, _, record in sorted(events, key=_by_day)
        ]
    shown: set[str] = set()
    for m in report.moves:
        if m.issue not in shown:
            records.extend(issue_records.pop(m.issue, []))
            shown.add(m.issue)
        records.append(
            {
                "issue": m.issue,
                "party": m.party,
                "party_shown": role_label(m.party, m.role),
                "kind": "move",
                "date": m.date,
                "date_shown": said_on_shown(m.evidence),
                "said_on": m.evidence.said_on_written,
                # A recap that moved or restated the stance says so where the source column is left out too.
                "move": with_mode(m.move, m.evidence.mode)
                if m.move
                else f"({m.not_applied or m.evidence.mode}: {m.evidence.stance}, not applied)",
                "from": m.stance_from.value,
                "to": m.stance_to.value,
                **_source(m.evidence, m.party),
                "mode": m.evidence.mode,
                "evidence": m.evidence.id,
                "article": m.evidence.article,
                "quote": m.evidence.quote,
            }
        )
    for remaining in issue_records.values():
        records.extend(remaining)
    return Table(caption, HISTORY_COLUMNS, records)


LOG_COLUMNS = [
    Column("recorded_at", "recorded at"),
    Column("articles_added", "articles added"),
    Column("articles_superseded", "superseded"),
    Column("evidence_added", "evidence added"),
    Column("evidence_edited", "edited"),
    Column("evidence_removed", "removed"),
    Column("positions_replayed", "positions replayed"),
    Column("seeds", "from", shrinks=2),
    Column("fixtures", "fixtures", shrinks=1, drops=1),
]


def log_table(log: IngestLog) -> Table:
    records = []
    for ingest in log.ingests:
        record: dict[str, Any] = ingest.model_dump()
        record["recorded_at"] = ingest.recorded_at.isoformat().replace("+00:00", "Z")
        if ingest.fixtures == ingest.seeds:
            record["fixtures"] = ""  # a feed: both are the feed
        records.append(record)
    return Table("Ingests (each recorded time is a --known-at)", LOG_COLUMNS, records)


def _by_day(event: tuple[Any, int, dict[str, Any]]) -> tuple[Any, int]:
    return event[0], event[1]


ELLIPSIS = "…"
GAP = 2  # the spaces between two columns of a text table


def text_width(text: str) -> int:
    """The columns `text` takes in a terminal: two for a wide (East Asian) character, none for a combining one."""
    if text.isascii():
        return len(text)
    return sum(_cells_of(ch) for ch in text)


def _cells_of(ch: str) -> int:
    if unicodedata.combining(ch):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def _natural(table: Table) -> list[int]:
    widths = [text_width(c.header) for c in table.shown()]
    for row in table.cells():
        widths = [max(w, text_width(cell)) for w, cell in zip(widths, row, strict=True)]
    return widths


def _floor(table: Table, column: Column, natural: int) -> int:
    """The narrowest a column may be: its widest cell for an id, a date or a stance; its widest id for a list of
    them (`wraps`); for free text its floor."""
    if column.wraps:
        ids = [word for r in table.records for word in r.get(column.key, "").split(" ")]
        return max([text_width(column.header), *map(text_width, ids)])
    return min(natural, max(column.floor, text_width(column.header))) if column.shrinks else natural


def _narrowest(table: Table) -> int:
    """The width of the text table with every free-text column cut as far as it may be."""
    cut = [_floor(table, c, w) for c, w in zip(table.shown(), _natural(table), strict=True)]
    return sum(cut) + GAP * (len(cut) - 1)


def fitted_widths(table: Table, width: int | None) -> list[int]:
    """Each shown column's width: its widest cell, or, to fit `width` (None: no limit), narrower for the free
    text: the columns that fit in an even share of what is left keep their width, the rest share it (never below
    each column's floor); ids, dates and stances are never cut."""
    columns = table.shown()
    widths = _natural(table)
    if width is None or sum(widths) + GAP * (len(widths) - 1) <= width:
        return widths
    free = [n for n, c in enumerate(columns) if c.shrinks or c.wraps]
    budget = width - GAP * (len(widths) - 1) - sum(w for n, w in enumerate(widths) if n not in free)
    floors = {n: _floor(table, columns[n], widths[n]) for n in free}

    def at(level: int) -> dict[int, int]:
        return {n: min(widths[n], max(floors[n], level)) for n in free}

    low, high = 0, max(widths)  # the highest level whose shares fit the budget
    while low < high:
        middle = (low + high + 1) // 2
        low, high = (middle, high) if sum(at(middle).values()) <= budget else (low, middle - 1)
    shares = at(low)
    for n in free:  # a list of ids takes no more than its widest line of whole ids
        if columns[n].wraps:
            cut = [wrapped(row[n], shares[n]) for row in table.cells()]
            shares[n] = max([floors[n], *(text_width(line) for lines in cut for line in lines)])
    left = budget - sum(shares.values())
    text = sorted((n for n in free if not columns[n].wraps), key=lambda n: -widths[n])
    while left > 0 and any(shares[n] < widths[n] for n in text):
        for n in text:  # what an even share leaves goes to the widest text
            if left > 0 and shares[n] < widths[n]:
                shares[n] += 1
                left -= 1
    return [shares.get(n, w) for n, w in enumerate(widths)]


def _cut(cell: str, width: int) -> str:
    """`cell` in at most `width` columns: whole, or cut with `…`."""
    if text_width(cell) <= width:
        return cell
    kept, used = [], 0
    for ch in cell:
        used += _cells_of(ch)
        if used > width - 1:
            break
        kept.append(ch)
    return "".join(kept) + ELLIPSIS


def _pad(cell: str, width: int) -> str:
    return cell + " " * (width - text_width(cell))


_OPTION = re.compile(r"\(?--[a-z][a-z-]*")  # `--width`, as a caption names it


def wrapped(text: str, width: int) -> list[str]:
    """`text` in lines of at most `width` columns, broken at spaces but never between an option and its value
    (`--width 120`); a word longer than a line (a long id) is broken inside it, after a hyphen or an underscore
    where it can be, and nothing of it is left out."""
    words: list[str] = []
    for word in text.split(" "):
        if words and _OPTION.fullmatch(words[-1]):
            words[-1] += f" {word}"
        else:
            words.append(word)
    lines: list[str] = []
    line = ""
    for word in words:
        joined = f"{line} {word}" if line else word
        if text_width(joined) <= width:
            line = joined
            continue
        if line:
            lines.append(line)
        while text_width(word) > width:
            head = _cut(word, width + 1)[:-1]  # as much as fits
            breaks = [i + 1 for i, ch in enumerate(head[:-1]) if ch in "-_,/"]
            head = head[: breaks[-1]] if breaks else head or word[0]
            lines.append(head)
            word = word[len(head) :]
        line = word
    lines.append(line)
    return lines


def _caption(table: Table, width: int | None) -> list[str]:
    """The caption in lines of at most `width`: a part (` · ` before it) that does not fit goes on the next line."""
    if width is None:
        return [table.caption]
    first, *parts = table.caption.split(" · ")
    lines = [first]
    for part in parts:
        joined = f"{lines[-1]} · {part}"
        lines[-1:] = [joined] if text_width(joined) <= width else [lines[-1], f"· {part}"]
    return [short for line in lines for short in wrapped(line, width)]


def _stacked(table: Table, width: int) -> list[str]:
    """Each record as a block of `field: value` lines under a `-[ RECORD n ]` rule, every value whole, wrapped
    within `width` beside its field (psql's expanded display)."""
    columns = table.shown()
    label = max((text_width(c.header) for c in columns), default=0) + 2
    room = width - label
    blocks = []
    for record in table.records:
        lines = []
        for column in columns:
            value = record.get(column.key, "")
            if value:
                first, *more = wrapped(value, room)
                lines.append(_pad(f"{column.header}:", label) + first)
                lines += [" " * label + rest for rest in more]
        blocks.append(lines)
    rule = min(width, max((text_width(line) for lines in blocks for line in lines), default=0))
    shown = []
    for number, lines in enumerate(blocks, start=1):
        head = f"-[ RECORD {number} ]"
        shown.append(head + "-" * (rule - text_width(head)))
        shown += lines
    return shown


def _plain(table: Table, width: int | None = None) -> str:
    widths = table.fit(width)
    if table.stacked and width is not None:
        lines = [*_caption(table, width), "", *_stacked(table, width)]
    else:
        columns = table.shown()
        lines = [*_caption(table, width), ""]
        lines.append((" " * GAP).join(_pad(c.header, w) for c, w in zip(columns, widths, strict=True)).rstrip())
        lines.append((" " * GAP).join("-" * w for w in widths))
        for row in table.cells():
            shown = [
                wrapped(cell, w) if c.wraps else [_cut(cell, w)]
                for c, cell, w in zip(columns, row, widths, strict=True)
            ]
            for n in range(max(map(len, shown))):
                line = (" " * GAP).join(
                    _pad(cell[n] if n < len(cell) else "", w) for cell, w in zip(shown, widths, strict=True)
                )
                lines.append(line.rstrip())
    if not table.records:
        lines.append("(none)")
    return "\n".join(lines) + "\n"


def _inert_in_spreadsheets(cell: str) -> str:
    """A cell a spreadsheet would read as a formula (=, +, -, @ first) is prefixed with ' (OWASP CSV injection)."""
    return "'" + cell if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell


def _csv(table: Table) -> str:
    """One field per value, snake_case headers: a speaker and an attribution apart, an issue's status change with
    its `kind` and no party."""
    columns = [c for c in table.columns if not c.table_only]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([c.key for c in columns])
    for record in table.records:
        values = [record.get(c.key, "") for c in columns]
        if record.get("kind") in ("issue_status", "status", "named"):
            values = ["" if c.key == "party" else v for c, v in zip(columns, values, strict=True)]
        writer.writerow([_inert_in_spreadsheets(value) for value in values])
    return out.getvalue()


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#~])")


def _md_cell(cell: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", cell)


def _markdown(table: Table) -> str:
    columns = table.shown()
    lines = [f"## {_md_cell(table.caption)}", ""]
    lines.append("| " + " | ".join(_md_cell(c.header) for c in columns) + " |")
    lines.append("|" + "|".join(" --- " for _ in columns) + "|")
    for row in table.cells():
        lines.append("| " + " | ".join(_md_cell(c) for c in row) + " |")
    if not table.records:
        lines.append("")
        lines.append("_(none)_")
    return "\n".join(lines) + "\n"


def render(result: StateReport | DiffReport | HistoryReport | IngestLog, fmt: str, width: int | None = None) -> str:
    """`result` as `fmt`; a text table fitted to `width` columns (None: every line whole)."""
    if fmt == "json":
        return to_json(result) + "\n"
    if isinstance(result, StateReport):
        table = state_table(result)
    elif isinstance(result, DiffReport):
        table = diff_table(result)
    elif isinstance(result, IngestLog):
        table = log_table(result)
    else:
        table = history_table(result)
    if fmt == "csv":
        return _csv(table)
    if fmt == "md":
        return _markdown(table)
    return _plain(table, width)
