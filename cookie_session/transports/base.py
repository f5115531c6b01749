"""What both transports share: sending a request (redirects and retries by our rules), reading
bounded replies, and turning `requests` failures into ours.

Redirects: requests never follows them for us. At most `MAX_REDIRECTS` hops to the *same
origin* (scheme, host, port) are followed, the authenticator re-applied on each; a redirect to
any other origin (another host or port, https->http) raises `UnsafeRedirectError` before
anything is sent there. Origins are decided by the parser that sends the request
(`policy.url_target`), and a Location on which parsers could disagree is refused.

Proxies: loopback traffic never goes through one, whatever HTTP_PROXY/ALL_PROXY say; a plain-http
request through a proxy (which would see the credential) is refused.

Time and size: see `_limits` (progress timeout, whole-reply bound, overall deadline, answer cap).

Retries (`RetryPolicy`): a request that only reads is retried on 429 and 503; chat only on 429,
the one answer that says the request was not processed. Nothing is retried after a timeout, a
reset connection, or once a reply has started streaming.
"""

from __future__ import annotations

import abc
import contextlib
import itertools
import math
import time
from collections.abc import Iterator
from urllib.parse import urljoin, urlsplit

import requests

from ..errors import BadInputError, BadResponseError, PolicyError, UnsafeRedirectError
from ..policy import is_loopback_host, url_target
from ..results import ChatResult, ChatStream, Identity, Model
from ..settings import DEFAULT_DEADLINE, DEFAULT_MAX_ANSWER_BYTES
from ._limits import (
    WHOLE_REPLY_FACTOR,
    AnswerBudget,
    Watchdog,
    call_deadline,
    check_deadline,
    positive_limit,
    read_timeout,
)
from .replies import (
    MAX_BODY_BYTES,
    MAX_ERROR_BODY_BYTES,
    iter_lines,
    load_body,
    shown_url,
    translate_transport_errors,
)
from .retry import RetryPolicy, retry_after_seconds

__all__ = [
    "Transport",
    "send",
    "shown_url",
    "proxies_for",
    "connection_settings",
    "load_whole_body",
    "MAX_REDIRECTS",
    "READ_RETRY_STATUSES",
    "CHAT_RETRY_STATUSES",
]

MAX_REDIRECTS = 5
READ_RETRY_STATUSES = frozenset({429, 503})
CHAT_RETRY_STATUSES = frozenset({429})


class StreamLines:
    """The lines of a streamed reply under a `Watchdog`. Only content is progress: the transport calls
    `progress()` when a line carried a piece of the answer (a token, reasoning, the final text or usage);
    blank lines, SSE comments and pings, `{}` and other content-free objects keep nothing alive."""

    def __init__(self, response: requests.Response, watchdog: Watchdog) -> None:
        self._response = response
        self._watchdog = watchdog

    def __iter__(self) -> Iterator[bytes]:
        with self._watchdog:
            yield from iter_lines(self._response, watchdog=self._watchdog, lines_are_progress=False)

    def progress(self) -> None:
        self._watchdog.progress()


