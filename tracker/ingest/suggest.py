"""Suggestions for coding an article: the sentences that name an issue and a party, with a proposed stance.

A sentence is suggested for (issue, party) when it names the issue (its id
words, title, aliases or `keywords`) and the party (its name, aliases or
keywords: `Peskov` for Russia). A sentence that names a party but no issue
takes the issues of the sentence before it ("the plant", "the latter", "this"
refer back); one that names an issue and speaks through a pronoun ("he said",
a quoted "we") takes the party that spoke or acted in the sentence before.
Such a carried name ranks lower and says so.

Sentences are found by `sentences()`, which knows abbreviations, initials,
dates ("Nov. 18", "U.S.", "Mr.", "St. Petersburg"), decimals and a quotation
ending a sentence; a line break always ends one.

The stance is proposed from cue words (`insists` → demands, `rejected` →
opposes, `ready to` → open, `agreed` → agreed, `proposed` →
counter-proposal, `supports` → supports), and only when the sentence stands
behind it: the cue's subject is the party (named just before it, or "it",
"he", "we" standing for it), and no negation ("had not yet agreed"), hedge
("could", "may", "would"), future ("will", "is expected to") or condition
("if", "unless") comes with it. Otherwise no stance is proposed and
`stance_withheld` says why, since a wrong stance pre-filled anchors the coder.
The attribution follows who speaks: the party itself (quoted, or "the party
said") is `direct`; another party speaking ("Zelensky said Russia demands")
is `reported`; the outlet's own words are `analysis`. Suggestions are ranked
(issue and party named outright, the party the cue's subject, a quotation)
and never coded by themselves: the coder accepts, edits or skips each.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from tracker.domain.catalog import Catalog, Issue, Party
from tracker.domain.machines import Stance

# Cue words of each stance. Where two overlap, the longer wins ("will never" over "never").
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
            "will never",
            # A refusal in reported speech is the refusal (the codebook: "would not give up" is opposes).
            "would not",
            "wouldn't",
            "would never",
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
# A refusal right before another cue negates that cue ("never agreed", "would not support"): a negation, no cue.
REFUSALS = frozenset({"will not", "won't", "will never", "would not", "wouldn't", "would never", "never"})
# Cues whose subject is the one asked, not the one asking ("Peskov insisted that Kyiv must leave"): the stance is
# the speaker's, the subject of the verb governing the clause.
DEONTIC = frozenset({"must"})
# Cues that may have a thing for subject ("a settlement requires"): then the stance is the governing speaker's
# ("Russia has maintained that any settlement requires").
IMPERSONAL = frozenset({"require", "requires"})
# Verbs of saying, and their participles ("..., warning that", "stressing the importance").
SAYING = re.compile(
    r"\b(said|says|say|saying|told|tells|telling|stated|stating|added|adding|according to|announced|announcing|"
    r"declared|declaring|insisted|insisting|warned|warning|stressed|stressing|reiterated|reiterating|confirmed|"
    r"confirming|noted|noting|argued|arguing|claimed|claiming|wrote|posted)\b",
    re.I,
)
QUOTATION = re.compile(r"[“\"«].{8,}?[”\"»]")

# What may stand between a cue's subject and the cue and keep the sentence from standing behind the stance.
NEGATION = re.compile(
    r"\b(not|never|no longer|yet to|neither|nor|stopped short of|failed to|declined to|refrained from)\b"
    r"|n[\u2019']t\b",
    re.I,
)
HEDGE = re.compile(
    r"\b(would|could|might|may|possibly|perhaps|probably|likely|maybe|appears? to|appeared to|seems? to|seemed to)\b",
    re.I,
)
# A hedge after the cue, on what it is about ("proposed a zone, possibly with peacekeepers").
HEDGE_AFTER = re.compile(r"\b(possibly|perhaps|probably|maybe)\b", re.I)
FUTURE = re.compile(
    r"\b(will|shall|(?:is|are|was|were) (?:expected|set|due|going|about|poised) to|expected to|plans? to|"
    r"planning to|planned to|intends? to|intended to)\b|[\u2019']ll\b",
    re.I,
)
CONDITION = re.compile(
    r"\b(if|unless|provided that|providing|on condition|on the condition|as long as|in exchange for|in return for|"
    r"only when|only after|whether)\b",
    re.I,
)
BLOCKERS: tuple[tuple[str, re.Pattern[str]], ...] = (("negated", NEGATION), ("future", FUTURE), ("hedged", HEDGE))
# Where a clause begins: a cue's subject is looked for after the last of these before it.
CLAUSE_START = re.compile(
    r"[;:()“”\"«»—\u2013]|\s-\s|\b(that|which|who|whether|while|whereas|although|though|but|because|after|before|"
    r"when|unless|if)\b",
    re.I,
)
# Where a cue's scope ends, for a condition or a hedge after it ("ready to pull back if ..."): the next clause.
SCOPE_END = re.compile(r"[;—\u2013]|\s-\s|,\s*that\b|\b(while|whereas|but|although|which|who)\b", re.I)
# Between "said" and the speaker named after it: titles and names only ("said Kremlin spokesman Dmitry Peskov").
INVERTED_SPEAKER = re.compile(r"\s*(?:the\s+)?(?:[A-Z][\w.\u2019'-]*\s+){0,4}")
COORDINATED = re.compile(r",?\s+(and|but|or)\s+(\w+ly\s+)?$", re.I)  # a verb joined to the one before it
PASSIVE = re.compile(r"\b(is|are|was|were|be|been|being|get|gets|got)\s+(\w+ly\s+)?$", re.I)
WORD = re.compile(r"[\w\u2019'.-]+")
# Pronouns that may be a cue's or a saying's subject; a third person's possessive ("their factions") is not.
PRONOUN = re.compile(r"\b(?:(?i:it|he|she|they|we|our|my)|I)\b")
FIRST_PERSON = frozenset({"we", "i", "our", "my"})
# Words that may stand between a subject and its verb without making the subject uncertain.
LIGHT = frozenset(
    """a an the of in on at to for with by from as and or who whom whose has have had is are was were be been being
    do does did also again still now already previously once long just even then today yesterday this last week
    its their his her own both all each says said told added s""".split()
)
MAX_WORDS_BETWEEN = 2  # content words between a subject and its cue ("Russia's chief negotiator rejected")
DETERMINERS = frozenset("a an the this that these those its their his her our any no every".split())
BEFORE_SENTENCES = 1  # how far back an issue or a party is carried: the sentence before


@dataclass(frozen=True)
class Suggestion:
    issue: str
    party: str
    stance: Stance | None  # None: no cue word found, or the stance withheld (then stance_withheld says why)
    attribution: str
    quote: str  # the sentence, as it stands in the text
    start: int
    end: int
    score: int
    why: str  # what was found: the names, the cue, and why a stance is withheld
    stance_withheld: str | None = None  # why a cue found proposes no stance: "negated: 'had not yet agreed'"


# Where a sentence may end: a full stop, question or exclamation mark or an ellipsis, the closing quotation marks
# and brackets after it, white space, and what may begin a sentence (a capital, a digit, an opening quotation mark).
BOUNDARY = re.compile(r"([.!?\u2026]+)([\u201d\u2019\"')\]\u00bb]*)(\s+)(?=[\u201c\u2018\"'(\[\u00ab]?[A-Z0-9])")
# Abbreviations a name always follows: never the end of a sentence ("Mr. Okafor", "St. Petersburg", "Gen. Syrskyi").
TITLES = frozenset(
    "mr mrs ms messrs dr prof gen lt col maj capt cpt sgt cmdr adm gov sen rep pres rev fr hon amb st mt ft vs".split()
)
# Abbreviations that may end a sentence too ("in Nov.", "Acme Inc.", "said no."): the end only before a word that
# begins sentences ("The", "He"), so "Nov. 18", "Jan. 5" and "No. 5" go on. Initials ("J. R. Okafor") and dotted
# acronyms ("U.S.", "a.m.") are read the same way.
ABBREVIATIONS = frozenset(
    """jan feb mar apr jun jul aug sep sept oct nov dec mon tue tues wed thu thur thurs fri sat sun jr sr co corp inc
    ltd llc plc bros dept univ assn est approx etc al no nos vol vols fig figs pp""".split()
)
STARTERS = frozenset(
    """the a an he she it they we i you this that these those there then its their his her our my in on at for from
    with by after before when while if as although though however meanwhile but and or so yet also still now later
    earlier under despite since both neither each some many most all no not one asked according what why how who
    where""".split()
)
QUOTE_PAIRS = (("\u201c", "\u201d"), ('"', '"'), ("\u00ab", "\u00bb"))


def sentences(text: str) -> list[tuple[int, int]]:
    """The text's sentences as (start, end) character spans, white space around each left out.

    A line break always ends a sentence. Within a line a sentence ends at a full stop, question or exclamation
    mark (after any closing quotation mark) followed by a capital, a digit or an opening quotation mark, except
    after an abbreviation ("Mr.", "St.", "Nov. 18", "Jan. 5"), an initial ("J. R. Okafor") or a dotted acronym
    ("U.S. envoy") unless a word that begins sentences follows ("in the U.S. The talks"); inside a quotation
    closed on the same line ("'We disagree. It is wrong,' he said" is one). A decimal ("2.5") has no space after
    its point. Every character that is not white space is in a span.
    """
    spans: list[tuple[int, int]] = []
    for line in re.finditer(r"[^\n]+", text):
        at, piece = line.start(), line.group(0)
        begin = 0
        for end in _ends(piece):
            _add(spans, text, at + begin, at + end)
            begin = end
        _add(spans, text, at + begin, at + len(piece))
    return spans


def _add(spans: list[tuple[int, int]], text: str, start: int, end: int) -> None:
    piece = text[start:end]
    stripped = piece.strip()
    if stripped:
        first = start + piece.index(stripped)
        spans.append((first, first + len(stripped)))


def _ends(line: str) -> list[int]:
    """Where the line's sentences end: after each boundary's closing marks."""
    quoted = _quotations(line)
    ends: list[int] = []
    for found in BOUNDARY.finditer(line):
        end = found.end(2)
        if any(open_at < end <= close_at for open_at, close_at in quoted):
            continue  # a sentence within a quotation: the quotation goes on
        if found.group(1) == "." and not _ends_at_stop(line, found.start(1), found.end()):
            continue
        ends.append(end)
    return ends


def _quotations(line: str) -> list[tuple[int, int]]:
    """The line's quotations closed on it, as (after the opening mark, at the closing mark)."""
    spans: list[tuple[int, int]] = []
    for opening, closing in QUOTE_PAIRS:
        at = 0
        while (start := line.find(opening, at)) >= 0:
            close = line.find(closing, start + 1)
            if close < 0:
                break
            spans.append((start + 1, close))
            at = close + 1
    return spans


