"""The pytest plugin's offline guard: while a test uses the stand-in, nothing leaves loopback.

Refused before any connection is attempted, with `OfflineError` (an `OSError`):
- Python sockets: a name lookup (`socket.getaddrinfo`) of a name that is not loopback, and
  `socket.socket.connect`/`connect_ex` to an IP address outside loopback (requests, urllib3, http.client,
  anything on Python sockets);
- libcurl through curl_cffi, which opens its own sockets in C: every transfer starts in `Curl.perform`
  (requests-style sessions, the library's TLS adapter, `Session.ws_connect`) or `AsyncCurl.add_handle`
  (async sessions and WebSockets), after curl_cffi's `set_curl_options` (checked too, so a streamed
  request, whose `perform` runs on a worker thread, raises in the caller's). The options the handle was
  given decide where it would connect: the URL's host, the proxy and pre-proxy, a DNS-over-HTTPS server, and a `RESOLVE`
  entry that sends the URL's host elsewhere (a grok.com URL resolved to 127.0.0.1 is loopback; curl_cffi
  cannot set `CONNECT_TO`).
  A Unix socket path is local. Redirects curl would follow on its own (`allow_redirects=True` on a raw
  curl_cffi session) are not checked; the library never lets curl follow one.

It is a guard against a test reaching api.x.ai or grok.com by mistake, not a sandbox for subprocesses or
other C code.
"""

from __future__ import annotations

import ipaddress
import socket
import weakref
from collections.abc import Callable
from urllib.parse import urlsplit

import pytest

__all__ = ["OfflineError", "refuse_non_loopback"]

STANDIN_FIXTURES = "xai_standin (its base_url and web_base_url), xai_client or grok_browser_client"


class OfflineError(OSError):
    """A test using the stand-in tried to reach something outside loopback."""


def refuse_non_loopback(monkeypatch: pytest.MonkeyPatch, on_refusal: Callable[[str], None], *, allow: str) -> None:
    """Refuse, for as long as `monkeypatch` is undone at the test's end, every connection outside loopback.

    `on_refusal(message)` is called with each refusal's message before it is raised (the plugin adds it to
    the test's report); `allow` says how to switch the guard off (named in the message)."""

    def refuse(what: str) -> OfflineError:
        message = (
            f"cookie-session's pytest plugin refused {what}: a test using the stand-in stays on loopback. "
            f"Point the code at the stand-in the fixtures give ({STANDIN_FIXTURES}), or {allow}"
        )
        on_refusal(message)
        return OfflineError(message)

    _guard_python_sockets(monkeypatch, refuse)
    _guard_curl(monkeypatch, refuse)


# --- Python sockets ---------------------------------------------------------------------------------


def is_loopback_host(host: str) -> bool:
    """The library's rule (imported on first use: loading the plugin loads nothing of the library)."""
    from ..policy import is_loopback_host as rule

    return rule(host)


def _host_name(host) -> str:
    return host.decode("ascii", "replace") if isinstance(host, bytes) else str(host)


def _is_address(host) -> bool:  # a numeric address needs no lookup; connect() decides on it
    try:
        ipaddress.ip_address(_host_name(host).strip("[]").split("%", 1)[0])
    except ValueError:
        return False
    return True


def _guard_python_sockets(monkeypatch: pytest.MonkeyPatch, refuse) -> None:
    real_getaddrinfo = socket.getaddrinfo
    real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex

    def getaddrinfo(host, *args, **kwargs):
        if host not in (None, "", b"") and not is_loopback_host(_host_name(host)) and not _is_address(host):
            raise refuse(f"a name lookup of {_host_name(host)}")
        return real_getaddrinfo(host, *args, **kwargs)

    def check(sock: socket.socket, address) -> None:
        if sock.family in (socket.AF_INET, socket.AF_INET6) and isinstance(address, tuple):
            if not is_loopback_host(_host_name(address[0])):
                raise refuse(f"a connection to {_host_name(address[0])}:{address[1]}")

    def connect(sock, address):
        check(sock, address)
        return real_connect(sock, address)

    def connect_ex(sock, address):
        check(sock, address)
        return real_connect_ex(sock, address)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)


# --- libcurl (curl_cffi) ---------------------------------------------------------------------------


