"""The offline tour: start the stand-in, then run the calling code a user would write against it.

Needs no key and no browser login: the stand-in issues a throwaway key that is
valid only against itself, and everything stays on loopback.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import warnings
from collections.abc import Callable

from ..auth import ApiKeyAuthenticator
from ..auth.browser import FALLBACK_USER_AGENT, BrowserCookieAuthenticator
from ..auth.chain import inspect_credentials
from ..client import GrokClient
from ..compare import compare_methods, render_table
from ..errors import BrowserCookieWarning, CredentialsRejectedError, PolicyError
from ..policy import LocalityVerdict
from .standin import StandIn, make_test_key


def calling_code(client: GrokClient, say: Callable[[str], None]) -> None:
    """What a user's script does, whichever authenticator `client` was given."""
    answer = client.chat("Say hello in five words.", max_tokens=64)
    say(f"chat ({answer.auth_kind}, {answer.model}): {answer.text}")
    if answer.usage.total_tokens is not None:
        say(f"  usage: {answer.usage.prompt_tokens} prompt + {answer.usage.completion_tokens} completion tokens")
    if answer.thinking:
        say(f"  thinking, kept apart from the answer: {answer.thinking[:70]}")
    stream = client.chat("Stream a short answer.", stream=True)
    pieces = list(stream)
    say(f"streamed chat: {len(pieces)} pieces -> {''.join(pieces)}")
    say(f"models: {', '.join(model.id for model in client.models())}")
    me = client.whoami()
    team = f", team {me.team_id}" if me.team_id else ""
    say(f"whoami: {me.name!r}{team}, acls {', '.join(me.acls)}, usable={me.usable}")


#: What each grok.com request of the browser path is, for the demo's summary of the wire.
_WIRE = {
    ("GET", "/api/auth/session"): "GET /api/auth/session (who: the gateway's user id)",
    ("GET", "/index"): "GET /index (404) and / (the page: statsig seed and curves)",
    ("POST", "/rest/modes"): "POST /rest/modes with a signed x-statsig-id (the modes)",
    ("GET", "/ws/mgw/"): "the wss /ws/mgw/ gateway for each chat (session.create .. response.done)",
}


def _wire_summary(requests: list) -> str:
    seen = dict.fromkeys((method, path) for method, path, _headers in requests)
    return "; ".join(_WIRE[key] for key in _WIRE if key in seen)


def run_demo(say: Callable[[str], None] = print) -> None:
    """Run the tour, printing each step with `say`. Raises the library's errors on failure.

    Everything runs on loopback in temporary directories, deleted on the way out.
    """
    with StandIn() as api, tempfile.TemporaryDirectory(prefix="cookie-session-demo-") as scratch:
        indent = lambda line: say("   " + line)  # noqa: E731
        say(
            f"1. Started the stand-ins: api.x.ai at {api.base_url} (with a throwaway key), "
            f"grok.com at {api.web_base_url}."
        )
        report = inspect_credentials(api_key=api.api_key, environ={}, cwd=scratch)
        say("2. status: credential sources in chain order")
        for check in report.checks:
            mark = "*" if check is report.chosen else "-"
            indent(f"{mark} {check.source}: {check.detail}")
        key_auth = report.authenticator
        if key_auth is None:  # the stand-in's own key, passed above: only a bug gets here
            raise report.error or RuntimeError(f"the demo's key was not picked: {report.reason}")
        say(f"3. The calling code, through the official API key ({key_auth.describe()}):")
        with GrokClient(key_auth, base_url=api.base_url) as client:
            calling_code(client, indent)
        try:
            with GrokClient(ApiKeyAuthenticator(make_test_key()), base_url=api.base_url) as client:
                client.whoami()
        except CredentialsRejectedError as exc:
            indent(f"a key the service does not know fails clearly (CLI exit {exc.exit_code}): {exc}")
        say("4. A throwaway browser profile logged in to the grok.com stand-in:")
        cookie_file, user_agent = _throwaway_profile(api, os.path.join(scratch, "profile"), indent)
        with warnings.catch_warnings():  # the demo says it here instead
            warnings.simplefilter("ignore", BrowserCookieWarning)
            browser_auth = BrowserCookieAuthenticator(
                "chromium",
                cookie_file=cookie_file,
                unsafe_browser_cookies=True,
                user_agent=user_agent,
                verdict=LocalityVerdict.assume_local(),
            )  # a throwaway profile against loopback, in this demo only
        say(f"5. The same calling code, through the browser session ({browser_auth.describe()}):")
        seen_before = len(api.requests)
        with GrokClient(browser_auth, web_base_url=api.web_base_url) as client:
            calling_code(client, indent)
        indent("on the wire, as grok.com's web app today: " + _wire_summary(api.requests[seen_before:]))
        say("6. compare: the same prompt through both, side by side (3 runs each, medians):")
        comparison = compare_methods(
            "Say hello in five words.",
            repeat=3,
            authenticators=[key_auth, browser_auth],
            client_options={"base_url": api.base_url, "web_base_url": api.web_base_url},
        )
        for line in render_table(comparison, width=110).splitlines():
            indent(line)
        say("7. The locality gate: with CI=true, cookie auth is refused even with the opt-in:")
        try:
            BrowserCookieAuthenticator(
                "chromium", cookie_file=cookie_file, unsafe_browser_cookies=True, environ={"CI": "true"}
            )
        except PolicyError as exc:
            indent(f"{type(exc).__name__} (CLI exit {exc.exit_code}): {exc}")
        say("8. migrate: what must change in a cookie prototype before it leaves the laptop:")
        _migration_scan(os.path.join(scratch, "prototype"), indent)
    say("Done: the stand-ins are stopped and the throwaway profile and prototype are deleted.")


