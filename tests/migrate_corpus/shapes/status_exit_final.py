"""Ask Grok one question from the command line; exit 3 when grok.com refuses (my cron job alerts on that)."""
import json
import sys

import requests
from pycookiecheat import chrome_cookies

URL = "https://grok.com/rest/app-chat/conversations/new"


def main(question):
    cookies = chrome_cookies("https://grok.com")
    r = requests.post(URL, cookies=cookies, json={"message": question, "modelName": "grok-3", "temporary": True})
    if not r.ok:
        print("no answer today", flush=True)
        print(f"grok.com refused ({r.status_code}): {r.text[:120]}", file=sys.stderr)
        raise SystemExit(3)
    last = r.text.strip().splitlines()[-1]
    print("Grok:", json.loads(last)["result"]["response"]["modelResponse"]["message"])


if __name__ == "__main__":
    main(" ".join(sys.argv[1:]) or "What is 2 + 2?")
