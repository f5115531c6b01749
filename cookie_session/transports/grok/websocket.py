"""The gateway's WebSocket, opened as the user's browser opens `new WebSocket(...)`: its TLS handshake (curl_cffi
impersonating the browser, the newest target at or below its version; ALPN as libcurl offers for a WebSocket), its
handshake headers in its order (`headers.websocket_headers`), its extension offer (permessage-deflate, inflated by
libcurl), and the cookies RFC 6265 sends to that URL.

There is no fallback to a Python handshake: without curl_cffi the chat fails with a clear error (a python-style
handshake is exactly what Cloudflare refuses, R2). Loopback never goes through a proxy; elsewhere the proxy is the
one requests chooses for the https URL of the same host.

`GatewayConnector.open` returns a `GatewaySocket`: `send_json`, `receive(timeout)` (a text message, or None when
`timeout` passed), `close()`. Failures are ours: a refused handshake maps through `signals.handshake_error`
(libcurl gives its status and headers, not its body), the rest to `ConnectionFailedError`/`RequestTimeoutError`.
"""

from __future__ import annotations

import json
import threading
from urllib.parse import urlsplit

from requests.structures import CaseInsensitiveDict

from ...errors import BadInputError, BadResponseError, ConnectionFailedError, RequestTimeoutError
from ...policy import is_loopback_host
from ...settings import USER_AGENT_ENV
from ..replies import shown_url
from .headers import WEBSOCKET_HEADER_ORDER, BrowserIdentity, websocket_headers
from .signals import handshake_error, site_of
from .tls import _ca_bundle, _quiet_header_order_notice, impersonation_target

__all__ = ["GatewayConnector", "GatewaySocket", "MAX_MESSAGE_BYTES"]

#: The largest gateway message read: curl_cffi's own bound on a reassembled message (a message is one JSON event).
MAX_MESSAGE_BYTES = 4 * 2**20
_CURL_TIMEOUT, _CURL_CONNECT_FAILED, _CURL_SSL_CODES = 28, 7, {35, 51, 53, 54, 58, 59, 60, 66, 77, 80, 82, 83, 90, 91}


class GatewaySocket:
    """One open gateway WebSocket (not thread-safe: one reader-writer)."""

    def __init__(self, websocket, url: str) -> None:
        self._ws = websocket
        self.url = url

    def send_json(self, event: dict) -> None:
        from curl_cffi.const import CurlWsFlag

        try:
            self._ws.send(json.dumps(event, separators=(",", ":")).encode(), CurlWsFlag.TEXT)
        except Exception as exc:  # noqa: BLE001 - curl_cffi's errors become ours, whatever their class
            raise _as_ours(exc, self.url, "sending to") from None

    def receive(self, timeout: float) -> str | None:
        """The next text message; None when `timeout` seconds passed without one. Binary messages are skipped."""
        from curl_cffi.const import CurlWsFlag
        from curl_cffi.requests.websockets import WebSocketTimeout

        while True:
            try:
                payload, flags = self._ws.recv(timeout=max(timeout, 0.001))
            except WebSocketTimeout:
                return None
            except Exception as exc:  # noqa: BLE001
                raise _as_ours(exc, self.url, "reading from") from None
            if flags & CurlWsFlag.TEXT:
                return payload.decode("utf-8", "replace")

    def close(self) -> None:
        try:
            self._ws.close()
        except Exception:  # noqa: BLE001 - closing a socket that already failed is not news
            pass


def _as_ours(exc: Exception, url: str, doing: str):
    from curl_cffi.requests.websockets import WebSocketClosed, WebSocketTimeout

    if isinstance(exc, WebSocketTimeout):
        return RequestTimeoutError(f"Timed out {doing} {shown_url(url)}")
    if isinstance(exc, WebSocketClosed):
        return ConnectionFailedError(
            f"{shown_url(url)} closed the chat before the answer was complete", hint="Try again"
        )
    if "message size" in str(exc).lower() or "too large" in str(exc).lower():
        return BadResponseError(f"{shown_url(url)} sent a message larger than {MAX_MESSAGE_BYTES:,} bytes")
    code = getattr(exc, "code", None)
    return ConnectionFailedError(f"Connection to {shown_url(url)} failed {doing} it (curl error {code})")


