"""What an ingest need not read again: a feed the store holds as stored, and the lines appended to one.

The cache of sources (`tracker.ingest.manifest`) is a shortcut, never a second truth: each test here checks
that what it skips is what a whole read would have found, and that anything it cannot vouch for is read.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import Run, db_digest
from tests.test_feed import bundled_as_feed
from tracker.ingest import feed as feed_module
from tracker.ingest.feed import FeedEvidence, _fast_evidence
from tracker.store.address import database_url


def _sql(db: str, query: str) -> list[tuple[Any, ...]]:
    engine = create_engine(database_url(db)[0])
    try:
        with engine.begin() as conn:
            result = conn.execute(text(query))
            return [tuple(row) for row in result] if result.returns_rows else []
    finally:
        engine.dispose()


@pytest.fixture
def lines_read(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The numbers of the feed lines an ingest checks."""
    numbers: list[int] = []
    real = feed_module.FeedReader._line

    def line(self: feed_module.FeedReader, number: int, raw: bytes) -> None:
        numbers.append(number)
        real(self, number, raw)

    monkeypatch.setattr(feed_module.FeedReader, "_line", line)
    return numbers


def _ingest(run: Run, db: str, feed: Path, *extra: str) -> Any:
    result = run("--db", db, "ingest", "--jsonl", str(feed), *extra)
    assert result.exit_code == 0, result.stderr
    return result


def _state(run: Run, db: str) -> str:
    result = run("--db", db, "state", "--as-of", "2026-02-06", "--format", "json")
    assert result.exit_code == 0, result.stderr
    return str(result.stdout)


def _age(path: Path, seconds: int = 60) -> None:
    """Make a file look written a while ago (a file recorded just after it changed is hashed again)."""
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns - seconds * 10**9))


