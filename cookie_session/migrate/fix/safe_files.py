"""Reading and writing the files `--fix` touches without trusting the tree they are in.

A cloned repository chooses every name in it: a symbolic link planted where we read (`.gitignore`,
`.env.example`) or write (the file itself, a temporary name) would send us outside the tree, and a FIFO would
block a read for ever. So every read and write here refuses anything that is not a regular file, never follows
a symbolic link in the last component, and writes through a temporary file created exclusively under a random
name in the same folder (`O_CREAT | O_EXCL | O_NOFOLLOW`, by `tempfile.mkstemp`), renamed over the target:
a rename replaces a link planted there since, it never writes through it.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path

__all__ = ["UnsafeFileError", "read_regular", "write_replacing"]

_READ_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)


class UnsafeFileError(Exception):
    """A path that is not a regular file (a symbolic link, a FIFO, a folder, a device): `str()` says which."""


def _kind(mode: int) -> str:
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISDIR(mode):
        return "a folder"
    return "not a regular file"


def _check_regular(path: Path) -> os.stat_result | None:
    """The target's own status (not a link's target), None when nothing is there; raises UnsafeFileError."""
    try:
        status = os.lstat(path)
    except FileNotFoundError:
        return None
    if not stat.S_ISREG(status.st_mode):
        raise UnsafeFileError(_kind(status.st_mode))
    return status


def read_regular(path: Path, limit: int) -> str | None:
    """The UTF-8 text of the regular file at `path`; None when there is none, when it is larger than `limit`
    bytes or not UTF-8. Raises UnsafeFileError for anything else at that name; never blocks on a FIFO."""
    if _check_regular(path) is None:
        return None
    try:
        descriptor = os.open(path, _READ_FLAGS)
    except FileNotFoundError:
        return None
    except OSError as error:
        if os.path.islink(path):  # swapped for a link since the check (ELOOP)
            raise UnsafeFileError("a symbolic link") from None
        raise UnsafeFileError(error.strerror or type(error).__name__) from None
    with open(descriptor, "rb") as handle:
        mode = os.fstat(handle.fileno()).st_mode
        if not stat.S_ISREG(mode):  # swapped for a FIFO or a device since the check
            raise UnsafeFileError(_kind(mode))
        data = handle.read(limit + 1)
    if len(data) > limit:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _default_mode() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask


def write_replacing(path: Path, text: str) -> None:
    """Write `text` to `path` atomically: a new file gets the usual permissions, an existing one keeps its
    mode. Raises UnsafeFileError when `path` is not a regular file, OSError when the folder is not writable."""
    existing = _check_regular(path)
    mode = stat.S_IMODE(existing.st_mode) if existing else _default_mode()
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".cookie-session-fix", dir=path.parent)
    try:
        with open(descriptor, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            os.fchmod(handle.fileno(), mode)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
