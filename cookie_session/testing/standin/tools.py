"""Function tools and `tool_choice` as the two APIs declare them, checked as api.x.ai checks them (400).

Shapes: chat completions nest the function (`{"type": "function", "function": {"name", "parameters"}}`,
`openai/types/chat/chat_completion_function_tool_param.py`; choice `{"type": "function", "function":
{"name"}}`), the Responses API flattens it (`{"type": "function", "name", "parameters"}`,
`openai/types/responses/function_tool_param.py`; choice `{"type": "function", "name"}`). Other tool types
(api.x.ai's server-side `web_search`, `x_search`, ...) are accepted and not run: the stand-in has no web.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import ApiError
from .schema_instance import SchemaError, check_schema

_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")
CHOICES = ("none", "auto", "required")
#: What a function declared without `parameters` accepts: an object, as OpenAI defines it.
NO_PARAMETERS = {"type": "object", "properties": {}}


@dataclass(frozen=True)
class FunctionTool:
    name: str
    parameters: dict


def parse_tools(tools: object, *, nested: bool) -> list[FunctionTool]:
    """The function tools of a request (`nested`: chat's `{"function": {...}}`); ApiError 400 if malformed."""
    if tools is None:
        return []
    if not isinstance(tools, list):
        raise ApiError(400, "tools must be a list of tool objects")
    found: list[FunctionTool] = []
    for index, tool in enumerate(tools):
        where = f"tools[{index}]"
        if not isinstance(tool, dict) or not isinstance(tool.get("type"), str):
            raise ApiError(400, f"{where} must be an object with a type")
        if tool["type"] != "function":
            continue
        spec = tool.get("function") if nested else tool
        if nested:
            where += ".function"
        if not isinstance(spec, dict):
            raise ApiError(400, f"{where} must be an object with a name and parameters")
        name = spec.get("name")
        if not isinstance(name, str) or not _NAME.fullmatch(name):
            raise ApiError(400, f"{where}.name must be 1-64 letters, digits, '_' or '-', not {name!r}")
        if any(known.name == name for known in found):
            raise ApiError(400, f"{where}.name {name!r} is declared twice")
        parameters = spec.get("parameters")
        if parameters is None:
            parameters = NO_PARAMETERS
        try:
            check_schema(parameters, f"{where}.parameters")
        except SchemaError as error:
            raise ApiError(400, str(error)) from None
        if parameters.get("type", "object") != "object":
            raise ApiError(400, f"{where}.parameters must describe an object (type 'object'): arguments are named")
        found.append(FunctionTool(name, parameters))
    return found


def parse_tool_choice(choice: object, tools: list[FunctionTool], *, nested: bool) -> str:
    """ "none", "auto", "required" or the name of the one function to call; ApiError 400 if it cannot be."""
    if choice is None:
        return "auto" if tools else "none"
    if isinstance(choice, str):
        if choice not in CHOICES:
            raise ApiError(400, f"tool_choice must be one of {', '.join(CHOICES)} or a function, not {choice!r}")
        if choice == "required" and not tools:
            raise ApiError(400, "tool_choice 'required' needs at least one function in tools")
        return choice
    if isinstance(choice, dict) and choice.get("type") == "function":
        spec = choice.get("function") if nested else choice
        name = spec.get("name") if isinstance(spec, dict) else None
        if not any(tool.name == name for tool in tools):
            raise ApiError(400, f"tool_choice names function {name!r}, which tools does not declare")
        return name  # type: ignore[return-value]
    raise ApiError(400, "tool_choice must be 'none', 'auto', 'required' or {'type': 'function', ...}")
