"""List the models my key can use, through one session."""
import os

import requests

BASE = os.environ.get("XAI_BASE_URL", "https://api.x.ai/v1")
KEY = os.environ["XAI_API_KEY"]

api = requests.Session()
api.headers.update({"Authorization": f"Bearer {KEY}"})
api.headers["Accept"] = "application/json"


def model_ids():
    reply = api.get(f"{BASE}/models", timeout=30)
    reply.raise_for_status()
    return sorted(model["id"] for model in reply.json()["data"])


print(", ".join(model_ids()))
