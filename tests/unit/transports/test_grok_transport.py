"""grok.com's `/rest/` and `/api/` requests and every HTTP signal, at the HTTP level (`responses`): modes, identity,
the stale-statsig replay, unknown modes, and each error body shape mapped to its error (docs/grok-com-rules.md).
The chat itself goes over the gateway WebSocket: tests/unit/transports/test_grok_gateway.py, end to end
tests/integration/test_e2e_web.py."""

import time

import pytest
import responses
from grok_site import random_page

from cookie_session import NO_RETRIES, errors
from cookie_session.auth.browser import BrowserCookieAuthenticator
from cookie_session.client import GrokClient
from cookie_session.policy import LocalityVerdict
from cookie_session.testing.standin import StandInCookie
from cookie_session.transports.grok.transport import _prompt

WEB = "https://grok.com"
UA = "Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0.0.0"
USER_ID = "3f0c8a52-6b1e-4c7d-9a2f-1e2d3c4b5a69"
COOKIES = [
    StandInCookie("sso", "s" * 43, expires=time.time() + 86400 * 30),
    StandInCookie("cf_clearance", "c" * 40, expires=time.time() + 86400),
    StandInCookie("x-userid", USER_ID, http_only=False),
]
OUT_OF_DATE = {"code": 7, "message": "This page is out of date. Reload to continue.", "details": []}


@pytest.fixture
def client():
    with pytest.warns(errors.BrowserCookieWarning):
        auth = BrowserCookieAuthenticator.from_cookies(
            COOKIES, user_agent=UA, unsafe_browser_cookies=True, verdict=LocalityVerdict.assume_local()
        )
    return GrokClient(auth)


