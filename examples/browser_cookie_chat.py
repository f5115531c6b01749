"""Ask Grok one question through the grok.com session of your local browser. UNSAFE: read WARNING.md.

    python examples/browser_cookie_chat.py "What is a bearer token?"

Local machines only: it refuses in CI, over SSH and in containers. The calling code is the same as
examples/api_key_chat.py; only the configuration line differs. When it works, switch to the API key.
"""

import sys

from cookie_session import CookieSessionError, GrokClient, resolve_authenticator


def main(prompt: str) -> int:
    try:
        # Configuration: which credential to use. Everything below is the same for any authenticator.
        authenticator = resolve_authenticator(auth="browser", unsafe_browser_cookies=True)

        with GrokClient(authenticator) as client:
            for piece in client.chat(prompt, stream=True):
                print(piece, end="", flush=True)
            print()
            print(f"-- answered through {authenticator.describe()}", file=sys.stderr)
    except CookieSessionError as error:
        print(f"Error: {error}", file=sys.stderr)
        return error.exit_code
    return 0


if __name__ == "__main__":
    raise SystemExit(main(" ".join(sys.argv[1:]) or "Say hello in five words."))
