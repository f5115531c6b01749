"""What the grok.com web app sends, shaped as the user's own browser sends it (the request side of the dialect).

The web app calls `/rest/...` with a same-origin `fetch`. A request that differs from the browser's,
header for header, is what grok.com's anti-bot rules and Cloudflare look for, so this module rebuilds
the browser's request from what the profile tells us (browser, engine, major version, platform,
language preference):

- every browser: `Origin`, `Referer` (`<origin>/`), `Accept: */*`, `Content-Type: application/json`,
  `Accept-Language`, `Sec-Fetch-Site: same-origin`, `Sec-Fetch-Mode: cors`, `Sec-Fetch-Dest: empty`,
  `Priority` (Firefox `u=4`; Chromium `u=1, i`, over HTTP/2 only). No `Cache-Control`/`Pragma`: a
  default-mode fetch sends neither;
- Chromium engines only: `sec-ch-ua` (Chromium's GREASE brand list for that major version: see
  `sec_ch_ua`), `sec-ch-ua-mobile: ?0`, `sec-ch-ua-platform`;
- the web app's own: `x-xai-request-id` (a fresh UUID4 per request) and `x-statsig-id`. The app signs a
  token with its Statsig SDK; when that evaluation throws, it sends `btoa("x1:" + error)` instead, which
  grok.com accepts (the older `e:` prefix is refused). We send that fallback, with the error text a
  browser of that engine writes, varied per request, unless the user gives the real value copied from
  DevTools (`GROK_STATSIG_ID`), sent verbatim.

Sources: chenyme/grok2api issue 562 and PR 567, diegosouzapw/OmniRoute issue 3063 (June 2026);
Chromium components/embedder_support/user_agent_utils.cc (GenerateBrandVersionList,
GetGreasedUserAgentBrandVersion, GetRandomOrder).
"""

from __future__ import annotations

import base64
import random
import re
import uuid
from dataclasses import dataclass
from urllib.parse import urlsplit

__all__ = [
    "REST_PREFIX",
    "BrowserIdentity",
    "browser_identity",
    "sec_ch_ua",
    "rest_headers",
    "fallback_statsig_id",
    "chat_payload",
    "origin_of",
    "in_browser_order",
]

REST_PREFIX = "/rest/"
STATSIG_FALLBACK_PREFIX = "x1:"

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

# Chromium's GetGreasedUserAgentBrandVersion: the placeholder brand and its version, seeded by the major.
_GREASEY_CHARS = (" ", "(", ":", "-", ".", "/", ")", ";", "=", "?", "_")
_GREASED_VERSIONS = ("8", "99", "24")
# GetRandomOrder for three brands: where each entry of [grease, Chromium, brand] lands, by major % 6.
_ORDERS_3 = ((0, 1, 2), (0, 2, 1), (1, 0, 2), (1, 2, 0), (2, 0, 1), (2, 1, 0))


@dataclass(frozen=True)
class BrowserIdentity:
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


def in_browser_order(headers, family: str) -> list[tuple[str, str]]:
    """`headers` (a mapping) as (name, value) pairs in the order that engine sends them."""
    rank = {name: index for index, name in enumerate(HEADER_ORDER.get(family, HEADER_ORDER["chromium"]))}
    return sorted(headers.items(), key=lambda item: rank.get(item[0].lower(), len(rank)))


