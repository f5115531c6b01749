"""End to end over real TLS on loopback: the grok.com stand-in and GrokClient with browser cookies."""

import pytest
from quiet_auth import quiet_browser_auth

from cookie_session import errors
from cookie_session.client import GrokClient
from cookie_session.testing.standin import StandIn, answer_for

UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36"


@pytest.fixture
def web():
    with StandIn(web_tls=True) as server:
        yield server


def client_for(web, user_agent=UA, cookie_agent=UA):
    auth = quiet_browser_auth(web.web_cookies(cookie_agent), user_agent=user_agent)
    return GrokClient(auth, web_base_url=web.web_base_url, verify=web.ca_file)


def test_chat_stream_models_whoami_over_tls(web):
    client = client_for(web)
    assert client.chat("hello").text == answer_for("hello")
    stream = client.chat("stream me", stream=True)
    assert "".join(stream) == answer_for("stream me") and len(list(client.chat("x y", stream=True))) > 2
    assert [m.id for m in client.models()] == ["grok-4", "grok-3"]
    assert client.whoami().auth_kind == "browser_cookie"
    method, path, headers = web.requests[0]
    assert path == "/rest/app-chat/conversations/new" and headers["User-Agent"] == UA
    assert "Authorization" not in headers


def test_user_agent_mismatch_is_a_cloudflare_challenge(web):
    with pytest.raises(errors.CloudflareChallengeError, match="User-Agent"):
        client_for(web, user_agent="python-requests/2.32").chat("hi")


@pytest.mark.parametrize(
    "failure, expected",
    [
        ("challenge", errors.CloudflareChallengeError),
        ("anti_bot", errors.AntiBotRejectedError),
        ("web_rate_limit", errors.RateLimitedError),
        ("blocked_account", errors.AccountBlockedError),
        ("session_expired", errors.SessionExpiredError),
    ],
)
def test_each_failure_signal_maps_to_its_error(web, failure, expected):
    client = client_for(web)
    web.fail_next(failure)
    with pytest.raises(expected):
        client.chat("hi")
    assert client.chat("hi").text  # only the next request failed


def test_a_forged_session_is_401(web):
    from cookie_session.testing.standin import StandInCookie

    auth = quiet_browser_auth([StandInCookie("sso", "forged", expires=None)], user_agent=UA)
    with pytest.raises(errors.SessionExpiredError):
        GrokClient(auth, web_base_url=web.web_base_url, verify=web.ca_file).chat("hi")
