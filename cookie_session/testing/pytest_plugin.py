"""pytest fixtures for testing your own scripts offline against the stand-in (entry point `pytest11`).

Active once cookie-session is installed (turn it off with `-p no:cookie_session`). Every fixture is
function-scoped: each test gets its own stand-in (about 0.1 s), so keys, sessions and queued failures
never leak from one test into the next.

- `xai_standin`: a running `StandIn`. For the test's duration `XAI_API_KEY`, `XAI_BASE_URL` and
  `GROK_WEB_BASE_URL` point at it (loopback also bypasses any HTTP proxy), so a script doing
  `GrokClient(resolve_authenticator())` works unchanged, and connections or name lookups outside
  loopback are refused (ini option `xai_offline = false` allows them).
- `xai_api_key`: the stand-in's valid throwaway key, a `str` whose repr is masked.
- `xai_retry_waits`: the waits the library's automatic retries asked for, recorded instead of slept
  (clients built without their own `retry=`): retries still happen, tests stay fast.
- `xai_client`: `GrokClient(resolve_authenticator())`, built after any `xai_failure` marker.
- `grok_user_agent`, `grok_browser_auth`, `grok_browser_client`: the web side with a logged-in
  browser-like session (throwaway cookies; its `BrowserCookieWarning` is not raised).
- With `responses` in use, the stand-in's URLs pass through its mocks automatically (`_let_responses_pass`).
- `xai_script(text | tool_calls= | error=, times=1)`: what the API side answers next (`StandIn.script_next`).
- `xai_failures`: switches for every failure signal; `@pytest.mark.xai_failure(name, ..., times=1)`
  flips them before the test's other fixtures are built.

Imports of the library and `requests` happen inside the fixtures, so loading the plugin costs nothing.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from ..settings import API_BASE_URL_ENV, API_KEY_ENV, WEB_BASE_URL_ENV
from .offline import OfflineError

if TYPE_CHECKING:
    from ..auth.browser import BrowserCookieAuthenticator
    from ..client import GrokClient
    from .standin import StandIn

__all__ = ["XaiFailures", "StandInKey", "OfflineError", "OFFLINE_INI", "MARKER"]

OFFLINE_INI = "xai_offline"
MARKER = "xai_failure"
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1")


class StandInKey(str):
    """A stand-in API key: a plain `str` (send it, compare it, put it in the environment) whose repr is
    masked, so pytest's failure output (`--showlocals`, assertion values) never shows a key-shaped value."""

    __slots__ = ()

    def __repr__(self) -> str:
        from ..secret import fingerprint

        return f"<stand-in key {fingerprint(str(self))}>"


