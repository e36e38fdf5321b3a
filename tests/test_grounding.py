"""Finding quotes verbatim in their articles."""

from __future__ import annotations

import random

from tracker.grounding import _PUNCTUATION, closest_passage, find_all, normalise, normalise_quote

TEXT = (
    "Ushakov said the talks were \u201cuseful in every\n  respect\u201d \u2026 "
    "and \u2018frank\u2019. Then Peskov spoke."
)


def test_straight_quotes_and_whitespace_match_the_typographic_original() -> None:
    anchors = find_all(normalise(TEXT), TEXT, 'the talks were "useful in every respect" ... and')
    assert len(anchors) == 1
    anchor = anchors[0]
    assert TEXT[anchor.start : anchor.end] == anchor.exact
    assert anchor.exact == "the talks were \u201cuseful in every\n  respect\u201d \u2026 and"
    assert anchor.prefix == "Ushakov said "
    assert anchor.suffix.startswith(" \u2018frank\u2019.")


def test_every_occurrence_is_found() -> None:
    text = "No deal. They said no deal. Really: no deal."
    assert [a.start for a in find_all(normalise(text), text, "no deal")] == [19, 36]


def test_case_is_verbatim() -> None:
    assert find_all(normalise(TEXT), TEXT, "USHAKOV said") == []


def test_closest_passage_points_at_the_near_miss() -> None:
    near = closest_passage(normalise(TEXT), "the talks were useful in all respects")
    assert "useful in every" in near


def _reference_normalise(text: str) -> tuple[str, list[int]]:
    """Normalisation told one character at a time: the definition the fast one must agree with."""
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
    return "".join(out), origin


def test_normalising_agrees_with_its_definition_character_by_character() -> None:
    rng = random.Random(5)
    alphabet = "ab \n\t\u00a0\u2009\u2026\u201c\u201d\u2019\u2014.\r\x0c"
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 24)))
        fast = normalise(text)
        expected_text, expected_origin = _reference_normalise(text)
        assert fast.text == expected_text, repr(text)
        assert [fast.origin(at) for at in range(len(fast.text))] == expected_origin, repr(text)


def test_quotes_normalise_as_the_definition_says() -> None:
    rng = random.Random(11)
    alphabet = "ab' \t\n\u00a0\u2026\u201c\u2019-\x0b"
    quotes = ["plain words", " leading", "trailing ", "two  spaces", "tab\there", "it's", "a\u2019b"]
    quotes += ["".join(rng.choice(alphabet) for _ in range(rng.randrange(1, 12))) for _ in range(2000)]
    for quote in quotes:
        assert normalise_quote(quote) == _reference_normalise(quote)[0], repr(quote)
