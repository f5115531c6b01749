"""`Secret`: a string that shows only a fingerprint until you ask for it by name."""

from __future__ import annotations

import hmac

__all__ = ["Secret", "fingerprint"]


def fingerprint(value: str, *, name: str | None = None) -> str:
    """A safe stand-in for `value`: `xai-…b14o` for an API key, `sso=…(43 chars)` otherwise.

    Never reveals more than the `xai-` prefix and the last 4 characters of a key
    of normal length; short values reveal nothing but their length.
    """
    if name is not None:
        return f"{name}=…({len(value)} chars)"
    if value.startswith("xai-") and len(value) >= 24:
        return f"xai-…{value[-4:]}"
    return f"…({len(value)} chars)"


class Secret:
    """A credential value with masked `repr`/`str`, explicit `reveal()` and constant-time `==`.

    `name` is the cookie name for a cookie value (it shapes the fingerprint).
    """

    __slots__ = ("_value", "_name")

    def __init__(self, value: str, *, name: str | None = None) -> None:
        if isinstance(value, Secret):
            value = value.reveal()
        if not isinstance(value, str):
            raise TypeError(f"Secret takes a str, not {type(value).__name__}")
        self._value = value
        self._name = name

    def reveal(self) -> str:
        """The value itself. Call it only where the value leaves for its own service."""
        return self._value

    @property
    def fingerprint(self) -> str:
        return fingerprint(self._value, name=self._name)

    def __len__(self) -> int:
        return len(self._value)

    def __bool__(self) -> bool:
        return bool(self._value)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Secret):
            other = other._value
        if not isinstance(other, str):
            return NotImplemented
        return hmac.compare_digest(self._value.encode(), other.encode())

    def __hash__(self) -> int:
        return hash(("Secret", self._value))

    def __repr__(self) -> str:
        return f"Secret({self.fingerprint!r})"

    def __str__(self) -> str:
        return self.fingerprint
