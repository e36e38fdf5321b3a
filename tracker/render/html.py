"""A briefing as one self-contained HTML file: inline CSS and SVG, nothing loaded from anywhere, printable.

Each issue gets a timeline chart (a lane per party, its stances as coloured
segments over time, a mark per piece of evidence) and the diagram of its
position machine with each party placed on its current stance. The charts
are written as SVG here: they are rectangles, circles and lines, which a
charting library would add a heavy dependency to draw. The document is
well-formed XML as well as HTML, and every piece of text from the store is
escaped (after control characters are made visible), so nothing in an
article is ever read as markup.
"""

from __future__ import annotations

from datetime import date
from html import escape

from tracker.domain.dates import moment, shifted
from tracker.domain.machines import MOVES, Move, Stance
from tracker.domain.untrusted import safe_text
from tracker.read.briefing import (
    QUALIFIERS_LEGEND,
    IssueSection,
    LeftOut,
    MatrixCell,
    PositionSection,
    Report,
    change_headings,
    left_out,
    moves_left_out,
    qualifiers,
)
from tracker.read.models import EvidenceRef
from tracker.render.output import who

STANCE_COLOUR = {
    Stance.UNKNOWN: "#d0d0d0",
    Stance.DEMANDS: "#b2182b",
    Stance.SUPPORTS: "#4d9221",
    Stance.OPEN: "#d8b365",
    Stance.COUNTER_PROPOSAL: "#e08214",
    Stance.OPPOSES: "#762a83",
    Stance.AGREED: "#2166ac",
}

CSS = """
body { font: 15px/1.45 Georgia, 'Times New Roman', serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem;
  color: #1a1a1a; }
h1, h2, h3, h4 { font-family: 'Helvetica Neue', Arial, sans-serif; }
h2 { border-bottom: 1px solid #ccc; padding-bottom: .2rem; margin-top: 2.2rem; }
table { border-collapse: collapse; width: 100%; margin: .8rem 0; font-family: Arial, sans-serif; font-size: 13px; }
th, td { border: 1px solid #ccc; padding: .3rem .45rem; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
td.stance { color: #fff; font-weight: bold; }
td.stance span { display: block; font-weight: normal; font-size: 11px; }
td.unknown { color: #555; background: #f3f3f3; font-weight: normal; }
blockquote { margin: .6rem 0 .9rem; padding: .2rem .9rem; border-left: 4px solid #999; background: #fafafa; }
blockquote p { margin: .2rem 0; }
.source { font-size: 13px; color: #444; }
.proposition { font-style: italic; }
.contradiction { border-left: 4px solid #b2182b; padding: .2rem .8rem; background: #fff4f4; }
.moves { font-size: 13px; }
svg { display: block; margin: .6rem 0; max-width: 100%; height: auto; font-family: Arial, sans-serif; }
@media print { body { margin: 0; max-width: none; } h2, h3 { break-after: avoid; }
  svg, blockquote { break-inside: avoid; } }
"""


def text(value: object) -> str:
    """Untrusted text as HTML: whitespace as spaces, other controls visible, markup characters escaped."""
    return escape(safe_text(" ".join(str(value).split())), quote=True)


def _cell(cell: MatrixCell) -> str:
    if cell.stance is Stance.UNKNOWN:
        return '<td class="stance unknown">unknown</td>'
    colour = STANCE_COLOUR[cell.stance]
    said = "".join(f"<span><em>{text(q)}</em></span>" for q in cell.qualifiers())
    return (
        f'<td class="stance" style="background:{colour}">{cell.stance.value}<span>since {cell.since}</span>{said}</td>'
    )


def _quote(ref: EvidenceRef, party: str | None) -> str:
    move = f", {ref.move}" if ref.move else ""
    held_back = ref.not_applied or (ref.mode if ref.mode != "asserted" else None)
    mode = f" <em>({text(held_back)}: moves nothing)</em>" if held_back else ""
    condition = f'<p class="source"><em>On condition:</em> {text(ref.condition)}</p>' if ref.condition else ""
    return (
        f"<blockquote><p>{text(ref.quote)}</p>"
        f'<p class="source">— {text(who(ref, party))}, <cite>{text(ref.article_title)}</cite>, {ref.date} '
        f"(<code>{text(ref.id)}</code>{move}){mode}</p>{condition}</blockquote>"
    )


