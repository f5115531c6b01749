"""`BrowserCookieAuthenticator`: the grok.com session from a local browser profile. Unsafe, local only.

Kept apart from auth.py so the API-key path never imports the browser readers.
Construction is gated: it needs the explicit opt-in *and* a local verdict before
any profile is read (see policy.py and WARNING.md).
"""

from __future__ import annotations

import os
import time
import warnings
from collections.abc import Iterable, Mapping
from pathlib import Path
from urllib.parse import urlsplit

import requests

from ..browsers import header_safe
from ..browsers.load import NOT_LOGGED_IN_NOTE
from ..errors import BadInputError, BrowserCookieWarning, NotLoggedInError, printable
from ..policy import (
    LocalityVerdict,
    check_base_url,
    check_browser_cookie_use,
    host_in_domain,
    is_loopback_host,
)
from ..secret import Secret
from ..settings import API_KEY_ENV, USER_AGENT_ENV, WEB_BASE_URL
from ..transports.grok.headers import BrowserIdentity, browser_identity
from .base import SERVICE_WEB, Authenticator
from .cookie_rules import _as_browser_cookie, _sendable, sent_with

__all__ = ["BrowserCookieAuthenticator", "SESSION_COOKIE", "EXPIRY_WARNING_SECONDS", "sent_with"]

SESSION_COOKIE = "sso"
EXPIRY_WARNING_SECONDS = 3 * 24 * 3600
#: What a loopback stand-in is treated as: it gets what `https://grok.com` would get for the same path.
_STANDIN_AS = ("https", "grok.com")
#: The file Chromium holds in its user-data dir while it runs (a symlink to `host-pid`).
CHROMIUM_LOCK_FILE = "SingletonLock"
FALLBACK_USER_AGENT = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36"
)
FALLBACK_FIREFOX_USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64; rv:153.0) Gecko/20100101 Firefox/153.0"


