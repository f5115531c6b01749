"""A browser-session authenticator for tests that are not about its warning."""

from __future__ import annotations

import warnings

from cookie_session import BrowserCookieAuthenticator, BrowserCookieWarning, LocalityVerdict


def quiet_browser_auth(cookies=None, **kwargs) -> BrowserCookieAuthenticator:
    """`BrowserCookieAuthenticator.from_cookies(cookies, **kwargs)`, or `BrowserCookieAuthenticator(**kwargs)`
    (a browser profile or cookie file) without `cookies`; opted in and judged local unless `kwargs` say otherwise,
    built without its `BrowserCookieWarning` (tests about the warning assert it with `pytest.warns` instead)."""
    kwargs.setdefault("unsafe_browser_cookies", True)
    kwargs.setdefault("verdict", LocalityVerdict.assume_local())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", BrowserCookieWarning)
        if cookies is not None:
            return BrowserCookieAuthenticator.from_cookies(cookies, **kwargs)
        return BrowserCookieAuthenticator(**kwargs)
