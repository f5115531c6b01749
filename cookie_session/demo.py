"""The offline tour: start the stand-in, then run the calling code a user would write against it.

Needs no key and no browser login: the stand-in issues a throwaway key that is
valid only against itself, and everything stays on loopback.
"""

from __future__ import annotations

import tempfile
from typing import Callable

from .auth import ApiKeyAuthenticator
from .client import GrokClient
from .errors import CredentialsRejectedError
from .sources import inspect_credentials
from .standin import StandIn, make_test_key


def calling_code(client: GrokClient, say: Callable[[str], None]) -> None:
    """What a user's script does, whichever authenticator `client` was given."""
    answer = client.chat("Say hello in five words.", max_tokens=64)
    say(f"chat ({answer.auth_kind}, {answer.model}): {answer.text}")
    say(f"  usage: {answer.usage.prompt_tokens} prompt + {answer.usage.completion_tokens} completion tokens")
    stream = client.chat("Stream a short answer.", stream=True)
    pieces = list(stream)
    say(f"streamed chat: {len(pieces)} pieces -> {''.join(pieces)}")
    say(f"models: {', '.join(model.id for model in client.models())}")
    me = client.whoami()
    say(f"whoami: key {me.name!r}, team {me.team_id}, acls {', '.join(me.acls)}, usable={me.usable}")


def run_demo(say: Callable[[str], None] = print) -> None:
    """Run the tour, printing each step with `say`. Raises the library's errors on failure."""
    with StandIn() as api, tempfile.TemporaryDirectory() as empty_dir:
        say(f"1. Started the api.x.ai stand-in at {api.base_url} with a throwaway key.")
        report = inspect_credentials(api_key=api.api_key, environ={}, cwd=empty_dir)
        say("2. status: credential sources in chain order")
        for check in report.checks:
            mark = "*" if check is report.chosen else "-"
            say(f"   {mark} {check.source}: {check.detail}")
        say(f"   using {report.authenticator.describe()}")
        say("3. The calling code, through the official API key:")
        with GrokClient(report.authenticator, base_url=api.base_url) as client:
            calling_code(client, lambda line: say("   " + line))
        say("4. The same call with a key the service does not know fails clearly (CLI exit code 4):")
        try:
            with GrokClient(ApiKeyAuthenticator(make_test_key()), base_url=api.base_url) as client:
                client.whoami()
        except CredentialsRejectedError as exc:
            say(f"   {type(exc).__name__}: {exc}")
    say("Done: the stand-in is stopped and nothing was written to disk.")
