"""The stand-in as the official `openai` SDK sees api.x.ai, with strict response validation: every
call a script makes (chat plain and streamed, models list and retrieve) parses, and errors map as on
api.x.ai (a wrong key is a 400 there, so the SDK raises BadRequestError)."""

import pytest
import requests

openai = pytest.importorskip("openai")  # in the test extra; skipped only outside it

from cookie_session.testing.standin import answer_for, make_test_key  # noqa: E402


@pytest.fixture
def sdk(standin):
    with openai.OpenAI(
        api_key=standin.api_key, base_url=standin.base_url, max_retries=0, timeout=10, _strict_response_validation=True
    ) as client:
        yield client


def test_chat_plain(sdk):
    completion = sdk.chat.completions.create(model="grok-4", messages=[{"role": "user", "content": "hi"}])
    assert completion.object == "chat.completion" and completion.created > 0
    assert completion.choices[0].message.role == "assistant"
    assert completion.choices[0].message.content == answer_for("hi")
    assert completion.choices[0].finish_reason == "stop" and completion.usage.total_tokens > 0


def test_chat_streamed_with_usage(sdk):
    chunks = list(
        sdk.chat.completions.create(
            model="grok-4",
            messages=[{"role": "user", "content": "hi"}],
            stream=True,
            stream_options={"include_usage": True},
        )
    )
    assert all(chunk.created > 0 and chunk.object == "chat.completion.chunk" for chunk in chunks)
    assert chunks[0].choices[0].delta.role == "assistant"
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == answer_for("hi")
    assert [c.usage is not None for c in chunks] == [False] * (len(chunks) - 1) + [True]
    assert chunks[-1].choices == [] and chunks[-1].usage.completion_tokens == len(answer_for("hi").split())
    assert [c.choices[0].finish_reason for c in chunks if c.choices][-1] == "stop"


def test_chat_streamed_without_usage_sends_none(sdk):
    chunks = list(
        sdk.chat.completions.create(model="grok-4", messages=[{"role": "user", "content": "hi"}], stream=True)
    )
    assert all(chunk.choices and chunk.usage is None for chunk in chunks)


def test_content_as_a_list_of_parts(sdk):
    parts = [{"type": "text", "text": "hello "}, {"type": "text", "text": "there"}]
    completion = sdk.chat.completions.create(model="grok-4", messages=[{"role": "user", "content": parts}])
    assert completion.choices[0].message.content == answer_for("hello there")


@pytest.mark.parametrize("limit", ["max_completion_tokens", "max_tokens"])
def test_token_limits_are_honoured(sdk, limit):
    completion = sdk.chat.completions.create(model="grok-4", messages=[{"role": "user", "content": "hi"}], **{limit: 2})
    assert len(completion.choices[0].message.content.split()) == 2
    assert completion.choices[0].finish_reason == "length" and completion.usage.completion_tokens == 2


def test_models_list_and_retrieve(sdk, standin):
    assert [model.id for model in sdk.models.list()] == list(standin.models)
    model = sdk.models.retrieve("grok-3")
    assert model.id == "grok-3" and model.object == "model" and model.owned_by == "xai"
    with pytest.raises(openai.NotFoundError) as caught:
        sdk.models.retrieve("grok-9")
    assert "does not exist" in str(caught.value.body)


def test_a_wrong_key_is_a_bad_request_as_on_api_x_ai(standin):
    with openai.OpenAI(
        api_key=make_test_key(), base_url=standin.base_url, max_retries=0, _strict_response_validation=True
    ) as client:
        with pytest.raises(openai.BadRequestError) as caught:
            client.models.list()
    assert "Incorrect API key" in str(caught.value.body)


def test_head_and_options_are_answered_as_an_api_server_would(standin):
    auth = {"Authorization": f"Bearer {standin.api_key}"}
    head = requests.head(standin.base_url + "/models", headers=auth, timeout=10)
    get = requests.get(standin.base_url + "/models", headers=auth, timeout=10)
    assert head.status_code == 200 and head.content == b""
    assert head.headers["Content-Type"] == "application/json"
    assert head.headers["Content-Length"] == get.headers["Content-Length"]
    assert requests.head(standin.base_url + "/nope", timeout=10).status_code == 404
    options = requests.options(
        standin.base_url + "/chat/completions",
        headers={"Origin": "http://localhost:3000", "Access-Control-Request-Method": "POST"},
        timeout=10,
    )
    assert options.status_code == 204 and options.content == b""
    assert (
        "POST" in options.headers["Allow"]
        and "authorization" in options.headers["Access-Control-Allow-Headers"].lower()
    )
    wrong = requests.get(standin.base_url + "/chat/completions", headers=auth, timeout=10)
    assert wrong.status_code == 405 and wrong.json()["error"] and "POST" in wrong.headers["Allow"]
    assert "html" not in wrong.headers["Content-Type"]
