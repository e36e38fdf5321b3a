"""`tracker agreement`: two coders' fixtures compared; what it prints is inert, and every fixture and value counts."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

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
