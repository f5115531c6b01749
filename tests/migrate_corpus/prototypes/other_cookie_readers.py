import importlib
import logging

from pycookiecheat import chrome_cookies
import rookiepy
from yt_dlp.cookies import extract_cookies_from_browser
from yt_dlp import YoutubeDL, cookies as ytc
import requests
from requests.utils import cookiejar_from_dict

log = logging.getLogger(__name__)
bc3 = importlib.import_module("browser_cookie3")


def fetch(url):
    jar = cookiejar_from_dict(chrome_cookies("https://grok.com"))
    log.debug("cookies: %s", jar)
    return requests.get(url, cookies=jar).text


def rookie():
    return rookiepy.firefox(["grok.com"])
