"""The browser path's chat over grok.com's gateway WebSocket, against the loopback stand-in, and the statsig's cost.

    python bench/gateway.py [--rounds R] [--quick]

Contenders, each a streamed chat of the same prompt, in alternating rounds (a fresh random order each round):
- ours: `GrokClient(<browser session>).chat(prompt, stream=True)` (warmed once: identity, modes and the statsig
  page are fetched on the first call and kept), so each chat is: the curl_cffi WebSocket with the browser's
  handshake, session.create, conversation.item.create + response.create, the chunks, response.done;
- minimal: the same event sequence on a bare socket with `wsproto` (the stand-in's own WebSocket library), the
  same handshake headers and cookies, no browser TLS, no limits, no parsing beyond what the sequence needs.
Each sample times the first answer piece and the end, twice: with the stand-in sending its pieces back to back
(the clients' own cost, all of it on loopback), and 5 ms apart (a fast model's pace; grok.com's is slower). The
tables show medians and the median of the per-round ratios (ours / minimal); target <= 1.10x.

Statsig: the cost of the `x-statsig-id` per `/rest/` request: warm (a cached token), fresh (a new signature,
page known), and cold (the page fetched from the stand-in and parsed, then signed). Target: warm < 1 ms.
"""

from __future__ import annotations

import argparse
import json
import random
import socket
import statistics
import sys
import time
import warnings
from urllib.parse import urlsplit

from measure import paired_ratio

PROMPT = "benchmark the gateway with a prompt of ordinary length"
#: The stand-in's pause between pieces: none (what each client itself costs), and a fast model's pace.
DELAYS = (0.0, 0.005)
UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36"


def browser_client(stand_in):
    from cookie_session.auth.browser import BrowserCookieAuthenticator
    from cookie_session.client import GrokClient
    from cookie_session.errors import BrowserCookieWarning
    from cookie_session.policy import LocalityVerdict

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", BrowserCookieWarning)
        auth = BrowserCookieAuthenticator.from_cookies(
            stand_in.web_cookies(UA), user_agent=UA, unsafe_browser_cookies=True, verdict=LocalityVerdict.assume_local()
        )
    return GrokClient(auth, web_base_url=stand_in.web_base_url)


def ours(client) -> tuple[float, float, str]:
    start = time.perf_counter()
    first = None
    pieces = []
    for piece in client.chat(PROMPT, stream=True):
        if first is None:
            first = time.perf_counter() - start
        pieces.append(piece)
    return first or 0.0, time.perf_counter() - start, "".join(pieces)


class MinimalGateway:
    """The gateway's event sequence over a plain socket and wsproto: what any WebSocket client must do."""

    def __init__(self, url: str, headers: list[tuple[str, str]]) -> None:
        self.url, self.headers = url, headers

    def chat(self) -> tuple[float, float, str]:
        from wsproto import ConnectionType, WSConnection
        from wsproto.events import AcceptConnection, CloseConnection, Message, Request, TextMessage
        from wsproto.extensions import PerMessageDeflate

        start = time.perf_counter()
        parts = urlsplit(self.url)
        sock = socket.create_connection((parts.hostname, parts.port))
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        ws = WSConnection(ConnectionType.CLIENT)
        target = f"{parts.path}?{parts.query}"
        sock.sendall(
            ws.send(
                Request(host=parts.netloc, target=target, extra_headers=self.headers, extensions=[PerMessageDeflate()])
            )
        )
        text, first, buffer = [], None, ""

        def send(event: dict) -> None:
            sock.sendall(ws.send(TextMessage(json.dumps(event))))

        done = False
        while not done:
            data = sock.recv(65536)
            if not data:
                break
            ws.receive_data(data)
            for event in ws.events():
                if isinstance(event, AcceptConnection):
                    send({"event": {"type": "session.create", "event_id": "evt_init_b", "session": {"model": "auto"}}})
                elif isinstance(event, Message):
                    buffer += event.data
                    if not event.message_finished:
                        continue
                    envelope, buffer = json.loads(buffer), ""
                    kind = envelope["event"]["type"]
                    if kind == "conversation.attached":
                        sid = envelope.get("session_id") or envelope["event"]["conversation"]["id"]
                        item = {
                            "type": "message",
                            "role": "user",
                            "x_grok": {"input_chunks": [{"text": {"text": PROMPT}}]},
                        }
                        send({"session_id": sid, "event": {"type": "conversation.item.create", "item": item}})
                        send({"session_id": sid, "event": {"type": "response.create"}})
                    elif kind == "response.chunk":
                        chunk = envelope["event"]["chunk"].get("text") or {}
                        if chunk.get("channel") == "CHANNEL_ASSISTANT_RESPONSE":
                            if first is None:
                                first = time.perf_counter() - start
                            text.append(chunk["text"])
                    elif kind == "response.done":
                        done = True
                elif isinstance(event, CloseConnection):
                    done = True
        sock.sendall(ws.send(CloseConnection(code=1000)))
        sock.close()
        return first or 0.0, time.perf_counter() - start, "".join(text)


