"""Files the tracker reads and writes, handled so that no path can hang it or make it destroy something.

Input (articles, fixtures, catalogues) is read only from regular files, opened
without blocking and checked before a byte is read: a FIFO would wait for ever,
and a device would never end. A feed may come from a pipe: it is read as a
stream elsewhere.

Output (`report -o`, the terminal UI's export) never replaces what is not a
regular file, never writes over the database it reads, and never leaves half a
file: a regular file or a new path is written whole beside its target and
renamed into place (a symlink is followed, and its target written, the link
left as it is); a device or a FIFO is written as a stream.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import secrets
import stat
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path

SQLITE_SIDE_FILES = ("", "-wal", "-shm", "-journal")


class FileRefused(Exception):
    """A path that cannot be read or written as asked; the message says why, in a user's words.

    `unreadable`: the system refused (the message is its reason); otherwise the message follows the file's
    name ("is not a regular file (a FIFO)").
    """

    def __init__(self, message: str, unreadable: bool = False) -> None:
        super().__init__(message)
        self.unreadable = unreadable

    def about(self, name: str) -> str:
        """The refusal told of `name` ("file", or a path)."""
        return f"cannot read {name}: {self}" if self.unreadable else f"{name} {self}"


def resolved(path: Path) -> Path:
    """`path` made absolute, through its symlinks; `FileRefused` for a symlink loop (or a path it cannot follow)."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # RuntimeError: Python before 3.13 reports a loop so
        raise FileRefused("is a symlink loop (or a path that cannot be followed)") from None


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a file"


def read_regular_file(path: Path, limit: int) -> bytes:
    """The bytes of a regular file of at most `limit` bytes; `FileRefused` for anything else.

    The file is opened without blocking and checked on the open descriptor, so a FIFO is refused
    at once instead of waiting for a writer, and nothing can swap the file between check and read.
    While a corpus edit is being checked (`staged`), its new bytes are read instead of the file's.
    """
    if _staged.get() is not None:
        found = _staged_bytes(path)
        if found is not None:
            if len(found) > limit:
                raise FileRefused(f"is larger than {limit} bytes")
            return found
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        raise FileRefused(str(exc.strerror), unreadable=True) from None
    try:
        mode = os.fstat(descriptor)
        if not stat.S_ISREG(mode.st_mode):
            raise FileRefused(f"is not a regular file ({_kind(mode.st_mode)})")
        if mode.st_size > limit:
            raise FileRefused(f"is larger than {limit} bytes")
        chunks, size = [], 0
        while size <= limit and (chunk := os.read(descriptor, min(limit + 1 - size, 1 << 20))):
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        raise FileRefused(str(exc.strerror), unreadable=True) from None
    finally:
        os.close(descriptor)
    if size > limit:  # it grew while being read
        raise FileRefused(f"is larger than {limit} bytes")
    return b"".join(chunks)


def database_files(sqlite_file: Path | None) -> list[Path]:
    """The files of a SQLite database (the file and its journals), which no output may replace."""
    if sqlite_file is None:
        return []
    return [Path(f"{sqlite_file}{suffix}") for suffix in SQLITE_SIDE_FILES]


def _same_file(target: Path, protected: Iterable[Path]) -> bool:
    """Whether `target` is one of `protected`, however spelled: by resolved path, or by device and inode."""
    real = resolved(target)
    try:
        mine = target.stat()
    except OSError:
        mine = None
    for path in protected:
        if resolved(path) == real:
            return True
        if mine is not None:
            try:
                theirs = path.stat()
            except OSError:
                continue
            if (theirs.st_dev, theirs.st_ino) == (mine.st_dev, mine.st_ino):
                return True
    return False


_STANDARD_STREAMS = {"/dev/stdin": 0, "/dev/stdout": 1, "/dev/stderr": 2}
_DESCRIPTOR = re.compile(r"/(?:dev|proc/self)/fd/(\d+)")


def _descriptor_named(target: Path) -> int | None:
    """The open descriptor a path such as /dev/stdout or /dev/fd/3 names, written to as a shell does."""
    named = str(target)
    if named in _STANDARD_STREAMS:
        return _STANDARD_STREAMS[named]
    match = _DESCRIPTOR.fullmatch(named)
    return int(match.group(1)) if match else None


