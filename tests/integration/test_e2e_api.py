"""End to end through real sockets: GrokClient against the api.x.ai stand-in on loopback."""

import socket

import pytest

from cookie_session import errors
from cookie_session.auth import ApiKeyAuthenticator
from cookie_session.client import GrokClient, RetryPolicy
from cookie_session.testing.standin import STANDIN_MODELS, answer_for, make_test_key


def client_for(standin, key=None, **kwargs):
    return GrokClient(ApiKeyAuthenticator(key or standin.api_key), base_url=standin.base_url, **kwargs)


def test_chat(standin):
    with client_for(standin) as client:
        result = client.chat("hello there", model="grok-3")
    assert result.text == answer_for("hello there")
    assert result.model == "grok-3" and result.auth_kind == "api_key"
    assert result.usage.prompt_tokens == 2 and result.usage.completion_tokens == len(result.text.split())
    method, path, headers = standin.requests[-1]
    assert (method, path) == ("POST", "/v1/chat/completions")
    assert headers["Authorization"] == f"Bearer {standin.api_key}"


def test_max_tokens_cuts_the_answer(standin):
    result = client_for(standin).chat("hello there", max_tokens=2)
    assert len(result.text.split()) == 2 and result.finish_reason == "length"


def test_streaming_arrives_in_pieces(standin):
    stream = client_for(standin).chat("stream me", stream=True)
    pieces = list(stream)
    assert len(pieces) > 3
    assert "".join(pieces) == answer_for("stream me") == stream.result.text
    assert stream.result.usage.total_tokens > 0


def test_models_and_whoami(standin):
    client = client_for(standin)
    assert tuple(m.id for m in client.models()) == STANDIN_MODELS
    me = client.whoami()
    assert me.name == "stand-in key" and me.usable and me.acls


def test_wrong_key_is_rejected_as_400(standin):
    with pytest.raises(errors.InvalidApiKeyError) as caught:
        client_for(standin, make_test_key()).chat("hi")
    assert "Incorrect API key" in str(caught.value)


def test_missing_key_is_401(standin):
    import requests

    response = requests.get(f"{standin.base_url}/models", timeout=5)
    assert response.status_code == 401


def test_blocked_and_disabled_keys_are_403(standin):
    for flags in ({"blocked": True}, {"disabled": True}):
        with pytest.raises(errors.PermissionDeniedError):
            client_for(standin, standin.add_key(**flags)).whoami()


def test_unknown_model_is_404(standin):
    with pytest.raises(errors.ModelNotFoundError, match="grok-9"):
        client_for(standin).chat("hi", model="grok-9")


def test_rate_limit_on_demand_carries_retry_after(standin):
    standin.fail_next("rate_limit")
    with pytest.raises(errors.RateLimitedError) as caught:
        client_for(standin, retry=RetryPolicy(max_retries=0)).chat("hi")
    assert caught.value.retry_after == 1
    assert client_for(standin).chat("hi").text  # only the next request failed


def test_server_error_on_demand(standin):
    standin.fail_next("server_error")
    with pytest.raises(errors.ServerError):
        client_for(standin, retry=RetryPolicy(max_retries=0)).models()


def test_connection_refused_is_a_transport_error():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(errors.ConnectionFailedError):
        GrokClient(ApiKeyAuthenticator(make_test_key()), base_url=f"http://127.0.0.1:{port}/v1").models()


def test_read_timeout_is_a_transport_error():
    with socket.socket() as server:  # accepts, never answers
        server.bind(("127.0.0.1", 0))
        server.listen()
        client = GrokClient(
            ApiKeyAuthenticator(make_test_key()),
            base_url=f"http://127.0.0.1:{server.getsockname()[1]}/v1",
            timeout=(1, 0.3),
        )
        with pytest.raises(errors.RequestTimeoutError):
            client.models()
