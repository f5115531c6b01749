"""The api.x.ai side of the stand-in: `/v1/chat/completions` (plain and SSE), `/v1/models[/{id}]`, `/v1/api-key`.

It checks the bearer key the way the service answers: no header 401, an unknown
key 400 "Incorrect API key provided", a blocked or disabled key 403, an unknown
model 404, and 429/503 on demand.
"""

from __future__ import annotations

import json
import secrets
import string
import time
from dataclasses import dataclass

from ._server import BaseHandler

STANDIN_MODELS = ("grok-4", "grok-3", "grok-3-mini")
API_FAILURES = {
    "rate_limit": (
        429,
        {"code": "Too many requests", "error": "Rate limit exceeded (stand-in)"},
        [("Retry-After", "1")],
    ),
    "server_error": (503, {"code": "Unavailable", "error": "Service temporarily unavailable (stand-in)"}, []),
}
_KEY_ALPHABET = string.ascii_letters + string.digits + "_"


def make_test_key() -> str:
    """A random key of the real shape (`xai-` + 80 chars), valid only against a stand-in that knows it."""
    return "xai-" + "".join(secrets.choice(_KEY_ALPHABET) for _ in range(80))


def answer_for(prompt: str) -> str:
    """The stand-in's deterministic answer to a prompt (both sides give the same)."""
    return f"Stand-in answer: you said {prompt!r}."


def _redacted(key: str) -> str:
    return f"{key[:2]}***{key[-2:]}" if len(key) > 8 else "***"


@dataclass
class KeyRecord:
    name: str
    team_id: str
    acls: tuple[str, ...] = ("api-key:model:*", "api-key:endpoint:*")
    blocked: bool = False
    disabled: bool = False