class XaiFailures:
    """Switches for the stand-in's failure signals.

    Key switches put a key in `XAI_API_KEY` and return it, so code that resolves its credential
    afterwards sends it: `wrong_key()` (unknown to the stand-in: `InvalidApiKeyError`),
    `blocked_key()` and `disabled_key()` (`PermissionDeniedError`). The others make the next
    `times` requests that can fail that way fail: `rate_limit` (429 with Retry-After) and
    `server_error` (503) on the API side; `challenge` (Cloudflare page), `challenge_empty`, `http_429`,
    `anti_bot`, `web_rate_limit`, `session_expired`, `account_blocked`, `statsig_stale`, `update_client`,
    `gateway_error`, `session_ended` and `stream_error` on the web side. A large `times`
    keeps failing past the library's automatic retries; `xai_standin.requests` shows what was sent
    and `xai_retry_waits` how long the retries would have waited.
    """

    KEY_SWITCHES = ("wrong_key", "blocked_key", "disabled_key")
    #: switch name -> the stand-in's failure name
    QUEUED_SWITCHES = {
        "rate_limit": "rate_limit",
        "server_error": "server_error",
        "challenge": "challenge",
        "anti_bot": "anti_bot",
        "web_rate_limit": "web_rate_limit",
        "session_expired": "session_expired",
        "account_blocked": "blocked_account",
        "challenge_empty": "challenge_empty",
        "http_429": "http_429",
        "statsig_stale": "statsig_stale",
        "update_client": "update_client",
        "gateway_error": "gateway_error",
        "session_ended": "session_ended",
        "stream_error": "stream_error",
    }
    SWITCHES = KEY_SWITCHES + tuple(QUEUED_SWITCHES)

    def __init__(self, stand_in: StandIn, monkeypatch: pytest.MonkeyPatch) -> None:
        self._stand_in = stand_in
        self._monkeypatch = monkeypatch

    def switch(self, name: str, **options) -> StandInKey | None:
        """Flip the switch called `name` (one of `SWITCHES`) with its options (`times=` for the queued ones)."""
        if name not in self.SWITCHES:
            raise ValueError(f"unknown failure {name!r}; choose from {', '.join(self.SWITCHES)}")
        return getattr(self, name)(**options)

    # --- the credential itself -------------------------------------------------------

    def wrong_key(self) -> StandInKey:
        """A well-formed key the stand-in does not know, now in `XAI_API_KEY`."""
        from .standin import make_test_key

        return self._use_key(make_test_key())

    def blocked_key(self) -> StandInKey:
        """A known key whose `api_key_blocked` flag is set, now in `XAI_API_KEY`."""
        return self._use_key(self._stand_in.add_key(name="blocked key", blocked=True))

    def disabled_key(self) -> StandInKey:
        """A known key whose `api_key_disabled` flag is set, now in `XAI_API_KEY`."""
        return self._use_key(self._stand_in.add_key(name="disabled key", disabled=True))

    def _use_key(self, key: str) -> StandInKey:
        key = StandInKey(key)
        self._monkeypatch.setenv(API_KEY_ENV, key)
        return key

    # --- the next answers --------------------------------------------------------------

    def rate_limit(self, times: int = 1) -> None:
        """api.x.ai answers 429 with `Retry-After: 1` (`RateLimitedError`)."""
        self._queue("rate_limit", times)

    def server_error(self, times: int = 1) -> None:
        """api.x.ai answers 503 (`ServerError`)."""
        self._queue("server_error", times)

    def challenge(self, times: int = 1) -> None:
        """grok.com answers Cloudflare's "Just a moment" page (`CloudflareChallengeError`)."""
        self._queue("challenge", times)

    def challenge_empty(self, times: int = 1) -> None:
        """grok.com's Cloudflare answers 403 with an empty body (a challenge, too)."""
        self._queue("challenge_empty", times)

    def http_429(self, times: int = 1) -> None:
        """Cloudflare answers 429 without Retry-After, as it does to a non-browser TLS handshake (next `/rest/`
        request or gateway handshake)."""
        self._queue("http_429", times)

    def anti_bot(self, times: int = 1) -> None:
        """grok.com's gateway rejects the chat with an error event, code 7 (`AntiBotRejectedError`)."""
        self._queue("anti_bot", times)

    def web_rate_limit(self, times: int = 1) -> None:
        """grok.com's gateway reports its rate limit with an error event, code 8 (`RateLimitedError`)."""
        self._queue("web_rate_limit", times)

    def session_expired(self, times: int = 1) -> None:
        """grok.com answers 401, or "unauthenticated" on `/api/auth/session` (`SessionExpiredError`)."""
        self._queue("session_expired", times)

    def account_blocked(self, times: int = 1) -> None:
        """grok.com says "User is blocked [WKE=unauthorized:blocked-user]" (`AccountBlockedError`)."""
        self._queue("account_blocked", times)

    def statsig_stale(self, times: int = 1) -> None:
        """The next `/rest/` request gets 403 "This page is out of date. Reload to continue." whatever it sent."""
        self._queue("statsig_stale", times)

    def update_client(self, times: int = 1) -> None:
        """The next `/rest/` request gets 400 code 3 "Invalid request. Please update your client"."""
        self._queue("update_client", times)

    def gateway_error(self, times: int = 1) -> None:
        """The next gateway chat gets an error event, code 13 "Internal error"."""
        self._queue("gateway_error", times)

    def session_ended(self, times: int = 1) -> None:
        """The next gateway chat ends with `session.ended` before `response.done`."""
        self._queue("session_ended", times)

    def stream_error(self, times: int = 1) -> None:
        """The next gateway chat ends with a failed `response.done` (code 13 "Stream error")."""
        self._queue("stream_error", times)

    # --- the checks grok.com makes ------------------------------------------------------

    def relax(self, *rules: str) -> None:
        """Switch off these grok.com checks for this test (names in `StandIn`'s `WEB_RULES`: "cloudflare",
        "statsig", "origin", "legacy_chat"), e.g. to test a script that builds its own requests step by step."""
        self._stand_in.relax(*rules)

    def _queue(self, switch: str, times: int) -> None:
        if not isinstance(times, int) or isinstance(times, bool) or times < 1:
            raise ValueError(f"times must be a whole number of at least 1, not {times!r}")
        self._stand_in.fail_next(self.QUEUED_SWITCHES[switch], times)

    def __repr__(self) -> str:
        return f"XaiFailures({self._stand_in!r})"


