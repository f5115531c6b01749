"""SQLite cookie stores opened read-only, a private copy of a locked one, and the cells read from them.

Contracts:
- A store is opened through a `file:...?mode=ro` URI, so a live WAL is read. A locked store (a running
  Firefox or Chromium holds it in exclusive locking mode) is read from a private copy: a 0700 directory
  named `cookie-session-copy-<pid>-*` in the temp dir, 0600 files, removed in `finally`, on SIGTERM (a
  handler installed only while a copy exists, chaining to the previous one), and, after a SIGKILL, by the
  next run (directories of this user whose process is gone).
- A store (with its -wal and -journal) over `MAX_STORE_BYTES` is refused before anything is copied.
- No `sqlite3` error escapes: every failure is a `CookieStoreError` (or subclass) naming the path.
"""

from __future__ import annotations

import math
import os
import sqlite3
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import cookie_session.browsers.quiet_log as log  # noqa: PLR0402  (a module: log.debug, log.info)

from ..errors import CookieStoreError, ProfileNotFoundError

T = TypeVar("T")

#: The largest store (database + WAL + journal) we copy. Real cookie stores hold at most a few hundred
#: thousand rows (Chromium caps a profile at 3300 cookies, Firefox at 3000 by default): tens of MiB at most.
MAX_STORE_BYTES = 1 << 30
#: Prefix of our private copies in the temp dir; the process id follows, so a later run knows a dead one's.
COPY_PREFIX = "cookie-session-copy-"
BUSY_TIMEOUT = 0.2  # seconds to wait for a lock before reading a private copy
MAX_EXPIRY = 253402300799.0  # 9999-12-31T23:59:59Z; later expiries are clamped to it
_NT_EPOCH_OFFSET = 11644473600  # seconds from 1601-01-01 to 1970-01-01


def store_error(path: Path, reason: str, hint: str | None = None) -> CookieStoreError:
    """The one error type of a store that cannot be read, naming the path and why."""
    return CookieStoreError(
        f"Cannot read cookie database {path}: {reason}",
        hint=hint
        or ("Pass the browser's own cookie file (Chromium: <profile>/Cookies, Firefox: <profile>/cookies.sqlite)"),
    )


def connect_and_read(target: str, reader: Callable[[sqlite3.Connection], T], uri: bool) -> T:
    """reader's result on a connection to `target` (text read with surrogateescape), closed afterwards."""
    con = sqlite3.connect(target, uri=uri, timeout=BUSY_TIMEOUT)
    try:
        con.text_factory = lambda b: b.decode("utf-8", "surrogateescape")
        return reader(con)
    finally:
        con.close()


# --- private copies ------------------------------------------------------------------


def _pid_alive(pid: int) -> bool:
    """Whether process `pid` exists (always True on Windows, where os.kill(pid, 0) would end it)."""
    if os.name == "nt":
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # EPERM: alive, someone else's
        return True
    return True


def remove_stale_copies(temp_dir: str | None = None) -> list[str]:
    """Remove private copies left by runs of this user that died (SIGKILL, power loss); the removed paths.

    Only directories named COPY_PREFIX<pid>-..., owned by this user, not symlinks, whose process is gone
    (POSIX only: Windows cannot ask whether a process exists without risk, so nothing is removed there)."""
    root = temp_dir or tempfile.gettempdir()
    removed: list[str] = []
    try:
        entries = list(os.scandir(root))
    except OSError:
        return removed
    for entry in entries:
        pid_text = entry.name[len(COPY_PREFIX) :].split("-", 1)[0]
        if not entry.name.startswith(COPY_PREFIX) or not pid_text.isascii() or not pid_text.isdigit():
            continue
        try:
            info = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        mine = not hasattr(os, "getuid") or info.st_uid == os.getuid()
        if (
            entry.is_dir(follow_symlinks=False)
            and mine
            and int(pid_text) != os.getpid()
            and not _pid_alive(int(pid_text))
        ):
            import shutil  # here and below, not at import: ~10 ms a start-up rarely needs

            shutil.rmtree(entry.path, ignore_errors=True)
            removed.append(entry.path)
            log.info("removed a private cookie copy left by an earlier run: %s", entry.path)
    return removed


class _CleanupOnSigterm:
    """While active, SIGTERM removes `path` and then does what the previous handler would have done.

    Python lets only the main thread set handlers, and cannot restore one installed outside Python: in
    those cases nothing is installed, and a copy left by a SIGTERM is removed by the next run instead."""

    def __init__(self, path: str) -> None:
        import signal  # here: only a private copy needs it (~1 ms of every start-up otherwise)

        self.path = path
        self.previous: Any = None
        self.active = (
            threading.current_thread() is threading.main_thread() and signal.getsignal(signal.SIGTERM) is not None
        )

    def __enter__(self) -> _CleanupOnSigterm:  # noqa: PYI034
        import signal

        if self.active:
            self.previous = signal.signal(signal.SIGTERM, self._handle)
        return self

    def __exit__(self, *exc: object) -> None:
        import signal

        if self.active:
            signal.signal(signal.SIGTERM, self.previous)

    def _handle(self, signum: int, frame: Any) -> None:
        import shutil
        import signal

        shutil.rmtree(self.path, ignore_errors=True)
        previous = self.previous
        if callable(previous):
            previous(signum, frame)
        elif previous != signal.SIG_IGN:  # SIG_DFL (or None: set outside Python): die as SIGTERM would
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)


