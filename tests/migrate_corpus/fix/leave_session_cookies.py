import browser_cookie3
import requests

session = requests.Session()
session.cookies.update(browser_cookie3.chrome(domain_name="grok.com"))
session.headers["User-Agent"] = "Mozilla/5.0"


def ask(prompt):
    return session.post("https://grok.com/rest/app-chat/conversations/new", json={"message": prompt}).text
