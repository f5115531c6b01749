"""Safety rules: the unsafe opt-in and the locality verdict; which URLs and hosts are allowed lives in
`url_policy` and is re-exported here, so `cookie_session.policy` offers every rule.

Pure functions of their inputs (environment mapping, filesystem root, URL), so
`status` can print a verdict and tests can build or inject one.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

from .errors import PolicyError
from .hosted_platforms import PLATFORM_ENV_NAMES, PLATFORMS
from .settings import (
    API_BASE_URL,
    API_KEY_ENV,
    CONTAINER_ENV_VALUE,
    CONTAINER_ENV_VAR,
    DEFAULT_MODEL,
    UNSAFE_ENV_VALUE,
    UNSAFE_ENV_VAR,
    UNSAFE_FLAG,
    WEB_BASE_URL,
)
from .url_policy import (
    XAI_COOKIE_DOMAINS,
    UrlTarget,
    check_base_url,
    host_in_domain,
    is_loopback_host,
    is_xai_cookie_host,
    url_target,
)

__all__ = [
    "API_BASE_URL",
    "WEB_BASE_URL",
    "DEFAULT_MODEL",
    "XAI_COOKIE_DOMAINS",
    "UNSAFE_ENV_VAR",
    "UNSAFE_ENV_VALUE",
    "UrlTarget",
    "url_target",
    "is_loopback_host",
    "host_in_domain",
    "is_xai_cookie_host",
    "check_base_url",
    "LocalityVerdict",
    "locality_verdict",
    "unsafe_opt_in",
    "require_browser_cookie_use",
    "check_browser_cookie_use",
    "container_vouched",
    "CONTAINER_ENV_VAR",
    "CONTAINER_ENV_VALUE",
    "LOCALITY_MARKERS",
]


# --- the unsafe opt-in and the locality verdict ---------------------------------------
#
# Each marker is decided on purpose (README, "Where the browser session may run"):
# - CI services, Kubernetes, serverless and hosted platforms, hosted workspaces and notebooks: one row each in
#   `hosted_platforms.PLATFORMS`, with its source. Never overridable: the machine is someone else's.
#   `BUILD_ID`/`BUILD_NUMBER` count: Jenkins, Hudson and TeamCity set them, and a desktop session does not.
# - SSH: SSH_CONNECTION, SSH_CLIENT or SSH_TTY. `SSH_AUTH_SOCK` alone does NOT count: every desktop with
#   an ssh-agent or gnome-keyring sets it, and agent forwarding leaves SSH_CONNECTION set as well.
# - Container (/.dockerenv, /run/.containerenv, `container`, VS Code's `REMOTE_CONTAINERS`): a reason
#   unless the user vouches that the container runs on their own machine (`container_is_local`),
#   which lifts this reason and no other.

SSH_MARKERS = ("SSH_CONNECTION", "SSH_CLIENT", "SSH_TTY")
CONTAINER_MARKERS = ("container", "REMOTE_CONTAINERS")
CONTAINER_FILES = (".dockerenv", "run/.containerenv")
#: Every environment variable the verdict reads.
LOCALITY_MARKERS = (*PLATFORM_ENV_NAMES, *SSH_MARKERS, *CONTAINER_MARKERS)
_FALSE_WORDS = {"", "0", "false", "no", "off"}


class LocalityVerdict(NamedTuple):
    """Whether this process runs on the user's own machine, and why not when it does not.

    `container` lists the container markers found (a reason unless `container_vouched`, the user's
    `container_is_local`). A NamedTuple, not a dataclass: `dataclasses` costs more to import than the
    browser-cookie path's own work."""

    local: bool
    reasons: tuple[str, ...] = ()
    container: tuple[str, ...] = ()
    container_vouched: bool = False

    def __str__(self) -> str:
        if not self.local:
            return "not local: " + "; ".join(self.reasons)
        if self.container and self.container_vouched:
            return f"local (a container, {', '.join(self.container)}, vouched for as on your own machine)"
        return "local"

    @property
    def only_container(self) -> bool:
        """True when the container is the one reason to refuse, so vouching for it would allow the browser."""
        return bool(self.container) and not self.container_vouched and len(self.reasons) == 1

    @classmethod
    def assume_local(cls) -> LocalityVerdict:
        """A verdict that trusts the caller; for tests and throwaway demo profiles only."""
        return cls(True, ())


def container_vouched(explicit: bool | None = None, environ: Mapping[str, str] | None = None) -> bool:
    """The user's word that the container runs on their own machine: `True` (the bool) or the env var's word."""
    if explicit is not None:
        return explicit is True
    return (os.environ if environ is None else environ).get(CONTAINER_ENV_VAR) == CONTAINER_ENV_VALUE


def _set(env: Mapping[str, str], names: tuple[str, ...], *, false_words: bool = False) -> list[str]:
    if false_words:
        return [name for name in names if env.get(name, "").strip().lower() not in _FALSE_WORDS]
    return [name for name in names if env.get(name)]


def _files(root: str | os.PathLike, paths: tuple[str, ...]) -> list[str]:
    return [f"/{path}" for path in paths if (Path(root) / path).exists()]


