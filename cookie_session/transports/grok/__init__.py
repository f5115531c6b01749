"""grok.com's web app (unofficial, changes without notice), spoken as the user's own browser speaks it today.

One home for everything grok.com: when the site changes, docs/grok-com-rules.md and the stand-in change first,
then one module here.

    endpoints.py   where things are: /api/auth/session, /rest/modes, the gateway /ws/mgw/, the statsig page
    headers.py     what the browser sends on a fetch, a page load and a WebSocket handshake, in its order
    statsig.py     the signed x-statsig-id (page seed + SVG curves, bound to method, path and time)
    wire.py        BrowserWire: a requests `auth` adding the browser's headers and the statsig per request
    tls.py         the browser's TLS/HTTP2 handshake for fetches: a requests adapter over curl_cffi
    websocket.py   the gateway WebSocket over the browser's TLS handshake (curl_cffi)
    gateway.py     the chat protocol on that socket: events, thinking, citations, pings, limits
    signals.py     what grok.com's errors mean, mapped onto our error tree
    transport.py   WebTransport: chat, models (modes) and whoami for GrokClient
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .transport import WebTransport

__all__ = ["WebTransport"]


def __getattr__(name: str):
    """`WebTransport` loads on first use: `endpoints` and `headers` are read without requests (the CLI's start-up)."""
    if name == "WebTransport":
        from .transport import WebTransport

        return WebTransport
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