def origin_of(url: str) -> str:
    """`scheme://host[:port]` of `url`, as a browser writes it in `Origin` (default port left out)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    host = f"[{host}]" if ":" in host else host
    default = {"http": 80, "https": 443}.get(parts.scheme)
    port = f":{parts.port}" if parts.port is not None and parts.port != default else ""
    return f"{parts.scheme}://{host}{port}"


def rest_headers(
    identity: BrowserIdentity,
    url: str,
    *,
    statsig_id: str | None = None,
    http2: bool = True,
    rng: random.Random | None = None,
) -> dict[str, str]:
    """Every header the browser of `identity` sends on the web app's same-origin `fetch` to `url`
    (User-Agent, Cookie and Accept-Encoding aside), in the browser's order. `statsig_id`: the
    user's own value, else a fresh fallback one. `http2`: whether the browser would reach `url`
    over HTTP/2 (grok.com) rather than HTTP/1.1 (a loopback stand-in); it decides `Priority`."""
    origin = origin_of(url)
    headers: dict[str, str] = {}
    if identity.family == "chromium" and identity.major_version is not None:
        headers["sec-ch-ua-platform"] = f'"{identity.platform}"'
        headers["sec-ch-ua"] = sec_ch_ua(identity.major_version, identity.brand, identity.brand_version)
        headers["sec-ch-ua-mobile"] = "?1" if identity.platform == "Android" else "?0"
    headers.update(
        {
            "Accept": "*/*",
            "Accept-Language": identity.accept_language,
            "Content-Type": "application/json",
            "x-xai-request-id": str(uuid.uuid4()),
            "x-statsig-id": statsig_id if statsig_id is not None else fallback_statsig_id(identity.family, rng),
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


# --- x-statsig-id's fallback form -------------------------------------------------------

#: Properties the app's Statsig evaluation reads; the error names one of them.
_PROPERTIES = (
    "children",
    "childNodes",
    "getAttribute",
    "querySelector",
    "content",
    "length",
    "value",
    "parentNode",
    "firstChild",
    "dataset",
    "style",
    "innerHTML",
)
_MINIFIED = "abcdefghijklmnopqrstuvwxyz"


def _js_type_error(family: str, rng: random.Random) -> str:
    """A `TypeError` as that engine's `String(error)` writes it, for a property read on null/undefined."""
    prop = rng.choice(_PROPERTIES) if rng.random() < 0.5 else "".join(rng.choices(_MINIFIED, k=rng.randint(5, 10)))
    missing = rng.choice(("undefined", "null"))
    if family == "firefox":
        name = rng.choice(_MINIFIED) + (rng.choice(_MINIFIED + "0123456789") if rng.random() < 0.5 else "")
        return f'TypeError: can\'t access property "{prop}", {name} is {missing}'
    return f"TypeError: Cannot read properties of {missing} (reading '{prop}')"


def fallback_statsig_id(family: str = "chromium", rng: random.Random | None = None) -> str:
    """What the web app sends in `x-statsig-id` when its Statsig evaluation throws:
    `btoa("x1:" + String(error))`, here with a `TypeError` text varied per call."""
    text = STATSIG_FALLBACK_PREFIX + _js_type_error(family, rng or random.SystemRandom())
    return base64.b64encode(text.encode("ascii")).decode("ascii")


def _printable(text: str) -> bool:
    return text.isascii() and all(" " <= ch <= "~" for ch in text)


# --- the chat request body -------------------------------------------------------------

#: The screen the app reports in `deviceEnvInfo` (a common desktop one).
_DEVICE = {
    "darkModeEnabled": False,
    "devicePixelRatio": 1,
    "screenWidth": 1920,
    "screenHeight": 1080,
    "viewportWidth": 1920,
    "viewportHeight": 953,
}


def chat_payload(messages: list[dict], *, model: str) -> dict:
    """The body of `POST /rest/app-chat/conversations/new` as the web app sent it in mid-2026, for a
    temporary (unsaved) conversation. The app takes one message: a message list is sent as
    `role: content` lines."""
    if len(messages) == 1 and messages[0]["role"] == "user":
        text = messages[0]["content"]
    else:
        text = "\n\n".join(f"{m['role']}: {m['content']}" for m in messages)
    return {
        "temporary": True,
        "modelName": model,
        "message": text,
        "fileAttachments": [],
        "imageAttachments": [],
        "disableSearch": False,
        "enableImageGeneration": True,
        "returnImageBytes": False,
        "returnRawGrokInXaiRequest": False,
        "enableImageStreaming": True,
        "imageGenerationCount": 2,
        "forceConcise": False,
        "toolOverrides": {},
        "enableSideBySide": True,
        "sendFinalMetadata": True,
        "isReasoning": False,
        "webpageUrls": [],
        "disableTextFollowUps": False,
        "responseMetadata": {"requestModelDetails": {"modelId": model}},
        "disableMemory": False,
        "forceSideBySide": False,
        "isAsyncChat": False,
        "disableSelfHarmShortCircuit": False,
        "collectionIds": [],
        "disabledConnectorIds": [],
        "deviceEnvInfo": dict(_DEVICE),
    }
