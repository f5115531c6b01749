"""The exception tree: one root, one branch per thing the user has to do.

Every message is one line that says what was wrong and what to do next, and
never holds a secret (callers pass fingerprints, not values). Each branch
carries the exit code the CLI returns for it; leaves inherit it, never restate it.

    CookieSessionError                      (root; exit 6 if raised bare)
    ├── BadInputError (ValueError)          exit 7  something passed in is malformed
    │   ├── InvalidApiKeyFormatError
    │   ├── InsecureUrlError
    │   ├── UnknownBrowserError
    │   ├── BrowserNotFoundError
    │   ├── ProfileNotFoundError
    │   └── CookieStoreError
    │       └── CookieDecryptionError
    │           └── UnsupportedEncryptionError
    ├── NoCredentialsError                  exit 3  nothing to authenticate with
    ├── NotLoggedInError                    exit 3  the browser profile holds no grok.com session
    ├── CredentialsRejectedError            exit 4  the service said no to this credential
    │   ├── InvalidApiKeyError
    │   ├── MissingCredentialsError
    │   ├── PermissionDeniedError
    │   ├── SessionExpiredError
    │   ├── CloudflareChallengeError
    │   ├── AntiBotRejectedError
    │   │   └── StaleStatsigError
    │   └── AccountBlockedError
    ├── PolicyError                         exit 5  refused by our safety rules
    │   └── UnsafeRedirectError
    └── UpstreamError                       exit 6  the service or the network failed
        ├── ModelNotFoundError
        ├── RateLimitedError
        ├── ServerError
        ├── BadResponseError
        ├── WebAppChangedError
        └── TransportError
            ├── RequestTimeoutError
            └── ConnectionFailedError

    BrowserCookieWarning (UserWarning)      the browser-cookie path is in use (a warning, not an error)
"""

from __future__ import annotations

from .settings import API_KEY_ENV

__all__ = [
    "EXIT_OK",
    "EXIT_FINDINGS",
    "EXIT_USAGE",
    "EXIT_NO_CREDENTIALS",
    "EXIT_REJECTED",
    "EXIT_POLICY",
    "EXIT_UPSTREAM",
    "EXIT_BAD_INPUT",
    "CookieSessionError",
    "BadInputError",
    "InvalidApiKeyFormatError",
    "InsecureUrlError",
    "NoCredentialsError",
    "CredentialsRejectedError",
    "InvalidApiKeyError",
    "MissingCredentialsError",
    "PermissionDeniedError",
    "PolicyError",
    "UnsafeRedirectError",
    "UpstreamError",
    "ModelNotFoundError",
    "RateLimitedError",
    "ServerError",
    "BadResponseError",
    "TransportError",
    "RequestTimeoutError",
    "ConnectionFailedError",
    "UnknownBrowserError",
    "BrowserNotFoundError",
    "ProfileNotFoundError",
    "CookieStoreError",
    "CookieDecryptionError",
    "UnsupportedEncryptionError",
    "NotLoggedInError",
    "SessionExpiredError",
    "StaleStatsigError",
    "WebAppChangedError",
    "CloudflareChallengeError",
    "AntiBotRejectedError",
    "AccountBlockedError",
    "BrowserCookieWarning",
    "printable",
    "printable_lines",
    "printable_json",
]

EXIT_OK = 0
EXIT_FINDINGS = 1  # reserved: a scan found something, or an unexpected crash
EXIT_USAGE = 2  # click's own usage errors
EXIT_NO_CREDENTIALS = 3
EXIT_REJECTED = 4
EXIT_POLICY = 5
EXIT_UPSTREAM = 6
EXIT_BAD_INPUT = 7


def printable(text: str) -> str:
    """`text` safe to show on a terminal: control characters, escape sequences, bidi overrides and other
    invisible characters become `\\xNN`/`\\uNNNN` escapes; letters of any script and spaces stay.

    Apply it to any text from outside (server replies, URLs, cookie domains, file names) before printing.
    """
    text = str(text)
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in text)


