"""Credentials stay on their host: redirects against two real loopback hosts (127.0.0.1 and localhost).

GrokClient follows a redirect only within the same origin and refuses any other, before sending
anything there. A prepared session used directly with requests follows redirects itself: the key
is stripped on a host change and the cookies are dropped on every redirect.
"""

import ssl

import pytest
import requests
import trustme
from loopback import RecordingServer
from quiet_auth import quiet_browser_auth

from cookie_session import errors
from cookie_session.auth import ApiKeyAuthenticator
from cookie_session.client import GrokClient
from cookie_session.testing.standin import StandInCookie, make_test_key

KEY = make_test_key()
SSO = "s" * 43


def browser_auth():
    return quiet_browser_auth([StandInCookie("sso", SSO), StandInCookie("cf_clearance", "c" * 40)], user_agent="UA")


def carries_credentials(headers: dict) -> bool:
    return KEY in headers.get("Authorization", "") or SSO in headers.get("Cookie", "")


@pytest.fixture
def two_hosts():
    with RecordingServer("127.0.0.1") as home, RecordingServer("localhost") as elsewhere:
        yield home, elsewhere


def api_client(home):
    return GrokClient(ApiKeyAuthenticator(KEY), base_url=f"{home.url}/v1")


def web_client(home):
    return GrokClient(browser_auth(), web_base_url=home.url)


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_redirect_to_another_host_is_refused_and_nothing_reaches_it(two_hosts, status):
    home, elsewhere = two_hosts
    home.redirect("/v1/models", f"{elsewhere.url}/v1/models", status)
    home.redirect("/rest/modes", f"{elsewhere.url}/rest/modes", status)
    with pytest.raises(errors.UnsafeRedirectError, match=f"redirected to http://localhost:{elsewhere.port}") as one:
        api_client(home).models()
    with pytest.raises(errors.UnsafeRedirectError) as other:
        web_client(home).models()
    assert elsewhere.requests == []
    assert one.value.exit_code == other.value.exit_code == 5


def test_another_port_on_the_same_host_is_another_origin(two_hosts):
    home, _ = two_hosts
    with RecordingServer("127.0.0.1") as neighbour:
        home.redirect("/v1/api-key", f"{neighbour.url}/v1/api-key")
        with pytest.raises(errors.UnsafeRedirectError):
            api_client(home).whoami()
        assert neighbour.requests == []


def test_another_name_for_the_same_port_is_another_origin(two_hosts):
    """localhost:P is the very socket of 127.0.0.1:P, yet another host: nothing is sent there."""
    home, _ = two_hosts
    home.redirect("/v1/models", f"http://localhost:{home.port}/v1/models")
    home.redirect("/rest/modes", f"http://localhost:{home.port}/rest/modes")
    with pytest.raises(errors.UnsafeRedirectError, match=f"redirected to http://localhost:{home.port}"):
        api_client(home).models()
    with pytest.raises(errors.UnsafeRedirectError):
        web_client(home).models()
    # the statsig page (/index: a 200 without a seed here, so not /) is asked for first, then the modes
    assert [path for _m, path, _h in home.requests] == ["/v1/models", "/index", "/rest/modes"]


def test_a_same_origin_redirect_keeps_working_with_its_credential(two_hosts):
    home, _ = two_hosts
    home.redirect("/v1/models", "/v2/models", 301)
    home.redirect("/rest/modes", f"{home.url}/rest/modes-moved", 307)
    home.routes["/rest/modes-moved"] = (200, {"Content-Type": "application/json"}, b'{"modes": [{"id": "g"}]}')
    assert [m.id for m in api_client(home).models()] == ["grok-4"]
    assert [m.id for m in web_client(home).models()] == ["g"]
    followed = {path: headers for _method, path, headers in home.requests}
    assert followed["/v2/models"]["Authorization"] == f"Bearer {KEY}"
    assert SSO in followed["/rest/modes-moved"]["Cookie"]


def test_a_redirect_loop_ends_in_a_clear_error(two_hosts):
    home, _ = two_hosts
    home.redirect("/v1/models", "/v1/models")
    with pytest.raises(errors.BadResponseError, match="more than 5 times"):
        api_client(home).models()
    assert len(home.requests) == 6


def test_a_post_turned_into_get_by_303_drops_its_body(two_hosts):
    home, _ = two_hosts
    home.redirect("/v1/chat/completions", "/v1/answer", 303)
    home.routes["/v1/answer"] = (
        200,
        {"Content-Type": "application/json"},
        b'{"choices": [{"message": {"content": "moved"}}]}',
    )
    assert api_client(home).chat("hi").text == "moved"
    assert [(m, p) for m, p, _ in home.requests] == [("POST", "/v1/chat/completions"), ("GET", "/v1/answer")]


@pytest.fixture
def tls_home():
    authority = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1", "localhost").configure_cert(context)
    with RecordingServer("127.0.0.1", tls_context=context) as home, authority.cert_pem.tempfile() as ca_file:
        yield home, ca_file


def test_an_https_to_http_downgrade_is_refused(tls_home):
    home, ca_file = tls_home
    with RecordingServer("127.0.0.1") as plain:
        home.redirect("/v1/models", f"{plain.url}/v1/models")
        client = GrokClient(ApiKeyAuthenticator(KEY), base_url=f"{home.url}/v1", verify=ca_file)
        with pytest.raises(errors.UnsafeRedirectError, match="https://127.0.0.1.* redirected to http://127.0.0.1"):
            client.models()
        assert plain.requests == []


def test_a_prepared_session_used_directly_sends_no_credential_across_hosts(two_hosts):
    """requests follows this redirect itself: the key is stripped, and our cookies are never re-added."""
    home, elsewhere = two_hosts
    home.redirect("/v1/models", f"{elsewhere.url}/v1/models")
    home.redirect("/rest/modes", f"{elsewhere.url}/rest/modes")
    api_session = ApiKeyAuthenticator(KEY).prepare_session(base_url=f"{home.url}/v1")
    web_session = browser_auth().prepare_session(base_url=home.url)
    assert api_session.get(f"{home.url}/v1/models").status_code == 200
    assert web_session.post(f"{home.url}/rest/modes").status_code == 200
    assert len(elsewhere.requests) == 2
    assert not any(carries_credentials(headers) for _m, _p, headers in elsewhere.requests)
    assert all(carries_credentials(headers) for _m, _p, headers in home.requests)


def test_cookies_are_never_sent_to_a_host_outside_grok_com():
    session = browser_auth().prepare_session()
    for url in ("https://x.ai/", "https://grok.com.attacker.test/", "https://notgrok.com/", "https://attacker.test/"):
        prepared = session.prepare_request(requests.Request("GET", url))
        assert "Cookie" not in prepared.headers, url
