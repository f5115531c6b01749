"""What the user's browser sends grok.com, request by request: the headers of the web app's same-origin
`fetch` (`/rest/`, `/api/`), of a page load (the statsig page), and of `new WebSocket(...)` (the gateway).

A request that differs from the browser's, header for header, is what grok.com's anti-bot rules and
Cloudflare look for, so each is rebuilt from what the profile tells us (browser, engine, major version,
platform, language preference), in the order that engine writes them (measured on Chromium 156 and
Firefox 153 against the stand-in: tests/real_browsers/test_browser_parity.py):

- `fetch` (every engine): `Origin`, `Referer` (`<origin>/`), `Accept: */*`, `Content-Type` (with a body),
  `Accept-Language`, `Sec-Fetch-Site: same-origin`, `Sec-Fetch-Mode: cors`, `Sec-Fetch-Dest: empty`,
  `Priority` (Firefox `u=4`; Chromium `u=1, i`, over HTTP/2 only). No `Cache-Control`/`Pragma`: a
  default-mode fetch sends neither (docs/grok-com-rules.md discusses the disputed row). Chromium engines add
  `sec-ch-ua` (Chromium's GREASE brand list for that major: `sec_ch_ua`), `sec-ch-ua-mobile`,
  `sec-ch-ua-platform`. The web app adds `x-xai-request-id` (a fresh UUID4) and, on `/rest/`, the signed
  `x-statsig-id` (`statsig.py`);
- a page load: `Accept: text/html,...`, `Upgrade-Insecure-Requests: 1`, `Sec-Fetch-Mode: navigate`,
  `Sec-Fetch-Dest: document`, `Sec-Fetch-Site: none`, `Sec-Fetch-User: ?1`, `Priority: u=0, i`;
- `new WebSocket(...)`: `Pragma`/`Cache-Control: no-cache`, `Origin`, `Accept-Encoding`, `Accept-Language`,
  the extension offer (Chromium's `permessage-deflate; client_max_window_bits` for both engines: libcurl inflates
  after no other offer, so Firefox's bare `permessage-deflate` is the one value we cannot match);
  Firefox also `Accept: */*` and `Sec-Fetch-*` (`websocket` mode); `Upgrade`, `Connection`,
  `Sec-WebSocket-Key` and `-Version` are written by libcurl itself, placed by the header order.

Sources: chenyme/grok2api `backend/internal/infra/provider/web/headers.go` and `gateway.go` (2026-08);
Chromium components/embedder_support/user_agent_utils.cc (GenerateBrandVersionList,
GetGreasedUserAgentBrandVersion, GetRandomOrder).
"""

from __future__ import annotations

import re
from typing import NamedTuple
from urllib.parse import urlsplit

__all__ = [
    "BrowserIdentity",
    "browser_identity",
    "sec_ch_ua",
    "fetch_headers",
    "page_headers",
    "websocket_headers",
    "origin_of",
    "in_browser_order",
]

#: The `Accept-Language` a fresh en-US profile sends (Chromium 156 and Firefox 153 alike, as measured).
DEFAULT_ACCEPT_LANGUAGE = {"chromium": "en-US,en;q=0.9", "firefox": "en-US,en;q=0.9"}
#: The `Priority` header (RFC 9218) each engine sends on a `fetch()`. Chromium sends it over HTTP/2
#: and HTTP/3 only (grok.com speaks HTTP/2 to browsers); Firefox over HTTP/1.1 too.
FETCH_PRIORITY = {"chromium": "u=1, i", "firefox": "u=4"}
_PRIORITY_OVER_HTTP1 = {"chromium": False, "firefox": True}
#: The brand a Chromium-based browser adds to `sec-ch-ua` besides "Chromium" and the GREASE brand.
#: None: the browser sends no brand of its own (unbranded Chromium; Vivaldi and Arc present as it).
CHROMIUM_BRANDS: dict[str, str | None] = {
    "chrome": "Google Chrome",
    "chromium": None,
    "edge": "Microsoft Edge",
    "brave": "Brave",
    "opera": "Opera",
    "opera_gx": "Opera GX",
    "vivaldi": None,
    "arc": None,
}

