"""Safety rules: which URLs and hosts are allowed, the unsafe opt-in and the locality verdict.

Pure functions of their inputs (environment mapping, filesystem root, URL), so
`status` can print a verdict and tests can build or inject one.
"""

from __future__ import annotations

import ipaddress
import os
import re
from pathlib import Path
from typing import Mapping, NamedTuple
from urllib.parse import urlsplit

from .errors import InsecureUrlError, PolicyError

__all__ = [
    "API_BASE_URL", "WEB_BASE_URL", "DEFAULT_MODEL", "XAI_COOKIE_DOMAINS", "XAI_COOKIE_NAMES",
    "UNSAFE_ENV_VAR", "UNSAFE_ENV_VALUE",
    "UrlTarget", "url_target", "is_loopback_host", "host_in_domain", "is_xai_cookie_host", "check_base_url",
    "LocalityVerdict", "locality_verdict", "unsafe_opt_in", "require_browser_cookie_use",
]

API_BASE_URL = "https://api.x.ai/v1"
WEB_BASE_URL = "https://grok.com"
DEFAULT_MODEL = "grok-4"

#: Cookie domains we read from a browser, matched exactly or as a parent domain.
XAI_COOKIE_DOMAINS = ("grok.com", "x.ai")
#: The only cookie names we load: the session, its user id, and Cloudflare's clearance.
XAI_COOKIE_NAMES = frozenset({"sso", "sso-rw", "x-userid", "cf_clearance", "__cf_bm", "_cfuvid"})

UNSAFE_ENV_VAR = "COOKIE_SESSION_UNSAFE_BROWSER_COOKIES"
#: The deliberate word the env var must hold; `1`, `true` or `yes` do not count.
UNSAFE_ENV_VALUE = "i-understand-the-risks"


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
        raise InsecureUrlError(f"{what} holds a backslash, whitespace or control character, "
                               "on which URL parsers disagree; refused")
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
    return UrlTarget(scheme, host, port or _DEFAULT_PORTS[scheme],
                     userinfo=parts.auth is not None, query=parts.query is not None or parts.fragment is not None)


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
        raise InsecureUrlError("Base URL must not carry a query or fragment (a key in it would be printed and "
                               "logged)", hint="Give the API root only, e.g. https://api.x.ai/v1")
    loopback = is_loopback_host(target.host)
    if target.scheme != "https" and not loopback:
        raise InsecureUrlError(f"Base URL {target.origin} is plain http on a non-loopback host")
    if allowed_domain and not loopback and not host_in_domain(target.host, allowed_domain):
        raise PolicyError(
            f"Host {target.host!r} is neither {allowed_domain} nor loopback",
            hint=f"Browser cookies for {allowed_domain} are sent only to {allowed_domain} or a loopback stand-in",
        )
    return url.rstrip("/")


# --- the unsafe opt-in and the locality verdict ---------------------------------------

CI_MARKERS = (
    "CI", "CONTINUOUS_INTEGRATION", "GITHUB_ACTIONS", "GITLAB_CI", "BUILDKITE", "JENKINS_URL",
    "TF_BUILD", "CIRCLECI", "TRAVIS", "TEAMCITY_VERSION", "BITBUCKET_BUILD_NUMBER",
    "CODEBUILD_BUILD_ID", "DRONE", "APPVEYOR", "SEMAPHORE", "WOODPECKER", "HUDSON_URL",
)
SSH_MARKERS = ("SSH_CONNECTION", "SSH_CLIENT", "SSH_TTY")
CONTAINER_MARKERS = ("KUBERNETES_SERVICE_HOST", "container")
CONTAINER_FILES = (".dockerenv", "run/.containerenv", "var/run/secrets/kubernetes.io")
SERVERLESS_MARKERS = (
    "AWS_LAMBDA_FUNCTION_NAME", "AWS_EXECUTION_ENV", "FUNCTIONS_WORKER_RUNTIME", "K_SERVICE",
    "FUNCTION_TARGET", "VERCEL", "NETLIFY", "FLY_APP_NAME", "RAILWAY_ENVIRONMENT", "RENDER", "DYNO",
)
_FALSE_WORDS = {"", "0", "false", "no", "off"}


class LocalityVerdict(NamedTuple):
    """Whether this process runs on the user's own machine, and why not when it does not.

    A NamedTuple, not a dataclass: `dataclasses` costs more to import than the browser-cookie path's own work."""

    local: bool
    reasons: tuple[str, ...] = ()

    def __str__(self) -> str:
        return "local" if self.local else "not local: " + "; ".join(self.reasons)

    @classmethod
    def assume_local(cls) -> "LocalityVerdict":
        """A verdict that trusts the caller; for tests and throwaway demo profiles only."""
        return cls(True, ())


def locality_verdict(environ: Mapping[str, str] | None = None, *, target_url: str | None = None,
                     root: str | os.PathLike = "/") -> LocalityVerdict:
    """Decide whether browser-cookie auth may run here; every non-local sign becomes a reason."""
    env = os.environ if environ is None else environ
    reasons = []
    ci = [name for name in CI_MARKERS if env.get(name, "").strip().lower() not in _FALSE_WORDS]
    if ci:
        reasons.append(f"CI environment ({', '.join(ci)} set)")
    ssh = [name for name in SSH_MARKERS if env.get(name)]
    if ssh:
        reasons.append(f"SSH session ({', '.join(ssh)} set)")
    container = [name for name in CONTAINER_MARKERS if env.get(name)]
    container += [f"/{path}" for path in CONTAINER_FILES if (Path(root) / path).exists()]
    if container:
        reasons.append(f"container or Kubernetes pod ({', '.join(container)})")
    serverless = [name for name in SERVERLESS_MARKERS if env.get(name)]
    if serverless:
        reasons.append(f"serverless or hosted platform ({', '.join(serverless)} set)")
    if target_url is not None:
        host = url_target(target_url, what="Target URL").host
        if not (is_loopback_host(host) or host_in_domain(host, "grok.com")):
            reasons.append(f"target host {host!r} is neither grok.com nor loopback")
    return LocalityVerdict(not reasons, tuple(reasons))


def unsafe_opt_in(explicit: bool | None = None, environ: Mapping[str, str] | None = None) -> tuple[bool, str]:
    """Whether the user opted in to browser cookies, and how (`argument`, `env:...`, or why not)."""
    if explicit is not None:
        return bool(explicit), "argument"
    value = (os.environ if environ is None else environ).get(UNSAFE_ENV_VAR)
    if value is None:
        return False, f"{UNSAFE_ENV_VAR} not set and no --unsafe-browser-cookies"
    if value.strip() != UNSAFE_ENV_VALUE:
        return False, f"{UNSAFE_ENV_VAR} is set but not to the word {UNSAFE_ENV_VALUE!r}"
    return True, f"env:{UNSAFE_ENV_VAR}"


_WAY_OUT = "Use the official API key instead: set XAI_API_KEY (create one at console.x.ai)"


def require_browser_cookie_use(opted_in: bool, verdict: LocalityVerdict) -> None:
    """Raise `PolicyError` unless the user opted in *and* the verdict is local."""
    if not opted_in:
        raise PolicyError(
            "Browser-cookie auth is off: it needs an explicit opt-in "
            f"(unsafe_browser_cookies=True, --unsafe-browser-cookies, or {UNSAFE_ENV_VAR}={UNSAFE_ENV_VALUE})",
            hint=_WAY_OUT + "; read WARNING.md first",
        )
    if not verdict.local:
        raise PolicyError(f"Browser-cookie auth refused: {verdict}", hint=_WAY_OUT)
