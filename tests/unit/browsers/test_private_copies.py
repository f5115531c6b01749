"""Private copies of a locked cookie store (issue 15, class 6): nothing is left in the temp dir when a
read is ended by SIGTERM, a SIGKILL's leftover is removed by the next run, and a store bigger than any
browser writes is refused before a byte is copied.

Each reader runs in a child process with a temp dir of its own, reading a store another connection holds
locked (as a running browser does); the child announces the phase it reached and waits there."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from browser_fixtures import make_chromium_db, make_firefox_db

from cookie_session.browsers import load_xai_cookies
from cookie_session.browsers.store import COPY_PREFIX, MAX_STORE_BYTES, remove_stale_copies
from cookie_session.errors import CookieStoreError

LATER = 4_000_000_000.0
SSO = {"host": ".grok.com", "name": "sso", "value": "SECRET-sso", "expires": LATER}

# The child reads the store; at `phase` it prints READY and sleeps until killed. `previous` installs a SIGTERM
# handler first, which ours must call after cleaning up.
_CHILD = r"""
import shutil, sys, time, signal
from pathlib import Path
import cookie_session.browsers.firefox as firefox
from cookie_session.browsers import load_xai_cookies
db, phase, previous = sys.argv[1], sys.argv[2], sys.argv[3]
if previous == "handler":
    def handler(signum, frame):
        print("PREVIOUS", flush=True)
        sys.exit(3)
    signal.signal(signal.SIGTERM, handler)
def wait_here(*args):
    print("READY", flush=True)
    time.sleep(120)
if phase == "copy":
    real_copy = shutil.copyfileobj
    def copy(fin, fout, *a):
        fout.write(fin.read(4096)); fout.flush()
        wait_here()
    shutil.copyfileobj = copy
else:
    firefox.rows = wait_here
