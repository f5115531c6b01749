"""Strings a regular expression matches, for JSON Schema `pattern` (literals, classes, repeats, groups,
alternatives, `\\d`/`\\w`/`\\s`; lookarounds and backreferences are not covered: None)."""

from __future__ import annotations

import importlib
import random
import re
import string
import sys
from typing import Any

#: The regular-expression parser (`re._parser` since 3.11, where `sre_parse` only warns and forwards).
_sre_parse: Any = importlib.import_module("re._parser" if sys.version_info >= (3, 11) else "sre_parse")


def string_matching(pattern: str, rng: random.Random) -> str | None:
    """A string in which `re.search(pattern, ...)` finds a match, made from the whole pattern (None for constructs
    not covered)."""
    try:
        parsed = _sre_parse.parse(pattern)
        for _ in range(10):
            made = "".join(_from_parsed(parsed, rng))
            if re.search(pattern, made):
                return made
    except (re.error, _Unsupported, TypeError, ValueError):
        pass
    return None


class _Unsupported(Exception):
    pass


def _from_parsed(parsed, rng: random.Random) -> list[str]:
    out: list[str] = []
    for op, arg in parsed:
        name = str(op)
        if name == "LITERAL":
            out.append(chr(arg))
        elif name == "NOT_LITERAL":
            out.append(rng.choice([c for c in string.ascii_letters if ord(c) != arg]))
        elif name == "ANY":
            out.append(rng.choice(string.ascii_letters))
        elif name == "IN":
            out.append(_from_class(arg, rng))
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            low, high, sub = arg
            count = rng.randint(low, max(low, min(high, low + 3)))
            for _ in range(count):
                out.extend(_from_parsed(sub, rng))
        elif name == "SUBPATTERN":
            out.extend(_from_parsed(arg[-1], rng))
        elif name == "BRANCH":
            out.extend(_from_parsed(rng.choice(arg[1]), rng))
        elif name == "AT":
            continue
        elif name == "CATEGORY":
            out.append(_CATEGORIES[str(arg)](rng))
        else:
            raise _Unsupported(name)
    return out


_CATEGORIES = {
    "CATEGORY_DIGIT": lambda rng: rng.choice(string.digits),
    "CATEGORY_NOT_DIGIT": lambda rng: rng.choice(string.ascii_letters),
    "CATEGORY_WORD": lambda rng: rng.choice(string.ascii_letters + string.digits + "_"),
    "CATEGORY_NOT_WORD": lambda rng: rng.choice(" -.,"),
    "CATEGORY_SPACE": lambda rng: " ",
    "CATEGORY_NOT_SPACE": lambda rng: rng.choice(string.ascii_letters),
}


def _from_class(items, rng: random.Random) -> str:
    if items and str(items[0][0]) == "NEGATE":
        for _ in range(50):
            candidate = rng.choice(string.ascii_letters + string.digits + " -_")
            if not any(_in_class_item(candidate, op, arg) for op, arg in items[1:]):
                return candidate
        raise _Unsupported("NEGATE")
    op, arg = rng.choice(items)
    name = str(op)
    if name == "LITERAL":
        return chr(arg)
    if name == "RANGE":
        return chr(rng.randint(arg[0], arg[1]))
    if name == "CATEGORY":
        return _CATEGORIES[str(arg)](rng)
    raise _Unsupported(name)


def _in_class_item(char: str, op, arg) -> bool:
    name = str(op)
    if name == "LITERAL":
        return ord(char) == arg
    if name == "RANGE":
        return arg[0] <= ord(char) <= arg[1]
    if name == "CATEGORY":
        return bool(
            re.fullmatch(
                {"CATEGORY_DIGIT": r"\d", "CATEGORY_WORD": r"\w", "CATEGORY_SPACE": r"\s"}.get(str(arg), r"\D"), char
            )
        )
    return False
