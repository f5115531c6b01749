"""Library errors as the command line shows them: one line in command-line words, and an exit code; with
`--json`, also a JSON error document on stdout; a closed pipe as a normal end."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

import click

from ..errors import (
    EXIT_BAD_INPUT,
    EXIT_NO_CREDENTIALS,
    EXIT_POLICY,
    EXIT_REJECTED,
    EXIT_UPSTREAM,
    EXIT_USAGE,
    CookieSessionError,
    InvalidApiKeyFormatError,
    MissingCredentialsError,
    NoCredentialsError,
)
from ..settings import API_KEY_ENV

EXIT_INTERRUPTED = 130
#: The `kind` of a JSON error document, by exit code (README, "Exit codes").
ERROR_KINDS = {
    EXIT_USAGE: "usage",
    EXIT_NO_CREDENTIALS: "no_credentials",
    EXIT_REJECTED: "credentials_rejected",
    EXIT_POLICY: "refused_by_policy",
    EXIT_UPSTREAM: "upstream",
    EXIT_BAD_INPUT: "bad_input",
    EXIT_INTERRUPTED: "interrupted",
}

#: Hints in command-line words for errors whose library hint names a Python argument.
CLI_HINTS = {
    InvalidApiKeyFormatError: "Copy the key again from console.x.ai (it is 'xai-' followed by 80 letters, "
    "digits or underscores)",
    MissingCredentialsError: f"Send a key: set {API_KEY_ENV} (create one at console.x.ai)",
}
NO_CREDENTIALS = (
    "No credentials found{}. Set " + API_KEY_ENV + " (create a key at console.x.ai); "
    "`cookie-session status` lists every source tried"
)


def cli_text(error: CookieSessionError) -> str:
    """The error's one line for a command-line user: never a library argument, never a long list."""
    if isinstance(error, NoCredentialsError):
        broken = [f"{source}: {reason}" for source, reason in error.attempts if _held_something(source, reason)]
        return NO_CREDENTIALS.format(f" ({'; '.join(broken)[:200]})" if broken else "")
    hint = getattr(error, "cli_hint", None)
    if hint is None and "hint" not in vars(error):  # the class's default hint, which may speak Python
        hint = next((CLI_HINTS[cls] for cls in type(error).__mro__ if cls in CLI_HINTS), None)
    if hint is None:
        return str(error)
    return " ".join(f"{error.message.rstrip('.')}. {hint}".split())


def _held_something(source: str, reason: str) -> bool:
    """A source that exists but gave nothing usable (an unreadable .env), worth naming in the one line."""
    return source.startswith(".env:") and not reason.startswith("no .env file")


class LibraryError(click.ClickException):
    """A `CookieSessionError` shown as click shows its own: `Error: <one line>`, with the error's exit code."""

    def __init__(self, error: CookieSessionError) -> None:
        super().__init__(cli_text(error))
        # click >= 8.5 types exit_code as a ClassVar, yet reads it from the exception it catches
        self.exit_code = error.exit_code  # type: ignore[misc, unused-ignore]


class CliError(click.ClickException):
    """A command-line problem that is not the library's, with its own exit code."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        # (a ClassVar to click's types, as above)
        self.exit_code = exit_code  # type: ignore[misc, unused-ignore]


def run_command(ctx: click.Context, invoke: Callable[[click.Context], object]):
    """Run `invoke(ctx)`, turning library errors, unusable files and Ctrl-C into one line and an exit code.

    With `--json` among the command's options, a failure also prints a JSON error document on stdout (unless
    the command printed its own document already); a reader that closes the pipe early (`| head`) ends the
    command with exit 0, as `cat` would."""
    from ._common import JSON_OUTPUT

    json_wanted = _asks_for_json(ctx)
    JSON_OUTPUT["printed"] = False
    try:
        try:
            return invoke(ctx)
        except CookieSessionError as error:
            raise LibraryError(error) from None
        except click.FileError as error:  # a file named on the command line cannot be opened: usage, not findings
            # (a ClassVar to click's types, as above)
            error.exit_code = EXIT_USAGE  # type: ignore[misc, unused-ignore]
            raise
        except KeyboardInterrupt:
            click.echo("Interrupted.", err=True)
            if json_wanted and not JSON_OUTPUT["printed"]:
                _print_error_document(ctx, "Interrupted", "Interrupted.", EXIT_INTERRUPTED)
            ctx.exit(EXIT_INTERRUPTED)
    except click.ClickException as error:
        if json_wanted and not JSON_OUTPUT["printed"]:
            _print_error_document(ctx, _error_type(error), error.format_message(), error.exit_code)
        raise
    except BrokenPipeError:
        _quiet_stdout()
        ctx.exit(0)


def _asks_for_json(ctx: click.Context) -> bool:
    """Whether the command line asks for `--json` (before a `--`, after which words are arguments)."""
    # click >= 8.2 keeps the subcommand's name in `_protected_args` (its public name warns); older ones in
    # `protected_args`
    protected = ctx._protected_args if hasattr(ctx, "_protected_args") else ctx.protected_args
    words = [*protected, *ctx.args]
    words = words[: words.index("--")] if "--" in words else words
    return "--json" in words


def _error_type(error: click.ClickException) -> str:
    library = error.__context__ if isinstance(error, LibraryError) else None
    return type(library).__name__ if isinstance(library, CookieSessionError) else type(error).__name__


def _print_error_document(ctx: click.Context, error_type: str, message: str, exit_code: int) -> None:
    from ._common import print_json

    kind = ERROR_KINDS.get(exit_code, "error")
    print_json({"error": {"kind": kind, "type": error_type, "message": message, "exit_code": exit_code}})


def _quiet_stdout() -> None:
    """After the reader closed the pipe: send what is left of stdout nowhere (no second BrokenPipeError when
    Python flushes it at exit)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # no real file descriptor (a test runner's stream)
        pass
