"""The README's terminal UI capture and key tables are what the screenshot goldens and the screens' bindings
make (`python -m tests.readme_captures` rewrites them): they cannot drift from the screens."""

from __future__ import annotations

from tests.readme_captures import README, made, screen_text


def test_the_readme_captures_and_key_tables_are_made_from_the_goldens_and_bindings() -> None:
    readme = README.read_text(encoding="utf-8")
    assert "<!-- capture: tests/golden/tui/main-120x36.svg -->" in readme
    assert readme.count("<!-- keys: ") >= 3, "the matrix's, everywhere's and the coding screen's keys"
    assert made(readme) == readme, "the README's captures or key tables differ: run python -m tests.readme_captures"


def test_a_capture_reads_the_screen_as_the_terminal_showed_it() -> None:
    cell = 12.2
    svg = "".join(
        f'<text class="t-r1" x="{x * cell:.1f}" y="{20 + 24.4 * line:.1f}" textLength="{len(text) * cell:.1f}" '
        f'clip-path="url(#t-line-{line})">{text}</text>'
        for x, line, text in [(1, 0, "Negotiation&#160;tracker"), (0, 1, "&lt;b&gt;"), (4, 1, "\u00d77"), (2, 3, "end")]
    )
    assert screen_text(svg) == " Negotiation tracker\n<b> \u00d77\n\n  end"
