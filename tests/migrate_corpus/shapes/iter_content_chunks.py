import json

import browser_cookie3
import requests


def main():
    jar = browser_cookie3.load(domain_name="grok.com")
    r = requests.post("https://grok.com/rest/app-chat/conversations/new", cookies=jar, stream=True,
                      json={"message": "Give me three words that rhyme with cat.", "modelName": "grok-3"})
    r.raise_for_status()
    buffer, out = "", []
    for chunk in r.iter_content(chunk_size=None, decode_unicode=True):
        buffer += chunk
        while "\n" in buffer:
            line, buffer = buffer.split("\n", 1)
            if line.strip():
                word = json.loads(line).get("result", {}).get("response", {}).get("token")
                if word:
                    out.append(word)
    print("".join(out).strip())


main()
