"""A browser's TLS and HTTP/2 handshake for the web path: a `requests` transport adapter over curl_cffi.

Cloudflare in front of grok.com pins `cf_clearance` to the client's TLS (JA3/JA4) and HTTP/2
fingerprint, so a python-requests handshake is challenged whatever its headers and cookies.
`mount_browser_tls(session, family, major_version)` mounts `ImpersonatingAdapter` for `https://`
on a `requests.Session`; everything above the adapter (auth, hooks, our redirect rules, the
`requests` exceptions our transports catch) stays plain `requests`.

Contract of the adapter, the same as requests' `HTTPAdapter` where the caller can tell:
- the request goes out exactly as prepared (headers in their order, Host first; no header of curl's own,
  the Cookie header as the authenticator built it; curl's cookie engine keeps nothing), never
  following a redirect itself;
- `timeout` (connect, read): connect bounds the TCP and TLS handshakes; read is curl's "under
  1 byte/s for N s", N the whole seconds of connect + read (curl counts in seconds);
- `verify`: True (certifi's bundle, as requests), False, or a CA bundle file; `cert` passes through;
- `proxies`: as requests computed them from the environment (`no_proxy` honoured); curl reads no
  proxy variable itself, and a loopback host never goes through a proxy;
- the body streams with bounded memory: past `_bounded_stream.MAX_QUEUED_BYTES` not yet read, the
  transfer waits for the reader (TCP flow control holds the server back) instead of queueing the rest;
  failures are `requests.exceptions` (ConnectTimeout, ReadTimeout, SSLError,
  ProxyError, ConnectionError, ChunkedEncodingError mid-body, ContentDecodingError);
- `Set-Cookie` replies reach the session's cookie jar as with urllib3;
- while a test library has replaced `requests.adapters.HTTPAdapter.send` (`responses` does), requests
  go to it: tests that mock grok.com at the requests level keep working (with requests' own TLS).

curl_cffi is imported only when an adapter is built: the authenticator mounts a `BrowserTls`, which builds it
at the first HTTPS request, so `import cookie_session`, the CLI's `--help`, `cookies` and a session that
sends nothing never load it. When it cannot be loaded the web path keeps plain `requests` and one
`BrowserCookieWarning` says Cloudflare may challenge it.

The curl-adapter package was evaluated first and not used: it pins curl_cffi < 0.17 (which lacks
the chrome152/firefox153 targets) and requires pycurl, a C build, for its other backend.
"""

from __future__ import annotations

import email.message
import re
import threading
import warnings
import weakref
from collections.abc import Iterator
from typing import TYPE_CHECKING, cast
from urllib.parse import urlsplit

import requests
from requests.adapters import BaseAdapter, HTTPAdapter
from requests.structures import CaseInsensitiveDict
from requests.utils import DEFAULT_ACCEPT_ENCODING, get_encoding_from_headers, select_proxy

from ...errors import BrowserCookieWarning
from ...policy import is_loopback_host
from .._bounded_stream import bounded_streams
from .headers import ACCEPT_ENCODING

if TYPE_CHECKING:
    from curl_cffi.requests.session import HttpMethod

__all__ = [
    "ImpersonatingAdapter",
    "BrowserTls",
    "impersonation_target",
    "mount_browser_tls",
    "mount_browser_tls_lazily",
    "IMPERSONATION_UNAVAILABLE",
]

IMPERSONATION_UNAVAILABLE = (
    "The web path cannot imitate the browser's TLS handshake ({reason}), so it uses "
    "python-requests' own, and Cloudflare may challenge it (it pins cf_clearance to the "
    "browser's handshake)"
)
#: What Chromium and Firefox both send (`headers.ACCEPT_ENCODING`); curl decodes all four.
BROWSER_ACCEPT_ENCODING = ACCEPT_ENCODING
#: The HTTP/2 stream weight of the web app's `fetch()` requests, where curl's target gives another one
#: (measured in tests/real_browsers/test_browser_parity.py: Chromium 156 sends 220 with its fetch, curl's chrome
#: targets the 256 of a page load; Firefox's 22 is already the firefox targets').
FETCH_STREAM_WEIGHT = {"chromium": 220}
#: Requests one adapter carries at once (each streamed reply occupies a curl_cffi thread while it streams).
MAX_CONCURRENT_REQUESTS = 64
#: Target-name prefix per browser family (curl_cffi's `BrowserType` names: `chrome152`, `firefox153`).
_TARGET_PREFIX = {"chromium": "chrome", "firefox": "firefox"}
_warned = threading.Event()  # the "no impersonation" warning is said once per process


