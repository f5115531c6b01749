import os
import subprocess

from cookie_session import BrowserCookieAuthenticator, GrokClient, resolve_authenticator

os.environ["COOKIE_SESSION_UNSAFE_BROWSER_COOKIES"] = "i-understand-the-risks"


def via_browser():
    authenticator = BrowserCookieAuthenticator("firefox", unsafe_browser_cookies=True)
    with GrokClient(authenticator) as client:
        return client.chat("hi").text


def via_chain():
    return resolve_authenticator(auth="browser", unsafe_browser_cookies=True)


def via_cli(prompt):
    subprocess.run(["cookie-session", "chat", "--auth", "browser", "--unsafe-browser-cookies", prompt], check=True)
    subprocess.run(f"cookie-session chat --unsafe-browser-cookies {prompt!r}", shell=True, check=True)


SETTINGS = {"unsafe_browser_cookies": True}
