"""`tracker catalog` lists the catalogue's issues and parties with their ids; `tracker schema catalog` describes
the file a user writes to start a negotiation of their own.

Golden files: `catalog.txt`, `catalog.w80.txt` and `catalog.json` under tests/golden
(`TRACKER_UPDATE_GOLDEN=1` rewrites them: review the diff).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import jsonschema
import pytest
import yaml

from tests.conftest import FIXTURES, GOLDEN, Run
from tracker.domain.catalog import Party, load_catalog
from tracker.domain.errors import CatalogError
from tracker.render.catalog import role
from tracker.render.formats import schema_file

HARBOUR = """\
title: Harbour town water dispute
issues:
  - id: night_dredging
    title: Night dredging
    proposition: Dredging goes on at night
    parent: dredging
  - id: dredging
    title: Dredging
    proposition: The harbour is dredged this year
    aliases: [dredge, channel works]
    keywords: [silt]
  - id: fees
    title: Mooring fees
    proposition: Mooring fees are cut by half
parties:
  - id: council
    name: Town council
    aliases: [the council]
  - id: fishers
    name: Fishers' cooperative
    keywords: [trawler]
"""


def matches_golden(name: str, text: str) -> None:
    golden = GOLDEN / name
    if os.environ.get("TRACKER_UPDATE_GOLDEN"):
        golden.write_text(text, encoding="utf-8")
        pytest.skip(f"rewrote {golden.name}: review the diff")
    assert text == golden.read_text(encoding="utf-8")


@pytest.fixture
def outside_any_workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run from an empty folder with no workspace named: the bundled corpus is the demo."""
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    monkeypatch.chdir(folder)
    monkeypatch.delenv("TRACKER_WORKSPACE", raising=False)
    return folder


def harbour(tmp_path: Path, text: str = HARBOUR) -> Path:
    path = tmp_path / "harbour.yaml"
    path.write_text(text, encoding="utf-8")
    return path


# The bundled catalogue.


@pytest.mark.usefixtures("outside_any_workspace")
def test_the_bundled_catalogue_as_a_table(run: Run) -> None:
    result = run("catalog")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    matches_golden("catalog.txt", result.stdout)
    assert run("catalog", "--fixtures", str(FIXTURES)).stdout == result.stdout


def test_the_table_fits_its_width_cutting_text_never_ids(run: Run) -> None:
    result = run("catalog", "--fixtures", str(FIXTURES), "--width", "80")
    assert result.exit_code == 0, result.stderr
    matches_golden("catalog.w80.txt", result.stdout)
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert "…" in result.stdout
    rows = {line.split()[0] for line in lines if line and not line.startswith(("-", "id ", "Catalogue", "Issues"))}
    catalog = load_catalog(FIXTURES / "catalog.yaml")
    assert {i.id for i in catalog.issues} | {p.id for p in catalog.parties} <= rows


