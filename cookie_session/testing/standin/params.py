"""Sampling parameters both APIs take, checked as api.x.ai checks them (400 with what was wrong)."""

from __future__ import annotations

from .errors import ApiError

MAX_CHOICES = 128  # OpenAI's documented bound on `n`
MAX_STOPS = 4


def whole(body: dict, name: str, *, least: int, most: int | None = None) -> int | None:
    """`body[name]` as a whole number in [least, most], None when absent."""
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < least or (most is not None and value > most):
        bound = f"from {least} to {most}" if most is not None else f"of at least {least}"
        raise ApiError(400, f"{name} must be a whole number {bound}, not {value!r}")
    return value


def stop_sequences(body: dict) -> tuple[str, ...]:
    """`stop`: a string or a list of up to four strings."""
    stop = body.get("stop")
    if stop is None:
        return ()
    if isinstance(stop, str):
        return (stop,)
    if isinstance(stop, list) and len(stop) <= MAX_STOPS and all(isinstance(item, str) for item in stop):
        return tuple(stop)
    raise ApiError(400, f"stop must be a string or a list of up to {MAX_STOPS} strings")


def parse_seed(body: dict) -> int | None:
    value = body.get("seed")
    if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
        raise ApiError(400, f"seed must be a whole number, not {value!r}")
    return value


def flag(body: dict, name: str, default: bool) -> bool:
    value = body.get(name)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise ApiError(400, f"{name} must be true or false, not {value!r}")
    return value


def message_text(content) -> str | None:
    """A message's text: a string, or the `text` of each text part of a list (`text`, `input_text`,
    `output_text`), joined; None if neither."""
    if isinstance(content, str):
        return content
    if isinstance(content, list) and all(isinstance(part, dict) for part in content):
        return "".join(
            str(part.get("text", "")) for part in content if part.get("type") in ("text", "input_text", "output_text")
        )
    return None
