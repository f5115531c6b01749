"""The stand-in's schema-instance generator: for any well-formed schema of the kinds the `openai` SDK sends
(hypothesis builds them), the value it makes validates with `jsonschema`; malformed schemas are refused."""

import random

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from cookie_session.testing.standin.schema_instance import SchemaError, check_schema, instance_for

FORMATS = ("date-time", "date", "time", "email", "uri", "uuid", "ipv4", "ipv6", "hostname")
PATTERNS = (r"^[a-z]{3}-\d{2}$", r"^(cat|dog)s?$", r"[A-F0-9]{4}", r"^\w+@\w+\.com$", r"^[^x]+$")
names = st.text("abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=8)


def numbers(kind):
    def build(draw_low, span, exclusive, step):
        schema = {"type": kind}
        if draw_low is not None:
            schema["exclusiveMinimum" if exclusive else "minimum"] = draw_low
            if span is not None:
                schema["maximum"] = draw_low + span + (1 if exclusive else 0)
        if step is not None:
            schema["multipleOf"] = step
        return schema

    low = st.none() | (
        st.integers(-1000, 1000) if kind == "integer" else st.floats(-1e3, 1e3).map(lambda x: round(x, 2))
    )
    step = st.none() | (st.sampled_from([1, 2, 5, 10]) if kind == "integer" else st.sampled_from([0.5, 0.25, 2, 0.1]))
    return st.builds(build, low, st.none() | st.integers(20, 200), st.booleans(), step)


strings = st.one_of(
    st.builds(
        lambda lo, extra: {"type": "string", "minLength": lo, "maxLength": lo + extra},
        st.integers(0, 20),
        st.integers(0, 20),
    ),
    st.sampled_from(FORMATS).map(lambda f: {"type": "string", "format": f}),
    st.sampled_from(PATTERNS).map(lambda p: {"type": "string", "pattern": p}),
    st.just({"type": "string"}),
)
leaves = st.one_of(
    strings,
    numbers("integer"),
    numbers("number"),
    st.just({"type": "boolean"}),
    st.just({"type": "null"}),
    st.lists(st.one_of(st.integers(), names, st.none()), min_size=1, max_size=5, unique=True).map(
        lambda e: {"enum": e}
    ),
    st.one_of(st.integers(), names, st.booleans()).map(lambda c: {"const": c}),
    st.just({}),
)


def extend(children):
    objects = st.builds(
        lambda props, required_flags, extra: {
            "type": "object",
            "properties": props,
            "required": [name for name, flag in zip(props, required_flags, strict=False) if flag],
            "additionalProperties": extra,
        },
        st.dictionaries(names, children, max_size=4),
        st.lists(st.booleans(), min_size=4, max_size=4),
        st.booleans(),
    )
    arrays = st.builds(
        lambda items, low, extra, unique: (
            {"type": "array", "items": items, "minItems": low, "maxItems": low + extra}
            | ({"uniqueItems": True} if unique else {})
        ),
        children,
        st.integers(0, 3),
        st.integers(0, 3),
        st.just(False),
    )
    unique_arrays = st.builds(
        lambda low: {"type": "array", "items": {"type": "integer"}, "uniqueItems": True, "minItems": low},
        st.integers(0, 5),
    )
    tuples = st.lists(children, min_size=1, max_size=3).map(
        lambda p: {"type": "array", "prefixItems": p, "items": False}
    )
    any_of = st.lists(children, min_size=1, max_size=3).map(lambda b: {"anyOf": b})
    one_of = st.just({"oneOf": [{"type": "string", "minLength": 1}, {"type": "integer"}, {"type": "null"}]})
    nullable = children.filter(lambda s: s.get("type") in ("string", "integer", "object")).map(
        lambda s: {**s, "type": [s["type"], "null"]}
    )
    all_of = st.tuples(objects, objects).map(lambda pair: {"allOf": [_open(pair[0], "a_"), _open(pair[1], "b_")]})
    return st.one_of(objects, arrays, unique_arrays, tuples, any_of, one_of, nullable, all_of)


def _open(schema, prefix):
    """`schema` with its properties renamed apart and extra properties allowed, so two of them can be combined."""
    return {
        **schema,
        "properties": {prefix + name: sub for name, sub in schema["properties"].items()},
        "required": [prefix + name for name in schema["required"]],
        "additionalProperties": True,
    }


schemas = st.recursive(leaves, extend, max_leaves=12)


def with_defs(schema):
    """The same schema reached through `$ref`s into `$defs`, as pydantic writes nested models."""
    return {
        "$defs": {"Inner": schema},
        "type": "object",
        "properties": {"inner": {"$ref": "#/$defs/Inner"}},
        "required": ["inner"],
    }


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(schemas, st.booleans(), st.integers(0, 2**32))
def test_every_generated_value_validates(schema, through_ref, seed):
    if through_ref:
        schema = with_defs(schema)
    check_schema(schema)
    value = instance_for(schema, random.Random(seed))
    jsonschema.validate(
        value,
        schema,
        cls=jsonschema.Draft202012Validator,
        format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER,
    )
    assert instance_for(schema, random.Random(seed)) == value  # the same seed, the same value


def test_a_recursive_schema_ends():
    tree = {
        "$defs": {
            "Node": {
                "type": "object",
                "properties": {
                    "name": {"type": "string"},
                    "children": {"type": "array", "items": {"$ref": "#"}, "minItems": 1},
                },
                "required": ["name", "children"],
            },
            "Leaf": {"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]},
        },
        "anyOf": [{"$ref": "#/$defs/Leaf"}, {"$ref": "#/$defs/Node"}],
    }
    for seed in range(50):
        jsonschema.validate(instance_for(tree, random.Random(seed)), tree)
    endless = {"type": "object", "properties": {"next": {"$ref": "#"}}, "required": ["next"]}
    with pytest.raises(SchemaError, match="no finite value"):
        instance_for(endless, random.Random(0))


def test_pydantic_models_schemas_as_the_sdk_sends_them():
    pydantic = pytest.importorskip("pydantic")
    from datetime import date
    from enum import Enum
    from typing import Literal

    class Colour(Enum):
        red = "red"
        blue = "blue"

    class Address(pydantic.BaseModel):
        street: str
        zip_code: str = pydantic.Field(pattern=r"^\d{5}$")

    class Person(pydantic.BaseModel):
        name: str = pydantic.Field(min_length=2, max_length=10)
        age: int = pydantic.Field(ge=0, le=130)
        score: float = pydantic.Field(gt=0, lt=1)
        colour: Colour
        kind: Literal["a", "b"]
        born: date
        home: Address | None = None
        tags: list[str] = pydantic.Field(min_length=1, max_length=4)
        friends: list["Person"] = []

    schema = Person.model_json_schema()
    for seed in range(100):
        value = instance_for(schema, random.Random(seed))
        jsonschema.validate(value, schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
        Person.model_validate(value)


@pytest.mark.parametrize(
    ("schema", "where"),
    [
        ([], "schema must be a JSON object"),
        ({"type": "int"}, "schema.type: 'int' is not one of"),
        ({"type": "object", "properties": {"a": {"type": "strng"}}}, "schema.properties.a.type"),
        ({"properties": []}, "schema.properties must be an object"),
        ({"required": "a"}, "schema.required"),
        ({"enum": []}, "schema.enum"),
        ({"$ref": "#/$defs/Missing"}, "points at nothing"),
        ({"$ref": "https://example.com/s.json"}, "must point inside"),
        ({"anyOf": []}, "schema.anyOf"),
        ({"type": "string", "minLength": 5, "maxLength": 2}, "minLength 5 is above maxLength 2"),
        ({"type": "string", "pattern": "(["}, "is not a regular expression"),
        ({"type": "array", "items": 3}, "schema.items"),
        ({"type": "number", "multipleOf": 0}, "multipleOf"),
    ],
)
def test_malformed_schemas_are_refused_naming_where(schema, where):
    with pytest.raises(SchemaError, match=None) as caught:
        check_schema(schema)
    assert where in str(caught.value)
