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

_EXPORTS = {
    "Authenticator": "auth",
    "ApiKeyAuthenticator": "auth",
    "BrowserCookieAuthenticator": "browser_auth",
    "LocalityVerdict": "policy",
    "locality_verdict": "policy",
    "BrowserCookieWarning": "errors",
    "NotLoggedInError": "errors",
    "SessionExpiredError": "errors",
    "CloudflareChallengeError": "errors",
    "AntiBotRejectedError": "errors",
    "AccountBlockedError": "errors",
    "CookieStoreError": "errors",
    "CookieDecryptionError": "errors",
    "UnsupportedEncryptionError": "errors",
    "UnknownBrowserError": "errors",
    "BrowserNotFoundError": "errors",
    "ProfileNotFoundError": "errors",
    "Secret": "secret",
    "GrokClient": "client",
    "RetryPolicy": "client",
    "NO_RETRIES": "client",
    "compare_methods": "compare",
    "scan_for_migration": "migrate",
    "render_migration_report": "migrate",
    "render_table": "compare",
    "Comparison": "compare",
    "MethodReport": "compare",
    "UnsafeRedirectError": "errors",
    "ChatResult": "results",
    "ChatStream": "results",
    "Usage": "results",
    "Model": "results",
    "Identity": "results",
    "resolve_authenticator": "sources",
    "inspect_credentials": "sources",
    "StandIn": "standin",
    "CookieSessionError": "errors",
    "BadInputError": "errors",
    "NoCredentialsError": "errors",
    "CredentialsRejectedError": "errors",
    "InvalidApiKeyError": "errors",
    "PermissionDeniedError": "errors",
    "PolicyError": "errors",
    "UpstreamError": "errors",
    "RateLimitedError": "errors",
    "TransportError": "errors",
    "InvalidApiKeyFormatError": "errors",
    "InsecureUrlError": "errors",
    "MissingCredentialsError": "errors",
    "ModelNotFoundError": "errors",
    "ServerError": "errors",
    "BadResponseError": "errors",
    "RequestTimeoutError": "errors",
    "ConnectionFailedError": "errors",
}

__all__ = sorted(_EXPORTS) + ["__version__"]


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
    from .browser_auth import BrowserCookieAuthenticator
    from .policy import LocalityVerdict, locality_verdict
    from .client import NO_RETRIES, GrokClient, RetryPolicy
    from .compare import Comparison, MethodReport, compare_methods, render_table
    from .migrate import render_migration_report, scan_for_migration
    from .errors import (
        AccountBlockedError, AntiBotRejectedError, BrowserCookieWarning, BrowserNotFoundError,
        CloudflareChallengeError, CookieDecryptionError, CookieStoreError, NotLoggedInError, ProfileNotFoundError,
        SessionExpiredError, UnknownBrowserError, UnsupportedEncryptionError,
        BadInputError, BadResponseError, ConnectionFailedError, CookieSessionError, CredentialsRejectedError,
        InsecureUrlError, InvalidApiKeyError, InvalidApiKeyFormatError, MissingCredentialsError, ModelNotFoundError,
        NoCredentialsError, PermissionDeniedError, PolicyError, RateLimitedError, RequestTimeoutError, ServerError,
        TransportError, UnsafeRedirectError, UpstreamError,
    )
    from .results import ChatResult, ChatStream, Identity, Model, Usage
    from .secret import Secret
    from .sources import inspect_credentials, resolve_authenticator
    from .standin import StandIn
