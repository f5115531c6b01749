import os

import requests
from cookie_session import ApiKeyAuthenticator, resolve_authenticator

API_KEY = resolve_authenticator(auth="api-key").api_key.reveal()
BASE = os.environ.get("XAI_BASE_URL", "https://api.x.ai/v1")


def chat(prompt):
    reply = requests.post(f"{BASE}/chat/completions",
                          auth=ApiKeyAuthenticator(API_KEY), headers={"Content-Type": "application/json"},
                          json={"model": "grok-4", "messages": [{"role": "user", "content": prompt}]})
    reply.raise_for_status()
    return reply.json()["choices"][0]["message"]["content"]


print(chat("Name a prime number."))
