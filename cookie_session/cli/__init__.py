"""The `cookie-session` command line. The only module that imports click.

Library errors become one line on stderr (`Error: ...` and what to do) and the
exit code of their branch (see README, "Exit codes"); never a traceback, never
a secret. Library modules load inside commands, so `--help` stays cheap.
"""

from __future__ import annotations

import sys

import click

from .. import __version__
from ..errors import CookieSessionError, printable
from ..policy import DEFAULT_MODEL
from ._common import (
    CommandGroup, auth_options, browser_options, client_for, client_with, pop_credentials, print_json,
)
from .compare import compare_command
from .migrate import migrate_command


@click.group(cls=CommandGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="cookie-session")
def cli() -> None:
    """Script against Grok/xAI with the official API key, or (unsafe, local only) your browser session.

    Start offline with `cookie-session demo`. Exit codes: 0 ok, 2 usage, 3 no credentials,
    4 credentials rejected, 5 refused by policy, 6 upstream or network error, 7 bad input.
    """


@cli.command("status")
@auth_options
@click.option("--check", is_flag=True, help="Also make a live probe with the chosen credential.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def status_command(check: bool, as_json: bool, **options) -> None:
    """Show every credential source, masked, which one would be used, and the locality verdict."""
    from ..errors import NoCredentialsError
    from ..sources import inspect_credentials

    report = inspect_credentials(**pop_credentials(options))
    chosen = report.chosen
    data = {
        "sources": [{"source": c.source, "found": c.found, "detail": c.detail, "in_use": c is chosen}
                    for c in report.checks],
        "in_use": report.authenticator.describe() if report.authenticator else None,
        "reason": report.reason,
        "locality": {"local": report.verdict.local, "reasons": list(report.verdict.reasons)},
    }
    probe_error = None
    if check and report.authenticator is not None:
        try:
            with client_with(report.authenticator, options) as client:
                data["check"] = {"ok": True, **client.whoami().to_dict()}
        except CookieSessionError as error:
            probe_error = error
            data["check"] = {"ok": False, "error": str(error)}
    if as_json:
        print_json(data)
    else:
        click.echo("Credential sources, in chain order:")
        for item in data["sources"]:
            mark = "*" if item["in_use"] else ("+" if item["found"] else "-")
            click.echo(printable(f"  {mark} {item['source']}: {item['detail']}"))
        click.echo(printable(f"In use: {data['in_use'] or 'nothing'} ({report.reason})"))
        click.echo(printable(f"Locality (for browser cookies): {report.verdict}"))
        if "check" in data:
            result = data["check"]
            click.echo(printable(f"Check: ok, {result['name']!r} ({result['auth_kind']}), usable={result['usable']}"
                                 if result["ok"] else f"Check: failed: {result['error']}"))
    if report.authenticator is None:
        raise report.error or NoCredentialsError([(c.source, c.detail) for c in report.checks])
    if probe_error is not None:
        raise probe_error


@cli.command("chat")
@auth_options
@click.argument("prompt")
@click.option("--model", default=DEFAULT_MODEL, show_default=True, help="Model to ask.")
@click.option("--max-tokens", type=click.IntRange(min=1), help="Upper bound on the answer's length.")
@click.option("--stream/--no-stream", default=True, show_default=True, help="Print the answer as it arrives.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object with text, model, usage and auth.")
def chat_command(prompt: str, model: str, max_tokens, stream: bool, as_json: bool, **options) -> None:
    """Ask PROMPT and print the answer (PROMPT '-' reads it from stdin)."""
    if prompt == "-":
        prompt = sys.stdin.read()
    with client_for(options) as client:
        if as_json or not stream:
            result = client.chat(prompt, model=model, max_tokens=max_tokens, stream=stream)
            if stream:
                result = result.collect()
            if as_json:
                print_json({**result.to_dict(), "auth_source": client.authenticator.source})
            else:
                click.echo(result.text)
            return
        for piece in client.chat(prompt, model=model, max_tokens=max_tokens, stream=True):
            click.echo(piece, nl=False)
        click.echo()


@cli.command("models")
@auth_options
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def models_command(as_json: bool, **options) -> None:
    """List the models the credential can use."""
    with client_for(options) as client:
        models = client.models()
    if as_json:
        print_json([{"id": m.id, "owned_by": m.owned_by, "created": m.created} for m in models])
    else:
        for model in models:
            click.echo(printable(model.id))


@cli.command("whoami")
@auth_options
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def whoami_command(as_json: bool, **options) -> None:
    """Show who the credential acts as (key name, team, ACLs, status)."""
    with client_for(options) as client:
        identity = client.whoami()
        source = client.authenticator.describe()
    if as_json:
        print_json({**identity.to_dict(), "credential": source})
        return
    click.echo(printable(f"Credential: {source}"))
    click.echo(printable(f"Name:       {identity.name}"))
    click.echo(printable(f"Team:       {identity.team_id}"))
    if identity.user_id:
        click.echo(printable(f"User:       {identity.user_id}"))
    click.echo(printable(f"ACLs:       {', '.join(identity.acls) or '(none)'}"))
    click.echo(f"Usable:     {identity.usable} (blocked={identity.api_key_blocked}, "
               f"disabled={identity.api_key_disabled}, team_blocked={identity.team_blocked})")


@cli.command("cookies")
@browser_options
@click.option("--json", "as_json", is_flag=True, help="A JSON list of {name, domain, path, expires, size, ...}.")
def cookies_command(unsafe_browser_cookies, browser, profile, cookie_file, container, as_json: bool) -> None:
    """List the xAI cookies a browser profile holds: name, domain, expiry and size, never the value."""
    from ..browsers import load_xai_cookies
    from ..policy import locality_verdict, require_browser_cookie_use, unsafe_opt_in

    require_browser_cookie_use(unsafe_opt_in(unsafe_browser_cookies)[0], locality_verdict())
    load = load_xai_cookies(browser, profile=profile, cookie_file=cookie_file, container=container,
                            include_subdomains=True)
    rows = [{"name": c.name, "domain": c.domain, "path": c.path, "expires": _iso(c.expires), "size": len(c.value),
             "secure": c.secure, "http_only": c.http_only} for c in load.cookies]
    if as_json:
        print_json(rows)
        return
    click.echo(printable(f"{len(rows)} xAI cookies in {load.browser}/{load.profile} ({load.cookie_file}):"))
    for row in rows:
        expires = row["expires"] or "at session end"
        click.echo(printable(f"  {row['name']:<14} {row['domain']:<16} expires {expires:<25} {row['size']} chars"))
    for note in load.notes:
        click.echo(printable(f"Note: {note}"))


def _iso(timestamp: float | None) -> str | None:
    if timestamp is None:
        return None
    import datetime

    return datetime.datetime.fromtimestamp(timestamp, datetime.timezone.utc).isoformat(timespec="seconds")


@cli.command("demo")
def demo_command() -> None:
    """Run the offline tour against a local stand-in: no key, no browser login, no network."""
    from ..demo import run_demo

    run_demo(click.echo)


@cli.command("serve")
@click.option("--port", type=click.IntRange(0, 65535), default=0, help="Port on 127.0.0.1 (0 picks a free one).")
def serve_command(port: int) -> None:
    """Serve the api.x.ai stand-in on loopback until interrupted."""
    import threading

    from ..standin import StandIn

    with StandIn(port=port) as api:
        click.echo(f"api.x.ai stand-in listening at {api.base_url}. Point a client at it with:")
        click.echo(f"  export XAI_BASE_URL={api.base_url}")
        click.echo(f"  export XAI_API_KEY={api.api_key}   # throwaway, valid only against this stand-in")
        click.echo("Press Ctrl-C to stop.", err=True)
        threading.Event().wait()


cli.add_command(compare_command)
cli.add_command(migrate_command)


def main() -> None:
    """Console-script entry point."""
    for stream in (sys.stdout, sys.stderr):   # a path with bytes that are not UTF-8 must not crash the output
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    try:
        cli(prog_name="cookie-session")
    except BrokenPipeError:  # e.g. `cookie-session models | head -1`
        sys.stderr.close()
        sys.exit(0)
