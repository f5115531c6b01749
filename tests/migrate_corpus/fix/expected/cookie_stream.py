from cookie_session import GrokClient, resolve_authenticator

PROMPT = "Write a haiku about cookies."
with GrokClient(resolve_authenticator(auth="api-key")) as client:
    for piece in client.chat(PROMPT, model="grok-4", stream=True):
        print(piece, end="", flush=True)
print()