#: The order each engine writes a fetch's headers in over HTTP/1.1 (measured: Chromium 156, Firefox 153);
#: the web app's own headers go with Content-Type, as a fetch's author headers do. Others follow.
HEADER_ORDER = {
    "chromium": (
        "host",
        "connection",
        "content-length",
        "sec-ch-ua-platform",
        "user-agent",
        "sec-ch-ua",
        "content-type",
        "x-xai-request-id",
        "x-statsig-id",
        "sec-ch-ua-mobile",
        "accept",
        "origin",
        "sec-fetch-site",
        "sec-fetch-mode",
        "sec-fetch-dest",
        "referer",
        "accept-encoding",
        "accept-language",
        "cookie",
        "priority",
    ),
    "firefox": (
        "host",
        "user-agent",
        "accept",
        "accept-language",
        "accept-encoding",
        "referer",
        "content-type",
        "x-xai-request-id",
        "x-statsig-id",
        "content-length",
        "origin",
        "connection",
        "cookie",
        "sec-fetch-dest",
        "sec-fetch-mode",
        "sec-fetch-site",
        "priority",
    ),
}

#: The order of a page load's headers over HTTP/1.1 (the statsig page).
PAGE_HEADER_ORDER = {
    "chromium": (
        "host",
        "connection",
        "sec-ch-ua",
        "sec-ch-ua-mobile",
        "sec-ch-ua-platform",
        "upgrade-insecure-requests",
        "user-agent",
        "accept",
        "sec-fetch-site",
        "sec-fetch-mode",
        "sec-fetch-user",
        "sec-fetch-dest",
        "accept-encoding",
        "accept-language",
        "cookie",
        "priority",
    ),
    "firefox": (
        "host",
        "user-agent",
        "accept",
        "accept-language",
        "accept-encoding",
        "connection",
        "cookie",
        "upgrade-insecure-requests",
        "sec-fetch-dest",
        "sec-fetch-mode",
        "sec-fetch-site",
        "sec-fetch-user",
        "priority",
    ),
}
#: The order of `new WebSocket(...)`'s handshake headers (measured: Chromium 156, Firefox 153, against the
#: stand-in; libcurl's own Upgrade/Connection/Sec-WebSocket-Key/-Version are placed by this order too).
WEBSOCKET_HEADER_ORDER = {
    "chromium": (
        "host",
        "connection",
        "pragma",
        "cache-control",
        "user-agent",
        "upgrade",
        "origin",
        "sec-websocket-version",
        "accept-encoding",
        "accept-language",
        "cookie",
        "sec-websocket-key",
        "sec-websocket-extensions",
    ),
    "firefox": (
        "host",
        "user-agent",
        "accept",
        "accept-language",
        "accept-encoding",
        "sec-websocket-version",
        "origin",
        "sec-websocket-extensions",
        "sec-websocket-key",
        "connection",
        "cookie",
        "sec-fetch-dest",
        "sec-fetch-mode",
        "sec-fetch-site",
        "pragma",
        "cache-control",
        "upgrade",
    ),
}
#: What Chromium and Firefox both send as `Accept-Encoding`, fetches and WebSocket handshakes alike.
ACCEPT_ENCODING = "gzip, deflate, br, zstd"

# Chromium's GetGreasedUserAgentBrandVersion: the placeholder brand and its version, seeded by the major.
_GREASEY_CHARS = (" ", "(", ":", "-", ".", "/", ")", ";", "=", "?", "_")
_GREASED_VERSIONS = ("8", "99", "24")
# GetRandomOrder for three brands: where each entry of [grease, Chromium, brand] lands, by major % 6.
_ORDERS_3 = ((0, 1, 2), (0, 2, 1), (1, 0, 2), (1, 2, 0), (2, 0, 1), (2, 1, 0))


class BrowserIdentity(NamedTuple):
    """What the request headers depend on: engine family, the major version and platform the
    User-Agent states, the browser's own client-hint brand (and its version) and its languages."""

    family: str  # "chromium" or "firefox"
    major_version: int | None
    platform: str  # sec-ch-ua-platform's value: "Linux", "macOS", "Windows", ...
    accept_language: str
    brand: str | None = None  # e.g. "Google Chrome"; None for unbranded Chromium and Firefox
    brand_version: int | None = None


