"""A local stand-in for api.x.ai on loopback: real sockets, the real endpoints' shapes and errors.

For the offline demo, for end-to-end tests, and for users testing their own
scripts. It checks the bearer key the way the service answers: no header 401,
an unknown key 400 "Incorrect API key provided", a blocked or disabled key 403,
an unknown model 404, and 429/503 on demand::

    with StandIn() as api:
        client = GrokClient(ApiKeyAuthenticator(api.api_key), base_url=api.base_url)
"""

from __future__ import annotations

import json
import secrets
import string
import sys
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

__all__ = ["StandIn", "make_test_key", "STANDIN_MODELS"]

STANDIN_MODELS = ("grok-4", "grok-3", "grok-3-mini")
FAILURES = {
    "rate_limit": (429, {"code": "Too many requests", "error": "Rate limit exceeded (stand-in)"}, {"Retry-After": "1"}),
    "server_error": (503, {"code": "Unavailable", "error": "Service temporarily unavailable (stand-in)"}, {}),
}
_KEY_ALPHABET = string.ascii_letters + string.digits + "_"
_MAX_BODY = 1 << 20


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


def answer_for(prompt: str) -> str:
    """The stand-in's deterministic answer to a prompt."""
    return f"Stand-in answer: you said {prompt!r}."


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "cookie-session-standin"
    standin: "StandIn"

    def log_message(self, *args) -> None:  # quiet: tests and the demo print their own lines
        pass

    # --- plumbing -------------------------------------------------------------------
    def _send_json(self, status: int, body: dict, headers: dict | None = None) -> None:
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)

    def _read_json(self) -> dict | None:
        length = int(self.headers.get("Content-Length") or 0)
        if length > _MAX_BODY:
            self._send_json(413, {"code": "Payload too large", "error": "Request body too large"})
            return None
        raw = self.rfile.read(length) if length else b""
        try:
            data = json.loads(raw or b"{}")
        except ValueError:
            self._send_json(400, {"code": "Client specified an invalid argument", "error": "Body is not JSON"})
            return None
        return data if isinstance(data, dict) else {}

    def _route(self, method: str) -> None:
        path = self.path.split("?", 1)[0]
        self.standin._record(method, path, self.headers)
        handler = {("GET", "/v1/models"): self._models, ("GET", "/v1/api-key"): self._api_key,
                   ("POST", "/v1/chat/completions"): self._chat}.get((method, path))
        if handler is None:
            self._send_json(404, {"code": "Not found", "error": f"No route {method} {path}"})
            return
        key = self._authenticate()
        if key is None:
            return
        failure = self.standin._take_failure()
        if failure is not None:
            status, body, headers = FAILURES[failure]
            self._send_json(status, body, headers)
            return
        handler(key)

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self._route("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._route("POST")

    # --- the service's rules --------------------------------------------------------
    def _authenticate(self) -> KeyRecord | None:
        header = self.headers.get("Authorization", "")
        if not header.startswith("Bearer ") or not header[7:]:
            self._send_json(401, {"code": "Unauthenticated", "error": "No API key provided. Send 'Authorization: Bearer xai-...'"})
            return None
        key = header[7:]
        record = self.standin.keys.get(key)
        if record is None:
            self._send_json(400, {"code": "Client specified an invalid argument",
                                  "error": f"Incorrect API key provided: {_redacted(key)}. "
                                           "You can obtain an API key from https://console.x.ai."})
            return None
        if record.blocked or record.disabled:
            state = "blocked" if record.blocked else "disabled"
            self._send_json(403, {"code": "The caller does not have permission to execute the specified operation",
                                  "error": f"The API key is {state}."})
            return None
        return record

    def _models(self, key: KeyRecord) -> None:
        created = 1_700_000_000
        self._send_json(200, {"object": "list", "data": [
            {"id": model, "object": "model", "created": created, "owned_by": "xai"} for model in self.standin.models]})

    def _api_key(self, key: KeyRecord) -> None:
        self._send_json(200, {
            "redacted_api_key": "xai-...", "user_id": "standin-user", "name": key.name, "team_id": key.team_id,
            "acls": list(key.acls), "api_key_id": "standin-key-id", "team_blocked": False,
            "api_key_blocked": key.blocked, "api_key_disabled": key.disabled,
        })

    def _chat(self, key: KeyRecord) -> None:
        body = self._read_json()
        if body is None:
            return
        model = body.get("model")
        messages = body.get("messages")
        if not isinstance(messages, list) or not messages:
            self._send_json(400, {"code": "Client specified an invalid argument", "error": "messages must be a non-empty list"})
            return
        if model not in self.standin.models:
            self._send_json(404, {"code": "Some requested entity was not found",
                                  "error": f"The model {model} does not exist or your team {key.team_id} does not have access to it."})
            return
        prompt = str(messages[-1].get("content", "")) if isinstance(messages[-1], dict) else ""
        words = answer_for(prompt).split(" ")
        limit = body.get("max_tokens")
        finish = "stop"
        if isinstance(limit, int) and 0 < limit < len(words):
            words, finish = words[:limit], "length"
        text = " ".join(words)
        usage = {"prompt_tokens": len(prompt.split()), "completion_tokens": len(words),
                 "total_tokens": len(prompt.split()) + len(words)}
        ident = f"chatcmpl-{secrets.token_hex(8)}"
        if body.get("stream"):
            self._stream_chat(ident, model, words, finish, usage)
            return
        self._send_json(200, {"id": ident, "object": "chat.completion", "created": int(time.time()), "model": model,
                              "choices": [{"index": 0, "message": {"role": "assistant", "content": text},
                                           "finish_reason": finish}],
                              "usage": usage})

    def _stream_chat(self, ident: str, model: str, words: list[str], finish: str, usage: dict) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()

        def event(data: str) -> None:
            payload = f"data: {data}\n\n".encode()
            self.wfile.write(f"{len(payload):x}\r\n".encode() + payload + b"\r\n")
            self.wfile.flush()

        base = {"id": ident, "object": "chat.completion.chunk", "model": model}
        for index, word in enumerate(words):
            piece = word if index == 0 else " " + word
            event(json.dumps({**base, "choices": [{"index": 0, "delta": {"content": piece}}]}))
            if self.standin.stream_delay:
                time.sleep(self.standin.stream_delay)
        event(json.dumps({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": finish}]}))
        event(json.dumps({**base, "choices": [], "usage": usage}))
        event("[DONE]")
        self.wfile.write(b"0\r\n\r\n")


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):  # a client hanging up is not news
            super().handle_error(request, client_address)


class StandIn:
    """The api.x.ai stand-in, served from a thread on 127.0.0.1. Use as a context manager.

    `api_key` is a fresh valid key; `add_key()` makes more (blocked, disabled, other ACLs);
    `fail_next("rate_limit" | "server_error", times)` makes the next answers fail.
    """

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0, models: tuple[str, ...] = STANDIN_MODELS,
                 stream_delay: float = 0.0) -> None:
        self.models = models
        self.stream_delay = stream_delay
        self.keys: dict[str, KeyRecord] = {}
        self.api_key = self.add_key(name="stand-in key")
        self.requests: list[tuple[str, str, dict]] = []
        self._failures: list[str] = []
        self._lock = threading.Lock()
        handler = type("Handler", (_Handler,), {"standin": self})
        self._server = _Server((host, port), handler)
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/v1"

    def add_key(self, *, name: str = "test key", team_id: str = "standin-team", acls: tuple[str, ...] | None = None,
                blocked: bool = False, disabled: bool = False) -> str:
        """Register a new key and return it."""
        key = make_test_key()
        record = KeyRecord(name, team_id, blocked=blocked, disabled=disabled)
        if acls is not None:
            record.acls = tuple(acls)
        self.keys[key] = record
        return key

    def fail_next(self, failure: str, times: int = 1) -> None:
        """Make the next `times` authenticated requests fail with `failure` (see `FAILURES`)."""
        if failure not in FAILURES:
            raise ValueError(f"unknown failure {failure!r}; choose from {sorted(FAILURES)}")
        with self._lock:
            self._failures.extend([failure] * times)

    def _take_failure(self) -> str | None:
        with self._lock:
            return self._failures.pop(0) if self._failures else None

    def _record(self, method: str, path: str, headers) -> None:
        with self._lock:
            self.requests.append((method, path, dict(headers.items())))

    def start(self) -> "StandIn":
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), name="standin", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join()
            self._thread = None
        self._server.server_close()

    def __enter__(self) -> "StandIn":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"StandIn({self.base_url})"
