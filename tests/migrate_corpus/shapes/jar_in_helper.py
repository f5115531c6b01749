"""Helpers for my Grok experiments: the cookie jar comes from one function, the chat from another."""
import json

import requests
from pycookiecheat import chrome_cookies

ENDPOINT = "https://grok.com/rest/app-chat/conversations/new"


def grok_cookies():
    """The grok.com cookies of my default Chrome profile."""
    return chrome_cookies("https://grok.com")


def cookie_header():
    jar = grok_cookies()
    return "; ".join(f"{name}={value}" for name, value in jar.items())


def chat(prompt):
    headers = {"Cookie": cookie_header(), "Content-Type": "application/json"}
    reply = requests.post(ENDPOINT, headers=headers, data=json.dumps({"message": prompt, "modelName": "grok-3"}))
    reply.raise_for_status()
    parts = []
    for line in reply.text.splitlines():
        data = json.loads(line)
        token = data.get("result", {}).get("response", {}).get("token")
        if token:
            parts.append(token)
    return "".join(parts)


if __name__ == "__main__":
    for question in ("Name a colour.", "Name a fruit."):
        print(question, "->", chat(question))
