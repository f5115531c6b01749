"""One question, one answer: the Cookie header by hand, the final message from the last line."""
from cookie_session import GrokClient, resolve_authenticator


def main():
    reply = GrokClient(resolve_authenticator()).chat("Say hi", model="grok-3")
    print(reply.text)


main()
