"""The HTML briefing's charts: a date axis, the --since mark, a legend, marks that stay apart, the issue's own
evidence, the machine drawn once with each party's path per issue, and colours a reader can read.

Contrast is computed here as WCAG 2 defines it, from the colours the page itself declares, independently of the
renderer's own helpers."""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import combinations, pairwise
from xml.etree import ElementTree

import pytest

from tests.conftest import Run
from tracker.domain.machines import MOVES, Move, Stance
from tracker.domain.words import words
from tracker.render.html import CSS, MOVE_COLOUR, STANCE_COLOUR

SVG = "{http://www.w3.org/2000/svg}"
XHTML = "{http://www.w3.org/1999/xhtml}"
WHITE = "#ffffff"


def luminance(colour: str) -> float:
    colour = expand(colour)
    channels = [int(colour[n : n + 2], 16) / 255 for n in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(one: str, other: str) -> float:
    light, dark = sorted((luminance(one), luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def expand(colour: str) -> str:
    """#abc -> #aabbcc; names used by the page -> hex."""
    colour = {"white": WHITE, "black": "#000000"}.get(colour.strip().lower(), colour.strip().lower())
    if re.fullmatch(r"#[0-9a-f]{3}", colour):
        colour = "#" + "".join(c * 2 for c in colour[1:])
    assert re.fullmatch(r"#[0-9a-f]{6}", colour), f"a colour the test cannot read: {colour!r}"
    return colour


def lab(colour: str) -> tuple[float, float, float]:
    """CIE L*a*b* (D65) of an sRGB colour."""
    colour = expand(colour)
    rgb = [int(colour[n : n + 2], 16) / 255 for n in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb)
    xyz = (
        (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047,
        (0.2126 * r + 0.7152 * g + 0.0722 * b) / 1.0,
        (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883,
    )
    f = [t ** (1 / 3) if t > 216 / 24389 else (24389 / 27 * t + 16) / 116 for t in xyz]
    return 116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])


def distance(one: str, other: str) -> float:
    """CIE76 colour difference (about 2.3 is just noticeable; 20 or more reads as another colour)."""
    return sum((p - q) ** 2 for p, q in zip(lab(one), lab(other), strict=True)) ** 0.5


def page(run: Run, db: str, *args: str) -> ElementTree.Element:
    html = run("--db", db, "report", "--as-of", "2026-02-06", "--since", "2026-01-24", "--format", "html", *args)
    assert html.exit_code == 0, html.stderr
    return ElementTree.fromstring(html.stdout.split("\n", 1)[1])


def svgs(root: ElementTree.Element, kind: str) -> list[ElementTree.Element]:
    return [svg for svg in root.iter(f"{SVG}svg") if svg.get("class") == kind]


def classed(element: ElementTree.Element, tag: str, kind: str) -> list[ElementTree.Element]:
    return [e for e in element.iter(f"{SVG}{tag}") if e.get("class") == kind]


Box = tuple[float, float, float, float]  # x0, y0, x1, y1


def shape_box(element: ElementTree.Element) -> Box | None:
    tag = element.tag.removeprefix(SVG)
    if tag == "rect":
        x, y = float(element.get("x", 0)), float(element.get("y", 0))
        return x, y, x + float(element.get("width", 0)), y + float(element.get("height", 0))
    if tag == "circle":
        cx, cy, r = (float(element.get(a, 0)) for a in ("cx", "cy", "r"))
        return cx - r, cy - r, cx + r, cy + r
    return None


def text_box(element: ElementTree.Element) -> Box:
    """Where a label's glyphs lie, estimated on the small side (0.5 em a character, cap height 0.7 em)."""
    size = float(element.get("font-size", 16))
    width = len("".join(element.itertext())) * size * 0.5
    x, y = float(element.get("x", 0)), float(element.get("y", 0))
    x0 = {"start": x, "middle": x - width / 2, "end": x - width}[element.get("text-anchor", "start")]
    return x0, y - size * 0.7, x0 + width, y


def overlaps(one: Box, other: Box) -> bool:
    return one[0] < other[2] and other[0] < one[2] and one[1] < other[3] and other[1] < one[3]


def contains(outer: Box, inner: Box) -> bool:
    return outer[0] <= inner[0] and outer[1] <= inner[1] and inner[2] <= outer[2] and inner[3] <= outer[3]


def labels_and_backdrops(svg: ElementTree.Element) -> Iterator[tuple[str, str, str]]:
    """Each label of a chart, its colour, and each colour its glyphs sit on: the shapes drawn before it that
    show under it, from the topmost down to one that holds it all (else down to the page)."""
    drawn: list[tuple[Box, str]] = []
    skip = {id(e) for defs in svg.iter(f"{SVG}defs") for e in defs.iter()}
    for element in svg.iter():
        if id(element) in skip:
            continue
        box = shape_box(element)
        if box is not None and element.get("fill") not in (None, "none"):
            drawn.append((box, element.get("fill", WHITE)))
        if element.tag == f"{SVG}text":
            label = "".join(element.itertext())
            fill = element.get("fill", "#000000")
            glyphs = text_box(element)
            under = []
            for shape, colour in reversed(drawn):
                if overlaps(shape, glyphs):
                    under.append(colour)
                    if contains(shape, glyphs):
                        break
            else:
                under.append(WHITE)
            for backdrop in under:
                yield label, fill, backdrop


def test_every_chart_label_reads_at_4_5_to_1_or_more(run: Run, seeded_db: str) -> None:
    for args in ((), ("--party", "europe")):
        root = page(run, seeded_db, *args)
        checked = 0
        for svg in root.iter(f"{SVG}svg"):
            for label, fill, backdrop in labels_and_backdrops(svg):
                assert contrast(fill, backdrop) >= 4.5, (
                    f"{label!r}: {fill} on {backdrop} is {contrast(fill, backdrop):.2f}"
                )
                checked += 1
        assert checked > 60
        for cell in root.iter(f"{XHTML}td"):
            style = dict(part.split(":", 1) for part in (cell.get("style") or "").split(";") if ":" in part)
            if "background" in style:
                assert "color" in style, "a coloured cell names its text colour"
                ratio = contrast(style["color"], style["background"])
                assert ratio >= 4.5, f"{''.join(cell.itertext())!r}: {style} is {ratio:.2f}"


def test_open_reads_in_dark_ink_not_white_on_tan(run: Run, seeded_db: str) -> None:
    root = page(run, seeded_db)
    legend = svgs(root, "legend")[0]
    [chip] = [g for g in classed(legend, "g", "chip") if "".join(g.itertext()) == "open"]
    assert chip.find(f"{SVG}text").get("fill") == "#000000"  # type: ignore[union-attr]


def test_the_page_css_colours_read_at_4_5_to_1_or_more() -> None:
    texts = set(re.findall(r"(?<![-\w])color:\s*(#[0-9a-fA-F]{3,6})", CSS))
    backgrounds = set(re.findall(r"background:\s*(#[0-9a-fA-F]{3,6})", CSS)) | {WHITE}
    assert len(texts) >= 4 and len(backgrounds) >= 5
    for text in texts:
        for background in backgrounds:
            assert contrast(text, background) >= 4.5, (text, background)


def test_move_colours_are_not_stance_colours() -> None:
    for move, move_colour in MOVE_COLOUR.items():
        for stance, stance_colour in STANCE_COLOUR.items():
            assert distance(move_colour, stance_colour) >= 20, (move, stance, distance(move_colour, stance_colour))
    for (one, a), (other, b) in combinations(MOVE_COLOUR.items(), 2):
        assert distance(a, b) >= 20, (one, other)


def test_a_timeline_has_a_date_axis_the_since_date_and_a_legend(run: Run, seeded_db: str) -> None:
    root = page(run, seeded_db)
    legend = svgs(root, "legend")
    assert len(legend) == 1, "one legend for every chart"
    chips = ["".join(g.itertext()) for g in classed(legend[0], "g", "chip")]
    assert chips == [words(s) for s in Stance]
    for timeline in svgs(root, "timeline"):
        ticks = classed(timeline, "line", "tick")
        assert len(ticks) >= 5
        labels = {
            "".join(t.itertext()): float(t.get("x", 0))
            for t in timeline.iter(f"{SVG}text")
            if re.fullmatch(r"\d{1,2} [A-Z][a-z]{2}", "".join(t.itertext()))
        }
        assert {"22 Jan", "24 Jan", "5 Feb"} <= set(labels), labels
        assert list(labels.values()) == sorted(labels.values()), "dates left to right"
        [since] = classed(timeline, "line", "since")
        assert labels["24 Jan"] < float(since.get("x1", 0)) < labels["26 Jan"], "after 24 Jan, before 26 Jan"
        assert any("".join(t.itertext()) == "since 2026-01-24" for t in timeline.iter(f"{SVG}text"))
    without = page(run, seeded_db, "--since", "2026-01-22")
    assert all(classed(t, "line", "since") for t in svgs(without, "timeline"))


def mark_box(mark: ElementTree.Element) -> Box:
    boxes = [b for b in (shape_box(e) for e in mark) if b is not None]
    return boxes[0]


def test_evidence_marks_stay_apart_and_are_counted(run: Run, seeded_db: str) -> None:
    root = page(run, seeded_db)
    for timeline in svgs(root, "timeline"):
        for lane in classed(timeline, "g", "lane"):
            boxes = sorted(mark_box(m) for m in classed(lane, "g", "mark"))
            for one, other in pairwise(boxes):
                assert one[2] <= other[0], f"marks overlap in lane {lane.get('data-party')!r}"
    donetsk = svgs(root, "timeline")[0]
    [russia] = [g for g in classed(donetsk, "g", "lane") if g.get("data-party") == "russia"]
    counts = [int(m.get("data-count", 0)) for m in classed(russia, "g", "mark")]
    assert counts == [4, 3], "four pieces on 23 Jan, three on 5 Feb"
    assert [t for m in classed(russia, "g", "mark") for t in m.iter(f"{SVG}text") if "".join(t.itertext()) == "4"]


def test_issue_level_evidence_is_drawn_on_its_issues_chart(run: Run, seeded_db: str) -> None:
    root = page(run, seeded_db)
    znpp = next(t for t in svgs(root, "timeline") if "Zaporizhzhia" in (t.get("aria-label") or ""))
    [issue_lane] = [g for g in classed(znpp, "g", "lane") if g.get("data-party") == ""]
    marks = classed(issue_lane, "g", "mark")
    assert [m.get("data-count") for m in marks] == ["1"]
    assert "adr1-02" in "".join(marks[0].itertext())
    assert any("".join(t.itertext()) == "the issue itself" for t in issue_lane.iter(f"{SVG}text"))


def endpoint(d: str) -> tuple[float, float]:
    numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", d)]
    return numbers[-2], numbers[-1]


def test_the_machine_is_drawn_once_with_every_move_and_apart_arrowheads(run: Run, seeded_db: str) -> None:
    root = page(run, seeded_db)
    [machine] = svgs(root, "machine")
    arrows = [p for p in classed(machine, "path", "move") if p.get("data-from")]
    drawn = {(p.get("data-from"), p.get("data-to"), p.get("data-move")) for p in arrows}
    every = {(s, d, m.value) for (s, d), moves in MOVES.items() for m in moves if m is not Move.REAFFIRM}
    assert drawn == every and len(arrows) == len(every), "every move of the machine, once"
    ends = [endpoint(p.get("d", "")) for p in arrows]
    for (x0, y0), (x1, y1) in combinations(ends, 2):
        assert ((x0 - x1) ** 2 + (y0 - y1) ** 2) ** 0.5 >= 12, "arrowheads never meet"
    for arrow in classed(machine, "path", "move"):
        assert arrow.get("stroke") == MOVE_COLOUR[Move(arrow.get("data-move"))]
        assert arrow.get("stroke") not in STANCE_COLOUR.values()


def test_each_issue_shows_each_partys_path_through_the_machine(run: Run, seeded_db: str) -> None:
    root = page(run, seeded_db)
    sections = {s.get("id"): s for s in root.iter(f"{XHTML}section")}
    donetsk = sections["issue-donetsk_withdrawal"]
    [paths] = [svg for svg in donetsk.iter(f"{SVG}svg") if svg.get("class") == "paths"]
    by_party = {g.get("data-party"): g for g in classed(paths, "g", "path")}
    assert list(by_party) == ["russia", "ukraine"]
    ukraine = by_party["ukraine"]
    assert [p.get("data-move") for p in classed(ukraine, "path", "move")] == ["first_statement", "soften"]
    said = [" ".join(t.itertext()) for t in ukraine.iter(f"{SVG}text")]
    assert said == [
        "Ukraine",
        "unknown",
        "first statement, by 23 Jan",
        "opposes",
        "restated once",
        "softens, by 5 Feb",
        "counter-proposal",
        "restated once",
    ]
    assert "restated 6 times" in [" ".join(t.itertext()) for t in by_party["russia"].iter(f"{SVG}text")]
    znpp = sections["issue-znpp"]
    assert not [svg for svg in znpp.iter(f"{SVG}svg") if svg.get("class") == "paths"], "no party has moved there"


@pytest.mark.parametrize("party", ["europe", "russia"])
def test_a_filtered_chart_has_the_lanes_of_the_parties_shown(run: Run, seeded_db: str, party: str) -> None:
    root = page(run, seeded_db, "--party", party)
    for timeline in svgs(root, "timeline"):
        assert [g.get("data-party") for g in classed(timeline, "g", "lane")] == [party, ""]
    notes = [p for p in root.iter(f"{XHTML}p") if p.get("class") == "filtered"]
    assert notes and "Left out by the filter" in "".join(notes[0].itertext())
