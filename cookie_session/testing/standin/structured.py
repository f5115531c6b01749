"""Structured output formats: chat's `response_format` and the Responses API's `text.format`.

Shapes: `openai/types/shared_params/response_format_json_schema.py` (chat: `{"type": "json_schema",
"json_schema": {"name", "schema", "strict"}}`),
`openai/types/responses/response_format_text_json_schema_config_param.py`
(responses: `{"type": "json_schema", "name", "schema", "strict"}`); both also take `{"type": "text"}` and
`{"type": "json_object"}`.
"""

from __future__ import annotations

import re

from .errors import ApiError
from .schema_instance import SchemaError, check_schema

_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")
JSON_OBJECT = "json_object"


def parse_format(value: object, *, nested: bool, where: str) -> str | dict | None:
    """None (text), `JSON_OBJECT`, or the JSON Schema the answer must follow; ApiError 400 if malformed."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise ApiError(400, f"{where} must be an object with a type")
    kind = value.get("type")
    if kind == "text":
        return None
    if kind == JSON_OBJECT:
        return JSON_OBJECT
    if kind != "json_schema":
        raise ApiError(400, f"{where}.type must be 'text', 'json_object' or 'json_schema', not {kind!r}")
    spec = value.get("json_schema") if nested else value
    if nested:
        where += ".json_schema"
    if not isinstance(spec, dict):
        raise ApiError(400, f"{where} must be an object with a name and a schema")
    name = spec.get("name")
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise ApiError(400, f"{where}.name must be 1-64 letters, digits, '_' or '-', not {name!r}")
    schema = spec.get("schema", {"type": "object"})
    try:
        check_schema(schema, f"{where}.schema")
    except SchemaError as error:
        raise ApiError(400, str(error)) from None
    return schema
