"""`POST /v1/chat/completions`: the request read into an `Ask`, the replies written as OpenAI's shapes.

Shapes: `openai/types/chat/chat_completion.py` (the completion: `choices[i].message` with `content` or
`tool_calls`, `finish_reason`), `chat_completion_chunk.py` (the stream: `role` in each choice's first
delta, tool calls as `{"index", "id", "type", "function": {"name", "arguments"}}` then argument deltas,
one finish chunk per choice, and with `stream_options.include_usage` `usage: null` on every chunk and a
last chunk with no choices carrying it), `completion_usage.py`; messages `chat_completion_message_param.py`.
"""

from __future__ import annotations

from .answers import Ask, Reply, count_tokens, pieces
from .errors import ApiError
from .params import MAX_CHOICES, flag, message_text, parse_seed, stop_sequences, whole
from .structured import parse_format
from .tools import parse_tool_choice, parse_tools

ROLES = ("system", "developer", "user", "assistant", "tool")


def parse_chat(body: dict) -> Ask:
    """The chat request as an `Ask` (ApiError 400 for what api.x.ai refuses; the model is checked by the caller)."""
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages or not all(isinstance(m, dict) for m in messages):
        raise ApiError(400, "messages must be a non-empty list of objects")
    texts, call_ids = [], set()
    for index, message in enumerate(messages):
        role = message.get("role")
        if role not in ROLES:
            raise ApiError(400, f"messages[{index}].role must be one of {', '.join(ROLES)}, not {role!r}")
        text = message_text(message.get("content") or "")
        if text is None:
            raise ApiError(400, f"messages[{index}].content must be a string or a list of content parts")
        for call in _tool_calls(message, f"messages[{index}]"):
            call_ids.add(call["id"])
            texts.append(call["function"]["arguments"])
        if role == "tool" and (
            not isinstance(message.get("tool_call_id"), str) or message["tool_call_id"] not in call_ids
        ):
            raise ApiError(
                400, f"messages[{index}].tool_call_id {message.get('tool_call_id')!r} answers no earlier tool call"
            )
        texts.append(text)
    tools = parse_tools(body.get("tools"), nested=True)
    limit = whole(body, "max_completion_tokens", least=1)
    return Ask(
        prompt=_last_user_text(messages),
        prompt_tokens=count_tokens(*texts),
        tool_results=_trailing_tool_results(messages),
        tools=tools,
        tool_choice=parse_tool_choice(body.get("tool_choice"), tools, nested=True),
        parallel_tool_calls=flag(body, "parallel_tool_calls", True),
        format=parse_format(body.get("response_format"), nested=True, where="response_format"),
        stop=stop_sequences(body),
        limit=limit if limit is not None else whole(body, "max_tokens", least=1),
        seed=parse_seed(body),
        n=whole(body, "n", least=1, most=MAX_CHOICES) or 1,
    )


def _tool_calls(message: dict, where: str) -> list[dict]:
    """An assistant message's `tool_calls`, each `{"id", "type": "function", "function": {"name", "arguments"}}`."""
    calls = message.get("tool_calls")
    if calls is None or message.get("role") != "assistant":
        return []
    if not isinstance(calls, list):
        raise ApiError(400, f"{where}.tool_calls must be a list of tool calls")
    for position, call in enumerate(calls):
        function = call.get("function") if isinstance(call, dict) else None
        if not (
            isinstance(call.get("id") if isinstance(call, dict) else None, str)
            and isinstance(function, dict)
            and isinstance(function.get("name"), str)
            and isinstance(function.get("arguments"), str)
        ):
            raise ApiError(400, f"{where}.tool_calls[{position}] needs an id and a function with name and arguments")
    return calls


def _last_user_text(messages: list[dict]) -> str:
    for message in reversed(messages):
        if message.get("role") == "user":
            return message_text(message.get("content") or "") or ""
    return message_text(messages[-1].get("content") or "") or ""


def _trailing_tool_results(messages: list[dict]) -> list[str]:
    results: list[str] = []
    for message in reversed(messages):
        if message.get("role") != "tool":
            break
        results.insert(0, message_text(message.get("content") or "") or "")
    return results


def usage(ask: Ask, replies: list[Reply]) -> dict:
    completion = sum(reply.tokens for reply in replies)
    return {
        "prompt_tokens": ask.prompt_tokens,
        "completion_tokens": completion,
        "total_tokens": ask.prompt_tokens + completion,
    }


def chat_completion(ident: str, created: int, model: str, ask: Ask, replies: list[Reply]) -> dict:
    return {
        "id": ident,
        "object": "chat.completion",
        "created": created,
        "model": model,
        "choices": [
            {"index": index, "message": _message(reply), "finish_reason": reply.finish, "logprobs": None}
            for index, reply in enumerate(replies)
        ],
        "usage": usage(ask, replies),
        "system_fingerprint": "fp_standin",
    }


def _message(reply: Reply) -> dict:
    message: dict = {"role": "assistant", "content": reply.text, "refusal": None}
    if reply.tool_calls:
        message["tool_calls"] = [
            {"id": call.call_id, "type": "function", "function": {"name": call.name, "arguments": call.arguments}}
            for call in reply.tool_calls
        ]
    return message


def chat_chunks(
    ident: str, created: int, model: str, ask: Ask, replies: list[Reply], include_usage: bool
) -> list[dict]:
    """The stream's chunks in order, each choice's in turn (their text joins to the non-streamed text)."""
    base: dict = {"id": ident, "object": "chat.completion.chunk", "created": created, "model": model}
    base["system_fingerprint"] = "fp_standin"
    if include_usage:
        base["usage"] = None
    events = []
    for index, reply in enumerate(replies):
        for delta in _deltas(reply):
            events.append({**base, "choices": [{"index": index, "delta": delta, "finish_reason": None}]})
        events.append({**base, "choices": [{"index": index, "delta": {}, "finish_reason": reply.finish}]})
    if include_usage:
        events.append({**base, "choices": [], "usage": usage(ask, replies)})
    return events


def _deltas(reply: Reply) -> list[dict]:
    if reply.tool_calls:
        deltas: list[dict] = [{"role": "assistant", "content": None}]
        for position, call in enumerate(reply.tool_calls):
            opening = {"index": position, "id": call.call_id, "type": "function"}
            deltas.append({"tool_calls": [{**opening, "function": {"name": call.name, "arguments": ""}}]})
            for piece in pieces(call.arguments):
                deltas.append({"tool_calls": [{"index": position, "function": {"arguments": piece}}]})
        return deltas
    tokens = pieces(reply.text or "") or [""]
    return [{"role": "assistant", "content": tokens[0]}] + [{"content": token} for token in tokens[1:]]