CORPUS_NAMES = ("articles.yaml", "catalog.yaml", "tracker.toml")


def is_corpus_file(target: Path, corpus: Iterable[Path] = ()) -> bool:
    """Whether `target` is a file of a corpus, which no output may replace: one of `corpus` (however spelled), an
    article index or catalogue by its name, or a fixture (a YAML file beside a catalogue) or text beside an index."""
    if not target.exists():
        return False
    if target.name in CORPUS_NAMES or _same_file(target, corpus):
        return True
    folder = resolved(target).parent
    if target.suffix in (".yaml", ".yml") and (folder / "catalog.yaml").exists():
        return True
    return target.suffix == ".txt" and (folder / "articles.yaml").exists()


def write_output(target: Path, text: str, protected: Iterable[Path] = (), corpus: Iterable[Path] = ()) -> None:
    """Write `text` to `target` safely; `FileRefused` when it may not or cannot be written.

    `protected` are files no output may replace (the database being read). A regular file or a new
    path is written whole and renamed into place, keeping an existing file's permissions; a symlink is
    followed to its target; /dev/stdout and /dev/fd/N are the descriptors they name; a device or a FIFO
    is written as a stream; a folder is refused.
    """
    data = text.encode("utf-8")
    descriptor = _descriptor_named(target)
    if descriptor is not None:
        _write_all(descriptor, data)
        return
    if _same_file(target, protected):
        raise FileRefused("is the database this command reads (or one of its files); choose another path")
    if is_corpus_file(target, corpus):
        raise FileRefused(
            "is a file of a corpus (an article, the article index, a fixture or the catalogue); choose another path"
        )
    try:
        existing = target.stat()  # through any symlink: the link stays, its target is written
    except FileNotFoundError:
        existing = None
    except OSError as exc:
        raise FileRefused(str(exc.strerror)) from None
    if existing is not None and stat.S_ISDIR(existing.st_mode):
        raise FileRefused("is a folder; name a file")
    if existing is not None and not stat.S_ISREG(existing.st_mode):
        _write_stream(target, data)
        return
    real = resolved(target)
    partial = real.with_name(f".{real.name}.{secrets.token_hex(4)}.partial")
    try:
        _new_file(partial, data, stat.S_IMODE(existing.st_mode) if existing is not None else None)
        os.replace(partial, real)
    except OSError as exc:
        _remove(partial)
        raise FileRefused(str(exc.strerror)) from None


def _write_all(descriptor: int, data: bytes) -> None:
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(descriptor, view) :]
    except OSError as exc:
        raise FileRefused(str(exc.strerror)) from None


def _write_stream(path: Path, data: bytes) -> None:
    """Write to a device or a FIFO as a program writes to a stream: never replaced, never truncated."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CLOEXEC)
    except OSError as exc:
        raise FileRefused(str(exc.strerror)) from None
    try:
        _write_all(descriptor, data)
    finally:
        os.close(descriptor)


def write_new_file(folder: Path, stem: str, suffix: str, text: str, tries: int = 1000) -> Path:
    """Write `text` whole to the first free name `stem.suffix`, `stem-2.suffix`, ... in `folder`; its path.

    Nothing is ever written over: the text is written beside, then linked to a name that must not
    exist yet (a name held by anything, a dangling symlink included, is passed over).
    """
    partial = folder / f".{stem}.{secrets.token_hex(4)}.partial"
    try:
        _new_file(partial, text.encode("utf-8"))
        for n in range(1, tries + 1):
            path = folder / (f"{stem}{suffix}" if n == 1 else f"{stem}-{n}{suffix}")
            try:
                os.link(partial, path, follow_symlinks=False)
            except FileExistsError:
                continue
            return path
        raise FileRefused(f"{tries} files named {stem}*{suffix} already exist in {folder}")
    except OSError as exc:
        raise FileRefused(f"cannot write in {folder}: {exc.strerror}") from None
    finally:
        _remove(partial)


def _remove(partial: Path) -> None:
    """Remove a partial file if it was made (where it could not be, on a read-only medium, there is none)."""
    try:
        partial.unlink(missing_ok=True)
    except OSError:
        pass


# -- writing a corpus ----------------------------------------------------------------------------------------------
#
# A corpus's files (the article index, the texts, the fixtures, the catalogue) are a person's work. Every change the
# tracker makes to them is checked before it is written (read through `staged`), written under the corpus's lock,
# only over the bytes it was made from (compare and swap), whole (beside the file, then renamed over it, keeping its
# mode, through a symlink to its target), and all the files of one change or none.

LOCK_FILE = ".tracker.lock"
LOCK_WAIT_SECONDS = 60.0

_staged: ContextVar[dict[str, bytes] | None] = ContextVar("staged", default=None)


def _key(path: Path) -> str:
    """A file's name for the staged bytes: its folder resolved, and its own name (a symlink is not followed)."""
    try:
        return str(resolved(path.parent) / path.name)
    except FileRefused:
        return str(path.absolute())


