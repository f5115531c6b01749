"""URL and host rules: where a request really goes, which hosts are loopback or inside a domain, and which
base URLs a credential may be sent to.

Pure functions of their inputs; `cookie_session.policy` re-exports every name here.
"""

from __future__ import annotations

import ipaddress
import re
from typing import NamedTuple
from urllib.parse import urlsplit

from .errors import InsecureUrlError, PolicyError
from .settings import API_BASE_URL

__all__ = [
    "XAI_COOKIE_DOMAINS",
    "UrlTarget",
    "url_target",
    "is_loopback_host",
    "host_in_domain",
    "is_xai_cookie_host",
    "check_base_url",
]


#: Cookie domains we read from a browser, matched exactly or as a parent domain.
XAI_COOKIE_DOMAINS = ("grok.com", "x.ai")

#: Characters on which URL parsers disagree (`urlsplit` ends a host only at `/ ? #`, urllib3 also at `\\`;
#: whitespace and control characters are stripped by some and kept by others): refused anywhere in a URL.
_AMBIGUOUS = re.compile(r"[\\\s\x00-\x1f\x7f-\x9f]")
#: A host name as it reaches a socket (after requests' IDNA encoding): letters, digits, '-', '_', '.'.
_HOST_NAME = re.compile(r"[a-z0-9_.-]+")
_DEFAULT_PORTS = {"http": 80, "https": 443}


class UrlTarget(NamedTuple):
    """Where a request to a URL goes, as the code that sends it decides: scheme, host (lower case, IPv6
    without brackets) and port (the scheme's default when none is written), plus what else it carries."""

    scheme: str
    host: str
    port: int
    userinfo: bool = False
    query: bool = False

    @property
    def origin(self) -> str:
        """`scheme://host:port`, safe to show: no user name, password, path or query."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{host}:{self.port}"


def url_target(url: str, *, what: str = "URL") -> UrlTarget:
    """Parse an http(s) URL exactly as `requests` sends it: its own URL preparation, then the parsers
    that pick the connection's host and port (urlsplit in requests' adapter, urllib3's in its pool),
    which must agree. URLs on which parsers could disagree
    (backslash, whitespace or control characters anywhere) are refused rather than guessed.

    Raises `InsecureUrlError` (a `BadInputError`) naming `what`, never echoing the URL (it may hold a password).
    """
    import requests
    import urllib3

    if not isinstance(url, str) or not url:
        raise InsecureUrlError(f"{what} is not an http(s) URL")
    if _AMBIGUOUS.search(url):
        raise InsecureUrlError(
            f"{what} holds a backslash, whitespace or control character, on which URL parsers disagree; refused"
        )
    try:
        prepared = requests.PreparedRequest()
        prepared.prepare_url(url, None)
        # requests' adapter picks the connection with urlsplit on the prepared URL; urllib3 (and older
        # requests) with its own parser. Both must name the same place, or the URL is refused.
        prepared_url = str(prepared.url)
        split, parts = urlsplit(prepared_url), urllib3.util.parse_url(prepared_url)
        scheme, host, port = split.scheme.lower(), (split.hostname or "").lower(), split.port
        other = ((parts.scheme or "").lower(), (parts.host or "").lower().strip("[]"), parts.port)
    except (requests.exceptions.RequestException, urllib3.exceptions.HTTPError, ValueError, UnicodeError):
        raise InsecureUrlError(f"{what} is not a valid http(s) URL (malformed host or port)") from None
    if (scheme, host, port) != other:
        raise InsecureUrlError(f"{what} names its host in a way URL parsers read differently; refused")
    if scheme not in _DEFAULT_PORTS or not host:
        carries = " (and must not carry a user name or password)" if parts.auth else ""
        raise InsecureUrlError(f"{what} is not an http(s) URL with a host{carries}")
    return UrlTarget(
        scheme,
        host,
        port or _DEFAULT_PORTS[scheme],
        userinfo=parts.auth is not None,
        query=parts.query is not None or parts.fragment is not None,
    )


def is_loopback_host(host: str | None) -> bool:
    """True for `localhost` and the loopback addresses (127.0.0.0/8, ::1), written exactly.

    `*.localhost` is not loopback here: whether it resolves to loopback is up to the resolver
    (glibc asks DNS unless nss-myhostname is set up), and a name checked now may resolve elsewhere
    when the request is sent. So are `localhost.` (a name DNS resolves) and shorthand like `127.1`.
    """
    if not host:
        return False
    host = host.lower()
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def host_in_domain(host: str, domain: str) -> bool:
    """True when `host` is `domain` or a subdomain of it (a leading dot on either, a trailing dot on the host,
    are ignored). Exact label matching: `evil-grok.com`, `notgrok.com` and `grok.com.evil.test` are not in
    `grok.com`; a host holding anything but letters, digits, '-', '_' and '.' (say `evil.test\\.grok.com`)
    is in no domain.
    """
    host = host.lstrip(".").rstrip(".").lower()
    domain = domain.lstrip(".").rstrip(".").lower()
    if not (_HOST_NAME.fullmatch(host) and domain):
        return False
    return host == domain or host.endswith("." + domain)


def is_xai_cookie_host(host: str) -> bool:
    """True for cookie hosts of grok.com or x.ai (with or without the leading dot), and their subdomains."""
    return any(host_in_domain(host, domain) for domain in XAI_COOKIE_DOMAINS)


def check_base_url(url: str, *, allowed_domain: str | None = None) -> str:
    """Return `url` without a trailing slash if it is safe to send a credential to.

    Decided on where `requests` would really connect (`url_target`). HTTPS is required except for
    loopback hosts; no user name, password, query or fragment. With `allowed_domain`, the host must
    also be inside that domain or be loopback (a stand-in). Raises `InsecureUrlError` or `PolicyError`
    otherwise; messages show only the origin, never the URL's user info or query.
    """
    target = url_target(url, what="Base URL")
    if target.userinfo:
        raise InsecureUrlError("Base URL must not carry a user name or password")
    if target.query:
        raise InsecureUrlError(
            "Base URL must not carry a query or fragment (a key in it would be printed and logged)",
            hint=f"Give the API root only, e.g. {API_BASE_URL}",
        )
    loopback = is_loopback_host(target.host)
    if target.scheme != "https" and not loopback:
        raise InsecureUrlError(f"Base URL {target.origin} is plain http on a non-loopback host")
    if allowed_domain and not loopback and not host_in_domain(target.host, allowed_domain):
        raise PolicyError(
            f"Host {target.host!r} is neither {allowed_domain} nor loopback",
            hint=f"Browser cookies for {allowed_domain} are sent only to {allowed_domain} or a loopback stand-in",
        )
    return url.rstrip("/")
