import logging

import click
import requests

log = logging.getLogger(__name__)

ssome = "ssome"
SSO_ENABLED = "sso_enabled"
LABELS = ["single sign-on (SSO)", "ssome=1", "x-sso=1", "sso-rw-extra", "Set-Cookie: a=b", "cookies"]
URLS = ["https://example.com/rest/v1/items", "https://api.x.ai/v1/chat/completions", "rest/api/2/issue"]
FAKE_KEYS = [
    "{{FAKE_KEY:x*}}",
    "{{FAKE_KEY:EXAMPLE}}",
    "{{FAKE_KEY:test}}",
    "{{FAKE_KEY:0123456789*}}",
    "xai-...",
]
MODES = click.Choice(["auto", "api-key", "browser"])
HINT = "Pass --unsafe-browser-cookies (or --auth browser) only on your own machine."


@click.command()
@click.option("--unsafe-browser-cookies", is_flag=True, help="Like --unsafe-browser-cookies in cookie-session.")
@click.option("--auth", type=MODES, default="auto")
def main(unsafe_browser_cookies, auth):
    """Look-alikes only: nothing here must fire."""
    reply = requests.get("https://api.x.ai/v1/models", cookies=None)
    log.info("status %s, %d tokens", reply.status_code, len(reply.text))
    if reply.headers.get("Cookie") or reply.headers.get("Set-Cookie", "").startswith("Bearer "):
        log.warning("unexpected header")
    log.info("fingerprint %s", key_fingerprint())


def key_fingerprint():
    return "xai-…b14o"