class Transport(abc.ABC):
    """Base of the per-service transports: one prepared session, one root URL, one error mapper.

    The client speaks to a service only through this interface: `chat`, `stream`, `models`,
    `whoami`. Subclasses set `chat_path` and implement those and `raise_for_error(response)`,
    called for every reply of status 400 or more, with at most `MAX_ERROR_BODY_BYTES` of its body loaded.
    A new service is one subclass (see api.py and web.py).
    """

    chat_path: str

    def __init__(
        self,
        session: requests.Session,
        base_url: str,
        *,
        auth_kind: str,
        timeout,
        retry: RetryPolicy,
        verify=None,
        deadline: float = DEFAULT_DEADLINE,
        max_answer_bytes: int = DEFAULT_MAX_ANSWER_BYTES,
    ) -> None:
        self.session = session
        self.base_url = base_url
        self.auth_kind = auth_kind
        self.timeout = timeout
        self.retry = retry
        self.deadline = positive_limit("deadline", deadline)
        self.max_answer_bytes = positive_limit("max_answer_bytes", max_answer_bytes, whole=True)
        self._options = {} if verify is None else {"verify": verify}

    def call_deadline(self) -> float:
        """The monotonic time by which a call starting now must be over."""
        return call_deadline(self.deadline)

    def answer_budget(self, url: str) -> AnswerBudget:
        return AnswerBudget(self.max_answer_bytes, shown_url(url))

    def lines(self, response: requests.Response, deadline: float) -> StreamLines:
        """A streamed reply's lines, under the progress timeout and the call's deadline; the transport
        calls `progress()` on them when a line carried part of the answer (see `StreamLines`)."""
        dog = Watchdog(response, idle=read_timeout(self.timeout), deadline=deadline, url=shown_url(response.url))
        return StreamLines(response, dog)

    def close(self) -> None:  # noqa: B027 - a hook with nothing to do by default, not an abstract method
        """Release what the transport holds besides the session (nothing, unless a subclass says so)."""

    @property
    def chat_url(self) -> str:
        """Where `chat` sends its request."""
        return f"{self.base_url}{self.chat_path}"

    @classmethod
    def for_client(cls, authenticator, session: requests.Session, base_url: str, **options) -> Transport:
        """The transport `GrokClient` uses for `authenticator` on its prepared `session`; `options` are the
        client's limits and settings (a transport takes those it knows, `keep_web_history` among them)."""
        options.pop("keep_web_history", None)
        return cls(session, base_url, auth_kind=authenticator.kind, **options)

    @abc.abstractmethod
    def raise_for_error(self, response: requests.Response) -> None:
        """Raise the `CookieSessionError` this error reply (status >= 400) means."""

    @abc.abstractmethod
    def chat(self, messages: list[dict], *, model: str | None, max_tokens: int | None) -> ChatResult:
        """One whole answer."""

    @abc.abstractmethod
    def stream(self, messages: list[dict], *, model: str | None, max_tokens: int | None) -> ChatStream:
        """The answer as it arrives."""

    @abc.abstractmethod
    def models(self) -> list[Model]:
        """The models this credential can use."""

    @abc.abstractmethod
    def whoami(self) -> Identity:
        """Who the credential speaks for, without the credential."""

    def _request(
        self,
        method: str,
        path: str,
        *,
        retry_on: frozenset[int] = READ_RETRY_STATUSES,
        stream: bool = False,
        deadline: float | None = None,
        **kwargs,
    ) -> requests.Response:
        """Send, following same-origin redirects and retrying `retry_on` statuses by `self.retry`,
        all before `deadline` (monotonic; default: the call's deadline from now).

        Returns a reply below 400: streaming (`stream=True`) or with its body loaded (at most
        `MAX_BODY_BYTES`, whole within `WHOLE_REPLY_FACTOR` read timeouts). Raises the subclass's
        error for anything else.
        """
        deadline = self.call_deadline() if deadline is None else deadline
        waited = 0.0
        for retry in itertools.count():
            response = self._send(method, f"{self.base_url}{path}", deadline=deadline, **kwargs)
            if response.status_code < 400:
                if not stream:
                    with _closed_on_error(response):
                        self._load(response, MAX_BODY_BYTES, deadline)
                return response
            wait = None
            if response.status_code in retry_on:
                wait = self.retry.wait(retry, retry_after_seconds(response.headers.get("Retry-After")), waited)
                if wait is not None and wait >= deadline - time.monotonic():
                    wait = None  # the deadline would pass while waiting: the error now instead
            with response:
                if wait is None:
                    self._load(response, MAX_ERROR_BODY_BYTES, deadline, truncate=True)
                    self.raise_for_error(response)  # raises for every status of 400 or more
            assert wait is not None  # raise_for_error raised otherwise
            self.retry.sleep(wait)
            waited += wait
        raise AssertionError("unreachable")  # itertools.count() never ends

    def _load(self, response: requests.Response, limit: int, deadline: float, *, truncate: bool = False) -> None:
        load_whole_body(response, limit, self.timeout, deadline, truncate=truncate)

    def _send(self, method: str, url: str, *, deadline: float, **kwargs) -> requests.Response:
        """One request and its same-origin redirects; `UnsafeRedirectError` for any other origin."""
        origin = _origin(url)
        for _hop in range(MAX_REDIRECTS + 1):
            timeout = _within(self.timeout, check_deadline(deadline, shown_url(url)))
            response = send(
                self.session,
                method,
                url,
                timeout=timeout,
                allow_redirects=False,
                stream=True,
                hooks={"response": lambda reply, **_: self._bounded_redirect_body(reply, deadline)},
                **self._options,
                **kwargs,
            )
            if not response.is_redirect:
                return response
            response.close()
            try:
                target = urljoin(url, response.headers["Location"])
                target_origin = url_target(target, what="redirect Location").origin
            except ValueError:  # a backslash or control character, an unclosed '[', a port out of range
                raise UnsafeRedirectError(
                    f"{origin} redirected to a Location that is not a valid URL, or one on "
                    "which URL parsers disagree; not followed"
                ) from None
            if target_origin != origin:
                raise UnsafeRedirectError(
                    f"{origin} redirected to {target_origin}; not followed, so no credential was sent there",
                    hint="Check the base URL; credentials only ever go to the origin you configured",
                )
            if response.status_code == 303 or (response.status_code in (301, 302) and method == "POST"):
                method, kwargs = "GET", {k: v for k, v in kwargs.items() if k not in ("json", "data")}
            url = target
        raise BadResponseError(f"{origin} redirected more than {MAX_REDIRECTS} times")

    def _bounded_redirect_body(self, response: requests.Response, deadline: float) -> requests.Response:
        """A response hook: requests reads a redirect's whole body (to release the connection) even with
        `allow_redirects=False`; load at most `MAX_ERROR_BODY_BYTES` of it first, so it reads no more."""
        if response.is_redirect:
            self._load(response, MAX_ERROR_BODY_BYTES, deadline, truncate=True)
        return response


