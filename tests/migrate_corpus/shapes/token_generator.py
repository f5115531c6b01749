import json
import sys

import rookiepy
import requests

URL = "https://grok.com/rest/app-chat/conversations/new"
UA = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"


def stream_answer(prompt):
    """Yield the answer's tokens as grok.com sends them."""
    jar = rookiepy.chrome(["grok.com"])
    header = "; ".join(f"{c['name']}={c['value']}" for c in jar)
    with requests.post(URL, headers={"Cookie": header, "User-Agent": UA},
                       json={"message": prompt, "modelName": "grok-3"}, stream=True) as r:
        r.raise_for_status()
        for line in r.iter_lines():
            if line:
                obj = json.loads(line.decode("utf-8"))
                tok = obj["result"].get("response", {}).get("token")
                if tok:
                    yield tok


def main():
    count = 0
    for piece in stream_answer("Count from one to five in words."):
        sys.stdout.write(piece)
        sys.stdout.flush()
        count += 1
    sys.stdout.write("\n")
    print(f"[{count} pieces]", file=sys.stderr)


main()