def printable_lines(text: str) -> str:
    """`printable` for text of several lines: each line escaped, the line ends kept."""
    return "".join(
        printable(line.rstrip("\r\n")) + line[len(line.rstrip("\r\n")) :]
        for line in str(text).splitlines(keepends=True)
    )


def printable_json(data, **options) -> str:
    """`json.dumps(data, ensure_ascii=False, **options)`, with every character `printable` would escape
    written as a JSON `\\uXXXX` escape instead: still valid JSON, letters of any script kept."""
    import json

    text = json.dumps(data, ensure_ascii=False, **options)
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() or ch == "\n" else json.dumps(ch)[1:-1] for ch in text)


class CookieSessionError(Exception):
    """Root of every error this library raises on purpose."""

    exit_code = EXIT_UPSTREAM
    #: What the user should do next; appended to the message.
    hint: str = ""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        if hint is not None:
            self.hint = hint
        self.message = message
        super().__init__(message)

    def __str__(self) -> str:
        text = f"{self.message.rstrip('.')}. {self.hint}" if self.hint else self.message
        return printable(" ".join(text.split()))  # always one line, never a raw control character


# --- bad input -----------------------------------------------------------------


class BadInputError(CookieSessionError, ValueError):
    """Something the caller passed in is malformed."""

    exit_code = EXIT_BAD_INPUT


class InvalidApiKeyFormatError(BadInputError):
    """The API key is empty, holds whitespace/control characters, or is not `xai-` + 80 chars."""

    hint = (
        "Copy the key again from console.x.ai (it is 'xai-' followed by 80 letters, digits "
        "or underscores); in code, ApiKeyAuthenticator(key, check_format=False) accepts a test key"
    )


class InsecureUrlError(BadInputError):
    """A base URL that is not HTTPS (only loopback may use plain HTTP)."""

    hint = "Use an https:// URL; plain http:// is allowed only for loopback stand-ins"


# --- credentials ---------------------------------------------------------------


class NoCredentialsError(CookieSessionError):
    """The credential chain found nothing. `attempts` lists (source, reason) for every source tried."""

    exit_code = EXIT_NO_CREDENTIALS
    hint = f"Set {API_KEY_ENV} (create a key at console.x.ai), or pass api_key=..."

    def __init__(self, attempts: list[tuple[str, str]]) -> None:
        self.attempts = list(attempts)
        tried = "; ".join(f"{source}: {reason}" for source, reason in self.attempts)
        super().__init__(f"No credentials found (tried {tried})")


class CredentialsRejectedError(CookieSessionError):
    """The service refused the credential we sent."""

    exit_code = EXIT_REJECTED


class InvalidApiKeyError(CredentialsRejectedError):
    """api.x.ai answered 400 "Incorrect API key provided"."""

    hint = (
        f"Check {API_KEY_ENV}: the key may be mistyped, deleted or from another team; create a new one at console.x.ai"
    )


class MissingCredentialsError(CredentialsRejectedError):
    """401: the request carried no usable credential."""

    hint = f"Send a key: set {API_KEY_ENV} or pass api_key=..."


class PermissionDeniedError(CredentialsRejectedError):
    """403: the key (or its team) is blocked or disabled, or lacks permission for this endpoint or model."""

    hint = "Check the key's ACLs and status at console.x.ai, or use another key"


# --- policy --------------------------------------------------------------------


class PolicyError(CookieSessionError):
    """A safety rule refused the request (unsafe mode off, not local, host not allowed)."""

    exit_code = EXIT_POLICY


class UnsafeRedirectError(PolicyError):
    """The service redirected to another origin; not followed, so no credential went there."""


# --- upstream ------------------------------------------------------------------


class UpstreamError(CookieSessionError):
    """The service answered with an error we could not attribute to the credential."""

    exit_code = EXIT_UPSTREAM

    def __init__(self, message: str, *, status: int | None = None, hint: str | None = None) -> None:
        self.status = status
        super().__init__(message, hint=hint)


class ModelNotFoundError(UpstreamError):
    """404 for a model name the service does not know."""

    hint = "List the models this credential can use with `cookie-session models`"


