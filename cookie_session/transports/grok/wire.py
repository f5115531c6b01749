"""`BrowserWire`: the `auth` of a session that speaks to grok.com as the user's browser does.

The credential (`BrowserCookieAuthenticator`) applies itself: the cookies RFC 6265 sends to that URL and the
browser's User-Agent. The wire adds the rest of what the browser sends on that kind of request (`headers.py`):
a `fetch` for `/rest/` and `/api/` (plus the signed `x-statsig-id` on `/rest/`, `statsig.py`), a page load for
anything else (the statsig page), in the engine's header order. So a plain `requests` session from
`BrowserCookieAuthenticator.prepare_session()` sends what `GrokClient` sends.

The statsig page is fetched through the same session (so with the same cookies, TLS handshake, proxy rules), at
most `MAX_PAGE_BYTES` of it, whole within a few read timeouts (`base.load_whole_body`), at most once an hour
(`StatsigSigner`). Signing and sending code loads at the first `/rest/` request, not with the session.
"""

from __future__ import annotations

import math
import threading
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import requests
from requests.auth import AuthBase
from requests.structures import CaseInsensitiveDict

from ...policy import is_loopback_host
from ...settings import DEFAULT_TIMEOUT
from .endpoints import API_PREFIX, REST_PREFIX
from .headers import fetch_headers, in_browser_order, page_headers

if TYPE_CHECKING:
    from ...auth.browser import BrowserCookieAuthenticator
    from .statsig import StatsigSigner

__all__ = ["BrowserWire", "MAX_PAGE_BYTES"]

MAX_PAGE_BYTES = 4 * 2**20  #: the statsig page is read up to this size (grok.com's is a few hundred KiB)


class BrowserWire(AuthBase):
    """Adds to each request what `authenticator`'s browser adds; signs `/rest/` requests with pages fetched from
    `base_url` through `session` (within `timeout`). `signer` is shared by every request of the session."""

    def __init__(
        self,
        authenticator: BrowserCookieAuthenticator,
        session: requests.Session,
        base_url: str,
        *,
        timeout=DEFAULT_TIMEOUT,
        verify=None,
    ) -> None:
        self.authenticator = authenticator
        self._session = session
        self._base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.verify = verify
        self._signer: StatsigSigner | None = None
        self._lock = threading.Lock()

    @property
    def signer(self) -> StatsigSigner:
        """The session's statsig signer, made at the first `/rest/` request (a session that never makes one, as
        most prepared only to read cookies, loads none of the signing and sending code)."""
        with self._lock:
            if self._signer is None:
                from .statsig import StatsigSigner

                self._signer = StatsigSigner(self._fetch_page)
            return self._signer

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request = self.authenticator(request)
        if request.url is None or request.method is None:
            return request
        parts = urlsplit(request.url)
        identity = self.authenticator.browser_identity
        path = parts.path or "/"
        if path.startswith((REST_PREFIX, API_PREFIX)):
            # grok.com speaks HTTP/2 to browsers; a loopback stand-in HTTP/1.1 (it decides `Priority`).
            http2 = not is_loopback_host(parts.hostname)
            request.headers.update(fetch_headers(identity, request.url, has_body=bool(request.body), http2=http2))
            if path.startswith(REST_PREFIX):
                request.headers["x-statsig-id"] = self.signer.header_for(request.method, path)
            kind = "fetch"
        else:
            request.headers.update(page_headers(identity))
            kind = "page"
        request.headers = CaseInsensitiveDict(in_browser_order(request.headers, identity.family, kind))
        return request

    def _fetch_page(self, path: str) -> tuple[int, str]:
        """GET the page at `path` as the browser loads it; its status and text (2xx or 404, else our error)."""
        from ..base import load_whole_body, send
        from .signals import raise_for_web_error

        options = {} if self.verify is None else {"verify": self.verify}
        url = f"{self._base_url}{path}"
        response = send(self._session, "GET", url, timeout=self.timeout, allow_redirects=False, stream=True, **options)
        with response:
            load_whole_body(response, MAX_PAGE_BYTES, self.timeout, math.inf, truncate=True)  # like any reply
            if response.status_code != 404:
                raise_for_web_error(response, redact=self.authenticator.redact)
                if not 200 <= response.status_code < 300:  # a redirect: the page is not where the app keeps it
                    return response.status_code, ""
            return response.status_code, response.text
