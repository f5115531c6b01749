"""End to end over real TLS on loopback: GrokClient with browser cookies against the strict grok.com stand-in,
every call as the web app makes it today (identity, modes, the signed statsig, the chat gateway)."""

import pytest
from quiet_auth import quiet_browser_auth

from cookie_session import errors
from cookie_session.client import GrokClient
from cookie_session.testing.standin import StandIn, StandInCookie, answer_for

UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36"


@pytest.fixture
def web():
    with StandIn(web_tls=True) as server:
        yield server


def client_for(web, user_agent=UA, cookie_agent=UA, **options):
    auth = quiet_browser_auth(web.web_cookies(cookie_agent), user_agent=user_agent)
    return GrokClient(auth, web_base_url=web.web_base_url, verify=web.ca_file, **options)


def test_chat_stream_models_whoami_over_tls(web):
    with client_for(web) as client:
        answer = client.chat("hello")
        assert answer.text == answer_for("hello") and answer.model == "auto"
        assert "hello" in answer.thinking and "hello" not in answer.text.replace("'hello'", "")
        stream = client.chat("stream me", stream=True)
        assert "".join(stream) == answer_for("stream me") and len(list(client.chat("x y", stream=True))) > 2
        assert [m.id for m in client.models()] == ["fast", "auto", "expert", "heavy"]
        assert client.whoami().auth_kind == "browser_cookie"
        assert client.chat("hi", model="expert").model == "expert"
    handshakes = [headers for method, path, headers in web.requests if path == "/ws/mgw/"]
    assert handshakes and all(h["User-Agent"] == UA and "Authorization" not in h for h in handshakes)
    assert [e.message["event"]["session"]["model"] for e in web.gateway_events if e.type == "session.create"][
        -1
    ] == "expert"


def test_thinking_comes_as_its_own_kind_of_piece_and_never_in_the_text(web):
    with client_for(web) as client:
        stream = client.chat("think it over", stream=True)
        pieces = list(stream.pieces())
    kinds = {piece.kind for piece in pieces}
    assert kinds == {"thinking", "text"}
    assert "".join(p.text for p in pieces if p.kind == "text") == answer_for("think it over") == stream.result.text
    assert stream.result.thinking == "".join(p.text for p in pieces if p.kind == "thinking")


def test_citations_are_resolved_and_markup_removed(web):
    with client_for(web) as client:
        answer = client.chat("list your sources")
    assert answer.text == answer_for("list your sources") + " [1]"
    assert answer.citations == ("https://standin.invalid/source/1",) and "<grok:" not in answer.text


def test_max_tokens_cuts_the_answer_and_the_socket(web):
    with client_for(web) as client:
        answer = client.chat("one two three four five", max_tokens=2)
    assert answer.finish_reason == "length" and answer.text == "Stand-in answer:"  # the first two pieces


def test_a_multi_turn_conversation_is_sent_as_role_lines(web):
    messages = [{"role": "system", "content": "Be brief"}, {"role": "user", "content": "Hi"}]
    with client_for(web) as client:
        assert client.chat(messages).text == answer_for("system: Be brief\n\nuser: Hi")


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
    with client_for(web) as client:
        client.models()
        web.fail_next(failure)
        with pytest.raises(expected):
            client.chat("hi")
        assert client.chat("hi").text  # only the next request failed


def test_a_forged_session_is_refused_as_expired(web):
    auth = quiet_browser_auth([StandInCookie("sso", "forged", expires=None)], user_agent=UA)
    with pytest.raises(errors.SessionExpiredError):
        GrokClient(auth, web_base_url=web.web_base_url, verify=web.ca_file).chat("hi")