class RateLimitedError(UpstreamError):
    """429. `retry_after` is the server's Retry-After in seconds, when it sent one."""

    def __init__(
        self, message: str, *, status: int | None = 429, retry_after: float | None = None, hint: str | None = None
    ) -> None:
        self.retry_after = retry_after
        if hint is None:
            hint = (
                f"Wait {retry_after:g} s and try again"
                if retry_after is not None
                else "Wait a little and try again, or lower your request rate"
            )
        super().__init__(message, status=status, hint=hint)


class ServerError(UpstreamError):
    """5xx from the service."""

    hint = "The service is having trouble; try again later"


class BadResponseError(UpstreamError):
    """The reply was not in the shape the endpoint documents (e.g. not JSON)."""

    hint = "Check the base URL points at the xAI API; if it does, the service may have changed"


class TransportError(UpstreamError):
    """The request did not complete: timeout, refused or reset connection, TLS failure."""


class RequestTimeoutError(TransportError):
    """Connect or read timeout."""

    hint = "Check your network, or raise the timeout"


class ConnectionFailedError(TransportError):
    """The connection could not be made or was cut."""

    hint = "Check the base URL and your network"


# --- browser profiles (reading cookies) --------------------------------------------


class UnknownBrowserError(BadInputError):
    """A browser name we do not support."""


class BrowserNotFoundError(BadInputError):
    """The browser, or its profile directory, is not on this machine."""


class ProfileNotFoundError(BadInputError):
    """No profile by that name (or no cookie file at that path)."""


class CookieStoreError(BadInputError):
    """The cookie database cannot be read: not a cookie database, truncated, corrupt or locked."""


class CookieDecryptionError(CookieStoreError):
    """Cookie values exist but cannot be decrypted (keyring locked or absent, wrong key, bad data)."""


class UnsupportedEncryptionError(CookieDecryptionError):
    """Values use an encryption we cannot read, such as Windows app-bound `v20`."""


class NotLoggedInError(CookieSessionError):
    """The profile holds no live grok.com session (`sso` missing or expired)."""

    exit_code = EXIT_NO_CREDENTIALS


# --- the grok.com web app ------------------------------------------------------------


class SessionExpiredError(CredentialsRejectedError):
    """grok.com answered 401: the browser session is no longer valid."""

    hint = f"Log in to grok.com again in your browser, or use the API key ({API_KEY_ENV})"


class CloudflareChallengeError(CredentialsRejectedError):
    """grok.com answered with Cloudflare's 'Just a moment' page."""

    hint = (
        "Open grok.com in the same browser to refresh cf_clearance, and send that browser's User-Agent; "
        f"or use the API key ({API_KEY_ENV})"
    )


class AntiBotRejectedError(CredentialsRejectedError):
    """grok.com's anti-bot rules rejected the request (code 7, in a 403 or on the chat gateway)."""

    hint = (
        "Use grok.com in the same browser for a while, check that cookie-session is up to date (grok.com "
        f"changes without notice), or use the API key ({API_KEY_ENV}), which is meant for scripts"
    )


class StaleStatsigError(AntiBotRejectedError):
    """grok.com refused the signed `x-statsig-id` as "out of date" (403, code 7), after a fresh page and token."""

    hint = (
        "grok.com may have changed how its web app signs requests: update cookie-session, "
        f"or use the API key ({API_KEY_ENV})"
    )


class WebAppChangedError(UpstreamError):
    """grok.com refused the request's shape (400, code 3: "please update your client"): the site changed."""

    hint = f"Update cookie-session (grok.com's web app changes without notice), or use the API key ({API_KEY_ENV})"


class AccountBlockedError(CredentialsRejectedError):
    """grok.com says the account is blocked."""

    hint = "Check your account at grok.com; do not retry with this session"


# --- warnings ------------------------------------------------------------------------


class BrowserCookieWarning(UserWarning):
    """Emitted once per use of browser-cookie auth; filter it deliberately with `warnings.filterwarnings`."""