def _private_copy(src: Path, dst: Path) -> None:
    """Copy `src` to a new file `dst` created with mode 0600."""
    with open(src, "rb") as fin, os.fdopen(os.open(dst, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as fout:
        import shutil

        shutil.copyfileobj(fin, fout)


def _store_size(path: Path) -> int:
    """Bytes of the store with its -wal and -journal, from st_size only (a sparse file is not read)."""
    return sum(os.stat(p).st_size for p in (path, Path(f"{path}-wal"), Path(f"{path}-journal")) if p.is_file())


def read_db(path: Path, reader: Callable[[sqlite3.Connection], T]) -> tuple[T, bool]:
    """(reader's result on a read-only connection to `path`, its WAL included; whether a copy was read).

    If the live file is locked or cannot be opened read-only, read a private copy (module docstring).
    """
    if not path.is_file():
        raise ProfileNotFoundError(f"No cookie file at {path}")
    wal = Path(f"{path}-wal")
    empty = path.stat().st_size == 0
    if empty and not (wal.is_file() and wal.stat().st_size):
        raise store_error(path, "the file is empty (0 bytes)")
    first: object = "an empty file with a -wal, which sqlite deletes even read-only"  # so: only a copy is read
    try:
        if not empty:
            return connect_and_read(f"{path.absolute().as_uri()}?mode=ro", reader, uri=True), False
    except sqlite3.OperationalError as exc:
        first = exc
        log.info("%s cannot be read in place (%s); reading a private copy", path, exc)
    except sqlite3.DatabaseError as exc:
        raise store_error(
            path,
            "not an SQLite database"
            if "not a database" in str(exc)
            else "corrupt or truncated (database disk image is malformed)"
            if "malformed" in str(exc)
            else str(exc),
        ) from None
    size = _store_size(path)
    if size > MAX_STORE_BYTES:
        raise store_error(
            path,
            f"it is locked ({first}) and holds {size / 2**30:.1f} GiB, more than any browser's "
            f"cookie store ({MAX_STORE_BYTES >> 30} GiB at most); not copied",
            "Check this is the browser's own cookie file, or quit the browser and try again",
        )
    tmp = None
    try:
        tmp = tempfile.mkdtemp(prefix=f"{COPY_PREFIX}{os.getpid()}-")  # may fail too (TMPDIR missing or full)
        with _CleanupOnSigterm(tmp):
            copy = Path(tmp) / "cookies.sqlite"
            for suffix in ("", "-wal", "-journal"):
                if suffix == "" or Path(f"{path}{suffix}").is_file():
                    _private_copy(Path(f"{path}{suffix}"), Path(f"{copy}{suffix}"))
            return connect_and_read(str(copy), reader, uri=False), True
    except sqlite3.Error as exc:  # nobody locks the private copy: the database itself is the problem
        raise store_error(path, f"unreadable ({exc})") from None
    except OSError as exc:
        raise store_error(
            path,
            f"it is locked ({first}) and a private copy failed ({type(exc).__name__}: {exc})",
            "Quit the browser and try again",
        ) from None
    finally:
        if tmp is not None:
            import shutil

            shutil.rmtree(tmp, ignore_errors=True)


# --- cells ---------------------------------------------------------------------------


def text(value: Any) -> str:
    """A column as text whatever sqlite stored in it: bytes decoded (surrogateescape), None as ''."""
    if isinstance(value, bytes):
        return value.decode("utf-8", "surrogateescape")
    return "" if value is None else str(value)


def blob(value: Any) -> bytes:
    """A column as bytes (Chromium's encrypted_value) whatever sqlite stored in it."""
    if isinstance(value, bytes):
        return value
    return b"" if value is None else str(value).encode("utf-8", "surrogateescape")


def _stored_expiry(path: Path, name: Any, value: Any) -> float:
    """The finite number in an expiry column (0 for NULL or empty); CookieStoreError naming the cookie if none."""
    try:
        number = float(value or 0)
    except (TypeError, ValueError, OverflowError):
        number = math.nan
    if not math.isfinite(number):
        raise store_error(path, f"cookie {text(name)!r} has an expiry that is not a number")
    return number


def chromium_expiry(path: Path, name: Any, expires_utc: Any) -> float | None:
    """Unix seconds (at most year 9999) from cookies.expires_utc, microseconds since 1601; None: session cookie."""
    number = _stored_expiry(path, name, expires_utc)
    return None if number == 0 else min(number / 1e6 - _NT_EPOCH_OFFSET, MAX_EXPIRY)


def firefox_expiry(path: Path, name: Any, expiry: Any) -> float | None:
    """Unix seconds (at most year 9999) from moz_cookies.expiry: seconds in old stores, milliseconds in new
    (user_version 17); None: session cookie."""
    number = _stored_expiry(path, name, expiry)
    return None if number == 0 else min(number / 1000 if number > 1e11 else number, MAX_EXPIRY)
