"""A folder corpus re-ingested reading only what changed (issue 23, point 4).

The cache of sources (`tracker.ingest.manifest`) keeps, for a folder corpus, the stat signature and digest of
`articles.yaml`, of each article's text and of each fixture. Each test here checks what a re-ingest reads, and
that what it finds is what a whole read finds: the same ingest is run on a copy of the database whose cache is
dropped (read whole, as before), and both say the same and leave the same positions.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import create_engine, text

from tests.conftest import Run, db_digest
from tests.helpers import KCS
from tracker.ingest import corpus as corpus_module
from tracker.ingest import manifest
from tracker.store.address import database_url

KCS_TEXT = "004_2f1a4ee65ee2afbf.txt"  # the text of the article KCS codes


def _sql(db: str, query: str) -> list[tuple[Any, ...]]:
    engine = create_engine(database_url(db)[0])
    try:
        with engine.begin() as conn:
            result = conn.execute(text(query))
            return [tuple(row) for row in result] if result.returns_rows else []
    finally:
        engine.dispose()


def _age(*paths: Path, seconds: int = 60) -> None:
    """Make files look written a while ago (a file recorded just after it changed is hashed again)."""
    for path in paths:
        stat = path.stat()
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns - seconds * 10**9))


@pytest.fixture
def aged(corpus: tuple[Path, Path]) -> tuple[Path, Path]:
    seeds, fixtures = corpus
    _age(*seeds.iterdir(), *fixtures.iterdir())
    return seeds, fixtures


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    """What an ingest reads of a folder corpus: files read whole (`read`: texts, and files hashed), fixtures read
    (`fixture`), documents parsed (`parsed`), by file name."""
    seen: dict[str, list[str]] = {"read": [], "fixture": [], "parsed": []}
    real_read, real_fixture, real_yaml = (
        corpus_module.read_regular_file,
        corpus_module.read_file_for_yaml,
        corpus_module.read_yaml,
    )

    def read_regular_file(path: Path, *args: Any) -> bytes:
        seen["read"].append(Path(path).name)
        return real_read(path, *args)

    def read_file_for_yaml(path: Path) -> bytes:
        seen["fixture"].append(path.name)
        return real_fixture(path)

    def read_yaml(path: Path, raw: bytes | None = None) -> Any:
        seen["parsed"].append(path.name)
        return real_yaml(path, raw)

    monkeypatch.setattr(corpus_module, "read_regular_file", read_regular_file)
    monkeypatch.setattr(corpus_module, "read_file_for_yaml", read_file_for_yaml)
    monkeypatch.setattr(corpus_module, "read_yaml", read_yaml)
    return seen


def _clear(reads: dict[str, list[str]]) -> None:
    for names in reads.values():
        names.clear()


def _uncached_copy(db: str, tmp_path: Path) -> str:
    """A copy of the (SQLite) database without its cache of sources: an ingest into it reads everything."""
    path = Path(db.removeprefix("sqlite:///"))
    if not path.exists():
        pytest.skip("compares with a copy of a SQLite database")
    copy = tmp_path / f"uncached-{len(list(tmp_path.glob('uncached-*')))}.db"
    shutil.copy(path, copy)
    for table in ("ingest_cache_source", "ingest_cache_article", "ingest_cache_file", "ingest_cache_state"):
        _sql(str(copy), f"DROP TABLE IF EXISTS {table}")
    return str(copy)


def _same_as_a_whole_read(
    run: Run, db: str, tmp_path: Path, args: tuple[str, ...], reads: dict[str, list[str]] | None = None
) -> Any:
    """Ingest into `db` (its cache consulted) and into a copy without a cache (read whole): the same words, the
    same exit code, the same positions and history after. The result of the first; `reads` keeps what it read."""
    whole_db = _uncached_copy(db, tmp_path)
    if reads is not None:
        _clear(reads)
    cached = run("--db", db, "ingest", *args)
    if reads is not None:
        done = {key: list(names) for key, names in reads.items()}
    whole = run("--db", whole_db, "ingest", *args)
    assert cached.exit_code == whole.exit_code
    assert _timeless(cached.stderr.replace(db, "DB")) == _timeless(whole.stderr.replace(whole_db, "DB"))
    for command in (["state", "--as-of", "2026-02-06"], ["history", "--all"], ["log"]):
        assert _timeless(run("--db", db, *command).stdout) == _timeless(run("--db", whole_db, *command).stdout)
    if reads is not None:
        reads.update(done)
    return cached


def _timeless(said: str) -> str:
    """What a command said, its times of recording left out (two ingests are not recorded at the same time)."""
    return re.sub(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d(\.\d+)?)?(\+00:00|Z)?", "TIME", said)


def _ingest(run: Run, db: str, args: tuple[str, ...]) -> Any:
    result = run("--db", db, "ingest", *args)
    assert result.exit_code == 0, result.stderr
    return result


def _args(corpus: tuple[Path, Path]) -> tuple[str, ...]:
    return ("--seeds", str(corpus[0]), "--fixtures", str(corpus[1]))


def test_an_edited_fixture_is_read_with_its_article_s_text_and_nothing_else(
    aged: tuple[Path, Path], run: Run, db: str, tmp_path: Path, reads: dict[str, list[str]]
) -> None:
    _, fixtures = aged
    args = _args(aged)
    _ingest(run, db, args)
    assert _sql(db, "SELECT count(*) FROM ingest_cache_file") == [(8,)], (
        "the folder corpus (its record, and its texts and its fixtures in a part each), and its 5 articles"
    )
    digest = db_digest(db)
    _clear(reads)
    again = _ingest(run, db, args)
    assert "nothing new" in again.stderr and "(32 piece(s) of evidence)" in again.stderr
    assert reads == {"read": [], "fixture": [], "parsed": []}, "nothing read: every signature as recorded"
    assert db_digest(db) == digest
    fixture = fixtures / KCS
    fixture.write_text(fixture.read_text().replace("stance: opposes", "stance: counter_proposal", 1))
    edited = _same_as_a_whole_read(run, db, tmp_path, args, reads)
    assert edited.exit_code == 0 and "  edited: kcs-02\n" in edited.stderr
    assert reads == {"read": [KCS_TEXT], "fixture": [KCS], "parsed": [KCS]}, "that fixture and its article's text"


def test_an_index_touched_is_hashed_not_parsed_and_an_index_changed_is_read(
    aged: tuple[Path, Path], run: Run, db: str, tmp_path: Path, reads: dict[str, list[str]]
) -> None:
    seeds, _ = aged
    args = _args(aged)
    _ingest(run, db, args)
    (seeds / "articles.yaml").touch()
    _clear(reads)
    assert "nothing new" in _ingest(run, db, args).stderr
    assert reads["read"] == ["articles.yaml"] and reads["parsed"] == [] and reads["fixture"] == []
    index = seeds / "articles.yaml"
    index.write_text(index.read_text().replace("title: Kremlin says first", "title: The Kremlin says first"))
    changed = _same_as_a_whole_read(run, db, tmp_path, args, reads)
    assert changed.exit_code == 0 and "1 superseded" in changed.stderr
    assert "articles.yaml" in reads["parsed"]


def test_a_text_changed_with_its_size_and_time_put_back_is_caught(
    aged: tuple[Path, Path], run: Run, db: str, tmp_path: Path, reads: dict[str, list[str]]
) -> None:
    """A rewrite in place keeping the size and the modification time changes the ctime: the text is hashed, found
    changed, and its article and fixture read again; its quotes are checked against the new text."""
    seeds, _ = aged
    args = _args(aged)
    _ingest(run, db, args)
    path = seeds / KCS_TEXT
    before = path.stat()
    body = path.read_bytes()
    at = body.rindex(b" the ") + 1
    with path.open("r+b") as rewrite:  # in place: the same inode
        rewrite.write(body[:at] + b"T" + body[at + 1 :])
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = path.stat()
    assert (after.st_size, after.st_mtime_ns, after.st_ino) == (before.st_size, before.st_mtime_ns, before.st_ino)
    result = _same_as_a_whole_read(run, db, tmp_path, args, reads)
    assert "nothing new" not in result.stderr
    assert KCS in reads["fixture"], "the fixture of the changed article is checked again"
    held = _sql(db, "SELECT sha256 FROM article WHERE id = 'kremlin-constructive-spirit' AND superseded_at IS NULL")
    if result.exit_code == 0:
        import hashlib

        assert held == [(hashlib.sha256(path.read_bytes()).hexdigest(),)]


def test_a_quote_no_longer_in_its_changed_text_is_refused_and_nothing_is_written(
    aged: tuple[Path, Path], run: Run, db: str, tmp_path: Path
) -> None:
    seeds, fixtures = aged
    args = _args(aged)
    _ingest(run, db, args)
    path = seeds / KCS_TEXT
    quote = yaml.safe_load((fixtures / KCS).read_text())["evidence"][0]["quote"]
    word = max(re.findall(r"[A-Za-z]+", quote), key=len)
    path.write_text(path.read_text().replace(word, word[::-1]))
    digest = db_digest(db)
    refused = _same_as_a_whole_read(run, db, tmp_path, args)
    assert refused.exit_code != 0 and "not re-coded" not in refused.stderr
    assert "not found in article 'kremlin-constructive-spirit'" in refused.stderr
    assert db_digest(db) == digest, "a refused ingest leaves the database as it was"


def test_a_removed_fixture_and_a_removed_article_are_seen(
    aged: tuple[Path, Path], run: Run, db: str, tmp_path: Path
) -> None:
    seeds, fixtures = aged
    args = _args(aged)
    _ingest(run, db, args)
    kept = (fixtures / KCS).read_bytes()
    (fixtures / KCS).unlink()
    _same_as_a_whole_read(run, db, tmp_path, args)
    (fixtures / KCS).write_bytes(kept)
    _same_as_a_whole_read(run, db, tmp_path, args)
    index = seeds / "articles.yaml"
    body = index.read_text()
    start = body.index("  - id: kremlin-constructive-spirit")
    end = body.find("\n  - id:", start + 1)
    index.write_text(body[:start] + (body[end + 1 :] if end != -1 else ""))
    refused = _same_as_a_whole_read(run, db, tmp_path, args)
    assert refused.exit_code != 0 and "unknown article 'kremlin-constructive-spirit'" in refused.stderr


def test_a_new_fixture_coding_an_article_already_coded_is_refused_as_a_whole_read_refuses_it(
    aged: tuple[Path, Path], run: Run, db: str, tmp_path: Path
) -> None:
    _, fixtures = aged
    args = _args(aged)
    _ingest(run, db, args)
    (fixtures / "a-copy.yaml").write_bytes((fixtures / KCS).read_bytes())
    refused = _same_as_a_whole_read(run, db, tmp_path, args)
    assert refused.exit_code != 0 and "is already coded in" in refused.stderr


def test_another_ingest_changing_an_article_makes_its_fixture_read_again(
    aged: tuple[Path, Path], run: Run, db: str, tmp_path: Path, reads: dict[str, list[str]]
) -> None:
    """The store changed by another source (here: the same folder copied elsewhere, with an edit): the article is
    no longer held as the folder stated it, and its fixture is read again, restoring it."""
    seeds, fixtures = aged
    args = _args(aged)
    _ingest(run, db, args)
    other = tmp_path / "other"
    shutil.copytree(fixtures, other)
    (other / KCS).write_text((other / KCS).read_text().replace("stance: opposes", "stance: counter_proposal", 1))
    _ingest(run, db, ("--seeds", str(seeds), "--fixtures", str(other)))
    restored = _same_as_a_whole_read(run, db, tmp_path, args, reads)
    assert "  edited: kcs-02\n" in restored.stderr
    assert KCS in reads["fixture"]


def test_validate_still_reads_everything(
    aged: tuple[Path, Path], run: Run, db: str, reads: dict[str, list[str]]
) -> None:
    args = _args(aged)
    _ingest(run, db, args)
    _clear(reads)
    result = run("--db", db, "validate", *args)
    assert result.exit_code == 0 and "nothing new to ingest" in result.stderr
    assert "articles.yaml" in reads["parsed"] and KCS in reads["fixture"] and KCS_TEXT in reads["read"]


def test_the_record_is_kept_in_parts_and_an_edit_rewrites_the_part_it_changed(
    aged: tuple[Path, Path],
    run: Run,
    db: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    reads: dict[str, list[str]],
) -> None:
    """With two entries a part, the folder's 5 texts and 5 fixtures are 3 parts each: an edited fixture rewrites the
    record's head (the store's generation) and the one part that holds the fixture. Parts fewer than before leave
    none behind that is no longer the record's. Each step as a whole read finds it; the record read back whole."""
    monkeypatch.setattr(manifest, "PART_ENTRIES", 2)
    _, fixtures = aged
    args = _args(aged)
    _ingest(run, db, args)

    def parts() -> dict[str, str]:
        return dict(_sql(db, f"SELECT path, detail FROM ingest_cache_file WHERE path LIKE '%{manifest.PART}%'"))

    before = parts()
    assert len(before) == 6
    fixture = fixtures / KCS
    fixture.write_text(fixture.read_text().replace("stance: opposes", "stance: counter_proposal", 1))
    assert "  edited: kcs-02\n" in _same_as_a_whole_read(run, db, tmp_path, args).stderr
    after = parts()
    assert after.keys() == before.keys()
    changed = [path.rsplit(manifest.PART, 1)[1] for path in after if after[path] != before[path]]
    assert len(changed) == 1 and changed[0].startswith("fixtures/"), changed
    monkeypatch.setattr(manifest, "PART_ENTRIES", 5)
    _age(fixture)
    fixture.write_text(fixture.read_text().replace("stance: counter_proposal", "stance: opposes", 1))
    assert "  edited: kcs-02\n" in _same_as_a_whole_read(run, db, tmp_path, args).stderr
    assert sorted(path.rsplit(manifest.PART, 1)[1] for path in parts()) == ["articles/0", "fixtures/0"]
    _age(fixture)
    _clear(reads)
    assert "nothing new" in _ingest(run, db, args).stderr
    assert reads == {"read": [], "fixture": [KCS], "parsed": []}, "the fixture touched hashed, by the record's parts"


