"""The stand-in's chat gateway `/ws/mgw/` over real sockets, with a plain wsproto client: the handshake's checks,
the event exchange, permessage-deflate, error events and failure switches, scripting, records, and the bounds
that keep a client from holding the server (rules G1, G3-G9, G26 of docs/grok-com-rules.md)."""

from __future__ import annotations

import base64
import json
import socket
import threading
import time
import zlib

import pytest
import requests
from gateway_client import Gateway, Refusal, ask, connect, login, session_create, upgrade_headers

from cookie_session.testing.pytest_plugin import XaiFailures
from cookie_session.testing.standin import StandIn, _server, answer_for
from cookie_session.testing.standin.websocket_io import MAX_CLIENT_MESSAGE

ANTI_BOT = {"error": {"code": 7, "message": "Request rejected by anti-bot rules.", "details": []}}
ANSWER = "CHANNEL_ASSISTANT_RESPONSE"
THINKING = "CHANNEL_ASSISTANT_NOTETAKER_HEADER"


@pytest.fixture
def web():
    with StandIn() as server:
        yield server


def open_gateway(web, who=None, **options) -> Gateway:
    gateway = connect(web, upgrade_headers(web, who or login(web), **options))
    assert isinstance(gateway, Gateway), gateway
    return gateway


def chunks(frames):
    return [f["event"]["chunk"] for f in frames if isinstance(f, dict) and f["event"]["type"] == "response.chunk"]


def answer_text(frames) -> str:
    return "".join(c["text"]["text"] for c in chunks(frames) if c.get("text", {}).get("channel") == ANSWER)


def wait_for_threads(baseline: int, seconds: float = 5.0) -> int:
    deadline = time.monotonic() + seconds
    while threading.active_count() > baseline and time.monotonic() < deadline:
        time.sleep(0.05)
    return threading.active_count()


# --- the exchange -------------------------------------------------------------------------------


def test_g1_the_full_event_exchange(web):
    """G1, G6, G7: session.created + conversation.attached, then thinking, a tool card and result, the answer
    word by word on the answer channel, response.done; every client event recorded in order."""
    gateway = open_gateway(web)
    gateway.send(session_create("expert"))
    created, attached = gateway.receive(), gateway.receive()
    session_id = created["session_id"]
    assert created["event"] == {
        "type": "session.created",
        "client_event_id": "evt_init_test",
        "session": {"id": session_id, "model": "expert"},
    }
    assert attached == {
        "session_id": session_id,
        "event": {"type": "conversation.attached", "conversation": {"id": session_id}},
    }
    item = {
        "type": "message",
        "role": "user",
        "x_grok": {"client_message_id": "m", "input_chunks": [{"text": {"text": "hello there"}}]},
    }
    gateway.send(
        {"session_id": session_id, "event": {"type": "conversation.item.create", "event_id": "evt_msg_1", "item": item}}
    )
    gateway.send({"session_id": session_id, "event": {"type": "response.create", "event_id": "evt_resp_1"}})
    frames = gateway.receive_all()
    gateway.close()
    assert all(frame["session_id"] == session_id for frame in frames)
    pieces = chunks(frames)
    assert pieces[0] == {"phase_marker": {"phase": "PHASE_THINKING"}}
    thinking = [c["text"]["text"] for c in pieces if c.get("text", {}).get("channel") == THINKING]
    assert len(thinking) >= 2 and "hello there" in "".join(thinking)
    assert {
        "tool_usage_card": {"tool_usage_card_id": "tool-1", "web_search": {"args": {"query": "hello there"}}}
    } in pieces
    assert any("tool_result" in c and c["tool_result"]["tool_call_id"] == "tool-1" for c in pieces)
    assert answer_text(frames) == answer_for("hello there")
    assert len([c for c in pieces if c.get("text", {}).get("channel") == ANSWER]) == len(
        answer_for("hello there").split()
    )
    assert not any("render_citation" in c for c in pieces)
    done = frames[-1]["event"]
    assert done["type"] == "response.done" and done["response"]["status"] == "completed" and done["response"]["id"]
    events = web.gateway_events
    assert [e.type for e in events] == ["session.create", "conversation.item.create", "response.create"]
    assert events[0].message["event"]["session"]["model"] == "expert"
    assert all(abs(e.received_at - time.time()) < 60 for e in events)
    assert [e.received_at for e in events] == sorted(e.received_at for e in events)


