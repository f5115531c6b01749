#!/usr/bin/env python3
"""grok-cli: ask Grok a question from the terminal, using the session of my Chrome profile.

Usage: python ask_and_print.py "why is the sky blue?"
"""
import json
import sys

import browser_cookie3
import requests

GROK_URL = "https://grok.com/rest/app-chat/conversations/new"
HEADERS = {
    "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36",
    "Content-Type": "application/json",
}


def ask(question):
    cookies = browser_cookie3.chrome(domain_name="grok.com")
    payload = {
        "message": question,
        "modelName": "grok-3",
        "temporary": True,
        "fileAttachments": [],
        "imageAttachments": [],
        "disableSearch": False,
        "enableImageGeneration": False,
    }
    resp = requests.post(GROK_URL, headers=HEADERS, cookies=cookies, json=payload, stream=True, timeout=120)
    resp.raise_for_status()
    full = ""
    for line in resp.iter_lines():
        if not line:
            continue
        try:
            chunk = json.loads(line)
        except json.JSONDecodeError:
            continue
        token = chunk.get("result", {}).get("response", {}).get("token")
        if token:
            print(token, end="", flush=True)
            full += token
    print()
    return full


if __name__ == "__main__":
    answer = ask(sys.argv[1] if len(sys.argv) > 1 else "What is the capital of France?")
    with open("last_answer.txt", "w") as out:
        out.write(answer)
    print(f"({len(answer)} characters saved to last_answer.txt)")
