"""What both transports share: sending a request and turning `requests` failures into ours."""

from __future__ import annotations

import contextlib
import email.utils
import json
import time
from typing import Iterator

import requests

from ..errors import BadResponseError, ConnectionFailedError, RequestTimeoutError, TransportError

DEFAULT_TIMEOUT = (5.0, 120.0)   # (connect, read) seconds; a long answer can take a while to start


class Transport:
    """Base of the per-service transports: one prepared session, one root URL, one error mapper.

    Subclasses set `raise_for_error(response)`, called for every reply of status 400 or more.
    """

    def __init__(self, session: requests.Session, base_url: str, *, auth_kind: str, timeout, verify=None) -> None:
        self.session = session
        self.base_url = base_url
        self.auth_kind = auth_kind
        self.timeout = timeout
        self._options = {} if verify is None else {"verify": verify}

    def raise_for_error(self, response: requests.Response) -> None:
        raise NotImplementedError

    def _request(self, method: str, path: str, **kwargs) -> requests.Response:
        response = send(self.session, method, f"{self.base_url}{path}", timeout=self.timeout,
                        **self._options, **kwargs)
        if response.status_code >= 400:
            with response:
                self.raise_for_error(response)
        return response


def send(session: requests.Session, method: str, url: str, *, timeout, **kwargs) -> requests.Response:
    """Send one request; map timeouts and connection failures to our `TransportError`s."""
    with translate_transport_errors(url):
        return session.request(method, url, timeout=timeout, **kwargs)


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
    except requests.exceptions.ConnectionError:
        raise ConnectionFailedError(f"Could not connect to {url}") from None
    except requests.exceptions.RequestException as exc:
        raise TransportError(f"Request to {url} failed ({type(exc).__name__})") from None


def json_body(response: requests.Response) -> dict:
    """The reply's JSON object, or `BadResponseError` naming the status and content type."""
    try:
        data = response.json()
    except ValueError:
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
    except ValueError:
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
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError, IndexError):
        return None
    return max(0.0, when - (time.time() if now is None else now))
