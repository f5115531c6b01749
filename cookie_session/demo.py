"""The offline tour: start the stand-in, then run the calling code a user would write against it.

Needs no key and no browser login: the stand-in issues a throwaway key that is
valid only against itself, and everything stays on loopback.
"""

from __future__ import annotations

import os
import tempfile
import warnings
from typing import Callable

from .auth import ApiKeyAuthenticator
from .browser_auth import BrowserCookieAuthenticator
from .client import GrokClient
from .errors import BrowserCookieWarning, CredentialsRejectedError, PolicyError
from .policy import LocalityVerdict
from .sources import inspect_credentials
from .standin import StandIn, make_test_key


def calling_code(client: GrokClient, say: Callable[[str], None]) -> None:
    """What a user's script does, whichever authenticator `client` was given."""
    answer = client.chat("Say hello in five words.", max_tokens=64)
    say(f"chat ({answer.auth_kind}, {answer.model}): {answer.text}")
    if answer.usage.total_tokens is not None:
        say(f"  usage: {answer.usage.prompt_tokens} prompt + {answer.usage.completion_tokens} completion tokens")
    stream = client.chat("Stream a short answer.", stream=True)
    pieces = list(stream)
    say(f"streamed chat: {len(pieces)} pieces -> {''.join(pieces)}")
    say(f"models: {', '.join(model.id for model in client.models())}")
    me = client.whoami()
    team = f", team {me.team_id}" if me.team_id else ""
    say(f"whoami: {me.name!r}{team}, acls {', '.join(me.acls)}, usable={me.usable}")


def run_demo(say: Callable[[str], None] = print) -> None:
    """Run the tour, printing each step with `say`. Raises the library's errors on failure."""
    with StandIn() as api, tempfile.TemporaryDirectory() as empty_dir:
        say(f"1. Started the stand-ins: api.x.ai at {api.base_url} (with a throwaway key), "
            f"grok.com at {api.web_base_url}.")
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
        say("5. The same calling code through a browser session (a throwaway profile, a real headless browser):")
        _browser_side(api, say)
        say("6. The locality gate: with CI=true, cookie auth is refused even with the opt-in:")
        try:
            BrowserCookieAuthenticator("chromium", unsafe_browser_cookies=True, environ={"CI": "true"})
        except PolicyError as exc:
            say(f"   {type(exc).__name__}: {exc}")
    say("Done: the stand-ins are stopped and the throwaway profile is deleted.")


def _browser_side(api: StandIn, say: Callable[[str], None]) -> None:
    """Log in to the grok.com stand-in with headless Chromium in a throwaway profile, then run the calling code."""
    from .headless_login import HeadlessChromium, find_chromium

    if find_chromium() is None:
        say("   skipped: Chromium is not installed (apt-get install chromium)")
        return
    with tempfile.TemporaryDirectory(prefix="cookie-session-demo-") as scratch:
        rules = f"MAP grok.com 127.0.0.1:{api.web_port}"
        with HeadlessChromium(os.path.join(scratch, "profile"), host_resolver_rules=rules) as chromium:
            chromium.navigate("http://grok.com/login")
            user_agent = chromium.user_agent
            chromium.close()
        say("   headless Chromium logged in to the grok.com stand-in and wrote its own cookie database")
        with warnings.catch_warnings():  # the demo says it here instead
            warnings.simplefilter("ignore", BrowserCookieWarning)
            authenticator = BrowserCookieAuthenticator(
                "chromium", cookie_file=chromium.cookie_file, unsafe_browser_cookies=True, user_agent=user_agent,
                verdict=LocalityVerdict.assume_local())  # a throwaway profile against loopback, in this demo only
        say(f"   using {authenticator.describe()}")
        with GrokClient(authenticator, web_base_url=api.web_base_url) as client:
            calling_code(client, lambda line: say("   " + line))
