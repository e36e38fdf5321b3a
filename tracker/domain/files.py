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

import os
import re
import secrets
import stat
from collections.abc import Iterable
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
    """
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
        while size <= limit and (chunk := os.read(descriptor, limit + 1 - size)):
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


def write_output(target: Path, text: str, protected: Iterable[Path] = ()) -> None:
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
        created = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o666)
        with os.fdopen(created, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        if existing is not None:
            os.chmod(partial, stat.S_IMODE(existing.st_mode))
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
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o666)
        with os.fdopen(descriptor, "wb") as out:
            out.write(text.encode("utf-8"))
            out.flush()
            os.fsync(out.fileno())
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
