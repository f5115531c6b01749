"""One question, one answer: the Cookie header by hand, the final message from the last line."""
from cookie_session import GrokClient, resolve_authenticator


def main():
    with GrokClient(resolve_authenticator(auth="api-key")) as client:
        reply = client.chat("Say hi", model="grok-3")
    print(reply.text)


main()
