"""The official API (api.x.ai/v1): request shapes, replies, server-sent events and error mapping.

Everything specific to the OpenAI-compatible endpoints lives here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from urllib.parse import urlsplit

import requests

from ..errors import (
    BadResponseError,
    InvalidApiKeyError,
    MissingCredentialsError,
    ModelNotFoundError,
    PermissionDeniedError,
    RateLimitedError,
    ServerError,
    UpstreamError,
)
from ..results import ChatResult, ChatStream, Identity, Model, Usage
from ..settings import API_BASE_URL, DEFAULT_MODEL
from .base import CHAT_RETRY_STATUSES, Transport
from .replies import ended_early, json_body, streamed_json_object, translate_transport_errors
from .retry import retry_after_seconds

__all__ = ["ApiTransport", "chat_payload", "iter_sse_data", "raise_for_api_error", "DEFAULT_MODEL"]


def chat_payload(messages: list[dict], *, model: str, max_tokens: int | None, stream: bool) -> dict:
    """The JSON body of `POST /chat/completions`."""
    body: dict = {"model": model, "messages": messages, "stream": stream}
    if max_tokens is not None:
        body["max_tokens"] = max_tokens
    if stream:
        body["stream_options"] = {"include_usage": True}
    return body


def _error_text(response: requests.Response) -> str:
    """The service's own error sentence, if the body has one (JSON `error`/`message`), else ''."""
    try:
        data = response.json()
    except (ValueError, RecursionError):
        return ""
    if isinstance(data, dict):
        error = data.get("error")
        if isinstance(error, dict):
            error = error.get("message")
        text = error if isinstance(error, str) else data.get("message")
        if isinstance(text, str):
            return " ".join(text.split())
    return ""


#: How the service says the model is unknown ("The model grok-9 does not exist...", "model_not_found"); a route
#: that is missing ("No route GET /models") is not that.
_MODEL_WORD = re.compile(r"\bmodel(\b|_not_found)", re.IGNORECASE)


def raise_for_api_error(response: requests.Response, *, redact=lambda text: text) -> None:
    """Raise the error that matches a non-2xx reply; return quietly on 2xx.

    `redact` scrubs the credential from the server's text before it reaches a message (and
    before the text is shortened, so no part of a credential survives a cut).
    """
    status = response.status_code
    if status < 400:
        return
    said = redact(_error_text(response))[:300]
    detail = f" ({said})" if said else ""
    where = f"{response.request.method} {response.url}"
    if status == 400 and "api key" in said.lower():
        host = urlsplit(response.url).netloc or "the API"  # the real target: api.x.ai, or a stand-in on loopback
        raise InvalidApiKeyError(f"{host} rejected the API key (400{': ' + said if said else ''})")
    if status == 401:
        raise MissingCredentialsError(f"{where} answered 401: no valid credential{detail}")
    if status == 403:
        raise PermissionDeniedError(f"{where} answered 403: key blocked, disabled or not permitted{detail}")
    if status == 404 and _MODEL_WORD.search(said):  # only the service's own word makes it an unknown model
        raise ModelNotFoundError(f"Unknown model{detail}", status=404)
    if status == 404:
        raise UpstreamError(
            f"{where} answered 404: no such endpoint, so the base URL looks wrong{detail}",
            status=404,
            hint=f"The API root has the form {API_BASE_URL} (with /v1)",
        )
    if status == 413:
        raise UpstreamError(
            f"{where} answered 413: the prompt is too large{detail}",
            status=413,
            hint="Shorten the prompt or send it in parts",
        )
    if status == 429:
        raise RateLimitedError(
            f"Rate limited by {where}{detail}", retry_after=retry_after_seconds(response.headers.get("Retry-After"))
        )
    if status >= 500:
        raise ServerError(f"{where} answered {status}{detail}", status=status)
    raise UpstreamError(f"{where} answered {status}{detail}", status=status)


def iter_sse_data(lines: Iterable[str]) -> Iterator[str]:
    """Yield the `data` payload of each server-sent event (multi-line data joined by newlines)."""
    data: list[str] = []
    for line in lines:
        if line == "":
            if data:
                yield "\n".join(data)
                data = []
            continue
        if line.startswith(":"):
            continue
        field, _, value = line.partition(":")
        if field == "data":
            data.append(value[1:] if value.startswith(" ") else value)
    if data:
        yield "\n".join(data)


def _usage(data: dict | None) -> Usage:
    if not isinstance(data, dict):
        return Usage()
    pick = lambda key: data.get(key) if isinstance(data.get(key), int) else None  # noqa: E731
    return Usage(pick("prompt_tokens"), pick("completion_tokens"), pick("total_tokens"))


def _first_choice(data: dict, url: str) -> dict:
    choices = data.get("choices")
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
        raise BadResponseError(f"{url} answered without a choice")
    return choices[0]


