"""Authenticators: one credential each, attached to requests.

`Authenticator` is the abstract base (`base.py`); `ApiKeyAuthenticator` is the official key
(`api_key.py`). The browser session (`auth.browser.BrowserCookieAuthenticator`), the chain
that picks a credential (`auth.chain`) and RFC 6265's cookie rules (`auth.cookie_rules`) are imported
from their modules. Importing this package loads nothing (the names below load their module when
first used), so `cookie_session.auth.cookie_rules` costs no `requests`, and the key-only path never
loads browser code.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .api_key import API_KEY_PATTERN as API_KEY_PATTERN, ApiKeyAuthenticator, validate_api_key as validate_api_key
    from .base import SERVICE_API as SERVICE_API, SERVICE_WEB as SERVICE_WEB, Authenticator

__all__ = ["Authenticator", "ApiKeyAuthenticator"]

# `API_KEY_PATTERN`, `validate_api_key`, `SERVICE_API`, `SERVICE_WEB` stay importable from here, as when
# `cookie_session.auth` was one module; not part of `__all__`.
_FROM_BASE = ("Authenticator", "SERVICE_API", "SERVICE_WEB")
_FROM_API_KEY = ("ApiKeyAuthenticator", "API_KEY_PATTERN", "validate_api_key")


def __getattr__(name: str):
    if name in _FROM_BASE:
        from . import base as module
    elif name in _FROM_API_KEY:
        from . import api_key as module  # type: ignore[no-redef]  # one of two modules
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(module, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_FROM_BASE, *_FROM_API_KEY])
