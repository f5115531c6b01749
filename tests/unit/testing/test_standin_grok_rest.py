"""The stand-in's grok.com HTTP side over real sockets: identity, modes, rate limits, removed and legacy routes,
Cloudflare, origin and each failure switch on `/rest/` and `/api/` (docs/grok-com-rules.md)."""

from __future__ import annotations

import uuid

import pytest
import requests
from gateway_client import login

from cookie_session.testing.pytest_plugin import XaiFailures
from cookie_session.testing.standin import WEB_RULES, StandIn, answer_for

ANTI_BOT = {"error": {"code": 7, "message": "Request rejected by anti-bot rules.", "details": []}}
UPDATE_CLIENT = {"code": 3, "message": "Invalid request. Please update your client", "details": []}
BLOCKED = {"code": 7, "message": "User is blocked [WKE=unauthorized:blocked-user]", "details": []}
OUT_OF_DATE = {"code": 7, "message": "This page is out of date. Reload to continue.", "details": []}
LEGACY_CHAT = "/rest/app-chat/conversations/new"


@pytest.fixture
def web():
    with StandIn() as server:
        yield server


def post(web, path, body, *, who=None, signed=True, **headers):
    who = who or login(web)
    sent = {"User-Agent": who.user_agent, "Cookie": who.cookie_header, **headers}
    if signed:
        sent["x-statsig-id"] = web.sign_statsig("POST", path)
    return requests.post(web.web_base_url + path, json=body, headers=sent)


def auth_session(web, who=None, **headers):
    who = who or login(web)
    sent = {"User-Agent": who.user_agent, "Cookie": who.cookie_header, **headers}
    return requests.get(web.web_base_url + "/api/auth/session", headers=sent)


def test_g10_api_auth_session_says_who_is_logged_in_without_a_statsig(web):
    """G10, G24: authenticated with the user id; unknown or missing sso: unauthenticated (200 both)."""
    who = login(web)
    reply = auth_session(web, who)
    assert reply.status_code == 200
    body = reply.json()
    assert body["status"] == "authenticated"
    assert body["session"]["userId"] == who.user_id == body["user"]["id"] and uuid.UUID(who.user_id)
    assert body["session"]["email"] == "standin-user@example.invalid"
    forged = requests.get(web.web_base_url + "/api/auth/session", headers={"Cookie": "sso=forged"})
    assert (forged.status_code, forged.json()) == (200, {"status": "unauthenticated"})
    assert requests.get(web.web_base_url + "/api/auth/session").json() == {"status": "unauthenticated"}


def test_g11_rest_modes_lists_the_four_modes(web):
    """G11: `POST /rest/modes {"locale": ...}` (any locale) lists fast, auto, expert, heavy."""
    for locale in ("en", "de"):
        reply = post(web, "/rest/modes", {"locale": locale})
        assert reply.status_code == 200
        modes = reply.json()["modes"]
        assert [mode["id"] for mode in modes] == ["fast", "auto", "expert", "heavy"]
        assert all(mode["name"] and mode["description"] for mode in modes)


def test_g12_rate_limits_answer_per_mode_and_refuse_an_unknown_one(web):
    """G12: a mode's window and counts; an old model name or garbage is 400 code 3 (top-level)."""
    for mode in ("fast", "auto", "expert", "heavy"):
        body = post(web, "/rest/rate-limits", {"modelName": mode}).json()
        assert body["windowSizeSeconds"] == 7200 and body["waitTimeSeconds"] == 0
        assert 0 < body["remainingQueries"] <= body["totalQueries"] and body["totalTokens"] >= body["remainingTokens"]
    for wrong in ({"modelName": "grok-3"}, {"requestKind": "DEFAULT"}, {"modelName": 5}):
        reply = post(web, "/rest/rate-limits", wrong)
        assert (reply.status_code, reply.json()) == (400, {"code": 3, "message": "Invalid model name", "details": []})


def test_g13_rest_models_is_gone(web):
    """G13: `POST /rest/models` answers 404 code 5, signed or not."""
    for signed in (True, False):
        reply = post(web, "/rest/models", {}, signed=signed)
        assert (reply.status_code, reply.json()) == (404, {"code": 5, "message": "Not Found", "details": []})


def test_g2_the_legacy_chat_says_update_your_client_unless_relaxed(web):
    """G2: the legacy REST chat is 400 code 3 even with a perfect request; `legacy_chat` relaxed brings back
    the old NDJSON answer for old prototypes."""
    reply = post(web, LEGACY_CHAT, {"modelName": "grok-4", "message": "hi"})
    assert (reply.status_code, reply.json()) == (400, UPDATE_CLIENT)
    web.relax("legacy_chat")
    reply = post(web, LEGACY_CHAT, {"modelName": "grok-4", "message": "hi"})
    assert reply.status_code == 200
    lines = [line for line in reply.text.splitlines() if line]
    final = [line for line in lines if "modelResponse" in line]
    assert final and answer_for("hi") in final[0]
    assert post(web, LEGACY_CHAT, {"modelName": "fast", "message": "hi"}).status_code == 400
    assert "legacy_chat" in WEB_RULES


