"""Authenticators: one credential each, attached to requests.

`Authenticator` is the abstract base (`base.py`); `ApiKeyAuthenticator` is the official key
(`api_key.py`). The browser session (`auth.browser.BrowserCookieAuthenticator`) and the chain
that picks a credential (`auth.chain`) are imported from their modules: importing this package
never loads browser code, so the key-only path stays free of it.
"""

from .api_key import ApiKeyAuthenticator, validate_api_key
from .base import SERVICE_API, SERVICE_WEB, Authenticator

__all__ = ["Authenticator", "ApiKeyAuthenticator"]