def test_g7_a_sources_prompt_carries_the_legacy_markup_and_a_render_citation(web):
    """G7: "sources" (any case) adds the `<grok:render>` markup on the answer channel right after the answer,
    then a `render_citation` chunk."""
    frames = ask(open_gateway(web), "Name your SOURCES please")
    answers = [c["text"]["text"] for c in chunks(frames) if c.get("text", {}).get("channel") == ANSWER]
    assert "".join(answers[:-1]) == answer_for("Name your SOURCES please")
    assert answers[-1].startswith('<grok:render card_id="c1" card_type="citation_card"') and answers[-1].endswith(
        "</grok:render>"
    )
    assert chunks(frames)[-1] == {
        "render_citation": {
            "id": "c1",
            "kind": "CITATION_KIND_WEB_PAGE",
            "url": "https://standin.invalid/source/1",
            "citation_id": 1,
        }
    }
    assert "render_citation" not in json.dumps(ask(open_gateway(web), "resources are fine"))  # a whole word only


def test_g1_a_multi_turn_prompt_is_answered_as_one_text(web):
    """G1: several input chunks, or `role: content` lines, are one prompt."""
    prompt = "user: hi\nassistant: hello\nuser: and now?"
    assert answer_text(ask(open_gateway(web), prompt)) == answer_for(prompt)


def test_g5_only_a_chat_that_is_not_temporary_is_saved(web):
    """G5: `is_temporary` true (the default) leaves no conversation; false keeps the prompt."""
    ask(open_gateway(web), "forget me")
    assert web.saved_conversations == []
    ask(open_gateway(web), "keep me", is_temporary=False)
    assert web.saved_conversations == ["keep me"]


def test_g8_pings_are_recorded_when_they_arrive_even_mid_stream():
    """G8: a `ping` needs no reply; it is recorded with its arrival time, also while an answer streams."""
    with StandIn(stream_delay=0.05) as web:
        gateway = open_gateway(web)
        gateway.send({"event": {"type": "ping", "event_id": "evt_hb_1"}})
        gateway.send(session_create())
        created, _attached = gateway.receive(), gateway.receive()
        sid = created["session_id"]
        item = {
            "type": "message",
            "role": "user",
            "x_grok": {"client_message_id": "m", "input_chunks": [{"text": {"text": "one two three four five six"}}]},
        }
        gateway.send({"session_id": sid, "event": {"type": "conversation.item.create", "event_id": "e", "item": item}})
        gateway.send({"session_id": sid, "event": {"type": "response.create", "event_id": "r"}})
        first = gateway.receive()
        assert first["event"]["type"] == "response.chunk"
        gateway.send({"event": {"type": "ping", "event_id": "evt_hb_2"}})
        frames = gateway.receive_all()
        done_at = time.time()
        assert frames[-1]["event"]["type"] == "response.done"
        pings = [e for e in web.gateway_events if e.type == "ping"]
        assert [p.message["event"]["event_id"] for p in pings] == ["evt_hb_1", "evt_hb_2"]
        assert pings[1].received_at < done_at - 0.1  # read while the stream was still going
        gateway.close()


# --- permessage-deflate and the recorded handshake -------------------------------------------------


@pytest.mark.parametrize(
    "offer, expected",
    [
        ("permessage-deflate; client_max_window_bits", "permessage-deflate; client_max_window_bits=15"),  # Chromium
        ("permessage-deflate", "permessage-deflate"),  # Firefox
        (None, None),
    ],
    ids=["chromium", "firefox", "none offered"],
)
def test_g26_permessage_deflate_is_negotiated_when_offered_and_works(web, offer, expected):
    """G26: the browser's offer is accepted and every frame after the 101 is compressed (RSV1); without an
    offer, plain frames."""
    gateway = open_gateway(web, extensions=offer)
    assert gateway.headers.get("sec-websocket-extensions") == expected
    frames = ask(gateway, "compress me " * 50)
    assert answer_text(frames) == answer_for("compress me " * 50)
    compressed = [bool(byte & 0x40) for byte in gateway.frame_headers]
    assert all(compressed) if expected else not any(compressed)
    assert [e.type for e in web.gateway_events][-2:] == ["conversation.item.create", "response.create"]


