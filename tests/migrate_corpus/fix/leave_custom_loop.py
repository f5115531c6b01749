"""Saves every raw event: the loop does more than read the answer, so --fix must not touch it."""
import json

import browser_cookie3
import requests


def ask(prompt, log):
    jar = browser_cookie3.chrome(domain_name="grok.com")
    reply = requests.post("https://grok.com/rest/app-chat/conversations/new", cookies=jar,
                          json={"message": prompt, "modelName": "grok-4"})
    for line in reply.iter_lines():
        log.write(line + b"\n")
        data = json.loads(line)
        if "conversation" in data.get("result", {}):
            return data["result"]["conversation"]["conversationId"]
