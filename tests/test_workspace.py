"""Workspaces (issue 20): `tracker init`, discovery from any folder inside one, explicit options winning, one
database per negotiation, no catalogue by accident, coding from nothing, and `article add` in a workspace.

Everything runs through the real command line, in-process (`run`), from the folder `monkeypatch.chdir` names;
`tracker code`, which needs a terminal, runs in a pseudo-terminal.
"""

from __future__ import annotations

import json
import os
import select
import shutil
import signal
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest
import yaml
from sqlalchemy import create_engine, text

from tests.conftest import REPO, Run, db_digest
from tests.helpers import edit, write_trade_talks
from tracker.coding import Coding, Draft
from tracker.domain.catalog import load_catalog
from tracker.ingest.corpus import bundled_corpus
from tracker.read.opening import Database

TRADE_TITLE = "Steel trade talks"  # the title of write_trade_talks's catalogue
OTHER_TITLE = "Harbour town water dispute"


# -- helpers -----------------------------------------------------------------------------------------------------


def _files(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` (by its path inside it) and its bytes."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _init(run: Run, folder: Path, title: str, *extra: str) -> Path:
    result = run("init", str(folder), "--title", title, *extra)
    assert result.exit_code == 0, result.stderr
    return folder


def _trade_workspace(run: Run, tmp_path: Path, name: str = "talks", title: str = TRADE_TITLE) -> Path:
    """A workspace made by `tracker init`, its template catalogue and article index replaced by the steel trade
    talks' corpus (one article, `brief`, and its evidence b1 and b2)."""
    folder = _init(run, tmp_path / name, title)
    scratch = tmp_path / f"{name}-source"
    scratch.mkdir()
    seeds, fixtures = write_trade_talks(scratch)
    for source, target in ((seeds, folder / "seeds"), (fixtures, folder / "fixtures")):
        for path in source.iterdir():
            shutil.copyfile(path, target / path.name)
    return folder


def _other_corpus(root: Path, title: str = OTHER_TITLE) -> tuple[Path, Path]:
    """A corpus outside any workspace whose catalogue names another negotiation."""
    root.mkdir()
    seeds, fixtures = write_trade_talks(root)
    edit(fixtures / "catalog.yaml", f"title: {TRADE_TITLE}\n", f"title: {title}\n")
    return seeds, fixtures


def _default_db() -> Path:
    """The default database's file (conftest points XDG_DATA_HOME at a folder of the test's own)."""
    return Path(os.environ["XDG_DATA_HOME"]) / "negotiation-tracker" / "tracker.db"


def _elsewhere(tmp_path: Path) -> Path:
    folder = tmp_path / "elsewhere"
    folder.mkdir(exist_ok=True)
    return folder


def _meta(db: Path | str) -> dict[str, str]:
    """The rows of the store's tracker_meta table (its negotiation's id and title among them)."""
    engine = create_engine(f"sqlite:///{db}")
    try:
        with engine.connect() as conn:
            return {row[0]: row[1] for row in conn.execute(text("SELECT key, value FROM tracker_meta"))}
    finally:
        engine.dispose()


def _toml(folder: Path) -> dict[str, object]:
    return tomllib.loads((folder / "tracker.toml").read_text(encoding="utf-8"))


def _one_line_refusal(stderr: str, held: str, given: str) -> None:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert f"'{held}'" in lines[0] and f"'{given}'" in lines[0], stderr
    assert "--db" in lines[0] and "tracker init" in lines[0], stderr


# -- 1. tracker init ---------------------------------------------------------------------------------------------


def test_init_makes_a_workspace_that_validates_as_an_empty_corpus(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = run("init", "harbour", "--title", OTHER_TITLE)
    assert result.exit_code == 0, result.stderr
    folder = tmp_path / "harbour"
    assert result.stdout == f"{folder.resolve()}\n"

    settings = _toml(folder)
    assert settings["title"] == OTHER_TITLE
    assert isinstance(settings["negotiation"], str) and settings["negotiation"]
    assert settings["corpus"] == {"seeds": "seeds", "fixtures": "fixtures"}
    assert settings["database"] == {"url": "tracker.db"}
    ignored = (folder / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert "/tracker.db" in ignored
    assert yaml.safe_load((folder / "seeds" / "articles.yaml").read_text(encoding="utf-8")) == {"articles": []}
    assert "# " in (folder / "seeds" / "articles.yaml").read_text(encoding="utf-8")  # the commented example
    catalog = load_catalog(folder / "fixtures" / "catalog.yaml")
    assert catalog.title == OTHER_TITLE
    assert catalog.issues and catalog.parties  # the template's examples

    monkeypatch.chdir(folder)
    validated = run("validate")
    assert validated.exit_code == 0, validated.stderr
    assert "ok: 0 article(s), 0 piece(s) of evidence" in validated.stderr
    assert "nothing is stored yet" in validated.stderr
    assert not (folder / "tracker.db").exists()  # validate writes nothing


def test_init_again_or_over_files_it_would_write_is_refused_and_writes_nothing(run: Run, tmp_path: Path) -> None:
    folder = _init(run, tmp_path / "harbour", OTHER_TITLE)
    before = _files(folder)
    for again in (
        ["init", str(folder)],
        ["init", str(folder), "--title", "Another"],
        ["init", str(folder), "--example"],
    ):
        result = run(*again)
        assert result.exit_code == 2, (again, result.stderr)
        assert "workspace already" in result.stderr
        assert _files(folder) == before, again

    for held in ("seeds/articles.yaml", "fixtures/catalog.yaml", ".gitignore"):
        crowded = tmp_path / f"crowded-{held.replace('/', '-')}"
        (crowded / held).parent.mkdir(parents=True)
        (crowded / held).write_bytes(b"mine: true\n")
        result = run("init", str(crowded), "--title", OTHER_TITLE)
        assert result.exit_code == 2, (held, result.stderr)
        assert held in result.stderr
        assert _files(crowded) == {held: b"mine: true\n"}, held
        assert not (crowded / "tracker.toml").exists()


def test_init_example_ingests_and_answers_like_the_bundled_corpus(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bundled_db = str(tmp_path / "bundled.db")
    monkeypatch.chdir(_elsewhere(tmp_path))
    assert run("--db", bundled_db, "ingest").exit_code == 0
    expected = run("--db", bundled_db, "state", "--as-of", "2026-02-06", "--format", "json")
    assert expected.exit_code == 0, expected.stderr

    result = run("init", str(tmp_path / "example"), "--example")
    assert result.exit_code == 0, result.stderr
    folder = tmp_path / "example"
    assert _toml(folder)["title"] == load_catalog(bundled_corpus()[1] / "catalog.yaml").title
    monkeypatch.chdir(folder)
    ingested = run("ingest")
    assert ingested.exit_code == 0, ingested.stderr
    assert (folder / "tracker.db").exists()
    answered = run("state", "--as-of", "2026-02-06", "--format", "json")
    assert answered.exit_code == 0, answered.stderr
    assert json.loads(answered.stdout) == json.loads(expected.stdout)
    assert "donetsk_withdrawal" in answered.stdout


# -- 2. discovery from a subfolder -------------------------------------------------------------------------------


def test_every_command_finds_the_workspace_from_a_subfolder(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _trade_workspace(run, tmp_path)
    root = folder.resolve()
    deeper = folder / "sub" / "deeper"
    deeper.mkdir(parents=True)
    repository_index = (REPO / "seeds" / "articles.yaml").read_bytes()
    note = tmp_path / "note.txt"
    note.write_text("Brussels said steel tariffs must go.\n", encoding="utf-8")
    monkeypatch.chdir(deeper)

    def ok(*args: str) -> str:
        result = run(*args)
        assert result.exit_code == 0, (args, result.stderr)
        return result.stdout + result.stderr

    ok("ingest")
    assert (folder / "tracker.db").is_file()
    assert _meta(folder / "tracker.db")["negotiation"] == _toml(folder)["negotiation"]

    state = ok("state", "--as-of", "2030-05-02")
    assert "steel_tariffs" in state and "china" in state and "donetsk" not in state
    assert "b1" in ok("history")
    assert "steel_tariffs" in ok("diff", "2030-04-30", "2030-05-02")
    assert "b2" in ok("search", "Beijing")
    assert "it insists on removing steel tariffs" in ok("show", "b1")
    logged = json.loads(ok("log", "--format", "json"))["ingests"]
    assert [(i["seeds"], i["fixtures"], i["evidence_added"]) for i in logged] == [
        (str(root / "seeds"), str(root / "fixtures"), 2)
    ]
    checked = run("check")
    assert checked.exit_code == 0, checked.stderr
    assert "sound: 1 articles, 2 evidence" in checked.stderr and str(root / "tracker.db") in checked.stderr
    catalogued = ok("catalog")
    assert "steel_tariffs" in catalogued and "donetsk" not in catalogued
    exported = json.loads(run("export", "--format", "w3c").stdout)
    assert exported["total"] == 2
    validated = run("validate")
    assert validated.exit_code == 0, validated.stderr
    assert f"against {root / 'tracker.db'}" in validated.stderr and "nothing new to ingest" in validated.stderr
    reported = ok("report")
    assert "Steel" in reported and "Donetsk" not in reported
    added = run("article", "add", str(note), "--title", "Brussels on steel", "--published-on", "2030-05-03")
    assert added.exit_code == 0, added.stderr
    assert added.stdout == "2030-05-03-brussels-steel\n"
    assert (folder / "seeds" / "2030-05-03-brussels-steel.txt").read_bytes() == note.read_bytes()
    assert "2030-05-03-brussels-steel" in (folder / "seeds" / "articles.yaml").read_text(encoding="utf-8")

    assert (REPO / "seeds" / "articles.yaml").read_bytes() == repository_index
    assert not _default_db().exists()
    assert not (deeper / "tracker.db").exists()


def test_where_inside_and_outside_a_workspace(run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _trade_workspace(run, tmp_path)
    root = folder.resolve()
    deeper = folder / "sub" / "deeper"
    deeper.mkdir(parents=True)

    monkeypatch.chdir(deeper)
    table = run("where")
    assert table.exit_code == 0, table.stderr
    assert f"{root} (found from the current folder)" in table.stdout
    assert str(root / "tracker.db") in table.stdout
    inside = json.loads(run("where", "--format", "json").stdout)
    assert inside["workspace"] == str(root)
    assert inside["how"] == "found from the current folder"
    assert inside["title"] == TRADE_TITLE
    assert inside["negotiation"] == _toml(folder)["negotiation"]
    assert (inside["seeds"], inside["fixtures"]) == (str(root / "seeds"), str(root / "fixtures"))
    assert inside["database"] == str(root / "tracker.db")
    assert inside["database_made"] is False

    monkeypatch.chdir(_elsewhere(tmp_path))
    table = run("where")
    assert table.exit_code == 0, table.stderr
    assert "outside any workspace" in table.stdout and "bundled" in table.stdout
    assert str(root) not in table.stdout
    outside = json.loads(run("where", "--format", "json").stdout)
    seeds, fixtures = bundled_corpus()
    assert outside["workspace"] is None and outside["how"] == "outside any workspace"
    assert (outside["seeds"], outside["fixtures"]) == (str(seeds.resolve()), str(fixtures.resolve()))
    assert outside["database"] == str(_default_db())
    assert not _default_db().exists()  # where says which database; it makes none


# -- 3. explicit options win -------------------------------------------------------------------------------------


def test_db_option_inside_a_workspace_wins(run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _trade_workspace(run, tmp_path)
    other = tmp_path / "other.db"
    monkeypatch.chdir(folder)
    assert run("--db", str(other), "ingest").exit_code == 0
    assert other.is_file() and not (folder / "tracker.db").exists()
    state = run("state", "--db", str(other), "--as-of", "2030-05-02")
    assert state.exit_code == 0 and "steel_tariffs" in state.stdout
    where = json.loads(run("--db", str(other), "where", "--format", "json").stdout)
    assert where["database"] == str(other) and where["workspace"] == str(folder.resolve())
    assert not (folder / "tracker.db").exists() and not _default_db().exists()


def test_seeds_and_fixtures_inside_a_workspace_win(run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _init(run, tmp_path / "harbour", OTHER_TITLE)  # its own corpus: no articles
    scratch = tmp_path / "trade"
    scratch.mkdir()
    seeds, fixtures = write_trade_talks(scratch)
    monkeypatch.chdir(folder)

    validated = run("validate", "--seeds", str(seeds), "--fixtures", str(fixtures))
    assert validated.exit_code == 0, validated.stderr
    assert "ok: 1 article(s), 2 piece(s) of evidence" in validated.stderr
    catalogued = run("catalog", "--fixtures", str(fixtures))
    assert catalogued.exit_code == 0 and "steel_tariffs" in catalogued.stdout
    assert "water_tariff" not in catalogued.stdout
    ingested = run("ingest", "--seeds", str(seeds), "--fixtures", str(fixtures))
    assert ingested.exit_code == 0, ingested.stderr
    state = run("state", "--as-of", "2030-05-02")  # into the workspace's database
    assert state.exit_code == 0 and "steel_tariffs" in state.stdout and "water_tariff" not in state.stdout
    assert (folder / "tracker.db").is_file()


def test_workspace_option_and_variable_name_one_from_outside(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _trade_workspace(run, tmp_path)
    root = folder.resolve()
    monkeypatch.chdir(_elsewhere(tmp_path))

    ingested = run("--workspace", str(folder), "ingest")
    assert ingested.exit_code == 0, ingested.stderr
    assert (folder / "tracker.db").is_file()
    state = run("state", "--workspace", str(folder), "--as-of", "2030-05-02")
    assert state.exit_code == 0, state.stderr
    assert "steel_tariffs" in state.stdout
    named = json.loads(run("--workspace", str(folder), "where", "--format", "json").stdout)
    assert (named["workspace"], named["how"]) == (str(root), "named by --workspace")

    monkeypatch.setenv("TRACKER_WORKSPACE", str(folder))
    table = run("where")
    assert table.exit_code == 0 and f"{root} (named by TRACKER_WORKSPACE)" in table.stdout
    by_variable = json.loads(run("where", "--format", "json").stdout)
    assert (by_variable["how"], by_variable["database"]) == ("named by TRACKER_WORKSPACE", str(root / "tracker.db"))
    shown = run("show", "b2")
    assert shown.exit_code == 0 and "Beijing rejected the idea outright" in shown.stdout
    assert not _default_db().exists()


def test_a_workspace_option_that_is_not_one_is_bad_usage(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(_elsewhere(tmp_path))
    plain = tmp_path / "plain"
    plain.mkdir()
    for args in (["--workspace", str(plain), "state"], ["state", "--workspace", str(tmp_path / "missing")]):
        result = run(*args)
        assert result.exit_code == 2, (args, result.stderr)
        assert "is not a workspace" in result.stderr
    monkeypatch.setenv("TRACKER_WORKSPACE", str(plain))
    result = run("where")
    assert result.exit_code == 2 and "is not a workspace" in result.stderr
    assert not _default_db().exists()


# -- 4. one database, one negotiation ----------------------------------------------------------------------------


def test_a_workspace_database_refuses_another_negotiation(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _trade_workspace(run, tmp_path)
    seeds, fixtures = _other_corpus(tmp_path / "water")
    monkeypatch.chdir(folder)
    assert run("ingest").exit_code == 0
    database = str(folder / "tracker.db")
    before = db_digest(database)
    file_before = (folder / "tracker.db").read_bytes()

    refused = run("ingest", "--seeds", str(seeds), "--fixtures", str(fixtures))
    assert refused.exit_code == 2, refused.stderr
    _one_line_refusal(refused.stderr, TRADE_TITLE, OTHER_TITLE)
    assert db_digest(database) == before
    assert (folder / "tracker.db").read_bytes() == file_before

    validated = run("validate", "--seeds", str(seeds), "--fixtures", str(fixtures))
    assert validated.exit_code == 2, validated.stderr
    _one_line_refusal(validated.stderr, TRADE_TITLE, OTHER_TITLE)
    assert db_digest(database) == before


def test_the_default_database_refuses_another_negotiation(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bundled_title = load_catalog(bundled_corpus()[1] / "catalog.yaml").title
    seeds, fixtures = _other_corpus(tmp_path / "water")
    monkeypatch.chdir(_elsewhere(tmp_path))

    # No default database yet: it is built from the demo first, and the other corpus refused.
    refused = run("ingest", "--seeds", str(seeds), "--fixtures", str(fixtures))
    assert refused.exit_code == 2, refused.stderr
    assert f"tracks '{bundled_title}'; this corpus is '{OTHER_TITLE}'" in refused.stderr
    assert _default_db().is_file()
    state = run("state", "--as-of", "2026-02-06")
    assert state.exit_code == 0 and "donetsk_withdrawal" in state.stdout and "steel_tariffs" not in state.stdout

    before = db_digest(str(_default_db()))
    refused = run("ingest", "--seeds", str(seeds), "--fixtures", str(fixtures))
    assert refused.exit_code == 2, refused.stderr
    _one_line_refusal(refused.stderr, bundled_title, OTHER_TITLE)
    assert db_digest(str(_default_db())) == before


def test_a_new_catalogue_title_renames_only_with_rename(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _trade_workspace(run, tmp_path)
    monkeypatch.chdir(folder)
    assert run("ingest").exit_code == 0
    database = str(folder / "tracker.db")
    edit(folder / "fixtures" / "catalog.yaml", f"title: {TRADE_TITLE}\n", "title: Steel and aluminium talks\n")
    before = db_digest(database)

    refused = run("ingest")
    assert refused.exit_code == 2, refused.stderr
    assert "'Steel trade talks'" in refused.stderr and "'Steel and aluminium talks'" in refused.stderr
    assert "--rename" in refused.stderr
    assert db_digest(database) == before

    renamed = run("ingest", "--rename")
    assert renamed.exit_code == 0, renamed.stderr
    assert _meta(database)["catalog_title"] == "Steel and aluminium talks"
    assert _meta(database)["negotiation"] == _toml(folder)["negotiation"]
    again = run("ingest")
    assert again.exit_code == 0 and "nothing new" in again.stderr


def test_two_workspaces_of_one_title_are_two_negotiations(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = _trade_workspace(run, tmp_path, "first")
    edit(first / "seeds" / "articles.yaml", "title: Steel brief\n", "title: Steel brief of the first talks\n")
    second = _trade_workspace(run, tmp_path, "second")
    assert _toml(first)["title"] == _toml(second)["title"] == TRADE_TITLE
    assert _toml(first)["negotiation"] != _toml(second)["negotiation"]

    monkeypatch.chdir(second)
    assert run("ingest").exit_code == 0
    database = str(second / "tracker.db")
    assert _meta(database)["negotiation"] == _toml(second)["negotiation"]
    before = db_digest(database)

    monkeypatch.chdir(first)  # the first workspace's corpus, into the second's database
    refused = run("--db", database, "ingest")
    assert refused.exit_code == 2, refused.stderr
    _one_line_refusal(refused.stderr, TRADE_TITLE, TRADE_TITLE)
    assert db_digest(database) == before


def test_a_workspace_corpus_named_by_folder_into_another_workspace_of_one_title_is_refused(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = _trade_workspace(run, tmp_path, "first")
    edit(first / "seeds" / "articles.yaml", "title: Steel brief\n", "title: Steel brief of the first talks\n")
    second = _trade_workspace(run, tmp_path, "second")
    monkeypatch.chdir(second)
    assert run("ingest").exit_code == 0
    database = str(second / "tracker.db")
    before = db_digest(database)

    refused = run("ingest", "--seeds", str(first / "seeds"), "--fixtures", str(first / "fixtures"))
    assert refused.exit_code == 2, refused.stderr
    assert db_digest(database) == before


# -- 5. no catalogue by accident ---------------------------------------------------------------------------------


def test_a_corpus_without_a_catalogue_is_refused_naming_the_path(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scratch = tmp_path / "nocat"
    scratch.mkdir()
    seeds, fixtures = write_trade_talks(scratch)
    (fixtures / "catalog.yaml").unlink()
    db = tmp_path / "nocat.db"
    monkeypatch.chdir(_elsewhere(tmp_path))
    looked_for = str(fixtures / "catalog.yaml")

    for command in ("ingest", "validate"):
        result = run("--db", str(db), command, "--seeds", str(seeds), "--fixtures", str(fixtures))
        assert result.exit_code == 1, (command, result.stdout, result.stderr)
        assert looked_for in result.stdout + result.stderr, command
        assert "donetsk" not in result.stdout + result.stderr
    assert not db.exists()

    folder = _trade_workspace(run, tmp_path)  # a workspace whose catalogue is gone
    (folder / "fixtures" / "catalog.yaml").unlink()
    monkeypatch.chdir(folder)
    for command in ("ingest", "validate"):
        result = run(command)
        assert result.exit_code == 1, (command, result.stdout, result.stderr)
        assert "fixtures/catalog.yaml" in result.stdout + result.stderr, command
    assert not (folder / "tracker.db").exists()
    assert not _default_db().exists()


# -- 6. coding from nothing --------------------------------------------------------------------------------------


def _code_in_a_terminal(folder: Path, article: str, timeout: float = 60.0) -> tuple[int | None, bytes]:
    """Run `tracker code ARTICLE` in `folder` in a pseudo-terminal until its screen is up with the database made,
    then press ctrl+q (killed if it does not stop). Its exit code (None: killed) and what it wrote."""
    controller, terminal = os.openpty()
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "120", "LINES": "40"}
    env.pop("TRACKER_WORKSPACE", None)
    child = subprocess.Popen(
        [sys.executable, "-m", "tracker", "code", article],
        cwd=folder,
        env=env,
        stdin=terminal,
        stdout=terminal,
        stderr=terminal,
        start_new_session=True,
    )
    os.close(terminal)
    shown = b""

    def read(wait: float) -> bool:
        nonlocal shown
        ready, _, _ = select.select([controller], [], [], wait)
        if not ready:
            return True
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # the child closed the terminal
            return False
        shown += chunk
        return bool(chunk)

    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and child.poll() is None:
            read(0.2)
            if (folder / "tracker.db").exists() and b"\x1b[?1049h" in shown and len(shown) > 2000:
                break  # the coding screen is drawn: the database was made before it opened
        time.sleep(0.5)
        if child.poll() is None:
            os.write(controller, b"\x11")
        stop = time.monotonic() + 15
        while time.monotonic() < stop and child.poll() is None:
            read(0.2)
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGKILL)
            child.wait()
            return None, shown
        return child.returncode, shown
    finally:
        os.close(controller)


def test_code_on_a_new_workspace_makes_its_database_from_its_corpus(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _init(run, tmp_path / "harbour", OTHER_TITLE)  # the template catalogue: water_tariff, council, ...
    text_file = tmp_path / "vote.txt"
    text_file.write_text("The council said it supports the water tariff. Residents oppose it.\n", encoding="utf-8")
    monkeypatch.chdir(folder)
    added = run(
        "article", "add", str(text_file), "--title", "Council votes on the tariff", "--published-on", "2026-03-01"
    )
    assert added.exit_code == 0, added.stderr
    article = added.stdout.strip()
    assert not (folder / "tracker.db").exists()

    code, shown = _code_in_a_terminal(folder, article)
    assert b"no article" not in shown and b"create it with" not in shown, shown[-2000:]
    assert code == 0, (code, shown[-2000:])  # ctrl+q closed the screen
    database = folder / "tracker.db"
    assert database.is_file(), shown[-2000:]
    held = _meta(database)
    assert held["negotiation"] == _toml(folder)["negotiation"]
    assert held["catalog_title"] == OTHER_TITLE
    where = json.loads(run("where", "--format", "json").stdout)
    assert where["database_made"] is True
    shown_article = run("show", article, "--format", "json")
    assert shown_article.exit_code == 0, shown_article.stderr
    assert "Council votes on the tariff" in shown_article.stdout
    assert not _default_db().exists()

    # The first save on the database the screen made: stored once, the store sound.
    coding = Coding(folder / "seeds", folder / "fixtures", article, Database(str(database)))
    try:
        saved, _ = coding.save(
            Draft(
                issue="water_tariff",
                party="council",
                stance="supports",
                quote="The council said it supports the water tariff.",
                attribution="direct",
            )
        )
    finally:
        coding.database.close()
    state = run("state", "--as-of", "2026-03-02", "--issue", "water_tariff", "--party", "council", "--format", "json")
    assert state.exit_code == 0, state.stderr
    position = json.loads(state.stdout)["positions"][0]
    assert position["stance"] == "supports" and position["evidence"][0]["id"] == saved
    checked = run("check")
    assert checked.exit_code == 0, checked.stdout + checked.stderr
    assert "sound: 1 articles, 1 evidence" in checked.stderr


# -- 7. article add in a workspace -------------------------------------------------------------------------------


def test_article_add_in_a_workspace_writes_its_seeds_with_a_short_id_and_registers_in_place(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _init(run, tmp_path / "harbour", OTHER_TITLE)
    seeds = folder / "seeds"
    repository_seeds = _files(REPO / "seeds")
    deeper = folder / "notes"
    deeper.mkdir()
    outside = tmp_path / "vote.txt"
    outside.write_bytes(b"The council voted on the proposed water tariff.\r\n")
    monkeypatch.chdir(deeper)

    title = "The Harbour Council Votes on the Proposed Water Tariff Increase for Next Year"
    added = run("article", "add", str(outside), "--title", title, "--published-on", "2026-03-01")
    assert added.exit_code == 0, added.stderr
    made = added.stdout.strip()
    assert made == "2026-03-01-harbour-council-votes"  # the date and whole key words, within 32 characters
    assert len(made) <= 32
    assert (seeds / f"{made}.txt").read_bytes() == outside.read_bytes()
    listed = yaml.safe_load((seeds / "articles.yaml").read_text(encoding="utf-8"))["articles"]
    assert [(a["id"], a["file"], a["title"]) for a in listed] == [(made, f"{made}.txt", title)]
    assert _files(REPO / "seeds") == repository_seeds  # the repository's own seeds untouched
    assert not (deeper / "articles.yaml").exists()

    in_place = seeds / "residents-letter.txt"
    in_place.write_bytes(b"Residents wrote that they oppose the tariff.\n")
    before = sorted(p.name for p in seeds.iterdir())
    added = run(
        "article", "add", str(in_place), "--title", "Residents write to the council", "--published-on", "2026-03-02"
    )
    assert added.exit_code == 0, added.stderr
    second = added.stdout.strip()
    assert len(second) <= 32 and second.startswith("2026-03-02-residents")
    assert "registered where it is" in added.stderr
    assert sorted(p.name for p in seeds.iterdir()) == before  # no copy made
    listed = yaml.safe_load((seeds / "articles.yaml").read_text(encoding="utf-8"))["articles"]
    assert listed[-1]["id"] == second and listed[-1]["file"] == "residents-letter.txt"

    monkeypatch.chdir(folder)  # both are articles of the workspace's corpus
    validated = run("validate")
    assert validated.exit_code == 0, validated.stdout + validated.stderr
    assert "ok: 2 article(s)" in validated.stderr