def _ends_at_stop(line: str, stop: int, following: int) -> bool:
    """Whether the full stop at `stop` ends the sentence, by the word before it and the word after."""
    before = re.search(r"[\w.\u2019'-]*$", line[:stop])
    word = before.group(0) if before else ""
    bare = word.strip(".\u2019'-").lower()
    after = re.match(r"[\u201c\u2018\"'(\[\u00ab]?([\w\u2019'-]+)", line[following:])
    starts = bool(after) and after is not None and after.group(1).lower() in STARTERS
    if bare in TITLES:
        return False
    short = len(bare) == 1 and bare.isalpha()  # an initial
    acronym = bool(re.fullmatch(r"(?:[a-z]\.)+[a-z]", bare))  # U.S, a.m
    if bare in ABBREVIATIONS or short or acronym:
        return starts
    return True


def _terms(entry: Issue | Party) -> list[str]:
    names = [entry.id.replace("_", " "), entry.title if isinstance(entry, Issue) else entry.name]
    return [t for t in (*names, *entry.aliases, *entry.keywords) if len(t.strip()) > 1]


def _pattern(terms: list[str]) -> re.Pattern[str]:
    """The terms as words: plurals too, and the first part of a compound ("hostage-release", "U.S.-drafted")."""
    alternatives = sorted({re.escape(t.strip()) for t in terms}, key=len, reverse=True)
    return re.compile(r"(?<![\w-])(" + "|".join(alternatives) + r")(?:s|es)?(?!\w)", re.I)


