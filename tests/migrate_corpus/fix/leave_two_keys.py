import requests

PROD = "{{XAI_KEY}}"
STAGING = "{{XAI_KEY}}"


def headers(production):
    key = PROD if production else STAGING
    return {"Authorization": f"Bearer {key}"}


def models(production=True):
    return requests.get("https://api.x.ai/v1/models", headers=headers(production)).json()
