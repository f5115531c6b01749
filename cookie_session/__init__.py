"""cookie-session: script against Grok/xAI through one `Authenticator`.

The official API key is the supported way; a browser session is an unsafe,
local-only option (see WARNING.md). Names load lazily, so `import
cookie_session` and `cookie-session --help` stay cheap and never load a
browser-cookie reader.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

__version__ = "0.1.0"

#: Public name -> the module it lives in, grouped by theme.
_EXPORTS = {
    # credentials: what is sent, and whether the browser path may be used
    "Authenticator": "auth",
    "ApiKeyAuthenticator": "auth",
    "BrowserCookieAuthenticator": "auth.browser",
    "resolve_authenticator": "auth.chain",
    "inspect_credentials": "auth.chain",
    "Secret": "secret",
    "LocalityVerdict": "policy",
    "locality_verdict": "policy",
    # client: one object for both services, and how it retries
    "GrokClient": "client",
    "RetryPolicy": "transports.retry",
    "NO_RETRIES": "transports.retry",
    # results: what a call returns
    "ChatResult": "results",
    "ChatStream": "results",
    "Usage": "results",
    "Model": "results",
    "Identity": "results",
    # errors: one root, `CookieSessionError` (the tree is drawn in errors.py)
    "CookieSessionError": "errors",
    "BadInputError": "errors",
    "InvalidApiKeyFormatError": "errors",
    "InsecureUrlError": "errors",
    "UnknownBrowserError": "errors",
    "NoCredentialsError": "errors",
    "MissingCredentialsError": "errors",
    "BrowserNotFoundError": "errors",
    "ProfileNotFoundError": "errors",
    "NotLoggedInError": "errors",
    "CredentialsRejectedError": "errors",
    "InvalidApiKeyError": "errors",
    "SessionExpiredError": "errors",
    "PermissionDeniedError": "errors",
    "AccountBlockedError": "errors",
    "PolicyError": "errors",
    "UnsafeRedirectError": "errors",
    "UpstreamError": "errors",
    "RateLimitedError": "errors",
    "ServerError": "errors",
    "ModelNotFoundError": "errors",
    "BadResponseError": "errors",
    "CloudflareChallengeError": "errors",
    "AntiBotRejectedError": "errors",
    "TransportError": "errors",
    "ConnectionFailedError": "errors",
    "RequestTimeoutError": "errors",
    "CookieStoreError": "errors",
    "CookieDecryptionError": "errors",
    "UnsupportedEncryptionError": "errors",
    "BrowserCookieWarning": "errors",
    # tooling: comparing the two paths, migrating code, the offline stand-in
    "compare_methods": "compare",
    "render_table": "compare",
    "Comparison": "compare",
    "MethodReport": "compare",
    "scan_for_migration": "migrate",
    "render_migration_report": "migrate",
    "StandIn": "testing.standin",
}

#: The public API (a literal, so linters and type checkers see what the names below re-export).
__all__ = [
    # credentials: what is sent, and whether the browser path may be used
    "Authenticator",
    "ApiKeyAuthenticator",
    "BrowserCookieAuthenticator",
    "resolve_authenticator",
    "inspect_credentials",
    "Secret",
    "LocalityVerdict",
    "locality_verdict",
    # client: one object for both services, and how it retries
    "GrokClient",
    "RetryPolicy",
    "NO_RETRIES",
    # results: what a call returns
    "ChatResult",
    "ChatStream",
    "Usage",
    "Model",
    "Identity",
    # errors: one root, `CookieSessionError` (the tree is drawn in errors.py)
    "CookieSessionError",
    "BadInputError",
    "InvalidApiKeyFormatError",
    "InsecureUrlError",
    "UnknownBrowserError",
    "NoCredentialsError",
    "MissingCredentialsError",
    "BrowserNotFoundError",
    "ProfileNotFoundError",
    "NotLoggedInError",
    "CredentialsRejectedError",
    "InvalidApiKeyError",
    "SessionExpiredError",
    "PermissionDeniedError",
    "AccountBlockedError",
    "PolicyError",
    "UnsafeRedirectError",
    "UpstreamError",
    "RateLimitedError",
    "ServerError",
    "ModelNotFoundError",
    "BadResponseError",
    "CloudflareChallengeError",
    "AntiBotRejectedError",
    "TransportError",
    "ConnectionFailedError",
    "RequestTimeoutError",
    "CookieStoreError",
    "CookieDecryptionError",
    "UnsupportedEncryptionError",
    "BrowserCookieWarning",
    # tooling: comparing the two paths, migrating code, the offline stand-in
    "compare_methods",
    "render_table",
    "Comparison",
    "MethodReport",
    "scan_for_migration",
    "render_migration_report",
    "StandIn",
    "__version__",
]


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'cookie_session' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__


if TYPE_CHECKING:  # for type checkers and IDEs; at run time the names load on first use
    from .auth import ApiKeyAuthenticator, Authenticator
    from .auth.browser import BrowserCookieAuthenticator
    from .auth.chain import inspect_credentials, resolve_authenticator
    from .client import GrokClient
    from .compare import Comparison, MethodReport, compare_methods, render_table
    from .errors import (
        AccountBlockedError,
        AntiBotRejectedError,
        BadInputError,
        BadResponseError,
        BrowserCookieWarning,
        BrowserNotFoundError,
        CloudflareChallengeError,
        ConnectionFailedError,
        CookieDecryptionError,
        CookieSessionError,
        CookieStoreError,
        CredentialsRejectedError,
        InsecureUrlError,
        InvalidApiKeyError,
        InvalidApiKeyFormatError,
        MissingCredentialsError,
        ModelNotFoundError,
        NoCredentialsError,
        NotLoggedInError,
        PermissionDeniedError,
        PolicyError,
        ProfileNotFoundError,
        RateLimitedError,
        RequestTimeoutError,
        ServerError,
        SessionExpiredError,
        TransportError,
        UnknownBrowserError,
        UnsafeRedirectError,
        UnsupportedEncryptionError,
        UpstreamError,
    )
    from .migrate import render_migration_report, scan_for_migration
    from .policy import LocalityVerdict, locality_verdict
    from .results import ChatResult, ChatStream, Identity, Model, Usage
    from .secret import Secret
    from .testing.standin import StandIn
    from .transports.retry import NO_RETRIES, RetryPolicy
