"""The credential chain: explicit argument > environment > `.env` file.

`inspect_credentials()` looks at every source and reports what each holds
(masked) and which one wins; `resolve_authenticator()` returns the winner or
raises `NoCredentialsError` listing every source tried and why it gave nothing.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from .auth import ApiKeyAuthenticator, Authenticator
from .errors import BadInputError, CookieSessionError, NoCredentialsError
from .secret import Secret

__all__ = ["SourceCheck", "CredentialReport", "inspect_credentials", "resolve_authenticator",
           "API_KEY_ENV", "AUTH_MODES"]

API_KEY_ENV = "XAI_API_KEY"
AUTH_MODES = ("auto", "api-key")


@dataclass(frozen=True)
class SourceCheck:
    """What one source held: `detail` is a fingerprint when found, else the reason it gave nothing."""

    source: str
    found: bool
    detail: str
    error: CookieSessionError | None = None


@dataclass(frozen=True)
class CredentialReport:
    """Every source in chain order, and the authenticator the chain picked (or None)."""

    checks: tuple[SourceCheck, ...]
    authenticator: Authenticator | None
    reason: str
    error: CookieSessionError | None = None

    @property
    def chosen(self) -> SourceCheck | None:
        return next((c for c in self.checks if self.authenticator and c.source == self.authenticator.source), None)


def _dotenv_key(cwd: Path) -> tuple[str, str | None, str]:
    """(source name, value or None, reason) for XAI_API_KEY in `cwd/.env`, never touching os.environ."""
    path = cwd / ".env"
    source = f".env:{path}"
    if not path.is_file():
        return source, None, "no .env file in the working directory"
    from dotenv import dotenv_values  # only when a .env exists

    try:
        values = dotenv_values(path, interpolate=False)
    except (OSError, UnicodeDecodeError) as exc:
        return source, None, f"unreadable ({type(exc).__name__})"
    value = values.get(API_KEY_ENV)
    if value is None:
        return source, None, f"no {API_KEY_ENV} in it"
    return source, value, ""


def _api_key_candidates(api_key, env: Mapping[str, str], cwd: Path):
    yield "argument", api_key, "no api_key argument"
    yield f"env:{API_KEY_ENV}", env.get(API_KEY_ENV), f"{API_KEY_ENV} not set"
    yield _dotenv_key(cwd)


def inspect_credentials(*, auth: str = "auto", api_key: str | Secret | None = None,
                        environ: Mapping[str, str] | None = None, cwd: str | os.PathLike | None = None,
                        check_format: bool = True) -> CredentialReport:
    """Check every source in order without raising for a missing credential."""
    if auth not in AUTH_MODES:
        raise BadInputError(f"Unknown auth mode {auth!r}", hint=f"Use one of: {', '.join(AUTH_MODES)}")
    env = os.environ if environ is None else environ
    cwd = Path.cwd() if cwd is None else Path(cwd)
    checks: list[SourceCheck] = []
    first: SourceCheck | None = None
    chosen: Authenticator | None = None
    for source, value, reason in _api_key_candidates(api_key, env, cwd):
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
    if chosen is not None:
        return CredentialReport(tuple(checks), chosen, f"first source in the chain with a key: {chosen.source}")
    reason = f"{first.source} holds an invalid key" if first else "no source holds a credential"
    return CredentialReport(tuple(checks), None, reason, first.error if first else None)


def resolve_authenticator(*, auth: str = "auto", api_key: str | Secret | None = None,
                          environ: Mapping[str, str] | None = None, cwd: str | os.PathLike | None = None,
                          check_format: bool = True) -> Authenticator:
    """The authenticator the chain picks. Raises the first source's format error if the first key
    found is malformed, or `NoCredentialsError` listing every source tried."""
    report = inspect_credentials(auth=auth, api_key=api_key, environ=environ, cwd=cwd, check_format=check_format)
    if report.authenticator is not None:
        return report.authenticator
    if report.error is not None:
        raise report.error
    raise NoCredentialsError([(c.source, c.detail) for c in report.checks])
