"""`Secret`: a string that shows only a fingerprint until you ask for it by name; `redact`: the one
function that scrubs secrets out of text that came from a server or a URL."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterable
from urllib.parse import quote, quote_plus

__all__ = ["Secret", "fingerprint", "redact", "MIN_PIECE"]

#: The shortest piece of a secret that `redact` finds on its own (a server echoing part of a key).
MIN_PIECE = 8


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

    def __init__(self, value: str | Secret, *, name: str | None = None) -> None:
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
        import hmac  # here: it loads hashlib (~2 ms), which reading a Firefox profile never needs

        return hmac.compare_digest(self._value.encode(), other.encode())

    def __hash__(self) -> int:
        return hash(("Secret", self._value))

    def __repr__(self) -> str:
        return f"Secret({self.fingerprint!r})"

    def __str__(self) -> str:
        return self.fingerprint


def redact(text: str, secrets: Iterable[Secret]) -> str:
    """`text` with every secret replaced by its fingerprint: whole or any `MIN_PIECE`-character piece of it,
    in any letter case, raw, URL- or form-encoded, JSON-escaped or in base64 (at any byte alignment).

    Secrets shorter than `MIN_PIECE` are replaced where they occur whole and as a token of their own (not
    inside a longer word or number), in any case. Linear in `len(text)`. Nothing is cached: a cache would
    be one more place holding the values.
    """
    if not text:
        return text
    lowered = text.lower()
    spans: list[tuple[int, int, str]] = []
    for secret in secrets:
        value = secret.reveal()
        if not value:
            continue
        if len(value) < MIN_PIECE:
            spans += [(start, stop, secret.fingerprint) for start, stop in _whole_token_spans(lowered, value)]
            continue
        if len(lowered) < MIN_PIECE:  # no piece of this secret fits in the text
            continue
        forms = {form.lower() for form in _written_forms(value) if form}
        windows = range(len(lowered) - MIN_PIECE + 1)
        found = _piece_finder(forms, len(windows))
        spans += [(i, i + MIN_PIECE, secret.fingerprint) for i in windows if found(lowered[i : i + MIN_PIECE])]
    if not spans:
        return text
    out, end = [], 0
    for start, stop, shown in _merged(spans):
        out += [text[end:start], shown]
        end = stop
    return "".join(out) + text[end:]


def _whole_token_spans(lowered: str, value: str) -> Iterable[tuple[int, int]]:
    """Where a short `value` occurs in `lowered` whole (raw, URL- or form-encoded, JSON-escaped, base64) and
    as a token of its own: not inside a longer run of letters, digits, `_` or `-`, so a cookie valued `1`,
    `en` or `browser` leaves `401`, `open` and `browser_cookie` alone. Base64 fragments are not looked
    for: a short value's are a character or two."""
    raw = value.encode()
    whole = [value, quote(value, safe=""), quote_plus(value), json.dumps(value)[1:-1]]
    whole += [base64.b64encode(raw).decode(), base64.urlsafe_b64encode(raw).decode()]
    for form in {form.lower() for form in whole if form}:
        start = lowered.find(form)
        while start != -1:
            stop = start + len(form)
            inside_a_word = (start > 0 and _word_char(lowered[start - 1]) and _word_char(form[0])) or (
                stop < len(lowered) and _word_char(lowered[stop]) and _word_char(form[-1])
            )
            if not inside_a_word:
                yield start, stop
            start = lowered.find(form, start + 1)


def _word_char(ch: str) -> bool:
    """A character that continues a word, a number or a name such as `browser_cookie` or `x-userid`."""
    return ch.isalnum() or ch in "_-"


def _piece_finder(forms: set[str], windows: int) -> Callable[[str], bool]:
    """Whether a `MIN_PIECE`-long piece occurs in any of `forms`, for a text with `windows` such pieces."""
    if windows < 64:  # a short text (a model id, a header): look each window up in the forms
        return lambda window: any(window in form for form in forms)
    # a long one: one set of every piece of every form
    return {form[i : i + MIN_PIECE] for form in forms for i in range(len(form) - MIN_PIECE + 1)}.__contains__


def _merged(spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Overlapping or touching spans joined (the first one's fingerprint stands for the run)."""
    merged: list[list] = []
    for start, stop, shown in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], stop)
        else:
            merged.append([start, stop, shown])
    return [tuple(span) for span in merged]


def _written_forms(value: str) -> list[str]:
    """The ways a server may echo `value` back: raw, URL- or form-encoded, JSON-escaped, and the part of
    its base64 (standard and URL-safe) that depends on the value alone, at each of the 3 byte alignments."""
    raw = value.encode()
    forms = [value, quote(value, safe=""), quote_plus(value), json.dumps(value)[1:-1]]
    for encode in (base64.b64encode, base64.urlsafe_b64encode):
        forms.append(encode(raw).decode())
        for shift in range(3):
            encoded = encode(b"\0" * shift + raw).decode()
            start = -(-8 * shift // 6)  # the first character that depends on the value alone
            forms.append(encoded[start : 8 * (shift + len(raw)) // 6])
            forms.append(encoded[start:].rstrip("="))  # the value ends the blob: its last, padded character too
    return forms
