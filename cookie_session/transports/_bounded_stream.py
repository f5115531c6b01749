"""Back-pressure for curl_cffi's streamed replies: the transfer waits for the reader instead of queueing.

curl_cffi streams a reply by running libcurl on a worker thread whose write callback puts every chunk in an
unbounded `queue.Queue`; a reader slower than the server lets that queue hold the whole body (issue 20:
1.5 GiB after 0.8 MB read). `BoundedChunks` is that queue with a byte budget: past `MAX_QUEUED_BYTES`
waiting to be read, the write callback blocks, so libcurl stops reading the socket and TCP flow control
holds the server back. Memory per streamed reply is then about the budget plus libcurl's own buffers,
whatever the reader's pace.

curl_cffi takes the queue's class as `set_curl_options(queue_class=...)`, which its `Session.request`
always passes as `queue.Queue`; `bounded_streams()` makes the requests sent from the current thread inside
it get a `BoundedChunks` instead, through a wrapper around that function (installed once, and again if
something else, such as a test's monkeypatch, replaced it). Every other curl_cffi caller is left as it was.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Iterator

__all__ = ["BoundedChunks", "bounded_streams", "MAX_QUEUED_BYTES"]

#: Bytes of one reply's body that may wait to be read before the transfer pauses.
MAX_QUEUED_BYTES = 1 << 20
_WAKE_SECONDS = 0.25  # how often a waiting transfer looks whether the reader has gone
_local = threading.local()
_install_lock = threading.Lock()


class BoundedChunks(queue.Queue):
    """curl_cffi's stream queue with a byte budget (see the module docstring).

    Body chunks (`bytes`) wait in `put_nowait` (what curl_cffi's write callback calls) while the chunks
    not yet read hold `limit` bytes or more; a single chunk larger than the budget still goes in alone.
    Anything else (the end marker, an error) goes in at once. `abandon()` (the reader closed the reply)
    drops what is queued and lets a waiting transfer go on, to be stopped at its next write.
    """

    def __init__(self, limit: int = MAX_QUEUED_BYTES) -> None:
        super().__init__()
        self._limit = limit
        self._held = 0
        self._room = threading.Condition(self.mutex)
        self.abandoned = False

    def put_nowait(self, item) -> None:
        if isinstance(item, (bytes, bytearray)):
            with self._room:
                while self._held and self._held + len(item) > self._limit and not self.abandoned:
                    self._room.wait(_WAKE_SECONDS)
                if self.abandoned:
                    return  # nobody will read it; curl_cffi stops the transfer at its next write
        super().put_nowait(item)

    def abandon(self) -> None:
        with self._room:
            self.abandoned = True
            self.queue.clear()
            self._held = 0
            self._room.notify_all()

    @property
    def held(self) -> int:
        """Bytes of body queued and not yet read."""
        with self.mutex:
            return self._held

    # queue.Queue's hooks, called with `self.mutex` held
    def _put(self, item) -> None:
        super()._put(item)
        if isinstance(item, (bytes, bytearray)):
            self._held += len(item)

    def _get(self):
        item = super()._get()
        if isinstance(item, (bytes, bytearray)):
            self._held -= len(item)
            self._room.notify_all()
        return item


@contextlib.contextmanager
def bounded_streams(limit: int = MAX_QUEUED_BYTES) -> Iterator[None]:
    """Inside, streamed curl_cffi requests sent from this thread queue their body in a `BoundedChunks`."""
    _install()
    previous = getattr(_local, "limit", None)
    _local.limit = limit
    try:
        yield
    finally:
        _local.limit = previous


def _install() -> None:
    from curl_cffi.requests import session as curl_session

    if getattr(curl_session.set_curl_options, "_bounded_streams", False):
        return
    with _install_lock:
        real = curl_session.set_curl_options
        if getattr(real, "_bounded_streams", False):
            return

        def set_curl_options(*args, **kwargs):
            limit = getattr(_local, "limit", None)
            if limit is not None and kwargs.get("stream"):
                kwargs["queue_class"] = lambda: BoundedChunks(limit)
            return real(*args, **kwargs)

        set_curl_options._bounded_streams = True  # type: ignore[attr-defined]
        curl_session.set_curl_options = set_curl_options
