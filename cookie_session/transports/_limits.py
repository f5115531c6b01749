"""Limits on one call's time and size, so a server can neither hold the caller nor fill its memory.

Time is bounded by progress, not by bytes: the read timeout is the longest wait for *progress* (a
streamed line that carries content; SSE comments, blank lines and a body trickling in a byte at a
time are not progress); a whole, non-streamed reply must arrive within `WHOLE_REPLY_FACTOR` read
timeouts; and every call ends by its overall deadline. A socket read timeout cannot see any of this
(each byte restarts it), so a `Watchdog` thread cuts the connection when a limit passes, and the
reader then raises `RequestTimeoutError`.

Size: a collected answer holds at most `max_answer_bytes` (`AnswerBudget`).
"""

from __future__ import annotations

import math
import socket
import threading
import time

import requests

from ..errors import BadInputError, BadResponseError, RequestTimeoutError

WHOLE_REPLY_FACTOR = 3  # a non-streamed reply arrives whole within this many read timeouts
_DEADLINE_HINT = "Raise the call's deadline (GrokClient(deadline=...)), or ask for a shorter answer"


def positive_limit(name: str, value, *, whole: bool = False):
    """`value` if it is a finite number above 0 (a whole one with `whole`), else `BadInputError`."""
    kinds = (int,) if whole else (int, float)
    if isinstance(value, bool) or not isinstance(value, kinds) or not math.isfinite(value) or value <= 0:
        raise BadInputError(f"{name} must be a {'whole ' if whole else ''}number above 0, not {value!r}")
    return value


def read_timeout(timeout) -> float:
    """The read part of a requests timeout (a number or a `(connect, read)` pair); inf for None."""
    if isinstance(timeout, tuple):
        timeout = timeout[1]
    return math.inf if timeout is None else float(timeout)


def cut_connection(response: requests.Response) -> None:
    """Shut the reply's socket down, so a read blocked on it returns at once; close the reply otherwise.

    Only while the reply still holds its connection: once urllib3 has released it to the pool (the body
    was read), the socket may already carry another request, and is left alone.
    """
    sock = getattr(getattr(getattr(response, "raw", None), "_connection", None), "sock", None)
    try:
        if sock is not None:
            sock.shutdown(socket.SHUT_RDWR)
        else:
            response.close()
    except OSError:  # already closed
        pass


class Watchdog:
    """Cuts `response`'s connection when `idle` seconds pass without `progress()`, or at `deadline`
    (a `time.monotonic()` value). `check()` raises `RequestTimeoutError` once it has cut.
    Use as a context manager; leaving it stops the watch."""

    def __init__(
        self,
        response: requests.Response,
        *,
        idle: float,
        deadline: float,
        url: str,
        whole_reply_within: float | None = None,
    ) -> None:
        self._response = response
        self._whole_reply_within = whole_reply_within
        self._idle = idle
        self._deadline = deadline
        self._url = url
        self._last = time.monotonic()
        self._stopped = threading.Event()
        self.fired: str | None = None
        self._thread = threading.Thread(target=self._watch, name="cookie-session-watchdog", daemon=True)

    def __enter__(self) -> Watchdog:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stopped.set()

    def progress(self) -> None:
        self._last = time.monotonic()

    def _watch(self) -> None:
        while True:
            idle_due = self._last + self._idle
            due = min(idle_due, self._deadline)
            wait = due - time.monotonic()
            if wait <= 0:
                self.fired = "no progress" if idle_due <= self._deadline else "deadline"
                cut_connection(self._response)
                return
            if self._stopped.wait(wait):
                return

    def check(self) -> None:
        """Raise `RequestTimeoutError` if the watch cut the connection."""
        if self.fired == "no progress":
            raise RequestTimeoutError(
                f"{self._url} sent nothing that carries the answer for {self._idle:g} s",
                hint="Check the service, or raise the timeout",
            )
        if self.fired and self._whole_reply_within is not None:
            raise RequestTimeoutError(
                f"The reply from {self._url} did not arrive whole within {self._whole_reply_within:g} s",
                hint="Check the service, or raise the timeout",
            )
        if self.fired:
            raise RequestTimeoutError(
                f"Request to {self._url} passed its deadline before the reply was complete", hint=_DEADLINE_HINT
            )


def call_deadline(seconds: float) -> float:
    """The `time.monotonic()` value by which a call that starts now must end."""
    return time.monotonic() + seconds


def check_deadline(deadline: float, url: str) -> float:
    """Seconds left before `deadline`; `RequestTimeoutError` if none."""
    left = deadline - time.monotonic()
    if left <= 0:
        raise RequestTimeoutError(f"Request to {url} passed its deadline", hint=_DEADLINE_HINT)
    return left


class AnswerBudget:
    """Counts the answer's bytes (UTF-8) as pieces arrive; `BadResponseError` past `limit`."""

    def __init__(self, limit: int, url: str) -> None:
        self.limit = limit
        self.size = 0
        self._url = url

    def add(self, piece: str) -> None:
        self.size += len(piece.encode("utf-8", "replace"))
        if self.size > self.limit:
            raise BadResponseError(
                f"{self._url} sent an answer longer than {self.limit:,} bytes; not read further",
                hint="Raise max_answer_bytes if you expect answers this long",
            )
