"""A chat over grok.com's gateway WebSocket, as the web app holds it (since 2026-08; chenyme/grok2api `gateway.go`,
Prodigalgal/any2api `GrokWebGatewayChat.java`, docs/grok-com-rules.md):

    -> session.create {model: <mode>, x_grok: {is_temporary, disable_memory, ...}}
    <- session.created, conversation.attached {conversation.id}
    -> conversation.item.create {item.x_grok.input_chunks: [{text: {text: <prompt>}}]}, response.create
    <- response.chunk* {chunk: text{text, channel} | render_citation | tool_usage_card | tool_result | phase_marker}
    <- response.done {response: {id, status}}  (or an `error` event, or `session.ended`)
    -> ping every 25 s while open

Only the answer channel (`CHANNEL_ASSISTANT_RESPONSE`) is answer text; the thinking channels (analysis, reasoning,
the note-taker summary) are thinking, kept apart; other channels, tool cards and phase markers are neither.
`<grok:…>`/`<xai:…>` markup in answer text is removed (`MarkupFilter`); a `render_citation` becomes ` [N]`, its URL
listed in `citations`. Only content (answer or thinking text, a citation, the end) is progress for the progress
timeout; the call's deadline and answer cap hold as on any transport. The socket is closed however the chat ends
(an error, Ctrl-C, the caller abandoning the stream).
"""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from ...errors import BadResponseError, ConnectionFailedError, RequestTimeoutError, UpstreamError
from .._limits import AnswerBudget
from ..replies import shown_url
from .signals import gateway_error

__all__ = ["GatewayChat", "MarkupFilter", "PING_SECONDS", "session_create", "turn_events"]

PING_SECONDS = 25.0
ANSWER_CHANNEL = "CHANNEL_ASSISTANT_RESPONSE"
_THINKING_CHANNEL = re.compile(r"ANALYSIS|REASONING|NOTETAKER|THINK", re.IGNORECASE)
_DEADLINE_HINT = "Raise the call's deadline (GrokClient(deadline=...)), or ask for a shorter answer"


def session_create(mode: str, *, temporary: bool) -> dict:
    """The first event: the mode, and a temporary chat without memory unless `temporary` is False."""
    return {
        "event": {
            "type": "session.create",
            "event_id": f"evt_init_{uuid.uuid4()}",
            "session": {
                "model": mode,
                "x_grok": {
                    "protocol_capabilities": ["conversation_attached", "custom_methods_v1"],
                    "use_chunk": True,
                    "enable_side_by_side": True,
                    "force_side_by_side": False,
                    "enable_image_generation": False,
                    "disable_text_follow_ups": True,
                    "disable_artifact": True,
                    "force_concise": False,
                    "keep_context": False,
                    "is_temporary": temporary,
                    "disable_memory": temporary,
                },
            },
        }
    }


def turn_events(session_id: str, prompt: str) -> tuple[dict, dict]:
    """`conversation.item.create` with the prompt, then `response.create`."""
    now = int(time.time() * 1000)
    item = {
        "session_id": session_id,
        "event": {
            "type": "conversation.item.create",
            "event_id": f"evt_msg_{now}",
            "item": {
                "type": "message",
                "role": "user",
                "x_grok": {"client_message_id": str(uuid.uuid4()), "input_chunks": [{"text": {"text": prompt}}]},
            },
        },
    }
    return item, {"session_id": session_id, "event": {"type": "response.create", "event_id": f"evt_resp_{now}"}}


def _object(value) -> dict:
    """`value` if it is a JSON object, else an empty one (a field of the wrong type is no field)."""
    return value if isinstance(value, dict) else {}