def _throwaway_profile(api: StandIn, directory: str, say: Callable[[str], None]) -> tuple[str, str]:
    """(cookie file, User-Agent) of a fresh profile holding a grok.com stand-in session.

    A real headless Chromium logs in when one is installed; otherwise the demo writes the
    Chromium-format cookie database itself, encrypted as Chromium's basic store does.
    """
    from .headless import BrowserLaunchError, HeadlessChromium, find_chromium

    why = "Chromium is not installed (apt-get install chromium)"
    if find_chromium() is not None:
        try:
            with HeadlessChromium(directory, host_resolver_rules=f"MAP grok.com 127.0.0.1:{api.web_port}") as chromium:
                chromium.navigate("http://grok.com/login")
                user_agent = chromium.user_agent
                chromium.close()
            say("a real headless Chromium logged in and wrote its own cookie database (v10, meta version 24)")
            return str(chromium.cookie_file), user_agent
        except BrowserLaunchError as exc:
            why = f"Chromium did not run here ({str(exc).split(';')[0]})"
            shutil.rmtree(directory, ignore_errors=True)
    from .standin.chromium_profile import write_chromium_cookies

    user_agent = FALLBACK_USER_AGENT
    cookie_file = write_chromium_cookies(os.path.join(directory, "Default", "Cookies"), api.web_cookies(user_agent))
    say(f"{why}, so the demo wrote a Chromium-format cookie database itself, encrypted as Chromium's basic store does")
    return str(cookie_file), user_agent


SAMPLE_PROTOTYPE = '''\
"""A weekend prototype: ask Grok through my browser session."""
import browser_cookie3
import requests

API_KEY = "{key}"  # tried the API too

cookies = browser_cookie3.chrome(domain_name="grok.com")
reply = requests.post("https://grok.com/rest/app-chat/conversations/new", cookies=cookies,
                      json={{"message": "hello", "modelName": "grok-4", "temporary": True}})
print("using key", API_KEY)
'''


def _migration_scan(directory: str, say: Callable[[str], None]) -> None:
    """Write a sample cookie prototype (with a throwaway key in it) and show what `migrate` finds."""
    from ..migrate import scan
    from ..migrate.report import render_text

    os.makedirs(directory)
    script = os.path.join(directory, "grok_prototype.py")
    with open(script, "w", encoding="utf-8") as file:
        file.write(SAMPLE_PROTOTYPE.format(key=make_test_key()))
    result = scan([script], relative_to=directory)
    for line in render_text(result).splitlines():  # exactly what `cookie-session migrate grok_prototype.py` prints
        say(line)
    say("`cookie-session migrate` exits 1 until they are fixed; `--diff` shows the rewrite, `--fix` applies it")
