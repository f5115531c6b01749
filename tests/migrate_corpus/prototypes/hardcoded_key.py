import logging
import os

import requests

API_KEY = "{{XAI_KEY}}"
BACKUP = '{{XAI_KEY}}'  # the old one
# keep for later: {{XAI_KEY}}
OTHER_TOKEN = "Bearer {{TOKEN}}"

logger = logging.getLogger("proto")


def headers():
    return {"Authorization": f"Bearer {API_KEY}"}


def headers_old(key):
    return {"Authorization": "Bearer " + key}


def debug():
    key = os.environ["XAI_API_KEY"]
    print("using", key)
    logger.info("key is %s", os.getenv("XAI_API_KEY"))
    print(f"api key: {API_KEY!r}")


def chat(prompt):
    return requests.post("https://api.x.ai/v1/chat/completions", headers=headers(),
                         json={"model": "grok-4", "messages": [{"role": "user", "content": prompt}]})
