"""`BrowserCookieAuthenticator`: the grok.com session from a local browser profile. Unsafe, local only.

Kept apart from auth.py so the API-key path never imports the browser readers.
Construction is gated: it needs the explicit opt-in *and* a local verdict before
any profile is read (see policy.py and WARNING.md).
"""

from __future__ import annotations

import os
import time
import warnings
from typing import Iterable, Mapping
from urllib.parse import urlsplit

import requests
from requests.cookies import create_cookie

from .auth import SERVICE_WEB, Authenticator
from .browsers import BrowserCookie
from .errors import BrowserCookieWarning, NotLoggedInError
from .policy import (
    WEB_BASE_URL, LocalityVerdict, check_base_url, host_in_domain, is_loopback_host, locality_verdict,
    require_browser_cookie_use, unsafe_opt_in,
)
from .secret import Secret

__all__ = ["BrowserCookieAuthenticator", "SESSION_COOKIE", "EXPIRY_WARNING_SECONDS"]

SESSION_COOKIE = "sso"
EXPIRY_WARNING_SECONDS = 3 * 24 * 3600
USER_AGENT_ENV = "GROK_USER_AGENT"
FALLBACK_USER_AGENT = ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
                       "Chrome/156.0.0.0 Safari/537.36")


def _as_browser_cookie(cookie) -> BrowserCookie:
    """Any cookie-like object (name, value, domain, path, secure, expires) as a `BrowserCookie`."""
    if isinstance(cookie, BrowserCookie):
        return cookie
    return BrowserCookie(cookie.name, Secret(cookie.value, name=cookie.name), cookie.domain, cookie.path or "/",
                         bool(cookie.secure), bool(getattr(cookie, "http_only", False)), cookie.expires,
                         host_only=not cookie.domain.startswith("."))


