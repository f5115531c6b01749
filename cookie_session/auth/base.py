"""Authenticators: one credential each, attached to requests as `requests.auth.AuthBase`.

An `Authenticator` says what it is (`kind`), where its credential came from
(`source`), which service it speaks to (`service`), and describes itself with
the credential masked. Calling code only ever sees this interface, so swapping
an API key for a browser session is a configuration change.
"""

from __future__ import annotations

import abc
import time
from typing import ClassVar

import requests
from requests.auth import AuthBase

from ..secret import Secret, redact

__all__ = ["Authenticator", "SERVICE_API", "SERVICE_WEB", "credential_fields"]

SERVICE_API = "api"  # the official API, api.x.ai
SERVICE_WEB = "web"  # the grok.com web app (unofficial)


class Authenticator(AuthBase, abc.ABC):
    """Abstract base: attaches one credential to outgoing requests for one service.

    Contract for subclasses: `__call__` adds the credential and nothing else;
    `describe()`, `repr()` and `str()` never contain the credential; `secrets()`
    lists every secret value so output can be scrubbed of them.
    """

    kind: ClassVar[str]
    service: ClassVar[str]
    #: When the credential stops working (epoch seconds), or None for no fixed expiry
    #: (an API key lives until revoked; a session cookie until the browser closes).
    expires: float | None = None

    def __init__(self, *, source: str) -> None:
        self.source = source

    @abc.abstractmethod
    def describe(self) -> str:
        """One line: kind, masked credential, source."""

    @abc.abstractmethod
    def secrets(self) -> list[Secret]:
        """Every secret this authenticator holds (for scrubbing text, never for display)."""

    @property
    def valid(self) -> bool:
        """False once `expires` has passed; a credential without expiry stays valid (until the server says no)."""
        return self.expires is None or self.expires > time.time()

    def browser_running(self) -> bool:
        """True when the browser this credential came from runs now and may not have written it to disk yet
        (only a browser session can say so)."""
        return False

    def identity(self) -> dict:
        """Who this credential speaks for, without the credential: `name` and a masked `user_id` (None if unknown)."""
        return {"name": f"{self.kind} ({self.source})", "user_id": None}

    def prepare_session(
        self, session: requests.Session | None = None, *, base_url: str | None = None, timeout=None, verify=None
    ) -> requests.Session:
        """Return `session` (or a new one) set up to authenticate with this credential
        to `base_url` (the service's root; None for its default). `timeout` and `verify` are those of the
        requests the session makes on its own (the browser session's statsig page); others ignore them."""
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


def credential_fields(authenticator: Authenticator) -> dict[str, str]:
    """`kind`, masked `fingerprint` and `source` of an authenticator, as separate fields (what every
    `--json` document and `compare` give for a credential)."""
    described = authenticator.describe()  # "<kind> <masked credential> from <source>"
    masked = described.removeprefix(f"{authenticator.kind} ").removesuffix(f" from {authenticator.source}")
    return {"kind": authenticator.kind, "fingerprint": masked, "source": authenticator.source}
