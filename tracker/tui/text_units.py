"""Words and sentences of an article's text, as the coding screen selects them (a word by ctrl+shift+arrows or a
double click, a sentence by one key or a triple click).

Spans are (start, end) character indices, the end past the last character. The sentences are those
`tracker.ingest.suggest.sentences` finds (as the suggestions do); a word is letters and digits, with the
apostrophes and hyphens inside it ("Kyiv's", "US-brokered").
"""

from __future__ import annotations

import re
from bisect import bisect_right

WORD = re.compile("\\w+(?:['\u2019\\-]\\w+)*")


def sentence_at(spans: list[tuple[int, int]], index: int) -> int | None:
    """Which of the sentences `spans` holds the character `index` (between two: the next one; after the last:
    the last). None: there are none."""
    if not spans:
        return None
    found = bisect_right([start for start, _ in spans], index) - 1
    if found >= 0 and index < spans[found][1]:
        return found
    return min(found + 1, len(spans) - 1)


def word_at(text: str, index: int) -> tuple[int, int] | None:
    """The word holding the character `index`, or ending just before it (None: neither)."""
    line_start = text.rfind("\n", 0, index) + 1
    line_end = text.find("\n", index)
    line_end = len(text) if line_end < 0 else line_end
    for match in WORD.finditer(text, line_start, line_end):
        if match.start() <= index <= match.end():
            return match.start(), match.end()
        if match.start() > index:
            break
    return None


def next_word_end(text: str, index: int) -> int:
    """The end of the word `index` is in, else of the next one; the text's end if there is none."""
    match = WORD.search(text, index)
    return match.end() if match is not None else len(text)


def next_word_start(text: str, index: int) -> int:
    """The start of the first word that starts after `index`; the text's end if there is none."""
    match = WORD.search(text, index)
    if match is not None and match.start() == index:  # the word `index` is in (or starts): the one after it
        match = WORD.search(text, match.end())
    return match.start() if match is not None else len(text)


def previous_word_end(text: str, index: int) -> int:
    """The end of the last word that ends before the word `index` is in or after; 0 if there is none."""
    start = previous_word_start(text, index)
    return max((m.end() for m in WORD.finditer(text, max(0, start - 256), start) if m.end() <= start), default=0)


def previous_word_start(text: str, index: int) -> int:
    """The start of the word `index` is in (past its start), else of the one before; 0 if there is none."""
    window = 256
    while True:
        begin = max(0, index - window)
        starts = [m.start() for m in WORD.finditer(text, begin, index) if m.start() > begin or begin == 0]
        if starts:
            return starts[-1]
        if begin == 0:
            return 0
        window *= 4
