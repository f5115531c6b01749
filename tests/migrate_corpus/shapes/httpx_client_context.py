"""Ask several questions over one httpx connection, with the cookies Firefox holds for grok.com."""
import json

import browser_cookie3
import httpx

QUESTIONS = ["What is the boiling point of water in Celsius?", "How many legs does a spider have?"]


def main():
    jar = browser_cookie3.firefox(domain_name="grok.com")
    cookies = {cookie.name: cookie.value for cookie in jar}
    with httpx.Client(cookies=cookies, timeout=120) as http:
        for question in QUESTIONS:
            with http.stream("POST", "https://grok.com/rest/app-chat/conversations/new",
                             json={"message": question, "modelName": "grok-3", "temporary": True}) as response:
                response.raise_for_status()
                print(f"> {question}")
                for line in response.iter_lines():
                    if not line:
                        continue
                    token = json.loads(line).get("result", {}).get("response", {}).get("token")
                    if token:
                        print(token, end="", flush=True)
                print()


main()
