"""RFC 6265's matching rules: which stored browser cookies go with a request to a URL.

What `BrowserCookieAuthenticator` sends, and what `cookie-session cookies` reports as sent to grok.com,
in a module that imports neither `requests` nor curl_cffi, so listing a profile's cookies stays cheap.
"""

from __future__ import annotations

import time
from urllib.parse import urlsplit

from ..browsers.records import BrowserCookie
from ..secret import Secret
from ..settings import WEB_BASE_URL
from ..url_policy import host_in_domain

__all__ = ["sent_with"]


def _as_browser_cookie(cookie) -> BrowserCookie:
    """Any cookie-like object (name, value, domain, path, secure, expires) as a `BrowserCookie`."""
    if isinstance(cookie, BrowserCookie):
        return cookie
    return BrowserCookie(
        cookie.name,
        Secret(cookie.value, name=cookie.name),
        cookie.domain,
        cookie.path or "/",
        bool(cookie.secure),
        bool(getattr(cookie, "http_only", False)),
        cookie.expires,
        host_only=not cookie.domain.startswith("."),
    )


def sent_with(cookie, url: str = WEB_BASE_URL + "/", *, now: float | None = None) -> bool:
    """True when a browser sends the stored `cookie` (a `BrowserCookie` or any cookie-like object)
    with a request to `url`, under RFC 6265's rules: what `BrowserCookieAuthenticator` sends."""
    parts = urlsplit(url)
    return _sendable(
        _as_browser_cookie(cookie),
        parts.scheme,
        (parts.hostname or "").rstrip("."),
        parts.path or "/",
        time.time() if now is None else now,
    )


def _sendable(cookie: BrowserCookie, scheme: str, host: str, path: str, now: float) -> bool:
    """RFC 6265 section 5.4: the cookie goes with a request to `scheme://host/path`."""
    return (
        (cookie.expires is None or cookie.expires > now)
        and (scheme == "https" or not cookie.secure)
        and _domain_matches(host, cookie)
        and _path_matches(path, cookie.path or "/")
    )


def _domain_matches(host: str, cookie: BrowserCookie) -> bool:
    domain = cookie.domain.lstrip(".")
    return host.lower() == domain.lower() if cookie.host_only else host_in_domain(host, domain)


def _path_matches(path: str, cookie_path: str) -> bool:
    """RFC 6265 section 5.1.4."""
    return path == cookie_path or (
        path.startswith(cookie_path) and (cookie_path.endswith("/") or path[len(cookie_path)] == "/")
    )
