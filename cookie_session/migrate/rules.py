"""The rule catalogue, as data: id, name, severity, what it means, and the replacement.

CS1xx cookie auth, CS2xx secrets, CS3xx this library's unsafe opt-in left switched on.
Scanners only say where a rule fired (and a detail or a masked secret); the words live here.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..settings import API_BASE_URL, API_KEY_ENV, UNSAFE_ENV_VALUE, UNSAFE_ENV_VAR, UNSAFE_FLAG
from .findings import Finding

__all__ = ["Rule", "RULES"]

_API_KEY_WAY = (
    f"read the key from the `{API_KEY_ENV}` environment variable: `GrokClient(resolve_authenticator())` "
    f'or `ApiKeyAuthenticator(os.environ["{API_KEY_ENV}"])`'
)


@dataclass(frozen=True)
class Rule:
    id: str
    name: str
    severity: str
    title: str
    replacement: str

    def finding(
        self, path: str, line: int, col: int, *, detail: str | None = None, masked: str | None = None
    ) -> Finding:
        """A finding of this rule; `detail` (never a secret) is appended to the title."""
        message = f"{self.title}: {detail}" if detail else self.title
        return Finding(path, line, col, self.id, self.severity, message, self.replacement, masked, self.name)


_CATALOGUE = (
    # --- cookie auth ----------------------------------------------------------------
    Rule(
        "CS101",
        "browser-cookie-reader",
        "error",
        "Reads cookies out of a browser profile",
        f"Remove it and {_API_KEY_WAY}. The calling code (`client.chat(...)`) stays the same.",
    ),
    Rule(
        "CS102",
        "grok-session-cookie",
        "warning",
        "Handles a grok.com session cookie by name",
        f"Drop the cookie handling: an API key replaces the browser session; {_API_KEY_WAY}.",
    ),
    Rule(
        "CS103",
        "grok-web-endpoint",
        "warning",
        "Calls the unofficial grok.com web endpoint",
        "Call `GrokClient(authenticator).chat(...)` / `.models()`: with an API key it uses the official "
        f"{API_BASE_URL} endpoints, which do not change without notice.",
    ),
    Rule(
        "CS104",
        "raw-cookie-header",
        "error",
        "Sends cookies in a raw `Cookie:` header",
        f"Use an API key instead of cookies: {_API_KEY_WAY}; `ApiKeyAuthenticator` sets the header "
        "through `session.auth`.",
    ),
    Rule(
        "CS105",
        "cookies-to-http-client",
        "warning",
        "Hands a cookie dict or jar to an HTTP client",
        f"Authenticate with an API key instead of cookies: {_API_KEY_WAY}.",
    ),
    # --- secrets --------------------------------------------------------------------
    Rule(
        "CS201",
        "hardcoded-xai-key",
        "error",
        "Hard-coded xAI API key",
        f"Revoke the key at console.x.ai, delete it from the file (and from git history), and {_API_KEY_WAY}.",
    ),
    Rule(
        "CS202",
        "tracked-env-secret",
        "error",
        "Secret in a .env file that git tracks",
        "Untrack it (`git rm --cached FILE`), add it to .gitignore and rotate the secret; commit a "
        "`.env.example` with empty values instead.",
    ),
    Rule(
        "CS203",
        "unignored-env-secret",
        "warning",
        "Secret in a .env file that git does not ignore (the next `git add .` commits it)",
        f"Add the file to .gitignore; `resolve_authenticator()` reads `{API_KEY_ENV}` from ./.env without "
        "it being committed.",
    ),
    Rule(
        "CS204",
        "hardcoded-bearer-token",
        "error",
        "Hard-coded bearer token in an `Authorization` header",
        f"Revoke the token and {_API_KEY_WAY}; in a shell script send `Authorization: Bearer ${API_KEY_ENV}`.",
    ),
    Rule(
        "CS205",
        "hand-built-bearer-header",
        "note",
        "Builds the `Authorization: Bearer` header by hand",
        "Let `ApiKeyAuthenticator(key)` add the header (as the session's `auth`, or through `GrokClient`), "
        "so the key never sits in `session.headers`.",
    ),
    Rule(
        "CS206",
        "secret-printed",
        "error",
        "Passes a secret to print or logging",
        "Print a fingerprint instead: `Secret(value).fingerprint` (`xai-…b14o`) or `authenticator.describe()`.",
    ),
    Rule(
        "CS207",
        "secret-in-git-history",
        "error",
        "Secret still in git history",
        "Revoke the key at console.x.ai (for a grok.com session token: sign out of every grok.com session; "
        "for another secret: rotate it) now: deleting the line did not un-leak it, every "
        "clone and fork still has the commit. Rewriting history is your call: `git filter-repo --replace-text "
        "expressions.txt` (a line `literal:THE-KEY==>REMOVED`) or `git filter-repo --invert-paths --path .env`, "
        "then force-push every branch and have every clone re-cloned; revoking is what makes the leak harmless.",
    ),
    Rule(
        "CS208",
        "hardcoded-session-token",
        "error",
        "Hard-coded grok.com session token (a cookie value that is a full login to the account)",
        "Sign out of every grok.com session (in each browser, and grok.com's own 'sign out of all sessions' where "
        "offered): that is the only way to revoke it, the token cannot be revoked alone. Then delete it from the "
        f"file (and from git history) and {_API_KEY_WAY}.",
    ),
    # --- our own unsafe opt-in left on ----------------------------------------------
    Rule(
        "CS301",
        "unsafe-opt-in-constant",
        "error",
        "`unsafe_browser_cookies` switched on by a constant",
        f"Delete it and {_API_KEY_WAY}. If a local comparison needs cookies, take the opt-in from a "
        "command-line flag at run time, never from a constant.",
    ),
    Rule(
        "CS302",
        "unsafe-opt-in-flag",
        "error",
        f"`{UNSAFE_FLAG}` left in a command",
        f"Remove the flag and set `{API_KEY_ENV}`: the same command then uses the API key.",
    ),
    Rule(
        "CS303",
        "unsafe-opt-in-env",
        "error",
        f"`{UNSAFE_ENV_VAR}={UNSAFE_ENV_VALUE}` set in code or config",
        f"Remove the variable; set `{API_KEY_ENV}` in the environment (or a git-ignored .env) instead.",
    ),
    Rule(
        "CS304",
        "auth-browser",
        "error",
        "`--auth browser` forces browser cookies",
        f"Use `--auth api-key` (or `auto`) with `{API_KEY_ENV}` set.",
    ),
    Rule(
        "CS305",
        "browser-authenticator",
        "error",
        "`BrowserCookieAuthenticator` used",
        f'Use `ApiKeyAuthenticator(os.environ["{API_KEY_ENV}"])` or `resolve_authenticator()`; the '
        "`GrokClient` calls stay the same.",
    ),
)

#: Every rule by id, in catalogue order.
RULES: dict[str, Rule] = {rule.id: rule for rule in _CATALOGUE}
