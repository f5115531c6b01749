import json

import browser_cookie3
import httpx

cookies = {c.name: c.value for c in browser_cookie3.chrome(domain_name=".grok.com")}
with httpx.stream("POST", "https://grok.com/rest/app-chat/conversations/new", cookies=cookies,
                  json={"message": "Tell me a one-line joke.", "modelName": "grok-3"}) as response:
    response.raise_for_status()
    for line in response.iter_lines():
        if not line.strip():
            continue
        data = json.loads(line)
        token = data.get("result", {}).get("response", {}).get("token")
        if token:
            print(token, end="", flush=True)
print()
