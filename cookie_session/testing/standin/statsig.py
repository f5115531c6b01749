"""The web app's x-statsig-id: the stand-in's own signer and verifier (nothing is imported from the library).

The published algorithm (Prodigalgal/any2api `GrokWebStatsigSigner.java`, 2026-08-17; agrees with
chenyme/grok2api `statsig.go`, 70 bytes, method- and path-bound): from the page's seed (48 bytes) and curves,
bytes 5, 2, 1, 20 and 19 of the seed pick a curve and a time; a cubic-bezier + rotation computation gives a hex
"style" string; t = now - 1682924400 (uint32 LE); digest = SHA-256(f"{METHOD}!{path}!{t}" + "obfiowerehiring" +
style)[:16]; raw = [R] + seed + t + digest + [3], every byte after the first XORed with R; base64 unpadded.

`check()` decides a header value the way the stand-in enforces it (docs/grok-com-rules.md, G4-G6):
missing, not base64, or neither 70 bytes nor the exact Chrome fallback text -> anti-bot refusal; the exact
fallback -> accepted (chenyme/grok2api PR #969); a 70-byte token whose last byte is not 3 -> anti-bot; another
seed, t older than an hour or more than a minute ahead, or a digest for another method/path/t -> "out of date"
(PR #1002). A valid token may be reused for its method and path within the hour (clients cache it).
"""

from __future__ import annotations

import base64
import binascii
import enum
import hashlib
import math
import secrets
import time

from .grok_site import SiteBuild

EPOCH = 1682924400
SALT = "obfiowerehiring"
TOKEN_BYTES = 1 + 48 + 4 + 16 + 1
END_MARKER = 3
MAX_AGE_SECONDS = 3600
MAX_AHEAD_SECONDS = 60
#: What Chrome's web app sends when its signing code throws (R5): the one fallback a browser produces.
CHROME_FALLBACK_TEXT = "x1:TypeError: Cannot read properties of undefined (reading 'childNodes')"


class Verdict(enum.Enum):
    ACCEPTED = "accepted"
    ANTI_BOT = "anti_bot"  # 403 {"error":{"code":7,"message":"Request rejected by anti-bot rules.",...}}
    OUT_OF_DATE = "out_of_date"  # 403 {"code":7,"message":"This page is out of date. Reload to continue.",...}


def sign(method: str, path: str, site: SiteBuild, *, now: float | None = None, xor_key: int | None = None) -> str:
    """The x-statsig-id the web app of build `site` sends for `method path` at `now` (default: the clock)."""
    elapsed = int(time.time() if now is None else now) - EPOCH
    if not 0 <= elapsed <= 0xFFFFFFFF:
        raise ValueError(f"time {now!r} is outside the statsig clock (1682924400 + uint32)")
    key = secrets.randbelow(256) if xor_key is None else xor_key
    body = site.seed + elapsed.to_bytes(4, "little") + _digest(method, path, elapsed, site) + bytes([END_MARKER])
    return base64.b64encode(bytes([key]) + bytes(byte ^ key for byte in body)).decode("ascii").rstrip("=")


def check(value: str | None, method: str, path: str, site: SiteBuild, *, now: float | None = None) -> Verdict:
    """How grok.com answers a request to `method path` carrying `x-statsig-id: value` (None: no header)."""
    raw = _decode(value)
    if raw is None:
        return Verdict.ANTI_BOT
    if len(raw) != TOKEN_BYTES:
        return Verdict.ACCEPTED if raw == CHROME_FALLBACK_TEXT.encode("ascii") else Verdict.ANTI_BOT
    key = raw[0]
    plain = bytes(byte ^ key for byte in raw[1:])
    if plain[-1] != END_MARKER:
        return Verdict.ANTI_BOT
    seed, elapsed, digest = plain[:48], int.from_bytes(plain[48:52], "little"), plain[52:68]
    age = int(time.time() if now is None else now) - EPOCH - elapsed
    if seed != site.seed or not -MAX_AHEAD_SECONDS <= age <= MAX_AGE_SECONDS:
        return Verdict.OUT_OF_DATE
    if not secrets.compare_digest(digest, _digest(method, path, elapsed, site)):
        return Verdict.OUT_OF_DATE
    return Verdict.ACCEPTED


def _decode(value: str | None) -> bytes | None:
    """Standard base64 with or without padding; None for anything else (other alphabets, stray characters)."""
    if not value:
        return None
    text = value.strip()
    if len(text) % 4 == 1:
        return None
    try:
        return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError):
        return None


def _digest(method: str, path: str, elapsed: int, site: SiteBuild) -> bytes:
    material = f"{method.upper()}!{path}!{elapsed}{SALT}{style_token(site)}"
    return hashlib.sha256(material.encode("utf-8")).digest()[:16]


def style_token(site: SiteBuild) -> str:
    """The hex "style" string the signer mixes into the digest: one curve's colour and rotation at one time."""
    seed = site.seed
    curve = site.curves[seed[5] % 4][seed[2] % 16]
    current_time = _java_round((seed[1] % 16) * (seed[20] % 16) * (seed[19] % 16) / 10.0) * 10.0
    control = [_scale(curve.bezier[offset], -1 if offset % 2 == 1 else 0, 1) for offset in range(4)]
    eased = _cubic_bezier(current_time / 4096.0, *control)
    colours = [_java_round(curve.color[i] + (curve.color[i + 3] - curve.color[i]) * eased) for i in range(3)]
    radians = math.floor(_scale(curve.deg, 60, 360)) * eased * math.pi / 180.0
    values = [*colours, math.cos(radians), math.sin(radians), -math.sin(radians), math.cos(radians), 0, 0]
    return "".join(_number_to_hex(value) for value in values).replace(".", "").replace("-", "")


def _java_round(value: float) -> int:
    """Java's Math.round: half up."""
    return math.floor(value + 0.5)


def _scale(value: int, start: int, end: int) -> float:
    return round((value * (end - start) / 255.0 + start) * 100.0) / 100.0  # round() is Math.rint: half even


def _cubic_bezier(target: float, x1: float, y1: float, x2: float, y2: float) -> float:
    low, high = 0.0, 1.0
    for _ in range(80):
        middle = (low + high) / 2.0
        if _bezier_point(middle, x1, x2) < target:
            low = middle
        else:
            high = middle
    return _bezier_point((low + high) / 2.0, y1, y2)


def _bezier_point(value: float, first: float, second: float) -> float:
    inverse = 1.0 - value
    return 3 * inverse * inverse * value * first + 3 * inverse * value * value * second + value * value * value


def _number_to_hex(value: float) -> str:
    """JavaScript's Number.prototype.toString(16) at two decimals, as the signer computes it."""
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
        digits += f"{digit & 0xFFFFFFFF:x}"  # Integer.toHexString
        fraction -= digit
        if abs(fraction) < 1e-12:
            break
    digits = digits.rstrip("0")
    return f"{sign}{integer:x}" + (f".{digits}" if digits else "")
