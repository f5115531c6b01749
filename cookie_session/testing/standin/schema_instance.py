"""JSON Schema for the stand-in: `check_schema` refuses a malformed schema (api.x.ai answers 400),
`instance_for` makes a value valid for a well-formed one (structured output, tool arguments).

Covers what the `openai` SDK lets a caller send (`response_format`, `text.format`, tool `parameters`,
and what `pydantic` models turn into via `.parse()`): `type` (one or a list), `enum`, `const`,
`properties` / `required` / `additionalProperties` / `minProperties`, `items` / `prefixItems` /
`minItems` / `maxItems` / `uniqueItems` / `contains`, `anyOf` / `oneOf` / `allOf`, `$ref` into `$defs` or
`definitions` (recursive schemas too), string `format` / `pattern` / `minLength` / `maxLength`, and
numeric bounds (`minimum`, `exclusiveMaximum`, `multipleOf`, ...). A satisfiable schema gets a valid
value; a contradictory one (`allOf` of two different `const`) gets a best effort. Not generated for (a value
may miss them): `not`, `if`/`then`/`else`, `patternProperties`, `dependentRequired`, lookarounds in `pattern`.
"""

from __future__ import annotations

import json
import math
import random
import re
import string
import uuid
from typing import Any

from .regex_strings import string_matching

JSON_TYPES = ("string", "number", "integer", "boolean", "object", "array", "null")
_SCHEMA_LISTS = ("anyOf", "oneOf", "allOf", "prefixItems")
_SCHEMA_MAPS = ("properties", "$defs", "definitions", "patternProperties")
_SCHEMA_ONES = ("items", "additionalProperties", "contains", "not", "if", "then", "else")
_BOUNDS = (("minimum", "maximum"), ("minLength", "maxLength"), ("minItems", "maxItems"))
_COUNTS = ("minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties")
#: Below this depth a recursive schema stops growing: only required properties, the fewest items.
_DEEPEST = 4
_GIVE_UP = 40
_WORDS = ("alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet")


class SchemaError(ValueError):
    """A schema api.x.ai would refuse; the message names where (`schema.properties.age.type`) and what."""


def check_schema(schema: object, where: str = "schema") -> None:
    """Raise `SchemaError` unless `schema` is a well-formed JSON Schema whose `$ref`s resolve."""
    if not isinstance(schema, dict):
        raise SchemaError(f"{where} must be a JSON object (a JSON Schema), not {type(schema).__name__}")
    _check(schema, schema, where)


def _check(schema: object, root: dict, where: str) -> None:
    if isinstance(schema, bool):
        return
    if not isinstance(schema, dict):
        raise SchemaError(f"{where} must be a JSON Schema object or a boolean")
    kind = schema.get("type")
    if kind is not None:
        kinds = kind if isinstance(kind, list) else [kind]
        unknown = [k for k in kinds if k not in JSON_TYPES]
        if not kinds or unknown:
            raise SchemaError(
                f"{where}.type: {unknown[0] if unknown else kind!r} is not one of {', '.join(JSON_TYPES)}"
            )
    required = schema.get("required")
    if required is not None and not (isinstance(required, list) and all(isinstance(r, str) for r in required)):
        raise SchemaError(f"{where}.required must be a list of property names")
    enum = schema.get("enum")
    if enum is not None and not (isinstance(enum, list) and enum):
        raise SchemaError(f"{where}.enum must be a non-empty list")
    for key in _COUNTS:
        value = schema.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
            raise SchemaError(f"{where}.{key} must be a whole number of at least 0")
    for low, high in _BOUNDS:
        if _number(schema.get(low)) and _number(schema.get(high)) and schema[low] > schema[high]:
            raise SchemaError(f"{where}: {low} {schema[low]} is above {high} {schema[high]}")
    multiple = schema.get("multipleOf")
    if multiple is not None and not (_number(multiple) and multiple > 0):
        raise SchemaError(f"{where}.multipleOf must be a number above 0")
    pattern = schema.get("pattern")
    if pattern is not None:
        try:
            re.compile(pattern)
        except (re.error, TypeError):
            raise SchemaError(f"{where}.pattern {pattern!r} is not a regular expression") from None
    ref = schema.get("$ref")
    if ref is not None:
        _resolve(ref, root, where)
    for key in _SCHEMA_LISTS:
        if key in schema:
            subs = schema[key]
            if not isinstance(subs, list) or not subs:
                raise SchemaError(f"{where}.{key} must be a non-empty list of schemas")
            for index, sub in enumerate(subs):
                _check(sub, root, f"{where}.{key}[{index}]")
    for key in _SCHEMA_MAPS:
        if key in schema:
            subs = schema[key]
            if not isinstance(subs, dict):
                raise SchemaError(f"{where}.{key} must be an object of schemas")
            for name, sub in subs.items():
                _check(sub, root, f"{where}.{key}.{name}")
    for key in _SCHEMA_ONES:
        if key in schema:
            _check(schema[key], root, f"{where}.{key}")