def _staged_bytes(path: Path) -> bytes | None:
    staged = _staged.get()
    return None if staged is None else staged.get(_key(path))


@contextmanager
def staged(files: dict[Path, bytes]) -> Iterator[None]:
    """Read `files` as holding these bytes (new files included) while a change to a corpus is checked."""
    token = _staged.set({_key(path): data for path, data in files.items()})
    try:
        yield
    finally:
        _staged.reset(token)


def staged_in(folder: Path) -> list[Path]:
    """The files staged in `folder` (new ones a listing of the folder does not show yet)."""
    staged = _staged.get()
    if not staged:
        return []
    try:
        real = str(resolved(folder))
    except FileRefused:
        return []
    return [folder / Path(key).name for key in staged if str(Path(key).parent) == real]


def exists(path: Path) -> bool:
    """Whether `path` exists, or is staged to."""
    return path.exists() or _staged_bytes(path) is not None


def sha256_of(data: bytes | None) -> str | None:
    return None if data is None else hashlib.sha256(data).hexdigest()


@contextmanager
def corpus_lock(folders: Iterable[Path], wait: float = LOCK_WAIT_SECONDS) -> Iterator[None]:
    """Hold the write lock of each folder (`.tracker.lock` in it, as git's `index.lock`) while a corpus is changed.

    The lock is the kernel's (`flock`), so a process killed holding it lets go of it; the file is there only while
    the lock is held. Another tracker changing the same folders waits, up to `wait` seconds; then `FileRefused`
    says who holds it. Folders are locked in one order, so that two changes never wait on each other.
    """
    held: list[tuple[Path, int]] = []
    try:
        for folder in sorted({resolved(f) for f in folders}):
            held.append((folder / LOCK_FILE, _lock(folder / LOCK_FILE, time.monotonic() + wait, wait)))
        yield
    finally:
        for path, descriptor in reversed(held):
            try:
                path.unlink()  # (still holding it: whoever opened this file next sees it gone, and takes a new one)
            except OSError:
                pass
            os.close(descriptor)


def _lock(path: Path, deadline: float, wait: float) -> int:
    """The descriptor of `path`, locked: the file that is at that path when the lock is taken."""
    import fcntl

    while True:
        try:
            descriptor = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o666)
        except OSError as exc:
            raise FileRefused(f"cannot lock {path.parent} for writing ({path.name}): {exc.strerror}") from None
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(descriptor, 64, 0).decode("ascii", "replace").strip() or "another process"
            os.close(descriptor)
            if time.monotonic() >= deadline:
                raise FileRefused(
                    f"{path.parent} is being written by another tracker ({holder}) for over {wait:.0f} s; "
                    "try again when it has finished"
                ) from None
            time.sleep(0.02)
            continue
        try:
            same = os.stat(path, follow_symlinks=False).st_ino == os.fstat(descriptor).st_ino
        except FileNotFoundError:
            same = False
        if same:
            os.ftruncate(descriptor, 0)
            os.pwrite(descriptor, f"pid {os.getpid()}\n".encode(), 0)
            return descriptor
        os.close(descriptor)  # its holder removed it as it let go: take the new one


