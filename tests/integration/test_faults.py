"""Faults: a stand-in that drops connections, before the reply, inside the headers, or inside the body.

Every call must end one of two ways: the exact answer, or one of our errors (a
`CookieSessionError`, here always the upstream/transport branch, CLI exit code 6). Never a raw
requests/urllib3/socket exception, and never a silently short or empty answer. A dropped request
is not retried (it may have been processed), so each drop fails exactly one call, and the client
keeps working afterwards.
"""

from __future__ import annotations

import collections
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from cli_runner import one_error_line, run_cli
from quiet_auth import quiet_browser_auth

from cookie_session.auth import ApiKeyAuthenticator
from cookie_session.client import GrokClient
from cookie_session.errors import (
    EXIT_UPSTREAM,
    BadResponseError,
    CookieSessionError,
    TransportError,
)
from cookie_session.testing.standin import DROP_MODES, StandIn, answer_for

UA = "Mozilla/5.0 (X11; Linux x86_64) fault-test"
CALLS = {
    "chat": lambda client, prompt: client.chat(prompt).text,
    "stream": lambda client, prompt: "".join(client.chat(prompt, stream=True)),
    "models": lambda client, prompt: [m.id for m in client.models()],
    "whoami": lambda client, prompt: client.whoami().auth_kind,
}


def client_for(stand_in: StandIn, side: str) -> GrokClient:
    if side == "api":
        return GrokClient(ApiKeyAuthenticator(stand_in.api_key), base_url=stand_in.base_url, timeout=(5, 10))
    auth = quiet_browser_auth(stand_in.web_cookies(UA), user_agent=UA)
    return GrokClient(auth, web_base_url=stand_in.web_base_url, verify=stand_in.ca_file, timeout=(5, 10))


def expected(client: GrokClient, call: str, prompt: str):
    """What a call returns when nothing goes wrong."""
    if call in ("chat", "stream"):
        return answer_for(prompt)
    if call == "whoami":
        return client.auth_kind
    return ["grok-4", "grok-3", "grok-3-mini"] if client.auth_kind == "api_key" else ["fast", "auto", "expert", "heavy"]


def outcome(client: GrokClient, call: str, prompt: str) -> str | BaseException:
    """'ok', 'WRONG ANSWER: ...', or the exception the call raised (ours or not)."""
    try:
        got = CALLS[call](client, prompt)
    except BaseException as error:  # noqa: B036, BLE001 - a raw exception is exactly what we look for
        return error
    return "ok" if got == expected(client, call, prompt) else f"WRONG ANSWER: {got!r}"


def is_ours(error) -> bool:
    return (
        isinstance(error, (TransportError, BadResponseError))
        and isinstance(error, CookieSessionError)
        and error.exit_code == EXIT_UPSTREAM
        and "\n" not in str(error)
    )


# --- each drop mode, each call, each side ----------------------------------------------------


@pytest.mark.parametrize("side", ["api", "web"])
@pytest.mark.parametrize("mode", DROP_MODES)
@pytest.mark.parametrize("call", list(CALLS))
def test_a_dropped_connection_is_our_error_and_the_client_recovers(side, mode, call):
    with StandIn() as stand_in, client_for(stand_in, side) as client:
        # a first chat learns what later ones reuse (grok.com: the user id, the modes, the statsig page), so the
        # drop lands on the call's own request
        assert outcome(client, "chat", "warm up") == "ok"
        stand_in.fail_next(mode)
        result = outcome(client, call, f"{mode} {call}")
        assert stand_in.drops and stand_in.drops[0][0] == mode
        assert isinstance(result, BaseException), f"{side} {call} after {mode}: no error, got {result!r}"
        assert is_ours(result), f"{side} {call} after {mode}: raw {type(result).__module__}.{type(result).__name__}"
        assert outcome(client, call, "after the drop") == "ok"


# --- random drops, many calls ---------------------------------------------------------------


def run_with_random_drops(stand_in: StandIn, side: str, calls: int, threads: int) -> collections.Counter:
    """`calls` mixed calls from `threads` threads on one client; a Counter of outcomes by kind."""
    counts, lock = collections.Counter(), threading.Lock()
    unexpected = []
    kinds = list(CALLS)
    with client_for(stand_in, side) as client:

        def work(first: int) -> None:
            for number in range(first, calls, threads):
                call = kinds[number % len(kinds)]
                result = outcome(client, call, f"{side} prompt {number}")
                with lock:
                    if result == "ok":
                        counts["ok"] += 1
                    elif isinstance(result, BaseException) and is_ours(result):
                        counts[type(result).__name__] += 1
                    else:
                        unexpected.append((number, call, result))

        with ThreadPoolExecutor(threads) as pool:
            for future in [pool.submit(work, first) for first in range(threads)]:
                future.result()
    assert not unexpected, f"{len(unexpected)} calls ended neither in the answer nor in our error: {unexpected[:3]}"
    return counts


@pytest.mark.parametrize("side, tls", [("api", False), ("web", False), ("web", True)])
def test_random_drops_under_threads_every_failure_is_ours(side, tls):
    calls = 400
    with StandIn(drop_rate=0.25, seed=20261126, web_tls=tls) as stand_in:
        counts = run_with_random_drops(stand_in, side, calls, threads=8)
        drops = collections.Counter(mode for mode, _path in stand_in.drops)
    failures = sum(n for kind, n in counts.items() if kind != "ok")
    assert counts["ok"] + failures == calls
    assert failures == sum(drops.values())  # each drop failed exactly one call; nothing else failed
    assert set(drops) == set(DROP_MODES) and min(drops.values()) >= 10, drops


# --- the command line ---------------------------------------------------------------------------


@pytest.mark.parametrize("mode", DROP_MODES)
@pytest.mark.parametrize("args", [("chat", "hi"), ("chat", "hi", "--no-stream"), ("models",), ("whoami", "--json")])
def test_cli_reports_a_drop_in_one_line_with_exit_code_6(mode, args):
    with StandIn() as stand_in:
        stand_in.fail_next(mode)
        result = run_cli(*args, env={"XAI_API_KEY": stand_in.api_key, "XAI_BASE_URL": stand_in.base_url})
    one_error_line(result, EXIT_UPSTREAM, alone=True)
