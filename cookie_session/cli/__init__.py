"""The `cookie-session` command line. Only the cli package imports click.

A lazy command group: `--help` lists every command from `COMMANDS` without importing any
command module; a command's module loads when it runs. Library errors become one line on
stderr (`Error: ...` and what to do) and the exit code of their branch (see README, "Exit
codes"); never a traceback, never a secret.
"""

from __future__ import annotations

import importlib
import sys
import warnings

import click

from .. import __version__

#: name -> (module in this package, function, one-line summary shown by `cookie-session --help`).
#: tests/unit/cli/test_cli_conventions.py checks each summary is the command's own first help line.
COMMANDS = {
    "status": (
        "credentials",
        "status_command",
        "Show every credential source (masked), the one in use and why, and the locality verdict.",
    ),
    "chat": ("ask", "chat_command", "Ask PROMPT and print the answer (PROMPT '-' reads it from stdin)."),
    "models": ("ask", "models_command", "List the models the credential can use."),
    "whoami": ("credentials", "whoami_command", "Show who the credential acts as (key name, team, ACLs, status)."),
    "cookies": (
        "credentials",
        "cookies_command",
        "List every grok.com and x.ai cookie a profile holds, never the value.",
    ),
    "compare": (
        "compare",
        "compare_command",
        "Ask PROMPT through the API key and the browser session, and show them side by side.",
    ),
    "migrate": (
        "migrate",
        "migrate_command",
        "Find what must change before a prototype leaves your laptop: cookie auth, hard-coded keys, the unsafe opt-in.",
    ),
    "demo": (
        "standin",
        "demo_command",
        "Run the offline tour against a local stand-in: no key, no browser login, no network.",
    ),
    "serve": ("standin", "serve_command", "Serve the api.x.ai and grok.com stand-ins on loopback until Ctrl-C."),
}


class LazyGroup(click.Group):
    """Commands are imported when run (or completed); help lists them from `COMMANDS`.

    Bare `cookie-session` prints the help and exits 0. Library errors and Ctrl-C are turned into
    one line and an exit code by `_errors.run_command`, loaded only when a command runs."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module, attribute, _summary = COMMANDS[name]
        return getattr(importlib.import_module(f"{__name__}.{module}"), attribute)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with formatter.section("Commands"):
            formatter.write_dl([(name, summary) for name, (_m, _a, summary) in COMMANDS.items()])

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args and not ctx.resilient_parsing:
            click.echo(ctx.get_help(), color=ctx.color)
            ctx.exit(0)
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context):
        from ._errors import run_command

        return run_command(ctx, super().invoke)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="cookie-session")
def cli() -> None:
    """Script against Grok/xAI with the official API key, or (unsafe, local only) your browser session.

    Start offline with `cookie-session demo`. Exit codes: 0 ok, 2 usage, 3 no credentials,
    4 credentials rejected, 5 refused by policy, 6 upstream or network error, 7 bad input.
    Shell completion: eval "$(_COOKIE_SESSION_COMPLETE=bash_source cookie-session)" (or zsh_source, fish_source).
    """


def _one_line_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """A warning as the command line shows it: `Warning: <message>` on stderr, not Python's file, line and source."""
    from ..errors import printable

    try:
        (file or sys.stderr).write(f"Warning: {printable(str(message))}\n")
    except (OSError, ValueError):  # stderr closed
        pass


def main() -> None:
    """Console-script entry point."""
    for stream in (sys.stdout, sys.stderr):  # a path with bytes that are not UTF-8 must not crash the output
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    warnings.showwarning = _one_line_warning
    try:
        cli(prog_name="cookie-session")
    except BrokenPipeError:  # e.g. `cookie-session models | head -1`, outside a command
        sys.stderr.close()
        sys.exit(0)
