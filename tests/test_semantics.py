"""The truth of the record, on small corpora written here: how evidence moves a position, and how it does not.

Each test states what the articles say, codes it, and checks what the tracker answers: leaving a deal by
reopening it or reneging on it, one day's evidence weighed by rank, contests, background restatements,
conditions, sub-issues, the basis of a stance, honest diffs over several moves, issue-level history, and that
no answer depends on article ids or file order.
"""

from __future__ import annotations

import json
import random
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import NewDb, Run, reading
from tests.helpers import write_trade_talks
from tracker.domain.errors import DataError, IllegalMove
from tracker.ingest.corpus import load_corpus
from tracker.ingest.ingest import ingest
from tracker.read.diff import diff
from tracker.read.history import history
from tracker.read.state import state
from tracker.store.database import Store

CATALOG = {
    "title": "Harbour talks",
    "issues": [
        {"id": "harbour", "title": "Harbour access", "proposition": "The harbour opens to both fleets"},
        {
            "id": "harbour_zone",
            "title": "Free port zone",
            "proposition": "A free port zone is set up in the harbour",
            "parent": "harbour",
        },
        {"id": "tolls", "title": "Tolls", "proposition": "Tolls are lifted"},
    ],
    "parties": [
        {"id": "north", "name": "North", "aliases": ["Nordland"]},
        {"id": "south", "name": "South"},
        {"id": "broker", "name": "Broker"},
    ],
}


@dataclass
class Talks:
    """A corpus being written: articles (id, date, sentences) and the evidence coded from each."""

    articles: dict[str, tuple[str, list[str]]] = field(default_factory=dict)
    coded: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    catalog: dict[str, Any] = field(default_factory=lambda: CATALOG)

    def article(self, article_id: str, day: str, *sentences: str) -> Talks:
        self.articles[article_id] = (day, list(sentences))
        self.coded.setdefault(article_id, [])
        return self

    def code(self, article_id: str, quote: str, **item: Any) -> Talks:
        item.setdefault("issue", "harbour")
        item.setdefault("attribution", "direct")
        evidence_id = item.pop("id", f"{article_id}-{len(self.coded[article_id]) + 1}")
        self.coded[article_id].append({"id": evidence_id, "quote": quote, **item})
        return self

    def write(self, root: Path) -> tuple[Path, Path]:
        seeds, fixtures = root / "seeds", root / "fixtures"
        seeds.mkdir(parents=True)
        fixtures.mkdir(parents=True)
        (fixtures / "catalog.yaml").write_text(yaml.safe_dump(self.catalog, sort_keys=False), encoding="utf-8")
        index = []
        for article_id, (day, sentences) in self.articles.items():
            (seeds / f"{article_id}.txt").write_text(" ".join(sentences) + "\n", encoding="utf-8")
            index.append(
                {"id": article_id, "file": f"{article_id}.txt", "title": f"Report {article_id}"}
                | {"published_on": day, "date_basis": "stated"}
            )
            (fixtures / f"{article_id}.yaml").write_text(
                yaml.safe_dump({"article": article_id, "evidence": self.coded[article_id]}, sort_keys=False),
                encoding="utf-8",
            )
        (seeds / "articles.yaml").write_text(yaml.safe_dump({"articles": index}, sort_keys=False), encoding="utf-8")
        return seeds, fixtures


def ingested(run: Run, db: str, talks: Talks, root: Path) -> Any:
    seeds, fixtures = talks.write(root)
    return run("--db", db, "ingest", "--seeds", str(seeds), "--fixtures", str(fixtures))


