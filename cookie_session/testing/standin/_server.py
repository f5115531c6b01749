"""Plumbing shared by both sides of the stand-in: a quiet threaded server and JSON helpers."""

from __future__ import annotations

import json
import ssl
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, ClassVar

from .client_hello import peek_client_hello

if TYPE_CHECKING:
    from . import StandIn

MAX_BODY = 1 << 20
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


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

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
        self.raw_body = self.rfile.read(length) if length else b""  # always drained: keeps keep-alive in step
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
