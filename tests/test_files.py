"""Files read and written: no input path hangs the tracker, and no output path makes it destroy anything.

Input must be a regular file (a FIFO would wait for ever, a device never end).
`report -o` and the terminal UI's export never write over the database, never
replace what is not a regular file, follow a symlink instead of replacing it,
write a device or a FIFO as a stream, and leave no half-written file.
"""

from __future__ import annotations

import errno
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import Run, db_digest
from tracker.domain.errors import CorpusError
from tracker.domain.files import FileRefused, read_regular_file, write_new_file, write_output
from tracker.ingest.corpus import load_corpus

BASE = Path(__file__).resolve().parent / "bad_inputs" / "base"


@pytest.fixture(autouse=True)
def _every_test_here_ends(never_waits_for_ever: None) -> None:
    """A read or write that waits for ever fails the test instead of hanging the suite."""


# -- reading ---------------------------------------------------------------------------------------------------


def test_a_fifo_is_refused_at_once_not_read(tmp_path: Path) -> None:
    fifo = tmp_path / "article.txt"
    os.mkfifo(fifo)
    with pytest.raises(FileRefused, match=r"is not a regular file \(a FIFO\)"):
        read_regular_file(fifo, 1024)


def test_a_device_a_folder_and_a_missing_file_are_refused(tmp_path: Path) -> None:
    with pytest.raises(FileRefused, match=r"is not a regular file \(a device\)"):
        read_regular_file(Path("/dev/zero"), 1024)
    with pytest.raises(FileRefused, match=r"is not a regular file \(a folder\)"):
        read_regular_file(tmp_path, 1024)
    with pytest.raises(FileRefused) as missing:
        read_regular_file(tmp_path / "gone.txt", 1024)
    assert missing.value.about("file") == "cannot read file: No such file or directory"


def test_a_file_over_the_limit_is_refused_and_one_at_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "text"
    path.write_bytes(b"a" * 100)
    assert read_regular_file(path, 100) == b"a" * 100
    with pytest.raises(FileRefused, match="is larger than 99 bytes"):
        read_regular_file(path, 99)


FILE_KINDS = ["regular", "fifo", "folder", "symlink to regular", "symlink to fifo", "dangling symlink", "device"]


def _make(path: Path, kind: str, content: bytes) -> None:
    """`path` as a file of `kind`, holding `content` where it can hold anything."""
    path.unlink(missing_ok=True)
    elsewhere = path.with_name(f"{path.name}.real")  # beside it, read by nothing else
    if kind == "regular":
        path.write_bytes(content)
    elif kind == "fifo":
        os.mkfifo(path)
    elif kind == "folder":
        path.mkdir()
    elif kind == "symlink to regular":
        elsewhere.write_bytes(content)
        path.symlink_to(elsewhere.name)
    elif kind == "symlink to fifo":
        os.mkfifo(elsewhere)
        path.symlink_to(elsewhere.name)
    elif kind == "dangling symlink":
        path.symlink_to("nowhere")
    else:
        path.symlink_to("/dev/zero")


