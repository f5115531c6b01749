import os

import requests

API_KEY = "{{STANDIN_KEY}}"
BASE = os.environ.get("XAI_BASE_URL", "https://api.x.ai/v1")


def chat(prompt):
    reply = requests.post(f"{BASE}/chat/completions",
                          headers={"Authorization": f"Bearer {API_KEY}", "Content-Type": "application/json"},
                          json={"model": "grok-4", "messages": [{"role": "user", "content": prompt}]})
    reply.raise_for_status()
    return reply.json()["choices"][0]["message"]["content"]


print(chat("Name a prime number."))
