"""What both transports share: sending a request (redirects and retries by our rules), reading
bounded replies, and turning `requests` failures into ours.

Redirects: requests never follows them for us. At most `MAX_REDIRECTS` hops to the *same
origin* (scheme, host, port) are followed, the authenticator re-applied on each; a redirect to
any other origin (another host or port, https->http) raises `UnsafeRedirectError` before
anything is sent there.

Retries (`RetryPolicy`): a request that only reads is retried on 429 and 503; chat only on 429,
the one answer that says the request was not processed. Nothing is retried after a timeout, a
reset connection, or once a reply has started streaming.
"""

from __future__ import annotations

import contextlib
import dataclasses
import email.utils
import itertools
import json
import math
import random
import time
from typing import Callable, Iterator
from urllib.parse import urljoin, urlsplit

import requests
import urllib3

from ..errors import (
    BadInputError, BadResponseError, ConnectionFailedError, RequestTimeoutError, TransportError, UnsafeRedirectError,
)

DEFAULT_TIMEOUT = (5.0, 120.0)   # (connect, read) seconds; a long answer can take a while to start
MAX_REDIRECTS = 5
MAX_BODY_BYTES = 10 * 2**20      # a whole (non-streamed) reply: model lists and answers are far smaller
MAX_ERROR_BODY_BYTES = 64 * 2**10  # what an error reply is read for its message
MAX_LINE_BYTES = 2**20           # one streamed line (an SSE field, an NDJSON object)
READ_RETRY_STATUSES = frozenset({429, 503})
CHAT_RETRY_STATUSES = frozenset({429})
_CHUNK = 64 * 2**10


