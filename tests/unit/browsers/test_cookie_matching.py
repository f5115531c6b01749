"""Every cookie the browser would send, and nothing else (RFC 6265), on grok.com and on a loopback stand-in.

The stand-in is a real loopback server; what it records is what went over the socket.
"""

import json
import time

import pytest
import requests
from browser_fixtures import make_chromium_db
from cli_runner import run_cli
from quiet_auth import quiet_browser_auth

from cookie_session.auth import cookie_rules
from cookie_session.auth.browser import sent_with
from cookie_session.client import GrokClient
from cookie_session.testing.standin import StandIn, StandInCookie, answer_for
from cookie_session.user_agents import user_agent_for

UA = user_agent_for("chromium", 156, "linux", browser="chrome")
LATER = time.time() + 86400
#: Cookies a browser may hold beside the session: (cookie, sent to https://grok.com/rest/...?)
NEIGHBOURS = [
    (StandInCookie("sso", "from-x-ai-" + "x" * 30, domain=".x.ai", expires=LATER), False),
    (StandInCookie("other-sub", "o" * 20, domain="accounts.grok.com", expires=LATER), False),
    (StandInCookie("elsewhere", "p" * 20, domain=".grok.com", path="/other", expires=LATER), False),
    (StandInCookie("brand-new-name", "n" * 20, domain=".grok.com", secure=False, expires=LATER), True),
    (StandInCookie("host-only-grok", "h" * 20, domain="grok.com", expires=LATER), True),
    (StandInCookie("under-rest", "r" * 20, domain=".grok.com", path="/rest", expires=LATER), True),
]


def build(items, **kwargs):
    return quiet_browser_auth(items, user_agent=UA, environ={}, **kwargs)


def cookie_pairs(header: str | None) -> list[tuple[str, str]]:
    return [tuple(part.split("=", 1)) for part in (header or "").split("; ") if part]


def sent_to(auth, url) -> list[tuple[str, str]]:
    return cookie_pairs(requests.Request("POST", url, json={}, auth=auth).prepare().headers.get("Cookie"))


@pytest.fixture
def web():
    with StandIn() as server:
        yield server


def test_a_stand_in_receives_exactly_what_grok_com_would(web):
    session = web.web_cookies(UA)
    auth = build(session + [cookie for cookie, _ in NEIGHBOURS])
    with GrokClient(auth, web_base_url=web.web_base_url) as client:
        assert client.chat("hi").text == answer_for("hi")
    received = cookie_pairs(next(h for _m, path, h in web.requests if path == "/rest/modes")["Cookie"])
    expected = {(c.name, c.value) for c in session} | {(c.name, c.value) for c, sent in NEIGHBOURS if sent}
    gateway = cookie_pairs(next(h for _m, path, h in web.requests if path == "/ws/mgw/")["Cookie"])
    assert set(gateway) == expected - {("under-rest", "r" * 20)}  # its path is /rest: not sent to /ws/mgw/
    assert set(received) == expected
    assert len(received) == len(expected)  # no name twice: one sso, the grok.com one
    assert dict(received)["sso"] == next(c.value for c in session if c.name == "sso")
    assert received[0][0] == "under-rest"  # RFC 6265 5.4: the longer path first
    assert {"__cf_bm", "_cfuvid", "cf_clearance"} <= dict(received).keys()  # Cloudflare's cookies too
    assert sent_to(auth, f"{web.web_base_url}/rest/models") == sent_to(auth, "https://grok.com/rest/models")


def test_rfc_6265_rules_on_real_grok_com_hosts():
    secure = StandInCookie("secure-one", "s" * 20, domain=".grok.com", secure=True, expires=LATER)
    auth = build([StandInCookie("sso", "S" * 43, expires=LATER), secure] + [c for c, _ in NEIGHBOURS])
    over_http = dict(sent_to(auth, "http://grok.com/rest/models"))
    assert "secure-one" not in over_http and "sso" not in over_http and "brand-new-name" in over_http
    assert "secure-one" in dict(sent_to(auth, "https://grok.com/rest/models"))
    assert "elsewhere" in dict(sent_to(auth, "https://grok.com/other/page"))
    assert "elsewhere" not in dict(sent_to(auth, "https://grok.com/otherwise"))
    sub = dict(sent_to(auth, "https://accounts.grok.com/"))
    assert "other-sub" in sub and "host-only-grok" not in sub and "sso" in sub
    assert sent_to(auth, "https://x.ai/") == [] and sent_to(auth, "https://evil-grok.com/") == []


def test_a_cookie_that_expires_while_the_script_runs_is_no_longer_sent(monkeypatch):
    auth = build(
        [StandInCookie("sso", "S" * 43, expires=LATER), StandInCookie("short", "t" * 20, expires=time.time() + 60)]
    )
    assert "short" in dict(sent_to(auth, "https://grok.com/rest/models"))
    later = time.time() + 120
    monkeypatch.setattr(cookie_rules.time, "time", lambda: later)
    assert "short" not in dict(sent_to(auth, "https://grok.com/rest/models"))


def test_sent_with_is_the_rule_the_authenticator_applies():
    for cookie, sent in NEIGHBOURS:
        assert sent_with(cookie, "https://grok.com/rest/app-chat/conversations/new") is sent, cookie.name


def test_cookies_lists_every_grok_and_x_ai_cookie_and_whether_grok_com_gets_it(tmp_path, laptop):
    rows = [
        {"host": ".grok.com", "name": "sso", "value": "S" * 43, "expires": LATER},
        {"host": ".x.ai", "name": "sso", "value": "X" * 43, "expires": LATER},
        {"host": "accounts.grok.com", "name": "sub-only", "value": "a" * 10, "expires": LATER},
        {
            "host": ".grok.com",
            "name": "i18nextLng",
            "value": "en",
            "expires": LATER,
            "httponly": False,
            "secure": False,
        },
        {"host": ".grok.com", "name": "deep", "value": "d" * 12, "path": "/other", "expires": None},
        {"host": ".grok.com", "name": "rest-only", "value": "r" * 12, "path": "/rest", "expires": LATER},
        {"host": ".grok.com", "name": "restx-only", "value": "q" * 12, "path": "/restx", "expires": LATER},
    ]
    db = make_chromium_db(tmp_path / "Default" / "Cookies", rows)
    result = run_cli("cookies", "--unsafe-browser-cookies", "--cookie-file", str(db), "--json")
    assert result.exit_code == 0, result.output
    listed = {(r["name"], r["domain"]): r for r in json.loads(result.stdout)["cookies"]}
    assert {key: r["sent_to_grok_com"] for key, r in listed.items()} == {
        ("sso", ".grok.com"): True,
        ("sso", ".x.ai"): False,
        ("sub-only", "accounts.grok.com"): False,
        ("i18nextLng", ".grok.com"): True,
        ("deep", ".grok.com"): False,
        ("rest-only", ".grok.com"): True,  # every request the project sends is under /rest/
        ("restx-only", ".grok.com"): False,
    }
    lng = listed[("i18nextLng", ".grok.com")]
    assert (lng["path"], lng["size"], lng["secure"], lng["http_only"]) == ("/", 2, False, False)
    assert listed[("deep", ".grok.com")]["path"] == "/other" and listed[("deep", ".grok.com")]["expires"] is None
    text = run_cli("cookies", "--unsafe-browser-cookies", "--cookie-file", str(db)).stdout
    assert "SENT TO GROK.COM" in text and "secure,http-only" in text
    for value in ("S" * 43, "X" * 43, "d" * 12):
        assert value not in result.output and value not in text