@dataclass(frozen=True)
class _Mention:
    start: int
    end: int
    party: str


@dataclass(frozen=True)
class _Subject:
    parties: frozenset[str]  # empty: no party is the subject, or not clearly
    end: int  # where the subject ends (-1: none)
    none: str = ""  # why none, where that is more than "no party is its subject" ("passive")


NO_SUBJECT = _Subject(frozenset(), -1)


@dataclass(frozen=True)
class _Cue:
    start: int
    end: int
    stance: Stance
    text: str
    subject: _Subject
    blocked: str | None  # "negated: 'had not yet agreed'", or None when the sentence stands behind it


@dataclass(frozen=True)
class _Reading:
    """One sentence read: who speaks, and each cue with whose it is and what stands in its way."""

    speakers: frozenset[str]
    cues: list[_Cue]
    has_speech: bool


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

    @cached_property
    def names(self) -> dict[str, str]:
        return {p.id: p.name for p in self.catalog.parties}

    def suggest(self, text: str) -> list[Suggestion]:
        """Every (sentence, issue, party) the text gives, best first."""
        found: list[Suggestion] = []
        before: list[tuple[list[tuple[Issue, bool, list[int]]], str | None]] = []  # each sentence's issues, actor
        for start, end in sentences(text):
            sentence = text[start:end]
            issues = [
                (i, bool(named.search(sentence)), [m.start() for m in any_term.finditer(sentence)])
                for i, any_term, named in self.issues
                if any_term.search(sentence)
            ]
            mentions = self._mentions(sentence)
            recent = before[-BEFORE_SENTENCES:]
            context = next((actor for _, actor in reversed(recent) if actor), None)
            reading = _read(sentence, mentions, context)
            before.append((issues, _actor(reading, mentions)))
            if len(sentence) < 12:
                continue
            carried_issue = carried_party = False
            if not issues and mentions:  # "the plant", "the latter": the issue of the sentence before
                issues = [(i, named, []) for i, named, _ in next((n for n, _ in reversed(recent) if n), [])]
                carried_issue = True
            parties = list(dict.fromkeys(m.party for m in mentions))
            if issues and not parties and context and _speaks_through_pronoun(sentence):
                parties, carried_party = [context], True  # "..., he said": the one who spoke or acted before
            for issue, issue_named, issue_at in issues:
                for party in parties:
                    stance, withheld, holds = _stance_of(party, issue_at, reading, self.names)
                    attribution = _attribution(party, reading, mentions)
                    score = 2 * (issue_named and not carried_issue) + 2 * bool(reading.cues) + 2 * holds
                    score += (attribution == "direct") + 1 - carried_party
                    how = "from the sentence before" if carried_issue else "named" if issue_named else "keyword"
                    name = self.names.get(party, party) + (" (from the sentence before)" if carried_party else "")
                    why = f"{issue.title} ({how}), {name}"
                    cues = [c.text for c in reading.cues if party in c.subject.parties] or [
                        c.text for c in reading.cues
                    ]
                    if cues:
                        why += ", cue " + ", ".join(f"'{c}'" for c in dict.fromkeys(cues))
                    if withheld:
                        why += f"; no stance proposed: {withheld}"
                    found.append(
                        Suggestion(
                            issue=issue.id,
                            party=party,
                            stance=stance,
                            attribution=attribution,
                            quote=sentence,
                            start=start,
                            end=end,
                            score=score,
                            why=why,
                            stance_withheld=withheld,
                        )
                    )
        return sorted(found, key=lambda s: (-s.score, s.start, s.issue, s.party))

    def _mentions(self, sentence: str) -> list[_Mention]:
        """Every party named, in order; where two names overlap ("Russian Federation"), the longer."""
        every = sorted(
            (
                _Mention(m.start(), m.end(), p.id)
                for p, any_term, _ in self.parties
                for m in any_term.finditer(sentence)
            ),
            key=lambda m: (m.start, -(m.end - m.start)),
        )
        kept: list[_Mention] = []
        for mention in every:
            if not kept or mention.start >= kept[-1].end:
                kept.append(mention)
        return kept


