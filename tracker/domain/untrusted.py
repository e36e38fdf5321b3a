"""Untrusted text made inert: article text, coded values and anything a user typed.

Article text comes from anywhere, and fixtures, file names and command-line
values are typed by people; any of them may hold escape sequences, control
characters or bidirectional overrides. Everything the tracker writes for a
person (tables, messages, the terminal UI) goes through `safe_text`, which
shows those characters as visible codes (`\\x1b`, `<U+202E>`), so nothing in
them can drive a terminal or reorder what is read.
"""

from __future__ import annotations

import re

# C0 and C1 controls, DEL, and the Unicode bidirectional controls (Trojan Source).
BIDI_AND_C1 = "\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029"
_UNSAFE = re.compile(f"[\x00-\x1f{BIDI_AND_C1}]")
# What `safe_text(..., keep_lines=True)` makes visible (a view that maps its characters back uses it too).
UNSAFE_BUT_LINES = re.compile(f"[\x00-\x08\x0b-\x1f{BIDI_AND_C1}]")


def _visible_code(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"<U+{code:04X}>"


def safe_text(value: str, keep_lines: bool = False) -> str:
    """`value` with every control character and bidi override made visible and inert.

    With `keep_lines`, line feeds and tabs stay as they are (a multi-line view of an article, a list of
    messages). Applying it twice changes nothing more.
    """
    return (UNSAFE_BUT_LINES if keep_lines else _UNSAFE).sub(_visible_code, value)
