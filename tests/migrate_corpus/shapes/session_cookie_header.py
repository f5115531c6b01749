"""Daily digest: one grok.com answer per topic, my session cookie taken from the environment."""
import json
import os

import requests

session = requests.Session()
session.headers["Cookie"] = f"sso={os.environ.get('GROK_SSO', '')}; sso-rw={os.environ.get('GROK_SSO', '')}"
session.headers["User-Agent"] = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/131.0 Safari/537.36"

TOPICS = ["rust", "python"]


def digest(topic):
    reply = session.post(
        "https://grok.com/rest/app-chat/conversations/new",
        json={"message": f"One sentence of news about {topic}.", "modelName": "grok-3", "isReasoning": False},
    )
    reply.raise_for_status()
    final = reply.text.strip().splitlines()[-1]
    return json.loads(final)["result"]["response"]["modelResponse"]["message"]


for topic in TOPICS:
    print(f"## {topic}")
    print(digest(topic))
