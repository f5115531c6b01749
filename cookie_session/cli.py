"""The `cookie-session` command line. The only module that imports click.

Library errors become one line on stderr (`Error: ...` and what to do) and the
exit code of their branch (see README, "Exit codes"); never a traceback, never
a secret. Library modules load inside commands, so `--help` stays cheap.
"""

from __future__ import annotations

import functools
import json
import sys

import click

from . import __version__
from .errors import CookieSessionError
from .policy import DEFAULT_MODEL

EXIT_INTERRUPTED = 130


class _LibraryError(click.ClickException):
    """A `CookieSessionError` shown as click shows its own: `Error: <one line>`."""

    def __init__(self, error: CookieSessionError) -> None:
        super().__init__(str(error))
        self.exit_code = error.exit_code


class _Group(click.Group):
    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except CookieSessionError as error:
            raise _LibraryError(error) from None
        except KeyboardInterrupt:
            click.echo("Interrupted.", err=True)
            ctx.exit(EXIT_INTERRUPTED)


def auth_options(command):
    """The options every command that authenticates shares, defined once."""
    @click.option("--auth", "auth", type=click.Choice(["auto", "api-key"]), default="auto", show_default=True,
                  help="Which credential to use; auto walks the chain (argument, XAI_API_KEY, .env).")
    @click.option("--base-url", envvar="XAI_BASE_URL", metavar="URL",
                  help="API root (default https://api.x.ai/v1; env XAI_BASE_URL). http:// only for loopback.")
    @click.option("--timeout", type=click.FloatRange(min=0.1), default=120.0, show_default=True,
                  help="Read timeout in seconds.")
    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        return command(*args, **kwargs)
    return wrapper


def _client(auth: str, base_url: str | None, timeout: float):
    from .client import GrokClient
    from .sources import resolve_authenticator

    return GrokClient(resolve_authenticator(auth=auth), base_url=base_url, timeout=(5.0, timeout))


def _print_json(data) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="cookie-session")
def cli() -> None:
    """Script against Grok/xAI with the official API key, or (unsafe, local only) your browser session.

    Start offline with `cookie-session demo`. Exit codes: 0 ok, 2 usage, 3 no credentials,
    4 credentials rejected, 5 refused by policy, 6 upstream or network error, 7 bad input.
    """


@cli.command("status")
@auth_options
@click.option("--check", is_flag=True, help="Also make a live probe (GET /v1/api-key) with the chosen credential.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def status_command(auth: str, base_url: str | None, timeout: float, check: bool, as_json: bool) -> None:
    """Show every credential source, masked, and which one would be used."""
    from .errors import NoCredentialsError
    from .sources import inspect_credentials

    report = inspect_credentials(auth=auth)
    chosen = report.chosen
    data = {
        "sources": [{"source": c.source, "found": c.found, "detail": c.detail, "in_use": c is chosen}
                    for c in report.checks],
        "in_use": report.authenticator.describe() if report.authenticator else None,
        "reason": report.reason,
    }
    probe_error = None
    if check and report.authenticator is not None:
        from .client import GrokClient

        try:
            with GrokClient(report.authenticator, base_url=base_url, timeout=(5.0, timeout)) as client:
                data["check"] = {"ok": True, **client.whoami().to_dict()}
        except CookieSessionError as error:
            probe_error = error
            data["check"] = {"ok": False, "error": str(error)}
    if as_json:
        _print_json(data)
    else:
        click.echo("Credential sources, in chain order:")
        for item in data["sources"]:
            mark = "*" if item["in_use"] else ("+" if item["found"] else "-")
            click.echo(f"  {mark} {item['source']}: {item['detail']}")
        click.echo(f"In use: {data['in_use'] or 'nothing'} ({report.reason})")
        if "check" in data:
            result = data["check"]
            click.echo(f"Check: ok, key {result['name']!r} of team {result['team_id']}, usable={result['usable']}"
                       if result["ok"] else f"Check: failed: {result['error']}")
    if report.error is not None:
        raise report.error
    if report.authenticator is None:
        raise NoCredentialsError([(c.source, c.detail) for c in report.checks])
    if probe_error is not None:
        raise probe_error


@cli.command("chat")
@auth_options
@click.argument("prompt")
@click.option("--model", default=DEFAULT_MODEL, show_default=True, help="Model to ask.")
@click.option("--max-tokens", type=click.IntRange(min=1), help="Upper bound on the answer's length.")
@click.option("--stream/--no-stream", default=True, show_default=True, help="Print the answer as it arrives.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object with text, model, usage and auth.")
def chat_command(auth, base_url, timeout, prompt: str, model: str, max_tokens, stream: bool, as_json: bool) -> None:
    """Ask PROMPT and print the answer (PROMPT '-' reads it from stdin)."""
    if prompt == "-":
        prompt = sys.stdin.read()
    with _client(auth, base_url, timeout) as client:
        if as_json or not stream:
            result = client.chat(prompt, model=model, max_tokens=max_tokens, stream=stream)
            if stream:
                result.text()
                result = result.result
            if as_json:
                _print_json({**result.to_dict(), "auth_source": client.authenticator.source})
            else:
                click.echo(result.text)
            return
        for piece in client.chat(prompt, model=model, max_tokens=max_tokens, stream=True):
            click.echo(piece, nl=False)
        click.echo()


@cli.command("models")
@auth_options
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def models_command(auth, base_url, timeout, as_json: bool) -> None:
    """List the models the credential can use."""
    with _client(auth, base_url, timeout) as client:
        models = client.models()
    if as_json:
        _print_json([{"id": m.id, "owned_by": m.owned_by, "created": m.created} for m in models])
    else:
        for model in models:
            click.echo(model.id)


@cli.command("whoami")
@auth_options
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def whoami_command(auth, base_url, timeout, as_json: bool) -> None:
    """Show who the credential acts as (key name, team, ACLs, status)."""
    with _client(auth, base_url, timeout) as client:
        identity = client.whoami()
        source = client.authenticator.describe()
    if as_json:
        _print_json({**identity.to_dict(), "credential": source})
        return
    click.echo(f"Credential: {source}")
    click.echo(f"Key name:   {identity.name}")
    click.echo(f"Team:       {identity.team_id}")
    click.echo(f"ACLs:       {', '.join(identity.acls) or '(none)'}")
    click.echo(f"Usable:     {identity.usable} (blocked={identity.api_key_blocked}, "
               f"disabled={identity.api_key_disabled}, team_blocked={identity.team_blocked})")


@cli.command("demo")
def demo_command() -> None:
    """Run the offline tour against a local stand-in: no key, no browser login, no network."""
    from .demo import run_demo

    run_demo(click.echo)


@cli.command("serve")
@click.option("--port", type=click.IntRange(0, 65535), default=0, help="Port on 127.0.0.1 (0 picks a free one).")
def serve_command(port: int) -> None:
    """Serve the api.x.ai stand-in on loopback until interrupted."""
    import threading

    from .standin import StandIn

    with StandIn(port=port) as api:
        click.echo(f"api.x.ai stand-in listening at {api.base_url}. Point a client at it with:")
        click.echo(f"  export XAI_BASE_URL={api.base_url}")
        click.echo(f"  export XAI_API_KEY={api.api_key}   # throwaway, valid only against this stand-in")
        click.echo("Press Ctrl-C to stop.", err=True)
        threading.Event().wait()


def main() -> None:
    """Console-script entry point."""
    try:
        cli(prog_name="cookie-session")
    except BrokenPipeError:  # e.g. `cookie-session models | head -1`
        sys.stderr.close()
        sys.exit(0)
