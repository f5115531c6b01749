"""Issue 15, class 11: the stand-in under abuse. A Content-Length it cannot trust gets a 400 (no traceback,
no thread left reading), request history is bounded, and `serve` removes its temp dir on SIGTERM."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time

import pytest
import requests
from paths import REPO

from cookie_session.testing.standin import StandIn, _server

BAD_LENGTHS = [
    ["-1"],
    ["abc"],
    ["+5"],
    ["1e3"],
    ["\u0663"],
    ["5 5"],
    ["0x10"],
    ["99999999999999999999"],
    ["5", "6"],
    [" -0"],
    [""],
]


def raw_request(port: int, lines: list[str], *, body: bytes = b"") -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=3)
    head = "\r\n".join(["POST /v1/models HTTP/1.1", "Host: 127.0.0.1", *lines, "", ""])
    sock.sendall(head.encode("utf-8") + body)
    return sock


def read_until_closed(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection (`socket.timeout` if it never does)."""
    data = b""
    while chunk := sock.recv(4096):
        data += chunk
    return data


@pytest.mark.parametrize("values", BAD_LENGTHS)
def test_a_content_length_it_cannot_trust_gets_a_400_not_a_traceback_or_a_pinned_thread(capfd, values):
    with StandIn() as stand_in:
        baseline = threading.active_count()
        sock = raw_request(stand_in._api.port, [f"Content-Length: {value}" for value in values])
        reply = read_until_closed(sock)  # our end stays open: a server reading "to the end" would wait forever
        assert reply.startswith(b"HTTP/1.1 400"), reply[:80]
        assert b"Content-Length must be" in reply
        deadline = time.monotonic() + 3
        while threading.active_count() > baseline and time.monotonic() < deadline:
            time.sleep(0.05)
        assert threading.active_count() <= baseline, "a handler thread is still busy with the bad request"
        sock.close()
        assert requests.get(f"{stand_in.base_url}/models", timeout=3).status_code == 401  # still answering
    assert "Traceback" not in capfd.readouterr().err


@pytest.mark.parametrize(
    "head, body",
    [(["Content-Length: 100"], b"{}"), (["Content-Length: 5"], b""), ([], None)],
    ids=["body shorter than its length", "no body at all", "headers never finished"],
)
def test_a_client_that_stops_sending_does_not_pin_a_thread(capfd, monkeypatch, head, body):
    monkeypatch.setattr(_server, "IDLE_CLIENT_SECONDS", 0.5)
    with StandIn() as stand_in:
        baseline = threading.active_count()
        if body is None:  # a request line, then silence
            sock = socket.create_connection(("127.0.0.1", stand_in._api.port), timeout=3)
            sock.sendall(b"POST /v1/models HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        else:
            sock = raw_request(stand_in._api.port, head, body=body)
        assert read_until_closed(sock) == b""  # dropped: nothing half-read was answered
        deadline = time.monotonic() + 3
        while threading.active_count() > baseline and time.monotonic() < deadline:
            time.sleep(0.05)
        assert threading.active_count() <= baseline, "a handler thread still waits for the client"
        sock.close()
        assert requests.get(f"{stand_in.base_url}/models", timeout=3).status_code == 401  # still answering
    assert "Traceback" not in capfd.readouterr().err


def test_a_chunked_request_body_it_does_not_read_gets_a_400():
    with StandIn() as stand_in:
        sock = raw_request(stand_in._api.port, ["Transfer-Encoding: chunked"], body=b"5\r\nhello\r\n0\r\n\r\n")
        assert read_until_closed(sock).startswith(b"HTTP/1.1 400")
        sock.close()


def test_request_history_is_bounded_and_keeps_the_latest():
    with StandIn(history=50) as stand_in, requests.Session() as session:
        for index in range(300):
            session.get(f"{stand_in.base_url}/models", headers={"X-Index": str(index), "X-Pad": "p" * 4000}, timeout=3)
        history = stand_in.requests
    assert len(history) == 50
    assert [int(headers["X-Index"]) for _m, _p, headers in history] == list(range(250, 300))


def test_the_default_history_is_bounded_too():
    with StandIn() as stand_in, requests.Session() as session:
        for _ in range(1100):
            session.get(f"{stand_in.base_url}/models", timeout=3)
        assert len(stand_in.requests) == 1000


@pytest.mark.parametrize("history", [-1, 1.5, "10", True])
def test_history_must_be_a_whole_number(history):
    with pytest.raises(ValueError, match="history"):
        StandIn(history=history)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP])