class ApiTransport(Transport):
    """Speaks to the official API at `base_url` (e.g. https://api.x.ai/v1) through a prepared session.
    `redact` scrubs the credential out of the server's error text."""

    chat_path = "/chat/completions"

    def __init__(self, session: requests.Session, base_url: str, *, redact, **options) -> None:
        super().__init__(session, base_url, **options)
        self._redact = redact

    def raise_for_error(self, response: requests.Response) -> None:
        raise_for_api_error(response, redact=self._redact)

    @classmethod
    def for_client(cls, authenticator, session: requests.Session, base_url: str, **options) -> ApiTransport:
        options.pop("keep_web_history", None)
        return cls(session, base_url, auth_kind=authenticator.kind, redact=authenticator.redact, **options)

    def chat(self, messages: list[dict], *, model: str | None, max_tokens: int | None) -> ChatResult:
        model = DEFAULT_MODEL if model is None else model
        response = self._request(
            "POST",
            self.chat_path,
            retry_on=CHAT_RETRY_STATUSES,
            json=chat_payload(messages, model=model, max_tokens=max_tokens, stream=False),
        )
        data = json_body(response)
        choice = _first_choice(data, response.url)
        message = choice.get("message") or {}
        text = message.get("content") if isinstance(message, dict) else None
        if not isinstance(text, str):
            raise BadResponseError(f"{response.url} answered without message text")
        self.answer_budget(response.url).add(text)
        return ChatResult(
            text=text,
            model=str(data.get("model") or model),
            auth_kind=self.auth_kind,
            usage=_usage(data.get("usage")),
            finish_reason=choice.get("finish_reason"),
            id=data.get("id"),
        )

    def stream(self, messages: list[dict], *, model: str | None, max_tokens: int | None) -> ChatStream:
        model = DEFAULT_MODEL if model is None else model
        deadline = self.call_deadline()
        response = self._request(
            "POST",
            self.chat_path,
            stream=True,
            retry_on=CHAT_RETRY_STATUSES,
            deadline=deadline,
            json=chat_payload(messages, model=model, max_tokens=max_tokens, stream=True),
        )
        pieces: list[str] = []  # the answer: SSE sends no final text; at most max_answer_bytes
        budget = self.answer_budget(response.url)
        final: dict = {"model": model}

        def events() -> Iterator[str]:
            seen = 0
            with translate_transport_errors(response.url):
                lines = self.lines(response, deadline)
                for data in iter_sse_data(line.decode("utf-8", "replace") for line in lines):
                    if data.strip() == "[DONE]":
                        return
                    seen += 1
                    chunk = _parse_chunk(data, response.url, self._redact)
                    final.update({k: chunk[k] for k in ("model", "id", "usage") if chunk.get(k)})
                    if chunk.get("usage"):
                        lines.progress()
                    choices = chunk.get("choices") or []
                    if not isinstance(choices, list):
                        raise BadResponseError(f"{response.url} streamed an event whose choices are not a list")
                    for choice in choices:
                        if not isinstance(choice, dict):
                            continue
                        final["finish_reason"] = choice.get("finish_reason") or final.get("finish_reason")
                        delta = choice.get("delta") or {}
                        piece = delta.get("content") if isinstance(delta, dict) else None
                        reasoning = delta.get("reasoning_content") if isinstance(delta, dict) else None
                        if any(isinstance(text, str) and text for text in (piece, reasoning)) or choice.get(
                            "finish_reason"
                        ):
                            lines.progress()  # a piece of the answer, its reasoning, or its end
                        if isinstance(piece, str) and piece:
                            budget.add(piece)
                            pieces.append(piece)
                            yield piece
                if not seen:
                    kind = response.headers.get("Content-Type", "no content type")
                    raise BadResponseError(f"{response.url} answered a streamed chat with no events ({kind})")
                raise ended_early(response.url)  # a complete stream ends with `data: [DONE]`

        def finish() -> ChatResult:
            return ChatResult(
                text="".join(pieces),
                model=str(final["model"]),
                auth_kind=self.auth_kind,
                usage=_usage(final.get("usage")),
                finish_reason=final.get("finish_reason"),
                id=final.get("id"),
            )

        return ChatStream(events(), finish, response.close)

    def models(self) -> list[Model]:
        response = self._request("GET", "/models")
        data = json_body(response).get("data")
        if not isinstance(data, list):
            raise BadResponseError(f"{response.url} answered without a model list")
        return [
            Model(id=str(item["id"]), owned_by=item.get("owned_by"), created=item.get("created"))
            for item in data
            if isinstance(item, dict) and item.get("id")
        ]

    def whoami(self) -> Identity:
        response = self._request("GET", "/api-key")
        data = json_body(response)
        acls = data["acls"] if isinstance(data.get("acls"), list) else ()
        return Identity(
            auth_kind=self.auth_kind,
            name=data.get("name"),
            team_id=data.get("team_id"),
            user_id=data.get("user_id"),
            acls=tuple(str(a) for a in acls),
            api_key_blocked=bool(data.get("api_key_blocked")),
            api_key_disabled=bool(data.get("api_key_disabled")),
            team_blocked=bool(data.get("team_blocked")),
        )


def _parse_chunk(data: str, url: str, redact) -> dict:
    chunk = streamed_json_object(data, url, "an event")
    if "error" in chunk:
        message = chunk["error"].get("message") if isinstance(chunk["error"], dict) else chunk["error"]
        raise UpstreamError(f"{url} reported an error mid-stream: {redact(str(message))[:200]}")
    return chunk
