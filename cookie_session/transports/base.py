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

import contextlib
import itertools
import json
import math
import time
from typing import Iterator
from urllib.parse import urljoin, urlsplit

import requests
import urllib3

from ..errors import (
    BadInputError, BadResponseError, ConnectionFailedError, PolicyError, RequestTimeoutError, TransportError,
    UnsafeRedirectError,
)
from ..policy import is_loopback_host, url_target
from ..settings import DEFAULT_TIMEOUT
from ._limits import (
    DEFAULT_DEADLINE, DEFAULT_MAX_ANSWER_BYTES, WHOLE_REPLY_FACTOR, AnswerBudget, Watchdog, call_deadline,
    check_deadline, positive_limit, read_timeout,
)
from .retry import NO_RETRIES, RetryPolicy, retry_after_seconds

__all__ = ["RetryPolicy", "NO_RETRIES", "retry_after_seconds", "Transport", "send", "load_body", "iter_lines",
           "json_body", "streamed_json_object", "translate_transport_errors", "ended_early", "shown_url",
           "proxies_for"]

MAX_REDIRECTS = 5
MAX_BODY_BYTES = 10 * 2**20      # a whole (non-streamed) reply: model lists and answers are far smaller
MAX_ERROR_BODY_BYTES = 64 * 2**10  # what an error reply is read for its message
MAX_LINE_BYTES = 2**20           # one streamed line (an SSE field, an NDJSON object)
READ_RETRY_STATUSES = frozenset({429, 503})
CHAT_RETRY_STATUSES = frozenset({429})
_CHUNK = 64 * 2**10




class Transport:
    """Base of the per-service transports: one prepared session, one root URL, one error mapper.

    Subclasses set `chat_path` and `raise_for_error(response)`, called for every reply of
    status 400 or more, with at most `MAX_ERROR_BODY_BYTES` of its body loaded.
    """

    chat_path: str

    def __init__(self, session: requests.Session, base_url: str, *, auth_kind: str, timeout, retry: RetryPolicy,
                 verify=None, deadline: float = DEFAULT_DEADLINE,
                 max_answer_bytes: int = DEFAULT_MAX_ANSWER_BYTES) -> None:
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

    def lines(self, response: requests.Response, deadline: float) -> Iterator[bytes]:
        """A streamed reply's lines, under the progress timeout and the call's deadline (see `iter_lines`)."""
        with Watchdog(response, idle=read_timeout(self.timeout), deadline=deadline, url=shown_url(response.url)) as dog:
            yield from iter_lines(response, watchdog=dog)

    def raise_for_error(self, response: requests.Response) -> None:
        raise NotImplementedError

    def _request(self, method: str, path: str, *, retry_on: frozenset[int] = READ_RETRY_STATUSES,
                 stream: bool = False, deadline: float | None = None, **kwargs) -> requests.Response:
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
                    wait = None   # the deadline would pass while waiting: the error now instead
            with response:
                if wait is None:
                    self._load(response, MAX_ERROR_BODY_BYTES, deadline, truncate=True)
                    self.raise_for_error(response)  # raises for every status of 400 or more
            assert wait is not None   # raise_for_error raised otherwise
            self.retry.sleep(wait)
            waited += wait
        raise AssertionError("unreachable")   # itertools.count() never ends

    def _load(self, response: requests.Response, limit: int, deadline: float, *, truncate: bool = False) -> None:
        """`load_body`, the whole body within `WHOLE_REPLY_FACTOR` read timeouts and before `deadline`."""
        within = WHOLE_REPLY_FACTOR * read_timeout(self.timeout)
        whole_by = min(deadline, time.monotonic() + within)
        with Watchdog(response, idle=math.inf, deadline=whole_by, url=shown_url(response.url),
                      whole_reply_within=within if whole_by < deadline else None) as dog:
            load_body(response, limit, truncate=truncate, watchdog=dog)

    def _send(self, method: str, url: str, *, deadline: float, **kwargs) -> requests.Response:
        """One request and its same-origin redirects; `UnsafeRedirectError` for any other origin."""
        origin = _origin(url)
        for _hop in range(MAX_REDIRECTS + 1):
            timeout = _within(self.timeout, check_deadline(deadline, shown_url(url)))
            response = send(self.session, method, url, timeout=timeout, allow_redirects=False, stream=True,
                            hooks={"response": lambda reply, **_: self._bounded_redirect_body(reply, deadline)},
                            **self._options, **kwargs)
            if not response.is_redirect:
                return response
            response.close()
            try:
                target = urljoin(url, response.headers["Location"])
                target_origin = url_target(target, what="redirect Location").origin
            except ValueError:   # a backslash or control character, an unclosed '[', a port out of range
                raise UnsafeRedirectError(f"{origin} redirected to a Location that is not a valid URL, or one on "
                                          "which URL parsers disagree; not followed") from None
            if target_origin != origin:
                raise UnsafeRedirectError(
                    f"{origin} redirected to {target_origin}; not followed, so no credential was sent there",
                    hint="Check the base URL; credentials only ever go to the origin you configured")
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


