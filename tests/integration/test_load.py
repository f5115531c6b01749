"""Load: one `GrokClient` shared by 8 threads making 1,000 calls against the stand-in, per side.

Every prompt is unique and the stand-in's answer is a function of the prompt (`answer_for`), so
an answer delivered to the wrong caller, or mixed from two replies, does not match. Calls mix the
whole-answer and the streamed form. Both the api.x.ai side (bearer key) and the grok.com side
(browser cookies built per request) are driven; the stand-in checks each request's credential.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from quiet_auth import quiet_browser_auth

from cookie_session.auth import ApiKeyAuthenticator
from cookie_session.client import GrokClient
from cookie_session.testing.standin import StandIn, answer_for

THREADS = 8
CALLS = 1000
UA = "Mozilla/5.0 (X11; Linux x86_64) load-test"


def api_client(stand_in: StandIn) -> GrokClient:
    return GrokClient(ApiKeyAuthenticator(stand_in.api_key), base_url=stand_in.base_url, timeout=(5, 30))


def web_client(stand_in: StandIn) -> GrokClient:
    auth = quiet_browser_auth(stand_in.web_cookies(UA), user_agent=UA)
    return GrokClient(auth, web_base_url=stand_in.web_base_url, timeout=(5, 30))


def hammer(client: GrokClient, side: str) -> tuple[list[tuple[int, str, str]], list[tuple[int, BaseException]]]:
    """CALLS calls from THREADS threads on one client: (wrong answers, errors), each with its call number."""
    wrong, errors, lock = [], [], threading.Lock()
    start = threading.Barrier(THREADS)

    def call(number: int) -> None:
        prompt = f"{side} call {number} from {threading.get_ident()}"
        try:
            if number % 2:
                text = "".join(client.chat(prompt, stream=True))
            else:
                text = client.chat(prompt).text
        except BaseException as error:  # noqa: B036, BLE001 - any error counts, ours or not
            with lock:
                errors.append((number, error))
            return
        if text != answer_for(prompt):
            with lock:
                wrong.append((number, prompt, text))

    def worker(first: int) -> None:
        start.wait()
        for number in range(first, CALLS, THREADS):
            call(number)

    with ThreadPoolExecutor(THREADS) as pool:
        for future in [pool.submit(worker, first) for first in range(THREADS)]:
            future.result()
    return wrong, errors


@pytest.mark.parametrize("side", ["api", "web"])
def test_one_client_shared_by_8_threads_1000_calls(side):
    with StandIn(history=2 * CALLS) as stand_in:
        client = (api_client if side == "api" else web_client)(stand_in)
        with client:
            wrong, errors = hammer(client, side)
        # one request per call: a chat completion, or grok.com's gateway handshake (identity and modes are once)
        requests = [r for r in stand_in.requests if (r[1].startswith("/v1/") if side == "api" else r[1] == "/ws/mgw/")]
    assert errors == [], f"{len(errors)} errors, first: {errors[0][1]!r}"
    assert wrong == [], f"{len(wrong)} mixed-up answers, first: {wrong[0]}"
    assert len(requests) == CALLS  # one request per call: nothing retried, nothing lost
    if side == "api":
        assert {headers["Authorization"] for _m, _p, headers in requests} == {f"Bearer {stand_in.api_key}"}
    else:
        assert all(headers["User-Agent"] == UA and "sso=" in headers["Cookie"] for _m, _p, headers in requests)
