"""Ask Grok with my logged-in browser session (prototype).

Reads the sso cookie with browser_cookie3 and posts to grok.com/rest/app-chat.
"""
import json

import browser_cookie3
import requests

GROK = "https://grok.com/rest/app-chat/conversations/new"


def ask(prompt):
    jar = browser_cookie3.chrome(domain_name=".grok.com")
    sso = next(c.value for c in jar if c.name == "sso")
    cookies = {"sso": sso, "sso-rw": sso}
    reply = requests.post(GROK, json={"message": prompt}, cookies=cookies)
    print(cookies)
    return json.loads(reply.text.splitlines()[-1])


def ask_with_header(prompt, sso):
    headers = {"Cookie": f"sso={sso}; cf_clearance=abc"}
    return requests.post(GROK, json={"message": prompt}, headers=headers)


def ask_again(session, prompt, clearance):
    session.headers["Cookie"] = "sso=" + clearance
    session.cookies.set("cf_clearance", clearance, domain=".grok.com")
    return session.post(GROK, json={"message": prompt})
