"""The chat gateway's event protocol (`/ws/mgw/`), after the handshake: JSON text frames both ways.

As public clients speak it since August 2026 (chenyme/grok2api PR #859 `gateway.go`; Prodigalgal/any2api
`GrokWebGatewayChat.java`; a 2026-10 frame capture): the client sends `session.create` (the mode, `x_grok`
flags), the server answers `session.created` + `conversation.attached`; the client sends
`conversation.item.create` (the prompt as `input_chunks`) and `response.create`; the server streams
`response.chunk` events (a thinking phase marker, thinking text on `CHANNEL_ASSISTANT_NOTETAKER_HEADER`, a web
search tool card and its result, the answer word by word on `CHANNEL_ASSISTANT_RESPONSE`, for a prompt saying
"sources" the legacy `<grok:render>` citation markup and a `render_citation` chunk) and `response.done`. The
client pings every 25 s. Errors come as `error` events, then a normal close; `session.ended` or a failed
`response.done` end a stream early. Bad input (an unknown mode, a malformed event) gets an `error` event code
3 and a 1008 close.

Every parsed client event is recorded (`StandIn.gateway_events`); prompts of chats that are not temporary
are kept (`StandIn.saved_conversations`), so a test can prove a chat stayed out of the user's history.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NoReturn

from .api_side import answer_for
from .web_replies import BLOCKED_MESSAGE, MODES
from .websocket_io import ClientGone, ServerWebSocket

if TYPE_CHECKING:
    from . import StandIn

GATEWAY_PATH = "/ws/mgw/"
ANSWER_CHANNEL = "CHANNEL_ASSISTANT_RESPONSE"
THINKING_CHANNEL = "CHANNEL_ASSISTANT_NOTETAKER_HEADER"
SOURCE_URL = "https://standin.invalid/source/1"
CITATION_MARKUP = (
    '<grok:render card_id="c1" card_type="citation_card" type="render_inline_citation">'
    '<argument name="citation_id">1</argument></grok:render>'
)
#: failure switch -> the error event it sends (after response.create) before a normal close.
ERROR_EVENTS = {
    "anti_bot": (7, "Request rejected by anti-bot rules."),
    "web_rate_limit": (8, "Too many requests"),
    "blocked_account": (7, BLOCKED_MESSAGE),
    "gateway_error": (13, "Internal error"),
}
GATEWAY_FAILURES = (*ERROR_EVENTS, "session_ended", "stream_error")
_POLICY_VIOLATION = 1008
_SOURCES = re.compile(r"\bsources\b", re.IGNORECASE)


@dataclass(frozen=True)
class GatewayEvent:
    """One client event as the gateway received it: the whole JSON object and when (`time.time()`)."""

    received_at: float
    message: dict

    @property
    def type(self) -> str | None:
        event = self.message.get("event")
        return event.get("type") if isinstance(event, dict) else None


def checked_script(frames: Any) -> tuple:
    """`frames` for `StandIn.script_gateway`, checked: dicts, str/bytes, ("sleep", seconds), ("close", code)."""
    checked: list = []
    for frame in frames:
        if isinstance(frame, (dict, str, bytes)):
            checked.append(frame)
        elif (
            isinstance(frame, tuple)
            and len(frame) == 2
            and frame[0] in ("sleep", "close")
            and isinstance(frame[1], (int, float))
            and not isinstance(frame[1], bool)
            and frame[1] >= 0
        ):
            checked.append(frame)
        else:
            raise ValueError(
                f"a scripted gateway frame is a dict, str, bytes, ('sleep', seconds) or ('close', code); not {frame!r}"
            )
    return tuple(checked)


class _Refused(Exception):
    """Bad input: the error event code 3 has been sent; close with 1008."""


class _Closed(Exception):
    """The server closed the WebSocket (after an error event, session.ended or a scripted close)."""


class GatewayChat:
    """The event protocol on one upgraded connection; `run()` returns when the WebSocket is over."""

    def __init__(self, socket: ServerWebSocket, standin: StandIn, *, drop_mid_frame: bool = False) -> None:
        self._socket = socket
        self._standin = standin
        self._drop_mid_frame = drop_mid_frame
        self._session_id: str | None = None
        self._temporary = True
        self._prompt: str | None = None

    def run(self) -> None:
        try:
            while True:
                received_at, frame = self._socket.receive()
                try:
                    self._handle(received_at, frame)
                except _Refused:
                    self._socket.close(_POLICY_VIOLATION, "bad input")
                    return
        except (ClientGone, _Closed, OSError):  # the client left, or the server closed on purpose
            return

    # --- client events -------------------------------------------------------------------------

    def _handle(self, received_at: float, frame: str | bytes) -> None:
        if isinstance(frame, bytes):
            self._refuse("Binary frames are not supported")
        try:
            message = json.loads(frame)
        except ValueError:
            self._refuse("Invalid JSON")
        event = message.get("event") if isinstance(message, dict) else None
        if not isinstance(event, dict) or not isinstance(event.get("type"), str):
            self._refuse('Invalid event: expected {"event": {"type": ...}}')
        self._standin.record_gateway_event(GatewayEvent(received_at, message))
        kind = event["type"]
        if kind == "ping":
            return
        if kind == "session.create":
            self._create_session(event)
        elif kind == "conversation.item.create":
            self._check_session_id(message)
            self._take_prompt(event)
        elif kind == "response.create":
            self._check_session_id(message)
            if self._prompt is None:
                self._refuse("response.create before conversation.item.create")
            prompt, self._prompt = self._prompt, None
            self._respond(prompt)
        else:
            self._refuse(f"Unknown event type '{kind}'")

    def _create_session(self, event: dict) -> None:
        if self._session_id is not None:
            self._refuse("session.create sent twice")
        session = event.get("session")
        session = session if isinstance(session, dict) else {}
        mode = session.get("model")
        if not isinstance(mode, str) or mode not in MODES:
            self._refuse(f"Unknown mode '{mode}'")
        flags = session.get("x_grok")
        flags = flags if isinstance(flags, dict) else {}
        self._temporary = flags.get("is_temporary", True) is not False
        self._session_id = str(uuid.uuid4())
        created = {
            "type": "session.created",
            "client_event_id": event.get("event_id"),
            "session": {"id": self._session_id, "model": mode},
        }
        self._send_event(created)
        self._send_event({"type": "conversation.attached", "conversation": {"id": self._session_id}})

    def _check_session_id(self, message: dict) -> None:
        if self._session_id is None:
            self._refuse("No session: send session.create first")
        if message.get("session_id") != self._session_id:
            self._refuse("Unknown session_id")

    def _take_prompt(self, event: dict) -> None:
        item = event.get("item")
        x_grok = item.get("x_grok") if isinstance(item, dict) else None
        chunks = x_grok.get("input_chunks") if isinstance(x_grok, dict) else None
        if not (isinstance(item, dict) and item.get("type") == "message" and item.get("role") == "user"):
            self._refuse("Expected a user message item")
        texts = [chunk.get("text", {}).get("text") for chunk in chunks or () if isinstance(chunk, dict)]
        if not texts or not all(isinstance(text, str) for text in texts):
            self._refuse("Expected input_chunks with text")
        self._prompt = "".join(texts)
        if not self._temporary:
            self._standin.record_saved_conversation(self._prompt)

    def _refuse(self, message: str) -> NoReturn:
        self._send_event({"type": "error", "error": {"code": 3, "message": message}})
        raise _Refused(message)

    # --- the answer ----------------------------------------------------------------------------

    def _respond(self, prompt: str) -> None:
        failure = self._standin.take_failure("web", only=GATEWAY_FAILURES)
        script = None if failure is not None else self._standin.take_gateway_script()
        if failure in ERROR_EVENTS:
            code, message = ERROR_EVENTS[failure]
            self._send_event({"type": "error", "error": {"code": code, "message": message}})
            self._close()
        elif script is not None:
            self._play(script)
        else:
            self._answer(prompt, failure)

    def _answer(self, prompt: str, failure: str | None) -> None:
        answer = answer_for(prompt)
        words = [word if index == 0 else " " + word for index, word in enumerate(answer.split(" "))]
        self._chunk({"phase_marker": {"phase": "PHASE_THINKING"}})
        self._chunk({"text": {"text": "Thinking about the question: ", "channel": THINKING_CHANNEL}})
        self._chunk({"text": {"text": f"{prompt!r} (stand-in thoughts)", "channel": THINKING_CHANNEL}})
        self._chunk({"tool_usage_card": {"tool_usage_card_id": "tool-1", "web_search": {"args": {"query": prompt}}}})
        page = {"url": SOURCE_URL, "title": "Stand-in source"}
        self._chunk({"tool_result": {"tool_call_id": "tool-1", "web_search": {"webpages": [page]}}})
        if failure is not None:  # session_ended / stream_error: the stream breaks after the first word
            self._chunk({"text": {"text": words[0], "channel": ANSWER_CHANNEL}})
            if failure == "session_ended":
                self._send({"event": {"type": "session.ended", "reason": "Session ended by the server"}})
                self._close()
            failed = {"id": str(uuid.uuid4()), "status": "failed", "error": {"code": 13, "message": "Stream error"}}
            self._send_event({"type": "response.done", "response": failed})
            return
        for index, word in enumerate(words):
            if index and self._standin.stream_delay:
                self._socket.wait(self._standin.stream_delay)
            self._chunk({"text": {"text": word, "channel": ANSWER_CHANNEL}})
        if _SOURCES.search(prompt):
            self._chunk({"text": {"text": CITATION_MARKUP, "channel": ANSWER_CHANNEL}})
            citation = {"id": "c1", "kind": "CITATION_KIND_WEB_PAGE", "url": SOURCE_URL, "citation_id": 1}
            self._chunk({"render_citation": citation})
        self._send_event({"type": "response.done", "response": {"id": str(uuid.uuid4()), "status": "completed"}})

    def _play(self, script: tuple) -> None:
        for frame in script:
            if isinstance(frame, dict):
                self._send(frame if "session_id" in frame else {"session_id": self._session_id, **frame})
            elif isinstance(frame, (str, bytes)):
                self._send(frame)
            elif frame[0] == "sleep":
                self._socket.wait(frame[1])
            else:
                self._close(int(frame[1]))

    # --- frames out ---------------------------------------------------------------------------

    def _chunk(self, chunk: dict) -> None:
        self._send_event({"type": "response.chunk", "chunk": chunk})

    def _send_event(self, event: dict) -> None:
        """`{"session_id": sid, "event": event}` (no session_id before the session exists)."""
        self._send({"session_id": self._session_id, "event": event} if self._session_id else {"event": event})

    def _send(self, frame: dict | str | bytes) -> None:
        text = json.dumps(frame) if isinstance(frame, dict) else frame
        if self._drop_mid_frame and self._socket.frames_sent >= 1:  # the `drop_mid_body` drop mode
            self._socket.send_partial(text)
            raise ClientGone("dropped mid-frame on purpose")
        self._socket.send_text(text)

    def _close(self, code: int = 1000) -> NoReturn:
        self._socket.close(code)
        raise _Closed
