"""A local stand-in for api.x.ai and grok.com on loopback: real sockets, the real endpoints' shapes and errors.

For the offline demo, end-to-end tests, and users testing their own scripts::

    with StandIn() as stand_in:
        client = GrokClient(ApiKeyAuthenticator(stand_in.api_key), base_url=stand_in.base_url)

The grok.com side (`web_base_url`) is today's web app (see `web_side` and docs/grok-com-rules.md): the page
with its statsig seed, signed `x-statsig-id` verified on `/rest/`, modes, `/api/auth/session`, and chat over the
`/ws/mgw/` WebSocket gateway on the same port. It serves HTTPS with a throwaway certificate when `web_tls=True`
(needs `trustme`, in the `test` extra); `ca_file` is then the CA to trust.
"""

from __future__ import annotations

import collections
import os
import random
import secrets
import signal
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

from ._server import DROP_MODES, ServerThread
from .answers import ScriptedAnswer, answer_for_tool_results
from .api_side import API_FAILURES, STANDIN_MODELS, ApiHandler, KeyRecord, answer_for, make_test_key
from .client_hello import ClientHello
from .gateway import GatewayEvent, checked_script
from .grok_site import SiteBuild
from .responses_api import ResponseStore
from .statsig import sign
from .web_side import (
    CF_BM_MAX_AGE,
    SESSION_MAX_AGE,
    WEB_FAILURES,
    WEB_MODELS,
    WEB_MODES,
    WEB_RULES,
    StandInCookie,
    WebHandler,
    WebSession,
)

__all__ = [
    "StandIn",
    "StandInCookie",
    "make_test_key",
    "answer_for",
    "answer_for_tool_results",
    "STANDIN_MODELS",
    "WEB_MODELS",
    "WEB_MODES",
    "GatewayEvent",
    "FAILURES",
    "DROP_MODES",
    "WEB_RULES",
]

#: The most bytes of method, path and headers `requests` keeps (the oldest requests are forgotten first).
HISTORY_BYTES = 4 << 20

FAILURES = {
    **{name: "api" for name in API_FAILURES},
    **{name: "web" for name in WEB_FAILURES},
    **{name: "any" for name in DROP_MODES},
}