@dataclass(frozen=True)
class FileChange:
    """One file of a change to a corpus: its new bytes, and the bytes they were made from (None: a new file)."""

    path: Path  # as named in its folder (a symlink is written through)
    data: bytes
    before: bytes | None


def _target(path: Path) -> Path:
    """Where a file's bytes are: a symlink's target (followed to the end), else the path itself."""
    if path.is_symlink():
        return resolved(path)
    return resolved(path.parent) / path.name


def _current(target: Path) -> bytes | None:
    try:
        return read_regular_file(target, 1 << 40)
    except FileRefused as exc:
        if exc.unreadable and not target.exists() and not target.is_symlink():
            return None
        raise


def write_files(changes: list[FileChange]) -> None:
    """Write every file of `changes`, or none; `FileRefused` saying why not, every file then as it was.

    Each file is written whole beside its target first. Then, file by file, it must still hold the bytes its
    change was made from (an edit made meanwhile, by another program, is kept: the change is refused), and is
    renamed over it, keeping its mode; a new file must still not exist. Should a rename fail halfway, the files
    already renamed get their old bytes back.
    """
    prepared: list[tuple[FileChange, Path, Path]] = []
    try:
        for change in changes:
            target = _target(change.path)
            partial = target.with_name(f".{target.name}.{secrets.token_hex(4)}.partial")
            prepared.append((change, target, partial))
            try:
                mode = stat.S_IMODE(target.stat().st_mode) if change.before is not None else None
            except OSError:
                mode = None
            _write_partial(partial, change.data, mode)
        for change, target, _ in prepared:
            _check_unchanged(change, target)
        done: list[tuple[FileChange, Path]] = []
        try:
            for change, target, partial in prepared:
                _check_unchanged(change, target)
                if change.before is None:
                    os.link(partial, target, follow_symlinks=False)  # fails if the name was taken meanwhile
                    partial.unlink()
                else:
                    os.replace(partial, target)
                done.append((change, target))
        except (OSError, FileRefused) as exc:
            _undo(done)
            if isinstance(exc, FileRefused):
                raise
            if exc.errno == errno.EEXIST:
                raise FileRefused(
                    f"{display(change.path)} was made by another program meanwhile; nothing written"
                ) from None
            raise FileRefused(f"cannot write {display(change.path)}: {exc.strerror}; nothing written") from None
        for folder in {target.parent for _, target, _ in prepared}:
            _sync_folder(folder)
    finally:
        for _, _, partial in prepared:
            _remove(partial)


def display(path: Path) -> str:
    from tracker.domain.errors import display_path

    return display_path(path)


def _new_file(path: Path, data: bytes, mode: int | None = None) -> None:
    """Write `data` to `path`, which must not exist yet, and to the disk (fsync); with `mode` if given. OSError."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o666)
    with os.fdopen(descriptor, "wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    if mode is not None:
        os.chmod(path, mode)


def _write_partial(partial: Path, data: bytes, mode: int | None) -> None:
    try:
        _new_file(partial, data, mode)
    except OSError as exc:
        raise FileRefused(f"cannot write in {display(partial.parent)}: {exc.strerror}; nothing written") from None


def _check_unchanged(change: FileChange, target: Path) -> None:
    now = _current(target)
    if now != change.before:
        what = "was made" if change.before is None else "was deleted" if now is None else "changed"
        raise FileRefused(
            f"{display(change.path)} {what} by another program since the tracker read it; nothing written "
            "(its edit is kept: try again)"
        )


def _undo(done: list[tuple[FileChange, Path]]) -> None:
    for change, target in reversed(done):
        try:
            if change.before is None:
                target.unlink()
            else:
                _write_partial(
                    partial := target.with_name(f".{target.name}.{secrets.token_hex(4)}.partial"),
                    change.before,
                    stat.S_IMODE(target.stat().st_mode),
                )
                os.replace(partial, target)
        except (OSError, FileRefused):
            pass


def _sync_folder(folder: Path) -> None:
    try:
        descriptor = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)
