"""Quiz bot: loads my grok.com cookies once and hands them to every question."""
import argparse
import json

import browser_cookie3
import requests

API = "https://grok.com/rest/app-chat/conversations/new"


def load_cookies(browser="chrome"):
    loader = getattr(browser_cookie3, browser)
    return loader(domain_name="grok.com")


def ask(question, cookies, model="grok-3"):
    body = {"message": question, "modelName": model, "temporary": True}
    resp = requests.post(API, cookies=cookies, json=body, timeout=90)
    resp.raise_for_status()
    answer = ""
    for line in resp.iter_lines():
        if not line:
            continue
        token = json.loads(line).get("result", {}).get("response", {}).get("token") or ""
        answer += token
    return answer.strip()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("questions", nargs="*", default=["What is 6 x 7?", "Name a planet."])
    args = parser.parse_args()
    cookies = load_cookies()
    for number, question in enumerate(args.questions, 1):
        print(f"Q{number}: {question}")
        print(f"A{number}: {ask(question, cookies)}")


if __name__ == "__main__":
    main()