def _guard_curl(monkeypatch: pytest.MonkeyPatch, refuse) -> None:
    """Record where each curl handle was told to connect (its `setopt` calls), and refuse its transfer
    (`perform`, `add_handle`) when that is outside loopback. Nothing happens without curl_cffi."""
    try:
        from curl_cffi import Curl, CurlOpt
        from curl_cffi.aio import AsyncCurl
        from curl_cffi.requests import session as curl_session, websockets as curl_websockets
    except (ImportError, OSError):  # not installed, or its libcurl will not load: nothing to guard
        return
    watched = {
        CurlOpt.URL: "url",
        CurlOpt.PROXY: "proxy",
        CurlOpt.PRE_PROXY: "pre_proxy",
        CurlOpt.DOH_URL: "doh_url",
        CurlOpt.RESOLVE: "resolve",
        CurlOpt.UNIX_SOCKET_PATH: "unix_socket",
        CurlOpt.ABSTRACT_UNIX_SOCKET: "unix_socket",
    }
    told: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # handle -> {what: value}
    real_setopt, real_reset, real_duphandle = Curl.setopt, Curl.reset, Curl.duphandle
    real_perform, real_add_handle = Curl.perform, AsyncCurl.add_handle

    def setopt(curl, option, value):
        what = watched.get(option)
        if what is not None:
            told.setdefault(curl, {})[what] = value
        return real_setopt(curl, option, value)

    def reset(curl):
        told.pop(curl, None)
        return real_reset(curl)

    def duphandle(curl):
        copy = real_duphandle(curl)
        if curl in told:
            told[copy] = dict(told[curl])
        return copy

    def check(curl) -> None:
        destination = _curl_destination(told.get(curl, {}))
        if destination is not None:
            raise refuse(f"a connection to {destination} (curl_cffi)")

    def perform(curl, *args, **kwargs):
        check(curl)
        return real_perform(curl, *args, **kwargs)

    def prepared(real):
        """curl_cffi's own option setting, checked at its end: in the caller's thread, where a streamed
        request's `perform` (run on a worker thread, its exception kept there) could not raise."""

        def set_curl_options(curl, *args, **kwargs):
            result = real(curl, *args, **kwargs)
            check(curl)
            return result

        return set_curl_options

    def add_handle(multi, curl):
        check(curl)
        return real_add_handle(multi, curl)

    monkeypatch.setattr(Curl, "setopt", setopt)
    monkeypatch.setattr(Curl, "reset", reset)
    monkeypatch.setattr(Curl, "duphandle", duphandle)
    monkeypatch.setattr(Curl, "perform", perform)
    monkeypatch.setattr(AsyncCurl, "add_handle", add_handle)
    for module in (curl_session, curl_websockets):
        if hasattr(module, "set_curl_options"):
            monkeypatch.setattr(module, "set_curl_options", prepared(module.set_curl_options))


def _text(value) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _host_port(url: str) -> tuple[str, int | None]:
    """The host and port of a URL or of curl's scheme-less `host[:port]` (a proxy may be given either way)."""
    parts = urlsplit(url if "://" in url else f"http://{url}")
    try:
        port = parts.port
    except ValueError:
        port = None
    return parts.hostname or "", port


def _entries(value) -> list[str]:
    if value is None:
        return []
    return [_text(item) for item in value] if isinstance(value, (list, tuple)) else [_text(value)]


def _curl_destination(options: dict) -> str | None:
    """The first place outside loopback these options would make curl connect to, or None."""
    if options.get("unix_socket"):
        return None  # a Unix socket: the URL names the Host header only
    for what in ("proxy", "pre_proxy", "doh_url"):
        value = _text(options.get(what) or "")
        if value:
            host, port = _host_port(value)
            if not is_loopback_host(host):
                return f"{host}:{port or '?'} ({what.replace('_', ' ')})"
    url = _text(options.get("url") or "")
    if not url:
        return None
    if _text(options.get("proxy") or ""):
        return None  # through a loopback proxy: curl itself only connects to the proxy
    host, port = _host_port(url)
    if port is None:
        port = {"https": 443, "wss": 443, "http": 80, "ws": 80}.get(urlsplit(url).scheme.lower())
    for entry in _entries(options.get("resolve")):  # [+]HOST:PORT:ADDRESS[,ADDRESS]... ("-HOST:PORT" removes)
        if entry.startswith("-"):
            continue
        name, entry_port, addresses = (entry.lstrip("+").split(":", 2) + ["", ""])[:3]
        if name.strip("[]") == host and entry_port in (str(port), "*"):
            outside = [a.strip("[]") for a in addresses.split(",") if a and not is_loopback_host(a.strip("[]"))]
            return f"{outside[0]}:{port} (resolved from {host})" if outside else None
    return None if is_loopback_host(host) else f"{host}:{port}"