def impersonation_target(family: str | None, major_version: int | None, available) -> str | None:
    """The newest `available` target of `family` at or below `major_version` (the newest one of that
    family when the version is unknown), or None when curl_cffi has none for that family.

    Platform-specific variants (`chrome152_macos`, `chrome131_android`) are skipped: the plain
    target is the desktop one the User-Agent (Linux, Windows, macOS alike) goes with.
    """
    prefix = _TARGET_PREFIX.get(family or "")
    if prefix is None:
        return None
    versions: dict[int, str] = {}
    for name in available:
        match = re.fullmatch(rf"{prefix}(\d+)a?", name)
        if match:
            versions.setdefault(int(match.group(1)), name)
    fitting = [v for v in versions if major_version is None or v <= major_version]
    return versions[max(fitting)] if fitting else None


def mount_browser_tls(session: requests.Session, *, family: str | None, major_version: int | None) -> str | None:
    """Mount `ImpersonatingAdapter` for `https://` on `session`, with the browser's `Accept-Encoding`
    (curl decodes br and zstd too); return the curl_cffi target used. Loads curl_cffi now.

    None (and plain requests stays in place) when curl_cffi cannot be loaded or has no target of
    that family; the first time in a process that happens, a `BrowserCookieWarning` says so.
    """
    target = _target_for(family, major_version)
    if target is None:
        return None
    session.mount("https://", ImpersonatingAdapter(target, stream_weight=FETCH_STREAM_WEIGHT.get(family or "")))
    session.headers["Accept-Encoding"] = BROWSER_ACCEPT_ENCODING
    return target


def mount_browser_tls_lazily(session: requests.Session, *, family: str | None, major_version: int | None) -> BrowserTls:
    """`mount_browser_tls`, deferred to the first HTTPS request: mount a `BrowserTls` for `https://`, which
    loads curl_cffi (~110 ms) then, so a process that never sends a request never pays for it."""
    adapter = BrowserTls(session, family=family, major_version=major_version)
    session.mount("https://", adapter)
    session.headers["Accept-Encoding"] = BROWSER_ACCEPT_ENCODING
    return adapter


def _target_for(family: str | None, major_version: int | None) -> str | None:
    """The curl_cffi target for this browser (loading curl_cffi), or None after the one-time warning."""
    try:
        from curl_cffi.requests.impersonate import BrowserType
    except (ImportError, OSError) as exc:  # not installed, or its libcurl-impersonate will not load
        _warn_once(f"curl_cffi could not be loaded: {type(exc).__name__}; pip install curl_cffi")
        return None
    target = impersonation_target(family, major_version, (b.value for b in BrowserType))
    if target is None:
        version = f" at or below version {major_version}" if major_version is not None else ""
        _warn_once(f"curl_cffi has no {family or 'unknown'} browser{version} to impersonate")
    return target


