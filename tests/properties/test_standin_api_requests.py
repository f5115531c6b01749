"""Any JSON a client sends to the stand-in's generating endpoints gets an answer: a 200, or a 4xx in api.x.ai's
shape (`code` and a one-line `error`), never a dropped connection or a server error."""

import pytest
import requests
from hypothesis import HealthCheck, given, settings, strategies as st

from cookie_session.testing.standin import StandIn

finite = st.floats(allow_nan=False, allow_infinity=False)
scalars = st.none() | st.booleans() | st.integers(-3, 200) | st.text(max_size=8) | finite
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=8,
)
names = st.sampled_from(["get_weather", "f", "bad name", ""])
schemas = st.fixed_dictionaries(
    {},
    optional={
        "type": st.sampled_from(["object", "string", "objekt"]) | json_values,
        "properties": json_values,
        "required": json_values,
        "$ref": st.sampled_from(["#", "#/x"]),
    },
)
tools = (
    st.lists(
        st.fixed_dictionaries(
            {"type": st.sampled_from(["function", "web_search"]) | json_values},
            optional={
                "function": st.fixed_dictionaries(
                    {}, optional={"name": names | json_values, "parameters": schemas | json_values}
                ),
                "name": names,
                "parameters": schemas,
            },
        ),
        max_size=3,
    )
    | json_values
)
messages = (
    st.lists(
        st.fixed_dictionaries(
            {"role": st.sampled_from(["user", "assistant", "tool", "system", "x"])},
            optional={
                "content": st.text(max_size=10) | json_values,
                "tool_calls": json_values,
                "tool_call_id": st.text(max_size=4) | json_values,
            },
        ),
        max_size=4,
    )
    | json_values
)
common = {
    "model": st.sampled_from(["grok-4", "grok-9"]) | json_values,
    "tools": tools,
    "tool_choice": st.sampled_from(["auto", "none", "required"]) | json_values,
    "parallel_tool_calls": st.booleans() | json_values,
    "seed": st.integers() | json_values,
    "stream": st.booleans(),
}
chat_bodies = st.fixed_dictionaries(
    {"messages": messages},
    optional={
        **common,
        "n": st.integers(-1, 4) | json_values,
        "stop": json_values,
        "max_tokens": json_values,
        "response_format": st.fixed_dictionaries(
            {"type": st.sampled_from(["json_schema", "json_object", "text"])},
            optional={
                "json_schema": st.fixed_dictionaries({}, optional={"name": names, "schema": schemas | json_values})
            },
        )
        | json_values,
    },
)
response_bodies = st.fixed_dictionaries(
    {"input": st.text(max_size=10) | messages},
    optional={
        **common,
        "instructions": json_values,
        "previous_response_id": json_values,
        "text": json_values,
        "max_output_tokens": json_values,
        "store": json_values,
    },
)


@pytest.fixture(scope="module")
def api():
    with StandIn() as stand_in:
        yield stand_in


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.tuples(st.just("/chat/completions"), chat_bodies) | st.tuples(st.just("/responses"), response_bodies))
def test_every_request_body_gets_a_json_answer(api, call):
    path, body = call
    reply = requests.post(
        api.base_url + path, json=body, headers={"Authorization": f"Bearer {api.api_key}"}, timeout=10
    )
    assert reply.status_code in (200, 400, 404), reply.text
    if reply.status_code != 200:
        error = reply.json()
        assert set(error) == {"code", "error"} and "\n" not in error["error"]
    elif not body.get("stream"):
        assert reply.json()["object"] in ("chat.completion", "response")