# --- hooks -----------------------------------------------------------------------------


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini(
        OFFLINE_INI, "tests using xai_standin may not leave loopback (default: true)", type="bool", default=True
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}(*names, times=1): flip cookie-session stand-in failure switches before the test "
        f"({', '.join(XaiFailures.SWITCHES)}); needs the xai_standin fixture",
    )


def pytest_assertrepr_compare(config: pytest.Config, op: str, left: object, right: object) -> list[str] | None:
    """A failed comparison with a stand-in key shows fingerprints, not pytest's character diff of the key."""
    if not (isinstance(left, StandInKey) or isinstance(right, StandInKey)):
        return None
    return [
        f"{_masked(left)} {op} {_masked(right)}",
        "(stand-in keys are masked; their fingerprints differ when the keys do)",
    ]


def _masked(value: object) -> str:
    import re

    from ..secret import fingerprint

    if isinstance(value, StandInKey):
        return repr(value)
    text = re.sub(r"xai-\w{20,}", lambda key: fingerprint(key.group()), repr(value))
    return text if len(text) <= 240 else text[:239] + "…"


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """A marker the test cannot act on is an error, not a silently passing test."""
    if item.get_closest_marker(MARKER) is not None and "xai_standin" not in getattr(item, "fixturenames", ()):
        pytest.fail(
            f"@pytest.mark.{MARKER} needs the xai_standin fixture (or xai_client, grok_browser_client, "
            "...): add it to the test's arguments",
            pytrace=False,
        )


# --- fixtures --------------------------------------------------------------------------


