"""One question, one answer: the Cookie header by hand, the final message from the last line."""
import json

import requests
from pycookiecheat import chrome_cookies

CHAT = "https://grok.com/rest/app-chat/conversations/new"


def main():
    cookies = chrome_cookies("https://grok.com")
    header = "; ".join(f"{name}={value}" for name, value in cookies.items())
    reply = requests.post(CHAT, headers={"Cookie": header}, json={"message": "Say hi", "modelName": "grok-3"})
    last = reply.text.strip().splitlines()[-1]
    print(json.loads(last)["result"]["response"]["modelResponse"]["message"])


main()
