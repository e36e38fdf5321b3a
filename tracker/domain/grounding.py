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
from bisect import bisect_right
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
# Every whitespace character (what `str.isspace` holds true, listed so as not to scan Unicode at every start;
# a test holds the two to agreeing) reads as one space (runs are collapsed below).
WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009"
    "\u200a\u2028\u2029\u202f\u205f\u3000"
)
_ONE_FOR_ONE = {
    **{chr(c): v for c, v in _PUNCTUATION.items()},
    **dict.fromkeys(WHITESPACE, " "),
}
_ONE_FOR_ONE.pop(" ")


def _one_for_one(text: str) -> str:
    """Typographic punctuation as ASCII and any whitespace as a space; the length is unchanged.

    One `str.replace` per character the text has that needs it: a few scans in C, where
    `str.translate` with a table looks every character up.
    """
    for char in _ONE_FOR_ONE.keys() & set(text):
        text = text.replace(char, _ONE_FOR_ONE[char])
    return text


# Where the normalised text stops matching the original one for one: a whitespace run (collapsed to a
# single space, or dropped at either end of the text) and an ellipsis (spelled "...").
_RESHAPED = re.compile(r"\s{2,}|\A\s+|\s+\Z|\u2026")


@dataclass(frozen=True)
class Normalised:
    """Normalised text, and where its characters came from in the original.

    The text is made of pieces, each starting at `starts[k]` in the normalised
    text and at `origins[k]` in the original. A piece either follows the
    original one for one (`steps[k]` 1), or all its characters come from one
    place (`steps[k]` 0: a collapsed space, an expanded ellipsis).
    """

    text: str
    starts: list[int]
    origins: list[int]
    steps: list[int]

    def origin(self, at: int) -> int:
        """The offset in the original text of normalised character `at`."""
        k = bisect_right(self.starts, at) - 1
        return self.origins[k] + self.steps[k] * (at - self.starts[k])


def normalise(text: str) -> Normalised:
    """Whitespace runs as one space (none at either end), typographic punctuation as ASCII.

    One pass of `str.translate` does the one-for-one part; only the places
    where lengths change are visited in Python, so a long article costs
    about as much as copying it.
    """
    pieces: list[str] = []
    starts: list[int] = []
    origins: list[int] = []
    steps: list[int] = []
    length = 0

    def piece(spelled: str, origin: int, step: int) -> None:
        nonlocal length
        pieces.append(spelled)
        starts.append(length)
        origins.append(origin)
        steps.append(step)
        length += len(spelled)

    done = 0
    original, text = text, _one_for_one(text)
    for reshaped in _RESHAPED.finditer(original):
        at, end = reshaped.span()
        if at > done:
            piece(text[done:at], done, 1)
        spelled = "..." if original[at] == "\u2026" else ("" if at == 0 or end == len(text) else " ")
        if spelled:
            piece(spelled, at, 0)
        done = end
    if done < len(text) or not starts:
        piece(text[done:], done, 1)
    return Normalised("".join(pieces), starts, origins, steps)


def normalise_quote(quote: str) -> str:
    if quote.isascii() and quote.isprintable() and "  " not in quote and quote[:1] != " " and quote[-1:] != " ":
        return quote  # as most quotes are typed: nothing to normalise
    if _RESHAPED.search(quote) is None:
        return _one_for_one(quote)
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


# A word: a run of letters and digits (what `str.isalnum` calls alphanumeric; `\w` also takes "_").
_WORD = re.compile(r"[^\W_]+")


class WordIndex:
    """Where each word of a normalised article starts, so a quote is looked up instead of searched for.

    A quote matches as whole words, so each word in it is a whole word of the article at the same
    distance from the quote's start: the places of its rarest word are the only places it can be.
    Searching costs the article's length per quote; an article coded many times over is indexed once.
    """

    def __init__(self, text: str) -> None:
        self.starts: dict[str, list[int]] = {}
        for word in _WORD.finditer(text):
            self.starts.setdefault(word.group(), []).append(word.start())

    def candidates(self, needle: str) -> list[int]:
        """Where in the article `needle` may start (every place it does is among them), in order."""
        best: tuple[int, list[int]] | None = None
        for word in _WORD.finditer(needle):
            starts = self.starts.get(word.group())
            if starts is None:
                return []
            if best is None or len(starts) < len(best[1]):
                best = (word.start(), starts)
        if best is None:
            return []
        offset, starts = best
        return [start - offset for start in starts if start >= offset]


def _places(article: Normalised, needle: str, words: WordIndex | None) -> list[int]:
    """Where `needle` occurs in the article's normalised text as whole words, in order."""
    text = article.text
    if words is not None:
        return [
            at
            for at in words.candidates(needle)
            if text.startswith(needle, at) and _on_word_boundaries(text, at, len(needle))
        ]
    places = []
    at = text.find(needle)
    while at >= 0:
        if _on_word_boundaries(text, at, len(needle)):
            places.append(at)
        at = text.find(needle, at + 1)
    return places


def find_all(article: Normalised, original: str, quote: str, words: WordIndex | None = None) -> list[Anchor]:
    """Every place `quote` occurs in the article as whole words, as anchors into the original text.

    With `words`, the article's `WordIndex`, the places are looked up rather than searched for (the same
    places: a quote with no word in it, which an index cannot find, is never grounded).
    """
    needle = normalise_quote(quote)
    if not needle:
        return []
    anchors = []
    for at in _places(article, needle, words):
        start = article.origin(at)
        end = article.origin(at + len(needle) - 1) + 1
        anchors.append(
            Anchor(
                start=start,
                end=end,
                exact=original[start:end],
                prefix=original[max(0, start - CONTEXT_CHARS) : start],
                suffix=original[end : end + CONTEXT_CHARS],
            )
        )
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
