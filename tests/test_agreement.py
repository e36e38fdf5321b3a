"""`tracker agreement`: two coders' fixtures compared; what it prints is inert, and every fixture and value counts."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, Run
from tracker.domain.catalog import load_catalog
from tracker.ingest.agreement import agreement

CATALOG = FIXTURES / "catalog.yaml"


def _fixture(folder: Path, name: str, article: str, items: list[dict[str, str]]) -> Path:
    """A fixture in `folder` coding `article` with the items given (each a mapping of its fields)."""
    folder.mkdir(exist_ok=True)
    lines = [f"article: {article}\n", "evidence:\n"]
    for n, item in enumerate(items):
        lines.append(f"  - id: {name}-{n}\n")
        lines += [f"    {key}: {value}\n" for key, value in item.items()]
    path = folder / f"{name}.yaml"
    path.write_text("".join(lines), encoding="utf-8")
    return path


def _item(issue: str, party: str, stance: str, attribution: str | None = "direct") -> dict[str, str]:
    item = {"issue": issue, "party": party, "stance": stance, "quote": f"{party} on {issue}"}
    if attribution is not None:
        item["attribution"] = attribution
    return item


def test_what_agreement_prints_holds_no_control_character(tmp_path: Path, run: Run) -> None:
    hostile = '"\\e]0;owned\\a\\e[2J\\u202eart"'  # YAML for an OSC title, a screen clear and a bidi override
    for coder in ("a", "b"):
        _fixture(tmp_path / coder, "hostile", hostile, [_item("znpp", "russia", "opposes")])
    shown = run("agreement", str(tmp_path / "a"), str(tmp_path / "b"), "--catalog", str(CATALOG))
    assert shown.exit_code == 0, shown.stderr
    assert "both coded: \\x1b]0;owned\\x07\\x1b[2J<U+202E>art" in shown.stdout
    for printed in (shown.stdout, shown.stderr):
        assert not any((ord(c) < 0x20 and c != "\n") or 0x7F <= ord(c) <= 0x9F or c == "\u202e" for c in printed)


def test_alpha_where_it_is_undefined_warns_nothing(tmp_path: Path, run: Run) -> None:
    """The one unit both coded has one value: the krippendorff package divides by zero there."""
    _fixture(tmp_path / "a", "art", "art", [_item("znpp", "russia", "demands"), _item("znpp", "ukraine", "opposes")])
    _fixture(tmp_path / "b", "art", "art", [_item("znpp", "russia", "demands")])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a RuntimeWarning would reach stderr
        report = agreement(tmp_path / "a", tmp_path / "b", load_catalog(CATALOG))
    assert {found.question: found.alpha for found in report.alphas}["stance"] is None
    shown = run("agreement", str(tmp_path / "a"), str(tmp_path / "b"), "--catalog", str(CATALOG))
    assert shown.exit_code == 0 and shown.stderr == ""
    assert "nan" not in shown.stdout
    assert "  stance      ordinal  not defined" in shown.stdout


def test_two_fixtures_coding_one_article_are_a_located_problem(tmp_path: Path, run: Run) -> None:
    _fixture(tmp_path / "a", "art", "art", [_item("znpp", "russia", "demands")])
    _fixture(tmp_path / "b", "art-1", "art", [_item("znpp", "russia", "demands")])
    second = _fixture(tmp_path / "b", "art-2", "art", [_item("znpp", "ukraine", "opposes")])
    refused = run("agreement", str(tmp_path / "a"), str(tmp_path / "b"), "--catalog", str(CATALOG))
    assert refused.exit_code == 1, refused.stdout
    assert refused.stderr.startswith(f"{second}:1: article: article 'art' is already coded in "), refused.stderr
    assert refused.stderr.rstrip().endswith("b/art-1.yaml") and "Traceback" not in refused.stderr


def test_a_missing_attribution_is_missing_data_not_a_value(tmp_path: Path, run: Run) -> None:
    """Coded by both, the attributions agree wherever both gave one: alpha is 1, and the unit without one in B
    is no disagreement about attribution."""
    units = [("znpp", "russia", "direct"), ("znpp", "ukraine", "reported"), ("peacekeepers", "russia", "direct")]
    units += [("peacekeepers", "ukraine", "reported")]
    _fixture(tmp_path / "a", "art", "art", [_item(i, p, "demands", a) for i, p, a in units])
    _fixture(
        tmp_path / "b",
        "art",
        "art",
        [_item(i, p, "demands", None if n == 0 else a) for n, (i, p, a) in enumerate(units)],
    )
    shown = run("agreement", str(tmp_path / "a"), str(tmp_path / "b"), "--catalog", str(CATALOG), "--format", "json")
    assert shown.exit_code == 0, shown.stderr
    report = json.loads(shown.stdout)
    assert {found["question"]: found["alpha"] for found in report["alphas"]}["attribution"] == 1.0
    table = run("agreement", str(tmp_path / "a"), str(tmp_path / "b"), "--catalog", str(CATALOG))
    assert "attribution nominal  1.000" in table.stdout


def _coders(tmp_path: Path, a: list[dict[str, str]], b: list[dict[str, str]]) -> tuple[Path, Path]:
    """Two coders' folders, each with one fixture of the article 'art' holding the items given."""
    _fixture(tmp_path / "a", "art", "art", a)
    _fixture(tmp_path / "b", "art", "art", b)
    return tmp_path / "a", tmp_path / "b"


