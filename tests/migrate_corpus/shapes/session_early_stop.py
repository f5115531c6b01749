"""Summarise a topic in one short line: stop reading as soon as we have enough text."""
import json

import browser_cookie3
import requests

CHAT = "https://grok.com/rest/app-chat/conversations/new"


def build_payload(text, model="grok-4"):
    return {"message": text, "modelName": model, "temporary": True, "sendFinalMetadata": True}


s = requests.Session()
s.cookies.update(browser_cookie3.firefox(domain_name=".grok.com"))
s.headers.update({"Origin": "https://grok.com", "Referer": "https://grok.com/"})


def headline(topic, limit=40):
    r = s.post(CHAT, json=build_payload(f"One line about {topic}"), stream=True)
    r.raise_for_status()
    text = ""
    for raw in r.iter_lines(decode_unicode=True):
        if raw:
            event = json.loads(raw)
            response = event.get("result", {}).get("response", {})
            if response.get("isThinking"):
                continue
            piece = response.get("token", "")
            text += piece
            if len(text) > limit:
                break
    return text[:limit]


print(headline("cookies"))
