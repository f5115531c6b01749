"""Reading replies within bounds, and turning `requests` failures into ours.

A whole body is loaded up to a limit (`load_body`); a stream is read chunk by chunk as it arrives
(`body_chunks`) and split into lines of bounded length (`iter_lines`), each under a `Watchdog` when
given. JSON bodies and streamed JSON objects are parsed with one-line errors naming the URL.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from urllib.parse import urlsplit

import requests
import urllib3

from ..errors import BadResponseError, ConnectionFailedError, RequestTimeoutError, TransportError
from ..policy import url_target
from ._limits import Watchdog

__all__ = [
    "load_body",
    "body_chunks",
    "iter_lines",
    "ended_early",
    "translate_transport_errors",
    "json_body",
    "streamed_json_object",
    "shown_url",
    "MAX_BODY_BYTES",
    "MAX_ERROR_BODY_BYTES",
    "MAX_LINE_BYTES",
]

MAX_BODY_BYTES = 10 * 2**20  # a whole (non-streamed) reply: model lists and answers are far smaller
MAX_ERROR_BODY_BYTES = 64 * 2**10  # what an error reply is read for its message
MAX_LINE_BYTES = 2**20  # one streamed line (an SSE field, an NDJSON object)
_CHUNK = 64 * 2**10


def shown_url(url: str) -> str:
    """`url` as messages show it: origin and path, never a user name, password, query or fragment
    (a WebSocket's `ws://`/`wss://` is shown as it is)."""
    parts = urlsplit(url)
    socket_scheme = {"ws": "http", "wss": "https"}.get(parts.scheme)
    try:
        if socket_scheme is not None:
            origin = url_target(parts._replace(scheme=socket_scheme).geturl()).origin
            return parts.scheme + origin.removeprefix(socket_scheme) + parts.path
        return url_target(url).origin + parts.path
    except ValueError:
        return "the server"


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


def load_body(
    response: requests.Response, limit: int, *, truncate: bool = False, watchdog: Watchdog | None = None
) -> None:
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
    response._content_consumed = True  # type: ignore[attr-defined]  # requests' own flag, not in its stubs


def body_chunks(response: requests.Response) -> Iterator[bytes]:
    """The reply's body as it arrives: each piece is what one read from the network gave (at most
    `_CHUNK` bytes), never held back until a full chunk has come, so a slow stream is seen as it goes.
    urllib3's failures become requests' exceptions, as `iter_content` would raise them."""
    raw = getattr(response, "raw", None)
    if not isinstance(raw, urllib3.response.HTTPResponse) or not hasattr(raw, "read1"):
        yield from response.iter_content(_CHUNK)  # another adapter's reply (e.g. an impersonating one)
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
            response._content_consumed = True  # type: ignore[attr-defined]  # as above
            return
        yield data


def _too_large(response: requests.Response, limit: int) -> BadResponseError:
    return BadResponseError(
        f"{shown_url(response.url)} answered with more than {limit // 2**20} MiB; not read further",
        status=response.status_code,
    )


def iter_lines(
    response: requests.Response,
    *,
    limit: int = MAX_LINE_BYTES,
    watchdog: Watchdog | None = None,
    lines_are_progress: bool = True,
) -> Iterator[bytes]:
    """The streamed reply's lines (without line ends), each at most `limit` bytes, else `BadResponseError`.

    Linear in the reply's size however it is chunked (a line arriving a byte at a time is kept in pieces).
    With `lines_are_progress`, a line with content (not blank, not an SSE `:` comment) is progress for
    the `watchdog` (else the caller judges content itself); a read it cut ends in its `RequestTimeoutError`.
    """
    parts: list[bytes] = []  # the line being received
    size = 0
    with _watched(watchdog):
        for chunk in body_chunks(response):
            *ended, rest = chunk.split(b"\n")
            for piece in ended:
                line, parts, size = b"".join([*parts, piece]).rstrip(b"\r"), [], 0
                if len(line) > limit:
                    raise _line_too_long(response, limit)
                if lines_are_progress and watchdog is not None and line.strip() and not line.startswith(b":"):
                    watchdog.progress()
                yield line
            if rest:
                parts.append(rest)
                size += len(rest)
                if size > limit:
                    raise _line_too_long(response, limit)
        if watchdog is not None:
            watchdog.check()  # a body the watchdog cut ends here, not in its partial last line
        if parts:
            yield b"".join(parts).rstrip(b"\r")


def _line_too_long(response: requests.Response, limit: int) -> BadResponseError:
    response.close()
    return BadResponseError(f"{shown_url(response.url)} streamed a line longer than {limit // 2**20} MiB")


def ended_early(url: str) -> ConnectionFailedError:
    """The error for a streamed answer that stopped before its documented last message."""
    return ConnectionFailedError(
        f"The reply from {shown_url(url)} ended before the answer was complete", hint="Try again"
    )


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
        if exc.args and isinstance(exc.args[0], urllib3.exceptions.ReadTimeoutError):  # a stall mid-body
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
            f"that is not JSON ({kind})",
            status=response.status_code,
        ) from None
    if not isinstance(data, dict):
        raise BadResponseError(f"{response.url} answered with JSON that is not an object", status=response.status_code)
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