def shown_url(url: str) -> str:
    """`url` as messages show it: origin and path, never a user name, password, query or fragment."""
    try:
        return url_target(url).origin + urlsplit(url).path
    except ValueError:
        return "the server"


def proxies_for(session: requests.Session, url: str) -> dict:
    """The `proxies` argument that sends `url` as our rules say: loopback never through a proxy (whatever
    the environment or `session.proxies` say); otherwise requests' own choice, except that plain http
    through a proxy is refused with `PolicyError` (the proxy would read the credential)."""
    target = url_target(url)
    proxies: dict[str, str | None] = {}
    if is_loopback_host(target.host):
        hosts = {target.host, urlsplit(url).hostname or target.host}
        proxies = {key: None for host in hosts for scheme in ("http", "https", "all")
                   for key in (scheme, f"{scheme}://{host}")}
    settings = session.merge_environment_settings(url, dict(proxies), True, None, None)  # type: ignore[arg-type]
    merged = settings["proxies"]
    proxy = requests.utils.select_proxy(url, merged)
    if proxy and is_loopback_host(target.host):   # cannot happen: every key that could select one is None
        raise PolicyError(f"A proxy would carry the request to {target.origin}; refused")
    if proxy and target.scheme == "http":
        raise PolicyError(
            f"A proxy is set for plain-http {target.origin}; the credential would reach the proxy in clear text",
            hint="Use https://, or unset HTTP_PROXY/ALL_PROXY (or add the host to NO_PROXY)")
    return proxies


def send(session: requests.Session, method: str, url: str, *, timeout, **kwargs) -> requests.Response:
    """Send one request (proxies chosen by `proxies_for`); map timeouts and connection failures to our
    `TransportError`s."""
    with translate_transport_errors(url):
        try:
            return session.request(method, url, timeout=timeout, proxies=proxies_for(session, url), **kwargs)
        except UnicodeEncodeError:   # http.client sends header values as Latin-1
            raise BadInputError("A request header holds characters HTTP/1.1 cannot send",
                                hint="Keep header values to printable ASCII") from None
        except ValueError as exc:   # requests parses a redirect's Location even with allow_redirects=False
            if isinstance(exc, requests.exceptions.RequestException):
                raise
            raise BadResponseError(f"{shown_url(url)} answered with a redirect Location that is not a valid URL"
                                   ) from None


@contextlib.contextmanager
def _watched(watchdog: Watchdog | None) -> Iterator[None]:
    """A read the watchdog cut ends in its `RequestTimeoutError`, whatever the cut looked like to the reader."""
    try:
        yield
    except Exception:
        if watchdog is not None:
            watchdog.check()
        raise
    if watchdog is not None:
        watchdog.check()


def load_body(response: requests.Response, limit: int, *, truncate: bool = False,
              watchdog: Watchdog | None = None) -> None:
    """Read a streamed reply's body into `response.content`, at most `limit` bytes.

    Beyond the limit: keep the first `limit` bytes if `truncate`, else close the reply and
    raise `BadResponseError`. Transport failures while reading become our `TransportError`s;
    a read the `watchdog` cut, its `RequestTimeoutError`.
    """
    declared = response.headers.get("Content-Length", "")
    if not truncate and declared.isascii() and declared.isdigit() and int(declared) > limit:
        response.close()
        raise _too_large(response, limit)
    chunks, size = [], 0
    with _watched(watchdog), translate_transport_errors(response.url):
        for chunk in body_chunks(response):
            chunks.append(chunk)
            size += len(chunk)
            if size > limit:
                response.close()
                if not truncate:
                    raise _too_large(response, limit)
                break
    # What requests itself does when it reads the body, bounded.
    response._content = b"".join(chunks)[:limit]
    response._content_consumed = True


