"""A hard-coded xAI key becomes `resolve_authenticator(auth="api-key").api_key.reveal()`: the key from
`XAI_API_KEY` (or `./.env`), and with none set the library's one-line `NoCredentialsError` rather than a bare
`KeyError`; a key in a comment is replaced by its fingerprint.

Proven only when the file holds one distinct key (two keys may be two accounts: which one
`XAI_API_KEY` should hold is the user's call) and the literal is the key itself, or `"Bearer "` and the key.
"""

from __future__ import annotations

import libcst as cst

from ...settings import API_KEY_ENV
from ..patterns import XAI_KEY_RE, is_placeholder_key, mask
from .cst_tools import GuardedTransformer, literal

__all__ = ["KeyToEnvironment", "real_keys"]

ENV_LOOKUP = 'resolve_authenticator(auth="api-key").api_key.reveal()'


def real_keys(text: str) -> set[str]:
    return {m.group() for m in XAI_KEY_RE.finditer(text) if not is_placeholder_key(m.group())}


class KeyToEnvironment(GuardedTransformer):
    """Rewrites key literals (when provable) and redacts keys in comments; `changes` says what it did, `left`
    why it left a key alone."""

    def __init__(self, source: str) -> None:
        super().__init__()
        self.keys = real_keys(source)
        self.changes: list[str] = []
        self.left: list[str] = []
        self.needs_environment = False

    def leave_Comment(self, original: cst.Comment, updated: cst.Comment) -> cst.Comment:
        keys = real_keys(updated.value)
        if not keys or self.guarded(original):
            return updated
        value = updated.value
        for key in keys:
            value = value.replace(key, mask(key))
        self.changes.append(f"replaced the key in a comment by its fingerprint ({', '.join(map(mask, keys))})")
        return updated.with_changes(value=value)

    def leave_SimpleString(self, original: cst.SimpleString, updated: cst.SimpleString) -> cst.BaseExpression:
        text = literal(original)
        if text is None or not real_keys(text) or self.guarded(original):
            return updated
        if len(self.keys) != 1:
            self.left.append(
                f"{len(self.keys)} different keys in one file: which one {API_KEY_ENV} should hold is your call"
            )
            return updated
        key = next(iter(self.keys))
        if text == key:
            replacement = cst.parse_expression(ENV_LOOKUP)
        elif text == "Bearer " + key:
            replacement = cst.parse_expression(f'"Bearer " + {ENV_LOOKUP}')
        else:
            self.left.append(f"the key {mask(key)} is part of a longer string")
            return updated
        self.needs_environment = True
        self.changes.append(
            f"hard-coded key {mask(key)} -> the key from {API_KEY_ENV} "
            f"(revoke {mask(key)} at console.x.ai: it has leaked)"
        )
        return replacement
