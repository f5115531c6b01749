"""The official xAI API key: its validation and the bearer authenticator."""

from __future__ import annotations

import re

import requests

from ..errors import InvalidApiKeyFormatError
from ..secret import Secret
from .base import SERVICE_API, Authenticator

__all__ = ["ApiKeyAuthenticator", "validate_api_key", "API_KEY_PATTERN"]

API_KEY_PATTERN = re.compile(r"xai-[A-Za-z0-9_]{80}")
_UNSAFE_CHARS = re.compile(r"[\s\x00-\x1f\x7f]")


def validate_api_key(value: str, *, check_format: bool = True, origin: str = "API key") -> None:
    """Raise `InvalidApiKeyFormatError` unless `value` is usable as a bearer key.

    Whitespace, control and non-ASCII characters are always refused (they would
    split or corrupt the header); the `xai-` + 80 shape is checked unless
    `check_format` is false.
    """
    if not value:
        raise InvalidApiKeyFormatError(f"{origin} is empty")
    bad = _UNSAFE_CHARS.search(value)
    if bad:
        raise InvalidApiKeyFormatError(f"{origin} contains whitespace or a control character at position {bad.start()}")
    if not value.isascii():
        raise InvalidApiKeyFormatError(f"{origin} contains a non-ASCII character (a look-alike letter?)")
    if check_format and not API_KEY_PATTERN.fullmatch(value):
        raise InvalidApiKeyFormatError(
            f"{origin} does not look like an xAI key ({len(value)} characters, "
            f"{'starts' if value.startswith('xai-') else 'does not start'} with 'xai-')"
        )


class ApiKeyAuthenticator(Authenticator):
    """The official bearer key: adds `Authorization: Bearer xai-…` and nothing else.

    `check_format=False` accepts keys of any shape (for test keys), but never
    whitespace or control characters.
    """

    kind = "api_key"
    service = SERVICE_API

    def __init__(self, api_key: str | Secret, *, source: str = "argument", check_format: bool = True) -> None:
        super().__init__(source=source)
        key = Secret(api_key)
        validate_api_key(key.reveal(), check_format=check_format, origin=f"API key from {source}")
        self._key = key

    @property
    def api_key(self) -> Secret:
        return self._key

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self._key.reveal()}"
        return request

    def describe(self) -> str:
        return f"api_key {self._key.fingerprint} from {self.source}"

    def secrets(self) -> list[Secret]:
        return [self._key]
