"""Ask Grok through my logged-in browser session (weekend prototype)."""
import sys
from cookie_session import GrokClient, resolve_authenticator


def ask(prompt):
    answer = ""
    with GrokClient(resolve_authenticator(auth="api-key")) as client:
        for token in client.chat(prompt, model="grok-3", stream=True):
            if token:
                answer += token
    return answer


if __name__ == "__main__":
    print(ask(sys.argv[1] if len(sys.argv) > 1 else "What is the capital of France?"))
