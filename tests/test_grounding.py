"""Finding quotes verbatim in their articles."""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.domain.evidence import Article, DateBasis
from tracker.domain.grounding import _PUNCTUATION, WordIndex, closest_passage, find_all, normalise, normalise_quote
from tracker.ingest.corpus import Grounder

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


words = st.sampled_from(["Kyiv", "Kyivs", "said", "no", "deal", "peace", "a", "1", "2026", "Ukraine's", "Moscow"])
separators = st.sampled_from([" ", "  ", "\n", ", ", ". ", " \u201c", "\u201d ", " - ", "\u2026", "'", "_"])
texts = st.lists(st.tuples(words, separators), min_size=1, max_size=60).map(
    lambda pairs: "".join(word + sep for word, sep in pairs)
)


@settings(max_examples=300, deadline=None)
@given(text=texts, quote=texts, start=st.integers(0, 200), length=st.integers(1, 80))
def test_a_quote_looked_up_in_the_word_index_is_found_where_a_search_finds_it(
    text: str, quote: str, start: int, length: int
) -> None:
    """The index finds exactly the places a search of the whole text finds, for quotes in it and not in it."""
    normalised = normalise(text)
    index = WordIndex(normalised.text)
    for candidate in (quote, text[start : start + length], text[start:]):
        if not any(c.isalnum() for c in candidate):
            continue  # such a quote is refused before it is looked for
        assert find_all(normalised, text, candidate, index) == find_all(normalised, text, candidate)


def test_an_article_coded_many_times_over_is_indexed_and_grounds_the_same(tmp_path: Path) -> None:
    text = " ".join(f"Point {n} stands." for n in range(2000))
    article = Article(
        id="long",
        file="long.txt",
        title="Long",
        published_on=date(2026, 1, 10),
        date_basis=DateBasis.STATED,
        text=text,
        sha256="",
        source_path=str(tmp_path / "long.txt"),
    )
    grounder = Grounder({"long": article})
    for n in range(2000):
        [anchor], _ = grounder.anchors("long", f"Point {n} stands")
        assert text[anchor.start : anchor.end] == f"Point {n} stands"
    assert grounder._normalised["long"].words is not None, "indexed once coded more than INDEX_AFTER times"
    assert grounder.anchors("long", "Point 20 stands.")[0][0].start == text.index("Point 20 stands.")


def test_the_listed_whitespace_is_what_python_calls_whitespace() -> None:
    from tracker.domain.grounding import WHITESPACE

    assert set(WHITESPACE) == {chr(c) for c in range(0x110000) if chr(c).isspace()}
