"""Request shapes and error mapping for api.x.ai, at the HTTP level (responses)."""

import json

import pytest
import requests
import responses

from cookie_session import errors
from cookie_session.auth import ApiKeyAuthenticator
from cookie_session.client import GrokClient
from cookie_session.testing.standin import make_test_key
from cookie_session.transports.api import iter_sse_data
from cookie_session.transports.retry import retry_after_seconds

BASE = "https://api.x.ai/v1"


@pytest.fixture
def key():
    return make_test_key()


@pytest.fixture
def client(key):
    return GrokClient(ApiKeyAuthenticator(key))


def chat_reply(text="hi", model="grok-4"):
    return {
        "id": "c1",
        "model": model,
        "choices": [{"message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 3, "completion_tokens": 1, "total_tokens": 4},
    }


@responses.activate
def test_chat_request_shape_and_result(client, key):
    responses.post(f"{BASE}/chat/completions", json=chat_reply("Hello"))
    result = client.chat("Hi there", model="grok-3", max_tokens=5)
    sent = responses.calls[0].request
    assert sent.headers["Authorization"] == f"Bearer {key}"
    assert sent.headers["Content-Type"] == "application/json"
    assert json.loads(sent.body) == {
        "model": "grok-3",
        "messages": [{"role": "user", "content": "Hi there"}],
        "stream": False,
        "max_tokens": 5,
    }
    assert (result.text, result.model, result.auth_kind) == ("Hello", "grok-4", "api_key")
    assert (result.usage.prompt_tokens, result.usage.completion_tokens, result.usage.total_tokens) == (3, 1, 4)
    assert result.finish_reason == "stop" and result.id == "c1"


@responses.activate
def test_chat_accepts_message_lists(client):
    responses.post(f"{BASE}/chat/completions", json=chat_reply())
    messages = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}]
    client.chat(messages)
    assert json.loads(responses.calls[0].request.body)["messages"] == messages


@pytest.mark.parametrize("prompt", ["", "   ", [], [{"role": "user"}], ["text"]])
def test_bad_prompts_are_bad_input_and_send_nothing(client, prompt):
    with responses.RequestsMock() as mock, pytest.raises(errors.BadInputError):
        client.chat(prompt)
    assert len(mock.calls) == 0


@responses.activate
def test_streaming_yields_pieces_and_assembles_result(client):
    events = [
        {"id": "s1", "model": "grok-4", "choices": [{"delta": {"content": "Hel"}}]},
        {"id": "s1", "model": "grok-4", "choices": [{"delta": {"content": "lo"}}]},
        {"id": "s1", "model": "grok-4", "choices": [{"delta": {}, "finish_reason": "stop"}]},
        {
            "id": "s1",
            "model": "grok-4",
            "choices": [],
            "usage": {"prompt_tokens": 2, "completion_tokens": 2, "total_tokens": 4},
        },
    ]
    body = "".join(f"data: {json.dumps(e)}\n\n" for e in events) + ": keep-alive\n\ndata: [DONE]\n\n"
    responses.post(f"{BASE}/chat/completions", body=body, content_type="text/event-stream")
    stream = client.chat("Hi", stream=True)
    assert list(stream) == ["Hel", "lo"]
    assert stream.result.text == "Hello" and stream.result.usage.total_tokens == 4
    assert stream.result.finish_reason == "stop"
    sent = json.loads(responses.calls[0].request.body)
    assert sent["stream"] is True and sent["stream_options"] == {"include_usage": True}


@responses.activate
def test_stream_error_event_and_bad_json_are_our_errors(client):
    responses.post(f"{BASE}/chat/completions", body='data: {"error": {"message": "overloaded"}}\n\n')
    with pytest.raises(errors.UpstreamError, match="overloaded"):
        list(client.chat("Hi", stream=True))
    responses.post(f"{BASE}/chat/completions", body="data: {not json\n\n")
    with pytest.raises(errors.BadResponseError):
        list(client.chat("Hi", stream=True))


@responses.activate
def test_models_and_whoami(client):
    responses.get(f"{BASE}/models", json={"data": [{"id": "grok-4", "owned_by": "xai", "created": 1}, {"x": 1}]})
    responses.get(
        f"{BASE}/api-key",
        json={
            "name": "ci key",
            "team_id": "t1",
            "acls": ["api-key:model:*"],
            "api_key_blocked": False,
            "api_key_disabled": True,
            "team_blocked": False,
        },
    )
    assert [m.id for m in client.models()] == ["grok-4"]
    me = client.whoami()
    assert (me.name, me.team_id, me.acls, me.api_key_disabled, me.usable) == (
        "ci key",
        "t1",
        ("api-key:model:*",),
        True,
        False,
    )


WRONG_KEY = {
    "code": "Client specified an invalid argument",
    "error": "Incorrect API key provided: xa***yz. You can obtain an API key from https://console.x.ai.",
}


