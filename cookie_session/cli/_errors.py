"""Library errors as the command line shows them: one line in command-line words, and an exit code."""

from __future__ import annotations

from collections.abc import Callable

import click

from ..errors import (
    EXIT_USAGE,
    CookieSessionError,
    InvalidApiKeyFormatError,
    MissingCredentialsError,
    NoCredentialsError,
)
from ..settings import API_KEY_ENV

EXIT_INTERRUPTED = 130

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
    """Run `invoke(ctx)`, turning library errors, unusable files and Ctrl-C into one line and an exit code."""
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
        ctx.exit(EXIT_INTERRUPTED)
