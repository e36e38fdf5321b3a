"""The domain's values in the words a person reads: stances, moves, statuses, attributions and modes.

Ids (`counter_proposal`, `first_statement`, `in_play`) are what JSON, CSV and
the command line's filters use; reports and the terminal UI say them in words.
"""

from __future__ import annotations

WORDS = {
    # stances
    "unknown": "unknown",
    "demands": "demands",
    "supports": "supports",
    "open": "open",
    "counter_proposal": "counter-proposal",
    "opposes": "opposes",
    "agreed": "agreed",
    # moves
    "first_statement": "first statement",
    "reaffirm": "reaffirms",
    "soften": "softens",
    "harden": "hardens",
    "accept": "accepts",
    "renege": "reneges",
    "reopen": "reopens",
    # issue statuses
    "not_on_agenda": "not on the agenda",
    "in_play": "in play",
    "deadlocked": "deadlocked",
    "converging": "converging",
    # attributions
    "direct": "its own word",
    "reported": "reported by another",
    "analysis": "the outlet's analysis",
    # why evidence moved nothing
    "hypothetical": "hypothetical",
    "future": "future",
    "negated": "negated",
    "background": "background",
    "contradicts": "contradicts the stance held",
    "outranked": "outranked that day",
    "contested": "contested",
}


def words(value: object) -> str:
    """A stance, move, status, attribution or mode (an enum or its id) in words; anything else as it is."""
    text = str(getattr(value, "value", value))
    return WORDS.get(text, text.replace("_", " "))


# A mode as a row of a history says it beside who spoke (asserted, the default, says nothing).
MODES_SHOWN = {"background": "recap", "hypothetical": "hypothetical", "future": "future", "negated": "negated"}


def with_mode(source: str, mode: str | None) -> str:
    """Who a piece of evidence comes from, then its mode where it is not asserted: "Yuri Ushakov (direct), recap"."""
    shown = MODES_SHOWN.get(mode or "")
    return f"{source}, {shown}" if shown else source
