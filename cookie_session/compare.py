"""Compare the auth methods side by side: the same chat through each, timed, with what each credential is.

`compare_methods()` runs one prompt through the official API key and through the browser
session (whichever are available), and returns a `Comparison`: one `MethodReport` per method,
the failures included as data, so one side failing never hides the other.
"""

from __future__ import annotations

import dataclasses
import datetime
import statistics
import textwrap
import time
from collections.abc import Callable, Mapping, Sequence

from .auth.base import SERVICE_WEB, Authenticator, credential_fields
from .errors import BadInputError, CookieSessionError
from .results import ChatResult, Usage

__all__ = ["Comparison", "MethodReport", "compare_methods", "render_table", "METHODS"]

EXCERPT_CHARS = 80
LABEL_WIDTH = 22

#: What each method is, whatever the run: label, officially supported, revocable on its own, may run in CI.
METHODS = {
    "api_key": (
        "Official API key",
        True,
        "yes: delete or disable this key; other keys and your browser stay signed in",
        True,
    ),
    "browser_cookie": (
        "Browser session (grok.com cookies)",
        False,
        "no: only by signing out, which ends this browser's session too",
        False,
    ),
}


@dataclasses.dataclass(frozen=True)
class MethodReport:
    """One method's row. `error` holds the one-line failure (then `ok` is False and the timings
    cover only the runs that finished); times are medians over `runs_ok` runs, in seconds.
    `credential` is `{kind, fingerprint, source}` with the credential masked, as in every `--json`
    document (None when the method found no credential)."""

    method: str
    label: str
    officially_supported: bool
    ok: bool
    error: str | None = None
    error_type: str | None = None
    exit_code: int | None = None
    endpoint: str | None = None
    credential: dict[str, str] | None = None
    credential_source: str | None = None
    expires: str | None = None
    reach: str | None = None
    revocable_alone: str = ""
    allowed_in_ci: bool = False
    model: str | None = None
    answer_excerpt: str | None = None
    usage: Usage = dataclasses.field(default_factory=Usage)
    time_to_first_token: float | None = None
    total_time: float | None = None
    runs: int = 0
    runs_ok: int = 0

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


@dataclasses.dataclass(frozen=True)
class Comparison:
    """The whole comparison: the prompt, the API model and grok.com mode asked for (None: each service's
    default), and one report per method."""

    prompt: str
    model: str | None
    repeat: int
    methods: tuple[MethodReport, ...]
    mode: str | None = None

    @property
    def any_ok(self) -> bool:
        return any(report.ok for report in self.methods)

    def to_dict(self) -> dict:
        return {
            "prompt": self.prompt,
            "model": self.model,
            "mode": self.mode,
            "repeat": self.repeat,
            "methods": [report.to_dict() for report in self.methods],
        }


def compare_methods(
    prompt: str,
    *,
    model: str | None = None,
    mode: str | None = None,
    max_tokens: int | None = None,
    repeat: int = 1,
    authenticators: Sequence[Authenticator] | None = None,
    api_key: str | None = None,
    environ: Mapping[str, str] | None = None,
    client_options: Mapping | None = None,
    cwd=None,
    check_format: bool = True,
    verdict=None,
    describe_error: Callable[[CookieSessionError], str] = str,
    **browser_options,
) -> Comparison:
    """Ask `prompt` through every method, `repeat` times each, and report side by side. The API is asked
    `model` (default `DEFAULT_MODEL`), grok.com's web app `mode` (default `auto`): a model and a mode are not the
    same thing.

    `authenticators` (at least one) are compared as given; by default one is resolved per method
    through the credential chain (API key: `api_key`, `XAI_API_KEY`, `.env`; browser:
    `browser_options` as for `BrowserCookieAuthenticator`, only with the opt-in and a local
    verdict); `environ`, `cwd`, `check_format` and `verdict` apply to both. A method that
    cannot be set up or fails is reported with its error, as `describe_error` words it (the CLI passes its
    own words for the options). `client_options` go to each `GrokClient` (`base_url`, `web_base_url`,
    `timeout`, `verify`, `retry`).
    """
    if repeat < 1:
        raise BadInputError(f"repeat must be at least 1, not {repeat}")
    if not prompt.strip():
        raise BadInputError("The prompt is empty", hint="Pass some text to send")
    setups: list[tuple[str, Authenticator | CookieSessionError]]
    if authenticators is None:
        chain = dict(environ=environ, cwd=cwd, check_format=check_format, verdict=verdict)
        setups = [_resolve("api-key", api_key=api_key, **chain), _resolve("browser", **chain, **browser_options)]
    elif not authenticators:
        raise BadInputError("No authenticator to compare", hint="Pass at least one, or leave it out to try both")
    else:
        setups = [(auth.kind, auth) for auth in authenticators]
    reports = tuple(
        _run(
            kind,
            auth,
            prompt,
            model=mode if isinstance(auth, Authenticator) and auth.service == SERVICE_WEB else model,
            max_tokens=max_tokens,
            repeat=repeat,
            client_options=dict(client_options or {}, environ=environ),
            describe_error=describe_error,
        )
        for kind, auth in setups
    )
    return Comparison(prompt=prompt, model=model, mode=mode, repeat=repeat, methods=reports)


def _resolve(auth: str, **options) -> tuple[str, Authenticator | CookieSessionError]:
    """(the method, its authenticator or why it could not be set up)."""
    from .auth.chain import resolve_authenticator

    kind = "api_key" if auth == "api-key" else "browser_cookie"
    try:
        return kind, resolve_authenticator(auth=auth, **options)
    except CookieSessionError as error:
        return kind, error