@pytest.mark.parametrize(
    "status, body, headers, expected, exit_code",
    [
        (400, WRONG_KEY, {}, errors.InvalidApiKeyError, 4),
        (401, {"error": "No API key"}, {}, errors.MissingCredentialsError, 4),
        (403, {"error": "The API key is blocked."}, {}, errors.PermissionDeniedError, 4),
        (404, {"error": "The model grok-9 does not exist"}, {}, errors.ModelNotFoundError, 6),
        (429, {"error": "slow down"}, {"Retry-After": "7"}, errors.RateLimitedError, 6),
        (500, {"error": "boom"}, {}, errors.ServerError, 6),
        (503, "<html>down</html>", {}, errors.ServerError, 6),
        (400, {"error": "max_tokens must be positive"}, {}, errors.UpstreamError, 6),
    ],
)
@responses.activate
def test_error_mapping(client, status, body, headers, expected, exit_code):
    kwargs = {"json": body} if isinstance(body, dict) else {"body": body}
    responses.post(f"{BASE}/chat/completions", status=status, headers=headers, **kwargs)
    with pytest.raises(expected) as caught:
        client.chat("Hi", model="grok-9")
    assert type(caught.value) is expected
    assert caught.value.exit_code == exit_code
    assert "\n" not in str(caught.value)
    if expected is errors.RateLimitedError:
        assert caught.value.retry_after == 7 and "Wait 7 s" in str(caught.value)


@responses.activate
def test_server_echoing_the_key_is_redacted(client, key):
    responses.post(f"{BASE}/chat/completions", status=400, json={"error": f"Incorrect API key provided: {key}"})
    with pytest.raises(errors.InvalidApiKeyError) as caught:
        client.chat("Hi")
    assert key not in str(caught.value) and f"xai-…{key[-4:]}" in str(caught.value)


@responses.activate
def test_non_json_success_body_is_bad_response(client):
    responses.get(f"{BASE}/models", body="<html>captive portal</html>", content_type="text/html")
    with pytest.raises(errors.BadResponseError, match="not JSON"):
        client.models()


@pytest.mark.parametrize(
    "raised, expected",
    [
        (requests.exceptions.ConnectTimeout(), errors.RequestTimeoutError),
        (requests.exceptions.ReadTimeout(), errors.RequestTimeoutError),
        (requests.exceptions.ConnectionError(), errors.ConnectionFailedError),
        (requests.exceptions.SSLError(), errors.ConnectionFailedError),
        (requests.exceptions.ChunkedEncodingError(), errors.ConnectionFailedError),
    ],
)
@responses.activate
def test_transport_failures_map_to_transport_errors(client, raised, expected):
    responses.get(f"{BASE}/models", body=raised)
    with pytest.raises(expected) as caught:
        client.models()
    assert isinstance(caught.value, errors.TransportError)


def test_retry_after_parses_seconds_and_dates():
    assert retry_after_seconds("3") == 3
    assert retry_after_seconds(None) is None and retry_after_seconds("soon") is None
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412480 - 10) == 10


def test_sse_parser_joins_multiline_data_and_skips_comments():
    lines = [": comment", "event: x", "data: a", "data:b", "", "", "data: c"]
    assert list(iter_sse_data(lines)) == ["a\nb", "c"]


@pytest.mark.parametrize("url", ["http://api.x.ai/v1", "ftp://x", "https://user:pw@api.x.ai/v1", "not a url"])
def test_base_url_must_be_https_unless_loopback(key, url):
    with pytest.raises(errors.InsecureUrlError):
        GrokClient(ApiKeyAuthenticator(key), base_url=url)


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8000/v1", "http://localhost:1/v1", "http://[::1]:9/v1/", "https://example.test/v1"]
)
def test_loopback_http_and_any_https_allowed(key, url):
    assert GrokClient(ApiKeyAuthenticator(key), base_url=url).base_url == url.rstrip("/")


def test_base_url_from_environment(key, monkeypatch):
    monkeypatch.setenv("XAI_BASE_URL", "http://127.0.0.1:9/v1")
    client = GrokClient(ApiKeyAuthenticator(key))
    assert client.base_url == "http://127.0.0.1:9/v1"
    assert key not in repr(client)


def test_client_needs_an_authenticator():
    with pytest.raises(TypeError):
        GrokClient("xai-key")


@responses.activate
@pytest.mark.parametrize("padding", [0, 220, 260, 299])
def test_an_echoed_key_is_redacted_before_the_message_is_shortened(client, key, padding):
    """The service's sentence is cut to 300 characters for the message; a key echoed across the cut
    must not leave its first part behind."""
    responses.get(f"{BASE}/models", status=401, json={"error": "x" * padding + f" {key} was not accepted"})
    with pytest.raises(errors.MissingCredentialsError) as info:
        client.models()
    message = str(info.value)
    assert not any(key[i : i + 12] in message for i in range(len(key) - 11)), message


def test_a_header_http_cannot_send_is_bad_input_not_a_redirect(key):
    session = requests.Session()
    session.headers["X-Note"] = "price €"
    client = GrokClient(ApiKeyAuthenticator(key), session=session, base_url="http://127.0.0.1:9/v1")
    with pytest.raises(errors.BadInputError, match="header holds characters"):
        client.models()