def test_g2_legacy_chat_failures_still_come_in_stream_when_relaxed():
    """G2, G25: relaxed, the old in-stream code 7 / code 8 errors are still there for old prototypes."""
    with StandIn(relax=("legacy_chat",)) as web:
        for failure, code in (("anti_bot", 7), ("web_rate_limit", 8)):
            web.fail_next(failure)
            reply = post(web, LEGACY_CHAT, {"modelName": "grok-3", "message": "hi"})
            assert reply.status_code == 200 and f'"code": {code}' in reply.text


def test_g19_cloudflare_needs_cf_clearance_from_the_same_user_agent_but_not_cf_bm(web):
    """G19: no `__cf_bm` is fine; another User-Agent or no cf_clearance is the challenge page."""
    who = login(web)
    assert "__cf_bm" not in who.cookie_header
    assert post(web, "/rest/modes", {"locale": "en"}, who=who).status_code == 200
    other_agent = post(web, "/rest/modes", {"locale": "en"}, who=who, **{"User-Agent": "python-requests/2.32"})
    assert other_agent.status_code == 403 and "Just a moment" in other_agent.text
    no_clearance = requests.post(
        web.web_base_url + "/rest/modes",
        json={"locale": "en"},
        headers={
            "User-Agent": who.user_agent,
            "Cookie": f"sso={who.sso}",
            "x-statsig-id": web.sign_statsig("POST", "/rest/modes"),
        },
    )
    assert no_clearance.status_code == 403 and "Just a moment" in no_clearance.text
    web.relax("cloudflare")
    assert post(web, "/rest/modes", {"locale": "en"}, who=who, **{"User-Agent": "python-requests/2.32"}).ok


def test_g22_a_cross_site_origin_is_anti_bot_and_the_own_origin_passes(web):
    """G22: `/rest/` with another site's Origin: 403 code 7; its own origin or none: fine."""
    reply = post(web, "/rest/modes", {"locale": "en"}, Origin="https://evil.example")
    assert (reply.status_code, reply.json()) == (403, ANTI_BOT)
    assert post(web, "/rest/modes", {"locale": "en"}, Origin=web.web_base_url).ok
    assert post(web, "/rest/modes", {"locale": "en"}).ok
    web.relax("origin")
    assert post(web, "/rest/modes", {"locale": "en"}, Origin="https://evil.example").ok


def test_g24_an_unknown_session_is_401_on_rest(web):
    """G24: a forged sso (even without Cloudflare's cookie) is 401 code 16."""
    reply = requests.post(web.web_base_url + "/rest/modes", json={}, headers={"Cookie": "sso=forged"})
    assert (reply.status_code, reply.json()) == (401, {"error": {"code": 16, "message": "Unauthenticated"}})


PLUGIN_NAMES = {"blocked_account": "account_blocked"}


@pytest.mark.parametrize("via", ["fail_next", "xai_failures"])
@pytest.mark.parametrize(
    "failure, status, check",
    [
        ("challenge", 403, lambda r: "Just a moment" in r.text and r.headers["cf-mitigated"] == "challenge"),
        ("challenge_empty", 403, lambda r: r.content == b""),
        ("http_429", 429, lambda r: "Retry-After" not in r.headers),
        ("session_expired", 401, lambda r: r.json()["error"]["code"] == 16),
        ("blocked_account", 403, lambda r: r.json() == BLOCKED),
        ("statsig_stale", 403, lambda r: r.json() == OUT_OF_DATE),
        ("update_client", 400, lambda r: r.json() == UPDATE_CLIENT),
    ],
)
def test_g20_each_rest_failure_switch_answers_the_next_request_only(web, monkeypatch, via, failure, status, check):
    """G20, G21, G23, G24, G16, G2: each switch (from `fail_next` or the pytest plugin's `xai_failures`) fails
    exactly the next `/rest/` request, then all is well."""
    who = login(web)
    if via == "fail_next":
        web.fail_next(failure)
    else:
        getattr(XaiFailures(web, monkeypatch), PLUGIN_NAMES.get(failure, failure))()
    reply = post(web, "/rest/modes", {"locale": "en"}, who=who)
    assert reply.status_code == status and check(reply), reply.text
    assert post(web, "/rest/modes", {"locale": "en"}, who=who).status_code == 200


@pytest.mark.parametrize(
    "failure, status, body",
    [
        ("session_expired", 200, {"status": "unauthenticated"}),
        ("blocked_account", 200, {"status": "blocked"}),
        ("challenge", 403, None),
        ("challenge_empty", 403, None),
    ],
)
def test_g23_api_auth_session_failure_switches(web, failure, status, body):
    """G23, G24, G20: `/api/auth/session` says blocked or unauthenticated, or Cloudflare answers."""
    who = login(web)
    web.fail_next(failure)
    reply = auth_session(web, who)
    assert reply.status_code == status
    if body is not None:
        assert reply.json() == body
    assert auth_session(web, who).json()["status"] == "authenticated"


def test_g20_a_page_fetch_is_never_refused_for_cookies(web):
    """G18, G20: the page and `/index` need no login, no statsig and no Cloudflare cookie."""
    assert requests.get(web.web_base_url + "/", headers={"User-Agent": "anything"}).status_code == 200
    assert requests.get(web.web_base_url + "/index").status_code == 404