def browser_identity(
    browser: str | None,
    family: str | None,
    user_agent: str,
    *,
    major_version: int | None = None,
    accept_language: str | None = None,
) -> BrowserIdentity:
    """The identity a request must present so that its headers agree with `user_agent`.

    The User-Agent wins where it speaks (Cloudflare binds `cf_clearance` to it): its engine, its
    `Chrome/`/`Firefox/` major version, its platform, and `Edg/`/`OPR/` brands. `browser` (a name as
    in `browsers.SUPPORTED_BROWSERS`) picks the brand otherwise; `major_version` is used only when
    the User-Agent names none.
    """
    chrome = re.search(r"\b(?:Chrome|Chromium|CriOS)/(\d+)", user_agent)
    gecko = re.search(r"\bFirefox/(\d+)", user_agent)
    if chrome:
        family = "chromium"
    elif gecko:
        family = "firefox"
    family = family if family in DEFAULT_ACCEPT_LANGUAGE else "chromium"
    found = chrome if family == "chromium" else gecko
    major = int(found.group(1)) if found else major_version
    brand, brand_version = None, major
    if family == "chromium":
        edge, opera = re.search(r"\bEdgA?/(\d+)", user_agent), re.search(r"\bOPR/(\d+)", user_agent)
        if edge:
            brand, brand_version = "Microsoft Edge", int(edge.group(1))
        elif opera:
            brand, brand_version = ("Opera GX" if browser == "opera_gx" else "Opera"), int(opera.group(1))
        else:
            brand = CHROMIUM_BRANDS.get((browser or "chromium").lower(), None)
    language = accept_language if accept_language and _printable(accept_language) else None
    return BrowserIdentity(
        family, major, _platform(user_agent), language or DEFAULT_ACCEPT_LANGUAGE[family], brand, brand_version
    )


def _platform(user_agent: str) -> str:
    """sec-ch-ua-platform as Chromium derives it for the OS the User-Agent names."""
    for marker, platform in (
        ("Android", "Android"),
        ("CrOS", "Chrome OS"),
        ("Windows", "Windows"),
        ("Macintosh", "macOS"),
        ("Mac OS X", "macOS"),
    ):
        if marker in user_agent:
            return platform
    return "Linux"


def sec_ch_ua(major_version: int, brand: str | None = None, brand_version: int | None = None) -> str:
    """The `sec-ch-ua` value Chromium `major_version` sends: the GREASE placeholder brand, "Chromium"
    and `brand` (if any), each with its major version, in Chromium's stable order for that major."""
    seed = major_version
    grease = (
        f"Not{_GREASEY_CHARS[seed % len(_GREASEY_CHARS)]}A{_GREASEY_CHARS[(seed + 1) % len(_GREASEY_CHARS)]}Brand",
        _GREASED_VERSIONS[seed % len(_GREASED_VERSIONS)],
    )
    entries = [grease, ("Chromium", str(major_version))]
    if brand:
        entries.append((brand, str(brand_version if brand_version is not None else major_version)))
        order: tuple[int, ...] = _ORDERS_3[seed % len(_ORDERS_3)]
    else:
        order = (seed % 2, (seed + 1) % 2)
    shuffled: list[tuple[str, str]] = [("", "")] * len(entries)
    for index, entry in enumerate(entries):  # ShuffleBrandList: shuffled[order[i]] = list[i]
        shuffled[order[index]] = entry
    return ", ".join(f'"{name}";v="{version}"' for name, version in shuffled)


def _printable(text: str) -> bool:
    return text.isascii() and all(" " <= ch <= "~" for ch in text)


def in_browser_order(headers, family: str, kind: str = "fetch") -> list[tuple[str, str]]:
    """`headers` (a mapping) as (name, value) pairs in the order that engine sends them on a request of
    `kind` ("fetch", "page" or "websocket"); names it does not know go last, in their own order."""
    orders = {"fetch": HEADER_ORDER, "page": PAGE_HEADER_ORDER, "websocket": WEBSOCKET_HEADER_ORDER}[kind]
    rank = {name: index for index, name in enumerate(orders.get(family, orders["chromium"]))}
    return sorted(headers.items(), key=lambda item: rank.get(item[0].lower(), len(rank)))


def origin_of(url: str) -> str:
    """`scheme://host[:port]` of `url`, as a browser writes it in `Origin` (default port left out;
    ws/wss written as the page's http/https, since a WebSocket's Origin is the page's)."""
    parts = urlsplit(url)
    scheme = {"ws": "http", "wss": "https"}.get(parts.scheme, parts.scheme)
    host = parts.hostname or ""
    host = f"[{host}]" if ":" in host else host
    default = {"http": 80, "https": 443}.get(scheme)
    port = f":{parts.port}" if parts.port is not None and parts.port != default else ""
    return f"{scheme}://{host}{port}"