def _shown(run: Run, a: Path, b: Path, fmt: str = "table") -> str:
    shown = run("agreement", str(a), str(b), "--catalog", str(CATALOG), "--format", fmt)
    assert shown.exit_code == 0 and shown.stderr == "", shown.stderr
    return str(shown.stdout)


QUOTE = "Moscow has rejected any handover of the plant"
# For each question: a field of one statement as coder A and coder B write it (None: not written), the values
# JSON gives, and what the table shows.
ONE_FIELD_APART: dict[str, tuple[str | None, str | None, str | None, str | None, str, str]] = {
    "stance": ("opposes", "counter_proposal", "opposes", "counter_proposal", "opposes", "counter-proposal"),
    "attribution": ("direct", "reported", "direct", "reported", "direct", "reported"),
    "mode": (None, "background", "asserted", "background", "asserted", "background"),
    "move": (None, "reaffirm", None, "reaffirm", "no move named", "reaffirm"),
    "condition": (
        "'if the plant is demilitarised'",
        None,
        "if the plant is demilitarised",
        None,
        "if the plant is demilitarised",
        "no condition",
    ),
    "speaker": ("Dmitry Peskov", "Yuri Ushakov", "Dmitry Peskov", "Yuri Ushakov", "Dmitry Peskov", "Yuri Ushakov"),
    "said_on": ("2026-02-03", None, "2026-02-03", None, "2026-02-03", "not given (the article's date)"),
}


@pytest.mark.parametrize("question", list(ONE_FIELD_APART))
def test_a_statement_both_coded_apart_on_one_question_is_listed_with_both_codings(
    question: str, tmp_path: Path, run: Run
) -> None:
    value_a, value_b, json_a, json_b, shown_a, shown_b = ONE_FIELD_APART[question]
    items = []
    for value, quote in ((value_a, QUOTE), (value_b, f"“{QUOTE}.”")):  # one statement, quoted a little apart
        item = {"issue": "znpp", "party": "russia", "stance": "opposes", "attribution": "direct"}
        item["quote"] = f"'{quote}'"
        item.pop(question, None)
        if value is not None:
            item[question] = value
        items.append(item)
    a, b = _coders(tmp_path, [items[0]], [items[1]])
    report = json.loads(_shown(run, a, b, "json"))
    [found] = report["by_question"]
    assert (found["question"], found["statement"], found["issue"], found["party"]) == (question, True, "znpp", "russia")
    assert (found["a"]["value"], found["b"]["value"]) == (json_a, json_b)
    assert (found["a"]["quote"], found["b"]["quote"]) == (QUOTE, f"“{QUOTE}.”")
    assert (found["a"]["evidence"], found["b"]["evidence"]) == (["art-0"], ["art-0"])
    assert found["a"]["where"].endswith("a/art.yaml:3") and found["b"]["where"].endswith("b/art.yaml:3")
    table = _shown(run, a, b)
    label = question.replace("_", " ")
    assert (
        f"Disagreements (1)\n  art: russia on znpp\n    {label}, in a statement both coded\n"
        f"      A: {shown_a} (art-0) “{QUOTE}”\n      B: {shown_b} (art-0) ““{QUOTE}.””\n"
    ) in table