class BrowserCookieAuthenticator(Authenticator):
    """The grok.com session cookies of a local browser profile, in a `requests` cookie jar.

    `browser` is a name such as `chrome`, `chromium`, `firefox` (None: any browser, most recently
    used profile holding grok.com cookies); `profile` a profile name; `cookie_file` an explicit
    cookie database; `container` a Firefox container. `unsafe_browser_cookies=True` (or the
    environment variable named in WARNING.md) is required, and so is a local `verdict`
    (computed from the environment unless given). `user_agent` must be the browser's own
    (Cloudflare binds `cf_clearance` to it); it defaults to `GROK_USER_AGENT`, then to one
    derived from the profile's browser version.

    Raises `PolicyError` before reading anything when not allowed, `NotLoggedInError` when the
    profile holds no live `sso`, and the `BadInputError` family for unreadable profiles.
    Cannot be pickled or copied.
    """

    kind = "browser_cookie"
    service = SERVICE_WEB

    def __init__(self, browser: str | None = None, *, profile: str | None = None,
                 cookie_file: str | os.PathLike | None = None, container: str | None = None,
                 unsafe_browser_cookies: bool | None = None, verdict: LocalityVerdict | None = None,
                 user_agent: str | None = None, environ: Mapping[str, str] | None = None) -> None:
        env = os.environ if environ is None else environ
        _require_allowed(unsafe_browser_cookies, verdict, env)
        from .browsers import browser_user_agent, load_xai_cookies

        load = load_xai_cookies(browser, profile=profile, cookie_file=cookie_file, container=container)
        where = f"{load.browser}/{load.profile}"
        source = f"cookie-file:{load.cookie_file}" if cookie_file is not None else f"browser:{where}"
        agent = user_agent or env.get(USER_AGENT_ENV) or browser_user_agent(load)
        if agent is None:
            agent = FALLBACK_USER_AGENT
            warnings.warn(f"Could not tell the version of {where}; sending a generic User-Agent. If grok.com answers "
                          f"with a challenge, set {USER_AGENT_ENV} to that browser's User-Agent",
                          BrowserCookieWarning, stacklevel=2)
        self._setup(load.cookies, source=source, where=where, user_agent=agent, notes=load.notes)

    @classmethod
    def from_cookies(cls, cookies: Iterable, *, user_agent: str, source: str = "cookies",
                     unsafe_browser_cookies: bool | None = None, verdict: LocalityVerdict | None = None,
                     environ: Mapping[str, str] | None = None) -> "BrowserCookieAuthenticator":
        """Build from cookies already in hand (objects with `name`, `value`, `domain`, `path`,
        `secure`, `expires`), e.g. a stand-in's session. Gated exactly like the constructor."""
        _require_allowed(unsafe_browser_cookies, verdict, os.environ if environ is None else environ)
        self = cls.__new__(cls)
        self._setup(cookies, source=source, where=source, user_agent=user_agent, notes=())
        return self

    def _setup(self, cookies: Iterable, *, source: str, where: str, user_agent: str, notes: Iterable[str]) -> None:
        Authenticator.__init__(self, source=source)
        now = time.time()
        self._cookies = tuple(_as_browser_cookie(c) for c in cookies if c.expires is None or c.expires > now)
        self.user_agent = user_agent
        self._bound_host: str | None = None
        session = next((c for c in self._cookies if c.name == SESSION_COOKIE), None)
        if session is None:
            hints = " ".join(notes)
            raise NotLoggedInError(f"Not logged in to grok.com in {where}: no live sso cookie found. {hints}",
                                   hint="Log in at grok.com in that browser, or use the API key (XAI_API_KEY)")
        self.expires: float | None = session.expires
        warnings.warn(f"Using browser-cookie auth from {where}: unofficial, unsafe, local only (see WARNING.md)",
                      BrowserCookieWarning, stacklevel=3)
        if self.expires is not None and self.expires - now < EXPIRY_WARNING_SECONDS:
            hours = (self.expires - now) / 3600
            warnings.warn(f"The grok.com session in {where} expires in {hours:.0f} hours; log in again soon",
                          BrowserCookieWarning, stacklevel=3)

    @property
    def cookie_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self._cookies)

    def prepare_session(self, session: requests.Session | None = None, *,
                        base_url: str = WEB_BASE_URL) -> requests.Session:
        """Put the cookies in `session.cookies` with their browser domain, set the browser's User-Agent.

        With a loopback `base_url` (a stand-in), the cookies are scoped to that loopback host
        instead, so they go to it and nowhere else. Any other non-grok.com host is refused.
        """
        target = urlsplit(check_base_url(base_url, allowed_domain="grok.com"))
        session = session if session is not None else requests.Session()
        self._bound_host = target.hostname if is_loopback_host(target.hostname) else None
        for cookie in self._cookies:
            domain = self._bound_host or cookie.domain
            secure = cookie.secure and not (self._bound_host and target.scheme == "http")
            session.cookies.set_cookie(create_cookie(
                cookie.name, cookie.value.reveal(), domain=domain, path=cookie.path, secure=secure,
                expires=int(cookie.expires) if cookie.expires is not None else None,
                rest={"HttpOnly": None} if cookie.http_only else {}))
        session.headers["User-Agent"] = self.user_agent
        session.auth = self
        return session

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        """Cookies travel in the jar; this only makes sure none leave for a host outside grok.com."""
        host = urlsplit(request.url).hostname or ""
        if not (host_in_domain(host, "grok.com") or host == self._bound_host):
            request.headers.pop("Cookie", None)
        return request

    def identity(self) -> dict:
        """What the web transport's `whoami` reports: the session's origin and a masked user id."""
        user = next((c for c in self._cookies if c.name == "x-userid"), None)
        return {"name": f"grok.com session ({self.source})", "user_id": user.value.fingerprint if user else None}

    def describe(self) -> str:
        session = next(c for c in self._cookies if c.name == SESSION_COOKIE)
        return f"browser_cookie {session.value.fingerprint} (+{len(self._cookies) - 1} cookies) from {self.source}"

    def secrets(self) -> list[Secret]:
        return [c.value for c in self._cookies]

    def __reduce_ex__(self, protocol):
        raise TypeError("A BrowserCookieAuthenticator cannot be pickled or sent to another process; "
                        "build it where it is used, or use the API key")

    def __copy__(self):
        raise TypeError("A BrowserCookieAuthenticator cannot be copied")

    def __deepcopy__(self, memo):
        raise TypeError("A BrowserCookieAuthenticator cannot be copied")


def _require_allowed(explicit: bool | None, verdict: LocalityVerdict | None, env: Mapping[str, str]) -> None:
    opted_in, _how = unsafe_opt_in(explicit, env)
    require_browser_cookie_use(opted_in, verdict if verdict is not None else locality_verdict(env))
