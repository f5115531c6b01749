import json
import sys

import browser_cookie3
import requests

jar = browser_cookie3.chrome(domain_name=".grok.com")
r = requests.post("https://grok.com/rest/app-chat/conversations/new", cookies=jar,
                  json={"message": "ping", "modelName": "grok-3"})
if r.status_code != 200:
    print("grok.com said", r.status_code, file=sys.stderr)
    sys.exit(2)
for line in r.text.splitlines():
    token = json.loads(line).get("result", {}).get("response", {}).get("token")
    if token:
        print(token, end="")
print()