def locality_verdict(
    environ: Mapping[str, str] | None = None,
    *,
    target_url: str | None = None,
    root: str | os.PathLike = "/",
    container_is_local: bool | None = None,
) -> LocalityVerdict:
    """Decide whether browser-cookie auth may run here; every non-local sign becomes a reason (a platform
    of `hosted_platforms.PLATFORMS` is named with the variables that gave it away).

    `container_is_local=True` (or `COOKIE_SESSION_CONTAINER_IS_LOCAL=yes` when it is None) lifts the
    container reason only; CI, SSH, Kubernetes, hosted platforms and workspaces always count.
    """
    env = os.environ if environ is None else environ
    reasons = [f"SSH session ({', '.join(ssh)})"] if (ssh := _set(env, SSH_MARKERS)) else []
    for platform in PLATFORMS:
        names = _set(env, platform.env, false_words=platform.false_words) + _files(root, platform.files)
        if names:
            named = f"{platform.kind}: {platform.name}" if platform.name else platform.kind
            reasons.append(f"{named} ({', '.join(names)})")
    container = tuple(_set(env, CONTAINER_MARKERS) + _files(root, CONTAINER_FILES))
    vouched = container_vouched(container_is_local, env)
    if container and not vouched:
        reasons.append(f"container ({', '.join(container)})")
    if target_url is not None:
        host = url_target(target_url, what="Target URL").host
        if not (is_loopback_host(host) or host_in_domain(host, "grok.com")):
            reasons.append(f"target host {host!r} is neither grok.com nor loopback")
    return LocalityVerdict(not reasons, tuple(reasons), container, vouched)


def unsafe_opt_in(explicit: bool | None = None, environ: Mapping[str, str] | None = None) -> tuple[bool, str]:
    """Whether the user opted in to browser cookies, and how (`argument`, `env:...`, or why not).

    Only `True` itself opts in (`"false"`, `"0"`, `1` do not); the environment variable only with
    its exact word."""
    if explicit is not None:
        if explicit is True:
            return True, "argument"
        if explicit is False:
            return False, "unsafe_browser_cookies=False"
        return False, f"{_NOT_A_BOOL}, not a {type(explicit).__name__}"
    value = (os.environ if environ is None else environ).get(UNSAFE_ENV_VAR)
    if value is None:
        return False, f"{UNSAFE_ENV_VAR} not set and no {UNSAFE_FLAG}"
    if value != UNSAFE_ENV_VALUE:
        return False, _WRONG_WORD.format(repr(UNSAFE_ENV_VALUE))
    return True, f"env:{UNSAFE_ENV_VAR}"


_NOT_A_BOOL = "unsafe_browser_cookies must be True to opt in"
_WRONG_WORD = UNSAFE_ENV_VAR + " is set but not to the word {}"
_WAY_OUT = f"Use the official API key instead: set {API_KEY_ENV} (create one at console.x.ai)"


def check_browser_cookie_use(
    explicit: bool | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    verdict: LocalityVerdict | None = None,
    container_is_local: bool | None = None,
) -> LocalityVerdict:
    """The one gate before any browser profile is read: raise `PolicyError` unless the user opted in
    (`explicit`, else the environment's word; see `unsafe_opt_in`) and this process is local (`verdict`,
    else `locality_verdict`). Returns the verdict it used."""
    opted_in, how = unsafe_opt_in(explicit, environ)
    if verdict is None:
        verdict = locality_verdict(environ, container_is_local=container_is_local)
    require_browser_cookie_use(opted_in, verdict, why=how)
    return verdict


def require_browser_cookie_use(opted_in: bool, verdict: LocalityVerdict, *, why: str = "") -> None:
    """Raise `PolicyError` unless the user opted in *and* the verdict is local.

    `why` is `unsafe_opt_in`'s reason; it is named when a value other than a bool was passed. The
    error's `cli_hint` says the same as its hint with command-line words only."""
    if opted_in is not True:
        if why.startswith(_WRONG_WORD.format("")):  # the user tried, with another word: say which one it takes
            raise _refusal(
                f"Browser-cookie auth is off: {why} (exactly that word, as WARNING.md says)",
                hint=f"Set {UNSAFE_ENV_VAR}={UNSAFE_ENV_VALUE}, or pass unsafe_browser_cookies=True. {_WAY_OUT}",
                cli_hint=f"Set {UNSAFE_ENV_VAR}={UNSAFE_ENV_VALUE}, or add {UNSAFE_FLAG}. {_WAY_OUT}",
            )
        raise _refusal(
            "Browser-cookie auth is off: it needs an explicit opt-in" + (f" ({why})" if _NOT_A_BOOL in why else ""),
            hint=f"Pass unsafe_browser_cookies=True or set {UNSAFE_ENV_VAR}={UNSAFE_ENV_VALUE}, after reading "
            f"WARNING.md. {_WAY_OUT}",
            cli_hint=f"Add {UNSAFE_FLAG} or set {UNSAFE_ENV_VAR}={UNSAFE_ENV_VALUE}, after reading "
            f"WARNING.md. {_WAY_OUT}",
        )
    if not verdict.local:
        if verdict.only_container:
            vouch = "If this container runs on your own machine, say so with {}; otherwise u" + _WAY_OUT[1:]
            raise _refusal(
                f"Browser-cookie auth refused: {verdict}",
                hint=vouch.format(f"container_is_local=True or {CONTAINER_ENV_VAR}={CONTAINER_ENV_VALUE}"),
                cli_hint=vouch.format(f"--container-is-local or {CONTAINER_ENV_VAR}={CONTAINER_ENV_VALUE}"),
            )
        raise _refusal(f"Browser-cookie auth refused: {verdict}", hint=_WAY_OUT, cli_hint=_WAY_OUT)


def _refusal(message: str, *, hint: str, cli_hint: str) -> PolicyError:
    error = PolicyError(message, hint=hint)
    error.cli_hint = cli_hint  # type: ignore[attr-defined]  # read by the CLI instead of `hint`
    return error
