"""The Responses API: `POST /v1/responses` (plain and streamed), `GET` and `DELETE /v1/responses/{id}`.

Shapes (the `openai` SDK's types, which api.x.ai's reference follows): `openai/types/responses/response.py`
(the response: `output` items, `status`, `incomplete_details`, echoed `instructions`, `tools`,
`tool_choice`, `parallel_tool_calls`, `previous_response_id`), `response_output_message.py` +
`response_output_text.py` (a message item), `response_function_tool_call.py` (a `function_call` item),
`response_usage.py` (usage), `response_input_item_param.py` (input items: messages, `function_call`,
`function_call_output`), `response_stream_event.py` and the `response_*_event.py` files (stream events and
their fields). Stream order, as the SDK's `ResponseStreamState` expects: `response.created`,
`response.in_progress`, then per item `output_item.added`, (message) `content_part.added`,
`output_text.delta`..., `output_text.done`, `content_part.done`, (call) `function_call_arguments.delta`...,
`function_call_arguments.done`, then `output_item.done`; last `response.completed` (or `response.incomplete`
when `max_output_tokens` cut it). Each event carries a `sequence_number` counting from 0.

A stored response (`store`, default true) keeps its conversation, so `previous_response_id` continues it:
the earlier turns count as input tokens and `function_call_output` items answer its calls. The store
keeps the newest responses, at most `MAX_STORED` of them and `MAX_STORED_BYTES` of JSON, so a long-running
`serve` stays small.
"""

from __future__ import annotations

import collections
import copy
import json
import secrets
import threading

from .answers import Ask, Reply, count_tokens, pieces
from .errors import ApiError
from .params import flag, message_text, parse_seed, whole
from .structured import parse_format
from .tools import parse_tool_choice, parse_tools

MAX_STORED = 1000
MAX_STORED_BYTES = 32 << 20


class ResponseStore:
    """Stored responses by id, with the conversation each one ends (input and output items), newest kept."""

    def __init__(self, limit: int = MAX_STORED, byte_limit: int = MAX_STORED_BYTES) -> None:
        self._items: collections.OrderedDict[str, tuple[dict, list[dict], int]] = collections.OrderedDict()
        self._limit, self._byte_limit, self._bytes = limit, byte_limit, 0
        self._lock = threading.Lock()

    def put(self, response: dict, conversation: list[dict]) -> None:
        size = len(json.dumps(response)) + len(json.dumps(conversation))
        with self._lock:
            self._items[response["id"]] = (copy.deepcopy(response), conversation, size)
            self._bytes += size
            while len(self._items) > self._limit or (self._bytes > self._byte_limit and len(self._items) > 1):
                self._bytes -= self._items.popitem(last=False)[1][2]

    def get(self, ident: str) -> tuple[dict, list[dict]] | None:
        with self._lock:
            found = self._items.get(ident)
        return (copy.deepcopy(found[0]), found[1]) if found else None

    def delete(self, ident: str) -> bool:
        with self._lock:
            found = self._items.pop(ident, None)
            if found is not None:
                self._bytes -= found[2]
        return found is not None


def not_found(ident: str) -> ApiError:
    return ApiError(404, f"Response with id '{ident}' not found.")


def parse_response_request(body: dict, store: ResponseStore) -> tuple[Ask, list[dict]]:
    """The request as an `Ask`, and the conversation so far (earlier turns, then this input)."""
    items = _input_items(body.get("input"))
    earlier: list[dict] = []
    previous = body.get("previous_response_id")
    if previous is not None:
        if not isinstance(previous, str):
            raise ApiError(400, "previous_response_id must be a response id string")
        found = store.get(previous)
        if found is None:
            raise ApiError(404, f"Previous response with id '{previous}' not found.")
        earlier = found[1]
    conversation = earlier + items
    call_ids = {item.get("call_id") for item in conversation if item.get("type") == "function_call"}
    for index, item in enumerate(items):
        if item.get("type") == "function_call_output" and item.get("call_id") not in call_ids:
            raise ApiError(
                400,
                f"No tool call found for function call output with call_id {item.get('call_id')!r} (input[{index}]).",
            )
    instructions = body.get("instructions")
    if instructions is not None and not isinstance(instructions, str):
        raise ApiError(400, "instructions must be a string")
    text = body.get("text")
    if text is not None and not isinstance(text, dict):
        raise ApiError(400, "text must be an object with a format")
    tools = parse_tools(body.get("tools"), nested=False)
    ask = Ask(
        prompt=_last_user_text(conversation),
        prompt_tokens=count_tokens(instructions or "", *(_item_text(item) for item in conversation)),
        tool_results=_trailing_outputs(items),
        tools=tools,
        tool_choice=parse_tool_choice(body.get("tool_choice"), tools, nested=False),
        parallel_tool_calls=flag(body, "parallel_tool_calls", True),
        format=parse_format((text or {}).get("format"), nested=False, where="text.format"),
        limit=whole(body, "max_output_tokens", least=1),
        seed=parse_seed(body),
    )
    return ask, conversation


