"""`demo` and `serve`: the loopback stand-ins, for a tour and for your own scripts."""

from __future__ import annotations

import click

from ..errors import EXIT_BAD_INPUT
from ..settings import API_BASE_URL_ENV, API_KEY_ENV, UNSAFE_FLAG, USER_AGENT_ENV, WEB_BASE_URL_ENV
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
@click.option(
    "--browser-session",
    "browser_session",
    metavar="FILE",
    type=click.Path(dir_okay=False),
    help="Also write a throwaway Chromium cookie file at FILE (a new path), logged in to the grok.com "
    "stand-in, for `chat --auth browser --cookie-file FILE`; deleted when serve stops.",
)
def serve_command(port: int, verbose: bool, browser_session: str | None) -> None:
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
        session_file = _write_browser_session(stand_in, browser_session) if browser_session else None
        try:
            click.echo(f"api.x.ai stand-in: {stand_in.base_url}")
            click.echo(f"grok.com stand-in: {stand_in.web_base_url}")
            click.echo("Point a client at it with:")
            click.echo(f"  export {API_BASE_URL_ENV}={stand_in.base_url}")
            click.echo(f"  export {API_KEY_ENV}={stand_in.api_key}   # throwaway, valid only against this stand-in")
            click.echo(f"  export {WEB_BASE_URL_ENV}={stand_in.web_base_url}")
            if session_file is not None:
                import shlex

                path, agent = session_file
                click.echo(f"  export {USER_AGENT_ENV}={shlex.quote(agent)}   # the session is bound to it")
                click.echo(f"Browser session (throwaway cookie file, deleted when serve stops): {path}")
                click.echo(
                    f"  cookie-session chat --auth browser {UNSAFE_FLAG} --cookie-file {shlex.quote(path)} 'Hello'"
                )
            click.echo("Press Ctrl-C to stop.", err=True)
            try:
                threading.Event().wait()
            except KeyboardInterrupt:
                click.echo("Stopped.", err=True)
        finally:
            if session_file is not None:
                _remove(session_file[0])


def _write_browser_session(stand_in, path: str) -> tuple[str, str]:
    """Write a Chromium cookie file at the new `path` holding a fresh grok.com stand-in session; (its absolute
    path, the User-Agent the session is bound to)."""
    import os

    from ..testing.standin.chromium_profile import write_chromium_cookies
    from ..user_agents import user_agent_for

    agent = user_agent_for("chromium", 156, "linux") or ""
    try:
        written = write_chromium_cookies(path, stand_in.web_cookies(agent))
    except FileExistsError:
        raise CliError(
            f"{path} already exists; --browser-session writes a new throwaway cookie file: give a path that "
            "does not exist yet",
            EXIT_BAD_INPUT,
        ) from None
    except OSError as error:
        raise CliError(
            f"Cannot write {path} ({error.strerror or error}); give a writable new path", EXIT_BAD_INPUT
        ) from None
    return os.path.abspath(written), agent


def _remove(path: str) -> None:
    import os

    try:
        os.remove(path)
    except FileNotFoundError:
        pass
