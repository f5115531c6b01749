"""Start-up: each path loads only what it needs (issue 20 item 8), checked in fresh processes.

- `cookie-session cookies` lists a profile without `requests`, urllib3 or curl_cffi;
- the API-key path never loads curl_cffi;
- the browser path loads curl_cffi at its first HTTPS request, not when the session is prepared.
The times are measured in bench/cli_startup.py (never asserted here).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from browser_fixtures import make_chromium_db

from cookie_session.settings import CONTAINER_ENV_VALUE, CONTAINER_ENV_VAR, UNSAFE_ENV_VALUE, UNSAFE_ENV_VAR

WATCHED = ("requests", "urllib3", "curl_cffi")


def loaded_after(code: str, *args: str) -> dict:
    """Run `code` in a fresh interpreter; it ends by printing json of what it reports in `REPORT`."""
    tail = (
        f"\nimport json, sys\nREPORT['loaded'] = sorted(m for m in {WATCHED!r} if m in sys.modules)"
        "\nprint(json.dumps(REPORT))"
    )
    env = {**os.environ, UNSAFE_ENV_VAR: UNSAFE_ENV_VALUE, CONTAINER_ENV_VAR: CONTAINER_ENV_VALUE}
    out = subprocess.run(
        [sys.executable, "-c", code + tail, *args], capture_output=True, text=True, env=env, timeout=60
    )
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_the_cookies_command_loads_no_http_library(tmp_path):
    cookie_file = make_chromium_db(
        tmp_path / "chromium" / "Default" / "Cookies",
        [
            {"host": ".grok.com", "name": "sso", "value": "s" * 40},
            {"host": ".x.ai", "name": "sso-rw", "value": "r" * 40},
        ],
    )
    code = """
import contextlib, io, runpy, sys
REPORT = {}
sys.argv = ["cookie-session", "cookies", "--cookie-file", sys.argv[1], "--json"]
out = io.StringIO()
with contextlib.redirect_stdout(out):
    try:
        runpy.run_module("cookie_session", run_name="__main__")
    except SystemExit as exit:
        REPORT["exit"] = exit.code
REPORT["names"] = [c["name"] for c in __import__("json").loads(out.getvalue())["cookies"]]
"""
    report = loaded_after(code, str(cookie_file))
    assert report["exit"] in (0, None) and sorted(report["names"]) == ["sso", "sso-rw"]
    assert report["loaded"] == []


def test_the_api_key_path_never_loads_curl_cffi():
    code = """
from cookie_session import GrokClient, ApiKeyAuthenticator
from cookie_session.testing.standin import StandIn
REPORT = {}
with StandIn() as stand_in, GrokClient(ApiKeyAuthenticator(stand_in.api_key), base_url=stand_in.base_url) as client:
    REPORT["text"] = client.chat("hi").text
    client.models()
"""
    report = loaded_after(code)
    assert report["text"] and "curl_cffi" not in report["loaded"]


def test_the_browser_path_loads_curl_cffi_at_its_first_request_not_before():
    code = """
import sys, warnings
import requests
from cookie_session.auth.browser import BrowserCookieAuthenticator
from cookie_session.client import GrokClient
from cookie_session.policy import LocalityVerdict
from cookie_session.testing.standin import StandIn
UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36"
REPORT = {}
warnings.simplefilter("ignore")
with StandIn(web_tls=True) as stand_in:
    auth = BrowserCookieAuthenticator.from_cookies(stand_in.web_cookies(UA), user_agent=UA,
        unsafe_browser_cookies=True, verdict=LocalityVerdict.assume_local())
    session = auth.prepare_session(requests.Session(), base_url=stand_in.web_base_url)
    REPORT["after_prepare"] = "curl_cffi" in sys.modules
    with GrokClient(auth, web_base_url=f"https://localhost:{stand_in.web_port}", verify=stand_in.ca_file) as client:
        REPORT["after_client"] = "curl_cffi" in sys.modules
        REPORT["text"] = client.chat("hello").text
    REPORT["target"] = auth.impersonating
"""
    report = loaded_after(code)
    assert report["after_prepare"] is False and report["after_client"] is False
    assert report["text"] and report["target"] == "chrome152" and "curl_cffi" in report["loaded"]
