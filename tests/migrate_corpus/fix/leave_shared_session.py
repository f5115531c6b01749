"""The session also talks to another host: moving the key onto it as `auth` cannot be proven safe."""
import os

import requests

session = requests.Session()
session.headers["Authorization"] = "Bearer " + os.environ["XAI_API_KEY"]


def models():
    return session.get("https://api.x.ai/v1/models").json()


def status():
    return session.get("https://status.example.com/api").json()
