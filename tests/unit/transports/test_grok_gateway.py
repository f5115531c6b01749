"""The chat protocol on the gateway WebSocket (`transports/grok/gateway.py`), driven by a scripted socket: the
event order, answer text apart from thinking, markup removed in any split, citations, pings, the limits and every
in-band signal. End to end over a real socket: tests/integration/test_e2e_web.py."""

from __future__ import annotations

import json
import time

import pytest

from cookie_session import errors
from cookie_session.transports._limits import AnswerBudget
from cookie_session.transports.grok.gateway import GatewayChat, MarkupFilter


class ScriptedSocket:
    """Answers the opening with session.created + conversation.attached, the turn with `answer` (events, or
    None for a silent wait); records what the client sent and whether it was closed."""

    url = "wss://grok.com/ws/mgw/?uid=u"

    def __init__(self, answer, *, opening=None) -> None:
        self.sent: list[dict] = []
        self.closed = False
        self._queue: list = []
        self._answer = list(answer)
        self._opening = opening

    def send_json(self, event: dict) -> None:
        self.sent.append(event)
        kind = event["event"]["type"]
        if kind == "session.create":
            opening = self._opening or [
                {
                    "session_id": "s1",
                    "event": {"type": "session.created", "client_event_id": event["event"]["event_id"]},
                },
                {"session_id": "s1", "event": {"type": "conversation.attached", "conversation": {"id": "s1"}}},
            ]
            self._queue.extend(opening)
        elif kind == "response.create":
            self._queue.extend(self._answer)

    def receive(self, timeout: float):
        if not self._queue:
            time.sleep(min(timeout, 0.01))
            return None
        item = self._queue.pop(0)
        if item is None:
            time.sleep(min(timeout, 0.01))
            return None
        return item if isinstance(item, str) else json.dumps(item)

    def close(self) -> None:
        self.closed = True


def chunk(text, channel="CHANNEL_ASSISTANT_RESPONSE"):
    return {
        "session_id": "s1",
        "event": {"type": "response.chunk", "chunk": {"text": {"text": text, "channel": channel}}},
    }


def other_chunk(**fields):
    return {"session_id": "s1", "event": {"type": "response.chunk", "chunk": fields}}


DONE = {"session_id": "s1", "event": {"type": "response.done", "response": {"id": "r1", "status": "completed"}}}


def chat(socket, **options) -> GatewayChat:
    cap = options.pop("cap", 10_000)
    settings = {"mode": "auto", "prompt": "hello", "idle": 5.0, "deadline": time.monotonic() + 30, **options}
    return GatewayChat(socket, budget=AnswerBudget(cap, socket.url), **settings)


def run(socket, **options):
    conversation = chat(socket, **options)
    return list(conversation.pieces()), conversation


def test_the_event_sequence_is_the_web_apps():
    socket = ScriptedSocket([chunk("Hi"), DONE])
    pieces, conversation = run(socket, mode="expert", prompt="What is 2+2?")
    kinds = [event["event"]["type"] for event in socket.sent]
    assert kinds == ["session.create", "conversation.item.create", "response.create"]
    opening = socket.sent[0]["event"]["session"]
    assert opening["model"] == "expert"
    assert opening["x_grok"]["is_temporary"] is True and opening["x_grok"]["disable_memory"] is True
    item = socket.sent[1]
    assert item["session_id"] == "s1" and socket.sent[2]["session_id"] == "s1"
    assert item["event"]["item"]["x_grok"]["input_chunks"] == [{"text": {"text": "What is 2+2?"}}]
    assert pieces == [("text", "Hi")] and conversation.response_id == "r1" and socket.closed


def test_keeping_history_asks_for_a_saved_chat_with_memory():
    socket = ScriptedSocket([DONE])
    run(socket, temporary=False)
    flags = socket.sent[0]["event"]["session"]["x_grok"]
    assert flags["is_temporary"] is False and flags["disable_memory"] is False


