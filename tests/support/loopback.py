"""A scriptable HTTP(S) server on loopback that records what reaches it, for redirect and fault tests."""

from __future__ import annotations

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
                    self.path, (200, {"Content-Type": "application/json"}, b'{"data": [{"id": "grok-4"}]}'))
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

    def __enter__(self) -> "RecordingServer":
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