def test_g26_the_handshake_is_recorded_with_its_client_hello_over_tls():
    """G26: over `web_tls=True` the upgrade is a request like any other: method, path, headers, ClientHello."""
    with StandIn(web_tls=True) as web:
        who = login(web)
        headers = upgrade_headers(web, who)
        gateway = connect(web, headers)
        assert isinstance(gateway, Gateway)
        assert answer_text(ask(gateway, "over tls")) == answer_for("over tls")
        method, path, recorded = web.requests[-1]
        assert (method, path) == ("GET", "/ws/mgw/")
        assert recorded["Sec-WebSocket-Key"] == headers["Sec-WebSocket-Key"] and recorded["Origin"] == web.web_base_url
        hello = web.client_hellos[-1]
        assert hello is not None and not hello.partial and hello.ciphers and hello.tls_version == "1.3"


# --- the handshake's refusals ------------------------------------------------------------------------


def refusal(web, headers, target=None) -> Refusal:
    reply = connect(web, headers, target=target)
    assert isinstance(reply, Refusal), "the handshake was accepted"
    return reply


def test_g3_an_unknown_or_expired_session_is_401(web):
    """G3, G24: a forged sso, or the `session_expired` switch, is a plain 401 with code 16."""
    who = login(web)
    forged = upgrade_headers(web, who)
    forged["Cookie"] = forged["Cookie"].replace(who.sso, "forged")
    reply = refusal(web, forged, target=f"/ws/mgw/?uid={who.user_id}")
    assert (reply.status, reply.json()) == (401, {"error": {"code": 16, "message": "Unauthenticated"}})
    web.fail_next("session_expired")
    assert refusal(web, upgrade_headers(web, who)).status == 401
    assert isinstance(connect(web, upgrade_headers(web, who)), Gateway)


def test_g19_the_handshake_needs_cf_clearance_from_the_same_user_agent(web):
    """G19, G3: another User-Agent, or no cf_clearance, is Cloudflare's 403 page; relaxed, it passes."""
    who = login(web)
    headers = upgrade_headers(web, who)
    headers["User-Agent"] = "python-websockets/15"
    reply = refusal(web, headers)
    assert reply.status == 403 and b"Just a moment" in reply.body
    headers = upgrade_headers(web, who)
    headers["Cookie"] = f"sso={who.sso}; x-userid={who.user_id}"
    assert refusal(web, headers).status == 403
    web.relax("cloudflare")
    assert isinstance(connect(web, headers), Gateway)


@pytest.mark.parametrize(
    "origin",
    [None, "https://evil.example", "null", "http://127.0.0.1:1"],
    ids=["missing", "other site", "null", "other port"],
)
def test_g3_the_origin_must_be_the_sites_own(web, origin):
    """G3, G22: a handshake without Origin or from another origin is refused with the anti-bot JSON."""
    headers = upgrade_headers(web, login(web))
    if origin is None:
        del headers["Origin"]
    else:
        headers["Origin"] = origin
    reply = refusal(web, headers)
    assert (reply.status, reply.json()) == (403, ANTI_BOT)
    web.relax("origin")
    assert isinstance(connect(web, headers), Gateway)


@pytest.mark.parametrize(
    "target",
    ["/ws/mgw/", "/ws/mgw/?uid=", "/ws/mgw/?uid=00000000-0000-4000-8000-000000000000"],
    ids=["no uid", "empty uid", "another user"],
)
def test_g3_the_uid_must_be_the_sessions_user(web, target):
    """G3: the `uid` query parameter is the session's user id (from /api/auth/session), else anti-bot 403."""
    reply = refusal(web, upgrade_headers(web, login(web)), target=target)
    assert (reply.status, reply.json()) == (403, ANTI_BOT)


@pytest.mark.parametrize(
    "change",
    [
        {"Sec-WebSocket-Key": None},
        {"Sec-WebSocket-Key": base64.b64encode(b"short").decode()},
        {"Sec-WebSocket-Version": "12"},
        {"Sec-WebSocket-Version": None},
        {"Upgrade": None},
        {"Connection": "keep-alive"},
    ],
    ids=["no key", "key not 16 bytes", "version 12", "no version", "no upgrade", "connection not upgrade"],
)
def test_g3_a_request_that_is_not_a_valid_upgrade_is_400(web, change):
    """G3: RFC 6455's own checks come last: 400, naming version 13."""
    headers = upgrade_headers(web, login(web))
    for name, value in change.items():
        if value is None:
            del headers[name]
        else:
            headers[name] = value
    reply = refusal(web, headers)
    assert reply.status == 400 and reply.headers["sec-websocket-version"] == "13"