def test_thinking_is_kept_apart_and_other_channels_and_cards_are_neither():
    socket = ScriptedSocket(
        [
            other_chunk(phase_marker={"phase": "PHASE_THINKING"}),
            chunk("Let me think about hello", "CHANNEL_ASSISTANT_NOTETAKER_HEADER"),
            chunk("more thought", "CHANNEL_ANALYSIS"),
            other_chunk(tool_usage_card={"tool_usage_card_id": "t1", "web_search": {"args": {"query": "hello"}}}),
            other_chunk(tool_result={"tool_call_id": "t1", "web_search": {"webpages": [{"url": "https://a.example"}]}}),
            chunk("internal", "CHANNEL_SOMETHING_ELSE"),
            chunk("Hello"),
            chunk(" there."),
            DONE,
        ]
    )
    pieces, conversation = run(socket)
    assert [text for kind, text in pieces if kind == "text"] == ["Hello", " there."]
    assert [text for kind, text in pieces if kind == "thinking"] == ["Let me think about hello", "more thought"]
    assert "".join(conversation.thinking) == "Let me think about hellomore thought"


RENDER = (
    '<grok:render card_id="c1" card_type="citation_card" type="render_inline_citation">'
    '<argument name="citation_id">1</argument></grok:render>'
)


@pytest.mark.parametrize("cut", range(0, len(RENDER) + 1, 7))
def test_markup_is_removed_however_it_is_split(cut):
    socket = ScriptedSocket([chunk("Answer"), chunk(" text" + RENDER[:cut]), chunk(RENDER[cut:] + " end."), DONE])
    pieces, _ = run(socket)
    assert "".join(text for kind, text in pieces if kind == "text") == "Answer text end."


@pytest.mark.parametrize(
    "text, expected",
    [
        ("a <grok:render type='x'/> b", "a  b"),
        ("<xai:tool_usage_card><xai:tool_name>web_search</xai:tool_name></xai:tool_usage_card>done", "done"),
        ("1 < 2 and <b>bold</b> and <gr", "1 < 2 and <b>bold</b> and <gr"),
        ("x <grok:render>never closed", "x "),
    ],
)
def test_markup_filter_keeps_ordinary_text_and_drops_grok_and_xai_elements(text, expected):
    markup = MarkupFilter()
    out = "".join(markup.feed(ch) for ch in text) + markup.flush()
    assert out == expected


def test_citations_become_numbered_markers_with_their_urls_listed():
    cite = lambda url: other_chunk(render_citation={"id": "c", "url": url})  # noqa: E731
    socket = ScriptedSocket(
        [
            chunk("One"),
            cite("https://a.example/1"),
            cite("https://a.example/1"),
            chunk(" two"),
            cite("https://b.example"),
            cite("https://a.example/1"),
            DONE,
        ]
    )
    pieces, conversation = run(socket)
    text = "".join(t for kind, t in pieces if kind == "text")
    assert text == "One [1] [1] two [2] [1]"
    assert conversation.citations == ["https://a.example/1", "https://b.example"]


def test_max_pieces_cuts_the_answer_and_closes_the_socket():
    socket = ScriptedSocket([chunk("a"), chunk("b"), chunk("c"), DONE])
    pieces, conversation = run(socket, max_pieces=2)
    assert pieces == [("text", "a"), ("text", "b")] and conversation.finish_reason == "length" and socket.closed


def test_pings_go_out_every_interval_while_waiting():
    socket = ScriptedSocket([None] * 40 + [chunk("late"), DONE])
    pieces, _ = run(socket, ping_seconds=0.05)
    pings = [event for event in socket.sent if event["event"]["type"] == "ping"]
    assert len(pings) >= 3 and pieces == [("text", "late")]
    assert all(event["event"]["event_id"].startswith("evt_hb_") for event in pings)


def test_no_progress_for_the_idle_time_is_a_timeout_and_closes():
    socket = ScriptedSocket([other_chunk(phase_marker={"phase": "x"})] + [None] * 1000)
    with pytest.raises(errors.RequestTimeoutError, match="sent nothing that carries the answer for 0.2 s"):
        run(socket, idle=0.2, ping_seconds=0.05)
    assert socket.closed


def test_the_deadline_ends_a_chat_that_keeps_progressing():
    socket = ScriptedSocket([chunk("x")] * 100_000)
    conversation = chat(socket, deadline=time.monotonic() + 0.3)
    with pytest.raises(errors.RequestTimeoutError, match="deadline"):
        for _ in conversation.pieces():
            time.sleep(0.001)
    assert socket.closed


