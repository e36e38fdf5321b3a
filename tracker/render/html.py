"""A briefing as one self-contained HTML file: inline CSS and SVG, nothing loaded from anywhere, printable.

Under the matrix and the changes, the issues come with charts: one legend of
the stance colours and evidence marks, the position machine drawn once (its
stances and the moves between them), and per issue a timeline (a lane per
party, its stances coloured over a date axis with the `--since` date marked,
the evidence counted per day, and a lane for the evidence naming the issue
itself) and each party's path through the machine (its stances in order, the
moves between them). Moves have colours of their own, never a stance's, and
every label is drawn at a contrast of 4.5:1 or more against what it sits on
(`ink`). The charts are written as SVG here: they are rectangles, circles,
lines and text, which a charting library would add a heavy dependency to draw.
The document is well-formed XML as well as HTML, and every piece of text from
the store is escaped (after control characters are made visible), so nothing in
an article is ever read as markup.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from html import escape
from itertools import pairwise

from tracker.domain import colours
from tracker.domain.catalog import role_label
from tracker.domain.dates import moment, shifted, since_phrase
from tracker.domain.evidence import Mode
from tracker.domain.machines import MOVES, Move, Stance
from tracker.domain.untrusted import safe_text
from tracker.domain.words import with_mode, words
from tracker.read.briefing import (
    QUALIFIERS_LEGEND,
    IssueSection,
    LeftOut,
    MatrixCell,
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
from tracker.read.models import EvidenceRef, HistoryMove, conditions_shown, said_on_shown, status_shown

STANCE_COLOUR = {
    Stance.UNKNOWN: "#d9d9d9",
    Stance.DEMANDS: "#b2182b",
    Stance.SUPPORTS: "#4d9221",
    Stance.OPEN: "#d8b365",
    Stance.COUNTER_PROPOSAL: "#e08214",
    Stance.OPPOSES: "#762a83",
    Stance.AGREED: "#2166ac",
}
# Moves in hues no stance uses (teal, magenta, black, gold, indigo, grey), told apart by their dashes as well.
MOVE_COLOUR = {
    Move.FIRST_STATEMENT: "#707070",
    Move.SOFTEN: "#00868b",
    Move.HARDEN: "#d01c8b",
    Move.ACCEPT: "#1a1a1a",
    Move.RENEGE: "#9a7b00",
    Move.REOPEN: "#5b5bd6",
}
MOVE_DASH = {
    Move.FIRST_STATEMENT: "2 3",
    Move.SOFTEN: "",
    Move.HARDEN: "",
    Move.ACCEPT: "",
    Move.RENEGE: "6 3",
    Move.REOPEN: "2 2",
}
PAGE = "#ffffff"  # what the charts sit on
INK = "#1a1a1a"  # text on the page
QUIET = "#444444"  # secondary text on the page (9.7:1)
LANE = "#f0f0f0"  # the lane of the evidence naming an issue

CSS = """
body { font: 15px/1.45 Georgia, 'Times New Roman', serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem;
  color: #1a1a1a; background: #ffffff; }
h1, h2, h3, h4 { font-family: 'Helvetica Neue', Arial, sans-serif; }
h1 small { font-weight: normal; color: #444444; }
h2 { border-bottom: 1px solid #ccc; padding-bottom: .2rem; margin-top: 2.2rem; }
table { border-collapse: collapse; width: 100%; margin: .8rem 0; font-family: Arial, sans-serif; font-size: 13px; }
th, td { border: 1px solid #ccc; padding: .3rem .45rem; text-align: left; vertical-align: top; }
th { background: #f3f3f3; color: #1a1a1a; }
td.stance { font-weight: bold; }
td.stance span { display: block; font-weight: normal; font-size: 11px; }
td.unknown { color: #555555; background: #f3f3f3; font-weight: normal; }
td.url a, td.url code { overflow-wrap: anywhere; }
td.url em { white-space: nowrap; }
blockquote { margin: .6rem 0 .9rem; padding: .2rem .9rem; border-left: 4px solid #999; background: #fafafa; }
blockquote p { margin: .2rem 0; }
.source { font-size: 13px; color: #444444; }
.proposition { font-style: italic; }
.filtered { border-left: 4px solid #9a7b00; padding: .3rem .8rem; background: #fff8e1; color: #1a1a1a; }
.contradiction { border-left: 4px solid #b2182b; padding: .2rem .8rem; background: #fff4f4; color: #1a1a1a; }
.moves { font-size: 13px; }
a { color: #0b57a4; }
svg { display: block; margin: .6rem 0; max-width: 100%; height: auto; font-family: Arial, sans-serif; }
@media print { body { margin: 0; max-width: none; } h2, h3 { break-after: avoid; }
  svg, blockquote { break-inside: avoid; } }
"""


def text(value: object) -> str:
    """Untrusted text as HTML: whitespace as spaces, other controls visible, markup characters escaped."""
    return escape(safe_text(" ".join(str(value).split())), quote=True)


# -- colour ------------------------------------------------------------------------------------------------------


def contrast(one: str, other: str) -> float:
    """WCAG contrast ratio of two #rrggbb colours (1 to 21)."""
    return colours.contrast(_rgb(one), _rgb(other))


def _rgb(colour: str) -> colours.RGB:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def ink(fill: str) -> str:
    """The text colour (black or white) that reads best on `fill`."""
    return "#000000" if contrast(fill, "#000000") >= contrast(fill, "#ffffff") else "#ffffff"


# -- the page ----------------------------------------------------------------------------------------------------


def _cell(cell: MatrixCell) -> str:
    if cell.stance is Stance.UNKNOWN:
        return '<td class="stance unknown">unknown</td>'
    colour = STANCE_COLOUR[cell.stance]
    said = "".join(f"<span><em>{text(q)}</em></span>" for q in cell.qualifiers())
    return (
        f'<td class="stance" style="background:{colour};color:{ink(colour)}">{words(cell.stance)}'
        f"<span>{since_phrase(cell.since, cell.since_exact)}</span>{said}</td>"
    )


def _quote(ref: EvidenceRef, party: str | None) -> str:
    move = f", {words(ref.move)}" if ref.move else ""
    if ref.kind not in (None, "sticking_point"):  # issue-level evidence that says more than "a sticking point"
        move += f", {text(words(ref.kind))}"
    reason = held_back(ref)
    mode = f" <em>({text(reason)}: moves nothing)</em>" if reason else ""
    condition = f'<p class="source"><em>On condition:</em> {text(ref.condition)}</p>' if ref.condition else ""
    return (
        f"<blockquote><p>{text(ref.quote)}</p>"
        f'<p class="source">— {text(said_by(ref, party))}, <cite>{text(ref.article_title)}</cite>, '
        f"{text(said_on_shown(ref))} "
        f"(<code>{text(ref.id)}</code>{move}){mode}</p>{condition}</blockquote>"
    )


def _matrix(report: Report) -> str:
    head = "".join(f"<th>{text(role_label(p.name, p.role))}</th>" for p in report.parties)
    rows = []
    qualified = False
    for row in report.matrix:
        cells = "".join(_cell(row.cells[p.id]) for p in report.parties)
        qualified = qualified or any(row.cells[p.id].qualifiers() for p in report.parties)
        title = f"↳ {text(row.title)}" if row.parent else text(row.title)
        rows.append(f"<tr><th>{title}</th>{cells}<td>{text(status_shown(row.status, row.conditional))}</td></tr>")
    legend = f'<p class="source">{_emphasised(QUALIFIERS_LEGEND)}.</p>' if qualified else ""
    return f"<table><tr><th>Issue</th>{head}<th>Status</th></tr>{''.join(rows)}</table>{legend}"


def _emphasised(markdown: str) -> str:
    """The tracker's own legend, its *emphasis* as HTML (it holds no text from the store)."""
    parts = escape(markdown).split("*")
    return "".join(f"<em>{part}</em>" if n % 2 else part for n, part in enumerate(parts))


# -- SVG pieces --------------------------------------------------------------------------------------------------

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _day(when: date) -> str:
    """A date as an axis shows it: "22 Jan" (the year is in the report's heading and the first tick)."""
    return f"{when.day} {_MONTHS[when.month - 1]}"


def _width(label: str, size: float) -> float:
    """A generous estimate of the width of `label` in Arial at `size` px (no font metrics at hand)."""
    return len(label) * size * 0.55


def _label(
    x: float, y: float, label: str, size: float = 12, fill: str = INK, anchor: str = "start", bold: bool = False
) -> str:
    weight = ' font-weight="bold"' if bold else ""
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size:g}" fill="{fill}" text-anchor="{anchor}"{weight}>'
        f"{text(label)}</text>"
    )


def _chip(x: float, y: float, width: float, height: float, fill: str, label: str, size: float = 12) -> str:
    """A rounded box with a label in the ink that reads on it (a group: the test of contrast reads it so)."""
    return (
        f'<g class="chip"><rect x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="{height:.1f}" '
        f'rx="{min(height / 2, 10):.1f}" '
        f'fill="{fill}"/>{_label(x + width / 2, y + height / 2 + size * 0.35, label, size, ink(fill), "middle")}</g>'
    )


def _markers(prefix: str) -> str:
    """An arrowhead per move colour (a marker cannot take its line's colour in every viewer)."""
    heads = "".join(
        f'<marker id="{prefix}-{move.value}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        f'markerHeight="7" markerUnits="userSpaceOnUse" orient="auto"><path d="M0,1 L10,5 L0,9 z" fill="{colour}"/>'
        "</marker>"
        for move, colour in MOVE_COLOUR.items()
    )
    return f"<defs>{heads}</defs>"


def _lane_name(name: str) -> str:
    """A party's name as its lane or path starts: 18 characters at most."""
    return name if len(name) <= 18 else name[:17] + "…"


def _arrow(path: str, move: Move, prefix: str, title: str, width: float = 1.6, ends: str = "") -> str:
    """A move's arrow along `path`; `ends`: the attributes naming the stances it joins, when it has them."""
    dash = f' stroke-dasharray="{MOVE_DASH[move]}"' if MOVE_DASH[move] else ""
    return (
        f'<path {ends}class="move" data-move="{move.value}" d="{path}" fill="none" stroke="{MOVE_COLOUR[move]}" '
        f'stroke-width="{width:g}"{dash} marker-end="url(#{prefix}-{move.value})"><title>{text(title)}</title></path>'
    )


# -- the legend --------------------------------------------------------------------------------------------------


def _mark(cx: float, cy: float, kind: str, count: int, title: str) -> str:
    """One mark of evidence on a timeline: a dot for one piece, a counted badge for several on one day.

    `kind`: "moved" (moved a stance, or named the issue: filled), "restated" (open), "nothing" (moved nothing:
    open, dashed)."""
    filled = kind == "moved"
    fill, edge = (INK, PAGE) if filled else (PAGE, INK)
    dash = ' stroke-dasharray="2 1.5"' if kind == "nothing" else ""
    if count == 1:
        shape = f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="4.5" fill="{fill}" stroke="{edge}" stroke-width="1.3"{dash}/>'
        return f'<g class="mark" data-count="1" data-kind="{kind}">{shape}<title>{text(title)}</title></g>'
    label = str(count)
    half = max(7.5, _width(label, 10) / 2 + 3.5)
    shape = (
        f'<rect x="{cx - half:.1f}" y="{cy - 7.5:.1f}" width="{2 * half:.1f}" height="15" rx="7.5" fill="{fill}" '
        f'stroke="{edge}" stroke-width="1.3"{dash}/>'
    )
    return (
        f'<g class="mark" data-count="{count}" data-kind="{kind}">{shape}'
        f"{_label(cx, cy + 3.5, label, 10, ink(fill), 'middle', bold=True)}<title>{text(title)}</title></g>"
    )


def _legend() -> str:
    """The stance colours and the evidence marks, once for every chart."""
    width = 760
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="legend" width="{width}" height="86" '
        f'viewBox="0 0 {width} 86" role="img" aria-label="Legend of the charts">'
    ]
    parts.append(_label(0, 19, "Stances", 12, INK, bold=True))
    x = 72.0
    for stance in Stance:
        label = words(stance)
        chip = _width(label, 12) + 18
        parts.append(_chip(x, 5, chip, 20, STANCE_COLOUR[stance], label))
        x += chip + 8
    parts.append(_label(0, 51, "Evidence", 12, INK, bold=True))
    x = 82.0
    for kind, count, label in (
        ("moved", 1, "moved a stance, or named the issue"),
        ("restated", 1, "restated the stance"),
        ("nothing", 1, "moved nothing"),
        ("restated", 3, "pieces on one day"),
    ):
        parts.append(_mark(x, 47, kind, count, label))
        parts.append(_label(x + 13, 51, label, 11, INK))
        x += 13 + _width(label, 11) + 22
    parts.append(
        f'<line x1="0" y1="72" x2="24" y2="72" stroke="{INK}" stroke-width="1.2" stroke-dasharray="4 3"/>'
        + _label(30, 76, "the --since date: what changed after it is under What changed", 11, INK)
    )
    parts.append("</svg>")
    return "".join(parts)


# -- the machine, once -------------------------------------------------------------------------------------------

# Where each stance of the axis sits in the machine diagram (x of its centre); unknown is a bar above, agreed one
# below, so that every move is a short straight or gently curved arrow and no two arrowheads meet.
_AXIS = {
    Stance.DEMANDS: 90.0,
    Stance.SUPPORTS: 235.0,
    Stance.OPEN: 380.0,
    Stance.COUNTER_PROPOSAL: 525.0,
    Stance.OPPOSES: 670.0,
}
_CHIP_HALF = 54.0
_AXIS_Y = 160.0  # the axis chips' centre
_TOP_BAR = (20.0, 44.0)  # unknown: y, and its bottom
_BOTTOM_BAR = (292.0, 318.0)  # agreed


def _machine() -> str:
    """The position machine: its stances, and every move between them drawn once, each in its colour."""
    width, height = 760, 400
    prefix = "machine"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="machine" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="The position machine: stances and the moves '
        'between them">',
        _markers(prefix),
    ]
    top, top_bottom = _TOP_BAR
    bottom, bottom_end = _BOTTOM_BAR
    chip_top, chip_bottom = _AXIS_Y - 16, _AXIS_Y + 16

    def edge(source: Stance, dest: Stance, move: Move, path: str) -> None:
        ends = f'data-from="{source.value}" data-to="{dest.value}" '
        parts.append(_arrow(path, move, prefix, f"{words(move)}: {words(source)} → {words(dest)}", ends=ends))

    # first statement: from unknown down to each stance (to agreed down the right-hand side)
    for stance, cx in _AXIS.items():
        edge(
            Stance.UNKNOWN, stance, Move.FIRST_STATEMENT, f"M{cx:.1f},{top_bottom + 1:.1f} L{cx:.1f},{chip_top - 1:.1f}"
        )
    edge(Stance.UNKNOWN, Stance.AGREED, Move.FIRST_STATEMENT, f"M738,{top_bottom + 1:.1f} L738,{bottom - 1:.1f}")
    # soften and harden between neighbours: soften on the upper line, harden on the lower, each in the gap
    order = list(_AXIS)
    for left, right in pairwise(order):
        x0, x1 = _AXIS[left] + _CHIP_HALF + 2, _AXIS[right] - _CHIP_HALF - 2
        for source, dest in ((left, right), (right, left)):
            move = MOVES[(source.value, dest.value)][0]
            y = _AXIS_Y - 6 if move is Move.SOFTEN else _AXIS_Y + 6
            start, end = (x0, x1) if source is left else (x1, x0)
            edge(source, dest, move, f"M{start:.1f},{y:.1f} L{end:.1f},{y:.1f}")
    # soften and harden over a stance (demands <-> open, opposes <-> open): nested arcs above the axis
    for pole, side in ((Stance.DEMANDS, 1), (Stance.OPPOSES, -1)):
        px, ox = _AXIS[pole], _AXIS[Stance.OPEN]
        outer = (px + side * 16, ox - side * 16, 62.0)  # soften, pole -> open: the wider arc, higher
        inner = (ox - side * 34, px + side * 34, 92.0)  # harden, open -> pole
        for (x0, x1, apex), source, dest in ((outer, pole, Stance.OPEN), (inner, Stance.OPEN, pole)):
            move = MOVES[(source.value, dest.value)][0]
            control = 2 * apex - chip_top  # a quadratic curve peaks halfway to its control point
            edge(
                source,
                dest,
                move,
                f"M{x0:.1f},{chip_top - 1:.1f} Q{(x0 + x1) / 2:.1f},{control:.1f} {x1:.1f},{chip_top - 1:.1f}",
            )
    # accept, reopen and renege: a ladder between each stance and agreed
    for stance, cx in _AXIS.items():
        for move, dx, down in ((Move.ACCEPT, -18, True), (Move.REOPEN, 0, False), (Move.RENEGE, 18, False)):
            source, dest = (stance, Stance.AGREED) if down else (Stance.AGREED, stance)
            if move not in MOVES.get((source.value, dest.value), ()):
                continue
            y0, y1 = (chip_bottom + 1, bottom - 1) if down else (bottom - 1, chip_bottom + 1)
            edge(source, dest, move, f"M{cx + dx:.1f},{y0:.1f} L{cx + dx:.1f},{y1:.1f}")
    # the stances, over the arrows' ends
    boxes = {
        Stance.UNKNOWN: (20.0, top, 720.0, top_bottom - top, "unknown: nothing said yet"),
        **{s: (cx - _CHIP_HALF, chip_top, 2 * _CHIP_HALF, 32.0, words(s)) for s, cx in _AXIS.items()},
        Stance.AGREED: (20.0, bottom, 720.0, bottom_end - bottom, "agreed: a deal"),
    }
    for stance, (x, y, w, h, label) in boxes.items():
        parts.append(
            f'<g class="state" data-stance="{stance.value}">{_chip(x, y, w, h, STANCE_COLOUR[stance], label)}</g>'
        )
    # the legend of the moves
    y = 346.0
    x = 0.0
    for n, move in enumerate(m for m in Move if m is not Move.REAFFIRM):
        if n == 3:
            x, y = 0.0, 374.0
        parts.append(_arrow(f"M{x:.1f},{y:.1f} L{x + 34:.1f},{y:.1f}", move, prefix, words(move), 2))
        label = f"{words(move)}: {_MEANING[move]}"
        parts.append(_label(x + 42, y + 4, label, 11, INK))
        x += 42 + _width(label, 11) + 18
    parts.append("</svg>")
    return "".join(parts)


_MEANING = {
    Move.FIRST_STATEMENT: "the first stance on record",
    Move.SOFTEN: "towards open",
    Move.HARDEN: "away from open",
    Move.ACCEPT: "into a deal",
    Move.RENEGE: "walks back a deal",
    Move.REOPEN: "the deal proves partial",
}


# -- an issue's timeline -----------------------------------------------------------------------------------------


@dataclass
class _Axis:
    """The timeline's dates: a slot per day from `start` to `end`, from `left` over `width` pixels."""

    start: date
    end: date
    left: float = 124.0
    width: float = 616.0
    days: int = field(init=False)

    def __post_init__(self) -> None:
        self.days = max(1, (self.end - self.start).days + 1)

    def slot(self, when: date) -> float:
        """The left edge of a day's slot (clamped to the chart)."""
        n = min(max((when - self.start).days, 0), self.days)
        return self.left + self.width * n / self.days

    def x(self, when: date) -> float:
        """The centre of a day's slot."""
        return self.slot(when) + self.width / self.days / 2

    @property
    def per_day(self) -> float:
        return self.width / self.days

    def ticks(self) -> tuple[list[date], list[date]]:
        """Labelled ticks (far enough apart for their labels) and the day ticks between them, when they fit."""
        step = next(
            (s for s in (1, 2, 7, 14, 28, 91, 182, 365, 730, 1826, 3652, 36524) if s * self.per_day >= 52), 36524
        )
        first = self.start
        if step in (7, 14):  # weeks start on Mondays
            first = shifted(self.start, (7 - self.start.weekday()) % 7)
        labelled: list[date] = []
        day = first
        while day <= self.end and len(labelled) < 100:
            labelled.append(day)
            after = shifted(day, step)
            if after == day:
                break
            day = after
        minor: list[date] = []
        if self.per_day >= 6 and step > 1:
            minor = [shifted(self.start, n) for n in range(self.days) if shifted(self.start, n) not in labelled]
        return labelled, minor


def _marks(axis: _Axis, cy: float, pieces: Sequence[tuple[date, str, str]]) -> list[str]:
    """The evidence of one lane, `(day, kind, what)`: a mark per day (per few days when days are narrow), counted
    when it holds several pieces, so that marks never merge."""
    bucket = max(1, -(-16 // max(1, int(axis.per_day))))  # days per mark: marks 16 px apart at least
    groups: dict[int, list[tuple[date, str, str]]] = {}
    for piece in pieces:
        groups.setdefault(min(max((piece[0] - axis.start).days, 0), axis.days - 1) // bucket, []).append(piece)
    drawn = []
    for _, group in sorted(groups.items()):
        days = sorted({d for d, _, _ in group})
        kinds = {k for _, k, _ in group}
        kind = "moved" if "moved" in kinds else "restated" if "restated" in kinds else "nothing"
        when = days[0] if len(days) == 1 else None
        centre = axis.x(when) if when else (axis.x(days[0]) + axis.x(days[-1])) / 2
        title = "; ".join(f"{d}: {what}" for d, _, what in sorted(group, key=lambda p: (p[0], p[2])))
        drawn.append(_mark(centre, cy, kind, len(group), title))
    return drawn


def _segments(position: PositionSection, axis: _Axis, y: float, name: str) -> list[str]:
    """A party's stances as coloured segments: from the day each was entered to the next (or the chart's end)."""
    cut = position.moves_total > len(position.moves)
    held = position.moves[0].stance_from if cut and position.moves else Stance.UNKNOWN
    changes: list[tuple[date, Stance]] = [(axis.start, held)] if held is not Stance.UNKNOWN else []
    changes += [(m.date, m.stance_to) for m in position.moves if m.move and m.move != Move.REAFFIRM.value]
    parts = []
    for k, (since, stance) in enumerate(changes):
        x0 = axis.slot(since)
        x1 = axis.slot(changes[k + 1][0]) if k + 1 < len(changes) else axis.left + axis.width
        parts.append(
            f'<rect class="segment" data-stance="{stance.value}" x="{x0:.1f}" y="{y:.1f}" '
            f'width="{max(x1 - x0, 2):.1f}" height="14" fill="{STANCE_COLOUR[stance]}">'
            f"<title>{text(name)}: {words(stance)} from {since}</title></rect>"
        )
    return parts


def _kind(move: HistoryMove) -> str:
    if move.move is None:
        return "nothing"
    return "restated" if move.move == Move.REAFFIRM.value else "moved"


def _timeline(section: IssueSection, report: Report, axis: _Axis) -> str:
    """A lane per party (its stances over time, its evidence counted per day) and a lane for the evidence naming
    the issue; a date axis with ticks, and the --since date marked."""
    lane, top = 30.0, 22.0
    lanes = len(report.parties) + 1
    axis_y = top + lane * lanes + 4
    height = axis_y + 38
    width = axis.left + axis.width + 20
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="timeline" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" role="img" aria-label="Positions over time on {text(section.title)}">'
    ]
    by_party = {p.party: p for p in section.positions}
    for n, party in enumerate(report.parties):
        y = top + n * lane
        name = _lane_name(party.name)
        parts.append(f'<g class="lane" data-party="{text(party.id)}">')
        parts.append(_label(0, y + 15, name, 12, INK))
        parts.append(
            f'<rect x="{axis.left:.1f}" y="{y + 4:.1f}" width="{axis.width:.1f}" height="14" '
            f'fill="{STANCE_COLOUR[Stance.UNKNOWN]}"><title>{text(party.name)}: unknown</title></rect>'
        )
        position = by_party.get(party.id)
        if position is not None:
            parts += _segments(position, axis, y + 4, party.name)
            pieces = [(m.date, _kind(m), f"{m.evidence.id}, {move_words(m)}") for m in position.moves]
            parts += _marks(axis, y + 11, pieces)
        parts.append("</g>")
    y = top + (lanes - 1) * lane
    parts.append('<g class="lane" data-party="">')
    parts.append(_label(0, y + 15, "the issue itself", 12, QUIET))
    parts.append(f'<rect x="{axis.left:.1f}" y="{y + 4:.1f}" width="{axis.width:.1f}" height="14" fill="{LANE}"/>')
    named = [(ref.date, "moved", f"{ref.id}, names the issue") for ref in section.issue_evidence]
    parts += _marks(axis, y + 11, named)
    parts.append("</g>")
    # the axis
    parts.append(
        f'<line x1="{axis.left:.1f}" y1="{axis_y:.1f}" x2="{axis.left + axis.width:.1f}" y2="{axis_y:.1f}" '
        f'stroke="{QUIET}" stroke-width="1"/>'
    )
    labelled, minor = axis.ticks()
    for day in minor:
        parts.append(
            f'<line x1="{axis.x(day):.1f}" y1="{axis_y:.1f}" x2="{axis.x(day):.1f}" y2="{axis_y + 3:.1f}" '
            f'stroke="{QUIET}" stroke-width="1"/>'
        )
    for day in labelled:
        x = axis.x(day)
        parts.append(
            f'<line class="tick" x1="{x:.1f}" y1="{axis_y:.1f}" x2="{x:.1f}" y2="{axis_y + 6:.1f}" '
            f'stroke="{QUIET}" stroke-width="1"/>'
        )
        parts.append(_label(x, axis_y + 18, _day(day), 11, INK, "middle"))
    years = f"{axis.start.year}" if axis.start.year == axis.end.year else f"{axis.start.year} to {axis.end.year}"
    parts.append(_label(0, axis_y + 18, years, 11, QUIET))
    if axis.end < report.as_of:
        parts.append(_label(axis.left + axis.width, axis_y + 31, f"stances hold to {report.as_of}", 10.5, QUIET, "end"))
    if report.since is not None:
        x = axis.slot(shifted(report.since, 1)) if report.since >= axis.start else axis.left
        label = f"since {report.since}"
        anchor = "end" if x + 4 + _width(label, 11) > axis.left + axis.width + 18 else "start"
        parts.append(
            f'<line class="since" x1="{x:.1f}" y1="{top - 8:.1f}" x2="{x:.1f}" y2="{axis_y:.1f}" stroke="{INK}" '
            'stroke-width="1.2" stroke-dasharray="4 3"/>'
        )
        parts.append(_label(x + (4 if anchor == "start" else -4), top - 10, label, 11, INK, anchor))
    parts.append("</svg>")
    return "".join(parts)


# -- an issue's paths through the machine ------------------------------------------------------------------------


def _paths(section: IssueSection) -> str:
    """Each party's path through the machine on this issue: its stances in order, the move (and day) between
    them, and how often it restated each."""
    rows = [p for p in section.positions if p.moves]
    if not rows:
        return ""
    width, row_height, left = 760.0, 48.0, 124.0
    prefix = f"path-{re.sub(r'[^A-Za-z0-9_-]', '_', section.issue)}"
    body: list[str] = []
    y = 8.0
    for position in rows:
        name = _lane_name(position.name)
        body.append(f'<g class="path" data-party="{text(position.party)}">')
        body.append(_label(0, y + 25, name, 12, INK))
        cut = position.moves_total > len(position.moves)
        # The path: each stance held, the move that entered it (None: the first shown) and its restatements.
        steps: list[tuple[HistoryMove | None, Stance, int]] = [
            (None, position.moves[0].stance_from if cut else Stance.UNKNOWN, 0)
        ]
        for entry in position.moves:
            if entry.move == Move.REAFFIRM.value:
                steps[-1] = (steps[-1][0], steps[-1][1], steps[-1][2] + 1)
            elif entry.move is not None:
                steps.append((entry, entry.stance_to, 0))
        x = left
        if cut:
            body.append(_label(x, y + 25, "…", 12, INK))
            x += 14
        for entered, stance, restated in steps:
            if entered is not None and entered.move is not None:
                move = Move(entered.move)
                by = "by " if entered.evidence.mode == Mode.BACKGROUND.value else ""  # a recap: known only by then
                label = f"{words(move)}, {by}{_day(entered.date)}"
                length = max(64.0, _width(label, 10.5) + 14)
                if x + length + 60 > width:
                    x, y = left, y + row_height
                body.append(_label(x + length / 2, y + 9, label, 10.5, INK, "middle"))
                path = f"M{x + 3:.1f},{y + 23:.1f} L{x + length - 3:.1f},{y + 23:.1f}"
                body.append(_arrow(path, move, prefix, f"{entered.evidence.id}: {move_words(entered)}"))
                x += length
            label = words(stance)
            chip = _width(label, 11.5) + 16
            if x + chip > width:
                x, y = left, y + row_height
            body.append(_chip(x, y + 12, chip, 22, STANCE_COLOUR[stance], label, 11.5))
            if restated:
                again = "restated once" if restated == 1 else f"restated {restated} times"
                body.append(_label(x + chip / 2, y + 46, again, 10.5, QUIET, "middle"))
            x += chip
        body.append("</g>")
        y += row_height + 6
    height = y + 4
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="paths" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" role="img" aria-label="Each party\'s moves on {text(section.title)}">'
        f"{_markers(prefix)}{''.join(body)}</svg>"
    )


# -- the sections ------------------------------------------------------------------------------------------------


def _left_out(note: LeftOut | None) -> list[str]:
    return [f'<p class="left-out"><em>{text(note.what)}:</em> <code>{text(note.command)}</code></p>'] if note else []


def _position(position: PositionSection, issue: str) -> str:
    since = f" {since_phrase(position.since, position.since_exact)}" if position.since else ""
    contested_on = position.contested.on if position.contested else None
    said = qualifiers(position.basis, position.condition, contested_on)
    qualified = f" <small>({text('; '.join(said))})</small>" if said else ""
    parts = [f"<h4>{text(role_label(position.name, position.role))}: {words(position.stance)}{since}{qualified}</h4>"]
    if position.condition:
        parts.append(f"<p><em>On condition:</em> {text(position.condition)}</p>")
    if position.contested:
        parts.append(f"<p>Contested on {position.contested.on}: evidence of equal weight disagrees:</p>")
        parts += [_quote(ref, position.name) for ref in position.contested.evidence]
    parts += [_quote(ref, position.name) for ref in position.evidence]
    parts += _left_out(
        left_out(
            position.evidence, position.evidence_total, f"tracker history --issue {issue} --party {position.party}"
        )
    )
    if position.moves:
        note = moves_left_out(position, issue)
        if note:
            parts.append(f"<p>{text(note.what)} (all: <code>{text(note.command)}</code>):</p>")
        items = "".join(
            f"<li>{text(said_on_shown(m.evidence))}: {text(move_words(m))} "
            f"(<code>{text(m.evidence.id)}</code>, "
            f"{text(with_mode(said_by(m.evidence, position.name), m.evidence.mode))})</li>"
            for m in position.moves
        )
        parts.append(f'<ul class="moves">{items}</ul>')
    for contradiction in position.contradictions:
        ids = ", ".join(f"<code>{text(e.id)}</code>" for e in contradiction.evidence)
        parts.append(
            f'<p class="contradiction"><strong>Contradiction</strong> ({text(words(contradiction.kind))}): '
            f"{text(contradiction.explanation)} ({ids})</p>"
        )
    return "".join(parts)


def _conditional(section: IssueSection, report: Report) -> str:
    if not section.conditional:
        return ""
    names = {p.id: p.name for p in report.parties}
    return f"<p>Conditional: the status rests on {text(conditions_shown(section.conditional, names))}.</p>"


def _issue(section: IssueSection, report: Report, axis: _Axis) -> str:
    parent = f"<p>A sub-issue of {text(section.parent_title or section.parent)}.</p>" if section.parent else ""
    parts = [
        f'<section class="issue" id="issue-{text(section.issue)}">',
        f"<h3>{'↳ ' if section.parent else ''}{text(section.title)} "
        f"({text(status_shown(section.status, section.conditional))})</h3>",
        parent,
        f'<p class="proposition">{text(section.proposition)}</p>',
        _conditional(section, report),
        _timeline(section, report, axis),
        _paths(section),
    ]
    hidden = filtered_away(report, section)
    if hidden:
        parts.append(f'<p class="filtered">{text(hidden)}</p>')
    parts += [_position(p, section.issue) for p in section.positions]
    if section.issue_evidence:
        parts.append("<h4>Named as an issue</h4>")
        parts += [_quote(ref, None) for ref in section.issue_evidence]
        parts += _left_out(
            left_out(
                section.issue_evidence,
                section.issue_evidence_total,
                f"tracker state --as-of {report.as_of} --issue {section.issue} --format json",
            )
        )
    if not section.positions and not section.issue_evidence and not hidden:
        parts.append("<p>No evidence yet.</p>")
    parts.append("</section>")
    return "".join(parts)


def _changes(report: Report) -> str:
    if report.since is None:
        return ""
    parts = [f"<h2>What changed since {report.since}</h2>"]
    if not report.changes and not report.issue_changes and not report.contested:
        parts.append(f"<p>{text(nothing_changed(report))}</p>")
    for change in change_headings(report):
        subject = (
            f"{text(change.party_name)} on {text(change.issue_title)}" if change.party else text(change.issue_title)
        )
        parts.append(f"<h3>{subject}: {text(change.before)} → {text(change.after)}</h3>")
        if change.when:
            parts.append(f"<p>Status: {text(change.when)}, by the evidence below.</p>")
        parts += [_quote(ref, change.party_name) for ref in change.evidence]
        parts += _left_out(change.left_out)
    hidden = changes_filtered_away(report)
    if hidden:  # None unless some change is shown
        parts.append(f'<p class="filtered">{text(hidden)}</p>')
    return "".join(parts)


_URL = re.compile(r"https?://[^\s<>\"'\x00-\x1f\x7f]+")


def _url(source: Source) -> str:
    """A source's URL: a link when it is an http(s) URL as it stands; anything else shown as text, never
    followed; none recorded: said so."""
    if not source.url:
        return "<em>none recorded</em>"
    if _URL.fullmatch(source.url) and safe_text(source.url) == source.url:
        return f'<a href="{escape(source.url, quote=True)}" rel="noopener noreferrer">{text(source.url)}</a>'
    return f"<code>{text(source.url)}</code>"


def _sources(report: Report) -> str:
    rows = []
    for source in report.sources:
        inferred = f" (inferred: {text(source.date_evidence or 'from its content')})" if source.date_inferred else ""
        rows.append(
            f"<tr><td>{text(source.title)} (<code>{text(source.id)}</code>)</td><td>{text(source.outlet or '—')}</td>"
            f'<td>{source.published_on}{inferred}</td><td class="url">{_url(source)}</td>'
            f"<td>{source.evidence}</td></tr>"
        )
    head = "<tr><th>Article</th><th>Outlet</th><th>Date</th><th>URL</th><th>Evidence</th></tr>"
    unlinked = unlinked_note(report)
    note = f"<p>{text(unlinked)}</p>" if unlinked else ""
    others = report.sources_not_cited
    note += f"<p>The corpus's {others} other article(s) are not cited here.</p>" if others else ""
    return f"<h2>Sources</h2><table>{head}{''.join(rows)}</table>{note}"


def _span(report: Report) -> _Axis:
    """The dates the timelines span: the evidence's (a report dated long after the last of it would squash it to
    one side), with a little room after it; the stances shown hold on to the report's date."""
    corpus = report.corpus
    start = corpus.first_said_on or report.as_of
    if start >= report.as_of:
        start = shifted(report.as_of, -1)
    last = corpus.last_said_on or report.as_of
    end = max(min(report.as_of, shifted(last, max(1, (last - start).days // 10))), shifted(start, 1))
    return _Axis(start, end)


def render_html(report: Report) -> str:
    corpus = report.corpus
    span = f", said {corpus.first_said_on} to {corpus.last_said_on}" if corpus.evidence else ""
    recorded = f", as recorded at {moment(report.known_at)}" if report.known_at else ""
    since = f", changes since {report.since}" if report.since else ""
    covers = scope(report)
    filtered = f" <small>(filtered: {text(covers)})</small>" if covers else ""
    notes = filter_notes(report)
    axis = _span(report)
    body = [
        f"<h1>{text(report.title)}{filtered}</h1>",
        f"<p>As of {report.as_of}{since}{recorded}. Corpus: {corpus.articles} article(s), "
        f"{corpus.evidence} piece(s) of evidence{span}.</p>",
        f'<p class="filtered"><strong>Filtered.</strong> {text(" ".join(notes))}</p>' if notes else "",
        "<h2>Positions</h2>",
        _matrix(report),
        _changes(report),
        "<h2>Issues</h2>",
        "<p>The charts: the legend and the position machine (the stances, and the moves a party can make between "
        "them) come first; under each issue, a timeline (a lane per party, and one for the evidence naming the issue "
        "itself) and each party's path through the machine.</p>",
        _legend(),
        _machine(),
        *(_issue(section, report, axis) for section in report.issues),
        _sources(report),
    ]
    title = f"{text(report.title)}{f' (filtered: {text(covers)})' if covers else ''}, as of {report.as_of}"
    return (
        '<!DOCTYPE html>\n<html xmlns="http://www.w3.org/1999/xhtml" lang="en"><head><meta charset="utf-8"/>'
        f"<title>{title}</title><style>{CSS}</style></head>"
        f"<body>{''.join(body)}</body></html>\n"
    )