@pytest.mark.parametrize(
    "failure, status, body",
    [("challenge", 403, b"Just a moment"), ("challenge_empty", 403, b""), ("http_429", 429, b"1015")],
)
def test_g21_cloudflare_switches_answer_the_next_handshake(web, failure, status, body):
    """G20, G21: `challenge`, `challenge_empty`, `http_429` refuse the next handshake, then it works."""
    who = login(web)
    web.fail_next(failure)
    reply = refusal(web, upgrade_headers(web, who))
    assert reply.status == status and body in reply.body and "retry-after" not in reply.headers
    assert (reply.body == b"") == (failure == "challenge_empty")
    assert isinstance(connect(web, upgrade_headers(web, who)), Gateway)


# --- errors as events ----------------------------------------------------------------------------------


def test_g4_an_unknown_mode_is_an_error_event_and_a_1008_close(web):
    """G4: `session.model` must be a mode; an old model name gets error code 3 and a policy close."""
    gateway = open_gateway(web)
    gateway.send(session_create("grok-4"))
    error = gateway.receive()
    assert error == {"event": {"type": "error", "error": {"code": 3, "message": "Unknown mode 'grok-4'"}}}
    assert gateway.wait_closed() == 1008


@pytest.mark.parametrize(
    "send",
    [
        lambda g, sid: g.send_text("not json"),
        lambda g, sid: g.send_text(json.dumps(["a list"])),
        lambda g, sid: g.send({"event": {"type": "conversation.item.create", "item": {}}, "session_id": "nope"}),
        lambda g, sid: g.send({"session_id": sid, "event": {"type": "response.create", "event_id": "r"}}),
        lambda g, sid: g.send(
            {
                "session_id": sid,
                "event": {"type": "conversation.item.create", "item": {"type": "message", "role": "user"}},
            }
        ),
        lambda g, sid: g.send({"session_id": sid, "event": {"type": "response.cancel"}}),
        lambda g, sid: g.send(session_create()),
    ],
    ids=[
        "not json",
        "not an object",
        "wrong session id",
        "response before item",
        "item without text",
        "unknown type",
        "second session.create",
    ],
)
def test_g9_bad_input_is_an_error_event_code_3_and_a_1008_close(web, send):
    """G9: malformed or out-of-order events get `error` code 3, then the server closes with 1008."""
    gateway = open_gateway(web)
    gateway.send(session_create())
    sid = gateway.receive()["session_id"]
    gateway.receive()
    send(gateway, sid)
    error = gateway.receive()
    assert error["event"]["type"] == "error" and error["event"]["error"]["code"] == 3
    assert gateway.wait_closed() == 1008


@pytest.mark.parametrize("via", ["fail_next", "xai_failures"])
@pytest.mark.parametrize(
    "failure, code, message",
    [
        ("anti_bot", 7, "Request rejected by anti-bot rules."),
        ("web_rate_limit", 8, "Too many requests"),
        ("blocked_account", 7, "User is blocked [WKE=unauthorized:blocked-user]"),
        ("gateway_error", 13, "Internal error"),
    ],
)
def test_g9_failure_switches_send_an_error_event_then_close_normally(web, monkeypatch, via, failure, code, message):
    """G9, G23, G25: after response.create, the error event, then a normal close; the next chat is fine."""
    if via == "fail_next":
        web.fail_next(failure)
    else:
        getattr(XaiFailures(web, monkeypatch), {"blocked_account": "account_blocked"}.get(failure, failure))()
    gateway = open_gateway(web)
    frames = ask(gateway, "hi")
    assert frames[-1]["event"] == {"type": "error", "error": {"code": code, "message": message}}
    assert frames[-1]["session_id"]
    assert gateway.wait_closed() == 1000
    assert answer_text(ask(open_gateway(web), "hi")) == answer_for("hi")