def test_the_answer_cap_holds():
    socket = ScriptedSocket([chunk("x" * 100)] * 50 + [DONE])
    with pytest.raises(errors.BadResponseError, match="longer than 1,000 bytes"):
        run(socket, cap=1000)
    assert socket.closed


@pytest.mark.parametrize(
    "event, expected, words",
    [
        (
            {"type": "error", "error": {"code": 7, "message": "Request rejected by anti-bot rules."}},
            errors.AntiBotRejectedError,
            "anti-bot",
        ),
        (
            {"type": "error", "error": {"code": 8, "message": "Too many requests"}},
            errors.RateLimitedError,
            "rate limit",
        ),
        (
            {"type": "error", "error": {"code": 13, "message": "You have reached your usage limit"}},
            errors.RateLimitedError,
            "usage limit",
        ),
        (
            {"type": "error", "error": {"code": 7, "message": "User is blocked [WKE=unauthorized:blocked-user]"}},
            errors.AccountBlockedError,
            "blocked",
        ),
        (
            {"type": "error", "error": {"code": 3, "message": "Invalid request. Please update your client"}},
            errors.WebAppChangedError,
            "update",
        ),
        (
            {"type": "error", "error": {"code": 16, "message": "Unauthenticated"}},
            errors.SessionExpiredError,
            "not valid",
        ),
        (
            {"type": "error", "error": {"code": 13, "message": "Internal error"}},
            errors.UpstreamError,
            "code 13: Internal error",
        ),
        (
            {"type": "session.ended", "reason": "server shutting down"},
            errors.ConnectionFailedError,
            "server shutting down",
        ),
        (
            {
                "type": "response.done",
                "response": {"status": "failed", "error": {"code": 13, "message": "Stream error"}},
            },
            errors.UpstreamError,
            "Stream error",
        ),
        ({"type": "response.done", "response": {"status": "cancelled"}}, errors.UpstreamError, "cancelled"),
    ],
)
def test_every_in_band_signal_maps_to_its_error(event, expected, words):
    socket = ScriptedSocket([chunk("partial"), {"session_id": "s1", "event": event}])
    with pytest.raises(expected) as caught:
        run(socket)
    assert words.lower() in str(caught.value).lower() and socket.closed
    assert "\n" not in str(caught.value)


def test_an_error_before_the_session_opens_is_raised_too():
    socket = ScriptedSocket([], opening=[{"event": {"type": "error", "error": {"code": 7, "message": "nope"}}}])
    with pytest.raises(errors.AntiBotRejectedError):
        run(socket)


def test_a_message_that_is_not_json_is_a_bad_response():
    socket = ScriptedSocket(["<html>oops</html>"])
    with pytest.raises(errors.BadResponseError, match="not JSON"):
        run(socket)


def test_ctrl_c_mid_answer_closes_the_socket():
    class Interrupted(ScriptedSocket):
        def receive(self, timeout):
            if self.sent[-1]["event"]["type"] == "response.create" and not self._queue:
                raise KeyboardInterrupt
            return super().receive(timeout)

    socket = Interrupted([chunk("partial")])
    with pytest.raises(KeyboardInterrupt):
        run(socket)
    assert socket.closed


def test_a_caller_abandoning_the_stream_closes_the_socket():
    socket = ScriptedSocket([chunk("a"), chunk("b"), DONE])
    pieces = chat(socket).pieces()
    assert next(pieces) == ("text", "a")
    pieces.close()  # what ChatStream's close and the garbage collector do
    assert socket.closed


@pytest.mark.parametrize(
    "opening",
    [
        [{"event": {"type": "session.created", "session": "s1"}}, {"event": {"type": "conversation.attached"}}],
        [{"event": {"type": "session.created"}}, {"event": {"type": "conversation.attached", "conversation": ["x"]}}],
        [{"session_id": 5, "event": {"type": "session.created"}}, {"event": {"type": "conversation.attached"}}],
    ],
)
def test_an_opening_of_the_wrong_shape_is_a_bad_response(opening):
    socket = ScriptedSocket([DONE], opening=opening)
    with pytest.raises(errors.BadResponseError, match="without a session id"):
        run(socket)
    assert socket.closed
