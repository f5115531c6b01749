"""Running a prototype before and after `migrate --fix`: the original against the stand-in's grok.com side (its
browser-cookie reader and its grok.com traffic redirected there by a shim), the fixed script against the
stand-in's API side with only `XAI_API_KEY` and `XAI_BASE_URL`. docs/fix-equivalence.md says what must match.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import requests
from paths import REPO

#: The grok.com checks the before-run switches off on the stand-in. The prototypes predate grok.com's anti-bot
#: checks (they send their own User-Agent and Origin, no signed statsig) and call the legacy REST chat, which
#: today's grok.com answers "please update your client" (`legacy_chat` serves them the old NDJSON answer).
STANDIN_RELAX: tuple[str, ...] = ("cloudflare", "statsig", "origin", "legacy_chat")

#: Modules the shim stands in for in the before-run: browser-cookie readers (returning the stand-in's session),
#: and httpx (not a dependency of this project) over requests.
_SHIM = """
import json, os
import requests
from requests.cookies import RequestsCookieJar

_COOKIES = json.loads(os.environ["SHIM_COOKIES"])
_WEB = os.environ["SHIM_WEB"]


class _Cookie:
    def __init__(self, name, value):
        self.name, self.value, self.domain = name, value, ".grok.com"


def _jar(*args, **kwargs):
    jar = RequestsCookieJar()
    for name, value in _COOKIES.items():
        jar.set(name, value, domain="127.0.0.1", path="/")
    return jar


chrome = firefox = load = edge = brave = _jar


def chrome_cookies(url, *args, **kwargs):
    return dict(_COOKIES)


_request = requests.Session.request


def _to_standin(self, method, url, *args, **kwargs):
    url = str(url)
    if url.startswith("https://grok.com/"):
        url = _WEB + url[len("https://grok.com"):]
        headers = {k: v for k, v in (kwargs.get("headers") or {}).items() if k.lower() != "cookie"}
        kwargs["headers"] = headers
        kwargs["cookies"] = dict(_COOKIES)  # the stand-in's session, whatever the script pasted or read
        self.cookies.clear()
        self.headers.pop("Cookie", None)
    return _request(self, method, url, *args, **kwargs)


requests.Session.request = _to_standin
"""
_ROOKIEPY = """
import json, os
_COOKIES = json.loads(os.environ["SHIM_COOKIES"])


def chrome(domains=None):
    return [{"name": n, "value": v, "domain": ".grok.com"} for n, v in _COOKIES.items()]


firefox = load = chrome
"""
_HTTPX = """
import contextlib
import requests


class HTTPStatusError(Exception):
    pass


class Response:
    def __init__(self, reply):
        self._reply = reply
        self.status_code = reply.status_code

    @property
    def text(self):
        return self._reply.text

    def iter_lines(self):
        for line in self._reply.iter_lines(decode_unicode=True):
            yield line

    def json(self):
        return self._reply.json()

    def raise_for_status(self):
        if self.status_code >= 400:
            raise HTTPStatusError(f"Client error '{self.status_code}' for url '{self._reply.url}'")
        return self


def _send(method, url, *, json=None, cookies=None, headers=None, timeout=None, stream=False, **_):
    reply = requests.request(method, str(url), json=json, cookies=cookies, headers=headers, stream=stream)
    return Response(reply)


def post(url, **kwargs):
    return _send("POST", url, **kwargs)


@contextlib.contextmanager
def stream(method, url, **kwargs):
    yield _send(method, url, stream=True, **kwargs)


class Client:
    def __init__(self, *, cookies=None, headers=None, timeout=None, **_):
        self._defaults = {"cookies": cookies, "headers": headers}

    def _merged(self, kwargs):
        return {**{k: v for k, v in self._defaults.items() if v is not None}, **kwargs}

    def post(self, url, **kwargs):
        return _send("POST", url, **self._merged(kwargs))

    def stream(self, method, url, **kwargs):
        return stream(method, url, **self._merged(kwargs))

    def close(self):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
"""


def clean_environment(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy") and not k.startswith("XAI_")}
    return {**env, "NO_PROXY": "127.0.0.1", **extra}


def run_original(script: Path, standin, shim: Path, *args: str) -> subprocess.CompletedProcess:
    """The prototype as written: its browser reader and its grok.com traffic go to the stand-in's web side."""
    standin.relax(*STANDIN_RELAX)
    shim.mkdir(exist_ok=True)
    cookies = {c.name: c.value for c in standin.web_cookies(requests.utils.default_user_agent())}
    for module, text in {
        "browser_cookie3": _SHIM,
        "pycookiecheat": _SHIM,
        "rookiepy": _ROOKIEPY,
        "httpx": _HTTPX,
        "sitecustomize": "import browser_cookie3  # patches requests to reach the stand-in\n",
    }.items():
        (shim / f"{module}.py").write_text(text)
    env = clean_environment(
        PYTHONPATH=os.pathsep.join([str(shim), str(REPO)]),
        SHIM_COOKIES=json.dumps(cookies),
        SHIM_WEB=standin.web_base_url,
        XAI_BASE_URL=standin.base_url,
        XAI_API_KEY=standin.api_key,  # read by the prototypes that already take the key
    )
    return _run(script, env, args)


def run_fixed(script: Path, standin, *args: str, key: str | None = None) -> subprocess.CompletedProcess:
    """The fixed script with only XAI_API_KEY (the stand-in's, or `key`; "" leaves it unset) and XAI_BASE_URL."""
    key = standin.api_key if key is None else key
    env = clean_environment(
        PYTHONPATH=str(REPO), XAI_BASE_URL=standin.base_url, **({"XAI_API_KEY": key} if key else {})
    )
    return _run(script, env, args)


def _run(script: Path, env: dict[str, str], args) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(script), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        cwd=script.parent,
        check=False,
    )


def last_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    return lines[-1] if lines else ""
