"""Issue 15, class 4: streams without end. Time is bounded by progress and by a deadline; memory by a cap.

Real loopback servers that trickle, send keep-alive noise, or never stop; memory is measured with
tracemalloc in a subprocess (its own peak, not the test runner's).
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from paths import REPO, SUPPORT

from cookie_session.auth import ApiKeyAuthenticator
from cookie_session.auth.browser import BrowserCookieAuthenticator
from cookie_session.client import NO_RETRIES, GrokClient
from cookie_session.errors import BadInputError, BadResponseError, BrowserCookieWarning, RequestTimeoutError
from cookie_session.policy import LocalityVerdict
from cookie_session.testing.standin import StandIn, StandInCookie

KEY = "xai-" + "t" * 80
UA = "Mozilla/5.0 (X11; Linux x86_64) limits-test"
LOCAL = LocalityVerdict.assume_local()
SSE_PIECE = b'data: {"choices": [{"delta": {"content": "' + b"x" * 200 + b'"}}]}\n\n'
GATEWAY_PIECE = {"event": {"type": "response.chunk", "chunk": {"text": {"text": "y" * 200}}}}


class Behaviour:
    """What the server sends after its headers: `body()` yields (bytes, pause) forever or until done."""

    content_type = "text/event-stream"
    length: int | None = None  # a Content-Length to announce (the body may never reach it)

    def body(self):
        raise NotImplementedError


def serve(behaviour: Behaviour):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args) -> None:
            pass

        def _answer(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.send_response(200)
            self.send_header("Content-Type", behaviour.content_type)
            if behaviour.length is not None:
                self.send_header("Content-Length", str(behaviour.length))
            else:
                self.send_header("Connection", "close")
            self.end_headers()
            try:
                for data, pause in behaviour.body():
                    self.wfile.write(data)
                    self.wfile.flush()
                    if pause:
                        time.sleep(pause)
            except OSError:
                pass
            self.close_connection = True

        do_GET = do_POST = _answer

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def forever(data: bytes, pause: float):
    class Endless(Behaviour):
        def body(self):
            while True:
                yield data, pause

    return Endless()


def api_client(server, **options) -> GrokClient:
    return GrokClient(
        ApiKeyAuthenticator(KEY),
        base_url=f"http://127.0.0.1:{server.server_address[1]}/v1",
        retry=NO_RETRIES,
        **options,
    )


def web_client(server, **options) -> GrokClient:
    with pytest.warns(BrowserCookieWarning):
        auth = BrowserCookieAuthenticator.from_cookies(
            [StandInCookie("sso", "s" * 40)], user_agent=UA, unsafe_browser_cookies=True, verdict=LOCAL
        )
    return GrokClient(auth, web_base_url=f"http://127.0.0.1:{server.server_address[1]}", retry=NO_RETRIES, **options)


def timed(call) -> tuple[BaseException | None, float]:
    start = time.monotonic()
    try:
        call()
    except Exception as error:  # noqa: BLE001 - returned for the test to judge
        return error, time.monotonic() - start
    return None, time.monotonic() - start


# --- time: progress, not bytes ---------------------------------------------------------------------

TRICKLES = {
    "SSE comment bytes": (b":", "text/event-stream", "api-stream"),
    "blank SSE lines": (b"\n", "text/event-stream", "api-stream"),
    "SSE keep-alive comments": (b": ping\n", "text/event-stream", "api-stream"),
    # one line that never ends: the cut must say timeout, not "not JSON" or "ended early" on the partial line
    "an SSE data line a byte at a time": (b"d", "text/event-stream", "api-stream"),
    # well-formed, but no part of an answer: only content is progress
    "SSE ping events": (b"event: ping\n\n", "text/event-stream", "api-stream"),
    "SSE events of empty objects": (b"data: {}\n\n", "text/event-stream", "api-stream"),
    "SSE deltas with no content": (b'data: {"choices": [{"delta": {}}]}\n\n', "text/event-stream", "api-stream"),
}
#: grok.com's gateway frames that carry no part of the answer: only answer or thinking text, a citation or the
#: end is progress.
GATEWAY_TRICKLES = {
    "phase markers": {"event": {"type": "response.chunk", "chunk": {"phase_marker": {"phase": "PHASE_THINKING"}}}},
    "empty text chunks": {"event": {"type": "response.chunk", "chunk": {"text": {"text": "", "channel": "x"}}}},
    "tool cards": {"event": {"type": "response.chunk", "chunk": {"tool_usage_card": {"tool_usage_card_id": "t"}}}},
    "other channels": {
        "event": {"type": "response.chunk", "chunk": {"text": {"text": "x", "channel": "CHANNEL_INTERNAL"}}}
    },
    "unknown events": {"event": {"type": "response.keepalive"}},
    "events of no kind": {"event": {}},
}


@pytest.mark.parametrize("name", list(TRICKLES))
def test_a_stream_that_trickles_bytes_without_content_times_out_on_progress(name):
    data, content_type, call = TRICKLES[name]
    behaviour = forever(data, 0.2)
    behaviour.content_type = content_type
    with serve(behaviour) as server:
        client = api_client(server, timeout=(5, 1))
        error, took = timed(lambda: "".join(client.chat("hi", stream=True)))
        server.shutdown()
    assert isinstance(error, RequestTimeoutError), error
    assert "nothing that carries the answer for 1 s" in str(error)
    assert took < 2.5, took


@pytest.fixture
def grok():
    with StandIn() as stand_in:
        yield stand_in


def standin_web_client(stand_in, **options) -> GrokClient:
    with pytest.warns(BrowserCookieWarning):
        auth = BrowserCookieAuthenticator.from_cookies(
            stand_in.web_cookies(UA), user_agent=UA, unsafe_browser_cookies=True, verdict=LOCAL
        )
    client = GrokClient(auth, web_base_url=stand_in.web_base_url, retry=NO_RETRIES, **options)
    client.models()  # the modes known: the call below is the chat itself
    return client


@pytest.mark.parametrize("name", list(GATEWAY_TRICKLES))
def test_a_gateway_that_sends_frames_without_content_times_out_on_progress(grok, name):
    grok.script_gateway([frame for _ in range(60) for frame in (("sleep", 0.2), GATEWAY_TRICKLES[name])])
    client = standin_web_client(grok, timeout=(5, 1))
    error, took = timed(lambda: client.chat("hi"))
    assert isinstance(error, RequestTimeoutError), error
    assert "nothing that carries the answer for 1 s" in str(error)
    assert took < 2.5, took


def test_the_statsig_page_trickling_in_ends_within_a_few_timeouts():
    """The page `/rest/` requests are signed with is read like any reply: whole within 3 read timeouts."""
    behaviour = forever(b" ", 0.2)
    behaviour.content_type, behaviour.length = "text/html", 10**6
    with serve(behaviour) as server:
        client = web_client(server, timeout=(5, 1))
        error, took = timed(client.models)
        server.shutdown()
    assert isinstance(error, RequestTimeoutError), error
    assert "did not arrive whole within 3 s" in str(error)
    assert 2.5 < took < 4.5, took


@pytest.mark.parametrize("call", ["models", "whoami", "chat"])
def test_a_whole_reply_trickling_in_a_byte_at_a_time_ends_within_a_few_timeouts(call):
    behaviour = forever(b" ", 0.2)
    behaviour.content_type, behaviour.length = "application/json", 10**6
    with serve(behaviour) as server:
        client = api_client(server, timeout=(5, 1))
        error, took = timed(getattr(client, call) if call != "chat" else lambda: client.chat("hi"))
        server.shutdown()
    assert isinstance(error, RequestTimeoutError), error
    assert "did not arrive whole within 3 s" in str(error)
    assert 2.5 < took < 4.5, took


def test_a_stream_that_keeps_making_progress_is_not_cut_by_the_progress_timeout():
    class Slow(Behaviour):
        def body(self):
            for _ in range(8):
                yield SSE_PIECE, 0.3
            yield b"data: [DONE]\n\n", 0

    with serve(Slow()) as server:
        text = api_client(server, timeout=(5, 1)).chat("hi", stream=True).collect().text
        server.shutdown()
    assert text == "x" * 200 * 8


def test_every_call_ends_by_its_deadline_even_while_making_progress():
    with serve(forever(SSE_PIECE, 0.1)) as server:
        client = api_client(server, timeout=(5, 1), deadline=1.5)
        error, took = timed(lambda: client.chat("hi", stream=True).collect())
        server.shutdown()
    assert isinstance(error, RequestTimeoutError), error
    assert "deadline" in str(error)
    assert 1.4 < took < 2.5, took


@pytest.mark.parametrize(
    "option, value",
    [
        ("deadline", 0),
        ("deadline", -1),
        ("deadline", float("nan")),
        ("deadline", "10"),
        ("max_answer_bytes", 0),
        ("max_answer_bytes", 1.5),
        ("max_answer_bytes", True),
    ],
)
def test_limits_must_be_positive_numbers(option, value):
    with pytest.raises(BadInputError, match=option):
        GrokClient(ApiKeyAuthenticator(KEY), base_url="http://127.0.0.1:1/v1", **{option: value})


# --- size: a cap on the collected answer, flat memory -------------------------------------------------


def test_an_endless_answer_stops_at_max_answer_bytes_with_a_clear_error():
    with serve(forever(SSE_PIECE, 0)) as server:
        client = api_client(server, max_answer_bytes=100_000)
        error, _took = timed(lambda: client.chat("hi", stream=True).collect())
        server.shutdown()
    assert isinstance(error, BadResponseError), error
    assert "longer than 100,000 bytes" in str(error) and "max_answer_bytes" in str(error)


def test_a_gateway_answer_past_max_answer_bytes_stops_with_a_clear_error(grok):
    grok.script_gateway([GATEWAY_PIECE] * 2000)  # 400 kB of answer
    error, _took = timed(lambda: standin_web_client(grok, max_answer_bytes=100_000).chat("hi"))
    assert isinstance(error, BadResponseError), error
    assert "longer than 100,000 bytes" in str(error) and "max_answer_bytes" in str(error)


MEMORY_PROBE = textwrap.dedent("""
    import json, sys, tracemalloc, warnings
    sys.path[:0] = [{tests!r}, {support!r}, {root!r}]
    warnings.simplefilter("ignore")
    from test_limits import forever, serve, api_client, standin_web_client, SSE_PIECE, GATEWAY_PIECE
    from cookie_session.testing.standin import StandIn
    side, call = sys.argv[1], sys.argv[2]
    if side == "api":
        client = api_client(serve(forever(SSE_PIECE, 0)))
    else:
        stand_in = StandIn().start()
        stand_in.script_gateway([GATEWAY_PIECE] * 60_000)  # 12 MB of answer: past the 10 MiB cap
        client = standin_web_client(stand_in)
    tracemalloc.start()
    try:
        if call == "collect":
            client.chat("hi", stream=True).collect()
        elif call == "chat":
            client.chat("hi")
        else:
            for _ in client.chat("hi", stream=True):
                pass
        outcome = "returned"
    except Exception as error:
        outcome = type(error).__name__
    print(json.dumps({{"peak": tracemalloc.get_traced_memory()[1], "outcome": outcome}}))
""")


@pytest.mark.parametrize("side, call", [("api", "collect"), ("api", "iterate"), ("web", "chat"), ("web", "iterate")])
def test_an_endless_stream_keeps_memory_under_a_ceiling(side, call):
    """The server would send forever; the call ends at the default 10 MiB answer cap, peak memory well below
    what an unbounded reader reaches (it would not end at all)."""
    probe = MEMORY_PROBE.format(tests=str(Path(__file__).parent), support=str(SUPPORT), root=str(REPO))
    done = subprocess.run([sys.executable, "-c", probe, side, call], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["outcome"] == "BadResponseError", result
    assert result["peak"] < 40 * 2**20, f"peak {result['peak'] / 2**20:.1f} MiB"  # the answer is kept, to its cap
