"""Ask Grok through my logged-in browser session (weekend prototype)."""
import sys
from cookie_session import GrokClient, resolve_authenticator


def ask(prompt):
    reply = GrokClient(resolve_authenticator()).chat(prompt, model="grok-3")
    answer = reply.text
    return answer


if __name__ == "__main__":
    print(ask(sys.argv[1] if len(sys.argv) > 1 else "What is the capital of France?"))
