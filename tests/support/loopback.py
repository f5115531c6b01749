"""Loopback servers for the tests: `RecordingServer` (HTTP(S) with routes, records each request) and `RawServer`
(plain TCP that sends scripted bytes, for bad replies, drops, hangs, streams and proxies)."""

from __future__ import annotations

import socket
import struct
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class RecordingServer:
    """Serves `routes[path] = (status, headers, body)` on `host`; records `(method, path, headers)`.

    Unknown paths answer 200 with a small JSON object (a model list shape, enough for the client).
    Use as a context manager; `url` is the root, e.g. http://localhost:PORT.
    """

    def __init__(self, host: str = "127.0.0.1", *, tls_context=None) -> None:
        self.host = host
        self.routes: dict[str, tuple[int, dict, bytes]] = {}
        self.requests: list[tuple[str, str, dict]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:
                pass

            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                server.requests.append((self.command, self.path, dict(self.headers.items())))
                status, headers, body = server.routes.get(
                    self.path, (200, {"Content-Type": "application/json"}, b'{"data": [{"id": "grok-4"}]}')
                )
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _answer

        self._httpd = ThreadingHTTPServer((host if host != "localhost" else "127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        if tls_context is not None:
            self._httpd.socket = tls_context.wrap_socket(self._httpd.socket, server_side=True)
        self.scheme = "https" if tls_context is not None else "http"
        self.port = self._httpd.server_address[1]

    @property
    def url(self) -> str:
        return f"{self.scheme}://{self.host}:{self.port}"

    def redirect(self, path: str, location: str, status: int = 302) -> None:
        self.routes[path] = (status, {"Location": location}, b"")

    def __enter__(self) -> RecordingServer:
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


HANG = "hang"  # keep the connection open, send nothing more, until the test ends
RESET = "reset"  # close with SO_LINGER 0: the client sees a connection reset


class RawServer:
    """Loopback TCP server: per connection, read one request (head and Content-Length body), then run
    the steps: bytes are sent as they are, HANG waits, RESET resets, a callable gets the socket.

    `requests` holds each request line; `received` each connection's bytes as they arrived, kept even when
    they are not HTTP (a TLS ClientHello sent to a proxy) or the client hung up early.
    """

    def __init__(self, steps: list) -> None:
        self.steps = steps
        self.requests: list[bytes] = []
        self.received: list[bytes] = []
        self._stop = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.05)
        self.port = self._listener.getsockname()[1]
        self._threads: list[threading.Thread] = []

    def __enter__(self) -> RawServer:
        accept = threading.Thread(target=self._accept, daemon=True)
        accept.start()
        self._threads.append(accept)
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        for thread in list(self._threads):
            thread.join(timeout=10)
        self._listener.close()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except (TimeoutError, OSError):
                continue
            thread = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            thread.start()
            self._threads.append(thread)

    def _read_request(self, conn: socket.socket) -> None:
        data = b""
        try:
            while b"\r\n\r\n" not in data:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                data += chunk
            head, _, body = data.partition(b"\r\n\r\n")
            length = next(
                (
                    int(line.split(b":", 1)[1])
                    for line in head.split(b"\r\n")
                    if line.lower().startswith(b"content-length:")
                ),
                0,
            )
            while len(body) < length:
                chunk = conn.recv(65536)
                if not chunk:
                    break
                body += chunk
                data += chunk
            self.requests.append(head.split(b"\r\n", 1)[0])
        finally:
            if data:
                self.received.append(data)

    def _serve(self, conn: socket.socket) -> None:
        conn.settimeout(10)
        try:
            self._read_request(conn)
            for step in self.steps:
                if step == HANG:
                    self._stop.wait(10)
                elif step == RESET:
                    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    break
                elif callable(step):
                    step(conn)
                else:
                    conn.sendall(step)
        except OSError:
            pass  # the client hung up first: part of several cases
        finally:
            conn.close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def web_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def head(status: int = 200, content_type: str = "application/json", **headers: str) -> bytes:
    """A status line and headers; no Content-Length unless given, so the body ends when the socket closes."""
    lines = [f"HTTP/1.1 {status} Whatever", f"Content-Type: {content_type}", "Connection: close"]
    lines += [f"{name.replace('_', '-')}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()
