"""Plumbing shared by both sides of the stand-in: a quiet threaded server and JSON helpers."""

from __future__ import annotations

import http.client
import json
import ssl
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, ClassVar, cast

from .client_hello import peek_client_hello

if TYPE_CHECKING:
    from . import StandIn

# Memory, per connection and in all: a request line of at most 64 KiB (http.server's own limit, else 414), a
# header section of at most MAX_HEADER_BYTES in at most MAX_HEADER_COUNT lines (else 431, connection closed),
# a body of at most MAX_BODY (else 413); at most MAX_CONNECTIONS connections open at once (the next one gets
# 503 and is closed), and at most MAX_BODIES_IN_FLIGHT bytes of request bodies held at once (else 503).
# The request history (`StandIn.requests`) is bounded in bytes too (`HISTORY_BYTES`, in the package).
MAX_BODY = 1 << 20
MAX_HEADER_BYTES = 32 * 1024  # a browser's largest cookie header is ~8 KiB (RFC 6265: 4 KiB per cookie)
MAX_HEADER_COUNT = 64
MAX_CONNECTIONS = 128
MAX_BODIES_IN_FLIGHT = 32 << 20
#: How a dropped connection ends: before any byte of the reply, inside the status line and
#: headers, or inside the body (half a JSON body; a stream after its first chunk, mid-chunk).
DROP_MODES = ("drop_before_reply", "drop_mid_headers", "drop_mid_body")
#: A client that stops sending (a body shorter than its Content-Length, half a request) is dropped after
#: this many seconds of silence instead of holding a thread forever; so is an idle keep-alive connection.
IDLE_CLIENT_SECONDS = 30.0


def request_body_length(headers) -> int | None:
    """The request body's length from its one `Content-Length` (0 without one), or None when it cannot
    be trusted: not ASCII digits (`-1`, `+5`, `1e3`, `٣`), several differing values, or a Transfer-Encoding
    (which the stand-in does not read)."""
    if headers.get("Transfer-Encoding") is not None:
        return None
    values = {value.strip() for value in headers.get_all("Content-Length") or ()}
    if not values:
        return 0
    if len(values) > 1:
        return None
    value = values.pop()
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 18 else None


class _Dropped(Exception):
    """Unwinds a handler whose connection the stand-in is dropping on purpose."""


class _HeaderBudget:
    """The connection's reader while http.server parses one header section: past `MAX_HEADER_BYTES` bytes or
    `MAX_HEADER_COUNT` lines it raises the errors http.server answers with 431 (and closes the connection),
    before reading any further, so no request holds more than that in memory."""

    def __init__(self, reader) -> None:
        self._reader, self._left, self._lines = reader, MAX_HEADER_BYTES, 0

    def readline(self, limit: int = -1) -> bytes:
        line = self._reader.readline(self._left + 1 if limit < 0 else min(limit, self._left + 1))
        self._left -= len(line)
        if self._left < 0:
            raise http.client.LineTooLong(f"header section over {MAX_HEADER_BYTES} bytes")
        if line not in (b"\r\n", b"\n", b""):
            self._lines += 1
            if self._lines > MAX_HEADER_COUNT:
                raise http.client.HTTPException(f"more than {MAX_HEADER_COUNT} headers")
        return line

    def __getattr__(self, name: str):
        return getattr(self._reader, name)


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._open = threading.BoundedSemaphore(MAX_CONNECTIONS)
        self._bodies_lock = threading.Lock()
        self._bodies_in_flight = 0

    def process_request(self, request, client_address) -> None:
        """One thread per connection, up to `MAX_CONNECTIONS`; past that, 503 and the connection is closed."""
        if not self._open.acquire(blocking=False):
            try:
                request.sendall(
                    b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nRetry-After: 1\r\n"
                    b"Connection: close\r\n\r\n"
                )
            except OSError:  # a TLS socket before its handshake, or a client already gone
                pass
            self.shutdown_request(request)
            return
        super().process_request(request, client_address)

    def process_request_thread(self, request, client_address) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._open.release()

    def reserve_body(self, length: int) -> bool:
        """Count `length` bytes of request body as held; False (nothing counted) past `MAX_BODIES_IN_FLIGHT`."""
        with self._bodies_lock:
            if self._bodies_in_flight + length > MAX_BODIES_IN_FLIGHT:
                return False
            self._bodies_in_flight += length
            return True

    def release_body(self, length: int) -> None:
        with self._bodies_lock:
            self._bodies_in_flight -= length

    def handle_error(self, request, client_address) -> None:
        if not isinstance(sys.exc_info()[1], (ConnectionError, ssl.SSLEOFError)):  # a client hanging up is not news
            super().handle_error(request, client_address)

    def finish_request(self, request, client_address) -> None:
        if isinstance(request, ssl.SSLSocket):  # before the handshake reads it: what the client offered
            # a note for the handler, which reads it back with getattr (plain sockets have none)
            request.client_hello = peek_client_hello(request)  # type: ignore[attr-defined]
        super().finish_request(request, client_address)


