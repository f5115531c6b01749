import os
import subprocess

from cookie_session import GrokClient, resolve_authenticator

os.environ["COOKIE_SESSION_UNSAFE_BROWSER_COOKIES"] = "i-understand-the-risks"


def run(prompt):
    authenticator = resolve_authenticator(auth="browser", unsafe_browser_cookies=True)
    with GrokClient(authenticator) as client:
        return client.chat(prompt).text


def run_cli(prompt):
    subprocess.run(["cookie-session", "chat", "--auth", "browser", "--unsafe-browser-cookies", prompt], check=True)


SETTINGS = {"unsafe_browser_cookies": True, "model": "grok-4"}
print(run("Is this still local?"))
