from cookie_session import GrokClient, resolve_authenticator

PROMPT = "Write a haiku about cookies."
r = GrokClient(resolve_authenticator()).chat(PROMPT, model="grok-4", stream=True)
for piece in r:
    print(piece, end="", flush=True)
print()