def _matrix(report: Report) -> str:
    head = "".join(f"<th>{text(p.name)}</th>" for p in report.parties)
    rows = []
    qualified = False
    for row in report.matrix:
        cells = "".join(_cell(row.cells[p.id]) for p in report.parties)
        qualified = qualified or any(row.cells[p.id].qualifiers() for p in report.parties)
        title = f"↳ {text(row.title)}" if row.parent else text(row.title)
        rows.append(f"<tr><th>{title}</th>{cells}<td>{row.status.replace('_', ' ')}</td></tr>")
    legend = f'<p class="source">{_emphasised(QUALIFIERS_LEGEND)}.</p>' if qualified else ""
    return f"<table><tr><th>Issue</th>{head}<th>Status</th></tr>{''.join(rows)}</table>{legend}"


def _emphasised(markdown: str) -> str:
    """The tracker's own legend, its *emphasis* as HTML (it holds no text from the store)."""
    parts = escape(markdown).split("*")
    return "".join(f"<em>{part}</em>" if n % 2 else part for n, part in enumerate(parts))


def _timeline(section: IssueSection, report: Report, start: date) -> str:
    """A lane per party: stance segments over time, a mark per piece of evidence."""
    left, width, lane = 130, 600, 24
    # The chart spans the evidence (a report dated long after the last of it would squash it to one side);
    # the stances shown hold on to the report's date.
    last = report.corpus.last_said_on or report.as_of
    end = max(min(report.as_of, shifted(last, max(1, (last - start).days // 10))), shifted(start, 1))
    days = max(1, (end - start).days)

    def x(when: date) -> float:
        return left + width * (min(max(when, start), end) - start).days / days

    height = 30 + lane * len(report.parties)
    size = f'width="{left + width + 20}" height="{height}" viewBox="0 0 {left + width + 20} {height}"'
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="timeline" {size} role="img" '
        f'aria-label="Positions over time on {text(section.title)}">'
    ]
    by_party = {p.party: p for p in section.positions}
    for n, party in enumerate(report.parties):
        y = 6 + n * lane
        parts.append(f'<g class="lane" data-party="{text(party.id)}">')
        parts.append(f'<text x="0" y="{y + 15}" font-size="12">{text(party.name)}</text>')
        parts.append(
            f'<rect x="{left}" y="{y + 4}" width="{width}" height="14" fill="{STANCE_COLOUR[Stance.UNKNOWN]}"/>'
        )
        position = by_party.get(party.id)
        if position is not None:
            changes = [(m.date, m.stance_to) for m in position.moves if m.move and m.move != Move.REAFFIRM.value]
            for k, (since, stance) in enumerate(changes):
                until = changes[k + 1][0] if k + 1 < len(changes) else end
                x0, x1 = x(since), x(until)
                parts.append(
                    f'<rect x="{x0:.1f}" y="{y + 4}" width="{max(x1 - x0, 2):.1f}" height="14" '
                    f'fill="{STANCE_COLOUR[stance]}"><title>{stance.value} from {since}</title></rect>'
                )
            same_day: dict[date, int] = {}
            for move in position.moves:
                filled = "#000" if move.move else "#fff"
                nth = same_day[move.date] = same_day.get(move.date, -1) + 1
                parts.append(
                    f'<circle class="evidence" cx="{x(move.date) + 4 * nth:.1f}" cy="{y + 11}" r="3" '
                    f'fill="{filled}" stroke="#000"><title>{text(move.evidence.id)}: {move.date}</title></circle>'
                )
        parts.append("</g>")
    axis = height - 8
    parts.append(f'<text x="{left}" y="{axis}" font-size="11">{start}</text>')
    end_label = f"{end} (stances hold to {report.as_of})" if end < report.as_of else str(end)
    parts.append(f'<text x="{left + width}" y="{axis}" font-size="11" text-anchor="end">{end_label}</text>')
    parts.append("</svg>")
    return "".join(parts)


# Where each stance sits in the machine diagram: the axis from demands to opposes, unknown above, agreed below.
_PLACE = {
    Stance.DEMANDS: (60, 90),
    Stance.SUPPORTS: (200, 90),
    Stance.OPEN: (340, 90),
    Stance.COUNTER_PROPOSAL: (480, 90),
    Stance.OPPOSES: (620, 90),
    Stance.UNKNOWN: (340, 20),
    Stance.AGREED: (340, 175),
}
_EDGE_STYLE = {
    Move.FIRST_STATEMENT: 'stroke="#bbb" stroke-dasharray="2 3"',
    Move.SOFTEN: 'stroke="#4d9221"',
    Move.HARDEN: 'stroke="#b2182b"',
    Move.ACCEPT: 'stroke="#2166ac"',
    Move.RENEGE: 'stroke="#762a83" stroke-dasharray="5 3"',
    Move.REOPEN: 'stroke="#e08214" stroke-dasharray="1 2"',
}


def _machine(section: IssueSection) -> str:
    """The issue's position machine: stances, the moves between them, and who stands where."""
    parts = [
        '<svg xmlns="http://www.w3.org/2000/svg" class="machine" width="700" height="235" viewBox="0 0 700 235" '
        f'role="img" aria-label="Position machine of {text(section.title)}">'
    ]
    parts.append(
        '<defs><marker id="arrow" viewBox="0 0 8 8" refX="8" refY="4" markerWidth="7" markerHeight="7" '
        'orient="auto-start-reverse"><path d="M0,0 L8,4 L0,8 z" fill="#555"/></marker></defs>'
    )
    for (source, dest), move, nth in sorted(
        ((pair, move, n) for pair, leading in MOVES.items() for n, move in enumerate(leading)), key=str
    ):
        if move is Move.REAFFIRM:
            continue
        (x0, y0), (x1, y1) = _PLACE[Stance(source)], _PLACE[Stance(dest)]
        # Opposite moves between two stances bend to opposite sides, so neither hides the other; a second move
        # between the same two stances bends further.
        forward = (x1, y1) > (x0, y0)
        dx, dy = x1 - x0, y1 - y0
        length = max((dx * dx + dy * dy) ** 0.5, 1)
        bend = (16 + 22 * nth) * (1 if forward else -1)
        mx, my = (x0 + x1) / 2 - dy / length * bend, (y0 + y1) / 2 + dx / length * bend
        # Start and end at the boxes' edges, not their centres, so the arrowheads show.
        sx, sy = x0 + dx / length * 40, y0 + dy / length * 14
        ex, ey = x1 - dx / length * 56, y1 - dy / length * 14
        parts.append(
            f'<path d="M{sx:.1f},{sy:.1f} Q{mx:.1f},{my:.1f} {ex:.1f},{ey:.1f}" fill="none" {_EDGE_STYLE[move]} '
            f'stroke-width="1.2" marker-end="url(#arrow)"><title>{move.value}: {source} → {dest}</title></path>'
        )
    holders: dict[Stance, list[str]] = {}
    for position in section.positions:
        holders.setdefault(position.stance, []).append(position.name)
    for stance, (cx, cy) in _PLACE.items():
        parts.append(
            f'<g class="state" data-stance="{stance.value}"><rect x="{cx - 55}" y="{cy - 13}" width="110" height="26" '
            f'rx="6" fill="{STANCE_COLOUR[stance]}"/><text x="{cx}" y="{cy + 4}" font-size="12" text-anchor="middle" '
            f'fill="{"#000" if stance is Stance.UNKNOWN else "#fff"}">{stance.value}</text></g>'
        )
        names = holders.get(stance)
        if names:
            parts.append(
                f'<text x="{cx}" y="{cy + 27}" font-size="10" text-anchor="middle">{text(", ".join(names))}</text>'
            )
    parts.append(
        '<text x="5" y="228" font-size="10">soften (green), harden (red), accept (blue), '
        "renege (purple, dashed), reopen (orange, dotted), first statement (grey, dotted)</text></svg>"
    )
    return "".join(parts)


def _left_out(note: LeftOut | None) -> list[str]:
    return [f'<p class="left-out"><em>{text(note.what)}:</em> <code>{text(note.command)}</code></p>'] if note else []


def _position(position: PositionSection, issue: str) -> str:
    since = f" since {position.since}" if position.since else ""
    contested_on = position.contested.on if position.contested else None
    said = qualifiers(position.basis, position.condition, contested_on)
    qualified = f" <small>({text('; '.join(said))})</small>" if said else ""
    parts = [f"<h4>{text(position.name)}: {position.stance.value}{since}{qualified}</h4>"]
    if position.condition:
        parts.append(f"<p><em>On condition:</em> {text(position.condition)}</p>")
    if position.contested:
        parts.append(f"<p>Contested on {position.contested.on}: evidence of equal weight disagrees:</p>")
        parts += [_quote(ref, position.party) for ref in position.contested.evidence]
    parts += [_quote(ref, position.party) for ref in position.evidence]
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
            f"<li>{m.date}: {m.move or f'({m.not_applied or m.evidence.mode}, moves nothing)'}, "
            f"{m.stance_from.value} → "
            f"{m.stance_to.value} (<code>{text(m.evidence.id)}</code>, {text(who(m.evidence, position.party))})</li>"
            for m in position.moves
        )
        parts.append(f'<ul class="moves">{items}</ul>')
    for contradiction in position.contradictions:
        ids = ", ".join(f"<code>{text(e.id)}</code>" for e in contradiction.evidence)
        parts.append(
            f'<p class="contradiction"><strong>Contradiction</strong> ({contradiction.kind.replace("_", " ")}): '
            f"{text(contradiction.explanation)} ({ids})</p>"
        )
    return "".join(parts)


def _issue(section: IssueSection, report: Report, start: date) -> str:
    parts = [
        f'<section class="issue" id="issue-{text(section.issue)}">',
        f"<h3>{'↳ ' if section.parent else ''}{text(section.title)} ({section.status.replace('_', ' ')})</h3>",
        f'<p class="proposition">{text(section.proposition)}</p>',
        _timeline(section, report, start),
        _machine(section),
    ]
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
    if not section.positions and not section.issue_evidence:
        parts.append("<p>No evidence yet.</p>")
    parts.append("</section>")
    return "".join(parts)


def _changes(report: Report) -> str:
    if report.since is None:
        return ""
    parts = [f"<h2>What changed since {report.since}</h2>"]
    if not report.changes and not report.issue_changes:
        parts.append("<p>Nothing changed.</p>")
    for change in change_headings(report):
        subject = (
            f"{text(change.party_name)} on {text(change.issue_title)}" if change.party else text(change.issue_title)
        )
        parts.append(f"<h3>{subject}: {change.before} → {change.after}</h3>")
        parts += [_quote(ref, change.party) for ref in change.evidence]
        parts += _left_out(change.left_out)
    return "".join(parts)


def _sources(report: Report) -> str:
    rows = []
    for source in report.sources:
        inferred = f" (inferred: {text(source.date_evidence or 'from its content')})" if source.date_inferred else ""
        rows.append(
            f"<tr><td>{text(source.title)} (<code>{text(source.id)}</code>)</td><td>{text(source.outlet or '—')}</td>"
            f"<td>{source.published_on}{inferred}</td><td>{source.evidence}</td></tr>"
        )
    head = "<tr><th>Article</th><th>Outlet</th><th>Date</th><th>Evidence</th></tr>"
    others = report.sources_not_cited
    note = f"<p>The corpus's {others} other article(s) are not cited here.</p>" if others else ""
    return f"<h2>Sources</h2><table>{head}{''.join(rows)}</table>{note}"


def render_html(report: Report) -> str:
    corpus = report.corpus
    start = corpus.first_said_on or report.as_of
    if start >= report.as_of:
        start = shifted(report.as_of, -1)
    span = f", said {corpus.first_said_on} to {corpus.last_said_on}" if corpus.evidence else ""
    recorded = f", as recorded at {moment(report.known_at)}" if report.known_at else ""
    since = f", changes since {report.since}" if report.since else ""
    body = [
        f"<h1>{text(report.title)}</h1>",
        f"<p>As of {report.as_of}{since}{recorded}. Corpus: {corpus.articles} article(s), "
        f"{corpus.evidence} piece(s) of evidence{span}.</p>",
        "<h2>Positions</h2>",
        _matrix(report),
        _changes(report),
        "<h2>Issues</h2>",
        *(_issue(section, report, start) for section in report.issues),
        _sources(report),
    ]
    return (
        '<!DOCTYPE html>\n<html xmlns="http://www.w3.org/1999/xhtml" lang="en"><head><meta charset="utf-8"/>'
        f"<title>{text(report.title)}, as of {report.as_of}</title><style>{CSS}</style></head>"
        f"<body>{''.join(body)}</body></html>\n"
    )
