"""Finding quotes verbatim in their articles."""

from __future__ import annotations

from tracker.grounding import closest_passage, find_all, normalise

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
