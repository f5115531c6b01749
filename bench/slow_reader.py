"""Peak memory of a slow reader on a fast server: does a transport buffer the whole reply?

    python bench/slow_reader.py            # 4 runs per client, about 1 minute
    python bench/slow_reader.py --quick    # 1 run per client (a smoke test)

A server on 127.0.0.1 (its own process) streams a chunked reply as fast as loopback takes it (up to
`--body-mib`, 1 GiB by default). Each client runs in a fresh process: it opens the reply with `stream=True`,
reads `--read-kib` (800 KiB) in 16 KiB steps with a 20 ms pause between steps (about 1 s, a reader slower
than the server), closes the reply, and reports its peak RSS (`VmHWM`) and the RSS it started from.
Clients: plain `requests`; our curl_cffi TLS adapter (`ImpersonatingAdapter`, mounted on http:// for the
run). The table shows median peaks, the growth over the start, and each client's peak against plain
requests. Before the fix, the adapter's peak grew with the server's speed (curl_cffi queues every chunk
it receives): issue 20 measured 1,579 MiB against requests' 39 MiB.
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import subprocess
import sys
import threading

CHILD = r"""
import json, sys, time
import requests

def rss(field):
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith(field + ":")) / 1024

url, client, read_kib = sys.argv[1], sys.argv[2], int(sys.argv[3])
session = requests.Session()
if client == "adapter":
    from cookie_session.transports.grok.tls import ImpersonatingAdapter
    session.mount("http://", ImpersonatingAdapter("chrome152"))
start = rss("VmRSS")
response = session.get(url, stream=True, timeout=30)
read = 0
for chunk in response.iter_content(16 * 1024):
    read += len(chunk)
    if read >= read_kib * 1024:
        break
    time.sleep(0.02)
response.close()
print(json.dumps({"start_mib": start, "peak_mib": rss("VmHWM"), "read_kib": read // 1024}))
"""


def serve(body_mib: int) -> tuple[socket.socket, threading.Event]:
    """A thread per connection: one chunked reply of `body_mib` MiB, sent as fast as the socket takes it."""
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()
    block = b"x" * (64 * 1024)
    chunk = f"{len(block):x}\r\n".encode() + block + b"\r\n"

    def answer(conn: socket.socket) -> None:
        with conn:
            try:
                while b"\r\n\r\n" not in conn.recv(65536):
                    pass
                conn.sendall(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
                )
                for _ in range(body_mib * 16):
                    if stop.is_set():
                        return
                    conn.sendall(chunk)
                conn.sendall(b"0\r\n\r\n")
            except OSError:  # the client closed the reply early: what a slow reader that stops does
                pass

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            threading.Thread(target=answer, args=(conn,), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    return listener, stop


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--runs", type=int, default=4)
    parser.add_argument("--body-mib", type=int, default=1024)
    parser.add_argument("--read-kib", type=int, default=800)
    args = parser.parse_args()
    runs = 1 if args.quick else args.runs
    listener, stop = serve(args.body_mib)
    url = f"http://127.0.0.1:{listener.getsockname()[1]}/stream"
    results: dict[str, list[dict]] = {"requests": [], "adapter": []}
    try:
        for _ in range(runs):
            for client in results:
                out = subprocess.run(
                    [sys.executable, "-c", CHILD, url, client, str(args.read_kib)],
                    capture_output=True,
                    text=True,
                    timeout=300,
                )
                if out.returncode != 0:
                    print(f"{client} failed: {out.stderr.strip().splitlines()[-1:]}", file=sys.stderr)
                    return 1
                results[client].append(json.loads(out.stdout))
    finally:
        stop.set()
        listener.close()
    base = statistics.median(r["peak_mib"] for r in results["requests"])
    print(
        f"slow reader ({args.read_kib} KiB read in ~{args.read_kib // 16 * 20 / 1000:.1f} s) on a fast server "
        f"({args.body_mib} MiB offered), {runs} run(s) each, median:"
    )
    print(f"{'client':<34} {'peak RSS':>10} {'growth':>9} {'vs requests':>12}")
    names = {"requests": "plain requests", "adapter": "curl_cffi adapter"}
    for client, samples in results.items():
        peak = statistics.median(r["peak_mib"] for r in samples)
        growth = statistics.median(r["peak_mib"] - r["start_mib"] for r in samples)
        print(f"{names[client]:<34} {peak:>8.0f} MiB {growth:>5.0f} MiB {peak / base:>11.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