def test_serve_removes_its_temp_dir_when_stopped_by_a_signal(tmp_path, signum):
    env = {**os.environ, "TMPDIR": str(tmp_path), "PYTHONPATH": str(REPO)}
    with subprocess.Popen(
        [sys.executable, "-m", "cookie_session", "serve"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as process:  # the pipes are closed on leaving
        try:
            assert "api.x.ai stand-in: http" in process.stdout.readline()
            assert [p.name for p in tmp_path.iterdir() if p.name.startswith("cookie-session-standin-")]
            process.send_signal(signum)
            process.wait(timeout=10)
        finally:
            process.kill()
        errors = process.stderr.read()
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith("cookie-session-standin-")]
    assert "Traceback" not in errors


def test_stored_responses_stay_within_their_count_and_byte_limits():
    from cookie_session.testing.standin.responses_api import ResponseStore

    store = ResponseStore(limit=3, byte_limit=5_000)
    for number in range(5):
        store.put({"id": f"resp_{number}"}, [{"type": "message", "content": "x"}])
    assert [store.get(f"resp_{n}") is not None for n in range(5)] == [False, False, True, True, True]
    store.put({"id": "resp_big"}, [{"type": "message", "content": "y" * 9_000}])
    assert store.get("resp_big") is not None  # the newest stays even alone over the budget; the rest made room
    assert [store.get(f"resp_{n}") for n in range(5)] == [None] * 5
    assert store.delete("resp_big") and not store.delete("resp_big") and store.get("resp_big") is None


# --- issue 20 item 3: header size and count (431), connections and memory ----------------------------


def send_head(port: int, header_lines: list[str]) -> bytes:
    """One GET with these header lines; what the server answers before closing (or b"" if it reset)."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    try:
        head = "\r\n".join(["GET /v1/models HTTP/1.1", "Host: 127.0.0.1", "Connection: close", *header_lines, "", ""])
        try:
            sock.sendall(head.encode("latin-1"))
        except OSError:  # the server answered and closed before taking it all
            pass
        try:
            return read_until_closed(sock)
        except OSError:
            return b""
    finally:
        sock.close()


@pytest.mark.parametrize(
    "lines",
    [
        [f"X-Many-{i}: v" for i in range(_server.MAX_HEADER_COUNT + 1)],  # too many (the old limit was 100)
        ["Cookie: " + "c" * (_server.MAX_HEADER_BYTES + 1)],  # one line too long (the old limit was 64 KiB)
        [f"X-Part-{i}: " + "p" * 6000 for i in range(7)],  # each line small, the section too big
    ],
    ids=["count", "one-line", "section"],
)
def test_a_header_section_past_the_limits_gets_431_and_the_connection_closes(lines):
    with StandIn() as stand_in:
        reply = send_head(stand_in._api.port, lines)
        assert reply.startswith(b"HTTP/1.1 431"), reply[:80]
        assert stand_in.requests == []  # never recorded


def test_a_browser_sized_header_section_is_still_served():
    with StandIn() as stand_in:
        key = stand_in.api_key
        cookie = "; ".join(f"c{i}={'v' * 200}" for i in range(40))  # 8 KiB of cookies, as a heavy browser sends
        lines = [f"Authorization: Bearer {key}", f"Cookie: {cookie}", *(f"X-H{i}: v" for i in range(40))]
        assert send_head(stand_in._api.port, lines).startswith(b"HTTP/1.1 200")


def test_the_history_is_bounded_in_bytes_and_keeps_the_latest():
    from cookie_session.testing.standin import HISTORY_BYTES

    pad = "p" * 30_000
    with StandIn() as stand_in, requests.Session() as session:
        count = HISTORY_BYTES // len(pad) + 50
        for index in range(count):
            session.get(f"{stand_in.base_url}/models", headers={"X-Index": str(index), "X-Pad": pad}, timeout=3)
        history = stand_in.requests
    kept = sum(len(k) + len(v) for _m, _p, headers in history for k, v in headers.items())
    assert kept <= HISTORY_BYTES
    assert int(history[-1][2]["X-Index"]) == count - 1 and len(history) >= HISTORY_BYTES // len(pad) - 2


def test_connections_past_the_limit_get_503_and_are_closed():
    with StandIn() as stand_in:
        port = stand_in._api.port
        held = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(_server.MAX_CONNECTIONS)]
        try:
            time.sleep(0.3)  # each accepted and handed to its thread
            extra = socket.create_connection(("127.0.0.1", port), timeout=5)
            assert read_until_closed(extra).startswith(b"HTTP/1.1 503")
            extra.close()
        finally:
            for sock in held:
                sock.close()
        deadline = time.monotonic() + 5  # the slots come back once those connections end
        while time.monotonic() < deadline:
            if send_head(port, []).startswith(b"HTTP/1.1 401"):
                break
            time.sleep(0.1)
        else:
            pytest.fail("the stand-in did not take connections again after the held ones closed")


def _rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="reads the server's RSS from /proc (Linux)")
def test_serve_stays_small_under_requests_with_huge_headers():
    """The issue's measurement: 150 requests with the largest header section the old stand-in took (100 lines
    of 60 KiB) took `serve` from 23 to 789 MiB. Now each is refused after 32 KiB and nothing is kept."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    with subprocess.Popen(
        [sys.executable, "-m", "cookie_session", "serve"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as process:
        try:
            line = process.stdout.readline()
            port = int(line.rsplit(":", 1)[1].split("/", 1)[0])
            send_head(port, [])
            before = _rss_kib(process.pid)
            huge = [f"X-Pad-{i}: " + "p" * 60_000 for i in range(100)]
            statuses = {send_head(port, huge)[:12] for _ in range(150)}
            grown_mib = (_rss_kib(process.pid) - before) / 1024
        finally:
            process.terminate()
            process.wait(timeout=10)
    assert statuses <= {b"HTTP/1.1 431", b""}, statuses
    assert grown_mib < 40, f"serve grew by {grown_mib:.0f} MiB"
