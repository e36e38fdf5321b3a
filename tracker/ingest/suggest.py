"""Suggestions for coding an article: the sentences that name an issue and a party, with a proposed stance.

A sentence is suggested for (issue, party) when it names the issue (its id
words, title, aliases or `keywords`) and the party (its name, aliases or
keywords: `Peskov` for Russia). The stance is proposed from cue words
(`insists` → demands, `rejected` → opposes, `ready to` → open, `agreed` →
agreed, `proposed` → counter-proposal, `supports` → supports), and the
attribution from the sentence's shape: a quotation of the party or "the party
said" is its own word (`direct`); another party saying it is `reported`; the
outlet's own words are `analysis`. Suggestions are ranked (issue and party
named outright, a cue found, a quotation) and never coded by themselves: the
coder accepts, edits or skips each.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from tracker.domain.catalog import Catalog, Issue, Party
from tracker.domain.machines import Stance

# Cue words of each stance, strongest first (a sentence takes the first stance whose cue it has).
CUES: tuple[tuple[Stance, tuple[str, ...]], ...] = (
    (
        Stance.AGREED,
        ("agreed", "agree on", "agreement on", "consensus", "finalised", "finalized", "signed off", "deal on"),
    ),
    (
        Stance.OPPOSES,
        (
            "reject",
            "rejected",
            "rejects",
            "refuse",
            "refused",
            "refuses",
            "oppose",
            "opposed",
            "opposes",
            "rule out",
            "ruled out",
            "will not",
            "won't",
            "never",
            "unacceptable",
            "no way",
        ),
    ),
    (
        Stance.COUNTER_PROPOSAL,
        ("propose", "proposed", "proposes", "proposal", "instead", "alternative", "offered", "freeze"),
    ),
    (
        Stance.DEMANDS,
        (
            "demand",
            "demands",
            "demanded",
            "insist",
            "insists",
            "insisted",
            "must",
            "require",
            "requires",
            "demanding",
            "pressing for",
            "calls for",
            "called for",
            "calling for",
            "wants",
            "seeking",
            "seeks",
        ),
    ),
    (Stance.OPEN, ("ready to", "open to", "willing to", "prepared to", "could accept", "consider", "flexible")),
    (Stance.SUPPORTS, ("support", "supports", "backed", "backs", "welcome", "welcomed", "favour", "favor")),
)
SAYING = re.compile(r"\b(said|says|say|told|stated|added|according to|announced|declared|insisted|warned)\b", re.I)
QUOTATION = re.compile(r"[“\"«].{8,}?[”\"»]")
SENTENCE = re.compile('[^.!?\n]+(?:[.!?]+[\u201d"\u2019\u00bb]?|$)', re.M)


@dataclass(frozen=True)
class Suggestion:
    issue: str
    party: str
    stance: Stance | None  # None: no cue word found
    attribution: str
    quote: str  # the sentence, as it stands in the text
    start: int
    end: int
    score: int
    why: str  # what was found: the names, the cue


def _terms(entry: Issue | Party) -> list[str]:
    names = [entry.id.replace("_", " "), entry.title if isinstance(entry, Issue) else entry.name]
    return [t for t in (*names, *entry.aliases, *entry.keywords) if len(t.strip()) > 1]


def _pattern(terms: list[str]) -> re.Pattern[str]:
    alternatives = sorted({re.escape(t.strip()) for t in terms}, key=len, reverse=True)
    return re.compile(r"(?<![\w-])(" + "|".join(alternatives) + r")(?:s|es)?(?![\w-])", re.I)  # plurals too


class Suggester:
    """The catalogue's names and keywords, compiled once."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog

    @cached_property
    def issues(self) -> list[tuple[Issue, re.Pattern[str], re.Pattern[str]]]:
        return [(i, _pattern(_terms(i)), _pattern([i.title, *i.aliases])) for i in self.catalog.issues]

    @cached_property
    def parties(self) -> list[tuple[Party, re.Pattern[str], re.Pattern[str]]]:
        return [(p, _pattern(_terms(p)), _pattern([p.name, *p.aliases])) for p in self.catalog.parties]

    def suggest(self, text: str) -> list[Suggestion]:
        """Every (sentence, issue, party) the text gives, best first."""
        found: list[Suggestion] = []
        for match in SENTENCE.finditer(text):
            sentence = match.group(0)
            stripped = sentence.strip()
            if len(stripped) < 12:
                continue
            start = match.start() + sentence.index(stripped)
            issues = [
                (i, bool(named.search(stripped))) for i, any_term, named in self.issues if any_term.search(stripped)
            ]
            parties = [(p, m) for p, any_term, _ in self.parties if (m := any_term.search(stripped))]
            if not issues or not parties:
                continue
            stance, cue, cue_at = _stance(stripped)
            subject = _subject(stripped, cue_at, [(p, any_term) for p, any_term, _ in self.parties])
            for issue, issue_named in issues:
                for party, party_match in parties:
                    attribution = _attribution(stripped, party_match, parties)
                    score = 2 * issue_named + 2 * (cue is not None) + 2 * (party.id == subject)
                    score += (attribution == "direct") + 1
                    why = f"{issue.title} ({'named' if issue_named else 'keyword'}), {party.name}"
                    found.append(
                        Suggestion(
                            issue=issue.id,
                            party=party.id,
                            stance=stance,
                            attribution=attribution,
                            quote=stripped,
                            start=start,
                            end=start + len(stripped),
                            score=score,
                            why=why + (f", cue '{cue}'" if cue else ""),
                        )
                    )
        return sorted(found, key=lambda s: (-s.score, s.start, s.issue, s.party))


def _stance(sentence: str) -> tuple[Stance | None, str | None, int]:
    """The stance the sentence's first cue word proposes, the cue, and where it stands (-1: no cue)."""
    lowered = sentence.lower()
    for stance, cues in CUES:
        for cue in cues:
            if found := re.search(r"(?<![\w-])" + re.escape(cue) + r"(?![\w-])", lowered):
                return stance, cue, found.start()
    return None, None, -1


def _subject(sentence: str, cue_at: int, parties: list[tuple[Party, re.Pattern[str]]]) -> str | None:
    """The party named nearest before the cue word ("while Russia rejected"): the one that demands, rejects or
    agrees, most often; None without a cue or a party named before it."""
    if cue_at < 0:
        return None
    nearest: tuple[int, str] | None = None
    for party, any_term in parties:
        ends = [m.end() for m in any_term.finditer(sentence, 0, cue_at)]
        if ends and (nearest is None or max(ends) > nearest[0]):
            nearest = (max(ends), party.id)
    return nearest[1] if nearest else None


def _attribution(sentence: str, party: re.Match[str], parties: list[tuple[Party, re.Match[str]]]) -> str:
    """`direct` when the party speaks (quoted, or "X said" with X the party first named); `reported` when another
    named party speaks about it; else the outlet's `analysis`."""
    speaks = SAYING.search(sentence) or QUOTATION.search(sentence)
    if not speaks:
        return "analysis"
    first = min(parties, key=lambda entry: entry[1].start())
    return "direct" if first[1].start() == party.start() else "reported"


def overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]
