"""Authenticators: one credential each, attached to requests.

`Authenticator` is the abstract base (`base.py`); `ApiKeyAuthenticator` is the official key
(`api_key.py`). The browser session (`auth.browser.BrowserCookieAuthenticator`) and the chain
that picks a credential (`auth.chain`) are imported from their modules: importing this package
never loads browser code, so the key-only path stays free of it.
"""

# `API_KEY_PATTERN`, `validate_api_key`, `SERVICE_API`, `SERVICE_WEB` stay importable from here, as when
# `cookie_session.auth` was one module (`X as X` marks a re-export); not part of `__all__`.
from .api_key import API_KEY_PATTERN as API_KEY_PATTERN, ApiKeyAuthenticator, validate_api_key as validate_api_key
from .base import SERVICE_API as SERVICE_API, SERVICE_WEB as SERVICE_WEB, Authenticator

__all__ = ["Authenticator", "ApiKeyAuthenticator"]