load_xai_cookies("firefox", cookie_file=db)
"""


@pytest.fixture
def temp_root(tmp_path, monkeypatch):
    root = tmp_path / "tmp"
    root.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(root))
    return root


@pytest.fixture
def locked_firefox(tmp_path):
    """A Firefox store held as a running Firefox holds it: WAL, exclusive locking mode, a write in the WAL."""
    db = make_firefox_db(
        tmp_path / "profile" / "cookies.sqlite",
        [SSO]
        + [{"host": f"site{i}.example", "name": "pad", "value": "x" * 200, "expires": LATER} for i in range(2000)],
        wal=True,
    )
    holder = sqlite3.connect(db)
    holder.execute("PRAGMA locking_mode=EXCLUSIVE")
    holder.execute("PRAGMA wal_autocheckpoint=0")
    holder.execute("UPDATE moz_cookies SET value='SECRET-new' WHERE name='sso'")
    holder.commit()
    yield db
    holder.close()


_CHILDREN: list[subprocess.Popen] = []


@pytest.fixture(autouse=True)
def _children_closed():
    """Each child a test started is killed, waited for and its pipes closed when the test ends."""
    yield
    while _CHILDREN:
        with _CHILDREN.pop() as child:
            child.kill()


def _start_child(db: Path, root: Path, phase: str, previous: str = "default") -> subprocess.Popen:
    env = {**os.environ, "TMPDIR": str(root), "PYTHONPATH": os.pathsep.join(sys.path)}
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(db), phase, previous],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    _CHILDREN.append(child)
    line = child.stdout.readline()
    if line.strip() != "READY":
        child.kill()
        pytest.fail(f"the child never reached {phase}: {line!r} {child.stderr.read()}")
    return child


def _copies(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir())


@pytest.mark.parametrize("phase", ["copy", "read"])
def test_sigterm_mid_read_leaves_nothing_and_dies_by_sigterm(locked_firefox, temp_root, phase):
    child = _start_child(locked_firefox, temp_root, phase)
    (copy,) = _copies(temp_root)
    assert copy.startswith(f"{COPY_PREFIX}{child.pid}-")
    child.send_signal(signal.SIGTERM)
    assert child.wait(timeout=30) == -signal.SIGTERM  # the default action still happens
    assert _copies(temp_root) == []


def test_sigterm_chains_to_the_handler_that_was_there(locked_firefox, temp_root):
    child = _start_child(locked_firefox, temp_root, "read", previous="handler")
    child.send_signal(signal.SIGTERM)
    assert child.wait(timeout=30) == 3 and child.stdout.read().strip() == "PREVIOUS"
    assert _copies(temp_root) == []


def test_our_handler_is_installed_only_while_a_copy_exists(locked_firefox, temp_root):
    before = signal.getsignal(signal.SIGTERM)
    load = load_xai_cookies("firefox", cookie_file=locked_firefox)
    assert any("private copy" in n for n in load.notes)
    assert signal.getsignal(signal.SIGTERM) is before


@pytest.mark.parametrize("next_store", ["the same locked one", "another, unlocked"])
@pytest.mark.parametrize("phase", ["copy", "read"])
def test_sigkill_leftover_is_removed_by_the_next_run(tmp_path, locked_firefox, temp_root, phase, next_store):
    child = _start_child(locked_firefox, temp_root, phase)
    child.kill()
    child.wait(timeout=30)
    (leftover,) = _copies(temp_root)  # SIGKILL cannot be caught: the copy is still there...
    assert leftover.startswith(COPY_PREFIX)
    someone_else = temp_root / "cookie-session-bench"  # ...next to things that are not ours
    someone_else.mkdir()
    alive = temp_root / f"{COPY_PREFIX}{os.getppid()}-live"  # a copy of a process that still runs
    alive.mkdir()
    if next_store == "the same locked one":
        load = load_xai_cookies("firefox", cookie_file=locked_firefox)  # the next run
        assert [c.value.reveal() for c in load.cookies] == ["SECRET-new"]
    else:
        other = make_chromium_db(tmp_path / "other" / "Cookies", [SSO])
        assert [c.value.reveal() for c in load_xai_cookies(cookie_file=other).cookies] == ["SECRET-sso"]
    assert _copies(temp_root) == sorted([someone_else.name, alive.name])


def test_stale_copies_of_other_users_are_not_touched(temp_root):
    if os.getuid() != 0:
        pytest.skip("needs root to create a directory owned by another user")
    theirs = temp_root / f"{COPY_PREFIX}999999-theirs"
    theirs.mkdir()
    os.chown(theirs, 12345, 12345)
    link = temp_root / f"{COPY_PREFIX}999998-link"
    link.symlink_to(temp_root)
    assert remove_stale_copies() == []
    assert theirs.exists() and link.is_symlink()


@pytest.mark.parametrize("family", ["chromium", "firefox"])
def test_a_locked_sparse_10_gib_store_is_refused_without_reading_it(tmp_path, temp_root, family):
    maker = make_chromium_db if family == "chromium" else make_firefox_db
    db = maker(tmp_path / "store", [SSO])
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with open(db, "r+b") as fh:
            fh.truncate(10 << 30)  # sparse: 10 GiB of size, no blocks
        assert os.stat(db).st_size == 10 << 30 > MAX_STORE_BYTES
        started = time.monotonic()
        with pytest.raises(CookieStoreError) as info:
            load_xai_cookies(cookie_file=db)
        elapsed = time.monotonic() - started
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    message = str(info.value)
    assert "10.0 GiB" in message and "not copied" in message and str(db) in message
    assert elapsed < 5 and _copies(temp_root) == []


def test_a_read_in_another_thread_works_and_installs_no_handler(locked_firefox, temp_root):
    import threading

    before, seen, results = signal.getsignal(signal.SIGTERM), [], []

    def read():
        results.append(load_xai_cookies("firefox", cookie_file=locked_firefox))
        seen.append(signal.getsignal(signal.SIGTERM))

    worker = threading.Thread(target=read)
    worker.start()
    worker.join(timeout=60)
    assert [c.value.reveal() for c in results[0].cookies] == ["SECRET-new"]
    assert seen == [before] and _copies(temp_root) == []
