"""The api.x.ai side of the stand-in: `/v1/chat/completions` (plain and SSE), `/v1/models`, `/v1/api-key`.

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
    "rate_limit": (429, {"code": "Too many requests", "error": "Rate limit exceeded (stand-in)"}, [("Retry-After", "1")]),
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
    def routes(self) -> dict:
        return {("GET", "/v1/models"): self._models, ("GET", "/v1/api-key"): self._api_key,
                ("POST", "/v1/chat/completions"): self._chat}

    def handle_route(self, handler) -> None:
        key = self._authenticate()
        if key is None:
            return
        failure = self.standin._take_failure("api")
        if failure is not None:
            status, body, headers = API_FAILURES[failure]
            self.send_json(status, body, headers)
            return
        handler(key)

    def _authenticate(self) -> KeyRecord | None:
        header = self.headers.get("Authorization", "")
        if not header.startswith("Bearer ") or not header[7:]:
            self.send_json(401, {"code": "Unauthenticated",
                                 "error": "No API key provided. Send 'Authorization: Bearer xai-...'"})
            return None
        key = header[7:]
        record = self.standin.keys.get(key)
        if record is None:
            self.send_json(400, {"code": "Client specified an invalid argument",
                                 "error": f"Incorrect API key provided: {_redacted(key)}. "
                                          "You can obtain an API key from https://console.x.ai."})
            return None
        if record.blocked or record.disabled:
            state = "blocked" if record.blocked else "disabled"
            self.send_json(403, {"code": "The caller does not have permission to execute the specified operation",
                                 "error": f"The API key is {state}."})
            return None
        return record

    def _models(self, key: KeyRecord) -> None:
        self.send_json(200, {"object": "list", "data": [
            {"id": model, "object": "model", "created": 1_700_000_000, "owned_by": "xai"}
            for model in self.standin.models]})

    def _api_key(self, key: KeyRecord) -> None:
        self.send_json(200, {
            "redacted_api_key": "xai-...", "user_id": "standin-user", "name": key.name, "team_id": key.team_id,
            "acls": list(key.acls), "api_key_id": "standin-key-id", "team_blocked": False,
            "api_key_blocked": key.blocked, "api_key_disabled": key.disabled,
        })

    def _chat(self, key: KeyRecord) -> None:
        body = self.read_json()
        if body is None:
            return
        model, messages = body.get("model"), body.get("messages")
        if not isinstance(messages, list) or not messages or not isinstance(messages[-1], dict):
            self.send_json(400, {"code": "Client specified an invalid argument",
                                 "error": "messages must be a non-empty list of objects"})
            return
        if model not in self.standin.models:
            self.send_json(404, {"code": "Some requested entity was not found",
                                 "error": f"The model {model} does not exist or your team {key.team_id} "
                                          "does not have access to it."})
            return
        prompt = str(messages[-1].get("content", ""))
        words = answer_for(prompt).split(" ")
        limit, finish = body.get("max_tokens"), "stop"
        if isinstance(limit, int) and 0 < limit < len(words):
            words, finish = words[:limit], "length"
        usage = {"prompt_tokens": len(prompt.split()), "completion_tokens": len(words),
                 "total_tokens": len(prompt.split()) + len(words)}
        ident = f"chatcmpl-{secrets.token_hex(8)}"
        if body.get("stream"):
            self._stream_chat(ident, model, words, finish, usage)
            return
        self.send_json(200, {"id": ident, "object": "chat.completion", "created": int(time.time()), "model": model,
                             "choices": [{"index": 0, "message": {"role": "assistant", "content": " ".join(words)},
                                          "finish_reason": finish}],
                             "usage": usage})

    def _stream_chat(self, ident: str, model: str, words: list[str], finish: str, usage: dict) -> None:
        self.start_chunked("text/event-stream")
        base = {"id": ident, "object": "chat.completion.chunk", "model": model}
        events = [{**base, "choices": [{"index": 0, "delta": {"content": word if i == 0 else " " + word}}]}
                  for i, word in enumerate(words)]
        events += [{**base, "choices": [{"index": 0, "delta": {}, "finish_reason": finish}]},
                   {**base, "choices": [], "usage": usage}]
        for event in events:
            self.write_chunk(f"data: {json.dumps(event)}\n\n".encode())
            if self.standin.stream_delay:
                time.sleep(self.standin.stream_delay)
        self.write_chunk(b"data: [DONE]\n\n")
        self.end_chunked()