class _Sentence:
    """A sentence with its parties named and its quotations, to find whose each word is."""

    def __init__(self, text: str, mentions: list[_Mention], context: str | None) -> None:
        self.text = text
        self.lowered = text.lower()
        self.mentions = mentions
        self.context = context  # the party that spoke or acted in the sentence before
        self.quotes = [(m.start(), m.end()) for m in QUOTATION.finditer(text)]
        self.voice: str | None = None  # who "we" and "I" are in a quotation: set once the speakers are known

    def subject(self, at: int, refers_back: bool = False) -> _Subject:
        """The party whose word at `at` is: its subject.

        That is the party named nearest before the word in its clause, with at most two other words between
        ("Russia's chief negotiator rejected"), and the parties named with it ("Israel and Hamas have agreed",
        "he and Trump"); or a pronoun standing for one: "it", "he", "they" for the party named before it in the
        sentence (at the sentence's start, or saying something, the one acting in the sentence before), "we" and
        "I" in a quotation for its speaker. A relative clause between is skipped ("Russia, which occupies ...,
        is pressing for"). A participle after "is", "was", "been" is passive: its subject is the thing, the party
        only as "by" the party.
        """
        word = WORD.match(self.lowered, at)
        if word and word.group(0).endswith("ed") and PASSIVE.search(self.text, 0, at):
            return _Subject(frozenset(), -1, "passive")
        boundaries = list(CLAUSE_START.finditer(self.text, 0, at))
        clause = boundaries[-1].end() if boundaries else 0
        if boundaries and boundaries[-1].group(0).lower() in ("which", "who"):
            relative = boundaries[-1]
            closing = self.text.rfind(",", relative.end(), at)
            if self.text[: relative.start()].rstrip().endswith(",") and closing >= 0:
                if _content_words(self.text[closing + 1 : at]) > MAX_WORDS_BETWEEN:
                    return NO_SUBJECT
                return self.subject(self.text.rfind(",", 0, relative.start()), refers_back)
        named = [m for m in self.mentions if clause <= m.start and m.end <= at]
        pronouns = list(PRONOUN.finditer(self.text, clause, at))
        nearest = named[-1] if named else None
        pronoun = pronouns[-1] if pronouns else None
        if pronoun and (nearest is None or pronoun.start() > nearest.start):
            party = self._pronoun(pronoun, refers_back)
            if party is None or _content_words(self.text[pronoun.end() : at]) > MAX_WORDS_BETWEEN:
                return NO_SUBJECT
            return _Subject(frozenset({party}) | self._with(pronoun.start(), clause), pronoun.end())
        if nearest is None or _content_words(self.text[nearest.end : at]) > MAX_WORDS_BETWEEN:
            return NO_SUBJECT
        return _Subject(frozenset({nearest.party}) | self._with(nearest.start, clause), nearest.end)

    def _pronoun(self, pronoun: re.Match[str], refers_back: bool) -> str | None:
        word = pronoun.group(0).lower()
        if word in FIRST_PERSON:
            inside = any(q0 < pronoun.start() < q1 for q0, q1 in self.quotes)
            return self.voice if inside or not self.quotes else None
        earlier = [m for m in self.mentions if m.end <= pronoun.start()]
        if earlier:
            return earlier[-1].party
        opening = not re.search(r"\w", self.text[: pronoun.start()])
        return self.context if opening or refers_back else None

    def _with(self, start: int, clause: int) -> frozenset[str]:
        """The parties named with the subject starting at `start`: "Israel and Hamas", "he and Trump",
        "Israel and the Palestinian militant group Hamas"."""
        together: set[str] = set()
        while True:
            joined = re.search(r"(?:,|\band|\bas well as|&)\s+(?:[\w\u2019'.-]+\s+){0,4}$", self.text[clause:start])
            if not joined or _content_words(joined.group(0)) > MAX_WORDS_BETWEEN:
                return frozenset(together)
            before = clause + joined.start()
            name = next((m for m in reversed(self.mentions) if clause <= m.start and m.end <= before), None)
            pronoun = list(PRONOUN.finditer(self.text, clause, before))
            if name and not self.text[name.end : before].strip():
                together.add(name.party)
                start = name.start
            elif pronoun and not self.text[pronoun[-1].end() : before].strip():
                party = self._pronoun(pronoun[-1], False)
                if party is None:
                    return frozenset(together)
                together.add(party)
                start = pronoun[-1].start()
            else:
                return frozenset(together)