class MarkupFilter:
    """Removes `<grok:…>…</grok:…>`, `<grok:… />` and the same `xai:` elements from text that arrives in pieces
    (an element may be split across pieces); holds back at most `LIMIT` characters while an element is open."""

    LIMIT = 64 * 1024
    _OPEN = re.compile(r"<(?:grok|xai):")
    _ELEMENT = re.compile(
        r"<(grok|xai):([\w.-]+)\b[^>]*?/>|<(grok|xai):([\w.-]+)\b[^>]*>.*?</\3:\4\s*>", re.DOTALL | re.IGNORECASE
    )
    _PREFIXES = ("<grok:", "<xai:")

    def __init__(self) -> None:
        self._held = ""

    def feed(self, text: str) -> str:
        """The part of `held + text` that is surely not markup."""
        buffer, out = self._held + text, []
        while True:
            start = self._OPEN.search(buffer)
            if start is None:
                keep = self._partial_prefix(buffer)
                out.append(buffer[: len(buffer) - keep])
                self._held = buffer[len(buffer) - keep :]
                break
            out.append(buffer[: start.start()])
            buffer = buffer[start.start() :]
            element = self._ELEMENT.match(buffer)
            if element is not None:
                buffer = buffer[element.end() :]
                continue
            if len(buffer) > self.LIMIT:  # no closing tag in sight: it was text after all
                out.append(buffer)
                buffer = ""
            self._held = buffer
            break
        return "".join(out)

    def flush(self) -> str:
        """What is held back at the end: an element never closed is dropped, a partial prefix kept as text."""
        held, self._held = self._held, ""
        return "" if self._OPEN.match(held) else held

    def _partial_prefix(self, text: str) -> int:
        """How many characters at the end of `text` could begin an element (`<`, `<gr`, `<xai`...)."""
        for size in range(min(len(text), 6), 0, -1):
            tail = text[-size:]
            if any(prefix.startswith(tail) for prefix in self._PREFIXES):
                return size
        return 0