class BrowserTls(BaseAdapter):
    """The browser's TLS handshake, chosen at the first request (see `mount_browser_tls_lazily`).

    The first `send` (or reading `target`) loads curl_cffi, builds the `ImpersonatingAdapter` (or, when
    curl_cffi cannot imitate this browser, requests' own `HTTPAdapter`, with requests' own Accept-Encoding,
    after the one-time warning) and mounts it on the session in its place; this adapter then forwards to it.
    """

    def __init__(self, session: requests.Session, *, family: str | None, major_version: int | None) -> None:
        super().__init__()
        self._session = weakref.ref(session)
        self._family, self._major_version = family, major_version
        self._lock = threading.Lock()
        self._adapter: BaseAdapter | None = None
        self._target: str | None = None

    @property
    def target(self) -> str | None:
        """The curl_cffi target imitated, None when plain requests is used (decided now if not yet)."""
        self._chosen()
        return self._target

    def _chosen(self) -> BaseAdapter:
        with self._lock:
            if self._adapter is None:
                self._target = _target_for(self._family, self._major_version)
                session = self._session()
                if self._target is not None:
                    weight = FETCH_STREAM_WEIGHT.get(self._family or "")
                    self._adapter = ImpersonatingAdapter(self._target, stream_weight=weight)
                else:
                    self._adapter = HTTPAdapter()
                    if session is not None and session.headers.get("Accept-Encoding") == BROWSER_ACCEPT_ENCODING:
                        session.headers["Accept-Encoding"] = DEFAULT_ACCEPT_ENCODING
                if session is not None and session.get_adapter("https://") is self:
                    session.mount("https://", self._adapter)
            return self._adapter

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout=None,
        verify=True,
        cert=None,
        proxies=None,
    ) -> requests.Response:
        adapter = self._chosen()
        if self._target is None and request.headers.get("Accept-Encoding") == BROWSER_ACCEPT_ENCODING:
            request.headers["Accept-Encoding"] = DEFAULT_ACCEPT_ENCODING  # what plain requests can decode
        return adapter.send(request, stream=stream, timeout=timeout, verify=verify, cert=cert, proxies=proxies)

    def close(self) -> None:
        if self._adapter is not None:
            self._adapter.close()


def _warn_once(reason: str) -> None:
    if not _warned.is_set():
        _warned.set()
        warnings.warn(IMPERSONATION_UNAVAILABLE.format(reason=reason), BrowserCookieWarning, stacklevel=4)


