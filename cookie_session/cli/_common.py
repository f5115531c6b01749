"""What every `cookie-session` command shares: option sets, the client, JSON output."""

from __future__ import annotations

import click

from ..errors import printable_json
from ..settings import (
    API_BASE_URL,
    API_BASE_URL_ENV,
    API_KEY_ENV,
    AUTH_MODES,
    CONTAINER_ENV_VALUE,
    CONTAINER_ENV_VAR,
    DEFAULT_DEADLINE,
    DEFAULT_MAX_ANSWER_BYTES,
    DEFAULT_TIMEOUT,
    RETRY_MAX_RETRIES,
    UNSAFE_FLAG,
    WEB_BASE_URL_ENV,
)

#: The version of every `--json` document's shape; raised when a field changes meaning or goes away.
SCHEMA_VERSION = 1
#: Whether the running command printed its JSON document (then a failure after it prints no error document).
JSON_OUTPUT = {"printed": False}


def _apply(options: list, command):
    for option in reversed(options):
        command = option(command)
    return command


BROWSER_OPTIONS = [
    click.option(
        UNSAFE_FLAG,
        is_flag=True,
        default=None,
        help="Allow reading grok.com cookies from a local browser profile (local machines only; read WARNING.md).",
    ),
    click.option("--browser", metavar="NAME", help="Browser to read (chrome, chromium, brave, edge, firefox, ...)."),
    click.option("--profile", metavar="NAME", help="Browser profile name (default: most recently used)."),
    click.option("--cookie-file", type=click.Path(dir_okay=False), help="An explicit cookie database."),
    click.option(
        "--profile-dir",
        type=click.Path(file_okay=False),
        help="An explicit browser profile folder (the one holding Cookies or cookies.sqlite).",
    ),
    click.option("--container", metavar="NAME", help="Firefox container to read cookies from."),
    click.option(
        "--container-is-local",
        is_flag=True,
        default=None,
        help="Vouch that this container runs on your own machine "
        f"(env {CONTAINER_ENV_VAR}={CONTAINER_ENV_VALUE}): lifts the container reason only; "
        "CI, SSH and hosted workspaces still refuse.",
    ),
]


def browser_options(command):
    """Which browser profile to read; shared by every command that may read one."""
    return _apply(BROWSER_OPTIONS, command)


CONNECTION_OPTIONS = [
    click.option(
        "--base-url",
        envvar=API_BASE_URL_ENV,
        metavar="URL",
        help=f"API root (default {API_BASE_URL}; env {API_BASE_URL_ENV}). http:// only for loopback.",
    ),
    click.option(
        "--web-base-url",
        envvar=WEB_BASE_URL_ENV,
        metavar="URL",
        help=f"grok.com root for browser auth (env {WEB_BASE_URL_ENV}); only grok.com or loopback.",
    ),
    click.option(
        "--timeout",
        type=click.FloatRange(min=0.1),
        default=DEFAULT_TIMEOUT[1],
        show_default=True,
        help="Read timeout in seconds.",
    ),
    click.option(
        "--retries",
        type=click.IntRange(0, 10),
        default=RETRY_MAX_RETRIES,
        show_default=True,
        help="Retries after 429/503 answers (honouring Retry-After; chat only after 429).",
    ),
    click.option(
        "--deadline",
        type=click.FloatRange(min=0.1),
        default=DEFAULT_DEADLINE,
        show_default=True,
        help="Seconds a whole call may take, retries and streaming included.",
    ),
    click.option(
        "--max-answer-bytes",
        type=click.IntRange(min=1),
        default=DEFAULT_MAX_ANSWER_BYTES,
        show_default=True,
        help="The most answer text one call keeps (a longer answer is an error).",
    ),
]


def auth_options(command):
    """The options every command that authenticates shares, defined once."""
    return _apply(
        [
            click.option(
                "--auth",
                "auth",
                type=click.Choice(AUTH_MODES),
                default="auto",
                show_default=True,
                help=f"Which credential: auto walks the chain (argument, {API_KEY_ENV}, .env, "
                f"then the browser if allowed); browser needs {UNSAFE_FLAG}.",
            ),
            *BROWSER_OPTIONS,
            *CONNECTION_OPTIONS,
        ],
        command,
    )


def compare_options(command):
    """Every method's options at once: the browser to read and where to connect."""
    return _apply([*BROWSER_OPTIONS, *CONNECTION_OPTIONS], command)


def connection(options: dict) -> dict:
    """GrokClient's keyword arguments from the connection options (popped from `options`)."""
    from ..client import RetryPolicy

    return {
        "base_url": options.pop("base_url"),
        "web_base_url": options.pop("web_base_url"),
        "timeout": (5.0, options.pop("timeout")),
        "retry": RetryPolicy(max_retries=options.pop("retries")),
        "deadline": options.pop("deadline"),
        "max_answer_bytes": options.pop("max_answer_bytes"),
    }


def pop_credentials(options: dict) -> dict:
    """The chain's arguments out of the shared options (which are removed from `options`)."""
    merge_profile_dir(options)
    keys = ("auth", "unsafe_browser_cookies", "browser", "profile", "cookie_file", "container", "container_is_local")
    return {key: options.pop(key) for key in keys}


def merge_profile_dir(options: dict) -> dict:
    """`--profile-dir` as the library takes it: a `cookie_file` that is a folder (one of the two, not both)."""
    folder = options.pop("profile_dir", None)
    if folder is not None:
        if options.get("cookie_file") is not None:
            raise click.UsageError("--cookie-file and --profile-dir both say where to read: give one of them.")
        options["cookie_file"] = folder
    return options


def client_for(options: dict):
    """A GrokClient for the shared options (popped from `options`)."""
    from ..auth.chain import resolve_authenticator

    return client_with(resolve_authenticator(**pop_credentials(options)), options)


def client_with(authenticator, options: dict):
    """A GrokClient for `authenticator` with the shared connection options (popped from `options`)."""
    from ..client import GrokClient

    keep = options.pop("keep_web_history", False)
    return GrokClient(authenticator, keep_web_history=keep, **connection(options))


def print_json(data: dict) -> None:
    """One JSON document on stdout, with `schema_version` first; control characters escaped."""
    JSON_OUTPUT["printed"] = True
    click.echo(printable_json({"schema_version": SCHEMA_VERSION, **data}, indent=2))
