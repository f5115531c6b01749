import json

import browser_cookie3 as bc
import requests

PROMPT = "Write a haiku about cookies."

jar = bc.firefox(domain_name="grok.com")
cookies = {c.name: c.value for c in jar}
r = requests.post(
    "https://grok.com/rest/app-chat/conversations/new",
    json={"message": PROMPT, "modelName": "grok-4", "temporary": True, "fileAttachments": []},
    cookies=cookies,
    stream=True,
)
for raw in r.iter_lines():
    if not raw:
        continue
    event = json.loads(raw)
    piece = event.get("result", {}).get("response", {}).get("token", "")
    print(piece, end="", flush=True)
print()
