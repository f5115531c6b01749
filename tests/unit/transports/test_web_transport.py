"""grok.com request shapes, NDJSON parsing and signal mapping, at the HTTP level (responses)."""

import json
import time

import pytest
import responses

from cookie_session import errors
from cookie_session.auth.browser import BrowserCookieAuthenticator
from cookie_session.client import GrokClient
from cookie_session.policy import LocalityVerdict
from cookie_session.testing.standin import StandInCookie
from cookie_session.transports.web import CHAT_PATH, chat_payload

WEB = "https://grok.com"
UA = "Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0.0.0"
COOKIES = [
    StandInCookie("sso", "s" * 43, expires=time.time() + 86400 * 30),
    StandInCookie("cf_clearance", "c" * 40, expires=time.time() + 86400),
    StandInCookie("x-userid", "u" * 36, http_only=False),
]


@pytest.fixture
def client():
    with pytest.warns(errors.BrowserCookieWarning):
        auth = BrowserCookieAuthenticator.from_cookies(
            COOKIES, user_agent=UA, unsafe_browser_cookies=True, verdict=LocalityVerdict.assume_local()
        )
    return GrokClient(auth)


def ndjson(*items):
    return "".join(json.dumps(item) + "\n" for item in items)


def token(text, thinking=False):
    return {"result": {"response": {"token": text, "isThinking": thinking}}}


@responses.activate
def test_chat_request_shape_cookies_and_user_agent(client):
    responses.post(
        WEB + CHAT_PATH,
        body=ndjson(
            {"result": {"conversation": {"conversationId": "c"}}},
            token("thinking...", True),
            token("Hel"),
            token("lo"),
            {"result": {"response": {"modelResponse": {"message": "Hello", "responseId": "r1"}}}},
        ),
    )
    result = client.chat("Hi", model="grok-3")
    sent = responses.calls[0].request
    body = json.loads(sent.body)
    assert body["modelName"] == "grok-3" and body["message"] == "Hi" and body["temporary"] is True
    assert sent.headers["User-Agent"] == UA
    assert "Authorization" not in sent.headers
    cookie_header = sent.headers["Cookie"]
    assert f"sso={'s' * 43}" in cookie_header and f"cf_clearance={'c' * 40}" in cookie_header
    assert (result.text, result.auth_kind, result.id, result.model) == ("Hello", "browser_cookie", "r1", "grok-3")


@responses.activate
def test_stream_skips_thinking_and_honours_max_tokens(client):
    responses.post(
        WEB + CHAT_PATH,
        body=ndjson(
            token("a", True),
            token("1"),
            token("2"),
            token("3"),
            {"result": {"response": {"modelResponse": {"message": "123"}}}},
        ),
    )
    stream = client.chat("Hi", stream=True, max_tokens=2)
    assert list(stream) == ["1", "2"]
    assert stream.result.text == "12" and stream.result.finish_reason == "length"


def test_message_lists_become_role_lines():
    body = chat_payload([{"role": "system", "content": "Be brief"}, {"role": "user", "content": "Hi"}], model="m")
    assert body["message"] == "system: Be brief\n\nuser: Hi"


@pytest.mark.parametrize(
    "status, body, content_type, expected",
    [
        (401, '{"error": {"code": 16}}', "application/json", errors.SessionExpiredError),
        (403, "<html><title>Just a moment...</title></html>", "text/html", errors.CloudflareChallengeError),
        (403, '{"error": {"message": "blocked-user"}}', "application/json", errors.AccountBlockedError),
        (403, '{"error": {"message": "nope"}}', "application/json", errors.PermissionDeniedError),
        (429, "{}", "application/json", errors.RateLimitedError),
        (502, "bad gateway", "text/plain", errors.ServerError),
        (418, "teapot", "text/plain", errors.UpstreamError),
    ],
)
@responses.activate
def test_http_signals(client, status, body, content_type, expected):
    responses.post(WEB + CHAT_PATH, status=status, body=body, content_type=content_type)
    with pytest.raises(expected) as caught:
        client.chat("Hi")
    assert type(caught.value) is expected and "\n" not in str(caught.value)


@pytest.mark.parametrize(
    "code, expected", [(7, errors.AntiBotRejectedError), (8, errors.RateLimitedError), (13, errors.UpstreamError)]
)
@responses.activate
def test_in_stream_error_codes(client, code, expected):
    responses.post(WEB + CHAT_PATH, body=ndjson(token("x"), {"error": {"code": code, "message": "no"}}))
    with pytest.raises(expected):
        client.chat("Hi")


@responses.activate
def test_ndjson_cut_or_garbled_is_bad_response(client):
    responses.post(WEB + CHAT_PATH, body=ndjson(token("x")) + '{"result": {"resp')
    with pytest.raises(errors.BadResponseError):
        client.chat("Hi")


@responses.activate
def test_models_and_whoami(client):
    responses.post(WEB + "/rest/models", json={"models": [{"modelId": "grok-4"}, {"name": "no id"}]})
    responses.post(WEB + "/rest/rate-limits", json={"remainingQueries": 3})
    assert [m.id for m in client.models()] == ["grok-4"]
    me = client.whoami()
    assert me.auth_kind == "browser_cookie" and me.user_id == "x-userid=…(36 chars)"
    assert "u" * 36 not in repr(me)


def test_web_base_url_must_be_grok_or_loopback(client):
    auth = client.authenticator
    with pytest.raises(errors.PolicyError):
        GrokClient(auth, web_base_url="https://grok.com.evil.test")
    with pytest.raises(errors.InsecureUrlError):
        GrokClient(auth, web_base_url="http://grok.com")
    assert GrokClient(auth, web_base_url="http://127.0.0.1:1").base_url == "http://127.0.0.1:1"