def test_what_differs_only_in_spelling_or_is_not_given_by_one_coder_is_no_disagreement(
    tmp_path: Path, run: Run
) -> None:
    """A condition apart only in case, spacing and a full stop, a speaker apart in case, an attribution one coder
    left out: the same answers. Stance and mode alike, nothing is listed."""
    a_item = {"issue": "znpp", "party": "russia", "stance": "open", "quote": QUOTE, "speaker": "Dmitry Peskov"}
    a_item |= {"condition": "'if the plant is demilitarised'", "attribution": "direct"}
    b_item = {"issue": "znpp", "party": "russia", "stance": "open", "quote": "'has rejected any handover'"}
    b_item |= {"condition": "'If  the plant is demilitarised.'", "speaker": "dmitry peskov"}
    a, b = _coders(tmp_path, [a_item], [b_item])
    report = json.loads(_shown(run, a, b, "json"))
    assert report["by_question"] == [] and report["disagreements"] == []
    assert {found["question"]: found["alpha"] for found in report["alphas"]}["condition"] is None, "one value"
    assert "Disagreements (0)" in _shown(run, a, b)


def test_a_unit_apart_with_no_statement_both_coded_is_a_disagreement_of_the_unit(tmp_path: Path, run: Run) -> None:
    """The coders quoted different sentences for one position: its values are compared, each with the evidence
    and the quote behind it; a position one coder alone coded is a disagreement of presence."""
    a, b = _coders(
        tmp_path,
        [
            _item("znpp", "russia", "opposes") | {"quote": "Moscow says no", "move": "reaffirm"},
            _item("peacekeepers", "russia", "opposes") | {"quote": "no troops"},
        ],
        [_item("znpp", "russia", "opposes", "reported") | {"quote": "Kremlin has long refused", "mode": "background"}],
    )
    report = json.loads(_shown(run, a, b, "json"))
    listed = [(f["issue"], f["question"], f["statement"]) for f in report["by_question"]]
    assert listed == [
        ("peacekeepers", "presence", False),
        ("znpp", "attribution", False),
        ("znpp", "mode", False),
        ("znpp", "move", False),
    ]
    move = report["by_question"][3]
    assert (move["a"]["value"], move["a"]["quote"]) == ("reaffirm", "Moscow says no")
    assert (move["b"]["value"], move["b"]["quote"]) == (None, "Kremlin has long refused")
    assert report["by_question"][0]["b"] is None and report["by_question"][0]["a"]["value"] == "opposes"
    table = _shown(run, a, b)
    assert "  art: russia on peacekeepers\n    coded by A only\n      A: opposes (art-1) “no troops”\n" in table
    assert "      B: not coded\n" in table
    assert (
        "    mode, of the unit (its evidence taken together)\n      A: asserted (art-0) “Moscow says no”\n"
        "      B: background (art-0) “Kremlin has long refused”\n"
    ) in table


def test_every_statement_both_coded_is_compared_not_only_the_units_values(tmp_path: Path, run: Run) -> None:
    """Two statements of one position: the unit's mode is `asserted` for both coders (one of its statements
    is), yet the second statement is a recap to A and asserted to B: listed, of that statement."""
    first = _item("znpp", "russia", "opposes") | {"quote": "Moscow says no"}
    second = _item("znpp", "russia", "opposes") | {"quote": "Moscow has refused"}
    a, b = _coders(tmp_path, [first, second | {"mode": "background"}], [first, second])
    [found] = json.loads(_shown(run, a, b, "json"))["by_question"]
    assert (found["question"], found["statement"], found["a"]["evidence"]) == ("mode", True, ["art-1"])
    assert (found["a"]["value"], found["b"]["value"]) == ("background", "asserted")


