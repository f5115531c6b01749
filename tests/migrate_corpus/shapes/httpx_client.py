"""The same prototype with httpx, because requests kept timing out on long answers."""
import json
import os

import httpx

SSO = os.environ.get("GROK_SSO", "")
BASE = "https://grok.com"


def ask(question: str) -> str:
    r = httpx.post(
        f"{BASE}/rest/app-chat/conversations/new",
        json={"message": question, "modelName": "grok-3", "temporary": True},
        cookies={"sso": SSO, "sso-rw": SSO},
        timeout=120.0,
    )
    r.raise_for_status()
    answer = ""
    for line in r.text.splitlines():
        line = line.strip()
        if not line:
            continue
        token = json.loads(line).get("result", {}).get("response", {}).get("token")
        if token:
            answer += token
    return answer


print(ask("What is 2 + 2?"))
