"""Ask Grok one question with the official API key.

    export XAI_API_KEY=xai-...        # or put it in ./.env
    python examples/api_key_chat.py "What is a bearer token?"

Offline, against the local stand-in:  cookie-session serve   (then export what it prints)
"""

import sys

from cookie_session import CookieSessionError, GrokClient, resolve_authenticator


def main(prompt: str) -> int:
    try:
        # Configuration: which credential to use. Everything below is the same for any authenticator.
        authenticator = resolve_authenticator(auth="api-key")

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