@dataclasses.dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry an answer that says "try again later".

    Up to `max_retries` retries. Each waits the server's `Retry-After` when it sends one,
    else `backoff * 2**n` seconds with jitter (half fixed, half random), at most `max_wait`;
    the waits together stay within `budget` seconds. A wait the budget cannot cover is not
    made: the error is raised at once (a `RateLimitedError` carries the advised wait).
    `sleep` does the waiting (tests pass a recorder).
    """

    max_retries: int = 3
    backoff: float = 0.5
    max_wait: float = 8.0
    budget: float = 20.0
    sleep: Callable[[float], None] = time.sleep

    def __post_init__(self) -> None:
        if not (isinstance(self.max_retries, int) and self.max_retries >= 0):
            raise BadInputError(f"max_retries must be a whole number of at least 0, not {self.max_retries!r}")
        for name in ("backoff", "max_wait", "budget"):
            value = getattr(self, name)
            if not (isinstance(value, (int, float)) and math.isfinite(value) and value >= 0):
                raise BadInputError(f"{name} must be a finite number of seconds of at least 0, not {value!r}")

    def wait(self, retry: int, retry_after: float | None, waited: float) -> float | None:
        """Seconds to wait before retry number `retry` (0-based), or None to give up."""
        if retry >= self.max_retries:
            return None
        if retry_after is not None:
            wait = retry_after
        else:
            step = min(self.max_wait, self.backoff * 2 ** retry)
            wait = step / 2 + random.uniform(0, step / 2)
        if wait > self.max_wait or waited + wait > self.budget:
            return None
        return wait


NO_RETRIES = RetryPolicy(max_retries=0)


class Transport:
    """Base of the per-service transports: one prepared session, one root URL, one error mapper.

    Subclasses set `chat_path` and `raise_for_error(response)`, called for every reply of
    status 400 or more, with at most `MAX_ERROR_BODY_BYTES` of its body loaded.
    """

    chat_path: str

    def __init__(self, session: requests.Session, base_url: str, *, auth_kind: str, timeout, retry: RetryPolicy,
                 verify=None) -> None:
        self.session = session
        self.base_url = base_url
        self.auth_kind = auth_kind
        self.timeout = timeout
        self.retry = retry
        self._options = {} if verify is None else {"verify": verify}

    def raise_for_error(self, response: requests.Response) -> None:
        raise NotImplementedError

    def _request(self, method: str, path: str, *, retry_on: frozenset[int] = READ_RETRY_STATUSES,
                 stream: bool = False, **kwargs) -> requests.Response:
        """Send, following same-origin redirects and retrying `retry_on` statuses by `self.retry`.

        Returns a reply below 400: streaming (`stream=True`) or with its body loaded (at most
        `MAX_BODY_BYTES`). Raises the subclass's error for anything else.
        """
        waited = 0.0
        for retry in itertools.count():
            response = self._send(method, f"{self.base_url}{path}", **kwargs)
            if response.status_code < 400:
                if not stream:
                    with _closed_on_error(response):
                        load_body(response, MAX_BODY_BYTES)
                return response
            wait = None
            if response.status_code in retry_on:
                wait = self.retry.wait(retry, retry_after_seconds(response.headers.get("Retry-After")), waited)
            with response:
                if wait is None:
                    load_body(response, MAX_ERROR_BODY_BYTES, truncate=True)
                    self.raise_for_error(response)  # raises for every status of 400 or more
            self.retry.sleep(wait)
            waited += wait

    def _send(self, method: str, url: str, **kwargs) -> requests.Response:
        """One request and its same-origin redirects; `UnsafeRedirectError` for any other origin."""
        for _hop in range(MAX_REDIRECTS + 1):
            response = send(self.session, method, url, timeout=self.timeout, allow_redirects=False, stream=True,
                            hooks={"response": _bounded_redirect_body}, **self._options, **kwargs)
            if not response.is_redirect:
                return response
            response.close()
            try:
                target = urljoin(url, response.headers["Location"])
                same_origin = _origin(target) == _origin(url)
            except ValueError:   # an unclosed '[', a port out of range
                raise BadResponseError(f"{_origin(url)} redirected to a Location that is not a valid URL") from None
            if not same_origin:
                raise UnsafeRedirectError(
                    f"{_origin(url)} redirected to {_origin(target)}; not followed, so no credential was sent there",
                    hint="Check the base URL; credentials only ever go to the origin you configured")
            if response.status_code == 303 or (response.status_code in (301, 302) and method == "POST"):
                method, kwargs = "GET", {k: v for k, v in kwargs.items() if k not in ("json", "data")}
            url = target
        raise BadResponseError(f"{_origin(url)} redirected more than {MAX_REDIRECTS} times")


def _bounded_redirect_body(response: requests.Response, **_kwargs) -> requests.Response:
    """A response hook: requests reads a redirect's whole body (to release the connection) even with
    `allow_redirects=False`; load at most `MAX_ERROR_BODY_BYTES` of it first, so it reads no more."""
    if response.is_redirect:
        load_body(response, MAX_ERROR_BODY_BYTES, truncate=True)
    return response


@contextlib.contextmanager
def _closed_on_error(response: requests.Response) -> Iterator[None]:
    try:
        yield
    except BaseException:
        response.close()
        raise


def _origin(url: str) -> str:
    parts = urlsplit(url)
    port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
    return f"{parts.scheme}://{parts.hostname}:{port}"


def send(session: requests.Session, method: str, url: str, *, timeout, **kwargs) -> requests.Response:
    """Send one request; map timeouts and connection failures to our `TransportError`s."""
    with translate_transport_errors(url):
        try:
            return session.request(method, url, timeout=timeout, **kwargs)
        except UnicodeEncodeError:   # http.client sends header values as Latin-1
            raise BadInputError("A request header holds characters HTTP/1.1 cannot send",
                                hint="Keep header values to printable ASCII") from None
        except ValueError as exc:   # requests parses a redirect's Location even with allow_redirects=False
            if isinstance(exc, requests.exceptions.RequestException):
                raise
            raise BadResponseError(f"{url} answered with a redirect Location that is not a valid URL") from None


def load_body(response: requests.Response, limit: int, *, truncate: bool = False) -> None:
    """Read a streamed reply's body into `response.content`, at most `limit` bytes.

    Beyond the limit: keep the first `limit` bytes if `truncate`, else close the reply and
    raise `BadResponseError`. Transport failures while reading become our `TransportError`s.
    """
    declared = response.headers.get("Content-Length", "")
    if not truncate and declared.isascii() and declared.isdigit() and int(declared) > limit:
        response.close()
        raise _too_large(response, limit)
    chunks, size = [], 0
    with translate_transport_errors(response.url):
        for chunk in response.iter_content(_CHUNK):
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


def _too_large(response: requests.Response, limit: int) -> BadResponseError:
    return BadResponseError(f"{response.url} answered with more than {limit // 2**20} MiB; not read further",
                            status=response.status_code)


def iter_lines(response: requests.Response, *, limit: int = MAX_LINE_BYTES) -> Iterator[bytes]:
    """The streamed reply's lines (without line ends), each at most `limit` bytes, else `BadResponseError`.

    Linear in the reply's size however it is chunked (a line arriving a byte at a time is kept in pieces).
    """
    parts, size = [], 0   # the line being received
    for chunk in response.iter_content(_CHUNK):
        *ended, rest = chunk.split(b"\n")
        for piece in ended:
            line, parts, size = b"".join([*parts, piece]), [], 0
            if len(line) > limit:
                raise _line_too_long(response, limit)
            yield line.rstrip(b"\r")
        if rest:
            parts.append(rest)
            size += len(rest)
            if size > limit:
                raise _line_too_long(response, limit)
    if parts:
        yield b"".join(parts).rstrip(b"\r")


def _line_too_long(response: requests.Response, limit: int) -> BadResponseError:
    response.close()
    return BadResponseError(f"{response.url} streamed a line longer than {limit // 2**20} MiB")


def ended_early(url: str) -> ConnectionFailedError:
    """The error for a streamed answer that stopped before its documented last message."""
    return ConnectionFailedError(f"The reply from {url} ended before the answer was complete", hint="Try again")


@contextlib.contextmanager
def translate_transport_errors(url: str) -> Iterator[None]:
    """Re-raise `requests` transport exceptions as ours, naming the URL and never the request."""
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
            f"{response.request.method} {response.url} answered {response.status_code} with a body "
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


def retry_after_seconds(value: str | None, *, now: float | None = None) -> float | None:
    """Parse a Retry-After header (seconds or an HTTP date) into seconds from now."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return max(0.0, seconds) if math.isfinite(seconds) else None
    try:
        when = email.utils.parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError, IndexError):
        return None
    return max(0.0, when - (time.time() if now is None else now))