@pytest.fixture
def site():
    """grok.com's pages: /index the branded 404, / the page with the statsig seed."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.add(responses.GET, WEB + "/index", status=404, body="<html>This page could not be found</html>")
        mock.add(responses.GET, WEB + "/", body=random_page()[2], content_type="text/html")
        yield mock


def page_loads(mock) -> int:
    return sum(call.request.url == WEB + "/" for call in mock.calls)


def test_message_lists_become_role_lines():
    assert _prompt([{"role": "system", "content": "Be brief"}, {"role": "user", "content": "Hi"}]) == (
        "system: Be brief\n\nuser: Hi"
    )


@pytest.mark.parametrize(
    "status, body, content_type, headers, expected, words",
    [
        (401, '{"error": {"code": 16}}', "application/json", {}, errors.SessionExpiredError, "401"),
        (
            403,
            "<html><title>Just a moment...</title></html>",
            "text/html",
            {},
            errors.CloudflareChallengeError,
            "challenge",
        ),
        (403, "", "text/html", {}, errors.CloudflareChallengeError, "empty body"),
        (
            403,
            "<html>x</html>",
            "text/html",
            {"cf-mitigated": "challenge"},
            errors.CloudflareChallengeError,
            "challenge",
        ),
        (
            403,
            '{"error": {"code": 7, "message": "Request rejected by anti-bot rules.", "details": []}}',
            "application/json",
            {},
            errors.AntiBotRejectedError,
            "anti-bot rules rejected",
        ),
        (
            403,
            '{"code": 7, "message": "Something went wrong", "details": []}',
            "application/json",
            {},
            errors.AntiBotRejectedError,
            "Something went wrong",
        ),
        (
            403,
            '{"code": 7, "message": "User is blocked [WKE=unauthorized:blocked-user]", "details": []}',
            "application/json",
            {},
            errors.AccountBlockedError,
            "blocked",
        ),
        (403, '{"error": {"message": "nope"}}', "application/json", {}, errors.PermissionDeniedError, "nope"),
        (
            400,
            '{"code": 3, "message": "Invalid request. Please update your client", "details": []}',
            "application/json",
            {},
            errors.WebAppChangedError,
            "Please update your client",
        ),
        (429, "{}", "application/json", {"Retry-After": "1"}, errors.RateLimitedError, "Rate limited"),
        (502, "bad gateway", "text/plain", {}, errors.ServerError, "502"),
        (418, "teapot", "text/plain", {}, errors.UpstreamError, "418"),
    ],
)
def test_http_signals(client, site, status, body, content_type, headers, expected, words):
    site.add(responses.POST, WEB + "/rest/modes", status=status, body=body, content_type=content_type, headers=headers)
    client._transport.retry = NO_RETRIES
    with pytest.raises(expected) as caught:
        client.models()
    assert type(caught.value) is expected and "\n" not in str(caught.value)
    assert words.lower() in str(caught.value).lower()


def test_a_429_without_the_browsers_tls_handshake_names_the_handshake(client, site, monkeypatch):
    site.add(responses.POST, WEB + "/rest/modes", status=429, json={})
    client._transport.retry = NO_RETRIES
    monkeypatch.setattr(type(client.authenticator), "impersonating", property(lambda self: None))  # no curl_cffi
    with pytest.raises(errors.CloudflareChallengeError, match="TLS handshake") as caught:
        client.models()
    assert "curl_cffi" in str(caught.value)


def test_a_stale_statsig_is_replayed_once_with_a_fresh_page(client, site):
    site.add(responses.POST, WEB + "/rest/modes", status=403, json=OUT_OF_DATE)
    site.add(responses.POST, WEB + "/rest/modes", json={"modes": [{"id": "fast"}]})
    assert [m.id for m in client.models()] == ["fast"]
    assert page_loads(site) == 2
    first, second = (call.request.headers["x-statsig-id"] for call in site.calls if "/rest/" in call.request.url)
    assert first != second


def test_out_of_date_twice_is_a_stale_statsig_error_not_a_loop(client, site):
    site.add(responses.POST, WEB + "/rest/modes", status=403, json=OUT_OF_DATE)
    with pytest.raises(errors.StaleStatsigError, match="again after loading a fresh page") as caught:
        client.models()
    assert caught.value.exit_code == 4 and "update cookie-session" in str(caught.value)
    assert sum("/rest/" in call.request.url for call in site.calls) == 2


def test_modes_are_the_models_of_the_web_path(client, site):
    site.add(responses.POST, WEB + "/rest/modes", json={"modes": [{"id": "fast"}, {"id": "auto"}, {"name": "no id"}]})
    assert [m.id for m in client.models()] == ["fast", "auto"]
    sent = next(call.request for call in site.calls if call.request.url.endswith("/rest/modes"))
    assert sent.body == b'{"locale": "en"}'


def test_an_unknown_mode_is_a_clear_error_listing_the_modes(client, site):
    site.add(responses.POST, WEB + "/rest/modes", json={"modes": [{"id": "fast"}, {"id": "auto"}, {"id": "expert"}]})
    site.add(responses.GET, WEB + "/api/auth/session", json={"status": "authenticated", "session": {"userId": USER_ID}})
    with pytest.raises(errors.BadInputError, match="no chat mode 'grok-4'; its modes are fast, auto, expert"):
        client.chat("Hi", model="grok-4")


def test_whoami_comes_from_the_session_endpoint_without_a_statsig(client, site):
    site.add(responses.GET, WEB + "/api/auth/session", json={"status": "authenticated", "session": {"userId": USER_ID}})
    me = client.whoami()
    assert me.auth_kind == "browser_cookie" and me.user_id == "x-userid=…(36 chars)" and USER_ID not in repr(me)
    sent = site.calls[-1].request
    assert "x-statsig-id" not in sent.headers and sent.headers["Sec-Fetch-Mode"] == "cors"
    assert page_loads(site) == 0


@pytest.mark.parametrize(
    "body, expected",
    [
        ({"status": "unauthenticated"}, errors.SessionExpiredError),
        ({"status": "blocked"}, errors.AccountBlockedError),
        ({"status": "authenticated"}, errors.BadResponseError),
    ],
)
def test_the_session_status_is_read(client, site, body, expected):
    site.add(responses.GET, WEB + "/api/auth/session", json=body)
    with pytest.raises(expected):
        client.whoami()


def test_web_base_url_must_be_grok_or_loopback(client):
    auth = client.authenticator
    with pytest.raises(errors.PolicyError):
        GrokClient(auth, web_base_url="https://grok.com.evil.test")
    with pytest.raises(errors.InsecureUrlError):
        GrokClient(auth, web_base_url="http://grok.com")
    assert GrokClient(auth, web_base_url="http://127.0.0.1:1").base_url == "http://127.0.0.1:1"