class ApiHandler(BaseHandler):
    """The api.x.ai routes, as strict as the OpenAI SDK's response validation: `created` on every
    chunk, `role` in the first delta, `GET /v1/models/{id}`, HEAD and OPTIONS answered as an API
    server answers them (headers, CORS preflight, 405 with `Allow`), never with an HTML page."""

    _MODEL_PREFIX = "/v1/models/"

    def routes(self) -> _Routes:
        return _Routes(self)

    def handle_route(self, handler) -> None:
        if getattr(handler, "public", False):  # OPTIONS and 405 need no key, as on any API server
            handler()
            return
        key = self._authenticate()
        if key is None:
            return
        failure = self.standin.take_failure("api")
        if failure is not None:
            status, body, headers = API_FAILURES[failure]
            self.send_json(status, body, headers)
            return
        handler(key)

    def do_HEAD(self) -> None:  # noqa: N802 (http.server's naming)
        self._route("HEAD")

    def do_OPTIONS(self) -> None:  # noqa: N802
        self._route("OPTIONS")

    def do_PUT(self) -> None:  # noqa: N802
        self._route("PUT")

    def do_PATCH(self) -> None:  # noqa: N802
        self._route("PATCH")

    def do_DELETE(self) -> None:  # noqa: N802
        self._route("DELETE")

    def send_body(self, status: int, payload: bytes, content_type: str, headers=()) -> None:
        if self.command != "HEAD":
            super().send_body(status, payload, content_type, headers)
            return
        self.send_response(status)  # HEAD: the GET answer's status and headers, no body
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()

    def allowed_methods(self, path: str) -> tuple[str, ...]:
        """The methods `path` answers (empty: no such route)."""
        if path in ("/v1/models", "/v1/api-key") or (
            path.startswith(self._MODEL_PREFIX) and len(path) > len(self._MODEL_PREFIX)
        ):
            return ("GET", "HEAD", "OPTIONS")
        if path == "/v1/chat/completions":
            return ("POST", "OPTIONS")
        return ()

    def preflight(self) -> None:
        allowed = ", ".join(self.allowed_methods(self.path.split("?", 1)[0]))
        self.send_response(204)
        for name, value in (
            ("Allow", allowed),
            ("Access-Control-Allow-Origin", "*"),
            ("Access-Control-Allow-Methods", allowed),
            ("Access-Control-Allow-Headers", "Authorization, Content-Type"),
            ("Access-Control-Max-Age", "86400"),
        ):
            self.send_header(name, value)
        self.end_headers()

    def method_not_allowed(self) -> None:
        path = self.path.split("?", 1)[0]
        self.send_json(
            405,
            {"code": "Method not allowed", "error": f"{self.command} is not allowed on {path}"},
            [("Allow", ", ".join(self.allowed_methods(path)))],
        )

    def _authenticate(self) -> KeyRecord | None:
        header = self.headers.get("Authorization", "")
        if not header.startswith("Bearer ") or not header[7:]:
            self.send_json(
                401, {"code": "Unauthenticated", "error": "No API key provided. Send 'Authorization: Bearer xai-...'"}
            )
            return None
        key = header[7:]
        record = self.standin.keys.get(key)
        if record is None:
            self.send_json(
                400,
                {
                    "code": "Client specified an invalid argument",
                    "error": f"Incorrect API key provided: {_redacted(key)}. "
                    "You can obtain an API key from https://console.x.ai.",
                },
            )
            return None
        if record.blocked or record.disabled:
            state = "blocked" if record.blocked else "disabled"
            self.send_json(
                403,
                {
                    "code": "The caller does not have permission to execute the specified operation",
                    "error": f"The API key is {state}.",
                },
            )
            return None
        return record

    def _models(self, key: KeyRecord) -> None:
        self.send_json(200, {"object": "list", "data": [_model(model) for model in self.standin.models]})

    def _model(self, key: KeyRecord) -> None:
        model = self.path.split("?", 1)[0][len(self._MODEL_PREFIX) :]
        if model not in self.standin.models:
            self._unknown_model(model, key)
            return
        self.send_json(200, _model(model))

    def _unknown_model(self, model, key: KeyRecord) -> None:
        self.send_json(
            404,
            {
                "code": "Some requested entity was not found",
                "error": f"The model {model} does not exist or your team {key.team_id} does not have access to it.",
            },
        )

    def _api_key(self, key: KeyRecord) -> None:
        self.send_json(
            200,
            {
                "redacted_api_key": "xai-...",
                "user_id": "standin-user",
                "name": key.name,
                "team_id": key.team_id,
                "acls": list(key.acls),
                "api_key_id": "standin-key-id",
                "team_blocked": False,
                "api_key_blocked": key.blocked,
                "api_key_disabled": key.disabled,
            },
        )

    def _bad_request(self, message: str) -> None:
        self.send_json(400, {"code": "Client specified an invalid argument", "error": message})

    def _chat(self, key: KeyRecord) -> None:
        body = self.read_json()
        if body is None:
            return
        model, messages = body.get("model"), body.get("messages")
        if not isinstance(messages, list) or not messages or not isinstance(messages[-1], dict):
            self._bad_request("messages must be a non-empty list of objects")
            return
        if model not in self.standin.models:
            self._unknown_model(model, key)
            return
        prompt = message_text(messages[-1].get("content", ""))
        if prompt is None:
            self._bad_request("content must be a string or a list of content parts")
            return
        limit = body.get("max_completion_tokens", body.get("max_tokens"))
        if limit is not None and (not isinstance(limit, int) or isinstance(limit, bool) or limit < 1):
            self._bad_request("max_completion_tokens (or max_tokens) must be a positive integer")
            return
        words, finish = answer_for(prompt).split(" "), "stop"
        if limit is not None and limit < len(words):
            words, finish = words[:limit], "length"
        usage = {
            "prompt_tokens": len(prompt.split()),
            "completion_tokens": len(words),
            "total_tokens": len(prompt.split()) + len(words),
        }
        ident = f"chatcmpl-{secrets.token_hex(8)}"
        if body.get("stream"):
            options = body.get("stream_options")
            include_usage = isinstance(options, dict) and options.get("include_usage") is True
            self._stream_chat(ident, model, words, finish, usage if include_usage else None)
            return
        self.send_json(
            200,
            {
                "id": ident,
                "object": "chat.completion",
                "created": int(time.time()),
                "model": model,
                "choices": [
                    {"index": 0, "message": {"role": "assistant", "content": " ".join(words)}, "finish_reason": finish}
                ],
                "usage": usage,
            },
        )

    def _stream_chat(self, ident: str, model: str, words: list[str], finish: str, usage: dict | None) -> None:
        """OpenAI's chunk protocol: `role` in the first delta; with `include_usage`, every chunk has
        `usage: null` and one last chunk with no choices carries the usage."""
        self.start_chunked("text/event-stream")
        base = {"id": ident, "object": "chat.completion.chunk", "created": int(time.time()), "model": model}
        if usage is not None:
            base["usage"] = None
        deltas = [{"role": "assistant", "content": words[0]}] + [{"content": " " + word} for word in words[1:]]
        events = [{**base, "choices": [{"index": 0, "delta": delta, "finish_reason": None}]} for delta in deltas]
        events.append({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": finish}]})
        if usage is not None:
            events.append({**base, "choices": [], "usage": usage})
        for event in events:
            self.write_chunk(f"data: {json.dumps(event)}\n\n".encode())
            if self.standin.stream_delay:
                time.sleep(self.standin.stream_delay)
        self.write_chunk(b"data: [DONE]\n\n")
        self.end_chunked()


def message_text(content) -> str | None:
    """A message's text: a string, or the `text` of each `{"type": "text"}` part of a list, joined; None if neither."""
    if isinstance(content, str):
        return content
    if isinstance(content, list) and all(isinstance(part, dict) for part in content):
        return "".join(str(part.get("text", "")) for part in content if part.get("type") == "text")
    return None


def _model(model: str) -> dict:
    return {"id": model, "object": "model", "created": 1_700_000_000, "owned_by": "xai"}


def _public(method):
    """`method` marked as answering without a key (a bound method cannot carry the mark itself)."""

    def answer() -> None:
        method()

    answer.public = True  # type: ignore[attr-defined]
    return answer


class _Routes(dict):
    """`routes()` for the API side: exact paths, `/v1/models/{id}`, HEAD as GET, OPTIONS and 405."""

    def __init__(self, handler: ApiHandler) -> None:
        super().__init__()
        self._handler = handler

    def get(self, key, default=None):
        method, path = key
        handler = self._handler
        allowed = handler.allowed_methods(path)
        if not allowed:
            return None
        if method == "OPTIONS":
            return _public(handler.preflight)
        if method not in allowed:
            return _public(handler.method_not_allowed)
        if path.startswith(handler._MODEL_PREFIX):
            return handler._model
        return {"/v1/models": handler._models, "/v1/api-key": handler._api_key, "/v1/chat/completions": handler._chat}[
            path
        ]
