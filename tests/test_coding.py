"""Coding without hand-written YAML: adding an article, suggestions, double coding, Web Annotations in and out."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, SEEDS, Run
from tracker.domain.catalog import load_catalog
from tracker.ingest.agreement import agreement
from tracker.ingest.authoring import add_evidence, edit_evidence, new_evidence_id, remove_evidence
from tracker.ingest.corpus import load_corpus
from tracker.ingest.suggest import Suggester, overlap

CATALOG = FIXTURES / "catalog.yaml"


def evidence_of(seeds: Path, fixtures: Path) -> list[tuple[object, ...]]:
    """What a corpus codes, without where it was read from."""
    corpus = load_corpus(seeds, fixtures)
    fields = ("id", "article", "issue", "party", "stance", "quote", "start", "end", "speaker", "attribution")
    fields += ("said_on", "said_at", "mode", "move", "condition", "note")
    return sorted(tuple(getattr(e, name) for name in fields) for e in corpus.evidence)


def test_article_add_copies_the_text_byte_for_byte_and_keeps_the_index_as_written(
    run: Run, corpus: tuple[Path, Path], tmp_path: Path, db: str
) -> None:
    seeds, fixtures = corpus
    before = (seeds / "articles.yaml").read_text(encoding="utf-8")
    text = b"Moscow insists on the whole of Donbas.\r\nKyiv refused, officials said.\n"
    (tmp_path / "new.txt").write_bytes(text)
    added = run(
        "article", "add", str(tmp_path / "new.txt"), "--seeds", str(seeds), "--title", "Moscow insists",
        "--published-on", "2026-03-01", "--outlet", "Wire", "--url", "https://example.org/a",
    )  # fmt: skip
    assert added.exit_code == 0, added.stderr
    assert added.stdout == "2026-03-01-moscow-insists\n"
    assert (seeds / "2026-03-01-moscow-insists.txt").read_bytes() == text
    after = (seeds / "articles.yaml").read_text(encoding="utf-8")
    assert after.startswith(before), "the comments, order and entries before are kept"
    assert "id: 2026-03-01-moscow-insists" in after[len(before) :] and "url: https://example.org/a" in after
    again = run(
        "article", "add", str(tmp_path / "new.txt"), "--seeds", str(seeds), "--title", "Moscow insists",
        "--published-on", "2026-03-01",
    )  # fmt: skip
    assert again.exit_code == 2 and "already in" in again.stderr
    (tmp_path / "empty.txt").write_bytes(b"  \n")
    empty = run(
        "article",
        "add",
        str(tmp_path / "empty.txt"),
        "--seeds",
        str(seeds),
        "--title",
        "T",
        "--published-on",
        "2026-03-01",
    )
    assert empty.exit_code == 2 and "empty" in empty.stderr
    # and an ingest takes the article
    assert run("--db", db, "ingest", "--seeds", str(seeds), "--fixtures", str(fixtures)).exit_code == 0
    shown = run("--db", db, "show", "2026-03-01-moscow-insists")
    assert shown.exit_code == 0 and "https://example.org/a" in shown.stdout


def test_evidence_is_added_edited_and_removed_with_the_fixture_kept_as_written(corpus: tuple[Path, Path]) -> None:
    seeds, fixtures = corpus
    path = fixtures / "kremlin-constructive-spirit.yaml"
    original = path.read_text(encoding="utf-8")
    values = {
        "issue": "donetsk",
        "party": "Kremlin",
        "stance": "demands",
        "quote": "Russia had not dropped its insistence on Ukraine withdrawing from its eastern area of Donbas",
        "attribution": "reported",
    }
    evidence_id = add_evidence(seeds, fixtures, "kremlin-constructive-spirit", values)
    assert evidence_id == "kcs-04"
    text = path.read_text(encoding="utf-8")
    assert text.startswith(original.rstrip("\n")), "comments, order and items before are kept"
    edit_evidence(seeds, fixtures, "kremlin-constructive-spirit", "kcs-04", {"attribution": "analysis"})
    assert "attribution: analysis" in path.read_text(encoding="utf-8").split("id: kcs-04")[1]
    remove_evidence(seeds, fixtures, "kremlin-constructive-spirit", "kcs-04")
    assert path.read_text(encoding="utf-8") == original
    assert new_evidence_id("moscow-insists", []) == "mi-01"
    assert new_evidence_id("x", ["adr2-05", "adr2-10"]) == "adr2-11"


def test_suggestions_find_most_coded_sentences_and_code_nothing(corpus: tuple[Path, Path], run: Run) -> None:
    seeds, fixtures = corpus
    before = evidence_of(seeds, fixtures)
    checked = load_corpus(seeds, fixtures)
    suggester = Suggester(checked.catalog)
    suggested = {a: suggester.suggest(article.text) for a, article in checked.articles.items()}
    coded = [e for e in checked.evidence if e.party]
    found = [
        e
        for e in coded
        if any(
            s.issue == e.issue and s.party == e.party and overlap((s.start, s.end), (e.start, e.end))
            for s in suggested[e.article]
        )
    ]
    assert len(found) / len(coded) >= 0.7, "recall on the bundled corpus (the README gives the figure)"
    shown = run(
        "suggest", "kremlin-constructive-spirit", "--seeds", str(seeds), "--fixtures", str(fixtures), "--format", "json"
    )
    assert shown.exit_code == 0
    assert json.loads(shown.stdout)["suggestions"][0]["quote"]
    assert evidence_of(seeds, fixtures) == before, "a suggestion is never coded by itself"


def test_the_party_named_just_before_the_cue_is_ranked_first() -> None:
    suggester = Suggester(load_catalog(CATALOG))
    sentence = "Kyiv and Western Europe criticised the draft, while Russia rejected proposals for peacekeepers."
    ranked = [(s.issue, s.party, s.stance) for s in suggester.suggest(sentence)]
    assert ranked[0] == ("peacekeepers", "russia", "opposes"), "Russia is the one that rejected"
    assert {party for _, party, _ in ranked} == {"russia", "ukraine", "europe"}, "the others are still offered"
    no_cue = suggester.suggest("Russia and Ukraine met to talk about peacekeepers on Friday.")
    assert [s.party for s in no_cue] == ["russia", "ukraine"], "without a cue: the order of the catalogue"


def _coder(folder: Path, values: dict[tuple[str, str], str | None]) -> Path:
    """A folder with one fixture coding, for each (issue, party), the attribution given (None: not coded)."""
    folder.mkdir()
    items = [
        f"  - id: e{n}\n    issue: {issue}\n    party: {party}\n    stance: demands\n    quote: q{n}\n"
        f"    attribution: {attribution}\n"
        for n, ((issue, party), attribution) in enumerate(values.items())
        if attribution is not None
    ]
    (folder / "art.yaml").write_text("article: art\nevidence:\n" + "".join(items), encoding="utf-8")
    return folder


def test_alpha_is_krippendorffs_as_computed_by_hand(tmp_path: Path) -> None:
    """Nominal alpha over five units, one coded by one coder only: by hand, from the coincidence matrix,
    o(a,a) = 2, o(a,b) = o(b,a) = 1, o(b,b) = 4, n_a = 3, n_b = 5, n = 8, so
    alpha = 1 - (n - 1) * (o(a,b) + o(b,a)) / (2 * n_a * n_b) = 1 - 7 * 2 / 30 = 0.5333."""
    units = [("donetsk_withdrawal", "russia"), ("nato_membership", "russia"), ("znpp", "russia")]
    units += [("peacekeepers", "russia"), ("peacekeepers", "ukraine")]
    a = _coder(tmp_path / "a", dict(zip(units, ["direct", "direct", "reported", "reported", "direct"], strict=True)))
    b = _coder(tmp_path / "b", dict(zip(units, ["direct", "reported", "reported", "reported", None], strict=True)))
    report = agreement(a, b, load_catalog(CATALOG))
    by_question = {found.question: found.alpha for found in report.alphas}
    assert by_question["attribution"] == pytest.approx(1 - 7 * 2 / 30, abs=1e-4)
    assert by_question["stance"] is None, "one stance only: alpha is not defined"
    assert report.units == 5 and len(report.disagreements) == 1, "u5 coded by one coder; the stances agree"


def test_agreement_on_two_codings_of_one_article(tmp_path: Path, run: Run) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    for folder in (a, b):
        folder.mkdir()
        shutil.copy(FIXTURES / "abu-dhabi-round-two-day-two.yaml", folder)
    path = b / "abu-dhabi-round-two-day-two.yaml"
    path.write_text(path.read_text().replace("stance: counter_proposal", "stance: open", 1))
    shown = run("agreement", str(a), str(b), "--catalog", str(CATALOG), "--format", "json")
    assert shown.exit_code == 0, shown.stderr
    report = json.loads(shown.stdout)
    [differs] = report["disagreements"]
    assert (differs["party"], differs["a"]["stance"], differs["b"]["stance"]) == ("ukraine", "counter_proposal", "open")
    stance = next(found for found in report["alphas"] if found["question"] == "stance")
    assert 0 < stance["alpha"] < 1


def test_web_annotations_out_and_back_give_the_same_fixtures(run: Run, seeded_db: str, tmp_path: Path) -> None:
    out = tmp_path / "annotations.json"
    assert run("--db", seeded_db, "export", "--format", "w3c", "-o", str(out)).exit_code == 0
    document = json.loads(out.read_text(encoding="utf-8"))
    first = document["first"]["items"][0]
    assert first["type"] == "Annotation" and {s["type"] for s in first["target"]["selector"]} == {
        "TextQuoteSelector",
        "TextPositionSelector",
    }
    fixtures = tmp_path / "fixtures"
    fixtures.mkdir()
    shutil.copy(CATALOG, fixtures)
    back = run("import", str(out), "--format", "w3c", "--seeds", str(SEEDS), "--fixtures", str(fixtures))
    assert back.exit_code == 0, back.stderr
    assert evidence_of(SEEDS, fixtures) == evidence_of(SEEDS, FIXTURES)


def test_a_refused_annotation_is_told_at_its_line_and_nothing_is_written(
    run: Run, seeded_db: str, tmp_path: Path
) -> None:
    out = tmp_path / "annotations.json"
    assert run("--db", seeded_db, "export", "--format", "w3c", "-o", str(out)).exit_code == 0
    text = out.read_text(encoding="utf-8")
    broken = text.replace('"exact": "Zelenskyy has proposed', '"exact": "Zelensky proposed', 1)
    (tmp_path / "bad.json").write_text(broken, encoding="utf-8")
    fixtures = tmp_path / "fixtures"
    fixtures.mkdir()
    shutil.copy(CATALOG, fixtures)
    refused = run(
        "import", str(tmp_path / "bad.json"), "--format", "w3c", "--seeds", str(SEEDS), "--fixtures", str(fixtures)
    )
    assert refused.exit_code == 1
    [problem] = refused.stderr.splitlines()
    line = next(
        n for n, row in enumerate(broken.splitlines(), 1) if '"id": "urn:negotiation-tracker:evidence:adr2-05"' in row
    )
    assert problem.startswith(f"{tmp_path / 'bad.json'}:{line}: quote: not found"), problem
    assert sorted(p.name for p in fixtures.iterdir()) == ["catalog.yaml"], "nothing written"


def test_importing_what_the_fixtures_code_already_leaves_them_as_written(
    run: Run, seeded_db: str, corpus: tuple[Path, Path], tmp_path: Path
) -> None:
    seeds, fixtures = corpus
    before = {p.name: p.read_bytes() for p in fixtures.iterdir()}
    out = tmp_path / "annotations.json"
    assert run("--db", seeded_db, "export", "--format", "w3c", "-o", str(out)).exit_code == 0
    back = run("import", str(out), "--format", "w3c", "--seeds", str(seeds), "--fixtures", str(fixtures))
    assert back.exit_code == 0, back.stderr
    assert "replaced 0" in back.stderr and "32 the fixtures code already, left as written" in back.stderr
    assert {p.name: p.read_bytes() for p in fixtures.iterdir()} == before, "comments, folding and quotes kept"


def test_an_annotation_from_another_tool_gets_a_new_id(run: Run, corpus: tuple[Path, Path], tmp_path: Path) -> None:
    seeds, fixtures = corpus
    annotation = {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "id": "urn:x:1",
        "type": "Annotation",
        "body": {"issue": "peacekeepers", "party": "russia", "stance": "opposes", "attribution": "analysis"},
        "target": {
            "source": "urn:negotiation-tracker:article:kremlin-constructive-spirit",
            "selector": {"type": "TextQuoteSelector", "exact": "Russia rejected revised versions"},
        },
    }
    (tmp_path / "one.json").write_text(json.dumps(annotation), encoding="utf-8")
    done = run(
        "import", str(tmp_path / "one.json"), "--format", "w3c", "--seeds", str(seeds), "--fixtures", str(fixtures)
    )
    assert done.exit_code == 0, done.stderr
    text = (fixtures / "kremlin-constructive-spirit.yaml").read_text(encoding="utf-8")
    assert "- id: kcs-04\n" in text and "urn:x:1" not in text


def test_agreement_tells_a_stance_it_does_not_know_at_its_line(tmp_path: Path, run: Run) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    for folder in (a, b):
        folder.mkdir()
        shutil.copy(FIXTURES / "abu-dhabi-round-two-day-two.yaml", folder)
    path = b / "abu-dhabi-round-two-day-two.yaml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    line = next(n for n, row in enumerate(lines, 1) if "stance: counter_proposal" in row)
    lines[line - 1] = lines[line - 1].replace("counter_proposal", "counter-proposal")
    path.write_text("".join(lines), encoding="utf-8")
    refused = run("agreement", str(a), str(b), "--catalog", str(CATALOG))
    assert refused.exit_code == 1 and "Traceback" not in refused.stderr
    assert refused.stderr.startswith(f"{path}:{line}: stance: 'counter-proposal' is not a stance; one of: "), (
        refused.stderr
    )
