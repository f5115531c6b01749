"""`GrokClient`: the calling code's one entry point, whichever authenticator it is given."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, overload

import requests

from .auth.base import SERVICE_API, SERVICE_WEB, Authenticator
from .errors import BadInputError, CookieSessionError
from .policy import check_base_url, url_target
from .results import ChatResult, ChatStream, Identity, Model, StreamPiece
from .settings import (
    API_BASE_URL,
    API_BASE_URL_ENV,
    DEFAULT_DEADLINE,
    DEFAULT_MAX_ANSWER_BYTES,
    DEFAULT_MODEL,
    DEFAULT_TIMEOUT,
    WEB_BASE_URL,
    WEB_BASE_URL_ENV,
)
from .transports.retry import NO_RETRIES, RetryPolicy

if TYPE_CHECKING:
    from .transports.base import Transport

__all__ = [
    "GrokClient",
    "DEFAULT_MODEL",
    "DEFAULT_TIMEOUT",
    "DEFAULT_DEADLINE",
    "DEFAULT_MAX_ANSWER_BYTES",
    "RetryPolicy",
    "NO_RETRIES",
]

#: The retry policy of clients built without `retry=` (the pytest plugin swaps it for one that records waits).
DEFAULT_RETRY = RetryPolicy()


def _api_transport() -> type[Transport]:
    from .transports.api import ApiTransport

    return ApiTransport


def _web_transport() -> type[Transport]:
    from .transports.grok import WebTransport

    return WebTransport


@dataclasses.dataclass(frozen=True)
class _TransportKind:
    """How a service is reached: its transport class (imported when first used), its root URL's variable and
    default, the domain its root must be in (None: any HTTPS or loopback URL)."""

    load: Callable[[], type[Transport]]
    base_url_env: str
    default_base_url: str
    allowed_domain: str | None = None

    @property
    def is_web(self) -> bool:
        return self.allowed_domain is not None


#: The transport each `Authenticator.service` speaks through.
_TRANSPORTS = {
    SERVICE_API: _TransportKind(_api_transport, API_BASE_URL_ENV, API_BASE_URL),
    SERVICE_WEB: _TransportKind(_web_transport, WEB_BASE_URL_ENV, WEB_BASE_URL, "grok.com"),
}


def _messages(prompt: str | Sequence[Mapping[str, str]]) -> list[dict]:
    """Normalise a prompt or an OpenAI-style message list; `BadInputError` if it is neither."""
    if isinstance(prompt, str):
        if not prompt.strip():
            raise BadInputError("The prompt is empty", hint="Pass some text to send")
        return [{"role": "user", "content": prompt}]
    messages = list(prompt)
    if not messages:
        raise BadInputError("The message list is empty", hint="Pass a prompt or at least one message")
    for index, message in enumerate(messages):
        if not (
            isinstance(message, Mapping)
            and isinstance(message.get("role"), str)
            and isinstance(message.get("content"), str)
        ):
            raise BadInputError(f"Message {index} is not a {{'role': str, 'content': str}} mapping")
    return [dict(message) for message in messages]


class GrokClient:
    """Chat, list models and ask who you are, through whatever `Authenticator` you pass.

    The authenticator's `service` picks the transport: the official API at `base_url`
    (or `XAI_BASE_URL`), or the grok.com web app at `web_base_url` (or `GROK_WEB_BASE_URL`;
    only grok.com or a loopback stand-in). Both must be HTTPS unless on loopback.
    `timeout` is requests' `(connect, read)` pair in seconds, the read part being the longest wait for
    progress (a streamed line that carries content; a whole reply within 3 read timeouts); `deadline`
    bounds each call, retries and streaming included; a collected answer holds at most
    `max_answer_bytes` (`BadResponseError` past it). `verify` a CA bundle path (or
    False) that wins over `REQUESTS_CA_BUNDLE`, e.g. a stand-in's `ca_file`. `retry` says how
    "try again later" answers are retried (reads on 429/503, chat on 429 only; `NO_RETRIES` for
    none; None: `DEFAULT_RETRY`, read when the client is built). Redirects are followed only
    within the same origin; see SECURITY.md.
    On grok.com, `model` names a chat mode (`models()` lists them; `auto` by default), and chats are temporary
    and without memory, so a script does not fill the account's history, unless `keep_web_history=True`.
    Safe to share between threads (requests' connection pool is thread-safe for this use).

    Every error it raises has the credential scrubbed from its text (whole or in part, in any case or
    encoding) and keeps no request or reply object, so no `Authorization` or `Cookie` header rides along
    in its context, cause or traceback; model ids and other server strings in results are scrubbed too
    (the answer text and the thinking are not: they are what you asked for).
    """

    def __init__(
        self,
        authenticator: Authenticator,
        *,
        base_url: str | None = None,
        web_base_url: str | None = None,
        timeout: float | tuple[float, float] = DEFAULT_TIMEOUT,
        session: requests.Session | None = None,
        verify: bool | str | None = None,
        environ: Mapping[str, str] | None = None,
        retry: RetryPolicy | None = None,
        deadline: float = DEFAULT_DEADLINE,
        max_answer_bytes: int = DEFAULT_MAX_ANSWER_BYTES,
        keep_web_history: bool = False,
    ) -> None:
        if not isinstance(authenticator, Authenticator):
            raise TypeError(f"GrokClient needs an Authenticator, not {type(authenticator).__name__}")
        env = os.environ if environ is None else environ
        retry = DEFAULT_RETRY if retry is None else retry
        self.authenticator = authenticator
        self._transport: Transport
        limits: dict[str, Any] = {
            "timeout": timeout,
            "verify": verify,
            "retry": retry,
            "deadline": deadline,
            "max_answer_bytes": max_answer_bytes,
        }
        kind = _TRANSPORTS.get(authenticator.service)
        if kind is None:
            raise BadInputError(f"No transport for service {authenticator.service!r}")
        self.base_url = check_base_url(
            (web_base_url if kind.is_web else base_url) or env.get(kind.base_url_env) or kind.default_base_url,
            allowed_domain=kind.allowed_domain,
        )
        self.session = authenticator.prepare_session(session, base_url=self.base_url, timeout=timeout, verify=verify)
        self._transport = kind.load().for_client(
            authenticator, self.session, self.base_url, keep_web_history=keep_web_history, **limits
        )

    @property
    def auth_kind(self) -> str:
        return self.authenticator.kind

    @property
    def chat_endpoint(self) -> str:
        """The URL `chat` posts to."""
        return self._transport.chat_url

    @overload
    def chat(
        self,
        prompt: str | Sequence[Mapping[str, str]],
        *,
        model: str | None = ...,
        max_tokens: int | None = ...,
        stream: Literal[False] = ...,
    ) -> ChatResult: ...

    @overload
    def chat(
        self,
        prompt: str | Sequence[Mapping[str, str]],
        *,
        model: str | None = ...,
        max_tokens: int | None = ...,
        stream: Literal[True],
    ) -> ChatStream: ...

    @overload
    def chat(
        self,
        prompt: str | Sequence[Mapping[str, str]],
        *,
        model: str | None = ...,
        max_tokens: int | None = ...,
        stream: bool,
    ) -> ChatResult | ChatStream: ...

    def chat(
        self,
        prompt: str | Sequence[Mapping[str, str]],
        *,
        model: str | None = None,
        max_tokens: int | None = None,
        stream: bool = False,
    ) -> ChatResult | ChatStream:
        """Send a prompt (or a message list). Returns a `ChatResult`, or with `stream=True`
        a `ChatStream` that yields text pieces as they arrive. `model`: a model on the API (default
        `DEFAULT_MODEL`), a mode on grok.com (default `auto`)."""
        messages = _messages(prompt)
        if max_tokens is not None and max_tokens < 1:
            raise BadInputError(f"max_tokens must be at least 1, not {max_tokens}")
        if not stream:
            return self._scrubbed(self._call(self._transport.chat, messages, model=model, max_tokens=max_tokens))
        raw = self._call(self._transport.stream, messages, model=model, max_tokens=max_tokens)
        return ChatStream(
            self._scrubbed_pieces(raw.pieces()),
            lambda: self._scrubbed(raw.result),
            lambda: raw.__exit__(None, None, None),
        )

    def models(self) -> list[Model]:
        """The models this credential can use."""
        return [self._scrubbed(model) for model in self._call(self._transport.models)]

    def whoami(self) -> Identity:
        """Who the credential acts as; a cheap check that it works."""
        return self._scrubbed(self._call(self._transport.whoami))

    def _call(self, function, *args, **kwargs):
        """`function(...)`; our errors leave it with the credential scrubbed from their text and nothing
        else attached (a plain try, not a context manager, whose `__exit__` would hold the old traceback)."""
        try:
            return function(*args, **kwargs)
        except CookieSessionError as error:
            raise scrubbed_error(error, self.authenticator.redact) from None

    def _scrubbed_pieces(self, pieces: Iterator[StreamPiece]) -> Iterator[StreamPiece]:
        while (piece := self._call(next, pieces, None)) is not None:
            yield piece

    def _scrubbed(self, result):
        """A result with every server string but the answer text scrubbed of the credential."""
        redact = self.authenticator.redact
        changes: dict[str, object] = {
            f.name: redact(value)
            for f in dataclasses.fields(result)
            if f.name not in _MODEL_OUTPUT and isinstance(value := getattr(result, f.name), str)
        }
        if isinstance(getattr(result, "acls", None), tuple):
            changes["acls"] = tuple(redact(acl) for acl in result.acls)
        return dataclasses.replace(result, **changes)

    def close(self) -> None:
        self._transport.close()
        self.session.close()

    def __enter__(self) -> GrokClient:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"GrokClient({self.authenticator.describe()}, base_url={url_target(self.base_url).origin!r})"


#: Result fields that are the model's own output, returned as it gave them (what the caller asked for).
_MODEL_OUTPUT = ("text", "thinking")


def scrubbed_error(error: CookieSessionError, redact: Callable[[str], str]) -> CookieSessionError:
    """`error` with `redact` applied to its message and hint, and stripped of what it should not carry:
    its context and cause (requests' exceptions hold the prepared request, headers and all), and the
    traceback frames below this point (their locals hold requests and replies)."""
    error.message = redact(error.message)
    if error.hint:
        error.hint = redact(error.hint)
    error.args = (error.message, *error.args[1:])
    error.__cause__ = error.__context__ = None
    error.__suppress_context__ = True
    return error.with_traceback(None)