@pytest.mark.parametrize("via", ["fail_next", "xai_failures"])
def test_g9_session_ended_comes_before_response_done(web, monkeypatch, via):
    """G9: `session.ended` cuts the stream (no response.done), then the server closes."""
    web.fail_next("session_ended") if via == "fail_next" else XaiFailures(web, monkeypatch).session_ended()
    gateway = open_gateway(web)
    frames = ask(gateway, "hi")
    assert gateway.wait_closed() == 1000
    ended = [f for f in frames if f["event"]["type"] == "session.ended"]
    assert ended == [{"event": {"type": "session.ended", "reason": "Session ended by the server"}}]
    assert not any(f["event"]["type"] == "response.done" for f in frames)
    assert answer_text(frames) != answer_for("hi")


@pytest.mark.parametrize("via", ["fail_next", "xai_failures"])
def test_g9_stream_error_is_a_failed_response_done(web, monkeypatch, via):
    """G9: the stream breaks off with `response.done` status failed, code 13."""
    web.fail_next("stream_error") if via == "fail_next" else XaiFailures(web, monkeypatch).stream_error()
    frames = ask(open_gateway(web), "hi there")
    done = frames[-1]["event"]
    assert done["type"] == "response.done" and done["response"]["status"] == "failed"
    assert done["response"]["error"] == {"code": 13, "message": "Stream error"}
    assert answer_text(frames) != answer_for("hi there")


# --- scripting ----------------------------------------------------------------------------------------------


def test_g9_script_gateway_replaces_the_next_answers_exactly(web):
    """G9: dicts (session_id filled in unless given), raw str and bytes text frames, a sleep and a close; for
    `times` chats, then the normal answer again."""
    script = [
        {"event": {"type": "response.chunk", "chunk": {"text": {"text": "scripted", "channel": ANSWER}}}},
        {"session_id": "given", "event": {"type": "response.chunk", "chunk": {}}},
        '{"raw": true}',
        "caf\u00e9 as bytes".encode(),
        ("sleep", 0.01),
        ("close", 4000),
    ]
    web.script_gateway(script, times=2)
    for _ in range(2):
        gateway = open_gateway(web)
        frames = ask(gateway, "hi")
        assert gateway.close_code == 4000
        sid = gateway_session = web.gateway_events[-2].message["session_id"]
        assert frames[0] == {"session_id": gateway_session, **script[0]} and sid
        assert frames[1] == script[1]
        assert frames[2] == {"raw": True}
        assert frames[3] == "caf\u00e9 as bytes"  # raw bytes, sent as a text frame
    assert answer_text(ask(open_gateway(web), "hi")) == answer_for("hi")
    for bad in ([("wait", 1)], [42], [("sleep", -1)], [("close", True)]):
        with pytest.raises(ValueError, match="scripted gateway frame"):
            web.script_gateway(bad)
    with pytest.raises(ValueError, match="times"):
        web.script_gateway([], times=0)


# --- bounds: the handler never holds the server ------------------------------------------------------


def test_g26_a_silent_client_is_closed_after_the_idle_limit(web, monkeypatch):
    """G26: no frame for IDLE_CLIENT_SECONDS: the server closes (1001) and its thread ends."""
    monkeypatch.setattr(_server, "IDLE_CLIENT_SECONDS", 0.5)
    baseline = threading.active_count()
    gateway = open_gateway(web)
    assert gateway.wait_closed(timeout=5) == 1001
    gateway.close()
    assert wait_for_threads(baseline) <= baseline


def test_g26_an_open_gateway_does_not_hold_the_server(web):
    """G26: while one WebSocket sits open, pages, REST and other gateways are served."""
    idle = open_gateway(web)
    other = open_gateway(web)
    assert requests.get(web.web_base_url + "/", timeout=5).status_code == 200
    assert answer_text(ask(other, "meanwhile")) == answer_for("meanwhile")
    idle.close()


def test_g26_an_oversized_message_is_closed_with_1009(web):
    """G26: a client message over 1 MiB (also across fragments) closes the socket with 1009."""
    gateway = open_gateway(web, extensions=None)
    gateway.send_text("x" * (MAX_CLIENT_MESSAGE + 1))
    assert gateway.wait_closed() == 1009
    assert not any(e.type for e in web.gateway_events)  # nothing of it parsed