class ImpersonatingAdapter(BaseAdapter):
    """Sends each request with curl_cffi impersonating `target` (e.g. `chrome152`); see the module docstring.
    `stream_weight` overrides the target's HTTP/2 stream weight (a page load's, in curl's Chrome targets)."""

    def __init__(self, target: str, *, stream_weight: int | None = None) -> None:
        super().__init__()
        from curl_cffi import CurlOpt, requests as curl_requests

        self.target = target
        self._plain = HTTPAdapter()  # only used while a test library mocks requests' HTTPAdapter.send
        options = {CurlOpt.STREAM_WEIGHT: stream_weight} if stream_weight is not None else None
        # trust_env=False: curl must not read proxy variables itself; requests already decided.
        self._curl: curl_requests.Session = curl_requests.Session(
            impersonate=target,
            default_headers=False,
            trust_env=False,
            discard_cookies=True,
            allow_redirects=False,
            curl_options=options,
        )
        if hasattr(self._curl, "_executor"):
            # Each streamed reply holds one of curl_cffi's threads until the server ends it; its default pool
            # (cores + 4) would cap concurrent requests far below what requests' own adapter allows.
            from concurrent.futures import ThreadPoolExecutor

            self._curl._executor = ThreadPoolExecutor(  # type: ignore[assignment]  # private, typed as its None
                max_workers=MAX_CONCURRENT_REQUESTS, thread_name_prefix="cookie-session-curl"
            )

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout=None,
        verify=True,
        cert=None,
        proxies=None,
    ) -> requests.Response:
        if _requests_send_is_mocked():  # `responses` and the like: the calling code's tests keep working
            return HTTPAdapter.send(
                self._plain, request, stream=stream, timeout=timeout, verify=verify, cert=cert, proxies=proxies
            )
        from curl_cffi.requests import exceptions as curl_errors

        method, url = request.method, request.url
        if method is None or url is None:
            raise ValueError("ImpersonatingAdapter.send takes a prepared request (with a method and a URL)")
        proxy = _proxy_for(url, proxies)
        headers: dict[str, str | None] = {
            name: value.decode("latin-1") if isinstance(value, bytes) else value
            for name, value in request.headers.items()
        }
        if "Content-Type" not in request.headers:
            headers["Content-Type"] = None  # else curl adds its own to a POST (None: "send none")
        # The headers in the prepared order, Host first as browsers send it over HTTP/1.1 (over HTTP/2 it is the
        # :authority pseudo-header); without this, curl would sort them by its target's template.
        sent = (name.lower() for name, value in headers.items() if value is not None)
        order = ",".join(dict.fromkeys(["host", *sent]))
        _quiet_header_order_notice()
        try:
            with bounded_streams():  # the body waits for the reader (bounded memory), never queues whole
                reply = self._curl.request(
                    cast("HttpMethod", method),
                    url,
                    headers=headers,
                    content=request.body,
                    timeout=_curl_timeout(timeout),
                    # curl_cffi types `verify` as a bool, but takes a CA bundle path too (it sets CURLOPT_CAINFO)
                    verify=_ca_bundle(verify),  # type: ignore[arg-type]
                    cert=cert,
                    proxy=proxy,
                    accept_encoding=request.headers.get("Accept-Encoding"),
                    stream=True,
                    quote=False,
                    discard_cookies=True,
                    allow_redirects=False,
                    extra_fp={"header_order": order},
                )
        except curl_errors.RequestException as exc:
            raise _as_requests_error(exc, request, in_body=False, proxied=proxy is not None) from None
        return self._build_response(request, url, reply)

    def _build_response(self, request: requests.PreparedRequest, url: str, reply) -> requests.Response:
        response = requests.Response()
        response.status_code = reply.status_code
        pairs = list(reply.headers.multi_items())
        response.headers = CaseInsensitiveDict()
        for name, value in pairs:  # repeated headers joined with ", ", as urllib3 presents them
            response.headers[name] = f"{response.headers[name]}, {value}" if name in response.headers else value
        response.encoding = get_encoding_from_headers(response.headers)
        response.reason = reply.reason
        response.url = url
        response.request = request
        response.connection = self  # type: ignore[assignment]  # the stubs say HTTPAdapter; it is whichever sent it
        response.raw = _CurlBody(reply, request, pairs)
        requests.cookies.extract_cookies_to_jar(response.cookies, request, response.raw)
        return response

    def close(self) -> None:
        self._curl.close()
        self._plain.close()


def _quiet_header_order_notice() -> None:
    """curl_cffi warns on every request that sets the header order on top of the target, which we mean to do.

    Re-added before each request (moving it to the front), so a `warnings.catch_warnings()` block of the
    calling code, which restores the filters on exit, cannot bring the notice back.
    """
    from curl_cffi.utils import CurlCffiWarning

    warnings.filterwarnings(
        "ignore", message="Extra fingerprints were altered after impersonated version was set", category=CurlCffiWarning
    )


def _requests_send_is_mocked() -> bool:
    """True while a test library (e.g. `responses`) has replaced requests' own `HTTPAdapter.send`."""
    return getattr(HTTPAdapter.send, "__module__", None) != "requests.adapters"


def _curl_timeout(timeout):
    """requests' timeout (None, seconds, (connect, read), or urllib3's Timeout) as curl_cffi takes it."""
    if timeout is None:
        return None
    if isinstance(timeout, tuple):
        connect, read = timeout
    elif hasattr(timeout, "connect_timeout"):  # urllib3.Timeout
        connect, read = timeout.connect_timeout, timeout.read_timeout
    else:
        connect = read = timeout
    if connect is None and read is None:
        return None
    return (connect if connect is not None else 300.0, read if read is not None else 300.0)


def _ca_bundle(verify) -> bool | str:
    """requests' `verify` for curl: True means certifi's bundle, as requests' own adapter uses."""
    if verify is True:
        from requests.utils import DEFAULT_CA_BUNDLE_PATH

        return DEFAULT_CA_BUNDLE_PATH
    if isinstance(verify, str):
        import os

        if not os.path.isfile(verify):
            raise OSError(
                f"Could not find a TLS CA certificate bundle file at {verify!r} "
                f"(browser TLS impersonation takes a bundle file, not a directory)"
            )
    return verify


