"""A progress indicator on stderr while a call waits: only on a terminal, only after about a second."""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

DELAY = 1.0
_FRAMES = "|/-\\"


@contextmanager
def waiting(label: str, *, stream: TextIO | None = None, delay: float = DELAY, interval: float = 0.1) -> Iterator[None]:
    """Show `label` and a spinner on `stream` (stderr) if the block lasts longer than `delay` seconds.

    Nothing is written when the stream is not a terminal (pipes, files, CI logs), and the line is
    cleared before the block's own output is printed."""
    stream = sys.stderr if stream is None else stream
    if not _is_terminal(stream):
        yield
        return
    done = threading.Event()
    shown = threading.Event()

    def spin() -> None:
        if done.wait(delay):
            return
        shown.set()
        frame = 0
        while not done.is_set():
            stream.write(f"\r{label} {_FRAMES[frame % len(_FRAMES)]}")
            stream.flush()
            frame += 1
            done.wait(interval)

    thread = threading.Thread(target=spin, name="cookie-session-progress", daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()
        if shown.is_set():
            stream.write("\r" + " " * (len(label) + 2) + "\r")
            stream.flush()


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