def minimal_for(client, stand_in) -> MinimalGateway:
    from cookie_session.transports.grok.endpoints import gateway_url
    from cookie_session.transports.grok.headers import websocket_headers

    transport = client._transport
    url = gateway_url(stand_in.web_base_url, transport._gateway_user_id())
    auth = client.authenticator
    headers = {"User-Agent": UA, **websocket_headers(auth.browser_identity, stand_in.web_base_url)}
    headers.pop("Sec-WebSocket-Extensions")  # wsproto writes its own offer
    headers["Cookie"] = auth.cookie_header(url.replace("ws://", "http://", 1))
    return MinimalGateway(url, list(headers.items()))


def bench_gateway(rounds: int, delay: float) -> dict:
    from cookie_session.testing.standin import StandIn, answer_for

    with StandIn(stream_delay=delay) as stand_in:
        client = browser_client(stand_in)
        minimal = minimal_for(client, stand_in)
        assert ours(client)[2] == answer_for(PROMPT) == minimal.chat()[2], "the contenders disagree on the answer"
        runs: dict[str, list[tuple[float, float, str]]] = {"ours": [], "minimal": []}
        order = random.Random(0)
        for _ in range(rounds):
            names = list(runs)
            order.shuffle(names)
            for name in names:
                runs[name].append(ours(client) if name == "ours" else minimal.chat())
        client.close()
    result = {}
    for index, label in ((0, "first piece"), (1, "end")):
        mine, theirs = ([r[index] for r in runs[n]] for n in ("ours", "minimal"))
        result[label] = (statistics.median(mine), statistics.median(theirs), paired_ratio(mine, theirs))
    return result


def bench_statsig(rounds: int) -> dict:
    from cookie_session.testing.standin import StandIn
    from cookie_session.transports.grok.statsig import StatsigSigner

    with StandIn() as stand_in:
        client = browser_client(stand_in)
        fetch = client.session.auth._fetch_page
        signer = StatsigSigner(fetch)
        signer.header_for("POST", "/rest/modes")
        warm, fresh, cold = [], [], []
        for index in range(rounds):
            start = time.perf_counter()
            signer.header_for("POST", "/rest/modes")
            warm.append(time.perf_counter() - start)
            start = time.perf_counter()
            signer.header_for("POST", f"/rest/path-{index}")
            fresh.append(time.perf_counter() - start)
        for _ in range(max(3, rounds // 20)):
            signer = StatsigSigner(fetch)
            start = time.perf_counter()
            signer.header_for("POST", "/rest/modes")
            cold.append(time.perf_counter() - start)
        client.close()
    return {name: statistics.median(values) for name, values in (("warm", warm), ("fresh", fresh), ("cold", cold))}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=60)
    parser.add_argument("--quick", action="store_true", help="a short smoke run: correctness, not timing")
    args = parser.parse_args(argv)
    rounds = 5 if args.quick else args.rounds
    for delay in DELAYS:
        gateway = bench_gateway(rounds, delay)
        paced = f"pieces {delay * 1000:g} ms apart" if delay else "pieces back to back: the clients' own cost"
        print(f"Gateway chat, stand-in on loopback, {paced}; {rounds} alternating rounds (medians, per-round ratios)")
        print(f"{'':12} {'ours':>10} {'minimal':>10} {'ratio':>7}  target")
        for label, (mine, theirs, ratio) in gateway.items():
            print(f"{label:12} {mine * 1000:8.2f}ms {theirs * 1000:8.2f}ms {ratio:6.2f}x  <= 1.10x")
    statsig = bench_statsig(max(rounds * 20, 100))
    print("x-statsig-id per /rest/ request (medians)")
    for name, seconds in statsig.items():
        target = "  target < 1 ms" if name == "warm" else ""
        print(f"{name:12} {seconds * 1e6:10.1f}us{target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