class GatewayConnector:
    """Opens gateway WebSockets as `identity`'s browser does, through one curl_cffi session (its handshake
    settings made once; connections are not reused, each chat has its own socket). Thread-safe; `close()` it."""

    def __init__(self, identity: BrowserIdentity, user_agent: str) -> None:
        try:
            from curl_cffi.requests import Session
            from curl_cffi.requests.impersonate import BrowserType
        except (ImportError, OSError) as exc:
            raise ConnectionFailedError(
                f"The grok.com chat needs the browser's TLS handshake, and curl_cffi could not be loaded "
                f"({type(exc).__name__}); no python handshake is tried, since Cloudflare refuses it",
                hint="pip install curl_cffi",
            ) from None
        target = impersonation_target(identity.family, identity.major_version, (b.value for b in BrowserType))
        if target is None:
            raise ConnectionFailedError(
                f"curl_cffi has no {identity.family} browser at or below version {identity.major_version} to "
                "imitate for the chat WebSocket",
                hint=f"Upgrade curl_cffi, or send a newer browser's User-Agent ({USER_AGENT_ENV})",
            )
        self.identity, self.user_agent, self.target = identity, user_agent, target
        self._order = ",".join(WEBSOCKET_HEADER_ORDER[identity.family])  # libcurl's own headers are placed by it too
        self._session: Session = Session(impersonate=target, default_headers=False, trust_env=False)
        self._lock = threading.Lock()  # curl_cffi's ws_connect duplicates and resets the session's own handle

    def open(
        self,
        url: str,
        *,
        cookie_header: str | None,
        page_origin: str,
        connect_timeout: float,
        verify=True,
        proxy: str | None = None,
        browser_tls: bool = True,
    ) -> GatewaySocket:
        """Open the gateway WebSocket at `url` from a page of `page_origin` (see the module docstring); through
        `proxy` if given, else directly (loopback always directly)."""
        if is_loopback_host(urlsplit(url).hostname):
            proxy = None
        from curl_cffi import CurlOpt
        from curl_cffi.const import CurlWsOption

        headers = {"User-Agent": self.user_agent, **websocket_headers(self.identity, page_origin)}
        if cookie_header:
            headers["Cookie"] = cookie_header
        response_head: list[bytes] = []

        def keep_head_line(line: bytes) -> int:
            response_head.append(bytes(line))
            return len(line)

        try:
            with self._lock:
                _quiet_header_order_notice()
                websocket = self._session.ws_connect(
                    url,  # built by endpoints.gateway_url: already percent-encoded
                    headers=headers,
                    timeout=connect_timeout,
                    allow_redirects=False,
                    verify=_verify_option(verify),
                    proxy=proxy,
                    accept_encoding=None,
                    quote=False,
                    extra_fp={"header_order": self._order},
                    curl_options={
                        CurlOpt.WS_OPTIONS: CurlWsOption.PERMESSAGE_DEFLATE,
                        CurlOpt.HEADERFUNCTION: keep_head_line,
                        **({} if proxy else {CurlOpt.PROXY: ""}),  # libcurl reads http_proxy & co. itself otherwise
                    },
                )
        except Exception as exc:  # noqa: BLE001 - every curl failure becomes ours
            raise _open_error(exc, url, response_head, browser_tls) from None
        return GatewaySocket(websocket, url)

    def close(self) -> None:
        self._session.close()


def _open_error(exc: Exception, url: str, response_head: list[bytes], browser_tls: bool):
    status, reply_headers = _status_and_headers(response_head)
    if status is not None and status != 101:
        return handshake_error(status, reply_headers, browser_tls=browser_tls, site=site_of(url))
    if getattr(exc, "code", None) == _CURL_TIMEOUT:
        return RequestTimeoutError(f"Opening {shown_url(url)} timed out")
    if getattr(exc, "code", None) in _CURL_SSL_CODES:
        return ConnectionFailedError(
            f"TLS handshake with {shown_url(url)} failed", hint="Check the URL and the system's CA certificates"
        )
    return ConnectionFailedError(f"Could not open the chat WebSocket at {shown_url(url)}")


def _status_and_headers(lines: list[bytes]) -> tuple[int | None, CaseInsensitiveDict]:
    """The status and headers of the last reply head libcurl saw (a 101, or a refusal)."""
    status: int | None = None
    headers: CaseInsensitiveDict = CaseInsensitiveDict()
    for raw in lines:
        line = raw.decode("latin-1").strip()
        if line.startswith("HTTP/"):
            parts = line.split()
            status = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
            headers = CaseInsensitiveDict()
        elif ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip()] = value.strip()
    return status, headers


def _verify_option(verify) -> bool | str:
    """requests' `verify` as curl takes it (None, as requests, means its CA bundle); our error for a missing file."""
    try:
        return _ca_bundle(True if verify is None else verify)
    except OSError as exc:
        raise BadInputError(str(exc)) from None