def _read(sentence: str, mentions: list[_Mention], context: str | None) -> _Reading:
    read = _Sentence(sentence, mentions, context)
    speakers, has_speech = _speakers(read)
    # Inside a quotation "we" and "I" are the speaker: the one named as saying it, else the one who spoke before.
    read.voice = next(iter(speakers)) if len(speakers) == 1 else context if not speakers else None
    cues: list[_Cue] = []
    for start, end, stance, text in _cue_matches(read.lowered):
        if text in DEONTIC:
            subject = _governing(read, start)
        else:
            subject = read.subject(start)
            if text in IMPERSONAL and not subject.parties and not subject.none:
                subject = _governing(read, start)
            joined = COORDINATED.search(read.text, 0, start)
            if not subject.parties and not subject.none and joined and cues and cues[-1].subject.parties:
                # "Northland insists on X and rejects Y": the verbs joined share the subject
                subject = _Subject(cues[-1].subject.parties, joined.start())
        cues.append(_Cue(start, end, stance, text, subject, _blocked(read, start, end, stance, subject.end)))
    kept = [
        cue
        for cue, following in zip(cues, [*cues[1:], None], strict=False)
        if not (
            cue.text in REFUSALS
            and following is not None
            and len(WORD.findall(sentence[cue.end : following.start])) <= MAX_WORDS_BETWEEN
        )
    ]
    return _Reading(frozenset(speakers), kept, has_speech)


