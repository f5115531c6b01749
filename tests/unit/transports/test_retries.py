"""Retries: which answers are retried, how long we wait, and what is never retried."""

import socket
import threading

import pytest
from loopback import RecordingServer

from cookie_session import errors
from cookie_session.auth import ApiKeyAuthenticator
from cookie_session.client import GrokClient, RetryPolicy
from cookie_session.testing.standin import answer_for, make_test_key


class Sleeps(list):
    """A `sleep` that records the waits instead of making them."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def client_for(standin, policy=None, sleeps=None):
    policy = policy or RetryPolicy(sleep=sleeps if sleeps is not None else Sleeps())
    return GrokClient(ApiKeyAuthenticator(standin.api_key), base_url=standin.base_url, retry=policy)


def calls(standin, path):
    return sum(1 for _method, seen, _headers in standin.requests if seen == path)


def test_a_rate_limited_chat_is_retried_after_the_advised_wait(standin):
    sleeps = Sleeps()
    standin.fail_next("rate_limit")
    assert client_for(standin, sleeps=sleeps).chat("hi").text == answer_for("hi")
    assert sleeps == [1.0] and calls(standin, "/v1/chat/completions") == 2


def test_reads_are_retried_on_503_with_growing_jittered_backoff(standin):
    sleeps = Sleeps()
    standin.fail_next("server_error", times=3)
    assert client_for(standin, sleeps=sleeps).models()
    assert len(sleeps) == 3 and calls(standin, "/v1/models") == 4
    for retry, wait in enumerate(sleeps):  # half fixed, half random: backoff * 2**n / 2 .. backoff * 2**n
        assert 0.25 * 2**retry <= wait <= 0.5 * 2**retry


def test_a_chat_answered_503_is_not_retried(standin):
    """503 might come after the request was taken; only 429 says it was not processed."""
    sleeps = Sleeps()
    standin.fail_next("server_error")
    with pytest.raises(errors.ServerError):
        client_for(standin, sleeps=sleeps).chat("hi")
    assert sleeps == [] and calls(standin, "/v1/chat/completions") == 1


def test_retries_are_bounded_in_count(standin):
    sleeps = Sleeps()
    standin.fail_next("rate_limit", times=10)
    with pytest.raises(errors.RateLimitedError) as caught:
        client_for(standin, sleeps=sleeps).whoami()
    assert sleeps == [1.0, 1.0, 1.0] and calls(standin, "/v1/api-key") == 4
    assert caught.value.retry_after == 1


def test_retries_are_bounded_in_total_wait(standin):
    sleeps = Sleeps()
    standin.fail_next("rate_limit", times=10)
    with pytest.raises(errors.RateLimitedError):
        client_for(standin, RetryPolicy(budget=2.5, sleep=sleeps)).models()
    assert sleeps == [1.0, 1.0] and calls(standin, "/v1/models") == 3


def test_a_retry_after_beyond_the_longest_wait_fails_at_once_with_the_advice():
    with RecordingServer() as server:
        server.routes["/v1/models"] = (429, {"Retry-After": "120"}, b'{"error": "slow down"}')
        sleeps = Sleeps()
        client = GrokClient(
            ApiKeyAuthenticator(make_test_key()), base_url=f"{server.url}/v1", retry=RetryPolicy(sleep=sleeps)
        )
        with pytest.raises(errors.RateLimitedError) as caught:
            client.models()
    assert sleeps == [] and len(server.requests) == 1 and caught.value.retry_after == 120


def test_no_retries_when_asked(standin):
    standin.fail_next("rate_limit")
    with pytest.raises(errors.RateLimitedError):
        client_for(standin, RetryPolicy(max_retries=0)).models()


def test_real_waits_honour_retry_after(standin):
    standin.fail_next("rate_limit")
    waited = []
    policy = RetryPolicy(sleep=lambda s: (waited.append(s), threading.Event().wait(s)))
    assert client_for(standin, policy).models()
    assert waited == [1.0]


def test_a_timeout_is_never_retried():
    accepted = []
    with socket.socket() as server:  # accepts, never answers
        server.bind(("127.0.0.1", 0))
        server.listen()
        stop = threading.Event()

        def accept():
            server.settimeout(0.2)
            while not stop.is_set():
                try:
                    accepted.append(server.accept()[0])
                except OSError:
                    pass

        thread = threading.Thread(target=accept, daemon=True)
        thread.start()
        client = GrokClient(
            ApiKeyAuthenticator(make_test_key()),
            base_url=f"http://127.0.0.1:{server.getsockname()[1]}/v1",
            timeout=(1, 0.3),
        )
        for call in (client.models, lambda: client.chat("hi")):
            with pytest.raises(errors.RequestTimeoutError):
                call()
        stop.set()
        thread.join()
    assert len(accepted) == 2
    for connection in accepted:
        connection.close()


def test_a_rate_limit_inside_a_started_stream_is_not_retried(standin):
    """grok.com reports its rate limit on the chat gateway (an error event, code 8), after the chat was accepted."""
    from cookie_session.auth.browser import BrowserCookieAuthenticator
    from cookie_session.policy import LocalityVerdict

    agent = "Mozilla/5.0 retry-test"
    with pytest.warns(errors.BrowserCookieWarning):
        auth = BrowserCookieAuthenticator.from_cookies(
            standin.web_cookies(agent),
            user_agent=agent,
            unsafe_browser_cookies=True,
            verdict=LocalityVerdict.assume_local(),
        )
    sleeps = Sleeps()
    standin.fail_next("web_rate_limit")
    with pytest.raises(errors.RateLimitedError, match="code 8"):
        GrokClient(auth, web_base_url=standin.web_base_url, retry=RetryPolicy(sleep=sleeps)).chat("hi")
    assert sleeps == [] and calls(standin, "/ws/mgw/") == 1


@pytest.mark.parametrize(
    "field, value",
    [
        ("max_retries", -1),
        ("max_retries", 1.5),
        ("backoff", -0.5),
        ("max_wait", float("nan")),
        ("budget", float("inf")),
    ],
)
def test_a_retry_policy_that_cannot_work_is_bad_input(field, value):
    with pytest.raises(errors.BadInputError, match=field):
        RetryPolicy(**{field: value})