def _number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _resolve(ref: object, root: dict, where: str = "schema") -> Any:
    """The subschema a local `$ref` (`#`, `#/$defs/Name`, any JSON pointer into the root) points at."""
    if not isinstance(ref, str) or not ref.startswith("#"):
        raise SchemaError(f"{where}.$ref {ref!r} must point inside the schema (#/$defs/...)")
    target: Any = root
    for raw in filter(None, ref[1:].split("/")):
        part = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(target, dict) and part in target:
            target = target[part]
        elif isinstance(target, list) and part.isdigit() and int(part) < len(target):
            target = target[int(part)]
        else:
            raise SchemaError(f"{where}.$ref {ref!r} points at nothing in the schema")
    return target


def instance_for(schema: dict, rng: random.Random) -> Any:
    """A value valid for the well-formed `schema` (see `check_schema`); the same `rng` state gives the same value."""
    return _Generator(schema, rng).value(schema, 0)


class _Generator:
    def __init__(self, root: dict, rng: random.Random) -> None:
        self.root = root
        self.rng = rng

    def value(self, schema: Any, depth: int) -> Any:
        if depth > _GIVE_UP:
            raise SchemaError("schema admits no finite value (every branch recurses)")
        schema = self.flatten(schema)
        if schema is True or schema == {}:
            return self.rng.choice(_WORDS)
        if "const" in schema:
            return schema["const"]
        if "enum" in schema:
            return self.rng.choice(schema["enum"])
        branches = schema.get("anyOf") or schema.get("oneOf")
        if branches:
            rest = {key: value for key, value in schema.items() if key not in ("anyOf", "oneOf")}
            if "oneOf" in schema:
                return self.one_of(rest, branches, depth)
            return self.value(self.merge([rest, self.pick_branch(branches, depth)]), depth)
        kind = self.pick_type(schema, depth)
        return getattr(self, f"make_{kind}")(schema, depth)

    def flatten(self, schema: Any) -> Any:
        """`schema` with its `$ref` followed and its `allOf` merged in (both repeatedly)."""
        for _ in range(64):  # a chain of refs ends; a ref to itself does not
            if not isinstance(schema, dict) or not ("$ref" in schema or "allOf" in schema):
                return schema
            rest = {key: value for key, value in schema.items() if key not in ("$ref", "allOf")}
            parts = [rest]
            if "$ref" in schema:
                parts.append(_resolve(schema["$ref"], self.root))
            parts.extend(schema.get("allOf", ()))
            schema = self.merge(parts)
        return {}

    def merge(self, parts: list) -> dict:
        """One schema every value of which satisfies all `parts` (for the keywords that combine simply)."""
        merged: dict = {}
        for part in parts:
            part = self.flatten(part)
            if part is True:
                continue
            for key, value in part.items():
                if key not in merged:
                    merged[key] = value
                elif key == "properties":
                    properties = dict(merged[key])
                    for name, sub in value.items():
                        properties[name] = {"allOf": [properties[name], sub]} if name in properties else sub
                    merged[key] = properties
                elif key == "required":
                    merged[key] = list(dict.fromkeys([*merged[key], *value]))
                elif key == "type":
                    mine, theirs = _types(merged[key]), _types(value)
                    both = mine & theirs
                    if ("integer" in mine and "number" in theirs) or ("number" in mine and "integer" in theirs):
                        both.add("integer")
                    merged[key] = sorted(both) if both else merged[key]
                elif key.startswith("min") or key.startswith("exclusiveMin"):
                    merged[key] = max(merged[key], value)
                elif key.startswith("max") or key.startswith("exclusiveMax"):
                    merged[key] = min(merged[key], value)
                elif key == "enum":
                    merged[key] = [item for item in merged[key] if item in value] or merged[key]
                elif key in ("anyOf", "oneOf"):  # (a or b) and (c or d): (a and c) or (a and d) or ...
                    merged[key] = [{"allOf": [mine, theirs]} for mine in merged[key] for theirs in value][:16]
        return merged

    def pick_branch(self, branches: list, depth: int) -> Any:
        if depth >= _DEEPEST:  # prefer a branch that ends the recursion
            leaves = [b for b in branches if isinstance(b, dict) and "$ref" not in b and b.get("type") != "array"]
            leaves = [b for b in leaves if b.get("type") != "object" or not b.get("required")]
            if leaves:
                return leaves[0]
        return self.rng.choice(branches)

    def one_of(self, rest: dict, branches: list, depth: int) -> Any:
        """A value matching exactly one branch when the others' `type`/`const`/`enum` can tell it apart."""
        order = list(branches)
        self.rng.shuffle(order)
        for branch in order:
            candidate = self.value(self.merge([rest, branch]), depth)
            if sum(self.may_match(candidate, other) for other in branches) == 1:
                return candidate
        return self.value(self.merge([rest, order[0]]), depth)

    def may_match(self, value: Any, schema: Any) -> bool:
        """False only when `value` certainly fails `schema` on type, const or enum (a cheap check)."""
        schema = self.flatten(schema)
        if not isinstance(schema, dict):
            return bool(schema)
        if "const" in schema and schema["const"] != value:
            return False
        if "enum" in schema and value not in schema["enum"]:
            return False
        kind = schema.get("type")
        if kind is None:
            return True
        return _type_of(value) in (kind if isinstance(kind, list) else [kind]) or (
            _type_of(value) == "integer" and "number" in (kind if isinstance(kind, list) else [kind])
        )

    def pick_type(self, schema: dict, depth: int) -> str:
        kind = schema.get("type")
        if isinstance(kind, list):
            if depth >= _DEEPEST and "null" in kind:
                return "null"
            return self.rng.choice(kind)
        if kind:
            return kind
        if any(key in schema for key in ("properties", "required", "additionalProperties", "minProperties")):
            return "object"
        if any(key in schema for key in ("items", "prefixItems", "minItems", "maxItems", "contains")):
            return "array"
        if any(key in schema for key in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf")):
            return "number"
        return "string"

    def make_null(self, schema: dict, depth: int) -> None:
        return None

    def make_boolean(self, schema: dict, depth: int) -> bool:
        return self.rng.random() < 0.5

    def make_object(self, schema: dict, depth: int) -> dict:
        properties = schema.get("properties") or {}
        required = list(schema.get("required") or [])
        wanted = [name for name in properties if name in required or (depth < _DEEPEST and self.rng.random() < 0.6)]
        wanted += [name for name in required if name not in wanted]
        result = {}
        for name in wanted:
            result[name] = self.value(properties.get(name, self.extra_schema(schema)), depth + 1)
        spare = iter(name for name in properties if name not in result)
        counter = 0
        while len(result) < schema.get("minProperties", 0):
            name = next(spare, None)
            if name is None:
                counter += 1
                name = f"extra_{counter}"
                result[name] = self.value(self.extra_schema(schema), depth + 1)
            else:
                result[name] = self.value(properties[name], depth + 1)
        return result

    @staticmethod
    def extra_schema(schema: dict) -> Any:
        extra = schema.get("additionalProperties", True)
        return {} if extra is True or extra is False else extra

    def make_array(self, schema: dict, depth: int) -> list:
        prefix = list(schema.get("prefixItems") or [])
        items = schema.get("items", {})
        if items is False:
            items = None
        low = schema.get("minItems", 0)
        high = schema.get("maxItems", low + (0 if depth >= _DEEPEST else 3))
        if items is None:
            high = min(high, len(prefix))
        length = low if depth >= _DEEPEST else self.rng.randint(low, max(low, min(high, low + 3)))
        result: list = []
        if "contains" in schema and length > 0:
            length -= 1
            wanted_first = [self.value(schema["contains"], depth + 1)]
        else:
            wanted_first = []
        for index in range(length):
            sub = prefix[index] if index < len(prefix) else items
            for _ in range(20):
                candidate = self.value(sub, depth + 1)
                if not schema.get("uniqueItems") or not any(_same(candidate, done) for done in result + wanted_first):
                    break
            result.append(candidate)
        return result + wanted_first

    def make_string(self, schema: dict, depth: int) -> str:
        low, high = schema.get("minLength", 0), schema.get("maxLength")
        made = _FORMATS.get(schema.get("format", ""), lambda rng: None)(self.rng)
        if made is None and "pattern" in schema:
            made = string_matching(schema["pattern"], self.rng)
        if made is None:
            made = " ".join(self.rng.choice(_WORDS) for _ in range(self.rng.randint(1, 3)))
        while len(made) < low:
            made += self.rng.choice(string.ascii_lowercase)
        return made if high is None else made[:high]

    def make_integer(self, schema: dict, depth: int) -> int:
        low, high = _int_bounds(schema)
        step = schema.get("multipleOf", 1)
        if isinstance(step, float) and step.is_integer():
            step = int(step)
        if isinstance(step, int):
            first, last = -(-low // step), high // step
            return self.rng.randint(first, max(first, last)) * step
        for _ in range(50):
            candidate = self.rng.randint(low, high)
            if _is_multiple(candidate, step):
                return candidate
        return 0

    def make_number(self, schema: dict, depth: int) -> int | float:
        step = schema.get("multipleOf")
        if step is not None:
            low, high = _float_bounds(schema)
            first, last = math.ceil(low / step), math.floor(high / step)
            for _ in range(50):
                candidate = self.rng.randint(first, max(first, last)) * step
                if _is_multiple(candidate, step) and _within(candidate, schema):
                    return candidate
            return 0
        low, high = _float_bounds(schema)
        for _ in range(50):
            candidate = round(self.rng.uniform(low, high), 3)
            if _within(candidate, schema):
                return candidate
        return (low + high) / 2


def _type_of(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer()):
        return "integer"
    return {float: "number", str: "string", list: "array", dict: "object"}.get(type(value), "object")


def _types(kind: Any) -> set:
    return set(kind if isinstance(kind, list) else [kind])


def _same(left: Any, right: Any) -> bool:
    return json.dumps(left, sort_keys=True) == json.dumps(right, sort_keys=True) or left == right


def _is_multiple(value: float, step: float) -> bool:
    quotient = value / step
    return math.isfinite(quotient) and int(quotient) == quotient


def _within(value: float, schema: dict) -> bool:
    checks = (
        ("minimum", lambda bound: value >= bound),
        ("maximum", lambda bound: value <= bound),
        ("exclusiveMinimum", lambda bound: value > bound),
        ("exclusiveMaximum", lambda bound: value < bound),
    )
    return all(check(schema[key]) for key, check in checks if _number(schema.get(key)))


def _float_bounds(schema: dict) -> tuple[float, float]:
    lows = [schema[k] for k in ("minimum", "exclusiveMinimum") if _number(schema.get(k))]
    highs = [schema[k] for k in ("maximum", "exclusiveMaximum") if _number(schema.get(k))]
    return _span(max(lows) if lows else None, min(highs) if highs else None)


def _int_bounds(schema: dict) -> tuple[int, int]:
    lows = [math.ceil(schema["minimum"])] if _number(schema.get("minimum")) else []
    if _number(schema.get("exclusiveMinimum")):
        lows.append(math.floor(schema["exclusiveMinimum"]) + 1)
    highs = [math.floor(schema["maximum"])] if _number(schema.get("maximum")) else []
    if _number(schema.get("exclusiveMaximum")):
        highs.append(math.ceil(schema["exclusiveMaximum"]) - 1)
    low, high = _span(max(lows) if lows else None, min(highs) if highs else None)
    return int(low), int(max(low, high))


def _span(low, high) -> tuple:
    """Both bounds, a hundred apart where one (or both) is open."""
    if low is None and high is None:
        return -100, 100
    if low is None:
        return high - 100, high
    if high is None:
        return low, low + 100
    return low, high


_FORMATS = {
    "date-time": lambda rng: (
        f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T{rng.randint(0, 23):02d}:"
        f"{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}Z"
    ),
    "date": lambda rng: f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
    "time": lambda rng: f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}Z",
    "duration": lambda rng: f"P{rng.randint(1, 30)}D",
    "email": lambda rng: f"{rng.choice(_WORDS)}{rng.randint(1, 99)}@example.com",
    "hostname": lambda rng: f"{rng.choice(_WORDS)}.example.com",
    "uri": lambda rng: f"https://example.com/{rng.choice(_WORDS)}",
    "url": lambda rng: f"https://example.com/{rng.choice(_WORDS)}",
    "uuid": lambda rng: str(uuid.UUID(int=rng.getrandbits(128), version=4)),
    "ipv4": lambda rng: ".".join(str(rng.randint(1, 254)) for _ in range(4)),
    "ipv6": lambda rng: ":".join(f"{rng.randint(0, 0xFFFF):x}" for _ in range(8)),
}