def test_alpha_for_move_and_condition_as_computed_by_hand(tmp_path: Path, run: Run) -> None:
    """Nominal alpha over four units coded by both, 'none' a value of its own. Moves: (none, none),
    (reaffirm, reaffirm), (harden, none), (none, none): n_none = 5, n_reaffirm = 2, n_harden = 1, n = 8, two
    ordered pairs off the diagonal, alpha = 1 - (n - 1) * 2 / (2 * (5*2 + 5*1 + 2*1)) = 1 - 14/34. Conditions:
    (none, none), (X, X apart in spelling), (X, Y), (none, none): n_none = 4, n_X = 3, n_Y = 1, so
    alpha = 1 - 7 * 2 / (2 * (4*3 + 4*1 + 3*1)) = 1 - 14/38."""
    units = [("donetsk_withdrawal", "russia"), ("nato_membership", "russia"), ("znpp", "russia")]
    units += [("peacekeepers", "russia")]
    moves_a, moves_b = [None, "reaffirm", "harden", None], [None, "reaffirm", None, None]
    conditions_a = [None, "'if X holds'", "'if X holds'", None]
    conditions_b = [None, "'If X holds.'", "'if Y holds'", None]

    def coder(moves: list[str | None], conditions: list[str | None]) -> list[dict[str, str]]:
        items = []
        for (issue, party), move, condition in zip(units, moves, conditions, strict=True):
            item = _item(issue, party, "opposes")
            item |= {"move": move} if move else {}
            item |= {"condition": condition} if condition else {}
            items.append(item)
        return items

    a, b = _coders(tmp_path, coder(moves_a, conditions_a), coder(moves_b, conditions_b))
    report = agreement(a, b, load_catalog(CATALOG))
    by_question = {found.question: found for found in report.alphas}
    assert by_question["move"].level == by_question["condition"].level == "nominal"
    assert by_question["move"].alpha == pytest.approx(1 - 14 / 34, abs=1e-4)
    assert by_question["condition"].alpha == pytest.approx(1 - 14 / 38, abs=1e-4)
    listed = [(f.issue, f.question, f.statement, f.a and f.a.value, f.b and f.b.value) for f in report.by_question]
    assert listed == [("znpp", "move", True, "harden", None), ("znpp", "condition", True, "if X holds", "if Y holds")]
    table = _shown(run, a, b)
    assert f"  move        nominal  {1 - 14 / 34:.3f}\n  condition   nominal  {1 - 14 / 38:.3f}\n" in table


def test_a_move_agreement_does_not_know_is_told_at_its_line(tmp_path: Path, run: Run) -> None:
    a, b = _coders(tmp_path, [_item("znpp", "russia", "opposes")], [_item("znpp", "russia", "opposes")])
    path = b / "art.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "    move: stiffen\n", encoding="utf-8")
    refused = run("agreement", str(a), str(b), "--catalog", str(CATALOG))
    assert refused.exit_code == 1 and "Traceback" not in refused.stderr
    assert refused.stderr.startswith(f"{path}:9: move: 'stiffen' is not a move; one of: first_statement, "), (
        refused.stderr
    )


def test_what_every_question_prints_is_inert_in_the_table_and_in_json(tmp_path: Path, run: Run) -> None:
    """A quote, a condition, a speaker and a said_on holding an OSC title, a screen clear and a bidi override."""
    hostile = "\\e]0;owned\\a\\e[2J\\u202e"
    item = {"issue": "znpp", "party": "russia", "stance": "opposes", "attribution": "direct"}
    item |= {"quote": f'"{QUOTE}{hostile}"'}
    a_item = item | {"condition": f'"if{hostile}"', "speaker": f'"Peskov{hostile}"', "said_on": f'"2026{hostile}"'}
    a, b = _coders(tmp_path, [a_item], [item | {"stance": "counter_proposal"}])
    table = _shown(run, a, b)
    assert "Disagreements (4)" in table and "\\x1b]0;owned\\x07\\x1b[2J<U+202E>" in table
    printed = _shown(run, a, b, "json")
    for text in (table, printed):
        assert not any((ord(c) < 0x20 and c != "\n") or 0x7F <= ord(c) <= 0x9F or c == "\u202e" for c in text)
    found = json.loads(printed)["by_question"]
    assert [f["question"] for f in found] == ["stance", "condition", "speaker", "said_on"]
    assert found[2]["a"]["value"] == "Peskov\x1b]0;owned\x07\x1b[2J\u202e", "JSON keeps the text, escaped"
