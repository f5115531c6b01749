"""What a secret, a placeholder, a cookie name and a line look like; shared by the Python and text scanners.

Obviously fake keys do not count as keys: `xai-` followed by fewer than 12 distinct
characters (`xai-xxxx…`, `xai-0000…`, one repeated short unit), or by a placeholder
word (`example`, `test`, `fake`, `dummy`, `your`, ...). A random key of the real
shape (what `make_test_key()` makes) always counts.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from ..secret import fingerprint
from ..settings import UNSAFE_ENV_VALUE, UNSAFE_ENV_VAR, UNSAFE_FLAG

__all__ = [
    "XAI_KEY_RE",
    "BEARER_RE",
    "SESSION_COOKIE_NAMES",
    "BROWSER_COOKIE_MODULES",
    "UNSAFE_ENV_VAR",
    "UNSAFE_ENV_VALUE",
    "UNSAFE_FLAG",
    "GROK_ENDPOINT_RE",
    "is_placeholder_key",
    "is_placeholder_token",
    "is_placeholder_value",
    "is_placeholder_session_value",
    "secret_name",
    "mask",
    "find_secrets",
    "secret_values",
    "SecretHit",
    "grok_context",
    "source_lines",
]

#: `xai-` + 80 of `[A-Za-z0-9_]`, not glued to other word characters.
XAI_KEY_RE = re.compile(r"(?<![A-Za-z0-9_])xai-[A-Za-z0-9_]{80}(?![A-Za-z0-9_])")
#: `Bearer <token>` where the token is literal text (a `$VAR` or `{var}` does not match).
BEARER_RE = re.compile(r"\bBearer\s+(?P<token>[A-Za-z0-9._~+/=-]{20,})")
SESSION_COOKIE_NAMES = ("sso", "sso-rw", "cf_clearance")
#: Modules that read cookies out of a browser profile (yt-dlp's loader is one submodule).
BROWSER_COOKIE_MODULES = ("browser_cookie3", "pycookiecheat", "rookiepy", "yt_dlp.cookies")
#: grok.com's web-app API: any `grok.com/rest/` URL, or one of its paths on its own.
GROK_ENDPOINT_RE = re.compile(r"grok\.com/rest/|^/?rest/(?:app-chat|models|rate-limits)(?:/|$)")

_PLACEHOLDER_WORDS = (
    "example",
    "test",
    "fake",
    "dummy",
    "placeholder",
    "sample",
    "your",
    "redacted",
    "changeme",
    "change_me",
    "notreal",
    "not_a_real",
    "mock",
    "xxxx",
    "0000",
    "insert",
)
_ENV_SECRET_PARTS = frozenset(
    {
        "KEY",
        "APIKEY",
        "TOKEN",
        "SECRET",
        "PASSWORD",
        "PASSWD",
        "COOKIE",
        "COOKIES",
        "SSO",
        "CLEARANCE",
        "JWT",
        "CREDENTIAL",
        "CREDENTIALS",
    }
)
#: A session cookie's value next to its name: `sso=V` (a Cookie header, `curl -b`), `"sso": "V"` (a dict, JSON,
#: JS), `sso: V` (YAML), `.set("sso", "V")`; the value is group `value`.
_SESSION_VALUE_RE = re.compile(
    r"""(?<![\w-])(?P<q>["'`]?)(?P<name>sso-rw|sso|cf_clearance)(?P=q)"""
    r"""(?:\s*=\s*|\s*:\s*|\s*,\s*)["'`]?(?P<value>[A-Za-z0-9._~+/=%-]{20,})"""
)
#: A browser extension's cookie export (`{"name": "sso", "value": "V", ...}`), one cookie per line.
_EXPORTED_VALUE_RE = re.compile(
    r"""["']name["']\s*:\s*["'](?P<name>sso-rw|sso|cf_clearance)["'][^{}\n]{0,400}?"""
    r"""["']value["']\s*:\s*["'](?P<value>[A-Za-z0-9._~+/=%-]{20,})"""
)
#: A JSON Web Token (grok.com's `sso` is one): three base64url parts, the first two JSON objects (`eyJ`).
_JWT_RE = re.compile(r"(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}")
#: Where a JWT is a grok.com session: the text mentions cookies, a session cookie, grok.com or x.ai.
_GROK_CONTEXT_RE = re.compile(r"(?i)cookie|\bsso\b|cf_clearance|grok\.com|\bx\.ai\b")


def is_placeholder_key(key: str) -> bool:
    """True for an obviously fake `xai-` key (see the module docstring)."""
    body = key[4:] if key.startswith("xai-") else key
    lowered = body.lower()
    return len(set(body)) < 12 or lowered.startswith(_PLACEHOLDER_WORDS)


def is_placeholder_token(token: str) -> bool:
    """True unless `token` looks like a real credential: 20+ chars, letters and digits, 10+ distinct."""
    lowered = token.lower()
    return (
        len(token) < 20
        or len(set(token)) < 10
        or not any(c.isdigit() for c in token)
        or not any(c.isalpha() for c in token)
        or any(word in lowered for word in _PLACEHOLDER_WORDS)
    )


def is_placeholder_session_value(value: str) -> bool:
    """`is_placeholder_token` for a cookie value, where runs of zeros are real (cf_clearance holds a timestamp)."""
    lowered = value.lower()
    return (
        len(value) < 20
        or len(set(value)) < 10
        or not any(c.isdigit() for c in value)
        or not any(c.isalpha() for c in value)
        or any(word in lowered for word in _PLACEHOLDER_WORDS if word not in ("0000", "test", "mock"))
    )


def is_placeholder_value(value: str) -> bool:
    """True for a .env value that holds no secret: empty, a reference (`$X`, `${X}`, `<x>`), short or a placeholder."""
    value = value.strip().strip("'\"")
    if XAI_KEY_RE.fullmatch(value):
        return is_placeholder_key(value)
    if not value or value[0] in "$<{" or value in ("...", "…"):
        return True
    return len(value) < 8 or len(set(value)) < 4 or any(word in value.lower() for word in _PLACEHOLDER_WORDS)


def secret_name(name: str) -> bool:
    """True for an environment-style name that holds a secret: XAI_API_KEY, GITHUB_TOKEN, SSO_COOKIE..."""
    return any(part in _ENV_SECRET_PARTS for part in re.split(r"[^A-Z0-9]+", name.upper()))


def mask(value: str) -> str:
    """The fingerprint shown instead of a secret (`xai-…b14o`, `…(40 chars)`)."""
    return fingerprint(value)


class SecretHit(NamedTuple):
    """One secret in a line: where (0-based column), which rule, how it is shown, and the value itself (for
    callers that mask it in text they print; never shown)."""

    col: int
    rule_id: str
    masked: str
    value: str


def grok_context(text: str) -> bool:
    """True if `text` (a line or a whole file) mentions cookies, a grok.com session cookie, grok.com or x.ai."""
    return _GROK_CONTEXT_RE.search(text) is not None


def secret_values(line: str, *, in_grok_context: bool = False) -> list[SecretHit]:
    """Every real-looking secret in one line: xAI keys (CS201), bearer tokens (CS204), grok.com session tokens
    (CS208: the value of `sso`, `sso-rw` or `cf_clearance`, and a JWT when the line, or the file as
    `in_grok_context` says, is about grok.com cookies)."""
    hits: list[SecretHit] = []
    taken: list[tuple[int, int]] = []

    def free(start: int, end: int) -> bool:
        return not any(t_start < end and start < t_end for t_start, t_end in taken)

    for match in XAI_KEY_RE.finditer(line):
        taken.append(match.span())
        if not is_placeholder_key(match.group()):
            hits.append(SecretHit(match.start(), "CS201", mask(match.group()), match.group()))
    named = [*_SESSION_VALUE_RE.finditer(line), *_EXPORTED_VALUE_RE.finditer(line)]
    for match in sorted(named, key=lambda m: m.start("value")):
        value = match.group("value")
        if not free(*match.span("value")) or is_placeholder_session_value(value):
            continue
        taken.append(match.span("value"))
        hits.append(SecretHit(match.start("name"), "CS208", fingerprint(value, name=match.group("name")), value))
    if in_grok_context or grok_context(line):
        for match in _JWT_RE.finditer(line):
            if free(*match.span()) and not is_placeholder_session_value(match.group()):
                taken.append(match.span())
                hits.append(SecretHit(match.start(), "CS208", f"JWT {mask(match.group())}", match.group()))
    for match in BEARER_RE.finditer(line):
        start, end = match.span("token")
        token = match.group("token")
        if not free(start, end) or token.startswith("xai-") or is_placeholder_token(token):
            continue  # an xai- key (CS201 reports it), a session token, or a fake one
        hits.append(SecretHit(match.start(), "CS204", f"Bearer {mask(token)}", token))
    return sorted(hits)


def find_secrets(line: str, *, in_grok_context: bool = False):
    """Yield `(column0, rule_id, masked)` for each real-looking secret in one line (see `secret_values`)."""
    for hit in secret_values(line, in_grok_context=in_grok_context):
        yield hit.col, hit.rule_id, hit.masked


_LINE_END = re.compile(r"\r\n|\r|\n")


def source_lines(text: str) -> list[str]:
    """`text`'s lines as editors and `ast` number them: split at \\n, \\r\\n and \\r only
    (`str.splitlines` also splits at form feeds and other separators, which shifts every later line)."""
    lines = _LINE_END.split(text)
    return lines[:-1] if lines and lines[-1] == "" else lines