def test_a_record_an_older_tracker_kept_whole_is_read_and_kept_in_parts_after(
    aged: tuple[Path, Path], run: Run, db: str, tmp_path: Path, reads: dict[str, list[str]]
) -> None:
    """The record as an older tracker wrote it (one row, kind `folder`) still spares the reads: an edited fixture
    is read with its article's text and nothing else; the record is written back in parts (a kind an older
    tracker reads as no record: it reads the folders whole)."""
    _, fixtures = aged
    args = _args(aged)
    _ingest(run, db, args)
    [(key, head)] = _sql(db, "SELECT path, detail FROM ingest_cache_file WHERE detail LIKE '%\"split\"%'")
    whole = json.loads(head)
    for member, (_, count) in whole.pop("split").items():
        parts = [
            json.loads(_sql(db, f"SELECT detail FROM ingest_cache_file WHERE path = '{key}#/{member}/{n}'")[0][0])
            for n in range(count)
        ]
        whole[member] = (
            [e for part in parts for e in part]
            if isinstance(parts[0], list)
            else {k: v for part in parts for k, v in part.items()}
        )
    whole["kind"] = "folder"
    _sql(db, f"DELETE FROM ingest_cache_file WHERE path LIKE '{key}#/%'")
    _sql(db, f"UPDATE ingest_cache_file SET detail = '{json.dumps(whole)}' WHERE path = '{key}'")
    fixture = fixtures / KCS
    fixture.write_text(fixture.read_text().replace("stance: opposes", "stance: counter_proposal", 1))
    edited = _same_as_a_whole_read(run, db, tmp_path, args, reads)
    assert edited.exit_code == 0 and "  edited: kcs-02\n" in edited.stderr
    assert reads == {"read": [KCS_TEXT], "fixture": [KCS], "parsed": [KCS]}, "that fixture and its article's text"
    [(head,)] = _sql(db, f"SELECT detail FROM ingest_cache_file WHERE path = '{key}'")
    assert json.loads(head)["kind"] == "folder-in-parts"
    assert len(_sql(db, f"SELECT path FROM ingest_cache_file WHERE path LIKE '{key}#/%'")) == 2
