"""Authenticators: one credential each, attached to requests as `requests.auth.AuthBase`.

An `Authenticator` says what it is (`kind`), where its credential came from
(`source`), which service it speaks to (`service`), and describes itself with
the credential masked. Calling code only ever sees this interface, so swapping
an API key for a browser session is a configuration change.
"""

from __future__ import annotations

import abc
import re
from typing import ClassVar

import requests
from requests.auth import AuthBase

from .errors import InvalidApiKeyFormatError
from .secret import Secret, redact

__all__ = ["Authenticator", "ApiKeyAuthenticator", "SERVICE_API", "SERVICE_WEB", "API_KEY_PATTERN"]

SERVICE_API = "api"   # the official API, api.x.ai
SERVICE_WEB = "web"   # the grok.com web app (unofficial)

API_KEY_PATTERN = re.compile(r"xai-[A-Za-z0-9_]{80}")
_UNSAFE_CHARS = re.compile(r"[\s\x00-\x1f\x7f]")


class Authenticator(AuthBase, abc.ABC):
    """Abstract base: attaches one credential to outgoing requests for one service.

    Contract for subclasses: `__call__` adds the credential and nothing else;
    `describe()`, `repr()` and `str()` never contain the credential; `secrets()`
    lists every secret value so output can be scrubbed of them.
    """

    kind: ClassVar[str]
    service: ClassVar[str]

    def __init__(self, *, source: str) -> None:
        self.source = source

    @abc.abstractmethod
    def describe(self) -> str:
        """One line: kind, masked credential, source."""

    @abc.abstractmethod
    def secrets(self) -> list[Secret]:
        """Every secret this authenticator holds (for scrubbing text, never for display)."""

    def prepare_session(self, session: requests.Session | None = None, *, base_url: str | None = None
                        ) -> requests.Session:
        """Return `session` (or a new one) set up to authenticate with this credential
        to `base_url` (the service's root; None for its default)."""
        session = session if session is not None else requests.Session()
        session.auth = self
        return session

    def redact(self, text: str) -> str:
        """`text` with every secret of this authenticator replaced by its fingerprint: whole or in part,
        in any case and encoding (see `secret.redact`)."""
        return redact(text, self.secrets())

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.describe()})"

    __str__ = __repr__


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
        raise InvalidApiKeyFormatError(
            f"{origin} contains whitespace or a control character at position {bad.start()}"
        )
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