@pytest.fixture
def xai_retry_waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Seconds each automatic retry waited, in order: recorded, not slept, for every `GrokClient`
    built without its own `retry=` during the test (the stand-in's 429 says `Retry-After: 1`)."""
    import dataclasses

    from .. import client

    waits: list[float] = []
    monkeypatch.setattr(client, "DEFAULT_RETRY", dataclasses.replace(client.DEFAULT_RETRY, sleep=waits.append))
    return waits


@pytest.fixture
def xai_standin(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, xai_retry_waits: list[float]
) -> Iterator[StandIn]:
    """A running stand-in for api.x.ai and grok.com on 127.0.0.1, with the environment pointed at it."""
    from .standin import StandIn

    if request.config.getini(OFFLINE_INI):
        _refuse_non_loopback(monkeypatch, request.node)
    with StandIn() as stand_in:
        stand_in.api_key = StandInKey(stand_in.api_key)
        monkeypatch.setenv(API_KEY_ENV, stand_in.api_key)
        monkeypatch.setenv(API_BASE_URL_ENV, stand_in.base_url)
        monkeypatch.setenv(WEB_BASE_URL_ENV, stand_in.web_base_url)
        _bypass_proxies_for_loopback(monkeypatch)
        _let_responses_pass(monkeypatch, stand_in)
        _apply_markers(request, XaiFailures(stand_in, monkeypatch))
        yield stand_in


@pytest.fixture
def xai_api_key(xai_standin: StandIn) -> StandInKey:
    """The stand-in's valid key (`xai-` + 80 characters), good only against this test's stand-in."""
    return StandInKey(xai_standin.api_key)  # xai_standin made it one already; this keeps the masked repr whatever


@pytest.fixture
def xai_client(xai_standin: StandIn) -> Iterator[GrokClient]:
    """`GrokClient(resolve_authenticator())`: the client a script builds from the environment."""
    from ..auth.chain import resolve_authenticator
    from ..client import GrokClient

    with GrokClient(resolve_authenticator()) as client:
        yield client


@pytest.fixture
def xai_failures(xai_standin: StandIn, monkeypatch: pytest.MonkeyPatch) -> XaiFailures:
    """Switches for every failure signal of this test's stand-in (see `XaiFailures`)."""
    return XaiFailures(xai_standin, monkeypatch)


@pytest.fixture
def xai_script(xai_standin: StandIn):
    """`xai_standin.script_next`: what the next chat completions or responses answer (text, tool calls, an error)."""
    return xai_standin.script_next


@pytest.fixture
def grok_user_agent() -> str:
    """The browser User-Agent the stand-in's grok.com session is bound to; override it to test yours."""
    from ..user_agents import user_agent_for

    agent = user_agent_for("chromium", 156, "linux")
    assert agent is not None  # a family and version it knows
    return agent


@pytest.fixture
def grok_browser_auth(xai_standin: StandIn, grok_user_agent: str) -> BrowserCookieAuthenticator:
    """A `BrowserCookieAuthenticator` holding a logged-in grok.com session of the stand-in.

    The cookies are throwaway, so the locality check is skipped (`LocalityVerdict.assume_local()`,
    it works in CI too) and its `BrowserCookieWarning` is swallowed, even under `-W error`.
    """
    from ..auth.browser import BrowserCookieAuthenticator
    from ..errors import BrowserCookieWarning
    from ..policy import LocalityVerdict

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", BrowserCookieWarning)
        return BrowserCookieAuthenticator.from_cookies(
            xai_standin.web_cookies(grok_user_agent),
            user_agent=grok_user_agent,
            source="stand-in browser",
            unsafe_browser_cookies=True,
            verdict=LocalityVerdict.assume_local(),
        )


@pytest.fixture
def grok_browser_client(xai_standin: StandIn, grok_browser_auth: BrowserCookieAuthenticator) -> Iterator[GrokClient]:
    """A `GrokClient` on the stand-in's grok.com side, through `grok_browser_auth`."""
    from ..client import GrokClient

    with GrokClient(grok_browser_auth, web_base_url=xai_standin.web_base_url) as client:
        yield client


# --- helpers ---------------------------------------------------------------------------


def _apply_markers(request: pytest.FixtureRequest, failures: XaiFailures) -> None:
    """Flip the switches named by `xai_failure` markers, outermost (module, class) first."""
    for marker in reversed(list(request.node.iter_markers(MARKER))):
        if not marker.args:
            pytest.fail(
                f"@pytest.mark.{MARKER} needs at least one failure name: {', '.join(XaiFailures.SWITCHES)}",
                pytrace=False,
            )
        for name in marker.args:
            try:
                failures.switch(name, **marker.kwargs)
            except (TypeError, ValueError) as exc:
                pytest.fail(f"@pytest.mark.{MARKER}({name!r}): {exc}", pytrace=False)


def _bypass_proxies_for_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    """Requests to the stand-in never go through a proxy set in the environment."""
    current = os.environ.get("no_proxy") or os.environ.get("NO_PROXY") or ""
    value = ",".join(part for part in (current, *LOOPBACK_NAMES) if part)
    monkeypatch.setenv("no_proxy", value)
    monkeypatch.setenv("NO_PROXY", value)


def _let_responses_pass(monkeypatch: pytest.MonkeyPatch, stand_in: StandIn) -> None:
    """When the test uses `responses`, requests to the stand-in pass through its mocks to the real server.

    Every `RequestsMock` handling a request during the test (`@responses.activate`, `with
    responses.RequestsMock()`, `responses.start()`, or one a fixture started before the stand-in) treats
    the stand-in's two origins as pass-through prefixes for that request only, so the mock itself is left
    as it was; a mock registered for a stand-in URL still wins. Nothing happens when `responses` was never
    imported."""
    import sys

    responses = sys.modules.get("responses")
    if responses is None or not hasattr(responses, "RequestsMock"):
        return
    prefixes = tuple(f"{url.split('/v1', 1)[0]}/" for url in (stand_in.base_url, stand_in.web_base_url))
    real_on_request = responses.RequestsMock._on_request

    def on_request(mock, adapter, request, **kwargs):
        own = mock.passthru_prefixes
        mock.passthru_prefixes = (*own, *(prefix for prefix in prefixes if prefix not in own))
        try:
            return real_on_request(mock, adapter, request, **kwargs)
        finally:
            mock.passthru_prefixes = own

    monkeypatch.setattr(responses.RequestsMock, "_on_request", on_request)


def _refuse_non_loopback(monkeypatch: pytest.MonkeyPatch, node: pytest.Item) -> None:
    """Make every connection outside loopback fail with `OfflineError` for this test (see `offline`)."""
    from .offline import refuse_non_loopback

    refuse_non_loopback(
        monkeypatch,
        lambda message: node.add_report_section("call", "xai offline", message),
        allow=f"set `{OFFLINE_INI} = false` in the pytest ini options to allow it",
    )
