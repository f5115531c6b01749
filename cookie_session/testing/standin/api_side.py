"""The api.x.ai side of the stand-in: `/v1/chat/completions` and `/v1/responses` (plain and SSE; see
`chat_api`, `responses_api`, and `answers` for what is answered), `GET`/`DELETE /v1/responses/{id}`,
`/v1/models[/{id}]`, `/v1/api-key`.

It checks the bearer key the way the service answers: no header 401, an unknown
key 400 "Incorrect API key provided", a blocked or disabled key 403, an unknown
model 404 naming it, a malformed request (tools, schema, parameters) 400 saying what was wrong,
429/503 on demand, and what a test scripted (`StandIn.script_next`).
"""

from __future__ import annotations

import json
import secrets
import string
import time
from dataclasses import dataclass

from ._server import BaseHandler
from .answers import Ask, Reply, answer_for, replies
from .chat_api import chat_chunks, chat_completion, parse_chat
from .errors import ApiError, error_body
from .responses_api import not_found, parse_response_request, response_object, stream_events

__all__ = ["answer_for", "make_test_key", "ApiHandler", "KeyRecord", "STANDIN_MODELS", "API_FAILURES"]

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
    _RESPONSE_PREFIX = "/v1/responses/"

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
        if path in ("/v1/chat/completions", "/v1/responses"):
            return ("POST", "OPTIONS")
        if path.startswith(self._RESPONSE_PREFIX) and "/" not in path[len(self._RESPONSE_PREFIX) :]:
            return ("GET", "HEAD", "DELETE", "OPTIONS") if len(path) > len(self._RESPONSE_PREFIX) else ()
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
        self.send_json(404, error_body(404, _unknown_model_message(model, key)))

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

    def _replies(self, key: KeyRecord, body: dict, ask: Ask) -> list[Reply]:
        """The replies to a parsed request: its model checked, then a scripted answer if one is queued."""
        model = body.get("model")
        if model not in self.standin.models:
            raise ApiError(404, _unknown_model_message(model, key))
        return replies(ask, self.standin.take_script())

    def _chat(self, key: KeyRecord) -> None:
        body = self.read_json()
        if body is None:
            return
        try:
            ask = parse_chat(body)
            made = self._replies(key, body, ask)
        except ApiError as error:
            self.send_json(error.status, error.body)
            return
        ident, created, model = f"chatcmpl-{secrets.token_hex(8)}", int(time.time()), body["model"]
        if not body.get("stream"):
            self.send_json(200, chat_completion(ident, created, model, ask, made))
            return
        options = body.get("stream_options")
        include_usage = isinstance(options, dict) and options.get("include_usage") is True
        self._stream(
            f"data: {json.dumps(chunk)}\n\n" for chunk in chat_chunks(ident, created, model, ask, made, include_usage)
        )
        self.write_chunk(b"data: [DONE]\n\n")
        self.end_chunked()

    def _responses(self, key: KeyRecord) -> None:
        body = self.read_json()
        if body is None:
            return
        try:
            ask, conversation = parse_response_request(body, self.standin.responses)
            made = self._replies(key, body, ask)
        except ApiError as error:
            self.send_json(error.status, error.body)
            return
        response = response_object(body, body["model"], int(time.time()), ask, made[0])
        if response["store"]:
            self.standin.responses.put(response, conversation + response["output"])
        if not body.get("stream"):
            self.send_json(200, response)
            return
        self._stream(f"event: {event['type']}\ndata: {json.dumps(event)}\n\n" for event in stream_events(response))
        self.end_chunked()

    def _stored_response(self, key: KeyRecord) -> None:
        ident = self.path.split("?", 1)[0][len(self._RESPONSE_PREFIX) :]
        if self.command == "DELETE":
            found = self.standin.responses.delete(ident)
            answer = {"id": ident, "object": "response", "deleted": True} if found else None
        else:
            stored = self.standin.responses.get(ident)
            answer = stored[0] if stored else None
        if answer is None:
            error = not_found(ident)
            self.send_json(error.status, error.body)
            return
        self.send_json(200, answer)

    def _stream(self, events) -> None:
        """Server-sent events, one chunk each, `stream_delay` apart."""
        self.start_chunked("text/event-stream")
        for event in events:
            self.write_chunk(event.encode())
            if self.standin.stream_delay:
                time.sleep(self.standin.stream_delay)


def _unknown_model_message(model, key: KeyRecord) -> str:
    return f"The model {model} does not exist or your team {key.team_id} does not have access to it."


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
        if path.startswith(handler._RESPONSE_PREFIX):
            return handler._stored_response
        return {
            "/v1/models": handler._models,
            "/v1/api-key": handler._api_key,
            "/v1/chat/completions": handler._chat,
            "/v1/responses": handler._responses,
        }[path]
