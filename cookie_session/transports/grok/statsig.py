"""The `x-statsig-id` grok.com's web app signs for each `/rest/` request, computed as the app computes it.

The published algorithm (Prodigalgal/any2api `GrokWebStatsigSigner.java`, 2026-08-17; the same 70-byte shape in
chenyme/grok2api `statsig.go`, 2026-07-13 on; docs/grok-com-rules.md):

- the page carries a 48-byte seed, base64 in `<meta name="grok-site-verification" content=...>`, and SVG
  animation data (`"curves":[[{color, deg, bezier}, ...] x4], "css_class"` in the page's flight script);
- seed bytes 5, 2, 1, 20 and 19 pick a curve and a time; a cubic-bezier and rotation computation over that curve
  gives a hex "style" string (`_style`);
- t = now - 1682924400 (uint32 little-endian); digest = SHA-256(`METHOD!path!t` + "obfiowerehiring" + style);
- the token: [R] + seed + t + digest[:16] + [3], every byte after the first XORed with R (random), base64
  without padding. So it is bound to the method, the path and the time.

`StatsigSigner` fetches the page (`/index`, a branded 404 today, else `/`) through the caller's `fetch_page`,
keeps the page for at most `PAGE_TTL` and a token per (method, path) for at most `TOKEN_TTL` (grok.com accepts a
token for about an hour), and forgets both on `invalidate()` (a code-7 "out of date" answer: the caller
replays once). When the page yields no seed or no curves, it sends what a browser whose page code failed
sends: `STATSIG_FALLBACK`, one fixed text (R5; whether grok.com still accepts it is contested).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import math
import re
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["SiteVerification", "StatsigSigner", "parse_site_verification", "sign", "STATSIG_FALLBACK"]

#: What Chrome's page sends when its statsig code throws: btoa("x1:" + String(error)) (chenyme/grok2api PR #969).
STATSIG_FALLBACK = base64.b64encode(
    b"x1:TypeError: Cannot read properties of undefined (reading 'childNodes')"
).decode()
EPOCH = 1682924400  #: the signer's time origin (2023-05-01 07:00 UTC)
SALT = "obfiowerehiring"
SEED_BYTES = 48
CURVE_GROUPS, CURVES_PER_GROUP = 4, 16
PAGE_TTL = 3600.0  #: seconds a fetched page (seed and curves) is used
TOKEN_TTL = 3300.0  #: seconds a token is reused for its (method, path): inside grok.com's hour, with a margin
PAGE_PATHS = ("/index", "/")

_META = re.compile(
    r"""<meta\b(?=[^>]*\bname=["']grok-site[-\u2010-\u2015]verification["'])[^>]*\bcontent=["']([^"']+)["']""",
    re.IGNORECASE,
)
_CURVES = re.compile(r'\\"curves\\":(\[\[.*?\]\]),\\"css_class\\":\\"[A-Za-z0-9_-]{1,64}\\"', re.DOTALL)


@dataclass(frozen=True)
class Curve:
    color: tuple[int, ...]  # six 0..255 values: from RGB, to RGB
    deg: int
    bezier: tuple[int, ...]  # four 0..255 control values


@dataclass(frozen=True)
class SiteVerification:
    """What one build of the web app signs with: the page's seed and the style computed from its curves."""

    seed: bytes
    style: str

    def __repr__(self) -> str:  # the seed is public, but long; nothing to show
        return f"SiteVerification(seed=<{len(self.seed)} bytes>, style={self.style!r})"


def parse_site_verification(html: str) -> SiteVerification | None:
    """The seed and style of a page, or None when the page carries no usable seed or curves."""
    meta = _META.search(html)
    curves = _CURVES.search(html)
    if meta is None or curves is None:
        return None
    try:
        seed = base64.b64decode(meta.group(1).strip() + "=" * (-len(meta.group(1).strip()) % 4), validate=True)
        groups = json.loads(curves.group(1).replace('\\"', '"'))
        parsed = [[_curve(item) for item in group] for group in groups]
    except (binascii.Error, ValueError, TypeError, KeyError, RecursionError):
        return None
    if len(seed) != SEED_BYTES or len(parsed) != CURVE_GROUPS or any(len(g) < CURVES_PER_GROUP for g in parsed):
        return None
    return SiteVerification(seed, _style(seed, parsed))


def _curve(item) -> Curve:
    color, deg, bezier = item["color"], item["deg"], item["bezier"]
    numbers = [*color, deg, *bezier]
    if len(color) != 6 or len(bezier) != 4 or not all(isinstance(n, int) and not isinstance(n, bool) for n in numbers):
        raise ValueError("a curve of another shape")
    return Curve(tuple(color), deg, tuple(bezier))


def _java_round(value: float) -> int:
    """Java's Math.round: half up."""
    return math.floor(value + 0.5)


def _scale(value: int, start: float, end: float) -> float:
    return round((value * (end - start) / 255.0 + start) * 100.0) / 100.0  # Math.rint: half to even, as round()


def _bezier_point(t: float, first: float, second: float) -> float:
    inverse = 1.0 - t
    return 3 * inverse * inverse * t * first + 3 * inverse * t * t * second + t * t * t


def _cubic_bezier(target: float, x1: float, y1: float, x2: float, y2: float) -> float:
    low, high = 0.0, 1.0
    for _ in range(80):
        middle = (low + high) / 2.0
        if _bezier_point(middle, x1, x2) < target:
            low = middle
        else:
            high = middle
    return _bezier_point((low + high) / 2.0, y1, y2)


def _number_to_hex(value: float) -> str:
    """JavaScript's `Number.prototype.toString(16)` of `value` rounded to 2 decimals, as the signer writes it."""
    rounded = round(value * 100.0) / 100.0
    if rounded == 0:
        return "0"
    sign = "-" if rounded < 0 else ""
    absolute = abs(rounded)
    integer = math.floor(absolute)
    fraction = absolute - integer
    if fraction == 0:
        return f"{sign}{integer:x}"
    digits = ""
    for _ in range(20):
        fraction *= 16
        digit = math.floor(fraction + 1e-12)
        digits += f"{digit:x}"
        fraction -= digit
        if abs(fraction) < 1e-12:
            break
    digits = digits.rstrip("0")
    return f"{sign}{integer:x}" + (f".{digits}" if digits else "")


def _style(seed: bytes, groups: list[list[Curve]]) -> str:
    curve = groups[seed[5] % CURVE_GROUPS][seed[2] % CURVES_PER_GROUP]
    current = _java_round((seed[1] % 16) * (seed[20] % 16) * (seed[19] % 16) / 10.0) * 10.0
    control = [_scale(curve.bezier[i], -1 if i % 2 == 1 else 0, 1) for i in range(4)]
    eased = _cubic_bezier(current / 4096.0, *control)
    values: list[float] = [
        _java_round(curve.color[i] + (curve.color[i + 3] - curve.color[i]) * eased) for i in range(3)
    ]
    radians = math.floor(_scale(curve.deg, 60, 360)) * eased * math.pi / 180.0
    values += [math.cos(radians), math.sin(radians), -math.sin(radians), math.cos(radians), 0, 0]
    return "".join(_number_to_hex(v) for v in values).replace(".", "").replace("-", "")


def sign(site: SiteVerification, method: str, path: str, *, t: int, key: int) -> str:
    """The token for `method path` at signer time `t` (seconds since EPOCH) with XOR key byte `key`."""
    if not 0 <= t <= 0xFFFFFFFF or not 0 <= key <= 255:
        raise ValueError("t must fit in 32 bits and key in 8")
    material = f"{method.upper()}!{path}!{t}{SALT}{site.style}".encode()
    raw = bytearray([key, *site.seed, *t.to_bytes(4, "little"), *hashlib.sha256(material).digest()[:16], 3])
    for index in range(1, len(raw)):
        raw[index] ^= key
    return base64.b64encode(bytes(raw)).decode().rstrip("=")


class StatsigSigner:
    """Tokens for `/rest/` requests, from the page `fetch_page(path) -> (status, html)` returns (it raises
    the caller's errors for any status but 2xx and 404). Thread-safe."""

    def __init__(self, fetch_page: Callable[[str], tuple[int, str]], *, clock: Callable[[], float] = time.time):
        self._fetch_page = fetch_page
        self._clock = clock
        self._lock = threading.Lock()
        self._site: SiteVerification | None = None
        self._site_at: float | None = None
        self._tokens: dict[tuple[str, str], tuple[str, float]] = {}

    @property
    def site(self) -> SiteVerification | None:
        """The page's verification in use (None: none fetched yet, or the page gave none: the fallback is sent)."""
        return self._site

    def header_for(self, method: str, path: str) -> str:
        """The `x-statsig-id` for `method path`: a cached token under `TOKEN_TTL`, else a fresh one."""
        now = self._clock()
        key = (method.upper(), path)
        with self._lock:
            cached = self._tokens.get(key)
            if cached is not None and now - cached[1] < TOKEN_TTL:
                return cached[0]
        site = self._current_site(now)
        if site is None:
            return STATSIG_FALLBACK
        token = sign(site, method, path, t=int(now) - EPOCH, key=secrets.randbelow(256))
        with self._lock:
            self._tokens[key] = (token, now)
        return token

    def invalidate(self) -> None:
        """Forget the page and every token (grok.com said "out of date": the app has a new build)."""
        with self._lock:
            self._site, self._site_at = None, None
            self._tokens.clear()

    def _current_site(self, now: float) -> SiteVerification | None:
        with self._lock:
            if self._site_at is not None and now - self._site_at < PAGE_TTL:
                return self._site
        site = None
        for path in PAGE_PATHS:  # /index answers a branded 404 today; the seed is then on /
            status, html = self._fetch_page(path)
            site = parse_site_verification(html)
            if site is not None or status != 404:
                break
        with self._lock:
            self._site, self._site_at = site, now
            self._tokens.clear()
        return site
