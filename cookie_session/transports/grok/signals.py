"""What grok.com's answers mean: every error signal of the web app mapped onto our error tree, one line each.

- 401; `/api/auth/session` status `unauthenticated`; gateway code 16 -> `SessionExpiredError`
- code 7 + "User is blocked" / `blocked-user`; session status `blocked` -> `AccountBlockedError`
- 403 code 7 "This page is out of date. Reload to continue." (after one refresh and replay) -> `StaleStatsigError`
- 403 code 7 with any other text ("Request rejected by anti-bot rules.", "Something went wrong"), gateway code 7
  -> `AntiBotRejectedError`
- 403 "Just a moment" HTML, `cf-mitigated: challenge`, or an empty body -> `CloudflareChallengeError`
- 400 code 3 ("Invalid request. Please update your client"), gateway code 3 -> `WebAppChangedError`
- 429, code 8, "too many requests", quota text ("usage limit", `free-usage-exhausted`) -> `RateLimitedError`
- 429 without the browser's TLS handshake -> `CloudflareChallengeError` (the handshake is the likely cause)
- gateway `error` event, `session.ended`, a `response.done` not completed -> the rows above by code, else
  `UpstreamError` / `ConnectionFailedError`

The error body comes as `{"error": {"code", "message"}}` or, since 2026, top-level `{"code", "message", "details"}`;
both are read. Server text reaches a message only through `redact` and `_shown` (printable, one line, short).
Sources: docs/grok-com-rules.md.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping

import requests

from ...errors import (
    AccountBlockedError,
    AntiBotRejectedError,
    CloudflareChallengeError,
    CookieSessionError,
    PermissionDeniedError,
    RateLimitedError,
    ServerError,
    SessionExpiredError,
    StaleStatsigError,
    UpstreamError,
    WebAppChangedError,
)
from ...settings import API_KEY_ENV
from ..retry import retry_after_seconds

__all__ = ["raise_for_web_error", "gateway_error", "handshake_error", "error_object", "site_of", "CHROMIUM_FLUSH_HINT"]

ANTI_BOT_CODE, RATE_LIMIT_CODE, INVALID_ARGUMENT_CODE, UNAUTHENTICATED_CODE = 7, 8, 3, 16
OUT_OF_DATE = "out of date"
CHROMIUM_FLUSH_HINT = (
    "Chromium is running with this profile and writes a fresh login to disk up to 30 s later: "
    "wait half a minute (or quit the browser) and try again; else log in to grok.com again, "
    f"or use the API key ({API_KEY_ENV})"
)
NO_BROWSER_TLS = (
    "{site} answered 429 to a session that is not using the browser's TLS handshake (curl_cffi is unavailable); "
    "Cloudflare answers 429 to non-browser handshakes, so that is the likely cause, not a rate limit"
)
_QUOTA = re.compile(r"usage limit|free-usage-exhausted|too many requests|rate limit", re.IGNORECASE)
_BLOCKED = re.compile(r"blocked-user|user is blocked", re.IGNORECASE)
_SAID_CHARS = 200


def site_of(url: str) -> str:
    """How messages name the server: "grok.com" for grok.com and its subdomains, else its host and port (a
    loopback stand-in), so a message names the real target."""
    from urllib.parse import urlsplit

    from ...policy import host_in_domain

    parts = urlsplit(url)
    return "grok.com" if host_in_domain((parts.hostname or "").rstrip("."), "grok.com") else parts.netloc or url


def error_object(text: str) -> dict:
    """The `{code, message}` of a grok.com error body (wrapped in `error` or top-level), or {}."""
    try:
        body = json.loads(text)
    except (ValueError, RecursionError):  # not JSON; or nested deeper than the parser goes
        return {}
    if not isinstance(body, dict):
        return {}
    wrapped = body.get("error")
    if isinstance(wrapped, dict):
        return wrapped
    return body if "code" in body or "message" in body else {}


def _code(error: Mapping) -> int | None:
    code = error.get("code")
    return code if isinstance(code, int) and not isinstance(code, bool) else None


def _shown(text: str) -> str:
    """Server text fit for a one-line message: printable, one line, at most `_SAID_CHARS` characters."""
    text = "".join(ch if ch.isprintable() else " " for ch in " ".join(text.split()))
    return text if len(text) <= _SAID_CHARS else text[: _SAID_CHARS - 1] + "…"


def _visible_text(text: str) -> str:
    """The words of a body, markup dropped (an HTML error page read as text)."""
    return " ".join(re.sub(r"<[^>]*>", " ", text).split())


def _is_challenge(status: int, text: str, headers: Mapping[str, str]) -> bool:
    return status == 403 and (
        headers.get("cf-mitigated", "").lower() == "challenge" or "just a moment" in text.lower() or not text.strip()
    )


def raise_for_web_error(
    response: requests.Response,
    *,
    redact: Callable[[str], str] = lambda text: text,
    browser_running: Callable[[], bool] = lambda: False,
    browser_tls: bool = True,
) -> None:
    """Raise the error a non-2xx grok.com reply means; return quietly below 400.

    `redact` scrubs the credentials from grok.com's text before it reaches a message; `browser_running` tells
    whether the profile's Chromium runs now (it shapes the 401 hint); `browser_tls` whether the request went over
    the browser's TLS handshake (a 429 without it is most likely Cloudflare's answer to the handshake)."""
    status = response.status_code
    if status < 400:
        return
    kind = response.headers.get("Content-Type", "")
    text = response.text[:4096] if "json" in kind or "html" in kind or status in (400, 403) else ""
    site = site_of(response.url or "")
    raise _error_for(status, text, response.headers, redact, browser_running, browser_tls, response.request, site)


def _error_for(status, text, headers, redact, browser_running, browser_tls, request, site) -> CookieSessionError:
    error = error_object(text)
    said = _shown(redact(str(error.get("message") or _visible_text(text))))
    if _BLOCKED.search(text):
        return AccountBlockedError(f"{site} says this account is blocked")
    if status == 401:
        return SessionExpiredError(
            f"{site} answered 401: the browser session is not valid any more",
            hint=CHROMIUM_FLUSH_HINT if browser_running() else None,
        )
    if status == 403 and _code(error) == ANTI_BOT_CODE and OUT_OF_DATE in said.lower():
        return StaleStatsigError(f"{site} refused the signed x-statsig-id as out of date (403, code 7: {said})")
    if status == 403 and _code(error) == ANTI_BOT_CODE:
        return AntiBotRejectedError(f"{site}'s anti-bot rules rejected the request (403, code 7: {said})")
    if _is_challenge(status, text, headers):
        body = "an empty body" if not text.strip() else "Cloudflare's challenge page"
        return CloudflareChallengeError(
            f"{site} answered 403 with {body} (cf_clearance expired, or the User-Agent or TLS handshake "
            "differs from the browser's)"
        )
    if status == 403:
        return PermissionDeniedError(
            f"{site} answered 403: {said or '(no message)'}",
            hint=f"Check the account at grok.com in the browser, or use the API key ({API_KEY_ENV})",
        )
    if status == 400 and _code(error) == INVALID_ARGUMENT_CODE:
        return WebAppChangedError(
            f"{site} refused the request as outdated (400, code 3: {said or 'no message'}): "
            "its web app changed and cookie-session needs an update",
            status=status,
        )
    if status == 429 and not browser_tls:
        return CloudflareChallengeError(NO_BROWSER_TLS.format(site=site), hint="pip install curl_cffi, then try again")
    if status == 429:
        return RateLimitedError(f"Rate limited by {site}", retry_after=retry_after_seconds(headers.get("Retry-After")))
    if status >= 500:
        return ServerError(f"{site} answered {status}", status=status)
    where = f" to {request.method} {request.path_url}" if request is not None else ""
    return UpstreamError(f"{site} answered {status}{where}" + (f": {said}" if said else ""), status=status)


def handshake_error(
    status: int, headers: Mapping[str, str], *, browser_tls: bool = True, site: str = "grok.com"
) -> CookieSessionError:
    """The error a refused gateway handshake means (libcurl gives the status and headers, not the body)."""
    if status == 403 and "json" in headers.get("Content-Type", "").lower():
        return AntiBotRejectedError(f"{site}'s anti-bot rules refused the chat WebSocket handshake (403)")
    if status == 403 and "html" not in headers.get("Content-Type", "").lower() and "cf-mitigated" not in headers:
        return AntiBotRejectedError(f"{site} refused the chat WebSocket handshake (403)")
    text = "Just a moment" if status == 403 else ""
    return _error_for(status, text, headers, lambda t: t, lambda: False, browser_tls, None, site)


def gateway_error(
    error: object, *, redact: Callable[[str], str] = lambda text: text, site: str = "grok.com"
) -> CookieSessionError:
    """The error of a gateway `error` event's `error` object (or a failed `response.done`'s)."""
    error = error if isinstance(error, Mapping) else {}
    code = _code(error)
    message = str(error.get("message") or "")
    said = _shown(redact(message)) or "no message"
    if _BLOCKED.search(message):
        return AccountBlockedError(f"{site} says this account is blocked")
    if code == UNAUTHENTICATED_CODE:
        return SessionExpiredError(f"{site}'s chat gateway says the browser session is not valid any more")
    if code == ANTI_BOT_CODE:
        return AntiBotRejectedError(f"{site}'s anti-bot rules rejected the chat (code 7: {said})")
    if code == RATE_LIMIT_CODE or _QUOTA.search(message):
        return RateLimitedError(f"{site} rate limit reached (code {code if code is not None else 'none'}: {said})")
    if code == INVALID_ARGUMENT_CODE:
        return WebAppChangedError(
            f"{site}'s chat gateway refused the request (code 3: {said}): its web app changed and "
            "cookie-session needs an update"
        )
    shown = code if code is not None else "none"
    return UpstreamError(f"{site}'s chat gateway reported an error (code {shown}: {said})")
