"""One server-side WebSocket on an accepted socket (RFC 6455 framing and permessage-deflate by `wsproto`).

Bounded, so a client cannot hold the stand-in: `receive()` gives up after `idle_seconds` of silence, a message
larger than `MAX_CLIENT_MESSAGE` (decompressed) closes the socket with 1009, and compressed input is read in
small pieces so one frame cannot inflate to more than about a MiB at once. Everything runs in the
connection's own thread; waiting between answer chunks (`wait()`) keeps reading, so pings and a close
are seen when they arrive.
"""

from __future__ import annotations

import collections
import select
import socket
import ssl
import time

from wsproto.connection import Connection, ConnectionState, ConnectionType
from wsproto.events import BytesMessage, CloseConnection, Ping, TextMessage
from wsproto.extensions import PerMessageDeflate
from wsproto.frame_protocol import CloseReason, Opcode

#: The largest client message the gateway reads (its events are a few KiB; a prompt is at most this).
MAX_CLIENT_MESSAGE = 1 << 20
_PLAIN_READ = 1 << 16
_COMPRESSED_READ = 1 << 10  # deflate inflates at most ~1032x: a 1 KiB read yields at most ~1 MiB


class ClientGone(Exception):
    """The WebSocket is over: the client closed it, went silent, broke the protocol or sent too much."""


def negotiate_deflate(offers: list[str]) -> tuple[PerMessageDeflate | None, str | None]:
    """The first `permessage-deflate` offer we can accept (as a browser's server does): the extension and the
    `Sec-WebSocket-Extensions` reply value, or `(None, None)`."""
    for offer in offers:
        if offer.split(";", 1)[0].strip().lower() != "permessage-deflate":
            continue
        extension = PerMessageDeflate()
        try:
            accepted = extension.accept(offer)
        except ValueError:  # a parameter out of range, e.g. server_max_window_bits=8
            accepted = None
        if accepted is not None and accepted is not False:
            return extension, "permessage-deflate" + (f"; {accepted}" if isinstance(accepted, str) and accepted else "")
    return None, None


class ServerWebSocket:
    """Text messages in and out over `sock` (already upgraded); `leftover` is what arrived with the handshake."""

    def __init__(
        self, sock: socket.socket, *, deflate: PerMessageDeflate | None, idle_seconds: float, leftover: bytes = b""
    ) -> None:
        self._sock = sock
        self._ws = Connection(ConnectionType.SERVER, extensions=[deflate] if deflate is not None else None)
        self._read_size = _COMPRESSED_READ if deflate is not None else _PLAIN_READ
        self._idle_seconds = idle_seconds
        self._messages: collections.deque[tuple[float, str | bytes]] = collections.deque()
        self._partial: list[str | bytes] = []
        self._partial_size = 0
        self.close_code: int | None = None  # set once the client's close (or our verdict) ends it
        self.frames_sent = 0
        if leftover:
            self._feed(leftover)

    # --- sending ----------------------------------------------------------------------------

    def send_text(self, text: str | bytes) -> None:
        """One text frame; bytes go out verbatim as its payload (even when not UTF-8)."""
        self._write(self._frame(text))
        self.frames_sent += 1

    def send_partial(self, text: str | bytes) -> None:
        """The first half of the frame `send_text(text)` would write (a connection dropped mid-frame)."""
        frame = self._frame(text)
        self._write(frame[: max(1, len(frame) // 2)])

    def _frame(self, text: str | bytes) -> bytes:
        if isinstance(text, bytes):  # wsproto sends bytes as a binary frame; a scripted raw text frame needs this
            return bytes(self._ws._proto._serialize_frame(Opcode.TEXT, text))
        return bytes(self._ws.send(TextMessage(data=text)))

    def close(self, code: int = CloseReason.NORMAL_CLOSURE, reason: str = "") -> None:
        """Send our close frame, wait briefly for the client's, and stop (the socket itself is the caller's)."""
        if self._ws.state in (ConnectionState.OPEN, ConnectionState.REMOTE_CLOSING):
            try:
                self._write(bytes(self._ws.send(CloseConnection(code=code, reason=reason or None))))
            except OSError:
                return
        deadline = time.monotonic() + 1.0
        while self._ws.state is ConnectionState.LOCAL_CLOSING and time.monotonic() < deadline:
            try:
                if not self._read(deadline - time.monotonic()):
                    return
            except ClientGone:
                return

    def _write(self, data: bytes) -> None:
        self._sock.sendall(data)

    # --- receiving ---------------------------------------------------------------------------

    def receive(self) -> tuple[float, str | bytes]:
        """The next whole message and when it arrived (`time.time()`). `ClientGone` when the client closed, was
        silent for `idle_seconds`, broke the protocol or sent a message over `MAX_CLIENT_MESSAGE`."""
        deadline = time.monotonic() + self._idle_seconds
        while not self._messages:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self.close(CloseReason.GOING_AWAY, "idle")
                raise ClientGone("silent past the idle limit")
            if self._read(remaining):
                deadline = time.monotonic() + self._idle_seconds
        return self._messages.popleft()

    def wait(self, seconds: float) -> None:
        """Sleep `seconds`, reading what arrives meanwhile (pings, a close) into the queue of messages."""
        deadline = time.monotonic() + seconds
        while (remaining := deadline - time.monotonic()) > 0:
            self._read(remaining)

    def _read(self, timeout: float) -> bool:
        """Read once (waiting up to `timeout`); True if bytes arrived. `ClientGone` on EOF or a close."""
        pending_tls = isinstance(self._sock, ssl.SSLSocket) and self._sock.pending()
        if not pending_tls and not select.select([self._sock], [], [], max(timeout, 0))[0]:
            return False
        try:
            data = self._sock.recv(self._read_size)
        except (TimeoutError, ssl.SSLWantReadError):
            return False
        except OSError as error:
            raise ClientGone(f"connection lost: {error.__class__.__name__}") from None
        if not data:
            self.close_code = CloseReason.ABNORMAL_CLOSURE
            raise ClientGone("the client hung up without a close frame")
        self._feed(data)
        return True

    def _feed(self, data: bytes) -> None:
        self._ws.receive_data(data)
        for event in self._ws.events():
            if isinstance(event, Ping):
                self._write(bytes(self._ws.send(event.response())))
            elif isinstance(event, CloseConnection):
                self.close_code = event.code
                protocol_error = self._ws.state is ConnectionState.OPEN  # wsproto's verdict on a broken frame
                try:
                    if protocol_error:
                        self._write(bytes(self._ws.send(CloseConnection(code=event.code, reason="protocol error"))))
                    elif self._ws.state is ConnectionState.REMOTE_CLOSING:
                        self._write(bytes(self._ws.send(event.response())))
                except OSError:
                    pass
                raise ClientGone(f"protocol error: {event.reason}" if protocol_error else f"closed ({event.code})")
            elif isinstance(event, (TextMessage, BytesMessage)):
                self._partial.append(event.data if isinstance(event.data, str) else bytes(event.data))
                self._partial_size += len(event.data)
                if self._partial_size > MAX_CLIENT_MESSAGE:
                    self.close(CloseReason.MESSAGE_TOO_BIG, "message too big")
                    self.close_code = CloseReason.MESSAGE_TOO_BIG
                    raise ClientGone("a message over the size limit")
                if event.message_finished:
                    joiner: str | bytes = "" if isinstance(event, TextMessage) else b""
                    self._messages.append((time.time(), joiner.join(self._partial)))  # type: ignore[arg-type]
                    self._partial, self._partial_size = [], 0