class BrowserCookieAuthenticator(Authenticator):
    """The grok.com session cookies of a local browser profile, sent as that browser sends them.

    `browser` is a name such as `chrome`, `chromium`, `firefox` (None: any browser, most recently
    used profile holding grok.com cookies); `profile` a profile name; `cookie_file` an explicit
    cookie database; `container` a Firefox container. `unsafe_browser_cookies=True` (or the
    environment variable named in WARNING.md) is required, and so is a local `verdict`
    (computed from the environment unless given; `container_is_local=True` vouches that a container
    runs on your own machine, lifting that reason only). `user_agent` must be the browser's own
    (Cloudflare binds `cf_clearance` to it); it defaults to `GROK_USER_AGENT`, then to one
    derived from the profile's browser version.

    It holds the cookies and the browser's facts (`browser_identity`: engine, version, platform,
    languages); on every request to grok.com (or a loopback stand-in) it adds the cookies the browser
    would send to that URL and its User-Agent. How grok.com is spoken to (the browser's headers per kind
    of request, the signed `x-statsig-id`, the chat gateway, the TLS handshake) lives in
    `transports/grok/`; `prepare_session()` puts it on a plain `requests` session, so that session sends
    what `GrokClient` sends.

    Raises `PolicyError` before reading anything when not allowed, `NotLoggedInError` when the
    profile holds no live `sso`, and the `BadInputError` family for unreadable profiles.
    Cannot be pickled or copied.
    """

    kind = "browser_cookie"
    service = SERVICE_WEB

    def __init__(
        self,
        browser: str | None = None,
        *,
        profile: str | None = None,
        cookie_file: str | os.PathLike | None = None,
        container: str | None = None,
        unsafe_browser_cookies: bool | None = None,
        verdict: LocalityVerdict | None = None,
        user_agent: str | None = None,
        environ: Mapping[str, str] | None = None,
        container_is_local: bool | None = None,
    ) -> None:
        env = os.environ if environ is None else environ
        _require_allowed(unsafe_browser_cookies, verdict, env, container_is_local)
        from ..browsers import load_xai_cookies
        from ..user_agents import user_agent_for

        load = load_xai_cookies(browser, profile=profile, cookie_file=cookie_file, container=container)
        where = f"{load.browser}/{load.profile}"
        source = f"cookie-file:{load.cookie_file}" if cookie_file is not None else f"browser:{where}"
        agent = (
            user_agent
            or env.get(USER_AGENT_ENV)
            or load.user_agent_hint
            or user_agent_for(load.family, load.major_version, browser=load.browser)
        )
        if agent is None:
            agent = FALLBACK_USER_AGENT if load.family != "firefox" else FALLBACK_FIREFOX_USER_AGENT
            warnings.warn(
                f"Could not tell the version of {printable(where)}; sending a generic User-Agent. If grok.com answers "
                f"with a challenge, set {USER_AGENT_ENV} to that browser's User-Agent",
                BrowserCookieWarning,
                stacklevel=2,
            )
        lock_dirs = tuple(Path(load.cookie_file).parents[:3]) if load.family == "chromium" else ()
        self._setup(
            load.cookies,
            source=source,
            where=where,
            user_agent=agent,
            notes=load.notes,
            browser=load.browser,
            family=load.family,
            major_version=load.major_version,
            accept_language=load.accept_language,
            lock_dirs=lock_dirs,
        )

    @classmethod
    def from_cookies(
        cls,
        cookies: Iterable,
        *,
        user_agent: str,
        source: str = "cookies",
        unsafe_browser_cookies: bool | None = None,
        verdict: LocalityVerdict | None = None,
        browser: str | None = None,
        accept_language: str | None = None,
        environ: Mapping[str, str] | None = None,
        container_is_local: bool | None = None,
    ) -> BrowserCookieAuthenticator:
        """Build from cookies already in hand (objects with `name`, `value`, `domain`, `path`,
        `secure`, `expires`), e.g. a stand-in's session. Gated exactly like the constructor.
        The browser family and version are read from `user_agent`; `browser` names the browser
        (e.g. `chrome`, `edge`) for its client-hint brand."""
        env = os.environ if environ is None else environ
        _require_allowed(unsafe_browser_cookies, verdict, env, container_is_local)
        self = cls.__new__(cls)
        self._setup(
            cookies,
            source=source,
            where=source,
            user_agent=user_agent,
            notes=(),
            browser=browser,
            family=None,
            major_version=None,
            accept_language=accept_language,
            lock_dirs=(),
        )
        return self

    def _setup(
        self,
        cookies: Iterable,
        *,
        source: str,
        where: str,
        user_agent: str,
        notes: Iterable[str],
        browser: str | None,
        family: str | None,
        major_version: int | None,
        accept_language: str | None,
        lock_dirs: tuple[Path, ...],
    ) -> None:
        Authenticator.__init__(self, source=source)
        now = time.time()
        self._cookies = tuple(_as_browser_cookie(c) for c in cookies if c.expires is None or c.expires > now)
        unsendable = next((c.name for c in self._cookies if not _cookie_safe(c.name, c.value.reveal())), None)
        if unsendable is not None:
            raise BadInputError(
                f"Cookie {unsendable!r} holds control or non-ASCII characters or a ';', which a "
                f"Cookie header cannot carry as one cookie"
            )
        if not isinstance(user_agent, str) or not header_safe(user_agent):
            raise BadInputError(
                "The User-Agent holds control or non-ASCII characters, which a header cannot carry",
                hint=f"Set {USER_AGENT_ENV} to the browser's User-Agent exactly as it sends it",
            )
        self.user_agent = user_agent
        self.browser_name: str | None = browser  # e.g. "chrome", "edge", "firefox"; None when not known
        self._lock_dirs = lock_dirs
        self._identity: BrowserIdentity = browser_identity(
            browser, family, user_agent, major_version=major_version, accept_language=accept_language
        )
        session = next(
            (c for c in self._cookies if c.name == SESSION_COOKIE and c.domain.lstrip(".") == "grok.com"), None
        ) or next((c for c in self._cookies if c.name == SESSION_COOKIE), None)
        if session is None:
            hints = " ".join(note for note in notes if note != NOT_LOGGED_IN_NOTE)  # the message says it
            raise NotLoggedInError(
                f"Not logged in to grok.com in {where}: no live sso cookie found. {hints}",
                hint=f"Log in at grok.com in that browser, or use the API key ({API_KEY_ENV})",
            )
        self._session_cookie = session
        self.expires: float | None = session.expires
        warnings.warn(
            f"Using browser-cookie auth from {printable(where)}: unofficial, unsafe, local only (see WARNING.md)",
            BrowserCookieWarning,
            stacklevel=3,
        )
        if self.expires is not None and self.expires - now < EXPIRY_WARNING_SECONDS:
            hours = (self.expires - now) / 3600
            warnings.warn(
                f"The grok.com session in {printable(where)} expires in {hours:.0f} hours; log in again soon",
                BrowserCookieWarning,
                stacklevel=3,
            )

    @property
    def cookie_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self._cookies)

    @property
    def browser_identity(self) -> BrowserIdentity:
        """The browser's facts the requests depend on (engine, version, platform, brand, languages)."""
        return self._identity

    @property
    def browser_family(self) -> str:
        """The engine whose requests this authenticator reproduces: "chromium" or "firefox"."""
        return self._identity.family

    @property
    def browser_major_version(self) -> int | None:
        """The major version the User-Agent states (None when it names none)."""
        return self._identity.major_version

    @property
    def accept_language(self) -> str:
        return self._identity.accept_language

    def browser_running(self) -> bool:
        """True when the Chromium that owns the profile is running now (its `SingletonLock` exists):
        it then writes cookie changes to disk only up to ~30 s later."""
        return any(os.path.lexists(d / CHROMIUM_LOCK_FILE) for d in self._lock_dirs)

    def prepare_session(
        self, session: requests.Session | None = None, *, base_url: str | None = None, timeout=None, verify=None
    ) -> requests.Session:
        """Set the browser's User-Agent and make a `transports.grok.BrowserWire` over this authenticator the
        session's `auth`: each request gets this browser's cookies for its URL and the headers that browser sends
        on that kind of request, `/rest/` ones a signed `x-statsig-id` (pages fetched from `base_url` within
        `timeout`, checked against `verify`).

        `base_url` (default grok.com) must be grok.com or a loopback stand-in (else `PolicyError`). The cookies are
        never put in `session.cookies`: each request gets a Cookie header built for its own URL. When requests
        follows a redirect itself it drops that header and does not call `auth` again, so no cookie follows;
        `GrokClient` follows same-origin redirects only, and authenticates each hop.

        HTTPS goes through the TLS/HTTP2 handshake of `browser_family` at the newest curl_cffi target
        at or below `browser_major_version` (`transports/grok/tls.py`), loaded at the session's first HTTPS
        request; `impersonating` names that target, None when plain requests is left in place (curl_cffi
        missing: warned once).
        """
        base_url = WEB_BASE_URL if base_url is None else base_url
        check_base_url(base_url, allowed_domain="grok.com")
        session = session if session is not None else requests.Session()
        session.headers["User-Agent"] = self.user_agent
        from ..settings import DEFAULT_TIMEOUT
        from ..transports.grok.tls import mount_browser_tls_lazily
        from ..transports.grok.wire import BrowserWire

        session.auth = BrowserWire(
            self, session, base_url, timeout=DEFAULT_TIMEOUT if timeout is None else timeout, verify=verify
        )
        # Cloudflare pins cf_clearance to the TLS/HTTP2 handshake: make it the browser's (see transports/grok/tls.py).
        self._browser_tls = mount_browser_tls_lazily(
            session, family=self.browser_family, major_version=self.browser_major_version
        )
        return session

    @property
    def impersonating(self) -> str | None:
        """The curl_cffi target of the last prepared session's TLS handshake (None: plain requests, or no session
        prepared yet); asking before its first request loads curl_cffi to decide."""
        tls = getattr(self, "_browser_tls", None)
        return tls.target if tls is not None else None

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        """Add the cookies the browser would send to this URL (see `cookie_header`) and, to a grok.com host or a
        loopback stand-in, the browser's User-Agent."""
        if request.url is None:  # nothing to send it to
            return request
        header = self.cookie_header(request.url)
        if header is None:
            return request
        if header:
            request.headers["Cookie"] = _merged(request.headers.get("Cookie"), header)
        request.headers["User-Agent"] = self.user_agent
        return request

    def cookie_header(self, url: str) -> str | None:
        """The Cookie header the browser sends with a request to `url`: exactly the stored cookies RFC 6265 sends
        there (domain, host-only, path, Secure, expiry; longer paths first), every name. A loopback host (a
        stand-in) gets what `https://grok.com` would get for the same path. None for any other host."""
        parts = urlsplit(url)
        host = (parts.hostname or "").rstrip(".")
        if is_loopback_host(host):
            scheme, host = _STANDIN_AS
        elif host_in_domain(host, "grok.com"):
            scheme = {"wss": "https", "ws": "http"}.get(parts.scheme, parts.scheme)
        else:
            return None
        now = time.time()
        path = parts.path or "/"
        sent = sorted(
            (c for c in self._cookies if _sendable(c, scheme, host, path, now)), key=lambda c: -len(c.path)
        )  # RFC 6265 5.4: longer paths first
        return "; ".join(f"{c.name}={c.value.reveal()}" for c in sent)

    def identity(self) -> dict:
        """What the web transport's `whoami` reports: the session's origin and a masked user id."""
        user = next((c for c in self._cookies if c.name == "x-userid"), None)
        return {"name": f"grok.com session ({self.source})", "user_id": user.value.fingerprint if user else None}

    def describe(self) -> str:
        return (
            f"browser_cookie {self._session_cookie.value.fingerprint} (+{len(self._cookies) - 1} cookies) "
            f"from {self.source}"
        )

    def secrets(self) -> list[Secret]:
        return [c.value for c in self._cookies]

    def __reduce_ex__(self, protocol):
        raise TypeError(
            "A BrowserCookieAuthenticator cannot be pickled or sent to another process; "
            "build it where it is used, or use the API key"
        )

    def __copy__(self):
        raise TypeError("A BrowserCookieAuthenticator cannot be copied")

    def __deepcopy__(self, memo):
        raise TypeError("A BrowserCookieAuthenticator cannot be copied")


def _merged(existing: str | None, ours: str) -> str:
    """`ours` added to a Cookie header the session's own jar built, without repeating a name it has."""
    if not existing:
        return ours
    present = {part.split("=", 1)[0].strip() for part in existing.split(";")}
    extra = [pair for pair in ours.split("; ") if pair.split("=", 1)[0] not in present]
    return "; ".join([existing, *extra])


def _cookie_safe(name: str, value: str) -> bool:
    """A `name=value` pair that stays one cookie in a Cookie header (a ';' would smuggle in another)."""
    return header_safe(name + value) and ";" not in name + value and "=" not in name and bool(name.strip())


def _require_allowed(
    explicit: bool | None, verdict: LocalityVerdict | None, env: Mapping[str, str], container_is_local: bool | None
) -> None:
    check_browser_cookie_use(explicit, environ=env, verdict=verdict, container_is_local=container_is_local)
