"""Grounding: finding each coded quote, verbatim, in its article.

A quote is matched after normalising whitespace and typographic punctuation
(curly quotes, ellipsis, dashes), because coders type straight quotes. The
match is mapped back to character offsets in the original text, which is never
altered, and stored W3C Web Annotation style: exact text, prefix and suffix
(TextQuoteSelector) and start and end (TextPositionSelector).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

CONTEXT_CHARS = 40

_PUNCTUATION = str.maketrans(
    {
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
        "\u00a0": " ",
    }
)
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Normalised:
    """Normalised text and, for each of its characters, the offset it came from."""

    text: str
    origin: list[int]


def normalise(text: str) -> Normalised:
    out: list[str] = []
    origin: list[int] = []
    pending_space = -1
    for index, char in enumerate(text):
        if char.isspace():
            if pending_space < 0:
                pending_space = index
            continue
        if pending_space >= 0:
            if out:
                out.append(" ")
                origin.append(pending_space)
            pending_space = -1
        if char == "\u2026":
            out.extend("...")
            origin.extend((index, index, index))
            continue
        out.append(char.translate(_PUNCTUATION))
        origin.append(index)
    return Normalised("".join(out), origin)


def normalise_quote(quote: str) -> str:
    return normalise(quote).text


@dataclass(frozen=True)
class Anchor:
    """Where a quote sits in its article."""

    start: int
    end: int
    exact: str
    prefix: str
    suffix: str


def _on_word_boundaries(text: str, at: int, length: int) -> bool:
    """A quote must not start or end inside a word ("agree" is not in "disagreed")."""
    starts_inside = at > 0 and text[at].isalnum() and text[at - 1].isalnum()
    end = at + length
    ends_inside = end < len(text) and text[end - 1].isalnum() and text[end].isalnum()
    return not (starts_inside or ends_inside)


def find_all(article: Normalised, original: str, quote: str) -> list[Anchor]:
    """Every place `quote` occurs in the article as whole words, as anchors into the original text."""
    needle = normalise_quote(quote)
    if not needle:
        return []
    anchors = []
    at = article.text.find(needle)
    while at >= 0:
        if not _on_word_boundaries(article.text, at, len(needle)):
            at = article.text.find(needle, at + 1)
            continue
        start = article.origin[at]
        end = article.origin[at + len(needle) - 1] + 1
        anchors.append(
            Anchor(
                start=start,
                end=end,
                exact=original[start:end],
                prefix=original[max(0, start - CONTEXT_CHARS) : start],
                suffix=original[end : end + CONTEXT_CHARS],
            )
        )
        at = article.text.find(needle, at + 1)
    return anchors


def closest_passage(article: Normalised, quote: str) -> str:
    """The passage of the article most like `quote`, for a helpful 'not found' message."""
    needle = normalise_quote(quote)
    haystack = article.text
    if not needle or not haystack:
        return ""
    matcher = difflib.SequenceMatcher(None, haystack, needle, autojunk=False)
    block = matcher.find_longest_match(0, len(haystack), 0, len(needle))
    start = max(0, block.a - block.b)
    # Widen to word boundaries so the suggestion reads naturally.
    left = haystack.rfind(" ", 0, start) + 1 if start > 0 else 0
    right_at = haystack.find(" ", start + len(needle))
    right = len(haystack) if right_at < 0 else right_at
    best = haystack[left:right]
    if len(best) > 200:
        best = best[:197] + "..."
    return best