class BaseHandler(BaseHTTPRequestHandler):
    """Routes `(method, path)` through `routes()`; subclasses implement the service's rules."""

    protocol_version = "HTTP/1.1"
    server_version = "cookie-session-standin"
    disable_nagle_algorithm = True  # headers and body go out as separate writes; no 40 ms delayed-ACK stalls
    standin: ClassVar[StandIn]  # set by StandIn on a per-instance subclass
    _drop: str | None = None  # the drop mode of the request being answered, if any
    _headers_buffer: list[bytes]  # http.server's own, undeclared in its stubs
    _chunks_sent = 0

    def setup(self) -> None:
        super().setup()
        self.connection.settimeout(IDLE_CLIENT_SECONDS)  # a silent client ends in socket.timeout, not a wait

    def parse_request(self) -> bool:
        """http.server's parsing, with the header section bounded (`_HeaderBudget`: 431 past the limits)."""
        reader = self.rfile
        self.rfile = _HeaderBudget(reader)  # type: ignore[assignment]  # reads like the file it wraps
        try:
            return super().parse_request()
        finally:
            self.rfile = reader

    def log_message(self, *args) -> None:  # quiet: tests and the demo print their own lines
        pass

    def log_request(self, code="-", size="-") -> None:
        """Hand `METHOD path status` (no query string, no headers) to the stand-in's `request_log`, if set."""
        log = self.standin.request_log
        if log is not None:
            log(f"{self.command} {self.path.split('?', 1)[0]} {int(code) if str(code).isdigit() else code}")

    def routes(self) -> dict:
        raise NotImplementedError

    def handle_route(self, handler) -> None:
        raise NotImplementedError

    def _route(self, method: str) -> None:
        path = self.path.split("?", 1)[0]
        self.standin.record_request(method, path, self.headers, getattr(self.connection, "client_hello", None))
        length = request_body_length(self.headers)
        if length is None:  # never guessed: a wrong guess leaves the rest of the body to be read as a request
            self.close_connection = True
            self.send_json(
                400,
                {
                    "code": "Client specified an invalid argument",
                    "error": "Content-Length must be one whole number of bytes; no Transfer-Encoding",
                },
            )
            return
        if length > MAX_BODY:
            self.close_connection = True
            self.send_json(413, {"code": "Payload too large", "error": "Request body too large"})
            return
        server = cast(QuietServer, self.server)
        if not server.reserve_body(length):
            self.close_connection = True
            self.send_json(
                503, {"code": "Unavailable", "error": "Too many request bodies at once"}, [("Retry-After", "1")]
            )
            return
        try:
            self.raw_body = self.rfile.read(length) if length else b""  # always drained: keeps keep-alive in step
            self._answer(method, path)
        finally:
            self.raw_body = b""
            server.release_body(length)

    def _answer(self, method: str, path: str) -> None:
        self._drop = self.standin.take_drop(path)
        self._chunks_sent = 0
        try:
            if self._drop == "drop_before_reply":
                raise _Dropped
            handler = self.routes().get((method, path))
            if handler is None:
                self.send_json(404, {"code": "Not found", "error": f"No route {method} {path}"})
                return
            self.handle_route(handler)
        except _Dropped:
            self.close_connection = True  # the server closes the socket; nothing more is written

    def end_headers(self) -> None:
        if self._drop == "drop_mid_headers":  # the status line and part of the headers, then the end
            head = b"".join(self._headers_buffer)
            self._headers_buffer = []
            self.wfile.write(head[: max(len(head) // 2, head.index(b"\r\n") + 2)])
            self.wfile.flush()
            raise _Dropped
        super().end_headers()

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self._route("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._route("POST")

    def send_body(self, status: int, payload: bytes, content_type: str, headers=()) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        if self._drop == "drop_mid_body":
            self.wfile.write(payload[: len(payload) // 2])
            self.wfile.flush()
            raise _Dropped
        self.wfile.write(payload)

    def send_json(self, status: int, body: dict, headers=()) -> None:
        self.send_body(status, json.dumps(body).encode(), "application/json", headers)

    def read_json(self) -> dict | None:
        """The request's JSON object ({} when not an object); None after answering 400 itself."""
        try:
            data = json.loads(self.raw_body or b"{}")
        except ValueError:
            self.send_json(400, {"code": "Client specified an invalid argument", "error": "Body is not JSON"})
            return None
        return data if isinstance(data, dict) else {}

    def start_chunked(self, content_type: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()

    def write_chunk(self, payload: bytes) -> None:
        chunk = f"{len(payload):x}\r\n".encode() + payload + b"\r\n"
        if self._drop == "drop_mid_body" and self._chunks_sent >= 1:
            self.wfile.write(chunk[: len(chunk) // 2])
            self.wfile.flush()
            raise _Dropped
        self.wfile.write(chunk)
        self.wfile.flush()
        self._chunks_sent += 1

    def end_chunked(self) -> None:
        self.wfile.write(b"0\r\n\r\n")


class ServerThread:
    """One server on loopback, served from a daemon thread."""

    def __init__(self, handler: type, host: str, port: int, ssl_context=None) -> None:
        self.server = QuietServer((host, port), handler)
        if ssl_context is not None:
            self.server.socket = ssl_context.wrap_socket(
                self.server.socket, server_side=True, do_handshake_on_connect=False
            )
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    def start(self) -> None:
        self._thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self.server.shutdown()
            self._thread.join()
            self._thread = None
        self.server.server_close()
