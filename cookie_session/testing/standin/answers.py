"""What the stand-in answers, for both APIs: text, JSON for a format, or tool calls; `n`, `stop`,
`seed`, token limits and scripted answers (`StandIn.script_next`). The APIs only render an `Ask`'s replies.

Rules (deterministic, so tests can assert them):
- text: `answer_for(prompt)` (choice `i > 0`: `answer_for(prompt, i)`); after tool results in the last
  turn, `answer_for_tool_results(outputs)` (a round trip always ends in an answer, even under a forced
  `tool_choice`, where api.x.ai's model may call again).
- with function tools and `tool_choice` not "none": a call to the forced function; otherwise to each
  function the prompt names (only the first unless `parallel_tool_calls`), else to the first declared.
  Arguments are JSON valid for the function's `parameters` (`schema_instance`).
- `json_object`: `{"answer": <text>}`; a JSON Schema: a value valid for it.
- `seed`: the same seed gives the same JSON and arguments (choice `i` draws from `seed:i`); without one
  they vary. Tokens are whitespace-separated pieces; `stop` cuts the text before the first stop string
  (finish "stop"), a token limit after that many pieces (finish "length").
"""

from __future__ import annotations

import json
import random
import re
import secrets
from dataclasses import dataclass, field

from .errors import ApiError
from .schema_instance import SchemaError, instance_for
from .structured import JSON_OBJECT
from .tools import FunctionTool


def answer_for(prompt: str, choice: int = 0) -> str:
    """The stand-in's deterministic answer to a prompt (both sides give the same); `choice` > 0 for `n` > 1."""
    if choice:
        return f"Stand-in answer {choice + 1}: you said {prompt!r}."
    return f"Stand-in answer: you said {prompt!r}."


def answer_for_tool_results(outputs: list[str]) -> str:
    """The final answer once the caller sent tool results back."""
    return "Stand-in answer: the tools said " + "; ".join(repr(output) for output in outputs) + "."


def pieces(text: str) -> list[str]:
    """`text` as tokens: whitespace-led pieces that join back to it exactly (streamed one per chunk)."""
    found = re.findall(r"\s*\S+", text)
    trailing = text[len("".join(found)) :]
    if trailing:
        found = [*found[:-1], found[-1] + trailing] if found else [trailing]
    return found


def count_tokens(*texts: str) -> int:
    return sum(len(text.split()) for text in texts)


@dataclass(frozen=True)
class ScriptedAnswer:
    """One answer a test asked for: text, tool calls (`(name, arguments or None)`), or an error."""

    text: str | None = None
    tool_calls: tuple[tuple[str, dict | None], ...] = ()
    error: tuple[int, str] | None = None


@dataclass(frozen=True)
class ToolCall:
    call_id: str
    name: str
    arguments: str


@dataclass
class Reply:
    """One choice (chat) or the output (responses)."""

    text: str | None
    tool_calls: list[ToolCall]
    finish: str  # "stop", "length" or "tool_calls"
    tokens: int


@dataclass
class Ask:
    """A request in the terms both APIs share."""

    prompt: str
    prompt_tokens: int
    tool_results: list[str] = field(default_factory=list)  # outputs sent back in the last turn
    tools: list[FunctionTool] = field(default_factory=list)
    tool_choice: str = "none"
    parallel_tool_calls: bool = True
    format: str | dict | None = None
    stop: tuple[str, ...] = ()
    limit: int | None = None
    seed: int | None = None
    n: int = 1


def replies(ask: Ask, script: ScriptedAnswer | None) -> list[Reply]:
    """The `ask.n` replies (ApiError for a scripted error or a script the request cannot carry)."""
    if script is not None and script.error is not None:
        raise ApiError(*script.error)
    return [_reply(ask, script, index) for index in range(ask.n)]


def _reply(ask: Ask, script: ScriptedAnswer | None, index: int) -> Reply:
    rng = random.Random(f"{ask.seed}:{index}") if ask.seed is not None else random.Random(secrets.randbits(64))
    calls = _scripted_calls(ask, script, rng) if script is not None else _calls(ask, rng)
    if calls:
        return Reply(None, calls, "tool_calls", sum(count_tokens(call.arguments) for call in calls))
    if script is not None and script.text is not None:
        text = script.text
    else:
        text = answer_for_tool_results(ask.tool_results) if ask.tool_results else answer_for(ask.prompt, index)
        if ask.format == JSON_OBJECT:
            text = json.dumps({"answer": text})
        elif isinstance(ask.format, dict):
            text = json.dumps(_instance(ask.format, rng, "the response format's schema"))
    return _cut(text, ask)


def _cut(text: str, ask: Ask) -> Reply:
    finish = "stop"
    ends = [text.find(stop) for stop in ask.stop if stop and stop in text]
    if ends:
        text = text[: min(ends)]
    tokens = pieces(text)
    if ask.limit is not None and len(tokens) > ask.limit:
        tokens, finish = tokens[: ask.limit], "length"
    return Reply("".join(tokens), [], finish, len(tokens))


def _calls(ask: Ask, rng: random.Random) -> list[ToolCall]:
    if not ask.tools or ask.tool_choice == "none" or ask.tool_results:
        return []
    if ask.tool_choice not in ("auto", "required"):
        chosen = [tool for tool in ask.tools if tool.name == ask.tool_choice]
    else:
        named = [tool for tool in ask.tools if re.search(rf"\b{re.escape(tool.name)}\b", ask.prompt)]
        chosen = named or ask.tools[:1]
    if not ask.parallel_tool_calls:
        chosen = chosen[:1]
    return [_call(tool.name, _instance(tool.parameters, rng, f"{tool.name}'s parameters")) for tool in chosen]


def _scripted_calls(ask: Ask, script: ScriptedAnswer, rng: random.Random) -> list[ToolCall]:
    calls = []
    for name, arguments in script.tool_calls:
        tool = next((tool for tool in ask.tools if tool.name == name), None)
        if tool is None:
            raise ApiError(
                400, f"the stand-in was scripted to call {name!r}, which this request's tools do not declare"
            )
        made = _instance(tool.parameters, rng, f"{name}'s parameters") if arguments is None else arguments
        calls.append(_call(name, made))
    return calls


def _instance(schema: dict, rng: random.Random, what: str) -> object:
    try:
        return instance_for(schema, rng)
    except SchemaError as error:
        raise ApiError(400, f"{what}: {error}") from None


def _call(name: str, arguments: object) -> ToolCall:
    return ToolCall(f"call_{secrets.token_hex(12)}", name, json.dumps(arguments))
