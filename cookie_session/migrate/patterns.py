"""What a secret, a placeholder, a cookie name and a line look like; shared by the Python and text scanners.

Obviously fake keys do not count as keys: `xai-` followed by fewer than 12 distinct
characters (`xai-xxxx…`, `xai-0000…`, one repeated short unit), or by a placeholder
word (`example`, `test`, `fake`, `dummy`, `your`, ...). A random key of the real
shape (what `make_test_key()` makes) always counts.
"""

from __future__ import annotations

import re

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
    "secret_name",
    "mask",
    "find_secrets",
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
    {"KEY", "APIKEY", "TOKEN", "SECRET", "PASSWORD", "PASSWD", "COOKIE", "COOKIES", "SSO", "CREDENTIAL", "CREDENTIALS"}
)


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


def find_secrets(line: str):
    """Yield `(column0, rule_id, masked)` for each real-looking key or bearer token in one line of text."""
    keys = []
    for match in XAI_KEY_RE.finditer(line):
        keys.append(match.span())
        if not is_placeholder_key(match.group()):
            yield match.start(), "CS201", mask(match.group())
    for match in BEARER_RE.finditer(line):
        start, end = match.span("token")
        if any(k_start < end and start < k_end for k_start, k_end in keys):
            continue  # an xai- key (CS201 reports it), or a fake one
        token = match.group("token")
        if token.startswith("xai-") or is_placeholder_token(token):
            continue
        yield match.start(), "CS204", f"Bearer {mask(token)}"


_LINE_END = re.compile(r"\r\n|\r|\n")


def source_lines(text: str) -> list[str]:
    """`text`'s lines as editors and `ast` number them: split at \\n, \\r\\n and \\r only
    (`str.splitlines` also splits at form feeds and other separators, which shifts every later line)."""
    lines = _LINE_END.split(text)
    return lines[:-1] if lines and lines[-1] == "" else lines