def _governing(read: _Sentence, at: int) -> _Subject:
    """The subject of the verb whose "that" clause holds `at` ("Peskov insisted that Kyiv must")."""
    boundaries = list(CLAUSE_START.finditer(read.text, 0, at))
    if not boundaries or boundaries[-1].group(0).lower() != "that":
        return NO_SUBJECT
    return read.subject(boundaries[-1].start())


def _cue_matches(lowered: str) -> list[tuple[int, int, Stance, str]]:
    """Every cue in the sentence, in order; of two that overlap the longer. A participle after a determiner
    ("an agreed line", "the proposed text") names a thing, not anyone's stance: it is no cue."""
    every = sorted(
        (
            (found.start(), found.end(), stance, cue)
            for stance, cues in CUES
            for cue in cues
            for found in re.finditer(r"(?<![\w-])" + re.escape(cue) + r"(?![\w-])", lowered)
        ),
        key=lambda c: (c[0], -(c[1] - c[0])),
    )
    kept: list[tuple[int, int, Stance, str]] = []
    for cue in every:
        if kept and cue[0] < kept[-1][1]:
            continue
        words_before = WORD.findall(lowered[: cue[0]])
        if cue[3].endswith("ed") and words_before and words_before[-1] in DETERMINERS:
            continue
        kept.append(cue)
    return kept


