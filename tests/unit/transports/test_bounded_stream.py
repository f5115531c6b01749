"""Every reply body is read with bounded memory whatever the reader's pace (issue 20 item 1).

A fast loopback server offers far more than the reader takes; the reader is slow. Through plain requests
and through the curl_cffi TLS adapter alike, the process must not grow with what the server offers; the
body that does arrive is whole and in order; and closing a reply whose transfer waits for the reader
returns at once. Peak memory is measured in a fresh process (`VmHWM`), as bench/slow_reader.py does.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import subprocess
import sys
import threading
import time

import pytest
import requests

from cookie_session.transports._bounded_stream import MAX_QUEUED_BYTES, BoundedChunks
from cookie_session.transports.grok.tls import ImpersonatingAdapter

BLOCK = 64 * 1024


def block(index: int) -> bytes:
    """The index-th 64 KiB block of the body: distinct per block, so reordering or loss shows."""
    seed = hashlib.sha256(index.to_bytes(8, "big")).digest()
    return (seed * (BLOCK // len(seed) + 1))[:BLOCK]


class FastServer:
    """Chunked replies of `blocks` 64 KiB blocks, each sent as fast as the socket takes it."""

    def __init__(self, blocks: int) -> None:
        self.blocks = blocks
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.sent = 0
        self._stop = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.listener.getsockname()[1]}/stream"

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        with conn:
            try:
                while b"\r\n\r\n" not in conn.recv(65536):
                    pass
                conn.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
                for index in range(self.blocks):
                    if self._stop.is_set():
                        return
                    conn.sendall(f"{BLOCK:x}\r\n".encode() + block(index) + b"\r\n")
                    self.sent += BLOCK
                conn.sendall(b"0\r\n\r\n")
            except OSError:
                pass

    def close(self) -> None:
        self._stop.set()
        self.listener.close()


@pytest.fixture
def fast_server():
    server = FastServer(blocks=8 * 1024)  # 512 MiB offered
    yield server
    server.close()


def session_for(client: str) -> requests.Session:
    session = requests.Session()
    if client == "adapter":
        session.mount("http://", ImpersonatingAdapter("chrome152"))
    return session


CHILD = r"""
import json, sys, time
sys.path.insert(0, sys.argv[3])
from test_bounded_stream import session_for

def rss(field):
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith(field + ":")) / 1024

session = session_for(sys.argv[2])
session.get(sys.argv[1].replace("/stream", "/warm"), stream=True, timeout=30).close()  # imports, first handle
start = rss("VmHWM")
response = session.get(sys.argv[1], stream=True, timeout=30)
read = 0
for chunk in response.iter_content(16 * 1024):
    read += len(chunk)
    if read >= 800 * 1024:
        break
    time.sleep(0.02)
time.sleep(0.5)  # the server keeps offering while the reader dawdles
response.close()
print(json.dumps({"grown_mib": rss("VmHWM") - start}))
"""


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="reads peak RSS from /proc (Linux)")
@pytest.mark.parametrize("client", ["requests", "adapter"])
def test_a_slow_reader_on_a_fast_server_stays_small(fast_server, client):
    out = subprocess.run(
        [sys.executable, "-c", CHILD, fast_server.url, client, os.path.dirname(__file__)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    grown = json.loads(out.stdout)["grown_mib"]
    assert grown < 32, f"{client}: peak RSS grew by {grown:.0f} MiB while 0.8 MB was read"


@pytest.mark.parametrize("client", ["requests", "adapter"])
def test_a_slow_reader_gets_the_whole_body_in_order(client):
    server = FastServer(blocks=96)  # 6 MiB: several times the queue's budget
    try:
        with session_for(client) as session:
            response = session.get(server.url, stream=True, timeout=30)
            digest, expected, size = hashlib.sha256(), hashlib.sha256(), 0
            for index, chunk in enumerate(response.iter_content(BLOCK)):
                digest.update(chunk)
                size += len(chunk)
                if index % 16 == 0:
                    time.sleep(0.05)  # the transfer waits meanwhile
            for index in range(server.blocks):
                expected.update(block(index))
    finally:
        server.close()
    assert size == server.blocks * BLOCK and digest.hexdigest() == expected.hexdigest()


def test_the_transfer_waits_for_the_reader_instead_of_queueing(fast_server):
    """Seen from the server: while nobody reads, it can send no more than the budget plus the socket buffers."""
    with session_for("adapter") as session:
        response = session.get(fast_server.url, stream=True, timeout=30)
        next(response.iter_content(BLOCK))
        time.sleep(1.0)
        queued = response.raw._reply.queue
        assert isinstance(queued, BoundedChunks) and queued.held <= MAX_QUEUED_BYTES + BLOCK
        assert fast_server.sent < 64 * 2**20, f"the server could send {fast_server.sent >> 20} MiB meanwhile"
        started = time.monotonic()
        response.close()  # the transfer is waiting for room: closing must not wait for it to finish
        assert time.monotonic() - started < 3


def test_a_long_pause_of_the_reader_is_not_a_timeout():
    """Waiting for the reader is not a slow server: curl's low-speed limit (the read timeout) does not fire."""
    server = FastServer(blocks=64)
    try:
        with session_for("adapter") as session:
            response = session.get(server.url, stream=True, timeout=(1, 1))
            size = 0
            for index, chunk in enumerate(response.iter_content(BLOCK)):
                size += len(chunk)
                if index == 2:
                    time.sleep(4)  # twice curl's low-speed window for this timeout
    finally:
        server.close()
    assert size == 64 * BLOCK


def test_other_curl_cffi_callers_keep_their_own_queue(fast_server):
    from curl_cffi import requests as curl_requests

    with session_for("adapter") as session:  # installs the wrapper
        session.get(fast_server.url.replace("/stream", "/x"), stream=True, timeout=30).close()
    with curl_requests.Session() as plain:
        reply = plain.get(fast_server.url, stream=True, timeout=30)
        assert not isinstance(reply.queue, BoundedChunks)
        reply.close()