@settings(deadline=None, max_examples=40, suppress_health_check=[HealthCheck.too_slow])
@given(article=st.sampled_from(FILE_KINDS), fixture=st.sampled_from(FILE_KINDS))
def test_an_article_or_a_fixture_of_any_kind_is_read_or_refused_at_once(article: str, fixture: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        corpus = Path(folder)
        shutil.copytree(BASE, corpus, dirs_exist_ok=True)
        seeds, fixtures = corpus / "seeds", corpus / "fixtures"
        _make(seeds / "geneva.txt", article, (BASE / "seeds" / "geneva.txt").read_bytes())
        _make(fixtures / "geneva-day-one.yaml", fixture, (BASE / "fixtures" / "geneva-day-one.yaml").read_bytes())
        readable = {"regular", "symlink to regular"}
        try:
            loaded = load_corpus(seeds, fixtures)
        except CorpusError as exc:
            assert article not in readable or fixture not in readable, exc
            assert all(p.line >= 1 and p.field for p in exc.problems), exc
            return
        assert article in readable
        # A fixture that is not a regular file is refused, or (a dangling symlink) not a fixture at all.
        assert fixture in readable or (fixture == "dangling symlink" and not loaded.evidence)


# -- writing a report --------------------------------------------------------------------------------------------


@pytest.fixture
def database(run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A SQLite database of the bundled corpus, in the working folder."""
    monkeypatch.chdir(tmp_path)
    assert run("--db", "case.db", "ingest").exit_code == 0
    return tmp_path / "case.db"


DATABASE_SPELLINGS = [
    "case.db",
    "./case.db",
    "{folder}/case.db",
    "sub/../case.db",
    "case.db-wal",
    "case.db-shm",
    "case.db-journal",
    "link-to-db",
    "hard-link-to-db",
    "link-to-folder/case.db",
]


@pytest.mark.sqlite_only
@pytest.mark.parametrize("spelling", DATABASE_SPELLINGS)
def test_report_never_writes_over_the_database_it_reads(database: Path, run: Run, spelling: str) -> None:
    folder = database.parent
    (folder / "sub").mkdir()
    (folder / "link-to-db").symlink_to("case.db")
    os.link(database, folder / "hard-link-to-db")
    (folder / "link-to-folder").symlink_to(folder)
    before = db_digest(str(database))
    target = spelling.format(folder=folder)
    result = run("--db", "case.db", "report", "-o", target)
    assert result.exit_code == 2, result.stderr
    assert result.stderr.splitlines() == [
        f"error: cannot write {target}: is the database this command reads (or one of its files); choose another path"
    ]
    assert db_digest(str(database)) == before
    assert (folder / "link-to-db").is_symlink()
    assert run("--db", "case.db", "state").exit_code == 0


@pytest.mark.sqlite_only
def test_report_writes_through_a_symlink_and_keeps_the_link(database: Path, run: Run) -> None:
    folder = database.parent
    (folder / "briefings").mkdir()
    (folder / "latest.md").symlink_to("briefings/today.md")
    result = run("--db", "case.db", "report", "--as-of", "2026-02-06", "-o", "latest.md")
    assert result.exit_code == 0, result.stderr
    assert (folder / "latest.md").is_symlink()
    assert (folder / "briefings" / "today.md").read_text(encoding="utf-8").startswith("# 2026 US-brokered")


@pytest.mark.sqlite_only
def test_report_keeps_an_existing_files_permissions_and_leaves_no_partial_file(database: Path, run: Run) -> None:
    folder = database.parent
    target = folder / "briefing.md"
    target.write_text("old", encoding="utf-8")
    target.chmod(0o640)
    assert run("--db", "case.db", "report", "-o", "briefing.md").exit_code == 0
    assert stat.S_IMODE(target.stat().st_mode) == 0o640 and target.read_text(encoding="utf-8") != "old"
    failed = run("--db", "case.db", "report", "-o", "no-such-folder/briefing.md")
    assert failed.exit_code == 2
    assert failed.stderr == "error: cannot write no-such-folder/briefing.md: No such file or directory\n"
    assert sorted(p.name for p in folder.iterdir() if "partial" in p.name) == []


@pytest.mark.sqlite_only
@pytest.mark.parametrize("failing", ["fsync", "replace"])
def test_a_report_that_fails_to_be_written_leaves_no_partial_file_and_the_target_as_it_was(
    database: Path, run: Run, monkeypatch: pytest.MonkeyPatch, failing: str
) -> None:
    """A full disk when the report is flushed, or when it is renamed into place: nothing is left beside the
    target, and the target keeps its bytes and its mode."""
    folder = database.parent
    target = folder / "briefing.md"
    target.write_text("the briefing of last week\n", encoding="utf-8")
    target.chmod(0o640)
    real = getattr(os, failing)

    def full_disk(*args: object, **kwargs: object) -> None:
        if failing == "fsync" or str(args[0]).endswith(".partial"):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real(*args, **kwargs)

    monkeypatch.setattr(os, failing, full_disk)
    failed = run("--db", "case.db", "report", "-o", "briefing.md")
    monkeypatch.undo()
    assert failed.exit_code == 2, failed.stderr
    assert failed.stderr == f"error: cannot write briefing.md: {os.strerror(errno.ENOSPC)}\n"
    assert sorted(p.name for p in folder.iterdir() if p.name.endswith(".partial")) == []
    assert target.read_text(encoding="utf-8") == "the briefing of last week\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


@pytest.mark.sqlite_only
def test_report_onto_a_folder_is_refused(database: Path, run: Run) -> None:
    (database.parent / "out").mkdir()
    result = run("--db", "case.db", "report", "-o", "out")
    assert result.exit_code == 2 and result.stderr == "error: cannot write out: is a folder; name a file\n"


@pytest.mark.sqlite_only
def test_report_onto_a_device_is_written_as_a_stream_and_the_device_stays(database: Path, run: Run) -> None:
    assert run("--db", "case.db", "report", "-o", "/dev/null").exit_code == 0
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    full = run("--db", "case.db", "report", "-o", "/dev/full")
    assert full.exit_code == 2 and full.stderr == "error: cannot write /dev/full: No space left on device\n"
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode)


@pytest.mark.sqlite_only
def test_report_onto_a_fifo_is_written_as_a_stream(database: Path, run: Run) -> None:
    fifo = database.parent / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    result = run("--db", "case.db", "report", "--as-of", "2026-02-06", "-o", str(fifo))
    reader.join(60)
    assert result.exit_code == 0, result.stderr
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert received[0].startswith(b"# 2026 US-brokered")


OUTPUT_KINDS = ["new", "regular", "symlink to regular", "dangling symlink", "folder", "device", "database", "db link"]


@pytest.mark.sqlite_only
@settings(
    deadline=None, max_examples=30, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(kind=st.sampled_from(OUTPUT_KINDS), absolute=st.booleans())
def test_report_to_any_path_writes_the_report_there_or_refuses_and_destroys_nothing(
    database: Path, run: Run, kind: str, absolute: bool
) -> None:
    folder = database.parent
    target = folder / "target.md"
    for leftover in (target, folder / "elsewhere.md"):
        if leftover.is_dir() and not leftover.is_symlink():
            leftover.rmdir()
        else:
            leftover.unlink(missing_ok=True)
    if kind == "regular":
        target.write_text("old", encoding="utf-8")
    elif kind == "symlink to regular":
        (folder / "elsewhere.md").write_text("old", encoding="utf-8")
        target.symlink_to("elsewhere.md")
    elif kind == "dangling symlink":
        target.symlink_to("elsewhere.md")
    elif kind == "folder":
        target.mkdir()
    elif kind == "device":
        target.symlink_to("/dev/null")
    elif kind == "db link":
        target.symlink_to("case.db")
    named = database if kind == "database" else target
    before = db_digest(str(database))
    result = run("--db", "case.db", "report", "-o", str(named if absolute else named.relative_to(folder)))
    assert db_digest(str(database)) == before
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    if kind in ("folder", "database", "db link"):
        assert result.exit_code == 2 and len(result.stderr.splitlines()) == 1
        return
    assert result.exit_code == 0, result.stderr
    if kind in ("symlink to regular", "dangling symlink", "device"):
        assert target.is_symlink()
    if kind != "device":
        assert target.read_text(encoding="utf-8").startswith("# 2026 US-brokered")


# -- the terminal UI's export --------------------------------------------------------------------------------------


def test_an_export_never_writes_over_anything(tmp_path: Path) -> None:
    (tmp_path / "briefing.md").write_text("mine", encoding="utf-8")
    (tmp_path / "briefing-2.md").symlink_to("nowhere")  # a dangling link is a name taken too
    (tmp_path / "briefing-3.md").mkdir()
    written = write_new_file(tmp_path, "briefing", ".md", "# new\n")
    assert written == tmp_path / "briefing-4.md" and written.read_text(encoding="utf-8") == "# new\n"
    assert (tmp_path / "briefing.md").read_text(encoding="utf-8") == "mine"
    assert (tmp_path / "briefing-2.md").is_symlink() and not (tmp_path / "nowhere").exists()
    assert sorted(p.name for p in tmp_path.iterdir() if "partial" in p.name) == []


def test_write_output_through_dev_stdout_writes_the_descriptor(tmp_path: Path) -> None:
    out = tmp_path / "out.txt"
    code = "from pathlib import Path; from tracker.domain.files import write_output; "
    code += "write_output(Path('/dev/stdout'), 'x\\n')"
    with out.open("w") as stdout:
        subprocess.run([sys.executable, "-c", code], stdout=stdout, check=True)
    assert out.read_text() == "x\n" and not out.is_symlink()
    with pytest.raises(FileRefused, match="No such file or directory"):
        write_output(tmp_path / "missing" / "x.md", "x")


TAKEN_KINDS = ["regular", "symlink to regular", "dangling symlink", "folder", "fifo", "device"]


@settings(deadline=None, max_examples=40)
@given(taken=st.lists(st.sampled_from(TAKEN_KINDS), max_size=4))
def test_an_export_takes_the_first_free_name_and_leaves_every_taken_one_as_it_was(taken: list[str]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        names = [root / ("export.md" if n == 0 else f"export-{n + 1}.md") for n in range(len(taken))]
        for path, kind in zip(names, taken, strict=True):
            _make(path, kind, b"mine")
        before = {p.name: (p.is_symlink(), p.lstat().st_mode) for p in root.iterdir()}
        written = write_new_file(root, "export", ".md", "# new\n")
        assert written.name == ("export.md" if not taken else f"export-{len(taken) + 1}.md")
        assert written.read_text(encoding="utf-8") == "# new\n"
        after = {p.name: (p.is_symlink(), p.lstat().st_mode) for p in root.iterdir() if p != written}
        assert after == before
        for path, kind in zip(names, taken, strict=True):
            if kind in ("regular", "symlink to regular"):
                assert path.read_bytes() == b"mine"


# -- what a hostile sweep found -----------------------------------------------------------------------------------


@pytest.mark.sqlite_only
def test_symlink_loops_named_on_the_command_line_are_bad_usage(database: Path, run: Run) -> None:
    folder = database.parent
    (folder / "loop.db").symlink_to("loop.db")
    (folder / "loop.md").symlink_to("loop.md")
    for args in (
        ("--db", "loop.db", "state"),
        ("--db", "loop.db", "ingest"),
        ("--db", "case.db", "report", "-o", "loop.md"),
    ):
        result = run(*args)
        assert result.exit_code == 2 and len(result.stderr.splitlines()) == 1, (args, result.stderr)
        assert "symlink loop" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("device", ["/dev/null", "/dev/full"])
def test_a_device_is_no_database_and_nothing_is_written_beside_it(run: Run, device: str) -> None:
    result = run("--db", device, "ingest")
    assert result.exit_code == 2
    assert result.stderr == (
        f"error: cannot use database '{device}': it is not a regular file (a device, a FIFO?); "
        "a SQLite database is a file\n"
    )
    assert not Path(f"{device}-journal").exists() and not Path(f"{device}-wal").exists()


def test_a_feed_from_a_device_is_refused_at_once_and_a_pipe_is_read(run: Run, tmp_path: Path) -> None:
    result = run("--db", str(tmp_path / "t.db"), "ingest", "--jsonl", "/dev/zero")
    assert result.exit_code == 1
    assert (
        result.stderr == "/dev/zero:1: file: the feed is a device (or a terminal): give a file, or pipe the feed in\n"
    )
    assert not (tmp_path / "t.db").exists()
    feed = BASE.parent / "38-feed-not-json" / "feed.jsonl"
    article = feed.read_text(encoding="utf-8").splitlines()[0] + "\n"
    piped = subprocess.run(
        [
            sys.executable,
            "-m",
            "tracker",
            "--db",
            str(tmp_path / "p.db"),
            "ingest",
            "--jsonl",
            "-",
            "--catalog",
            str(BASE / "fixtures" / "catalog.yaml"),
        ],
        input=article,
        capture_output=True,
        text=True,
        check=False,
    )
    assert piped.returncode == 0 and "1 article(s) added" in piped.stderr, piped.stderr