def _content_words(between: str) -> int:
    """The words between a subject and its verb that are not light (auxiliaries, articles, adverbs in -ly,
    names, numbers) nor a negation, hedge or future (those are counted as what they are)."""
    count = 0
    for word in WORD.findall(between):
        bare = word.strip(".\u2019'-").lower()
        if not bare or bare in LIGHT or bare.endswith("ly") or word[:1].isupper() or word[:1].isdigit():
            continue
        if any(pattern.fullmatch(bare) for _, pattern in BLOCKERS) or re.fullmatch(r"n[\u2019']t|not|never", bare):
            continue
        count += 1
    return count


def _blocked(read: _Sentence, start: int, end: int, stance: Stance, subject_end: int) -> str | None:
    """What keeps the sentence from standing behind the cue at start-end: a negation, future or hedge between its
    subject and it; a condition in its clause ("if", "unless"); a hedge on what it is about ("possibly"). A hedge
    or a condition on `open` (ready to, could accept) is what open means: it does not count there."""
    lowered, sentence = read.lowered, read.text
    if subject_end >= 0:
        for kind, pattern in BLOCKERS:
            if kind == "hedged" and stance is Stance.OPEN:
                continue
            if found := pattern.search(lowered, subject_end, start):
                return f"{kind}: '{_phrase(sentence, found.start(), end)}'"
    if stance is Stance.OPEN:
        return None
    ends = [m.start() for m in SCOPE_END.finditer(lowered, end)]
    scope_end = ends[0] if ends else len(sentence)
    before = CONDITION.search(lowered, 0, start)
    if before and not SCOPE_END.search(lowered, before.end(), start):
        return f"conditional: '{_phrase(sentence, before.start(), before.end(), words_after=3)}'"
    if after := CONDITION.search(lowered, end, scope_end):
        return f"conditional: '{_phrase(sentence, after.start(), after.end(), words_after=3)}'"
    if hedge := HEDGE_AFTER.search(lowered, end, scope_end):
        return f"hedged: '{_phrase(sentence, hedge.start(), hedge.end(), words_after=2)}'"
    return None


AUXILIARY = re.compile(r"\b(has|have|had|is|are|was|were|does|do|did)\s+$", re.I)


def _phrase(sentence: str, start: int, end: int, words_after: int = 0) -> str:
    """The words from `start` to `end` as written, with an auxiliary just before ("had not yet agreed") and
    `words_after` words after."""
    if aux := AUXILIARY.search(sentence, 0, start):
        start = aux.start()
    for _ in range(words_after):
        if following := WORD.search(sentence, end):
            end = following.end()
    return " ".join(sentence[start:end].split()).rstrip(".,;:")


def _speakers(read: _Sentence) -> tuple[set[str], bool]:
    """The parties speaking in the sentence ("Zelensky said", "said Netanyahu", "according to Kyiv", "he said"
    after the party spoke), and whether anyone speaks (a verb of saying, or a quotation). Who says something
    inside a quotation is reported by the one quoted: no speaker of the sentence."""
    speakers: set[str] = set()
    saying = list(SAYING.finditer(read.text))
    for verb in saying:
        if any(q0 < verb.start() < q1 for q0, q1 in read.quotes):
            continue
        before = read.text[: verb.start()].rstrip()
        word = verb.group(0).lower()
        if word == "according to" or (not word.endswith("ing") and before.endswith((",", "”", '"', "»"))):
            after = [m for m in read.mentions if m.start >= verb.end()]  # "...," said Netanyahu; according to Kyiv
            if after and INVERTED_SPEAKER.fullmatch(read.text[verb.end() : after[0].start]):
                speakers.add(after[0].party)
                continue
        speakers |= read.subject(verb.start(), refers_back=True).parties
    return speakers, bool(saying or read.quotes)