def test_g26_a_deflate_bomb_is_bounded_like_any_message(web):
    """G26: a few KiB that inflate past 1 MiB are refused while inflating, with 1009."""
    gateway = open_gateway(web)  # the Chromium offer: permessage-deflate
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    payload = compressor.compress(b" " * (64 * MAX_CLIENT_MESSAGE)) + compressor.flush(zlib.Z_SYNC_FLUSH)[:-4]
    assert len(payload) < 128 * 1024
    assert 126 <= len(payload) < 1 << 16
    header = bytes([0x80 | 0x40 | 0x1, 0x80 | 126]) + len(payload).to_bytes(2, "big")  # FIN, RSV1, text; masked
    mask = b"\x00\x00\x00\x00"
    try:
        gateway.send_bytes(header + mask + payload)
    except (BrokenPipeError, ConnectionResetError):
        pass
    assert gateway.wait_closed() == 1009


def test_g26_a_client_leaving_mid_stream_ends_the_handler():
    """G26: the client's close mid-answer stops the stream and frees the thread."""
    with StandIn(stream_delay=0.2) as web:
        baseline = threading.active_count()
        gateway = open_gateway(web)
        gateway.send(session_create())
        sid = gateway.receive()["session_id"]
        gateway.receive()
        item = {
            "type": "message",
            "role": "user",
            "x_grok": {"client_message_id": "m", "input_chunks": [{"text": {"text": " ".join(["w"] * 40)}}]},
        }
        gateway.send({"session_id": sid, "event": {"type": "conversation.item.create", "event_id": "e", "item": item}})
        gateway.send({"session_id": sid, "event": {"type": "response.create", "event_id": "r"}})
        gateway.receive()
        gateway.close()
        assert wait_for_threads(baseline, seconds=3) <= baseline


def test_g26_drop_modes_cut_the_gateway_too(web):
    """G26: `drop_mid_body` sends half a frame after the first one, then the TCP connection ends."""
    who = login(web)
    web.fail_next("drop_mid_body")
    gateway = open_gateway(web, who, extensions=None)
    gateway.send(session_create())
    assert gateway.receive()["event"]["type"] == "session.created"
    assert gateway.wait_closed() == 1006
    web.fail_next("drop_before_reply")
    with pytest.raises((ConnectionError, socket.error)):
        connect(web, upgrade_headers(web, who))
    assert isinstance(connect(web, upgrade_headers(web, who)), Gateway)


def test_g26_frames_sent_right_behind_the_handshake_are_not_lost(web):
    """G26: a client that writes its first event in the same packet as the upgrade request is still heard."""
    from gateway_client import open_socket
    from wsproto.connection import Connection, ConnectionType
    from wsproto.events import TextMessage

    headers = upgrade_headers(web, login(web), extensions=None)
    uid = headers["Cookie"].split("x-userid=")[1].split(";")[0]
    head = f"GET /ws/mgw/?uid={uid} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
    client = Connection(ConnectionType.CLIENT)
    frame = bytes(client.send(TextMessage(data=json.dumps(session_create("auto")))))
    sock = open_socket(web)
    sock.sendall(head.encode("latin-1") + frame)
    data = b""
    while data.count(b"session.created") == 0:
        chunk = sock.recv(65536)
        assert chunk, data
        data += chunk
    assert data.startswith(b"HTTP/1.1 101") and b'"model": "auto"' in data
    sock.close()


def test_g26_a_client_closing_right_behind_its_upgrade_is_no_server_error(capfd):
    """A client that sends its close frame with the upgrade request (before the 101 arrives) ends the handler
    quietly: no traceback from the stand-in's thread."""
    import socket as sockets

    from wsproto import ConnectionType, WSConnection
    from wsproto.events import Request

    with StandIn() as stand_in:
        cookies = {c.name: c.value for c in stand_in.web_cookies("UA")}
        client = WSConnection(ConnectionType.CLIENT)
        upgrade = client.send(
            Request(
                host=f"127.0.0.1:{stand_in.web_port}",
                target=f"/ws/mgw/?uid={cookies['x-userid']}",
                extra_headers=[
                    ("Origin", stand_in.web_base_url),
                    ("User-Agent", "UA"),
                    ("Cookie", "; ".join(f"{k}={v}" for k, v in cookies.items())),
                ],
            )
        )
        closing = b"\x88\x82\x00\x00\x00\x00\x03\xe8"  # a masked close frame, code 1000 (an all-zero mask)
        with sockets.create_connection(("127.0.0.1", stand_in.web_port), timeout=5) as raw:
            raw.sendall(upgrade + closing)
            assert raw.recv(4096).startswith(b"HTTP/1.1 101")
        time.sleep(0.2)
    assert "Traceback" not in capfd.readouterr().err
