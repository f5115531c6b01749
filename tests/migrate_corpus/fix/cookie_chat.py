"""Ask Grok through my logged-in browser session (weekend prototype)."""
import json
import sys

import browser_cookie3
import requests

URL = "https://grok.com/rest/app-chat/conversations/new"


def ask(prompt):
    # the sso cookie of my Chrome profile
    jar = browser_cookie3.chrome(domain_name=".grok.com")
    reply = requests.post(URL, cookies=jar, timeout=60,
                          json={"message": prompt, "modelName": "grok-3", "temporary": True})
    answer = ""
    for line in reply.text.splitlines():
        if not line.strip():
            continue
        data = json.loads(line)
        token = data.get("result", {}).get("response", {}).get("token")
        if token:
            answer += token
    return answer


if __name__ == "__main__":
    print(ask(sys.argv[1] if len(sys.argv) > 1 else "What is the capital of France?"))
