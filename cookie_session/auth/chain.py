"""The credential chain: explicit argument > environment > `.env` file > browser (opt-in and local only).

`inspect_credentials()` looks at every source and reports what each holds
(masked) and which one wins; `resolve_authenticator()` returns the winner or
raises `NoCredentialsError` listing every source tried and why it gave nothing.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ..errors import BadInputError, CookieSessionError, NoCredentialsError
from ..policy import LocalityVerdict, check_browser_cookie_use, locality_verdict, unsafe_opt_in
from ..secret import Secret
from ..settings import API_KEY_ENV, AUTH_MODES
from .api_key import ApiKeyAuthenticator
from .base import Authenticator

__all__ = [
    "SourceCheck",
    "CredentialReport",
    "inspect_credentials",
    "resolve_authenticator",
    "API_KEY_ENV",
    "AUTH_MODES",
]


@dataclass(frozen=True)
class SourceCheck:
    """What one source held: `detail` is a fingerprint when found, else the reason it gave nothing."""

    source: str
    found: bool
    detail: str
    error: CookieSessionError | None = None


@dataclass(frozen=True)
class CredentialReport:
    """Every source in chain order, the authenticator the chain picked (or None), and the locality verdict
    the browser source was judged by."""

    checks: tuple[SourceCheck, ...]
    authenticator: Authenticator | None
    reason: str
    verdict: LocalityVerdict
    error: CookieSessionError | None = None

    @property
    def chosen(self) -> SourceCheck | None:
        return next((c for c in self.checks if self.authenticator and c.source == self.authenticator.source), None)


def dotenv_key(cwd: Path) -> tuple[str, str | None, str]:
    """(source name, value or None, reason) for XAI_API_KEY in `cwd/.env`, never touching os.environ."""
    path = cwd / ".env"
    source = f".env:{path}"
    if not path.is_file():
        return source, None, "no .env file in the working directory"
    from dotenv import dotenv_values  # only when a .env exists

    try:
        values = dotenv_values(path, interpolate=False, encoding="utf-8-sig")  # drops a BOM (Notepad)
    except (OSError, UnicodeDecodeError) as exc:
        return source, None, f"unreadable ({type(exc).__name__})"
    value = values.get(API_KEY_ENV)
    if value is None:
        return source, None, f"no {API_KEY_ENV} in it"
    return source, value, ""


def _api_key_candidates(api_key, env: Mapping[str, str], cwd: Path):
    yield "argument", api_key, "no api_key argument"
    yield f"env:{API_KEY_ENV}", env.get(API_KEY_ENV), f"{API_KEY_ENV} not set"
    yield dotenv_key(cwd)


def _browser_check(
    env: Mapping[str, str], verdict: LocalityVerdict, options: dict
) -> tuple[SourceCheck, Authenticator | None]:
    """Try the browser source: only when opted in and local; never reads a profile otherwise."""
    explicit = options.pop("unsafe_browser_cookies", None)
    where = options.get("cookie_file") or options.get("browser") or "any browser"
    source = f"browser:{where}"
    try:
        check_browser_cookie_use(explicit, environ=env, verdict=verdict)
        from .browser import BrowserCookieAuthenticator  # only now: the browser readers

        authenticator = BrowserCookieAuthenticator(unsafe_browser_cookies=True, verdict=verdict, environ=env, **options)
    except CookieSessionError as exc:
        return SourceCheck(source, False, exc.message, error=exc), None
    return SourceCheck(authenticator.source, True, authenticator.describe().split(" ", 1)[1]), authenticator


def inspect_credentials(
    *,
    auth: str = "auto",
    api_key: str | Secret | None = None,
    environ: Mapping[str, str] | None = None,
    cwd: str | os.PathLike | None = None,
    check_format: bool = True,
    verdict: LocalityVerdict | None = None,
    container_is_local: bool | None = None,
    **browser_options,
) -> CredentialReport:
    """Check every source in chain order without raising for a missing credential.

    `browser_options` are `BrowserCookieAuthenticator`'s (`unsafe_browser_cookies`, `browser`,
    `profile`, `cookie_file`, `container`, `user_agent`). The browser comes last, and is tried
    only with the opt-in and a local verdict; `--auth browser` tries only it. `container_is_local=True`
    vouches that a container runs on the user's own machine (see `locality_verdict`).
    """
    if auth not in AUTH_MODES:
        raise BadInputError(f"Unknown auth mode {auth!r}", hint=f"Use one of: {', '.join(AUTH_MODES)}")
    env = os.environ if environ is None else environ
    verdict = verdict if verdict is not None else locality_verdict(env, container_is_local=container_is_local)
    checks: list[SourceCheck] = []
    first: SourceCheck | None = None
    chosen: Authenticator | None = None
    if auth != "browser":
        for source, value, reason in _api_key_candidates(api_key, env, Path.cwd() if cwd is None else Path(cwd)):
            if value is None:
                checks.append(SourceCheck(source, False, reason))
                continue
            try:
                candidate = ApiKeyAuthenticator(value, source=source, check_format=check_format)
                check = SourceCheck(source, True, candidate.api_key.fingerprint)
            except BadInputError as exc:
                candidate, check = None, SourceCheck(source, True, f"present but invalid: {exc.message}", error=exc)
            checks.append(check)
            if first is None:  # the first source holding something decides; a broken key is never skipped
                first, chosen = check, candidate
    if auth != "api-key" and first is None:
        check, chosen = _browser_check(env, verdict, dict(browser_options))
        checks.append(check)
        if (
            chosen is not None
            or auth == "browser"
            or unsafe_opt_in(browser_options.get("unsafe_browser_cookies"), env)[0]
        ):
            first = check
    if chosen is not None:
        return CredentialReport(
            tuple(checks), chosen, f"first source in the chain with a credential: {chosen.source}", verdict
        )
    reason = f"{first.source}: {first.detail}" if first else "no source holds a credential"
    return CredentialReport(tuple(checks), None, reason, verdict, first.error if first else None)


def resolve_authenticator(
    *,
    auth: str = "auto",
    api_key: str | Secret | None = None,
    environ: Mapping[str, str] | None = None,
    cwd: str | os.PathLike | None = None,
    check_format: bool = True,
    verdict: LocalityVerdict | None = None,
    container_is_local: bool | None = None,
    **browser_options,
) -> Authenticator:
    """The authenticator the chain picks (see `inspect_credentials`).

    Raises the deciding source's own error (a malformed key, a refused or unreadable browser
    profile), or `NoCredentialsError` listing every source tried and why it gave nothing.
    """
    report = inspect_credentials(
        auth=auth,
        api_key=api_key,
        environ=environ,
        cwd=cwd,
        check_format=check_format,
        verdict=verdict,
        container_is_local=container_is_local,
        **browser_options,
    )
    if report.authenticator is not None:
        return report.authenticator
    if report.error is not None:
        raise report.error
    raise NoCredentialsError([(c.source, c.detail) for c in report.checks])
