"""A minimal keep-alive HTTP/1.1 server on 127.0.0.1 for the per-request benchmark; run as its own process.

    python bench/loopback_server.py      # prints its port, serves until stdin closes

Every GET is answered with a tiny fixed 200, except two paths used to check cookie scoping:
`/redirect` answers 302 to `http://localhost:<port>/landing` (the same server under another host name),
and `/cookies` and `/landing` answer with the number of cookies the request carried (never their values).
The server is deliberately tiny (raw sockets, one thread per connection) so that it adds as little as
possible to each request and the client's own cost shows.
"""

from __future__ import annotations

import socket
import sys
import threading

OK = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok"


def _count_cookies(head: bytes) -> int:
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"cookie":
            return len([part for part in value.split(b";") if part.strip()])
    return 0


def _answer(head: bytes, port: int) -> bytes:
    target = head.split(b" ", 2)[1] if head.count(b" ") >= 2 else b"/"
    if target == b"/redirect":
        return b"HTTP/1.1 302 Found\r\nLocation: http://localhost:%d/landing\r\nContent-Length: 0\r\n\r\n" % port
    if target in (b"/cookies", b"/landing"):
        body = str(_count_cookies(head)).encode()
        return b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)
    return OK


def _serve_connection(conn: socket.socket, port: int) -> None:
    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    buffer = b""
    with conn:
        while True:
            while b"\r\n\r\n" not in buffer:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                buffer += chunk
            head, buffer = buffer.split(b"\r\n\r\n", 1)  # GETs only: no request body to skip
            conn.sendall(_answer(head, port))


def main() -> None:
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    port = listener.getsockname()[1]

    def accept() -> None:
        while True:
            conn, _ = listener.accept()
            threading.Thread(target=_serve_connection, args=(conn, port), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    print(port, flush=True)
    sys.stdin.read()  # until the benchmark closes our stdin


if __name__ == "__main__":
    main()
