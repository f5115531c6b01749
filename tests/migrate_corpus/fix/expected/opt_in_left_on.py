import subprocess

from cookie_session import GrokClient, resolve_authenticator


def run(prompt):
    authenticator = resolve_authenticator()
    with GrokClient(authenticator) as client:
        return client.chat(prompt).text


def run_cli(prompt):
    subprocess.run(["cookie-session", "chat", prompt], check=True)


SETTINGS = {"model": "grok-4"}
print(run("Is this still local?"))