def _input_items(value: object) -> list[dict]:
    if isinstance(value, str):
        return [{"type": "message", "role": "user", "content": value}]
    if not isinstance(value, list) or not value:
        raise ApiError(400, "input must be a string or a non-empty list of input items")
    items = []
    for index, item in enumerate(value):
        if not isinstance(item, dict):
            raise ApiError(400, f"input[{index}] must be an object")
        kind = item.get("type", "message")
        if kind == "message" or (kind is None and "role" in item):
            if item.get("role") not in ("user", "system", "developer", "assistant"):
                raise ApiError(400, f"input[{index}].role must be user, system, developer or assistant")
            if message_text(item.get("content")) is None:
                raise ApiError(400, f"input[{index}].content must be a string or a list of content parts")
        elif kind == "function_call":
            if not all(isinstance(item.get(key), str) for key in ("call_id", "name", "arguments")):
                raise ApiError(400, f"input[{index}]: a function_call needs call_id, name and arguments strings")
        elif kind == "function_call_output":
            if not isinstance(item.get("call_id"), str):
                raise ApiError(400, f"input[{index}]: a function_call_output needs its call_id")
        elif kind != "reasoning":
            raise ApiError(400, f"input[{index}].type {kind!r} is not an input item the stand-in knows")
        items.append({**item, "type": kind})
    return items


def _item_text(item: dict) -> str:
    kind = item["type"]
    if kind == "message":
        return message_text(item.get("content")) or ""
    if kind == "function_call":
        return item.get("arguments", "")
    if kind == "function_call_output":
        output = item.get("output", "")
        return output if isinstance(output, str) else message_text(output) or ""
    return ""


def _last_user_text(conversation: list[dict]) -> str:
    for item in reversed(conversation):
        if item["type"] == "message" and item.get("role") == "user":
            return _item_text(item)
    return ""


def _trailing_outputs(items: list[dict]) -> list[str]:
    outputs: list[str] = []
    for item in reversed(items):
        if item["type"] != "function_call_output":
            break
        outputs.insert(0, _item_text(item))
    return outputs


def response_object(body: dict, model: str, created: int, ask: Ask, reply: Reply) -> dict:
    """The completed (or incomplete) response for `reply`."""
    incomplete = reply.finish == "length"
    ident = f"resp_{secrets.token_hex(16)}"
    return {
        "id": ident,
        "object": "response",
        "created_at": created,
        "completed_at": created,
        "model": model,
        "status": "incomplete" if incomplete else "completed",
        "incomplete_details": {"reason": "max_output_tokens"} if incomplete else None,
        "error": None,
        "instructions": body.get("instructions"),
        "output": _output_items(reply, "incomplete" if incomplete else "completed"),
        "parallel_tool_calls": ask.parallel_tool_calls,
        "tool_choice": body.get("tool_choice") or "auto",
        "tools": body.get("tools") or [],
        "temperature": body.get("temperature", 1.0),
        "top_p": body.get("top_p", 1.0),
        "max_output_tokens": body.get("max_output_tokens"),
        "previous_response_id": body.get("previous_response_id"),
        "store": body.get("store", True) is not False,
        "text": body.get("text") or {"format": {"type": "text"}},
        "metadata": body.get("metadata") or {},
        "user": body.get("user"),
        "usage": {
            "input_tokens": ask.prompt_tokens,
            "input_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0},
            "output_tokens": reply.tokens,
            "output_tokens_details": {"reasoning_tokens": 0},
            "total_tokens": ask.prompt_tokens + reply.tokens,
        },
    }


def _output_items(reply: Reply, status: str) -> list[dict]:
    if reply.tool_calls:
        return [
            {
                "id": f"fc_{secrets.token_hex(16)}",
                "type": "function_call",
                "call_id": call.call_id,
                "name": call.name,
                "arguments": call.arguments,
                "status": "completed",
            }
            for call in reply.tool_calls
        ]
    text = {"type": "output_text", "text": reply.text or "", "annotations": [], "logprobs": []}
    return [
        {
            "id": f"msg_{secrets.token_hex(16)}",
            "type": "message",
            "role": "assistant",
            "status": status,
            "content": [text],
        }
    ]


def stream_events(response: dict) -> list[dict]:
    """The events that stream `response`, in the SDK's order, numbered from 0."""
    opening = {**response, "status": "in_progress", "output": [], "usage": None, "incomplete_details": None}
    opening.pop("completed_at", None)
    events: list[dict] = [
        {"type": "response.created", "response": opening},
        {"type": "response.in_progress", "response": opening},
    ]
    for position, item in enumerate(response["output"]):
        where = {"item_id": item["id"], "output_index": position}
        if item["type"] == "message":
            events.append(_item_event("added", position, {**item, "status": "in_progress", "content": []}))
            part = item["content"][0]
            empty = {**part, "text": ""}
            events.append({"type": "response.content_part.added", **where, "content_index": 0, "part": empty})
            for piece in pieces(part["text"]):
                events.append(
                    {"type": "response.output_text.delta", **where, "content_index": 0, "delta": piece, "logprobs": []}
                )
            events.append(
                {"type": "response.output_text.done", **where, "content_index": 0, "text": part["text"], "logprobs": []}
            )
            events.append({"type": "response.content_part.done", **where, "content_index": 0, "part": part})
        else:
            events.append(_item_event("added", position, {**item, "status": "in_progress", "arguments": ""}))
            for piece in pieces(item["arguments"]):
                events.append({"type": "response.function_call_arguments.delta", **where, "delta": piece})
            events.append(
                {
                    "type": "response.function_call_arguments.done",
                    **where,
                    "arguments": item["arguments"],
                    "name": item["name"],
                }
            )
        events.append(_item_event("done", position, item))
    final = "response.incomplete" if response["status"] == "incomplete" else "response.completed"
    events.append({"type": final, "response": response})
    return [{**event, "sequence_number": number} for number, event in enumerate(events)]


def _item_event(stage: str, position: int, item: dict) -> dict:
    return {"type": f"response.output_item.{stage}", "output_index": position, "item": item}