def body_chunks(response: requests.Response) -> Iterator[bytes]:
    """The reply's body as it arrives: each piece is what one read from the network gave (at most
    `_CHUNK` bytes), never held back until a full chunk has come, so a slow stream is seen as it goes.
    urllib3's failures become requests' exceptions, as `iter_content` would raise them."""
    raw = getattr(response, "raw", None)
    if not isinstance(raw, urllib3.response.HTTPResponse) or not hasattr(raw, "read1"):
        yield from response.iter_content(_CHUNK)   # another adapter's reply (e.g. an impersonating one)
        return
    errors = urllib3.exceptions
    while True:
        try:
            data = raw.read1(_CHUNK, decode_content=True)
        except errors.ProtocolError as exc:
            raise requests.exceptions.ChunkedEncodingError(exc) from None
        except errors.DecodeError as exc:
            raise requests.exceptions.ContentDecodingError(exc) from None
        except errors.ReadTimeoutError as exc:
            raise requests.exceptions.ConnectionError(exc) from None
        except errors.SSLError as exc:
            raise requests.exceptions.SSLError(exc) from None
        if not data:
            response._content_consumed = True
            return
        yield data


def _too_large(response: requests.Response, limit: int) -> BadResponseError:
    return BadResponseError(f"{shown_url(response.url)} answered with more than {limit // 2**20} MiB; "
                            "not read further", status=response.status_code)


def iter_lines(response: requests.Response, *, limit: int = MAX_LINE_BYTES,
               watchdog: Watchdog | None = None) -> Iterator[bytes]:
    """The streamed reply's lines (without line ends), each at most `limit` bytes, else `BadResponseError`.

    Linear in the reply's size however it is chunked (a line arriving a byte at a time is kept in pieces).
    A line with content (not blank, not an SSE `:` comment) is progress for the `watchdog`; a read it
    cut ends in its `RequestTimeoutError`.
    """
    parts, size = [], 0   # the line being received
    with _watched(watchdog):
        for chunk in body_chunks(response):
            *ended, rest = chunk.split(b"\n")
            for piece in ended:
                line, parts, size = b"".join([*parts, piece]).rstrip(b"\r"), [], 0
                if len(line) > limit:
                    raise _line_too_long(response, limit)
                if watchdog is not None and line.strip() and not line.startswith(b":"):
                    watchdog.progress()
                yield line
            if rest:
                parts.append(rest)
                size += len(rest)
                if size > limit:
                    raise _line_too_long(response, limit)
        if parts:
            yield b"".join(parts).rstrip(b"\r")


def _line_too_long(response: requests.Response, limit: int) -> BadResponseError:
    response.close()
    return BadResponseError(f"{shown_url(response.url)} streamed a line longer than {limit // 2**20} MiB")


def ended_early(url: str) -> ConnectionFailedError:
    """The error for a streamed answer that stopped before its documented last message."""
    return ConnectionFailedError(f"The reply from {shown_url(url)} ended before the answer was complete",
                                 hint="Try again")


@contextlib.contextmanager
def translate_transport_errors(url: str) -> Iterator[None]:
    """Re-raise `requests` transport exceptions as ours, naming the URL (`shown_url`) and never the request."""
    url = shown_url(url)
    try:
        yield
    except requests.exceptions.Timeout:
        raise RequestTimeoutError(f"Request to {url} timed out") from None
    except requests.exceptions.SSLError:
        raise ConnectionFailedError(
            f"TLS handshake with {url} failed", hint="Check the URL and the system's CA certificates"
        ) from None
    except (requests.exceptions.ChunkedEncodingError, requests.exceptions.ContentDecodingError):
        raise ConnectionFailedError(f"Connection to {url} was cut mid-reply", hint="Try again") from None
    except requests.exceptions.ConnectionError as exc:
        if exc.args and isinstance(exc.args[0], urllib3.exceptions.ReadTimeoutError):   # a stall mid-body
            raise RequestTimeoutError(f"Request to {url} timed out") from None
        raise ConnectionFailedError(f"Could not connect to {url}") from None
    except requests.exceptions.RequestException as exc:
        raise TransportError(f"Request to {url} failed ({type(exc).__name__})") from None


def json_body(response: requests.Response) -> dict:
    """The reply's JSON object, or `BadResponseError` naming the status and content type."""
    try:
        data = response.json()
    except (ValueError, RecursionError):
        kind = response.headers.get("Content-Type", "no content type")
        raise BadResponseError(
            f"{response.request.method} {shown_url(response.url)} answered {response.status_code} with a body "
            f"that is not JSON ({kind})", status=response.status_code) from None
    if not isinstance(data, dict):
        raise BadResponseError(f"{response.url} answered with JSON that is not an object",
                               status=response.status_code)
    return data


def streamed_json_object(data: str | bytes, url: str, unit: str) -> dict:
    """One streamed `unit` (an SSE event, an NDJSON line) as a JSON object, or `BadResponseError`."""
    try:
        item = json.loads(data)
    except (ValueError, RecursionError):
        raise BadResponseError(f"{url} streamed {unit} that is not JSON") from None
    if not isinstance(item, dict):
        raise BadResponseError(f"{url} streamed {unit} that is not a JSON object")
    return item
