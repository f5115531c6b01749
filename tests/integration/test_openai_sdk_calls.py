"""The calls people test with the official `openai` SDK (sync and async, strict response validation), against
`StandIn` and against `cookie-session serve` in a subprocess: the Responses API, tool calls and their round trip,
structured output (validated with `jsonschema`), `n`, `stop`, `seed`, usage, and api.x.ai's errors."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

openai = pytest.importorskip("openai")  # in the test extra; skipped only outside it
pydantic = pytest.importorskip("pydantic")

from cookie_session.testing.standin import answer_for, answer_for_tool_results  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
WEATHER = {
    "type": "object",
    "properties": {
        "city": {"type": "string", "minLength": 1},
        "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
        "days": {"type": "integer", "minimum": 1, "maximum": 7},
    },
    "required": ["city", "unit"],
    "additionalProperties": False,
}
TIME = {"type": "object", "properties": {"zone": {"type": "string", "format": "uuid"}}, "required": ["zone"]}
ORDER = {
    "type": "object",
    "$defs": {
        "Item": {
            "type": "object",
            "properties": {
                "sku": {"type": "string", "pattern": "^[A-Z]{3}-[0-9]{4}$"},
                "quantity": {"type": "integer", "exclusiveMinimum": 0, "maximum": 99},
                "price": {"type": "number", "minimum": 0, "multipleOf": 0.25},
            },
            "required": ["sku", "quantity", "price"],
            "additionalProperties": False,
        }
    },
    "properties": {
        "id": {"type": "string", "format": "uuid"},
        "placed": {"type": "string", "format": "date-time"},
        "status": {"enum": ["new", "paid", "shipped"]},
        "items": {"type": "array", "items": {"$ref": "#/$defs/Item"}, "minItems": 1, "maxItems": 5},
        "note": {"anyOf": [{"type": "string", "maxLength": 40}, {"type": "null"}]},
    },
    "required": ["id", "placed", "status", "items", "note"],
    "additionalProperties": False,
}


def chat_tool(name, parameters):
    return {"type": "function", "function": {"name": name, "description": f"{name} tool", "parameters": parameters}}


def response_tool(name, parameters):
    return {"type": "function", "name": name, "parameters": parameters, "strict": True}


def check(value, schema):
    jsonschema.validate(value, schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


class Sdk:
    """The SDK on one target, sync or async: `sdk("chat.completions.create", ...)`; a stream comes back as a list."""

    def __init__(self, base_url: str, api_key: str, asynchronous: bool) -> None:
        self.options = {
            "api_key": api_key,
            "base_url": base_url,
            "max_retries": 0,
            "timeout": 20,
            "_strict_response_validation": True,
        }
        self.asynchronous = asynchronous

    def __call__(self, path: str, **kwargs):
        if not self.asynchronous:
            with openai.OpenAI(**self.options) as client:
                result = _method(client, path)(**kwargs)
                return list(result) if kwargs.get("stream") else result

        async def run():
            async with openai.AsyncOpenAI(**self.options) as client:
                result = await _method(client, path)(**kwargs)
                return [event async for event in result] if kwargs.get("stream") else result

        return asyncio.run(run())

    def stream_response(self, **kwargs):
        """`client.responses.stream(...)`: the SDK's own accumulator, which checks the event order. (events, final)"""
        if not self.asynchronous:
            with openai.OpenAI(**self.options) as client, client.responses.stream(**kwargs) as stream:
                return list(stream), stream.get_final_response()

        async def run():
            async with openai.AsyncOpenAI(**self.options) as client, client.responses.stream(**kwargs) as stream:
                return [event async for event in stream], await stream.get_final_response()

        return asyncio.run(run())

    def stream_chat(self, **kwargs):
        """`client.chat.completions.stream(...)`: the SDK's chunk accumulator. The final completion."""
        if not self.asynchronous:
            with openai.OpenAI(**self.options) as client, client.chat.completions.stream(**kwargs) as stream:
                return stream.get_final_completion()

        async def run():
            async with openai.AsyncOpenAI(**self.options) as client, client.chat.completions.stream(**kwargs) as stream:
                return await stream.get_final_completion()

        return asyncio.run(run())