@dataclass
class GatewayChat:
    """One chat on an open `socket` (`GatewaySocket`): `pieces()` yields `(kind, text)` with kind "text" or
    "thinking"; afterwards `response_id`, `citations`, `thinking` and `finish_reason` describe the answer.

    `idle` seconds without progress, or the monotonic `deadline`, end it in `RequestTimeoutError`; `budget`
    caps the answer; `max_pieces` cuts it after that many answer pieces (finish_reason "length")."""

    socket: object
    mode: str
    prompt: str
    idle: float
    deadline: float
    budget: AnswerBudget
    temporary: bool = True
    max_pieces: int | None = None
    redact: Callable[[str], str] = lambda text: text
    site: str = "grok.com"  # how messages name the server (a loopback stand-in by its address)
    ping_seconds: float = PING_SECONDS
    response_id: str | None = None
    citations: list[str] = field(default_factory=list)
    thinking: list[str] = field(default_factory=list)
    finish_reason: str = "stop"
    _last_progress: float = 0.0
    _next_ping: float = 0.0
    _shown: str = ""

    def pieces(self) -> Iterator[tuple[str, str]]:
        socket = self.socket
        self._shown = shown_url(socket.url)  # type: ignore[attr-defined]
        try:
            now = time.monotonic()
            self._last_progress, self._next_ping = now, now + self.ping_seconds
            opening = session_create(self.mode, temporary=self.temporary)
            socket.send_json(opening)  # type: ignore[attr-defined]
            session_id = self._attach(opening["event"]["event_id"])
            for event in turn_events(session_id, self.prompt):
                socket.send_json(event)  # type: ignore[attr-defined]
            yield from self._answer()
        finally:
            socket.close()  # type: ignore[attr-defined]

    def _attach(self, opening_id: str) -> str:
        """Wait for `session.created` and `conversation.attached`; the session id."""
        session_id, created, attached = None, False, False
        while not (created and attached):
            event, envelope = self._next_event()
            kind = event.get("type")
            if kind == "session.created" and event.get("client_event_id") in (None, opening_id):
                created = True
                session_id = envelope.get("session_id") or _object(event.get("session")).get("id") or session_id
            elif kind == "conversation.attached":
                attached = True
                session_id = session_id or _object(event.get("conversation")).get("id")
            else:
                self._raise_if_ended(event)
        if not isinstance(session_id, str) or not session_id:
            raise BadResponseError(f"{self._shown} opened the chat without a session id")
        return session_id

    def _answer(self) -> Iterator[tuple[str, str]]:
        markup, answered = MarkupFilter(), 0
        while True:
            event, _envelope = self._next_event()
            kind = event.get("type")
            if kind == "response.chunk":
                for piece in self._chunk_pieces(event.get("chunk"), markup):
                    if piece[0] == "text":
                        if self.max_pieces is not None and answered >= self.max_pieces:
                            self.finish_reason = "length"
                            return
                        answered += 1
                        self.budget.add(piece[1])
                    yield piece
            elif kind == "response.done":
                self._progress()
                response = event["response"] if isinstance(event.get("response"), dict) else {}
                status = response.get("status", "completed")
                if status != "completed":
                    if isinstance(response.get("error"), dict):
                        raise gateway_error(response["error"], redact=self.redact, site=self.site)
                    raise UpstreamError(f"{self.site}'s chat gateway ended the answer as {str(status)[:40]!r}")
                self.response_id = response.get("id") if isinstance(response.get("id"), str) else None
                tail = markup.flush()
                if tail:
                    self.budget.add(tail)
                    yield ("text", tail)
                return
            else:
                self._raise_if_ended(event)

    def _chunk_pieces(self, chunk, markup: MarkupFilter) -> Iterator[tuple[str, str]]:
        if not isinstance(chunk, dict):
            return
        text = chunk.get("text")
        if isinstance(text, dict) and isinstance(text.get("text"), str) and text["text"]:
            channel = str(text.get("channel") or ANSWER_CHANNEL)
            if channel == ANSWER_CHANNEL:
                self._progress()
                clean = markup.feed(text["text"])
                if clean:
                    yield ("text", clean)
            elif _THINKING_CHANNEL.search(channel):
                self._progress()
                self.thinking.append(text["text"])
                yield ("thinking", text["text"])
        citation = chunk.get("render_citation")
        if isinstance(citation, dict) and isinstance(citation.get("url"), str):
            self._progress()
            url = citation["url"]
            if url not in self.citations:
                self.citations.append(url)
            yield ("text", f" [{self.citations.index(url) + 1}]")

    def _raise_if_ended(self, event: dict) -> None:
        kind = event.get("type")
        if kind == "error":
            raise gateway_error(event.get("error"), redact=self.redact, site=self.site)
        if kind == "session.ended":
            raise ConnectionFailedError(
                f"{self.site}'s chat gateway ended the session before the answer was complete "
                f"({str(event.get('reason') or 'no reason given')[:80]})",
                hint="Try again",
            )

    def _progress(self) -> None:
        self._last_progress = time.monotonic()

    def _next_event(self) -> tuple[dict, dict]:
        """The next event and its envelope, sending pings when due; timeouts as the class says."""
        url = self._shown
        while True:
            now = time.monotonic()
            if now >= self.deadline:
                raise RequestTimeoutError(
                    f"Chat at {url} passed its deadline before the answer was complete", hint=_DEADLINE_HINT
                )
            if now - self._last_progress >= self.idle:
                raise RequestTimeoutError(
                    f"{url} sent nothing that carries the answer for {self.idle:g} s",
                    hint="Check the service, or raise the timeout",
                )
            if now >= self._next_ping:
                ping = {"event": {"type": "ping", "event_id": f"evt_hb_{int(time.time() * 1000)}"}}
                self.socket.send_json(ping)  # type: ignore[attr-defined]
                self._next_ping = now + self.ping_seconds
            wait = min(self.deadline, self._last_progress + self.idle, self._next_ping) - now
            message = self.socket.receive(wait)  # type: ignore[attr-defined]
            if message is None:
                continue
            try:
                envelope = json.loads(message)
            except (ValueError, RecursionError):
                raise BadResponseError(f"{url} sent a message that is not JSON") from None
            event = envelope.get("event") if isinstance(envelope, dict) else None
            if isinstance(event, dict):
                return event, envelope