def _actor(reading: _Reading, mentions: list[_Mention]) -> str | None:
    """The party a "he" or "we" in the next sentence most likely stands for: the one speaking, else the one a
    cue is of, else the only party named."""
    if len(reading.speakers) == 1:
        return next(iter(reading.speakers))
    holders = {party for cue in reading.cues for party in cue.subject.parties}
    if len(holders) == 1:
        return next(iter(holders))
    named = {m.party for m in mentions}
    return next(iter(named)) if len(named) == 1 else None


def _speaks_through_pronoun(sentence: str) -> bool:
    """ "..., he said", "She told reporters", a quoted "we": one named before speaks or acts again."""
    return bool(
        re.search(r"\b(he|she|they)\s+(\w+\s+)?" + SAYING.pattern[2:], sentence, re.I)
        or re.search(r"^\W*(he|she|they)\b", sentence, re.I)
        or (QUOTATION.search(sentence) and re.search(r"\b(we|I|our)\b", sentence))
    )


def _stance_of(
    party: str, issue_at: list[int], reading: _Reading, names: dict[str, str]
) -> tuple[Stance | None, str | None, bool]:
    """The stance proposed for the party on the issue named at `issue_at`, else why none is (None when the
    sentence has no cue at all), and whether a cue is the party's.

    A cue is the party's when the party is its subject; it goes with the issue when it is the cue nearest before
    the issue's name (or, with none before, the first after): "Russia insists Ukraine leave Donbas and opposes
    any troops". The stance is proposed when the party's cues that go with the issue agree and none of the
    party's is negated, hedged, conditional or future.
    """
    if not reading.cues:
        return None, None, False
    own = [cue for cue in reading.cues if party in cue.subject.parties]
    name = names.get(party, party)
    if not own:
        others = [cue for cue in reading.cues if cue.subject.parties]
        if others:
            cue = others[0]
            whose = " and ".join(sorted(names.get(p, p) for p in cue.subject.parties))
            return None, f"'{cue.text}' is {whose}'s, not {name}'s", False
        passive = next((cue for cue in reading.cues if cue.subject.none), None)
        if passive:
            return None, f"'{passive.text}' is {passive.subject.none}: no party is its subject", False
        return None, f"no party is the subject of '{reading.cues[0].text}'", False
    if blocked := next((cue.blocked for cue in own if cue.blocked), None):
        return None, blocked, True
    going = {_nearest(reading.cues, at) for at in issue_at} or set(own)
    if not going & set(own):
        cue = next(iter(going))
        return None, f"the issue goes with '{cue.text}', not {name}'s '{own[0].text}'", True
    stances = list(dict.fromkeys(cue.stance for cue in going))
    if len(stances) > 1:
        shown = ", ".join(f"'{cue.text}' ({cue.stance.value})" for cue in sorted(going, key=lambda c: c.start))
        return None, f"cues disagree: {shown}", True
    return stances[0], None, True


def _nearest(cues: list[_Cue], at: int) -> _Cue:
    """The cue nearest before `at`, else the first after it."""
    return next((cue for cue in reversed(cues) if cue.end <= at), cues[0])


def _attribution(party: str, reading: _Reading, mentions: list[_Mention]) -> str:
    """`direct` when the party speaks (quoted, or "X said" with X the party); `reported` when another party
    speaks about it ("Zelensky said Russia demands"); else the outlet's `analysis`. A quotation whose speaker
    the sentence does not name is the first-named party's."""
    if not reading.has_speech:
        return "analysis"
    if party in reading.speakers:
        return "direct"
    if reading.speakers:
        return "reported"
    return "direct" if mentions and mentions[0].party == party else "reported"


def overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]