def _client_hints(identity: BrowserIdentity) -> dict[str, str]:
    """Chromium's low-entropy client hints (sent on every request of a secure origin); none for Firefox."""
    if identity.family != "chromium" or identity.major_version is None:
        return {}
    return {
        "sec-ch-ua-platform": f'"{identity.platform}"',
        "sec-ch-ua": sec_ch_ua(identity.major_version, identity.brand, identity.brand_version),
        "sec-ch-ua-mobile": "?1" if identity.platform == "Android" else "?0",
    }


def fetch_headers(identity: BrowserIdentity, url: str, *, has_body: bool, http2: bool = True) -> dict[str, str]:
    """Every header the browser of `identity` sends on the web app's same-origin `fetch` to `url`
    (User-Agent, Cookie, Accept-Encoding and the app's `x-statsig-id` aside). `http2`: whether the browser
    would reach `url` over HTTP/2 (grok.com) rather than HTTP/1.1 (a loopback stand-in); it decides `Priority`."""
    import uuid  # here: a session that only reads cookies never needs it (start-up)

    origin = origin_of(url)
    headers = _client_hints(identity)
    headers.update({"Accept": "*/*", "Accept-Language": identity.accept_language})
    if has_body:
        headers["Content-Type"] = "application/json"
    headers.update(
        {
            "x-xai-request-id": str(uuid.uuid4()),
            "Origin": origin,
            "Sec-Fetch-Site": "same-origin",
            "Sec-Fetch-Mode": "cors",
            "Sec-Fetch-Dest": "empty",
            "Referer": f"{origin}/",
        }
    )
    if http2 or _PRIORITY_OVER_HTTP1[identity.family]:
        headers["Priority"] = FETCH_PRIORITY[identity.family]
    return headers


#: A page load's `Accept`, per engine.
PAGE_ACCEPT = {
    "chromium": "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,"
    "application/signed-exchange;v=b3;q=0.7",
    "firefox": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
}


def page_headers(identity: BrowserIdentity) -> dict[str, str]:
    """The headers of a top-level page load typed into the address bar (the statsig page)."""
    headers = _client_hints(identity)
    headers.update(
        {
            "Upgrade-Insecure-Requests": "1",
            "Accept": PAGE_ACCEPT[identity.family],
            "Accept-Language": identity.accept_language,
            "Sec-Fetch-Site": "none",
            "Sec-Fetch-Mode": "navigate",
            "Sec-Fetch-User": "?1",
            "Sec-Fetch-Dest": "document",
            "Priority": "u=0, i",
        }
    )
    return headers


#: The extension offer each engine makes on `new WebSocket(...)` (measured: Chromium 156, Firefox 153).
BROWSER_WEBSOCKET_EXTENSIONS = {
    "chromium": "permessage-deflate; client_max_window_bits",
    "firefox": "permessage-deflate",
}
#: The offer we make. libcurl inflates permessage-deflate only after an offer of its own form (Chromium's) and
#: refuses any other ("[WS] incompatible custom extension offer"); without its inflater a server that compresses
#: cannot be read. So the Firefox path offers Chromium's form: the one header of a Firefox handshake we cannot
#: match (measured; tests/real_browsers/test_browser_parity.py names it as the known difference).
WEBSOCKET_EXTENSION_OFFER = BROWSER_WEBSOCKET_EXTENSIONS["chromium"]


def websocket_headers(identity: BrowserIdentity, page_origin: str) -> dict[str, str]:
    """The headers the browser of `identity` writes for `new WebSocket(url)` from a page of `page_origin`
    (Cookie, Host and the four handshake headers libcurl writes itself aside)."""
    headers = {
        "Pragma": "no-cache",
        "Cache-Control": "no-cache",
        "Origin": page_origin,
        "Accept-Encoding": ACCEPT_ENCODING,
        "Accept-Language": identity.accept_language,
        "Sec-WebSocket-Extensions": WEBSOCKET_EXTENSION_OFFER,
    }
    if identity.family == "firefox":
        headers.update(
            {"Accept": "*/*", "Sec-Fetch-Dest": "empty", "Sec-Fetch-Mode": "websocket", "Sec-Fetch-Site": "same-origin"}
        )
    return headers
