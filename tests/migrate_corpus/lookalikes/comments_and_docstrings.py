"""Migration notes: we used to `import browser_cookie3` and send `Cookie: sso=...` to grok.com/rest/app-chat.

Then we passed --unsafe-browser-cookies and --auth browser, and set
COOKIE_SESSION_UNSAFE_BROWSER_COOKIES=i-understand-the-risks. BrowserCookieAuthenticator( is gone.
"""
import os

# import browser_cookie3
# headers = {"Cookie": "sso=..."}
# resolve_authenticator(auth="browser", unsafe_browser_cookies=True)
# subprocess.run(["cookie-session", "chat", "--unsafe-browser-cookies"])

from cookie_session import ApiKeyAuthenticator, GrokClient, Secret, resolve_authenticator


class Client:
    """Wraps GrokClient; no more sso / sso-rw / cf_clearance cookies, no print(api_key)."""

    def __init__(self, unsafe):
        self.auth = resolve_authenticator(unsafe_browser_cookies=unsafe)  # taken from a CLI flag: fine
        self.off = resolve_authenticator(unsafe_browser_cookies=False)
        self.key_auth = ApiKeyAuthenticator(os.environ["XAI_API_KEY"])
        self.client = GrokClient(self.key_auth)


def ask(client, prompt):
    '''Print the answer token by token; the key is never printed.'''
    usage = client.chat(prompt).usage
    print(usage.total_tokens, usage.prompt_tokens)
    for token in client.chat(prompt, stream=True):
        print(token, end="")
    print(client.authenticator.describe())
    print(os.environ.get("XAI_BASE_URL"))
    print(Secret(os.environ["XAI_API_KEY"]).fingerprint)
    print("api_key_blocked:", client.whoami().api_key_blocked)
    print(len(os.environ["XAI_API_KEY"]))
    return usage
