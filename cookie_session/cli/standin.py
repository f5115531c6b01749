"""`demo` and `serve`: the loopback stand-ins, for a tour and for your own scripts."""

from __future__ import annotations

import click

from ..errors import EXIT_BAD_INPUT
from ..settings import API_BASE_URL_ENV, API_KEY_ENV, WEB_BASE_URL_ENV
from ._errors import CliError


@click.command("demo")
def demo_command() -> None:
    """Run the offline tour against a local stand-in: no key, no browser login, no network."""
    from ..testing.demo import run_demo

    run_demo(click.echo)


@click.command("serve")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=0,
    help="Port of the api.x.ai stand-in on 127.0.0.1 (0 picks a free one).",
)
@click.option("-v", "--verbose", is_flag=True, help="Log each request (method, path, status) on stderr.")
def serve_command(port: int, verbose: bool) -> None:
    """Serve the api.x.ai and grok.com stand-ins on loopback until Ctrl-C."""
    import threading

    from ..testing.standin import StandIn

    try:
        stand_in = StandIn(port=port)
    except OSError as error:
        raise CliError(
            f"Cannot listen on 127.0.0.1:{port} ({error.strerror or error}). Choose another --port, "
            "or --port 0 for a free one",
            EXIT_BAD_INPUT,
        ) from None
    if verbose:
        stand_in.request_log = lambda line: click.echo(line, err=True)
    with stand_in:
        click.echo(f"api.x.ai stand-in: {stand_in.base_url}")
        click.echo(f"grok.com stand-in: {stand_in.web_base_url}")
        click.echo("Point a client at it with:")
        click.echo(f"  export {API_BASE_URL_ENV}={stand_in.base_url}")
        click.echo(f"  export {API_KEY_ENV}={stand_in.api_key}   # throwaway, valid only against this stand-in")
        click.echo(f"  export {WEB_BASE_URL_ENV}={stand_in.web_base_url}")
        click.echo("Press Ctrl-C to stop.", err=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            click.echo("Stopped.", err=True)