@pytest.mark.usefixtures("outside_any_workspace")
def test_the_bundled_catalogue_as_json(run: Run) -> None:
    result = run("catalog", "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    matches_golden("catalog.json", result.stdout)
    document = json.loads(result.stdout)
    written = yaml.safe_load((FIXTURES / "catalog.yaml").read_text(encoding="utf-8"))
    assert document["title"] == written["title"]
    for shown, typed in zip(document["issues"], written["issues"], strict=True):
        assert list(shown) == ["id", "title", "parent", "aliases", "proposition", "keywords"]
        assert shown == {"parent": None, "aliases": [], "keywords": []} | typed
    for shown, typed in zip(document["parties"], written["parties"], strict=True):
        assert list(shown) == ["id", "name", "role", "aliases", "keywords"]
        assert shown == {"role": "negotiator", "aliases": [], "keywords": []} | typed


# Another negotiation's catalogue, and where the command finds one.


def test_another_negotiations_catalogue_named_with_catalog(run: Run, tmp_path: Path) -> None:
    result = run("catalog", "--catalog", str(harbour(tmp_path)))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        "Catalogue: Harbour town water dispute\n"
        "\n"
        "Issues (3)\n"
        "\n"
        "id              title             parent    aliases                proposition\n"
        "--------------  ----------------  --------  ---------------------  --------------------------------\n"
        "dredging        Dredging                    dredge, channel works  The harbour is dredged this year\n"
        "night_dredging  ↳ Night dredging  dredging                         Dredging goes on at night\n"
        "fees            Mooring fees                                       Mooring fees are cut by half\n"
        "\n"
        "Parties (2)\n"
        "\n"
        "id       name                  role        aliases\n"
        "-------  --------------------  ----------  -----------\n"
        "council  Town council          negotiator  the council\n"
        "fishers  Fishers' cooperative  negotiator\n"
    )
    document = json.loads(run("catalog", "--catalog", str(harbour(tmp_path)), "--format", "json").stdout)
    assert [(i["id"], i["parent"]) for i in document["issues"]] == [
        ("dredging", None),
        ("night_dredging", "dredging"),
        ("fees", None),
    ]
    assert document["issues"][0]["keywords"] == ["silt"]
    assert document["parties"][1] == {
        "id": "fishers",
        "name": "Fishers' cooperative",
        "role": "negotiator",
        "aliases": [],
        "keywords": ["trawler"],
    }


