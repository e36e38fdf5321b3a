"""Suggestions propose only the stance a sentence stands behind, on sentences found as a reader finds them.

Every text here is written for these tests, about an imagined negotiation between Northland and Southland
(Eastmark mediating) over canal tolls and a water tariff.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tracker.domain.catalog import load_catalog
from tracker.domain.machines import Stance
from tracker.ingest.suggest import Suggester, Suggestion, sentences
from tracker.render.coding import render_suggestions

CATALOG = """\
title: Canal talks
issues:
  - id: canal_tolls
    title: Canal tolls
    proposition: Ships of both sides pay the same toll on the canal
    aliases: [tolls, toll]
  - id: water_tariff
    title: Water tariff
    proposition: Southland pays the water tariff set in the old treaty
    aliases: [tariff]
parties:
  - id: northland
    name: Northland
    aliases: [Nordby]
    keywords: [Halvorsen, Northern]
  - id: southland
    name: Southland
    aliases: [Sudport]
    keywords: [Okafor, Southern]
  - id: eastmark
    name: Eastmark
    role: mediator
    keywords: [Lindqvist]
"""


@pytest.fixture(scope="module")
def suggester(tmp_path_factory: pytest.TempPathFactory) -> Suggester:
    path = tmp_path_factory.mktemp("catalog") / "catalog.yaml"
    path.write_text(CATALOG, encoding="utf-8")
    return Suggester(load_catalog(path))


def one(suggester: Suggester, text: str, party: str, issue: str = "canal_tolls") -> Suggestion:
    found = [s for s in suggester.suggest(text) if s.party == party and s.issue == issue]
    assert len(found) == 1, found
    return found[0]


def quoted(text: str) -> list[str]:
    return [text[start:end] for start, end in sentences(text)]


# The splitter.


def test_abbreviations_initials_and_dates_do_not_end_a_sentence() -> None:
    assert quoted("Talks resume on Nov. 18 in Geneva. Northland insists on the tolls.") == [
        "Talks resume on Nov. 18 in Geneva.",
        "Northland insists on the tolls.",
    ]
    assert quoted("The U.S. envoy met Mr. Halvorsen on Jan. 5 in St. Petersburg. He left.") == [
        "The U.S. envoy met Mr. Halvorsen on Jan. 5 in St. Petersburg.",
        "He left.",
    ]
    assert quoted("The toll rose 2.5 percent, J. R. Okafor said. Dr. Lindqvist disagreed.") == [
        "The toll rose 2.5 percent, J. R. Okafor said.",
        "Dr. Lindqvist disagreed.",
    ]


def test_an_abbreviation_ends_a_sentence_only_before_a_word_that_begins_one() -> None:
    assert quoted("Halvorsen flew to the U.S. The talks began at 10 a.m. on Monday.") == [
        "Halvorsen flew to the U.S.",
        "The talks began at 10 a.m. on Monday.",
    ]
    assert quoted("The U.N. envoy and Gen. Okafor met in Sept. They agreed. Vol. 2 follows.") == [
        "The U.N. envoy and Gen. Okafor met in Sept.",
        "They agreed.",
        "Vol. 2 follows.",
    ]
    assert quoted("Okafor said no. The tolls stay. Halvorsen said yes. Mr. Okafor left.") == [
        "Okafor said no.",
        "The tolls stay.",
        "Halvorsen said yes.",
        "Mr. Okafor left.",
    ]
    assert quoted("The U.S.-drafted text of No. 5 passed. Tolls fell 3.75 percent... Southland objected.") == [
        "The U.S.-drafted text of No. 5 passed.",
        "Tolls fell 3.75 percent...",
        "Southland objected.",
    ]


def test_a_quotation_ends_a_sentence_and_a_line_break_always_does() -> None:
    assert quoted('"We will never pay the tariff." Okafor said so. "Is it fair?" he asked. Then he left.') == [
        '"We will never pay the tariff."',
        "Okafor said so.",
        '"Is it fair?" he asked.',
        "Then he left.",
    ]
    assert quoted("\u201cWe pay. We always paid,\u201d Okafor said. \u201cWill Nordby pay?\u201d asked Halvorsen.") == [
        "\u201cWe pay. We always paid,\u201d Okafor said.",
        "\u201cWill Nordby pay?\u201d asked Halvorsen.",
    ], "a quotation's sentences are one with who says them"
    assert quoted("\u201cWe pay. We always paid. And") == ["\u201cWe pay.", "We always paid.", "And"], "never closed"
    assert quoted("Canal talks resume\n\n  Northland wants lower tolls.  \nA new line") == [
        "Canal talks resume",
        "Northland wants lower tolls.",
        "A new line",
    ]


def test_spans_leave_out_white_space_and_cover_every_other_character() -> None:
    text = " Northland met Southland on Jan. 5.  They agreed on tolls.\nNo date given "
    spans = sentences(text)
    assert all(text[start:end] == text[start:end].strip() for start, end in spans)
    covered = "".join(text[start:end] for start, end in spans)
    assert "".join(covered.split()) == "".join(text.split())
    assert [text[s:e] for s, e in spans] == [
        "Northland met Southland on Jan. 5.",
        "They agreed on tolls.",
        "No date given",
    ]


# A stance only where the sentence stands behind it.


def test_a_plain_cue_whose_subject_is_the_party_proposes_the_stance(suggester: Suggester) -> None:
    s = one(suggester, "Northland rejected the canal tolls on Friday.", "northland")
    assert (s.stance, s.stance_withheld, s.attribution) == (Stance.OPPOSES, None, "analysis")
    assert (
        one(suggester, "Northland's chief negotiator firmly rejected the tolls.", "northland").stance is Stance.OPPOSES
    )


@pytest.mark.parametrize(
    ("sentence", "reason"),
    [
        ("Northland has not yet agreed to the canal tolls.", "negated: 'has not yet agreed'"),
        ("Northland did not support the canal tolls.", "negated: 'did not support'"),
        ("Northland never agreed to the canal tolls.", "negated"),
        ("Northland stopped short of a deal on the canal tolls.", "negated: 'stopped short of a deal on'"),
    ],
)
def test_a_negated_cue_proposes_no_stance(suggester: Suggester, sentence: str, reason: str) -> None:
    s = one(suggester, sentence, "northland")
    assert s.stance is None
    assert s.stance_withheld is not None and s.stance_withheld.startswith(reason), s.stance_withheld
    assert s.stance_withheld in s.why, "the reason is shown with the suggestion"


@pytest.mark.parametrize(
    ("sentence", "kind"),
    [
        ("Northland could support the canal tolls.", "hedged: 'could support'"),
        ("Northland may support the canal tolls.", "hedged: 'may support'"),
        ("Northland would welcome lower canal tolls.", "hedged: 'would welcome'"),
        ("Northland has proposed a joint toll, possibly with Eastmark as collector.", "hedged: 'possibly"),
        ("Northland is expected to support the canal tolls.", "future: 'is expected to support'"),
        ("Northland will support the canal tolls next week.", "future: 'will support'"),
        ("Northland plans to propose new canal tolls.", "future: 'plans to propose'"),
        ("Northland supports the canal tolls if Southland pays first.", "conditional: 'if Southland pays first'"),
        ("If Southland pays first, Northland agreed to lower tolls.", "conditional: 'If Southland pays first'"),
        ("Northland backs the canal tolls unless Southland objects.", "conditional: 'unless"),
    ],
)
def test_a_hedge_a_future_or_a_condition_withholds_the_stance(suggester: Suggester, sentence: str, kind: str) -> None:
    s = one(suggester, sentence, "northland")
    assert s.stance is None
    assert s.stance_withheld is not None and s.stance_withheld.startswith(kind), s.stance_withheld


def test_a_refusal_now_about_the_future_is_a_stance_and_an_offer_on_terms_is_open(suggester: Suggester) -> None:
    assert one(suggester, "Northland will never accept the canal tolls.", "northland").stance is Stance.OPPOSES
    assert one(suggester, "Northland said it would not pay the canal tolls.", "northland").stance is Stance.OPPOSES
    ready = one(suggester, "Northland is ready to cut the canal tolls if Southland pays first.", "northland")
    assert (ready.stance, ready.stance_withheld) == (Stance.OPEN, None), "a condition is what `open` means"
    assert one(suggester, "Northland could accept lower canal tolls.", "northland").stance is Stance.OPEN


def test_a_cue_whose_subject_is_another_party_or_no_party_proposes_nothing_for_the_party(
    suggester: Suggester,
) -> None:
    text = "Northland criticised the plan, while Southland rejected the canal tolls."
    assert one(suggester, text, "southland").stance is Stance.OPPOSES
    north = one(suggester, text, "northland")
    assert (north.stance, north.stance_withheld) == (None, "'rejected' is Southland's, not Northland's")
    thing = one(suggester, "Halvorsen said a fair deal requires the end of canal tolls.", "northland")
    assert thing.stance is Stance.DEMANDS, "a thing that requires, in what Halvorsen said: his demand"
    passive = one(suggester, "The canal tolls were agreed in Nordby last week.", "northland")
    assert passive.stance is None and passive.stance_withheld is not None and "passive" in passive.stance_withheld
    far = one(
        suggester, "Northland hoped the exchange of ships and tolls agreed at the talks would go on.", "northland"
    )
    assert far.stance is None, "too many words between: the party is not clearly the one that agreed"
    adjective = one(suggester, "Northland ships sail to an agreed toll line.", "northland")
    assert adjective.stance is None and adjective.stance_withheld is None, "'an agreed line' is no cue"


def test_a_never_about_something_else_is_not_the_party_s_refusal(suggester: Suggester) -> None:
    text = (
        '"I support your plan for the canal tolls, and it will make sure that the canal never again closes,"'
        " said Halvorsen."
    )
    s = one(suggester, text, "northland")
    assert (s.stance, s.attribution) == (Stance.SUPPORTS, "direct")


def test_must_is_the_demand_of_the_one_who_says_it(suggester: Suggester) -> None:
    text = "Halvorsen insisted that Southland must drop the canal tolls."
    assert one(suggester, text, "northland").stance is Stance.DEMANDS
    south = one(suggester, text, "southland")
    assert south.stance is None and south.stance_withheld is not None and "Northland" in south.stance_withheld


def test_parties_named_together_share_the_cue_and_a_pronoun_stands_for_its_party(suggester: Suggester) -> None:
    text = "Northland and the southern delegation of Southland have agreed on the canal tolls."
    assert one(suggester, text, "northland").stance is Stance.AGREED
    assert one(suggester, text, "southland").stance is Stance.AGREED
    it = "Southland, in a statement, reiterated that it will not pay the canal tolls."
    assert one(suggester, it, "southland").stance is Stance.OPPOSES
    relative = "Northland, which has run the canal since 1990, is pressing for higher tolls."
    assert one(suggester, relative, "northland").stance is Stance.DEMANDS
    we = "\u201cWe reject the canal tolls,\u201d Okafor said."
    assert (one(suggester, we, "southland").stance, one(suggester, we, "southland").attribution) == (
        Stance.OPPOSES,
        "direct",
    )


def test_each_issue_takes_the_cue_before_it(suggester: Suggester) -> None:
    text = "Northland insists on the water tariff and rejects any canal tolls."
    assert one(suggester, text, "northland", "water_tariff").stance is Stance.DEMANDS
    assert one(suggester, text, "northland", "canal_tolls").stance is Stance.OPPOSES
    mixed = one(suggester, "Northland welcomed the tolls but rejected them for tankers.", "northland")
    assert mixed.stance is Stance.SUPPORTS
    both = one(suggester, "Northland proposed a new toll and rejected the old toll.", "northland")
    assert both.stance is None and both.stance_withheld is not None and both.stance_withheld.startswith("cues disagree")


# Who speaks.


def test_another_party_speaking_is_reported(suggester: Suggester) -> None:
    text = "Okafor said Northland demands lower canal tolls."
    north = one(suggester, text, "northland")
    assert (north.stance, north.attribution) == (Stance.DEMANDS, "reported")
    south = one(suggester, text, "southland")
    assert (south.stance, south.attribution) == (None, "direct")
    after = one(suggester, "Northland demands lower canal tolls, Okafor said.", "northland")
    assert (after.stance, after.attribution) == (Stance.DEMANDS, "reported"), "the speaker named after the words"
    own = one(suggester, "Northland rejects the canal tolls, Halvorsen told reporters.", "northland")
    assert own.attribution == "direct"
    inverted = one(suggester, '"The tolls must go," said Halvorsen.', "northland")
    assert inverted.attribution == "direct"


# What the sentence before gives.


def test_an_issue_or_a_speaker_named_just_before_is_carried_ranked_lower(suggester: Suggester) -> None:
    text = "The canal tolls were discussed at length. Northland rejected them."
    carried = one(suggester, text, "northland")
    assert carried.quote == "Northland rejected them."
    assert carried.stance is Stance.OPPOSES and "from the sentence before" in carried.why
    spoken = "Halvorsen spoke to the press in Nordby. \u201cWe will never pay the canal tolls,\u201d he said."
    carried_party = one(suggester, spoken, "northland")
    assert carried_party.quote.startswith("\u201cWe will never")
    assert (carried_party.stance, carried_party.attribution) == (Stance.OPPOSES, "direct")
    far = "The canal tolls were discussed. The weather was fine. Northland rejected them."
    assert not [s for s in suggester.suggest(far) if s.quote == "Northland rejected them."], "one sentence back only"


def test_no_cue_is_no_reason_and_what_is_shown_says_why(suggester: Suggester, tmp_path: Path) -> None:
    plain = one(suggester, "Northland met Southland to talk about canal tolls.", "northland")
    assert (plain.stance, plain.stance_withheld) == (None, None)
    found = suggester.suggest("Northland has not yet agreed to the canal tolls.")
    shown = json.loads(render_suggestions("a", found, "json"))["suggestions"][0]
    assert shown["stance"] is None and shown["stance_withheld"] == "negated: 'has not yet agreed'"
    table = render_suggestions("a", found, "table", 200)
    assert "(unsure)" in table and "no stance proposed: negated" in table
    made = Suggestion("canal_tolls", "northland", None, "analysis", "q", 0, 1, 1, "why")
    assert made.stance_withheld is None, "the fields added are optional"