def test_an_unchanged_feed_is_recognised_without_reading_a_line(
    run: Run, db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    feed = bundled_as_feed(tmp_path / "feed.jsonl")
    _age(feed)
    _ingest(run, db, feed)
    digest = db_digest(db)

    def never(*args: object) -> None:
        raise AssertionError("a line was read")

    monkeypatch.setattr(feed_module.FeedReader, "_line", never)
    again = _ingest(run, db, feed)
    assert "nothing new" in again.stderr and "(32 piece(s) of evidence)" in again.stderr
    assert db_digest(db) == digest  # an ingest that changes nothing writes nothing, its cache included


def test_a_touched_feed_is_hashed_not_read_and_a_copy_elsewhere_is_read(
    run: Run, db: str, tmp_path: Path, lines_read: list[int]
) -> None:
    feed = bundled_as_feed(tmp_path / "feed.jsonl")
    _ingest(run, db, feed)
    digest = db_digest(db)
    lines_read.clear()
    os.utime(feed)  # the same bytes, another modification time
    assert "nothing new" in _ingest(run, db, feed).stderr and lines_read == []
    copy = tmp_path / "elsewhere" / "feed.jsonl"
    copy.parent.mkdir()
    copy.write_bytes(feed.read_bytes())
    assert "nothing new" in _ingest(run, db, copy, "--catalog", str(tmp_path / "catalog.yaml")).stderr
    assert lines_read, "a source never stored is read"
    assert db_digest(db) == digest


def test_a_feed_changed_in_place_with_its_size_and_time_put_back_is_still_read(
    run: Run, db: str, tmp_path: Path
) -> None:
    """A rewrite of the same size with the modification time set back (`touch -d`) changes the inode's change
    time (ctime), which no user tool sets back: the file is hashed, and the change found."""
    feed = bundled_as_feed(tmp_path / "feed.jsonl")
    _age(feed)
    _ingest(run, db, feed)
    before = feed.stat()
    body = feed.read_bytes()
    assert b'"note": "' in body
    at = body.index(b'"note": "') + len(b'"note": "')
    changed = body[:at] + (b"X" if body[at : at + 1] != b"X" else b"Y") + body[at + 1 :]
    with feed.open("r+b") as rewrite:  # in place: the same inode
        rewrite.write(changed)
    os.utime(feed, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = feed.stat()
    assert (after.st_size, after.st_mtime_ns, after.st_ino) == (before.st_size, before.st_mtime_ns, before.st_ino)
    result = _ingest(run, db, feed)
    assert "nothing new" not in result.stderr and "edited:" in result.stderr


def test_a_feed_recorded_just_after_it_changed_is_hashed_next_time(run: Run, db: str, tmp_path: Path) -> None:
    """Racy git's rule: a file changed within two seconds of its recording could change again within the same
    tick of the clock, unseen by its stat signature; its signature is recorded as not to be trusted."""
    feed = bundled_as_feed(tmp_path / "feed.jsonl")
    _ingest(run, db, feed)
    [(signature,)] = _sql(db, "SELECT stat FROM ingest_cache_file")
    assert signature.startswith("racy:")
    _age(feed)
    other = bundled_as_feed(tmp_path / "other" / "feed.jsonl")
    _age(other)
    lines = other.read_text(encoding="utf-8").splitlines()
    other.write_text("\n".join(lines[:-1]) + "\n", encoding="utf-8")  # one piece fewer: a change, recorded
    _age(other)
    _ingest(run, db, other, "--catalog", str(tmp_path / "catalog.yaml"))
    _ingest(run, db, feed)  # restores it, and records it now that it is old
    assert any(not stat.startswith("racy:") for (stat,) in _sql(db, "SELECT stat FROM ingest_cache_file"))


def _append(feed: Path, lines: list[dict[str, Any]]) -> None:
    with feed.open("a", encoding="utf-8") as out:
        for line in lines:
            out.write(json.dumps(line) + "\n")


def _new_article(feed: Path, article_id: str, evidence_ids: list[str]) -> list[dict[str, Any]]:
    """An article like the feed's first, under another id, with evidence like its first pieces."""
    lines = [json.loads(line) for line in feed.read_text(encoding="utf-8").splitlines()]
    article = {**lines[0], "id": article_id}
    coded = [line for line in lines if line["type"] == "evidence" and line["article"] == lines[0]["id"]]
    return [article] + [
        {**item, "article": article_id, "id": evidence_id}
        for item, evidence_id in zip(coded, evidence_ids, strict=False)
    ]


def test_an_appended_feed_checks_only_its_new_lines(
    run: Run, db: str, new_db: Any, tmp_path: Path, lines_read: list[int]
) -> None:
    feed = bundled_as_feed(tmp_path / "feed.jsonl")
    _age(feed)
    _ingest(run, db, feed)
    old_lines = len(feed.read_text(encoding="utf-8").splitlines())
    _append(feed, _new_article(feed, "appended-article", ["app-01", "app-02"]))
    lines_read.clear()
    result = _ingest(run, db, feed)
    assert lines_read == [old_lines + 1, old_lines + 2, old_lines + 3]
    assert "1 article(s) added" in result.stderr and "added: app-01, app-02" in result.stderr
    whole = new_db("whole")
    _ingest(run, whole, feed)
    assert _state(run, db) == _state(run, whole)
    _age(feed)
    lines_read.clear()
    again = _ingest(run, db, feed)
    assert "nothing new" in again.stderr and "(34 piece(s) of evidence)" in again.stderr and lines_read == []


def test_appended_lines_that_need_the_whole_feed_are_read_with_it(
    run: Run, db: str, tmp_path: Path, lines_read: list[int]
) -> None:
    """An appended piece of evidence of an earlier article, or an id given earlier, is read with the whole feed:
    the problems are those of a whole read, in the same words."""
    feed = bundled_as_feed(tmp_path / "feed.jsonl")
    _age(feed)
    _ingest(run, db, feed)
    first = json.loads(feed.read_text(encoding="utf-8").splitlines()[1])
    _append(feed, [{**first, "id": "kept-apart", "note": "said again"}])
    lines_read.clear()
    result = run("--db", db, "ingest", "--jsonl", str(feed))
    whole = run("validate", "--jsonl", str(feed))
    assert result.exit_code == whole.exit_code == 1
    assert "duplicate evidence: same article, quote" in result.stderr
    assert [line for line in result.stderr.splitlines() if "duplicate" in line] == [
        line for line in whole.stdout.splitlines() if "duplicate" in line
    ]
    assert min(lines_read) == 1, "the whole feed is read"


def test_an_edit_from_another_source_makes_the_feed_be_read_and_a_restore_recognised(
    run: Run, db: str, tmp_path: Path, lines_read: list[int]
) -> None:
    feed = bundled_as_feed(tmp_path / "feed.jsonl")
    _age(feed)
    _ingest(run, db, feed)
    lines = [json.loads(line) for line in feed.read_text(encoding="utf-8").splitlines()]
    article = lines[0]
    coded = [line for line in lines if line.get("article") == article["id"]]
    removed = tmp_path / "one" / "removed.jsonl"
    removed.parent.mkdir()
    removed.write_text("".join(json.dumps(line) + "\n" for line in [article, *coded[:-1]]), encoding="utf-8")
    catalog = ("--catalog", str(tmp_path / "catalog.yaml"))
    assert f"removed: {coded[-1]['id']}" in _ingest(run, db, removed, *catalog).stderr
    restored = tmp_path / "one" / "restored.jsonl"
    restored.write_text("".join(json.dumps(line) + "\n" for line in [article, *coded]), encoding="utf-8")
    _ingest(run, db, restored, *catalog)
    lines_read.clear()
    assert "nothing new" in _ingest(run, db, feed).stderr and lines_read == []  # the store holds it as stated
    _ingest(run, db, removed, *catalog)
    lines_read.clear()
    assert f"added: {coded[-1]['id']}" in _ingest(run, db, feed).stderr and lines_read


def test_a_store_whose_cache_is_gone_or_out_of_date_reads_the_feed(
    run: Run, db: str, tmp_path: Path, lines_read: list[int]
) -> None:
    feed = bundled_as_feed(tmp_path / "feed.jsonl")
    _age(feed)
    _ingest(run, db, feed)
    _sql(db, "UPDATE ingest_cache_state SET value = 'another tracker wrote since'")
    lines_read.clear()
    assert "nothing new" in _ingest(run, db, feed).stderr and lines_read
    for table in ("ingest_cache_source", "ingest_cache_file", "ingest_cache_article", "ingest_cache_state"):
        _sql(db, f"DROP TABLE {table}")
    lines_read.clear()
    assert "nothing new" in _ingest(run, db, feed).stderr and lines_read
    assert run("--db", db, "check").exit_code == 0


def test_validate_reads_every_line(run: Run, db: str, tmp_path: Path, lines_read: list[int]) -> None:
    feed = bundled_as_feed(tmp_path / "feed.jsonl")
    _age(feed)
    _ingest(run, db, feed)
    lines_read.clear()
    assert run("--db", db, "validate", "--jsonl", str(feed)).exit_code == 0
    assert len(lines_read) == len(feed.read_text(encoding="utf-8").splitlines())


EVIDENCE = {
    "type": "evidence",
    "article": "a-1",
    "id": "e-1",
    "issue": "donetsk_withdrawal",
    "party": "russia",
    "stance": "demands",
    "quote": "Russia wants all of Donetsk",
    "attribution": "reported",
}


@pytest.mark.parametrize(
    "change",
    [
        {},
        {"party": "  ", "stance": None},
        {"said_on": "2026-02", "said_at": "14:30"},
        {"said_on": "2026-02-17/2026-02-18", "said_at": "09:05:03", "mode": "background"},
        {"speaker": "", "note": " ", "condition": "if the front holds", "move": "harden"},
        {"party": None, "stance": None, "kind": "progress"},
        {"occurrence": 2},
        {"quote": "\u201cRussia\u201d wants \u2026", "note": "caf\u00e9"},
    ],
)
def test_the_fast_path_reads_a_line_as_the_model_does(change: dict[str, Any]) -> None:
    line = {k: v for k, v in {**EVIDENCE, **change}.items() if not (v is None and k in change and k != "party")}
    raw = json.dumps(line).encode()
    fast = _fast_evidence(raw)
    model = FeedEvidence.model_validate_json(raw)
    assert fast is not None
    assert fast._asdict() == {name: getattr(model, name) for name in fast._fields}


@pytest.mark.parametrize(
    "raw",
    [
        b'{"type": "evidence", "article": "a-1", "id": "e-1", "id": "e-2", "issue": "i", "quote": "q", '
        b'"attribution": "direct"}',  # a key twice
        b'{"article": "a-1", "id": "e-1", "issue": "i", "quote": "q", "attribution": "direct"}',  # no type
        b'{"type": "evidence", "article": "a-1\\n", "id": "e-1", "issue": "i", "quote": "q", "attribution": "direct"}',
        b'{"type": "evidence", "article": "a-1", "id": "e-1", "issue": "i", "quote": "q", "attribution": "direct", '
        b'"party": "p", "stance": "unknown"}',
        b'{"type": "evidence", "article": "a-1", "id": "e-1", "issue": "i", "quote": "...", "attribution": "direct"}',
        b'{"type": "evidence", "article": "a-1", "id": "e-1", "issue": "i", "quote": "q", "attribution": "direct", '
        b'"occurrence": true}',
        b'{"type": "evidence", "article": "a-1", "id": "e-1", "issue": "i", "quote": "q\\u0000", '
        b'"attribution": "direct"}',
        b'{"type": "evidence", "article": "a-1", "id": "e-1", "issue": "i", "quote": "q", "attribution": "direct", '
        b'"said_at": "14:30+02:00"}',
        b'{"type": "evidence", "article": "a-1", "id": "e-1", "issue": "i", "quote": "q", "attribution": "direct", '
        b'"mode": null}',
    ],
)
def test_the_fast_path_leaves_anything_unusual_to_the_model(raw: bytes) -> None:
    assert _fast_evidence(raw) is None


def test_an_ingest_into_an_empty_store_past_what_it_keeps_in_memory_reads_back(
    run: Run, db: str, new_db: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Into an empty store the replay takes its evidence from memory, up to a bound; past it, from the store."""
    import tracker.ingest.ingest as ingest_module

    feed = bundled_as_feed(tmp_path / "feed.jsonl")
    _ingest(run, db, feed)
    monkeypatch.setattr(ingest_module, "KEEP_AT_MOST", 5)
    bounded = new_db("bounded")
    _ingest(run, bounded, feed)
    assert _state(run, bounded) == _state(run, db)
    assert run("--db", bounded, "check").exit_code == 0