def _method(client, path):
    for name in path.split("."):
        client = getattr(client, name)
    return client


@pytest.fixture(scope="module")
def served():
    """`cookie-session serve` in a subprocess: (base_url, api_key)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "cookie_session", "serve"],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        lines = [process.stdout.readline() for _ in range(6)]
        key = next(line for line in lines if "XAI_API_KEY=" in line).split("=", 1)[1].split()[0]
        yield lines[0].split()[-1], key
    finally:
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=30)


@pytest.fixture(params=["standin", "serve"])
def target(request):
    if request.param == "serve":
        return request.getfixturevalue("served")
    stand_in = request.getfixturevalue("standin")
    return stand_in.base_url, stand_in.api_key


@pytest.fixture(params=["sync", "async"])
def sdk(request, target):
    return Sdk(*target, asynchronous=request.param == "async")


@pytest.fixture(params=["sync", "async"])
def scripted_sdk(request, standin):
    return Sdk(standin.base_url, standin.api_key, asynchronous=request.param == "async")


# --- the Responses API ---------------------------------------------------------------------------


def test_a_response_with_text_input(sdk):
    response = sdk("responses.create", model="grok-4", input="hello there", instructions="Be brief.")
    assert response.object == "response" and response.status == "completed" and response.id.startswith("resp_")
    assert response.output_text == answer_for("hello there") and response.instructions == "Be brief."
    assert response.output[0].type == "message" and response.output[0].role == "assistant"
    usage = response.usage
    assert usage.input_tokens == len("Be brief. hello there".split())
    assert usage.output_tokens == len(answer_for("hello there").split())
    assert usage.total_tokens == usage.input_tokens + usage.output_tokens


def test_input_as_items(sdk):
    items = [
        {"role": "system", "content": "You are terse."},
        {"role": "user", "content": [{"type": "input_text", "text": "first "}, {"type": "input_text", "text": "part"}]},
    ]
    response = sdk("responses.create", model="grok-3", input=items)
    assert response.output_text == answer_for("first part") and response.model == "grok-3"


def test_a_streamed_response_arrives_in_the_sdks_order_and_equals_the_plain_one(sdk):
    events = sdk("responses.create", model="grok-4", input="stream me", stream=True)
    kinds = [event.type for event in events]
    assert kinds[:5] == [
        "response.created",
        "response.in_progress",
        "response.output_item.added",
        "response.content_part.added",
        "response.output_text.delta",
    ]
    assert kinds[-5:] == [
        "response.output_text.delta",
        "response.output_text.done",
        "response.content_part.done",
        "response.output_item.done",
        "response.completed",
    ]
    assert [event.sequence_number for event in events] == list(range(len(events)))
    text = "".join(event.delta for event in events if event.type == "response.output_text.delta")
    final = events[-1].response
    assert text == final.output_text == answer_for("stream me") == events[-4].text
    assert final.usage.output_tokens == len(text.split())
    collected, accumulated = sdk.stream_response(model="grok-4", input="stream me")
    assert accumulated.output_text == text and collected[-1].type == "response.completed"


def test_previous_response_id_continues_the_conversation_and_stored_responses_are_served(sdk):
    first = sdk("responses.create", model="grok-4", input="my name is Ada", instructions="Remember names.")
    second = sdk("responses.create", model="grok-4", input="what is my name", previous_response_id=first.id)
    assert second.previous_response_id == first.id and second.output_text == answer_for("what is my name")
    earlier = len("my name is Ada".split()) + first.usage.output_tokens  # the first turn, not its instructions
    assert second.usage.input_tokens == earlier + len("what is my name".split())
    fetched = sdk("responses.retrieve", response_id=second.id)
    assert fetched.id == second.id and fetched.output_text == second.output_text
    assert fetched.usage == second.usage
    sdk("responses.delete", response_id=second.id)
    with pytest.raises(openai.NotFoundError) as caught:
        sdk("responses.retrieve", response_id=second.id)
    assert second.id in str(caught.value.body)


def test_store_false_is_not_kept(sdk):
    response = sdk("responses.create", model="grok-4", input="forget me", store=False)
    with pytest.raises(openai.NotFoundError):
        sdk("responses.retrieve", response_id=response.id)
    with pytest.raises(openai.NotFoundError) as caught:
        sdk("responses.create", model="grok-4", input="and then?", previous_response_id=response.id)
    assert response.id in str(caught.value.body)


def test_max_output_tokens_ends_a_response_incomplete(sdk):
    response = sdk("responses.create", model="grok-4", input="a long one", max_output_tokens=2)
    assert response.status == "incomplete" and response.incomplete_details.reason == "max_output_tokens"
    assert len(response.output_text.split()) == 2 == response.usage.output_tokens
    events = sdk("responses.create", model="grok-4", input="a long one", max_output_tokens=2, stream=True)
    assert events[-1].type == "response.incomplete" and events[-1].response.output_text == response.output_text


# --- structured output ----------------------------------------------------------------------------


@pytest.mark.parametrize("strict", [True, False])
def test_chat_json_schema_output_validates(sdk, strict):
    completion = sdk(
        "chat.completions.create",
        model="grok-4",
        messages=[{"role": "user", "content": "an order please"}],
        response_format={"type": "json_schema", "json_schema": {"name": "order", "schema": ORDER, "strict": strict}},
        n=3,
    )
    assert [choice.index for choice in completion.choices] == [0, 1, 2]
    for choice in completion.choices:
        check(json.loads(choice.message.content), ORDER)


def test_chat_json_object_output(sdk):
    completion = sdk(
        "chat.completions.create",
        model="grok-4",
        messages=[{"role": "user", "content": "json please"}],
        response_format={"type": "json_object"},
    )
    assert json.loads(completion.choices[0].message.content) == {"answer": answer_for("json please")}


def test_response_json_schema_output_validates_plain_and_streamed(sdk):
    text = {"format": {"type": "json_schema", "name": "order", "schema": ORDER, "strict": True}}
    response = sdk("responses.create", model="grok-4", input="an order", text=text, extra_body={"seed": 7})
    check(json.loads(response.output_text), ORDER)
    events = sdk("responses.create", model="grok-4", input="an order", text=text, extra_body={"seed": 7}, stream=True)
    assert events[-1].response.output_text == response.output_text  # the same seed, the same JSON


class Address(pydantic.BaseModel):
    street: str
    zip_code: str = pydantic.Field(pattern=r"^\d{5}$")


class Person(pydantic.BaseModel):
    name: str = pydantic.Field(min_length=1, max_length=20)
    age: int = pydantic.Field(ge=0, le=150)
    role: str = pydantic.Field(json_schema_extra={"enum": ["admin", "user"]})
    home: Address | None
    tags: list[str]


def test_the_sdks_parse_helpers_get_their_model_back(sdk):
    parsed = sdk(
        "chat.completions.parse",
        model="grok-4",
        messages=[{"role": "user", "content": "a person"}],
        response_format=Person,
    )
    assert isinstance(parsed.choices[0].message.parsed, Person)
    parsed_response = sdk("responses.parse", model="grok-4", input="a person", text_format=Person)
    assert isinstance(parsed_response.output_parsed, Person)


# --- tool calls -----------------------------------------------------------------------------------


@pytest.mark.parametrize("choice", ["required", {"type": "function", "function": {"name": "get_weather"}}])
def test_a_forced_tool_call_and_its_round_trip(sdk, choice):
    tools = [chat_tool("get_time", TIME), chat_tool("get_weather", WEATHER)]
    messages = [{"role": "user", "content": "weather in Paris? use get_weather"}]
    completion = sdk("chat.completions.create", model="grok-4", messages=messages, tools=tools, tool_choice=choice)
    choice0 = completion.choices[0]
    assert choice0.finish_reason == "tool_calls" and choice0.message.content is None
    [call] = choice0.message.tool_calls
    assert call.type == "function" and call.function.name == "get_weather" and call.id
    check(json.loads(call.function.arguments), WEATHER)
    assert completion.usage.completion_tokens == len(call.function.arguments.split())
    messages += [
        choice0.message.model_dump(exclude_none=True),
        {"role": "tool", "tool_call_id": call.id, "content": "sunny, 21C"},
    ]
    final = sdk("chat.completions.create", model="grok-4", messages=messages, tools=tools, tool_choice=choice)
    assert final.choices[0].finish_reason == "stop" and final.choices[0].message.tool_calls is None
    assert final.choices[0].message.content == answer_for_tool_results(["sunny, 21C"])


def test_parallel_tool_calls_are_honoured(sdk):
    tools = [chat_tool("get_weather", WEATHER), chat_tool("get_time", TIME)]
    messages = [{"role": "user", "content": "call get_weather and get_time"}]
    both = sdk("chat.completions.create", model="grok-4", messages=messages, tools=tools)
    assert [call.function.name for call in both.choices[0].message.tool_calls] == ["get_weather", "get_time"]
    assert len({call.id for call in both.choices[0].message.tool_calls}) == 2
    one = sdk("chat.completions.create", model="grok-4", messages=messages, tools=tools, parallel_tool_calls=False)
    assert [call.function.name for call in one.choices[0].message.tool_calls] == ["get_weather"]


def test_streamed_tool_calls_accumulate_to_the_plain_ones(sdk):
    tools = [chat_tool("get_weather", WEATHER), chat_tool("get_time", TIME)]
    request = {
        "model": "grok-4",
        "messages": [{"role": "user", "content": "get_weather and get_time please"}],
        "tools": tools,
        "seed": 3,
    }
    plain = sdk("chat.completions.create", **request)
    streamed = sdk.stream_chat(**request)
    assert streamed.choices[0].finish_reason == "tool_calls"
    pairs = [(c.function.name, c.function.arguments) for c in streamed.choices[0].message.tool_calls]
    assert pairs == [(c.function.name, c.function.arguments) for c in plain.choices[0].message.tool_calls]


def test_tool_choice_none_and_no_tools_answer_text(sdk):
    tools = [chat_tool("get_weather", WEATHER)]
    messages = [{"role": "user", "content": "get_weather now"}]
    completion = sdk("chat.completions.create", model="grok-4", messages=messages, tools=tools, tool_choice="none")
    assert completion.choices[0].message.content == answer_for("get_weather now")


def test_response_function_calls_and_their_outputs(sdk):
    tools = [response_tool("get_weather", WEATHER), response_tool("get_time", TIME)]
    first = sdk("responses.create", model="grok-4", input="get_weather and get_time", tools=tools)
    calls = [item for item in first.output if item.type == "function_call"]
    assert [call.name for call in calls] == ["get_weather", "get_time"]
    check(json.loads(calls[0].arguments), WEATHER)
    check(json.loads(calls[1].arguments), TIME)
    outputs = [
        {"type": "function_call_output", "call_id": calls[0].call_id, "output": "rain"},
        {"type": "function_call_output", "call_id": calls[1].call_id, "output": "noon"},
    ]
    final = sdk("responses.create", model="grok-4", input=outputs, previous_response_id=first.id, tools=tools)
    assert final.output_text == answer_for_tool_results(["rain", "noon"]) and final.output[0].type == "message"
    # the same turn without stored state: the calls sent back as items
    replayed = [call.model_dump(exclude_none=True) for call in calls]
    again = sdk("responses.create", model="grok-4", input=[{"role": "user", "content": "hi"}, *replayed, *outputs])
    assert again.output_text == answer_for_tool_results(["rain", "noon"])
    single = sdk(
        "responses.create",
        model="grok-4",
        input="hi",
        tools=tools,
        parallel_tool_calls=False,
        tool_choice={"type": "function", "name": "get_time"},
    )
    assert [item.name for item in single.output] == ["get_time"]


def test_streamed_function_call_events(sdk):
    tools = [response_tool("get_weather", WEATHER)]
    events, final = sdk.stream_response(model="grok-4", input="weather", tools=tools, tool_choice="required")
    kinds = [event.type for event in events]
    assert kinds[2] == "response.output_item.added" and kinds[-2:] == [
        "response.output_item.done",
        "response.completed",
    ]
    arguments = "".join(e.delta for e in events if e.type == "response.function_call_arguments.delta")
    done = next(e for e in events if e.type == "response.function_call_arguments.done")
    assert arguments == done.arguments == final.output[0].arguments
    check(json.loads(arguments), WEATHER)


def test_an_output_for_no_call_is_refused(sdk):
    with pytest.raises(openai.BadRequestError) as caught:
        sdk(
            "responses.create",
            model="grok-4",
            input=[{"type": "function_call_output", "call_id": "call_x", "output": "?"}],
        )
    assert "call_x" in str(caught.value.body)
    with pytest.raises(openai.BadRequestError):
        sdk(
            "chat.completions.create",
            model="grok-4",
            messages=[{"role": "user", "content": "hi"}, {"role": "tool", "tool_call_id": "call_x", "content": "?"}],
        )


# --- n, stop, seed, usage ---------------------------------------------------------------------------


def test_n_choices_stop_and_usage(sdk):
    completion = sdk(
        "chat.completions.create", model="grok-4", messages=[{"role": "user", "content": "count"}], n=3, stop=["you"]
    )
    assert [choice.index for choice in completion.choices] == [0, 1, 2]
    texts = [choice.message.content for choice in completion.choices]
    assert texts[0] == answer_for("count").split("you")[0] and all("you" not in text for text in texts)
    assert len(set(texts)) == 3 and {choice.finish_reason for choice in completion.choices} == {"stop"}
    assert completion.usage.prompt_tokens == 1
    assert completion.usage.completion_tokens == sum(len(text.split()) for text in texts)


def test_a_seed_repeats_and_streaming_gives_the_same_text(sdk):
    request = {
        "model": "grok-4",
        "messages": [{"role": "user", "content": "an order"}],
        "response_format": {"type": "json_schema", "json_schema": {"name": "order", "schema": ORDER}},
        "n": 2,
    }
    first = sdk("chat.completions.create", seed=42, **request)
    again = sdk("chat.completions.create", seed=42, **request)
    other = sdk("chat.completions.create", seed=43, **request)
    texts = [choice.message.content for choice in first.choices]
    assert texts == [choice.message.content for choice in again.choices]
    assert texts != [choice.message.content for choice in other.choices]
    chunks = sdk("chat.completions.create", seed=42, stream=True, stream_options={"include_usage": True}, **request)
    streamed = [
        "".join(c.choices[0].delta.content or "" for c in chunks if c.choices and c.choices[0].index == i)
        for i in (0, 1)
    ]
    assert streamed == texts and chunks[-1].usage == first.usage


# --- errors in api.x.ai's shape ---------------------------------------------------------------------


def test_an_unknown_model_is_a_404_naming_it(sdk):
    with pytest.raises(openai.NotFoundError) as caught:
        sdk("chat.completions.create", model="grok-9", messages=[{"role": "user", "content": "hi"}])
    assert "grok-9" in caught.value.response.json()["error"] and caught.value.response.json()["code"]
    with pytest.raises(openai.NotFoundError) as caught:
        sdk("responses.create", model="grok-9", input="hi")
    assert "grok-9" in caught.value.response.json()["error"]


@pytest.mark.parametrize(
    ("extra", "named"),
    [
        ({"tools": [chat_tool("bad name!", WEATHER)]}, "tools[0].function.name"),
        ({"tools": [chat_tool("ok", {"type": "objekt"})]}, "tools[0].function.parameters.type"),
        (
            {"tools": [chat_tool("ok", WEATHER)], "tool_choice": {"type": "function", "function": {"name": "nope"}}},
            "nope",
        ),
        (
            {
                "response_format": {
                    "type": "json_schema",
                    "json_schema": {"name": "x", "schema": {"$ref": "#/$defs/Gone"}},
                }
            },
            "response_format.json_schema.schema.$ref",
        ),
        ({"n": 0}, "n must be"),
        ({"stop": ["a", "b", "c", "d", "e"]}, "stop"),
    ],
)
def test_a_malformed_request_is_a_400_saying_what(sdk, extra, named):
    with pytest.raises(openai.BadRequestError) as caught:
        sdk("chat.completions.create", model="grok-4", messages=[{"role": "user", "content": "hi"}], **extra)
    body = caught.value.response.json()
    assert named in body["error"] and body["code"] == "Client specified an invalid argument"


def test_a_malformed_response_format_is_a_400(sdk):
    with pytest.raises(openai.BadRequestError) as caught:
        sdk(
            "responses.create",
            model="grok-4",
            input="hi",
            text={"format": {"type": "json_schema", "name": "x", "schema": []}},
        )
    assert "text.format.schema" in caught.value.response.json()["error"]


# --- scripted answers (StandIn only: a subprocess has no script_next) ------------------------------


def test_scripted_text_tool_call_and_error(scripted_sdk, standin):
    standin.script_next("exactly this")
    standin.script_next(tool_calls=[("get_weather", {"city": "Oslo", "unit": "celsius"})])
    standin.script_next(error=(429, "slow down"))
    messages = [{"role": "user", "content": "hi"}]
    text = scripted_sdk("chat.completions.create", model="grok-4", messages=messages)
    assert text.choices[0].message.content == "exactly this"
    tools = [response_tool("get_weather", WEATHER)]
    call = scripted_sdk("responses.create", model="grok-4", input="hi", tools=tools)
    assert call.output[0].name == "get_weather" and json.loads(call.output[0].arguments)["city"] == "Oslo"
    with pytest.raises(openai.RateLimitError) as caught:
        scripted_sdk("chat.completions.create", model="grok-4", messages=messages)
    assert caught.value.response.json()["error"] == "slow down"
    after = scripted_sdk("chat.completions.create", model="grok-4", messages=messages)
    assert after.choices[0].message.content == answer_for("hi")  # the script is used up


def test_a_scripted_call_with_generated_arguments_and_one_the_request_cannot_make(scripted_sdk, standin):
    standin.script_next(tool_calls=["get_weather"], times=2)
    tools = [chat_tool("get_weather", WEATHER)]
    messages = [{"role": "user", "content": "hi"}]
    completion = scripted_sdk("chat.completions.create", model="grok-4", messages=messages, tools=tools)
    check(json.loads(completion.choices[0].message.tool_calls[0].function.arguments), WEATHER)
    with pytest.raises(openai.BadRequestError) as caught:
        scripted_sdk("chat.completions.create", model="grok-4", messages=messages)  # no tools declared
    assert "get_weather" in caught.value.response.json()["error"]


@pytest.mark.parametrize(
    "arguments",
    [{}, {"text": "a", "error": (400, "x")}, {"error": (200, "fine")}, {"tool_calls": []}, {"text": "a", "times": 0}],
)
def test_a_script_that_cannot_be_answered_is_refused_at_once(standin, arguments):
    with pytest.raises(ValueError):
        standin.script_next(**arguments)