class StandIn:
    """Both stand-ins, served from threads on 127.0.0.1. Use as a context manager.

    `api_key` is a fresh valid key; `add_key()` makes more (blocked, disabled, other ACLs).
    `web_login(user_agent)` opens a grok.com session as the login page would.
    `script_next(...)` sets what the next answers of `/v1/chat/completions` and `/v1/responses` are
    (text, tool calls or an error); otherwise `answers` decides (`answer_for(prompt)`, tool calls, JSON).
    `fail_next(name, times)` makes the next answers fail; names in `FAILURES` (the `DROP_MODES`
    cut the next connection of either side). `drop_rate` drops that fraction of all requests at
    random, in a random one of the `DROP_MODES` (`seed` makes the choice repeatable); `drops`
    lists `(mode, path)` for every connection dropped. `requests` lists `(method, path, headers)` of
    the last `history` requests, at most `HISTORY_BYTES` of them (older ones are forgotten, so a
    long-running stand-in stays small; `_server` bounds each request and the connections too);
    `client_hellos[i]` is the fingerprint of the TLS ClientHello of the connection request `i` came
    over (None over plain HTTP).

    The grok.com side is as strict as grok.com (see `web_side`): `relax` names checks to switch
    off (from `WEB_RULES`: "cloudflare", "statsig", "origin", "legacy_chat"), here or later with `relax()`.
    `site` is the web app's current build (statsig seed and curves, from `seed` when given);
    `rotate_site()` deploys a new one, so signed statsig values made for the old one are "out of date".
    `sign_statsig(method, path)` signs as the web app would for the current build. `script_gateway(frames)`
    replaces the next gateway answers; `gateway_events` and `saved_conversations` record the gateway's clients.

    Started from the main thread, a SIGTERM (or a SIGHUP, the terminal closing, unless it is ignored as under
    `nohup`) stops it like Ctrl-C does (`SystemExit` in the main thread), so `with StandIn():` still removes
    its temp directory; the previous handlers are back after `stop()`.
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        web_port: int = 0,
        web_tls: bool = False,
        models: tuple[str, ...] = STANDIN_MODELS,
        stream_delay: float = 0.0,
        drop_rate: float = 0.0,
        seed: int | None = None,
        relax: tuple[str, ...] = (),
        history: int = 1000,
    ) -> None:
        if not 0.0 <= drop_rate <= 1.0:
            raise ValueError(f"drop_rate must be between 0 and 1, not {drop_rate}")
        if isinstance(history, bool) or not isinstance(history, int) or history < 0:
            raise ValueError(f"history must be a whole number of at least 0, not {history!r}")
        self.models = models
        self.stream_delay = stream_delay
        #: Called with `METHOD path status` for each request answered (`cookie-session serve --verbose`).
        self.request_log: Callable[[str], None] | None = None
        self.drop_rate = drop_rate
        self.drops: list[tuple[str, str]] = []
        self._random = random.Random(seed)
        self._site_random = random.Random(f"grok-site:{seed}") if seed is not None else random.SystemRandom()
        self.site = SiteBuild.random(self._site_random)
        self._gateway_scripts: list[tuple] = []
        self._gateway_events: collections.deque[GatewayEvent] = collections.deque(maxlen=history)
        self._saved_conversations: collections.deque[str] = collections.deque(maxlen=history)
        self.keys: dict[str, KeyRecord] = {}
        self.api_key = self.add_key(name="stand-in key")
        self.web_sessions: dict[str, WebSession] = {}
        self.cf_clearances: dict[str, str] = {}
        self.cf_bms: dict[str, float] = {}
        self.relaxed: frozenset[str] = frozenset()
        self.relax(*relax)
        self._history_size = history
        self._history: collections.deque[tuple[str, str, dict, ClientHello | None, int]] = collections.deque()
        self._history_bytes = 0
        self._previous_sigterm: Any = None
        self._previous_sighup: Any = None
        self._failures: dict[str, list[str]] = {"api": [], "web": [], "any": []}
        self._scripts: collections.deque[ScriptedAnswer] = collections.deque()
        #: Responses stored by `POST /v1/responses` (the newest 1000), for `previous_response_id` and `GET`.
        self.responses = ResponseStore()
        self._lock = threading.Lock()
        self._tmpdir = tempfile.TemporaryDirectory(prefix="cookie-session-standin-")
        self.ca_file: str | None = None
        self._api = ServerThread(type("Api", (ApiHandler,), {"standin": self}), host, port)
        self._web = ServerThread(
            type("Web", (WebHandler,), {"standin": self}), host, web_port, self._tls_context() if web_tls else None
        )
        self._host = host
        self.web_tls = web_tls

    def _tls_context(self):
        try:
            import trustme
        except ImportError:  # pragma: no cover - trustme ships with the test extra
            raise RuntimeError("web_tls=True needs trustme: pip install 'cookie-session[test]'") from None
        import ssl

        authority = trustme.CA()
        certificate = authority.issue_cert("grok.com", "*.grok.com", "localhost", "127.0.0.1", "::1")
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        certificate.configure_cert(context)
        self.ca_file = os.path.join(self._tmpdir.name, "ca.pem")
        authority.cert_pem.write_to_path(self.ca_file)
        return context

    @property
    def base_url(self) -> str:
        """The api.x.ai stand-in's root, e.g. http://127.0.0.1:PORT/v1."""
        return f"http://{self._host}:{self._api.port}/v1"

    @property
    def web_base_url(self) -> str:
        """The grok.com stand-in's root on loopback, e.g. https://127.0.0.1:PORT."""
        return f"{'https' if self.web_tls else 'http'}://{self._host}:{self._web.port}"

    @property
    def web_port(self) -> int:
        return self._web.port

    def add_key(
        self,
        *,
        name: str = "test key",
        team_id: str = "standin-team",
        acls: tuple[str, ...] | None = None,
        blocked: bool = False,
        disabled: bool = False,
    ) -> str:
        """Register a new API key and return it."""
        key = make_test_key()
        self.keys[key] = KeyRecord(
            name, team_id, blocked=blocked, disabled=disabled, **({"acls": tuple(acls)} if acls is not None else {})
        )
        return key

    def web_login(self, user_agent: str) -> tuple[str, str, str]:
        """Open a grok.com session bound to `user_agent`; returns (sso, cf_clearance, x-userid)."""
        sso, cf_clearance, user_id = secrets.token_urlsafe(32), secrets.token_urlsafe(32), str(uuid.uuid4())
        with self._lock:
            self.web_sessions[sso] = WebSession(user_id, user_agent)
            self.cf_clearances[cf_clearance] = user_agent
        return sso, cf_clearance, user_id

    def issue_cf_bm(self) -> str:
        """A fresh `__cf_bm` bot-management cookie value, valid for 30 minutes as Cloudflare's is."""
        value = secrets.token_urlsafe(32)
        with self._lock:
            self.cf_bms[value] = time.time() + CF_BM_MAX_AGE
        return value

    def relax(self, *rules: str) -> None:
        """Switch off these grok.com checks (names in `WEB_RULES`) for the rest of this stand-in's life."""
        unknown = [rule for rule in rules if rule not in WEB_RULES]
        if unknown:
            raise ValueError(f"unknown stand-in rule {unknown[0]!r}; choose from {', '.join(WEB_RULES)}")
        self.relaxed = self.relaxed | frozenset(rules)

    def web_cookies(self, user_agent: str, *, expires_in: float = SESSION_MAX_AGE) -> list[StandInCookie]:
        """A logged-in browser's grok.com cookies (every one the login page sets), for
        `BrowserCookieAuthenticator.from_cookies`."""
        sso, cf_clearance, user_id = self.web_login(user_agent)
        expires = time.time() + expires_in
        return [
            StandInCookie("sso", sso, expires=expires),
            StandInCookie("sso-rw", sso, expires=expires),
            StandInCookie("x-userid", user_id, http_only=False, expires=expires),
            StandInCookie("cf_clearance", cf_clearance, expires=time.time() + 31536000),
            StandInCookie("__cf_bm", self.issue_cf_bm(), expires=time.time() + CF_BM_MAX_AGE),
            StandInCookie("_cfuvid", secrets.token_urlsafe(30)),
        ]

    def fail_next(self, failure: str, times: int = 1) -> None:
        """Make the next `times` requests that can fail this way fail with `failure`."""
        if failure not in FAILURES:
            raise ValueError(f"unknown failure {failure!r}; choose from {sorted(FAILURES)}")
        with self._lock:
            self._failures[FAILURES[failure]].extend([failure] * times)

    def script_next(
        self,
        text: str | None = None,
        *,
        tool_calls: list | None = None,
        error: tuple[int, str] | None = None,
        times: int = 1,
    ) -> None:
        """Make the next `times` answers of chat completions or responses exactly one of: `text`; `tool_calls`,
        a list of function names or `(name, arguments)` pairs (arguments None: made valid for the function's
        declared parameters; the request must declare the function, else it is answered 400); or `error`,
        `(status, message)` answered in api.x.ai's error shape. `n` choices all get the same script;
        `stop` and token limits still cut a scripted text."""
        if sum(value is not None for value in (text, tool_calls, error)) != 1:
            raise ValueError("script_next takes exactly one of text, tool_calls or error")
        if isinstance(times, bool) or not isinstance(times, int) or times < 1:
            raise ValueError(f"times must be a whole number of at least 1, not {times!r}")
        if text is not None and not isinstance(text, str):
            raise ValueError(f"text must be a string, not {type(text).__name__}")
        script = ScriptedAnswer(text=text, tool_calls=_scripted_calls(tool_calls), error=_scripted_error(error))
        with self._lock:
            self._scripts.extend([script] * times)

    def take_script(self) -> ScriptedAnswer | None:
        """Called by the API side: the next scripted answer, removed from the queue; None when none is queued."""
        with self._lock:
            return self._scripts.popleft() if self._scripts else None

    def take_failure(self, side: str, only: tuple[str, ...] | None = None) -> str | None:
        """Called by the handlers: the first queued failure for `side` ("api" or "web") among `only` (any if
        None), removed from the queue; None when nothing is queued."""
        with self._lock:
            queue = self._failures[side]
            for index, failure in enumerate(queue):
                if only is None or failure in only:
                    return queue.pop(index)
        return None

    def take_drop(self, path: str) -> str | None:
        """The drop mode for the request now being answered (a queued one first), or None."""
        with self._lock:
            mode = self._failures["any"].pop(0) if self._failures["any"] else None
            if mode is None and self.drop_rate and self._random.random() < self.drop_rate:
                mode = self._random.choice(DROP_MODES)
            if mode is not None:
                self.drops.append((mode, path))
        return mode

    # --- the web app's build and its statsig --------------------------------------------------

    def rotate_site(self) -> SiteBuild:
        """Deploy a new build of the web app: a new seed and new curves on the page (old statsig values go stale)."""
        with self._lock:
            self.site = SiteBuild.random(self._site_random)
            return self.site

    def sign_statsig(self, method: str, path: str, *, now: float | None = None) -> str:
        """The `x-statsig-id` the web app of the current build sends for `method path` at `now` (default: now)."""
        return sign(method, path, self.site, now=now)

    # --- the gateway ------------------------------------------------------------------------------

    def script_gateway(self, frames, times: int = 1) -> None:
        """The next `times` gateway chats send, after `response.create`, exactly `frames` instead of the answer:
        dicts (JSON; `session_id` added when absent), str/bytes (raw text frames), `("sleep", seconds)` or
        `("close", code)`."""
        if isinstance(times, bool) or not isinstance(times, int) or times < 1:
            raise ValueError(f"times must be a whole number of at least 1, not {times!r}")
        script = checked_script(frames)
        with self._lock:
            self._gateway_scripts.extend([script] * times)

    def take_gateway_script(self) -> tuple | None:
        """Called by the gateway: the next scripted answer, removed from the queue; None when none is queued."""
        with self._lock:
            return self._gateway_scripts.pop(0) if self._gateway_scripts else None

    @property
    def gateway_events(self) -> list[GatewayEvent]:
        """Every client event the gateway parsed (the last `history`), in order, with the time it arrived."""
        with self._lock:
            return list(self._gateway_events)

    @property
    def saved_conversations(self) -> list[str]:
        """The prompts of gateway chats whose `session.create` had `is_temporary` false (kept in history)."""
        with self._lock:
            return list(self._saved_conversations)

    def record_gateway_event(self, event: GatewayEvent) -> None:
        with self._lock:
            self._gateway_events.append(event)

    def record_saved_conversation(self, prompt: str) -> None:
        with self._lock:
            self._saved_conversations.append(prompt)

    @property
    def requests(self) -> list[tuple[str, str, dict]]:
        """The last `history` requests, oldest first, as `(method, path, headers)` (a copy)."""
        with self._lock:
            return [(method, path, headers) for method, path, headers, _hello, _size in self._history]

    @property
    def client_hellos(self) -> list[ClientHello | None]:
        """Index-aligned with `requests`: the TLS ClientHello of the connection each arrived on (None: plain HTTP)."""
        with self._lock:
            return [hello for *_request, hello, _size in self._history]

    def record_request(self, method: str, path: str, headers, client_hello: ClientHello | None = None) -> None:
        """Called by the handlers: add one request to `requests` (and its ClientHello to `client_hellos`),
        forgetting the oldest past `history` requests or `HISTORY_BYTES` of their method, path and headers."""
        kept = dict(headers.items())
        size = len(method) + len(path) + sum(len(name) + len(value) for name, value in kept.items())
        with self._lock:
            self._history.append((method, path, kept, client_hello, size))
            self._history_bytes += size
            while self._history and (len(self._history) > self._history_size or self._history_bytes > HISTORY_BYTES):
                self._history_bytes -= self._history.popleft()[-1]

    def start(self) -> StandIn:
        self._api.start()
        self._web.start()
        if threading.current_thread() is threading.main_thread():
            self._previous_sigterm = signal.signal(signal.SIGTERM, _exit_on_sigterm)
            if signal.getsignal(signal.SIGHUP) == signal.SIG_DFL:  # not when ignored (nohup)
                self._previous_sighup = signal.signal(signal.SIGHUP, _exit_on_sigterm)
        return self

    def stop(self) -> None:
        try:
            self._api.stop()
            self._web.stop()
        finally:
            self._tmpdir.cleanup()
            if self._previous_sigterm is not None:
                signal.signal(signal.SIGTERM, self._previous_sigterm)
                self._previous_sigterm = None
            if self._previous_sighup is not None:
                signal.signal(signal.SIGHUP, self._previous_sighup)
                self._previous_sighup = None

    def __enter__(self) -> StandIn:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"StandIn(api={self.base_url}, web={self.web_base_url})"


def _scripted_calls(calls: list | None) -> tuple[tuple[str, dict | None], ...]:
    if calls is None:
        return ()
    if not isinstance(calls, list) or not calls:
        raise ValueError("tool_calls must be a non-empty list of names or (name, arguments) pairs")
    found = []
    for call in calls:
        name, arguments = (call, None) if isinstance(call, str) else (tuple(call) + (None,))[:2]
        if not isinstance(name, str) or not (arguments is None or isinstance(arguments, dict)):
            raise ValueError(f"a scripted tool call is a name or (name, arguments dict), not {call!r}")
        found.append((name, arguments))
    return tuple(found)


def _scripted_error(error: tuple[int, str] | None) -> tuple[int, str] | None:
    if error is None:
        return None
    status, message = error
    if (
        isinstance(status, bool)
        or not isinstance(status, int)
        or not 400 <= status <= 599
        or not isinstance(message, str)
    ):
        raise ValueError(f"error must be (status 400-599, message), not {error!r}")
    return status, message


def _exit_on_sigterm(signum, frame) -> None:
    raise SystemExit(128 + signum)
