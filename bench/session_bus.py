"""A private, empty D-Bus session bus for the benchmark's child processes.

browser-cookie3 asks the Secret Service and KWallet over D-Bus for the Chromium key before it falls back to
the default one, and fails outright when there is no session bus at all. A desktop has a bus; this one
holds no keyring, so every lookup is a real round trip that finds nothing, as on a desktop without a
Chromium entry. Our reader gets the same environment and must not use it for a v10-only profile.
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
from collections.abc import Iterator


@contextlib.contextmanager
def private_session_bus() -> Iterator[str | None]:
    """Yield the address of a fresh `dbus-daemon --session`, or None when dbus-daemon is not installed."""
    daemon = shutil.which("dbus-daemon")
    if daemon is None:
        yield None
        return
    proc = subprocess.Popen(
        [daemon, "--session", "--nofork", "--print-address=1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        address = proc.stdout.readline().strip()
        yield address or None
    finally:
        proc.terminate()
        proc.wait(timeout=5)
        proc.stdout.close()