def _proxy_for(url: str, proxies) -> str | None:
    """The proxy requests chose for `url`; None for loopback (never proxied) or when there is none."""
    if is_loopback_host(urlsplit(url).hostname):
        return None
    return select_proxy(url, proxies or {})


def _as_requests_error(exc, request, *, in_body: bool, proxied: bool = False) -> requests.exceptions.RequestException:
    """A curl_cffi failure as the `requests` exception requests' own adapter would raise (through a
    proxy, any failure to get a reply is a `ProxyError`, as with requests)."""
    from curl_cffi.requests import exceptions as curl_errors

    kinds = requests.exceptions
    message = f"{type(exc).__name__} (curl error {getattr(exc, 'code', '?')})"  # curl's text names the URL
    if isinstance(exc, curl_errors.Timeout):
        slow = "too slow" in str(exc).lower() or in_body
        return (kinds.ReadTimeout if slow else kinds.ConnectTimeout)(message, request=request)
    if isinstance(exc, curl_errors.ProxyError) or (
        proxied
        and not in_body
        and isinstance(exc, curl_errors.ConnectionError)
        and not isinstance(exc, curl_errors.SSLError)
    ):
        return kinds.ProxyError(message, request=request)
    if isinstance(exc, curl_errors.SSLError):
        return kinds.SSLError(message, request=request)
    if getattr(exc, "code", None) == 61:  # CURLE_BAD_CONTENT_ENCODING
        return kinds.ContentDecodingError(message, request=request)
    if in_body:
        return kinds.ChunkedEncodingError(message, request=request)
    if isinstance(exc, (curl_errors.InvalidURL, curl_errors.InvalidSchema)):
        return kinds.InvalidURL(message, request=request)
    return kinds.ConnectionError(message, request=request)


class _OriginalResponse:
    """What `requests.cookies.extract_cookies_to_jar` reads: `_original_response.msg.get_all(...)`."""

    def __init__(self, pairs) -> None:
        self.msg = email.message.Message()
        for name, value in pairs:
            self.msg[name] = value


class _CurlBody:
    """`response.raw` for a curl_cffi streamed reply: `stream()`, `read()`, `close()`, as urllib3's."""

    def __init__(self, reply, request, pairs) -> None:
        self._reply, self._request = reply, request
        self._chunks: Iterator[bytes] | None = None
        self._buffer = b""
        self._original_response = _OriginalResponse(pairs)
        self.closed = False

    def _iter(self) -> Iterator[bytes]:
        from curl_cffi.requests import exceptions as curl_errors

        try:
            yield from self._reply.iter_content()
        except curl_errors.RequestException as exc:
            raise _as_requests_error(exc, self._request, in_body=True) from None

    def stream(self, amt: int | None = None, decode_content: bool = True) -> Iterator[bytes]:
        """The body's chunks as they arrive (already decoded; curl decodes what it advertised)."""
        if self._buffer:
            buffered, self._buffer = self._buffer, b""
            yield buffered
        if self._chunks is None:
            self._chunks = self._iter()
        for chunk in self._chunks:
            if chunk:
                yield chunk

    def read(self, amt: int | None = None, decode_content: bool = True) -> bytes:
        if self._chunks is None:
            self._chunks = self._iter()
        while amt is None or len(self._buffer) < amt:
            chunk = next(self._chunks, None)
            if chunk is None:
                break
            self._buffer += chunk
        size = len(self._buffer) if amt is None else amt
        data, self._buffer = self._buffer[:size], self._buffer[size:]
        return data

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            abandon = getattr(getattr(self._reply, "queue", None), "abandon", None)
            if abandon is not None:  # a transfer waiting for room goes on, to be stopped at its next write
                abandon()
            self._reply.close()

    def release_conn(self) -> None:
        self.close()