def load_whole_body(response: requests.Response, limit: int, timeout, deadline: float, *, truncate: bool = False):
    """`load_body`, the whole body within `WHOLE_REPLY_FACTOR` read timeouts of `timeout` and before `deadline`
    (a monotonic time; `math.inf` for none)."""
    within = WHOLE_REPLY_FACTOR * read_timeout(timeout)
    whole_by = min(deadline, time.monotonic() + within)
    with Watchdog(
        response,
        idle=math.inf,
        deadline=whole_by,
        url=shown_url(response.url),
        whole_reply_within=within if whole_by < deadline else None,
    ) as dog:
        load_body(response, limit, truncate=truncate, watchdog=dog)


def _within(timeout, seconds_left: float):
    """`timeout` with its read part cut to the seconds left before the deadline."""
    connect, read = timeout if isinstance(timeout, tuple) else (timeout, timeout)
    read = seconds_left if read is None else min(read, seconds_left)
    return (connect if connect is None else min(connect, seconds_left), read)


@contextlib.contextmanager
def _closed_on_error(response: requests.Response) -> Iterator[None]:
    try:
        yield
    except BaseException:
        response.close()
        raise


def _origin(url: str) -> str:
    """`scheme://host:port` where requests sends `url` (see `policy.url_target`)."""
    return url_target(url).origin


def proxies_for(session: requests.Session, url: str) -> dict:
    """The `proxies` argument that sends `url` as our rules say: loopback never through a proxy (whatever
    the environment or `session.proxies` say); otherwise requests' own choice, except that plain http
    through a proxy is refused with `PolicyError` (the proxy would read the credential)."""
    target = url_target(url)
    proxies: dict[str, str | None] = {}
    if is_loopback_host(target.host):
        hosts = {target.host, urlsplit(url).hostname or target.host}
        proxies = {
            key: None for host in hosts for scheme in ("http", "https", "all") for key in (scheme, f"{scheme}://{host}")
        }
    settings = session.merge_environment_settings(url, dict(proxies), True, None, None)  # type: ignore[arg-type]
    merged = settings["proxies"]
    proxy = requests.utils.select_proxy(url, merged)
    if proxy and is_loopback_host(target.host):  # cannot happen: every key that could select one is None
        raise PolicyError(f"A proxy would carry the request to {target.origin}; refused")
    if proxy and target.scheme == "http":
        raise PolicyError(
            f"A proxy is set for plain-http {target.origin}; the credential would reach the proxy in clear text",
            hint="Use https://, or unset HTTP_PROXY/ALL_PROXY (or add the host to NO_PROXY)",
        )
    return proxies


def connection_settings(session: requests.Session, url: str, verify=None) -> tuple[str | None, bool | str | None]:
    """The proxy (None for none) and the `verify` value requests would use for `url` under our proxy rules
    (`proxies_for`), for a connection made outside requests (the chat WebSocket)."""
    settings = session.merge_environment_settings(url, proxies_for(session, url), False, verify, None)
    proxy = None if is_loopback_host(url_target(url).host) else requests.utils.select_proxy(url, settings["proxies"])
    return proxy, settings["verify"]


def send(session: requests.Session, method: str, url: str, *, timeout, **kwargs) -> requests.Response:
    """Send one request (proxies chosen by `proxies_for`); map timeouts and connection failures to our
    `TransportError`s."""
    with translate_transport_errors(url):
        try:
            return session.request(method, url, timeout=timeout, proxies=proxies_for(session, url), **kwargs)
        except UnicodeEncodeError:  # http.client sends header values as Latin-1
            raise BadInputError(
                "A request header holds characters HTTP/1.1 cannot send", hint="Keep header values to printable ASCII"
            ) from None
        except ValueError as exc:  # requests parses a redirect's Location even with allow_redirects=False
            if isinstance(exc, requests.exceptions.RequestException):
                raise
            raise BadResponseError(
                f"{shown_url(url)} answered with a redirect Location that is not a valid URL"
            ) from None