def answer(run: Run, db: str, *command: str) -> Any:
    result = run("--db", db, *command, "--format", "json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def position(run: Run, db: str, as_of: str, issue: str = "harbour", party: str = "north") -> dict[str, Any]:
    found = answer(run, db, "state", "--as-of", as_of, "--issue", issue, "--party", party)["positions"]
    return next(p for p in found if (p["issue"], p["party"]) == (issue, party))  # type: ignore[no-any-return]


def moves_of(run: Run, db: str, party: str = "north") -> list[tuple[str, str | None, str | None]]:
    found = answer(run, db, "history", "--issue", "harbour", "--party", party)["moves"]
    return [(m["evidence"]["id"], m["move"], m["not_applied"]) for m in found if m["issue"] == "harbour"]


# -- leaving a deal ---------------------------------------------------------------------------------------------


def deal_then_more(move: str | None) -> Talks:
    talks = Talks().article("a1", "2026-03-01", "North agreed the harbour deal.")
    talks.article("a2", "2026-03-05", "North now asks for more than the deal gave.")
    talks.code("a1", "North agreed the harbour deal", party="north", stance="agreed")
    extra = {"move": move} if move else {}
    return talks.code("a2", "North now asks for more", party="north", stance="demands", **extra)


def test_a_party_that_agreed_and_asks_for_more_reopens_the_deal(run: Run, db: str, tmp_path: Path) -> None:
    assert ingested(run, db, deal_then_more("reopen"), tmp_path).exit_code == 0
    assert moves_of(run, db) == [("a1-1", "first_statement", None), ("a2-1", "reopen", None)]
    changes = answer(run, db, "diff", "2026-03-02", "2026-03-06")["changes"]
    assert changes[0]["moves"] == [
        {"move": "reopen", "from": "agreed", "to": "demands", "said_on": "2026-03-05", "said_on_exact": True}
        | {"evidence": ["a2-1"]}
    ]
    table = run("--db", db, "diff", "2026-03-02", "2026-03-06").stdout
    assert " reopen " in table and "renege" not in table


def test_leaving_a_deal_without_naming_the_move_is_refused_with_the_choices(run: Run, db: str, tmp_path: Path) -> None:
    result = ingested(run, db, deal_then_more(None), tmp_path)
    assert result.exit_code == 1
    [line] = result.stderr.splitlines()
    assert "/fixtures/a2.yaml:" in line
    assert ": stance: position harbour/north is 'agreed', and more than one move leads to 'demands'" in line
    assert "renege (the party walks back what it agreed); reopen (" in line and "name the one meant with" in line


def test_a_party_that_walks_back_a_deal_reneges(run: Run, db: str, tmp_path: Path) -> None:
    assert ingested(run, db, deal_then_more("renege"), tmp_path).exit_code == 0
    assert moves_of(run, db)[-1] == ("a2-1", "renege", None)


# -- one day's evidence ------------------------------------------------------------------------------------------


def test_on_one_day_the_partys_own_word_outranks_a_report_and_the_outlets_analysis(
    run: Run, db: str, tmp_path: Path
) -> None:
    talks = Talks().article("a1", "2026-03-01", "Analysts say North demands access.", "North said it opposes it.")
    talks.article("a2", "2026-03-01", "South claims North is open to it.")
    talks.code("a1", "Analysts say North demands access", party="north", stance="demands", attribution="analysis")
    talks.code("a1", "North said it opposes it", party="north", stance="opposes")
    talks.code("a2", "South claims North is open to it", party="north", stance="open", attribution="reported")
    assert ingested(run, db, talks, tmp_path).exit_code == 0
    held = position(run, db, "2026-03-01")
    assert (held["stance"], held["basis"], held["contested"]) == ("opposes", "direct", None)
    assert sorted(moves_of(run, db)) == [
        ("a1-1", None, "outranked"),
        ("a1-2", "first_statement", None),
        ("a2-1", None, "outranked"),
    ]


def test_equal_rank_evidence_that_disagrees_on_one_day_contests_the_position_until_later_evidence(
    run: Run, db: str, tmp_path: Path
) -> None:
    talks = Talks().article("a0", "2026-02-20", "North opposes access.")
    talks.article("a1", "2026-03-01", "North's envoy said it supports access.")
    talks.article("a2", "2026-03-01", "North's minister said it opposes access.")
    talks.article("a3", "2026-03-09", "North said it is open to access.")
    talks.code("a0", "North opposes access", party="north", stance="opposes")
    talks.code("a1", "North's envoy said it supports access", party="north", stance="open")
    talks.code("a2", "North's minister said it opposes access", party="north", stance="counter_proposal")
    talks.code("a3", "North said it is open to access", party="north", stance="open")
    result = ingested(run, db, talks, tmp_path)
    assert result.exit_code == 0
    assert "harbour/north is contested on 2026-03-01" in result.stderr, "a warning names the contest"
    held = position(run, db, "2026-03-05")
    assert (held["stance"], held["since"]) == ("opposes", "2026-02-20"), "it does not move on a contest"
    assert held["contested"]["on"] == "2026-03-01"
    assert sorted(e["id"] for e in held["contested"]["evidence"]) == ["a1-1", "a2-1"]
    table = run("--db", db, "state", "--as-of", "2026-03-05", "--issue", "harbour", "--party", "north").stdout
    [row] = [line for line in table.splitlines() if line.startswith("harbour ")]
    assert row.split()[-2] == "2026-03-01", "the table shows since when it is contested"
    contested = answer(run, db, "diff", "2026-02-25", "2026-03-05")
    assert contested["changes"] == []
    assert [(c["issue"], c["party"], c["contested"]["on"]) for c in contested["contested"]] == [
        ("harbour", "north", "2026-03-01")
    ]
    settled = position(run, db, "2026-03-09")
    assert (settled["stance"], settled["contested"]) == ("open", None)
    report = run("--db", db, "report", "--as-of", "2026-03-05").stdout
    assert "opposes since 2026-02-20 (contested since 2026-03-01)" in report
    # The briefing's changes say what the diff says: the position became contested, though no stance changed.
    since = run("--db", db, "report", "--as-of", "2026-03-05", "--since", "2026-02-25").stdout
    assert "### North on Harbour access: opposes → contested since 2026-03-01" in since
    assert "Nothing changed" not in since
    document = answer(run, db, "report", "--as-of", "2026-03-05", "--since", "2026-02-25")
    assert [(c["issue"], c["party"], c["contested"]["on"]) for c in document["contested"]] == [
        ("harbour", "north", "2026-03-01")
    ]


def test_a_counter_proposal_and_the_rejection_it_implies_in_one_breath_are_one_word_not_a_contest(
    run: Run, db: str, tmp_path: Path
) -> None:
    """North offers a free port instead and rejects access as put, in one statement: a counter-proposal implies
    the rejection, so the two agree; the position softens from opposes to counter-proposal, uncontested."""
    talks = Talks().article("a0", "2026-02-20", "North opposes access.")
    talks.article("a1", "2026-03-01", "North offered a free port instead and said it rejects access as put.")
    talks.code("a0", "North opposes access", party="north", stance="opposes")
    talks.code("a1", "North offered a free port instead", party="north", stance="counter_proposal")
    talks.code("a1", "it rejects access as put", party="north", stance="opposes", move="reaffirm")
    result = ingested(run, db, talks, tmp_path)
    assert result.exit_code == 0, result.stderr
    assert "contested" not in result.stderr
    held = position(run, db, "2026-03-05")
    assert (held["stance"], held["since"], held["contested"]) == ("counter_proposal", "2026-03-01", None)
    assert moves_of(run, db) == [
        ("a0-1", "first_statement", None),
        ("a1-1", "soften", None),
        ("a1-2", "reaffirm", None),
    ]


def test_a_rejection_that_withdraws_the_offer_said_with_it_is_still_a_contest(
    run: Run, db: str, tmp_path: Path
) -> None:
    """The same two clauses after a counter-proposal, but the rejection names `harden` (the offer withdrawn): they
    disagree, and the position holds, contested."""
    talks = Talks().article("a0", "2026-02-20", "North proposed a toll lane instead.")
    talks.article("a1", "2026-03-01", "North offered a free port instead and said it rejects access as put.")
    talks.code("a0", "North proposed a toll lane instead", party="north", stance="counter_proposal")
    talks.code("a1", "North offered a free port instead", party="north", stance="counter_proposal")
    talks.code("a1", "it rejects access as put", party="north", stance="opposes", move="harden")
    assert ingested(run, db, talks, tmp_path).exit_code == 0
    held = position(run, db, "2026-03-05")
    assert (held["stance"], held["contested"]["on"]) == ("counter_proposal", "2026-03-01")


def test_a_time_of_day_orders_one_days_evidence(run: Run, db: str, tmp_path: Path) -> None:
    talks = Talks().article("a1", "2026-03-01", "In the morning North opposed access.", "By evening it was open to it.")
    talks.code("a1", "In the morning North opposed access", party="north", stance="opposes", said_at="09:00")
    talks.code("a1", "By evening it was open to it", party="north", stance="open", said_at="18:30")
    assert ingested(run, db, talks, tmp_path).exit_code == 0
    held = position(run, db, "2026-03-01")
    assert (held["stance"], held["contested"]) == ("open", None)
    assert moves_of(run, db) == [("a1-1", "first_statement", None), ("a1-2", "soften", None)]
    assert held["evidence"][0]["said_at"] == "18:30:00"


# -- background ------------------------------------------------------------------------------------------------


def test_background_that_restates_the_stance_held_supports_it_and_never_moves_it(
    run: Run, db: str, tmp_path: Path
) -> None:
    talks = Talks().article("a1", "2026-03-01", "North opposes access.")
    talks.article("a2", "2026-03-10", "North has long opposed access, the paper recalls.")
    talks.code("a1", "North opposes access", party="north", stance="opposes")
    talks.code("a2", "North has long opposed access", party="north", stance="opposes", mode="background")
    assert ingested(run, db, talks, tmp_path).exit_code == 0
    held = position(run, db, "2026-03-10")
    assert (held["stance"], held["since"]) == ("opposes", "2026-03-01")
    assert [e["id"] for e in held["evidence"]] == ["a2-1", "a1-1"], "it counts as support"
    assert answer(run, db, "diff", "2026-03-05", "2026-03-10")["changes"] == []


def test_background_that_disagrees_is_a_contradiction_to_check_not_a_move(run: Run, db: str, tmp_path: Path) -> None:
    talks = Talks().article("a1", "2026-03-01", "North opposes access.")
    talks.article("a2", "2026-03-10", "North has long demanded access, the paper says.")
    talks.code("a1", "North opposes access", party="north", stance="opposes")
    talks.code("a2", "North has long demanded access", party="north", stance="demands", mode="background")
    result = ingested(run, db, talks, tmp_path)
    assert result.exit_code == 0 and "a contradiction to check" in result.stderr
    assert position(run, db, "2026-03-10")["stance"] == "opposes"
    assert moves_of(run, db)[-1] == ("a2-1", None, "contradicts")
    assert "**Contradiction** (background differs)" in run("--db", db, "report", "--as-of", "2026-03-10").stdout


def test_a_recap_of_the_stance_held_before_a_move_that_day_is_no_contradiction(
    run: Run, db: str, tmp_path: Path
) -> None:
    """Kyiv softens on a day an article also recaps its long-standing refusal: one move, no harden-and-soften; the
    refusal restates the counter-proposal (which rejects access as put): a reaffirmation."""
    talks = Talks().article("a1", "2026-03-01", "North opposes access.")
    talks.article("a2", "2026-03-10", "North proposed a shared berth instead.", "North has long refused access.")
    talks.code("a1", "North opposes access", party="north", stance="opposes")
    talks.code("a2", "North proposed a shared berth instead", party="north", stance="counter_proposal")
    talks.code("a2", "North has long refused access", party="north", stance="opposes", mode="background")
    result = ingested(run, db, talks, tmp_path)
    assert result.exit_code == 0 and "contradiction" not in result.stderr
    assert moves_of(run, db) == [
        ("a1-1", "first_statement", None),
        ("a2-1", "soften", None),
        ("a2-2", "reaffirm", None),
    ]
    held = position(run, db, "2026-03-10")
    assert (held["stance"], held["since"]) == ("counter_proposal", "2026-03-10")


# -- conditions, basis, sub-issues ---------------------------------------------------------------------------------


def test_a_condition_travels_with_the_stance(run: Run, db: str, tmp_path: Path) -> None:
    talks = Talks().article("a1", "2026-03-01", "North is ready to discuss access if South pulls back as far.")
    talks.code(
        "a1",
        "North is ready to discuss access if South pulls back as far",
        party="north",
        stance="open",
        condition="South pulls its fleet back as far",
    )
    assert ingested(run, db, talks, tmp_path).exit_code == 0
    assert position(run, db, "2026-03-01")["condition"] == "South pulls its fleet back as far"
    report = run("--db", db, "report", "--as-of", "2026-03-01").stdout
    assert "open since 2026-03-01 (on a condition)" in report
    assert "*on condition:* South pulls its fleet back as far" in report


def test_a_stance_resting_only_on_another_partys_report_says_so(run: Run, db: str, tmp_path: Path) -> None:
    talks = Talks().article("a1", "2026-03-01", "South says North agreed to open the harbour.")
    talks.code(
        "a1", "South says North agreed to open the harbour", party="north", stance="agreed", attribution="reported"
    )
    result = ingested(run, db, talks, tmp_path)
    assert "harbour/north 'agreed' rests only on another party's or a source's report" in result.stderr
    assert position(run, db, "2026-03-01")["basis"] == "reported"
    assert "agreed since 2026-03-01 (reported only)" in run("--db", db, "report", "--as-of", "2026-03-01").stdout


def test_a_filter_on_an_issue_includes_its_sub_issues_shown_under_it(run: Run, db: str, tmp_path: Path) -> None:
    talks = Talks().article("a1", "2026-03-01", "The broker proposed a free port zone in the harbour.")
    talks.code("a1", "The broker proposed a free port zone", party="broker", stance="supports", issue="free port zone")
    assert ingested(run, db, talks, tmp_path).exit_code == 0
    positions = answer(run, db, "state", "--as-of", "2026-03-01", "--issue", "harbour")["positions"]
    assert sorted({p["issue"] for p in positions}) == ["harbour", "harbour_zone"]
    assert [p["issue"] for p in answer(run, db, "state", "--issue", "tolls")["positions"]] == ["tolls"] * 3
    report = run("--db", db, "report", "--as-of", "2026-03-01").stdout
    assert "| ↳ Free port zone |" in report and report.index("| Harbour access |") < report.index("↳ Free port zone")


def test_a_sub_issue_must_name_an_issue_of_the_catalogue_one_level_deep(run: Run, tmp_path: Path) -> None:
    talks = Talks().article("a1", "2026-03-01", "Nothing yet.")
    seeds, fixtures = talks.write(tmp_path)
    catalog = yaml.safe_load((fixtures / "catalog.yaml").read_text())
    catalog["issues"][2]["parent"] = "harbour_zone"
    (fixtures / "catalog.yaml").write_text(yaml.safe_dump(catalog, sort_keys=False))
    result = run("validate", "--seeds", str(seeds), "--fixtures", str(fixtures))
    assert result.exit_code == 1
    assert "issues.parent: 'harbour_zone' is itself a sub-issue of 'harbour'" in result.stdout


# -- honest diffs and issue history -----------------------------------------------------------------------------------


def test_a_diff_over_several_moves_lists_the_path_never_one_move(run: Run, db: str, tmp_path: Path) -> None:
    talks = Talks().article("a1", "2026-03-01", "North agreed the harbour deal.")
    talks.article("a2", "2026-03-03", "North said the deal left its berths out.")
    talks.article("a3", "2026-03-06", "North now insists on the harbour.")
    talks.code("a1", "North agreed the harbour deal", party="north", stance="agreed")
    talks.code("a2", "North said the deal left its berths out", party="north", stance="supports", move="reopen")
    talks.code("a3", "North now insists on the harbour", party="north", stance="demands")
    assert ingested(run, db, talks, tmp_path).exit_code == 0
    [change] = answer(run, db, "diff", "2026-03-02", "2026-03-07")["changes"]
    assert (change["from"], change["to"]) == ("agreed", "demands")
    assert [(m["move"], m["from"], m["to"], m["evidence"]) for m in change["moves"]] == [
        ("reopen", "agreed", "supports", ["a2-1"]),
        ("harden", "supports", "demands", ["a3-1"]),
    ]
    row = run("--db", db, "diff", "2026-03-02", "2026-03-07").stdout.splitlines()[-1]
    assert "agreed → reopen → supports → harden → demands" in row and "a2-1, a3-1" in row


def test_history_of_an_issue_lists_its_status_changes_and_its_issue_level_evidence(
    run: Run, db: str, tmp_path: Path
) -> None:
    talks = Talks().article("a1", "2026-03-01", "Tolls are a sticking point.")
    talks.article("a2", "2026-03-04", "North demands that tolls go; South refuses.")
    talks.code("a1", "Tolls are a sticking point", issue="tolls", attribution="analysis")
    talks.code("a2", "North demands that tolls go", issue="tolls", party="north", stance="demands")
    talks.code("a2", "South refuses", issue="tolls", party="south", stance="opposes")
    assert ingested(run, db, talks, tmp_path).exit_code == 0
    [tolls] = answer(run, db, "history", "--issue", "tolls")["issues"]
    assert [(s["date"], s["from"], s["to"]) for s in tolls["statuses"]] == [
        ("2026-03-01", "not_on_agenda", "in_play"),
        ("2026-03-04", "in_play", "deadlocked"),
    ]
    assert [e["id"] for e in tolls["evidence"]] == ["a1-1"]
    table = run("--db", db, "history", "--issue", "tolls").stdout
    assert "issue: tolls" in table.splitlines()[0], "every row's issue, said once in the caption"
    rows = [line.split() for line in table.splitlines()]
    assert ["(issue)", "2026-03-01", "named", "analysis", "a1-1", "a1"] == rows[4][:6]
    assert ["(issue)", "2026-03-04", "status", "in_play", "deadlocked", "a2-1,", "a2-2"] in rows, "and what made it"


# -- no answer depends on article ids or file order -------------------------------------------------------------

DAYS = ["2026-03-01", "2026-03-01", "2026-03-02"]  # two articles of one day: their ids must not order it
# Every move between these is legal and needs no name, so every corpus is accepted, and compared (demands ->
# supports would need one: a demand implies support, so that evidence says whether it reaffirms or softens).
STANCES = ["supports", "open"]
SENTENCE = "Statement number {n} on the harbour."
evidence_lists = st.lists(
    st.tuples(
        st.sampled_from(["north", "south"]),
        st.sampled_from(STANCES),
        st.sampled_from(["direct", "reported", "analysis"]),
        st.sampled_from(["asserted", "asserted", "background", "hypothetical"]),
        st.sampled_from([None, None, "10:00", "15:00"]),
    ),
    min_size=1,
    max_size=9,
)


def _corpus(evidence: list[tuple[str, str, str, str, str | None]], names: list[str], order: random.Random) -> Talks:
    """The evidence spread over three articles (two of them on one day) named `names`, items in shuffled order."""
    talks = Talks(catalog={**CATALOG, "issues": [CATALOG["issues"][0]]})
    for day, name in zip(DAYS, names, strict=True):
        talks.article(name, day, *(SENTENCE.format(n=n) for n in range(len(evidence))))
    items = list(enumerate(evidence))
    order.shuffle(items)
    for n, (party, stance, attribution, mode, said_at) in items:
        name = names[n % 3]
        extra = {"said_at": said_at} if said_at else {}
        talks.code(
            name,
            SENTENCE.format(n=n).removesuffix("."),
            id=f"e{n}",
            party=party,
            stance=stance,
            attribution=attribution,
            mode=mode,
            **extra,
        )
    return talks


def _answers(talks: Talks, root: Path, names: list[str]) -> str | None:
    """Every answer for the corpus, article names mapped back to a1..a3; None if it is refused."""
    seeds, fixtures = talks.write(root)
    store = Store(f"sqlite:///{root / 'tracker.db'}")
    try:
        try:
            ingest(store, load_corpus(seeds, fixtures), "seeds", "fixtures")
        except (DataError, IllegalMove) as exc:  # a refusal, in its words; anything else is a failure of the test
            return f"refused: {type(exc).__name__}: {exc}"
        with reading(store.url) as held:
            answers = [
                state(held, day_of).model_dump(mode="json", by_alias=True) for day_of in map(_date, sorted(set(DAYS)))
            ]
            answers.append(diff(held, _date("2026-02-28"), _date("2026-03-03")).model_dump(mode="json", by_alias=True))
            answers.append(history(held).model_dump(mode="json", by_alias=True))
    finally:
        store.dispose()
    text = json.dumps(answers, sort_keys=True)
    for n, name in enumerate(names):
        text = text.replace(name, f"a{n + 1}").replace(f"Report a{n + 1}", f"Report a{n + 1}")
    return text


def _date(text: str) -> Any:
    from datetime import date

    return date.fromisoformat(text)


@settings(deadline=None, max_examples=40, suppress_health_check=[HealthCheck.too_slow])
@given(evidence=evidence_lists, seed=st.integers(0, 10**6))
def test_no_answer_depends_on_article_ids_file_names_or_file_order(
    evidence: list[tuple[str, str, str, str, str | None]], seed: int
) -> None:
    order = random.Random(seed)
    renamed = ["zz-last", "aa-first", "mm-middle"]
    order.shuffle(renamed)
    with tempfile.TemporaryDirectory() as first, tempfile.TemporaryDirectory() as second:
        plain = _answers(_corpus(evidence, ["a1", "a2", "a3"], random.Random(0)), Path(first), ["a1", "a2", "a3"])
        shuffled = _answers(_corpus(evidence, renamed, order), Path(second), renamed)
    # Every move between the stances drawn is legal, so both corpora are accepted: a refusal of both is a failure.
    assert plain is not None and not plain.startswith("refused"), plain
    assert plain == shuffled


def test_renaming_an_article_flips_no_stance(run: Run, new_db: NewDb, tmp_path: Path) -> None:
    """Two articles of one day disagree at the same rank: the answer is a contest, whichever name comes first."""
    answers = []
    for first, second in (("alpha", "omega"), ("omega", "alpha")):
        talks = (
            Talks()
            .article(first, "2026-03-01", "North backs access.")
            .article(second, "2026-03-01", "North opposes access.")
        )
        talks.code(first, "North backs access", party="north", stance="supports")
        talks.code(second, "North opposes access", party="north", stance="opposes")
        root = tmp_path / first
        db = new_db(first)
        assert ingested(run, db, talks, root).exit_code == 0
        held = position(run, db, "2026-03-01")
        answers.append((held["stance"], held["contested"]["on"] if held["contested"] else None))
        shutil.rmtree(root)
    assert answers == [("unknown", "2026-03-01")] * 2


def test_background_on_the_same_side_as_the_stance_held_is_no_contradiction(run: Run, db: str, tmp_path: Path) -> None:
    """ "North has long refused" beside North's counter-proposal restates it in other words (a counter-proposal
    rejects access as put): a reaffirmation, no move to name."""
    talks = Talks().article("a1", "2026-03-01", "North proposed a shared berth instead of access.")
    talks.article("a2", "2026-03-10", "North has long refused access, the paper recalls.")
    talks.code("a1", "North proposed a shared berth instead of access", party="north", stance="counter_proposal")
    talks.code("a2", "North has long refused access", party="north", stance="opposes", mode="background")
    result = ingested(run, db, talks, tmp_path)
    assert result.exit_code == 0 and "contradiction" not in result.stderr
    assert moves_of(run, db)[-1] == ("a2-1", "reaffirm", None)
    assert position(run, db, "2026-03-10")["stance"] == "counter_proposal"


def test_negated_issue_level_evidence_puts_nothing_on_the_agenda(tmp_path: Path, run: Run, new_db: NewDb) -> None:
    seeds, fixtures = write_trade_talks(tmp_path)
    (fixtures / "brief.yaml").write_text(
        "article: brief\nevidence:\n  - id: n1\n    issue: steel\n    quote: removing steel tariffs\n"
        "    attribution: analysis\n    mode: negated\n"
    )
    db = new_db("n")
    assert run("--db", db, "ingest", "--seeds", str(seeds), "--fixtures", str(fixtures)).exit_code == 0
    [issue] = json.loads(run("--db", db, "state", "--as-of", "2030-06-01", "--format", "json").stdout)["issues"]
    assert issue["status"] == "not_on_agenda"
    assert [e["id"] for e in issue["evidence"]] == ["n1"], "kept and shown"