def test_the_catalogue_of_a_fixtures_folder(run: Run, tmp_path: Path) -> None:
    fixtures = tmp_path / "fixtures"
    fixtures.mkdir()
    harbour(fixtures).rename(fixtures / "catalog.yaml")
    result = run("catalog", "--fixtures", str(fixtures), "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["title"] == "Harbour town water dispute"


def test_a_folder_without_a_catalogue_is_refused_not_given_the_bundled_one(run: Run, tmp_path: Path) -> None:
    result = run("catalog", "--fixtures", str(tmp_path))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "catalog.yaml:1: file: cannot read file" in result.stderr


def test_the_catalogue_of_the_workspace_named(run: Run, tmp_path: Path) -> None:
    made = run("init", str(tmp_path / "harbour"), "--title", "Harbour town water dispute")
    assert made.exit_code == 0, made.stderr
    result = run("catalog", "--workspace", str(tmp_path / "harbour"), "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["title"] == "Harbour town water dispute"


# Bad and hostile catalogues.


def test_a_catalogue_with_problems_exits_1_with_each_one_located(run: Run, tmp_path: Path) -> None:
    text = HARBOUR.replace("    proposition: Dredging goes on at night\n", "").replace(
        "    proposition: Mooring fees are cut by half\n",
        "    proposition: Mooring fees are cut by half\n    parent: tolls\n",
    )
    path = harbour(tmp_path, text)
    result = run("catalog", "--catalog", str(path))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"{path}:3: issues[0].proposition: required field is missing",
        f"{path}:11: issues.parent: 'tolls' is not an issue of this catalogue; known issues: dredging, fees",
    ]


HOSTILE = """\
title: "Talks \\e[2J\\e]0;owned\\a \\u202Eevil"
issues:
  - id: fees
    title: "Fees \\e[31mred"
    proposition: "Fees are cut\\u2066"
    aliases: ["\\u202Eseef"]
parties:
  - id: port
    name: "Port\\x9b6n"
"""


def test_hostile_text_in_a_catalogue_is_shown_inert(run: Run, tmp_path: Path) -> None:
    path = harbour(tmp_path, HOSTILE)
    table = run("catalog", "--catalog", str(path))
    assert table.exit_code == 0, table.stderr
    assert table.stdout.splitlines()[0] == "Catalogue: Talks \\x1b[2J\\x1b]0;owned\\x07 <U+202E>evil"
    assert "Fees \\x1b[31mred" in table.stdout
    assert "<U+202E>seef" in table.stdout and "Fees are cut<U+2066>" in table.stdout
    assert "Port\\x9b6n" in table.stdout
    for unsafe in ("\x1b", "\x07", "\x9b", "\u202e", "\u2066"):
        assert unsafe not in table.stdout
    document = run("catalog", "--catalog", str(path), "--format", "json").stdout
    for unsafe in ("\x1b", "\x07", "\x9b", "\u202e", "\u2066"):
        assert unsafe not in document
    assert json.loads(document)["title"] == "Talks \x1b[2J\x1b]0;owned\x07 \u202eevil"


def test_a_long_title_is_cut_to_the_width(run: Run, tmp_path: Path) -> None:
    path = harbour(tmp_path, HARBOUR.replace("Harbour town water dispute", "Harbour " * 30))
    first = run("catalog", "--catalog", str(path), "--width", "60").stdout.splitlines()[0]
    assert len(first) == 60 and first.startswith("Catalogue: Harbour Harbour") and first.endswith("…")


# The schema of a catalogue.


@pytest.fixture
def validator(run: Run) -> jsonschema.Draft202012Validator:
    result = run("schema", "catalog")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == schema_file("catalog").read_text(encoding="utf-8")
    schema = json.loads(result.stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def as_json(text: str) -> Any:
    return json.loads(json.dumps(yaml.safe_load(text), default=str))


def test_the_bundled_catalogue_and_another_follow_the_schema(
    validator: jsonschema.Draft202012Validator,
) -> None:
    assert list(validator.iter_errors(as_json((FIXTURES / "catalog.yaml").read_text(encoding="utf-8")))) == []
    assert list(validator.iter_errors(as_json(HARBOUR))) == []


def test_the_schema_says_what_each_field_means(validator: jsonschema.Draft202012Validator) -> None:
    schema = validator.schema
    assert set(schema["properties"]) == {"title", "issues", "parties"}
    for part in (schema, schema["$defs"]["Issue"], schema["$defs"]["Party"]):
        for field, described in part["properties"].items():
            assert described.get("description"), field
    assert set(schema["$defs"]["Issue"]["properties"]) >= {"id", "title", "proposition", "parent", "aliases"}
    assert set(schema["$defs"]["Party"]["properties"]) >= {"id", "name", "aliases", "keywords"}


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("    proposition: The harbour is dredged this year\n", "    propositon: The harbour is dredged this year\n"),
        ("title: Harbour town water dispute\n", "title: Harbour town water dispute\nnegotiators: [council]\n"),
        ("  - id: fees\n", "  - id: Fees\n"),
        ("aliases: [the council]", "aliases: ['  ']"),
        (
            "  - id: council\n    name: Town council\n    aliases: [the council]\n"
            "  - id: fishers\n    name: Fishers' cooperative\n    keywords: [trawler]\n",
            "  []\n",
        ),
    ],
    ids=["misspelt field", "unknown section", "id not lowercase", "blank alias", "no parties"],
)
def test_a_catalogue_the_loader_refuses_fails_the_schema(
    old: str, new: str, validator: jsonschema.Draft202012Validator, tmp_path: Path
) -> None:
    assert HARBOUR.count(old) == 1
    text = HARBOUR.replace(old, new)
    with pytest.raises(CatalogError):
        load_catalog(harbour(tmp_path, text))
    assert list(validator.iter_errors(as_json(text)))


def test_a_partys_role_is_shown_where_its_model_has_one() -> None:
    """`Party` may gain a `role`: shown where it has one, `negotiator` where it has none."""
    assert role(Party(id="port", name="Port")) == "negotiator"
    mediator = SimpleNamespace(role=SimpleNamespace(value="mediator"))  # as an enum member carries it
    assert role(cast(Party, mediator)) == "mediator"
    assert role(cast(Party, SimpleNamespace(role="observer"))) == "observer"