def _run(
    kind: str,
    auth: Authenticator | CookieSessionError,
    prompt: str,
    *,
    model: str | None,
    max_tokens: int | None,
    repeat: int,
    client_options: dict,
    describe_error: Callable[[CookieSessionError], str],
) -> MethodReport:
    label, official, revocable, in_ci = METHODS.get(kind, (kind, False, "unknown", False))
    report = MethodReport(
        method=kind,
        label=label,
        officially_supported=official,
        ok=False,
        revocable_alone=revocable,
        allowed_in_ci=in_ci,
    )
    if isinstance(auth, CookieSessionError):
        return _failed(report, auth, describe_error)
    from .client import GrokClient

    report = dataclasses.replace(
        report, credential=credential_fields(auth), credential_source=auth.source, expires=_expiry(auth)
    )
    try:
        client = GrokClient(auth, **client_options)
    except CookieSessionError as error:
        return _failed(report, error, describe_error)
    with client:
        timings: list[tuple[float | None, float]] = []
        result: ChatResult | None = None
        failure: CookieSessionError | None = None
        for _ in range(repeat):
            try:
                first, total, result = _timed_chat(client, prompt, model=model, max_tokens=max_tokens)
            except CookieSessionError as error:
                failure = error
                break
            timings.append((first, total))
        report = dataclasses.replace(
            report,
            ok=True,
            endpoint=client.chat_endpoint,
            reach=_reach(client),
            model=result.model if result else None,
            answer_excerpt=_excerpt(result.text) if result else None,
            usage=result.usage if result else Usage(),
            time_to_first_token=_median([f for f, _ in timings if f is not None]),
            total_time=_median([t for _, t in timings]),
            runs=len(timings) + (failure is not None),
            runs_ok=len(timings),
        )
    return _failed(report, failure, describe_error) if failure else report


def _failed(report: MethodReport, error: CookieSessionError, describe) -> MethodReport:
    """`report` marked failed with `error`'s one-line message (`describe(error)`), type and exit code."""
    return dataclasses.replace(
        report, ok=False, error=describe(error), error_type=type(error).__name__, exit_code=error.exit_code
    )


def _timed_chat(
    client, prompt: str, *, model: str | None, max_tokens: int | None
) -> tuple[float | None, float, ChatResult]:
    """(seconds to the first text piece, seconds to the whole answer, the answer), streaming."""
    start = time.perf_counter()
    first = None
    stream = client.chat(prompt, model=model, max_tokens=max_tokens, stream=True)
    for _piece in stream:
        if first is None:
            first = time.perf_counter() - start
    return first, time.perf_counter() - start, stream.result


def _reach(client) -> str:
    """What the credential can reach: the key's ACLs, or the whole account for a session."""
    try:
        identity = client.whoami()
    except CookieSessionError as error:
        return f"unknown (whoami failed: {type(error).__name__})"
    if client.auth_kind == "api_key":
        return f"this key's ACLs: {', '.join(identity.acls) or 'none listed'}"
    return "the whole grok.com account (every conversation, every setting)"


def _expiry(auth: Authenticator) -> str:
    if auth.kind == "api_key":
        return "no fixed expiry: until revoked"
    if auth.expires is None:
        return "when the browser closes (session cookie)"
    return datetime.datetime.fromtimestamp(auth.expires, datetime.timezone.utc).isoformat(timespec="seconds")


def _excerpt(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= EXCERPT_CHARS else flat[: EXCERPT_CHARS - 1] + "…"


def _median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def render_table(comparison: Comparison, width: int = 120) -> str:
    """The comparison as text: a row per attribute, a column per method, wrapped to `width`."""
    column = max(24, (width - LABEL_WIDTH) // len(comparison.methods) - 2)
    runs = f"(medians of {comparison.repeat} runs)" if comparison.repeat > 1 else ""
    rows = [(runs, [m.label for m in comparison.methods])] + [
        (label, [value(m) for m in comparison.methods])
        for label, value in (
            ("officially supported", lambda m: _yes_no(m.officially_supported)),
            ("endpoint", lambda m: m.endpoint or "-"),
            ("outcome", lambda m: "ok" if m.ok else f"failed: {m.error}"),
            ("first token", lambda m: _seconds(m.time_to_first_token)),
            ("total time", lambda m: _seconds(m.total_time)),
            ("model", lambda m: m.model or "-"),
            ("answer", lambda m: m.answer_excerpt or "-"),
            ("tokens", _tokens),
            ("from", lambda m: m.credential_source or "-"),
            ("expires", lambda m: m.expires or "-"),
            ("can reach", lambda m: m.reach or "-"),
            ("revocable on its own", lambda m: m.revocable_alone),
            ("may run in CI", lambda m: _yes_no(m.allowed_in_ci)),
        )
    ]
    lines = []
    for label, values in rows:
        cells = [textwrap.wrap(v, column, break_on_hyphens=False) or [""] for v in values]
        for index in range(max(len(c) for c in cells)):
            head = label if index == 0 else ""
            lines.append(
                f"{head:<{LABEL_WIDTH}}"
                + "  ".join(f"{c[index] if index < len(c) else '':<{column}}" for c in cells).rstrip()
            )
    return "\n".join(lines)


def _yes_no(flag: bool) -> str:
    return "yes" if flag else "no"


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value * 1000:.1f} ms" if value < 1 else f"{value:.2f} s"


def _tokens(report) -> str:
    usage = report.usage
    if usage.total_tokens is None:
        return "not reported" if report.ok else "-"
    return f"{usage.prompt_tokens} prompt + {usage.completion_tokens} completion = {usage.total_tokens}"
