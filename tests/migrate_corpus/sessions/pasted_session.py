"""Talk to grok.com with the cookies I copied from DevTools (Application > Cookies)."""
import requests

# copied 2026-11-30, lasts a month
SSO = "{{SSO}}"
HEADERS = {
    "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36",
    "Cookie": "sso={{SSO}}; sso-rw={{SSO}}; cf_clearance={{CLEARANCE}}",
}
COOKIES = {"sso": SSO, "cf_clearance": "{{CLEARANCE}}"}


def ask(prompt):
    reply = requests.post("https://grok.com/rest/app-chat/conversations/new", headers=HEADERS,
                          json={"message": prompt, "modelName": "grok-3"})
    return reply.text
