"""Translate a sentence with Grok; fail loudly when grok.com says no."""
import json
import sys

import browser_cookie3
import requests

URL = "https://grok.com/rest/app-chat/conversations/new"


def translate(sentence, language="French"):
    jar = browser_cookie3.chrome(domain_name="grok.com")
    prompt = f"Translate into {language}, answer with the translation only: {sentence}"
    r = requests.post(URL, cookies=jar, json={"message": prompt, "modelName": "grok-3"}, stream=True)
    if r.status_code != 200:
        raise RuntimeError(f"grok.com answered {r.status_code}: {r.text[:200]}")
    words = []
    for line in r.iter_lines(decode_unicode=True):
        if not line:
            continue
        token = json.loads(line).get("result", {}).get("response", {}).get("token")
        if token:
            words.append(token)
            sys.stdout.write(".")
            sys.stdout.flush()
    print()
    return "".join(words)


print(translate(" ".join(sys.argv[1:]) or "Good morning"))
